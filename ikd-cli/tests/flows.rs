//! End-to-end flows of the `ikd` binary that snapshots cannot express: file modes, secrets kept
//! out of output, an interrupted batch resumed, photos within the QR budget, cards read back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn ikd(dir: &Path, args: &[&str]) -> Output {
    ikd_env(dir, args, &[])
}

fn ikd_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ikd"));
    c.args(args).current_dir(dir).env("LC_ALL", "en_US.UTF-8").env_remove("IKD_TRUST");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run ikd")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn sandbox() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in [
        "TEST-ONLY-issuer.key",
        "TEST-ONLY-issuer.key.pub",
        "TEST-ONLY-issuer.key.state.json",
        "trust.json",
        "resident.json",
    ] {
        std::fs::copy(fixtures().join(f), d.path().join(f)).unwrap();
    }
    d
}

#[test]
fn key_new_writes_0600_and_refuses_to_overwrite() {
    let d = tempfile::tempdir().unwrap();
    let out = ikd(d.path(), &["key", "new", "office.key", "--name", "DISDUKCAPIL KOTA CILEGON"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let key = d.path().join("office.key");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    let secret = std::fs::read_to_string(&key).unwrap();
    let seed = secret.lines().nth(1).unwrap().to_owned();
    let public = text(&out.stdout);
    assert!(public.starts_with("ikdpk1:"));
    assert_eq!(
        std::fs::read_to_string(d.path().join("office.key.pub")).unwrap().lines().last().unwrap(),
        public.trim()
    );
    assert!(d.path().join("office.key.state.json").exists());

    // Refused without --force; the key is unchanged.
    let again = ikd(d.path(), &["key", "new", "office.key"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), secret);

    // With --force: a new key, still 0600.
    let forced = ikd(d.path(), &["key", "new", "office.key", "--force"]);
    assert_eq!(forced.status.code(), Some(0));
    assert_ne!(std::fs::read_to_string(&key).unwrap(), secret);
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);

    // The secret never appears in any output.
    for args in [&["key", "pub", "office.key"][..], &["--json", "key", "pub", "office.key"][..]] {
        let o = ikd(d.path(), args);
        assert!(!text(&o.stdout).contains(&seed) && !text(&o.stderr).contains(&seed));
    }
    for o in [&out, &again] {
        assert!(!text(&o.stdout).contains(&seed) && !text(&o.stderr).contains(&seed));
    }
}

#[test]
fn issue_then_verify_through_a_pipe_and_json() {
    let d = sandbox();
    let issued = ikd(d.path(), &["issue", "--key", "TEST-ONLY-issuer.key", "resident.json"]);
    assert_eq!(issued.status.code(), Some(0), "{}", text(&issued.stderr));
    let cred = text(&issued.stdout);
    assert!(cred.starts_with("IKD1:"));
    let secret = std::fs::read_to_string(d.path().join("TEST-ONLY-issuer.key")).unwrap();
    let seed = secret.lines().find(|l| !l.starts_with('#') && !l.starts_with("IKD-")).unwrap();
    assert!(!cred.contains(seed) && !text(&issued.stderr).contains(seed));

    // A USB scanner: several lines on stdin, one verdict per line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ikd"))
        .args(["--json", "verify", "--trust", "trust.json"])
        .current_dir(d.path())
        .env("LC_ALL", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", cred.trim()).unwrap();
        writeln!(stdin, "{}", cred.trim()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["verdict"], "VALID");
    assert_eq!(lines[0]["claims"]["nik"], "************0007");
    assert_eq!(lines[0]["report"].as_array().unwrap().len(), 6);
    assert_eq!(lines[0]["issuer"]["name"], "DISDUKCAPIL KABUPATEN SERANG (TEST)");

    // Plain mode: one line per scan, the worst verdict decides the status.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ikd"))
        .args(["verify", "--trust", "trust.json"])
        .current_dir(d.path())
        .env("LC_ALL", "en_US.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        write!(stdin, "{}\r\nHELLO\n\n", cred.trim()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("VALID | BUDI SANTOSO | NIK ************0007"), "{lines:?}");
    assert!(lines[1].starts_with("INVALID | decode_wrong_prefix"), "{lines:?}");

    // The serial counter moved on.
    let second = ikd(d.path(), &["--json", "issue", "--key", "TEST-ONLY-issuer.key", "resident.json"]);
    let j: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(j["serial"], 3);
}

fn journal(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn interrupted_batch_resumes_without_issuing_anyone_twice() {
    let d = sandbox();
    let people = ikd(d.path(), &["dev", "gen-residents", "150", "--seed", "3"]);
    assert_eq!(people.status.code(), Some(0));
    std::fs::write(d.path().join("people.jsonl"), &people.stdout).unwrap();
    let args = ["issue", "--key", "TEST-ONLY-issuer.key", "--batch", "people.jsonl", "--out-dir", "out"];

    // Simulated crash after 70 credentials: 64 journaled (one chunk), 6 written but not journaled.
    let crashed = ikd_env(d.path(), &args, &[("IKD_TEST_ABORT_AFTER", "70")]);
    assert_eq!(crashed.status.code(), Some(99), "{}", text(&crashed.stderr));
    let out = d.path().join("out");
    let j = journal(&out);
    let reserved: BTreeMap<u64, u64> = j
        .iter()
        .filter(|e| e["op"] == "reserve")
        .map(|e| (e["line"].as_u64().unwrap(), e["serial"].as_u64().unwrap()))
        .collect();
    assert_eq!(reserved.len(), 150, "every line reserved before signing");
    assert_eq!(j.iter().filter(|e| e["op"] == "done").count(), 64);
    assert!(!out.join("manifest.jsonl").exists());

    // Resume: finishes the rest, reusing the reserved serials.
    let resumed = ikd(d.path(), &args);
    assert_eq!(resumed.status.code(), Some(0), "{}", text(&resumed.stderr));
    assert!(text(&resumed.stdout).contains("86 issued now, 64 already done"), "{}", text(&resumed.stdout));
    let j = journal(&out);
    let mut by_line: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for e in j.iter().filter(|e| e["op"] == "done") {
        by_line.entry(e["line"].as_u64().unwrap()).or_default().insert(e["serial"].as_u64().unwrap());
    }
    assert_eq!(by_line.len(), 150);
    for (line, serials) in &by_line {
        assert_eq!(serials.len(), 1, "line {line} issued under two serials");
        assert_eq!(serials.iter().next(), reserved.get(line));
    }
    let all: BTreeSet<u64> = by_line.values().flatten().copied().collect();
    assert_eq!(all.len(), 150, "serials are unique");
    let manifest = std::fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    assert_eq!(manifest.lines().count(), 150);

    // A third run does nothing.
    let again = ikd(d.path(), &args);
    assert!(text(&again.stdout).contains("0 issued now, 150 already done"), "{}", text(&again.stdout));

    // Every credential verifies, in batch.
    let v = ikd(d.path(), &["--json", "verify", "--trust", "trust.json", "--batch", "out"]);
    assert_eq!(v.status.code(), Some(0));
    let last: serde_json::Value = serde_json::from_str(text(&v.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(last["summary"]["valid"], 150);

    // The same out-dir with another input is refused.
    std::fs::write(d.path().join("other.jsonl"), people.stdout.get(..people.stdout.len() / 2).unwrap()).unwrap();
    let other =
        ikd(d.path(), &["issue", "--key", "TEST-ONLY-issuer.key", "--batch", "other.jsonl", "--out-dir", "out"]);
    assert_eq!(other.status.code(), Some(2));
}

/// A synthetic portrait: a face-coloured oval on a blue background.
fn portrait(path: &Path) {
    let img = image::RgbImage::from_fn(240, 300, |x, y| {
        let (dx, dy) = (x as f32 - 120.0, y as f32 - 130.0);
        if (dx / 70.0).powi(2) + (dy / 95.0).powi(2) < 1.0 {
            let eye = ((dx.abs() - 28.0).powi(2) + (dy + 20.0).powi(2)) < 80.0;
            if eye { image::Rgb([40, 30, 30]) } else { image::Rgb([224, 180, 150]) }
        } else {
            image::Rgb([60 + (y / 6) as u8, 110, 200])
        }
    });
    img.save(path).unwrap();
}

#[test]
fn photo_fits_qr_version_22_and_card_reads_back() {
    let d = sandbox();
    portrait(&d.path().join("face.png"));
    let mut photos = vec![d.path().join("face.png")];
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/face.png");
    if shared.exists() {
        photos.push(shared);
    }
    for (i, photo) in photos.iter().enumerate() {
        let card = format!("card{i}.png");
        let out = ikd(
            d.path(),
            &[
                "--json",
                "issue",
                "--key",
                "TEST-ONLY-issuer.key",
                "resident.json",
                "--photo",
                photo.to_str().unwrap(),
                "--card",
                &card,
                "--qr",
                "qr.svg",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(j["chars"].as_u64().unwrap() <= 1134, "{j}");
        assert!(j["qr_version_m"].as_u64().unwrap() <= 22, "{j}");
        assert!(j["photo"]["bytes"].as_u64().unwrap() > 200, "{j}");
        let png = std::fs::read(d.path().join(&card)).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (1011, 638));
        let v = ikd(d.path(), &["--json", "verify", "--trust", "trust.json", &card]);
        assert_eq!(v.status.code(), Some(0), "{}{}", text(&v.stdout), text(&v.stderr));
        let r: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
        assert_eq!(r["photo_bytes"], j["photo"]["bytes"]);
    }
    // A photo that is not an image is refused before any serial is used.
    std::fs::write(d.path().join("not.png"), b"hello").unwrap();
    let before = std::fs::read_to_string(d.path().join("TEST-ONLY-issuer.key.state.json")).unwrap();
    let bad = ikd(d.path(), &["issue", "--key", "TEST-ONLY-issuer.key", "resident.json", "--photo", "not.png"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("not.png"), "{}", text(&bad.stderr));
    let after = std::fs::read_to_string(d.path().join("TEST-ONLY-issuer.key.state.json")).unwrap();
    assert_eq!(
        before.lines().filter(|l| l.contains("next_serial")).collect::<Vec<_>>(),
        after.lines().filter(|l| l.contains("next_serial")).collect::<Vec<_>>()
    );
}

#[test]
fn demo_runs_every_step() {
    let d = tempfile::tempdir().unwrap();
    let out = ikd(d.path(), &["demo", "--dir", "demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for n in 1..=6 {
        assert!(s.contains(&format!("== Step {n}:")), "{s}");
    }
    assert!(s.contains("VALID") && s.contains("signature_invalid"), "{s}");
    assert!(d.path().join("demo/credential.png").exists());
}

#[test]
fn help_exists_for_every_command() {
    let d = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["key", "new", "--help"],
        &["key", "pub", "--help"],
        &["trust", "add", "--help"],
        &["trust", "show", "--help"],
        &["issue", "--help"],
        &["verify", "--help"],
        &["inspect", "--help"],
        &["qr", "--help"],
        &["demo", "--help"],
    ] {
        let out = ikd(d.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(text(&out.stdout).contains("Usage:"), "{args:?}");
    }
}
