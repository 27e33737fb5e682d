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
        assert!(v.report().entries().iter().all(|(c, o)| *o == Outcome::Passed || *c == Check::Status));
        assert_eq!(v.report().outcome(Check::Status), &Outcome::NotChecked, "a plain trust store checks no revocation");
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

#[test]
fn every_reference_resident_with_face_fits_version_22_m() {
    use ikd_core::photo::{PhotoLimits, decode_thumbnail, make_thumbnail};
    let env = Env::new();
    let face = std::fs::read(shared_dir().join("reference/face.png")).unwrap();
    for (case, claims) in residents() {
        let without = env.issuer.issue_with_secret(&env.request(&claims, Some(holder_key()), None), &secret()).unwrap();
        let budget = photo_byte_budget(without.payload_len(), PHOTO_CREDENTIAL_MAX_CHARS);
        let thumb = make_thumbnail(&face, budget, &PhotoLimits::default()).unwrap();
        assert!(thumb.width() >= 48 && thumb.height() >= 60, "{case}: {thumb:?}");
        let text = env.issue(&claims, Some(holder_key()), Some(thumb.as_bytes().to_vec()));
        let version = qr_version(&text, ErrorCorrection::M).unwrap();
        println!(
            "{case} with face: {} chars, QR version {version} at M, photo {} bytes {}x{}",
            text.len(),
            thumb.as_bytes().len(),
            thumb.width(),
            thumb.height()
        );
        assert!(text.len() <= PHOTO_CREDENTIAL_MAX_CHARS, "{case}: {} chars", text.len());
        assert!(version <= 22);
        let v = env.verifier().verify(&text);
        assert_eq!(v.verdict(), Verdict::Valid, "{case}");
        let photo = v.credential().unwrap().photo().unwrap();
        assert_eq!(photo, thumb.as_bytes());
        decode_thumbnail(photo).unwrap();
    }
}
