//! The NIK (Nomor Induk Kependudukan) and the province list.

use crate::lang::Lang;
use std::fmt;
use std::str::FromStr;

use time::{Date, Month};

/// The 38 provinces of the 2025 Kemendagri list: code and name as printed on the KTP-el.
///
/// Codes 91–96 were renumbered when Papua was split in 2022; NIKs issued before the split
/// still carry 91 or 94, which remain on the list, so they stay well-formed.
pub const PROVINCES: [(u8, &str); 38] = [
    (11, "ACEH"),
    (12, "SUMATERA UTARA"),
    (13, "SUMATERA BARAT"),
    (14, "RIAU"),
    (15, "JAMBI"),
    (16, "SUMATERA SELATAN"),
    (17, "BENGKULU"),
    (18, "LAMPUNG"),
    (19, "KEPULAUAN BANGKA BELITUNG"),
    (21, "KEPULAUAN RIAU"),
    (31, "DKI JAKARTA"),
    (32, "JAWA BARAT"),
    (33, "JAWA TENGAH"),
    (34, "DAERAH ISTIMEWA YOGYAKARTA"),
    (35, "JAWA TIMUR"),
    (36, "BANTEN"),
    (51, "BALI"),
    (52, "NUSA TENGGARA BARAT"),
    (53, "NUSA TENGGARA TIMUR"),
    (61, "KALIMANTAN BARAT"),
    (62, "KALIMANTAN TENGAH"),
    (63, "KALIMANTAN SELATAN"),
    (64, "KALIMANTAN TIMUR"),
    (65, "KALIMANTAN UTARA"),
    (71, "SULAWESI UTARA"),
    (72, "SULAWESI TENGAH"),
    (73, "SULAWESI SELATAN"),
    (74, "SULAWESI TENGGARA"),
    (75, "GORONTALO"),
    (76, "SULAWESI BARAT"),
    (81, "MALUKU"),
    (82, "MALUKU UTARA"),
    (91, "PAPUA"),
    (92, "PAPUA BARAT"),
    (93, "PAPUA SELATAN"),
    (94, "PAPUA TENGAH"),
    (95, "PAPUA PEGUNUNGAN"),
    (96, "PAPUA BARAT DAYA"),
];

/// Sex as encoded in a NIK and on the KTP-el.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// LAKI-LAKI
    LakiLaki,
    /// PEREMPUAN
    Perempuan,
}

impl Sex {
    /// The KTP-el spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::LakiLaki => "LAKI-LAKI",
            Sex::Perempuan => "PEREMPUAN",
        }
    }
}

/// Why a string is not a well-formed NIK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NikError {
    /// The NIK is not exactly 16 ASCII digits.
    #[error("NIK must be exactly 16 digits")]
    NotSixteenDigits,
    /// Digits 1–2 are not one of the 38 province codes.
    #[error("NIK province code {0:02} is not one of the 38 provinces")]
    UnknownProvince(u8),
    /// Digits 7–12 are not a real date (after taking 40 off the day for women).
    #[error("NIK digits 7-12 are not a real birth date")]
    InvalidBirthDate,
    /// Digits 13–16 are 0000; serials start at 0001.
    #[error("NIK serial (digits 13-16) must not be 0000")]
    ZeroSerial,
}

impl NikError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            NikError::NotSixteenDigits => "nik_not_16_digits",
            NikError::UnknownProvince(_) => "nik_unknown_province",
            NikError::InvalidBirthDate => "nik_invalid_birth_date",
            NikError::ZeroSerial => "nik_zero_serial",
        }
    }
}

/// A well-formed NIK. It can only be built by parsing, which checks every rule.
///
/// Regency and district codes (digits 3–6) are not checked against any list, because
/// codes are split and renumbered over time.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nik {
    digits: [u8; 16],
}

