//! How the speed of a strict Ed25519 check depends on where the stack lies: calls
//! ed25519-dalek's `verify_strict` and the core's `verify_signature_strict` below a pad of
//! 16 + 64·k bytes (k = 0..63), so that the checks' stack frames start at 64 different offsets
//! modulo 4096, and prints the time per check of each at each offset (fastest of 3 batches).
//! Address-space randomisation draws the stack's offset anew for every process, so one process
//! (a Python interpreter, a server) would run every check at one of these speeds; the core's
//! check runs its multiplication at a calibrated offset instead (`ikd-core/src/stack_offset.rs`),
//! so its column should be flat where dalek's is not (docs/BENCHMARKS.md, "The stack's offset").
//!
//! `cargo run --release -p ikd-core --example stack_offset -- [N=3000]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use ikd_core::{PublicKey, SecretKey, verify_signature_strict};

#[inline(never)]
fn timed(check: &dyn Fn() -> bool, n: u32) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t0 = Instant::now();
        for _ in 0..n {
            black_box(check());
        }
        best = best.min(t0.elapsed().as_secs_f64() * 1e6 / f64::from(n));
    }
    best
}

/// Both checks below a pad of `N` bytes: the pad's address modulo 4096, and µs per check of
/// dalek's `verify_strict` and of the core's `verify_signature_strict`.
#[inline(never)]
fn below_pad<const N: usize>(key: &PublicKey, message: &[u8], signature: &[u8; 64], n: u32) -> (usize, f64, f64) {
    let pad = black_box([0u8; N]);
    let at = std::ptr::addr_of!(pad) as usize % 4096;
    let dalek_key = ed25519_dalek::VerifyingKey::from_bytes(key.as_bytes()).expect("a valid key");
    let dalek_sig = ed25519_dalek::Signature::from_bytes(signature);
    let dalek = timed(&|| dalek_key.verify_strict(black_box(message), &dalek_sig).is_ok(), n);
    let core = timed(&|| verify_signature_strict(key, black_box(message), signature), n);
    black_box(pad);
    (at, dalek, core)
}

fn main() {
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3000);
    let key = SecretKey::from_seed(&[0x11; 32]);
    let public = key.public_key();
    let message = b"ikd stack offset: one message, one signature, 64 stack offsets".to_vec();
    let signature = key.sign(&message);
    let mut rows = Vec::new();
    macro_rules! at {
        ($($k:literal),+) => { $( rows.push(below_pad::<{ 16 + 64 * $k }>(&public, &message, &signature, n)); )+ };
    }
    at!(
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
        30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57,
        58, 59, 60, 61, 62, 63
    );
    rows.sort_by_key(|r| r.0);
    for (at, dalek, core) in &rows {
        println!("stack offset {at:4}: dalek verify_strict {dalek:6.2} us, core verify_signature_strict {core:6.2} us");
    }
    let summary = |us: Vec<f64>| {
        let mut sorted = us;
        sorted.sort_by(f64::total_cmp);
        let fastest = sorted.first().copied().unwrap_or(f64::NAN);
        let slowest = sorted.last().copied().unwrap_or(f64::NAN);
        let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
        serde_json::json!({"fastest_us": fastest, "median_us": median, "slowest_us": slowest,
            "slowest_over_fastest": slowest / fastest})
    };
    println!(
        "{}",
        serde_json::json!({"n": n, "offsets": rows.len(),
            "dalek_verify_strict": summary(rows.iter().map(|r| r.1).collect()),
            "core_verify_signature_strict": summary(rows.iter().map(|r| r.2).collect())})
    );
}
