//! The wasm-bindgen exports: JS values in, [`crate::api`] called, JS objects (parsed from the
//! core's JSON) out; errors thrown as JS `Error`s with `name = "IkdError"` and a `code`.

use ikd_core::Lang;
use ikd_core::status::FreshnessPolicy;
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
  /** How long lists stay fresh, then in grace, offline (seconds; read when a verifier is made). */
  freshness?: { status_fresh_secs?: number; status_grace_secs?: number; trust_fresh_secs?: number; trust_grace_secs?: number };
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

/** Options with only the language of messages: "id" (the default) or "en". */
export interface LangOptions {
  lang?: string;
}

/** Options of decideTrustList / decideStatusList; every field is optional. */
export interface ListOptions {
  /** "id" (Bahasa Indonesia, the default) or "en". */
  lang?: string;
  /** Trust lists: accept a successor signed by `pinnedRoots` even though the held list's
   *  next_roots did not sign it (the operator's explicit re-pin). Default false. */
  repin?: boolean;
  /** Status lists: clock tolerance in seconds for a list dated ahead (default 300). */
  skewSeconds?: number;
  /** The `roots` of the answer that accepted the held trust list, kept beside it: the held
   *  trust list is verified under these and `pinnedRoots` together. */
  heldRoots?: string[];
}

/**
 * The core's answer to an offered list (ikd_core::list_holder::OfferView). `accept: false`:
 * keep the held list; `code` and `message` say why. `accept: true`: hold the offered bytes
 * from now on (for a trust list, pin `roots` beside them).
 */
export interface OfferView {
  list: "trust_list" | "status_list";
  accept: boolean;
  decision: "first" | "unchanged" | "successor" | "repinned" | null;
  code: string | null;
  message: string | null;
  sequence: number | null;
  issued_at: string | null;
  /** Trust lists: when the next list is planned (a refresh hint). */
  next_update: string | null;
  /** Status lists: issued_at + the list's TTL. */
  expires_at: string | null;
  freshness: "fresh" | "in_grace" | "stale" | null;
  age_secs: number | null;
  held_sequence: number | null;
  /** A held list was given but does not verify, so it was treated as absent: its code. */
  held_error: string | null;
  /** Trust lists: the root keys to keep pinned beside the held list (pass them next time). */
  roots: string[];
  /** Status lists: the key id of the issuer key the list covers. */
  key_id: string | null;
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

    /// The JS options object of the list decisions (TypeScript `ListOptions`).
    #[wasm_bindgen(typescript_type = "ListOptions")]
    pub type ListOptions;

    /// A counter challenge: a string (its UTF-8 bytes) or bytes.
    #[wasm_bindgen(typescript_type = "string | Uint8Array")]
    pub type Challenge;

    /// An options object with only `lang` (TypeScript `LangOptions`).
    #[wasm_bindgen(typescript_type = "LangOptions")]
    pub type LangOptions;
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
    o.repin = boolean(obj, "repin", lang)?;
    let held_roots = get(obj, "heldRoots");
    if !absent(&held_roots) {
        let arr = held_roots.dyn_ref::<Array>().ok_or_else(|| BindingError::bad_argument("options.heldRoots", lang))?;
        o.held_roots = arr
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.as_string().ok_or_else(|| BindingError::bad_argument(&format!("options.heldRoots[{i}]"), lang))
            })
            .collect::<Result<_, _>>()?;
    }
    let freshness = get(obj, "freshness");
    if !absent(&freshness) {
        o.freshness = Some(freshness_policy(&freshness, lang)?);
    }
    Ok(o)
}

