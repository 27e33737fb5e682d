//! The wallet's fallback holder key, for browsers without WebCrypto Ed25519 (issue 16): the
//! page draws a 32-byte seed with `crypto.getRandomValues`, keeps it in IndexedDB marked as a
//! weaker key (its bytes are readable by the page's scripts, unlike a non-extractable WebCrypto
//! key), and signs each live presentation's signing bytes here. The key itself is the core's
//! [`SecretKey`] (wiped on drop); nothing here is kept between calls.

use ikd_core::{Lang, SecretKey};
use zeroize::Zeroizing;

use crate::api::ReaderError;

/// The key of a 32-byte seed; anything else is `bad_argument`.
fn key(seed: &[u8], lang: Lang) -> Result<SecretKey, ReaderError> {
    let seed: Zeroizing<[u8; 32]> =
        Zeroizing::new(seed.try_into().map_err(|_| ReaderError::bad_argument("seed (32 bytes)", lang))?);
    Ok(SecretKey::from_seed(&seed))
}

/// The `ikdpk1:` public key of a seed: what the wallet shows in its enrollment code.
pub fn public_key(seed: &[u8], lang: Lang) -> Result<String, ReaderError> {
    Ok(key(seed, lang)?.public_key().to_text())
}

/// The Ed25519 signature (RFC 8032) of `message` under the seed's key.
pub fn sign(seed: &[u8], message: &[u8], lang: Lang) -> Result<[u8; 64], ReaderError> {
    /// More than any signing bytes of a presentation; a cap, so a bad call cannot hash gigabytes.
    const MAX_MESSAGE: usize = 4096;
    if message.len() > MAX_MESSAGE {
        return Err(ReaderError::bad_argument("message (at most 4096 bytes)", lang));
    }
    Ok(key(seed, lang)?.sign(message))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ikd_core::{PublicKey, verify_signature_strict};

    #[test]
    fn a_seed_signs_what_its_public_key_verifies() {
        let seed = [7u8; 32];
        let pk = PublicKey::from_text(&public_key(&seed, Lang::En).unwrap()).unwrap();
        let sig = sign(&seed, b"signing bytes", Lang::En).unwrap();
        assert!(verify_signature_strict(&pk, b"signing bytes", &sig));
        assert!(!verify_signature_strict(&pk, b"other bytes", &sig));
    }

    #[test]
    fn a_seed_of_the_wrong_length_or_a_huge_message_is_bad_argument() {
        assert_eq!(public_key(&[1u8; 31], Lang::En).unwrap_err().code, "bad_argument");
        assert_eq!(sign(&[1u8; 33], b"x", Lang::Id).unwrap_err().code, "bad_argument");
        assert_eq!(sign(&[1u8; 32], &[0u8; 4097], Lang::En).unwrap_err().code, "bad_argument");
    }
}
