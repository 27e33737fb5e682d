//! Message language: Bahasa Indonesia by default, English on request, and Indonesian texts for
//! the core's errors (whose `Display` is English).

use ikd_core::{
    ClaimsError, DecodeError, DisclosureError, FieldProblem, KeyError, Lang, NikError, PolicyError, SLOT_NAMES,
    TrustStoreError,
};

/// Picks the language: `--lang` first, then the first non-empty of `LC_ALL`, `LC_MESSAGES`,
/// `LANG` (POSIX order): English when it starts with `en`, Indonesian otherwise.
pub fn detect(flag: Option<Lang>) -> Lang {
    if let Some(l) = flag {
        return l;
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var)
            && !v.is_empty()
        {
            return if v.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Id };
        }
    }
    Lang::Id
}

/// `tr!(lang, "indonesian {x}", "english {x}")`: formats the text for the language.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:literal, $en:literal $(, $($arg:tt)*)?) => {
        match $lang {
            ikd_core::Lang::En => format!($en $(, $($arg)*)?),
            _ => format!($id $(, $($arg)*)?),
        }
    };
}

/// A field problem in the language.
pub fn field_problem(p: &FieldProblem, lang: Lang) -> String {
    if lang == Lang::En {
        return p.to_string();
    }
    match p {
        FieldProblem::Empty => "tidak boleh kosong".into(),
        FieldProblem::TooLong { max } => format!("lebih dari {max} karakter"),
        FieldProblem::BadCharacter { ch } => format!("berisi karakter yang tidak diizinkan: {ch:?}"),
        FieldProblem::BadSpacing => "berisi spasi di awal, di akhir, atau spasi ganda".into(),
        FieldProblem::NotAllowed { allowed } => format!("harus salah satu dari: {allowed}"),
        FieldProblem::BadDate => "harus tanggal yang benar dengan format YYYY-MM-DD".into(),
        FieldProblem::NotThreeDigits => "harus tepat tiga angka, misalnya 002".into(),
        FieldProblem::Nik(e) => nik_error(e, lang),
        FieldProblem::MissingForWna => "wajib diisi bila kewarganegaraan WNA".into(),
        FieldProblem::PresentForWni => "harus tidak ada bila kewarganegaraan WNI".into(),
        FieldProblem::NotAString => "harus berupa string JSON".into(),
        other => other.to_string(),
    }
}

/// A NIK problem in the language.
pub fn nik_error(e: &NikError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        NikError::NotSixteenDigits => "NIK harus tepat 16 angka".into(),
        NikError::UnknownProvince(c) => format!("kode provinsi NIK {c:02} bukan salah satu dari 38 provinsi"),
        NikError::InvalidBirthDate => "angka ke-7 s.d. 12 NIK bukan tanggal lahir yang benar".into(),
        NikError::ZeroSerial => "nomor urut NIK (angka ke-13 s.d. 16) tidak boleh 0000".into(),
        other => other.to_string(),
    }
}

/// A claims error in the language, without position (the caller adds file and line).
pub fn claims_error(e: &ClaimsError, lang: Lang) -> String {
    match (e, lang) {
        (ClaimsError::Json { message, .. }, Lang::En) => format!("invalid JSON: {message}"),
        (ClaimsError::Json { message, .. }, _) => format!("JSON tidak sah: {message}"),
        (ClaimsError::UnknownField { field }, Lang::En) => format!("unknown field `{field}`"),
        (ClaimsError::UnknownField { field }, _) => format!("kolom `{field}` tidak dikenal"),
        (ClaimsError::MissingField { field }, Lang::En) => format!("missing field `{field}`"),
        (ClaimsError::MissingField { field }, _) => format!("kolom `{field}` tidak ada"),
        (ClaimsError::Invalid { field, problem }, Lang::En) => format!("field `{field}` {problem}"),
        (ClaimsError::Invalid { field, problem }, _) => format!("kolom `{field}` {}", field_problem(problem, lang)),
        (ClaimsError::NikBirthDateMismatch, Lang::En) => "field `nik` does not agree with `tanggal_lahir`".into(),
        (ClaimsError::NikBirthDateMismatch, _) => "kolom `nik` tidak sesuai dengan `tanggal_lahir`".into(),
        (ClaimsError::NikSexMismatch, Lang::En) => "field `nik` does not agree with `jenis_kelamin`".into(),
        (ClaimsError::NikSexMismatch, _) => "kolom `nik` tidak sesuai dengan `jenis_kelamin`".into(),
        (other, _) => other.to_string(),
    }
}

