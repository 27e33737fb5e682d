//! The C functions (see `include/ikd.h`, generated from these comments by cbindgen).
//!
//! Conventions, for every function:
//!
//! * Strings in are NUL-terminated UTF-8 (`const char *`); byte arrays come as pointer + length.
//! * Every pointer argument is checked: a null where a value is required is the error
//!   `bad_argument`, never a crash. Optional pointers say so.
//! * A function that can fail takes `IkdError **error` as its last argument (may be NULL when
//!   the caller does not want the details). On failure `*error` receives an error the caller
//!   owns and frees with `ikd_error_free`; on success `*error` is set to NULL.
//! * Everything returned through a `char **` or as `IkdVerifier *` is owned by the caller and
//!   freed with the matching `ikd_*_free` function, exactly once.
//! * A panic inside the library is caught at the boundary and reported as `internal_error`.
//!
//! Thread safety: an `IkdVerifier` may be used by many threads at once (`ikd_verify` takes it
//! as `const`; its replay memory is locked inside). Errors and strings belong to the thread
//! that received them until freed. `ikd_verifier_free` must not race with a verification.

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use ikd_core::{Lang, Timestamp, Verdict};

use crate::session::{self, BindingError, CallOptions, Session, guard};

/// The verdict of `ikd_verify`, or `IKD_VERDICT_ERROR` when it could not run (see `error`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IkdVerdict {
    /// The verification could not run: bad arguments, an unknown policy (see `error`).
    Error = -1,
    /// Every check passed.
    Valid = 0,
    /// A check failed: the text must not be accepted.
    Invalid = 1,
    /// A check could not be done (unknown issuer, no status information): not accepted either.
    Undetermined = 2,
}

/// An error: a stable code (`docs/CODES.md`, `docs/BINDINGS.md`) and a message. Opaque; read
/// it with `ikd_error_code` and `ikd_error_message`, free it with `ikd_error_free`.
#[derive(Debug)]
pub struct IkdError {
    code: CString,
    message: CString,
}

/// A verifier: the trust it was made with, and the replay memory of live presentations it
/// accepted, for as long as it lives. Opaque; free it with `ikd_verifier_free`.
#[derive(Debug)]
pub struct IkdVerifier {
    session: Session,
}

/// A byte array the caller owns: `len` bytes at `data` (`data` may be NULL only when `len` is 0).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IkdBytes {
    /// The first byte.
    pub data: *const u8,
    /// How many bytes.
    pub len: usize,
}

/// Options of one verification. All-zero (`IkdVerifyOptions o = {0};`) means the defaults:
/// Bahasa Indonesia, the system clock, no policy, no challenge, the NIK masked, no photo.
/// A NULL `const IkdVerifyOptions *` means the same.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct IkdVerifyOptions {
    /// Language of messages: "id" or "en" (an Accept-Language value also works); NULL: "id".
    pub lang: *const c_char,
    /// Whether `now_unix_seconds` is used; otherwise the system clock is read.
    pub has_now: bool,
    /// The time to verify at, in Unix seconds (when `has_now`).
    pub now_unix_seconds: i64,
    /// A service policy by name, built in or from `policies_json`; NULL: none.
    pub policy: *const c_char,
    /// A policy file (JSON array, docs/FORMAT.md §6.1) merged over the built-in policies; NULL: none.
    pub policies_json: *const c_char,
    /// The counter's challenge bytes; NULL: none (then `challenge_len` is ignored).
    pub challenge: *const u8,
    /// Length of `challenge`.
    pub challenge_len: usize,
    /// Show the full NIK; otherwise it is masked by the core's one rule.
    pub show_nik: bool,
    /// Put the embedded face photo in the view as a `data:` URL.
    pub photo: bool,
}

fn to_c_error(e: BindingError) -> *mut IkdError {
    // Codes and messages never hold NUL; if one ever did, it would be cut there, not lost.
    let cut = |s: String| {
        CString::new(s).unwrap_or_else(|e| {
            let pos = e.nul_position();
            let mut v = e.into_vec();
            v.truncate(pos);
            CString::new(v).unwrap_or_default()
        })
    };
    Box::into_raw(Box::new(IkdError { code: cut(e.code), message: cut(e.message) }))
}

