//! Resident claims as on the KTP-el: typed values, the claims JSON, and their binary slots.

use crate::lang::Lang;
use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use time::{Date, Month};

use crate::error::DecodeError;
use crate::nik::{Nik, NikError, PROVINCES, Sex};
use crate::wire::{Reader, Writer};

/// The name of one claim field, as spelled in the claims JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClaimField {
    /// `nik`
    Nik,
    /// `nama`
    Nama,
    /// `tempat_lahir`
    TempatLahir,
    /// `tanggal_lahir`
    TanggalLahir,
    /// `jenis_kelamin`
    JenisKelamin,
    /// `golongan_darah`
    GolonganDarah,
    /// `alamat`
    Alamat,
    /// `rt`
    Rt,
    /// `rw`
    Rw,
    /// `kel_desa`
    KelDesa,
    /// `kecamatan`
    Kecamatan,
    /// `kabupaten_kota`
    KabupatenKota,
    /// `provinsi`
    Provinsi,
    /// `agama`
    Agama,
    /// `status_perkawinan`
    StatusPerkawinan,
    /// `pekerjaan`
    Pekerjaan,
    /// `kewarganegaraan`
    Kewarganegaraan,
    /// `negara`
    Negara,
    /// `berlaku_hingga`
    BerlakuHingga,
}

impl ClaimField {
    /// Every field, in the order of the claims JSON's documentation (docs/FORMAT.md).
    pub const ALL: [ClaimField; 19] = [
        ClaimField::Nik,
        ClaimField::Nama,
        ClaimField::TempatLahir,
        ClaimField::TanggalLahir,
        ClaimField::JenisKelamin,
        ClaimField::GolonganDarah,
        ClaimField::Alamat,
        ClaimField::Rt,
        ClaimField::Rw,
        ClaimField::KelDesa,
        ClaimField::Kecamatan,
        ClaimField::KabupatenKota,
        ClaimField::Provinsi,
        ClaimField::Agama,
        ClaimField::StatusPerkawinan,
        ClaimField::Pekerjaan,
        ClaimField::Kewarganegaraan,
        ClaimField::Negara,
        ClaimField::BerlakuHingga,
    ];

    /// The JSON field name.
    pub fn name(self) -> &'static str {
        match self {
            ClaimField::Nik => "nik",
            ClaimField::Nama => "nama",
            ClaimField::TempatLahir => "tempat_lahir",
            ClaimField::TanggalLahir => "tanggal_lahir",
            ClaimField::JenisKelamin => "jenis_kelamin",
            ClaimField::GolonganDarah => "golongan_darah",
            ClaimField::Alamat => "alamat",
            ClaimField::Rt => "rt",
            ClaimField::Rw => "rw",
            ClaimField::KelDesa => "kel_desa",
            ClaimField::Kecamatan => "kecamatan",
            ClaimField::KabupatenKota => "kabupaten_kota",
            ClaimField::Provinsi => "provinsi",
            ClaimField::Agama => "agama",
            ClaimField::StatusPerkawinan => "status_perkawinan",
            ClaimField::Pekerjaan => "pekerjaan",
            ClaimField::Kewarganegaraan => "kewarganegaraan",
            ClaimField::Negara => "negara",
            ClaimField::BerlakuHingga => "berlaku_hingga",
        }
    }

    /// Longest text accepted for a free-text field, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            ClaimField::Nama => 60,
            ClaimField::Alamat => 120,
            _ => 60,
        }
    }
}

impl fmt::Display for ClaimField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with one field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldProblem {
    /// The value is empty.
    #[error("must not be empty")]
    Empty,
    /// The value is longer than allowed.
    #[error("is longer than {max} characters")]
    TooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// The value holds a character that is not allowed.
    #[error("contains a character that is not allowed: {ch:?}")]
    BadCharacter {
        /// The offending character.
        ch: char,
    },
    /// Leading, trailing or doubled spaces.
    #[error("has leading, trailing or doubled spaces")]
    BadSpacing,
    /// The value is not one of the fixed values.
    #[error("must be one of: {allowed}")]
    NotAllowed {
        /// The allowed values, comma-separated.
        allowed: &'static str,
    },
    /// The value is not a date written YYYY-MM-DD.
    #[error("must be a real date written YYYY-MM-DD")]
    BadDate,
    /// The value is not three digits.
    #[error("must be exactly three digits, such as 002")]
    NotThreeDigits,
    /// The NIK is malformed.
    #[error("{0}")]
    Nik(NikError),
    /// A field that is required here is missing.
    #[error("is required when kewarganegaraan is WNA")]
    MissingForWna,
    /// A field that must be absent here is present.
    #[error("must be absent when kewarganegaraan is WNI")]
    PresentForWni,
    /// The value has the wrong JSON type.
    #[error("must be a JSON string")]
    NotAString,
}

impl FieldProblem {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            FieldProblem::Empty => "empty",
            FieldProblem::TooLong { .. } => "too_long",
            FieldProblem::BadCharacter { .. } => "bad_character",
            FieldProblem::BadSpacing => "bad_spacing",
            FieldProblem::NotAllowed { .. } => "not_allowed",
            FieldProblem::BadDate => "bad_date",
            FieldProblem::NotThreeDigits => "not_three_digits",
            FieldProblem::Nik(e) => e.code(),
            FieldProblem::MissingForWna => "missing_for_wna",
            FieldProblem::PresentForWni => "present_for_wni",
            FieldProblem::NotAString => "not_a_string",
        }
    }
}

/// Errors from reading a claims JSON document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// The text is not JSON, or not the expected shape; the message gives line and column.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// A field that the claims schema does not know.
    #[error("unknown field `{field}`")]
    UnknownField {
        /// The unknown field's name.
        field: String,
    },
    /// A required field is missing.
    #[error("missing field `{field}`")]
    MissingField {
        /// The missing field's name.
        field: String,
    },
    /// A field has a value that is not allowed.
    #[error("field `{field}` {problem}")]
    Invalid {
        /// Which field.
        field: ClaimField,
        /// What is wrong with it.
        problem: FieldProblem,
    },
    /// The NIK's digits 7–12 disagree with `tanggal_lahir`.
    #[error("field `nik` does not agree with `tanggal_lahir`")]
    NikBirthDateMismatch,
    /// The NIK's day digits disagree with `jenis_kelamin` (women have 40 added).
    #[error("field `nik` does not agree with `jenis_kelamin`")]
    NikSexMismatch,
}

impl ClaimsError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ClaimsError::Json { .. } => "claims_bad_json",
            ClaimsError::UnknownField { .. } => "claims_unknown_field",
            ClaimsError::MissingField { .. } => "claims_missing_field",
            ClaimsError::Invalid { .. } => "claims_invalid_field",
            ClaimsError::NikBirthDateMismatch => "nik_birth_date_mismatch",
            ClaimsError::NikSexMismatch => "nik_sex_mismatch",
        }
    }

    /// The field at fault, where there is one.
    pub fn field(&self) -> Option<String> {
        match self {
            ClaimsError::UnknownField { field } | ClaimsError::MissingField { field } => Some(field.clone()),
            ClaimsError::Invalid { field, .. } => Some(field.name().to_owned()),
            ClaimsError::NikBirthDateMismatch | ClaimsError::NikSexMismatch => Some("nik".to_owned()),
            ClaimsError::Json { .. } => None,
        }
    }
}

