//! Counts the work of one full verification against one bare strict Ed25519 verification.
//! Run under `valgrind --tool=callgrind` (instruction counts do not depend on machine load),
//! or plainly for wall-clock figures: `cargo run --release -p ikd-core --example verify_cost -- [verify|baseline|decode] N`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use ikd_core::*;

const T0: i64 = 1_795_737_600;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map(String::as_str).unwrap_or("both");
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/residents.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let r = v["residents"].as_array().unwrap().iter().find(|r| r["case"] == "typical-woman").unwrap();
    let claims = Claims::from_json(&r["claims"].to_string()).unwrap();
    let key = SecretKey::from_seed(&[0x11; 32]);
    let issuer = Issuer::new(SecretKey::from_seed(&[0x11; 32]));
    let mut trust = TrustStore::new();
    trust.add(TrustedIssuer {
        name: "X".into(),
        public_key: issuer.public_key(),
        not_before: Timestamp::from_unix(T0 - 86_400),
        not_after: Timestamp::from_unix(T0 + 86_400 * 3650),
    });
    let req = IssueRequest {
        claims,
        serial: Serial::new(1_234_567).unwrap(),
        status_index: StatusIndex::new(4_321_987),
        issued_at: Timestamp::from_unix(T0),
        valid_from: Timestamp::from_unix(T0),
        expires_at: Timestamp::from_unix(T0 + 5 * 365 * 86_400),
        holder_key: Some(SecretKey::from_seed(&[0x48; 32]).public_key()),
        photo: None,
    };
    let text = issuer.issue_with_secret(&req, &SaltSecret::from_bytes([0x5a; 16])).unwrap().text().to_owned();
    let verifier = Verifier::new(trust).with_clock(Arc::new(FixedClock(Timestamp::from_unix(T0 + 60))));
    let msg = [0x42u8; 64];
    let sig = key.sign(&msg);
    let pk = key.public_key();
    let run = |name: &str, f: &dyn Fn()| {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        let per = t.elapsed().as_secs_f64() * 1e6 / f64::from(n);
        println!("{name}: {per:.2} µs");
        per
    };
    let mut base = 0.0;
    let mut full = 0.0;
    if what == "baseline" || what == "both" {
        base = run("baseline_verify_strict", &|| assert!(verify_signature_strict(black_box(&pk), &msg, &sig)));
    }
    if what == "verify" || what == "both" {
        full =
            run("verify_text_to_verdict", &|| assert_eq!(verifier.verify(black_box(&text)).verdict(), Verdict::Valid));
    }
    if what == "decode" {
        run("decode_only", &|| {
            black_box(UnverifiedCredential::decode(black_box(&text)).unwrap());
        });
    }
    if what == "both" {
        println!("ratio: {:.3}", full / base);
    }
    if what == "interleaved" {
        // Alternate short batches and keep each side's fastest batch: robust on a busy machine.
        let batch = 500u32;
        let time = |f: &dyn Fn()| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
        };
        let (mut best_base, mut best_full, mut best_decode) = (f64::MAX, f64::MAX, f64::MAX);
        for _ in 0..(n / batch).max(1) {
            best_base = best_base.min(time(&|| assert!(verify_signature_strict(black_box(&pk), &msg, &sig))));
            best_full =
                best_full.min(time(&|| assert_eq!(verifier.verify(black_box(&text)).verdict(), Verdict::Valid)));
            best_decode = best_decode.min(time(&|| {
                black_box(UnverifiedCredential::decode(black_box(&text)).unwrap());
            }));
        }
        println!("baseline_verify_strict: {best_base:.2} µs (fastest batch of {batch})");
        println!("verify_text_to_verdict: {best_full:.2} µs");
        println!("decode_only: {best_decode:.2} µs");
        println!("ratio: {:.3}", best_full / best_base);
    }
}
