//! Keys: public keys, key ids and (with the `issue` feature) signing keys.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint, VartimeEdwardsPrecomputation};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimePrecomputedMultiscalarMul;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256, Sha512};

/// Length of a key id in bytes: the first 3 bytes of SHA-256 of the public key.
pub const KEY_ID_LEN: usize = 3;

/// Errors from reading a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not in the expected key format (wrong header or prefix).
    #[error("not an IKD key: expected text starting with {expected}")]
    WrongFormat {
        /// The prefix expected.
        expected: &'static str,
    },
    /// The key material is not valid base64url.
    #[error("the key is not valid base64url")]
    BadEncoding,
    /// The key material has the wrong length.
    #[error("the key must be 32 bytes, found {0}")]
    WrongLength(usize),
    /// The public key is not a valid curve point, or is of small order (weak).
    #[error("the public key is not a valid Ed25519 key, or is weak")]
    InvalidPublicKey,
}

impl KeyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::WrongFormat { .. } => "key_wrong_format",
            KeyError::BadEncoding => "key_bad_encoding",
            KeyError::WrongLength(_) => "key_wrong_length",
            KeyError::InvalidPublicKey => "key_invalid_public_key",
        }
    }
}

/// A key id: the first [`KEY_ID_LEN`] bytes of SHA-256 over the 32-byte public key.
/// Short ids can collide; verifiers try every trusted key that matches.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub(crate) [u8; KEY_ID_LEN]);

impl KeyId {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; KEY_ID_LEN] {
        &self.0
    }

    /// Parses lowercase or uppercase hex.
    pub fn from_hex(s: &str) -> Option<KeyId> {
        let v = hex::decode(s).ok()?;
        Some(KeyId(v.try_into().ok()?))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Every encoding with a canonical `y` (below p) of the eight points of small order, with the
/// sign bit clear and set: 10 encodings. No public key may have one of them.
///
/// The eight points have `y` = 1 (the identity, order 1), −1 (order 2), 0 (two points, order 4)
/// and ±`y8` (four points, order 8). The points with `x` = 0 (`y` = ±1) have no negative, so
/// their encodings with the sign bit set are non-canonical, but decoders (ed25519-dalek among
/// them) accept them as the same point. The four remaining encodings of small-order points have
/// a non-canonical `y` (p for 0, p + 1 for 1, sign bit clear or set), which [`y_is_canonical`]
/// refuses; together these are the 14 encodings of libsodium's `has_small_order` and
/// Wycheproof's small-order public keys. With that check this finds every weak key without
/// any curve arithmetic.
const SMALL_ORDER_ENCODINGS: [[u8; 32]; 10] = [
    // Identity (y = 1), order 1; sign bit clear, then set.
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80],
    // y = -1 (p - 1), order 2; sign bit clear, then set.
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ],
    // y = 0, order 4: x = sqrt(-1) and -sqrt(-1).
    [0; 32],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80],
    // Order 8: y = y8 and y = -y8, each with both signs of x.
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf,
        0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf,
        0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x85,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20,
        0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20,
        0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0xfa,
    ],
];