/// A key error in the language.
pub fn key_error(e: &KeyError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        KeyError::WrongFormat { expected } => format!("bukan kunci IKD: seharusnya teks yang diawali {expected}"),
        KeyError::BadEncoding => "kunci bukan base64url yang sah".into(),
        KeyError::WrongLength(n) => format!("kunci harus 32 byte, ditemukan {n}"),
        KeyError::InvalidPublicKey => "kunci publik bukan kunci Ed25519 yang sah, atau lemah".into(),
        other => other.to_string(),
    }
}

/// A trust store error in the language.
pub fn trust_error(e: &TrustStoreError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        TrustStoreError::Json(m) => format!("daftar penerbit tepercaya tidak sah: {m}"),
        TrustStoreError::UnsupportedVersion(v) => format!("versi daftar penerbit {v} tidak didukung"),
        TrustStoreError::BadKey { index, error } => format!("penerbit {index}: {}", key_error(error, lang)),
        TrustStoreError::BadTime { index, field } => {
            format!("penerbit {index}: `{field}` bukan waktu RFC 3339")
        }
        TrustStoreError::EmptyWindow { index } => format!("penerbit {index}: not_after lebih awal dari not_before"),
        TrustStoreError::EmptyName { index } => format!("penerbit {index}: nama kosong"),
        TrustStoreError::DuplicateKey { index } => {
            format!("penerbit {index}: kunci publik yang sama tercantum dua kali")
        }
        other => other.to_string(),
    }
}

/// A decode error in the language (the detail behind `Reason::Malformed`).
pub fn decode_error(e: &DecodeError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        DecodeError::Empty => "masukan kosong".into(),
        DecodeError::InputTooLarge { len, max } => format!("masukan {len} karakter, melebihi batas {max}"),
        DecodeError::WrongPrefix => "teks bukan kredensial IKD (harus diawali IKD1:)".into(),
        DecodeError::UnknownVersion { version } => format!("versi format IKD {version:?} tidak dikenal"),
        DecodeError::BadBase45 => "teks setelah awalan bukan Base45 yang sah".into(),
        DecodeError::NonCanonicalBase45 => "teks Base45 tidak dalam bentuk kanonik".into(),
        DecodeError::Truncated => "kredensial terpotong".into(),
        DecodeError::TrailingBytes { count } => format!("ada {count} byte tak terduga setelah kredensial"),
        DecodeError::InvalidClaim { field } => format!("klaim `{field}` berisi nilai yang tidak diizinkan"),
        DecodeError::ValueOutOfRange { field } => format!("kolom `{field}` di luar rentang"),
        DecodeError::NonCanonical { field } => format!("kolom `{field}` tidak dikodekan secara kanonik"),
        DecodeError::UnknownKind(k) => format!("jenis dokumen {k} tidak dikenal"),
        DecodeError::ReservedFlags(f) => format!("bit penanda cadangan terpasang ({f:#04x})"),
        other => format!("{} ({})", other, other.code()),
    }
}

/// A claim-list error (`--show`, a policy's `required`) in the language.
pub fn disclosure_error(e: &DisclosureError, lang: Lang) -> String {
    let known = SLOT_NAMES.join(", ");
    match (e, lang) {
        (DisclosureError::UnknownClaim(n), Lang::En) => format!("unknown claim `{n}`; the claims are: {known}"),
        (DisclosureError::UnknownClaim(n), _) => format!("klaim `{n}` tidak dikenal; klaim yang ada: {known}"),
        (DisclosureError::Empty, Lang::En) => "name at least one claim to show".into(),
        (DisclosureError::Empty, _) => "sebutkan sedikitnya satu klaim yang ditampilkan".into(),
        (other, _) => other.to_string(),
    }
}

/// A policy file error in the language (without the position, which the caller adds).
pub fn policy_error(e: &PolicyError, lang: Lang) -> String {
    match (e, lang) {
        (PolicyError::Json(m), Lang::En) => format!("the policy file is not valid: {m}"),
        (PolicyError::Json(m), _) => format!("berkas kebijakan tidak sah: {m}"),
        (PolicyError::Claim { policy, error }, _) => {
            format!("{} `{policy}`: {}", tr!(lang, "kebijakan", "policy"), disclosure_error(error, lang))
        }
        (PolicyError::BadName(n), Lang::En) => format!("policy name `{n}` is empty or used twice"),
        (PolicyError::BadName(n), _) => format!("nama kebijakan `{n}` kosong atau dipakai dua kali"),
        (other, _) => other.to_string(),
    }
}
