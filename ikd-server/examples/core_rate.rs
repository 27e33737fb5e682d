//! How many credentials `Verifier::verify` checks per second on one thread: the baseline that
//! `scripts/load-test.sh` compares the server's throughput with.
//!
//! ```text
//! cargo run --release -p ikd-server --example core_rate -- [--secs N] [--demo-dir DIR --sample FILE]
//! ```
//!
//! With `--demo-dir` and `--sample` it verifies the same demo credential the load test posts,
//! trusting the demo issuer key in `DIR/issuer.key`; otherwise it issues a typical credential
//! with a fresh key.
#![allow(clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ikd_core::{
    Claims, IssueRequest, Issuer, SecretKey, Serial, StatusIndex, Timestamp, TrustStore, TrustedIssuer, Verdict,
    Verifier,
};

fn main() {
    let mut secs = 10u64;
    let mut demo_dir: Option<PathBuf> = None;
    let mut sample: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--secs" => secs = args.next().and_then(|v| v.parse().ok()).expect("--secs N"),
            "--demo-dir" => demo_dir = args.next().map(PathBuf::from),
            "--sample" => sample = args.next().map(PathBuf::from),
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let (key, text) = match (demo_dir, sample) {
        (Some(dir), Some(sample)) => {
            let key_text = std::fs::read_to_string(dir.join("issuer.key")).expect("demo issuer key");
            let key = SecretKey::from_file_text(&key_text).expect("valid key file");
            let text = std::fs::read_to_string(sample).expect("sample credential").trim().to_owned();
            (key, text)
        }
        _ => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).expect("randomness");
            let issuer = Issuer::new(SecretKey::from_seed(&seed));
            let claims = Claims::from_json_value(serde_json::json!({
                "nik": "3604010903850012", "nama": "AHMAD FAUZI", "tempat_lahir": "SERANG",
                "tanggal_lahir": "1985-03-09", "jenis_kelamin": "LAKI-LAKI", "golongan_darah": "B",
                "alamat": "JL. RAYA CIRUAS NO. 17", "rt": "004", "rw": "002", "kel_desa": "CIRUAS",
                "kecamatan": "CIRUAS", "kabupaten_kota": "KABUPATEN SERANG", "provinsi": "BANTEN",
                "agama": "ISLAM", "status_perkawinan": "KAWIN", "pekerjaan": "WIRASWASTA",
                "kewarganegaraan": "WNI", "berlaku_hingga": "SEUMUR HIDUP"
            }))
            .expect("claims");
            let now = Timestamp::now();
            let req = IssueRequest {
                claims,
                serial: Serial::new(1).expect("serial"),
                status_index: StatusIndex::new(1),
                issued_at: now,
                valid_from: now,
                expires_at: now.plus(365 * 86_400),
                holder_key: None,
                photo: None,
            };
            let text = issuer.issue(&req).expect("issue").text().to_owned();
            (SecretKey::from_seed(&seed), text)
        }
    };
    let mut trust = TrustStore::new();
    trust.add(TrustedIssuer {
        name: "core-rate".into(),
        public_key: key.public_key(),
        not_before: Timestamp::from_unix(ikd_core::format::WIRE_EPOCH),
        not_after: Timestamp::now().plus(3650 * 86_400),
    });
    let verifier = Verifier::new(trust);
    assert_eq!(verifier.verify(&text).verdict(), Verdict::Valid, "the credential must verify");
    // Warm up, then count for `secs` seconds.
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(500) {
        std::hint::black_box(verifier.verify(&text));
    }
    let start = Instant::now();
    let limit = Duration::from_secs(secs);
    let mut n = 0u64;
    while start.elapsed() < limit {
        for _ in 0..64 {
            std::hint::black_box(verifier.verify(std::hint::black_box(&text)));
        }
        n += 64;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    println!("core_verify_per_sec={rate:.0}");
    println!("core_verify_us={:.1}", 1e6 / rate);
    println!("text_chars={}", text.len());
}