/// `options.freshness`: the four periods of a freshness policy in seconds, with the field
/// names of `GET /v1/offline/bundle`'s `freshness_policy` (each a whole number from 0 to ten
/// years; a missing one keeps the core's default).
fn freshness_policy(obj: &JsValue, lang: Lang) -> Result<FreshnessPolicy, BindingError> {
    const MAX_SECS: f64 = 10.0 * 366.0 * 86_400.0;
    if !obj.is_object() {
        return Err(BindingError::bad_argument("options.freshness", lang));
    }
    let mut p = FreshnessPolicy::default();
    for (name, field) in [
        ("status_fresh_secs", &mut p.status_fresh_secs),
        ("status_grace_secs", &mut p.status_grace_secs),
        ("trust_fresh_secs", &mut p.trust_fresh_secs),
        ("trust_grace_secs", &mut p.trust_grace_secs),
    ] {
        let v = get(obj, name);
        if absent(&v) {
            continue;
        }
        let secs = v
            .as_f64()
            .filter(|s| s.is_finite() && s.fract() == 0.0 && (0.0..=MAX_SECS).contains(s))
            .ok_or_else(|| BindingError::bad_argument(&format!("options.freshness.{name}"), lang))?;
        #[allow(clippy::cast_possible_truncation)] // a whole number in 0..=MAX_SECS, checked above
        let secs = secs as i64;
        *field = secs;
    }
    Ok(p)
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

/// Decides whether a downloaded trust list (`offered`) replaces the one held (`held`, or
/// `null`), by the core's rule, with the pinned root keys (`ikdpk1:` texts). Answers an
/// `OfferView`; `accept: false` means keep the held list.
#[wasm_bindgen(js_name = decideTrustList, unchecked_return_type = "OfferView")]
pub fn decide_trust_list(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | null")] held: Option<Vec<u8>>,
    offered: &[u8],
    #[wasm_bindgen(js_name = pinnedRoots)] pinned_roots: Vec<String>,
    #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
    options: Option<ListOptions>,
) -> Result<JsValue, JsValue> {
    let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
    let opts = self::options(&options).map_err(throw)?;
    let json =
        api::decide_trust_list(held.as_deref(), offered, &pinned_roots, now_unix_seconds, &opts).map_err(throw)?;
    parse(&json)
}

/// Decides whether a downloaded status list (`offered`) replaces the one held (`held`, or
/// `null`), under the trust list held (`trustList`) verified with the pinned root keys.
/// Answers an `OfferView`; `accept: false` means keep the held list.
#[wasm_bindgen(js_name = decideStatusList, unchecked_return_type = "OfferView")]
pub fn decide_status_list(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | null")] held: Option<Vec<u8>>,
    offered: &[u8],
    #[wasm_bindgen(js_name = trustList)] trust_list: &[u8],
    #[wasm_bindgen(js_name = pinnedRoots)] pinned_roots: Vec<String>,
    #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
    options: Option<ListOptions>,
) -> Result<JsValue, JsValue> {
    let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
    let opts = self::options(&options).map_err(throw)?;
    let json = api::decide_status_list(held.as_deref(), offered, trust_list, &pinned_roots, now_unix_seconds, &opts)
        .map_err(throw)?;
    parse(&json)
}

/// A live presentation waiting for its holder signature (from `preparePresentation`).
#[wasm_bindgen(js_name = PreparedPresentation)]
#[derive(Debug)]
pub struct JsPrepared {
    inner: api::Prepared,
}

#[wasm_bindgen(js_class = PreparedPresentation)]
impl JsPrepared {
    /// The exact bytes the holder key must sign (Ed25519 over these bytes, no pre-hashing;
    /// WebCrypto: `crypto.subtle.sign("Ed25519", holderKey, signingBytes)`).
    #[wasm_bindgen(getter, js_name = signingBytes)]
    pub fn signing_bytes(&self) -> Vec<u8> {
        self.inner.signing_bytes().to_vec()
    }

    /// The credential's holder key, which must sign (an `ikdpk1:` text).
    #[wasm_bindgen(getter, js_name = holderPublicKey)]
    pub fn holder_public_key(&self) -> String {
        self.inner.holder_key().to_text()
    }

    /// The same key as 32 raw bytes (WebCrypto `importKey("raw", …, "Ed25519")`), to find or
    /// check the key the signer holds.
    #[wasm_bindgen(getter, js_name = holderPublicKeyRaw)]
    pub fn holder_public_key_raw(&self) -> Vec<u8> {
        self.inner.holder_key().as_bytes().to_vec()
    }

    /// The time it is signed at, Unix seconds.
    #[wasm_bindgen(getter, js_name = signedAtUnixSeconds)]
    pub fn signed_at(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)] // a time within ±2^53, checked when prepared
        let t = self.inner.time().unix() as f64;
        t
    }

    /// The claims it shows, by slot name.
    #[wasm_bindgen(getter)]
    pub fn disclosed(&self) -> Vec<String> {
        self.inner.disclosed().into_iter().map(str::to_owned).collect()
    }
}