/// Whether the 255-bit `y` of an encoding is below p = 2^255 − 19.
fn y_is_canonical(b: &[u8; 32]) -> bool {
    let [first, middle @ .., last] = b;
    if last & 0x7f != 0x7f || middle.iter().any(|x| *x != 0xff) {
        return true;
    }
    *first < 0xed
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyRepr {
    /// Decompressed and fully checked.
    Checked(VerifyingKey),
    /// Screened by encoding only (canonical, not small order); decompressed when used.
    Screened([u8; 32]),
}

/// An Ed25519 public key.
///
/// Keys read with [`PublicKey::from_bytes`] (trust stores, key files) are fully checked:
/// a valid, canonical, non-weak curve point. Holder keys inside credentials are screened by
/// their encoding when the credential is decoded (canonical `y`, not one of the small-order
/// points), and decompressed only when a holder signature is checked, because decompression
/// costs about a tenth of a signature verification.
#[derive(Clone, Copy)]
pub struct PublicKey {
    repr: KeyRepr,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Parses 32 bytes; rejects invalid and small-order keys.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, KeyError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::InvalidPublicKey)?;
        if key.is_weak() || !y_is_canonical(bytes) {
            return Err(KeyError::InvalidPublicKey);
        }
        Ok(PublicKey { repr: KeyRepr::Checked(key) })
    }

    /// Screens 32 bytes by their encoding only (see the type's documentation).
    pub(crate) fn screen(bytes: &[u8; 32]) -> Result<PublicKey, KeyError> {
        if !y_is_canonical(bytes) || SMALL_ORDER_ENCODINGS.contains(bytes) {
            return Err(KeyError::InvalidPublicKey);
        }
        Ok(PublicKey { repr: KeyRepr::Screened(*bytes) })
    }

    /// Parses the base64url (no padding) text form, optionally prefixed `ikdpk1:`.
    pub fn from_text(s: &str) -> Result<PublicKey, KeyError> {
        let s = s.trim();
        let body = s.strip_prefix("ikdpk1:").unwrap_or(s);
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| KeyError::BadEncoding)?;
        let len = bytes.len();
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError::WrongLength(len))?;
        PublicKey::from_bytes(&arr)
    }

    /// The text form: `ikdpk1:` then base64url of the 32 bytes.
    pub fn to_text(&self) -> String {
        format!("ikdpk1:{}", URL_SAFE_NO_PAD.encode(self.as_bytes()))
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        match &self.repr {
            KeyRepr::Checked(k) => k.as_bytes(),
            KeyRepr::Screened(b) => b,
        }
    }

    /// This key's id.
    pub fn key_id(&self) -> KeyId {
        let digest = Sha256::digest(self.as_bytes());
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(digest.get(..KEY_ID_LEN).unwrap_or(&[0; KEY_ID_LEN]));
        KeyId(id)
    }

    /// The decompressed key; `None` for a screened key that is not on the curve.
    pub(crate) fn verifying_key(&self) -> Option<VerifyingKey> {
        match &self.repr {
            KeyRepr::Checked(k) => Some(*k),
            KeyRepr::Screened(b) => VerifyingKey::from_bytes(b).ok().filter(|k| !k.is_weak()),
        }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_text())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

pub use secret::SecretKey;

/// Secret keys. Available without the `issue` feature, so that a WebAssembly wallet without
/// WebCrypto Ed25519 can sign with a seed its host drew ([`SecretKey::from_seed`]); only
/// [`SecretKey::generate`] (the operating system's random source) needs `issue`.
mod secret {
    use super::{KeyError, PublicKey, URL_SAFE_NO_PAD};
    use base64::Engine;
    use ed25519_dalek::{Signer, SigningKey};
    use zeroize::Zeroizing;

    /// The first line of a secret key file.
    pub const SECRET_KEY_HEADER: &str = "IKD-SECRET-KEY-1";

    /// An Ed25519 signing key (issuer or holder). It has no `Debug`, `Display` or `Clone`,
    /// and its bytes are wiped from memory when it is dropped.
    #[allow(missing_debug_implementations)] // deliberately: a secret must never be printed
    pub struct SecretKey {
        key: SigningKey,
    }

    impl SecretKey {
        /// Generates a new key from the operating system's random source.
        #[cfg(feature = "issue")]
        pub fn generate() -> Result<SecretKey, getrandom::Error> {
            let mut seed = Zeroizing::new([0u8; 32]);
            getrandom::fill(seed.as_mut())?;
            Ok(SecretKey::from_seed(&seed))
        }

        /// Builds a key from a 32-byte seed (RFC 8032 secret key).
        pub fn from_seed(seed: &[u8; 32]) -> SecretKey {
            SecretKey { key: SigningKey::from_bytes(seed) }
        }

        /// The public key.
        pub fn public_key(&self) -> PublicKey {
            PublicKey { repr: super::KeyRepr::Checked(self.key.verifying_key()) }
        }

        /// Signs `message` (plain Ed25519, RFC 8032).
        pub fn sign(&self, message: &[u8]) -> [u8; 64] {
            self.key.sign(message).to_bytes()
        }

        /// The key file text: a header line, then the base64url seed, then the public key
        /// as a comment. The returned string is wiped on drop.
        pub fn to_file_text(&self) -> Zeroizing<String> {
            let seed = Zeroizing::new(self.key.to_bytes());
            Zeroizing::new(format!(
                "{SECRET_KEY_HEADER}\n{}\n# public key: {}\n",
                URL_SAFE_NO_PAD.encode(seed.as_ref()),
                self.public_key().to_text()
            ))
        }

