//! Signature batching across concurrent `/v1/verify` requests (issue 18, `ikd_server::batching`):
//! requests that arrive together share one batch, and each gets the verdict a lone
//! verification with its own options gives.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use ikd_core::*;
use ikd_server::api::verify::Options as VerifyOpts;
use serde_json::json;

/// Texts of every kind a batch can meet: valid credentials, a forged signature, an unknown
/// issuer, text that does not decode, and one live presentation shown twice.
fn mixed_texts(h: &Harness) -> Vec<String> {
    let holder = SecretKey::from_seed(&random_seed());
    let phone = holder_credential(&h.issuer, &holder);
    let shown = Disclosure::from_names(&["nama", "age_over_17"]).unwrap();
    let live = create_presentation(&phone, shown, Some(&holder), Timestamp::now(), None).unwrap();
    vec![
        issue(&h.issuer),
        issue(&h.issuer),
        tampered(&issue(&h.issuer)),
        issue(&h.stranger),
        "IKD1:NOT-A-CREDENTIAL".to_owned(),
        live.clone(),
        issue(&h.issuer),
        live,
    ]
}

fn outcome(v: &Verification) -> (Verdict, &'static str) {
    (v.verdict(), v.code())
}

#[tokio::test]
async fn concurrent_requests_share_one_batch_and_get_their_own_verdicts() {
    let h = harness(common::Options::default()).await;
    let texts = mixed_texts(&h);
    // The reference: each text verified alone, in the same order (the live presentation's
    // second showing is a replay), on a verifier with its own replay cache.
    let reference =
        h.state.verifier_now().await.as_ref().clone().with_replay_cache_of(&Verifier::new(TrustStore::new()));
    let expected: Vec<_> = texts.iter().map(|t| outcome(&reference.verify(t))).collect();
    assert_eq!(expected[2], (Verdict::Invalid, "signature_invalid"));
    assert_eq!(expected[7], (Verdict::Invalid, "presentation_replayed"));

    let verifier = h.state.verifier_now().await;
    // One thread: every task queues its text before the first one resumes.
    let tasks: Vec<_> = texts
        .iter()
        .map(|t| {
            let (state, verifier, t) = (Arc::clone(&h.state), Arc::clone(&verifier), t.clone());
            tokio::spawn(async move { state.verify_queue.verify(verifier, t, VerifyOpts::default()).await })
        })
        .collect();
    for ((task, text), want) in tasks.into_iter().zip(&texts).zip(&expected) {
        let (v, back, _) = task.await.unwrap().expect("verified");
        assert_eq!(&back, text, "each request gets its own text back");
        assert_eq!(&outcome(&v), want, "{text}");
    }
    let batches = &h.state.metrics.signature_batch;
    assert_eq!((batches.get_sample_count(), batches.get_sample_sum()), (1, texts.len() as f64));
}

#[tokio::test]
async fn each_text_in_a_batch_keeps_its_own_challenge() {
    let h = harness(common::Options::default()).await;
    let texts = [issue(&h.issuer), issue(&h.issuer), issue(&h.issuer)];
    let challenged = VerifyOpts { challenge: Some(b"K7Q2".to_vec()), ..VerifyOpts::default() };
    let alone = h.state.verifier_now().await.verify_with(&texts[1], &challenged.verify_options());
    // A printed credential cannot answer a counter's challenge.
    assert_ne!(alone.verdict(), Verdict::Valid);
    let verifier = h.state.verifier_now().await;
    let tasks: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let opts = if i == 1 { challenged.clone() } else { VerifyOpts::default() };
            let (state, verifier, t) = (Arc::clone(&h.state), Arc::clone(&verifier), t.clone());
            tokio::spawn(async move { state.verify_queue.verify(verifier, t, opts).await })
        })
        .collect();
    let mut got = Vec::new();
    for task in tasks {
        let (v, _, opts) = task.await.unwrap().unwrap();
        got.push((outcome(&v), opts.challenge.is_some()));
    }
    assert_eq!(got[0], ((Verdict::Valid, "ok"), false));
    assert_eq!(got[1], (outcome(&alone), true));
    assert_eq!(got[2], ((Verdict::Valid, "ok"), false));
    assert_eq!(h.state.metrics.signature_batch.get_sample_sum(), 3.0);
}

#[tokio::test]
async fn concurrent_http_requests_are_batched() {
    let h = harness(common::Options::default()).await;
    let texts = mixed_texts(&h);
    let tasks: Vec<_> = texts
        .iter()
        .map(|t| {
            let (router, body) = (h.router.clone(), json!({ "qr": t }));
            tokio::spawn(async move { post_json(&router, "/v1/verify", &body).await })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        let r = task.await.unwrap();
        assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.text());
        codes.push(r.json()["code"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        codes,
        ["ok", "ok", "signature_invalid", "issuer_unknown", codes[4].as_str(), "ok", "ok", "presentation_replayed"]
    );
    assert!(codes[4].starts_with("decode_"), "{}", codes[4]);
    let batches = &h.state.metrics.signature_batch;
    assert_eq!(batches.get_sample_sum(), texts.len() as f64);
    assert!(batches.get_sample_count() < texts.len() as u64, "{} batches", batches.get_sample_count());
    // Every request is audited, once.
    let entries = h.state.store.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.iter().filter(|e| e.record.event == "verify").count(), texts.len());
}

#[tokio::test]
async fn signature_batch_1_verifies_each_request_alone() {
    let limits = ikd_server::config::Limits { signature_batch: 1, ..Default::default() };
    let h = harness(common::Options { limits, ..Default::default() }).await;
    let texts = mixed_texts(&h);
    for t in &texts {
        post_json(&h.router, "/v1/verify", &json!({ "qr": t })).await;
    }
    assert_eq!(h.state.metrics.signature_batch.get_sample_count(), 0);
}
