//! Message language: Bahasa Indonesia by default, English on request. The texts of the core's
//! errors live in ikd-core (`message(lang)` on each error type); the CLI calls them directly.

use ikd_core::Lang;

/// Picks the language: `--lang` first, then the first non-empty of `LC_ALL`, `LC_MESSAGES`,
/// `LANG` (POSIX order): English when it starts with `en`, Indonesian otherwise.
pub fn detect(flag: Option<Lang>) -> Lang {
    if let Some(l) = flag {
        return l;
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return if v.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Id };
        }
    }
    Lang::Id
}

/// `tr!(lang, "indonesian {x}", "english {x}")`: formats the text for the language.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:literal, $en:literal $(, $($arg:tt)*)?) => {
        match $lang {
            ikd_core::Lang::En => format!($en $(, $($arg)*)?),
            _ => format!($id $(, $($arg)*)?),
        }
    };
}
