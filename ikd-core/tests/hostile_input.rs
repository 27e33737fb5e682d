//! Hostile input (issue 13): small-order holder keys, decompression-bomb images, and images of
//! one colour or degenerate size that used to panic inside the scanner.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use ikd_core::format::*;
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
// Issue 13: two small-order holder key encodings passed decoding.
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
// Issue 13: a plain white image divided by zero in the contrast stretch.
#[test]
fn regression_white_image_does_not_panic() {
    assert_flat_image_reads_as_no_code(640, 480, 255);
    assert_flat_image_reads_as_no_code(64, 64, 255);
}

// Issue 13: flat images divided by zero in the contrast stretch.
#[test]
fn regression_black_image_does_not_panic() {
    assert_flat_image_reads_as_no_code(640, 480, 0);
    assert_flat_image_reads_as_no_code(64, 64, 0);
}

// Issue 13: flat images divided by zero in the contrast stretch.
#[test]
fn regression_flat_grey_images_do_not_panic() {
    for value in [1, 127, 128, 254] {
        assert_flat_image_reads_as_no_code(100, 100, value);
    }
}

// Issue 13: tiny and empty images reached the contrast stretch's division by zero.
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

// ---------------------------------------------------------------------------------------------
// Decompression bombs

/// A white `width` × `height` RGBA PNG, small once compressed.
fn white_rgba_png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_pixel(width, height, image::Rgba([255, 255, 255, 255]));
    let mut png = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    png
}

/// A PNG whose header claims `width` × `height` RGBA pixels (8-bit) with one tiny IDAT chunk
/// behind it: a decoder that trusts the header allocates width · height · 4 bytes.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let body = [kind, data].concat();
        png.extend(&body);
        png.extend(crc32(&body).to_be_bytes());
    };
    let ihdr = [&width.to_be_bytes()[..], &height.to_be_bytes(), &[8, 6, 0, 0, 0]].concat();
    chunk(b"IHDR", &ihdr);
    // zlib stream of a few zero bytes (the first row's filter byte and pixels).
    chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

/// The 275 KB white 8192 × 8192 RGBA PNG that took the server from 88 MB to 600 MB: refused by
/// its header, before any pixel buffer is allocated (it is within the 8192 × 8192 dimension
/// caps, but has 67 megapixels).
// Issue 13: a small PNG of 67 megapixels was decoded before being refused.
#[test]
fn regression_huge_white_png_is_refused_before_decoding() {
    use ikd_core::scan::{MAX_PIXELS, ScanError, ScanLimits, decode_image};
    let png = white_rgba_png(8192, 8192);
    // About 1.3 MB at the encoder's default compression (275 KB at its best): far below the
    // 16 MiB input cap, so only the pixel cap stands in its way.
    assert!(png.len() < ScanLimits::DEFAULT_MAX_INPUT_BYTES / 8, "{}", png.len());
    let err = decode_image(&png, &ScanLimits::default()).unwrap_err();
    assert!(
        matches!(err, ScanError::TooManyPixels { width: 8192, height: 8192, max, .. } if max == MAX_PIXELS),
        "{err:?}"
    );
    assert_eq!(err.code(), "image_too_many_pixels");
    assert!(err.message_id().contains("8192x8192"));
    assert_eq!(MAX_PIXELS, 16 * 1024 * 1024);
    // Photos too (8192 is over their 8000-pixel side cap; 4100 × 4100 is within it).
    let err = photo::make_thumbnail(&png, 420, &photo::PhotoLimits::default()).unwrap_err();
    assert!(matches!(err, photo::PhotoError::DimensionsTooLarge { width: 8192, height: 8192 }), "{err:?}");
    let png = white_rgba_png(4100, 4100);
    let err = photo::make_thumbnail(&png, 420, &photo::PhotoLimits::default()).unwrap_err();
    assert!(matches!(err, photo::PhotoError::TooManyPixels { width: 4100, height: 4100, .. }), "{err:?}");
    assert_eq!(err.code(), "photo_too_many_pixels");
}