fn invalid(field: ClaimField, problem: FieldProblem) -> ClaimsError {
    ClaimsError::Invalid { field, problem }
}

/// A resident's name: 1–60 characters of capital Latin letters, space, `.`, `'` and `-`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nama(String);

impl Nama {
    /// Parses a name.
    pub fn parse(s: &str) -> Result<Nama, FieldProblem> {
        Nama::check(s)?;
        Ok(Nama(s.to_owned()))
    }

    /// As [`Nama::parse`], keeping `s` (a decoded text: no second copy).
    pub(crate) fn from_string(s: String) -> Result<Nama, FieldProblem> {
        Nama::check(&s)?;
        Ok(Nama(s))
    }

    fn check(s: &str) -> Result<(), FieldProblem> {
        check_text(s, 60, |c| c.is_ascii_uppercase() || matches!(c, ' ' | '.' | '\'' | '-'))?;
        if !s.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(FieldProblem::NotAllowed { allowed: "a name with at least one letter" });
        }
        Ok(())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Nama {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nama(<{} chars>)", self.0.chars().count())
    }
}

/// A free-text claim value: printable, no control characters, single-spaced, trimmed.
// A dictionary's value (pekerjaan, provinsi) is kept as the dictionary's own `&'static str`:
// no allocation for the commonest decoded texts (issue 18).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClaimText(Cow<'static, str>);

impl ClaimText {
    /// Parses free text of at most `max` characters.
    pub fn parse(s: &str, max: usize) -> Result<ClaimText, FieldProblem> {
        ClaimText::check(s, max)?;
        Ok(ClaimText(Cow::Owned(s.to_owned())))
    }

    /// As [`ClaimText::parse`], keeping `s` (a decoded text: no second copy).
    pub(crate) fn from_string(s: String, max: usize) -> Result<ClaimText, FieldProblem> {
        ClaimText::check(&s, max)?;
        Ok(ClaimText(Cow::Owned(s)))
    }

    /// As [`ClaimText::parse`], keeping a dictionary's `s` without a copy.
    pub(crate) fn from_static(s: &'static str, max: usize) -> Result<ClaimText, FieldProblem> {
        ClaimText::check(s, max)?;
        Ok(ClaimText(Cow::Borrowed(s)))
    }

    fn check(s: &str, max: usize) -> Result<(), FieldProblem> {
        check_text(s, max, |c| !c.is_control() && (c == ' ' || !c.is_whitespace()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClaimText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClaimText(<{} chars>)", self.0.chars().count())
    }
}

fn check_text(s: &str, max: usize, allowed: impl Fn(char) -> bool) -> Result<(), FieldProblem> {
    if s.is_empty() {
        return Err(FieldProblem::Empty);
    }
    // A character is at least one byte: text no longer than `max` bytes needs no count.
    if s.len() > max && s.chars().count() > max {
        return Err(FieldProblem::TooLong { max });
    }
    if let Some(ch) = s.chars().find(|c| !allowed(*c)) {
        return Err(FieldProblem::BadCharacter { ch });
    }
    if s.starts_with(' ') || s.ends_with(' ') || s.contains("  ") {
        return Err(FieldProblem::BadSpacing);
    }
    Ok(())
}

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident, $allowed:literal, { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $text:literal $(| $alt:literal)*)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }
        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The KTP-el spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
            /// The one-byte wire code.
            pub fn code(self) -> u8 {
                match self { $($name::$variant => $code,)+ }
            }
            /// The value for a wire code.
            pub fn from_code(code: u8) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
            /// Parses the KTP-el spelling.
            pub fn parse(s: &str) -> Result<$name, FieldProblem> {
                match s {
                    $($text $(| $alt)* => Ok($name::$variant),)+
                    _ => Err(FieldProblem::NotAllowed { allowed: $allowed }),
                }
            }
        }
    };
}

coded_enum!(
    /// Golongan darah (blood type).
    GolonganDarah, "A, A+, A-, B, B+, B-, AB, AB+, AB-, O, O+, O-, TIDAK TAHU", {
    /// A
    A = (1, "A"),
    /// A+
    APlus = (2, "A+"),
    /// A− (written A- or A−)
    AMinus = (3, "A-" | "A\u{2212}"),
    /// B
    B = (4, "B"),
    /// B+
    BPlus = (5, "B+"),
    /// B−
    BMinus = (6, "B-" | "B\u{2212}"),
    /// AB
    Ab = (7, "AB"),
    /// AB+
    AbPlus = (8, "AB+"),
    /// AB−
    AbMinus = (9, "AB-" | "AB\u{2212}"),
    /// O
    O = (10, "O"),
    /// O+
    OPlus = (11, "O+"),
    /// O−
    OMinus = (12, "O-" | "O\u{2212}"),
    /// TIDAK TAHU (unknown)
    TidakTahu = (13, "TIDAK TAHU"),
});

coded_enum!(
    /// Agama (religion or belief).
    Agama, "ISLAM, KRISTEN, KATHOLIK, HINDU, BUDHA, KHONGHUCU, KEPERCAYAAN TERHADAP TUHAN YME", {
    /// ISLAM
    Islam = (1, "ISLAM"),
    /// KRISTEN
    Kristen = (2, "KRISTEN"),
    /// KATHOLIK
    Katholik = (3, "KATHOLIK"),
    /// HINDU
    Hindu = (4, "HINDU"),
    /// BUDHA
    Budha = (5, "BUDHA"),
    /// KHONGHUCU
    Khonghucu = (6, "KHONGHUCU"),
    /// KEPERCAYAAN TERHADAP TUHAN YME
    Kepercayaan = (7, "KEPERCAYAAN TERHADAP TUHAN YME"),
});

coded_enum!(
    /// Status perkawinan (marital status).
    StatusPerkawinan, "BELUM KAWIN, KAWIN, CERAI HIDUP, CERAI MATI", {
    /// BELUM KAWIN
    BelumKawin = (1, "BELUM KAWIN"),
    /// KAWIN
    Kawin = (2, "KAWIN"),
    /// CERAI HIDUP
    CeraiHidup = (3, "CERAI HIDUP"),
    /// CERAI MATI
    CeraiMati = (4, "CERAI MATI"),
});

