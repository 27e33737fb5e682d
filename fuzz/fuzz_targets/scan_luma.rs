//! The QR scanner on raw grayscale frames (`decode_luma`, what the counter page's camera loop
//! and `ikd scan` feed after decoding): the first two bytes (little-endian) give the width (1 to
//! 256, low byte + 1) and the effort (bit 15: thorough, else live frame), the rest are the
//! pixels, row by row (at most 256 rows). This skips the image codecs so the fuzzer works on the
//! binarisers, the clean-up passes, the decoders and the diagnosis of unreadable images.
#![no_main]

use ikd_core::scan::{ScanEffort, decode_luma_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        ikd_fuzz::contain_dependency_panics();
    },
    |data: &[u8]| {
        let Some((head, pixels)) = data.split_first_chunk::<2>() else { return };
        let head = u16::from_le_bytes(*head);
        let width = u32::from(head % 256) + 1;
        let effort = if head & 0x8000 != 0 { ScanEffort::Thorough } else { ScanEffort::LiveFrame };
        let height = u32::try_from(pixels.len()).unwrap_or(0) / width;
        if height == 0 || height > 256 {
            return;
        }
        let used = (width * height) as usize;
        let Some(image) = image::GrayImage::from_raw(width, height, pixels.get(..used).unwrap_or(&[]).to_vec()) else {
            return;
        };
        match decode_luma_with(&image, effort) {
            Ok(codes) => assert!(!codes.is_empty()),
            Err(e) => {
                let _ = e.code();
            }
        }
    }
);
