//! Issue 15, "Done when": the counter page works with the server stopped. In headless Chromium
//! (fantoccini → chromedriver) against a real `ikd-server --demo` process:
//!
//! 1. open the page once with the server up (the service worker caches the page and the
//!    WebAssembly modules; the page keeps the signed lists in IndexedDB);
//! 2. stop the server; reload the page from its cache;
//! 3. verify, in the browser, a valid credential typed as a USB scanner would (VALID), a
//!    tampered one (INVALID), a revoked one from the cached status list (INVALID `revoked`), a
//!    QR code read from an uploaded image and one from the (fake) camera (reader module), and a
//!    valid one after the offline
//!    period with the page's test clock (UNDETERMINED `status_list_stale`, never VALID);
//! 4. start the server again on the same data directory: every queued audit entry arrives in
//!    the hash chain, in order, once, and `ikd-server audit-verify` passes.
//!
//! Skipped or required as `tests/browser.rs` (`IKD_SKIP_BROWSER_TESTS`,
//! `IKD_REQUIRE_BROWSER_TESTS`); it also needs the WebAssembly modules in
//! `ikd-server/static/wasm/` (`scripts/build-wasm.sh` and the reader's build), embedded at
//! build time. Screenshots go to `<target>/browser-screenshots/offline-*.png`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod browser_common;
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use browser_common::*;
use common::*;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

/// 32 days: past the status list's fresh day and 30 days of grace (docs/TRUST-AND-STATUS.md).
const PAST_OFFLINE_PERIOD_SECS: i64 = 32 * DAY;
const COUNTER: &str = "loket-09";

