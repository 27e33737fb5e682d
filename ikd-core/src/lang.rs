//! Language of user-facing messages.

/// Language of user-facing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Bahasa Indonesia (the default).
    #[default]
    Id,
    /// English.
    En,
}

impl Lang {
    /// Picks a language from an HTTP `Accept-Language` header or a `LANG` value:
    /// English if `en` comes before `id`, otherwise Indonesian.
    pub fn from_header(value: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = if tag.starts_with("en") {
                Lang::En
            } else if tag.starts_with("id") || tag.starts_with("in") {
                Lang::Id
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// An error (or verification reason) that a front end shows to a person: a stable
/// machine-readable code (listed in [`crate::codes::ALL`] and `docs/CODES.md`) and a message
/// in Bahasa Indonesia or English. Every ikd-core error type implements it, so the CLI, the
/// server and the bindings answer with the same code and the same words.
pub trait UserError {
    /// The stable code.
    fn code(&self) -> &'static str;
    /// The message in the language.
    fn message(&self, lang: Lang) -> String;
}

/// Implements [`UserError`] by the type's own `code()` and `message(lang)`.
macro_rules! user_error {
    ($($t:ty),+ $(,)?) => {
        $(
            impl $crate::lang::UserError for $t {
                fn code(&self) -> &'static str {
                    <$t>::code(self)
                }
                fn message(&self, lang: $crate::lang::Lang) -> String {
                    <$t>::message(self, lang).into()
                }
            }
        )+
    };
}
pub(crate) use user_error;