impl Nik {
    /// Parses a NIK from its 16-digit text.
    pub fn parse(s: &str) -> Result<Nik, NikError> {
        let bytes = s.as_bytes();
        if bytes.len() != 16 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(NikError::NotSixteenDigits);
        }
        let mut digits = [0u8; 16];
        for (d, b) in digits.iter_mut().zip(bytes) {
            *d = b - b'0';
        }
        Nik::from_digits(digits)
    }

    fn from_digits(digits: [u8; 16]) -> Result<Nik, NikError> {
        let nik = Nik { digits };
        let province = nik.province_code();
        if !PROVINCES.iter().any(|(c, _)| *c == province) {
            return Err(NikError::UnknownProvince(province));
        }
        let (day, month, yy) = nik.date_digits();
        let day = if day > 40 { day - 40 } else { day };
        let real = [1900i32, 2000].iter().any(|century| date_from(century + i32::from(yy), month, day).is_some());
        if !real {
            return Err(NikError::InvalidBirthDate);
        }
        if nik.serial() == 0 {
            return Err(NikError::ZeroSerial);
        }
        Ok(nik)
    }

    /// Builds a NIK from its numeric value (as stored in the binary format).
    pub fn from_u64(v: u64) -> Result<Nik, NikError> {
        if v >= 10_000_000_000_000_000 {
            return Err(NikError::NotSixteenDigits);
        }
        let mut digits = [0u8; 16];
        let mut rest = v;
        for d in digits.iter_mut().rev() {
            *d = (rest % 10) as u8;
            rest /= 10;
        }
        Nik::from_digits(digits)
    }

    /// The NIK as a number (leading zeros are impossible: province codes start at 11).
    pub fn to_u64(&self) -> u64 {
        self.digits.iter().fold(0u64, |acc, d| acc * 10 + u64::from(*d))
    }

    fn pair(&self, i: usize) -> u8 {
        let hi = self.digits.get(i).copied().unwrap_or(0);
        let lo = self.digits.get(i + 1).copied().unwrap_or(0);
        hi * 10 + lo
    }

    /// The two-digit province code of first registration.
    pub fn province_code(&self) -> u8 {
        self.pair(0)
    }

    /// The province name for the code, from the 2025 list.
    pub fn province_name(&self) -> Option<&'static str> {
        let code = self.province_code();
        PROVINCES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
    }

    /// The six-digit region prefix (province, regency, district) of first registration.
    pub fn region_prefix(&self) -> String {
        self.digits.iter().take(6).map(|d| char::from(b'0' + d)).collect()
    }

    fn date_digits(&self) -> (u8, u8, u8) {
        (self.pair(6), self.pair(8), self.pair(10))
    }

    /// The sex encoded in the day digits.
    pub fn sex(&self) -> Sex {
        if self.pair(6) > 40 { Sex::Perempuan } else { Sex::LakiLaki }
    }

    /// Whether a birth date agrees with digits 7–12 (day, month, two-digit year).
    pub fn matches_birth_date(&self, date: Date) -> bool {
        let (day, month, yy) = self.date_digits();
        let day = if day > 40 { day - 40 } else { day };
        date.day() == day && u8::from(date.month()) == month && date.year().rem_euclid(100) == i32::from(yy)
    }

    /// The four-digit serial.
    pub fn serial(&self) -> u16 {
        u16::from(self.pair(12)) * 100 + u16::from(self.pair(14))
    }

    /// The NIK with all but its last four digits masked, for display.
    pub fn masked(&self) -> String {
        let s = self.to_string();
        format!("************{}", s.get(12..).unwrap_or(""))
    }
}

fn date_from(year: i32, month: u8, day: u8) -> Option<Date> {
    let month = Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.digits {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Masked: a NIK is personal data and must not leak into logs through `Debug`.
impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

impl FromStr for Nik {
    type Err = NikError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nik::parse(s)
    }
}

impl NikError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            NikError::NotSixteenDigits => "NIK harus tepat 16 angka".into(),
            NikError::UnknownProvince(c) => format!("kode provinsi NIK {c:02} bukan salah satu dari 38 provinsi"),
            NikError::InvalidBirthDate => "angka ke-7 s.d. 12 NIK bukan tanggal lahir yang benar".into(),
            NikError::ZeroSerial => "nomor urut NIK (angka ke-13 s.d. 16) tidak boleh 0000".into(),
        }
    }
}

crate::lang::user_error!(NikError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use time::macros::date;

    #[test]
    fn reference_niks_parse() {
        let n = Nik::parse("3604055708900003").unwrap();
        assert_eq!(n.sex(), Sex::Perempuan);
        assert!(n.matches_birth_date(date!(1990 - 08 - 17)));
        assert!(!n.matches_birth_date(date!(1990 - 08 - 18)));
        assert_eq!(n.province_name(), Some("BANTEN"));
        assert_eq!(n.serial(), 3);
        assert_eq!(n.to_string(), "3604055708900003");
        assert_eq!(Nik::from_u64(n.to_u64()).unwrap(), n);
        assert_eq!(format!("{n:?}"), "Nik(************0003)");
        let m = Nik::parse("3604010903850012").unwrap();
        assert_eq!(m.sex(), Sex::LakiLaki);
    }

    #[test]
    fn rejects_each_rule() {
        assert_eq!(Nik::parse("360405570890000"), Err(NikError::NotSixteenDigits));
        assert_eq!(Nik::parse("36040557089000031"), Err(NikError::NotSixteenDigits));
        assert_eq!(Nik::parse("360405570890000a"), Err(NikError::NotSixteenDigits));
        assert_eq!(Nik::parse("３６04055708900003"), Err(NikError::NotSixteenDigits));
        assert_eq!(Nik::parse("2004055708900003"), Err(NikError::UnknownProvince(20)));
        assert_eq!(Nik::parse("3604053208900003"), Err(NikError::InvalidBirthDate));
        assert_eq!(Nik::parse("3604057208900003"), Err(NikError::InvalidBirthDate));
        assert_eq!(Nik::parse("3604050013900003"), Err(NikError::InvalidBirthDate));
        assert_eq!(Nik::parse("3604053002900003"), Err(NikError::InvalidBirthDate));
        assert_eq!(Nik::parse("3604055708900000"), Err(NikError::ZeroSerial));
    }

    #[test]
    fn unknown_regency_is_not_an_error() {
        // 99/99 is on no regency list; the province (36) is real.
        assert!(Nik::parse("3699995708900003").is_ok());
    }

    #[test]
    fn leap_day_of_either_century() {
        // 29 Feb 00 exists in 2000 only; 29 Feb 04 in 1904 and 2004.
        assert!(Nik::parse("3604296902000001").is_ok());
        assert!(Nik::parse("3604292902040001").is_ok());
        assert_eq!(Nik::parse("3604292902010001"), Err(NikError::InvalidBirthDate));
    }

    #[test]
    fn old_papua_codes_stay_valid() {
        assert!(Nik::parse("9471010101800001").is_ok());
        assert!(Nik::parse("9101010101800001").is_ok());
    }
}
