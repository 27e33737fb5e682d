//! Issuing (`import ikd.issuing`): keys and credentials through the core's one issuing policy
//! (`ikd_core::issuance::plan`, as `ikd issue` and the server's `POST /v1/credentials`).

use ikd_capi::session::{BindingError, guard};
use ikd_core::issuance::{DEFAULT_VALID_DAYS, MAX_VALID_DAYS, PlanRequest, Start, plan};
use ikd_core::photo::PhotoLimits;
use ikd_core::{Claims, Issuer, PublicKey, Serial, StatusIndex, Timestamp};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::{lang_of, py_err, time_of};

/// An issuer's secret signing key. Its `repr` shows only the public key; the secret leaves
/// only through `to_file_text()`.
#[pyclass(module = "ikd.issuing", frozen)]
pub struct SecretKey {
    key: ikd_core::SecretKey,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public key {})", self.key.public_key().to_text())
    }
}

#[pymethods]
impl SecretKey {
    /// SecretKey.generate(): a new key from the operating system's randomness.
    #[staticmethod]
    fn generate(py: Python<'_>) -> PyResult<Self> {
        let key = ikd_core::SecretKey::generate().map_err(|_| {
            py_err(
                py,
                BindingError {
                    code: "key_generation_failed".to_owned(),
                    message: "randomness of the operating system unavailable / keacakan sistem operasi tidak tersedia"
                        .to_owned(),
                },
            )
        })?;
        Ok(SecretKey { key })
    }

    /// SecretKey.from_file_text(text, *, lang="id"): reads a key file (`ikd keygen`).
    #[staticmethod]
    #[pyo3(signature = (text, *, lang=None))]
    fn from_file_text(py: Python<'_>, text: &str, lang: Option<&str>) -> PyResult<Self> {
        let lang = lang_of(lang);
        let key =
            ikd_core::SecretKey::from_file_text(text).map_err(|e| py_err(py, BindingError::from_core(&e, lang)))?;
        Ok(SecretKey { key })
    }

    /// The public key, `ikdpk1:…`.
    #[getter]
    fn public_key(&self) -> String {
        self.key.public_key().to_text()
    }

    /// The key file's text: THE SECRET. Store it as `ikd keygen` does (mode 0600).
    fn to_file_text(&self) -> String {
        self.key.to_file_text().to_string()
    }

    fn __repr__(&self) -> String {
        format!("<ikd.issuing.SecretKey public_key={}>", self.key.public_key().to_text())
    }
}

/// issue(key, claims, serial, status_index, *, valid_days=1825, valid_from=None,
/// holder_key=None, photo=None, now=None, lang="id") -> dict
#[pyfunction]
#[pyo3(signature = (key, claims, serial, status_index, *, valid_days=DEFAULT_VALID_DAYS, valid_from=None, holder_key=None, photo=None, now=None, lang=None))]
#[allow(clippy::too_many_arguments)] // the Python keyword arguments
fn issue<'py>(
    py: Python<'py>,
    key: &SecretKey,
    claims: &Bound<'py, PyAny>,
    serial: u64,
    status_index: u32,
    valid_days: u32,
    valid_from: Option<&str>,
    holder_key: Option<&str>,
    photo: Option<&[u8]>,
    now: Option<&Bound<'py, PyAny>>,
    lang: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let lang = lang_of(lang);
    let now = time_of(py, now, lang)?.unwrap_or_else(Timestamp::now);
    let claims_json: String = match claims.cast::<PyString>() {
        Ok(s) => s.to_cow()?.into_owned(),
        Err(_) => py.import("json")?.call_method1("dumps", (claims,))?.extract()?,
    };
    let claims = Claims::from_json(&claims_json).map_err(|e| py_err(py, BindingError::from_core(&e, lang)))?;
    let holder_key = holder_key
        .map(|k| PublicKey::from_text(k.trim()).map_err(|e| py_err(py, BindingError::from_core(&e, lang))))
        .transpose()?;
    let start = match valid_from {
        None => Start::Now,
        Some(s) => Start::parse(s).ok_or_else(|| py_err(py, BindingError::bad_argument("valid_from", lang)))?,
    };
    let serial = Serial::new(serial).ok_or_else(|| py_err(py, BindingError::bad_argument("serial", lang)))?;
    let req = PlanRequest {
        claims: &claims,
        holder_key,
        start,
        valid_days,
        max_valid_days: MAX_VALID_DAYS,
        photo,
        photo_limits: PhotoLimits::default(),
    };
    let (issued, planned) = py
        .detach(|| {
            guard(lang, || {
                let planned = plan(&req, now).map_err(|e| BindingError::from_core(&e, lang))?;
                // SecretKey has no Clone (on purpose): the issuer gets its own copy from the key
                // file text, which is wiped on drop.
                let copy = ikd_core::SecretKey::from_file_text(&key.key.to_file_text())
                    .map_err(|e| BindingError::from_core(&e, lang))?;
                let issuer = Issuer::new(copy);
                let issued = issuer
                    .issue(&planned.request(serial, StatusIndex::new(status_index)))
                    .map_err(|e| BindingError::from_core(&e, lang))?;
                Ok::<_, BindingError>((issued, planned))
            })
        })
        .map_err(|e| py_err(py, e))?;
    let d = PyDict::new(py);
    d.set_item("text", issued.text())?;
    d.set_item("serial", serial.get())?;
    d.set_item("status_index", status_index)?;
    d.set_item("issued_at", planned.issued_at().unix())?;
    d.set_item("valid_from", planned.valid_from().unix())?;
    d.set_item("expires_at", planned.expires_at().unix())?;
    d.set_item("shortened_to_berlaku_hingga", planned.shortened_to_berlaku_hingga())?;
    Ok(d.into_any())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<SecretKey>()?;
    m.add_function(wrap_pyfunction!(issue, m)?)?;
    Ok(())
}
