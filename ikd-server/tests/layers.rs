//! Layering of the server's modules, read from the source: the storage layer (`src/store/`)
//! knows nothing of HTTP or of the application built on it.
//!
//! Issue 14: the store imported the app and the HTTP error type (`store_readiness`,
//! `refresh_revocations`), which made a 15-file import cycle. These tests keep it from coming
//! back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::{Path, PathBuf};

/// The crate modules the storage layer may use: itself and the TLS client settings (for
/// PostgreSQL; `tls` uses no crate module). Anything else (`api`, `app`, `error`, `conn`,
/// `auth`, `config`, `audit`, `sync`, `demo`, `metrics`, `readiness`, `revocations`, ...) is a
/// layer above it.
const STORE_MAY_USE: &[&str] = &["store", "tls"];

/// External crates of the HTTP layer that the storage layer must not name.
const HTTP_CRATES: &[&str] = &["axum", "hyper", "tower", "tower_http", "http_body_util"];

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a Rust source without its comments (line comments, doc comments and block
/// comments) and the contents of its string literals: paths named in documentation or text
/// are not imports.
fn strip_comments(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            // A string literal: blanked, so a path written in it is not taken for an import.
            '"' => {
                out.push('"');
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                out.push('"');
                i += 1;
            }
            // A char literal ('"', '\\', '\''); a lifetime (`'a`) is copied as it is.
            '\'' if next == Some('\\') => {
                out.push_str("' '");
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            '\'' if chars.get(i + 2) == Some(&'\'') => {
                out.push_str("' '");
                i += 3;
            }
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

fn is_word_start(code: &str, at: usize) -> bool {
    code[..at].chars().next_back().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
}

/// The crate modules a piece of storage-layer code names, through `crate::x`, `crate::{x, y}`,
/// or `super::` climbing out of `src/store/` (`depth` is how many `super::` stay inside it:
/// 0 for `store/mod.rs`, 1 for `store/sqlite.rs`), plus the HTTP crates it names.
fn violations(code: &str, depth: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut named = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if !is_word_start(code, at) {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let body = &group[..group.find('}').unwrap_or(group.len())];
            for part in body.split(',') {
                let name = ident_at(part.trim());
                if !name.is_empty() {
                    named.push(name.to_owned());
                }
            }
        } else {
            named.push(ident_at(rest).to_owned());
        }
    }
    let climb_out = "super::".repeat(depth + 1);
    for (at, _) in code.match_indices(&climb_out) {
        if is_word_start(code, at) {
            let rest = &code[at + climb_out.len()..];
            named.push(ident_at(rest.trim_start_matches('{')).to_owned());
        }
    }
    for name in named {
        if !STORE_MAY_USE.contains(&name.as_str()) {
            found.push(format!("crate::{name}"));
        }
    }
    for krate in HTTP_CRATES {
        let pattern = format!("{krate}::");
        if code.match_indices(&pattern).any(|(at, _)| is_word_start(code, at)) {
            found.push(pattern);
        }
    }
    found.sort();
    found.dedup();
    found
}

// Issue 14: nothing under the server's storage layer imports its HTTP code or the app.
#[test]
fn store_layer_imports_no_http_app_or_api_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let mut files = Vec::new();
    rs_files(&root, &mut files);
    assert!(files.len() >= 4, "expected the store's source files under {}", root.display());
    let mut problems = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).expect("under src/store");
        // `mod.rs` is the store module itself; every other file is one level below it.
        let depth = rel.components().count() - usize::from(rel.ends_with("mod.rs"));
        let src = std::fs::read_to_string(f).expect("read source");
        for v in violations(&strip_comments(&src), depth) {
            problems.push(format!("{}: uses {v}", f.display()));
        }
    }
    assert!(problems.is_empty(), "the storage layer must depend only on {STORE_MAY_USE:?}:\n{}", problems.join("\n"));
}

// Issue 14: the checker above must see each way a forbidden import can be written, or the
// layering test would pass whatever the store imports.
#[test]
fn layer_checker_sees_forbidden_imports() {
    let cases: &[(&str, usize, &str)] = &[
        ("use crate::app::AppState;", 1, "crate::app"),
        ("fn f(s: &crate::app::AppState) {}", 1, "crate::app"),
        ("use crate::{store::Store, error::ApiError};", 1, "crate::error"),
        ("use crate::api;", 0, "crate::api"),
        ("use crate::conn::serve_connections;", 0, "crate::conn"),
        ("use super::super::config::Config;", 1, "crate::config"),
        ("use super::readiness;", 0, "crate::readiness"),
        ("use crate::audit::entry_hash;", 1, "crate::audit"),
        ("let s = axum::http::StatusCode::OK;", 1, "axum::"),
        ("use axum::Json;", 0, "axum::"),
    ];
    for (code, depth, want) in cases {
        let got = violations(&strip_comments(code), *depth);
        assert!(got.iter().any(|v| v == want), "`{code}` should report {want}, got {got:?}");
    }
    // What the store may use, and paths only named in comments or strings, pass.
    let allowed = "use crate::store::entry_hash;\nuse super::AuditSync;\nuse crate::tls::Roots;\n\
                   /// see [`crate::app::AppState`]\n// crate::api\nlet s = \"crate::error\";\nlet q = '\"'; let t = \"axum::\";\n";
    assert_eq!(violations(&strip_comments(allowed), 1), Vec::<String>::new());
}

// Issue 14: the TLS settings the store uses stay free of the crate's other modules, so the
// storage layer does not reach the app or HTTP code through them.
#[test]
fn tls_module_uses_no_other_crate_module() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tls.rs");
    let src = std::fs::read_to_string(&path).expect("read src/tls.rs");
    let code = strip_comments(&src);
    let names: Vec<&str> =
        code.match_indices("crate::").map(|(at, _)| ident_at(&code[at + "crate::".len()..])).collect();
    assert!(names.is_empty(), "src/tls.rs uses crate::{names:?}");
    assert!(!code.contains("axum::"), "src/tls.rs uses axum");
}
