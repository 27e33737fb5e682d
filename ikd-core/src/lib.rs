//! IKD Verify core library.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "scan")]
pub mod scan;

#[cfg(feature = "photo")]
pub mod photo;
