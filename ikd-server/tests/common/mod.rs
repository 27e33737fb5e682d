//! Shared helpers for ikd-server's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use ikd_core::format::*;
use ikd_core::*;
use ikd_server::app::{App, AppParts, AppState};
use ikd_server::config::{AdminToken, IssuanceConfig, Limits};
use ikd_server::store::{SqliteOptions, SqliteStore};
use tower::ServiceExt;

pub const TOKEN: &str = "test-admin-token-0123456789";
pub const ISSUER_NAME: &str = "DISDUKCAPIL KABUPATEN UJI";
pub const DAY: i64 = 86_400;

/// A temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let mut r = [0u8; 4];
        getrandom::fill(&mut r).unwrap();
        let p = std::env::temp_dir().join(format!(
            "ikd-server-{tag}-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            hex::encode(r)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn random_seed() -> [u8; 32] {
    let mut s = [0u8; 32];
    getrandom::fill(&mut s).unwrap();
    s
}

/// A typical resident (synthetic; the NIK agrees with the birth date and sex).
pub fn claims_json() -> serde_json::Value {
    serde_json::json!({
        "nik": "3604055708900003", "nama": "SITI NURHALIZA", "tempat_lahir": "SERANG",
        "tanggal_lahir": "1990-08-17", "jenis_kelamin": "PEREMPUAN", "golongan_darah": "O",
        "alamat": "KP. CIKANDE GIRANG", "rt": "002", "rw": "005", "kel_desa": "CIKANDE",
        "kecamatan": "CIKANDE", "kabupaten_kota": "KABUPATEN SERANG", "provinsi": "BANTEN",
        "agama": "ISLAM", "status_perkawinan": "KAWIN", "pekerjaan": "MENGURUS RUMAH TANGGA",
        "kewarganegaraan": "WNI", "berlaku_hingga": "SEUMUR HIDUP"
    })
}

pub fn claims() -> Claims {
    Claims::from_json_value(claims_json()).unwrap()
}

pub const NIK: &str = "3604055708900003";
pub const NAME: &str = "SITI NURHALIZA";

/// A synthetic "face" (gradient portrait), PNG, large enough for a thumbnail.
pub fn face_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(120, 150, |x, y| {
        let dx = x as i32 - 60;
        let dy = y as i32 - 70;
        if dx * dx + dy * dy < 40 * 40 { image::Rgb([220, 170, 140]) } else { image::Rgb([40, 80, (y % 256) as u8]) }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub struct Options {
    pub issuing: bool,
    pub trust: bool,
    pub admin: bool,
    pub limits: Limits,
    pub issuance: IssuanceConfig,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            issuing: true,
            trust: true,
            admin: true,
            limits: Limits::default(),
            issuance: IssuanceConfig::default(),
        }
    }
}

/// A server (in process) and an issuer it trusts, plus one it does not.
pub struct Harness {
    pub app: App,
    pub router: Router,
    pub state: Arc<AppState>,
    pub issuer: Issuer,
    pub stranger: Issuer,
    pub dir: TempDir,
}

/// A trust store trusting `public_key` as `name` from the wire epoch for ten years.
pub fn trusting(name: &str, public_key: PublicKey) -> TrustStore {
    let mut trust = TrustStore::new();
    trust.add(TrustedIssuer {
        name: name.into(),
        public_key,
        not_before: Timestamp::from_unix(WIRE_EPOCH),
        not_after: Timestamp::now().plus(3650 * DAY),
    });
    trust
}

/// The parts of a verify-only server (no issuer key, no admin token, default limits) on an
/// embedded store in `dir`.
pub fn verify_only_parts(trust: TrustStore, dir: &Path) -> AppParts {
    AppParts {
        trust,
        issuer: None,
        admin: None,
        store: Arc::new(SqliteStore::open(dir, SqliteOptions::default()).unwrap()),
        limits: Limits::default(),
        issuance: IssuanceConfig::default(),
        demo: false,
    }
}

pub async fn harness(opts: Options) -> Harness {
    let dir = TempDir::new("api");
    let seed = random_seed();
    let issuer = Issuer::new(SecretKey::from_seed(&seed));
    let stranger = Issuer::new(SecretKey::from_seed(&random_seed()));
    let trust = if opts.trust { trusting(ISSUER_NAME, issuer.public_key()) } else { TrustStore::new() };
    let app = App::from_parts(AppParts {
        issuer: opts.issuing.then(|| (SecretKey::from_seed(&seed), ISSUER_NAME.to_owned())),
        admin: opts.admin.then(|| AdminToken::new(TOKEN).unwrap()),
        limits: opts.limits,
        issuance: opts.issuance,
        ..verify_only_parts(trust, dir.path())
    })
    .await
    .unwrap();
    let router = app.router();
    let state = Arc::clone(&app.state);
    Harness { app, router, state, issuer, stranger, dir }
}

static SERIAL: AtomicU32 = AtomicU32::new(1_000_000);

/// Issues with the library (not through the server): valid from a day ago for `days` days.
pub fn issue_with(issuer: &Issuer, claims: &Claims, start: Timestamp, days: i64, photo: Option<Vec<u8>>) -> String {
    let req = IssueRequest {
        claims: claims.clone(),
        serial: Serial::new(u64::from(SERIAL.fetch_add(1, Ordering::SeqCst))).unwrap(),
        status_index: StatusIndex::new(7),
        issued_at: start,
        valid_from: start,
        expires_at: start.plus(days * DAY),
        holder_key: None,
        photo,
    };
    issuer.issue(&req).unwrap().text().to_owned()
}

pub fn issue(issuer: &Issuer) -> String {
    issue_with(issuer, &claims(), Timestamp::now().plus(-DAY), 365, None)
}

/// Flips one bit so the text decodes but the signature fails.
pub fn tampered(text: &str) -> String {
    let payload = text_to_payload(text).unwrap();
    for pos in (20..payload.len()).rev() {
        let mut p = payload.clone();
        p[pos] ^= 1;
        let t = payload_to_text(&p);
        if UnverifiedCredential::decode(&t).is_ok() {
            return t;
        }
    }
    panic!("no decodable tampering found");
}

pub fn qr_png(text: &str) -> Vec<u8> {
    ikd_core::render::render_png(text, &ikd_core::render::RenderOptions::SCREEN).unwrap()
}

/// A "photo" of the QR code: the code on a grey card inside a larger noisy scene, as JPEG.
pub fn qr_photo_jpeg(text: &str) -> Vec<u8> {
    let code = ikd_core::render::render_image(text, &ikd_core::render::RenderOptions::SCREEN).unwrap();
    let (w, h) = (code.width() + 240, code.height() + 180);
    let mut scene = image::RgbImage::from_fn(w, h, |x, y| {
        let n = ((x * 7 + y * 13) % 17) as u8;
        image::Rgb([90 + n, 100 + n, 110 + n])
    });
    for (x, y, p) in code.enumerate_pixels() {
        let v = if p.0[0] > 128 { 235 } else { 25 };
        scene.put_pixel(x + 120, y + 90, image::Rgb([v, v, v.saturating_sub(5)]));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
    scene.write_with_encoder(enc).unwrap();
    out.into_inner()
}

/// A PNG with no QR code in it.
pub fn blank_png() -> Vec<u8> {
    let img = image::GrayImage::from_fn(320, 240, |x, y| image::Luma([((x + y) % 200) as u8 + 30]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Collects a child's output lines (a thread reads them as they come).
pub fn collect_lines(r: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let l2 = Arc::clone(&lines);
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(r).lines() {
            match line {
                Ok(l) => l2.lock().unwrap().push(l),
                Err(_) => break,
            }
        }
    });
    lines
}

/// Waits for a server binary's `Listening on http://ADDR` line among its stderr lines `err`
/// (from [`collect_lines`]) and returns `ADDR`; panics with the lines if the child exits or
/// has not started within 60 s.
pub fn wait_listening(child: &mut Child, err: &Mutex<Vec<String>>) -> String {
    let start = Instant::now();
    loop {
        if let Some(l) = err.lock().unwrap().iter().find(|l| l.starts_with("Listening on http://")) {
            return l.trim_start_matches("Listening on http://").split('/').next().unwrap().to_owned();
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the server exited ({status}): {:?}", err.lock().unwrap());
        }
        assert!(start.elapsed() < Duration::from_secs(60), "server did not start: {:?}", err.lock().unwrap());
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Creates, in `dir`, the embedded database as release 2 left it (migrations 1 and 2, user
/// version 2) and returns a connection to it, to test the upgrade.
pub fn sqlite_of_schema_2(dir: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(SqliteStore::db_path(dir)).unwrap();
    c.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, \
         applied_at INTEGER NOT NULL) STRICT;",
    )
    .unwrap();
    for m in &ikd_server::store::SQLITE_MIGRATIONS[..2] {
        c.execute_batch(m.sql).unwrap();
        c.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, 0)",
            rusqlite::params![m.version, m.name],
        )
        .unwrap();
    }
    c.pragma_update(None, "user_version", 2).unwrap();
    c
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.bytes)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {}", self.text())).to_owned()
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> Reply {
    let resp: Response<Body> = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec();
    Reply { status, headers, bytes }
}

pub async fn get(router: &Router, path: &str) -> Reply {
    send(router, Request::get(path).body(Body::empty()).unwrap()).await
}

pub async fn post_json(router: &Router, path: &str, body: &serde_json::Value) -> Reply {
    send(
        router,
        Request::post(path).header("content-type", "application/json").body(Body::from(body.to_string())).unwrap(),
    )
    .await
}

pub async fn admin_post(router: &Router, path: &str, body: &serde_json::Value) -> Reply {
    send(
        router,
        Request::post(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

pub async fn verify(router: &Router, text: &str) -> serde_json::Value {
    let r = post_json(router, "/v1/verify", &serde_json::json!({ "qr": text })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// A phone credential for `holder`, issued a day ago and valid for 300 days (serial 777,
/// status index 9).
pub fn holder_credential(issuer: &Issuer, holder: &SecretKey) -> String {
    let req = IssueRequest {
        claims: claims(),
        serial: Serial::new(777).unwrap(),
        status_index: StatusIndex::new(9),
        issued_at: Timestamp::now().plus(-DAY),
        valid_from: Timestamp::now().plus(-DAY),
        expires_at: Timestamp::now().plus(300 * DAY),
        holder_key: Some(holder.public_key()),
        photo: None,
    };
    issuer.issue(&req).unwrap().text().to_owned()
}

/// A white RGBA PNG of `w` × `h` pixels, written directly (deflate with fixed Huffman codes and
/// long back-references), so that a decompression bomb such as 8192 × 8192 (256 MiB decoded)
/// is made in a few milliseconds without holding its pixels: about 210 bytes per 8192-pixel
/// row.
pub fn white_rgba_png(w: u32, h: u32) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, len: u32) {
            self.acc |= u64::from(value) << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// A Huffman code: most significant bit first.
        fn huff(&mut self, code: u32, len: u32) {
            let rev = (0..len).fold(0, |r, i| r | (((code >> i) & 1) << (len - 1 - i)));
            self.put(rev, len);
        }
        /// A literal byte with the fixed code.
        fn lit(&mut self, b: u8) {
            if b < 144 { self.huff(0x30 + u32::from(b), 8) } else { self.huff(0x190 + u32::from(b) - 144, 9) }
        }
    }
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let row_bytes = 4 * w as usize; // after the filter byte (0, none)
    let mut bits = Bits { out: vec![0x78, 0x01], acc: 0, n: 0 };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman codes
    for _ in 0..h {
        bits.lit(0);
        bits.lit(0xFF);
        let mut left = row_bytes - 1;
        while left >= 258 {
            bits.huff(0xC0 + (285 - 280), 8); // length 258
            bits.huff(0, 5); // distance 1
            left -= 258;
        }
        for _ in 0..left {
            bits.lit(0xFF);
        }
    }
    bits.huff(0, 7); // end of block
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    // Adler-32 of the rows, each the same: (s1, s2) advance by closed forms per row.
    const M: u64 = 65_521;
    let len = row_bytes as u64 + 1;
    let row_sum = 255 * row_bytes as u64 % M;
    let row_weighted = (1..len).fold(0u64, |t, i| (t + (len - i) * 255) % M);
    let (mut s1, mut s2) = (1u64, 0u64);
    for _ in 0..h {
        s2 = (s2 + len % M * s1 + row_weighted) % M;
        s1 = (s1 + row_sum) % M;
    }
    bits.out.extend_from_slice(&((s2 << 16 | s1) as u32).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &bits.out);
    chunk(&mut png, b"IEND", &[]);
    png
}
