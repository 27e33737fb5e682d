//! Face thumbnails: budgets, sizes, determinism, and refusal of bad input without panics.
#![cfg(feature = "photo")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::crc32;
use ikd_core::photo::{
    FaceThumbnail, MAX_THUMBNAIL_BYTES, PhotoError, PhotoLimits, decode_thumbnail, make_thumbnail, thumbnail_png,
};
use image::imageops::FilterType;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

const FACE: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/face.png"));

fn face_rgb() -> RgbImage {
    image::load_from_memory(FACE).unwrap().to_rgb8()
}

fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn jpeg(image: &RgbImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).unwrap();
    }
    encoder.write_image(image.as_raw(), image.width(), image.height(), ExtendedColorType::Rgb8).unwrap();
    out
}

fn thumb(budget: usize) -> FaceThumbnail {
    make_thumbnail(FACE, budget, &PhotoLimits::default()).unwrap()
}

/// Deterministic pseudo-random bytes (xorshift64).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let se: f64 = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2)).sum();
    let mse = se / a.as_raw().len() as f64;
    10.0 * (255.0 * 255.0 / mse).log10()
}

#[test]
fn face_fits_each_budget_and_stays_large_enough() {
    for budget in [450, 420, 350, 300] {
        let t = thumb(budget);
        assert!(t.as_bytes().len() <= budget, "{budget}: {t:?}");
        assert!(t.width() >= 48 && t.height() >= 60, "{budget}: {t:?}");
        let decoded = decode_thumbnail(t.as_bytes()).unwrap();
        assert_eq!(decoded.dimensions(), (t.width(), t.height()));
    }
}

#[test]
fn typical_budget_gives_64x80_and_worst_case_48x60() {
    let typical = thumb(420);
    assert_eq!((typical.width(), typical.height()), (64, 80));
    let worst = thumb(300);
    assert_eq!((worst.width(), worst.height()), (48, 60));
}

#[test]
fn thumbnail_resembles_the_face() {
    // Regression guard on quality: PSNR against a plain Lanczos3 downscale of the reference.
    for (budget, min_db) in [(420, 25.0), (300, 24.0)] {
        let t = thumb(budget);
        let reference = image::imageops::resize(&face_rgb(), t.width(), t.height(), FilterType::Lanczos3);
        let db = psnr(&reference, &decode_thumbnail(t.as_bytes()).unwrap());
        assert!(db >= min_db, "{budget} bytes: {db:.2} dB");
    }
}

#[test]
fn larger_budget_never_gives_fewer_bytes() {
    let mut previous = 0;
    for budget in [300, 350, 420, 450, 600, 1000] {
        let len = thumb(budget).as_bytes().len();
        assert!(len >= previous || len + 64 >= previous, "{budget}: {len} < {previous}");
        previous = len;
    }
}

#[test]
fn output_is_a_simple_lossy_webp() {
    let t = thumb(420);
    let b = t.as_bytes();
    assert_eq!(&b[0..4], b"RIFF");
    assert_eq!(&b[8..16], b"WEBPVP8 ");
    let riff_len = u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize;
    assert_eq!(riff_len + 8, b.len(), "one chunk, nothing after it");
    let chunk_len = u32::from_le_bytes(b[16..20].try_into().unwrap()) as usize;
    assert_eq!(20 + chunk_len + (chunk_len & 1), b.len());
    for tag in [&b"VP8X"[..], b"EXIF", b"ICCP", b"XMP ", b"ALPH"] {
        assert!(!b.windows(4).any(|w| w == tag), "{tag:?}");
    }
}

#[test]
fn thumbnails_are_deterministic() {
    let a = thumb(420);
    let b = thumb(420);
    assert_eq!(a, b);
    let other_thread = std::thread::spawn(|| thumb(420)).join().unwrap();
    assert_eq!(a, other_thread);
    assert_eq!(thumb(300), thumb(300));
}

#[test]
fn jpeg_input_works() {
    let t = make_thumbnail(&jpeg(&face_rgb(), None), 420, &PhotoLimits::default()).unwrap();
    assert!(t.as_bytes().len() <= 420);
    assert_eq!((t.width(), t.height()), (64, 80));
}

#[test]
fn exif_orientation_is_applied() {
    // The face stored lying on its side, with EXIF orientation 6 ("rotate 90° clockwise to view").
    let stored = image::imageops::rotate270(&face_rgb());
    assert_eq!(stored.dimensions(), (250, 200));
    let exif = vec![
        b'M', b'M', 0, 42, 0, 0, 0, 8, // TIFF header, first IFD at 8
        0, 1, // one entry
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // Orientation, SHORT, 1 value: 6
        0, 0, 0, 0, // no next IFD
    ];
    let t = make_thumbnail(&jpeg(&stored, Some(exif)), 420, &PhotoLimits::default()).unwrap();
    assert_eq!((t.width(), t.height()), (64, 80));
    let upright = thumb(420);
    let a = decode_thumbnail(t.as_bytes()).unwrap();
    let b = decode_thumbnail(upright.as_bytes()).unwrap();
    assert!(psnr(&a, &b) > 22.0, "turned upright, it looks like the PNG's thumbnail");
}

