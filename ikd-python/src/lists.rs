//! Signed trust lists and status lists: verification (`TrustList.verify`,
//! `StatusList.verify_under`) and holding (`ListHolder`, the core's `list_holder` decisions).

use std::sync::Mutex;

use ikd_capi::session::{BindingError, Session};
use ikd_core::list_holder::{DroppedStatusList, HeldLists, RepinPolicy};
use ikd_core::status::StatusList as CoreStatusList;
use ikd_core::trustlist::TrustList as CoreTrustList;
use ikd_core::{DEFAULT_SKEW_SECS, Lang, PublicKey, StatusIndex, Timestamp};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::{Verifier, bytes_of, lang_of, py_err, time_of, to_py};

fn roots_of(py: Python<'_>, roots: &[String], lang: Lang) -> PyResult<Vec<PublicKey>> {
    roots
        .iter()
        .map(|r| PublicKey::from_text(r.trim()).map_err(|e| py_err(py, BindingError::from_core(&e, lang))))
        .collect()
}

/// A signed trust list that verified.
#[pyclass(module = "ikd", frozen)]
#[derive(Debug)]
pub struct TrustList {
    list: CoreTrustList,
}

#[pymethods]
impl TrustList {
    /// TrustList.verify(data, pinned_roots, *, lang="id"): verifies a trust list file.
    #[staticmethod]
    #[pyo3(signature = (data, pinned_roots, *, lang=None))]
    fn verify(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        pinned_roots: Vec<String>,
        lang: Option<&str>,
    ) -> PyResult<Self> {
        let lang = lang_of(lang);
        let bytes = bytes_of(py, data, "data", lang)?;
        let roots = roots_of(py, &pinned_roots, lang)?;
        let list = CoreTrustList::verify(&bytes, &roots).map_err(|e| py_err(py, BindingError::from_core(&e, lang)))?;
        Ok(TrustList { list })
    }

    /// The list's sequence number.
    #[getter]
    fn sequence(&self) -> u64 {
        self.list.sequence()
    }

    /// When it was issued (Unix seconds).
    #[getter]
    fn issued_at(&self) -> i64 {
        self.list.issued_at().unix()
    }

    /// When the next list is due (Unix seconds).
    #[getter]
    fn next_update(&self) -> i64 {
        self.list.next_update().unix()
    }

    /// The issuer keys it names, as a trust store dict (docs/FORMAT.md §5.1).
    fn trust_store<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v: serde_json::Value = serde_json::from_str(&self.list.to_trust_store().to_json())
            .map_err(|_| py_err(py, BindingError::internal(Lang::En)))?;
        to_py(py, &v)
    }

    fn __len__(&self) -> usize {
        self.list.entries().len()
    }

    fn __repr__(&self) -> String {
        format!("<ikd.TrustList sequence={} entries={}>", self.list.sequence(), self.list.entries().len())
    }
}

/// A signed status (revocation) list that verified.
#[pyclass(module = "ikd", frozen)]
#[derive(Debug)]
pub struct StatusList {
    list: CoreStatusList,
}

#[pymethods]
impl StatusList {
    /// StatusList.verify_under(data, trust_list, *, lang="id"): verifies a status list file
    /// under a verified trust list (its issuer named there, signed by that entry's status key).
    #[staticmethod]
    #[pyo3(signature = (data, trust_list, *, lang=None))]
    fn verify_under(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        trust_list: &TrustList,
        lang: Option<&str>,
    ) -> PyResult<Self> {
        let lang = lang_of(lang);
        let bytes = bytes_of(py, data, "data", lang)?;
        let list = CoreStatusList::verify_under_trust_list(&bytes, &trust_list.list)
            .map_err(|e| py_err(py, BindingError::from_core(&e, lang)))?;
        Ok(StatusList { list })
    }

    /// The list's sequence number.
    #[getter]
    fn sequence(&self) -> u64 {
        self.list.sequence()
    }

    /// When it was issued (Unix seconds).
    #[getter]
    fn issued_at(&self) -> i64 {
        self.list.issued_at().unix()
    }

    /// When it expires (Unix seconds).
    #[getter]
    fn expires_at(&self) -> i64 {
        self.list.expires_at().unix()
    }

    /// The issuer key it covers (`ikdpk1:…`).
    #[getter]
    fn issuer_key(&self) -> String {
        self.list.issuer_key().to_text()
    }

