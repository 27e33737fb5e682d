//! QR reading.
