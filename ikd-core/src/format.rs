//! Format internals: the byte-level wire constants and the text layer.
//!
//! An integrator verifying or issuing credentials does not need these; they are for tools
//! that work on the format itself (test vectors, fuzzers, decoders in other languages). The
//! format they implement is specified in `docs/FORMAT.md`; see also [`crate::manual`].
//!
//! ```
//! use ikd_core::format::{PREFIX, payload_to_text, text_to_payload};
//!
//! let text = payload_to_text(&[1, 2, 3]);
//! assert!(text.starts_with(PREFIX));
//! assert_eq!(text_to_payload(&text).unwrap(), vec![1, 2, 3]);
//! ```

pub use crate::credential::{
    MAX_PAYLOAD_BYTES, MAX_TEXT_CHARS, PREFIX, SALT_SECRET_LEN, SIGNATURE_TAG, WIRE_EPOCH, payload_to_text,
    text_to_payload,
};
pub use crate::keys::KEY_ID_LEN;
pub use crate::present::HOLDER_TAG;
