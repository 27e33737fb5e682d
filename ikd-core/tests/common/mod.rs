//! Shared helpers for ikd-core's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;

use ikd_core::*;
use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

/// `../shared` beside the workspace.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The reference residents: (case, claims).
pub fn residents() -> Vec<(String, Claims)> {
    let text = std::fs::read_to_string(shared_dir().join("reference/residents.json")).expect("reference residents");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["residents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let case = r["case"].as_str().unwrap().to_owned();
            let claims = Claims::from_json(&r["claims"].to_string()).unwrap_or_else(|e| panic!("{case}: {e}"));
            (case, claims)
        })
        .collect()
}

pub fn resident(case: &str) -> Claims {
    residents().into_iter().find(|(c, _)| c == case).unwrap().1
}

/// 2026-11-27T00:00:00Z.
pub const T0: i64 = 1_795_737_600;
pub const YEAR: i64 = 365 * 86_400;

pub fn secret() -> SaltSecret {
    SaltSecret::from_bytes([0x5a; 16])
}

pub fn holder_key() -> PublicKey {
    SecretKey::from_seed(&[0x48; 32]).public_key()
}

/// An issuer with a fixed key, trusted from 2025 to 2035, and a clock at T0 + 1 day.
pub struct Env {
    pub issuer: Issuer,
    pub trust: TrustStore,
    pub now: Timestamp,
}

impl Env {
    pub fn new() -> Env {
        let issuer = Issuer::new(SecretKey::from_seed(&[0x11; 32]));
        let mut trust = TrustStore::new();
        trust.add(TrustedIssuer {
            name: "DISDUKCAPIL KABUPATEN SERANG".into(),
            public_key: issuer.public_key(),
            not_before: Timestamp::from_unix(T0 - 2 * YEAR),
            not_after: Timestamp::from_unix(T0 + 8 * YEAR),
        });
        Env { issuer, trust, now: Timestamp::from_unix(T0 + 86_400) }
    }

    pub fn verifier(&self) -> Verifier {
        Verifier::new(self.trust.clone()).with_clock(Arc::new(FixedClock(self.now)))
    }

    pub fn request(&self, claims: &Claims, holder: Option<PublicKey>, photo: Option<Vec<u8>>) -> IssueRequest {
        IssueRequest {
            claims: claims.clone(),
            serial: Serial::new(1_234_567).unwrap(),
            status_index: StatusIndex::new(4_321_987),
            issued_at: Timestamp::from_unix(T0),
            valid_from: Timestamp::from_unix(T0),
            expires_at: Timestamp::from_unix(T0 + 4 * YEAR),
            holder_key: holder,
            photo,
        }
    }

    pub fn issue(&self, claims: &Claims, holder: Option<PublicKey>, photo: Option<Vec<u8>>) -> String {
        let req = self.request(claims, holder, photo);
        self.issuer.issue_with_secret(&req, &secret()).unwrap().text().to_owned()
    }
}

/// Tiny deterministic PRNG (SplitMix64), so every run sees the same noise and test data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal, mean 0, standard deviation `sigma` (Irwin–Hall with 4 terms).
    pub fn gauss(&mut self, sigma: f64) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum::<f64>() - 2.0;
        s * sigma * (3.0f64).sqrt()
    }
}

/// A credential-sized payload: `IKD1:` and Base45-alphabet text, `len` characters in all.
pub fn credential_payload(len: usize, seed: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut rng = Rng(seed);
    let mut s = String::from("IKD1:");
    while s.len() < len {
        s.push(ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize] as char);
    }
    s
}

/// `payload` as a QR code at EC level M, `module` pixels per module, 4-module quiet zone,
/// dark = `dark`, light = `light`.
pub fn render(payload: &[u8], module: u32, dark: u8, light: u8) -> GrayImage {
    let code = QrCode::with_error_correction_level(payload, EcLevel::M).unwrap();
    render_code(&code, module, dark, light)
}

pub fn render_code(code: &QrCode, module: u32, dark: u8, light: u8) -> GrayImage {
    let width = code.width() as u32;
    let colors = code.to_colors();
    let quiet = 4;
    let side = (width + 2 * quiet) * module;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / module, y / module);
        let inside = mx >= quiet && my >= quiet && mx < quiet + width && my < quiet + width;
        let is_dark = inside && colors[((my - quiet) * width + (mx - quiet)) as usize] == Color::Dark;
        Luma([if is_dark { dark } else { light }])
    })
}

/// A 1920×1080 webcam view of a desk: light falling off towards the bottom-right corner, and
/// clutter drawn with `rng` (dark and light rectangles: papers, a keyboard, cables).
pub fn desk_frame(rng: &mut Rng) -> GrayImage {
    let mut frame = GrayImage::from_fn(1920, 1080, |x, y| {
        let v = 170.0 - 60.0 * (f64::from(x) / 1920.0) - 40.0 * (f64::from(y) / 1080.0);
        Luma([v as u8])
    });
    for _ in 0..40 {
        let (w, h) = (20 + rng.next() % 300, 10 + rng.next() % 200);
        let (rx, ry) = (rng.next() % 1900, rng.next() % 1060);
        let shade = (rng.next() % 256) as u8;
        for yy in ry..(ry + h).min(1080) {
            for xx in rx..(rx + w).min(1920) {
                frame.put_pixel(xx as u32, yy as u32, Luma([shade]));
            }
        }
    }
    frame
}

/// CRC-32 (IEEE), as PNG chunks carry it: for hand-made PNG headers.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
