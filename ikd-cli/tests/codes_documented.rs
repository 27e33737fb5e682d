//! Machine-readable error codes are stable and documented: every code the `ikd` command creates
//! itself has a table row in `docs/CODES.md` (the CLI's own ones in the section "`ikd` files,
//! serials and batches"). The codes are read from the sources: the first argument of every
//! `CliError::new(` call that is a string literal, and the codes that helpers build
//! (`HELPER_CODES`). Codes passed on from ikd-core (`e.code()`, `CliError::from_core`) are
//! checked against the core's own list by `ikd-core/tests/codes.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Codes that are not the first argument of a `CliError::new(` call: (source file relative to
/// the crate, code). Each must still occur in its file as `"code"`, so this list cannot go stale.
const HELPER_CODES: &[(&str, &str)] = &[
    // `CliError::io`: the kind of an `std::io::Error` mapped to a code.
    ("src/support/error.rs", "io_not_found"),
    ("src/support/error.rs", "io_permission_denied"),
    ("src/support/error.rs", "io_already_exists"),
    ("src/support/error.rs", "io_is_a_directory"),
    ("src/support/error.rs", "io_not_utf8"),
    ("src/support/error.rs", "io_error"),
    // `ikd sync`: `Http::get` and `net_error`, a failed download of one list (`Outcome::Failed`).
    ("src/commands/sync.rs", "sync_too_large"),
    ("src/commands/sync.rs", "sync_http_status"),
    ("src/commands/sync.rs", "sync_timeout"),
    ("src/commands/sync.rs", "sync_host_not_found"),
    ("src/commands/sync.rs", "sync_connection_refused"),
    ("src/commands/sync.rs", "sync_network"),
    // `ikd sync`: the server has no trust list (404).
    ("src/commands/sync.rs", "sync_not_found"),
];

const CALL: &str = "CliError::new(";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, recursively, in name order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The source without its comment lines (`//`, `///`, `//!`), so that an example in a doc
/// comment is not taken for a code.
fn without_comment_lines(src: &str) -> String {
    src.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The first argument of every `CliError::new(` call in `src` that is a string literal
/// (whitespace and line breaks allowed before it), in order.
fn literal_codes(src: &str) -> Vec<String> {
    let code = without_comment_lines(src);
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find(CALL) {
        rest = rest.get(i + CALL.len()..).unwrap_or("");
        if let Some(literal) = rest.trim_start().strip_prefix('"')
            && let Some(end) = literal.find('"')
        {
            out.push(literal.get(..end).unwrap_or("").to_owned());
        }
    }
    out
}

/// The codes of `docs/CODES.md`: the first cell of every table row that is a backticked code.
fn documented(docs: &str) -> BTreeSet<String> {
    docs.lines().filter_map(|l| l.strip_prefix("| `")?.split_once("` |").map(|(code, _)| code.to_owned())).collect()
}

fn codes_md() -> String {
    std::fs::read_to_string(crate_dir().join("../docs/CODES.md")).unwrap()
}

/// Every code the CLI creates, with the files that create it (relative to the crate).
fn created() -> BTreeMap<String, BTreeSet<String>> {
    let root = crate_dir();
    let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in rust_files(&root.join("src")) {
        let src = std::fs::read_to_string(&path).unwrap();
        let name = path.strip_prefix(&root).unwrap_or(path.as_path()).display().to_string();
        for code in literal_codes(&src) {
            codes.entry(code).or_default().insert(name.clone());
        }
    }
    for (file, code) in HELPER_CODES {
        codes.entry((*code).to_owned()).or_default().insert((*file).to_owned());
    }
    codes
}

#[test]
fn every_code_the_cli_creates_is_documented() {
    let docs = documented(&codes_md());
    let codes = created();
    assert!(codes.len() > 50, "the scan of ikd-cli/src found too few codes: {:?}", codes.keys());
    let missing: Vec<String> = codes
        .iter()
        .filter(|(code, _)| !docs.contains(*code))
        .map(|(code, files)| format!("{code} ({})", files.iter().cloned().collect::<Vec<_>>().join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes the `ikd` CLI creates that have no row `| `code` | meaning |` in docs/CODES.md \
         (add them to the section \"`ikd` files, serials and batches\"): {missing:?}"
    );
}

#[test]
fn every_helper_code_still_occurs_in_its_source() {
    let root = crate_dir();
    let stale: Vec<String> = HELPER_CODES
        .iter()
        .filter(|(file, code)| {
            let src = std::fs::read_to_string(root.join(file)).unwrap();
            !without_comment_lines(&src).contains(&format!("\"{code}\""))
        })
        .map(|(file, code)| format!("{code} ({file})"))
        .collect();
    assert!(stale.is_empty(), "HELPER_CODES lists codes their file no longer creates: {stale:?}");
}

#[test]
fn codes_are_lowercase_snake_case() {
    let bad: Vec<String> = created()
        .into_keys()
        .filter(|c| {
            !c.starts_with(|ch: char| ch.is_ascii_lowercase())
                || !c.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        })
        .collect();
    assert!(bad.is_empty(), "codes that are not lowercase snake_case: {bad:?}");
}

#[test]
fn the_scanner_sees_literal_codes_and_table_rows_only() {
    let src = "let a = CliError::new(\"one_code\", m);\n\
               let b = CliError::new(\n    \"two_code\",\n    tr!(lang, \"x\", \"y\"),\n);\n\
               let c = CliError::new(e.code(), e.message(lang));\n\
               /// CliError::new(\"in_a_comment\", m)\n\
               let d = CliError::new(code, format!(\"{x}\"));\n";
    assert_eq!(literal_codes(src), vec!["one_code".to_owned(), "two_code".to_owned()]);
    let docs = "## A\n\n| code | meaning |\n|---|---|\n| `a_b` | m |\n\nSee `c_d`.\n";
    assert_eq!(documented(docs), BTreeSet::from(["a_b".to_owned()]));
}
