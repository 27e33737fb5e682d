//! Message language: Bahasa Indonesia by default, English on request. The texts of the core's
//! errors live in ikd-core (`message(lang)` on each error type); the functions here call them.

use ikd_core::{ClaimsError, DecodeError, DisclosureError, KeyError, Lang, PolicyError, TrustStoreError};

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

/// A claims error in the language, without position (the caller adds file and line).
pub fn claims_error(e: &ClaimsError, lang: Lang) -> String {
    e.message_without_position(lang)
}

/// A key error in the language.
pub fn key_error(e: &KeyError, lang: Lang) -> String {
    e.message(lang)
}

/// A trust store error in the language.
pub fn trust_error(e: &TrustStoreError, lang: Lang) -> String {
    e.message(lang)
}

/// A decode error in the language (the detail behind `Reason::Malformed`).
pub fn decode_error(e: &DecodeError, lang: Lang) -> String {
    e.message(lang)
}

/// A claim-list error (`--show`, a policy's `required`) in the language.
pub fn disclosure_error(e: &DisclosureError, lang: Lang) -> String {
    e.message(lang)
}

/// A policy file error in the language (without the position, which the caller adds).
pub fn policy_error(e: &PolicyError, lang: Lang) -> String {
    e.message(lang)
}
