//! Errors from decoding credential text.

use crate::lang::Lang;

/// Why a credential text could not be decoded. Every variant has a stable code
/// (see [`DecodeError::code`] and `docs/CODES.md`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input is empty.
    #[error("the input is empty")]
    Empty,
    /// The text is longer than any QR code can hold.
    #[error("the input is {len} characters, more than the limit of {max}")]
    InputTooLarge {
        /// Characters received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The text does not start with `IKD`.
    #[error("the text is not an IKD credential (it must start with IKD1:)")]
    WrongPrefix,
    /// The text starts with `IKD` but names a version this library does not know.
    #[error("unknown IKD format version {version:?}")]
    UnknownVersion {
        /// The version as written (for example `IKD9`).
        version: String,
    },
    /// The text after the prefix is not valid Base45.
    #[error("the text after the prefix is not valid Base45")]
    BadBase45,
    /// The Base45 is valid but not in its one canonical form.
    #[error("the Base45 text is not in canonical form")]
    NonCanonicalBase45,
    /// The data ends before the credential does.
    #[error("the credential is truncated")]
    Truncated,
    /// Bytes follow the end of the credential.
    #[error("{count} unexpected bytes follow the credential")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The first byte names a kind of document this library does not know.
    #[error("unknown document kind {0}")]
    UnknownKind(u8),
    /// Flag bits that are reserved are set (they are critical: an older reader must stop).
    #[error("reserved flag bits are set: {0:#04x}")]
    ReservedFlags(u8),
    /// An extension marked critical is not known to this library.
    #[error("unknown critical extension {0}")]
    UnknownCriticalExtension(u64),
    /// A field is encoded in a form other than its one canonical form.
    #[error("field `{field}` is not canonically encoded")]
    NonCanonical {
        /// Which field.
        field: &'static str,
    },
    /// A field's value is outside its allowed range or list of codes.
    #[error("field `{field}` is out of range")]
    ValueOutOfRange {
        /// Which field.
        field: &'static str,
    },
    /// A text field holds invalid UTF-8.
    #[error("field `{field}` is not valid UTF-8")]
    InvalidUtf8 {
        /// Which field.
        field: &'static str,
    },
    /// A claim's value breaks the claim's rules (for example a malformed NIK).
    #[error("claim `{field}` holds a value that is not allowed")]
    InvalidClaim {
        /// Which claim.
        field: &'static str,
    },
    /// The holder public key is not a valid, non-weak Ed25519 key.
    #[error("the holder public key is invalid")]
    InvalidHolderKey,
    /// The validity window is inconsistent (it ends before it starts).
    #[error("the validity window is inconsistent")]
    BadValidityWindow,
}

impl DecodeError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::Empty => "decode_empty",
            DecodeError::InputTooLarge { .. } => "decode_too_large",
            DecodeError::WrongPrefix => "decode_wrong_prefix",
            DecodeError::UnknownVersion { .. } => "decode_unknown_version",
            DecodeError::BadBase45 => "decode_bad_base45",
            DecodeError::NonCanonicalBase45 => "decode_noncanonical_base45",
            DecodeError::Truncated => "decode_truncated",
            DecodeError::TrailingBytes { .. } => "decode_trailing_bytes",
            DecodeError::UnknownKind(_) => "decode_unknown_kind",
            DecodeError::ReservedFlags(_) => "decode_reserved_flags",
            DecodeError::UnknownCriticalExtension(_) => "decode_unknown_critical_extension",
            DecodeError::NonCanonical { .. } => "decode_noncanonical",
            DecodeError::ValueOutOfRange { .. } => "decode_out_of_range",
            DecodeError::InvalidUtf8 { .. } => "decode_invalid_utf8",
            DecodeError::InvalidClaim { .. } => "decode_invalid_claim",
            DecodeError::InvalidHolderKey => "decode_invalid_holder_key",
            DecodeError::BadValidityWindow => "decode_bad_validity_window",
        }
    }
}

impl DecodeError {
    /// A plain-language message in the language (the detail behind `Reason::Malformed`).
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            DecodeError::Empty => "masukan kosong".into(),
            DecodeError::InputTooLarge { len, max } => format!("masukan {len} karakter, melebihi batas {max}"),
            DecodeError::WrongPrefix => "teks bukan kredensial IKD (harus diawali IKD1:)".into(),
            DecodeError::UnknownVersion { version } => format!("versi format IKD {version:?} tidak dikenal"),
            DecodeError::BadBase45 => "teks setelah awalan bukan Base45 yang sah".into(),
            DecodeError::NonCanonicalBase45 => "teks Base45 tidak dalam bentuk kanonik".into(),
            DecodeError::Truncated => "kredensial terpotong".into(),
            DecodeError::TrailingBytes { count } => format!("ada {count} byte tak terduga setelah kredensial"),
            DecodeError::UnknownKind(k) => format!("jenis dokumen {k} tidak dikenal"),
            DecodeError::ReservedFlags(f) => format!("bit penanda cadangan terpasang ({f:#04x})"),
            DecodeError::UnknownCriticalExtension(x) => format!("ekstensi kritis {x} tidak dikenal"),
            DecodeError::NonCanonical { field } => format!("kolom `{field}` tidak dikodekan secara kanonik"),
            DecodeError::ValueOutOfRange { field } => format!("kolom `{field}` di luar rentang"),
            DecodeError::InvalidUtf8 { field } => format!("kolom `{field}` bukan UTF-8 yang sah"),
            DecodeError::InvalidClaim { field } => format!("klaim `{field}` berisi nilai yang tidak diizinkan"),
            DecodeError::InvalidHolderKey => "kunci publik pemegang tidak sah".into(),
            DecodeError::BadValidityWindow => "masa berlaku kredensial tidak konsisten".into(),
        }
    }
}

crate::lang::user_error!(DecodeError);
