//! Wycheproof Ed25519 vectors through the verifier's signature check.
//!
//! The check is the one `Verifier` uses: the public key must parse as a valid, non-weak
//! key (`PublicKey::from_bytes`, done when a trust store is loaded), the signature must be
//! exactly 64 bytes (the format has no other length), then `verify_signature_strict`.
//! `acceptable` cases are decided by that same strict check; the file at the pinned commit
//! has none, and the test prints any it meets with the decision taken.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use ikd_core::{PublicKey, verify_signature_strict};

fn accepts(pk: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(pk) = <[u8; 32]>::try_from(pk) else { return false };
    let Ok(key) = PublicKey::from_bytes(&pk) else { return false };
    let Ok(sig) = <[u8; 64]>::try_from(sig) else { return false };
    verify_signature_strict(&key, msg, &sig)
}

#[test]
fn wycheproof_ed25519() {
    let path = common::shared_dir().join("corpora/wycheproof/ed25519_test.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
    let mut failures = Vec::new();
    for group in doc["testGroups"].as_array().unwrap() {
        let pk = hex::decode(group["publicKey"]["pk"].as_str().unwrap()).unwrap();
        for t in group["tests"].as_array().unwrap() {
            let msg = hex::decode(t["msg"].as_str().unwrap()).unwrap();
            let sig = hex::decode(t["sig"].as_str().unwrap()).unwrap();
            let got = accepts(&pk, &msg, &sig);
            let id = t["tcId"].as_u64().unwrap();
            match t["result"].as_str().unwrap() {
                "valid" => {
                    valid += 1;
                    if !got {
                        failures.push(format!("tcId {id} valid but rejected: {}", t["comment"]));
                    }
                }
                "invalid" => {
                    invalid += 1;
                    if got {
                        failures.push(format!("tcId {id} invalid but accepted: {}", t["comment"]));
                    }
                }
                _ => {
                    acceptable += 1;
                    println!("tcId {id} acceptable ({}): {}", t["comment"], if got { "accepted" } else { "rejected" });
                }
            }
        }
    }
    println!("wycheproof: {valid} valid, {invalid} invalid, {acceptable} acceptable");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(valid + invalid + acceptable, doc["numberOfTests"].as_u64().unwrap() as usize);
    assert!(valid > 0 && invalid > 0);
}
