//! The wasm-bindgen exports: JS values in, [`crate::api`] called, JS objects (parsed from the
//! core's JSON) out; errors thrown as JS `Error`s with `name = "IkdError"` and a `code`.

use ikd_core::Lang;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::api::{self, BindingError, Options};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of a verification; every field is optional. */
export interface VerifyOptions {
  /** "id" (Bahasa Indonesia, the default) or "en"; an Accept-Language value also works. */
  lang?: string;
  /** A service policy by name: built in (apotek, hotel, bank, lansia, umum) or from `policies`. */
  policy?: string;
  /** A policy file (JSON array, docs/FORMAT.md §6.1) merged over the built-in policies. */
  policies?: string;
  /** The counter's challenge: a string (its UTF-8 bytes) or bytes. */
  challenge?: string | Uint8Array;
  /** Clock-skew tolerance in seconds (default 300); used when the verifier is made. */
  skewSeconds?: number;
  /** Signed status lists (verifyWithTrustList and Verifier.withTrustList only). */
  statusLists?: Uint8Array[];
  /** Show the full NIK (masked except its last four digits by default). */
  showNik?: boolean;
  /** Put the embedded face photo in `photo.data` as a data: URL. */
  photo?: boolean;
}

/** A list given to a trust-list verification that did not verify, and so is not used. */
export interface ListError {
  list: "trust_list" | "status_list";
  index: number | null;
  code: string;
  message: string;
}

/** One check of the report, in the order the checks ran. */
export interface CheckView {
  check: string;
  outcome: "passed" | "failed" | "undetermined" | "skipped" | "not_checked";
  code: string | null;
}

/**
 * The core's verification view (ikd_core::view::VerificationView, docs/CLI.md and
 * docs/SERVER.md): the same JSON as `ikd verify --json` and the server's /v1/verify, plus
 * `list_errors`. Claims, withheld, age_over, presentation and photo only when VALID.
 */
export interface VerificationView {
  verdict: "VALID" | "INVALID" | "UNDETERMINED";
  code: string;
  message: string;
  lang: "id" | "en";
  detail: string | null;
  kind: "credential" | "presentation" | null;
  live: boolean | null;
  credential: {
    key_id: string; serial: number; status_index: number; issued_at: string;
    valid_from: string; expires_at: string; holder_key: string | null;
  } | null;
  issuer: { name: string; key_id: string; public_key: string; not_before: string; not_after: string } | null;
  claims: Record<string, unknown> | null;
  withheld: string[];
  age_over: { "17"?: boolean | null; "21"?: boolean | null; "60"?: boolean | null } | null;
  presentation: { live: boolean; signed_at: string | null; challenge: string | null } | null;
  policy: string | null;
  photo: { present: boolean; bytes: number | null; data: string | null } | null;
  report: CheckView[];
  list_errors: ListError[];
}

/** What a credential text says, NOT verified (`verified` is always false). */
export interface Inspection {
  verified: false;
  notice: string;
  key_id: string;
  serial: number;
  status_index: number;
  issued_at: string;
  valid_from: string;
  expires_at: string;
  holder_key: string | null;
  claims: Record<string, unknown>;
  [field: string]: unknown;
}

/** What the package throws: an Error with the core's stable code. */
export interface IkdError extends Error {
  name: "IkdError";
  code: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// The JS options object (TypeScript `VerifyOptions`), read field by field by [`options`].
    #[wasm_bindgen(typescript_type = "VerifyOptions")]
    pub type VerifyOptions;
}

/// The error thrown to JS: an `Error` named `IkdError` with the stable `code`.
fn throw(e: BindingError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("IkdError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(&e.code));
    err.into()
}

fn parse(json: &str) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(json)
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn string(obj: &JsValue, key: &str, lang: Lang) -> Result<Option<String>, BindingError> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| BindingError::bad_argument(&format!("options.{key}"), lang))
}

fn boolean(obj: &JsValue, key: &str, lang: Lang) -> Result<bool, BindingError> {
    let v = get(obj, key);
    if absent(&v) {
        return Ok(false);
    }
    v.as_bool().ok_or_else(|| BindingError::bad_argument(&format!("options.{key}"), lang))
}

/// The optional options argument as a JS value (`undefined` when left out or `null`).
fn js_options(options: Option<VerifyOptions>) -> JsValue {
    options.map_or(JsValue::UNDEFINED, JsValue::from)
}

/// Reads the options object (or `undefined`).
fn options(obj: &JsValue) -> Result<Options, BindingError> {
    let mut o = Options::default();
    if absent(obj) {
        return Ok(o);
    }
    if !obj.is_object() {
        return Err(BindingError::bad_argument("options", o.lang));
    }
    if let Some(l) = string(obj, "lang", o.lang)? {
        o.lang = Lang::from_header(&l);
    }
    let lang = o.lang;
    o.policy = string(obj, "policy", lang)?;
    o.policies_json = string(obj, "policies", lang)?;
    let challenge = get(obj, "challenge");
    if !absent(&challenge) {
        o.challenge = Some(match challenge.as_string() {
            Some(s) => s.into_bytes(),
            None => bytes(&challenge).ok_or_else(|| BindingError::bad_argument("options.challenge", lang))?,
        });
    }
    let skew = get(obj, "skewSeconds");
    if !absent(&skew) {
        let s = skew
            .as_f64()
            .filter(|s| s.is_finite() && s.fract() == 0.0 && (0.0..=86_400.0).contains(s))
            .ok_or_else(|| BindingError::bad_argument("options.skewSeconds", lang))?;
        #[allow(clippy::cast_possible_truncation)] // a whole number in 0..=86400, checked above
        let s = s as i64;
        o.skew_secs = Some(s);
    }
    o.show_nik = boolean(obj, "showNik", lang)?;
    o.photo = boolean(obj, "photo", lang)?;
    Ok(o)
}

