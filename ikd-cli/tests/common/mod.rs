//! Test helpers shared by the `ikd` integration tests (issue 14: shared test helpers live once
//! per crate): the fixtures folder, a hermetic `ikd` command, and output checks.
// Each test file uses its own subset of these helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `ikd-cli/tests/fixtures`: TEST-ONLY keys, trust stores, residents.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `ikd` run in `dir`, in English, with no trust store, cache or proxy from the environment
/// and `data_home` as `XDG_DATA_HOME` (the default cache and the seen-presentations file).
pub fn command(dir: &Path, data_home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ikd"));
    c.current_dir(dir)
        .env("LC_ALL", "en_US.UTF-8")
        .env_remove("IKD_TRUST")
        .env_remove("IKD_CACHE")
        .env("XDG_DATA_HOME", data_home)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy");
    c
}

/// Runs `ikd args` (see [`command`]) with extra environment variables.
pub fn run(dir: &Path, data_home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = command(dir, data_home);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run ikd")
}

/// A data directory of its own for each run, so that runs share a seen-presentations file only
/// where a test says so (with `XDG_DATA_HOME` in `env`).
pub fn fresh_data_home(dir: &Path) -> PathBuf {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    dir.join(format!("data-{}", RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)))
}

/// Asserts exit status 0; returns stdout.
#[track_caller]
pub fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    text(&o.stdout)
}

/// Asserts exit status `want`; returns stdout and stderr.
#[track_caller]
pub fn code(o: &Output, want: i32) -> (String, String) {
    assert_eq!(o.status.code(), Some(want), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    (text(&o.stdout), text(&o.stderr))
}
