//! The one list of stable machine-readable codes.
//!
//! Every code an ikd-core error or verification can carry is in [`ALL`], with its kind and,
//! for verification results, the verdict and the check it belongs to. `docs/CODES.md`
//! documents the same codes; a test (`ikd-core/tests/codes.rs`) checks the two agree both
//! ways and that every code has an Indonesian and an English message. Front ends use this
//! list instead of keeping their own copies.

use crate::reason::Verdict;
use crate::report::Check;

/// What kind of value carries a code (the error type, or a verification result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeKind {
    /// A verification result: `ok`, a `Reason` or the `DecodeError` behind `Reason::Malformed`.
    Verification,
    /// Live presentations (`PresentError::code`).
    Present,
    /// Claim lists (`DisclosureError::code`).
    Disclosure,
    /// Policy files (`PolicyError::code`).
    Policy,
    /// Claims JSON (`ClaimsError::code`).
    Claims,
    /// Problems within `claims_invalid_field` (`FieldProblem::code`, `NikError::code`).
    FieldProblem,
    /// Issuing (`IssueError::code`).
    Issue,
    /// Keys (`KeyError::code`).
    Key,
    /// Trust store files (`TrustStoreError::code`).
    TrustStore,
    /// Signed trust lists (`TrustListError::code`).
    TrustList,
    /// Issuer scopes (`ScopeError::code`).
    Scope,
    /// Status lists (`StatusListError::code`).
    StatusList,
    /// QR rendering (`RenderError::code`).
    Render,
    /// QR reading (`ScanError::code`).
    Scan,
    /// Advice with `no_qr_found` (`ScanHint::code`).
    ScanHint,
    /// Face photos (`PhotoError::code`).
    Photo,
    /// Inspecting an unverified text (`InspectError::code`; decode errors pass through).
    Inspect,
    /// Restoring a replay-cache snapshot (`ReplayStateError::code`, `ReplayCache::restore`).
    ReplayState,
    /// A binding's boundary (`session::BindingFault::code`): WebAssembly, C, Python.
    Binding,
}

/// One stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The code, e.g. `signature_invalid`.
    pub code: &'static str,
    /// What carries it.
    pub kind: CodeKind,
    /// For [`CodeKind::Verification`]: the verdict it leads to.
    pub verdict: Option<Verdict>,
    /// For [`CodeKind::Verification`]: the check that reports it (`None` for `ok`).
    pub check: Option<Check>,
}

