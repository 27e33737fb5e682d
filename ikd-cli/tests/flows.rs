//! End-to-end flows of the `ikd` binary that snapshots cannot express: file modes, secrets kept
//! out of output, an interrupted batch resumed, photos within the QR budget, cards read back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::{fixtures, fresh_data_home, text};

fn ikd(dir: &Path, args: &[&str]) -> Output {
    ikd_env(dir, args, &[])
}

fn ikd_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    common::run(dir, &fresh_data_home(dir), args, env)
}

fn sandbox() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in [
        "TEST-ONLY-issuer.key",
        "TEST-ONLY-issuer.key.pub",
        "TEST-ONLY-issuer.key.state.json",
        "TEST-ONLY-holder.key",
        "TEST-ONLY-holder.key.pub",
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
    let report = lines[0]["report"].as_array().unwrap();
    assert_eq!(report.len(), 7, "six checks and status");
    assert_eq!(report[6], serde_json::json!({"check": "status", "code": null, "outcome": "not_checked"}));
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
        assert_eq!(r["photo"]["bytes"], j["photo"]["bytes"]);
        // Issue 14: a counter using `ikd verify` can see the face: `--photo-out` saves it.
        let out_png = format!("face-out{i}.png");
        let v = ikd(d.path(), &["verify", "--trust", "trust.json", &card, "--photo-out", &out_png]);
        assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
        let face = image::load_from_memory(&std::fs::read(d.path().join(&out_png)).unwrap()).unwrap();
        assert!(face.width() > 16 && face.height() > 16);
        let out_webp = format!("face-out{i}.webp");
        let v = ikd(d.path(), &["verify", "--trust", "trust.json", &card, "--photo-out", &out_webp]);
        assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
        assert_eq!(&std::fs::read(d.path().join(&out_webp)).unwrap()[8..12], b"WEBP");
    }
    // --photo-out takes one credential, and a credential without a photo has none to save.
    let plain =
        ikd(d.path(), &["--json", "issue", "--key", "TEST-ONLY-issuer.key", "resident.json", "--out", "plain.ikd"]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain.stderr));
    let one = std::fs::read_to_string(d.path().join("plain.ikd")).unwrap();
    std::fs::write(d.path().join("two.txt"), format!("{}\n{}\n", one.trim(), one.trim())).unwrap();
    let two = ikd(d.path(), &["--json", "verify", "--trust", "trust.json", "two.txt", "--photo-out", "x.png"]);
    assert_eq!(two.status.code(), Some(2), "{}", text(&two.stdout));
    assert!(text(&two.stdout).contains("photo_out_one_input"), "{}", text(&two.stdout));
    let none = ikd(d.path(), &["--json", "verify", "--trust", "trust.json", "plain.ikd", "--photo-out", "y.png"]);
    assert_eq!(none.status.code(), Some(2), "{}", text(&none.stdout));
    assert!(text(&none.stdout).contains("photo_none"), "{}", text(&none.stdout));
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
        &["present", "--help"],
        &["verify", "--help"],
        &["inspect", "--help"],
        &["qr", "--help"],
        &["demo", "--help"],
        &["trust", "sign", "--help"],
        &["trust", "inspect", "--help"],
        &["status", "--help"],
        &["status", "show", "--help"],
        &["status", "revoke", "--help"],
        &["status", "suspend", "--help"],
        &["status", "unsuspend", "--help"],
        &["status", "publish", "--help"],
        &["sync", "--help"],
    ] {
        let out = ikd(d.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(text(&out.stdout).contains("Usage:"), "{args:?}");
    }
    // The list commands document their exit statuses.
    for args in
        [&["status", "--help"][..], &["sync", "--help"], &["trust", "inspect", "--help"], &["trust", "sign", "--help"]]
    {
        assert!(text(&ikd(d.path(), args).stdout).contains("Exit status"), "{args:?}");
    }
}

/// Runs `ikd` with `input` on stdin.
fn ikd_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ikd"))
        .args(args)
        .current_dir(dir)
        .env("LC_ALL", "en_US.UTF-8")
        .env_remove("IKD_TRUST")
        .env_remove("IKD_CACHE")
        .env("XDG_DATA_HOME", fresh_data_home(dir))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// A sandbox with `phone.ikd`, a credential bound to the TEST ONLY holder key, issued now or at
