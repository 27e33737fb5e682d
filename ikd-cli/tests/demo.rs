//! `ikd demo` as a new user meets it (issue 14): the files it names exist after it ends, the
//! commands it suggests are complete and run as printed, `--json` gives JSON Lines, Indonesian
//! by default, and a reader closing stdout early (`ikd demo | head -2`) ends it quietly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::text;

/// `ikd` with no language from the environment (the demo must speak Indonesian by default).
fn ikd(dir: &Path) -> Command {
    let mut c = common::command(dir, &dir.join("data"));
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        // `ikd demo` without --dir keeps its files under the temporary directory: this one.
        .env("TMPDIR", dir);
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    ikd(dir).args(args).output().unwrap()
}

/// Splits a printed command line as a POSIX shell would (words, single and double quotes).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '"' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

#[test]
fn demo_suggested_commands_are_complete_and_run_as_printed() {
    // Issue 14: the demo elided the commands it suggested ("ikd trust add …") and named key
    // paths it then deleted.
    let d = tempfile::tempdir().unwrap();
    let out = run(d.path(), &["--lang", "en", "demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let commands: Vec<&str> = stdout.lines().filter_map(|l| l.trim().strip_prefix("Command: ")).collect();
    assert!(commands.len() >= 7, "{stdout}");
    assert!(commands.iter().all(|c| !c.contains('…')), "nothing elided: {commands:?}");
    for c in &commands {
        let words = shell_words(c);
        assert_eq!(words[0], "ikd", "{c}");
        // Every path the command names exists (outputs of `issue`/`qr` are replaced).
        for w in &words[1..] {
            if w.starts_with('/') && !w.ends_with("-2.ikd") {
                assert!(Path::new(w).exists(), "{w} in {c} does not exist after the demo");
            }
        }
        let o = ikd(d.path()).args(&words[1..]).output().unwrap();
        let expected = if c.contains("altered") { 1 } else { 0 };
        assert_eq!(o.status.code(), Some(expected), "{c}\n{}{}", text(&o.stdout), text(&o.stderr));
    }
    // The paths printed on the key and trust store lines exist too.
    for prefix in ["Secret key (mode 0600): ", "Trust store: "] {
        let p = stdout.lines().find_map(|l| l.trim().strip_prefix(prefix)).unwrap();
        assert!(Path::new(p).is_file(), "{p}");
    }
    assert!(stdout.contains("Files kept in "), "{stdout}");
}

#[test]
fn demo_json_is_one_json_document_per_step() {
    // Issue 14: `ikd --json demo` printed text.
    let d = tempfile::tempdir().unwrap();
    let keep = d.path().join("kept");
    let out = run(d.path(), &["--json", "demo", "--dir", keep.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let docs: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let steps: Vec<u64> = docs.iter().filter_map(|d| d["step"].as_u64()).collect();
    assert_eq!(steps, [0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(docs[5]["verdict"], "VALID");
    assert_eq!(docs[6]["verdict"], "INVALID");
    assert_eq!(docs[6]["code"], "signature_invalid");
    let last = docs.last().unwrap();
    assert_eq!(last["done"], true);
    assert_eq!(last["dir"], keep.display().to_string());
    for doc in &docs {
        for (_, f) in doc["files"].as_object().into_iter().flatten() {
            assert!(Path::new(f.as_str().unwrap()).is_file(), "{f}");
        }
    }
}

#[test]
fn demo_speaks_indonesian_by_default_and_english_with_lang_en() {
    // Issue 14: the demo's sample labels were English.
    let d = tempfile::tempdir().unwrap();
    let id = text(&run(d.path(), &["demo"]).stdout);
    assert!(id.contains("== Langkah 1: membuat kunci penerbit =="), "{id}");
    assert!(id.contains("Perintah: ikd verify --trust"), "{id}");
    assert!(id.contains("warga.json") && id.contains("kredensial-diubah.ikd"), "{id}");
    assert!(id.contains("Berkas disimpan di "), "{id}");
    assert!(!id.contains("Command:") && !id.contains("Step "), "{id}");
    let en = text(&run(d.path(), &["--lang", "en", "demo"]).stdout);
    assert!(en.contains("== Step 1: make an issuer key =="), "{en}");
    assert!(en.contains("resident.json") && en.contains("credential-altered.ikd"), "{en}");
}

#[test]
fn closed_stdout_ends_quietly_not_as_internal_error() {
    // Issue 14: `ikd demo | head -2` reported an internal error.
    let d = tempfile::tempdir().unwrap();
    for args in [&["demo"][..], &["--json", "demo"][..], &["--help"][..]] {
        let mut child = ikd(d.path()).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // The reader goes away before reading anything: the first write meets a broken pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("internal error") && !stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(2), "{args:?}: {stderr}");
    }
}
