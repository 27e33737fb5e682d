//! The core's two strict Ed25519 checks, `verify_signature_strict` (every signature; R′
//! compared with R as points) and `PrecomputedKey::verify_strict` (issuer keys on wasm32),
//! answer exactly as ed25519-dalek's own `VerifyingKey::verify_strict`, the reference: on every
//! Wycheproof Ed25519 vector, on the strictness cases one by one (non-canonical S,
//! non-canonical or small-order R, small-order A), and on thousands of mutated signatures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::path::PathBuf;

use ikd_core::{PrecomputedKey, PublicKey, SecretKey, verify_signature_strict};

/// The group order ℓ, little-endian.
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn add_le(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    out
}

/// ed25519-dalek's `verify_strict` on the same input: the reference.
fn reference(key: &PublicKey, message: &[u8], signature: &[u8; 64]) -> bool {
    ed25519_dalek::VerifyingKey::from_bytes(key.as_bytes())
        .is_ok_and(|k| k.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature)).is_ok())
}

/// The reference's answer and the core's, for one input (the key as the verifier would hold
/// it), after checking that the core's two checks agree with the reference.
fn both(key: &PublicKey, message: &[u8], signature: &[u8; 64]) -> (bool, bool) {
    let reference = reference(key, message, signature);
    let strict = verify_signature_strict(key, message, signature);
    let pre = PrecomputedKey::new(key).is_some_and(|p| p.verify_strict(message, signature));
    assert_eq!(strict, reference, "verify_signature_strict differs from ed25519-dalek's verify_strict");
    (reference, pre)
}

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

#[test]
fn wycheproof_ed25519_same_answers() {
    let dir = std::env::var_os("IKD_SHARED_DIR").map(PathBuf::from).unwrap_or_else(common::shared_dir);
    let path = dir.join("corpora/wycheproof/ed25519_test.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (mut accepted, mut rejected) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        let pk = hex::decode(group["publicKey"]["pk"].as_str().unwrap()).unwrap();
        let Ok(Ok(key)) = <[u8; 32]>::try_from(pk.as_slice()).map(|b| PublicKey::from_bytes(&b)) else { continue };
        for t in group["tests"].as_array().unwrap() {
            let msg = hex::decode(t["msg"].as_str().unwrap()).unwrap();
            let Ok(sig) = <[u8; 64]>::try_from(hex::decode(t["sig"].as_str().unwrap()).unwrap().as_slice()) else {
                continue;
            };
            let (strict, pre) = both(&key, &msg, &sig);
            assert_eq!(pre, strict, "tcId {}: {}", t["tcId"], t["comment"]);
            assert_eq!(strict, t["result"] == "valid", "tcId {}", t["tcId"]);
            if pre { accepted += 1 } else { rejected += 1 }
        }
    }
    assert!(accepted > 0 && rejected > 0, "{accepted} accepted, {rejected} rejected");
}

#[test]
fn valid_signatures_are_accepted() {
    for seed in 1..=8u8 {
        let sk = key(seed);
        let pre = PrecomputedKey::new(&sk.public_key()).unwrap();
        assert_eq!(pre.public_key(), &sk.public_key());
        for len in [0usize, 1, 64, 300, 1000] {
            let msg = vec![seed ^ len as u8; len];
            assert!(pre.verify_strict(&msg, &sk.sign(&msg)));
        }
    }
}

#[test]
fn non_canonical_s_is_rejected() {
    // S + ℓ is the same scalar mod ℓ: the equation still holds, only strictness rejects it.
    let sk = key(3);
    let msg = b"credential";
    let mut sig = sk.sign(msg);
    let s: [u8; 32] = sig[32..].try_into().unwrap();
    sig[32..].copy_from_slice(&add_le(&s, &ELL));
    assert_eq!(both(&sk.public_key(), msg, &sig), (false, false));
}

#[test]
fn wrong_message_key_or_signature_is_rejected() {
    let sk = key(4);
    let msg = b"credential";
    let sig = sk.sign(msg);
    assert_eq!(both(&sk.public_key(), b"credentiaL", &sig), (false, false));
    assert_eq!(both(&key(5).public_key(), msg, &sig), (false, false));
    let mut bad = sig;
    bad[0] ^= 1;
    assert_eq!(both(&sk.public_key(), msg, &bad), (false, false));
}

#[test]
fn small_order_and_non_canonical_r_are_rejected() {
    let sk = key(6);
    let msg = b"credential";
    let sig = sk.sign(msg);
    // Small-order R encodings: the identity (y = 1), y = −1 (order 2), and the identity with y
    // written non-canonically (y = p + 1).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    let mut p_plus_one = [0xffu8; 32];
    p_plus_one[0] = 0xee;
    p_plus_one[31] = 0x7f;
    for r in [identity, minus_one, p_plus_one] {
        let mut bad = sig;
        bad[..32].copy_from_slice(&r);
        assert_eq!(both(&sk.public_key(), msg, &bad), (false, false), "R {r:02x?}");
    }
    // A non-canonical encoding of the signature's own R (y + p, when y < 19): equal points,
    // different bytes; `verify_strict` compares bytes. Built by searching a message whose
    // signature has such an R would take ~2^250 tries, so check the encoding rule directly:
    // every R with y ≥ p is rejected by both, whatever the rest.
    for low in [0xedu8, 0xf0, 0xff] {
        let mut r = [0xffu8; 32];
        r[0] = low;
        r[31] = 0x7f;
        let mut bad = sig;
        bad[..32].copy_from_slice(&r);
        assert_eq!(both(&sk.public_key(), msg, &bad), (false, false));
    }
}

#[test]
fn small_order_keys_get_no_tables() {
    // PublicKey::from_bytes refuses small-order keys already; a screened holder key cannot be
    // one either. The tables are refused as a second line.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(PublicKey::from_bytes(&identity).is_err());
}

#[test]
fn mutated_signatures_get_the_same_answers() {
    // A small deterministic generator: flip bits and bytes of valid signatures, of S's top
    // bits, and of the message, and compare the two checks.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let keys: Vec<SecretKey> = (10..14).map(key).collect();
    let (mut same_accept, mut same_reject) = (0, 0);
    for round in 0..2000 {
        let sk = &keys[round % keys.len()];
        let mut msg = vec![0u8; (next() % 200) as usize];
        msg.iter_mut().for_each(|b| *b = next() as u8);
        let mut sig = sk.sign(&msg);
        match next() % 5 {
            0 => {}
            1 => sig[(next() % 64) as usize] ^= 1 << (next() % 8),
            2 => sig[63] |= 0x10 << (next() % 4),
            3 => {
                if let Some(b) = msg.first_mut() {
                    *b ^= 0x80;
                } else {
                    msg.push(0);
                }
            }
            _ => sig[..32].iter_mut().for_each(|b| *b = next() as u8),
        }
        let (strict, pre) = both(&sk.public_key(), &msg, &sig);
        assert_eq!(pre, strict, "round {round}");
        if strict { same_accept += 1 } else { same_reject += 1 }
    }
    assert!(same_accept > 100 && same_reject > 100, "{same_accept} accepted, {same_reject} rejected");
}