/// Stores the outcome's error in `*error` (when `error` is not NULL) and returns the value.
///
/// SAFETY (for callers): `error` is NULL or points to writable storage for one pointer.
unsafe fn finish<T>(out: Result<T, BindingError>, error: *mut *mut IkdError, failed: T) -> T {
    let (value, err) = match out {
        Ok(v) => (v, ptr::null_mut()),
        Err(e) => (failed, to_c_error(e)),
    };
    if error.is_null() {
        if !err.is_null() {
            // SAFETY: `err` was made by `Box::into_raw` just above and given to no one.
            drop(unsafe { Box::from_raw(err) });
        }
    } else {
        // SAFETY: the caller promises `error` points to writable storage for one pointer.
        unsafe { error.write(err) };
    }
    value
}

/// A required C string argument as UTF-8.
///
/// SAFETY (for callers): `p` is NULL or a valid NUL-terminated string that outlives `'a`.
unsafe fn str_arg<'a>(p: *const c_char, what: &str, lang: Lang) -> Result<&'a str, BindingError> {
    if p.is_null() {
        return Err(BindingError::bad_argument(what, lang));
    }
    // SAFETY: not null (checked above); the caller promises a NUL-terminated string alive for 'a.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map_err(|_| BindingError::bad_argument(what, lang))
}

/// An optional C string argument (NULL: `None`).
///
/// SAFETY (for callers): as [`str_arg`].
unsafe fn opt_str_arg<'a>(p: *const c_char, what: &str, lang: Lang) -> Result<Option<&'a str>, BindingError> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller's promise, passed on.
    unsafe { str_arg(p, what, lang) }.map(Some)
}

/// A byte array argument (`data` may be NULL only when `len` is 0).
///
/// SAFETY (for callers): `data` is NULL or points to `len` readable bytes alive for `'a`.
unsafe fn bytes_arg<'a>(data: *const u8, len: usize, what: &str, lang: Lang) -> Result<&'a [u8], BindingError> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() || len > isize::MAX as usize {
        return Err(BindingError::bad_argument(what, lang));
    }
    // SAFETY: not null, len within isize::MAX (checked above); the caller promises `len`
    // readable bytes at `data`, alive for 'a and not written meanwhile.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

fn skew(skew_seconds: i64) -> Option<i64> {
    (skew_seconds >= 0).then_some(skew_seconds)
}

fn owned_string(s: String) -> *mut c_char {
    // JSON text never holds a raw NUL (serde_json escapes it as \u0000).
    CString::new(s).map_or(ptr::null_mut(), CString::into_raw)
}

/// Makes a verifier over a trust store (JSON, docs/FORMAT.md §5.1).
///
/// `lang` ("id", "en"; NULL: "id") is the language of the error message. `skew_seconds` is
/// the clock-skew tolerance (0 to 86400; negative: the default, 300).
/// Returns NULL on failure (`trust_*` codes, `bad_argument`), with `*error` set.
/// The caller owns the verifier: free it with `ikd_verifier_free`.
///
/// # Safety
///
/// `trust_store_json` and `lang` are NULL or NUL-terminated strings; `error` is NULL or
/// points to writable storage for one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_from_trust_store(
    trust_store_json: *const c_char,
    lang: *const c_char,
    skew_seconds: i64,
    error: *mut *mut IkdError,
) -> *mut IkdVerifier {
    let out = guard(Lang::Id, || {
        // SAFETY: the caller's promise on `lang`.
        let lang = session::lang(unsafe { opt_str_arg(lang, "lang", Lang::Id) }?);
        // SAFETY: the caller's promise on `trust_store_json`.
        let json = unsafe { str_arg(trust_store_json, "trust_store_json", lang) }?;
        let session = Session::with_trust_store(json, skew(skew_seconds), lang)?;
        Ok(Box::into_raw(Box::new(IkdVerifier { session })))
    });
    // SAFETY: the caller's promise on `error`.
    unsafe { finish(out, error, ptr::null_mut()) }
}

