//! The binary payload of a presentation (kind byte 0x02 prepended here): disclosure bitmap,
//! salt seeds, disclosed values, Merkle siblings, issuer signature and the optional live part
//! (time, challenge, holder signature). Verified with and without a counter challenge.
#![no_main]

use ikd_core::format::payload_to_text;
use ikd_core::{Policy, VerifyOptions};
use ikd_fuzz::{exercise, fresh, list_verifier, store_verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut payload = Vec::with_capacity(data.len() + 1);
    payload.push(0x02);
    payload.extend_from_slice(data);
    let text = payload_to_text(&payload);
    exercise(&fresh(store_verifier()).verify(&text));
    let policies = Policy::builtin();
    let opts = VerifyOptions { policy: policies.first(), challenge: Some(b"K7Q2X9"), now: None };
    exercise(&fresh(list_verifier()).verify_with(&text, &opts));
});
