//! Core benchmarks: issue, encode, verify, QR render and QR decode, each against a bare
//! strict Ed25519 verification measured in the same run (`docs/BENCHMARKS.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use ikd_core::format::*;
use ikd_core::render::{RenderOptions, render_image, render_png};
use ikd_core::*;

const T0: i64 = 1_795_737_600;

fn woman() -> Claims {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/residents.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let r = v["residents"].as_array().unwrap().iter().find(|r| r["case"] == "typical-woman").unwrap();
    Claims::from_json(&r["claims"].to_string()).unwrap()
}

fn setup() -> (Issuer, IssueRequest, Verifier) {
    let issuer = Issuer::new(SecretKey::from_seed(&[0x11; 32]));
    let mut trust = TrustStore::new();
    trust.add(TrustedIssuer {
        name: "BENCH".into(),
        public_key: issuer.public_key(),
        not_before: Timestamp::from_unix(T0 - 86_400 * 365),
        not_after: Timestamp::from_unix(T0 + 86_400 * 3650),
    });
    let req = IssueRequest {
        claims: woman(),
        serial: Serial::new(1_234_567).unwrap(),
        status_index: StatusIndex::new(4_321_987),
        issued_at: Timestamp::from_unix(T0),
        valid_from: Timestamp::from_unix(T0),
        expires_at: Timestamp::from_unix(T0 + 5 * 365 * 86_400),
        holder_key: Some(SecretKey::from_seed(&[0x48; 32]).public_key()),
        photo: None,
    };
    let verifier = Verifier::new(trust).with_clock(Arc::new(FixedClock(Timestamp::from_unix(T0 + 86_400))));
    (issuer, req, verifier)
}

fn benches(c: &mut Criterion) {
    let (issuer, req, verifier) = setup();
    let secret = SaltSecret::from_bytes([0x5a; 16]);
    let text = issuer.issue_with_secret(&req, &secret).unwrap().text().to_owned();
    let payload = text_to_payload(&text).unwrap();

    // Baseline: one strict Ed25519 verification of a message the size of ours.
    let key = SecretKey::from_seed(&[0x11; 32]);
    let msg = vec![0x42u8; 64];
    let sig = key.sign(&msg);
    let pk = key.public_key();
    c.bench_function("baseline_ed25519_verify_strict", |b| {
        b.iter(|| assert!(verify_signature_strict(black_box(&pk), black_box(&msg), black_box(&sig))))
    });
    c.bench_function("verify_text_to_verdict", |b| {
        b.iter(|| assert_eq!(verifier.verify(black_box(&text)).verdict(), Verdict::Valid))
    });
    // The same credential with 10 000 other issuer keys trusted (a national trust list):
    // lookup by key id must keep this equal to `verify_text_to_verdict` (issue 13, item 9).
    let mut big = verifier.trust_store().clone();
    for i in 0..10_000u32 {
        let mut seed = [0u8; 32];
        seed[..4].copy_from_slice(&i.to_le_bytes());
        seed[31] = 0x77;
        big.add(TrustedIssuer {
            name: format!("BENCH {i}"),
            public_key: SecretKey::from_seed(&seed).public_key(),
            not_before: Timestamp::from_unix(T0 - 86_400 * 365),
            not_after: Timestamp::from_unix(T0 + 86_400 * 3650),
        });
    }
    let big = Verifier::new(big).with_clock(Arc::new(FixedClock(Timestamp::from_unix(T0 + 86_400))));
    c.bench_function("verify_text_to_verdict_10k_issuers", |b| {
        b.iter(|| assert_eq!(big.verify(black_box(&text)).verdict(), Verdict::Valid))
    });
    c.bench_function("decode_only", |b| b.iter(|| UnverifiedCredential::decode(black_box(&text)).unwrap()));
    c.bench_function("issue", |b| b.iter(|| issuer.issue_with_secret(black_box(&req), &secret).unwrap()));
    c.bench_function("encode_base45", |b| b.iter(|| payload_to_text(black_box(&payload))));
    c.bench_function("qr_render_png", |b| b.iter(|| render_png(black_box(&text), &RenderOptions::SCREEN).unwrap()));
    let png = render_png(&text, &RenderOptions::SCREEN).unwrap();
    let luma = render_image(&text, &RenderOptions::SCREEN).unwrap();
    c.bench_function("qr_decode_rendered_png", |b| {
        b.iter(|| ikd_core::scan::decode_image(black_box(&png), &ikd_core::scan::ScanLimits::default()).unwrap())
    });
    c.bench_function("qr_decode_rendered_luma", |b| b.iter(|| ikd_core::scan::decode_luma(black_box(&luma)).unwrap()));
}

criterion_group! {
    name = core;
    config = Criterion::default().sample_size(60).measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(core);
