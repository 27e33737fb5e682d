//! End-to-end test of the counter page in a real headless Chromium, driven over WebDriver
//! (fantoccini → chromedriver, plain HTTP on loopback).
//!
//! Needs `chromium` and `chromedriver` (Debian: `apt-get install -y chromium chromium-driver`),
//! or `IKD_CHROMIUM` / `IKD_CHROMEDRIVER` pointing at them. Without them the test is skipped
//! with a notice, so `cargo test --workspace` works on a machine without a browser; with
//! `IKD_REQUIRE_BROWSER_TESTS=1` (set by `.ci/run`, which installs them) it FAILS instead.
//! `IKD_SKIP_BROWSER_TESTS=1` skips it always. Screenshots go to `<target>/browser-screenshots/`
//! (paths printed; `-- --nocapture` shows them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod browser_common;
mod common;

use std::time::{Duration, Instant};

use browser_common::*;
use common::*;
use fantoccini::{Client, Locator};
use ikd_core::Timestamp;
use serde_json::json;

/// Serves `app` on a real socket at `http://localhost:<port>` (localhost, not 127.0.0.1, so
/// the page is a secure context and the camera API exists). Send on the sender to stop it.
async fn serve(
    app: ikd_server::App,
) -> (String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ikd_server::serve(app, listener, async move {
        let _ = stopped.await;
    }));
    (base, stop, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_page_in_headless_chromium() {
    let Some((chromium, driver_path)) = browser_tools() else { return };

    // The server, on a real socket.
    let Harness { app, issuer, dir, .. } = harness(Options::default()).await;
    let (base, stop, server) = serve(app).await;

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
    let (_driver, c) = start_session(
        &chromium,
        &driver_path,
        dir.path(),
        &[format!("--use-file-for-fake-video-capture={}", y4m.display())],
    )
    .await;

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

/// A long name (the claims allow 60 characters) that a careless layout breaks mid-word.
const LONG_NAME: &str = "SITI NURHALIZA KUSUMAWARDHANI BINTI ABDURRAHMAN WIRAATMADJA";

/// Sets the page's viewport (not the window) to `w`×`h` CSS pixels ([`fit_viewport`]).
/// Regression: the viewport was read once, right after a resize, and a stale reading from the
/// taller window before made the window's frame look like nothing (CI, 2026-12-05: 820×1037
/// for 820×1180).
async fn set_viewport(c: &Client, w: u32, h: u32) {
    let inner = fit_viewport(c, w, h).await;
    assert_eq!(inner, (i64::from(w), i64::from(h)), "viewport size");
}

/// From the page: where the verdict is, the viewport, and the name words whose characters lie
/// on more than one line (a word broken mid-word).
const LAYOUT_JS: &str = r#"
const v = document.getElementById('verdict').getBoundingClientRect();
const name = document.getElementById('r-name');
const node = name.firstChild;
const text = node ? node.textContent : '';
const broken = [];
let lines = new Set();
let at = 0;
for (const word of text.split(' ')) {
  if (word.length) {
    const tops = new Set();
    for (let i = 0; i < word.length; i++) {
      const r = document.createRange();
      r.setStart(node, at + i);
      r.setEnd(node, at + i + 1);
      for (const rect of r.getClientRects()) { tops.add(Math.round(rect.top)); lines.add(Math.round(rect.top)); }
    }
    if (tops.size !== 1) broken.push(word);
  }
  at += word.length + 1;
}
const n = name.getBoundingClientRect();
return { top: v.top, bottom: v.bottom, left: v.left, right: v.right, vw: window.innerWidth, vh: window.innerHeight,
         name_top: n.top, name_bottom: n.bottom,
         text: text, broken: broken, lines: lines.size, name_right: n.right, overflow: name.scrollWidth > name.clientWidth + 1 };
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_page_verdict_in_view_names_unbroken_and_no_trust_banner() {
    // Issue 14: at phone size the verdict was below the fold after a scan and names broke
    // mid-word ("SITI NURHALIZ/A"); a server trusting no issuer showed a normal page.
    let Some((chromium, driver_path)) = browser_tools() else { return };
    let Harness { app, issuer, dir, .. } = harness(Options::default()).await;
    let (base, stop, server) = serve(app).await;
    let untrusting = harness(Options { trust: false, ..Options::default() }).await;
    let (bare_base, bare_stop, bare_server) = serve(untrusting.app).await;
    let mut long = claims_json();
    long["nama"] = json!(LONG_NAME);
    let long = ikd_core::Claims::from_json_value(long).unwrap();
    let thumb = ikd_core::photo::make_thumbnail(&face_png(), 800, &ikd_core::photo::PhotoLimits::default()).unwrap();
    let text = issue_with(&issuer, &long, Timestamp::now().plus(-DAY), 365, Some(thumb.as_bytes().to_vec()));
    let (_driver, c) = start_session(&chromium, &driver_path, dir.path(), &[]).await;

    // A server with no trusted issuer: a banner, in Indonesian, then in English.
    set_viewport(&c, 390, 844).await;
    c.goto(&bare_base).await.unwrap();
    let banner = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("trust-banner")).await.unwrap();
    let start = Instant::now();
    while !banner.is_displayed().await.unwrap() {
        assert!(start.elapsed() < Duration::from_secs(10), "no banner on a server that trusts no issuer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let id_text = banner.text().await.unwrap();
    assert!(id_text.contains("belum memercayai penerbit") && id_text.contains("TIDAK DAPAT DIPASTIKAN"), "{id_text}");
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    let en_text = banner.text().await.unwrap();
    assert!(en_text.contains("trusts no issuer") && en_text.contains("UNDETERMINED"), "{en_text}");
    shot(&c, "no-trust-banner-phone").await;
    c.find(Locator::Id("lang-id")).await.unwrap().click().await.unwrap();

    // A server that trusts its issuer: no banner (once the page has asked the server).
    c.goto(&base).await.unwrap();
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("qr-input")).await.unwrap();
    let start = Instant::now();
    loop {
        let n = c.execute("return document.documentElement.dataset.trustedIssuers || null", vec![]).await.unwrap();
        if n == json!("1") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the page did not learn the trusted issuers: {n}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!c.find(Locator::Id("trust-banner")).await.unwrap().is_displayed().await.unwrap());

    // The verdict is in view after a scan, and the long name breaks only between words.
    for (label, w, h) in [("phone", 390, 844), ("tablet", 820, 1180), ("desktop", 1366, 768)] {
        set_viewport(&c, w, h).await;
        c.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
        let input = c.find(Locator::Id("qr-input")).await.unwrap();
        input.send_keys(&format!("{text}\u{e007}")).await.unwrap();
        wait_verdict(&c, "VALID", Some("ok")).await;
        let m = c.execute(LAYOUT_JS, vec![]).await.unwrap();
        let p = shot(&c, &format!("layout-{label}-{w}x{h}")).await;
        let f = |k: &str| m[k].as_f64().unwrap();
        assert_eq!(m["text"], json!(LONG_NAME), "{label}");
        assert!(
            f("top") >= 0.0 && f("bottom") <= f("vh") && f("left") >= 0.0 && f("right") <= f("vw"),
            "{label} {w}x{h}: the verdict is not in view: {m} (screenshot {})",
            p.display()
        );
        assert_eq!(m["broken"], json!([]), "{label} {w}x{h}: words broken across lines: {m} ({})", p.display());
        assert!(f("name_right") <= f("vw") && m["overflow"] == json!(false), "{label}: the name overflows: {m}");
        assert!(f("name_top") >= 0.0 && f("name_bottom") <= f("vh"), "{label}: the name is not in view: {m}");
        // The field is still focused for the next scan.
        assert_eq!(c.execute("return document.activeElement.id", vec![]).await.unwrap(), json!("qr-input"));
        if label == "phone" {
            assert!(m["lines"].as_u64().unwrap() > 1, "at phone width the long name wraps (at spaces): {m}");
        }
    }

    c.close().await.unwrap();
    stop.send(()).unwrap();
    bare_stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(15), server).await.unwrap().unwrap().unwrap();
    tokio::time::timeout(Duration::from_secs(15), bare_server).await.unwrap().unwrap().unwrap();
}
