//! Rejection paths of issuing, trust stores and verification that the test vectors do not
//! reach, and robustness against arbitrary input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use ikd_core::format::*;
use ikd_core::*;

fn trust_doc(entries: &str) -> String {
    format!(r#"{{"version":1,"issuers":[{entries}]}}"#)
}

fn entry(name: &str, key: &str, nb: &str, na: &str) -> String {
    format!(r#"{{"name":"{name}","public_key":"{key}","not_before":"{nb}","not_after":"{na}"}}"#)
}

#[test]
fn trust_store_rejections_have_specific_codes() {
    let key = Env::new().issuer.public_key().to_text();
    let good = entry("A", &key, "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z");
    assert!(TrustStore::from_json(&trust_doc(&good)).is_ok());
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "trust_bad_json"),
        (r#"{"version":2,"issuers":[]}"#.into(), "trust_unsupported_version"),
        (r#"{"version":1,"issuers":[],"extra":1}"#.into(), "trust_bad_json"),
        (trust_doc(&entry("A", "ikdpk1:AAAA", "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z")), "trust_bad_key"),
        (trust_doc(&entry("A", &key, "2025-01-01", "2030-01-01T00:00:00Z")), "trust_bad_time"),
        (trust_doc(&entry("A", &key, "2031-01-01T00:00:00Z", "2030-01-01T00:00:00Z")), "trust_empty_window"),
        (trust_doc(&entry(" ", &key, "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z")), "trust_empty_name"),
        (trust_doc(&format!("{good},{good}")), "trust_duplicate_key"),
        (trust_doc(&good.replace("\"name\"", "\"key_id\":\"000000\",\"name\"")), "trust_key_id_mismatch"),
    ];
    for (doc, code) in cases {
        let err = TrustStore::from_json(&doc).unwrap_err();
        assert_eq!(err.code(), code, "{doc}");
    }
}

#[test]
fn trust_store_round_trips_with_key_ids() {
    let env = Env::new();
    let json = env.trust.to_json();
    assert!(json.contains(&env.issuer.public_key().key_id().to_string()));
    assert_eq!(TrustStore::from_json(&json).unwrap(), env.trust);
}

#[test]
fn issue_rejections_have_specific_codes() {
    let env = Env::new();
    let woman = resident("typical-woman");
    let check = |f: &dyn Fn(&mut IssueRequest), code: &str| {
        let mut req = env.request(&woman, None, None);
        f(&mut req);
        let err = env.issuer.issue_with_secret(&req, &secret()).unwrap_err();
        assert_eq!(err.code(), code);
    };
    check(&|r| r.issued_at = Timestamp::from_unix(WIRE_EPOCH - 1), "issue_issued_at_out_of_range");
    check(&|r| r.valid_from = r.issued_at.plus(-1), "issue_valid_from_before_issued_at");
    check(&|r| r.expires_at = r.valid_from, "issue_expires_before_valid_from");
    check(&|r| r.expires_at = r.valid_from.plus(21 * 366 * 86_400), "issue_validity_too_long");
    check(&|r| r.photo = Some(vec![0u8; MAX_PHOTO_BYTES + 1]), "issue_photo_too_large");
    check(&|r| r.status_index = StatusIndex::new(1 << 28), "issue_status_index_too_large");
    check(&|r| r.photo = Some(b"\x89PNG\r\n\x1a\n0000".to_vec()), "issue_photo_not_webp");
    check(&|r| r.claims.jenis_kelamin = Sex::LakiLaki, "nik_sex_mismatch");
    check(
        &|r| r.claims.tanggal_lahir = time::Date::from_calendar_date(1991, time::Month::August, 17).unwrap(),
        "nik_birth_date_mismatch",
    );
    let foreign = resident("foreign-resident");
    let mut req = env.request(&foreign, None, None);
    req.expires_at = Timestamp::from_unix(T0 + 10 * YEAR);
    assert_eq!(env.issuer.issue_with_secret(&req, &secret()).unwrap_err().code(), "issue_beyond_berlaku_hingga");
}

#[test]
fn debug_output_hides_personal_data_and_secrets() {
    let env = Env::new();
    let woman = resident("typical-woman");
    let dbg = format!("{woman:?}");
    assert!(!dbg.contains("3604055708900003"), "{dbg}");
    assert!(!dbg.contains("SITI"), "{dbg}");
    assert!(!dbg.contains("CIKANDE"), "{dbg}");
    let text = env.issue(&woman, Some(holder_key()), None);
    let v = env.verifier().verify(&text);
    let dbg = format!("{v:?}");
    assert!(!dbg.contains("3604055708900003") && !dbg.contains("SITI"), "{dbg}");
    assert_eq!(format!("{:?}", secret()), "SaltSecret(<redacted>)");
    let issuer_dbg = format!("{:?}", env.issuer);
    assert!(issuer_dbg.starts_with("Issuer(key id "), "{issuer_dbg}");
}

#[test]
fn batch_verification_agrees_with_single() {
    let env = Env::new();
    let mut texts = Vec::new();
    for (_, claims) in residents() {
        texts.push(env.issue(&claims, Some(holder_key()), None));
    }
    let valid_only = env.verifier().verify_batch(&texts);
    assert!(valid_only.iter().all(|v| v.verdict() == Verdict::Valid));
    // Tamper with one: the batch fails and every item falls back to the strict check.
    let mut chars: Vec<char> = texts[2].chars().collect();
    let i = chars.len() - 20;
    chars[i] = if chars[i] == '0' { '1' } else { '0' };
    texts[2] = chars.into_iter().collect();
    texts.push("garbage".into());
    texts.push(String::new());
    let batch = env.verifier().verify_batch(&texts);
    let single: Vec<_> = texts.iter().map(|t| env.verifier().verify(t)).collect();
    assert_eq!(batch.len(), single.len());
    for (b, s) in batch.iter().zip(&single) {
        assert_eq!(b.verdict(), s.verdict());
        assert_eq!(b.code(), s.code());
        assert_eq!(b.report(), s.report());
    }
    assert_eq!(batch[2].code(), "signature_invalid");
}

#[test]
fn lang_from_accept_language() {
    assert_eq!(Lang::from_header("en-US,en;q=0.9"), Lang::En);
    assert_eq!(Lang::from_header("id-ID,id;q=0.9,en;q=0.8"), Lang::Id);
    assert_eq!(Lang::from_header("en;q=0.5,id;q=0.9"), Lang::Id);
    assert_eq!(Lang::from_header("fr"), Lang::Id);
    assert_eq!(Lang::from_header(""), Lang::Id);
    assert_eq!(Lang::from_header("en_US.UTF-8"), Lang::En);
}

#[test]
fn messages_in_both_languages_for_every_vector_code() {
    let r = Reason::SignatureInvalid;
    assert!(r.message(Lang::Id).contains("Tanda tangan"));
    assert!(r.message(Lang::En).contains("signature"));
}

#[test]
fn holder_and_skew_behaviour() {
    let env = Env::new();
    let text = env.issue(&resident("typical-man"), None, None);
    let v = env.verifier().verify(&text);
    assert_eq!(v.verdict(), Verdict::Valid);
    assert_eq!(v.credential().unwrap().header().holder_key, None);
    // 301 s before valid_from is outside the 300 s tolerance; a wider tolerance accepts it.
    let early = Timestamp::from_unix(T0 - 301);
    let verifier = Verifier::new(env.trust.clone()).with_clock(std::sync::Arc::new(FixedClock(early)));
    assert_eq!(verifier.verify(&text).code(), "not_yet_valid");
    assert_eq!(verifier.with_skew_secs(400).verify(&text).verdict(), Verdict::Valid);
}

#[test]
fn scanner_line_endings_are_stripped_but_spaces_are_data() {
    let env = Env::new();
    let text = env.issue(&resident("elder"), None, None);
    assert_eq!(env.verifier().verify(&format!("{text}\r\n")).verdict(), Verdict::Valid);
    assert_eq!(env.verifier().verify(&format!("{text} ")).verdict(), Verdict::Invalid);
}

/// A small deterministic PRNG (xorshift64*), so the robustness test is reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn first_difference(a: &[u8], b: &[u8]) -> (usize, usize, usize) {
    let i = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    (i, a.len(), b.len())
}

#[test]
fn arbitrary_mutations_never_panic_and_never_verify() {
    let env = Env::new();
    let text = env.issue(&resident("worst-case"), Some(holder_key()), None);
    let payload = text_to_payload(&text).unwrap();
    let verifier = env.verifier();
    let mut rng = Rng(0x1234_5678_9abc_def0);
    let mut seen_codes = std::collections::BTreeSet::new();
    for _ in 0..2000 {
        let mut p = payload.clone();
        match rng.below(4) {
            0 => {
                let i = rng.below(p.len());
                p[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(p.len());
                p[i] = rng.next() as u8;
            }
            2 => {
                let n = rng.below(p.len());
                p.truncate(n);
            }
            _ => {
                let i = rng.below(p.len());
                p.insert(i, rng.next() as u8);
            }
        }
        if p == payload {
            continue;
        }
        let v = verifier.verify(&payload_to_text(&p));
        assert_ne!(v.verdict(), Verdict::Valid, "a mutation verified: {:?}", first_difference(&payload, &p));
        seen_codes.insert(v.code());
        // Decoding random text never panics either.
        let junk: String = (0..rng.below(60)).map(|_| char::from(b' ' + rng.below(90) as u8)).collect();
        let _ = verifier.verify(&format!("IKD1:{junk}"));
    }
    assert!(seen_codes.contains("signature_invalid"));
    assert!(seen_codes.len() > 5, "{seen_codes:?}");
}
