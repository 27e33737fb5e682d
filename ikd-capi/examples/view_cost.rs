//! Where the core's view time goes, per VALID typical-woman credential (a profiling aid for
//! `docs/BENCHMARKS.md`, "Python and C bindings"): the verification, the whole
//! `VerificationView::new`, and its parts. Fastest of 7 batches each.
//!
//! `cargo run --release -p ikd-capi --example view_cost -- ROUNDS` prints one JSON line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Instant;

use ikd_core::view::HeaderView;
use ikd_core::{Lang, Timestamp, TrustStore, VerificationView, Verifier, VerifyOptions, ViewOptions};
use serde_json::{Value, json};

fn best(rounds: usize, mut f: impl FnMut()) -> f64 {
    let mut b = f64::INFINITY;
    for _ in 0..7 {
        let t0 = Instant::now();
        for _ in 0..rounds {
            f();
        }
        b = b.min(t0.elapsed().as_secs_f64() * 1e6 / rounds as f64);
    }
    b
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let case: Value =
        test_vectors::read_cases().into_iter().map(|(d, _)| d).find(|d| d["name"] == "valid-typical-woman").unwrap();
    let now = Timestamp::parse_rfc3339(case["clock"].as_str().unwrap()).unwrap();
    let text = case["input"]["qr_text"].as_str().unwrap().to_owned();
    let verifier = Verifier::new(TrustStore::from_json(&case["trust_store"].to_string()).unwrap());
    let opts = VerifyOptions { now: Some(now), ..VerifyOptions::default() };
    let v = verifier.verify_with(&text, &opts);
    let vo = ViewOptions { lang: Lang::Id, ..ViewOptions::default() };
    let header = v.header().unwrap().clone();
    let out = json!({
        "verify_us": best(rounds, || { black_box(verifier.verify_with(black_box(&text), &opts)); }),
        "view_us": best(rounds, || { black_box(VerificationView::new(black_box(&v), &text, &vo)); }),
        "header_us": best(rounds, || { black_box(HeaderView::of(black_box(&header))); }),
        "timestamp_to_string_us": best(rounds, || { black_box(black_box(now).to_string()); }),
        "claims_json_us": best(rounds, || { black_box(black_box(&v).claims_json()); }),
        "message_us": best(rounds, || { black_box(black_box(&v).message(Lang::Id)); }),
        "view_to_json_us": best(rounds, || {
            black_box(serde_json::to_string(&VerificationView::new(black_box(&v), &text, &vo)).unwrap());
        }),
    });
    println!("{out}");
}
