//! # ikd-python
//!
//! The native part (`ikd._ikd`) of the Python package `ikd` (PyO3, one abi3 wheel for
//! CPython ≥ 3.9, built by maturin: `pip install ./ikd-python`). The Python API, its stubs and
//! docstrings are in `python/ikd/`; `docs/BINDINGS.md` is the guide.
//!
//! The bindings are thin: every decision is ikd-core's, reached through the bindings' common
//! part, `ikd_capi::session` (shared with the C interface). This crate turns Python values into
//! Rust ones and the core's JSON views into Python dicts, raises `ikd.IkdError` with the core's
//! stable `code`, and releases the GIL while verifying and scanning.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod issuing;
mod lists;
mod view;

use ikd_capi::session::{self, BindingError, CallOptions, Session, guard};
use ikd_core::{Lang, Timestamp};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};
use serde_json::Value;

/// mimalloc for the extension's own (Rust) allocations: a verification's view, decoded claims
/// and report are many short strings, and glibc malloc was about 7 % of a Python `verify`
/// (docs/BENCHMARKS.md, "Python and C bindings"). Python's objects stay with Python's
/// allocator; nothing allocated here is freed by Python or the other way round.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    _ikd,
    IkdError,
    PyException,
    "An error of the IKD library: `code` is the stable machine code (docs/CODES.md), `message` the text in the language of the call."
);

/// The Python exception for a binding error, with `code` and `message` attributes.
pub(crate) fn py_err(py: Python<'_>, e: BindingError) -> PyErr {
    let err = IkdError::new_err(e.message.clone());
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail short of memory exhaustion;
    // if it did, the exception still carries the message.
    let _ = value.setattr("code", e.code);
    let _ = value.setattr("message", e.message);
    err
}

/// The language argument.
pub(crate) fn lang_of(lang: Option<&str>) -> Lang {
    session::lang(lang)
}

/// `now`: None (the system clock), Unix seconds (int or float), or an aware `datetime`.
pub(crate) fn time_of(py: Python<'_>, now: Option<&Bound<'_, PyAny>>, lang: Lang) -> PyResult<Option<Timestamp>> {
    let Some(now) = now else { return Ok(None) };
    if now.is_none() {
        return Ok(None);
    }
    // Numbers first: they are the common case, and cheap to recognise.
    let secs: f64 = if let Ok(f) = now.cast::<PyFloat>() {
        f.value()
    } else if let Ok(i) = now.cast::<PyInt>() {
        let i: i64 = i.extract().map_err(|_| py_err(py, BindingError::bad_argument("now", lang)))?;
        return Ok(Some(Timestamp::from_unix(i)));
    } else if now.hasattr("timestamp")? {
        if now.getattr("tzinfo").map(|t| t.is_none()).unwrap_or(true) {
            // A naive datetime would be read in the machine's local zone: refuse it.
            return Err(py_err(py, BindingError::bad_argument("now (a datetime needs a time zone)", lang)));
        }
        now.call_method0("timestamp")?.extract()?
    } else {
        return Err(py_err(py, BindingError::bad_argument("now", lang)));
    };
    // ±2^53: every integer a float holds exactly.
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    if !secs.is_finite() || secs.abs() > LIMIT {
        return Err(py_err(py, BindingError::bad_argument("now", lang)));
    }
    #[allow(clippy::cast_possible_truncation)] // finite and within ±2^53, checked above
    Ok(Some(Timestamp::from_unix(secs.floor() as i64)))
}

/// A `str` (its UTF-8 bytes) or `bytes` argument.
pub(crate) fn bytes_of(py: Python<'_>, v: &Bound<'_, PyAny>, what: &str, lang: Lang) -> PyResult<Vec<u8>> {
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    v.extract::<Vec<u8>>().map_err(|_| py_err(py, BindingError::bad_argument(what, lang)))
}

/// The `challenge` argument: None, `str` or `bytes`.
fn challenge_of(py: Python<'_>, c: Option<&Bound<'_, PyAny>>, lang: Lang) -> PyResult<Option<Vec<u8>>> {
    match c {
        Some(c) if !c.is_none() => Ok(Some(bytes_of(py, c, "challenge", lang)?)),
        _ => Ok(None),
    }
}

/// A JSON value as Python objects (dict, list, str, int, float, bool, None).
pub(crate) fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    view::value_to_py(py, v)
}

