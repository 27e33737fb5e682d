//! Baseline for `scripts/throughput.sh`: bare strict Ed25519 verifications per second on one
//! core (`ikd_core::verify_signature_strict`), over a message the size of a credential's signed
//! message (16-byte tag + ~30-byte issuer part + 32-byte commitment root).
//!
//! `cargo run --release -p ikd-cli --example bare_verify [N]` prints `bare_verify_per_sec=<rate>`.

use std::time::Instant;

use ikd_core::{SecretKey, verify_signature_strict};

fn main() {
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let key = SecretKey::from_seed(&[7u8; 32]);
    let pk = key.public_key();
    let message = [0x5au8; 78];
    let sig = key.sign(&message);
    // Warm up caches and the CPU clock.
    for _ in 0..n / 10 {
        std::hint::black_box(verify_signature_strict(&pk, &message, &sig));
    }
    let start = Instant::now();
    let mut ok = 0u32;
    for _ in 0..n {
        if verify_signature_strict(std::hint::black_box(&pk), std::hint::black_box(&message), &sig) {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if ok != n {
        eprintln!("a signature failed to verify");
        std::process::exit(1);
    }
    println!("bare_verify_per_sec={:.0}", f64::from(n) / secs);
}
