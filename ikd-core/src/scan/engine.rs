//! The decoding cascade: which binarisers, detectors and clean-ups are tried, in which order.
//!
//! Every run binarises an image, looks for QR symbols in the bit matrix, and, if it finds none,
//! looks again in the inverted matrix (light-on-dark codes, phone dark mode). Mirrored symbols
//! (front cameras) are handled by the decoder itself, which reads the format information both
//! ways round. The cascade stops at the first run that reads a code; the order below is the
//! cheapest-first cover of the ZXing corpus measured in `docs/QR-READING.md`.
//!
//! [`ScanEffort::LiveFrame`] first takes one cheap look (the fast finder scan of the hybrid
//! matrix and its inverse) and runs the cascade only if that look saw a set of finder patterns
//! it could not decode: most frames of live video show no code, and must not cost the whole
//! cascade each.

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::GrayImage;
use rxing::common::cpp_essentials::DecoderResult;
use rxing::common::{BitMatrix, DetectorRXingResult, GlobalHistogramBinarizer, HybridBinarizer};
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{FindFinderPatterns, GenerateFinderPatternSets, SampleQR};
use rxing::{BarcodeFormat, Binarizer, DecodeHints, Luma8Source};

use super::{ScanEffort, ScannedCode};
use super::{binarise, prep};

/// What one scan produced.
pub(super) struct Outcome {
    /// Codes read, deduplicated by payload, in the order found.
    pub codes: Vec<ScannedCode>,
    /// Whether some decoder panicked (and was contained) along the way.
    pub panicked: bool,
}

/// How grayscale becomes black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binariser {
    /// ZXing's local-block threshold: copes with shadows, glare and gradients.
    Hybrid,
    /// One threshold from the image histogram: copes with low-texture, blurry or tiny codes.
    Global,
}

/// How QR symbols are found in the bit matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detector {
    /// The zxing-cpp finder (port in `rxing::qrcode::cpp_port`), which finds every symbol:
    /// first scanning every `3·height/388`-th row, as zxing-cpp does for live video (codes up
    /// to version 20 filling a quarter of the image height), then, on images tall enough for
    /// that to skip rows, every third row ("try harder": down to about one pixel per module).
    Cpp,
    /// Only the first, fast scan of [`Detector::Cpp`]: a third of the time on a camera frame.
    /// On images under [`FAST_SCAN_MIN_HEIGHT`] pixels it already scans every third row.
    CppFast,
    /// The ZXing Java finder (`rxing::qrcode::detector`) scanning every third row: one symbol,
    /// with different geometry heuristics that read some curved or perspective-distorted codes
    /// the zxing-cpp finder misses.
    Java,
    /// The ZXing Java finder with its fast row skipping (the same as [`Detector::Java`] on
    /// images under [`FAST_SCAN_MIN_HEIGHT`] pixels).
    JavaFast,
}

/// Image clean-up applied before binarising.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prep {
    Plain,
    Sharpen(u32),
    Stretch,
    Upscale(u32, u32),
}

struct Pass {
    prep: Prep,
    runs: &'static [(Binariser, Detector)],
}

use Binariser::{Global, Hybrid};
use Detector::{Cpp, CppFast, Java, JavaFast};

/// Passes tried on every image. After the first run, the finders skip rows on tall images
/// (fast scans): a camera frame with no code in it must not cost the thorough scan each time.
const PASSES: &[Pass] = &[
    Pass { prep: Prep::Plain, runs: &[(Hybrid, Cpp), (Global, CppFast), (Global, JavaFast)] },
    Pass { prep: Prep::Sharpen(2), runs: &[(Global, CppFast), (Global, JavaFast), (Hybrid, CppFast)] },
    Pass { prep: Prep::Sharpen(3), runs: &[(Global, JavaFast)] },
    Pass { prep: Prep::Stretch, runs: &[(Global, JavaFast)] },
];

/// Passes tried only on small images, where upscaling is cheap and gives the detectors
/// sub-pixel room; a camera frame has pixels to spare and would pay 2-4× the time.
const SMALL_IMAGE_PASSES: &[Pass] = &[
    Pass { prep: Prep::Upscale(3, 2), runs: &[(Global, Java), (Hybrid, Cpp)] },
    Pass { prep: Prep::Upscale(2, 1), runs: &[(Global, Java), (Global, Cpp)] },
];

