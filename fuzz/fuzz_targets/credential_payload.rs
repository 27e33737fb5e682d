//! The binary payload of a full credential (what the Base45 layer carries): header, salt
//! secret, the sixteen claim slots and the signature. Feeding bytes skips the text layer, so
//! the fuzzer works on the structure itself.
#![no_main]

use ikd_core::UnverifiedCredential;
use ikd_core::format::payload_to_text;
use ikd_fuzz::{exercise, fresh, list_verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = UnverifiedCredential::from_payload(data.to_vec()) {
        assert_eq!(c.payload(), data);
        let _ = (c.header(), c.claims().to_json_value(), c.age_over(), c.photo(), c.issuer_part_len());
        let _ = format!("{c:?}");
    }
    exercise(&fresh(list_verifier()).verify(&payload_to_text(data)));
});
