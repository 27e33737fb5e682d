//! Calendar days as Indonesia reads them: one rule for every date-only time.
//!
//! A date without a time of day (`YYYY-MM-DD`, and the card's `berlaku_hingga`) names a day
//! in Western Indonesian Time (WIB, UTC+07:00), the zone of the population registry. A
//! date-only *start* is 00:00:00 WIB of that day; a date-only *end* is its last second,
//! 23:59:59 WIB, so that `--not-after 2035-12-31` covers all of that day. A credential's
//! `expires_at` is exclusive (it is expired from that instant), so a card valid through a
//! day gives `expires_at` = the next day's 00:00 WIB ([`Timestamp::end_of_day_exclusive`]).

use time::{Date, Duration, PrimitiveDateTime, Time, UtcOffset};

use crate::credential::Timestamp;

/// The offset of Western Indonesian Time (WIB) from UTC, in seconds: +07:00.
pub const WIB_OFFSET_SECS: i64 = 7 * 3600;

fn wib() -> UtcOffset {
    UtcOffset::from_whole_seconds(7 * 3600).unwrap_or(UtcOffset::UTC)
}

fn parse_day(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.len() != 10 {
        return None;
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt).ok()
}

impl Timestamp {
    /// 00:00:00 WIB of `day`: where a date-only start begins.
    pub fn start_of_day(day: Date) -> Timestamp {
        let t = PrimitiveDateTime::new(day, Time::MIDNIGHT).assume_offset(wib());
        Timestamp::from_unix(t.unix_timestamp())
    }

    /// 23:59:59 WIB of `day`: the last second of a date-only end (for inclusive bounds such
    /// as a trust entry's `not_after`).
    pub fn end_of_day(day: Date) -> Timestamp {
        Timestamp::end_of_day_exclusive(day).plus(-1)
    }

    /// The next day's 00:00:00 WIB: the first instant after `day`, for exclusive ends such as
    /// a credential's `expires_at`.
    pub fn end_of_day_exclusive(day: Date) -> Timestamp {
        match day.checked_add(Duration::days(1)) {
            Some(next) => Timestamp::start_of_day(next),
            None => Timestamp::start_of_day(day).plus(86_400),
        }
    }

    /// The WIB calendar day this instant falls on.
    pub fn day_wib(self) -> Date {
        self.plus(WIB_OFFSET_SECS).date()
    }

    /// Parses the start of a period: an RFC 3339 time as written, or a `YYYY-MM-DD` date as
    /// 00:00:00 WIB of that day.
    pub fn parse_start(s: &str) -> Option<Timestamp> {
        Timestamp::parse_rfc3339(s.trim()).or_else(|| parse_day(s).map(Timestamp::start_of_day))
    }

    /// Parses the (inclusive) end of a period: an RFC 3339 time as written, or a `YYYY-MM-DD`
    /// date as its last second, 23:59:59 WIB, so that the whole day is included.
    pub fn parse_end(s: &str) -> Option<Timestamp> {
        Timestamp::parse_rfc3339(s.trim()).or_else(|| parse_day(s).map(Timestamp::end_of_day))
    }

    /// Parses a `YYYY-MM-DD` date (no time of day), if `s` is one.
    pub fn parse_day(s: &str) -> Option<Date> {
        parse_day(s)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_date_only_end_covers_the_whole_day_in_wib() {
        // Issue 14: `--not-after 2035-12-31` used to end at 00:00 of that day.
        assert_eq!(Timestamp::parse_end("2035-12-31").map(|t| t.to_string()).as_deref(), Some("2035-12-31T16:59:59Z"));
        assert_eq!(
            Timestamp::parse_start("2035-12-31").map(|t| t.to_string()).as_deref(),
            Some("2035-12-30T17:00:00Z")
        );
        assert_eq!(Timestamp::parse_end("2035-12-31T08:00:00Z").map(|t| t.unix()), Some(2_082_700_800));
        assert_eq!(Timestamp::parse_end("31-12-2035"), None);
        assert_eq!(Timestamp::parse_start("2035-02-30"), None);
    }

    #[test]
    fn the_exclusive_end_is_the_next_wib_midnight() {
        let d = Timestamp::parse_day("2030-05-01").expect("date");
        assert_eq!(Timestamp::end_of_day_exclusive(d).to_string(), "2030-05-01T17:00:00Z");
        assert_eq!(Timestamp::end_of_day_exclusive(d).plus(-1).day_wib(), d);
        assert_eq!(Timestamp::end_of_day_exclusive(d).day_wib(), d.next_day().expect("day"));
    }
}