/// Waits until `js` (an expression) is true in the page; panics with `what` and the mode line.
async fn wait_for(c: &Client, js: &str, what: &str, secs: u64) {
    let start = Instant::now();
    loop {
        if let Ok(v) = c.execute(&format!("return !!({js})"), vec![]).await
            && v == json!(true)
        {
            return;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let mode = c.execute("return document.getElementById('mode').textContent", vec![]).await;
            let status = c.execute("return document.getElementById('status').textContent", vec![]).await;
            panic!("{what}: not within {secs} s (mode line {mode:?}, status {status:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn mode(c: &Client) -> Value {
    c.execute(
        "const m = document.getElementById('mode'); \
         return {text: m.textContent, online: m.dataset.online, engine: m.dataset.engine, queued: m.dataset.queued};",
        vec![],
    )
    .await
    .unwrap()
}

/// Types `text` into the field and presses Enter, as a USB scanner does.
async fn scan(c: &Client, text: &str) {
    let input = c.find(Locator::Id("qr-input")).await.unwrap();
    input.send_keys(&format!("{text}\u{e007}")).await.unwrap();
}

async fn verdict_engine(c: &Client) -> String {
    c.find(Locator::Id("result")).await.unwrap().attr("data-engine").await.unwrap().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_counter_page_verifies_with_the_server_stopped_and_uploads_its_audit_entries() {
    let Some((chromium, driver_path)) = browser_tools() else { return };
    if !wasm_modules_or_skip("offline browser test") {
        return;
    }
    let dir = TempDir::new("offline-page");
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let server = Server::start(&data, port);
    // The demo samples as the server wrote them (`NN-<case>-<verdict>.txt` and `.png`); the
    // first valid one is also shown to Chromium's fake camera.
    let mut files: Vec<_> = std::fs::read_dir(data.join("demo/samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let camera_file = files.iter().find(|p| p.to_string_lossy().ends_with("-valid.txt")).unwrap();
    let y4m = dir.path().join("camera.y4m");
    qr_y4m(std::fs::read_to_string(camera_file).unwrap().trim(), &y4m);
    let (_driver, c) = start_session(
        &chromium,
        &driver_path,
        dir.path(),
        &[format!("--use-file-for-fake-video-capture={}", y4m.display())],
    )
    .await;

    // 1. Online: the page registers its service worker, keeps the lists, loads the module.
    c.goto(&format!("{base}/?loket={COUNTER}")).await.unwrap();
    wait_for(&c, "document.documentElement.dataset.swReady === '1'", "service worker ready", 30).await;
    wait_for(&c, "document.documentElement.dataset.offlineReady === '1'", "lists kept", 30).await;
    wait_for(&c, "document.getElementById('mode').dataset.engine === 'wasm'", "WASM verification", 30).await;
    let m = mode(&c).await;
    assert_eq!(m["online"], "1", "{m}");
    assert!(m["text"].as_str().unwrap().starts_with("Daring"), "Bahasa Indonesia first: {m}");
    let samples = c
        .execute_async(
            "const done = arguments[0]; fetch('/v1/demo/samples').then(r => r.json()).then(b => done(b.samples));",
            vec![],
        )
        .await
        .unwrap();
    let sample = |variant: &str| -> Value {
        samples
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["variant"] == variant)
            .unwrap_or_else(|| panic!("{variant}"))
            .clone()
    };
    let (valid, tampered, revoked) = (sample("original"), sample("tampered"), sample("revoked"));
    let qr = |s: &Value| s["qr"].as_str().unwrap().to_owned();
    // One verification online: in the browser too (the demo server holds a signed trust list),
    // its audit entry uploaded at once.
    scan(&c, &qr(&valid)).await;
    wait_verdict(&c, "VALID", Some("ok")).await;
    assert_eq!(verdict_engine(&c).await, "wasm");
    wait_for(&c, "document.getElementById('mode').dataset.queued === '0'", "online entry uploaded", 20).await;
    shot(&c, "offline-1-online-valid").await;
    // A PNG of the valid sample's QR code, for the upload while offline.
    let png = std::fs::read_dir(data.join("demo/samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .find(|p| std::fs::read_to_string(p.with_extension("txt")).unwrap().trim() == qr(&valid))
        .expect("the valid sample's PNG");

    // 2. The server stops; the page reloads from the service worker's cache.
    server.stop();
    c.refresh().await.unwrap();
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("qr-input")).await.unwrap();
    wait_for(&c, "document.getElementById('mode').dataset.online === '0'", "offline mode", 30).await;
    wait_for(&c, "document.getElementById('mode').dataset.engine === 'wasm'", "WASM offline", 30).await;
    let m = mode(&c).await;
    assert!(
        m["text"].as_str().unwrap().contains("Luring") && m["text"].as_str().unwrap().contains("daftar dari"),
        "{m}"
    );
    // English on request, Bahasa Indonesia again for the rest.
    c.find(Locator::Id("lang-en")).await.unwrap().click().await.unwrap();
    let en = mode(&c).await;
    assert!(
        en["text"].as_str().unwrap().starts_with("Offline (server unreachable), lists from")
            && en["text"].as_str().unwrap().contains("verifying on this device (WASM)"),
        "{en}"
    );
    c.find(Locator::Id("lang-id")).await.unwrap().click().await.unwrap();
    shot(&c, "offline-2-reloaded-offline").await;

    // 3. Offline verifications, in the browser.
    scan(&c, &qr(&valid)).await;
    wait_verdict(&c, "VALID", Some("ok")).await;
    assert_eq!(text_of(&c, "verdict").await, "SAH");
    assert!(!text_of(&c, "r-name").await.is_empty());
    shot(&c, "offline-3-valid").await;
    scan(&c, &qr(&tampered)).await;
    wait_verdict(&c, "INVALID", Some("signature_invalid")).await;
    shot(&c, "offline-4-tampered").await;
    scan(&c, &qr(&revoked)).await;
    wait_verdict(&c, "INVALID", Some("revoked")).await;
    shot(&c, "offline-5-revoked").await;
    let file = c.find(Locator::Id("file-input")).await.unwrap();
    file.send_keys(&png.display().to_string()).await.unwrap();
    wait_verdict(&c, "VALID", Some("ok")).await;
    assert_eq!(verdict_engine(&c).await, "wasm");
    shot(&c, "offline-6-upload-valid").await;
    // The camera: frames read in the browser (reader module, readFrame), verified here.
    c.find(Locator::Id("result-close")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("camera-btn")).await.unwrap().click().await.unwrap();
    wait_verdict(&c, "VALID", Some("ok")).await;
    assert_eq!(verdict_engine(&c).await, "wasm");
    assert!(c.find(Locator::Id("camera")).await.unwrap().attr("hidden").await.unwrap().is_some(), "camera stopped");
    shot(&c, "offline-6b-camera-valid").await;
    // A live presentation (signed by the holder's phone just now) is accepted once, also across
    // a reload: the replay memory is kept in IndexedDB (exportReplay / importReplay).
    let key = std::fs::read_to_string(data.join("demo/issuer.key")).unwrap();
    let issuer = ikd_core::Issuer::new(ikd_core::SecretKey::from_file_text(&key).unwrap());
    let holder = ikd_core::SecretKey::from_seed(&random_seed());
    let shown = ikd_core::Disclosure::from_names(&["nama", "age_over_17"]).unwrap();
    let live = ikd_core::create_presentation(
        &holder_credential(&issuer, &holder),
        shown,
        Some(&holder),
        ikd_core::Timestamp::now(),
        None,
    )
    .unwrap();
    scan(&c, &live).await;
    wait_verdict(&c, "VALID", Some("ok")).await;
    c.refresh().await.unwrap();
    wait_for(&c, "document.getElementById('mode').dataset.engine === 'wasm'", "WASM after the reload", 30).await;
    scan(&c, &live).await;
    wait_verdict(&c, "INVALID", Some("presentation_replayed")).await;
    shot(&c, "offline-6c-live-replayed-after-reload").await;
    // After the offline period (the page's test clock, 32 days on): UNDETERMINED with the age.
    c.goto(&format!("{base}/?loket={COUNTER}&clock_offset_secs={PAST_OFFLINE_PERIOD_SECS}")).await.unwrap();
    wait_for(&c, "document.getElementById('mode').dataset.engine === 'wasm'", "WASM with the test clock", 30).await;
    assert!(c.find(Locator::Id("clock-banner")).await.unwrap().is_displayed().await.unwrap());
    scan(&c, &qr(&valid)).await;
    wait_verdict(&c, "UNDETERMINED", Some("status_list_stale")).await;
    let message = text_of(&c, "result-message").await;
    assert!(message.contains("32"), "the message states the list's age: {message}");
    shot(&c, "offline-7-past-offline-period").await;
    c.goto(&format!("{base}/?loket={COUNTER}&clock_offset_secs=0")).await.unwrap();
    wait_for(&c, "document.getElementById('mode').dataset.queued === '8'", "eight entries queued", 30).await;
    let m = mode(&c).await;
    assert!(m["text"].as_str().unwrap().contains("8 catatan audit menunggu"), "{m}");

    // 4. The server is back (same data directory): the page uploads its queue.
    let server = Server::start(&data, port);
    c.refresh().await.unwrap();
    wait_for(&c, "document.getElementById('mode').dataset.online === '1'", "online again", 30).await;
    wait_for(&c, "document.getElementById('mode').dataset.queued === '0'", "queue uploaded", 30).await;
    // The restarted demo server signed a newer status list (it revoked its new sample): the page
    // took it as the core's list holder decided, and refused nothing.
    let m = c
        .execute("const d = document.getElementById('mode').dataset; return [d.problems, d.listsDate];", vec![])
        .await
        .unwrap();
    assert_eq!(m[0], "", "lists refused after the restart: {m}");
    shot(&c, "offline-8-back-online").await;
    c.close().await.unwrap();
    server.stop();

    // Every entry in the chain, in order, once; the chain verifies.
    let db = rusqlite::Connection::open(data.join("demo/ikd-server.sqlite3")).unwrap();
    let mut st = db
        .prepare(
            "SELECT actor, event, verdict, code, serial IS NOT NULL FROM audit_log WHERE source = 'page' ORDER BY seq",
        )
        .unwrap();
    let rows: Vec<(String, String, String, String, bool)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let got: Vec<(&str, &str)> = rows.iter().map(|r| (r.2.as_str(), r.3.as_str())).collect();
    assert_eq!(
        got,
        [
            ("VALID", "ok"),
            ("VALID", "ok"),
            ("INVALID", "signature_invalid"),
            ("INVALID", "revoked"),
            ("VALID", "ok"),
            ("VALID", "ok"),
            ("VALID", "ok"),
            ("INVALID", "presentation_replayed"),
            ("UNDETERMINED", "status_list_stale"),
        ]
    );
    assert!(rows.iter().all(|r| r.0 == COUNTER && r.1 == "verify" && r.4), "{rows:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_ikd-server"))
        .args(["audit-verify", "--demo", "--data-dir"])
        .arg(&data)
        .env_remove("IKD_DATABASE_URL")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success() && report["ok"] == json!(true), "{report}");
}
