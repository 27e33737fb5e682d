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
        // Issue 18: rounds of alternating short batches, each side's fastest batch per round, the
        // median of the per-round ratios. Two baselines: ed25519-dalek's own `verify_strict` (the
        // issue's "bare strict verification") and the core's `verify_signature_strict` (the same
        // answers, R′ compared as a point).
        let batch = 500u32;
        let rounds = 9usize;
        let time = |f: &dyn Fn()| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
        };
        let dalek_key = ed25519_dalek::VerifyingKey::from_bytes(pk.as_bytes()).unwrap();
        let dalek_sig = ed25519_dalek::Signature::from_bytes(&sig);
        let per_round = (n / batch / rounds as u32).max(1);
        let mut rows: Vec<[f64; 4]> = Vec::new();
        for _ in 0..rounds {
            let mut best = [f64::MAX; 4];
            for _ in 0..per_round {
                best[0] = best[0].min(time(&|| {
                    assert!(black_box(&dalek_key).verify_strict(&msg, &dalek_sig).is_ok());
                }));
                best[1] = best[1].min(time(&|| assert!(verify_signature_strict(black_box(&pk), &msg, &sig))));
                best[2] =
                    best[2].min(time(&|| assert_eq!(verifier.verify(black_box(&text)).verdict(), Verdict::Valid)));
                best[3] = best[3].min(time(&|| {
                    black_box(UnverifiedCredential::decode(black_box(&text)).unwrap());
                }));
            }
            println!(
                "round: dalek_verify_strict {:.2} µs, core verify_signature_strict {:.2} µs, verify_text_to_verdict {:.2} µs, decode_only {:.2} µs, ratio to dalek {:.3}, ratio to core strict {:.3}",
                best[0],
                best[1],
                best[2],
                best[3],
                best[2] / best[0],
                best[2] / best[1]
            );
            rows.push(best);
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let col = |i: usize| median(rows.iter().map(|r| r[i]).collect());
        println!("median of {rounds} rounds ({per_round} batches of {batch} per side per round):");
        println!("dalek_verify_strict: {:.2} µs", col(0));
        println!("core_verify_signature_strict: {:.2} µs", col(1));
        println!("verify_text_to_verdict: {:.2} µs", col(2));
        println!("decode_only: {:.2} µs", col(3));
        println!("ratio full / dalek verify_strict: {:.3}", median(rows.iter().map(|r| r[2] / r[0]).collect()));
        println!("ratio full / core strict: {:.3}", median(rows.iter().map(|r| r[2] / r[1]).collect()));
        println!("ratio core strict / dalek verify_strict: {:.3}", median(rows.iter().map(|r| r[1] / r[0]).collect()));
    }
}
