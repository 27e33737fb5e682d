//! The image loader and QR scanner: an encoded PNG, JPEG or WebP file as uploaded to
//! `POST /v1/verify/image` or given to `ikd scan`, decoded with both efforts. Inputs over
//! 256 KiB are skipped to keep runs fast (the size cap itself is a plain comparison). Panics in
//! the decoders that the scanner contains by design are counted, not reported (see
//! `ikd_fuzz::contain_dependency_panics`).
#![no_main]

use ikd_core::scan::{ScanEffort, ScanLimits, decode_image_with};
use libfuzzer_sys::fuzz_target;

const MAX_INPUT: usize = 256 * 1024;

fuzz_target!(
    init: {
        ikd_fuzz::contain_dependency_panics();
    },
    |data: &[u8]| {
        if data.len() > MAX_INPUT {
            return;
        }
        // Small caps, so a header that promises a huge image is refused before decoding and
        // the fuzzer spends its time on the decoders, not on megapixel allocations.
        let limits = ScanLimits { max_input_bytes: MAX_INPUT, max_width: 2048, max_height: 2048 };
        for effort in [ScanEffort::LiveFrame, ScanEffort::Thorough] {
            match decode_image_with(data, &limits, effort) {
                Ok(codes) => {
                    assert!(!codes.is_empty());
                    for c in &codes {
                        let _ = (c.bytes(), c.text(), c.is_ikd());
                    }
                }
                Err(e) => {
                    let _ = (e.code(), e.to_string());
                }
            }
        }
    }
);