/// Common `pekerjaan` values, coded in one byte (IKD dictionary v1; code = index + 1).
/// Any other value is carried as text.
pub const PEKERJAAN_DICTIONARY: [&str; 32] = [
    "BELUM/TIDAK BEKERJA",
    "MENGURUS RUMAH TANGGA",
    "PELAJAR/MAHASISWA",
    "PENSIUNAN",
    "PEGAWAI NEGERI SIPIL",
    "TENTARA NASIONAL INDONESIA",
    "KEPOLISIAN RI",
    "PERDAGANGAN",
    "PETANI/PEKEBUN",
    "PETERNAK",
    "NELAYAN/PERIKANAN",
    "INDUSTRI",
    "KONSTRUKSI",
    "TRANSPORTASI",
    "KARYAWAN SWASTA",
    "KARYAWAN BUMN",
    "KARYAWAN BUMD",
    "KARYAWAN HONORER",
    "BURUH HARIAN LEPAS",
    "BURUH TANI/PERKEBUNAN",
    "PEMBANTU RUMAH TANGGA",
    "TUKANG BATU",
    "TUKANG KAYU",
    "SOPIR",
    "GURU",
    "DOSEN",
    "DOKTER",
    "BIDAN",
    "PERAWAT",
    "PEDAGANG",
    "WIRASWASTA",
    "TIDAK BEKERJA",
];

/// Kewarganegaraan (citizenship).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kewarganegaraan {
    /// WNI: Indonesian citizen.
    Wni,
    /// WNA: foreign national, with the country.
    Wna {
        /// `negara`: the country of citizenship.
        negara: ClaimText,
    },
}

/// `berlaku_hingga`: how long the KTP-el record is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BerlakuHingga {
    /// SEUMUR HIDUP: for life.
    SeumurHidup,
    /// Until a date (foreign residents).
    Tanggal(Date),
}

/// RT or RW number, 000–999, written with three digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RtRw(u16);

impl RtRw {
    /// Parses exactly three digits.
    pub fn parse(s: &str) -> Result<RtRw, FieldProblem> {
        if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldProblem::NotThreeDigits);
        }
        s.parse::<u16>().map(RtRw).map_err(|_| FieldProblem::NotThreeDigits)
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for RtRw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// The address block, disclosed as one unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alamat {
    /// `alamat`: street address.
    pub alamat: ClaimText,
    /// `rt`
    pub rt: RtRw,
    /// `rw`
    pub rw: RtRw,
    /// `kel_desa`
    pub kel_desa: ClaimText,
    /// `kecamatan`
    pub kecamatan: ClaimText,
    /// `kabupaten_kota`
    pub kabupaten_kota: ClaimText,
    /// `provinsi`
    pub provinsi: ClaimText,
}

/// One resident's KTP-el record, every value parsed into its type.
///
/// The fields are public for reading; a `Claims` is built with [`Claims::from_json`] or
/// [`Claims::from_json_value`], which check every field and the NIK's agreement with the
/// birth date and sex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Claims {
    /// `nik`
    pub nik: Nik,
    /// `nama`
    pub nama: Nama,
    /// `tempat_lahir`
    pub tempat_lahir: ClaimText,
    /// `tanggal_lahir`
    pub tanggal_lahir: Date,
    /// `jenis_kelamin`
    pub jenis_kelamin: Sex,
    /// `golongan_darah`
    pub golongan_darah: GolonganDarah,
    /// The address block.
    pub alamat: Alamat,
    /// `agama`
    pub agama: Agama,
    /// `status_perkawinan`
    pub status_perkawinan: StatusPerkawinan,
    /// `pekerjaan`
    pub pekerjaan: ClaimText,
    /// `kewarganegaraan` (and `negara`)
    pub kewarganegaraan: Kewarganegaraan,
    /// `berlaku_hingga`
    pub berlaku_hingga: BerlakuHingga,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaims {
    nik: serde_json::Value,
    nama: serde_json::Value,
    tempat_lahir: serde_json::Value,
    tanggal_lahir: serde_json::Value,
    jenis_kelamin: serde_json::Value,
    golongan_darah: serde_json::Value,
    alamat: serde_json::Value,
    rt: serde_json::Value,
    rw: serde_json::Value,
    kel_desa: serde_json::Value,
    kecamatan: serde_json::Value,
    kabupaten_kota: serde_json::Value,
    provinsi: serde_json::Value,
    agama: serde_json::Value,
    status_perkawinan: serde_json::Value,
    pekerjaan: serde_json::Value,
    kewarganegaraan: serde_json::Value,
    #[serde(default)]
    negara: Option<serde_json::Value>,
    berlaku_hingga: serde_json::Value,
}

fn str_of(field: ClaimField, v: &serde_json::Value) -> Result<&str, ClaimsError> {
    v.as_str().ok_or_else(|| invalid(field, FieldProblem::NotAString))
}

/// Parses `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year: i32 = s.get(0..4)?.parse().ok()?;
    let month: u8 = s.get(5..7)?.parse().ok()?;
    let day: u8 = s.get(8..10)?.parse().ok()?;
    // Digits only: `u8::from_str` alone would take a sign (`2000-+1-05`).
    if !b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()) {
        return None;
    }
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Formats `YYYY-MM-DD`.
pub(crate) fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn json_error(e: &serde_json::Error) -> ClaimsError {
    let msg = e.to_string();
    // serde's messages for shape errors name the field; lift them into specific variants.
    let inner = msg.split(" at line ").next().unwrap_or(&msg);
    if let Some(name) = inner.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
        return ClaimsError::UnknownField { field: name.to_owned() };
    }
    if let Some(name) = inner.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
        return ClaimsError::MissingField { field: name.to_owned() };
    }
    ClaimsError::Json { line: e.line(), column: e.column(), message: inner.to_owned() }
}

impl Claims {
    /// Parses the claims JSON (one object in the documented schema).
    pub fn from_json(text: &str) -> Result<Claims, ClaimsError> {
        let raw: RawClaims = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        Claims::from_raw(raw)
    }

    /// Parses claims from an already-parsed JSON value.
    pub fn from_json_value(value: serde_json::Value) -> Result<Claims, ClaimsError> {
        let raw: RawClaims = serde_json::from_value(value).map_err(|e| json_error(&e))?;
        Claims::from_raw(raw)
    }