/// A verifier: the trust it was made with, and the replay memory of the live presentations it
/// accepted, for as long as it lives. Safe to share between threads; `verify` releases the GIL.
#[pyclass(module = "ikd", frozen)]
#[derive(Debug)]
pub struct Verifier {
    pub(crate) session: Session,
}

/// The per-call options of `verify` and `verify_json`, read from their Python arguments once.
struct Call<'a> {
    lang: Lang,
    now: Option<Timestamp>,
    policy: Option<&'a str>,
    policies: Option<&'a str>,
    challenge: Option<Vec<u8>>,
    show_nik: bool,
    photo: bool,
}

impl<'a> Call<'a> {
    #[allow(clippy::too_many_arguments)] // the Python keyword arguments
    fn read<'py>(
        py: Python<'py>,
        now: Option<&Bound<'py, PyAny>>,
        policy: Option<&'a str>,
        challenge: Option<&Bound<'py, PyAny>>,
        lang: Option<&str>,
        policies: Option<&'a str>,
        show_nik: bool,
        photo: bool,
    ) -> PyResult<Call<'a>> {
        let lang = lang_of(lang);
        let now = time_of(py, now, lang)?;
        let challenge = challenge_of(py, challenge, lang)?;
        Ok(Call { lang, now, policy, policies, challenge, show_nik, photo })
    }

    /// Runs `f` with these options without the GIL, a panic turned into `internal_error`.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&CallOptions<'_>) -> Result<T, BindingError> + Send,
    ) -> PyResult<T> {
        let opts = CallOptions {
            lang: self.lang,
            now: self.now,
            policy: self.policy,
            policies_json: self.policies,
            challenge: self.challenge.as_deref(),
            show_nik: self.show_nik,
            photo: self.photo,
        };
        py.detach(|| guard(self.lang, || f(&opts))).map_err(|e| py_err(py, e))
    }
}

#[pymethods]
impl Verifier {
    /// Verifier(trust_store, *, skew_seconds=None, lang="id")
    #[new]
    #[pyo3(signature = (trust_store, *, skew_seconds=None, lang=None))]
    fn new(
        py: Python<'_>,
        trust_store: &Bound<'_, PyAny>,
        skew_seconds: Option<i64>,
        lang: Option<&str>,
    ) -> PyResult<Verifier> {
        let lang = lang_of(lang);
        let json = if let Ok(s) = trust_store.cast::<PyString>() {
            s.to_cow()?.into_owned()
        } else if let Ok(b) = trust_store.cast::<PyBytes>() {
            String::from_utf8(b.as_bytes().to_vec())
                .map_err(|_| py_err(py, BindingError::bad_argument("trust_store (not UTF-8)", lang)))?
        } else {
            // A dict (or anything json.dumps takes).
            let json = py.import("json")?;
            json.call_method1("dumps", (trust_store,))?.extract()?
        };
        let session = Session::with_trust_store(&json, skew_seconds, lang).map_err(|e| py_err(py, e))?;
        Ok(Verifier { session })
    }

    /// Verifier.from_trust_list(trust_list, pinned_roots, status_lists=(), *, skew_seconds=None, lang="id")
    #[staticmethod]
    #[pyo3(signature = (trust_list, pinned_roots, status_lists=Vec::new(), *, skew_seconds=None, lang=None))]
    fn from_trust_list(
        py: Python<'_>,
        trust_list: &Bound<'_, PyAny>,
        pinned_roots: Vec<String>,
        status_lists: Vec<Bound<'_, PyAny>>,
        skew_seconds: Option<i64>,
        lang: Option<&str>,
    ) -> PyResult<Verifier> {
        let lang = lang_of(lang);
        let list = bytes_of(py, trust_list, "trust_list", lang)?;
        let statuses =
            status_lists.iter().map(|s| bytes_of(py, s, "status_lists", lang)).collect::<PyResult<Vec<_>>>()?;
        let roots: Vec<&str> = pinned_roots.iter().map(String::as_str).collect();
        let status_refs: Vec<&[u8]> = statuses.iter().map(Vec::as_slice).collect();
        let session = py
            .detach(|| guard(lang, || Session::with_trust_list(&list, &roots, &status_refs, skew_seconds, lang)))
            .map_err(|e| py_err(py, e))?;
        Ok(Verifier { session })
    }