/// Images whose longer side is at most this many pixels also get [`SMALL_IMAGE_PASSES`].
const SMALL_IMAGE_MAX_SIDE: u32 = 1024;

/// From this height on, the fast scan of the zxing-cpp finder skips rows (3·517/388 > 3).
const FAST_SCAN_MIN_HEIGHT: u32 = 517;

/// The zxing-cpp finder's fast scan assumes codes of at most this many modules (version 20)
/// filling at most a quarter of the image height (`MAX_MODULES_FAST` in
/// `rxing::qrcode::cpp_port::detector`).
const FAST_SCAN_MAX_MODULES: u32 = 20 * 4 + 17;

/// The fast scan reads every `3·height / FAST_SCAN_ROW_STEP_DIVISOR`-th row.
const FAST_SCAN_ROW_STEP_DIVISOR: u64 = 4 * FAST_SCAN_MAX_MODULES as u64;

/// Run the cascade on `image`, with the given effort.
pub(super) fn scan(image: &GrayImage, effort: ScanEffort) -> Outcome {
    let mut outcome = Outcome { codes: Vec::new(), panicked: false };
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return outcome;
    }
    let mut plain = MatrixCache::default();
    if effort == ScanEffort::LiveFrame {
        let first = catch_unwind(AssertUnwindSafe(|| {
            let matrix = plain.get(image, Hybrid)?;
            Some(first_look(matrix))
        }));
        match first {
            Ok(Some(look)) if !look.codes.is_empty() => {
                outcome.codes = dedup(look.codes);
                return outcome;
            }
            // Not even three finder patterns in a plausible QR geometry: give up on this frame.
            // On the corpus this loses 5 of the 687 reads (docs/QR-READING.md); the next frame
            // is another chance.
            Ok(Some(look)) if !look.symbol_like => return outcome,
            // Finder patterns that look like a symbol but did not decode, an image too small
            // for the hybrid binariser, or a contained panic: look as hard as for a photo.
            Ok(_) => {}
            Err(_) => outcome.panicked = true,
        }
    }
    run_cascade(image, plain, &mut outcome);
    outcome
}

/// The full cascade ([`PASSES`], then [`SMALL_IMAGE_PASSES`] on small images); `plain` holds
/// the matrices of the unprocessed image already computed.
fn run_cascade(image: &GrayImage, mut plain: MatrixCache, outcome: &mut Outcome) {
    let (width, height) = image.dimensions();
    let small = width.max(height) <= SMALL_IMAGE_MAX_SIDE;
    let passes = PASSES.iter().chain(SMALL_IMAGE_PASSES.iter().filter(|_| small));
    for pass in passes {
        let prepared = match pass.prep {
            Prep::Plain => None,
            Prep::Sharpen(radius) => contained(outcome, || prep::sharpen(image, radius)),
            Prep::Stretch => contained(outcome, || prep::stretch(image)),
            Prep::Upscale(num, den) => contained(outcome, || prep::upscale(image, num, den)),
        };
        let (input, mut matrices) = match (&prepared, pass.prep) {
            (Some(prepared), _) => (prepared, MatrixCache::default()),
            (None, Prep::Plain) => (image, std::mem::take(&mut plain)),
            (None, _) => continue,
        };
        for &(binariser, detector) in pass.runs {
            let run = catch_unwind(AssertUnwindSafe(|| {
                let matrix = matrices.get(input, binariser)?;
                Some(detect_both_polarities(matrix, detector))
            }));
            match run {
                Ok(Some(found)) if !found.is_empty() => {
                    outcome.codes = dedup(found);
                    return;
                }
                Ok(_) => {}
                Err(_) => outcome.panicked = true,
            }
        }
    }
}

/// What the cheap first look at a live video frame found.
struct FirstLook {
    /// Codes read.
    codes: Vec<ScannedCode>,
    /// Whether three finder patterns were seen in a plausible QR geometry (in either polarity).
    symbol_like: bool,
}