/// `issued_at`.
fn phone_sandbox(issued_at: Option<&str>) -> tempfile::TempDir {
    let d = sandbox();
    let mut args = vec!["issue", "--key", "TEST-ONLY-issuer.key", "resident.json"];
    args.extend(["--holder", "TEST-ONLY-holder.key.pub", "--out", "phone.ikd"]);
    if let Some(t) = issued_at {
        args.extend(["--now", t]);
    }
    let out = ikd(d.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    d
}

#[test]
fn live_presentation_piped_into_verify_and_replay_refused() {
    let d = phone_sandbox(None);
    // Now, on the real clock: the holder presents, the counter verifies from stdin (a scanner).
    let p =
        ikd(d.path(), &["present", "phone.ikd", "--holder-key", "TEST-ONLY-holder.key", "--show", "nama,age_over_17"]);
    assert_eq!(p.status.code(), Some(0), "{}", text(&p.stderr));
    let presentation = text(&p.stdout);
    assert!(presentation.starts_with("IKD1:") && presentation.lines().count() == 1, "{presentation}");
    assert!(text(&p.stderr).contains("Live presentation made"), "{}", text(&p.stderr));
    // The holder's secret never appears.
    let secret = std::fs::read_to_string(d.path().join("TEST-ONLY-holder.key")).unwrap();
    let seed = secret.lines().find(|l| !l.starts_with('#') && !l.starts_with("IKD-")).unwrap();
    assert!(!presentation.contains(seed) && !text(&p.stderr).contains(seed));

    // The same code scanned twice at one counter: the second is a replay.
    let twice = format!("{}\n{}\n", presentation.trim(), presentation.trim());
    let v = ikd_stdin(d.path(), &["--json", "verify", "--trust", "trust.json", "--policy", "umum"], &twice);
    assert_eq!(v.status.code(), Some(1), "{}", text(&v.stderr));
    let lines: Vec<serde_json::Value> = text(&v.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["verdict"], "VALID", "{}", lines[0]);
    assert_eq!(lines[0]["kind"], "presentation");
    assert_eq!(lines[0]["live"], true);
    assert_eq!(lines[0]["policy"], "umum");
    assert_eq!(lines[0]["claims"], serde_json::json!({"nama": "BUDI SANTOSO", "age_over_17": true}));
    assert_eq!(lines[0]["withheld"].as_array().unwrap().len(), 14);
    assert!(lines[0]["withheld"].as_array().unwrap().contains(&"nik".into()));
    assert_eq!(lines[1]["code"], "presentation_replayed");

    // Plain mode: one line per scan, naming the kind of presentation.
    let v = ikd_stdin(d.path(), &["verify", "--trust", "trust.json"], &format!("{}\n", presentation.trim()));
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stderr));
    assert!(
        text(&v.stdout).starts_with("VALID | BUDI SANTOSO | live presentation, 14 withheld | "),
        "{}",
        text(&v.stdout)
    );
}