        /// Reads a key file written by [`SecretKey::to_file_text`]. Errors never echo the
        /// file's contents.
        pub fn from_file_text(text: &str) -> Result<SecretKey, KeyError> {
            let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
            if lines.next() != Some(SECRET_KEY_HEADER) {
                return Err(KeyError::WrongFormat { expected: SECRET_KEY_HEADER });
            }
            let body = lines.next().ok_or(KeyError::WrongLength(0))?;
            let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(body).map_err(|_| KeyError::BadEncoding)?);
            let seed: Zeroizing<[u8; 32]> =
                Zeroizing::new(bytes.as_slice().try_into().map_err(|_| KeyError::WrongLength(bytes.len()))?);
            Ok(SecretKey::from_seed(&seed))
        }
    }
}

/// Strict Ed25519 verification (RFC 8032 with canonical `S`, canonical encodings and no
/// small-order `R` or `A`), as used for every signature in the format.
///
/// It accepts and rejects exactly what ed25519-dalek's `VerifyingKey::verify_strict` does, and
/// costs what its non-strict `verify` costs. `verify_strict` decompresses R (to refuse a
/// small-order R), computes R′ = [s]B − [k]A, **compresses** R′ (a field inversion) and compares
/// the bytes with R. This computes the same R′ and compares it with the decompressed R **as
/// points** (no inversion), having checked that R's encoding is canonical (y < p), so that
/// "equal points" is "equal encodings": the only other non-canonical encodings (x = 0 with the
/// sign bit set) are of the points y = ±1, which are of small order and refused before. The
/// key is never of small order ([`PublicKey`] refuses such keys when it is read or screened).
/// Natively this was 6 to 18 % faster than `verify_strict` in runs on a 2-vCPU Xeon
/// (`docs/BENCHMARKS.md`).
///
/// `ikd-core/tests/strict_signature.rs` checks both this and [`PrecomputedKey::verify_strict`]
/// against `verify_strict` itself on every Wycheproof vector, on each strictness case and on
/// thousands of mutated signatures; the fuzz target `strict_signature` keeps comparing them.
pub fn verify_signature_strict(key: &PublicKey, message: &[u8], signature: &[u8; 64]) -> bool {
    let Some(a) = key.verifying_key() else { return false };
    let Some(parts) = StrictParts::of(key, message, signature) else { return false };
    // At the process's calibrated stack offset: the same point, up to a third faster than at
    // an unlucky one (`stack_offset`).
    crate::stack_offset::double_base(&parts.k, &-a.to_edwards(), &parts.s) == parts.r
}

/// Whether an encoded point's y (sign bit ignored) is that of a point of small order. The eight
/// points of small order (curve25519-dalek's `EIGHT_TORSION`) are closed under negation, which
/// changes only the sign of x, so a point has small order exactly when its y is one of theirs:
/// for an encoding with a canonical y this answers what decompressing it and calling
/// `is_small_order` answers (or refuses it where decompression would fail anyway), for a few
/// comparisons instead of a square root and three doublings.
fn has_small_order_y(bytes: &[u8; 32]) -> bool {
    static YS: std::sync::OnceLock<[[u8; 32]; 8]> = std::sync::OnceLock::new();
    let ys = YS.get_or_init(|| {
        curve25519_dalek::constants::EIGHT_TORSION.map(|p| {
            let mut y = p.compress().to_bytes();
            y[31] &= 0x7f;
            y
        })
    });
    let mut y = *bytes;
    y[31] &= 0x7f;
    ys.contains(&y)
}

/// What a strict check needs from a signature, once its encodings have passed: S canonical
/// (below ℓ), R canonical, on the curve and not of small order, and k = SHA-512(R ‖ A ‖ M) mod ℓ
/// with A's bytes as given. `None`: the signature is refused whatever the key.
struct StrictParts {
    s: Scalar,
    r: EdwardsPoint,
    k: Scalar,
}

impl StrictParts {
    fn of(key: &PublicKey, message: &[u8], signature: &[u8; 64]) -> Option<StrictParts> {
        let (r_bytes, s_bytes) = signature.split_at(32);
        let r_bytes = <[u8; 32]>::try_from(r_bytes).ok()?;
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(<[u8; 32]>::try_from(s_bytes).ok()?))?;
        // R of small order, refused by its y before the square root of decompression: the
        // same answer as decompressing and asking `is_small_order` ([`has_small_order_y`]).
        if !y_is_canonical(&r_bytes) || has_small_order_y(&r_bytes) {
            return None;
        }
        let r = CompressedEdwardsY(r_bytes).decompress()?;
        let hash = Sha512::new().chain_update(r_bytes).chain_update(key.as_bytes()).chain_update(message).finalize();
        let mut wide = [0u8; 64];
        wide.copy_from_slice(&hash);
        Some(StrictParts { s, r, k: Scalar::from_bytes_mod_order_wide(&wide) })
    }
}

