//! Heap allocations of a verification, counted with dhat's testing mode (issue 18): a
//! deterministic guard for the cost of the core's decoding, claims and view, which timing
//! cannot give in a test. The budgets are today's counts; a change that adds an allocation per
//! credential fails here and must say why (or raise the budget in the same change).
//!
//! One test in this binary: dhat's profiler is one per process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use ikd_core::*;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Allocations made while `f` runs.
fn blocks(f: impl FnOnce()) -> u64 {
    let before = dhat::HeapStats::get().total_blocks;
    f();
    dhat::HeapStats::get().total_blocks - before
}

#[test]
fn a_verification_allocates_within_its_budget() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let env = Env::new();
    let verifier = env.verifier();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    // Warm up (lazily built tables, the clock).
    assert_eq!(verifier.verify(&text).verdict(), Verdict::Valid);

    let one = blocks(|| {
        let v = verifier.verify(&text);
        assert_eq!(v.verdict(), Verdict::Valid);
    });
    let texts = vec![text.as_str(); 256];
    let batch = blocks(|| {
        let vs = verifier.verify_batch(&texts);
        assert!(vs.iter().all(|v| v.verdict() == Verdict::Valid));
    });
    let line = blocks(|| {
        let v = verifier.verify(&text);
        let l = view::VerdictLine::new(&v, Lang::Id);
        assert_eq!(l.verdict, Verdict::Valid);
    });
    println!(
        "allocations: one verification {one}, a batch of 256 {batch} ({:.2} per text), verify + VerdictLine {line}",
        batch as f64 / 256.0
    );
    // 13 per credential on 2026-12-05 (20 before issue 18's cuts: the slots' value vector, the
    // commitment tree's slot list, the dictionary texts, the kabupaten prefix and the list of
    // checks' regrowth). What is left: the payload, the credential box, the signed message, the
    // report and its list of checks, the six free texts and the issuer's name twice.
    assert!(one <= 13, "one verification: {one} allocations (budget 13)");
    // The batch's own vectors, shared by its 256 texts, add a few.
    assert!(batch <= 13 * 256 + 32, "a batch of 256: {batch} allocations (budget 13 per text + 32)");
    assert!(line <= one, "a VALID VerdictLine allocates: {line} against {one}");
}