/// Headers claiming absurd sizes are refused from the header alone: 100000 × 100000 (40 GB of
/// RGBA) by the dimension caps, and 8192 × 2049 (just over 16 megapixels, within the dimension
/// caps) by the pixel cap, though neither has the data behind it.
// Issue 13: headers claiming absurd sizes made the decoder allocate.
#[test]
fn regression_png_header_claiming_huge_dimensions_is_refused_without_allocating() {
    use ikd_core::scan::{ScanError, ScanLimits, decode_image};
    let err = decode_image(&png_claiming(100_000, 100_000), &ScanLimits::default()).unwrap_err();
    assert!(matches!(err, ScanError::DimensionsTooLarge { width: 100_000, height: 100_000 }), "{err:?}");
    // Within the dimension caps a caller may set, but not the pixel cap.
    let wide = ScanLimits { max_width: 100_000, max_height: 100_000, ..ScanLimits::default() };
    let err = decode_image(&png_claiming(100_000, 100_000), &wide).unwrap_err();
    assert!(matches!(err, ScanError::TooManyPixels { width: 100_000, height: 100_000, .. }), "{err:?}");
    let err = decode_image(&png_claiming(8192, 2049), &ScanLimits::default()).unwrap_err();
    assert!(matches!(err, ScanError::TooManyPixels { width: 8192, height: 2049, .. }), "{err:?}");
    // At exactly 16 megapixels the header passes, and the missing data is what is refused.
    let err = decode_image(&png_claiming(8192, 2048), &ScanLimits::default()).unwrap_err();
    assert!(matches!(err, ScanError::CorruptImage(_)), "{err:?}");

    let wide = photo::PhotoLimits { max_width: 100_000, max_height: 100_000, ..photo::PhotoLimits::default() };
    let err = photo::make_thumbnail(&png_claiming(100_000, 100_000), 420, &wide).unwrap_err();
    assert!(matches!(err, photo::PhotoError::TooManyPixels { width: 100_000, height: 100_000, .. }), "{err:?}");
}

/// 16-bit RGBA at 16 megapixels needs 128 MiB: over the decoder's allocation cap.
// Issue 13: the image decoder's allocations were not capped.
#[test]
fn regression_decoder_allocation_is_capped() {
    use ikd_core::scan::{MAX_DECODE_BYTES, ScanError, ScanLimits, decode_image};
    let image = image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::from_pixel(4096, 4096, image::Rgba([65535; 4]));
    let mut png = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let err = decode_image(&png, &ScanLimits::default()).unwrap_err();
    assert!(matches!(err, ScanError::MemoryLimit { max, .. } if max == MAX_DECODE_BYTES), "{err:?}");
    assert_eq!(err.code(), "image_memory_limit");
    let err = photo::make_thumbnail(&png, 420, &photo::PhotoLimits::default()).unwrap_err();
    assert!(matches!(err, photo::PhotoError::MemoryLimit { .. }), "{err:?}");
    assert_eq!(err.code(), "photo_memory_limit");
}

/// An image within the pixel cap but above the working size is shrunk before the cascade, and
/// a code in it is still read.
#[test]
fn large_image_is_shrunk_and_still_read() {
    use ikd_core::scan::{ScanLimits, decode_image};
    let code = qrcode::QrCode::new(b"IKD1:LARGE-IMAGE-TEST").unwrap();
    let modules = code.width() as u32;
    let colors = code.to_colors();
    // 4000 × 3000, 40 pixels a module, dark modules 30, light 230.
    let (width, height, module, left, top) = (4000u32, 3000u32, 40u32, 900u32, 600u32);
    let image = image::GrayImage::from_fn(width, height, |x, y| {
        let (mx, my) = (x.wrapping_sub(left) / module, y.wrapping_sub(top) / module);
        let dark = x >= left
            && y >= top
            && mx < modules
            && my < modules
            && colors[(my * modules + mx) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 30 } else { 230 }])
    });
    let mut png = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let codes = decode_image(&png, &ScanLimits::default()).unwrap();
    assert_eq!(codes[0].text(), Some("IKD1:LARGE-IMAGE-TEST"));
}
