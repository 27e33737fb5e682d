//! Helpers the commands share: files, keys, input, the list cache, cards, messages and
//! errors. Nothing here uses `crate::commands` or `crate::ctx`'s callers.

pub mod cache;
pub mod card;
pub mod claimsio;
pub mod error;
pub mod fsutil;
pub mod i18n;
pub mod input;
pub mod keys;
pub mod lists;
pub mod photo_out;
pub mod progress;
pub mod seen;
pub mod when;
