//! Camera frames (8-bit RGBA, as a canvas' `getImageData` gives them) and the texts of the
//! codes read: the rules every reader shares (the WebAssembly reader, the server's image
//! endpoint), kept here so that none of them decides them itself.

use image::{DynamicImage, GrayImage, RgbaImage};

use super::{MAX_PIXELS, ScanEffort, ScanError, ScanLimits, ScannedCode, decode_luma_with};

/// Reads every QR code in one camera frame: `rgba` is `width` × `height` pixels of 8-bit RGBA,
/// row by row. The frame is held to the caps of an encoded image, checked on the dimensions
/// before the buffer is looked at (each side at most [`ScanLimits::DEFAULT_MAX_DIMENSION`], at
/// most [`MAX_PIXELS`] in all: [`ScanError::DimensionsTooLarge`]); a buffer that is not
/// `width × height × 4` bytes, or a frame without pixels, is [`ScanError::FrameSizeMismatch`].
/// The alpha channel is ignored (a camera frame is opaque); gray is the `image` crate's
/// Rec. 709 luma. IKD codes come first, as from [`super::decode_luma_with`].
pub fn read_rgba_frame(
    rgba: &[u8],
    width: u32,
    height: u32,
    effort: ScanEffort,
) -> Result<Vec<ScannedCode>, ScanError> {
    let luma = rgba_to_luma(rgba, width, height)?;
    decode_luma_with(&luma, effort)
}

/// The grayscale of a camera frame, with the checks of [`read_rgba_frame`].
pub(super) fn rgba_to_luma(rgba: &[u8], width: u32, height: u32) -> Result<GrayImage, ScanError> {
    let mismatch = || ScanError::FrameSizeMismatch { width, height, len: rgba.len() };
    if width == 0 || height == 0 {
        return Err(mismatch());
    }
    let limits = ScanLimits::default();
    let pixels = u64::from(width).saturating_mul(u64::from(height));
    if width > limits.max_width || height > limits.max_height || pixels > MAX_PIXELS {
        return Err(ScanError::DimensionsTooLarge { width, height });
    }
    // At most 2^24 pixels (checked above): 4 bytes a pixel fits a u64.
    if u64::try_from(rgba.len()).ok() != Some(pixels.saturating_mul(4)) {
        return Err(mismatch());
    }
    let frame = RgbaImage::from_raw(width, height, rgba.to_vec()).ok_or_else(mismatch)?;
    // A camera frame is opaque: the alpha channel is ignored (Rec. 709 luma, `image`'s conversion).
    Ok(DynamicImage::ImageRgba8(frame).to_luma8())
}

/// The texts of the codes read, in their order (IKD codes first): codes whose payload is not
/// text are left out. When codes were read but none holds text, [`ScanError::NotText`]; when
/// none were read, [`ScanError::NoCode`].
pub fn texts(codes: &[ScannedCode]) -> Result<Vec<&str>, ScanError> {
    if codes.is_empty() {
        return Err(ScanError::NoCode { hint: None });
    }
    let texts: Vec<&str> = codes.iter().filter_map(ScannedCode::text).collect();
    if texts.is_empty() {
        return Err(ScanError::NotText { found: codes.len() });
    }
    Ok(texts)
}

/// The one text to verify among the codes read: the first IKD code's, or else the first code
/// holding text; [`ScanError::NotText`] / [`ScanError::NoCode`] as for [`texts`].
pub fn text_to_verify(codes: &[ScannedCode]) -> Result<&str, ScanError> {
    let texts = texts(codes)?;
    let first_ikd = codes.iter().find(|c| c.is_ikd()).and_then(ScannedCode::text);
    // `texts` is not empty here.
    Ok(first_ikd.or_else(|| texts.first().copied()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
    use super::*;

    fn code(bytes: &[u8], text: Option<&str>) -> ScannedCode {
        ScannedCode::new(bytes.to_vec(), text.map(str::to_owned))
    }

    #[test]
    fn gray_is_the_image_crates_rec709_luma_and_ignores_alpha() {
        let (w, h) = (37u32, 11u32);
        let rgba: Vec<u8> = (0..w * h * 4).map(|i| (i.wrapping_mul(97) % 256) as u8).collect();
        let ours = rgba_to_luma(&rgba, w, h).unwrap();
        let theirs = DynamicImage::ImageRgba8(RgbaImage::from_raw(w, h, rgba.clone()).unwrap()).to_luma8();
        assert_eq!(ours, theirs);
        let mut opaque = rgba;
        opaque.chunks_exact_mut(4).for_each(|p| p[3] = 255);
        assert_eq!(rgba_to_luma(&opaque, w, h).unwrap(), ours);
    }

    #[test]
    fn a_frame_of_the_wrong_size_is_frame_size_mismatch() {
        for (len, w, h) in [(15usize, 2u32, 2u32), (17, 2, 2), (0, 0, 10), (0, 10, 0)] {
            let e = read_rgba_frame(&vec![0; len], w, h, ScanEffort::LiveFrame).unwrap_err();
            assert!(matches!(e, ScanError::FrameSizeMismatch { .. }), "{e:?}");
            assert_eq!(e.code(), "frame_size_mismatch");
        }
    }

    #[test]
    fn a_frame_over_the_caps_is_refused_on_its_dimensions_alone() {
        for (w, h) in [(8193u32, 1u32), (1, 8193), (4097, 4097)] {
            let e = read_rgba_frame(&[], w, h, ScanEffort::LiveFrame).unwrap_err();
            assert_eq!(e.code(), "image_dimensions_too_large", "{w}x{h}");
        }
    }

    #[test]
    fn binary_codes_alone_are_qr_not_text() {
        let codes = [code(&[0, 1, 0xFF], None), code(&[0x80], None)];
        let e = texts(&codes).unwrap_err();
        assert!(matches!(e, ScanError::NotText { found: 2 }), "{e:?}");
        assert_eq!(e.code(), "qr_not_text");
        assert_eq!(e.message(crate::Lang::Id), "Kode QR pada gambar tidak berisi teks.");
        assert_eq!(text_to_verify(&codes).unwrap_err().code(), "qr_not_text");
        assert_eq!(texts(&[]).unwrap_err().code(), "no_qr_found");
    }

    #[test]
    fn the_text_to_verify_is_the_first_ikd_code_else_the_first_text() {
        let codes = [code(b"\x00", None), code(b"hello", Some("hello")), code(b"IKD1:x", Some("IKD1:x"))];
        assert_eq!(text_to_verify(&codes).unwrap(), "IKD1:x");
        assert_eq!(texts(&codes).unwrap(), vec!["hello", "IKD1:x"]);
        assert_eq!(text_to_verify(&codes[..2]).unwrap(), "hello");
    }
}
