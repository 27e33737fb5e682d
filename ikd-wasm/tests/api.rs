//! The bindings' list decisions and replay memory ([`ikd_wasm::api`]) on the host, and the
//! fixtures the Node tests use (`tests/node/fixtures/lists.json`, signed here with fixed
//! seeds; `IKD_WRITE_FIXTURES=1 cargo test -p ikd-wasm --test api` rewrites them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ikd_core::status::{CredentialStatus, StatusListBuilder};
use ikd_core::trustlist::{Scope, TrustListBuilder, TrustListEntry};
use ikd_core::{Lang, SecretKey, StatusIndex, Timestamp};
use ikd_wasm::api::{self, Options, Session};
use serde_json::{Value, json};

/// 2026-11-27T00:00:00Z.
const T0: i64 = 1_795_737_600;
const DAY: i64 = 86_400;

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

fn t(offset: i64) -> Timestamp {
    Timestamp::from_unix(T0 + offset)
}

fn trust_list(sequence: u64, issued: i64, roots: &[&SecretKey], next: &[&SecretKey]) -> Vec<u8> {
    let mut b = TrustListBuilder::new(sequence, t(issued), t(issued + 7 * DAY));
    b.add(TrustListEntry::new(
        "DISDUKCAPIL KABUPATEN SERANG (FIXTURE)",
        key(0x11).public_key(),
        t(-DAY),
        t(3650 * DAY),
        Scope::all(),
    ))
    .unwrap();
    b.next_roots(&next.iter().map(|k| k.public_key()).collect::<Vec<_>>());
    b.sign(roots).unwrap()
}

fn status_list(sequence: u64, issued: i64, revoked: &[u32]) -> Vec<u8> {
    let mut b = StatusListBuilder::new(100).unwrap();
    for &i in revoked {
        b.set(StatusIndex::new(i), CredentialStatus::Revoked).unwrap();
    }
    b.sign(&key(0x11), t(issued), DAY as u64, sequence).unwrap()
}

/// Every list the Node tests offer, by name, with the time to offer them at and the roots.
/// Root `a` hands over to root `b` in `tl3`; `tl_by_b_only` is a list only a re-pin accepts.
fn fixtures() -> Value {
    let (a, b) = (key(0xa1), key(0xb1));
    let mut status_bad_signature = status_list(2, 10, &[3, 4]);
    let last = status_bad_signature.len() - 1;
    status_bad_signature[last] ^= 1;
    let lists: Vec<(&str, Vec<u8>)> = vec![
        ("tl1", trust_list(1, 0, &[&a], &[&a])),
        ("tl2", trust_list(2, DAY / 4, &[&a], &[&a, &b])),
        ("tl3", trust_list(3, DAY / 2, &[&b], &[&b])),
        ("tl_by_b_only", trust_list(5, DAY / 2, &[&b], &[&b])),
        ("sl1", status_list(1, 0, &[3])),
        ("sl2", status_list(2, 10, &[3, 4])),
        ("sl_lifted", status_list(3, 20, &[4])),
        ("sl_future", status_list(4, 2 * DAY, &[3, 4])),
        ("sl_bad_signature", status_bad_signature),
    ];
    let mut out = serde_json::Map::new();
    for (name, bytes) in lists {
        out.insert(name.to_owned(), Value::String(B64.encode(bytes)));
    }
    json!({
        "comment": "Signed by ikd-wasm/tests/api.rs (fixed seeds); rewrite with IKD_WRITE_FIXTURES=1 cargo test -p ikd-wasm --test api",
        "now": T0 + DAY,
        "roots": { "a": a.public_key().to_text(), "b": b.public_key().to_text() },
        "lists": Value::Object(out),
    })
}

fn fixture_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node/fixtures/lists.json")
}

#[test]
fn the_node_fixtures_are_the_ones_this_test_signs() {
    let want = serde_json::to_string_pretty(&fixtures()).unwrap() + "\n";
    if std::env::var_os("IKD_WRITE_FIXTURES").is_some() {
        std::fs::write(fixture_path(), &want).unwrap();
    }
    let got = std::fs::read_to_string(fixture_path()).unwrap();
    assert_eq!(
        got, want,
        "tests/node/fixtures/lists.json is stale: IKD_WRITE_FIXTURES=1 cargo test -p ikd-wasm --test api"
    );
}

