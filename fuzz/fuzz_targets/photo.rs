//! Photo input: a face photo (PNG or JPEG) made into a credential thumbnail
//! (`make_thumbnail`, issuing) and an embedded WebP thumbnail decoded for display
//! (`decode_thumbnail`, `thumbnail_png`, verifying). Inputs over 256 KiB are skipped. A
//! thumbnail that is made must fit its byte budget and decode again.
#![no_main]

use ikd_core::photo::{PhotoLimits, decode_thumbnail, make_thumbnail, thumbnail_png};
use libfuzzer_sys::fuzz_target;

const MAX_INPUT: usize = 256 * 1024;
const BUDGET: usize = 1_200;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let limits = PhotoLimits { max_input_bytes: MAX_INPUT, max_width: 2048, max_height: 2048 };
    match make_thumbnail(data, BUDGET, &limits) {
        Ok(thumb) => {
            assert!(thumb.as_bytes().len() <= BUDGET, "thumbnail over its budget");
            let decoded = decode_thumbnail(thumb.as_bytes());
            assert!(decoded.is_ok(), "a thumbnail we made does not decode: {:?}", decoded.err());
        }
        Err(e) => {
            let _ = (e.code(), e.to_string());
        }
    }
    if let Ok(png) = thumbnail_png(data) {
        assert!(!png.is_empty());
    }
});
