//! Issue 14: the card's `berlaku_hingga` is one rule in issuing and verifying. The card is valid
//! through the whole of that day in WIB (UTC+07:00): the issuing policy caps `expires_at` at the
//! next day's 00:00 WIB (`Timestamp::end_of_day_exclusive`), and the verifier answers
//! `card_expired` from that same instant (it used to wait for the next UTC day, 7 hours later).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;

use ikd_core::{FixedClock, Timestamp, TrustStore, Verdict, Verifier};

/// The `card-expired` test vector: a lax issuer let the credential outlive the card, whose
/// `berlaku_hingga` is 2031-05-20.
fn case() -> (String, TrustStore) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/cases/card-expired.json");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let text = doc["input"]["qr_text"].as_str().unwrap().to_owned();
    (text, TrustStore::from_json(&doc["trust_store"].to_string()).unwrap())
}

fn code_at(when: &str) -> (Verdict, &'static str) {
    let (text, trust) = case();
    let at = Timestamp::parse_rfc3339(when).unwrap();
    let v = Verifier::new(trust).with_clock(Arc::new(FixedClock(at))).with_skew_secs(0).verify(&text);
    (v.verdict(), v.code())
}

#[test]
fn regression_card_expired_from_the_same_instant_the_issuing_policy_caps_expiry() {
    let (text, trust) = case();
    let last_second = Timestamp::parse_rfc3339("2031-05-20T16:59:59Z").unwrap();
    let v = Verifier::new(trust).with_clock(Arc::new(FixedClock(last_second))).with_skew_secs(0).verify(&text);
    assert_eq!((v.verdict(), v.code()), (Verdict::Valid, "ok"), "23:59:59 WIB on the last day");
    let end = ikd_core::issuance::card_end(v.credential().unwrap().claims()).unwrap();
    assert_eq!(end, Timestamp::parse_rfc3339("2031-05-20T17:00:00Z").unwrap(), "the issuing policy's cap");
    assert_eq!(code_at("2031-05-20T17:00:00Z"), (Verdict::Invalid, "card_expired"), "00:00 WIB the next day");
}