    /// verify(text, now=None, policy=None, challenge=None, *, lang="id", policies=None, show_nik=False, photo=False)
    #[pyo3(signature = (text, now=None, policy=None, challenge=None, *, lang=None, policies=None, show_nik=false, photo=false))]
    #[allow(clippy::too_many_arguments)] // the Python keyword arguments
    fn verify<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        now: Option<&Bound<'py, PyAny>>,
        policy: Option<&str>,
        challenge: Option<&Bound<'py, PyAny>>,
        lang: Option<&str>,
        policies: Option<&str>,
        show_nik: bool,
        photo: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let call = Call::read(py, now, policy, challenge, lang, policies, show_nik, photo)?;
        // Everything but building the dict runs without the GIL.
        let answer = call.run(py, |opts| self.session.verify(text, opts))?;
        view::answer_to_py(py, answer)
    }

    /// verify_json(text, now=None, policy=None, challenge=None, *, lang="id", policies=None, show_nik=False, photo=False):
    /// the same answer as `verify`, as JSON text (what `ikd verify --json`, the server and the
    /// C interface answer).
    #[pyo3(signature = (text, now=None, policy=None, challenge=None, *, lang=None, policies=None, show_nik=false, photo=false))]
    #[allow(clippy::too_many_arguments)] // the Python keyword arguments
    fn verify_json<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        now: Option<&Bound<'py, PyAny>>,
        policy: Option<&str>,
        challenge: Option<&Bound<'py, PyAny>>,
        lang: Option<&str>,
        policies: Option<&str>,
        show_nik: bool,
        photo: bool,
    ) -> PyResult<String> {
        let call = Call::read(py, now, policy, challenge, lang, policies, show_nik, photo)?;
        call.run(py, |opts| self.session.verify_json(text, opts).map(|(_, json)| json))
    }

    /// The lists that did not verify when the verifier was made.
    #[getter]
    fn list_errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.session.list_errors_json())
    }

    fn __repr__(&self) -> String {
        format!("<ikd.Verifier list_errors={}>", self.session.list_errors().len())
    }
}

/// decode(text, *, lang="id", show_nik=False): what a credential says, NOT verified.
#[pyfunction]
#[pyo3(signature = (text, *, lang=None, show_nik=false))]
fn decode<'py>(py: Python<'py>, text: &str, lang: Option<&str>, show_nik: bool) -> PyResult<Bound<'py, PyAny>> {
    let lang = lang_of(lang);
    let view = session::decode(text, lang, show_nik).map_err(|e| py_err(py, e))?;
    to_py(py, &view)
}

/// scan(image, *, lang="id", live_frame=False): the QR codes in a PNG, JPEG or WebP image.
#[pyfunction]
#[pyo3(signature = (image, *, lang=None, live_frame=false))]
fn scan<'py>(py: Python<'py>, image: &[u8], lang: Option<&str>, live_frame: bool) -> PyResult<Bound<'py, PyAny>> {
    use ikd_core::scan::{ScanEffort, ScanLimits, decode_image_with};
    let lang = lang_of(lang);
    let effort = if live_frame { ScanEffort::LiveFrame } else { ScanEffort::Thorough };
    let codes = py
        .detach(|| {
            guard(lang, || {
                decode_image_with(image, &ScanLimits::default(), effort).map_err(|e| BindingError::from_core(&e, lang))
            })
        })
        .map_err(|e| py_err(py, e))?;
    let out = PyList::empty(py);
    for c in &codes {
        let d = PyDict::new(py);
        d.set_item("text", c.text())?;
        d.set_item("bytes", PyBytes::new(py, c.bytes()))?;
        d.set_item("is_ikd", c.is_ikd())?;
        out.append(d)?;
    }
    Ok(out.into_any())
}

/// The native module `ikd._ikd`.
#[pymodule]
fn _ikd(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("IkdError", py.get_type::<IkdError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("BAD_ARGUMENT", session::BAD_ARGUMENT)?;
    m.add("POLICY_UNKNOWN", session::POLICY_UNKNOWN)?;
    m.add_class::<Verifier>()?;
    m.add_function(wrap_pyfunction!(decode, m)?)?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    lists::register(m)?;
    issuing::register(m)?;
    Ok(())
}
