//! Signed trust lists and status lists: verification (`TrustList.verify`,
//! `StatusList.verify_under`) and holding (`ListHolder`, the core's `list_holder` decisions).

use std::sync::Mutex;

use ikd_capi::session::{BindingError, Session};
use ikd_core::list_holder::{RepinPolicy, decide_status_list, decide_trust_list};
use ikd_core::status::StatusList as CoreStatusList;
use ikd_core::trustlist::TrustList as CoreTrustList;
use ikd_core::{DEFAULT_SKEW_SECS, Lang, PublicKey, StatusIndex, Timestamp, Verifier as CoreVerifier};
use pyo3::prelude::*;

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
    trust: Option<CoreTrustList>,
    /// Each held status list with its file, to verify it again under a new trust list.
    status: Vec<(Vec<u8>, CoreStatusList)>,
}

/// Holds a trust list and status lists across downloads, accepting each download by the core's
/// rules (`ikd_core::list_holder`: no rollback, successors signed by the held list's next roots,
/// re-pinning only when allowed).
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
    /// lists that no longer verify under a new trust list are dropped.
    fn offer_trust_list(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let bytes = bytes_of(py, data, "data", self.lang)?;
        let mut held = self.held.lock().map_err(|_| py_err(py, BindingError::internal(self.lang)))?;
        let decision = decide_trust_list(held.trust.as_ref(), &bytes, &self.roots, self.repin)
            .map_err(|e| py_err(py, BindingError::from_core(&e, self.lang)))?;
        let kind = decision.kind();
        if let Some(list) = decision.into_list() {
            // A status list signed by a key the new trust list no longer names as its signer,
            // or marks compromised, could be an attacker's: drop it (the core's rule,
            // `StatusList::verify_under_trust_list`).
            held.status.retain(|(bytes, _)| CoreStatusList::verify_under_trust_list(bytes, &list).is_ok());
            held.trust = Some(list);
        }
        Ok(kind)
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
        let new = match &held.trust {
            Some(t) => CoreStatusList::verify_under_trust_list(&bytes, t),
            None => Err(ikd_core::status::StatusListError::IssuerNotTrusted),
        }
        .map_err(|e| py_err(py, BindingError::from_core(&e, lang)))?;
        let pos = held.status.iter().position(|(_, s)| s.issuer_key() == new.issuer_key());
        let old = pos.and_then(|i| held.status.get(i)).map(|(_, s)| s);
        let decision = decide_status_list(old, new, now, DEFAULT_SKEW_SECS)
            .map_err(|e| py_err(py, BindingError::from_core(&e, lang)))?;
        let kind = decision.kind();
        if let Some(list) = decision.into_list() {
            match pos.and_then(|i| held.status.get_mut(i)) {
                Some(slot) => *slot = (bytes, list),
                None => held.status.push((bytes, list)),
            }
        }
        Ok(kind)
    }

    /// The held trust list, or None.
    #[getter]
    fn trust_list(&self, py: Python<'_>) -> PyResult<Option<TrustList>> {
        let held = self.held.lock().map_err(|_| py_err(py, BindingError::internal(self.lang)))?;
        Ok(held.trust.clone().map(|list| TrustList { list }))
    }

    /// verifier(*, skew_seconds=None): a Verifier over the held lists (nothing trusted when no
    /// trust list is held).
    #[pyo3(signature = (*, skew_seconds=None))]
    fn verifier(&self, py: Python<'_>, skew_seconds: Option<i64>) -> PyResult<Verifier> {
        let held = self.held.lock().map_err(|_| py_err(py, BindingError::internal(self.lang)))?;
        let v = match &held.trust {
            // Status is checked only when status lists are held, as for Verifier.from_trust_list.
            Some(t) if held.status.is_empty() => CoreVerifier::from_trust_list(t.clone()),
            Some(t) => {
                CoreVerifier::from_trust_list(t.clone()).with_status_lists(held.status.iter().map(|(_, s)| s.clone()))
            }
            None => CoreVerifier::new(ikd_core::TrustStore::new()),
        };
        Ok(Verifier { session: Session::from_verifier(v, skew_seconds) })
    }

    fn __repr__(&self) -> String {
        let held = self.held.lock().map(|h| (h.trust.as_ref().map(CoreTrustList::sequence), h.status.len()));
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
