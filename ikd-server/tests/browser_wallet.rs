//! Issue 16, "Done when": the resident's wallet (`/wallet/`) and the counter page, in headless
//! Chromium at phone size (360 × 640) against a real `ikd-server --demo` process:
//!
//! 1. the wallet makes its key (WebCrypto Ed25519) and shows the enrollment QR;
//! 2. the counter page reads that QR (a screenshot of it, uploaded) and issues a credential
//!    bound to that key (its issuing panel, the demo's admin token, a face photo);
//! 3. the wallet imports the credential from a photo of its QR (the reader module);
//! 4. the server is stopped: the wallet reopens from its service worker's cache and shows an
//!    apotek presentation; a screenshot of the page posted to `POST /v1/verify/image` (server
//!    started again) is VALID and discloses only `nama`, `foto`, `age_over_17`; posted again it
//!    is INVALID `presentation_replayed`;
//! 5. a code made with the wallet's clock 10 minutes back is INVALID `presentation_expired`;
//! 6. a credential bound to another key is refused at import (`wallet_holder_mismatch`).
//!
//! Screenshots of every wallet screen: `<target>/browser-screenshots/wallet-*.png`. Skipped or
//! required as the other browser tests (`IKD_SKIP_BROWSER_TESTS`, `IKD_REQUIRE_BROWSER_TESTS`).
//! Also (no browser): live codes for name + NIK + age_over_17 fit QR version 12 at EC M.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod browser_common;
mod common;

use std::time::{Duration, Instant};

use browser_common::*;
use common::*;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

