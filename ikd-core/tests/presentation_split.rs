//! Live presentations in two steps, the holder signature made by the caller (issue 15):
//! `UnverifiedCredential::presentation_signing_bytes` then `finish_presentation` give byte for
//! byte what `create_presentation` gives, and a signature that does not verify is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;

use ikd_core::*;

/// A committed vector: its credential text, trust store and clock.
fn vector(name: &str) -> (String, TrustStore, Timestamp) {
    let path = format!("{}/../test-vectors/cases/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let store = TrustStore::from_json(&doc["trust_store"].to_string()).unwrap();
    let clock = Timestamp::parse_rfc3339(doc["clock"].as_str().unwrap()).unwrap();
    (doc["input"]["qr_text"].as_str().unwrap().to_owned(), store, clock)
}

fn holder() -> SecretKey {
    SecretKey::from_seed(&[0x48; 32])
}

fn two_steps(text: &str, d: Disclosure, at: Timestamp, challenge: Option<&[u8]>, key: &SecretKey) -> String {
    let cred = UnverifiedCredential::decode(text).unwrap();
    let bytes = cred.presentation_signing_bytes(d, at, challenge).unwrap();
    cred.finish_presentation(d, at, challenge, &key.sign(&bytes)).unwrap()
}

#[test]
fn two_steps_give_byte_for_byte_what_create_presentation_gives() {
    let mut compared = 0;
    for case in
        ["valid-typical-woman", "valid-typical-man", "valid-worst-case", "valid-foreign-resident", "valid-elder"]
    {
        let (text, _, at) = vector(case);
        for claims in ["nama", "nama,nik,age_over_17", "nama,foto,age_over_17", "all", "alamat,agama", "berlaku_hingga"]
        {
            let d = Disclosure::parse_list(claims).unwrap();
            for challenge in [None, Some(b"".as_slice()), Some(b"loket-7".as_slice()), Some([0xff; 32].as_slice())] {
                let one = create_presentation(&text, d, Some(&holder()), at, challenge).unwrap();
                assert_eq!(two_steps(&text, d, at, challenge, &holder()), one, "{case} {claims} {challenge:?}");
                compared += 1;
            }
            let cred = UnverifiedCredential::decode(&text).unwrap();
            let static_one = create_presentation(&text, d, None, at, None).unwrap();
            assert_eq!(cred.static_presentation(d).unwrap(), static_one, "{case} {claims} static");
        }
    }
    assert_eq!(compared, 5 * 6 * 4);
}

#[test]
fn a_presentation_made_in_two_steps_verifies_and_is_live() {
    let (text, trust, at) = vector("valid-typical-woman");
    let d = Disclosure::parse_list("nama,foto,age_over_17").unwrap();
    let p = two_steps(&text, d, at, Some(b"loket-7"), &holder());
    let v = Verifier::new(trust.clone()).with_clock(Arc::new(FixedClock(at.plus(3))));
    let policy = Policy::builtin().into_iter().find(|p| p.name == "apotek").unwrap();
    let got = v.verify_with(&p, &VerifyOptions { policy: Some(&policy), challenge: Some(b"loket-7"), now: None });
    assert_eq!(got.verdict(), Verdict::Valid, "{:?}", got.reason());
    assert!(got.presentation().unwrap().is_live());
    // The static one verifies too, but a policy that needs a live code refuses it.
    let cred = UnverifiedCredential::decode(&text).unwrap();
    let s = cred.static_presentation(d).unwrap();
    assert_eq!(v.verify(&s).verdict(), Verdict::Valid);
    let refused = v.verify_with(&s, &VerifyOptions { policy: Some(&policy), challenge: None, now: None });
    assert_eq!(refused.code(), "policy_requires_live");
}

#[test]
fn a_signature_that_does_not_verify_is_refused_with_its_code() {
    let (text, _, at) = vector("valid-typical-woman");
    let cred = UnverifiedCredential::decode(&text).unwrap();
    let d = Disclosure::parse_list("nama").unwrap();
    let bytes = cred.presentation_signing_bytes(d, at, None).unwrap();
    let code = |sig: &[u8], at: Timestamp, challenge: Option<&[u8]>| {
        cred.finish_presentation(d, at, challenge, sig).unwrap_err().code()
    };
    // Another key's signature; a flipped bit; another time; another challenge; wrong lengths.
    let other = SecretKey::from_seed(&[0x49; 32]);
    assert_eq!(code(&other.sign(&bytes), at, None), "present_holder_signature_invalid");
    let mut flipped = holder().sign(&bytes);
    flipped[10] ^= 1;
    assert_eq!(code(&flipped, at, None), "present_holder_signature_invalid");
    let good = holder().sign(&bytes);
    assert_eq!(code(&good, at.plus(1), None), "present_holder_signature_invalid");
    assert_eq!(code(&good, at, Some(b"x")), "present_holder_signature_invalid");
    assert_eq!(code(&good[..63], at, None), "present_holder_signature_invalid");
    assert_eq!(code(&[good.as_slice(), &[0]].concat(), at, None), "present_holder_signature_invalid");
    assert_eq!(code(&[0u8; 64], at, None), "present_holder_signature_invalid");
    assert!(cred.finish_presentation(d, at, None, &good).is_ok());
    let e = PresentError::HolderSignatureInvalid;
    assert_ne!(e.message(Lang::Id), e.message(Lang::En));
}

#[test]
fn the_two_steps_refuse_what_create_presentation_refuses() {
    let (text, _, at) = vector("valid-typical-woman");
    let cred = UnverifiedCredential::decode(&text).unwrap();
    let d = Disclosure::parse_list("nama").unwrap();
    let none = Disclosure::from_bits(0);
    let code =
        |d: Disclosure, at: Timestamp, c: Option<&[u8]>| cred.presentation_signing_bytes(d, at, c).unwrap_err().code();
    assert_eq!(code(none, at, None), "present_empty_disclosure");
    assert_eq!(code(d, at, Some(&[0; 33])), "present_challenge_too_long");
    assert_eq!(code(d, Timestamp::from_unix(0), None), "present_time_out_of_range");
    assert_eq!(cred.static_presentation(none).unwrap_err().code(), "present_empty_disclosure");
    assert_eq!(cred.finish_presentation(none, at, None, &[0; 64]).unwrap_err().code(), "present_empty_disclosure");
    // A credential with no holder key cannot be presented live, in one step or two.
    let (unbound, _, at) = vector("valid-no-holder-key");
    let cred = UnverifiedCredential::decode(&unbound).unwrap();
    assert_eq!(cred.presentation_signing_bytes(d, at, None).unwrap_err().code(), "present_no_holder_key");
    assert_eq!(cred.finish_presentation(d, at, None, &[0; 64]).unwrap_err().code(), "present_no_holder_key");
    assert_eq!(
        create_presentation(&unbound, d, Some(&holder()), at, None).unwrap_err().code(),
        "present_no_holder_key"
    );
    assert!(cred.static_presentation(d).is_ok());
}
