//! Credential and presentation text (`IKD1:` + Base45), from text to verdict: the path of every
//! QR code a counter reads. Checks that the Base45 layer is canonical (decoding then encoding
//! gives the text back) and that batch verification agrees with one-by-one verification.
#![no_main]

use ikd_core::format::{payload_to_text, text_to_payload};
use ikd_core::{Policy, VerifyOptions};
use ikd_fuzz::{exercise, fresh, list_verifier, store_verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(payload) = text_to_payload(text) {
        assert_eq!(payload_to_text(&payload), text.trim_matches(|c| c == '\r' || c == '\n'), "Base45 not canonical");
    }
    let plain = fresh(store_verifier());
    let one = plain.verify(text);
    exercise(&one);
    let batch = fresh(store_verifier()).verify_batch(&[text]);
    assert_eq!(batch.len(), 1);
    if let Some(b) = batch.first() {
        assert_eq!((b.verdict(), b.code()), (one.verdict(), one.code()), "batch and single verification disagree");
    }
    // The trust-list verifier with status lists, a policy and a counter challenge.
    let policies = Policy::builtin();
    let opts = VerifyOptions { policy: policies.first(), challenge: Some(b"K7Q2X9"), now: None };
    exercise(&fresh(list_verifier()).verify_with(text, &opts));
});
