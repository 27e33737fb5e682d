//! Baseline for `scripts/throughput.sh`: bare strict Ed25519 verifications per second on one
//! core, over a message the size of a credential's signed message (16-byte tag + ~30-byte
//! issuer part + 32-byte commitment root). Two figures: ed25519-dalek's own `verify_strict`
//! (issue 18's "bare strict verification", the ratios' baseline) and the core's
//! `verify_signature_strict` (the same answers, R′ compared as a point: faster).
//!
//! dalek's check runs its multiplication wherever the stack happens to lie, and its speed
//! depends on that by up to a third (docs/BENCHMARKS.md, "The stack's offset"): its rate here
//! is the fastest of 8 stack offsets 512 bytes apart, so that the baseline is never a slow
//! draw that would flatter the ratios.
//!
//! `cargo run --release -p ikd-cli --example bare_verify [N]` prints
//! `bare_verify_per_sec=<rate>` (dalek's) and `core_strict_verify_per_sec=<rate>`.

use std::hint::black_box;
use std::time::Instant;

use ikd_core::{SecretKey, verify_signature_strict};

fn rate(n: u32, f: &dyn Fn() -> bool) -> f64 {
    // Warm up caches and the CPU clock.
    for _ in 0..n / 10 {
        black_box(f());
    }
    let start = Instant::now();
    let mut ok = 0u32;
    for _ in 0..n {
        if f() {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if ok != n {
        eprintln!("a signature failed to verify");
        std::process::exit(1);
    }
    f64::from(n) / secs
}

/// `rate(n, f)` with `N` more bytes of stack below this frame.
#[inline(never)]
fn rate_below<const N: usize>(n: u32, f: &dyn Fn() -> bool) -> f64 {
    let pad = black_box([0u8; N]);
    let r = rate(n, f);
    black_box(&pad);
    r
}

/// The fastest of `rate(n / 4, f)` at 8 stack offsets, 512 bytes apart.
fn fastest_offset(n: u32, f: &dyn Fn() -> bool) -> f64 {
    let m = (n / 4).max(1);
    [
        rate_below::<16>(m, f),
        rate_below::<{ 16 + 512 }>(m, f),
        rate_below::<{ 16 + 1024 }>(m, f),
        rate_below::<{ 16 + 1536 }>(m, f),
        rate_below::<{ 16 + 2048 }>(m, f),
        rate_below::<{ 16 + 2560 }>(m, f),
        rate_below::<{ 16 + 3072 }>(m, f),
        rate_below::<{ 16 + 3584 }>(m, f),
    ]
    .into_iter()
    .fold(0.0, f64::max)
}

fn main() {
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let key = SecretKey::from_seed(&[7u8; 32]);
    let pk = key.public_key();
    let message = [0x5au8; 78];
    let sig = key.sign(&message);
    let Ok(dalek_key) = ed25519_dalek::VerifyingKey::from_bytes(pk.as_bytes()) else {
        eprintln!("the key does not parse");
        std::process::exit(1);
    };
    let dalek_sig = ed25519_dalek::Signature::from_bytes(&sig);
    let dalek = fastest_offset(n, &|| black_box(&dalek_key).verify_strict(black_box(&message), &dalek_sig).is_ok());
    let core = rate(n, &|| verify_signature_strict(black_box(&pk), black_box(&message), &sig));
    println!("bare_verify_per_sec={dalek:.0}");
    println!("core_strict_verify_per_sec={core:.0}");
}
