//! Every reference resident issues, verifies, and meets the size goals.
#![cfg(all(feature = "issue", feature = "render"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use ikd_core::render::{ErrorCorrection, qr_version};
use ikd_core::*;

#[test]
fn every_reference_resident_is_valid() {
    let env = Env::new();
    for (case, claims) in residents() {
        let text = env.issue(&claims, Some(holder_key()), None);
        let v = env.verifier().verify(&text);
        assert_eq!(v.verdict(), Verdict::Valid, "{case}: {:?}", v.reason());
        let cred = v.credential().unwrap();
        assert_eq!(cred.claims(), &claims, "{case}");
        assert_eq!(cred.header().holder_key, Some(holder_key()));
        assert!(v.report().entries().iter().all(|(_, o)| *o == Outcome::Passed));
    }
}

#[test]
fn reference_residents_meet_size_goals() {
    let env = Env::new();
    for (case, claims) in residents() {
        let text = env.issue(&claims, Some(holder_key()), None);
        let version = qr_version(&text, ErrorCorrection::M).unwrap();
        println!("{case}: {} chars, QR version {version} at M", text.len());
        match case.as_str() {
            "typical-woman" | "typical-man" => assert!(text.len() <= 419, "{case}: {}", text.len()),
            _ => assert!(text.len() <= 656, "{case}: {}", text.len()),
        }
    }
}

#[test]
fn claims_json_round_trips_for_reference_residents() {
    for (case, claims) in residents() {
        let back = Claims::from_json_value(claims.to_json_value()).unwrap();
        assert_eq!(back, claims, "{case}");
    }
}