#[test]
fn transparent_png_is_laid_on_white() {
    let mut rgba = RgbaImage::from_pixel(100, 125, Rgba([0, 0, 0, 0]));
    for (x, y, p) in rgba.enumerate_pixels_mut() {
        if (30..70).contains(&x) && (30..90).contains(&y) {
            *p = Rgba([120, 80, 60, 255]);
        }
    }
    let mut input = Vec::new();
    image::codecs::png::PngEncoder::new(&mut input)
        .write_image(rgba.as_raw(), 100, 125, ExtendedColorType::Rgba8)
        .unwrap();
    let t = make_thumbnail(&input, 420, &PhotoLimits::default()).unwrap();
    let decoded = decode_thumbnail(t.as_bytes()).unwrap();
    let corner = decoded.get_pixel(1, 1);
    assert!(corner.0.iter().all(|&c| c > 235), "{corner:?}");
}

#[test]
fn wide_and_tall_inputs_are_cropped_to_portrait() {
    let face = face_rgb();
    let wide = image::imageops::resize(&face, 400, 120, FilterType::Triangle);
    let t = make_thumbnail(&png(&wide), 420, &PhotoLimits::default()).unwrap();
    assert_eq!((t.width(), t.height()), (64, 80));
    // A 200×60 input crops to 48×60: only the smallest size fits without upscaling.
    let thin = RgbImage::from_fn(200, 60, |x, y| Rgb([x as u8, y as u8, 128]));
    let t = make_thumbnail(&png(&thin), 420, &PhotoLimits::default()).unwrap();
    assert_eq!((t.width(), t.height()), (48, 60));
    let tall = image::imageops::resize(&face, 60, 300, FilterType::Triangle);
    let t = make_thumbnail(&png(&tall), 420, &PhotoLimits::default()).unwrap();
    assert_eq!((t.width(), t.height()), (48, 60));
}

#[test]
fn large_input_is_preshrunk_and_fits() {
    let big = image::imageops::resize(&face_rgb(), 640, 800, FilterType::Triangle);
    let t = make_thumbnail(&png(&big), 420, &PhotoLimits::default()).unwrap();
    assert!(t.as_bytes().len() <= 420);
    assert_eq!((t.width(), t.height()), (64, 80));
}

#[test]
fn too_small_input_is_refused() {
    for (w, h) in [(40, 50), (47, 100), (100, 59), (1, 1)] {
        let small = RgbImage::from_pixel(w, h, Rgb([200, 150, 100]));
        match make_thumbnail(&png(&small), 420, &PhotoLimits::default()) {
            Err(PhotoError::TooSmall { width, height }) => assert_eq!((width, height), (w, h)),
            other => panic!("{w}x{h}: {other:?}"),
        }
    }
    let exact = RgbImage::from_pixel(48, 60, Rgb([200, 150, 100]));
    let t = make_thumbnail(&png(&exact), 420, &PhotoLimits::default()).unwrap();
    assert_eq!((t.width(), t.height()), (48, 60));
}

#[test]
fn tiny_budget_is_refused() {
    for budget in [0, 50, 120] {
        match make_thumbnail(FACE, budget, &PhotoLimits::default()) {
            Err(e @ PhotoError::BudgetTooSmall { .. }) => {
                let PhotoError::BudgetTooSmall { budget: b, smallest } = e else { unreachable!() };
                assert_eq!(b, budget);
                assert!(smallest > budget && smallest < 300, "{smallest}");
                assert_eq!(e.code(), "photo_budget_too_small");
            }
            other => panic!("{budget}: {other:?}"),
        }
    }
}

#[test]
fn input_limits_are_enforced() {
    let limits = PhotoLimits { max_input_bytes: 1000, ..PhotoLimits::default() };
    match make_thumbnail(FACE, 420, &limits) {
        Err(PhotoError::InputTooLarge { size, max }) => {
            assert_eq!((size, max), (FACE.len(), 1000));
        }
        other => panic!("{other:?}"),
    }
    let limits = PhotoLimits { max_width: 199, ..PhotoLimits::default() };
    match make_thumbnail(FACE, 420, &limits) {
        Err(PhotoError::DimensionsTooLarge { width, height }) => {
            assert_eq!((width, height), (200, 250));
        }
        other => panic!("{other:?}"),
    }
    let limits = PhotoLimits { max_height: 200, ..PhotoLimits::default() };
    assert_eq!(make_thumbnail(FACE, 420, &limits).unwrap_err().code(), "photo_dimensions_too_large");
}

