//! Where the bindings' time goes, per verification of the VALID trust-store credential vectors:
//! the core's `Verifier::verify`, then `Session::verify` (plus the view, what the Python
//! package turns into a dict) and `Session::verify_json` (plus the view as JSON text, what
//! `ikd_verify` returns). Interleaved batches, the fastest of each kind.
//!
//! `cargo run --release -p ikd-capi --example session_cost -- ROUNDS` prints one JSON line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::Instant;

use ikd_capi::session::{CallOptions, Session};
use ikd_core::{FixedClock, Lang, Timestamp, TrustStore, Verifier};
use serde_json::{Value, json};

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(500);
    let cases: Vec<Value> = test_vectors::read_cases()
        .into_iter()
        .map(|(d, _)| d)
        .filter(|d| {
            d["expected"]["verdict"] == "VALID"
                && !d["trust_store"].is_null()
                && d["input"].get("seen_before").is_none()
                && d["input"].get("policy").is_none()
                && d["input"].get("challenge").is_none()
        })
        .collect();
    let now = |d: &Value| Timestamp::parse_rfc3339(d["clock"].as_str().unwrap()).unwrap();
    let text = |d: &Value| d["input"]["qr_text"].as_str().unwrap().to_owned();
    let core: Vec<(Verifier, String)> = cases
        .iter()
        .map(|d| {
            let store = TrustStore::from_json(&d["trust_store"].to_string()).unwrap();
            (Verifier::new(store).with_clock(Arc::new(FixedClock(now(d)))), text(d))
        })
        .collect();
    let sessions: Vec<(Session, String, Timestamp)> = cases
        .iter()
        .map(|d| (Session::with_trust_store(&d["trust_store"].to_string(), None, Lang::Id).unwrap(), text(d), now(d)))
        .collect();
    let n = (rounds * cases.len()) as f64;
    let (mut a, mut b, mut c) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    for _ in 0..7 {
        let t0 = Instant::now();
        for _ in 0..rounds {
            for (v, t) in &core {
                std::hint::black_box(v.verify(std::hint::black_box(t)));
            }
        }
        a = a.min(t0.elapsed().as_secs_f64() * 1e6 / n);
        let t0 = Instant::now();
        for _ in 0..rounds {
            for (s, t, now) in &sessions {
                let o = CallOptions { now: Some(*now), ..CallOptions::default() };
                std::hint::black_box(s.verify(std::hint::black_box(t), &o).unwrap());
            }
        }
        b = b.min(t0.elapsed().as_secs_f64() * 1e6 / n);
        let t0 = Instant::now();
        for _ in 0..rounds {
            for (s, t, now) in &sessions {
                let o = CallOptions { now: Some(*now), ..CallOptions::default() };
                std::hint::black_box(s.verify_json(std::hint::black_box(t), &o).unwrap());
            }
        }
        c = c.min(t0.elapsed().as_secs_f64() * 1e6 / n);
    }
    println!(
        "{}",
        json!({"texts": cases.len(), "rounds": rounds, "core_verify_us": a, "session_view_us": b, "session_json_us": c})
    );
}
