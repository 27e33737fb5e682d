//! The double-base multiplication of every strict signature check, run at a stack offset the
//! process has found fast.
//!
//! Natively, the speed of curve25519-dalek's variable-time double-base multiplication depends
//! on where its stack frame lies modulo 4096: on the development machine (AMD EPYC, AVX2
//! backend) the same check took 31.8 µs at two thirds of the offsets and up to 42.8 µs at the
//! others (`ikd-core/examples/stack_offset.rs`, docs/BENCHMARKS.md, "The stack's offset"), most
//! likely 4K aliasing between the loop's stack traffic and the fixed tables it reads.
//! Address-space randomisation draws the stack's offset anew for every process and thread, so
//! without this, one process in three verified every signature up to a third slower.
//!
//! [`double_base`] calls the multiplication below a pad whose size puts the multiplication's
//! frame at one of 32 positions (128 bytes apart) whatever the caller's stack depth. Which
//! position is fast depends on the binary, so the first call in a process times each position
//! a few times (about 100 multiplications, a few milliseconds, once) and keeps the middle of
//! the fastest run of positions. The answer is the same at every position: only the time
//! differs. On wasm32 (no such effect measured, and no clock to calibrate with) the
//! multiplication is called directly.

use curve25519_dalek::{EdwardsPoint, Scalar};

/// `[k]A + [s]B`, computed at the process's calibrated stack offset (natively).
pub(crate) fn double_base(k: &Scalar, a: &EdwardsPoint, s: &Scalar) -> EdwardsPoint {
    #[cfg(not(target_arch = "wasm32"))]
    {
        native::at_position(native::best_position(), k, a, s)
    }
    #[cfg(target_arch = "wasm32")]
    {
        EdwardsPoint::vartime_double_scalar_mul_basepoint(k, a, s)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::sync::OnceLock;
    use std::time::Instant;

    use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
    use curve25519_dalek::{EdwardsPoint, Scalar};

    /// Distance between two positions, in bytes.
    const STEP: usize = 128;
    /// Positions in 4096 bytes.
    pub(super) const POSITIONS: usize = 4096 / STEP;
    /// Timings per position in the calibration (the fastest counts).
    const PASSES: usize = 3;

    static BEST: OnceLock<usize> = OnceLock::new();

    /// The calibrated position (calibrating on the first call of the process).
    pub(super) fn best_position() -> usize {
        *BEST.get_or_init(calibrate)
    }

    /// The multiplication with its frame at `position` (0..32) modulo 4096, within 128 bytes.
    #[inline(never)]
    pub(super) fn at_position(position: usize, k: &Scalar, a: &EdwardsPoint, s: &Scalar) -> EdwardsPoint {
        // Where this frame is; the pad below it moves the multiplication to `position`.
        let marker = black_box(0u8);
        let here = std::ptr::addr_of!(marker) as usize / STEP;
        let slot = (here + POSITIONS * 2 - position % POSITIONS) % POSITIONS;
        let r = below_pad(slot, k, a, s);
        black_box(marker);
        r
    }

    /// Calls the multiplication below a pad of `16 + 128 × slot` bytes.
    fn below_pad(slot: usize, k: &Scalar, a: &EdwardsPoint, s: &Scalar) -> EdwardsPoint {
        macro_rules! pads {
            ($($i:literal),+) => {
                match slot {
                    $($i => pad::<{ 16 + STEP * $i }>(k, a, s),)+
                    _ => EdwardsPoint::vartime_double_scalar_mul_basepoint(k, a, s),
                }
            };
        }
        pads!(
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
            29, 30, 31
        )
    }

    #[inline(never)]
    fn pad<const N: usize>(k: &Scalar, a: &EdwardsPoint, s: &Scalar) -> EdwardsPoint {
        let pad = black_box([0u8; N]);
        let r = EdwardsPoint::vartime_double_scalar_mul_basepoint(k, a, s);
        black_box(&pad);
        r
    }

    /// Times each position [`PASSES`] times (a fixed multiplication; the answer is not used)
    /// and answers the middle of the fastest run ([`choose`]), so that a frame a few bytes off
    /// still lands in the fast band.
    fn calibrate() -> usize {
        let k = Scalar::from_bytes_mod_order([0x5a; 32]);
        let s = Scalar::from_bytes_mod_order([0xa5; 32]);
        let a = -ED25519_BASEPOINT_POINT;
        let mut fastest = [u128::MAX; POSITIONS];
        for _ in 0..PASSES {
            for (position, best) in fastest.iter_mut().enumerate() {
                let t0 = Instant::now();
                black_box(at_position(position, black_box(&k), &a, &s));
                *best = (*best).min(t0.elapsed().as_nanos());
            }
        }
        choose(&fastest)
    }

    /// The position whose slowest neighbour (one each side, cyclically) is fastest; of those,
    /// the one with the least time over two neighbours each side (the middle of a fast run).
    pub(super) fn choose(times: &[u128; POSITIONS]) -> usize {
        let at = |i: usize| times.get(i % POSITIONS).copied().unwrap_or(u128::MAX);
        (0..POSITIONS)
            .min_by_key(|&i| {
                let near = at(i + POSITIONS - 1).max(at(i)).max(at(i + 1));
                let around = (i + POSITIONS - 2..=i + POSITIONS + 2).map(at).fold(0u128, u128::saturating_add);
                (near, around)
            })
            .unwrap_or(0)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::native::{POSITIONS, at_position, best_position, choose};
    use super::*;
    use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;

    #[test]
    fn every_position_gives_the_same_point() {
        let k = Scalar::from_bytes_mod_order([7; 32]);
        let s = Scalar::from_bytes_mod_order([9; 32]);
        let a = ED25519_BASEPOINT_POINT * Scalar::from(123_456_789u64);
        let expect = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &a, &s);
        for p in 0..POSITIONS + 3 {
            assert_eq!(at_position(p, &k, &a, &s), expect, "position {p}");
        }
        assert_eq!(double_base(&k, &a, &s), expect);
        assert!(best_position() < POSITIONS);
    }

    #[test]
    fn the_middle_of_the_fastest_run_is_chosen() {
        let mut t = [40u128; POSITIONS];
        // A lone fast position (noise) loses to the middle of a fast run.
        t[3] = 10;
        t[10..16].fill(20);
        assert_eq!(choose(&t), 12);
        // The run may wrap around the end.
        let mut t = [40u128; POSITIONS];
        for i in [30, 31, 0, 1, 2] {
            t[i] = 20;
        }
        assert_eq!(choose(&t), 0);
    }
}
