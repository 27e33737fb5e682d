//! The C functions called from Rust over every test vector (the gcc program in
//! `scripts/test-c.sh` does the same from C, under valgrind), and their error paths: every
//! NULL, a bad trust store, an unknown policy, a text that is not UTF-8.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
#![allow(unsafe_code, clippy::undocumented_unsafe_blocks)] // calling the C interface is the point of this test

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use base64::Engine;
use ikd_capi::ffi::*;
use serde_json::Value;

fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Takes an error's code and frees it.
fn take_code(err: *mut IkdError) -> String {
    assert!(!err.is_null(), "an error was expected");
    // SAFETY: a live error from the library; freed right after.
    let code = unsafe { CStr::from_ptr(ikd_error_code(err)) }.to_str().unwrap().to_owned();
    // SAFETY: as above.
    let msg = unsafe { CStr::from_ptr(ikd_error_message(err)) }.to_str().unwrap().to_owned();
    assert!(!msg.is_empty());
    // SAFETY: freed once.
    unsafe { ikd_error_free(err) };
    code
}

/// Takes a returned string and frees it.
fn take_string(s: *mut c_char) -> String {
    assert!(!s.is_null());
    // SAFETY: a string from the library; freed right after.
    let out = unsafe { CStr::from_ptr(s) }.to_str().unwrap().to_owned();
    // SAFETY: freed once.
    unsafe { ikd_string_free(s) };
    out
}

