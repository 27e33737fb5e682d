//! Time arguments: RFC 3339, or a date read by the core's one rule (`Timestamp::parse_start`,
//! `Timestamp::parse_end`).

use ikd_core::{Lang, Timestamp};

use crate::support::error::CliError;
use crate::support::error::CliResult;
use crate::tr;

/// Parses a time given as RFC 3339 (`2026-11-27T08:00:00+07:00`) or a date (`2026-11-27`,
/// meaning its start, 00:00 WIB: `Timestamp::parse_start`).
pub fn parse_when(lang: Lang, s: &str, what: &str) -> CliResult<Timestamp> {
    Timestamp::parse_start(s).ok_or_else(|| bad_time(lang, s, what))
}

/// Parses the end of a period (`--not-after`, `not_after`): RFC 3339, or a date meaning the
/// whole of that day, up to 23:59:59 WIB (`Timestamp::parse_end`, the one rule in ikd-core).
pub fn parse_end_when(lang: Lang, s: &str, what: &str) -> CliResult<Timestamp> {
    Timestamp::parse_end(s).ok_or_else(|| bad_time(lang, s, what))
}

/// The error for a time that is neither RFC 3339 nor `YYYY-MM-DD`.
pub fn bad_time(lang: Lang, s: &str, what: &str) -> CliError {
    CliError::new(
        "bad_time",
        tr!(
            lang,
            "{}: {:?} bukan waktu RFC 3339 (misalnya 2026-11-27T08:00:00+07:00) atau tanggal YYYY-MM-DD",
            "{}: {:?} is not an RFC 3339 time (such as 2026-11-27T08:00:00+07:00) or a YYYY-MM-DD date",
            what,
            s.trim()
        ),
    )
    .field(Some(what.to_owned()))
}
