//! Walks `test-vectors/cases/` and checks every case; checks the generator still
//! produces exactly the committed files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use test_vectors::{case_file_text, cases_dir, check_case, generate};

#[test]
fn every_committed_case_checks() {
    let mut n = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(cases_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let png = std::fs::read(path.with_extension("png")).ok();
        if let Err(e) = check_case(&doc, png.as_deref()) {
            failures.push(format!("{}: {e}", path.display()));
        }
        n += 1;
    }
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
    assert!(n >= 40, "only {n} cases found");
}

#[test]
fn generator_reproduces_committed_files() {
    let cases = generate().unwrap();
    for c in &cases {
        let path = cases_dir().join(format!("{}.json", c.name));
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!("{} is missing: run `cargo run -p test-vectors --bin generate`", path.display())
        });
        assert_eq!(committed, case_file_text(c), "{} differs from the generator's output", c.name);
        if let Some(png) = &c.png {
            assert_eq!(&std::fs::read(path.with_extension("png")).unwrap(), png, "{}.png differs", c.name);
        }
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(cases_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    let generated: BTreeSet<String> = cases.iter().map(|c| c.name.clone()).collect();
    assert_eq!(on_disk, generated, "stray or missing case files");
}

#[test]
fn every_rejection_code_has_a_case() {
    let codes: BTreeSet<String> =
        generate().unwrap().iter().map(|c| c.json["expected"]["code"].as_str().unwrap().to_owned()).collect();
    for code in [
        "ok",
        "decode_empty",
        "decode_too_large",
        "decode_wrong_prefix",
        "decode_unknown_version",
        "decode_bad_base45",
        "decode_noncanonical_base45",
        "decode_truncated",
        "decode_trailing_bytes",
        "decode_unknown_kind",
        "decode_reserved_flags",
        "decode_unknown_critical_extension",
        "decode_noncanonical",
        "decode_out_of_range",
        "decode_invalid_utf8",
        "decode_invalid_claim",
        "decode_invalid_holder_key",
        "decode_bad_validity_window",
        "issuer_unknown",
        "signature_invalid",
        "key_not_yet_valid_at_issuance",
        "key_expired_at_issuance",
        "not_yet_valid",
        "expired",
        "card_expired",
        "nik_birth_date_mismatch",
        "nik_sex_mismatch",
        "age_claims_inconsistent",
        "holder_key_missing",
        "holder_signature_invalid",
        "presentation_expired",
        "presentation_in_future",
        "presentation_replayed",
        "presentation_rate_limited",
        "challenge_mismatch",
        "challenge_unexpected",
        "policy_claims_missing",
        "policy_requires_live",
        "policy_requires_challenge",
        "revoked",
        "suspended",
        "status_index_out_of_range",
        "status_list_stale",
        "status_unknown",
        "issuer_out_of_scope",
        "key_compromised_at_issuance",
        "key_retired_at_issuance",
        "trust_list_stale",
    ] {
        assert!(codes.contains(code), "no vector for {code}");
    }
}