/// The cheap first stage of [`ScanEffort::LiveFrame`]: the zxing-cpp finder's fast scan of
/// the hybrid matrix, then of its inverse, skipping finder patterns too small for the rows
/// it scans (see [`fast_scan_min_module`]).
fn first_look(matrix: &BitMatrix) -> FirstLook {
    let min_module = fast_scan_min_module(matrix.height());
    let (codes, symbol_like) = detect_cpp_sets(matrix, false, min_module);
    if !codes.is_empty() {
        return FirstLook { codes, symbol_like };
    }
    let mut inverted = matrix.clone();
    inverted.flip_self();
    let (codes, inverted_symbol_like) = detect_cpp_sets(&inverted, false, min_module);
    FirstLook { codes, symbol_like: symbol_like || inverted_symbol_like }
}

/// Smallest module size, in pixels, the fast scan of a `height`-pixel-tall matrix looks for.
///
/// The fast scan reads every `3·height/388`-th row, so a finder pattern whose centre (three
/// modules) is shorter than that is only hit by luck; telling the finder to skip patterns
/// under a third of the row step cuts the time spent on sensor-noise speckles that look like
/// tiny finder patterns by half on a 1920×1080 frame (module size 2 and more). Below 776 rows
/// this is 0 (no minimum), so the corpus images and 1280×720 frames are scanned unchanged.
fn fast_scan_min_module(height: u32) -> u32 {
    let step = u64::from(height).saturating_mul(3) / FAST_SCAN_ROW_STEP_DIVISOR;
    let min = u32::try_from(step / 3).unwrap_or(u32::MAX);
    if min > 1 { min } else { 0 }
}

/// `f()`, or `None` (noted in `outcome`) if it panicked.
fn contained<T>(outcome: &mut Outcome, f: impl FnOnce() -> T) -> Option<T> {
    let result = catch_unwind(AssertUnwindSafe(f));
    outcome.panicked |= result.is_err();
    result.ok()
}

/// Binarised matrices of one prepared image, each computed at most once.
#[derive(Default)]
struct MatrixCache {
    hybrid: Option<Option<BitMatrix>>,
    global: Option<Option<BitMatrix>>,
}

impl MatrixCache {
    fn get(&mut self, image: &GrayImage, binariser: Binariser) -> Option<&BitMatrix> {
        let slot = match binariser {
            Hybrid => &mut self.hybrid,
            Global => &mut self.global,
        };
        slot.get_or_insert_with(|| binarise(image, binariser)).as_ref()
    }
}

/// Black-and-white version of `image`; `None` only if rxing refuses the dimensions.
fn binarise(image: &GrayImage, binariser: Binariser) -> Option<BitMatrix> {
    let source = Luma8Source::new_with_slice(image.as_raw(), image.width(), image.height()).ok()?;
    match binariser {
        Hybrid if image.width().min(image.height()) as usize >= binarise::MIN_SIDE => {
            binarise::hybrid(image.as_raw(), image.width() as usize, image.height() as usize)
        }
        // Too small for blocks: ZXing's binariser falls back to the global histogram.
        Hybrid => HybridBinarizer::new(source).get_black_matrix().ok().cloned(),
        Global => GlobalHistogramBinarizer::new(source).get_black_matrix().ok().cloned(),
    }
}

