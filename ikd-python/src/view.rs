//! The core's verification view as a Python dict, built directly from the typed view with
//! interned keys (the keys are the same for every call). The same dict `json.loads` makes of
//! the view's JSON (`Verifier.verify_json`; `tests/test_api.py` checks every vector): every
//! struct is destructured without `..`, so a field added to the core's view does not compile
//! here until it is converted too. Nothing is decided here: which fields are filled, masking,
//! messages are the core's (`ikd_core::view`).

use ikd_capi::session::Answer;
use ikd_core::VerificationView;
use ikd_core::view::{
    AgeOverView, CheckView, ClaimValue, ClaimsView, HeaderView, IssuerView, PhotoView, PresentationView,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3::{IntoPyObjectExt, intern};
use serde_json::Value;

/// The Python string for a fixed text of the view (claim names, check names, outcomes, verdicts,
/// kinds, language tags), interned once per call site by `intern!`: a dict key or value that is
/// already a Python string, its hash computed, costs less than a new one on every call. Any
/// other text gets a new string.
macro_rules! fixed {
    ($py:expr, $text:expr; $($name:literal),+ $(,)?) => {
        match $text {
            $($name => intern!($py, $name).clone(),)+
            other => PyString::new($py, other),
        }
    };
}

/// `text` as a Python string ([`fixed!`]).
fn text<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
    fixed!(py, text;
        // Claim names (ikd_core::SLOT_NAMES and ClaimField::ALL).
        "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "golongan_darah", "alamat", "rt", "rw",
        "kel_desa", "kecamatan", "kabupaten_kota", "provinsi", "agama", "status_perkawinan", "pekerjaan",
        "kewarganegaraan", "negara", "berlaku_hingga", "foto", "age_over_17", "age_over_21", "age_over_60",
        // Checks (ikd_core::Check) and their outcomes.
        "decode", "issuer_known", "signature", "key_valid_at_issuance", "validity_window", "nik_consistency",
        "holder_binding", "policy", "status", "revocation",
        "passed", "failed", "undetermined", "skipped", "not_checked",
        // Verdicts, the commonest code, kinds, languages.
        "VALID", "INVALID", "UNDETERMINED", "ok", "credential", "presentation", "id", "en",
    )
}

/// The claims view as a dict (the same as `json.loads` of its JSON).
fn claims<'py>(py: Python<'py>, c: &ClaimsView) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, value) in c.iter() {
        let v = match value {
            ClaimValue::Text(s) => PyString::new(py, s).into_any(),
            ClaimValue::Bool(b) => b.into_bound_py_any(py)?,
            _ => py.None().into_bound(py),
        };
        d.set_item(text(py, name), v)?;
    }
    Ok(d)
}

/// A JSON value as Python objects (dict, list, str, int, float, bool, None).
pub(crate) fn value_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(a) => {
            let list = PyList::empty(py);
            for item in a {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(o) => {
            let dict = PyDict::new(py);
            for (k, item) in o {
                dict.set_item(k, value_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

fn header<'py>(py: Python<'py>, h: HeaderView) -> PyResult<Bound<'py, PyDict>> {
    let HeaderView { key_id, serial, status_index, issued_at, valid_from, expires_at, holder_key } = h;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "key_id"), key_id)?;
    d.set_item(intern!(py, "serial"), serial)?;
    d.set_item(intern!(py, "status_index"), status_index)?;
    d.set_item(intern!(py, "issued_at"), issued_at)?;
    d.set_item(intern!(py, "valid_from"), valid_from)?;
    d.set_item(intern!(py, "expires_at"), expires_at)?;
    d.set_item(intern!(py, "holder_key"), holder_key)?;
    Ok(d)
}

fn issuer<'py>(py: Python<'py>, i: IssuerView) -> PyResult<Bound<'py, PyDict>> {
    let IssuerView { name, key_id, public_key, not_before, not_after } = i;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "name"), name)?;
    d.set_item(intern!(py, "key_id"), key_id)?;
    d.set_item(intern!(py, "public_key"), public_key)?;
    d.set_item(intern!(py, "not_before"), not_before)?;
    d.set_item(intern!(py, "not_after"), not_after)?;
    Ok(d)
}

