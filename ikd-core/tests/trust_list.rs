//! Trust lists: round trips, every rejection path with its code, issuance checks (window,
//! retirement, compromise, scope), key and root rotation, rollback, freshness, and
//! robustness against mutated input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ikd_core::status::{Freshness, FreshnessPolicy};
use ikd_core::trustlist::*;
use ikd_core::*;

/// 2026-11-27T00:00:00Z.
const T0: i64 = 1_795_737_600;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

fn root1() -> SecretKey {
    key(0x01)
}

fn root2() -> SecretKey {
    key(0x02)
}

fn t(offset: i64) -> Timestamp {
    Timestamp::from_unix(T0 + offset)
}

fn serang() -> Nik {
    Nik::parse("3604055708900003").unwrap()
}

fn jakarta() -> Nik {
    Nik::parse("3171014101900001").unwrap()
}

fn entry(name: &str, k: &SecretKey, scope: &[&str]) -> TrustListEntry {
    TrustListEntry::new(name, k.public_key(), t(-2 * YEAR), t(8 * YEAR), Scope::regions(scope).unwrap())
}

/// A list with an active, a retired and a compromised key, signed by root 1.
fn builder(sequence: u64) -> TrustListBuilder {
    let mut b = TrustListBuilder::new(sequence, t(0), t(7 * DAY));
    b.add(entry("DISDUKCAPIL KABUPATEN SERANG", &key(0x11), &["3604"])).unwrap();
    let mut retired = entry("DISDUKCAPIL KABUPATEN SERANG", &key(0x12), &["36.04"]);
    retired.status = KeyStatus::Retired { since: t(-30 * DAY) };
    b.add(retired).unwrap();
    let mut compromised = entry("DISDUKCAPIL PROVINSI DKI JAKARTA", &key(0x13), &["31"]);
    compromised.status = KeyStatus::Compromised { since: t(-10 * DAY) };
    compromised.status_key = Some(key(0x14).public_key());
    b.add(compromised).unwrap();
    b.add(entry("DUKCAPIL KEMENDAGRI", &key(0x15), &["*"])).unwrap();
    b
}

fn good() -> Vec<u8> {
    builder(5).sign(&[&root1()]).unwrap()
}

fn pinned() -> Vec<PublicKey> {
    vec![root1().public_key()]
}

fn body_of(file: &[u8]) -> String {
    let n = file.iter().position(|b| *b == b'\n').unwrap();
    String::from_utf8(file[..n].to_vec()).unwrap()
}

/// The envelope, written from the specification rather than with the builder.
fn envelope(body: &str, roots: &[&SecretKey]) -> Vec<u8> {
    let mut message = TRUST_LIST_TAG.to_vec();
    message.extend_from_slice(body.as_bytes());
    let mut lines: Vec<String> = roots
        .iter()
        .map(|k| format!("ikdsig1 {} {}\n", k.public_key().to_text(), URL_SAFE_NO_PAD.encode(k.sign(&message))))
        .collect();
    lines.sort();
    let mut out = body.as_bytes().to_vec();
    out.push(b'\n');
    for l in lines {
        out.extend_from_slice(l.as_bytes());
    }
    out
}

fn code(r: Result<TrustList, TrustListError>) -> &'static str {
    r.expect_err("expected a rejection").code()
}