/// Makes a verifier over a signed trust list (the file's bytes), verified against the pinned
/// root keys (`roots`: `roots_len` strings `ikdpk1:…`), holding the status lists that verify
/// under it (`status_lists`: `status_lists_len` files; NULL when 0).
///
/// A list that does not verify is not used and does not fail the call: it is named in
/// `ikd_verifier_list_errors_json` and in every view's `list_errors`. With no good trust list
/// nothing is trusted (UNDETERMINED `issuer_unknown`); with a bad status list that issuer's
/// credentials are UNDETERMINED `status_unknown`. Never VALID on a list that failed.
/// Returns NULL on failure (a root that is not a public key: `key_*`; `bad_argument`).
///
/// # Safety
///
/// `trust_list` points to `trust_list_len` bytes; `roots` to `roots_len` NUL-terminated
/// strings; `status_lists` to `status_lists_len` `IkdBytes` each valid as documented there;
/// `lang` is NULL or a NUL-terminated string; `error` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_from_trust_list(
    trust_list: *const u8,
    trust_list_len: usize,
    roots: *const *const c_char,
    roots_len: usize,
    status_lists: *const IkdBytes,
    status_lists_len: usize,
    lang: *const c_char,
    skew_seconds: i64,
    error: *mut *mut IkdError,
) -> *mut IkdVerifier {
    let out = guard(Lang::Id, || {
        // SAFETY: the caller's promise on `lang`.
        let lang = session::lang(unsafe { opt_str_arg(lang, "lang", Lang::Id) }?);
        // SAFETY: the caller's promise on `trust_list`.
        let list = unsafe { bytes_arg(trust_list, trust_list_len, "trust_list", lang) }?;
        if roots_len > 0 && roots.is_null() {
            return Err(BindingError::bad_argument("roots", lang));
        }
        let mut root_texts = Vec::with_capacity(roots_len.min(64));
        for i in 0..roots_len {
            // SAFETY: `roots` is not null (checked) and the caller promises `roots_len` pointers.
            let p = unsafe { roots.add(i).read() };
            // SAFETY: the caller promises each is a NUL-terminated string.
            root_texts.push(unsafe { str_arg(p, "roots", lang) }?);
        }
        if status_lists_len > 0 && status_lists.is_null() {
            return Err(BindingError::bad_argument("status_lists", lang));
        }
        let mut statuses = Vec::with_capacity(status_lists_len.min(64));
        for i in 0..status_lists_len {
            // SAFETY: not null (checked) and the caller promises `status_lists_len` entries.
            let b = unsafe { status_lists.add(i).read() };
            // SAFETY: the caller promises each entry is valid as `IkdBytes` documents.
            statuses.push(unsafe { bytes_arg(b.data, b.len, "status_lists", lang) }?);
        }
        let session = Session::with_trust_list(list, &root_texts, &statuses, skew(skew_seconds), lang)?;
        Ok(Box::into_raw(Box::new(IkdVerifier { session })))
    });
    // SAFETY: the caller's promise on `error`.
    unsafe { finish(out, error, ptr::null_mut()) }
}

/// The lists that did not verify when the verifier was made, as JSON
/// (`[{"list": "trust_list"|"status_list", "index": n|null, "code": …, "message": …}]`; `[]`
/// when all verified). Messages in Bahasa Indonesia unless the verifier was made with "en".
/// Returns NULL when `verifier` is NULL. The caller frees the string with `ikd_string_free`.
///
/// # Safety
///
/// `verifier` is NULL or a live verifier from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_list_errors_json(verifier: *const IkdVerifier) -> *mut c_char {
    if verifier.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: not null; the caller promises a live verifier (shared access only).
    let v = unsafe { &*verifier };
    catch_unwind(AssertUnwindSafe(|| owned_string(v.session.list_errors_json().to_string()))).unwrap_or(ptr::null_mut())
}

