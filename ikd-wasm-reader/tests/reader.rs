//! The reader's functions on the host: the image vector through `read_image` and as a camera
//! frame through `read_frame`, and every error path with its code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Cursor;
use std::path::PathBuf;

use ikd_core::Lang;
use ikd_wasm_reader::api::{BAD_ARGUMENT, QR_NOT_TEXT, ReaderError, read_frame, read_image};
use image::{GrayImage, ImageFormat, Luma};
use qrcode::{EcLevel, QrCode};

fn cases() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/cases")
}

/// The PNG vector and the text it must read as.
fn png_vector() -> (Vec<u8>, String) {
    let png = std::fs::read(cases().join("valid-png-typical-woman.png")).unwrap();
    let case: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cases().join("valid-png-typical-woman.json")).unwrap()).unwrap();
    let text = case["input"]["qr_text"].as_str().expect("qr_text in the PNG vector").to_owned();
    (png, text)
}

fn encode(image: &GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A QR code of `data` drawn 6 px per module with a 4-module quiet zone.
fn qr_image(data: &[u8]) -> GrayImage {
    let code = QrCode::with_error_correction_level(data, EcLevel::M).unwrap();
    let width = code.width() as u32;
    let colors = code.to_colors();
    let (scale, quiet) = (6u32, 4u32);
    let side = (width + 2 * quiet) * scale;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / scale).checked_sub(quiet), (y / scale).checked_sub(quiet));
        match (mx, my) {
            (Some(mx), Some(my)) if mx < width && my < width => {
                if colors[(my * width + mx) as usize] == qrcode::Color::Dark { Luma([0]) } else { Luma([255]) }
            }
            _ => Luma([255]),
        }
    })
}

fn rgba_of(image: &GrayImage) -> Vec<u8> {
    image.pixels().flat_map(|p| [p.0[0], p.0[0], p.0[0], 255]).collect()
}

fn code_of(r: Result<Vec<String>, ReaderError>) -> String {
    match r {
        Ok(texts) => panic!("expected an error, read {texts:?}"),
        Err(e) => e.code,
    }
}

#[test]
fn image_vector_reads_as_its_text() {
    let (png, text) = png_vector();
    assert_eq!(read_image(&png, Lang::Id).unwrap(), vec![text]);
}

#[test]
fn image_vector_as_a_camera_frame() {
    let (png, text) = png_vector();
    let rgba = image::load_from_memory(&png).unwrap().to_rgba8();
    let (w, h) = rgba.dimensions();
    assert_eq!(read_frame(rgba.as_raw(), w, h, Lang::Id).unwrap(), vec![text]);
}

#[test]
fn generated_code_as_jpeg_and_webp_free_of_ikd_prefix() {
    let img = qr_image(b"hello reader");
    assert_eq!(read_image(&encode(&img, ImageFormat::Jpeg), Lang::Id).unwrap(), vec!["hello reader".to_owned()]);
    assert_eq!(read_image(&encode(&img, ImageFormat::Png), Lang::Id).unwrap(), vec!["hello reader".to_owned()]);
}

#[test]
fn not_an_image_is_unsupported_format() {
    assert_eq!(code_of(read_image(b"IKD1:not an image at all", Lang::Id)), "image_unsupported_format");
}

#[test]
fn truncated_png_is_corrupt() {
    let (png, _) = png_vector();
    assert_eq!(code_of(read_image(&png[..png.len() / 2], Lang::Id)), "image_corrupt");
}

#[test]
fn blank_image_has_no_code_with_indonesian_and_english_messages() {
    let blank = encode(&GrayImage::from_pixel(200, 200, Luma([255])), ImageFormat::Png);
    let id = read_image(&blank, Lang::Id).unwrap_err();
    assert_eq!(id.code, "no_qr_found");
    assert!(id.message.starts_with("Tidak ada kode QR"), "{}", id.message);
    let en = read_image(&blank, Lang::En).unwrap_err();
    assert_eq!(en.code, "no_qr_found");
    assert!(en.message.starts_with("no QR code found"), "{}", en.message);
    let frame = rgba_of(&GrayImage::from_pixel(64, 48, Luma([255])));
    assert_eq!(code_of(read_frame(&frame, 64, 48, Lang::Id)), "no_qr_found");
}

#[test]
fn oversized_input_is_refused_before_decoding() {
    let big = vec![0u8; 16 * 1024 * 1024 + 1];
    assert_eq!(code_of(read_image(&big, Lang::Id)), "image_too_large");
}

#[test]
fn image_too_many_pixels_by_its_header() {
    // 4097 × 4097 is within 8192 a side but over 2^24 pixels; a white PNG of it is small.
    let png = encode(&GrayImage::from_pixel(4097, 4097, Luma([255])), ImageFormat::Png);
    assert_eq!(code_of(read_image(&png, Lang::Id)), "image_too_many_pixels");
}

#[test]
fn binary_only_code_is_qr_not_text() {
    let img = qr_image(&[0x00, 0x01, 0xFF, 0xFE, 0x00, 0x80]);
    let e = read_image(&encode(&img, ImageFormat::Png), Lang::Id).unwrap_err();
    assert_eq!(e.code, QR_NOT_TEXT);
    assert_eq!(e.message, "Kode QR pada gambar tidak berisi teks.");
    let rgba = rgba_of(&img);
    assert_eq!(code_of(read_frame(&rgba, img.width(), img.height(), Lang::En)), QR_NOT_TEXT);
}

#[test]
fn frame_of_wrong_length_is_bad_argument() {
    let e = read_frame(&[0u8; 15], 2, 2, Lang::En).unwrap_err();
    assert_eq!(e.code, BAD_ARGUMENT);
    assert!(e.message.contains("rgba"), "{}", e.message);
    assert_eq!(code_of(read_frame(&[0u8; 17], 2, 2, Lang::Id)), BAD_ARGUMENT);
}

#[test]
fn frame_of_zero_size_is_bad_argument() {
    assert_eq!(code_of(read_frame(&[], 0, 10, Lang::Id)), BAD_ARGUMENT);
    assert_eq!(code_of(read_frame(&[], 10, 0, Lang::Id)), BAD_ARGUMENT);
}

#[test]
fn frame_over_the_caps_is_refused_before_reading_pixels() {
    // The caps are checked on the dimensions alone: no buffer of that size is needed.
    assert_eq!(code_of(read_frame(&[], 8193, 1, Lang::Id)), "image_dimensions_too_large");
    assert_eq!(code_of(read_frame(&[], 1, 8193, Lang::Id)), "image_dimensions_too_large");
    assert_eq!(code_of(read_frame(&[], 4097, 4097, Lang::Id)), "image_dimensions_too_large");
}
