//! `ikd dev gen-residents N`: synthetic residents as claims JSON Lines, for load tests.
//!
//! Names, places and dates are drawn from small lists with a seeded generator, so the same seed
//! gives the same file. Every NIK agrees with its birth date and sex, and every record is checked
//! with `Claims::from_json_value` before it is printed.

use std::io::Write;

use clap::Args;
use ikd_core::{Claims, PEKERJAAN_DICTIONARY};
use serde_json::json;

use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::tr;

/// `ikd dev gen-residents` arguments.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// How many residents.
    pub count: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print bare claims objects instead of `{"case": …, "claims": {…}}`.
    #[arg(long)]
    pub plain: bool,
}

/// xorshift64*: small, fast and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len() as u64) as usize).copied().unwrap_or("")
    }
}

/// (province code, province name, [(regency code, regency name)]).
type Region = (u8, &'static str, &'static [(u8, &'static str)]);
const REGIONS: &[Region] = &[
    (
        36,
        "BANTEN",
        &[(4, "KABUPATEN SERANG"), (1, "KABUPATEN PANDEGLANG"), (71, "KOTA TANGERANG"), (73, "KOTA SERANG")],
    ),
    (32, "JAWA BARAT", &[(1, "KABUPATEN BOGOR"), (4, "KABUPATEN BANDUNG"), (73, "KOTA BANDUNG"), (75, "KOTA BEKASI")]),
    (31, "DKI JAKARTA", &[(71, "KOTA JAKARTA PUSAT"), (74, "KOTA JAKARTA SELATAN"), (75, "KOTA JAKARTA TIMUR")]),
    (33, "JAWA TENGAH", &[(74, "KOTA SEMARANG"), (72, "KOTA SURAKARTA"), (2, "KABUPATEN BANYUMAS")]),
    (35, "JAWA TIMUR", &[(78, "KOTA SURABAYA"), (73, "KOTA MALANG"), (15, "KABUPATEN SIDOARJO")]),
    (12, "SUMATERA UTARA", &[(71, "KOTA MEDAN"), (7, "KABUPATEN DELI SERDANG")]),
    (51, "BALI", &[(71, "KOTA DENPASAR"), (3, "KABUPATEN BADUNG")]),
    (73, "SULAWESI SELATAN", &[(71, "KOTA MAKASSAR"), (6, "KABUPATEN GOWA")]),
];

const MEN: &[&str] = &[
    "AHMAD",
    "BUDI",
    "DEDI",
    "EKO",
    "FAJAR",
    "HENDRA",
    "IRWAN",
    "JOKO",
    "KURNIAWAN",
    "MUHAMMAD",
    "RUDI",
    "SLAMET",
    "TAUFIK",
    "WAHYU",
    "YUSUF",
    "AGUS",
    "BAMBANG",
    "DWI",
    "RIZKY",
    "ANDI",
];
const WOMEN: &[&str] = &[
    "SITI",
    "DEWI",
    "SRI",
    "NURUL",
    "RINA",
    "WULAN",
    "PUTRI",
    "AYU",
    "INDAH",
    "LESTARI",
    "FITRI",
    "MAYA",
    "RATNA",
    "YULIANTI",
    "ANISA",
    "DIAN",
    "EVI",
    "NOVI",
    "RAHMAWATI",
    "KARTIKA",
];
const FAMILY: &[&str] = &[
    "SANTOSO",
    "HIDAYAT",
    "NURHALIZA",
    "SETIAWAN",
    "WIJAYA",
    "SAPUTRA",
    "KUSUMA",
    "PRATAMA",
    "LESTARI",
    "SUSANTO",
    "RAHMAN",
    "HASANUDDIN",
    "SIREGAR",
    "NASUTION",
    "GUNAWAN",
    "PERMATA",
    "SARI",
    "UTAMI",
    "FAUZI",
    "MAULANA",
];
const CITIES: &[&str] = &[
    "SERANG",
    "JAKARTA",
    "BANDUNG",
    "SURABAYA",
    "MEDAN",
    "SEMARANG",
    "MAKASSAR",
    "DENPASAR",
    "PANDEGLANG",
    "BOGOR",
    "MALANG",
    "SOLO",
    "TANGERANG",
    "YOGYAKARTA",
    "PALEMBANG",
];
const PLACES: &[&str] = &[
    "CIKANDE",
    "CIRUAS",
    "KRAGILAN",
    "KEMANISAN",
    "SUKAMAJU",
    "MEKARSARI",
    "SUKASARI",
    "TAMANSARI",
    "CIBEBER",
    "KARANGANYAR",
    "SUMBERSARI",
    "MARGAHAYU",
    "JATIMULYA",
    "PASIRJAYA",
];
const STREETS: &[&str] = &[
    "RAYA CIRUAS",
    "MERDEKA",
    "SUDIRMAN",
    "DIPONEGORO",
    "GATOT SUBROTO",
    "AHMAD YANI",
    "PAHLAWAN",
    "KARTINI",
    "MELATI",
    "MAWAR",
    "PEMUDA",
    "SILIWANGI",
];
const BLOOD: &[&str] = &["A", "A+", "B", "B+", "AB", "O", "O+", "O-", "TIDAK TAHU"];
const RELIGION: &[&str] = &["ISLAM", "ISLAM", "ISLAM", "ISLAM", "KRISTEN", "KATHOLIK", "HINDU", "BUDHA", "KHONGHUCU"];
const COUNTRIES: &[&str] = &["MALAYSIA", "SINGAPURA", "JEPANG", "AUSTRALIA", "BELANDA"];

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// One resident: `i` makes the NIK's serial digits unique within 9,999 consecutive records.
fn resident(rng: &mut Rng, i: usize) -> serde_json::Value {
    let (pcode, pname, regs) =
        REGIONS.get(rng.below(REGIONS.len() as u64) as usize).copied().unwrap_or((36, "BANTEN", &[]));
    let (rcode, rname) = regs.get(rng.below(regs.len() as u64) as usize).copied().unwrap_or((4, "KABUPATEN SERANG"));
    let district = 1 + rng.below(20) as u8;
    let woman = rng.below(2) == 0;
    let year = 1940 + rng.below(69) as i32;
    let month = 1 + rng.below(12) as u32;
    let day = 1 + rng.below(u64::from(days_in_month(year, month))) as u32;
    let nik_day = if woman { day + 40 } else { day };
    let serial = (i % 9999) + 1;
    let nik = format!("{pcode:02}{rcode:02}{district:02}{nik_day:02}{month:02}{:02}{serial:04}", year.rem_euclid(100));
    let first = rng.pick(if woman { WOMEN } else { MEN });
    let nama = if rng.below(5) == 0 { first.to_owned() } else { format!("{first} {}", rng.pick(FAMILY)) };
    let age = 2026 - year;
    let status = if age < 20 {
        "BELUM KAWIN"
    } else {
        rng.pick(&["KAWIN", "KAWIN", "KAWIN", "BELUM KAWIN", "CERAI HIDUP", "CERAI MATI"])
    };
    let pekerjaan = if age < 23 {
        "PELAJAR/MAHASISWA".to_owned()
    } else if age > 62 {
        "PENSIUNAN".to_owned()
    } else if rng.below(10) == 0 {
        "PENGRAJIN ANYAMAN".to_owned()
    } else {
        rng.pick(&PEKERJAAN_DICTIONARY).to_owned()
    };
    let alamat = match rng.below(3) {
        0 => format!("JL. {} NO. {}", rng.pick(STREETS), 1 + rng.below(200)),
        1 => format!("KP. {}", rng.pick(PLACES)),
        _ => format!(
            "PERUM {} BLOK {}{} NO. {}",
            rng.pick(PLACES),
            rng.pick(&["A", "B", "C", "D"]),
            1 + rng.below(20),
            1 + rng.below(40)
        ),
    };
    let mut claims = json!({
        "nik": nik,
        "nama": nama,
        "tempat_lahir": rng.pick(CITIES),
        "tanggal_lahir": format!("{year:04}-{month:02}-{day:02}"),
        "jenis_kelamin": if woman { "PEREMPUAN" } else { "LAKI-LAKI" },
        "golongan_darah": rng.pick(BLOOD),
        "alamat": alamat,
        "rt": format!("{:03}", 1 + rng.below(15)),
        "rw": format!("{:03}", 1 + rng.below(12)),
        "kel_desa": rng.pick(PLACES),
        "kecamatan": rng.pick(PLACES),
        "kabupaten_kota": rname,
        "provinsi": pname,
        "agama": rng.pick(RELIGION),
        "status_perkawinan": status,
        "pekerjaan": pekerjaan,
        "kewarganegaraan": "WNI",
        "berlaku_hingga": "SEUMUR HIDUP",
    });
    if rng.below(50) == 0
        && let Some(o) = claims.as_object_mut()
    {
        o.insert("kewarganegaraan".into(), "WNA".into());
        o.insert("negara".into(), rng.pick(COUNTRIES).into());
        o.insert("berlaku_hingga".into(), format!("{}-12-31", 2032 + rng.below(5)).into());
    }
    claims
}

/// `ikd dev gen-residents`.
pub fn cmd_gen(ctx: &Ctx, a: &GenArgs) -> CliResult<u8> {
    let mut rng = Rng(a.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for i in 0..a.count {
        let claims = resident(&mut rng, i);
        if let Err(e) = Claims::from_json_value(claims.clone()) {
            return Err(CliError::new(
                "gen_invalid",
                tr!(ctx.lang, "data buatan tidak sah (bug): {}", "generated record is invalid (bug): {}", e),
            ));
        }
        let line = if a.plain { claims } else { json!({"case": format!("gen-{:06}", i + 1), "claims": claims}) };
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    let _ = out.flush();
    Ok(0)
}
