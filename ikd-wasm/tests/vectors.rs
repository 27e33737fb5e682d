//! The bindings' functions ([`ikd_wasm::api`], which the JS exports call) on the host: every
//! committed test vector gives its expected verdict and code, and the error paths throw their
//! codes. The same vectors run through the built package in Node (`tests/node`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use base64::Engine;
use ikd_core::{Lang, Timestamp};
use ikd_wasm::api::{self, Options, Session};
use serde_json::Value;

struct Case {
    name: String,
    doc: Value,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(test_vectors::cases_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        out.push(Case { name: path.file_stem().unwrap().to_string_lossy().into_owned(), doc });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn now(doc: &Value) -> f64 {
    Timestamp::parse_rfc3339(doc["clock"].as_str().unwrap()).unwrap().unix() as f64
}

fn options(doc: &Value) -> Options {
    let input = &doc["input"];
    Options {
        policy: input["policy"]["name"].as_str().map(str::to_owned),
        policies_json: input.get("policy").map(|p| Value::Array(vec![p.clone()]).to_string()),
        challenge: input["challenge"].as_str().map(|c| c.as_bytes().to_vec()),
        skew_secs: doc["skew_seconds"].as_i64(),
        ..Options::default()
    }
}

fn session(doc: &Value, opts: &Options) -> Session {
    match doc.get("trust_list").filter(|v| !v.is_null()) {
        Some(tl) => {
            let roots: Vec<String> =
                tl["root_keys"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
            let lists: Vec<Vec<u8>> = doc["status_lists"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|l| {
                            base64::engine::general_purpose::STANDARD.decode(l["base64"].as_str().unwrap()).unwrap()
                        })
                        .collect()
                })
                .unwrap_or_default();
            Session::with_trust_list(tl["text"].as_str().unwrap().as_bytes(), &roots, &lists, opts).unwrap()
        }
        None => Session::with_trust_store(&doc["trust_store"].to_string(), opts).unwrap(),
    }
}

#[test]
fn every_vector_gives_its_verdict_and_code_through_the_bindings() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} vectors", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        let doc = &c.doc;
        let opts = options(doc);
        let s = session(doc, &opts);
        let want_list_errors: Vec<&str> = doc["expected"]["list_errors"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        let got_list_errors: Vec<&str> = s.list_errors().iter().map(|e| e.code()).collect();
        if got_list_errors != want_list_errors {
            failures.push(format!("{}: list errors {got_list_errors:?}, expected {want_list_errors:?}", c.name));
            continue;
        }
        for t in doc["input"]["seen_before"].as_array().into_iter().flatten() {
            let v: Value = serde_json::from_str(&s.verify(t.as_str().unwrap(), now(doc), &opts).unwrap()).unwrap();
            assert_eq!(v["verdict"], "VALID", "{}: seen_before", c.name);
        }
        let text = doc["input"]["qr_text"].as_str().unwrap();
        let v: Value = serde_json::from_str(&s.verify(text, now(doc), &opts).unwrap()).unwrap();
        if v["verdict"] != doc["expected"]["verdict"] || v["code"] != doc["expected"]["code"] {
            failures.push(format!(
                "{}: {} {}, expected {} {}",
                c.name, v["verdict"], v["code"], doc["expected"]["verdict"], doc["expected"]["code"]
            ));
        }
        // Issue 14: exactly the core view's fields beside the bindings' own `list_errors`, and
        // claims only when VALID.
        let mut keys: Vec<&str> =
            v.as_object().unwrap().keys().map(String::as_str).filter(|k| *k != "list_errors").collect();
        keys.sort_unstable();
        if keys != ikd_core::VerificationView::FIELDS {
            failures.push(format!("{}: fields {keys:?}", c.name));
        }
        if (v["verdict"] == "VALID") != v["claims"].is_object() {
            failures.push(format!("{}: claims {} with verdict {}", c.name, v["claims"], v["verdict"]));
        }
        let stages = v["report"].as_array().map_or(0, Vec::len);
        if stages != doc["expected"]["stages"].as_object().unwrap().len() {
            failures.push(format!("{}: {stages} checks reported", c.name));
        }
    }
    assert!(failures.is_empty(), "{} failing vectors:\n{}", failures.len(), failures.join("\n"));
}

fn vector(name: &str) -> Value {
    cases().into_iter().find(|c| c.name == name).unwrap().doc
}

#[test]
fn the_free_verify_function_answers_the_view_of_a_valid_credential() {
    let doc = vector("valid-typical-woman");
    let out = api::verify(
        doc["input"]["qr_text"].as_str().unwrap(),
        &doc["trust_store"].to_string(),
        now(&doc),
        &Options::default(),
    )
    .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "VALID");
    assert_eq!(v["code"], "ok");
    assert_eq!(v["list_errors"], serde_json::json!([]));
    // Issue 14/15: the bindings answer the core's one view, every field of it.
    for field in ikd_core::VerificationView::FIELDS {
        assert!(v.get(field).is_some(), "no {field} in the answer");
    }
    assert_eq!(v["kind"], "credential");
    assert!(v["claims"]["nik"].as_str().unwrap().starts_with("****"), "NIK masked by the core's rule");
    let core = ikd_core::Verifier::new(ikd_core::TrustStore::from_json(&doc["trust_store"].to_string()).unwrap())
        .with_clock(std::sync::Arc::new(ikd_core::FixedClock(Timestamp::from_unix(now(&doc) as i64))))
        .verify(doc["input"]["qr_text"].as_str().unwrap());
    assert_eq!(v["message"], core.message(Lang::Id));
}

