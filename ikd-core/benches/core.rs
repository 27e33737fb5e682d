//! Core benchmarks: issue, encode, verify, QR render and QR decode, each against a bare
//! strict Ed25519 verification measured in the same run (`docs/BENCHMARKS.md`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

// Issue 14: the benchmarks share the integration tests' helpers.
#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::sync::Arc;

use common::{Env, T0, holder_key, resident, secret};
use criterion::{Criterion, criterion_group, criterion_main};
use ikd_core::format::*;
use ikd_core::render::{RenderOptions, render_image, render_png};
use ikd_core::*;

/// The issuer, the request and the verifier of the integration tests (`tests/common`): the
/// typical woman, holder-bound, no photo, verified a day after issue.
fn setup() -> (Issuer, IssueRequest, Verifier) {
    let env = Env::new();
    let req = env.request(&resident("typical-woman"), Some(holder_key()), None);
    let verifier = env.verifier();
    (env.issuer, req, verifier)
}

fn benches(c: &mut Criterion) {
    let (issuer, req, verifier) = setup();
    let secret = secret();
    let text = issuer.issue_with_secret(&req, &secret).unwrap().text().to_owned();
    let payload = text_to_payload(&text).unwrap();

    // Baseline: one strict Ed25519 verification of a message the size of ours.
    let key = SecretKey::from_seed(&[0x11; 32]);
    let msg = vec![0x42u8; 64];
    let sig = key.sign(&msg);
    let pk = key.public_key();
    // The issue's "bare strict verification": ed25519-dalek's own `verify_strict`.
    let dalek_key = ed25519_dalek::VerifyingKey::from_bytes(pk.as_bytes()).unwrap();
    let dalek_sig = ed25519_dalek::Signature::from_bytes(&sig);
    c.bench_function("baseline_ed25519_verify_strict", |b| {
        b.iter(|| assert!(black_box(&dalek_key).verify_strict(black_box(&msg), black_box(&dalek_sig)).is_ok()))
    });
    // The core's strict check (the same answers; R′ compared with R as points).
    c.bench_function("core_verify_signature_strict", |b| {
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
