//! Helpers shared by the trust-list, status-list, sync and cache code: root keys given on the
//! command line or in files, durations, ages, freshness labels, and the core's list errors in
//! the user's language.

use std::path::Path;

use ikd_core::status::{Freshness, StatusListError};
use ikd_core::trustlist::{KeyStatus, TrustListError};
use ikd_core::{Lang, PublicKey, Timestamp};

use crate::support::error::{CliError, CliResult, EXIT_INVALID};
use crate::support::fsutil;
use crate::support::keys;
use crate::tr;

/// Reads root public keys: each spec is `ikdpk1:…` text, or a file holding one or more public
/// keys (one `ikdpk1:…` per line, `#` comments; a `.pub` file or the cache's `roots` file), or a
/// secret key file (its public key).
pub fn read_roots(lang: Lang, specs: &[String]) -> CliResult<Vec<PublicKey>> {
    let mut out: Vec<PublicKey> = Vec::new();
    for spec in specs {
        for k in read_key_list(lang, spec)? {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    Ok(out)
}

/// The public keys of one spec (see [`read_roots`]).
pub fn read_key_list(lang: Lang, spec: &str) -> CliResult<Vec<PublicKey>> {
    let path = Path::new(spec);
    if spec.starts_with("ikdpk1:") && !path.exists() {
        return Ok(vec![keys::read_public_key(lang, spec)?]);
    }
    let text = fsutil::read_text(lang, path)?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if lines.first().is_some_and(|(_, l)| *l == "IKD-SECRET-KEY-1") {
        return Ok(vec![keys::read_public_key(lang, spec)?]);
    }
    let mut out = Vec::new();
    for (n, l) in lines {
        let k = PublicKey::from_text(l).map_err(|e| {
            CliError::new(e.code(), tr!(lang, "kunci publik tidak sah: {}", "invalid public key: {}", e.message(lang)))
                .file(path)
                .line(n)
        })?;
        out.push(k);
    }
    if out.is_empty() {
        return Err(
            CliError::new("key_wrong_format", tr!(lang, "berkas kunci kosong", "the key file is empty")).file(path)
        );
    }
    Ok(out)
}

/// The text of a roots file: a comment and one key per line.
pub fn roots_file_text(roots: &[PublicKey]) -> String {
    let mut s = String::from("# IKD pinned root keys (trust list signers), one per line\n");
    for r in roots {
        s.push_str(&format!("{}\n", r.to_text()));
    }
    s
}

/// Parses a duration: seconds (`86400`) or a number with a unit `s`, `m`, `h`, `d`, `w`
/// (`30m`, `12h`, `1d`, `2w`).
pub fn parse_duration(lang: Lang, s: &str, what: &str) -> CliResult<i64> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 's')) => (t.get(..i), 1),
        Some((i, 'm')) => (t.get(..i), 60),
        Some((i, 'h')) => (t.get(..i), 3600),
        Some((i, 'd')) => (t.get(..i), 86_400),
        Some((i, 'w')) => (t.get(..i), 7 * 86_400),
        _ => (Some(t), 1),
    };
    num.and_then(|n| n.parse::<i64>().ok()).and_then(|n| n.checked_mul(mult)).filter(|n| *n > 0).ok_or_else(|| {
        CliError::new(
            "bad_duration",
            tr!(
                lang,
                "{}: {:?} bukan lama waktu (misalnya 86400, 30m, 12h, 1d, 2w)",
                "{}: {:?} is not a duration (such as 86400, 30m, 12h, 1d, 2w)",
                what,
                s
            ),
        )
        .field(Some(what.to_owned()))
    })
}

/// A time given as RFC 3339, a date, or a duration after `base` (`7d`).
pub fn parse_time_or_after(lang: Lang, s: &str, base: Timestamp, what: &str) -> CliResult<Timestamp> {
    let t = s.trim();
    if t.len() >= 10 && t.as_bytes().get(4) == Some(&b'-') {
        return crate::support::when::parse_when(lang, t, what);
    }
    Ok(base.plus(parse_duration(lang, t, what)?))
}

/// An age or a duration in words: minutes below an hour, hours below two days, else days.
pub fn age_text(secs: i64, lang: Lang) -> String {
    let secs = secs.max(0);
    if secs < 3600 {
        tr!(lang, "{} menit", "{} min", secs / 60)
    } else if secs < 86_400 {
        tr!(lang, "{} jam", "{} h", secs / 3600)
    } else {
        tr!(lang, "{} hari", "{} days", secs / 86_400)
    }
}

/// The age of a list issued at `issued_at`, at `now` (0 for a list from the future).
pub fn age_secs(issued_at: Timestamp, now: Timestamp) -> i64 {
    now.unix().saturating_sub(issued_at.unix()).max(0)
}

/// The freshness of a list in words.
pub fn freshness_text(f: &Freshness, lang: Lang) -> String {
    match f {
        Freshness::Fresh => tr!(lang, "segar", "fresh"),
        Freshness::InGrace { .. } => {
            tr!(lang, "masa tenggang: sinkronkan bila bisa", "in grace: sync when you can")
        }
        Freshness::Stale { .. } => tr!(
            lang,
            "KEDALUWARSA: melewati masa tenggang, sinkronkan perangkat ini",
            "STALE: past its grace period, sync this device"
        ),
        #[allow(unreachable_patterns)]
        _ => f.code().to_owned(),
    }
}

/// A key status in words.
pub fn key_status_text(s: &KeyStatus, lang: Lang) -> String {
    match s {
        KeyStatus::Active => tr!(lang, "aktif", "active"),
        KeyStatus::Retired { since } => tr!(lang, "dipensiunkan sejak {}", "retired since {}", since),
        KeyStatus::Compromised { since } => tr!(lang, "BOCOR sejak {}", "COMPROMISED since {}", since),
        #[allow(unreachable_patterns)]
        _ => s.as_str().to_owned(),
    }
}

/// A trust-list error as a CLI error: exit 1 (the list is rejected).
pub fn rejected_trust_list(e: &TrustListError, lang: Lang, path: &Path) -> CliError {
    let mut err = CliError::new(e.code(), e.message(lang)).file(path);
    err.exit = EXIT_INVALID;
    err
}

/// A status-list error as a CLI error: exit 1 (the list is rejected).
pub fn rejected_status_list(e: &StatusListError, lang: Lang, path: &Path) -> CliError {
    let mut err = CliError::new(e.code(), e.message(lang)).file(path);
    err.exit = EXIT_INVALID;
    err
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration(Lang::En, "86400", "x").unwrap(), 86_400);
        assert_eq!(parse_duration(Lang::En, "1d", "x").unwrap(), 86_400);
        assert_eq!(parse_duration(Lang::En, "12h", "x").unwrap(), 43_200);
        assert_eq!(parse_duration(Lang::En, "30m", "x").unwrap(), 1800);
        assert_eq!(parse_duration(Lang::En, "2w", "x").unwrap(), 14 * 86_400);
        for bad in ["", "d", "0", "-1d", "1y", "x1d"] {
            assert!(parse_duration(Lang::En, bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn ages() {
        assert_eq!(age_text(59, Lang::En), "0 min");
        assert_eq!(age_text(7200, Lang::En), "2 h");
        assert_eq!(age_text(86_400, Lang::Id), "1 hari");
        assert_eq!(age_text(3 * 86_400, Lang::Id), "3 hari");
    }
}