/// Verifies a credential or presentation text (as read from the QR code).
///
/// Returns the verdict, and in `*view_json` (when `view_json` is not NULL) the core's
/// verification view as JSON text, with `list_errors` beside it: the same field names as
/// `ikd verify --json`, the server and the Python and WebAssembly packages. The caller frees
/// it with `ikd_string_free`. A text that does not verify is not an error: it is
/// `IKD_VERDICT_INVALID` or `IKD_VERDICT_UNDETERMINED` with its code in the view.
/// Returns `IKD_VERDICT_ERROR` (and `*view_json` = NULL, `*error` set) when the verification
/// could not run: `bad_argument` (NULL verifier or text, text not UTF-8), `policy_*`,
/// `policy_unknown`.
///
/// Thread-safe: many threads may verify with one verifier at once.
///
/// # Safety
///
/// `verifier` is NULL or a live verifier; `text` NULL or a NUL-terminated string; `options`
/// NULL or a valid `IkdVerifyOptions` whose pointers are valid as documented there;
/// `view_json` and `error` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verify(
    verifier: *const IkdVerifier,
    text: *const c_char,
    options: *const IkdVerifyOptions,
    view_json: *mut *mut c_char,
    error: *mut *mut IkdError,
) -> IkdVerdict {
    let out = guard(Lang::Id, || {
        let o = if options.is_null() {
            None
        } else {
            // SAFETY: not null; the caller promises a valid options struct.
            Some(unsafe { options.read() })
        };
        let lang = session::lang(match o {
            // SAFETY: the caller's promise on `options.lang`.
            Some(o) => unsafe { opt_str_arg(o.lang, "options.lang", Lang::Id) }?,
            None => None,
        });
        if verifier.is_null() {
            return Err(BindingError::bad_argument("verifier", lang));
        }
        // SAFETY: not null; the caller promises a live verifier (shared access only).
        let v = unsafe { &*verifier };
        // SAFETY: the caller's promise on `text`.
        let text = unsafe { str_arg(text, "text", lang) }?;
        let mut call = CallOptions { lang, ..CallOptions::default() };
        if let Some(o) = o {
            call.now = o.has_now.then(|| Timestamp::from_unix(o.now_unix_seconds));
            // SAFETY: the caller's promise on the options' pointers.
            call.policy = unsafe { opt_str_arg(o.policy, "options.policy", lang) }?;
            // SAFETY: as above.
            call.policies_json = unsafe { opt_str_arg(o.policies_json, "options.policies_json", lang) }?;
            if !o.challenge.is_null() {
                // SAFETY: as above.
                call.challenge = Some(unsafe { bytes_arg(o.challenge, o.challenge_len, "options.challenge", lang) }?);
            }
            call.show_nik = o.show_nik;
            call.photo = o.photo;
        }
        let (verdict, json) = v.session.verify_json(text, &call)?;
        let verdict = match verdict {
            Verdict::Valid => IkdVerdict::Valid,
            Verdict::Invalid => IkdVerdict::Invalid,
            Verdict::Undetermined => IkdVerdict::Undetermined,
        };
        Ok((verdict, json))
    });
    let (verdict, json) = match out {
        Ok((verdict, json)) => (verdict, Ok(owned_string(json))),
        Err(e) => (IkdVerdict::Error, Err(e)),
    };
    let json = match json {
        Ok(p) => p,
        Err(e) => {
            // SAFETY: the caller's promise on `error`.
            unsafe { finish::<()>(Err(e), error, ()) };
            ptr::null_mut()
        }
    };
    if verdict != IkdVerdict::Error && !error.is_null() {
        // SAFETY: the caller's promise on `error`.
        unsafe { error.write(ptr::null_mut()) };
    }
    if view_json.is_null() {
        if !json.is_null() {
            // SAFETY: made by CString::into_raw in `owned_string` and given to no one.
            drop(unsafe { CString::from_raw(json) });
        }
    } else {
        // SAFETY: the caller's promise on `view_json`.
        unsafe { view_json.write(json) };
    }
    verdict
}

/// Frees a verifier (NULL is ignored). No verification may be running with it.
///
/// # Safety
///
/// `verifier` is NULL or a verifier from this library not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_verifier_free(verifier: *mut IkdVerifier) {
    if !verifier.is_null() {
        // SAFETY: made by Box::into_raw in this library; the caller frees it once.
        drop(unsafe { Box::from_raw(verifier) });
    }
}

/// Frees a string returned by this library (NULL is ignored).
///
/// # Safety
///
/// `s` is NULL or a string from this library not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: made by CString::into_raw in this library; the caller frees it once.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// The error's stable code (e.g. "trust_bad_json"), valid until the error is freed; "" when
/// `error` is NULL.
///
/// # Safety
///
/// `error` is NULL or a live error from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_error_code(error: *const IkdError) -> *const c_char {
    if error.is_null() {
        return c"".as_ptr();
    }
    // SAFETY: not null; the caller promises a live error.
    unsafe { &*error }.code.as_ptr()
}

/// The error's message, in the language of the call, valid until the error is freed; "" when
/// `error` is NULL.
///
/// # Safety
///
/// `error` is NULL or a live error from this library.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_error_message(error: *const IkdError) -> *const c_char {
    if error.is_null() {
        return c"".as_ptr();
    }
    // SAFETY: not null; the caller promises a live error.
    unsafe { &*error }.message.as_ptr()
}

/// Frees an error (NULL is ignored).
///
/// # Safety
///
/// `error` is NULL or an error from this library not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ikd_error_free(error: *mut IkdError) {
    if !error.is_null() {
        // SAFETY: made by Box::into_raw in this library; the caller frees it once.
        drop(unsafe { Box::from_raw(error) });
    }
}

/// The library's version ("0.1.0"), a static string (never freed).
#[unsafe(no_mangle)]
pub extern "C" fn ikd_version() -> *const c_char {
    const VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(s) => s,
        Err(_) => c"unknown",
    };
    VERSION.as_ptr()
}