fn bytes(v: &JsValue) -> Option<Vec<u8>> {
    v.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}

/// `options.statusLists` as byte vectors.
fn status_lists(obj: &JsValue, lang: Lang) -> Result<Vec<Vec<u8>>, BindingError> {
    if absent(obj) {
        return Ok(Vec::new());
    }
    let v = get(obj, "statusLists");
    if absent(&v) {
        return Ok(Vec::new());
    }
    let arr = v.dyn_ref::<Array>().ok_or_else(|| BindingError::bad_argument("options.statusLists", lang))?;
    arr.iter()
        .enumerate()
        .map(|(i, item)| {
            bytes(&item).ok_or_else(|| BindingError::bad_argument(&format!("options.statusLists[{i}]"), lang))
        })
        .collect()
}

/// Verifies a credential or presentation text against a trust store (JSON text) at
/// `nowUnixSeconds`; answers the verification view. Live presentations are checked for replay
/// only within this one call: use `Verifier` to remember them.
#[wasm_bindgen(js_name = verify, unchecked_return_type = "VerificationView")]
pub fn verify(
    text: &str,
    #[wasm_bindgen(js_name = trustStoreJson)] trust_store_json: &str,
    #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
    options: Option<VerifyOptions>,
) -> Result<JsValue, JsValue> {
    let options = js_options(options);
    let opts = self::options(&options).map_err(throw)?;
    let json = api::verify(text, trust_store_json, now_unix_seconds, &opts).map_err(throw)?;
    parse(&json)
}

/// Verifies a text against a signed trust list checked with the pinned root keys
/// (`ikdpk1:` texts), and the status lists in `options.statusLists`. A list that does not
/// verify is not used and is named in `list_errors`.
#[wasm_bindgen(js_name = verifyWithTrustList, unchecked_return_type = "VerificationView")]
pub fn verify_with_trust_list(
    text: &str,
    #[wasm_bindgen(js_name = trustList)] trust_list: &[u8],
    #[wasm_bindgen(js_name = pinnedRoots)] pinned_roots: Vec<String>,
    #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
    options: Option<VerifyOptions>,
) -> Result<JsValue, JsValue> {
    let options = js_options(options);
    let opts = self::options(&options).map_err(throw)?;
    let lists = status_lists(&options, opts.lang).map_err(throw)?;
    let json =
        api::verify_with_trust_list(text, trust_list, &pinned_roots, &lists, now_unix_seconds, &opts).map_err(throw)?;
    parse(&json)
}

/// Decodes a credential text WITHOUT verifying it, for inspection: `verified` is false.
#[wasm_bindgen(js_name = decode, unchecked_return_type = "Inspection")]
pub fn decode(text: &str, options: Option<VerifyOptions>) -> Result<JsValue, JsValue> {
    let options = js_options(options);
    let opts = self::options(&options).map_err(throw)?;
    let json = api::decode(text, &opts).map_err(throw)?;
    parse(&json)
}

/// A verifier kept across calls, so that live presentations already accepted are refused as
/// replays (the replay memory lives as long as the object; it is not saved).
#[wasm_bindgen(js_name = Verifier)]
#[derive(Debug)]
pub struct JsVerifier {
    inner: api::Session,
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    /// A verifier over a trust store (JSON text); `options.skewSeconds` applies to every call.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = trustStoreJson)] trust_store_json: &str,
        options: Option<VerifyOptions>,
    ) -> Result<JsVerifier, JsValue> {
        let options = js_options(options);
        let opts = self::options(&options).map_err(throw)?;
        Ok(JsVerifier { inner: api::Session::with_trust_store(trust_store_json, &opts).map_err(throw)? })
    }

    /// A verifier over a signed trust list, the pinned roots and `options.statusLists`.
    #[wasm_bindgen(js_name = withTrustList)]
    pub fn with_trust_list(
        #[wasm_bindgen(js_name = trustList)] trust_list: &[u8],
        #[wasm_bindgen(js_name = pinnedRoots)] pinned_roots: Vec<String>,
        options: Option<VerifyOptions>,
    ) -> Result<JsVerifier, JsValue> {
        let options = js_options(options);
        let opts = self::options(&options).map_err(throw)?;
        let lists = status_lists(&options, opts.lang).map_err(throw)?;
        Ok(JsVerifier {
            inner: api::Session::with_trust_list(trust_list, &pinned_roots, &lists, &opts).map_err(throw)?,
        })
    }

    /// Verifies a text at `nowUnixSeconds` with this verifier's replay memory.
    #[wasm_bindgen(unchecked_return_type = "VerificationView")]
    pub fn verify(
        &self,
        text: &str,
        #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
        options: Option<VerifyOptions>,
    ) -> Result<JsValue, JsValue> {
        let options = js_options(options);
        let opts = self::options(&options).map_err(throw)?;
        let json = self.inner.verify(text, now_unix_seconds, &opts).map_err(throw)?;
        parse(&json)
    }

    /// The lists that did not verify when this verifier was made.
    #[wasm_bindgen(getter, js_name = listErrors, unchecked_return_type = "ListError[]")]
    pub fn list_errors(&self) -> Result<JsValue, JsValue> {
        parse(&self.inner.list_errors_json().to_string())
    }
}
