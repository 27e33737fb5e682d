//! Issue 14: `docs/CODES.md` and the code's own list of codes (`ikd_core::codes::ALL`) agree
//! both ways. (That every code has an Indonesian and an English message is checked where the
//! errors' non-exhaustive variants can be built: the tests of `ikd-core/src/codes.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use ikd_core::codes;
use ikd_core::{Check, Verdict};

/// The section of `docs/CODES.md` that lists the CLI's own codes, not the core's.
const FRONT_END_SECTION: &str = "## `ikd` files, serials and batches";

/// A documented code: its table row's cells after the code.
struct DocRow {
    cells: Vec<String>,
}

/// Every table row of `docs/CODES.md` whose first cell is a backticked code, outside the
/// front-end section; a code documented twice (under two kinds) keeps its rows.
fn documented(text: &str) -> BTreeMap<String, Vec<DocRow>> {
    let mut rows: BTreeMap<String, Vec<DocRow>> = BTreeMap::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("## ") {
            skipping = line.trim() == FRONT_END_SECTION;
            continue;
        }
        if skipping {
            continue;
        }
        let Some(rest) = line.strip_prefix("| `") else { continue };
        let Some((code, rest)) = rest.split_once("` |") else { continue };
        let cells = rest.split(" | ").map(|c| c.trim().trim_end_matches('|').trim().to_owned()).collect();
        rows.entry(code.to_owned()).or_default().push(DocRow { cells });
    }
    rows
}

fn codes_md() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/CODES.md")).unwrap()
}

#[test]
fn codes_md_and_the_code_list_agree_both_ways() {
    // Issue 14: the list was kept three times (docs, the vectors test, the front ends).
    let docs = documented(&codes_md());
    let listed: BTreeSet<&str> = codes::ALL.iter().map(|c| c.code).collect();
    let doc_codes: BTreeSet<&str> = docs.keys().map(String::as_str).collect();
    let undocumented: Vec<_> = listed.difference(&doc_codes).collect();
    let unknown: Vec<_> = doc_codes.difference(&listed).collect();
    assert!(undocumented.is_empty(), "codes in ikd_core::codes::ALL missing from docs/CODES.md: {undocumented:?}");
    assert!(unknown.is_empty(), "codes in docs/CODES.md that ikd-core does not have: {unknown:?}");
    assert!(listed.len() > 150, "the list lost codes: {}", listed.len());
}

#[test]
fn verification_codes_have_the_documented_verdict_and_check() {
    // Issue 14.
    let docs = documented(&codes_md());
    let mut seen = 0;
    for info in codes::verification_codes() {
        let verdict = info.verdict.unwrap().as_str();
        let check = info.check.map(|c| c.name()).unwrap_or("—");
        let rows = &docs[info.code];
        assert!(
            rows.iter().any(|r| r.cells.len() >= 2 && r.cells[0] == verdict && r.cells[1] == check),
            "{}: the list says {verdict} / {check}; docs/CODES.md says {:?}",
            info.code,
            rows.iter().map(|r| r.cells.clone()).collect::<Vec<_>>()
        );
        seen += 1;
    }
    assert_eq!(seen, 49, "ok, 17 decode codes and 31 reasons");
    assert_eq!(codes::lookup("ok").next().unwrap().verdict, Some(Verdict::Valid));
    assert!(codes::lookup("no_such_code").next().is_none());
}

#[test]
fn documented_rows_are_parsed_and_the_front_end_section_is_skipped() {
    // Issue 14: the parser above must be able to see a difference.
    let text = "## A\n| code | x |\n|---|---|\n| `a_b` | INVALID | decode | m |\n## `ikd` files, serials and batches\n| `cli_only` | m |\n## B\n| `c` | m |\n";
    let d = documented(text);
    assert_eq!(d.keys().cloned().collect::<Vec<_>>(), vec!["a_b".to_owned(), "c".to_owned()]);
    assert_eq!(d["a_b"][0].cells[..2], ["INVALID".to_owned(), "decode".to_owned()]);
}

#[test]
fn check_all_lists_every_check_once_in_order() {
    // Issue 14: `Check::ALL` held only the six base checks, so the server's conformance test
    // listed the nine by hand.
    let names: Vec<&str> = Check::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "decode",
            "issuer_known",
            "signature",
            "key_valid_at_issuance",
            "validity_window",
            "nik_consistency",
            "holder_binding",
            "policy",
            "status"
        ]
    );
    assert_eq!(Check::ALL[..6], Check::BASE);
}

#[test]
fn user_error_gives_the_code_and_the_message_of_every_error_type() {
    // Issue 14: one trait for front ends and bindings to answer any core error.
    use ikd_core::{KeyError, Lang, Reason, UserError};
    let errors: Vec<Box<dyn UserError>> = vec![Box::new(KeyError::BadEncoding), Box::new(Reason::Revoked)];
    let got: Vec<(&str, String)> = errors.iter().map(|e| (e.code(), e.message(Lang::Id))).collect();
    assert_eq!(
        got,
        vec![
            ("key_bad_encoding", "kunci bukan base64url yang sah".to_owned()),
            ("revoked", "Kredensial telah dicabut.".to_owned())
        ]
    );
}