fn list(name: &str) -> Vec<u8> {
    B64.decode(fixtures()["lists"][name].as_str().unwrap()).unwrap()
}

fn root(name: &str) -> String {
    fixtures()["roots"][name].as_str().unwrap().to_owned()
}

fn now() -> f64 {
    (T0 + DAY) as f64
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

fn trust(held: Option<&str>, offered: &str, pinned: &[&str], opts: &Options) -> Value {
    let held = held.map(list);
    let pinned: Vec<String> = pinned.iter().map(|r| root(r)).collect();
    parse(&api::decide_trust_list(held.as_deref(), &list(offered), &pinned, now(), opts).unwrap())
}

#[test]
fn trust_list_decisions_through_the_bindings() {
    let o = Options::default();
    let v = trust(None, "tl1", &["a"], &o);
    assert_eq!(
        (v["accept"].clone(), v["decision"].clone(), v["sequence"].clone()),
        (json!(true), json!("first"), json!(1))
    );
    assert_eq!(v["roots"], json!([root("a")]));
    assert_eq!(trust(Some("tl1"), "tl1", &["a"], &o)["decision"], "unchanged");
    assert_eq!(trust(Some("tl1"), "tl2", &["a"], &o)["decision"], "successor");
    let v = trust(Some("tl2"), "tl1", &["a"], &o);
    assert_eq!((v["accept"].clone(), v["code"].clone()), (json!(false), json!("trust_list_rollback")));
    assert!(v["message"].as_str().unwrap().contains('2'), "{v}");
    // The hand-over: tl3 is signed by b, announced by tl2.
    let v = trust(Some("tl2"), "tl3", &["a"], &o);
    assert_eq!((v["decision"].clone(), v["roots"].clone()), (json!("successor"), json!([root("b")])));
    // A list by b that tl1 did not announce: only with repin and b pinned.
    assert_eq!(
        trust(Some("tl1"), "tl_by_b_only", &["b"], &Options { held_roots: vec![root("a")], ..o.clone() })["code"],
        "trust_list_unknown_root"
    );
    let repin = Options { repin: true, held_roots: vec![root("a")], ..o.clone() };
    assert_eq!(trust(Some("tl1"), "tl_by_b_only", &["b"], &repin)["decision"], "repinned");
    // English messages when asked.
    let en = trust(Some("tl2"), "tl1", &["a"], &Options { lang: Lang::En, ..o.clone() });
    assert!(en["message"].as_str().unwrap().contains("older"), "{en}");
    // Arguments that cannot be used throw.
    let e = api::decide_trust_list(None, &list("tl1"), &["ikdpk1:nope".into()], now(), &o).unwrap_err();
    assert!(e.code.starts_with("key_"), "{}", e.code);
    let e = api::decide_trust_list(None, &list("tl1"), &[root("a")], f64::NAN, &o).unwrap_err();
    assert_eq!(e.code, api::BAD_ARGUMENT);
}

fn status(held: Option<&str>, offered: &str) -> Value {
    let held = held.map(list);
    let opts = Options::default();
    parse(&api::decide_status_list(held.as_deref(), &list(offered), &list("tl1"), &[root("a")], now(), &opts).unwrap())
}

#[test]
fn status_list_decisions_through_the_bindings() {
    let v = status(None, "sl1");
    assert_eq!(
        (v["accept"].clone(), v["decision"].clone(), v["list"].clone()),
        (json!(true), json!("first"), json!("status_list"))
    );
    assert_eq!(v["key_id"], key(0x11).public_key().key_id().to_string());
    assert_eq!(status(Some("sl1"), "sl2")["decision"], "successor");
    assert_eq!(status(Some("sl2"), "sl_lifted")["code"], "status_revocation_lifted");
    assert_eq!(status(Some("sl2"), "sl1")["code"], "status_rollback");
    assert_eq!(status(Some("sl2"), "sl_future")["code"], "status_issued_in_future");
    assert_eq!(status(Some("sl1"), "sl_bad_signature")["code"], "status_bad_signature");
    // A trust list that does not verify under the pinned roots refuses every status list.
    let o = Options::default();
    let v = parse(&api::decide_status_list(None, &list("sl1"), &list("tl3"), &[root("a")], now(), &o).unwrap());
    assert_eq!(v["code"], "trust_list_unknown_root");
    // …unless the roots kept beside it are given.
    let o = Options { held_roots: vec![root("b")], ..o };
    let v = parse(&api::decide_status_list(None, &list("sl1"), &list("tl3"), &[root("a")], now(), &o).unwrap());
    assert_eq!(v["decision"], "first");
    // More skew lets a list dated a day ahead in.
    let o = Options { skew_secs: Some(DAY + 1), ..Options::default() };
    let v = parse(
        &api::decide_status_list(Some(&list("sl2")), &list("sl_future"), &list("tl1"), &[root("a")], now(), &o)
            .unwrap(),
    );
    assert_eq!(v["decision"], "successor");
}

/// The `presentation-replayed` vector: a live presentation and its trust store and clock.
fn replayed() -> (String, String, f64) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/cases/presentation-replayed.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let now = Timestamp::parse_rfc3339(doc["clock"].as_str().unwrap()).unwrap().unix() as f64;
    (doc["input"]["qr_text"].as_str().unwrap().to_owned(), doc["trust_store"].to_string(), now)
}

