//! Issue 14: no two modules of ikd-core may import each other, directly or in a loop.
//!
//! Reads every `crate::` path in `src/**/*.rs` (outside comments), maps it to the top-level
//! module it names (a name re-exported at the crate root is followed to the module that
//! defines it, as written in `lib.rs`), and fails on any cycle in the resulting graph.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Removes `//` comments (line and trailing) and the contents of string literals well enough
/// for finding paths: doc links such as [`crate::Verifier`] do not make an import.
fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if !in_str {
                kept.push(c);
            }
            prev = c;
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

fn ident_at(s: &str) -> String {
    s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

/// Every first segment after `crate::`, including each item of `crate::{a::X, b}` groups.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(pos) = rest.find("crate::") {
        let after = &rest[pos + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name = ident_at(item.trim());
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name = ident_at(after);
            if !name.is_empty() {
                found.push(name);
            }
        }
        rest = after;
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/x.rs` and `src/x/**` are module `x`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("non-empty path");
    first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned()
}

/// Root re-exports in `lib.rs`: `pub use module::{A, B}` maps `A` and `B` to `module`.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let code = strip_comments(lib);
    let mut map = BTreeMap::new();
    let mut rest = code.as_str();
    while let Some(pos) = rest.find("pub use ") {
        let stmt_start = &rest[pos + "pub use ".len()..];
        let end = stmt_start.find(';').unwrap_or(stmt_start.len());
        let stmt = &stmt_start[..end];
        if let Some((module, items)) = stmt.split_once("::") {
            let module = module.trim().trim_start_matches("crate::");
            let items = items.trim().trim_start_matches('{').trim_end_matches('}');
            for item in items.split(',') {
                let item = item.trim();
                let name = item.rsplit("::").next().unwrap_or(item);
                let name = name.split(" as ").last().unwrap_or(name).trim();
                if !name.is_empty() {
                    map.insert(name.to_owned(), module.to_owned());
                }
            }
        }
        rest = &stmt_start[end..];
    }
    map
}

type Graph = BTreeMap<String, BTreeSet<String>>;

fn build_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> =
        files.iter().map(|f| module_of(src, f)).filter(|m| m != "lib" && m != "main").collect();
    let reexports = root_reexports(&fs::read_to_string(src.join("lib.rs")).expect("lib.rs"));
    let mut graph = Graph::new();
    for file in &files {
        let from = module_of(src, file);
        if from == "lib" {
            continue;
        }
        let code = strip_comments(&fs::read_to_string(file).expect("read source"));
        for name in crate_paths(&code) {
            let to = if modules.contains(&name) { Some(name) } else { reexports.get(&name).cloned() };
            if let Some(to) = to.filter(|to| *to != from) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
        graph.entry(from).or_default();
    }
    graph
}

/// One cycle, as the list of modules along it, if there is any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0
            && let Some(c) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn ikd_core_modules_import_each_other_in_no_cycle() {
    // Issue 14: trustlist.rs ↔ verify.rs and status.rs ↔ trustlist.rs were cycles.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = build_graph(&src);
    assert!(graph.contains_key("verifier") && graph.contains_key("trustlist"), "modules found: {graph:?}");
    assert!(graph["verifier"].contains("trustlist"), "the verifier uses trust lists: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("ikd-core modules import each other in a loop: {}", cycle.join(" -> "));
    }
}

#[test]
fn cycle_finder_reports_a_loop_and_root_reexports_are_followed() {
    // Issue 14: the check above must be able to fail.
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(find_cycle(&graph).map(|c| c.len()), Some(4));
    graph.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&graph), None);

    let map = root_reexports("pub use verifier::{\n    Verifier, VerifyOptions,\n};\npub use lang::Lang;\n");
    assert_eq!(map.get("VerifyOptions").map(String::as_str), Some("verifier"));
    assert_eq!(map.get("Lang").map(String::as_str), Some("lang"));
    let code = strip_comments("use crate::{lang::Lang, Verifier}; // crate::status\n/// [`crate::x`]\n");
    assert_eq!(crate_paths(&code), vec!["lang".to_owned(), "Verifier".to_owned()]);
}