#[test]
fn watch_signs_a_fresh_code_each_time_and_each_verifies() {
    let d = phone_sandbox(Some("2026-01-05T00:00:00Z"));
    let out = ikd(
        d.path(),
        &[
            "--json",
            "present",
            "phone.ikd",
            "--holder-key",
            "TEST-ONLY-holder.key",
            "--show",
            "nama,nik",
            "--challenge",
            "Z9",
            "--time",
            "2026-06-01T00:00:00Z",
            "--watch",
            "--every",
            "1",
            "--count",
            "3",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let frames: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(frames.len(), 3);
    let codes: BTreeSet<&str> = frames.iter().map(|f| f["presentation"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 3, "every frame is signed afresh");
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f["frame"], i as u64 + 1);
        assert_eq!(f["time"], format!("2026-06-01T00:00:0{i}Z"));
        assert_eq!(f["challenge"], "Z9");
    }
    // All three verify at one counter (distinct signatures, so no replay), with the challenge.
    let input: String = codes.iter().map(|c| format!("{c}\n")).collect();
    let v = ikd_stdin(
        d.path(),
        &["--json", "verify", "--trust", "trust.json", "--now", "2026-06-01T00:00:30Z", "--challenge", "Z9"],
        &input,
    );
    assert_eq!(v.status.code(), Some(0), "{}{}", text(&v.stdout), text(&v.stderr));
    assert_eq!(text(&v.stdout).lines().count(), 3);

    // The terminal form (not a terminal here, so no escape codes): the QR and a caption per code.
    let out = ikd(
        d.path(),
        &[
            "present",
            "phone.ikd",
            "--holder-key",
            "TEST-ONLY-holder.key",
            "--show",
            "nama",
            "--watch",
            "--every",
            "1",
            "--count",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(!s.contains('\x1b'), "no escape codes when stdout is not a terminal");
    assert_eq!(s.matches("Code ").count(), 2, "{s}");
    assert!(s.contains("New code in 1 seconds") && s.contains('█'), "{s}");
}

#[test]
fn batch_verifies_presentations_and_credentials_together() {
    let d = phone_sandbox(None);
    std::fs::create_dir(d.path().join("in")).unwrap();
    std::fs::copy(d.path().join("phone.ikd"), d.path().join("in/1-phone.ikd")).unwrap();
    for (name, args) in [
        ("in/2-live.ikd", &["--holder-key", "TEST-ONLY-holder.key", "--show", "nama,nik"][..]),
        ("in/3-static.ikd", &["--show", "all,-foto"][..]),
    ] {
        let mut a = vec!["present", "phone.ikd", "--out", name];
        a.extend_from_slice(args);
        let o = ikd(d.path(), &a);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }
    // Without a policy: Ed25519 batch verification over credentials and presentations alike.
    let v = ikd(d.path(), &["--json", "verify", "--trust", "trust.json", "--batch", "in"]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v.stdout));
    let lines: Vec<serde_json::Value> = text(&v.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let kinds: Vec<(&str, bool)> =
        lines[..3].iter().map(|l| (l["kind"].as_str().unwrap(), l["live"].as_bool().unwrap())).collect();
    assert_eq!(kinds, [("credential", false), ("presentation", true), ("presentation", false)]);
    assert_eq!(lines[3]["summary"]["valid"], 3);
    // A live-only policy: the full credential and the static presentation are refused.
    let v = ikd(d.path(), &["--json", "verify", "--trust", "trust.json", "--batch", "in", "--policy", "apotek"]);
    assert_eq!(v.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&v.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let codes: Vec<&str> = lines[..3].iter().map(|l| l["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["policy_requires_live", "policy_claims_missing", "policy_claims_missing"]);
}

#[test]
fn present_help_names_every_claim() {
    let d = tempfile::tempdir().unwrap();
    let out = ikd(d.path(), &["present", "--help"]);
    let help = text(&out.stdout);
    for name in ikd_core::SLOT_NAMES {
        assert!(help.contains(name), "{name} missing from `ikd present --help`:\n{help}");
    }
    for opt in ["--holder-key", "--show", "--challenge", "--watch", "--every", "--count", "--time", "--qr"] {
        assert!(help.contains(opt), "{opt}");
    }
    let verify = text(&ikd(d.path(), &["verify", "--help"]).stdout);
    for opt in ["--policy", "--policy-file", "--challenge", "--list-policies"] {
        assert!(verify.contains(opt), "{opt}");
    }
}

/// A counter that runs `ikd verify` once per scan starts a new verifier each time; the
/// seen-presentations file in the data directory still catches the second use of a live code.
#[test]
fn live_presentation_scanned_again_by_a_new_run_is_refused() {
    let d = phone_sandbox(None);
    let p = ikd(d.path(), &["present", "phone.ikd", "--holder-key", "TEST-ONLY-holder.key", "--show", "nama,nik"]);
    assert_eq!(p.status.code(), Some(0), "{}", text(&p.stderr));
    let code = text(&p.stdout).trim().to_owned();
    let data = d.path().join("counter-data");
    let data_env = [("XDG_DATA_HOME", data.to_str().unwrap())];
    let first = ikd_env(d.path(), &["--json", "verify", "--trust", "trust.json", &code], &data_env);
    assert_eq!(first.status.code(), Some(0), "{}{}", text(&first.stdout), text(&first.stderr));
    let again = ikd_env(d.path(), &["--json", "verify", "--trust", "trust.json", &code], &data_env);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stderr));
    let j: serde_json::Value = serde_json::from_str(text(&again.stdout).trim()).unwrap();
    assert_eq!((j["verdict"].as_str(), j["code"].as_str()), (Some("INVALID"), Some("presentation_replayed")), "{j}");
    // The file holds a hash and a time, nothing about the resident.
    let file = std::fs::read_to_string(data.join("ikd/seen-presentations")).unwrap();
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(lines.len(), 1, "{file}");
    let (id, until) = lines[0].split_once(' ').unwrap();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) && until.parse::<i64>().is_ok(), "{file}");
    assert!(!file.contains("BUDI") && !file.contains("3604"), "{file}");
    // Full credentials are static: they can be shown again and are not recorded.
    for _ in 0..2 {
        let full = ikd_env(d.path(), &["verify", "--trust", "trust.json", "phone.ikd"], &data_env);
        assert_eq!(full.status.code(), Some(0), "{}", text(&full.stderr));
    }
    assert_eq!(std::fs::read_to_string(data.join("ikd/seen-presentations")).unwrap(), file);
    // Another counter (another file) has not seen it.
    let other =
        ikd_env(d.path(), &["verify", "--trust", "trust.json", "--seen-file", "other-counter/seen", &code], &data_env);
    assert_eq!(other.status.code(), Some(0), "{}", text(&other.stderr));
    // A file that cannot be written: a warning, and the verdict of this run alone.
    let unusable =
        ikd_env(d.path(), &["verify", "--trust", "trust.json", "--seen-file", "phone.ikd/seen", &code], &data_env);
    assert_eq!(unusable.status.code(), Some(0), "{}", text(&unusable.stderr));
    assert!(text(&unusable.stderr).contains("recognised only within this run"), "{}", text(&unusable.stderr));
}

fn small_batch(d: &Path, n: &str) {
    let people = ikd(d, &["dev", "gen-residents", n, "--seed", "5"]);
    assert_eq!(people.status.code(), Some(0));
    std::fs::write(d.join("people.jsonl"), &people.stdout).unwrap();
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Credentials, journal and manifest hold personal data and salt secrets: the out-dir is 0700
/// and every file in it 0600, also when the directory existed with a wider mode.
#[test]
fn regression_batch_outputs_are_private() {
    let d = sandbox();
    small_batch(d.path(), "3");
    let args = ["issue", "--key", "TEST-ONLY-issuer.key", "--batch", "people.jsonl", "--out-dir", "out"];
    let o = ikd(d.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = d.path().join("out");
    assert_eq!(mode(&out), 0o700);
    let files: Vec<PathBuf> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 5, "{files:?}");
    for f in &files {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }

    // An existing, world-readable out-dir is tightened (with a warning); a resume keeps 0600.
    let shared = d.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o =
        ikd(d.path(), &["issue", "--key", "TEST-ONLY-issuer.key", "--batch", "people.jsonl", "--out-dir", "shared"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("changed to 0700"), "{}", text(&o.stderr));
    assert_eq!(mode(&shared), 0o700);
    std::fs::remove_file(shared.join("000001.ikd")).unwrap();
    let o =
        ikd(d.path(), &["issue", "--key", "TEST-ONLY-issuer.key", "--batch", "people.jsonl", "--out-dir", "shared"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for e in std::fs::read_dir(&shared).unwrap() {
        let p = e.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

/// The journal names the files a resume rewrites: a name outside the out-dir (absolute, with
/// `..`, or a symbolic link leading out) is refused with `batch_journal_path_outside`, and
/// nothing is written there.
#[test]
fn regression_batch_journal_paths_stay_in_out_dir() {
    let d = sandbox();
    small_batch(d.path(), "2");
    let args = ["--json", "issue", "--key", "TEST-ONLY-issuer.key", "--batch", "people.jsonl", "--out-dir", "out"];
    let o = ikd(d.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = d.path().join("out");
    let original = std::fs::read_to_string(out.join("journal.jsonl")).unwrap();
    let outside = d.path().join("escaped.ikd");
    for bad in ["../escaped.ikd", outside.to_str().unwrap(), "sub/../../escaped.ikd"] {
        let edited = original.replace("\"000001.ikd\"", &serde_json::to_string(bad).unwrap());
        assert_ne!(edited, original);
        std::fs::write(out.join("journal.jsonl"), edited).unwrap();
        let _ = std::fs::remove_file(out.join("000001.ikd"));
        let o = ikd(d.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o.stderr));
        let err: serde_json::Value = serde_json::from_str(text(&o.stdout).lines().last().unwrap()).unwrap();
        assert_eq!(err["error"]["code"], "batch_journal_path_outside", "{bad}: {err}");
        assert_eq!(err["error"]["line"], 4, "the journal line naming it");
        assert!(!outside.exists(), "{bad}: written outside the out-dir");
    }

    // A symbolic link in the out-dir leading outside it.
    std::fs::write(out.join("journal.jsonl"), &original).unwrap();
    std::fs::write(&outside, "not a credential\n").unwrap();
    let _ = std::fs::remove_file(out.join("000001.ikd"));
    std::os::unix::fs::symlink(&outside, out.join("000001.ikd")).unwrap();
    let o = ikd(d.path(), &args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("batch_journal_path_outside"), "{}", text(&o.stdout));
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "not a credential\n");

    // The untouched journal still resumes.
    std::fs::remove_file(out.join("000001.ikd")).unwrap();
    let o = ikd(d.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(out.join("000001.ikd").is_file());

    // A journal that is itself a symbolic link is not followed.
    std::fs::rename(out.join("journal.jsonl"), d.path().join("elsewhere.jsonl")).unwrap();
    std::os::unix::fs::symlink(d.path().join("elsewhere.jsonl"), out.join("journal.jsonl")).unwrap();
    let o = ikd(d.path(), &args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("batch_journal_path_outside"), "{}", text(&o.stdout));
}

/// Status indices are 28 bits; serials of 2^28 and more used to be folded into them and so
/// shared the index of a lower serial (revoking one revoked both). They are refused now.
#[test]
fn regression_serials_beyond_status_range_are_refused() {
    let d = sandbox();
    let state_path = d.path().join("TEST-ONLY-issuer.key.state.json");
    let mut state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    let max = (1u64 << 28) - 1;
    state["next_serial"] = max.into();
    std::fs::write(&state_path, serde_json::to_string(&state).unwrap()).unwrap();
    let issue = ["--json", "issue", "--key", "TEST-ONLY-issuer.key", "resident.json"];

    // The last serial with an index of its own is still issued.
    let o = ikd(d.path(), &issue);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["serial"], max);

    // The next one is refused, and the counter does not move.
    let o = ikd(d.path(), &issue);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    let e: serde_json::Value = serde_json::from_str(text(&o.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(e["error"]["code"], "serial_beyond_status_range", "{e}");
    let after: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    assert_eq!(after["next_serial"], max + 1);

    // An explicit serial that would fold onto serial 1 is refused too …
    let o =
        ikd(d.path(), &["--json", "issue", "--key", "TEST-ONLY-issuer.key", "resident.json", "--serial", "268435456"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(text(&o.stdout).contains("serial_beyond_status_range"));
    // … unless its index is given.
    let o = ikd(
        d.path(),
        &[
            "--json",
            "issue",
            "--key",
            "TEST-ONLY-issuer.key",
            "resident.json",
            "--serial",
            "268435456",
            "--status-index",
            "5",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // A batch is refused before anything is reserved or signed.
    small_batch(d.path(), "2");
    let o = ikd(
        d.path(),
        &["--json", "issue", "--key", "TEST-ONLY-issuer.key", "--batch", "people.jsonl", "--out-dir", "out"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("serial_beyond_status_range"), "{}", text(&o.stdout));
    assert!(!d.path().join("out/000001.ikd").exists());
}

/// The resident fixture with `berlaku_hingga` set to `day`.
fn resident_until(dir: &Path, day: &str) -> PathBuf {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("resident.json")).unwrap()).unwrap();
    v["berlaku_hingga"] = serde_json::json!(day);
    let p = dir.join("resident-until.json");
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

#[test]
fn regression_cli_and_server_cap_expiry_at_the_same_instant() {
    // Issue 14: `ikd issue` ended at 23:59:59Z of `berlaku_hingga`, the server at 00:00Z. Both
    // now call `ikd_core::issuance::plan`: the end of that day in WIB.
    let d = sandbox();
    resident_until(d.path(), "2031-05-20");
    let args = [
        "--json",
        "issue",
        "--key",
        "TEST-ONLY-issuer.key",
        "resident-until.json",
        "--now",
        "2027-01-01T03:00:00Z",
        "--serial",
        "5",
    ];
    let o = ikd(d.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let j: serde_json::Value = serde_json::from_str(text(&o.stdout).trim()).unwrap();
    assert_eq!(j["expires_at"], "2031-05-20T17:00:00Z");
    assert_eq!(j["validity_shortened_to_berlaku_hingga"], true);
    let claims =
        ikd_core::Claims::from_json(&std::fs::read_to_string(d.path().join("resident-until.json")).unwrap()).unwrap();
    assert_eq!(
        ikd_core::issuance::card_end(&claims).map(|t| t.to_string()).as_deref(),
        j["expires_at"].as_str(),
        "the CLI's expiry is the core's"
    );
}

#[test]
fn regression_issue_refuses_a_card_already_over_with_the_core_code() {
    // Issue 14: the refusal and its code come from the core issuing policy.
    let d = sandbox();
    resident_until(d.path(), "2026-12-31");
    let o = ikd(
        d.path(),
        &["--json", "issue", "--key", "TEST-ONLY-issuer.key", "resident-until.json", "--now", "2027-01-01T03:00:00Z"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("issue_beyond_berlaku_hingga")
            || text(&o.stdout).contains("issue_beyond_berlaku_hingga")
    );
    let o = ikd(
        d.path(),
        &["--json", "issue", "--key", "TEST-ONLY-issuer.key", "resident.json", "--valid-days", "0", "--serial", "6"],
    );
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_ne!(o.status.code(), Some(0));
    assert!(all.contains("issue_valid_days_out_of_range"), "{all}");
}

#[test]
fn regression_trust_add_date_only_not_after_covers_the_whole_day() {
    // Issue 14: `--not-after 2035-12-31` silently ended at 00:00 of that day.
    let d = sandbox();
    let o = ikd(
        d.path(),
        &[
            "--json",
            "trust",
            "add",
            "--store",
            "t2.json",
            "--name",
            "X",
            "--key",
            "TEST-ONLY-issuer.key.pub",
            "--not-before",
            "2026-01-01",
            "--not-after",
            "2035-12-31",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let store: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("t2.json")).unwrap()).unwrap();
    let entry = &store["issuers"][0];
    assert_eq!(entry["not_after"], "2035-12-31T16:59:59Z", "{store}");
    assert_eq!(entry["not_before"], "2025-12-31T17:00:00Z", "{store}");
}

#[test]
fn regression_cli_and_server_next_status_sequence_is_one_rule() {
    // Issue 14: `ikd status publish` numbered lists previous + 1, the server max(now, previous + 1).
    let d = sandbox();
    let publish = |now: &str| {
        let o = ikd(d.path(), &["--json", "status", "publish", "--key", "TEST-ONLY-issuer.key", "--now", now]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let j: serde_json::Value = serde_json::from_str(text(&o.stdout).trim()).unwrap();
        j["sequence"].as_u64().unwrap()
    };
    let first = publish("2026-01-06T00:00:00Z");
    assert_eq!(first, 1_767_657_600);
    assert_eq!(first, ikd_core::list_holder::next_status_sequence(None, ikd_core::Timestamp::from_unix(1_767_657_600)));
    // Signed again within the same second: previous + 1.
    assert_eq!(publish("2026-01-06T00:00:00Z"), first + 1);
}

/// Issue 18: `--batch` reads manifest lines without building a whole JSON value; every kind of
/// line still gets its own answer or its own error code.
#[test]
fn batch_lines_each_get_their_code() {
    let d = sandbox();
    let issued = ikd(d.path(), &["issue", "--key", "TEST-ONLY-issuer.key", "resident.json"]);
    assert_eq!(issued.status.code(), Some(0), "{}", text(&issued.stderr));
    let cred = text(&issued.stdout).trim().to_owned();
    let lines = [
        // A manifest line: other fields (some nested) are skipped.
        serde_json::json!({"file": "a.ikd", "extra": {"n": [1, 2]}, "credential": cred}).to_string(),
        // A bare JSON string.
        serde_json::json!(cred).to_string(),
        serde_json::json!({"file": "b.ikd"}).to_string(),
        serde_json::json!({"credential": 5}).to_string(),
        "[1, 2]".to_owned(),
        "{\"credential\": ".to_owned(),
    ];
    std::fs::write(d.path().join("batch.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = ikd(d.path(), &["--json", "verify", "--trust", "trust.json", "--batch", "batch.jsonl"]);
    assert_eq!(out.status.code(), Some(2), "input errors give 2: {}", text(&out.stderr));
    let answers: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let summary = &answers.last().unwrap()["summary"];
    assert_eq!(summary["valid"], 2, "{answers:?}");
    assert_eq!(summary["input_errors"], 4, "{answers:?}");
    // The errors (`batch_no_credential` twice, `batch_bad_line`, `batch_bad_json`), by line.
    let stderr = text(&out.stderr);
    assert!(stderr.contains("batch.jsonl:3: this line has no `credential` field"), "{stderr}");
    assert!(stderr.contains("batch.jsonl:4: this line has no `credential` field"), "{stderr}");
    assert!(stderr.contains("batch.jsonl:5: the line must be a JSON string or object"), "{stderr}");
    assert!(stderr.contains("batch.jsonl:6:15: invalid JSON"), "{stderr}");
}

/// Issue 18: `--batch` reads its file a chunk at a time, but a file whose lines are not all
/// UTF-8, or that holds a line over 1 MiB, is still refused whole, before any answer, with the
/// line (and column) it fails at. Answers from a streamed file are those of every line.
#[test]
fn batch_file_is_checked_before_any_answer() {
    let d = sandbox();
    let issued = ikd(d.path(), &["issue", "--key", "TEST-ONLY-issuer.key", "resident.json"]);
    assert_eq!(issued.status.code(), Some(0), "{}", text(&issued.stderr));
    let cred = text(&issued.stdout).trim().to_owned();
    let good = serde_json::json!({ "credential": cred }).to_string();
    let run = |name: &str, bytes: Vec<u8>| {
        std::fs::write(d.path().join(name), bytes).unwrap();
        ikd(d.path(), &["--json", "verify", "--trust", "trust.json", "--batch", name])
    };
    // Not UTF-8 on line 3, column 4: no answer for lines 1 and 2.
    let mut bytes = format!("{good}\n{good}\n\"ab").into_bytes();
    bytes.extend_from_slice(&[0xff, b'"', b'\n']);
    let out = run("bad.jsonl", bytes);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "only the error: {lines:?}");
    assert_eq!(lines[0]["error"]["code"], "io_not_utf8", "{lines:?}");
    assert_eq!((lines[0]["error"]["line"].as_u64(), lines[0]["error"]["column"].as_u64()), (Some(3), Some(4)));
    // A line over 1 MiB (line 2).
    let long = format!("{good}\n\"{}\"\n{good}\n", "A".repeat(1024 * 1024 + 1));
    let out = run("long.jsonl", long.into_bytes());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "only the error: {lines:?}");
    assert_eq!(lines[0]["error"]["code"], "io_too_large", "{lines:?}");
    assert_eq!(lines[0]["error"]["line"], 2, "{lines:?}");
    // More lines than one chunk, a blank line and CRLF endings: every credential answered.
    let many: String = (0..7).map(|i| if i == 3 { "\r\n".to_owned() } else { format!("{good}\r\n") }).collect();
    std::fs::write(d.path().join("many.jsonl"), many).unwrap();
    let out = ikd(d.path(), &["--json", "verify", "--trust", "trust.json", "--batch", "many.jsonl", "--chunk", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.last().unwrap()["summary"]["valid"], 6, "{lines:?}");
    let labels: Vec<&str> = lines[..6].iter().map(|l| l["source"].as_str().unwrap_or("")).collect();
    assert!(labels.iter().all(|l| l.starts_with("many.jsonl:")) && labels[3] == "many.jsonl:5", "{labels:?}");
}
