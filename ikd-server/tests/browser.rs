//! End-to-end test of the counter page in a real headless Chromium, driven over WebDriver
//! (fantoccini → chromedriver, plain HTTP on loopback).
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install -y chromium chromium-driver`),
//! or `IKD_CHROMIUM` / `IKD_CHROMEDRIVER` pointing at them. Without them the test is skipped
//! with a notice, so `cargo test --workspace` works on a machine without a browser; with
//! `IKD_REQUIRE_BROWSER_TESTS=1` (set by `.ci/run`, which installs them) it FAILS instead.
//! `IKD_SKIP_BROWSER_TESTS=1` skips it always. Screenshots go to `<target>/tmp/ikd-e2e/` (paths printed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use ikd_core::Timestamp;
use serde_json::json;

const CHROMIUM_FLAGS: &[&str] = &[
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

fn find_tool(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A Y4M video (I420) of `frames` identical frames showing the QR code of `text`, for
/// Chromium's fake camera.
fn qr_y4m(text: &str, path: &Path) {
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

async fn wait_verdict(c: &Client, verdict: &str, after: Option<&str>) -> fantoccini::elements::Element {
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

async fn text_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id)).await.unwrap().text().await.unwrap()
}

fn shots_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ikd-e2e");
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn shot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.unwrap();
    let p = shots_dir().join(format!("{name}.png"));
    std::fs::write(&p, png).unwrap();
    println!("screenshot: {}", p.display());
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_page_in_headless_chromium() {
    if std::env::var("IKD_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("IKD_SKIP_BROWSER_TESTS=1: browser test skipped");
        return;
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
            return;
        }
        panic!(
            "the browser test needs Chromium and chromedriver, which were not found.\n\
             Install them (Debian: apt-get install -y chromium chromium-driver), or point IKD_CHROMIUM and \
             IKD_CHROMEDRIVER at them, or set IKD_SKIP_BROWSER_TESTS=1 to skip this test."
        );
    };

    // The server, on a real socket.
    let Harness { app, issuer, dir, .. } = harness(Options::default()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    // localhost (not 127.0.0.1) so the page is a secure context and the camera API exists.
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ikd_server::serve(app, listener, async move {
        let _ = stopped.await;
    }));

    // Credentials: one with a photo, a tampered copy, one for the photo upload, one for the camera.
    let thumb = ikd_core::photo::make_thumbnail(&face_png(), 800, &ikd_core::photo::PhotoLimits::default()).unwrap();
    let with_photo = issue_with(&issuer, &claims(), Timestamp::now().plus(-DAY), 365, Some(thumb.as_bytes().to_vec()));
    let forged = tampered(&with_photo);
    let upload_text = issue(&issuer);
    let camera_text = issue(&issuer);
    // A selective-disclosure presentation: only the name and age_over_17 shown.
    let shown = ikd_core::Disclosure::from_names(&["nama", "age_over_17"]).unwrap();
    let presentation = ikd_core::create_presentation(&issue(&issuer), shown, None, Timestamp::now(), None).unwrap();
    let upload_path = dir.path().join("qr-photo.jpg");
    std::fs::write(&upload_path, qr_photo_jpeg(&upload_text)).unwrap();
    let y4m = dir.path().join("camera.y4m");
    qr_y4m(&camera_text, &y4m);

    // chromedriver and a fresh browser profile.
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("chromedriver.log")).unwrap();
    let _driver = Driver(
        Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_path.display())),
    );
    let profile = dir.path().join("chromium-profile");
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!("--use-file-for-fake-video-capture={}", y4m.display()));
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

    // 1. The page loads, in Indonesian, focused on the input field.
    c.goto(&base).await.unwrap();
    let input = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("qr-input")).await.unwrap();
    assert!(c.title().await.unwrap().contains("Verifikasi IKD"));
    assert_eq!(text_of(&c, "check-btn").await, "Periksa");
    let focused = c.execute("return document.activeElement && document.activeElement.id", vec![]).await.unwrap();
    assert_eq!(focused, json!("qr-input"));

    // 2. A USB scanner "types" a valid credential and presses Enter.
    input.send_keys(&format!("{with_photo}\u{e007}")).await.unwrap();
    wait_verdict(&c, "VALID", None).await;
    assert_eq!(text_of(&c, "verdict").await, "SAH");
    assert_eq!(text_of(&c, "r-name").await, NAME);
    assert_eq!(text_of(&c, "r-nik").await, "************0003", "NIK masked until clicked");
    assert!(text_of(&c, "r-issuer").await.contains(ISSUER_NAME));
    assert!(text_of(&c, "r-validity").await.contains(&(Timestamp::now().date().year() + 1).to_string()));
    let photo = c.find(Locator::Id("photo")).await.unwrap();
    assert!(photo.is_displayed().await.unwrap());
    assert!(photo.attr("src").await.unwrap().unwrap().starts_with("data:image/png;base64,"));
    // The field is cleared and focused for the next scan straight away.
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some(""));
    let focused = c.execute("return document.activeElement.id", vec![]).await.unwrap();
    assert_eq!(focused, json!("qr-input"));
    shot(&c, "1-valid-masked").await;
    c.find(Locator::Id("r-nik")).await.unwrap().click().await.unwrap();
    assert_eq!(text_of(&c, "r-nik").await, NIK);
    shot(&c, "2-valid-nik-shown").await;

    // 3. A tampered credential: red panel with the reason.
    let input = c.find(Locator::Id("qr-input")).await.unwrap();
    input.send_keys(&format!("{forged}\u{e007}")).await.unwrap();
    wait_verdict(&c, "INVALID", Some("signature_invalid")).await;
    assert_eq!(text_of(&c, "verdict").await, "TIDAK SAH");
    let reason = text_of(&c, "r-reason").await;
    assert!(reason.contains("Tanda tangan") && reason.contains("signature_invalid"), "{reason}");
    assert_eq!(text_of(&c, "r-name").await, "-", "no claims from a forged credential");
    let class = c.find(Locator::Id("result")).await.unwrap().attr("class").await.unwrap().unwrap();
    assert!(class.contains("invalid"), "{class}");
    shot(&c, "3-invalid").await;

    // 3b. A presentation: VALID, and the withheld claims are named. The policy select is filled.
    let input = c.find(Locator::Id("qr-input")).await.unwrap();
    input.send_keys(&format!("{presentation}\u{e007}")).await.unwrap();
    wait_verdict(&c, "VALID", Some("ok")).await;
    assert_eq!(text_of(&c, "r-name").await, NAME);
    let withheld = c.find(Locator::Id("r-withheld")).await.unwrap();
    assert!(withheld.is_displayed().await.unwrap());
    let shown_text = withheld.text().await.unwrap();
    assert!(
        shown_text.starts_with("Tidak ditampilkan: ") && shown_text.contains("NIK") && shown_text.contains("Alamat")
    );
    assert!(withheld.attr("data-names").await.unwrap().unwrap().split(',').any(|n| n == "nik"));
    let options = c.execute("return document.querySelectorAll('#policy-select option').length", vec![]).await.unwrap();
    assert_eq!(options, json!(6), "no policy + the 5 built-in ones");
    shot(&c, "3b-presentation-withheld").await;

    // 4. A photo of a QR code, uploaded through the file input.
    let file = c.find(Locator::Id("file-input")).await.unwrap();
    file.send_keys(&upload_path.display().to_string()).await.unwrap();
    wait_verdict(&c, "VALID", Some("ok")).await;
    assert_eq!(text_of(&c, "r-name").await, NAME);
    assert!(!c.find(Locator::Id("photo")).await.unwrap().is_displayed().await.unwrap(), "this one has no photo");
    shot(&c, "4-upload-valid").await;

    // 5. English.
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    assert_eq!(text_of(&c, "verdict").await, "VALID");
    assert_eq!(text_of(&c, "check-btn").await, "Check");
    let input = c.find(Locator::Id("qr-input")).await.unwrap();
    input.send_keys(&format!("{forged}\u{e007}")).await.unwrap();
    wait_verdict(&c, "INVALID", None).await;
    assert!(text_of(&c, "result-message").await.contains("signature is not valid"));
    // An unknown issuer: amber.
    input.send_keys(&format!("{}\u{e007}", issue(&common::harness(Options::default()).await.issuer))).await.unwrap();
    wait_verdict(&c, "UNDETERMINED", Some("issuer_unknown")).await;
    assert_eq!(text_of(&c, "verdict").await, "UNDETERMINED");
    shot(&c, "5-undetermined-en").await;

    // 6. The camera (Chromium's fake camera shows a QR code): frames go to /v1/verify/image.
    c.find(Locator::Id("camera-btn")).await.unwrap().click().await.unwrap();
    wait_verdict(&c, "VALID", Some("ok")).await;
    assert!(c.find(Locator::Id("camera")).await.unwrap().attr("hidden").await.unwrap().is_some(), "camera stopped");
    shot(&c, "6-camera-valid").await;

    // 7. Challenge mode: a code is shown large and sent with each check, so a static
    // presentation (which cannot answer it) is refused.
    c.find(Locator::Id("challenge-btn")).await.unwrap().click().await.unwrap();
    let code = text_of(&c, "challenge-code").await;
    assert!(code.len() == 5 && code.chars().all(|ch| "ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains(ch)), "{code:?}");
    let input = c.find(Locator::Id("qr-input")).await.unwrap();
    input.send_keys(&format!("{presentation}\u{e007}")).await.unwrap();
    wait_verdict(&c, "INVALID", Some("challenge_mismatch")).await;
    shot(&c, "7-challenge-mode").await;

    c.close().await.unwrap();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), server).await.unwrap().unwrap().unwrap();
}
