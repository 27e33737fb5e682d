//! The trust store file (`docs/FORMAT.md` §5.1), read by the CLI, the server and the counter:
//! a store that parses must survive a round trip through `to_json`. Key text (`ikdpk1:`) and
//! key files are read here too.
#![no_main]

use ikd_core::{PublicKey, SecretKey, TrustStore};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match TrustStore::from_json(text) {
        Ok(store) => {
            let json = store.to_json();
            assert_eq!(TrustStore::from_json(&json).as_ref().ok(), Some(&store), "store does not survive: {json}");
            for i in store.issuers() {
                assert!(store.candidates(i.key_id()).any(|c| c == i));
            }
        }
        Err(e) => {
            let _ = (e.code(), e.to_string());
        }
    }
    if let Ok(key) = PublicKey::from_text(text) {
        assert_eq!(PublicKey::from_text(&key.to_text()).ok(), Some(key));
    }
    let _ = SecretKey::from_file_text(text).map(|k| k.public_key());
});
