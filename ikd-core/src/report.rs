//! The report of every verification check and its outcome.

use serde::Serialize;

use crate::reason::Reason;

/// The checks, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Check {
    /// Text layer and binary format.
    Decode,
    /// A trusted key has the credential's key id.
    IssuerKnown,
    /// The issuer signature verifies (strict Ed25519).
    Signature,
    /// The credential was issued inside the key's validity window.
    KeyValidAtIssuance,
    /// Now is inside the credential's validity window (and the KTP-el record has not expired).
    ValidityWindow,
    /// The NIK agrees with birth date and sex; age claims agree with the birth date.
    NikConsistency,
    /// Live presentations: holder signature, freshness, challenge and replay.
    HolderBinding,
    /// The service policy's required claims and liveness.
    Policy,
    /// Revocation status from the issuer's status list, and its freshness.
    Status,
}

impl Check {
    /// Every check a verification can report, in the order they run.
    pub const ALL: [Check; 9] = [
        Check::Decode,
        Check::IssuerKnown,
        Check::Signature,
        Check::KeyValidAtIssuance,
        Check::ValidityWindow,
        Check::NikConsistency,
        Check::HolderBinding,
        Check::Policy,
        Check::Status,
    ];

    /// The checks every credential and presentation goes through, in order. The others
    /// ([`Check::HolderBinding`], [`Check::Policy`], [`Check::Status`]) run only when they
    /// apply.
    pub const BASE: [Check; 6] = [
        Check::Decode,
        Check::IssuerKnown,
        Check::Signature,
        Check::KeyValidAtIssuance,
        Check::ValidityWindow,
        Check::NikConsistency,
    ];

    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Check::Decode => "decode",
            Check::IssuerKnown => "issuer_known",
            Check::Signature => "signature",
            Check::KeyValidAtIssuance => "key_valid_at_issuance",
            Check::ValidityWindow => "validity_window",
            Check::NikConsistency => "nik_consistency",
            Check::HolderBinding => "holder_binding",
            Check::Policy => "policy",
            Check::Status => "status",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed, with the reason.
    Failed(Reason),
    /// It could not be decided, with the reason.
    Undetermined(Reason),
    /// It did not run because an earlier check did not pass.
    Skipped,
    /// It could not run because the verifier holds nothing to check it against: the
    /// `status` check of a verifier without status lists (a plain trust store), which so
    /// cannot see any issuer's revocations. The verdict does not depend on it; front ends
    /// should say that revocation was not checked.
    NotChecked,
}

impl Outcome {
    /// `passed`, `failed`, `undetermined` or `skipped`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed(_) => "failed",
            Outcome::Undetermined(_) => "undetermined",
            Outcome::Skipped => "skipped",
            Outcome::NotChecked => "not_checked",
        }
    }
}

/// Each check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub(crate) entries: Vec<(Check, Outcome)>,
}

impl Report {
    /// The checks in order with their outcomes.
    pub fn entries(&self) -> &[(Check, Outcome)] {
        &self.entries
    }

    /// The outcome of one check.
    pub fn outcome(&self, check: Check) -> &Outcome {
        self.entries.iter().find(|(c, _)| *c == check).map(|(_, o)| o).unwrap_or(&Outcome::Skipped)
    }

    /// As JSON: `[{"check": ..., "outcome": ..., "code": ...}]`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.entries
                .iter()
                .map(|(c, o)| {
                    let code = match o {
                        Outcome::Failed(r) | Outcome::Undetermined(r) => serde_json::Value::from(r.code()),
                        _ => serde_json::Value::Null,
                    };
                    serde_json::json!({"check": c.name(), "outcome": o.as_str(), "code": code})
                })
                .collect(),
        )
    }
}
