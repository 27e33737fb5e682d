//! The service policies a front end knows: the built-in ones ([`Policy::builtin`]) merged with
//! those of a policy file. One rule for every front end (`ikd verify --policy-file`, the
//! server's `policies_file`, the bindings): a file policy with the name of a built-in one
//! replaces it in place; any other is appended, in the file's order.

use crate::{Lang, Policy, PolicyError};

/// Where a policy of a [`PolicySet`] comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicySource {
    /// Built into this library ([`Policy::builtin`]).
    Builtin,
    /// Read from a policy file; the text is how the caller named it (usually its path).
    File(String),
}

impl PolicySource {
    /// `builtin`, or the file's name.
    pub fn as_str(&self) -> &str {
        match self {
            PolicySource::Builtin => "builtin",
            PolicySource::File(f) => f,
        }
    }
}

/// An ordered set of service policies with unique names, each with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySet {
    entries: Vec<(Policy, PolicySource)>,
}

impl Default for PolicySet {
    fn default() -> Self {
        PolicySet::builtin()
    }
}

impl PolicySet {
    /// The built-in policies alone.
    pub fn builtin() -> PolicySet {
        PolicySet { entries: Policy::builtin().into_iter().map(|p| (p, PolicySource::Builtin)).collect() }
    }

    /// The built-in policies merged with the JSON policy list `text` (the format of
    /// [`Policy::list_from_json`]), read from `source`.
    pub fn with_file(text: &str, source: impl Into<String>) -> Result<PolicySet, PolicyError> {
        let mut set = PolicySet::builtin();
        set.merge(Policy::list_from_json(text)?, source.into());
        Ok(set)
    }

    /// Merges `list`: a policy with the name of one already held replaces it in place, any
    /// other is appended.
    pub fn merge(&mut self, list: Vec<Policy>, source: String) {
        for p in list {
            let entry = (p, PolicySource::File(source.clone()));
            match self.entries.iter_mut().find(|(q, _)| q.name == entry.0.name) {
                Some(slot) => *slot = entry,
                None => self.entries.push(entry),
            }
        }
    }

    /// The policy called `name`.
    pub fn get(&self, name: &str) -> Option<&Policy> {
        self.entries.iter().find(|(p, _)| p.name == name).map(|(p, _)| p)
    }

    /// The policy called `name`, or the error every front end reports for a name it does not
    /// know (`policy_unknown`, with the names it does).
    pub fn resolve(&self, name: &str) -> Result<&Policy, UnknownPolicy> {
        self.get(name).ok_or_else(|| UnknownPolicy {
            name: name.to_owned(),
            known: self.names().into_iter().map(str::to_owned).collect(),
        })
    }

    /// The policies in order, with their sources.
    pub fn iter(&self) -> impl Iterator<Item = (&Policy, &PolicySource)> {
        self.entries.iter().map(|(p, s)| (p, s))
    }

    /// The policies' names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(p, _)| p.name.as_str()).collect()
    }

    /// The policies, in order, without their sources.
    pub fn into_policies(self) -> Vec<Policy> {
        self.entries.into_iter().map(|(p, _)| p).collect()
    }
}

/// A policy name that is neither built in nor in the policy file (`policy_unknown`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown policy `{name}`")]
pub struct UnknownPolicy {
    /// The name asked for.
    pub name: String,
    /// The names of the policies there are, in order.
    pub known: Vec<String>,
}

impl UnknownPolicy {
    /// The stable code: `policy_unknown`.
    pub fn code(&self) -> &'static str {
        "policy_unknown"
    }

    /// The message, naming the policies there are.
    pub fn message(&self, lang: Lang) -> String {
        let known = self.known.join(", ");
        match lang {
            Lang::Id => format!("kebijakan `{}` tidak dikenal; yang ada: {known}", self.name),
            Lang::En => format!("unknown policy `{}`; the policies are: {known}", self.name),
        }
    }
}

crate::lang::user_error!(UnknownPolicy);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_unknown_name_is_policy_unknown_with_the_names_there_are() {
        let set = PolicySet::builtin();
        let e = set.resolve("kantor-pos").unwrap_err();
        assert_eq!(e.code(), "policy_unknown");
        assert_eq!(e.known, set.names());
        assert!(e.message(Lang::Id).contains("`kantor-pos` tidak dikenal"), "{}", e.message(Lang::Id));
        assert!(e.message(Lang::En).contains("apotek"), "{}", e.message(Lang::En));
        assert_eq!(set.resolve("apotek").unwrap().name, "apotek");
    }

    // Issue 14: the merge rule of the CLI and the server lives here once.
    #[test]
    fn file_policy_replaces_builtin_in_place_and_new_ones_are_appended() {
        let file = r#"[{"name": "hotel", "required": ["nama"]}, {"name": "kantor", "required": ["nik"]}]"#;
        let set = PolicySet::with_file(file, "p.json").unwrap();
        let builtin = PolicySet::builtin();
        let mut names = builtin.names();
        names.push("kantor");
        assert_eq!(set.names(), names);
        let hotel = set.iter().find(|(p, _)| p.name == "hotel").unwrap();
        assert_eq!(hotel.0.required.names(), ["nama"]);
        assert_eq!(hotel.1.as_str(), "p.json");
        assert_eq!(set.iter().find(|(p, _)| p.name == "umum").unwrap().1, &PolicySource::Builtin);
        assert!(set.get("kantor").is_some());
        assert!(set.get("nope").is_none());
    }

    #[test]
    fn a_bad_policy_file_is_refused_with_its_code() {
        assert_eq!(PolicySet::with_file("{", "x").unwrap_err().code(), "policy_bad_json");
        assert_eq!(
            PolicySet::with_file(r#"[{"name": "a", "required": ["zzz"]}]"#, "x").unwrap_err().code(),
            "policy_unknown_claim"
        );
    }
}
