//! The core's strict Ed25519 checks against ed25519-dalek's own `verify_strict`, the reference:
//! `verify_signature_strict` (every signature the core checks) and `PrecomputedKey::verify_strict`
//! (issuer keys on wasm32) must answer exactly as it does, for any key, message and signature.
//!
//! Byte 0 picks one of four test keys and the mode:
//!
//! * bit 2 clear: the next 64 bytes are a signature and the rest the message, as given;
//! * bit 2 set: the rest is the message, which the target signs; the message's first bytes
//!   (up to 64) are then XORed into the signature, so that most inputs are near-valid
//!   signatures (a flipped bit of S above ℓ, a changed R) rather than noise.
#![no_main]

use ikd_core::{PrecomputedKey, SecretKey, verify_signature_strict};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let key = SecretKey::from_seed(&[0x20 + (mode & 3); 32]);
    let public = key.public_key();
    let (signature, message): ([u8; 64], &[u8]) = if mode & 4 == 0 {
        if rest.len() < 64 {
            return;
        }
        let (sig, msg) = rest.split_at(64);
        let Ok(sig) = <[u8; 64]>::try_from(sig) else { return };
        (sig, msg)
    } else {
        let mut sig = key.sign(rest);
        for (s, m) in sig.iter_mut().zip(rest.iter().skip(1)) {
            *s ^= m;
        }
        (sig, rest)
    };
    let reference = ed25519_dalek::VerifyingKey::from_bytes(public.as_bytes())
        .is_ok_and(|k| k.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&signature)).is_ok());
    let core = verify_signature_strict(&public, message, &signature);
    assert_eq!(core, reference, "verify_signature_strict differs from verify_strict");
    let pre = PrecomputedKey::new(&public).is_some_and(|p| p.verify_strict(message, &signature));
    assert_eq!(pre, reference, "PrecomputedKey::verify_strict differs from verify_strict");
});