#[test]
fn bad_trust_store_json_throws_its_code() {
    // Issue 15: a trust store that is not JSON is an error with the core's code, not a verdict.
    let e = api::verify("IKD1:", "{not json", 0.0, &Options::default()).unwrap_err();
    assert_eq!(e.code, "trust_bad_json");
    assert!(!e.message.is_empty());
}

#[test]
fn oversized_text_is_invalid_with_its_code() {
    let doc = vector("valid-typical-woman");
    let text = format!("IKD1:{}", "A".repeat(ikd_core::format::MAX_TEXT_CHARS + 1));
    let v: Value = serde_json::from_str(
        &api::verify(&text, &doc["trust_store"].to_string(), now(&doc), &Options::default()).unwrap(),
    )
    .unwrap();
    assert_eq!(v["verdict"], "INVALID");
    assert_eq!(v["code"], "decode_too_large");
    assert_eq!(api::decode(&text, &Options::default()).unwrap_err().code, "decode_too_large");
}

#[test]
fn a_time_that_is_not_a_number_is_a_bad_argument() {
    let doc = vector("valid-typical-woman");
    for t in [f64::NAN, f64::INFINITY, 1e300] {
        let e = api::verify("IKD1:", &doc["trust_store"].to_string(), t, &Options::default()).unwrap_err();
        assert_eq!(e.code, api::BAD_ARGUMENT);
    }
}

#[test]
fn an_unknown_policy_name_throws_policy_unknown() {
    let doc = vector("valid-typical-woman");
    let opts = Options { policy: Some("kantin".into()), lang: Lang::En, ..Options::default() };
    let e = api::verify(doc["input"]["qr_text"].as_str().unwrap(), &doc["trust_store"].to_string(), now(&doc), &opts)
        .unwrap_err();
    assert_eq!(e.code, api::POLICY_UNKNOWN);
    assert!(e.message.contains("kantin"));
}

#[test]
fn a_bad_policy_file_throws_its_code() {
    let doc = vector("valid-typical-woman");
    let opts = Options { policy: Some("apotek".into()), policies_json: Some("{".into()), ..Options::default() };
    let e = api::verify(doc["input"]["qr_text"].as_str().unwrap(), &doc["trust_store"].to_string(), now(&doc), &opts)
        .unwrap_err();
    assert_eq!(e.code, "policy_bad_json");
    let opts = Options { policies_json: Some("[{}]".into()), ..Options::default() };
    let e = api::verify(doc["input"]["qr_text"].as_str().unwrap(), &doc["trust_store"].to_string(), now(&doc), &opts)
        .unwrap_err();
    assert!(e.code.starts_with("policy_"), "{}", e.code);
}

#[test]
fn a_bad_pinned_root_throws_its_code() {
    let doc = vector("status-valid");
    let e = api::verify_with_trust_list(
        "IKD1:",
        doc["trust_list"]["text"].as_str().unwrap().as_bytes(),
        &["ikdpk1:not-a-key".to_owned()],
        &[],
        now(&doc),
        &Options::default(),
    )
    .unwrap_err();
    assert!(e.code.starts_with("key_"), "{}", e.code);
}

#[test]
fn decode_says_not_verified_and_masks_the_nik() {
    let doc = vector("valid-typical-woman");
    let text = doc["input"]["qr_text"].as_str().unwrap();
    let d: Value =
        serde_json::from_str(&api::decode(text, &Options { lang: Lang::En, ..Options::default() }).unwrap()).unwrap();
    assert_eq!(d["verified"], false);
    assert!(d["notice"].as_str().unwrap().contains("NOT VERIFIED"));
    let nik = doc["expected"]["claims"]["nik"].as_str().unwrap();
    let shown = d["claims"]["nik"].as_str().unwrap();
    assert_ne!(shown, nik);
    assert!(shown.ends_with(&nik[nik.len() - 4..]));
    let full: Value =
        serde_json::from_str(&api::decode(text, &Options { show_nik: true, ..Options::default() }).unwrap()).unwrap();
    assert_eq!(full["claims"]["nik"], nik);
}

#[test]
fn decode_of_a_bad_text_throws_the_decoding_code() {
    let e = api::decode("not a credential", &Options::default()).unwrap_err();
    assert_eq!(e.code, "decode_wrong_prefix");
    let e = api::decode("", &Options::default()).unwrap_err();
    assert_eq!(e.code, "decode_empty");
}

#[test]
fn decode_of_a_presentation_throws_inspect_presentation() {
    let doc = vector("presentation-live-nama-nik-age");
    let e = api::decode(doc["input"]["qr_text"].as_str().unwrap(), &Options::default()).unwrap_err();
    assert_eq!(e.code, "inspect_presentation");
}
