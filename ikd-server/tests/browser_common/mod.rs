//! Shared helpers of the browser tests (`browser.rs`, `browser_offline.rs`): finding Chromium
//! and chromedriver (skip or fail as `IKD_SKIP_BROWSER_TESTS` / `IKD_REQUIRE_BROWSER_TESTS`
//! say), a WebDriver session, waiting for a verdict, screenshots, a demo server process.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1200,1500",
    // The camera: grant access without a prompt and feed a recorded "camera" (a QR code).
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
];

pub fn find_tool(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// chromedriver, started in a process group of its own with the Chromium it launches.
pub struct Driver(pub Child);
impl Drop for Driver {
    /// Kills the whole process group: killing chromedriver alone left its Chromium processes
    /// running after every test that did not close its session (they disturbed the load tests
    /// run after `cargo test`, issue 18).
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub async fn wait_verdict(c: &Client, verdict: &str, after: Option<&str>) -> fantoccini::elements::Element {
    let start = Instant::now();
    loop {
        if let Ok(panel) = c.find(Locator::Css("#result")).await {
            let shown = panel.is_displayed().await.unwrap_or(false);
            let v = panel.attr("data-verdict").await.ok().flatten();
            let code = panel.attr("data-code").await.ok().flatten();
            if shown && v.as_deref() == Some(verdict) && (after.is_none() || code.as_deref() == after) {
                return panel;
            }
        }
        if start.elapsed() > Duration::from_secs(20) {
            let status = c.find(Locator::Id("status")).await.unwrap().text().await.unwrap_or_default();
            panic!("no {verdict} panel within 20 s (status line: {status:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn text_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id)).await.unwrap().text().await.unwrap()
}

pub fn shots_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("browser-screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub async fn shot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.unwrap();
    let p = shots_dir().join(format!("{name}.png"));
    std::fs::write(&p, png).unwrap();
    println!("screenshot: {}", p.display());
    p
}

/// Chromium and chromedriver, or `None` when the browser test is to be skipped (a notice says
/// so); panics when they are missing and `IKD_REQUIRE_BROWSER_TESTS=1`.
pub fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    if std::env::var("IKD_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("IKD_SKIP_BROWSER_TESTS=1: browser test skipped");
        return None;
    }
    let chromium =
        find_tool("IKD_CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]);
    let driver = find_tool("IKD_CHROMEDRIVER", &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let (Some(chromium), Some(driver_path)) = (chromium, driver) else {
        if std::env::var("IKD_REQUIRE_BROWSER_TESTS").as_deref() != Ok("1") {
            eprintln!(
                "NOTICE: browser test SKIPPED: Chromium and chromedriver were not found \
                 (Debian: apt-get install -y chromium chromium-driver). .ci/run installs them and requires this test."
            );
            return None;
        }
        panic!(
            "the browser test needs Chromium and chromedriver, which were not found.\n\
             Install them (Debian: apt-get install -y chromium chromium-driver), or point IKD_CHROMIUM and \
             IKD_CHROMEDRIVER at them, or set IKD_SKIP_BROWSER_TESTS=1 to skip this test."
        );
    };
    Some((chromium, driver_path))
}

/// chromedriver and a fresh Chromium session with a profile under `dir`, plus `extra` flags.
pub async fn start_session(chromium: &Path, driver_path: &Path, dir: &Path, extra: &[String]) -> (Driver, Client) {
    let port = free_port();
    let log = std::fs::File::create(dir.join("chromedriver.log")).unwrap();
    let driver = Driver(
        Command::new(driver_path)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_path.display())),
    );
    let profile = dir.join("chromium-profile");
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.extend(extra.iter().cloned());
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:chromeOptions".into(), json!({ "binary": chromium.display().to_string(), "args": args }));
    let webdriver = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    let c = loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&webdriver)
            .await
        {
            Ok(c) => break c,
            Err(e) if start.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a Chromium session through chromedriver: {e}"),
        }
    };
    (driver, c)
}

/// A Y4M video (I420) of `frames` identical frames showing the QR code of `text`, for
/// Chromium's fake camera.
pub fn qr_y4m(text: &str, path: &Path) {
    let opts = ikd_core::render::RenderOptions { module_px: 4, ..ikd_core::render::RenderOptions::SCREEN };
    let code = ikd_core::render::render_image(text, &opts).unwrap();
    let (w, h) = (640u32, 480u32);
    assert!(code.width() <= w && code.height() <= h, "QR too large for the fake camera");
    let (ox, oy) = ((w - code.width()) / 2, (h - code.height()) / 2);
    let mut y_plane = vec![150u8; (w * h) as usize];
    for (x, y, p) in code.enumerate_pixels() {
        y_plane[((y + oy) * w + x + ox) as usize] = if p.0[0] > 128 { 230 } else { 20 };
    }
    let chroma = vec![128u8; (w / 2 * h / 2) as usize];
    let mut out = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    for _ in 0..4 {
        out.extend_from_slice(b"FRAME\n");
        out.extend_from_slice(&y_plane);
        out.extend_from_slice(&chroma);
        out.extend_from_slice(&chroma);
    }
    std::fs::write(path, out).unwrap();
}

/// A real `ikd-server --demo` process on `port` with its data in `data` (the two built-in
/// synthetic residents; no `IKD_*` variable of the test's environment leaks in).
pub struct Server {
    child: Child,
    _err: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts it and waits until it listens.
    pub fn start(data: &Path, port: u16) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ikd-server"));
        for (k, _) in std::env::vars() {
            if k.starts_with("IKD_") {
                cmd.env_remove(k);
            }
        }
        cmd.args(["--demo", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(data)
            // The two built-in synthetic residents (no dependency on ../shared).
            .arg("--demo-residents")
            .arg(data.join("no-such-residents.json"))
            .env("IKD_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let err = crate::common::collect_lines(child.stderr.take().unwrap());
        crate::common::wait_listening(&mut child, &err);
        Server { child, _err: err }
    }

    /// SIGTERM (a graceful stop: the audit writer finishes), then waits.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let start = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(20) {
                let _ = self.child.kill();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the WebAssembly modules are embedded (`ikd-server/static/wasm/`, from
/// `scripts/build-wasm.sh`). Without them a test that needs them is skipped with a notice
/// naming `test`, or fails when `IKD_REQUIRE_BROWSER_TESTS=1`.
pub fn wasm_modules_or_skip(test: &str) -> bool {
    if ikd_server::api::page::has_verifier_module() && ikd_server::api::page::has_reader_module() {
        return true;
    }
    let msg =
        "the WebAssembly modules are not in ikd-server/static/wasm/ (scripts/build-wasm.sh, then rebuild ikd-server)";
    if std::env::var("IKD_REQUIRE_BROWSER_TESTS").as_deref() == Ok("1") {
        panic!("{test}: {msg}");
    }
    eprintln!("NOTICE: {test} SKIPPED: {msg}");
    false
}

/// The page's viewport, once it has stopped changing (a resize may be reported before the
/// page sees it).
pub async fn settled_viewport(c: &fantoccini::Client) -> (i64, i64) {
    let read = || async {
        let inner = c.execute("return [window.innerWidth, window.innerHeight]", vec![]).await.unwrap();
        (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap())
    };
    let mut last = read().await;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = read().await;
        if now == last {
            return now;
        }
        last = now;
    }
    last
}

/// Resizes the window until the page's viewport (not the window: its frame, if any, is
/// outside) is `w`×`h` CSS pixels, reading the viewport only once it has settled; answers the
/// viewport reached (the caller asserts it where it matters).
pub async fn fit_viewport(c: &fantoccini::Client, w: u32, h: u32) -> (i64, i64) {
    c.set_window_size(w, h).await.unwrap();
    let mut inner = settled_viewport(c).await;
    for _ in 0..5 {
        if inner == (i64::from(w), i64::from(h)) {
            break;
        }
        let (ww, wh) = c.get_window_size().await.unwrap();
        let width = (ww as i64 + i64::from(w) - inner.0).max(1);
        let height = (wh as i64 + i64::from(h) - inner.1).max(1);
        c.set_window_size(width as u32, height as u32).await.unwrap();
        inner = settled_viewport(c).await;
    }
    inner
}