/// Batch verification of strict signatures: `true` only if every `(key, message, signature)`
/// passes, with a failure probability below 2⁻¹²⁸ for a batch holding an invalid one. On
/// `false` the caller checks each alone with [`verify_signature_strict`] (`docs/FORMAT.md` §4.1).
///
/// Each signature passes [`StrictParts::of`] (canonical S, R canonical and not of small
/// order), then one multiscalar multiplication checks
/// `[−Σ zᵢsᵢ]B + Σ [zᵢ]Rᵢ + Σⱼ [Σ_{i under Aⱼ} zᵢkᵢ]Aⱼ = 0` (cofactorless, as the single
/// check). The terms of one key are merged into one point, so a batch of n credentials of one
/// issuer is a multiplication of n + 2 points instead of ed25519-dalek `verify_batch`'s 2n + 1
/// (issue 18). The zᵢ are 128-bit scalars derived from every kᵢ and sᵢ of the batch (SHA-512),
/// as ed25519-dalek derives its own from a transcript of the same values: a signer cannot
/// choose a signature after seeing them.
#[cfg(feature = "batch")]
pub(crate) fn verify_batch_strict(items: &[(&PublicKey, &[u8], &[u8; 64])]) -> bool {
    use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
    let mut parts = Vec::with_capacity(items.len());
    for (key, message, signature) in items {
        let Some(p) = StrictParts::of(key, message, signature) else { return false };
        parts.push(p);
    }
    let mut seed = Sha512::new().chain_update(b"ikd-batch-v1");
    for p in &parts {
        seed.update(p.k.as_bytes());
        seed.update(p.s.as_bytes());
    }
    let seed = seed.finalize();
    let mut b_coefficient = Scalar::ZERO;
    let mut zs = Vec::with_capacity(parts.len());
    let mut keys: Vec<(EdwardsPoint, Scalar)> = Vec::new();
    let mut key_index: std::collections::HashMap<[u8; 32], usize> = std::collections::HashMap::new();
    // Four 128-bit zᵢ from each SHA-512(seed ‖ block number).
    let mut block = Default::default();
    for (i, (p, (key, _, _))) in parts.iter().zip(items).enumerate() {
        if i % 4 == 0 {
            block = Sha512::new().chain_update(seed).chain_update(((i / 4) as u64).to_le_bytes()).finalize();
        }
        let mut z = [0u8; 32];
        for (dst, src) in z.iter_mut().zip(block.iter().skip((i % 4) * 16).take(16)) {
            *dst = *src;
        }
        let z = Scalar::from_bytes_mod_order(z);
        b_coefficient += z * p.s;
        let j = match key_index.get(key.as_bytes()) {
            Some(&j) => j,
            None => {
                let Some(a) = key.verifying_key() else { return false };
                keys.push((a.to_edwards(), Scalar::ZERO));
                key_index.insert(*key.as_bytes(), keys.len() - 1);
                keys.len() - 1
            }
        };
        if let Some(entry) = keys.get_mut(j) {
            entry.1 += z * p.k;
        }
        zs.push(z);
    }
    let scalars = std::iter::once(-b_coefficient).chain(zs).chain(keys.iter().map(|(_, c)| *c));
    let points =
        std::iter::once(ED25519_BASEPOINT_POINT).chain(parts.iter().map(|p| p.r)).chain(keys.iter().map(|(a, _)| *a));
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

/// A trusted public key with precomputed multiples of it and of the base point, for checking
/// many signatures under the same key: the same strict check as [`verify_signature_strict`],
/// computed from width-8 tables of B and −A made once instead of a width-5 table of A made for
/// every signature.
///
/// On wasm32 every point operation saved counts (there are no 64-bit multiplies), so
/// [`crate::Verifier`] uses it there for issuer keys; natively it is slower than
/// [`verify_signature_strict`] (dalek's AVX2 backend has no precomputed path), so it is used on
/// wasm32 only. The tables take about 16 KB.
pub struct PrecomputedKey {
    key: PublicKey,
    tables: VartimeEdwardsPrecomputation,
}

impl PrecomputedKey {
    /// The tables for `key`; `None` when the key is not a valid, non-small-order curve point
    /// (a key that `verify_signature_strict` never accepts a signature under).
    pub fn new(key: &PublicKey) -> Option<PrecomputedKey> {
        let a = key.verifying_key()?.to_edwards();
        if a.is_small_order() {
            return None;
        }
        Some(PrecomputedKey { key: *key, tables: VartimeEdwardsPrecomputation::new([ED25519_BASEPOINT_POINT, -a]) })
    }

    /// The key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Whether `signature` is a strictly valid signature of `message` under the key: exactly
    /// what [`verify_signature_strict`] answers.
    pub fn verify_strict(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let Some(parts) = StrictParts::of(&self.key, message, signature) else { return false };
        // [s]B + [k](−A), compared with R as points (R's encoding is canonical, checked).
        self.tables.vartime_multiscalar_mul([parts.s, parts.k]) == parts.r
    }
}

impl fmt::Debug for PrecomputedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrecomputedKey({})", self.key.to_text())
    }
}

