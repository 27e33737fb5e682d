//! # ikd-wasm-reader
//!
//! The QR reader of [`ikd_core::scan`] compiled to WebAssembly with `wasm-bindgen`, for the
//! counter page where the browser has no `BarcodeDetector`. It is its own module, apart from
//! the verification package (`ikd-wasm`), because the image decoders and `rxing` are several
//! times the size of verification: the page loads it only when the camera or an upload is
//! used. `scripts/build-wasm.sh` builds it into `ikd-wasm/pkg/reader/` (`--target web`) and
//! checks its size budget (1.5 MB gzipped).
//!
//! The JS API (ES module `reader/ikd_reader.js`):
//!
//! * `await initReader()` (the default export) loads `ikd_reader_bg.wasm` beside the script;
//! * `readImage(bytes, options?)`: a PNG, JPEG or WebP file → the texts of the QR codes in it;
//! * `readFrame(rgba, width, height, options?)`: a camera frame (`getImageData().data`) → the
//!   same.
//!
//! Every rule (the size and pixel caps, the decoding cascade, the order of the codes, the
//! effort spent on a live frame) is the core's. Errors are thrown as JS `Error`s named
//! `IkdError` with the core's stable `code` ([`ikd_core::scan::ScanError::code`]) and a message
//! in `options.lang` (Bahasa Indonesia by default).
//!
//! [`api`] holds the same functions in plain Rust, so that the host build tests them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
mod js;
pub mod keys;
pub mod render;
