//! Hostile input (issue 13): small-order holder keys, decompression-bomb images, and images of
//! one colour or degenerate size that used to panic inside the scanner.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use ikd_core::*;

/// p = 2^255 − 19, little-endian.
const P: [u8; 32] = {
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

/// `y` of the order-8 points (and `p − y` below), little-endian.
const Y8: [u8; 32] = [
    0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac,
    0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
];

/// `a − b` for little-endian 256-bit numbers with `a ≥ b`.
fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in 0..32 {
        let d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = d.rem_euclid(256) as u8;
    }
    out
}

fn small(v: u8) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[0] = v;
    out
}

/// Every 32-byte encoding of a point of small order: 14 in all.
///
/// The eight small-order points have `y` ∈ {1, −1, 0, y8, −y8}. Each `y` is encoded with the sign
/// bit clear and set (10 encodings); `y` = 0 and `y` = 1 also have the non-canonical forms p and
/// p + 1 (`y` < 19), again with both sign bits (4 more). No other 255-bit number is congruent to
/// one of these `y` modulo p.
fn small_order_encodings() -> Vec<[u8; 32]> {
    let ys = [small(1), sub(&P, &small(1)), small(0), Y8, sub(&P, &Y8), P, {
        let mut p1 = P;
        p1[0] += 1;
        p1
    }];
    let mut all = Vec::new();
    for y in ys {
        assert_eq!(y[31] & 0x80, 0);
        let mut signed = y;
        signed[31] |= 0x80;
        all.extend([y, signed]);
    }
    assert_eq!(all.len(), 14);
    all
}

#[test]
fn the_small_order_set_is_what_it_claims() {
    for enc in small_order_encodings() {
        // Each decodes (leniently) to a small-order point, or is refused outright.
        let weak = ed25519_dalek::VerifyingKey::from_bytes(&enc).map_or(true, |k| k.is_weak());
        assert!(weak, "{}", hex::encode(enc));
    }
}

/// A credential with a holder key whose 32 bytes are replaced by `key` (the signature is not
/// checked before the holder key is screened).
fn with_holder_key(env: &Env, key: &[u8; 32]) -> String {
    let real = holder_key();
    let text = env.issue(&resident("worst-case"), Some(real), None);
    let mut payload = text_to_payload(&text).unwrap();
    let at = payload.windows(32).position(|w| w == real.as_bytes()).expect("holder key in the payload");
    payload[at..at + 32].copy_from_slice(key);
    payload_to_text(&payload)
}

/// docs/FORMAT.md §2: decoding refuses every small-order holder key. `0000…80` (y = 0, sign bit
/// set) and `ecff…ff` (y = −1, sign bit set) used to pass.
#[test]
fn regression_small_order_holder_keys_are_refused() {
    let env = Env::new();
    let verifier = env.verifier();
    // The test's surgery itself works: the real key round-trips.
    let genuine = with_holder_key(&env, holder_key().as_bytes());
    assert!(UnverifiedCredential::decode(&genuine).is_ok());
    for enc in small_order_encodings() {
        let text = with_holder_key(&env, &enc);
        let decoded = UnverifiedCredential::decode(&text);
        assert!(
            matches!(decoded, Err(DecodeError::InvalidHolderKey)),
            "{} decoded as {:?}",
            hex::encode(enc),
            decoded.map(|_| ())
        );
        assert_eq!(verifier.verify(&text).code(), "decode_invalid_holder_key", "{}", hex::encode(enc));
        // Key files and trust stores refuse them too.
        assert_eq!(PublicKey::from_bytes(&enc), Err(KeyError::InvalidPublicKey), "{}", hex::encode(enc));
    }
}

/// `decode_luma` of a `width` × `height` image of one brightness, and the same as a PNG through
/// `decode_image`: both must say "no code" (never that a decoder failed, which is what a
/// contained panic gives).
fn assert_flat_image_reads_as_no_code(width: u32, height: u32, value: u8) {
    use ikd_core::scan::{ScanEffort, ScanError, ScanLimits, decode_image_with, decode_luma_with};
    let image = image::GrayImage::from_pixel(width, height, image::Luma([value]));
    for effort in [ScanEffort::Thorough, ScanEffort::LiveFrame] {
        let result = decode_luma_with(&image, effort);
        assert!(
            matches!(result, Err(ScanError::NoCode { .. })),
            "{width}x{height} of {value} ({effort:?}): {result:?}"
        );
        if width > 0 && height > 0 {
            let mut png = Vec::new();
            image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
            let result = decode_image_with(&png, &ScanLimits::default(), effort);
            assert!(matches!(result, Err(ScanError::NoCode { .. })), "{width}x{height} PNG of {value}: {result:?}");
        }
    }
}

/// A plain white image divided by zero in the contrast stretch (scan/prep.rs); the panic was
/// contained, but flooded the log and turned "no code" into `decoder_failed`.
#[test]
fn regression_white_image_does_not_panic() {
    assert_flat_image_reads_as_no_code(640, 480, 255);
    assert_flat_image_reads_as_no_code(64, 64, 255);
}

#[test]
fn regression_black_image_does_not_panic() {
    assert_flat_image_reads_as_no_code(640, 480, 0);
    assert_flat_image_reads_as_no_code(64, 64, 0);
}

#[test]
fn regression_flat_grey_images_do_not_panic() {
    for value in [1, 127, 128, 254] {
        assert_flat_image_reads_as_no_code(100, 100, value);
    }
}

#[test]
fn regression_tiny_and_empty_images_do_not_panic() {
    for (width, height) in
        [(0, 0), (0, 5), (5, 0), (1, 1), (1, 2), (2, 1), (1, 100), (100, 1), (2, 2), (3, 3), (20, 20)]
    {
        for value in [0, 255] {
            assert_flat_image_reads_as_no_code(width, height, value);
        }
    }
}