    /// status(index, *, lang="id"): "valid", "revoked" or "suspended".
    #[pyo3(signature = (index, *, lang=None))]
    fn status(&self, py: Python<'_>, index: u32, lang: Option<&str>) -> PyResult<&'static str> {
        let lang = lang_of(lang);
        self.list
            .get(StatusIndex::new(index))
            .map(|s| s.code())
            .map_err(|e| py_err(py, BindingError::from_core(&e, lang)))
    }

    fn __len__(&self) -> usize {
        self.list.len() as usize
    }

    fn __repr__(&self) -> String {
        format!("<ikd.StatusList sequence={} entries={}>", self.list.sequence(), self.list.len())
    }
}

#[derive(Debug, Default)]
struct Held {
    lists: HeldLists,
    /// The status lists the last accepted trust list dropped.
    dropped: Vec<DroppedStatusList>,
}

/// Holds a trust list and status lists across downloads, accepting each download by the core's
/// rules (`ikd_core::list_holder::HeldLists`: no rollback, successors signed by the held list's
/// next roots, re-pinning only when allowed, held status lists verified again when the trust
/// list changes).
#[pyclass(module = "ikd", frozen)]
#[derive(Debug)]
pub struct ListHolder {
    roots: Vec<PublicKey>,
    repin: RepinPolicy,
    lang: Lang,
    held: Mutex<Held>,
}

#[pymethods]
impl ListHolder {
    /// ListHolder(pinned_roots, *, allow_repin=False, lang="id")
    #[new]
    #[pyo3(signature = (pinned_roots, *, allow_repin=false, lang=None))]
    fn new(py: Python<'_>, pinned_roots: Vec<String>, allow_repin: bool, lang: Option<&str>) -> PyResult<Self> {
        let lang = lang_of(lang);
        let roots = roots_of(py, &pinned_roots, lang)?;
        let repin = if allow_repin { RepinPolicy::AllowPinnedRoots } else { RepinPolicy::Refuse };
        Ok(ListHolder { roots, repin, lang, held: Mutex::new(Held::default()) })
    }

    /// offer_trust_list(data) -> "first" | "unchanged" | "successor" | "repinned". Raises
    /// IkdError (trust_list_* codes) when refused; the held list is then unchanged. Held status
    /// lists that no longer verify under a new trust list are dropped (`dropped_status_lists`).
    fn offer_trust_list(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let bytes = bytes_of(py, data, "data", self.lang)?;
        let mut held = self.held.lock().map_err(|_| py_err(py, BindingError::internal(self.lang)))?;
        let offer = held
            .lists
            .offer_trust_list(&bytes, &self.roots, self.repin)
            .map_err(|e| py_err(py, BindingError::from_core(&e, self.lang)))?;
        held.dropped = offer.dropped;
        Ok(offer.decision)
    }

    /// offer_status_list(data, now=None) -> "first" | "unchanged" | "successor". The list must
    /// verify under the held trust list and follow the held list of its issuer.
    #[pyo3(signature = (data, now=None))]
    fn offer_status_list(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<&'static str> {
        let lang = self.lang;
        let bytes = bytes_of(py, data, "data", lang)?;
        let now = time_of(py, now, lang)?.unwrap_or_else(Timestamp::now);
        let mut held = self.held.lock().map_err(|_| py_err(py, BindingError::internal(lang)))?;
        held.lists
            .offer_status_list(&bytes, now, DEFAULT_SKEW_SECS)
            .map_err(|e| py_err(py, BindingError::from_core(&e, lang)))
    }

    /// The held trust list, or None.
    #[getter]
    fn trust_list(&self, py: Python<'_>) -> PyResult<Option<TrustList>> {
        let held = self.held.lock().map_err(|_| py_err(py, BindingError::internal(self.lang)))?;
        Ok(held.lists.trust_list().cloned().map(|list| TrustList { list }))
    }

    /// The status lists the last accepted trust list dropped because they no longer verify
    /// under it: `[{issuer_key, sequence, code, message}]` (`[]` when none were).
    #[getter]
    fn dropped_status_lists<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let held = self.held.lock().map_err(|_| py_err(py, BindingError::internal(self.lang)))?;
        let out = PyList::empty(py);
        for d in &held.dropped {
            let item = PyDict::new(py);
            item.set_item("issuer_key", d.issuer_key.to_text())?;
            item.set_item("sequence", d.sequence)?;
            item.set_item("code", d.error.code())?;
            item.set_item("message", d.error.message(self.lang))?;
            out.append(item)?;
        }
        Ok(out)
    }

    /// verifier(*, skew_seconds=None): a Verifier over the held lists (nothing trusted when no
    /// trust list is held).
    #[pyo3(signature = (*, skew_seconds=None))]
    fn verifier(&self, py: Python<'_>, skew_seconds: Option<i64>) -> PyResult<Verifier> {
        let held = self.held.lock().map_err(|_| py_err(py, BindingError::internal(self.lang)))?;
        Ok(Verifier { session: Session::from_verifier(held.lists.verifier(), skew_seconds) })
    }

    fn __repr__(&self) -> String {
        let held = self
            .held
            .lock()
            .map(|h| (h.lists.trust_list().map(CoreTrustList::sequence), h.lists.status_lists().count()));
        match held {
            Ok((seq, n)) => format!("<ikd.ListHolder trust_list_sequence={seq:?} status_lists={n}>"),
            Err(_) => "<ikd.ListHolder>".to_owned(),
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<TrustList>()?;
    m.add_class::<StatusList>()?;
    m.add_class::<ListHolder>()?;
    Ok(())
}