#[test]
fn round_trip_and_accessors() {
    let file = good();
    let list = TrustList::verify(&file, &pinned()).unwrap();
    assert_eq!(list.sequence(), 5);
    assert_eq!(list.issued_at(), t(0));
    assert_eq!(list.next_update(), t(7 * DAY));
    assert_eq!(list.entries().len(), 4);
    assert_eq!(list.next_roots(), pinned().as_slice());
    assert_eq!(list.signed_by(), pinned().as_slice());
    let k11 = key(0x11).public_key();
    let e = list.entry(&k11).unwrap();
    assert_eq!(e.name, "DISDUKCAPIL KABUPATEN SERANG");
    assert_eq!(e.status, KeyStatus::Active);
    assert_eq!(e.scope.codes(), ["3604"]);
    assert_eq!(e.status_signing_key(), &k11);
    assert_eq!(list.lookup(k11.key_id()).count(), 1);
    assert_eq!(list.entry(&key(0x12).public_key()).unwrap().scope.codes(), ["3604"]); // "36.04" normalised
    let c = list.entry(&key(0x13).public_key()).unwrap();
    assert_eq!(c.status_signing_key(), &key(0x14).public_key());
    assert!(list.entry(&key(0x15).public_key()).unwrap().scope.is_all());
    // Entries are sorted by key id.
    let ids: Vec<String> = list.entries().iter().map(|e| e.key_id().to_string()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    // The body is one line of JSON, readable by any JSON tool.
    let body: serde_json::Value = serde_json::from_str(&body_of(&file)).unwrap();
    assert_eq!(body["version"], 1);
    assert_eq!(body["sequence"], 5);
    println!("{}", String::from_utf8(file.clone()).unwrap());
    // Signing the same list again gives the same bytes (Ed25519 is deterministic).
    assert_eq!(builder(5).sign(&[&root1()]).unwrap(), file);
}

#[test]
fn the_envelope_matches_the_specification() {
    let file = good();
    let body = body_of(&file);
    assert_eq!(envelope(&body, &[&root1()]), file);
    assert!(body.starts_with(r#"{"entries":[{"key_id":""#), "{body}");
    assert!(body.ends_with(r#","sequence":5,"version":1}"#), "{body}");
    assert!(!body.contains(' ') || body.contains("DISDUKCAPIL KABUPATEN"));
}

// ---- rejections, each with its code ----

#[test]
fn rejects_bad_signature() {
    let file = good();
    let body = body_of(&file).replace("SERANG", "SERANH");
    let mut tampered = body.into_bytes();
    tampered.extend_from_slice(&file[tampered.len()..]);
    assert_eq!(code(TrustList::verify(&tampered, &pinned())), "trust_list_bad_signature");
    // A changed signature character (not the last one, which also carries padding bits).
    let mut bad_sig = file.clone();
    let at = bad_sig.len() - 10;
    bad_sig[at] = if bad_sig[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(code(TrustList::verify(&bad_sig, &pinned())), "trust_list_bad_signature");
}

#[test]
fn rejects_unknown_root() {
    let file = good();
    assert_eq!(code(TrustList::verify(&file, &[root2().public_key()])), "trust_list_unknown_root");
    assert_eq!(code(TrustList::verify(&file, &[])), "trust_list_unknown_root");
    // An issuer key is not a root.
    assert_eq!(code(TrustList::verify(&file, &[key(0x11).public_key()])), "trust_list_unknown_root");
}

#[test]
fn rejects_truncation_and_trailing_bytes() {
    let file = good();
    for n in 0..file.len() {
        assert!(TrustList::verify(&file[..n], &pinned()).is_err(), "prefix of {n} bytes");
    }
    assert_eq!(code(TrustList::verify(&file[..file.len() - 1], &pinned())), "trust_list_malformed");
    assert_eq!(code(TrustList::verify(&file[..body_of(&file).len()], &pinned())), "trust_list_malformed");
    for extra in [&b"\n"[..], b"x", b"ikdsig1 \n", b" "] {
        let mut f = file.clone();
        f.extend_from_slice(extra);
        assert_eq!(code(TrustList::verify(&f, &pinned())), "trust_list_malformed", "{extra:?}");
    }
}

#[test]
fn rejects_oversize() {
    let big = vec![b' '; MAX_TRUST_LIST_BYTES + 1];
    assert_eq!(code(TrustList::verify(&big, &pinned())), "trust_list_too_large");
}

/// Re-signs a modified body (so the signature is valid and the body rules are reached).
fn resigned(edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_str(&body_of(&good())).unwrap();
    edit(&mut v);
    envelope(&serde_json::to_string(&v).unwrap(), &[&root1()])
}

#[test]
fn rejects_body_rule_violations_with_specific_codes() {
    let r = |f: Vec<u8>| code(TrustList::verify(&f, &pinned()));
    // Unchanged, re-signed: accepted (the test's envelope is the real one).
    assert!(TrustList::verify(&resigned(|_| {}), &pinned()).is_ok());
    assert_eq!(r(resigned(|v| v["version"] = 2.into())), "trust_list_unsupported_version");
    assert_eq!(r(resigned(|v| v["extra"] = 1.into())), "trust_list_malformed");
    assert_eq!(r(resigned(|v| v["sequence"] = (1u64 << 53).into())), "trust_list_malformed");
    assert_eq!(r(resigned(|v| v["sequence"] = (-1).into())), "trust_list_malformed");
    assert_eq!(r(resigned(|v| v["next_update"] = "2026-11-27T00:00:00Z".into())), "trust_list_malformed");
    assert_eq!(r(resigned(|v| v["issued_at"] = "2026-11-27".into())), "trust_list_malformed");
    assert_eq!(r(resigned(|v| v["next_roots"] = serde_json::json!([]))), "trust_list_malformed");
    assert_eq!(r(envelope("not json", &[&root1()])), "trust_list_malformed");
    let e = |field: &'static str, value: serde_json::Value| resigned(move |v| v["entries"][0][field] = value.clone());
    assert_eq!(r(e("name", "A  B".into())), "trust_list_bad_entry");
    assert_eq!(r(e("name", "".into())), "trust_list_bad_entry");
    assert_eq!(r(e("key_id", "000000".into())), "trust_list_bad_entry");
    assert_eq!(r(e("public_key", "ikdpk1:AAAA".into())), "trust_list_bad_entry");
    assert_eq!(r(e("status", "revoked".into())), "trust_list_bad_entry");
    assert_eq!(r(e("scope", serde_json::json!(["360"]))), "trust_list_bad_entry");
    assert_eq!(r(e("scope", serde_json::json!([]))), "trust_list_bad_entry");
    assert_eq!(r(e("scope", serde_json::json!(["*", "36"]))), "trust_list_bad_entry");
    assert_eq!(r(e("not_before", "2099-01-01T00:00:00Z".into())), "trust_list_bad_entry");
    assert_eq!(r(e("status_key", "ikdpk1:AAAA".into())), "trust_list_bad_entry");
    assert_eq!(r(e("unknown", 1.into())), "trust_list_malformed");
    // An active key with a date, a retired key without one.
    let active = r(resigned(|v| {
        let i = v["entries"].as_array().unwrap().iter().position(|e| e["status"] == "active").unwrap();
        v["entries"][i]["since"] = "2026-01-01T00:00:00Z".into();
    }));
    assert_eq!(active, "trust_list_bad_entry");
    let retired = r(resigned(|v| {
        let i = v["entries"].as_array().unwrap().iter().position(|e| e["status"] == "retired").unwrap();
        v["entries"][i].as_object_mut().unwrap().remove("since");
    }));
    assert_eq!(retired, "trust_list_bad_entry");
    // The same key twice.
    let dup = r(resigned(|v| {
        let first = v["entries"][0].clone();
        v["entries"].as_array_mut().unwrap().insert(0, first);
    }));
    assert_eq!(dup, "trust_list_duplicate_key");
}

#[test]
fn rejects_noncanonical_bodies() {
    let r = |body: String| code(TrustList::verify(&envelope(&body, &[&root1()]), &pinned()));
    let body = body_of(&good());
    assert_eq!(r(body.replace("\":", "\": ")), "trust_list_noncanonical");
    assert_eq!(r(format!(" {body}")), "trust_list_noncanonical");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = v["entries"][0]["key_id"].as_str().unwrap().to_owned();
    if id.chars().any(|c| c.is_ascii_lowercase()) {
        assert_eq!(r(body.replace(&id, &id.to_uppercase())), "trust_list_noncanonical");
    }
    assert_eq!(r(body.replace("2026-11-27T00:00:00Z", "2026-11-27T00:00:00+00:00")), "trust_list_noncanonical");
    assert_eq!(r(body.replace(r#"["3604"]"#, r#"["3604","360405"]"#)), "trust_list_noncanonical");
    let reversed = {
        let mut v = v.clone();
        v["entries"].as_array_mut().unwrap().reverse();
        serde_json::to_string(&v).unwrap()
    };
    assert_eq!(r(reversed), "trust_list_noncanonical");
    let self_status_key = {
        let mut v = v.clone();
        v["entries"][0]["status_key"] = v["entries"][0]["public_key"].clone();
        serde_json::to_string(&v).unwrap()
    };
    assert_eq!(r(self_status_key), "trust_list_noncanonical");
}

#[test]
fn rejects_malformed_signature_lines() {
    let file = good();
    let body = body_of(&file);
    let sig_line = String::from_utf8(file[body.len() + 1..].to_vec()).unwrap();
    let with_lines = |lines: &str| {
        let mut f = body.clone().into_bytes();
        f.push(b'\n');
        f.extend_from_slice(lines.as_bytes());
        code(TrustList::verify(&f, &pinned()))
    };
    assert_eq!(with_lines(""), "trust_list_malformed");
    assert_eq!(with_lines(&sig_line.replace("ikdsig1", "ikdsig2")), "trust_list_malformed");
    assert_eq!(with_lines(&sig_line.replace('\n', "==\n")), "trust_list_malformed");
    assert_eq!(with_lines(&sig_line.replace("ikdpk1:", "")), "trust_list_malformed");
    assert_eq!(with_lines(&sig_line.replace('\n', "\r\n")), "trust_list_malformed");
    assert_eq!(with_lines(&format!("{sig_line}{sig_line}")), "trust_list_malformed"); // same key twice
    // More than four signatures.
    let keys: Vec<SecretKey> = (0x30..0x35).map(key).collect();
    let refs: Vec<&SecretKey> = keys.iter().collect();
    let five = envelope(&body, &refs);
    assert_eq!(code(TrustList::verify(&five, &[keys[0].public_key()])), "trust_list_limit_exceeded");
}

#[test]
fn builder_rejects_bad_input() {
    let mut b = builder(1);
    assert_eq!(b.add(entry("DUPLICATE", &key(0x11), &["*"])).unwrap_err().code(), "trust_list_duplicate_key");
    assert_eq!(b.add(entry(" X", &key(0x40), &["*"])).unwrap_err().code(), "trust_list_bad_entry");
    let mut inverted = entry("X", &key(0x41), &["*"]);
    inverted.not_after = t(-3 * YEAR);
    assert_eq!(b.add(inverted).unwrap_err().code(), "trust_list_bad_entry");
    assert_eq!(b.sign(&[]).unwrap_err().code(), "trust_list_no_signing_key");
    let five: Vec<SecretKey> = (0x30..0x35).map(key).collect();
    assert_eq!(b.sign(&five.iter().collect::<Vec<_>>()).unwrap_err().code(), "trust_list_limit_exceeded");
    assert_eq!(TrustListBuilder::new(1, t(0), t(0)).sign(&[&root1()]).unwrap_err().code(), "trust_list_malformed");
    assert_eq!(
        TrustListBuilder::new(1 << 53, t(0), t(1)).sign(&[&root1()]).unwrap_err().code(),
        "trust_list_malformed"
    );
    // A name that would need escaping in JSON.
    b.entry_mut(&key(0x11).public_key()).unwrap().name = "SERANG \"LAMA\"".into();
    assert_eq!(b.sign(&[&root1()]).unwrap_err().code(), "trust_list_bad_entry");
}

/// Key ids are 3 bytes and collide; lookup must return every entry with the id.
#[test]
fn lookup_returns_every_key_sharing_an_id() {
    let mut seen = std::collections::HashMap::new();
    let (a, b) = (0u32..)
        .find_map(|i| {
            let mut seed = [0u8; 32];
            seed[..4].copy_from_slice(&i.to_le_bytes());
            let id = SecretKey::from_seed(&seed).public_key().key_id();
            seen.insert(id, seed).map(|other| (other, seed))
        })
        .unwrap();
    let (ka, kb) = (SecretKey::from_seed(&a), SecretKey::from_seed(&b));
    let mut builder = builder(1);
    builder.add(entry("A", &ka, &["*"])).unwrap();
    builder.add(entry("B", &kb, &["*"])).unwrap();
    let list = TrustList::verify(&builder.sign(&[&root1()]).unwrap(), &pinned()).unwrap();
    let id = ka.public_key().key_id();
    assert_eq!(kb.public_key().key_id(), id);
    let mut names: Vec<&str> = list.lookup(id).map(|e| e.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["A", "B"]);
    assert_eq!(list.entry(&kb.public_key()).unwrap().name, "B");
    for e in list.entries() {
        assert!(list.lookup(e.key_id()).any(|f| f.public_key == e.public_key));
    }
}

// ---- issuance checks ----

#[test]
fn compromised_key_before_and_after_the_date() {
    let list = TrustList::verify(&good(), &pinned()).unwrap();
    let e = list.entry(&key(0x13).public_key()).unwrap(); // compromised from t(-10 days), scope 31
    assert_eq!(e.check_issuance(t(-10 * DAY - 1), &jakarta()), Ok(()));
    let err = e.check_issuance(t(-10 * DAY), &jakarta()).unwrap_err();
    assert_eq!(err, IssuanceProblem::IssuedAfterCompromise { since: t(-10 * DAY) });
    assert_eq!(err.code(), "key_compromised_at_issuance");
    assert_eq!(e.check_issuance(t(DAY), &jakarta()).unwrap_err().code(), "key_compromised_at_issuance");
}

#[test]
fn retired_key_still_verifies_its_old_credentials() {
    let list = TrustList::verify(&good(), &pinned()).unwrap();
    let e = list.entry(&key(0x12).public_key()).unwrap(); // retired from t(-30 days)
    assert_eq!(e.check_issuance(t(-31 * DAY), &serang()), Ok(()));
    let err = e.check_issuance(t(-30 * DAY), &serang()).unwrap_err();
    assert_eq!(err, IssuanceProblem::IssuedAfterRetirement { since: t(-30 * DAY) });
    assert_eq!(err.code(), "key_retired_at_issuance");
}

#[test]
fn validity_window_is_about_issue_time() {
    let list = TrustList::verify(&good(), &pinned()).unwrap();
    let e = list.entry(&key(0x11).public_key()).unwrap(); // -2 years .. +8 years
    assert_eq!(e.check_issuance(t(-2 * YEAR - 1), &serang()).unwrap_err().code(), "key_not_yet_valid_at_issuance");
    assert_eq!(e.check_issuance(t(8 * YEAR + 1), &serang()).unwrap_err().code(), "key_expired_at_issuance");
    assert_eq!(e.check_issuance(t(-2 * YEAR), &serang()), Ok(()));
    assert_eq!(e.check_issuance(t(8 * YEAR), &serang()), Ok(()));
}

#[test]
fn scope_limits_regions() {
    let list = TrustList::verify(&good(), &pinned()).unwrap();
    let serang_key = list.entry(&key(0x11).public_key()).unwrap(); // 3604
    assert_eq!(serang_key.check_issuance(t(0), &serang()), Ok(()));
    let err = serang_key.check_issuance(t(0), &jakarta()).unwrap_err();
    assert_eq!(err, IssuanceProblem::OutOfScope);
    assert_eq!(err.code(), "issuer_out_of_scope");
    let national = list.entry(&key(0x15).public_key()).unwrap(); // *
    assert_eq!(national.check_issuance(t(0), &jakarta()), Ok(()));
    assert_eq!(national.check_issuance(t(0), &serang()), Ok(()));
    let district = Scope::regions(["36.04.05"]).unwrap();
    assert!(district.allows(&serang()));
    assert!(!Scope::regions(["360406"]).unwrap().allows(&serang()));
}

/// An issuer rotates its key: the old key is retired on day R, the new one is valid from
/// before R. Real credentials from both keys issued before R verify; one from the old key
/// after R does not.
#[test]
fn overlap_during_issuer_key_rotation_both_keys_valid() {
    let old_key = key(0x61);
    let new_key = key(0x62);
    let rotation = t(10 * DAY);
    let mut old_entry = entry("DISDUKCAPIL KABUPATEN SERANG", &old_key, &["3604"]);
    old_entry.status = KeyStatus::Retired { since: rotation };
    let mut new_entry = entry("DISDUKCAPIL KABUPATEN SERANG", &new_key, &["3604"]);
    new_entry.not_before = t(0);
    let mut b = TrustListBuilder::new(1, t(20 * DAY), t(27 * DAY));
    b.add(old_entry).unwrap();
    b.add(new_entry).unwrap();
    let list = TrustList::verify(&b.sign(&[&root1()]).unwrap(), &pinned()).unwrap();

    let env = common::Env::new();
    let claims = common::resident("typical-woman");
    let issue = |seed: u8, at: Timestamp| {
        let mut req = env.request(&claims, None, None);
        req.issued_at = at;
        req.valid_from = at;
        Issuer::new(key(seed)).issue_with_secret(&req, &common::secret()).unwrap().text().to_owned()
    };
    let verifier = Verifier::new(list.to_trust_store()).with_clock(Arc::new(FixedClock(t(30 * DAY))));
    let check = |text: &str| {
        let v = verifier.verify(text);
        let Some(cred) = v.credential() else { return Err(v.code().to_owned()) };
        let entry = list.entry(&cred.issuer().public_key).unwrap();
        entry.check_issuance(cred.header().issued_at, &cred.claims().nik).map_err(|p| p.code().to_owned())
    };
    assert_eq!(check(&issue(0x61, t(5 * DAY))), Ok(()));
    assert_eq!(check(&issue(0x62, t(5 * DAY))), Ok(()));
    assert_eq!(check(&issue(0x62, t(15 * DAY))), Ok(()));
    // The old key after its retirement: the trust store view rejects it by its shortened
    // window; check_issuance gives the precise reason.
    let late = issue(0x61, t(15 * DAY));
    assert_eq!(check(&late), Err("key_expired_at_issuance".to_owned()));
    let old = list.entry(&old_key.public_key()).unwrap();
    assert_eq!(old.check_issuance(t(15 * DAY), &serang()).unwrap_err().code(), "key_retired_at_issuance");
}

// ---- successors, rollback and root rotation ----

#[test]
fn rollback_to_a_lower_sequence_is_refused() {
    let current = TrustList::verify(&good(), &pinned()).unwrap(); // sequence 5
    let older = TrustList::verify(&builder(4).sign(&[&root1()]).unwrap(), &pinned()).unwrap();
    let err = TrustList::check_successor(&current, &older).unwrap_err();
    assert_eq!(err, TrustListError::Rollback { old: 5, new: 4 });
    assert_eq!(err.code(), "trust_list_rollback");
    assert_eq!(
        code(TrustList::verify_successor(&builder(4).sign(&[&root1()]).unwrap(), &current)),
        "trust_list_rollback"
    );
    // The same list again is fine; the same sequence with other contents is not.
    TrustList::check_successor(&current, &current.clone()).unwrap();
    let mut b = builder(5);
    b.entry_mut(&key(0x11).public_key()).unwrap().scope = Scope::all();
    let reused = TrustList::verify(&b.sign(&[&root1()]).unwrap(), &pinned()).unwrap();
    assert_eq!(TrustList::check_successor(&current, &reused).unwrap_err().code(), "trust_list_sequence_reused");
    // A higher sequence issued earlier.
    let b = TrustListBuilder::from_list(&current, 6, t(-1), t(DAY));
    let earlier = TrustList::verify(&b.sign(&[&root1()]).unwrap(), &pinned()).unwrap();
    assert_eq!(TrustList::check_successor(&current, &earlier).unwrap_err().code(), "trust_list_issued_at_backwards");
    // A proper successor.
    let next = TrustListBuilder::from_list(&current, 6, t(DAY), t(8 * DAY)).sign(&[&root1()]).unwrap();
    assert_eq!(TrustList::verify_successor(&next, &current).unwrap().sequence(), 6);
}

#[test]
fn a_compromise_cannot_be_lifted() {
    let current = TrustList::verify(&good(), &pinned()).unwrap();
    let k13 = key(0x13).public_key();
    let successor = |edit: &dyn Fn(&mut TrustListBuilder)| {
        let mut b = TrustListBuilder::from_list(&current, 6, t(DAY), t(8 * DAY));
        edit(&mut b);
        TrustList::verify_successor(&b.sign(&[&root1()]).unwrap(), &current).map(|_| ())
    };
    let lifted = |b: &mut TrustListBuilder| b.entry_mut(&k13).unwrap().status = KeyStatus::Active;
    assert_eq!(successor(&lifted).unwrap_err().code(), "trust_list_compromise_lifted");
    let later = |b: &mut TrustListBuilder| b.entry_mut(&k13).unwrap().status = KeyStatus::Compromised { since: t(0) };
    assert_eq!(successor(&later).unwrap_err().code(), "trust_list_compromise_lifted");
    let removed = |b: &mut TrustListBuilder| {
        b.remove(&k13).unwrap();
    };
    assert_eq!(successor(&removed).unwrap_err().code(), "trust_list_compromise_lifted");
    let earlier =
        |b: &mut TrustListBuilder| b.entry_mut(&k13).unwrap().status = KeyStatus::Compromised { since: t(-20 * DAY) };
    assert_eq!(successor(&earlier), Ok(()));
    // Compromising a key that was active is of course allowed.
    let k11 = key(0x11).public_key();
    let compromise =
        |b: &mut TrustListBuilder| b.entry_mut(&k11).unwrap().status = KeyStatus::Compromised { since: t(0) };
    assert_eq!(successor(&compromise), Ok(()));
}

/// Root rotation: list 1 (root 1) announces root 2; list 2 is signed by both and hands over
/// to root 2 alone; list 3 is signed by root 2 only. A verifier pinned to root 1 follows the
/// chain; a list signed by root 1 after the hand-over is refused.
#[test]
fn root_rotation_through_next_roots() {
    let (r1, r2) = (root1(), root2());
    let mut b1 = builder(10);
    b1.next_roots(&[r1.public_key(), r2.public_key()]);
    let l1 = TrustList::verify(&b1.sign(&[&r1]).unwrap(), &pinned()).unwrap();
    assert_eq!(l1.next_roots().len(), 2);

    let mut b2 = TrustListBuilder::from_list(&l1, 11, t(DAY), t(8 * DAY));
    b2.next_roots(&[r2.public_key()]);
    let f2 = b2.sign(&[&r1, &r2]).unwrap();
    assert_eq!(f2.iter().filter(|b| **b == b'\n').count(), 3); // body + two signature lines
    let l2 = TrustList::verify_successor(&f2, &l1).unwrap();
    assert_eq!(l2.signed_by().len(), 2);
    assert_eq!(l2.next_roots(), [r2.public_key()]);
    // A verifier that only ever pinned root 1 accepts the dual-signed list directly too.
    assert!(TrustList::verify(&f2, &pinned()).is_ok());

    let f3 = TrustListBuilder::from_list(&l2, 12, t(2 * DAY), t(9 * DAY)).sign(&[&r2]).unwrap();
    let l3 = TrustList::verify_successor(&f3, &l2).unwrap();
    assert_eq!(l3.signed_by(), [r2.public_key()]);
    // Without the hand-over, root 2 means nothing to a verifier pinned to root 1.
    assert_eq!(code(TrustList::verify(&f3, &pinned())), "trust_list_unknown_root");
    // After the hand-over root 1 may no longer sign.
    let by_old_root = TrustListBuilder::from_list(&l2, 12, t(2 * DAY), t(9 * DAY)).sign(&[&r1]).unwrap();
    assert_eq!(code(TrustList::verify_successor(&by_old_root, &l2)), "trust_list_unknown_root");
}

#[test]
fn a_bad_signature_by_an_unpinned_root_is_ignored() {
    let file = builder(1).sign(&[&root1(), &root2()]).unwrap();
    let text = String::from_utf8(file).unwrap();
    let r2_text = root2().public_key().to_text();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for l in lines.iter_mut().skip(1) {
        if l.contains(&r2_text) {
            let pos = l.len() - 10;
            let c = if &l[pos..pos + 1] == "A" { "B" } else { "A" };
            l.replace_range(pos..pos + 1, c);
        }
    }
    let tampered = format!("{}\n", lines.join("\n")).into_bytes();
    assert!(TrustList::verify(&tampered, &pinned()).is_ok());
    let both = [root1().public_key(), root2().public_key()];
    assert_eq!(code(TrustList::verify(&tampered, &both)), "trust_list_bad_signature");
}

// ---- freshness and the trust store view ----

#[test]
fn freshness_of_a_trust_list() {
    let policy = FreshnessPolicy::default();
    let list = TrustList::verify(&good(), &pinned()).unwrap(); // next_update after 7 days
    let at = |s: i64| list.freshness(t(s), &policy);
    assert_eq!(at(7 * DAY), Freshness::Fresh);
    assert_eq!(at(7 * DAY + 1).code(), "in_grace");
    assert_eq!(at(97 * DAY).code(), "in_grace");
    assert_eq!(at(97 * DAY + 1).code(), "stale");
    // A list promising an update within a day is fresh for a day only.
    let daily = TrustListBuilder::from_list(&list, 6, t(0), t(DAY)).sign(&[&root1()]).unwrap();
    let daily = TrustList::verify(&daily, &pinned()).unwrap();
    assert_eq!(daily.freshness(t(2 * DAY), &policy), Freshness::InGrace { age_secs: 2 * DAY });
}

#[test]
fn trust_store_view() {
    let list = TrustList::verify(&good(), &pinned()).unwrap();
    let store = list.to_trust_store();
    assert_eq!(store.issuers().len(), 4);
    let retired = store.issuers().iter().find(|i| i.public_key == key(0x12).public_key()).unwrap();
    assert_eq!(retired.not_after, t(-30 * DAY - 1));
    let compromised = store.issuers().iter().find(|i| i.public_key == key(0x13).public_key()).unwrap();
    assert_eq!(compromised.not_after, t(-10 * DAY - 1));
}

// ---- robustness ----

#[test]
fn mutated_files_never_panic() {
    let base = good();
    let mut x = 0x1234_5678_9abc_def0u64;
    let mut rng = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let body_len = body_of(&base).len();
    for round in 0..600 {
        let mut f = base.clone();
        for _ in 0..=rng() % 3 {
            let at = (rng() % f.len() as u64) as usize;
            f[at] = rng() as u8;
        }
        let _ = TrustList::verify(&f, &pinned());
        // Re-signed: the JSON and rule checks see the mutation.
        if round % 2 == 0 {
            let mut body = base[..body_len].to_vec();
            let at = (rng() % body.len() as u64) as usize;
            body[at] = rng() as u8;
            if let Ok(s) = String::from_utf8(body) {
                let _ = TrustList::verify(&envelope(&s, &[&root1()]), &pinned());
            }
        }
    }
}

/// A status list signed with a far-future date and the highest sequence stayed "fresh"
/// forever, and every real successor was refused as a rollback (issue 13, item 7). Lists dated
/// later than now plus the skew are now refused when offered.
#[test]
fn regression_future_dated_status_list_is_refused() {
    use ikd_core::status::{StatusList, StatusListBuilder, StatusListError};
    let issuer = key(0x11);
    let b = StatusListBuilder::new(100).unwrap();
    let now = t(0);
    let frozen = b.sign(&issuer, t(100 * YEAR), 86_400, (1 << 53) - 1).unwrap();
    let frozen = StatusList::verify(&frozen, &issuer.public_key()).unwrap();
    let e = StatusList::check_offer(None, &frozen, now, DEFAULT_SKEW_SECS).unwrap_err();
    assert!(matches!(e, StatusListError::IssuedInFuture { .. }));
    assert_eq!(e.code(), "status_issued_in_future");
    // Within the skew tolerance it is accepted; one second beyond it is not.
    let edge =
        StatusList::verify(&b.sign(&issuer, t(DEFAULT_SKEW_SECS), 86_400, 2).unwrap(), &issuer.public_key()).unwrap();
    assert!(StatusList::check_offer(None, &edge, now, DEFAULT_SKEW_SECS).is_ok());
    assert_eq!(
        StatusList::check_offer(None, &edge, t(-1), DEFAULT_SKEW_SECS).unwrap_err().code(),
        "status_issued_in_future"
    );
    // The successor rules still apply to lists dated in time.
    let older = StatusList::verify(&b.sign(&issuer, t(-DAY), 86_400, 1).unwrap(), &issuer.public_key()).unwrap();
    assert!(StatusList::check_offer(Some(&older), &edge, now, DEFAULT_SKEW_SECS).is_ok());
    assert_eq!(
        StatusList::check_offer(Some(&edge), &older, now, DEFAULT_SKEW_SECS).unwrap_err().code(),
        "status_rollback"
    );
}

/// A change of `status_key` in the trust list did not clear a status list held under the old
/// signer, nor did marking the signer compromised (issue 13, item 7): such a list could be an
/// attacker's. `StatusList::verify_under_trust_list` is the check a holder runs again on every
/// held list when its trust list changes.
#[test]
fn regression_status_list_of_a_replaced_or_compromised_signer_is_not_trusted() {
    use ikd_core::status::{StatusList, StatusListBuilder};
    let issuer = key(0x11);
    let b = StatusListBuilder::new(100).unwrap();
    let by_issuer = b.sign(&issuer, t(0), 86_400, 1).unwrap();
    let list = TrustList::verify(&good(), &pinned()).unwrap();
    assert!(StatusList::verify_under_trust_list(&by_issuer, &list).is_ok());
    // The trust list now names a separate status key for the issuer: the old list is refused.
    let mut moved = builder(6);
    moved.entry_mut(&issuer.public_key()).unwrap().status_key = Some(key(0x16).public_key());
    let moved = TrustList::verify(&moved.sign(&[&root1()]).unwrap(), &pinned()).unwrap();
    assert_eq!(StatusList::verify_under_trust_list(&by_issuer, &moved).unwrap_err().code(), "status_bad_signature");
    let by_new = b.sign_delegated(&issuer.public_key(), &key(0x16), t(0), 86_400, 2).unwrap();
    assert!(StatusList::verify_under_trust_list(&by_new, &moved).is_ok());
    // The signer is marked compromised: even its own lists are refused.
    let mut burnt = builder(7);
    burnt.entry_mut(&issuer.public_key()).unwrap().status = KeyStatus::Compromised { since: t(-DAY) };
    let burnt = TrustList::verify(&burnt.sign(&[&root1()]).unwrap(), &pinned()).unwrap();
    assert_eq!(
        StatusList::verify_under_trust_list(&by_issuer, &burnt).unwrap_err().code(),
        "status_signer_compromised"
    );
    // The issuer is gone from the trust list.
    let mut gone = builder(8);
    gone.remove(&issuer.public_key());
    let gone = TrustList::verify(&gone.sign(&[&root1()]).unwrap(), &pinned()).unwrap();
    assert_eq!(StatusList::verify_under_trust_list(&by_issuer, &gone).unwrap_err().code(), "status_issuer_not_trusted");
    assert_eq!(StatusList::verify_under_trust_list(b"nope", &list).unwrap_err().code(), "status_bad_magic");
}