fn verifier_of(doc: &Value) -> *mut IkdVerifier {
    let skew = doc["skew_seconds"].as_i64().unwrap();
    let mut err = ptr::null_mut();
    let v = if let Some(tl) = doc["trust_list"].as_object() {
        let text = tl["text"].as_str().unwrap();
        let roots: Vec<CString> = tl["root_keys"].as_array().unwrap().iter().map(|r| cs(r.as_str().unwrap())).collect();
        let root_ptrs: Vec<*const c_char> = roots.iter().map(|r| r.as_ptr()).collect();
        let lists: Vec<Vec<u8>> = doc["status_lists"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|s| base64::engine::general_purpose::STANDARD.decode(s["base64"].as_str().unwrap()).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        let bytes: Vec<IkdBytes> = lists.iter().map(|l| IkdBytes { data: l.as_ptr(), len: l.len() }).collect();
        // SAFETY: every pointer is valid for the call.
        unsafe {
            ikd_verifier_from_trust_list(
                text.as_ptr(),
                text.len(),
                root_ptrs.as_ptr(),
                root_ptrs.len(),
                if bytes.is_empty() { ptr::null() } else { bytes.as_ptr() },
                bytes.len(),
                ptr::null(),
                skew,
                &mut err,
            )
        }
    } else {
        let store = cs(&doc["trust_store"].to_string());
        // SAFETY: valid strings and out pointer.
        unsafe { ikd_verifier_from_trust_store(store.as_ptr(), ptr::null(), skew, &mut err) }
    };
    assert!(err.is_null() && !v.is_null());
    v
}

fn options(now: i64) -> IkdVerifyOptions {
    IkdVerifyOptions {
        lang: ptr::null(),
        has_now: true,
        now_unix_seconds: now,
        policy: ptr::null(),
        policies_json: ptr::null(),
        challenge: ptr::null(),
        challenge_len: 0,
        show_nik: false,
        photo: false,
    }
}

fn verify(v: *const IkdVerifier, text: &str, o: &IkdVerifyOptions) -> (IkdVerdict, Result<Value, String>) {
    let text = cs(text);
    let mut view = ptr::null_mut();
    let mut err = ptr::null_mut();
    // SAFETY: valid verifier, string, options and out pointers.
    let verdict = unsafe { ikd_verify(v, text.as_ptr(), o, &mut view, &mut err) };
    if verdict == IkdVerdict::Error {
        assert!(view.is_null());
        (verdict, Err(take_code(err)))
    } else {
        assert!(err.is_null());
        (verdict, Ok(serde_json::from_str(&take_string(view)).unwrap()))
    }
}

#[test]
fn every_vector_through_the_c_functions() {
    let cases = test_vectors::read_cases();
    assert!(cases.len() >= 40);
    for (doc, _) in &cases {
        let name = doc["name"].as_str().unwrap();
        let v = verifier_of(doc);
        // SAFETY: a live verifier.
        let lists: Value = serde_json::from_str(&take_string(unsafe { ikd_verifier_list_errors_json(v) })).unwrap();
        let codes: Vec<&str> = lists.as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
        let want: Vec<&str> = doc["expected"]["list_errors"]
            .as_array()
            .map(|a| a.iter().map(|c| c.as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(codes, want, "{name}: list errors");

        let now = ikd_core::Timestamp::parse_rfc3339(doc["clock"].as_str().unwrap()).unwrap().unix();
        let mut o = options(now);
        let input = &doc["input"];
        let policy_name = input["policy"]["name"].as_str().map(cs);
        let policy_file = input.get("policy").map(|p| cs(&Value::Array(vec![p.clone()]).to_string()));
        let challenge = input["challenge"].as_str().map(str::as_bytes);
        if let (Some(n), Some(f)) = (&policy_name, &policy_file) {
            o.policy = n.as_ptr();
            o.policies_json = f.as_ptr();
        }
        if let Some(c) = challenge {
            o.challenge = c.as_ptr();
            o.challenge_len = c.len();
        }
        for seen in input["seen_before"].as_array().into_iter().flatten() {
            assert_eq!(verify(v, seen.as_str().unwrap(), &o).0, IkdVerdict::Valid, "{name}: seen_before");
        }
        let (verdict, view) = verify(v, input["qr_text"].as_str().unwrap(), &o);
        let view = view.unwrap();
        let want = match doc["expected"]["verdict"].as_str().unwrap() {
            "VALID" => IkdVerdict::Valid,
            "INVALID" => IkdVerdict::Invalid,
            _ => IkdVerdict::Undetermined,
        };
        assert_eq!(verdict, want, "{name}: verdict");
        assert_eq!(view["verdict"], doc["expected"]["verdict"], "{name}");
        assert_eq!(view["code"], doc["expected"]["code"], "{name}: code");
        let stages = doc["expected"]["stages"].as_object().unwrap();
        let report = view["report"].as_array().unwrap();
        assert_eq!(report.len(), stages.len(), "{name}: checks");
        for r in report {
            assert_eq!(r["outcome"], stages[r["check"].as_str().unwrap()], "{name}: {}", r["check"]);
        }
        assert_eq!(view["list_errors"], lists, "{name}: list_errors in the view");
        // SAFETY: freed once.
        unsafe { ikd_verifier_free(v) };
    }
}

fn valid_case() -> Value {
    test_vectors::read_cases().into_iter().map(|(d, _)| d).find(|d| d["name"] == "valid-typical-woman").unwrap()
}

#[test]
fn nulls_are_bad_argument_never_a_crash() {
    let doc = valid_case();
    let text = doc["input"]["qr_text"].as_str().unwrap();
    let mut err = ptr::null_mut();
    // SAFETY: NULL arguments are what is tested; the out pointer is valid.
    assert!(unsafe { ikd_verifier_from_trust_store(ptr::null(), ptr::null(), -1, &mut err) }.is_null());
    assert_eq!(take_code(err), "bad_argument");
    // SAFETY: as above; `error` itself NULL is allowed.
    assert!(unsafe { ikd_verifier_from_trust_store(ptr::null(), ptr::null(), -1, ptr::null_mut()) }.is_null());
    // SAFETY: as above.
    assert!(
        unsafe {
            ikd_verifier_from_trust_list(ptr::null(), 3, ptr::null(), 0, ptr::null(), 0, ptr::null(), -1, &mut err)
        }
        .is_null()
    );
    assert_eq!(take_code(err), "bad_argument");
    // SAFETY: as above.
    assert!(
        unsafe {
            ikd_verifier_from_trust_list(b"x".as_ptr(), 1, ptr::null(), 1, ptr::null(), 0, ptr::null(), -1, &mut err)
        }
        .is_null()
    );
    assert_eq!(take_code(err), "bad_argument");
    // SAFETY: as above.
    assert!(
        unsafe {
            ikd_verifier_from_trust_list(b"x".as_ptr(), 1, ptr::null(), 0, ptr::null(), 2, ptr::null(), -1, &mut err)
        }
        .is_null()
    );
    assert_eq!(take_code(err), "bad_argument");

    let v = verifier_of(&doc);
    let o = options(0);
    let (verdict, code) = verify(ptr::null(), text, &o);
    assert_eq!((verdict, code), (IkdVerdict::Error, Err("bad_argument".to_owned())));
    let mut view = ptr::null_mut();
    // SAFETY: NULL text is what is tested.
    assert_eq!(unsafe { ikd_verify(v, ptr::null(), &o, &mut view, &mut err) }, IkdVerdict::Error);
    assert!(view.is_null());
    assert_eq!(take_code(err), "bad_argument");
    // SAFETY: NULL options, view and error are all allowed.
    let t = cs(text);
    assert_ne!(unsafe { ikd_verify(v, t.as_ptr(), ptr::null(), ptr::null_mut(), ptr::null_mut()) }, IkdVerdict::Error);
    // SAFETY: NULL everywhere is allowed for these.
    unsafe {
        assert!(ikd_verifier_list_errors_json(ptr::null()).is_null());
        assert_eq!(CStr::from_ptr(ikd_error_code(ptr::null())).to_bytes(), b"");
        assert_eq!(CStr::from_ptr(ikd_error_message(ptr::null())).to_bytes(), b"");
        ikd_verifier_free(ptr::null_mut());
        ikd_string_free(ptr::null_mut());
        ikd_error_free(ptr::null_mut());
        ikd_verifier_free(v);
    }
}

#[test]
fn errors_carry_the_core_codes() {
    let doc = valid_case();
    let text = doc["input"]["qr_text"].as_str().unwrap();
    let mut err = ptr::null_mut();
    let bad = cs("{not json");
    // SAFETY: valid arguments.
    assert!(unsafe { ikd_verifier_from_trust_store(bad.as_ptr(), ptr::null(), -1, &mut err) }.is_null());
    assert_eq!(take_code(err), "trust_bad_json");
    let root = cs("ikdpk1:not-a-key");
    let roots = [root.as_ptr()];
    // SAFETY: valid arguments.
    assert!(
        unsafe {
            ikd_verifier_from_trust_list(b"x".as_ptr(), 1, roots.as_ptr(), 1, ptr::null(), 0, ptr::null(), -1, &mut err)
        }
        .is_null()
    );
    assert!(take_code(err).starts_with("key_"));

    let v = verifier_of(&doc);
    let mut o = options(0);
    let unknown = cs("no-such-policy");
    o.policy = unknown.as_ptr();
    assert_eq!(verify(v, text, &o).1, Err("policy_unknown".to_owned()));
    let broken = cs("{");
    o.policy = ptr::null();
    o.policies_json = broken.as_ptr();
    assert_eq!(verify(v, text, &o).1, Err("policy_bad_json".to_owned()));
    o.policies_json = ptr::null();
    // Not UTF-8.
    let raw = CString::new(b"IKD1:\xff".to_vec()).unwrap();
    let mut view = ptr::null_mut();
    // SAFETY: valid arguments.
    assert_eq!(unsafe { ikd_verify(v, raw.as_ptr(), &o, &mut view, &mut err) }, IkdVerdict::Error);
    assert_eq!(take_code(err), "bad_argument");
    // A text that does not verify is an answer, not an error.
    let (verdict, view) = verify(v, "IKD1:not base45!", &o);
    assert_eq!(verdict, IkdVerdict::Invalid);
    assert_eq!(view.unwrap()["code"], "decode_bad_base45");
    // SAFETY: freed once.
    unsafe { ikd_verifier_free(v) };
}

#[test]
fn english_on_request_and_the_nik_masked_by_default() {
    let doc = valid_case();
    let text = doc["input"]["qr_text"].as_str().unwrap();
    let now = ikd_core::Timestamp::parse_rfc3339(doc["clock"].as_str().unwrap()).unwrap().unix();
    let v = verifier_of(&doc);
    let mut o = options(now);
    let id = verify(v, text, &o).1.unwrap();
    let en_name = cs("en");
    o.lang = en_name.as_ptr();
    let en = verify(v, text, &o).1.unwrap();
    assert_eq!((id["lang"].as_str(), en["lang"].as_str()), (Some("id"), Some("en")));
    assert_ne!(id["message"], en["message"]);
    assert_eq!(id["claims"]["nik"], "************0003");
    o.show_nik = true;
    assert_eq!(verify(v, text, &o).1.unwrap()["claims"]["nik"], "3604055708900003");
    // The view starts with the verdict and the code.
    let t = cs(text);
    let mut view = ptr::null_mut();
    // SAFETY: valid arguments.
    unsafe { ikd_verify(v, t.as_ptr(), &o, &mut view, ptr::null_mut()) };
    assert!(take_string(view).starts_with(r#"{"verdict":"VALID","code":"ok","#));
    // SAFETY: a static string.
    assert_eq!(unsafe { CStr::from_ptr(ikd_version()) }.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    // SAFETY: freed once.
    unsafe { ikd_verifier_free(v) };
}

#[test]
fn a_panic_becomes_internal_error() {
    let out: Result<(), _> = ikd_capi::session::guard(ikd_core::Lang::En, || panic!("a bug"));
    let e = out.unwrap_err();
    assert_eq!(e.code, "internal_error");
    assert!(e.message.contains("internal error"));
}