fn code_of(s: &Session, text: &str, now: f64) -> String {
    parse(&s.verify(text, now, &Options::default()).unwrap())["code"].as_str().unwrap().to_owned()
}

#[test]
fn replay_memory_survives_an_export_and_an_import() {
    let (text, store, now) = replayed();
    let o = Options::default();
    let first = Session::with_trust_store(&store, &o).unwrap();
    assert_eq!(code_of(&first, &text, now), "ok");
    assert_eq!(code_of(&first, &text, now + 1.0), "presentation_replayed");
    let saved = first.export_replay(None, Lang::Id).unwrap();
    assert_eq!(saved.len(), 9 + 40);
    // "Reload": a new verifier accepts it again by itself; with the memory imported, no.
    let fresh = Session::with_trust_store(&store, &o).unwrap();
    let reloaded = Session::with_trust_store(&store, &o).unwrap();
    assert_eq!(reloaded.import_replay(&saved, now + 2.0, Lang::Id).unwrap(), 1);
    assert_eq!(code_of(&reloaded, &text, now + 3.0), "presentation_replayed");
    assert_eq!(code_of(&fresh, &text, now + 3.0), "ok");
    // Exported at a time past the window, nothing is left; importing it twice adds nothing.
    assert_eq!(first.export_replay(Some(now + 3600.0), Lang::Id).unwrap().len(), 9);
    assert_eq!(reloaded.import_replay(&saved, now + 4.0, Lang::Id).unwrap(), 0);
}

#[test]
fn bad_replay_state_throws_its_code_and_keeps_the_memory() {
    let (text, store, now) = replayed();
    let o = Options::default();
    let s = Session::with_trust_store(&store, &o).unwrap();
    assert_eq!(code_of(&s, &text, now), "ok");
    let good = s.export_replay(None, Lang::Id).unwrap();
    let mut v9 = good.clone();
    v9[4] = 9;
    for (bytes, code) in [
        (b"garbage".to_vec(), "replay_state_invalid"),
        (good[..good.len() - 3].to_vec(), "replay_state_invalid"),
        (v9, "replay_state_version"),
        (vec![0u8; 9 + 40 * ikd_core::DEFAULT_REPLAY_CAPACITY + 1], "replay_state_too_large"),
    ] {
        let e = s.import_replay(&bytes, now + 1.0, Lang::En).unwrap_err();
        assert_eq!(e.code, code);
        assert!(!e.message.is_empty());
    }
    assert_eq!(s.import_replay(&good, f64::NAN, Lang::En).unwrap_err().code, api::BAD_ARGUMENT);
    assert_eq!(s.export_replay(Some(f64::INFINITY), Lang::En).unwrap_err().code, api::BAD_ARGUMENT);
    // Nothing was lost: still a replay.
    assert_eq!(code_of(&s, &text, now + 2.0), "presentation_replayed");
}

