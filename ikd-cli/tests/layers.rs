//! Issue 14: the CLI's modules point one way. `main.rs` parses arguments and dispatches to
//! `commands/`; commands use `ctx` and `support/`; `ctx` uses `support/`; `support/` uses only
//! itself. No arrow points up, so a helper never reaches back into a command or `main.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

/// The `crate::<first segment>` paths a Rust source names (comments skipped).
fn crate_paths(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in src.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let head: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !head.is_empty() {
                        out.push(head);
                    }
                }
            } else {
                let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                out.push(head);
            }
        }
    }
    out
}

/// Every `(file, first segment)` under `dir` whose segment is not in `allowed`.
fn violations(dir: &Path, allowed: &[&str]) -> Vec<(PathBuf, String)> {
    let mut bad = Vec::new();
    let mut files: Vec<PathBuf> = if dir.is_dir() {
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect()
    } else {
        vec![dir.to_path_buf()]
    };
    files.sort();
    for f in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
        let src = std::fs::read_to_string(&f).unwrap();
        for p in crate_paths(&src) {
            if !allowed.contains(&p.as_str()) {
                bad.push((f.clone(), p));
            }
        }
    }
    bad
}

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn support_uses_only_support() {
    assert_eq!(violations(&src().join("support"), &["support", "tr"]), vec![]);
}

#[test]
fn ctx_uses_only_support() {
    assert_eq!(violations(&src().join("ctx.rs"), &["support", "tr"]), vec![]);
}

#[test]
fn commands_use_commands_ctx_and_support_never_main() {
    assert_eq!(violations(&src().join("commands"), &["commands", "ctx", "support", "tr"]), vec![]);
}

#[test]
fn the_checker_sees_each_way_of_writing_an_upward_import() {
    assert_eq!(crate_paths("use crate::commands::verify::Kind;"), vec!["commands"]);
    assert_eq!(crate_paths("use crate::{Ctx, support, tr};"), vec!["Ctx", "support", "tr"]);
    assert_eq!(crate_paths("    crate::print_json(&v); // crate::ignored"), vec!["print_json"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.rs"), "use crate::commands::issue::issue_error;\n").unwrap();
    assert_eq!(violations(dir.path(), &["support", "tr"]), vec![(dir.path().join("bad.rs"), "commands".to_owned())]);
}
