//! Snapshot tests of the `ikd` command (trycmd): `tests/cmd/*.trycmd` hold each command with its
//! expected output and exit status. Regenerate with `TRYCMD=overwrite cargo test -p ikd-cli --test cli`.
//!
//! The cases run in `tests/work/` (git-ignored): a copy of `tests/fixtures/` plus credentials
//! issued here with the TEST ONLY key at a fixed time (`--now`) and fixed serials, so the outputs
//! are the same on every run and follow any change of the credential format. Only the salts (and
//! so the Base45 text and signature) differ between runs, and no snapshot shows them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_ikd")).args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn prepare_work() -> PathBuf {
    let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let work = tests.join("work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    for e in std::fs::read_dir(tests.join("fixtures")).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() && p.file_name().is_some_and(|n| n != "README.md") {
            std::fs::copy(&p, work.join(p.file_name().unwrap())).unwrap();
        }
    }
    let now = "2026-01-05T00:00:00Z";
    let key = "TEST-ONLY-issuer.key";
    // Explicit serials leave the key's counter (next serial 2) for issue.trycmd.
    run(
        &work,
        &[
            "issue",
            "--key",
            key,
            "resident.json",
            "--now",
            now,
            "--serial",
            "1",
            "--out",
            "valid.ikd",
            "--qr",
            "valid.png",
        ],
    );
    run(
        &work,
        &[
            "issue",
            "--key",
            key,
            "resident.json",
            "--now",
            now,
            "--serial",
            "9",
            "--holder",
            "other-issuer.pub",
            "--out",
            "holder.ikd",
        ],
    );
    // A phone credential bound to the TEST ONLY holder key, for `ikd present` (present.trycmd).
    run(
        &work,
        &[
            "issue",
            "--key",
            key,
            "resident.json",
            "--now",
            now,
            "--serial",
            "10",
            "--holder",
            "TEST-ONLY-holder.key.pub",
            "--out",
            "phone.ikd",
        ],
    );
    // Tampered: the first single-bit change in the claims part (past header and salt secret,
    // before the signature) that still decodes but breaks the signature. The claims bytes do not
    // depend on the random salt, so the change is the same on every run.
    let valid = std::fs::read_to_string(work.join("valid.ikd")).unwrap();
    let trust = ikd_core::TrustStore::from_json(&std::fs::read_to_string(work.join("trust.json")).unwrap()).unwrap();
    let clock = ikd_core::FixedClock(ikd_core::Timestamp::parse_rfc3339("2026-06-01T00:00:00Z").unwrap());
    let verifier = ikd_core::Verifier::new(trust).with_clock(std::sync::Arc::new(clock));
    let original = ikd_core::format::text_to_payload(valid.trim()).unwrap();
    let payload = (60..original.len() - 64)
        .map(|i| {
            let mut p = original.clone();
            p[i] ^= 1;
            p
        })
        .find(|p| verifier.verify(&ikd_core::format::payload_to_text(p)).code() == "signature_invalid")
        .expect("a tampering that breaks only the signature");
    let tampered = ikd_core::format::payload_to_text(&payload);
    std::fs::write(work.join("tampered.ikd"), format!("{tampered}\n")).unwrap();
    std::fs::write(work.join("stream.txt"), format!("{}\nHELLO WORLD\n\n{tampered}\n", valid.trim())).unwrap();
    work
}

#[test]
fn cli_snapshots() {
    prepare_work();
    trycmd::TestCases::new()
        // Indonesian messages by default, whatever the machine's locale.
        .env("LC_ALL", "")
        .env("LANG", "id_ID.UTF-8")
        // No offline cache from the machine: `ikd verify` without --trust must fail the same way.
        .env("IKD_CACHE", "")
        .env("XDG_DATA_HOME", "/nonexistent/ikd-cli-tests")
        .case("tests/cmd/*.trycmd")
        .case("tests/cmd/*.toml");
}
