//! The native side of `scripts/bench-wasm.mjs`: times `ikd_core::Verifier::verify` and the
//! bindings' `Session::verify` (the same, plus the JSON view) over the VALID trust-store
//! credential vectors, as the Node side times the WebAssembly package over the same texts.
//!
//! `cargo run --release -p ikd-wasm --example native_verify -- ROUNDS` prints one JSON line:
//! `{"texts": n, "rounds": r, "core_verify_us": …, "binding_verify_us": …}` (microseconds per
//! verification, the fastest of five batches).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::Instant;

use ikd_core::{FixedClock, Timestamp, TrustStore, Verdict, Verifier};
use ikd_wasm::api::{Options, Session};
use serde_json::Value;

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(test_vectors::cases_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if doc["expected"]["verdict"] == "VALID"
            && !doc["trust_store"].is_null()
            && doc["input"].get("seen_before").is_none()
            && doc["input"].get("policy").is_none()
            && doc["input"].get("challenge").is_none()
        {
            cases.push(doc);
        }
    }
    let now = |d: &Value| Timestamp::parse_rfc3339(d["clock"].as_str().unwrap()).unwrap();
    let core: Vec<(Verifier, String)> = cases
        .iter()
        .map(|d| {
            let v = Verifier::new(TrustStore::from_json(&d["trust_store"].to_string()).unwrap())
                .with_clock(Arc::new(FixedClock(now(d))));
            (v, d["input"]["qr_text"].as_str().unwrap().to_owned())
        })
        .collect();
    let opts = Options::default();
    let bound: Vec<(Session, String, f64)> = cases
        .iter()
        .map(|d| {
            let s = Session::with_trust_store(&d["trust_store"].to_string(), &opts).unwrap();
            (s, d["input"]["qr_text"].as_str().unwrap().to_owned(), now(d).unix() as f64)
        })
        .collect();
    for (v, t) in &core {
        assert_eq!(v.verify(t).verdict(), Verdict::Valid);
    }
    let n = (rounds * core.len()) as f64;
    let mut core_best = f64::INFINITY;
    let mut bound_best = f64::INFINITY;
    for _ in 0..5 {
        let t0 = Instant::now();
        for _ in 0..rounds {
            for (v, t) in &core {
                std::hint::black_box(v.verify(std::hint::black_box(t)));
            }
        }
        core_best = core_best.min(t0.elapsed().as_secs_f64() * 1e6 / n);
        let t0 = Instant::now();
        for _ in 0..rounds {
            for (s, t, now) in &bound {
                std::hint::black_box(s.verify(std::hint::black_box(t), *now, &opts).unwrap());
            }
        }
        bound_best = bound_best.min(t0.elapsed().as_secs_f64() * 1e6 / n);
    }
    println!(
        "{}",
        serde_json::json!({
            "texts": core.len(),
            "rounds": rounds,
            "core_verify_us": core_best,
            "binding_verify_us": bound_best,
        })
    );
}