    fn from_raw(raw: RawClaims) -> Result<Claims, ClaimsError> {
        use ClaimField as F;
        let text = |field: ClaimField, v: &serde_json::Value| -> Result<ClaimText, ClaimsError> {
            ClaimText::parse(str_of(field, v)?, field.max_chars()).map_err(|p| invalid(field, p))
        };
        let nik = Nik::parse(str_of(F::Nik, &raw.nik)?).map_err(|e| invalid(F::Nik, FieldProblem::Nik(e)))?;
        let nama = Nama::parse(str_of(F::Nama, &raw.nama)?).map_err(|p| invalid(F::Nama, p))?;
        let tempat_lahir = text(F::TempatLahir, &raw.tempat_lahir)?;
        let tanggal_lahir = parse_date(str_of(F::TanggalLahir, &raw.tanggal_lahir)?)
            .ok_or(invalid(F::TanggalLahir, FieldProblem::BadDate))?;
        let jenis_kelamin = match str_of(F::JenisKelamin, &raw.jenis_kelamin)? {
            "LAKI-LAKI" => Sex::LakiLaki,
            "PEREMPUAN" => Sex::Perempuan,
            _ => return Err(invalid(F::JenisKelamin, FieldProblem::NotAllowed { allowed: "LAKI-LAKI, PEREMPUAN" })),
        };
        let golongan_darah = GolonganDarah::parse(str_of(F::GolonganDarah, &raw.golongan_darah)?)
            .map_err(|p| invalid(F::GolonganDarah, p))?;
        let alamat = Alamat {
            alamat: text(F::Alamat, &raw.alamat)?,
            rt: RtRw::parse(str_of(F::Rt, &raw.rt)?).map_err(|p| invalid(F::Rt, p))?,
            rw: RtRw::parse(str_of(F::Rw, &raw.rw)?).map_err(|p| invalid(F::Rw, p))?,
            kel_desa: text(F::KelDesa, &raw.kel_desa)?,
            kecamatan: text(F::Kecamatan, &raw.kecamatan)?,
            kabupaten_kota: text(F::KabupatenKota, &raw.kabupaten_kota)?,
            provinsi: text(F::Provinsi, &raw.provinsi)?,
        };
        let agama = Agama::parse(str_of(F::Agama, &raw.agama)?).map_err(|p| invalid(F::Agama, p))?;
        let status_perkawinan = StatusPerkawinan::parse(str_of(F::StatusPerkawinan, &raw.status_perkawinan)?)
            .map_err(|p| invalid(F::StatusPerkawinan, p))?;
        let pekerjaan = text(F::Pekerjaan, &raw.pekerjaan)?;
        let kewarganegaraan = match (str_of(F::Kewarganegaraan, &raw.kewarganegaraan)?, &raw.negara) {
            ("WNI", None) => Kewarganegaraan::Wni,
            ("WNI", Some(_)) => return Err(invalid(F::Negara, FieldProblem::PresentForWni)),
            ("WNA", Some(n)) => Kewarganegaraan::Wna { negara: text(F::Negara, n)? },
            ("WNA", None) => return Err(invalid(F::Negara, FieldProblem::MissingForWna)),
            _ => return Err(invalid(F::Kewarganegaraan, FieldProblem::NotAllowed { allowed: "WNI, WNA" })),
        };
        let berlaku_hingga = match str_of(F::BerlakuHingga, &raw.berlaku_hingga)? {
            "SEUMUR HIDUP" => BerlakuHingga::SeumurHidup,
            s => BerlakuHingga::Tanggal(parse_date(s).ok_or(invalid(
                F::BerlakuHingga,
                FieldProblem::NotAllowed { allowed: "SEUMUR HIDUP or YYYY-MM-DD" },
            ))?),
        };
        let claims = Claims {
            nik,
            nama,
            tempat_lahir,
            tanggal_lahir,
            jenis_kelamin,
            golongan_darah,
            alamat,
            agama,
            status_perkawinan,
            pekerjaan,
            kewarganegaraan,
            berlaku_hingga,
        };
        claims.check_nik()?;
        Ok(claims)
    }

    /// Checks that the NIK agrees with `tanggal_lahir` and `jenis_kelamin`.
    pub fn check_nik(&self) -> Result<(), ClaimsError> {
        if !self.nik.matches_birth_date(self.tanggal_lahir) {
            return Err(ClaimsError::NikBirthDateMismatch);
        }
        if self.nik.sex() != self.jenis_kelamin {
            return Err(ClaimsError::NikSexMismatch);
        }
        Ok(())
    }

    /// The claims as a JSON object in the claims schema (the NIK in full).
    pub fn to_json_value(&self) -> serde_json::Value {
        self.view().to_json()
    }

    /// The claims as the verification view shows them (the same names and values as
    /// [`Claims::to_json_value`]), without the age predicates.
    pub fn view(&self) -> crate::claims_view::ClaimsView {
        let mut m = crate::claims_view::ClaimsView::with_capacity(19);
        self.put_view(&mut m);
        m.finish()
    }

    /// Adds the claims to a view being built ([`Claims::view`]).
    pub(crate) fn put_view(&self, m: &mut crate::claims_view::ClaimsView) {
        use crate::claims_view::ClaimValue;
        let mut put = |k: &'static str, v: String| m.put(k, ClaimValue::Text(v));
        put("nik", self.nik.to_string());
        put("nama", self.nama.as_str().to_owned());
        put("tempat_lahir", self.tempat_lahir.as_str().to_owned());
        put("tanggal_lahir", format_date(self.tanggal_lahir));
        put("jenis_kelamin", self.jenis_kelamin.as_str().to_owned());
        put("golongan_darah", self.golongan_darah.as_str().to_owned());
        put("alamat", self.alamat.alamat.as_str().to_owned());
        put("rt", self.alamat.rt.to_string());
        put("rw", self.alamat.rw.to_string());
        put("kel_desa", self.alamat.kel_desa.as_str().to_owned());
        put("kecamatan", self.alamat.kecamatan.as_str().to_owned());
        put("kabupaten_kota", self.alamat.kabupaten_kota.as_str().to_owned());
        put("provinsi", self.alamat.provinsi.as_str().to_owned());
        put("agama", self.agama.as_str().to_owned());
        put("status_perkawinan", self.status_perkawinan.as_str().to_owned());
        put("pekerjaan", self.pekerjaan.as_str().to_owned());
        match &self.kewarganegaraan {
            Kewarganegaraan::Wni => put("kewarganegaraan", "WNI".to_owned()),
            Kewarganegaraan::Wna { negara } => {
                put("kewarganegaraan", "WNA".to_owned());
                put("negara", negara.as_str().to_owned());
            }
        }
        put(
            "berlaku_hingga",
            match self.berlaku_hingga {
                BerlakuHingga::SeumurHidup => "SEUMUR HIDUP".to_owned(),
                BerlakuHingga::Tanggal(d) => format_date(d),
            },
        );
    }
}

// ---------------------------------------------------------------------------
// Binary slot encodings (docs/FORMAT.md, "Claim slots").

/// Days between 1900-01-01 and the epoch of the date encoding.
fn date_to_days(d: Date) -> u64 {
    let base = Date::from_calendar_date(1900, Month::January, 1).map(Date::to_julian_day).unwrap_or(0);
    u64::try_from(d.to_julian_day() - base).unwrap_or(0)
}

fn days_to_date(days: u64) -> Option<Date> {
    let base = Date::from_calendar_date(1900, Month::January, 1).ok()?.to_julian_day();
    let jd = base.checked_add(i32::try_from(days).ok()?)?;
    Date::from_julian_day(jd).ok()
}

/// Largest day count accepted (2199-12-31).
const MAX_DAYS: u64 = 109_572;

pub(crate) fn write_date(w: &mut Writer, d: Date) {
    w.varint(date_to_days(d));
}

pub(crate) fn read_date(r: &mut Reader<'_>, field: &'static str) -> Result<Date, DecodeError> {
    let days = r.varint(MAX_DAYS, field)?;
    days_to_date(days).ok_or(DecodeError::ValueOutOfRange { field })
}

fn claim_text(s: String, field: ClaimField) -> Result<ClaimText, DecodeError> {
    ClaimText::from_string(s, field.max_chars()).map_err(|_| DecodeError::InvalidClaim { field: field.name() })
}

fn read_text_claim(r: &mut Reader<'_>, field: ClaimField) -> Result<ClaimText, DecodeError> {
    claim_text(r.text(field.max_chars(), field.name())?, field)
}

