//! Progress bars for batches: drawn on stderr, and hidden by indicatif itself when stderr is not
//! a terminal (so logs, pipes and CI see only the summary).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar of `len` steps with a short message.
pub fn bar(len: u64, msg: String) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({rate}, {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&rate(s.per_sec()));
        })
        .progress_chars("=> ");
    pb.set_style(style);
    pb.set_message(msg);
    pb
}

/// A rate in items per second, rounded for reading: whole numbers from 10/s up, one decimal
/// below (indicatif's own `{per_sec}` prints four decimals, such as `1234.5678/s`).
pub fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        "0/s".to_owned()
    } else if per_sec >= 10.0 {
        format!("{}/s", per_sec.round() as u64)
    } else {
        format!("{per_sec:.1}/s")
    }
}

/// The closing line of a batch on stderr: how many credentials, in how long, at what rate
/// ([`rate`]).
pub fn done_in(lang: ikd_core::Lang, count: u64, secs: f64) -> String {
    let per_sec = if secs > 0.0 { count as f64 / secs } else { 0.0 };
    let r = rate(per_sec);
    crate::tr!(lang, "{} kredensial dalam {:.2} detik ({})", "{} credential(s) in {:.2} s ({})", count, secs, r)
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn progress_rate_is_rounded_not_four_decimals() {
        // Issue 14: the batch progress rate printed four decimals.
        assert_eq!(rate(1234.5678), "1235/s");
        assert_eq!(rate(10.04), "10/s");
        assert_eq!(rate(3.04567), "3.0/s");
        assert_eq!(rate(0.0), "0/s");
        assert_eq!(rate(f64::NAN), "0/s");
        assert_eq!(rate(f64::INFINITY), "0/s");
    }
}