/// A committed vector's credential text, trust store and clock.
fn credential_vector(name: &str) -> (String, String, f64) {
    let path = format!("{}/../test-vectors/cases/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let now = Timestamp::parse_rfc3339(doc["clock"].as_str().unwrap()).unwrap().unix() as f64;
    (doc["input"]["qr_text"].as_str().unwrap().to_owned(), doc["trust_store"].to_string(), now)
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn a_presentation_signed_outside_verifies_and_is_what_the_core_makes() {
    let (text, store, now) = credential_vector("valid-typical-woman");
    let holder = SecretKey::from_seed(&[0x48; 32]);
    let p = api::prepare_presentation(
        &text,
        &names(&["nama", "foto", "age_over_17"]),
        now,
        Some(b"loket-7".to_vec()),
        Lang::Id,
    )
    .unwrap();
    assert_eq!(p.holder_key(), &holder.public_key());
    assert_eq!(p.disclosed(), ["nama", "age_over_17", "foto"]);
    let signature = holder.sign(p.signing_bytes());
    let shown = p.finish(&signature, Lang::Id).unwrap();
    let core = ikd_core::create_presentation(
        &text,
        ikd_core::Disclosure::parse_list("nama,foto,age_over_17").unwrap(),
        Some(&holder),
        Timestamp::from_unix(now as i64),
        Some(b"loket-7"),
    )
    .unwrap();
    assert_eq!(shown, core);
    let s = Session::with_trust_store(&store, &Options::default()).unwrap();
    let opts = Options { policy: Some("apotek".into()), challenge: Some(b"loket-7".to_vec()), ..Options::default() };
    let v = parse(&s.verify(&shown, now + 2.0, &opts).unwrap());
    assert_eq!(
        (v["verdict"].clone(), v["kind"].clone(), v["live"].clone()),
        (json!("VALID"), json!("presentation"), json!(true))
    );
    assert_eq!(parse(&s.verify(&shown, now + 3.0, &opts).unwrap())["code"], "presentation_replayed");
    // A static presentation: valid, not live, refused by a policy that needs a live code.
    let st = api::static_presentation(&text, &names(&["nama", "foto", "age_over_17"]), Lang::Id).unwrap();
    assert_eq!(parse(&s.verify(&st, now, &Options::default()).unwrap())["verdict"], "VALID");
    let apotek = Options { policy: Some("apotek".into()), ..Options::default() };
    assert_eq!(parse(&s.verify(&st, now, &apotek).unwrap())["code"], "policy_requires_live");
}

#[test]
fn presentation_errors_throw_their_codes() {
    let (text, _, now) = credential_vector("valid-typical-woman");
    let nama = names(&["nama"]);
    let p = api::prepare_presentation(&text, &nama, now, None, Lang::En).unwrap();
    let other = SecretKey::from_seed(&[0x49; 32]);
    let e = p.finish(&other.sign(p.signing_bytes()), Lang::En).unwrap_err();
    assert_eq!(e.code, "present_holder_signature_invalid");
    assert!(e.message.contains("holder"), "{}", e.message);
    assert_eq!(p.finish(&[0u8; 12], Lang::Id).unwrap_err().code, "present_holder_signature_invalid");
    let code = |text: &str, d: &[&str], now: f64, challenge: Option<Vec<u8>>| {
        api::prepare_presentation(text, &names(d), now, challenge, Lang::Id).unwrap_err().code
    };
    assert_eq!(code(&text, &[], now, None), "present_empty_disclosure");
    assert_eq!(code(&text, &["nama", "hobi"], now, None), "disclosure_unknown_claim");
    assert_eq!(code(&text, &["nama"], now, Some(vec![0; 33])), "present_challenge_too_long");
    assert_eq!(code(&text, &["nama"], 0.0, None), "present_time_out_of_range");
    assert_eq!(code(&text, &["nama"], f64::NAN, None), api::BAD_ARGUMENT);
    assert_eq!(code("IKD1:nope", &["nama"], now, None), "decode_bad_base45");
    let (unbound, _, now) = credential_vector("valid-no-holder-key");
    assert_eq!(code(&unbound, &["nama"], now, None), "present_no_holder_key");
    assert_eq!(api::static_presentation(&text, &[], Lang::Id).unwrap_err().code, "present_empty_disclosure");
    assert!(api::static_presentation("", &nama, Lang::Id).unwrap_err().code.starts_with("decode_"));
}