fn age_over<'py>(py: Python<'py>, a: AgeOverView) -> PyResult<Bound<'py, PyDict>> {
    let AgeOverView { over_17, over_21, over_60 } = a;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "17"), over_17)?;
    d.set_item(intern!(py, "21"), over_21)?;
    d.set_item(intern!(py, "60"), over_60)?;
    Ok(d)
}

fn presentation<'py>(py: Python<'py>, p: PresentationView) -> PyResult<Bound<'py, PyDict>> {
    let PresentationView { live, signed_at, challenge } = p;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "live"), live)?;
    d.set_item(intern!(py, "signed_at"), signed_at)?;
    d.set_item(intern!(py, "challenge"), challenge)?;
    Ok(d)
}

fn photo<'py>(py: Python<'py>, p: PhotoView) -> PyResult<Bound<'py, PyDict>> {
    let PhotoView { present, bytes, data } = p;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "present"), present)?;
    d.set_item(intern!(py, "bytes"), bytes)?;
    d.set_item(intern!(py, "data"), data)?;
    Ok(d)
}

fn report<'py>(py: Python<'py>, r: Vec<CheckView>) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for c in r {
        let CheckView { check, outcome, code } = c;
        let d = PyDict::new(py);
        d.set_item(intern!(py, "check"), text(py, &check))?;
        d.set_item(intern!(py, "outcome"), text(py, &outcome))?;
        d.set_item(intern!(py, "code"), code.as_deref().map(|c| text(py, c)))?;
        list.append(d)?;
    }
    Ok(list)
}

/// `value`, or None.
fn opt<'py, T>(
    py: Python<'py>,
    value: Option<T>,
    f: impl FnOnce(Python<'py>, T) -> PyResult<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Some(v) => Ok(f(py, v)?.into_any()),
        None => Ok(py.None().into_bound(py)),
    }
}

/// The answer of one verification (the view, then `list_errors`) as a dict.
pub(crate) fn answer_to_py(py: Python<'_>, answer: Answer) -> PyResult<Bound<'_, PyDict>> {
    let Answer { view, list_errors } = answer;
    let VerificationView {
        verdict,
        code,
        message,
        lang,
        detail,
        kind,
        live,
        credential,
        issuer: issuer_view,
        claims,
        withheld,
        age_over: age,
        presentation: pres,
        policy,
        photo: photo_view,
        report: checks,
    } = view;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "verdict"), text(py, verdict.as_str()))?;
    d.set_item(intern!(py, "code"), text(py, &code))?;
    d.set_item(intern!(py, "message"), message)?;
    d.set_item(intern!(py, "lang"), text(py, &lang))?;
    d.set_item(intern!(py, "detail"), detail)?;
    d.set_item(intern!(py, "kind"), kind.map(|k| text(py, k.as_str())))?;
    d.set_item(intern!(py, "live"), live)?;
    d.set_item(intern!(py, "credential"), opt(py, credential, header)?)?;
    d.set_item(intern!(py, "issuer"), opt(py, issuer_view, issuer)?)?;
    let claims = match &claims {
        Some(c) => self::claims(py, c)?.into_any(),
        None => py.None().into_bound(py),
    };
    d.set_item(intern!(py, "claims"), claims)?;
    d.set_item(intern!(py, "withheld"), PyList::new(py, withheld.iter().map(|w| text(py, w)))?)?;
    d.set_item(intern!(py, "age_over"), opt(py, age, age_over)?)?;
    d.set_item(intern!(py, "presentation"), opt(py, pres, presentation)?)?;
    d.set_item(intern!(py, "policy"), policy)?;
    d.set_item(intern!(py, "photo"), opt(py, photo_view, photo)?)?;
    d.set_item(intern!(py, "report"), report(py, checks)?)?;
    d.set_item(intern!(py, "list_errors"), value_to_py(py, &list_errors)?)?;
    Ok(d)
}