/// A dictionary-coded text: byte 0 then text, or byte `i + 1` for `dict[i]`.
fn write_dict_text(w: &mut Writer, dict: &[&str], s: &str) {
    match dict.iter().position(|d| *d == s) {
        Some(i) => w.u8(u8::try_from(i + 1).unwrap_or(0)),
        None => {
            w.u8(0);
            w.text(s);
        }
    }
}

fn read_dict_text(
    r: &mut Reader<'_>,
    dict: &'static [&'static str],
    field: ClaimField,
) -> Result<ClaimText, DecodeError> {
    let code = usize::from(r.u8()?);
    if code == 0 {
        let t = read_text_claim(r, field)?;
        if dict.contains(&t.as_str()) {
            return Err(DecodeError::NonCanonical { field: field.name() });
        }
        Ok(t)
    } else {
        let s = dict.get(code - 1).ok_or(DecodeError::ValueOutOfRange { field: field.name() })?;
        ClaimText::from_static(s, field.max_chars()).map_err(|_| DecodeError::InvalidClaim { field: field.name() })
    }
}

const KAB_PREFIXES: [&str; 2] = ["KABUPATEN ", "KOTA "];

fn write_kab(w: &mut Writer, s: &str) {
    for (i, p) in KAB_PREFIXES.iter().enumerate() {
        if let Some(rest) = s.strip_prefix(p) {
            w.u8(u8::try_from(i + 1).unwrap_or(0));
            w.text(rest);
            return;
        }
    }
    w.u8(0);
    w.text(s);
}

fn read_kab(r: &mut Reader<'_>) -> Result<ClaimText, DecodeError> {
    let f = ClaimField::KabupatenKota;
    let code = usize::from(r.u8()?);
    let prefix = match code {
        0 => Some(""),
        c => KAB_PREFIXES.get(c - 1).copied(),
    };
    // The text's own errors come first, then the code's, as when the two were read apart.
    let full = r.text_after(prefix.unwrap_or(""), f.max_chars(), f.name())?;
    if prefix.is_none() {
        return Err(DecodeError::ValueOutOfRange { field: f.name() });
    }
    if code == 0 && KAB_PREFIXES.iter().any(|p| full.starts_with(p)) {
        return Err(DecodeError::NonCanonical { field: f.name() });
    }
    claim_text(full, f)
}

/// The province names in list order (the dictionary of the `provinsi` field).
// Indexing inside a const block is checked at compile time.
#[allow(clippy::indexing_slicing)]
const PROVINCE_NAMES: [&str; 38] = {
    let mut names = [""; 38];
    let mut i = 0;
    while i < 38 {
        names[i] = PROVINCES[i].1;
        i += 1;
    }
    names
};

fn province_names() -> &'static [&'static str] {
    &PROVINCE_NAMES
}

/// Slot numbers (docs/FORMAT.md, "Claim slots").
pub(crate) mod slot {
    pub const NAMA: usize = 0;
    pub const NIK: usize = 1;
    pub const AGE_OVER_17: usize = 2;
    pub const FOTO: usize = 3;
    pub const AGE_OVER_21: usize = 4;
    pub const AGE_OVER_60: usize = 5;
    pub const JENIS_KELAMIN: usize = 6;
    pub const TANGGAL_LAHIR: usize = 7;
    pub const TEMPAT_LAHIR: usize = 8;
    pub const GOLONGAN_DARAH: usize = 9;
    pub const AGAMA: usize = 10;
    pub const STATUS_PERKAWINAN: usize = 11;
    pub const PEKERJAAN: usize = 12;
    pub const KEWARGANEGARAAN: usize = 13;
    pub const ALAMAT: usize = 14;
    pub const BERLAKU_HINGGA: usize = 15;
    pub const COUNT: usize = 16;
    /// Slot names, as used in reports and disclosure lists.
    pub const NAMES: [&str; COUNT] = [
        "nama",
        "nik",
        "age_over_17",
        "foto",
        "age_over_21",
        "age_over_60",
        "jenis_kelamin",
        "tanggal_lahir",
        "tempat_lahir",
        "golongan_darah",
        "agama",
        "status_perkawinan",
        "pekerjaan",
        "kewarganegaraan",
        "alamat",
        "berlaku_hingga",
    ];
}

/// The 16 claim slots, in slot order: the units a holder can disclose or withhold.
pub const SLOT_NAMES: [&str; slot::COUNT] = slot::NAMES;

/// Whether bytes look like a WebP file (`RIFF....WEBP`).
pub(crate) fn is_webp(b: &[u8]) -> bool {
    b.len() >= 12 && b.get(..4) == Some(b"RIFF") && b.get(8..12) == Some(b"WEBP")
}

/// Largest embedded photo, in bytes.
pub const MAX_PHOTO_BYTES: usize = 2048;

/// Age predicates, fixed by the issuer at the time of issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AgeOver {
    /// `age_over_17`
    pub over_17: bool,
    /// `age_over_21`
    pub over_21: bool,
    /// `age_over_60`
    pub over_60: bool,
}

impl AgeOver {
    /// The predicates for someone born on `birth` as of the day `on`.
    pub fn compute(birth: Date, on: Date) -> AgeOver {
        let years = {
            let mut y = on.year() - birth.year();
            if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
                y -= 1;
            }
            y
        };
        AgeOver { over_17: years >= 17, over_21: years >= 21, over_60: years >= 60 }
    }
}

/// Everything committed in the 16 claim slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SlotValues {
    pub claims: Claims,
    pub age: AgeOver,
    pub photo: Option<Vec<u8>>,
}

fn read_bool(r: &mut Reader<'_>, field: &'static str) -> Result<bool, DecodeError> {
    match r.u8()? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(DecodeError::ValueOutOfRange { field }),
    }
}

impl SlotValues {
    /// Encodes slot `i` (0..16) into `w`.
    pub(crate) fn write_slot(&self, i: usize, w: &mut Writer) {
        let c = &self.claims;
        match i {
            slot::NAMA => w.text(c.nama.as_str()),
            slot::NIK => w.bytes(&c.nik.to_u64().to_be_bytes()[1..]),
            slot::AGE_OVER_17 => w.u8(u8::from(self.age.over_17)),
            slot::FOTO => w.bstr(self.photo.as_deref().unwrap_or(&[])),
            slot::AGE_OVER_21 => w.u8(u8::from(self.age.over_21)),
            slot::AGE_OVER_60 => w.u8(u8::from(self.age.over_60)),
            slot::JENIS_KELAMIN => w.u8(match c.jenis_kelamin {
                Sex::LakiLaki => 1,
                Sex::Perempuan => 2,
            }),
            slot::TANGGAL_LAHIR => write_date(w, c.tanggal_lahir),
            slot::TEMPAT_LAHIR => w.text(c.tempat_lahir.as_str()),
            slot::GOLONGAN_DARAH => w.u8(c.golongan_darah.code()),
            slot::AGAMA => w.u8(c.agama.code()),
            slot::STATUS_PERKAWINAN => w.u8(c.status_perkawinan.code()),
            slot::PEKERJAAN => write_dict_text(w, &PEKERJAAN_DICTIONARY, c.pekerjaan.as_str()),
            slot::KEWARGANEGARAAN => match &c.kewarganegaraan {
                Kewarganegaraan::Wni => w.u8(1),
                Kewarganegaraan::Wna { negara } => {
                    w.u8(2);
                    w.text(negara.as_str());
                }
            },
            slot::ALAMAT => {
                let a = &c.alamat;
                w.text(a.alamat.as_str());
                w.varint(u64::from(a.rt.get()));
                w.varint(u64::from(a.rw.get()));
                w.text(a.kel_desa.as_str());
                w.text(a.kecamatan.as_str());
                write_kab(w, a.kabupaten_kota.as_str());
                write_dict_text(w, province_names(), a.provinsi.as_str());
            }
            slot::BERLAKU_HINGGA => match c.berlaku_hingga {
                BerlakuHingga::SeumurHidup => w.varint(0),
                BerlakuHingga::Tanggal(d) => w.varint(date_to_days(d) + 1),
            },
            _ => {}
        }
    }