/// Symbols in `matrix`, or failing that in its inverse.
fn detect_both_polarities(matrix: &BitMatrix, detector: Detector) -> Vec<ScannedCode> {
    let mut inverted = None;
    let scans: &[bool] = match detector {
        Cpp if matrix.height() >= FAST_SCAN_MIN_HEIGHT => &[false, true],
        Cpp | Java => &[true],
        CppFast | JavaFast => &[false],
    };
    for &try_harder in scans {
        let found = detect(matrix, detector, try_harder);
        if !found.is_empty() {
            return found;
        }
        let inverted = inverted.get_or_insert_with(|| {
            let mut flipped = matrix.clone();
            flipped.flip_self();
            flipped
        });
        let found = detect(inverted, detector, try_harder);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

fn detect(matrix: &BitMatrix, detector: Detector, try_harder: bool) -> Vec<ScannedCode> {
    match detector {
        Cpp | CppFast => detect_cpp(matrix, try_harder),
        Java | JavaFast => detect_java(matrix, try_harder).into_iter().collect(),
    }
}

/// Every QR symbol the zxing-cpp finder locates (as `rxing::qrcode::cpp_port::QrReader` does,
/// restricted to full-size QR: Micro QR and rMQR have too little error detection to be trusted
/// on camera images).
fn detect_cpp(matrix: &BitMatrix, try_harder: bool) -> Vec<ScannedCode> {
    detect_cpp_sets(matrix, try_harder, 0).0
}

/// [`detect_cpp`] with a minimum module size (0: none), and whether any set of three finder
/// patterns in a plausible QR geometry was found, read or not.
fn detect_cpp_sets(matrix: &BitMatrix, try_harder: bool, min_module: u32) -> (Vec<ScannedCode>, bool) {
    let mut patterns = FindFinderPatterns(matrix, try_harder, min_module);
    let sets = GenerateFinderPatternSets(&mut patterns);
    let symbol_like = !sets.is_empty();
    let mut used = Vec::new();
    let mut found = Vec::new();
    for set in sets {
        if used.contains(&set.bl) || used.contains(&set.tl) || used.contains(&set.tr) {
            continue;
        }
        let Ok(detected) = SampleQR(matrix, &set) else {
            continue;
        };
        if let Some(code) = decode_bits(detected.getBits()) {
            used.extend([set.bl, set.tl, set.tr]);
            found.push(code);
        }
    }
    (found, symbol_like)
}

/// The one symbol the ZXing Java finder locates, decoded by the zxing-cpp decoder (which keeps
/// the raw payload bytes).
fn detect_java(matrix: &BitMatrix, try_harder: bool) -> Option<ScannedCode> {
    let hints = DecodeHints {
        TryHarder: Some(try_harder),
        PossibleFormats: Some([BarcodeFormat::QR_CODE].into_iter().collect()),
        ..DecodeHints::default()
    };
    let detected = rxing::qrcode::detector::Detector::new(matrix).detect_with_hints(&hints).ok()?;
    decode_bits(detected.getBits())
}

/// Decode a sampled module grid; `None` unless error correction succeeds and the data parses.
fn decode_bits(bits: &BitMatrix) -> Option<ScannedCode> {
    let result = Decode(bits).ok()?;
    if !result.isValid() {
        return None;
    }
    Some(to_code(&result))
}

fn to_code(result: &DecoderResult<bool>) -> ScannedCode {
    let content = result.content();
    let bytes = content.bytes().to_vec();
    let text = if content.has_eci {
        plain_text(result.text())
    } else {
        match std::str::from_utf8(&bytes) {
            Ok(utf8) => Some(utf8.to_owned()),
            Err(_) => plain_text(result.text()),
        }
    };
    ScannedCode::new(bytes, text)
}

/// `text` unless it shows the marks of a binary payload pushed through a text decoder: NUL,
/// C1 control characters (a Latin-1 reading of bytes 0x80-0x9F, which no real Latin-1 text
/// has) or replacement characters. Other control characters stay: real payloads use them
/// (ZXing's corpus has one starting with 0x01 0x10, and GS1 uses GS).
fn plain_text(text: String) -> Option<String> {
    let binary = text.chars().any(|c| matches!(c, '\0' | '\u{80}'..='\u{9f}' | '\u{FFFD}'));
    (!binary).then_some(text)
}

fn dedup(codes: Vec<ScannedCode>) -> Vec<ScannedCode> {
    let mut out: Vec<ScannedCode> = Vec::with_capacity(codes.len());
    for code in codes {
        if !out.iter().any(|c| c.bytes() == code.bytes()) {
            out.push(code);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_scan_skips_small_patterns_only_when_it_steps_6_rows() {
        for (height, min) in [(0, 0), (240, 0), (480, 0), (720, 0), (775, 0), (776, 2), (1080, 2), (2160, 5)] {
            assert_eq!(fast_scan_min_module(height), min, "{height}");
        }
    }

    #[test]
    fn binary_payload_is_not_text() {
        assert_eq!(plain_text("abc\u{0}".into()), None);
        assert_eq!(plain_text("ab\u{FFFD}".into()), None);
        assert_eq!(plain_text("a\u{85}".into()), None);
        assert_eq!(plain_text("a\r\nb\tc".into()), Some("a\r\nb\tc".into()));
        assert_eq!(plain_text("\u{1}\u{10}AD:".into()), Some("\u{1}\u{10}AD:".into()));
        assert_eq!(plain_text("日本".into()), Some("日本".into()));
    }
}