/// Step one of a live presentation of a full credential text showing the claims `disclose`,
/// signed at `nowUnixSeconds`, answering the counter's `challenge` (a string, its UTF-8 bytes,
/// or bytes) if given. The holder's key signs `signingBytes` outside this package; then
/// `finishPresentation`. Throws `present_*`, `disclosure_*` or `decode_*` codes.
#[wasm_bindgen(js_name = preparePresentation)]
pub fn prepare_presentation(
    #[wasm_bindgen(js_name = credentialText)] credential_text: &str,
    disclose: Vec<String>,
    #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
    challenge: Option<Challenge>,
    options: Option<LangOptions>,
) -> Result<JsPrepared, JsValue> {
    let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
    let opts = self::options(&options).map_err(throw)?;
    let challenge = challenge.map_or(JsValue::UNDEFINED, JsValue::from);
    let challenge = if absent(&challenge) {
        None
    } else {
        Some(match challenge.as_string() {
            Some(s) => s.into_bytes(),
            None => bytes(&challenge).ok_or_else(|| throw(BindingError::bad_argument("challenge", opts.lang)))?,
        })
    };
    let inner =
        api::prepare_presentation(credential_text, &disclose, now_unix_seconds, challenge, opts.lang).map_err(throw)?;
    Ok(JsPrepared { inner })
}

/// Step two: the presentation text, with the holder's 64-byte Ed25519 `signature` over
/// `prepared.signingBytes`. The signature must verify under the credential's holder key
/// (`present_holder_signature_invalid` otherwise).
#[wasm_bindgen(js_name = finishPresentation)]
pub fn finish_presentation(
    prepared: &JsPrepared,
    signature: &[u8],
    options: Option<LangOptions>,
) -> Result<String, JsValue> {
    let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
    let opts = self::options(&options).map_err(throw)?;
    prepared.inner.finish(signature, opts.lang).map_err(throw)
}

/// A presentation of a full credential text showing only `disclose`, with no holder
/// signature (not live: policies that require a live presentation refuse it).
#[wasm_bindgen(js_name = staticPresentation)]
pub fn static_presentation(
    #[wasm_bindgen(js_name = credentialText)] credential_text: &str,
    disclose: Vec<String>,
    options: Option<LangOptions>,
) -> Result<String, JsValue> {
    let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
    let opts = self::options(&options).map_err(throw)?;
    api::static_presentation(credential_text, &disclose, opts.lang).map_err(throw)
}

/// A verifier kept across calls, so that live presentations already accepted are refused as
/// replays. The replay memory lives as long as the object; `exportReplay` / `importReplay`
/// carry it across a reload.
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

    /// A snapshot of the live presentations this verifier remembers whose window has not
    /// ended at `nowUnixSeconds` (or the latest time it was given): bytes to store and give
    /// back to `importReplay` after a reload.
    #[wasm_bindgen(js_name = exportReplay)]
    pub fn export_replay(
        &self,
        #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: Option<f64>,
    ) -> Result<Vec<u8>, JsValue> {
        self.inner.export_replay(now_unix_seconds, Lang::default()).map_err(throw)
    }

    /// Adds a snapshot from `exportReplay` to what this verifier remembers (never removes
    /// anything); answers how many live entries were added. Bad bytes throw
    /// `replay_state_invalid` (or `_too_large`, `_version`, `_full`) and change nothing.
    #[wasm_bindgen(js_name = importReplay)]
    pub fn import_replay(
        &self,
        bytes: &[u8],
        #[wasm_bindgen(js_name = nowUnixSeconds)] now_unix_seconds: f64,
        options: Option<LangOptions>,
    ) -> Result<u32, JsValue> {
        let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
        let opts = self::options(&options).map_err(throw)?;
        let added = self.inner.import_replay(bytes, now_unix_seconds, opts.lang).map_err(throw)?;
        Ok(u32::try_from(added).unwrap_or(u32::MAX))
    }

    /// The lists that did not verify when this verifier was made.
    #[wasm_bindgen(getter, js_name = listErrors, unchecked_return_type = "ListError[]")]
    pub fn list_errors(&self) -> Result<JsValue, JsValue> {
        parse(&self.inner.list_errors_json().to_string())
    }
}