async fn wait_for(c: &Client, js: &str, what: &str, secs: u64) {
    let start = Instant::now();
    loop {
        if let Ok(v) = c.execute(&format!("return !!({js})"), vec![]).await
            && v == json!(true)
        {
            return;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let status = c
                .execute(
                    "const g = (i) => (document.getElementById(i) || {}).textContent; \
                     return [g('status'), g('import-result'), g('show-error'), g('issue-status'), \
                     document.documentElement.dataset.screen];",
                    vec![],
                )
                .await;
            panic!("{what}: not within {secs} s (status lines {status:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

async fn click(c: &Client, id: &str) {
    c.find(Locator::Id(id)).await.unwrap().click().await.unwrap();
}

/// Posts an image to the server from the test (plain HTTP/1.1 over TCP, no client crate).
fn post_image(port: u16, path: &str, png: &[u8]) -> (u16, Value) {
    post(port, path, "image/png", "", png)
}

/// Posts `body` with `content_type` and `extra` header lines (each ending in CRLF).
fn post(port: u16, path: &str, content_type: &str, extra: &str, png: &[u8]) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         {extra}Accept-Language: en\r\nConnection: close\r\n\r\n",
        png.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(png).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    // A chunked body: the JSON is between the first and last chunk lines.
    let json_text = if body.trim_start().starts_with('{') {
        body.to_owned()
    } else {
        let start = body.find('{').unwrap();
        let end = body.rfind('}').unwrap();
        body[start..=end].to_owned()
    };
    (status, serde_json::from_str(&json_text).unwrap_or_else(|e| panic!("{e}: {json_text}")))
}

/// What a counter's webcam sees of the phone held 30 cm away: a 720p camera with a 60°
/// horizontal field of view spans 2 × 30 cm × tan 30° ≈ 34.6 cm with 1280 pixels (37 px/cm);
/// a phone screen 360 CSS px wide is about 6.5 cm, so it covers about 240 camera pixels. The
/// screenshot (360 px wide) is scaled by 2/3 into a grey 1280 × 720 frame.
fn webcam_at_30cm(png: &[u8]) -> image::GrayImage {
    let shot = image::load_from_memory(png).unwrap().to_luma8();
    let (w, h) = (shot.width() * 2 / 3, shot.height() * 2 / 3);
    let small = image::imageops::resize(&shot, w, h, image::imageops::FilterType::Triangle);
    let mut frame = image::GrayImage::from_pixel(1280, 720, image::Luma([128]));
    let top = 720i64 / 2 - i64::from(h) / 2;
    image::imageops::overlay(&mut frame, &small, i64::from(1280 - w) / 2, top);
    frame
}

/// A screenshot of the live QR as the counter's camera would see the phone: the whole screen.
async fn live_screenshot(c: &Client, name: &str) -> Vec<u8> {
    let p = shot(c, name).await;
    std::fs::read(p).unwrap()
}

/// Picks a preset on the show screen and waits for a fresh live code.
async fn show_preset(c: &Client, preset: &str) -> String {
    js(c, "document.querySelector('#tabs button[data-screen=show]').click(); return 1;").await;
    wait_for(c, "document.documentElement.dataset.screen === 'show'", "show screen", 10).await;
    js(
        c,
        &format!(
            "const s = document.getElementById('preset'); s.value = '{preset}'; \
             document.getElementById('live-qr').dataset.text = ''; s.dispatchEvent(new Event('change')); return 1;"
        ),
    )
    .await;
    wait_for(c, "(document.getElementById('live-qr').dataset.text || '').startsWith('IKD1:')", "a live code", 20).await;
    // The screen as it opens: the code is in view at 360 × 640 without scrolling.
    js(c, "window.scrollTo(0, 0); return 1;").await;
    let r = js(c, "const r = document.getElementById('live-qr').querySelector('svg').getBoundingClientRect(); return [r.top, r.bottom];").await;
    assert!(
        r[0].as_f64().unwrap() >= 0.0 && r[1].as_f64().unwrap() <= 640.0,
        "the live QR is on the first screen: {r}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    js(c, "return document.getElementById('live-qr').dataset.text").await.as_str().unwrap().to_owned()
}

/// A 360 × 640 CSS-pixel viewport (the window's frame, if any, added).
async fn phone_size(c: &Client) {
    c.goto("about:blank").await.unwrap();
    fit_viewport(c, 360, 640).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wallet_enrolls_imports_and_shows_a_live_apotek_code_offline() {
    let Some((chromium, driver_path)) = browser_tools() else { return };
    if !wasm_modules_or_skip("wallet browser test") {
        return;
    }
    let dir = TempDir::new("wallet");
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let server = Server::start(&data, port);
    let token = std::fs::read_to_string(data.join("demo/admin-token")).unwrap().trim().to_owned();
    let (_driver, c) = start_session(&chromium, &driver_path, dir.path(), &[]).await;
    phone_size(&c).await;

    // 1. The wallet: a key, then the enrollment QR.
    c.goto(&format!("{base}/wallet/")).await.unwrap();
    wait_for(&c, "document.documentElement.dataset.ready === '1'", "wallet ready", 30).await;
    wait_for(&c, "document.documentElement.dataset.swReady === '1'", "service worker", 30).await;
    assert_eq!(js(&c, "return document.documentElement.dataset.screen").await, "start");
    assert_eq!(js(&c, "return document.documentElement.lang").await, "id", "Bahasa Indonesia first");
    shot(&c, "wallet-1-start").await;
    click(&c, "make-key").await;
    wait_for(&c, "document.documentElement.dataset.screen === 'enroll'", "enroll screen", 10).await;
    let enroll = js(&c, "return document.getElementById('enroll-qr').dataset.text").await.as_str().unwrap().to_owned();
    assert!(enroll.starts_with("IKDHK1:ikdpk1:"), "{enroll}");
    let holder = enroll.trim_start_matches("IKDHK1:").to_owned();
    ikd_core::PublicKey::from_text(&holder).expect("the enrollment code names a key");
    js(&c, "document.getElementById('enroll-qr').scrollIntoView({block: 'start'}); return 1;").await;
    let enroll_png = shot(&c, "wallet-2-enroll").await;
    // English is there too.
    click(&c, "lang-en").await;
    let title = js(&c, "return document.querySelector('#screen-enroll h2').textContent").await;
    assert_eq!(title, "Show this code at the issuing counter");
    shot(&c, "wallet-2b-enroll-en").await;
    click(&c, "lang-id").await;

    // 2. The counter page reads the enrollment QR (a screenshot of the phone) and issues.
    c.goto(&format!("{base}/")).await.unwrap();
    wait_for(&c, "document.getElementById('mode').dataset.engine === 'wasm'", "counter page WASM", 30).await;
    let file = c.find(Locator::Id("file-input")).await.unwrap();
    file.send_keys(&enroll_png.display().to_string()).await.unwrap();
    wait_for(&c, "!document.getElementById('issue').hidden", "issuing panel", 20).await;
    assert_eq!(js(&c, "return document.getElementById('issue-holder').textContent").await, holder);
    let face = dir.path().join("face.png");
    std::fs::write(&face, face_png()).unwrap();
    c.find(Locator::Id("issue-photo")).await.unwrap().send_keys(&face.display().to_string()).await.unwrap();
    c.execute(
        "document.getElementById('issue-claims').value = arguments[0]; \
         document.getElementById('issue-token').value = arguments[1]; return 1;",
        vec![json!(claims_json().to_string()), json!(token)],
    )
    .await
    .unwrap();
    click(&c, "issue-btn").await;
    wait_for(&c, "document.getElementById('issue-status').dataset.code === 'issued'", "issued", 30).await;
    shot(&c, "wallet-counter-issued").await;
    let issued = js(&c, "return document.getElementById('issue-text').value").await.as_str().unwrap().to_owned();
    let cred = ikd_core::UnverifiedCredential::decode(&issued).unwrap();
    assert_eq!(cred.header().holder_key.as_ref().map(ikd_core::PublicKey::to_text), Some(holder.clone()));

    // 3. The wallet imports it from a photo of its QR.
    let photo = dir.path().join("credential-photo.jpg");
    std::fs::write(&photo, qr_photo_jpeg(&issued)).unwrap();
    c.goto(&format!("{base}/wallet/")).await.unwrap();
    wait_for(&c, "document.documentElement.dataset.screen === 'enroll'", "enroll again", 30).await;
    click(&c, "go-import").await;
    c.find(Locator::Id("import-photo")).await.unwrap().send_keys(&photo.display().to_string()).await.unwrap();
    wait_for(&c, "document.getElementById('import-result').dataset.ok === '1'", "imported", 30).await;
    shot(&c, "wallet-3-import").await;
    wait_for(&c, "document.documentElement.dataset.screen === 'card'", "card screen", 10).await;
    assert_eq!(js(&c, "return document.getElementById('card-name').textContent").await, NAME);
    assert_eq!(js(&c, "return !document.getElementById('card-photo').hidden").await, true, "the card shows the photo");
    shot(&c, "wallet-4-card").await;
    click(&c, "card-static").await;
    wait_for(&c, "!!document.getElementById('static-qr').dataset.text", "static QR", 10).await;
    shot(&c, "wallet-4b-static").await;
    click(&c, "print-link").await;
    wait_for(&c, "!!document.getElementById('print-qr').dataset.text", "printable card", 10).await;
    assert_eq!(js(&c, "return document.getElementById('print-qr').dataset.text").await, json!(issued));
    shot(&c, "wallet-4c-print").await;

    // 4. Network cut: the server stops; the wallet opens from its cache and shows apotek.
    server.stop();
    c.goto(&format!("{base}/wallet/")).await.unwrap();
    wait_for(&c, "document.documentElement.dataset.ready === '1'", "wallet offline", 30).await;
    assert_eq!(js(&c, "return document.documentElement.dataset.online").await, "0");
    wait_for(&c, "document.documentElement.dataset.screen === 'card'", "card offline", 10).await;
    let live = show_preset(&c, "apotek").await;
    let version = js(&c, "return Number(document.getElementById('live-qr').dataset.version)").await;
    let module_px = js(&c, "return Number(document.getElementById('live-qr').dataset.modulePx)").await;
    println!("apotek live code: {} chars, QR version {version}, {module_px} CSS px a module", live.len());
    let will_see = js(&c, "return document.getElementById('will-see').textContent").await;
    assert!(will_see.as_str().unwrap().contains("foto wajah"), "{will_see}");
    let screenshot = live_screenshot(&c, "wallet-5-show-apotek").await;
    // The module size: a counter webcam at 30 cm reads the code (the largest one the wallet
    // shows: apotek, with the photo). Both kinds of code on the phone are drawn to the same width.
    let frame = webcam_at_30cm(&screenshot);
    frame.save(shots_dir().join("wallet-5-webcam-30cm.png")).unwrap();
    let read = ikd_core::scan::decode_luma_with(&frame, ikd_core::scan::ScanEffort::LiveFrame)
        .expect("a 720p webcam at 30 cm reads the wallet's live code");
    assert!(read.iter().any(|c| c.text().is_some_and(|t| t.starts_with("IKD1:"))), "{} codes read", read.len());
    let server = Server::start(&data, port);
    let (st, v) = post_image(port, "/v1/verify/image?policy=apotek", &screenshot);
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["verdict"], "VALID", "{v}");
    assert_eq!(v["presentation"]["live"], true, "{v}");
    // What the counter sees: the claims shown, the photo, and the rest withheld.
    let mut shown: Vec<String> = v["claims"].as_object().unwrap().keys().cloned().collect();
    shown.sort();
    assert_eq!(v["photo"]["present"], true, "{v}");
    assert_eq!(shown, ["age_over_17", "foto", "nama"], "{v}");
    let withheld: Vec<&str> = v["withheld"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    for hidden in ["nik", "tanggal_lahir", "alamat", "tempat_lahir"] {
        assert!(withheld.contains(&hidden), "{hidden} withheld: {v}");
    }
    let (_, again) = post_image(port, "/v1/verify/image?policy=apotek", &screenshot);
    assert_eq!(again["verdict"], "INVALID", "{again}");
    assert_eq!(again["code"], "presentation_replayed", "{again}");

    // The counter's challenge, typed into the wallet: signed into the next code; the counter
    // that asked for it accepts it, one that asked for another code refuses it.
    c.execute(
        "const ch = document.getElementById('challenge'); ch.value = 'K7QXM'; \
         document.getElementById('live-qr').dataset.text = ''; ch.dispatchEvent(new Event('change')); return 1;",
        vec![],
    )
    .await
    .unwrap();
    wait_for(&c, "(document.getElementById('live-qr').dataset.text || '').startsWith('IKD1:')", "challenge code", 20)
        .await;
    js(&c, "window.scrollTo(0, 0); return 1;").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answered = live_screenshot(&c, "wallet-5b-show-challenge").await;
    let (_, other) = post_image(port, "/v1/verify/image?policy=apotek&challenge=ZZZZZ", &answered);
    assert_eq!(
        (other["verdict"].as_str(), other["code"].as_str()),
        (Some("INVALID"), Some("challenge_mismatch")),
        "{other}"
    );
    let (_, ok) = post_image(port, "/v1/verify/image?policy=apotek&challenge=K7QXM", &answered);
    assert_eq!(ok["verdict"], "VALID", "{ok}");
    assert_eq!(ok["presentation"]["challenge"], "K7QXM", "{ok}");

    // 5. A code from 10 minutes earlier (the wallet's test clock).
    c.goto(&format!("{base}/wallet/?clock_offset_secs=-600")).await.unwrap();
    wait_for(&c, "document.documentElement.dataset.ready === '1'", "wallet with test clock", 30).await;
    show_preset(&c, "apotek").await;
    let old = live_screenshot(&c, "wallet-6-show-10-minutes-ago").await;
    let (_, expired) = post_image(port, "/v1/verify/image?policy=apotek", &old);
    assert_eq!(expired["verdict"], "INVALID", "{expired}");
    assert_eq!(expired["code"], "presentation_expired", "{expired}");
    c.goto(&format!("{base}/wallet/?clock_offset_secs=0")).await.unwrap();
    wait_for(&c, "document.documentElement.dataset.ready === '1'", "wallet, clock reset", 30).await;

    // History and control.
    js(&c, "document.querySelector('#tabs button[data-screen=history]').click(); return 1;").await;
    wait_for(&c, "document.getElementById('history-list').textContent.includes('apotek')", "history", 10).await;
    shot(&c, "wallet-7-history").await;
    js(&c, "document.querySelector('#tabs button[data-screen=control]').click(); return 1;").await;
    wait_for(&c, "document.documentElement.dataset.screen === 'control'", "control", 10).await;
    shot(&c, "wallet-8-control").await;

    // 6. A credential bound to another key is refused at import, with its own code.
    let other = ikd_core::SecretKey::from_seed(&random_seed()).public_key().to_text();
    let foreign = c
        .execute_async(
            "const [key, token, claims, done] = arguments; \
             fetch('/v1/credentials', {method: 'POST', headers: {'Content-Type': 'application/json', \
             'Authorization': 'Bearer ' + token}, body: JSON.stringify({claims: JSON.parse(claims), holder_key: key})}) \
             .then(r => r.json()).then(b => done(b.qr));",
            vec![json!(other), json!(token), json!(claims_json().to_string())],
        )
        .await
        .unwrap();
    let foreign = foreign.as_str().unwrap().to_owned();
    js(&c, "document.querySelector('#tabs button[data-screen=card]').click(); return 1;").await;
    js(&c, "document.getElementById('import-back').click(); return 1;").await;
    c.execute(
        "document.documentElement.dataset.screen = ''; \
         document.querySelectorAll('.screen').forEach((s) => { s.hidden = s.id !== 'screen-import'; }); \
         document.getElementById('import-text').value = arguments[0]; \
         document.getElementById('import-btn').click(); return 1;",
        vec![json!(foreign)],
    )
    .await
    .unwrap();
    wait_for(&c, "document.getElementById('import-result').dataset.code === 'wallet_holder_mismatch'", "refused", 10)
        .await;
    shot(&c, "wallet-9-import-other-key-refused").await;
    // Each other refusal, with its code: no holder key; the wallet's own card with a flipped
    // bit (its holder key intact, the issuer's signature broken); not a credential at all.
    let unbound = c
        .execute_async(
            "const [token, claims, done] = arguments; \
             fetch('/v1/credentials', {method: 'POST', headers: {'Content-Type': 'application/json', \
             'Authorization': 'Bearer ' + token}, body: JSON.stringify({claims: JSON.parse(claims)})}) \
             .then(r => r.json()).then(b => done(b.qr));",
            vec![json!(token), json!(claims_json().to_string())],
        )
        .await
        .unwrap();
    for (text, code) in [
        (unbound.as_str().unwrap().to_owned(), "wallet_not_bound"),
        (tampered(&issued), "wallet_not_verified"),
        ("IKD1:NOT-A-CREDENTIAL".to_owned(), ""),
    ] {
        c.execute(
            "const r = document.getElementById('import-result'); r.dataset.code = 'pending'; \
             document.getElementById('import-text').value = arguments[0]; \
             document.getElementById('import-btn').click(); return 1;",
            vec![json!(text)],
        )
        .await
        .unwrap();
        wait_for(&c, "document.getElementById('import-result').dataset.code !== 'pending'", "an answer", 10).await;
        let got = js(&c, "return document.getElementById('import-result').dataset").await;
        assert_eq!(got["ok"], "0", "{got}");
        if code.is_empty() {
            assert!(got["code"].as_str().unwrap().starts_with("decode_"), "{got}");
        } else {
            assert_eq!(got["code"], code, "{got}");
        }
    }
    // The wallet's own credential is still the one it holds.
    let held = c
        .execute_async(
            "const done = arguments[0]; const r = indexedDB.open('ikd-wallet', 1); \
             r.onsuccess = () => { const g = r.result.transaction('kv').objectStore('kv').get('credential'); \
             g.onsuccess = () => done(g.result.text); };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(held, json!(issued));
    drop(server);
}

/// The wallet's files, as the router serves them (no browser needed): types, the page's CSP,
/// the service worker's scope and what it caches, the manifest's scope.
/// Issue 16: "where WebCrypto Ed25519 is missing, say so and fall back to a key in the WASM
/// module, stored and marked as weaker". The test hook `?webcrypto_ed25519=0` makes the wallet
/// act as in such a browser; its fallback key must still make codes a counter accepts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wallet_without_webcrypto_ed25519_uses_a_weaker_fallback_key_that_still_signs() {
    let Some((chromium, driver_path)) = browser_tools() else { return };
    if !wasm_modules_or_skip("wallet fallback-key test") {
        return;
    }
    let dir = TempDir::new("wallet-fallback");
    let data = dir.path().join("data");
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let _server = Server::start(&data, port);
    let token = std::fs::read_to_string(data.join("demo/admin-token")).unwrap().trim().to_owned();
    let (_driver, c) = start_session(&chromium, &driver_path, dir.path(), &[]).await;
    phone_size(&c).await;

    c.goto(&format!("{base}/wallet/?webcrypto_ed25519=0")).await.unwrap();
    wait_for(&c, "document.documentElement.dataset.ready === '1'", "wallet ready", 30).await;
    click(&c, "make-key").await;
    wait_for(&c, "document.documentElement.dataset.screen === 'enroll'", "enroll screen", 20).await;
    // Said plainly, and marked weaker where it is kept.
    assert_eq!(js(&c, "return document.documentElement.dataset.keyWeaker").await, "1");
    let note = js(&c, "const e = document.getElementById('enroll-weaker'); return e.hidden ? '' : e.textContent").await;
    assert!(note.as_str().unwrap().contains("lebih lemah"), "{note}");
    shot(&c, "wallet-fallback-enroll").await;
    let enroll = js(&c, "return document.getElementById('enroll-qr').dataset.text").await.as_str().unwrap().to_owned();
    let holder = enroll.trim_start_matches("IKDHK1:").to_owned();
    ikd_core::PublicKey::from_text(&holder).expect("the fallback key is a key");

    // Issued to that key (as the counter page would), imported by pasting its text.
    let body = json!({ "claims": claims_json(), "holder_key": holder }).to_string();
    let (st, issued) = post(
        port,
        "/v1/credentials",
        "application/json",
        &format!("Authorization: Bearer {token}\r\n"),
        body.as_bytes(),
    );
    assert_eq!(st, 201, "{issued}");
    let text = issued["qr"].as_str().unwrap().to_owned();
    click(&c, "go-import").await;
    c.execute("document.getElementById('import-text').value = arguments[0]; return 1;", vec![json!(text)])
        .await
        .unwrap();
    click(&c, "import-btn").await;
    wait_for(&c, "document.getElementById('import-result').dataset.ok === '1'", "imported", 30).await;

    // A live code signed by the fallback key: a counter accepts it once.
    show_preset(&c, "apotek").await;
    let screenshot = live_screenshot(&c, "wallet-fallback-show").await;
    let (st, v) = post_image(port, "/v1/verify/image?policy=apotek", &screenshot);
    assert_eq!((st, v["verdict"].as_str()), (200, Some("VALID")), "{v}");
    assert_eq!(v["presentation"]["live"], true, "{v}");
    let (_, again) = post_image(port, "/v1/verify/image?policy=apotek", &screenshot);
    assert_eq!(again["code"], "presentation_replayed", "{again}");
    // The control screen names the key as the weaker kind.
    js(&c, "document.querySelector('#tabs button[data-screen=control]').click(); return 1;").await;
    let info = js(&c, "return document.getElementById('key-info').textContent").await;
    assert!(info.as_str().unwrap().contains("lebih lemah"), "{info}");
}

#[tokio::test]
async fn wallet_assets_and_headers() {
    use axum::http::StatusCode;
    let h = harness(Options::default()).await;
    let r = get(&h.router, "/wallet/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-security-policy"], ikd_server::api::page::CSP);
    assert!(r.text().contains("<html lang=\"id\">") && r.text().contains("manifest.webmanifest"));
    let r = get(&h.router, "/wallet/manifest.webmanifest").await;
    assert_eq!(r.headers["content-type"], "application/manifest+json");
    let m = r.json();
    assert_eq!((m["start_url"].clone(), m["scope"].clone()), (json!("/wallet/"), json!("/wallet/")));
    let r = get(&h.router, "/wallet/sw.js").await;
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(r.headers.get("service-worker-allowed").is_none(), "scope is its own directory");
    for f in ["/wallet/wallet.js", "/wallet/wallet.css", "ikd_wasm_bg.wasm", "ikd_reader_bg.wasm"] {
        assert!(r.text().contains(f), "{f} cached by the service worker");
    }
    for (path, ty) in [("/wallet/wallet.js", "text/javascript"), ("/wallet/wallet.css", "text/css")] {
        let r = get(&h.router, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.headers["content-type"].to_str().unwrap().starts_with(ty), "{path}");
    }
    assert_eq!(get(&h.router, "/wallet/nothing.js").await.status, StatusCode::NOT_FOUND);
}

/// Live codes for name + NIK + age_over_17 stay within QR version 12 at EC level M (the
/// core's renderer, the one the wallet draws with): with no challenge and with the counter
/// page's 5-character challenge code. A 32-byte challenge (the most the format takes) needs
/// version 13: printed, and reported in docs/WALLET.md.
#[test]
fn live_name_nik_age_codes_fit_version_12_at_m() {
    use ikd_core::render::{ErrorCorrection, qr_version};
    let issuer = ikd_core::Issuer::new(ikd_core::SecretKey::from_seed(&random_seed()));
    let holder = ikd_core::SecretKey::from_seed(&random_seed());
    let text = holder_credential(&issuer, &holder);
    let shown = ikd_core::Disclosure::from_names(&["nama", "nik", "age_over_17"]).unwrap();
    let version = |challenge: Option<&[u8]>| {
        let live =
            ikd_core::create_presentation(&text, shown, Some(&holder), ikd_core::Timestamp::now(), challenge).unwrap();
        let v = qr_version(&live, ErrorCorrection::M).unwrap();
        println!(
            "name + NIK + age_over_17, challenge {:?} B: {} chars, QR version {v} (M)",
            challenge.map(<[u8]>::len),
            live.len()
        );
        v
    };
    assert!(version(None) <= 12);
    assert!(version(Some(b"K7Q2X")) <= 12);
    version(Some(&[0xAB; 32]));
}