    /// Reads all 16 slots in order, returning the values and each slot's exact byte range.
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<(SlotValues, [(usize, usize); slot::COUNT]), DecodeError> {
        let mut ranges = [(0usize, 0usize); slot::COUNT];
        // Each slot read in order straight into its variable, no vector of values between
        // (it cost an allocation of 2 KB and a move of every value per credential).
        let mut i = 0;
        macro_rules! take {
            ($variant:ident) => {{
                let start = r.pos();
                let SlotValue::$variant(v) = SlotValue::read(i, r)? else { return Err(DecodeError::Truncated) };
                if let Some(range) = ranges.get_mut(i) {
                    *range = (start, r.pos());
                }
                i += 1;
                v
            }};
        }
        let nama = take!(Nama);
        let nik = take!(Nik);
        let over_17 = take!(Bool);
        let photo = take!(Foto);
        let over_21 = take!(Bool);
        let over_60 = take!(Bool);
        let jenis_kelamin = take!(Sex);
        let tanggal_lahir = take!(Date);
        let tempat_lahir = take!(Text);
        let golongan_darah = take!(GolonganDarah);
        let agama = take!(Agama);
        let status_perkawinan = take!(StatusPerkawinan);
        let pekerjaan = take!(Text);
        let kewarganegaraan = take!(Kewarganegaraan);
        let alamat = take!(Alamat);
        let berlaku_hingga = take!(BerlakuHingga);
        debug_assert_eq!(i, slot::COUNT);
        let claims = Claims {
            nik,
            nama,
            tempat_lahir,
            tanggal_lahir,
            jenis_kelamin,
            golongan_darah,
            alamat,
            agama,
            status_perkawinan,
            pekerjaan,
            kewarganegaraan,
            berlaku_hingga,
        };
        Ok((SlotValues { claims, age: AgeOver { over_17, over_21, over_60 }, photo }, ranges))
    }
}

/// The decoded value of one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SlotValue {
    Nama(Nama),
    Nik(Nik),
    Bool(bool),
    Foto(Option<Vec<u8>>),
    Sex(Sex),
    Date(Date),
    Text(ClaimText),
    GolonganDarah(GolonganDarah),
    Agama(Agama),
    StatusPerkawinan(StatusPerkawinan),
    Kewarganegaraan(Kewarganegaraan),
    Alamat(Alamat),
    BerlakuHingga(BerlakuHingga),
}

impl SlotValue {
    /// Reads slot `i`'s value.
    pub(crate) fn read(i: usize, r: &mut Reader<'_>) -> Result<SlotValue, DecodeError> {
        use ClaimField as F;
        let bad = |f: ClaimField| DecodeError::InvalidClaim { field: f.name() };
        Ok(match i {
            slot::NAMA => SlotValue::Nama(Nama::from_string(r.text(60, "nama")?).map_err(|_| bad(F::Nama))?),
            slot::NIK => {
                let nik_bytes: [u8; 7] = r.array()?;
                let mut eight = [0u8; 8];
                eight[1..].copy_from_slice(&nik_bytes);
                SlotValue::Nik(Nik::from_u64(u64::from_be_bytes(eight)).map_err(|_| bad(F::Nik))?)
            }
            slot::AGE_OVER_17 => SlotValue::Bool(read_bool(r, "age_over_17")?),
            slot::AGE_OVER_21 => SlotValue::Bool(read_bool(r, "age_over_21")?),
            slot::AGE_OVER_60 => SlotValue::Bool(read_bool(r, "age_over_60")?),
            slot::FOTO => {
                let photo_bytes = r.bstr(MAX_PHOTO_BYTES, "foto")?;
                SlotValue::Foto(if photo_bytes.is_empty() {
                    None
                } else if is_webp(photo_bytes) {
                    Some(photo_bytes.to_vec())
                } else {
                    return Err(DecodeError::InvalidClaim { field: "foto" });
                })
            }
            slot::JENIS_KELAMIN => SlotValue::Sex(match r.u8()? {
                1 => Sex::LakiLaki,
                2 => Sex::Perempuan,
                _ => return Err(DecodeError::ValueOutOfRange { field: "jenis_kelamin" }),
            }),
            slot::TANGGAL_LAHIR => SlotValue::Date(read_date(r, "tanggal_lahir")?),
            slot::TEMPAT_LAHIR => SlotValue::Text(read_text_claim(r, F::TempatLahir)?),
            slot::GOLONGAN_DARAH => SlotValue::GolonganDarah(
                GolonganDarah::from_code(r.u8()?).ok_or(DecodeError::ValueOutOfRange { field: "golongan_darah" })?,
            ),
            slot::AGAMA => {
                SlotValue::Agama(Agama::from_code(r.u8()?).ok_or(DecodeError::ValueOutOfRange { field: "agama" })?)
            }
            slot::STATUS_PERKAWINAN => SlotValue::StatusPerkawinan(
                StatusPerkawinan::from_code(r.u8()?)
                    .ok_or(DecodeError::ValueOutOfRange { field: "status_perkawinan" })?,
            ),
            slot::PEKERJAAN => SlotValue::Text(read_dict_text(r, &PEKERJAAN_DICTIONARY, F::Pekerjaan)?),
            slot::KEWARGANEGARAAN => SlotValue::Kewarganegaraan(match r.u8()? {
                1 => Kewarganegaraan::Wni,
                2 => Kewarganegaraan::Wna { negara: read_text_claim(r, F::Negara)? },
                _ => return Err(DecodeError::ValueOutOfRange { field: "kewarganegaraan" }),
            }),
            slot::ALAMAT => {
                let alamat = read_text_claim(r, F::Alamat)?;
                let rt = RtRw(u16::try_from(r.varint(999, "rt")?).map_err(|_| bad(F::Rt))?);
                let rw = RtRw(u16::try_from(r.varint(999, "rw")?).map_err(|_| bad(F::Rw))?);
                let kel_desa = read_text_claim(r, F::KelDesa)?;
                let kecamatan = read_text_claim(r, F::Kecamatan)?;
                let kabupaten_kota = read_kab(r)?;
                let provinsi = read_dict_text(r, province_names(), F::Provinsi)?;
                SlotValue::Alamat(Alamat { alamat, rt, rw, kel_desa, kecamatan, kabupaten_kota, provinsi })
            }
            slot::BERLAKU_HINGGA => SlotValue::BerlakuHingga(match r.varint(MAX_DAYS + 1, "berlaku_hingga")? {
                0 => BerlakuHingga::SeumurHidup,
                n => BerlakuHingga::Tanggal(
                    days_to_date(n - 1).ok_or(DecodeError::ValueOutOfRange { field: "berlaku_hingga" })?,
                ),
            }),
            _ => return Err(DecodeError::ValueOutOfRange { field: "slot" }),
        })
    }