impl KeyError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: crate::lang::Lang) -> String {
        if lang == crate::lang::Lang::En {
            return self.to_string();
        }
        match self {
            KeyError::WrongFormat { expected } => format!("bukan kunci IKD: seharusnya teks yang diawali {expected}"),
            KeyError::BadEncoding => "kunci bukan base64url yang sah".into(),
            KeyError::WrongLength(n) => format!("kunci harus 32 byte, ditemukan {n}"),
            KeyError::InvalidPublicKey => "kunci publik bukan kunci Ed25519 yang sah, atau lemah".into(),
        }
    }
}

crate::lang::user_error!(KeyError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    // The small-order screen by y answers what decompressing and `is_small_order` answer: on
    // the eight points of small order (both signs of x) and on 20 000 other encodings, of
    // which about half decompress.
    #[test]
    fn small_order_by_y_is_small_order_by_the_point() {
        for p in curve25519_dalek::constants::EIGHT_TORSION {
            let bytes = p.compress().to_bytes();
            assert!(has_small_order_y(&bytes), "{bytes:?}");
            let mut flipped = bytes;
            flipped[31] ^= 0x80;
            assert!(has_small_order_y(&flipped), "{flipped:?}");
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let (mut decoded, mut checked) = (0, 0);
        for i in 0..20_000u64 {
            let mut bytes = [0u8; 32];
            for b in bytes.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            if i % 4 == 0 {
                // Points that decompress for sure: multiples of the basepoint.
                bytes = (ED25519_BASEPOINT_POINT * Scalar::from(x)).compress().to_bytes();
            }
            if !y_is_canonical(&bytes) {
                continue;
            }
            checked += 1;
            match CompressedEdwardsY(bytes).decompress() {
                Some(p) => {
                    decoded += 1;
                    assert_eq!(has_small_order_y(&bytes), p.is_small_order(), "{bytes:?}");
                }
                None => assert!(!has_small_order_y(&bytes), "every small-order y decompresses: {bytes:?}"),
            }
        }
        assert!(checked > 15_000 && decoded > 5_000, "{checked} checked, {decoded} decoded");
    }

    #[test]
    fn rejects_weak_and_invalid_keys() {
        // The identity point (small order).
        let mut ident = [0u8; 32];
        ident[0] = 1;
        assert_eq!(PublicKey::from_bytes(&ident), Err(KeyError::InvalidPublicKey));
        assert_eq!(PublicKey::from_text("ikdpk1:AAAA"), Err(KeyError::WrongLength(3)));
        assert_eq!(PublicKey::from_text("ikdpk1:!!"), Err(KeyError::BadEncoding));
    }

    #[cfg(feature = "issue")]
    #[test]
    fn secret_key_file_round_trip() {
        let k = SecretKey::from_seed(&[7u8; 32]);
        let text = k.to_file_text();
        let back = SecretKey::from_file_text(&text).unwrap();
        assert_eq!(back.public_key(), k.public_key());
        assert!(matches!(SecretKey::from_file_text("hello"), Err(KeyError::WrongFormat { .. })));
        assert!(matches!(SecretKey::from_file_text("IKD-SECRET-KEY-1\nAAAA\n"), Err(KeyError::WrongLength(3))));
        assert!(matches!(SecretKey::from_file_text("IKD-SECRET-KEY-1\n***\n"), Err(KeyError::BadEncoding)));
        let pk = k.public_key();
        assert_eq!(PublicKey::from_text(&pk.to_text()).unwrap(), pk);
    }
}

#[cfg(test)]
mod screen_tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn screening_rejects_every_small_order_encoding_and_noncanonical_y() {
        for enc in SMALL_ORDER_ENCODINGS {
            assert_eq!(PublicKey::screen(&enc), Err(KeyError::InvalidPublicKey));
            // Each listed encoding really is weak (or not a point at all).
            assert!(PublicKey::from_bytes(&enc).is_err());
        }
        // y = p (non-canonical zero) and y = p + 1 (non-canonical one), sign bit clear and set.
        for (first, last) in [(0xed, 0x7f), (0xed, 0xff), (0xee, 0x7f), (0xee, 0xff)] {
            let mut p = [0xffu8; 32];
            p[0] = first;
            p[31] = last;
            assert_eq!(PublicKey::screen(&p), Err(KeyError::InvalidPublicKey));
        }
        // A real key passes both, and both forms compare equal.
        #[cfg(feature = "issue")]
        {
            let k = SecretKey::from_seed(&[3; 32]).public_key();
            let s = PublicKey::screen(k.as_bytes()).unwrap();
            assert_eq!(s, k);
            assert!(s.verifying_key().is_some());
        }
    }
}