#[test]
fn huge_declared_dimensions_are_refused_before_decoding() {
    // A PNG header declaring 100000×100000 pixels, with no data behind it.
    let mut header = FACE[..33].to_vec();
    header[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    header[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&header[12..29]);
    header[29..33].copy_from_slice(&crc.to_be_bytes());
    // An empty IDAT chunk, so that the header parses completely.
    header.extend([0, 0, 0, 0]);
    header.extend(b"IDAT");
    header.extend(crc32(b"IDAT").to_be_bytes());
    match make_thumbnail(&header, 420, &PhotoLimits::default()) {
        Err(PhotoError::DimensionsTooLarge { width, height }) => {
            assert_eq!((width, height), (100_000, 100_000));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_png_and_jpeg_are_refused_without_panic() {
    let jpeg = jpeg(&face_rgb(), None);
    for input in [FACE, jpeg.as_slice()] {
        let mut cuts: Vec<usize> = (0..64).collect();
        cuts.extend((64..input.len()).step_by(997));
        cuts.extend(input.len() - 8..input.len());
        for cut in cuts {
            let result = make_thumbnail(&input[..cut], 420, &PhotoLimits::default());
            match result {
                Err(PhotoError::CorruptImage(_) | PhotoError::UnsupportedFormat) => {}
                // Only the 12-byte IEND chunk is missing: every pixel is there.
                Ok(_) if input == FACE && cut >= input.len() - 12 => {}
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
    }
}

#[test]
fn corrupted_bodies_are_refused_without_panic() {
    let jpeg = jpeg(&face_rgb(), None);
    for (input, seed) in [(FACE, 1u64), (jpeg.as_slice(), 2)] {
        for round in 0..12u64 {
            let mut bad = input.to_vec();
            let garbage = noise(64, seed * 1000 + round);
            let at = 40 + (round as usize * 7919) % (bad.len() - 200);
            bad[at..at + 64].copy_from_slice(&garbage);
            // Anything but a panic; a lenient decoder may still produce a picture.
            if let Ok(t) = make_thumbnail(&bad, 420, &PhotoLimits::default()) {
                assert!(t.as_bytes().len() <= 420);
            }
        }
    }
}

#[test]
fn jpeg_with_trailing_data_and_progressive_markers_is_accepted() {
    let mut with_tail = jpeg(&face_rgb(), None);
    with_tail.extend(noise(100, 9));
    let t = make_thumbnail(&with_tail, 420, &PhotoLimits::default()).unwrap();
    assert_eq!((t.width(), t.height()), (64, 80));
    // Cut just before the end-of-image marker: refused as corrupt.
    let whole = jpeg(&face_rgb(), None);
    let cut = &whole[..whole.len() - 2];
    assert_eq!(make_thumbnail(cut, 420, &PhotoLimits::default()).unwrap_err().code(), "photo_corrupt");
}

#[test]
fn random_bytes_are_unsupported() {
    for seed in 1..50u64 {
        let bytes = noise(200 + seed as usize * 37, seed);
        let err = make_thumbnail(&bytes, 420, &PhotoLimits::default()).unwrap_err();
        assert!(matches!(err, PhotoError::UnsupportedFormat), "{seed}: {err:?}");
    }
    assert!(matches!(make_thumbnail(&[], 420, &PhotoLimits::default()), Err(PhotoError::UnsupportedFormat)));
    // PNG and JPEG signatures followed by garbage are corrupt, not unsupported.
    let mut fake_png = b"\x89PNG\r\n\x1a\n".to_vec();
    fake_png.extend(noise(500, 7));
    assert_eq!(make_thumbnail(&fake_png, 420, &PhotoLimits::default()).unwrap_err().code(), "photo_corrupt");
    let mut fake_jpeg = vec![0xff, 0xd8, 0xff, 0xe0];
    fake_jpeg.extend(noise(500, 8));
    assert!(make_thumbnail(&fake_jpeg, 420, &PhotoLimits::default()).is_err());
}

#[test]
fn other_formats_are_unsupported() {
    // A 1×1 GIF.
    let gif: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    // A 64×80 24-bit BMP header (pixels omitted: it must be refused before decoding).
    let mut bmp = b"BM".to_vec();
    bmp.extend((54u32 + 64 * 80 * 3).to_le_bytes());
    bmp.extend([0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0]);
    bmp.extend(64u32.to_le_bytes());
    bmp.extend(80u32.to_le_bytes());
    bmp.extend([1, 0, 24, 0]);
    bmp.extend([0u8; 24]);
    // A WebP (our own output) is not accepted as a source photo either.
    let webp = thumb(420).as_bytes().to_vec();
    for input in [gif, bmp.as_slice(), webp.as_slice()] {
        let err = make_thumbnail(input, 420, &PhotoLimits::default()).unwrap_err();
        assert!(matches!(err, PhotoError::UnsupportedFormat), "{err:?}");
        assert_eq!(err.code(), "photo_unsupported_format");
    }
}

#[test]
fn decode_thumbnail_rejects_non_webp_and_oversized() {
    // Not WebP.
    let small_png = png(&RgbImage::from_pixel(64, 80, Rgb([1, 2, 3])));
    for bytes in [small_png.as_slice(), b"", b"RIFF\x00\x00\x00\x00WAVEfmt "] {
        assert!(matches!(decode_thumbnail(bytes), Err(PhotoError::UnsupportedFormat)));
    }
    // Too many bytes.
    let mut big = thumb(420).as_bytes().to_vec();
    big.resize(MAX_THUMBNAIL_BYTES + 1, 0);
    match decode_thumbnail(&big) {
        Err(PhotoError::InputTooLarge { size, max }) => {
            assert_eq!((size, max), (MAX_THUMBNAIL_BYTES + 1, MAX_THUMBNAIL_BYTES));
        }
        other => panic!("{other:?}"),
    }
    // Too many pixels, in few bytes.
    let flat = vec![128u8; 300 * 200 * 3];
    let wide = webp::Encoder::from_rgb(&flat, 300, 200).encode(50.0).to_vec();
    assert!(wide.len() <= MAX_THUMBNAIL_BYTES);
    match decode_thumbnail(&wide) {
        Err(PhotoError::DimensionsTooLarge { width, height }) => {
            assert_eq!((width, height), (300, 200));
        }
        other => panic!("{other:?}"),
    }
    // 256×256 is still accepted.
    let flat = vec![128u8; 256 * 256 * 3];
    let edge = webp::Encoder::from_rgb(&flat, 256, 256).encode(50.0).to_vec();
    assert_eq!(decode_thumbnail(&edge).unwrap().dimensions(), (256, 256));
}

#[test]
fn decode_thumbnail_refuses_damaged_webp_without_panic() {
    let good = thumb(420).as_bytes().to_vec();
    for cut in 0..good.len() {
        let _ = decode_thumbnail(&good[..cut]);
    }
    for round in 0..200u64 {
        let mut bad = good.clone();
        let at = 12 + (round as usize * 7) % (bad.len() - 12);
        bad[at] ^= noise(1, round + 1)[0] | 1;
        let _ = decode_thumbnail(&bad);
    }
    let mut garbage = good[..20].to_vec();
    garbage.extend(noise(300, 3));
    assert!(decode_thumbnail(&garbage).is_err());
}

#[test]
fn thumbnail_png_round_trips() {
    let t = thumb(420);
    let shown = thumbnail_png(t.as_bytes()).unwrap();
    assert_eq!(&shown[..8], b"\x89PNG\r\n\x1a\n");
    let back = image::load_from_memory(&shown).unwrap().to_rgb8();
    assert_eq!(back, decode_thumbnail(t.as_bytes()).unwrap());
    let small_png = png(&RgbImage::from_pixel(64, 80, Rgb([1, 2, 3])));
    assert_eq!(thumbnail_png(&small_png).unwrap_err().code(), "photo_unsupported_format");
    assert_eq!(thumbnail_png(FACE).unwrap_err().code(), "photo_too_large");
}

#[test]
fn debug_shows_no_bytes() {
    let t = thumb(420);
    let shown = format!("{t:?}");
    assert_eq!(shown, format!("FaceThumbnail {{ len: {}, width: 64, height: 80 }}", t.as_bytes().len()));
    assert!(!shown.contains("RIFF") && !shown.contains("82, 73"));
}

#[test]
fn error_codes_are_stable_and_distinct() {
    let errors = [
        PhotoError::InputTooLarge { size: 2, max: 1 },
        PhotoError::DimensionsTooLarge { width: 1, height: 1 },
        PhotoError::UnsupportedFormat,
        PhotoError::CorruptImage(String::new()),
        PhotoError::TooSmall { width: 1, height: 1 },
        PhotoError::BudgetTooSmall { budget: 1, smallest: 2 },
        PhotoError::Encode(String::new()),
    ];
    let codes: Vec<&str> = errors.iter().map(PhotoError::code).collect();
    assert_eq!(
        codes,
        [
            "photo_too_large",
            "photo_dimensions_too_large",
            "photo_unsupported_format",
            "photo_corrupt",
            "photo_too_small",
            "photo_budget_too_small",
            "photo_encode_failed",
        ]
    );
    for e in &errors {
        assert!(!e.to_string().is_empty());
    }
}