    /// Adds this slot's claims to a claims view, with the claims JSON's field names.
    pub(crate) fn put_view(&self, i: usize, m: &mut crate::claims_view::ClaimsView) {
        use crate::claims_view::ClaimValue as V;
        let name = slot::NAMES.get(i).copied().unwrap_or("slot");
        let text = |s: &str| V::Text(s.to_owned());
        match self {
            SlotValue::Nama(n) => m.put(name, text(n.as_str())),
            SlotValue::Nik(n) => m.put(name, V::Text(n.to_string())),
            SlotValue::Bool(b) => m.put(name, V::Bool(*b)),
            SlotValue::Foto(p) => m.put(
                name,
                p.as_ref().map_or(V::Null, |p| {
                    use base64::Engine;
                    V::Text(base64::engine::general_purpose::STANDARD.encode(p))
                }),
            ),
            SlotValue::Sex(s) => m.put(name, text(s.as_str())),
            SlotValue::Date(d) => m.put(name, V::Text(format_date(*d))),
            SlotValue::Text(t) => m.put(name, text(t.as_str())),
            SlotValue::GolonganDarah(g) => m.put(name, text(g.as_str())),
            SlotValue::Agama(a) => m.put(name, text(a.as_str())),
            SlotValue::StatusPerkawinan(s) => m.put(name, text(s.as_str())),
            SlotValue::Kewarganegaraan(Kewarganegaraan::Wni) => m.put(name, text("WNI")),
            SlotValue::Kewarganegaraan(Kewarganegaraan::Wna { negara }) => {
                m.put(name, text("WNA"));
                m.put("negara", text(negara.as_str()));
            }
            SlotValue::Alamat(a) => {
                m.put("alamat", text(a.alamat.as_str()));
                m.put("rt", V::Text(a.rt.to_string()));
                m.put("rw", V::Text(a.rw.to_string()));
                m.put("kel_desa", text(a.kel_desa.as_str()));
                m.put("kecamatan", text(a.kecamatan.as_str()));
                m.put("kabupaten_kota", text(a.kabupaten_kota.as_str()));
                m.put("provinsi", text(a.provinsi.as_str()));
            }
            SlotValue::BerlakuHingga(BerlakuHingga::SeumurHidup) => m.put(name, text("SEUMUR HIDUP")),
            SlotValue::BerlakuHingga(BerlakuHingga::Tanggal(d)) => m.put(name, V::Text(format_date(*d))),
        }
    }
}

impl FieldProblem {
    /// A plain-language message in the language, to follow the field's name.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return match self {
                FieldProblem::Nik(e) => e.message(lang),
                other => other.to_string(),
            };
        }
        match self {
            FieldProblem::Empty => "tidak boleh kosong".into(),
            FieldProblem::TooLong { max } => format!("lebih dari {max} karakter"),
            FieldProblem::BadCharacter { ch } => format!("berisi karakter yang tidak diizinkan: {ch:?}"),
            FieldProblem::BadSpacing => "berisi spasi di awal, di akhir, atau spasi ganda".into(),
            FieldProblem::NotAllowed { allowed } => format!("harus salah satu dari: {allowed}"),
            FieldProblem::BadDate => "harus tanggal yang benar dengan format YYYY-MM-DD".into(),
            FieldProblem::NotThreeDigits => "harus tepat tiga angka, misalnya 002".into(),
            FieldProblem::Nik(e) => e.message(lang),
            FieldProblem::MissingForWna => "wajib diisi bila kewarganegaraan WNA".into(),
            FieldProblem::PresentForWni => "harus tidak ada bila kewarganegaraan WNI".into(),
            FieldProblem::NotAString => "harus berupa string JSON".into(),
        }
    }
}

impl ClaimsError {
    /// A plain-language message in the language. A JSON syntax error gives its line and
    /// column; see [`ClaimsError::message_without_position`] for callers that add them.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ClaimsError::Json { line, column, message }, Lang::Id) => {
                format!("JSON tidak sah pada baris {line}, kolom {column}: {message}")
            }
            _ => self.message_without_position(lang),
        }
    }

    /// [`ClaimsError::message`] without the line and column of a JSON syntax error, for
    /// callers that name the file and position themselves.
    pub fn message_without_position(&self, lang: Lang) -> String {
        match (self, lang) {
            (ClaimsError::Json { message, .. }, Lang::En) => format!("invalid JSON: {message}"),
            (ClaimsError::Json { message, .. }, Lang::Id) => format!("JSON tidak sah: {message}"),
            (ClaimsError::UnknownField { field }, Lang::En) => format!("unknown field `{field}`"),
            (ClaimsError::UnknownField { field }, Lang::Id) => format!("kolom `{field}` tidak dikenal"),
            (ClaimsError::MissingField { field }, Lang::En) => format!("missing field `{field}`"),
            (ClaimsError::MissingField { field }, Lang::Id) => format!("kolom `{field}` tidak ada"),
            (ClaimsError::Invalid { field, problem }, Lang::En) => format!("field `{field}` {}", problem.message(lang)),
            (ClaimsError::Invalid { field, problem }, Lang::Id) => format!("kolom `{field}` {}", problem.message(lang)),
            (ClaimsError::NikBirthDateMismatch, Lang::En) => "field `nik` does not agree with `tanggal_lahir`".into(),
            (ClaimsError::NikBirthDateMismatch, Lang::Id) => "kolom `nik` tidak sesuai dengan `tanggal_lahir`".into(),
            (ClaimsError::NikSexMismatch, Lang::En) => "field `nik` does not agree with `jenis_kelamin`".into(),
            (ClaimsError::NikSexMismatch, Lang::Id) => "kolom `nik` tidak sesuai dengan `jenis_kelamin`".into(),
        }
    }
}