#[cfg(all(test, feature = "batch"))]
mod batch_tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// Messages with their signatures.
    type Signed = Vec<(Vec<u8>, [u8; 64])>;

    fn signed(seed: u8, n: usize) -> (PublicKey, Signed) {
        let sk = SecretKey::from_seed(&[seed; 32]);
        let items = (0..n)
            .map(|i| {
                let m = format!("credential {seed} {i}").into_bytes();
                let s = sk.sign(&m);
                (m, s)
            })
            .collect();
        (sk.public_key(), items)
    }

    fn check(batch: &[(&PublicKey, Vec<u8>, [u8; 64])]) -> bool {
        let refs: Vec<(&PublicKey, &[u8], &[u8; 64])> = batch.iter().map(|(k, m, s)| (*k, m.as_slice(), s)).collect();
        verify_batch_strict(&refs)
    }

    /// Two issuers' signatures, interleaved: one key's terms merged into one point each.
    fn mixed<'a>(
        a: &'a PublicKey,
        ai: &[(Vec<u8>, [u8; 64])],
        b: &'a PublicKey,
        bi: &[(Vec<u8>, [u8; 64])],
    ) -> Vec<(&'a PublicKey, Vec<u8>, [u8; 64])> {
        let mut v = Vec::new();
        for (x, y) in ai.iter().zip(bi) {
            v.push((a, x.0.clone(), x.1));
            v.push((b, y.0.clone(), y.1));
        }
        v
    }

    #[test]
    fn valid_batches_pass() {
        let (a, ai) = signed(1, 300);
        let (b, bi) = signed(2, 300);
        assert!(check(&mixed(&a, &ai, &b, &bi)));
        let one: Vec<_> = ai.iter().map(|(m, s)| (&a, m.clone(), *s)).collect();
        assert!(check(&one));
        assert!(check(&one[..1]));
    }

    #[test]
    fn one_bad_signature_fails_the_batch() {
        let (a, ai) = signed(3, 40);
        let (b, bi) = signed(4, 40);
        let good = mixed(&a, &ai, &b, &bi);
        for i in [0usize, 17, 79] {
            // A changed message.
            let mut bad = good.clone();
            bad[i].1.push(b'!');
            assert!(!check(&bad), "changed message at {i}");
            // A signature under the other key.
            let mut bad = good.clone();
            bad[i].0 = if i % 2 == 0 { &b } else { &a };
            assert!(!check(&bad), "wrong key at {i}");
            // S + ℓ: the same scalar, not canonical.
            let mut bad = good.clone();
            let mut s = [0u8; 32];
            s.copy_from_slice(&bad[i].2[32..]);
            // ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
            let ell: [u8; 32] = [
                0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
            ];
            let mut carry = 0u16;
            for (x, y) in s.iter_mut().zip(ell) {
                let v = u16::from(*x) + u16::from(y) + carry;
                *x = v as u8;
                carry = v >> 8;
            }
            bad[i].2[32..].copy_from_slice(&s);
            assert!(!check(&bad), "non-canonical S at {i}");
            // A small-order R (the identity).
            let mut bad = good.clone();
            let mut r = [0u8; 32];
            r[0] = 1;
            bad[i].2[..32].copy_from_slice(&r);
            assert!(!check(&bad), "small-order R at {i}");
        }
    }

    #[test]
    fn swapped_signatures_fail() {
        // Each signature valid, but paired with the other's message.
        let (a, ai) = signed(5, 2);
        let batch = vec![(&a, ai[0].0.clone(), ai[1].1), (&a, ai[1].0.clone(), ai[0].1)];
        assert!(!check(&batch));
    }
}