/// Every stable code, grouped by kind. A code may appear under two kinds with the same
/// meaning (`nik_birth_date_mismatch` is both a verification reason and a claims error).
pub const ALL: &[CodeInfo] = &[
    // Verification verdicts (`Verification::code`, `Reason::code`, `DecodeError::code`).
    CodeInfo { code: "ok", kind: CodeKind::Verification, verdict: Some(Verdict::Valid), check: None },
    CodeInfo {
        code: "decode_empty",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_too_large",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_wrong_prefix",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_unknown_version",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_bad_base45",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_noncanonical_base45",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_truncated",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_trailing_bytes",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_unknown_kind",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_reserved_flags",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_unknown_critical_extension",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_noncanonical",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_out_of_range",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_invalid_utf8",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_invalid_claim",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_invalid_holder_key",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "decode_bad_validity_window",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Decode),
    },
    CodeInfo {
        code: "issuer_unknown",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Undetermined),
        check: Some(Check::IssuerKnown),
    },
    CodeInfo {
        code: "signature_invalid",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Signature),
    },
    CodeInfo {
        code: "key_not_yet_valid_at_issuance",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::KeyValidAtIssuance),
    },
    CodeInfo {
        code: "key_expired_at_issuance",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::KeyValidAtIssuance),
    },
    CodeInfo {
        code: "not_yet_valid",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::ValidityWindow),
    },
    CodeInfo {
        code: "expired",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::ValidityWindow),
    },
    CodeInfo {
        code: "card_expired",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::ValidityWindow),
    },
    CodeInfo {
        code: "nik_birth_date_mismatch",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::NikConsistency),
    },
    CodeInfo {
        code: "nik_sex_mismatch",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::NikConsistency),
    },
    CodeInfo {
        code: "age_claims_inconsistent",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::NikConsistency),
    },
    CodeInfo {
        code: "key_compromised_at_issuance",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::KeyValidAtIssuance),
    },
    CodeInfo {
        code: "key_retired_at_issuance",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::KeyValidAtIssuance),
    },
    CodeInfo {
        code: "issuer_out_of_scope",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::KeyValidAtIssuance),
    },
    CodeInfo {
        code: "trust_list_stale",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Undetermined),
        check: Some(Check::IssuerKnown),
    },
    CodeInfo {
        code: "revoked",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Status),
    },
    CodeInfo {
        code: "suspended",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Status),
    },
    CodeInfo {
        code: "status_index_out_of_range",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Status),
    },
    CodeInfo {
        code: "status_unknown",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Undetermined),
        check: Some(Check::Status),
    },
    CodeInfo {
        code: "status_list_stale",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Undetermined),
        check: Some(Check::Status),
    },
    CodeInfo {
        code: "holder_key_missing",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "holder_signature_invalid",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "presentation_expired",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "presentation_in_future",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "presentation_replayed",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "replay_cache_full",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Undetermined),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "challenge_mismatch",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "challenge_unexpected",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "presentation_rate_limited",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Undetermined),
        check: Some(Check::HolderBinding),
    },
    CodeInfo {
        code: "policy_claims_missing",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Policy),
    },
    CodeInfo {
        code: "policy_requires_live",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Policy),
    },
    CodeInfo {
        code: "policy_requires_challenge",
        kind: CodeKind::Verification,
        verdict: Some(Verdict::Invalid),
        check: Some(Check::Policy),
    },
    // Live presentations (`PresentError::code`).
    CodeInfo { code: "present_no_holder_key", kind: CodeKind::Present, verdict: None, check: None },
    CodeInfo { code: "present_wrong_holder_key", kind: CodeKind::Present, verdict: None, check: None },
    CodeInfo { code: "present_empty_disclosure", kind: CodeKind::Present, verdict: None, check: None },
    CodeInfo { code: "present_challenge_too_long", kind: CodeKind::Present, verdict: None, check: None },
    CodeInfo { code: "present_challenge_without_holder", kind: CodeKind::Present, verdict: None, check: None },
    CodeInfo { code: "present_time_out_of_range", kind: CodeKind::Present, verdict: None, check: None },
    CodeInfo { code: "present_holder_signature_invalid", kind: CodeKind::Present, verdict: None, check: None },
    // Replay-cache snapshots (`ReplayStateError::code`).
    CodeInfo { code: "replay_state_too_large", kind: CodeKind::ReplayState, verdict: None, check: None },
    CodeInfo { code: "replay_state_invalid", kind: CodeKind::ReplayState, verdict: None, check: None },
    CodeInfo { code: "replay_state_version", kind: CodeKind::ReplayState, verdict: None, check: None },
    CodeInfo { code: "replay_state_full", kind: CodeKind::ReplayState, verdict: None, check: None },
    // Claim lists (`DisclosureError::code`).
    CodeInfo { code: "disclosure_unknown_claim", kind: CodeKind::Disclosure, verdict: None, check: None },
    CodeInfo { code: "disclosure_empty", kind: CodeKind::Disclosure, verdict: None, check: None },
    // Policy files (`PolicyError::code`).
    CodeInfo { code: "policy_bad_json", kind: CodeKind::Policy, verdict: None, check: None },
    CodeInfo { code: "policy_unknown_claim", kind: CodeKind::Policy, verdict: None, check: None },
    CodeInfo { code: "policy_bad_name", kind: CodeKind::Policy, verdict: None, check: None },
    // A binding's boundary (`session::BindingFault::code`).
    CodeInfo { code: "bad_argument", kind: CodeKind::Binding, verdict: None, check: None },
    CodeInfo { code: "internal_error", kind: CodeKind::Binding, verdict: None, check: None },
    // A policy name no policy has (`UnknownPolicy::code`, `PolicySet::resolve`).
    CodeInfo { code: "policy_unknown", kind: CodeKind::Policy, verdict: None, check: None },
    // Claims JSON (`ClaimsError::code`).
    CodeInfo { code: "claims_bad_json", kind: CodeKind::Claims, verdict: None, check: None },
    CodeInfo { code: "claims_unknown_field", kind: CodeKind::Claims, verdict: None, check: None },
    CodeInfo { code: "claims_missing_field", kind: CodeKind::Claims, verdict: None, check: None },
    CodeInfo { code: "claims_invalid_field", kind: CodeKind::Claims, verdict: None, check: None },
    CodeInfo { code: "nik_birth_date_mismatch", kind: CodeKind::Claims, verdict: None, check: None },
    CodeInfo { code: "nik_sex_mismatch", kind: CodeKind::Claims, verdict: None, check: None },
    // Problems within `claims_invalid_field` (`FieldProblem::code`, `NikError::code`).
    CodeInfo { code: "empty", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "too_long", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "bad_character", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "bad_spacing", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "not_allowed", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "bad_date", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "not_three_digits", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "missing_for_wna", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "present_for_wni", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "not_a_string", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "nik_not_16_digits", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "nik_unknown_province", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "nik_invalid_birth_date", kind: CodeKind::FieldProblem, verdict: None, check: None },
    CodeInfo { code: "nik_zero_serial", kind: CodeKind::FieldProblem, verdict: None, check: None },
    // Issuing (`IssueError::code`).
    CodeInfo { code: "issue_issued_at_out_of_range", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_valid_from_before_issued_at", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_expires_before_valid_from", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_validity_too_long", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_beyond_berlaku_hingga", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_status_index_too_large", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_photo_too_large", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_photo_not_webp", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_random_failed", kind: CodeKind::Issue, verdict: None, check: None },
    CodeInfo { code: "issue_valid_days_out_of_range", kind: CodeKind::Issue, verdict: None, check: None },
    // Inspecting an unverified text (`InspectError::code`).
    CodeInfo { code: "inspect_presentation", kind: CodeKind::Inspect, verdict: None, check: None },
    // Keys (`KeyError::code`).
    CodeInfo { code: "key_wrong_format", kind: CodeKind::Key, verdict: None, check: None },
    CodeInfo { code: "key_bad_encoding", kind: CodeKind::Key, verdict: None, check: None },
    CodeInfo { code: "key_wrong_length", kind: CodeKind::Key, verdict: None, check: None },
    CodeInfo { code: "key_invalid_public_key", kind: CodeKind::Key, verdict: None, check: None },
    // Trust store files (`TrustStoreError::code`).
    CodeInfo { code: "trust_bad_json", kind: CodeKind::TrustStore, verdict: None, check: None },
    CodeInfo { code: "trust_unsupported_version", kind: CodeKind::TrustStore, verdict: None, check: None },
    CodeInfo { code: "trust_bad_key", kind: CodeKind::TrustStore, verdict: None, check: None },
    CodeInfo { code: "trust_bad_time", kind: CodeKind::TrustStore, verdict: None, check: None },
    CodeInfo { code: "trust_empty_window", kind: CodeKind::TrustStore, verdict: None, check: None },
    CodeInfo { code: "trust_empty_name", kind: CodeKind::TrustStore, verdict: None, check: None },
    CodeInfo { code: "trust_duplicate_key", kind: CodeKind::TrustStore, verdict: None, check: None },
    CodeInfo { code: "trust_key_id_mismatch", kind: CodeKind::TrustStore, verdict: None, check: None },
    // Signed trust lists (`TrustListError::code`).
    CodeInfo { code: "trust_list_too_large", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_malformed", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_noncanonical", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_unsupported_version", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_unknown_root", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_bad_signature", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_bad_entry", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_duplicate_key", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_limit_exceeded", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_rollback", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_sequence_reused", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_issued_at_backwards", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_compromise_lifted", kind: CodeKind::TrustList, verdict: None, check: None },
    CodeInfo { code: "trust_list_no_signing_key", kind: CodeKind::TrustList, verdict: None, check: None },
    // Issuer scopes (`ScopeError::code`).
    CodeInfo { code: "scope_empty", kind: CodeKind::Scope, verdict: None, check: None },
    CodeInfo { code: "scope_mixed_all", kind: CodeKind::Scope, verdict: None, check: None },
    CodeInfo { code: "scope_bad_code", kind: CodeKind::Scope, verdict: None, check: None },
    CodeInfo { code: "scope_unknown_province", kind: CodeKind::Scope, verdict: None, check: None },
    CodeInfo { code: "scope_too_many", kind: CodeKind::Scope, verdict: None, check: None },
    // Status lists (`StatusListError::code`).
    CodeInfo { code: "status_too_large", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_bad_magic", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_unsupported_version", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_truncated", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_trailing_bytes", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_malformed", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_wrong_issuer", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_bad_signature", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_index_out_of_range", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_invalid_size", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_invalid_parameter", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_revocation_lifted", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_issuer_changed", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_rollback", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_sequence_reused", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_issued_at_backwards", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_shrunk", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_issued_in_future", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_issuer_not_trusted", kind: CodeKind::StatusList, verdict: None, check: None },
    CodeInfo { code: "status_signer_compromised", kind: CodeKind::StatusList, verdict: None, check: None },
    // QR rendering (`RenderError::code`).
    CodeInfo { code: "render_too_long", kind: CodeKind::Render, verdict: None, check: None },
    CodeInfo { code: "render_bad_module_size", kind: CodeKind::Render, verdict: None, check: None },
    CodeInfo { code: "render_png_failed", kind: CodeKind::Render, verdict: None, check: None },
    // QR reading (`ScanError::code`).
    CodeInfo { code: "image_too_large", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "image_dimensions_too_large", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "image_unsupported_format", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "image_corrupt", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "no_qr_found", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "decoder_failed", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "image_too_many_pixels", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "image_memory_limit", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "qr_not_text", kind: CodeKind::Scan, verdict: None, check: None },
    CodeInfo { code: "frame_size_mismatch", kind: CodeKind::Scan, verdict: None, check: None },
    // Advice with `no_qr_found` (`ScanHint::code`).
    CodeInfo { code: "too_dark", kind: CodeKind::ScanHint, verdict: None, check: None },
    CodeInfo { code: "too_bright", kind: CodeKind::ScanHint, verdict: None, check: None },
    CodeInfo { code: "low_contrast", kind: CodeKind::ScanHint, verdict: None, check: None },
    CodeInfo { code: "blurred", kind: CodeKind::ScanHint, verdict: None, check: None },
    CodeInfo { code: "too_small", kind: CodeKind::ScanHint, verdict: None, check: None },
    // Face photos (`PhotoError::code`).
    CodeInfo { code: "photo_too_large", kind: CodeKind::Photo, verdict: None, check: None },
    CodeInfo { code: "photo_dimensions_too_large", kind: CodeKind::Photo, verdict: None, check: None },
    CodeInfo { code: "photo_unsupported_format", kind: CodeKind::Photo, verdict: None, check: None },
    CodeInfo { code: "photo_corrupt", kind: CodeKind::Photo, verdict: None, check: None },
    CodeInfo { code: "photo_too_small", kind: CodeKind::Photo, verdict: None, check: None },
    CodeInfo { code: "photo_budget_too_small", kind: CodeKind::Photo, verdict: None, check: None },
    CodeInfo { code: "photo_encode_failed", kind: CodeKind::Photo, verdict: None, check: None },
    CodeInfo { code: "photo_too_many_pixels", kind: CodeKind::Photo, verdict: None, check: None },
    CodeInfo { code: "photo_memory_limit", kind: CodeKind::Photo, verdict: None, check: None },
];

