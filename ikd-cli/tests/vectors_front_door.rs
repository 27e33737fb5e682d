//! Issue 14: every test vector of `test-vectors/cases` through the CLI's front door, the real
//! `ikd --json verify` binary (at the vector's clock, with its trust store or cached lists, its
//! policy and challenge), so that the CLI can never drift from the core. The verdict and the
//! reason code must be the vector's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Output;

use serde_json::Value;

mod common;

fn ikd(dir: &Path, args: &[String]) -> Output {
    common::command(dir, &dir.join("data")).args(args).output().expect("run ikd")
}

/// Standard base64 (the status lists of the cases).
fn base64_decode(s: &str) -> Vec<u8> {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()) {
        let v = ABC.iter().position(|a| *a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Why the CLI's front door cannot take a case as the vector describes it, or `None`.
fn not_through_the_cli(doc: &Value) -> Option<&'static str> {
    let has_trust_list = doc.get("trust_list").is_some_and(|t| !t.is_null());
    let has_status = doc.get("status_lists").is_some_and(|s| !s.is_null());
    if doc["input"]["qr_text"] == "" {
        return Some("an empty input is a usage error of the CLI (input_empty), not a verification");
    }
    if has_trust_list && !has_status && doc["expected"]["list_errors"].as_array().is_some_and(|e| !e.is_empty()) {
        return Some("a cached trust list that does not verify is a usage error of `ikd verify --cache`");
    }
    None
}

/// Runs one case through `ikd --json verify`; the JSON view of the case's text.
fn run(doc: &Value, file: &Path) -> Result<Value, String> {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let input = &doc["input"];
    let text = input["qr_text"].as_str().unwrap();
    let mut args: Vec<String> = vec!["--json".into(), "verify".into()];
    args.extend(["--now".into(), doc["clock"].as_str().unwrap().to_owned()]);
    args.extend(["--skew-secs".into(), doc["skew_seconds"].to_string()]);
    if let Some(tl) = doc.get("trust_list").filter(|t| !t.is_null()) {
        let cache = dir.join("cache");
        std::fs::create_dir_all(cache.join("status")).unwrap();
        std::fs::write(cache.join("trust-list.ikdtl"), tl["text"].as_str().unwrap()).unwrap();
        for (i, l) in doc["status_lists"].as_array().into_iter().flatten().enumerate() {
            let bytes = base64_decode(l["base64"].as_str().unwrap());
            std::fs::write(cache.join("status").join(format!("{i}.ikdsl")), bytes).unwrap();
        }
        args.extend(["--cache".into(), cache.display().to_string()]);
        for r in tl["root_keys"].as_array().unwrap() {
            args.extend(["--root".into(), r.as_str().unwrap().to_owned()]);
        }
    } else {
        std::fs::write(dir.join("trust.json"), doc["trust_store"].to_string()).unwrap();
        args.extend(["--trust".into(), "trust.json".into()]);
    }
    if let Some(p) = input.get("policy") {
        std::fs::write(dir.join("policies.json"), Value::Array(vec![p.clone()]).to_string()).unwrap();
        args.extend(["--policy-file".into(), "policies.json".into()]);
        args.extend(["--policy".into(), p["name"].as_str().unwrap().to_owned()]);
    }
    if let Some(c) = input["challenge"].as_str() {
        args.extend(["--challenge".into(), c.to_owned()]);
    }
    let seen: Vec<&str> = input["seen_before"].as_array().into_iter().flatten().map(|t| t.as_str().unwrap()).collect();
    if let Some(png) = input["png"].as_str() {
        // The image itself, through the CLI's own QR reader.
        let src = file.with_file_name(png);
        std::fs::copy(src, dir.join("code.png")).unwrap();
        args.push("code.png".into());
    } else if !seen.is_empty() {
        // The texts seen before, then this one, through one verifier (one replay cache).
        let lines: String = seen.iter().chain([&text]).map(|t| format!("{t}\n")).collect();
        std::fs::write(dir.join("in.txt"), lines).unwrap();
        args.push("in.txt".into());
    } else if text.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("IKD")) && !text.contains('\n') {
        args.push(text.to_owned());
    } else {
        std::fs::write(dir.join("in.txt"), text).unwrap();
        args.push("in.txt".into());
    }
    let out = ikd(dir, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    if lines.len() != seen.len() + 1 {
        return Err(format!(
            "{} JSON lines, expected {} (exit {:?}); stderr: {}",
            lines.len(),
            seen.len() + 1,
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    for (i, l) in lines.iter().take(seen.len()).enumerate() {
        if l["verdict"] != "VALID" {
            return Err(format!("seen_before[{i}] was {} {}", l["verdict"], l["code"]));
        }
    }
    let last = lines.last().unwrap().clone();
    let want_exit = match last["verdict"].as_str() {
        Some("VALID") => 0,
        Some("INVALID") => 1,
        _ => 3,
    };
    if out.status.code() != Some(want_exit) && seen.is_empty() {
        return Err(format!("exit {:?} for {}", out.status.code(), last["verdict"]));
    }
    Ok(last)
}

// Issue 14: the CLI runs every vector through its own front door.
#[test]
fn every_vector_through_ikd_verify_json() {
    let all = test_vectors::read_cases();
    assert!(all.len() >= 70, "the vectors are missing: {} cases", all.len());
    let mut tally = test_vectors::FrontDoorRun::default();
    for (doc, file) in all.iter().filter(|(doc, _)| not_through_the_cli(doc).is_none()) {
        tally.record(doc, run(doc, file), &["source", "lists"]);
    }
    tally.finish("ikd verify --json", all.len(), 70);
}

// Issue 14: the cases the CLI cannot take as described are few, named, and each behaves as
// the CLI documents (a usage error, exit 2, or the revocation check of the cache).
#[test]
fn vectors_not_through_the_cli_are_named_and_behave_as_documented() {
    let all = test_vectors::read_cases();
    let skipped: Vec<(&str, &str)> =
        all.iter().filter_map(|(d, _)| not_through_the_cli(d).map(|why| (d["name"].as_str().unwrap(), why))).collect();
    assert!(skipped.len() <= 12, "{skipped:?}");
    let empty = all.iter().find(|(d, _)| d["name"] == "decode-empty").map(|(d, _)| d).unwrap();
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("trust.json"), empty["trust_store"].to_string()).unwrap();
    std::fs::write(d.path().join("in.txt"), "").unwrap();
    let args: Vec<String> =
        ["--json", "verify", "--trust", "trust.json", "in.txt"].iter().map(|s| (*s).to_owned()).collect();
    let out = ikd(d.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "input_empty");
}
