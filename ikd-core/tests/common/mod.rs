//! Shared helpers for ikd-core's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::sync::Arc;

use ikd_core::*;

/// `../shared` beside the workspace.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The reference residents: (case, claims).
pub fn residents() -> Vec<(String, Claims)> {
    let text = std::fs::read_to_string(shared_dir().join("reference/residents.json")).expect("reference residents");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["residents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let case = r["case"].as_str().unwrap().to_owned();
            let claims = Claims::from_json(&r["claims"].to_string()).unwrap_or_else(|e| panic!("{case}: {e}"));
            (case, claims)
        })
        .collect()
}

pub fn resident(case: &str) -> Claims {
    residents().into_iter().find(|(c, _)| c == case).unwrap().1
}

/// 2026-11-27T00:00:00Z.
pub const T0: i64 = 1_795_737_600;
pub const YEAR: i64 = 365 * 86_400;

pub fn secret() -> SaltSecret {
    SaltSecret::from_bytes([0x5a; 16])
}

pub fn holder_key() -> PublicKey {
    SecretKey::from_seed(&[0x48; 32]).public_key()
}

/// An issuer with a fixed key, trusted from 2025 to 2035, and a clock at T0 + 1 day.
pub struct Env {
    pub issuer: Issuer,
    pub trust: TrustStore,
    pub now: Timestamp,
}

impl Env {
    pub fn new() -> Env {
        let issuer = Issuer::new(SecretKey::from_seed(&[0x11; 32]));
        let mut trust = TrustStore::new();
        trust.add(TrustedIssuer {
            name: "DISDUKCAPIL KABUPATEN SERANG".into(),
            public_key: issuer.public_key(),
            not_before: Timestamp::from_unix(T0 - 2 * YEAR),
            not_after: Timestamp::from_unix(T0 + 8 * YEAR),
        });
        Env { issuer, trust, now: Timestamp::from_unix(T0 + 86_400) }
    }

    pub fn verifier(&self) -> Verifier {
        Verifier::new(self.trust.clone()).with_clock(Arc::new(FixedClock(self.now)))
    }

    pub fn request(&self, claims: &Claims, holder: Option<PublicKey>, photo: Option<Vec<u8>>) -> IssueRequest {
        IssueRequest {
            claims: claims.clone(),
            serial: Serial::new(1_234_567).unwrap(),
            status_index: StatusIndex::new(4_321_987),
            issued_at: Timestamp::from_unix(T0),
            valid_from: Timestamp::from_unix(T0),
            expires_at: Timestamp::from_unix(T0 + 4 * YEAR),
            holder_key: holder,
            photo,
        }
    }

    pub fn issue(&self, claims: &Claims, holder: Option<PublicKey>, photo: Option<Vec<u8>>) -> String {
        let req = self.request(claims, holder, photo);
        self.issuer.issue_with_secret(&req, &secret()).unwrap().text().to_owned()
    }
}
