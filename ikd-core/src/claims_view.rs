//! The claims a verification shows, typed ([`ClaimsView`]): what `claims` holds in the one
//! verification view ([`crate::VerificationView`]), in JSON the same object as
//! [`crate::Verification::claims_json`], byte for byte (keys in byte order, as serde_json's map).
//!
//! Front ends that do not go through JSON (the Python binding) read it directly, so no claim is
//! turned into a JSON map and back on every verification.

use std::borrow::Cow;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// One claim's value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimValue {
    /// A text claim (names, dates as `YYYY-MM-DD`, coded values, the NIK, the photo as base64).
    Text(String),
    /// An age predicate (`age_over_17`, `age_over_21`, `age_over_60`).
    Bool(bool),
    /// A disclosed slot that holds nothing (a presentation's `foto` of a credential without one).
    Null,
}

impl ClaimValue {
    /// The text, for a text claim.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ClaimValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value, for an age predicate.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ClaimValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// As a JSON value.
    pub fn to_json(&self) -> Value {
        match self {
            ClaimValue::Text(s) => Value::String(s.clone()),
            ClaimValue::Bool(b) => Value::Bool(*b),
            ClaimValue::Null => Value::Null,
        }
    }
}

impl Serialize for ClaimValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ClaimValue::Text(t) => s.serialize_str(t),
            ClaimValue::Bool(b) => s.serialize_bool(*b),
            ClaimValue::Null => s.serialize_unit(),
        }
    }
}

impl<'de> Deserialize<'de> for ClaimValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClaimValue, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(ClaimValue::Text(s)),
            Value::Bool(b) => Ok(ClaimValue::Bool(b)),
            Value::Null => Ok(ClaimValue::Null),
            _ => Err(serde::de::Error::custom("a claim is a string, a boolean or null")),
        }
    }
}

/// The claims a verification shows, by name, in byte order of the names (the order of their
/// JSON object). Built only by the core; a name appears at most once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimsView {
    entries: Vec<(Cow<'static, str>, ClaimValue)>,
}

impl ClaimsView {
    /// An empty set, to be filled with [`ClaimsView::put`] and closed with
    /// [`ClaimsView::finish`].
    pub(crate) fn with_capacity(n: usize) -> ClaimsView {
        ClaimsView { entries: Vec::with_capacity(n) }
    }

    /// Adds one claim; a later claim of the same name replaces an earlier one when the view is
    /// finished. Call [`ClaimsView::finish`] before handing the view out.
    pub(crate) fn put(&mut self, name: &'static str, value: ClaimValue) {
        self.entries.push((Cow::Borrowed(name), value));
    }

    /// Puts the claims in name order, keeping the last of claims with the same name.
    pub(crate) fn finish(mut self) -> ClaimsView {
        // Stable: claims of one name stay in the order they were put.
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.entries.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        self
    }

    /// The value of the claim `name`.
    pub fn get(&self, name: &str) -> Option<&ClaimValue> {
        self.entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(name))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|e| &e.1)
    }

    /// The text of the claim `name`, when it is a text claim.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(ClaimValue::as_str)
    }

    /// The claims, in name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &ClaimValue)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// How many claims there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// As a JSON object.
    pub fn to_json(&self) -> Value {
        Value::Object(self.entries.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect())
    }

    /// The NIK replaced by [`mask_nik`], unless `show_nik` (the view's one masking
    /// rule).
    pub(crate) fn masked(mut self, show_nik: bool) -> ClaimsView {
        if !show_nik && let Some((_, ClaimValue::Text(nik))) = self.entries.iter_mut().find(|(k, _)| k == "nik") {
            *nik = mask_nik(nik);
        }
        self
    }
}

impl Serialize for ClaimsView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            m.serialize_entry(k.as_ref(), v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for ClaimsView {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ClaimsView, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ClaimsView;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of claims")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ClaimsView, A::Error> {
                let mut entries: Vec<(Cow<'static, str>, ClaimValue)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, ClaimValue>()? {
                    entries.push((Cow::Owned(k), v));
                }
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                if let Some(w) = entries.windows(2).find(|w| w.first().map(|e| &e.0) == w.get(1).map(|e| &e.0)) {
                    let name = w.first().map(|e| e.0.to_string()).unwrap_or_default();
                    return Err(serde::de::Error::custom(format!("claim `{name}` appears twice")));
                }
                Ok(ClaimsView { entries })
            }
        }
        d.deserialize_map(V)
    }
}

/// The masking rule: every character of `nik` but the last four replaced by `*`
/// (`3604011203880007` → `************0007`). The one place the NIK is masked.
pub fn mask_nik(nik: &str) -> String {
    let n = nik.chars().count();
    nik.chars().enumerate().map(|(i, c)| if i + 4 < n { '*' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_is_the_sorted_object_and_round_trips() {
        let mut c = ClaimsView::with_capacity(3);
        c.put("nik", ClaimValue::Text("3604011203880007".into()));
        c.put("age_over_17", ClaimValue::Bool(true));
        c.put("foto", ClaimValue::Null);
        let c = c.finish();
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"age_over_17":true,"foto":null,"nik":"3604011203880007"}"#);
        assert_eq!(c.to_json(), serde_json::from_str::<Value>(&serde_json::to_string(&c).unwrap()).unwrap());
        let back: ClaimsView = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        assert_eq!(c.text("nik"), Some("3604011203880007"));
        assert_eq!(c.get("age_over_17").and_then(ClaimValue::as_bool), Some(true));
        assert_eq!(c.get("nama"), None);
    }

    #[test]
    fn masking_replaces_only_the_nik() {
        let mut c = ClaimsView::with_capacity(2);
        c.put("nama", ClaimValue::Text("BUDI".into()));
        c.put("nik", ClaimValue::Text("3604011203880007".into()));
        let c = c.finish();
        assert_eq!(c.clone().masked(false).text("nik"), Some("************0007"));
        assert_eq!(c.clone().masked(true).text("nik"), Some("3604011203880007"));
        assert_eq!(c.masked(false).text("nama"), Some("BUDI"));
    }

    #[test]
    fn a_claim_twice_or_a_number_is_refused() {
        assert!(serde_json::from_str::<ClaimsView>(r#"{"nik":"1","nik":"2"}"#).is_err());
        assert!(serde_json::from_str::<ClaimsView>(r#"{"nik":1}"#).is_err());
    }

    #[test]
    fn put_replaces_a_claim_of_the_same_name() {
        let mut c = ClaimsView::with_capacity(1);
        c.put("nama", ClaimValue::Text("A".into()));
        c.put("nama", ClaimValue::Text("B".into()));
        assert_eq!(c.finish().iter().collect::<Vec<_>>(), vec![("nama", &ClaimValue::Text("B".into()))]);
    }
}