crate::lang::user_error!(FieldProblem, ClaimsError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    const WOMAN: &str = r#"{"nik":"3604055708900003","nama":"SITI NURHALIZA","tempat_lahir":"SERANG","tanggal_lahir":"1990-08-17","jenis_kelamin":"PEREMPUAN","golongan_darah":"O","alamat":"KP. CIKANDE GIRANG","rt":"002","rw":"005","kel_desa":"CIKANDE","kecamatan":"CIKANDE","kabupaten_kota":"KABUPATEN SERANG","provinsi":"BANTEN","agama":"ISLAM","status_perkawinan":"KAWIN","pekerjaan":"MENGURUS RUMAH TANGGA","kewarganegaraan":"WNI","berlaku_hingga":"SEUMUR HIDUP"}"#;

    fn with(field: &str, value: serde_json::Value) -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(WOMAN).unwrap();
        v[field] = value;
        v
    }

    fn err(field: &str, value: &str) -> ClaimsError {
        Claims::from_json_value(with(field, value.into())).unwrap_err()
    }

    // Issue 13 follow-up: a date is ten characters of digits and two dashes; a sign in the
    // month or day (which `u8::from_str` would take) is refused.
    #[test]
    fn regression_parse_date_refuses_a_signed_month_or_day() {
        assert!(parse_date("2000-01-05").is_some());
        for bad in ["2000-+1-05", "2000-01-+5", "+000-01-05", "2000-0a-05", "2000/01/05"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(err("tanggal_lahir", "1990-+8-17").code(), err("tanggal_lahir", "1990-13-17").code());
    }

    // The typed view is the claims JSON: every field, by its `ClaimField` name, in the JSON
    // object's (byte) order; a foreigner's `negara` included.
    #[test]
    fn the_claims_view_is_the_claims_json_with_claim_field_names() {
        let wna = with("kewarganegaraan", "WNA".into());
        let mut wna = wna;
        wna["negara"] = "MALAYSIA".into();
        for json in [serde_json::from_str(WOMAN).unwrap(), wna] {
            let c = Claims::from_json_value(json.clone()).unwrap();
            let view = c.view();
            assert_eq!(view.to_json(), json);
            assert_eq!(serde_json::to_string(&view).unwrap(), serde_json::to_string(&json).unwrap());
            let names: Vec<&str> = view.iter().map(|(k, _)| k).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            assert_eq!(names, sorted);
            for n in names {
                assert!(ClaimField::ALL.iter().any(|f| f.name() == n), "{n} is not a ClaimField");
            }
        }
        assert_eq!(ClaimField::ALL.len(), {
            let mut n: Vec<&str> = ClaimField::ALL.iter().map(|f| f.name()).collect();
            n.dedup();
            n.len()
        });
    }

    #[test]
    fn parses_and_round_trips_json() {
        let c = Claims::from_json(WOMAN).unwrap();
        let back = Claims::from_json_value(c.to_json_value()).unwrap();
        assert_eq!(c, back);
    }

    #[test]
    fn unknown_field_named() {
        let e = Claims::from_json_value(with("hobi", "x".into())).unwrap_err();
        assert_eq!(e, ClaimsError::UnknownField { field: "hobi".into() });
        assert!(e.to_string().contains("hobi"));
    }

    #[test]
    fn missing_field_named() {
        let mut v: serde_json::Value = serde_json::from_str(WOMAN).unwrap();
        v.as_object_mut().unwrap().remove("agama");
        assert_eq!(Claims::from_json_value(v).unwrap_err(), ClaimsError::MissingField { field: "agama".into() });
    }

    #[test]
    fn bad_json_has_position() {
        let e = Claims::from_json("{\n  \"nik\": 12,,\n}").unwrap_err();
        assert!(matches!(e, ClaimsError::Json { line: 2, .. }), "{e:?}");
    }

    #[test]
    fn each_field_refused_specifically() {
        use ClaimField as F;
        let cases: &[(&str, &str, ClaimField, &str)] = &[
            ("nik", "123", F::Nik, "nik_not_16_digits"),
            ("nama", "Siti", F::Nama, "bad_character"),
            ("nama", "", F::Nama, "empty"),
            ("nama", &"A".repeat(61), F::Nama, "too_long"),
            ("nama", "SITI  NUR", F::Nama, "bad_spacing"),
            ("tempat_lahir", "SERANG\n", F::TempatLahir, "bad_character"),
            ("tanggal_lahir", "17-08-1990", F::TanggalLahir, "bad_date"),
            ("jenis_kelamin", "P", F::JenisKelamin, "not_allowed"),
            ("golongan_darah", "C", F::GolonganDarah, "not_allowed"),
            ("rt", "2", F::Rt, "not_three_digits"),
            ("rw", "0050", F::Rw, "not_three_digits"),
            ("agama", "islam", F::Agama, "not_allowed"),
            ("status_perkawinan", "JANDA", F::StatusPerkawinan, "not_allowed"),
            ("kewarganegaraan", "WNX", F::Kewarganegaraan, "not_allowed"),
            ("berlaku_hingga", "SELAMANYA", F::BerlakuHingga, "not_allowed"),
            ("alamat", " JL", F::Alamat, "bad_spacing"),
        ];
        for (field, value, want_field, want_code) in cases {
            match err(field, value) {
                ClaimsError::Invalid { field: f, problem } => {
                    assert_eq!(f, *want_field, "{field}");
                    assert_eq!(problem.code(), *want_code, "{field}={value}");
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        let e = Claims::from_json_value(with("nama", 5.into())).unwrap_err();
        assert_eq!(e, ClaimsError::Invalid { field: F::Nama, problem: FieldProblem::NotAString });
    }

    #[test]
    fn minus_sign_variants_accepted() {
        let a = Claims::from_json_value(with("golongan_darah", "AB\u{2212}".into())).unwrap();
        assert_eq!(a.golongan_darah, GolonganDarah::AbMinus);
    }

    #[test]
    fn negara_rules() {
        assert_eq!(
            err("negara", "MALAYSIA"),
            ClaimsError::Invalid { field: ClaimField::Negara, problem: FieldProblem::PresentForWni }
        );
        assert_eq!(
            err("kewarganegaraan", "WNA"),
            ClaimsError::Invalid { field: ClaimField::Negara, problem: FieldProblem::MissingForWna }
        );
    }

    #[test]
    fn nik_agreement() {
        assert_eq!(err("tanggal_lahir", "1990-08-18"), ClaimsError::NikBirthDateMismatch);
        assert_eq!(err("jenis_kelamin", "LAKI-LAKI"), ClaimsError::NikSexMismatch);
    }

    #[test]
    fn slots_round_trip() {
        let c = Claims::from_json(WOMAN).unwrap();
        let v = SlotValues {
            age: AgeOver::compute(c.tanggal_lahir, time::macros::date!(2026 - 11 - 27)),
            claims: c,
            photo: Some(b"RIFF\x04\0\0\0WEBPVP8 ".to_vec()),
        };
        let mut w = Writer::default();
        for i in 0..slot::COUNT {
            v.write_slot(i, &mut w);
        }
        let mut r = Reader::new(&w.buf);
        let (back, ranges) = SlotValues::read(&mut r).unwrap();
        assert_eq!(back, v);
        assert_eq!(r.remaining(), 0);
        assert_eq!(ranges[0].0, 0);
        assert_eq!(ranges[15].1, w.buf.len());
    }

    #[test]
    fn age_over_boundaries() {
        use time::macros::date;
        let b = date!(2007 - 11 - 27);
        assert!(!AgeOver::compute(b, date!(2024 - 11 - 26)).over_17);
        assert!(AgeOver::compute(b, date!(2024 - 11 - 27)).over_17);
    }
}
