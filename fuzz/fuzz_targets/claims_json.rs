//! The claims JSON (`docs/FORMAT.md`): what an issuing office sends to `ikd issue` and
//! `POST /v1/credentials`. Claims that parse must survive a round trip through their JSON.
#![no_main]

use ikd_core::Claims;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Claims::from_json(text) {
        Ok(claims) => {
            let _ = claims.check_nik();
            let json = claims.to_json_value();
            let again = Claims::from_json_value(json.clone());
            assert_eq!(again.as_ref().ok(), Some(&claims), "claims do not survive their JSON: {json}");
        }
        Err(e) => {
            let _ = (e.code(), e.field(), e.to_string());
        }
    }
});