/// The entries for a code (one per kind that carries it).
pub fn lookup(code: &str) -> impl Iterator<Item = &'static CodeInfo> + '_ {
    ALL.iter().filter(move |c| c.code == code)
}

/// The codes a verification can end with (`ok` and every rejection), in documentation order.
pub fn verification_codes() -> impl Iterator<Item = &'static CodeInfo> {
    ALL.iter().filter(|c| c.kind == CodeKind::Verification)
}

#[cfg(all(test, feature = "issue", feature = "scan", feature = "photo", feature = "render"))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use std::collections::BTreeSet;

    use super::*;
    use crate::photo::PhotoError;
    use crate::render::RenderError;
    use crate::scan::{ScanError, ScanHint};
    use crate::status::StatusListError;
    use crate::trustlist::{ScopeError, TrustListError};
    use crate::{
        ClaimField, ClaimsError, DecodeError, DisclosureError, FieldProblem, IssueError, KeyError, Lang, NikError,
        PolicyError, PresentError, Reason, SecretKey, Timestamp, TrustStoreError,
    };

    /// One value of every variant of every error type, with its kind, code and both messages.
    fn samples() -> Vec<(CodeKind, &'static str, String, String)> {
        let mut out = Vec::new();
        macro_rules! add {
            ($kind:expr, $($e:expr),+ $(,)?) => {
                $( { let e = $e; out.push(($kind, e.code(), e.message(Lang::Id), e.message(Lang::En))); } )+
            };
        }
        let decode = vec![
            DecodeError::Empty,
            DecodeError::InputTooLarge { len: 5000, max: 4296 },
            DecodeError::WrongPrefix,
            DecodeError::UnknownVersion { version: "IKD9".into() },
            DecodeError::BadBase45,
            DecodeError::NonCanonicalBase45,
            DecodeError::Truncated,
            DecodeError::TrailingBytes { count: 2 },
            DecodeError::UnknownKind(9),
            DecodeError::ReservedFlags(0x80),
            DecodeError::UnknownCriticalExtension(7),
            DecodeError::NonCanonical { field: "nama" },
            DecodeError::ValueOutOfRange { field: "agama" },
            DecodeError::InvalidUtf8 { field: "nama" },
            DecodeError::InvalidClaim { field: "nik" },
            DecodeError::InvalidHolderKey,
            DecodeError::BadValidityWindow,
        ];
        for d in &decode {
            add!(CodeKind::Verification, Reason::Malformed(d.clone()));
            // The decode error's own message is the detail behind `Reason::Malformed`.
            assert!(!d.message(Lang::Id).is_empty() && d.message(Lang::Id) != d.message(Lang::En), "{d:?}");
        }
        let key_id = SecretKey::generate().unwrap().public_key().key_id();
        add!(
            CodeKind::Verification,
            Reason::IssuerUnknown(key_id),
            Reason::SignatureInvalid,
            Reason::KeyNotYetValidAtIssuance,
            Reason::KeyExpiredAtIssuance,
            Reason::NotYetValid,
            Reason::Expired,
            Reason::CardExpired,
            Reason::NikBirthDateMismatch,
            Reason::NikSexMismatch,
            Reason::AgeClaimsInconsistent,
            Reason::HolderKeyMissing,
            Reason::HolderSignatureInvalid,
            Reason::PresentationExpired,
            Reason::PresentationInFuture,
            Reason::PresentationReplayed,
            Reason::ReplayCacheFull,
            Reason::ChallengeMismatch,
            Reason::ChallengeUnexpected,
            Reason::PresentationRateLimited,
            Reason::PolicyClaimsMissing("nama".into()),
            Reason::PolicyRequiresLive,
            Reason::PolicyRequiresChallenge,
            Reason::KeyCompromisedAtIssuance,
            Reason::KeyRetiredAtIssuance,
            Reason::IssuerOutOfScope,
            Reason::TrustListStale { age_secs: 100 * 86_400 },
            Reason::Revoked,
            Reason::Suspended,
            Reason::StatusIndexOutOfRange,
            Reason::StatusUnknown,
            Reason::StatusListStale { age_secs: 40 * 86_400 },
        );
        add!(
            CodeKind::Present,
            PresentError::NoHolderKey,
            PresentError::WrongHolderKey,
            PresentError::EmptyDisclosure,
            PresentError::ChallengeTooLong,
            PresentError::ChallengeWithoutHolder,
            PresentError::TimeOutOfRange,
            PresentError::HolderSignatureInvalid,
        );
        add!(CodeKind::Disclosure, DisclosureError::UnknownClaim("umur".into()), DisclosureError::Empty);
        add!(
            CodeKind::Policy,
            PolicyError::Json("expected value".into()),
            PolicyError::Claim { policy: "apotek".into(), error: DisclosureError::Empty },
            PolicyError::BadName(String::new()),
        );
        add!(
            CodeKind::Binding,
            crate::session::BindingFault::BadArgument("now".into()),
            crate::session::BindingFault::Internal,
        );
        add!(
            CodeKind::Policy,
            crate::policy_set::UnknownPolicy { name: "kantor-pos".into(), known: vec!["apotek".into()] }
        );
        let nik = [
            NikError::NotSixteenDigits,
            NikError::UnknownProvince(99),
            NikError::InvalidBirthDate,
            NikError::ZeroSerial,
        ];
        add!(
            CodeKind::Claims,
            ClaimsError::Json { line: 1, column: 2, message: "expected value".into() },
            ClaimsError::UnknownField { field: "umur".into() },
            ClaimsError::MissingField { field: "nama".into() },
            ClaimsError::Invalid { field: ClaimField::Nama, problem: FieldProblem::Empty },
            ClaimsError::NikBirthDateMismatch,
            ClaimsError::NikSexMismatch,
        );
        add!(
            CodeKind::FieldProblem,
            FieldProblem::Empty,
            FieldProblem::TooLong { max: 60 },
            FieldProblem::BadCharacter { ch: '@' },
            FieldProblem::BadSpacing,
            FieldProblem::NotAllowed { allowed: "A, B" },
            FieldProblem::BadDate,
            FieldProblem::NotThreeDigits,
            FieldProblem::MissingForWna,
            FieldProblem::PresentForWni,
            FieldProblem::NotAString,
        );
        for e in nik {
            add!(CodeKind::FieldProblem, FieldProblem::Nik(e));
            assert_eq!(e.message(Lang::Id), FieldProblem::Nik(e).message(Lang::Id));
        }
        add!(
            CodeKind::Issue,
            IssueError::IssuedAtOutOfRange,
            IssueError::ValidFromBeforeIssuedAt,
            IssueError::ExpiresBeforeValidFrom,
            IssueError::ValidityTooLong,
            IssueError::BeyondBerlakuHingga("2030-01-01".into()),
            IssueError::StatusIndexTooLarge,
            IssueError::PhotoTooLarge { size: 3000, max: 1500 },
            IssueError::PhotoNotWebp,
            IssueError::Random,
        );
        add!(
            CodeKind::Issue,
            crate::issuance::PlanError::ValidDaysOutOfRange { max: 7300 },
            crate::issuance::PlanError::CardExpired { berlaku_hingga: "2030-01-01".into() },
        );
        add!(CodeKind::Inspect, crate::inspect::InspectError::Presentation);
        add!(
            CodeKind::ReplayState,
            crate::present::ReplayStateError::TooLarge { len: 90, max: 49 },
            crate::present::ReplayStateError::Malformed("truncated"),
            crate::present::ReplayStateError::UnsupportedVersion(2),
            crate::present::ReplayStateError::Full { capacity: 2 },
        );
        add!(
            CodeKind::Key,
            KeyError::WrongFormat { expected: "ikd-pub-ed25519:" },
            KeyError::BadEncoding,
            KeyError::WrongLength(31),
            KeyError::InvalidPublicKey,
        );
        add!(
            CodeKind::TrustStore,
            TrustStoreError::Json("expected value".into()),
            TrustStoreError::UnsupportedVersion(9),
            TrustStoreError::BadKey { index: 0, error: KeyError::BadEncoding },
            TrustStoreError::BadTime { index: 0, field: "not_before" },
            TrustStoreError::EmptyWindow { index: 0 },
            TrustStoreError::EmptyName { index: 0 },
            TrustStoreError::KeyIdMismatch { index: 0 },
            TrustStoreError::DuplicateKey { index: 1 },
        );
        add!(
            CodeKind::TrustList,
            TrustListError::TooLarge { len: 10, max: 5 },
            TrustListError::Malformed("x".into()),
            TrustListError::NonCanonical,
            TrustListError::UnsupportedVersion(9),
            TrustListError::UnknownRoot,
            TrustListError::BadSignature,
            TrustListError::BadEntry { index: 0, reason: "x".into() },
            TrustListError::DuplicateKey { index: 1 },
            TrustListError::LimitExceeded("entries"),
            TrustListError::Rollback { old: 5, new: 4 },
            TrustListError::SequenceReused { sequence: 5 },
            TrustListError::IssuedAtBackwards,
            TrustListError::CompromiseLifted { key_id },
            TrustListError::NoSigningKey,
        );
        add!(
            CodeKind::Scope,
            ScopeError::Empty,
            ScopeError::MixedAll,
            ScopeError::BadCode("1".into()),
            ScopeError::UnknownProvince("99".into()),
            ScopeError::TooMany,
        );
        add!(
            CodeKind::StatusList,
            StatusListError::TooLarge { len: 10, max: 5 },
            StatusListError::NotAStatusList,
            StatusListError::UnsupportedVersion(9),
            StatusListError::Truncated,
            StatusListError::TrailingBytes { count: 1 },
            StatusListError::Malformed("x".into()),
            StatusListError::WrongIssuer,
            StatusListError::BadSignature,
            StatusListError::IndexOutOfRange { index: 9, len: 8 },
            StatusListError::InvalidSize,
            StatusListError::InvalidParameter("ttl"),
            StatusListError::RevocationLifted { index: 3 },
            StatusListError::IssuerChanged,
            StatusListError::Rollback { old: 5, new: 4 },
            StatusListError::SequenceReused { sequence: 5 },
            StatusListError::IssuedAtBackwards,
            StatusListError::Shrunk { old: 8, new: 4 },
            StatusListError::IssuedInFuture { issued_at: Timestamp::from_unix(2_000_000_000) },
            StatusListError::IssuerNotTrusted,
            StatusListError::SignerCompromised,
        );
        add!(CodeKind::Render, RenderError::TooLong("M"), RenderError::BadModuleSize, RenderError::Png("x".into()));
        let hints =
            [ScanHint::TooDark, ScanHint::TooBright, ScanHint::LowContrast, ScanHint::Blurred, ScanHint::TooSmall];
        add!(
            CodeKind::Scan,
            ScanError::InputTooLarge { size: 10, max: 5 },
            ScanError::DimensionsTooLarge { width: 9000, height: 9000 },
            ScanError::UnsupportedFormat,
            ScanError::CorruptImage("x".into()),
            ScanError::NoCode { hint: None },
            ScanError::DecoderFailed,
            ScanError::TooManyPixels { width: 5000, height: 5000, max: 16_000_000 },
            ScanError::MemoryLimit { max: 64 << 20 },
            ScanError::NotText { found: 1 },
            ScanError::FrameSizeMismatch { width: 2, height: 2, len: 15 },
        );
        for h in hints {
            out.push((CodeKind::ScanHint, h.code(), h.message(Lang::Id).to_owned(), h.message(Lang::En).to_owned()));
            add!(CodeKind::Scan, ScanError::NoCode { hint: Some(h) });
        }
        add!(
            CodeKind::Photo,
            PhotoError::InputTooLarge { size: 10, max: 5 },
            PhotoError::DimensionsTooLarge { width: 9000, height: 9000 },
            PhotoError::UnsupportedFormat,
            PhotoError::CorruptImage("x".into()),
            PhotoError::TooSmall { width: 10, height: 10 },
            PhotoError::BudgetTooSmall { budget: 100, smallest: 300 },
            PhotoError::Encode("x".into()),
            PhotoError::TooManyPixels { width: 5000, height: 5000, max: 16_000_000 },
            PhotoError::MemoryLimit { max: 64 << 20 },
        );
        out
    }

    #[test]
    fn every_code_has_an_indonesian_and_an_english_message() {
        // Issue 14: the CLI translated 13 core error types itself; now each has message(lang).
        let samples = samples();
        for (kind, code, id, en) in &samples {
            assert!(!id.trim().is_empty() && !en.trim().is_empty(), "{kind:?} {code}: empty message");
            assert_ne!(id, en, "{kind:?} {code}: the Indonesian message is the English one");
        }
        let sampled: BTreeSet<(String, &str)> = samples.iter().map(|(k, c, _, _)| (format!("{k:?}"), *c)).collect();
        let listed: BTreeSet<(String, &str)> =
            ALL.iter().filter(|c: &&CodeInfo| c.code != "ok").map(|c| (format!("{:?}", c.kind), c.code)).collect();
        let no_message: Vec<_> = listed.difference(&sampled).collect();
        let unlisted: Vec<_> = sampled.difference(&listed).collect();
        assert!(no_message.is_empty(), "listed codes with no sampled message: {no_message:?}");
        assert!(unlisted.is_empty(), "codes the errors produce that ikd_core::codes::ALL lacks: {unlisted:?}");
    }
}
