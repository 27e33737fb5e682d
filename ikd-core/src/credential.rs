//! The credential format: text layer, binary layout, commitments and signature input.
//!
//! The normative description is `docs/FORMAT.md`; section names are cited below.

use std::fmt;
use std::ops::Range;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::claims::{AgeOver, Claims, SlotValues, slot};
use crate::error::DecodeError;
use crate::keys::{KEY_ID_LEN, KeyId, PublicKey};
use crate::wire::{Reader, Writer};

/// The text prefix of format version 1.
pub const PREFIX: &str = "IKD1:";
/// Longest credential text accepted: the alphanumeric capacity of a version 40 QR code.
pub const MAX_TEXT_CHARS: usize = 4296;
/// Longest binary payload accepted (what `MAX_TEXT_CHARS` of Base45 can hold).
pub const MAX_PAYLOAD_BYTES: usize = 2864;
/// Time zero of the wire format: 2020-01-01T00:00:00Z, in Unix seconds.
pub const WIRE_EPOCH: i64 = 1_577_836_800;
/// Kind byte of a full credential.
pub(crate) const KIND_CREDENTIAL: u8 = 0x01;
/// Flag: a holder public key follows.
pub(crate) const FLAG_HOLDER_KEY: u8 = 0x01;
/// Flag: an extension list follows.
pub(crate) const FLAG_EXTENSIONS: u8 = 0x02;
/// Domain-separation tag of the issuer signature.
pub const SIGNATURE_TAG: &[u8] = b"IKD1 credential\0";
/// Domain-separation tag of salt derivation.
pub(crate) const SALT_TAG: &[u8] = b"IKD1 salt\0";
/// Length of the per-credential salt secret.
pub const SALT_SECRET_LEN: usize = 16;
/// Largest serial number.
pub const MAX_SERIAL: u64 = (1 << 53) - 1;
/// Largest status-list index: status lists hold at most 2^28 entries.
pub const MAX_STATUS_INDEX: u64 = (1 << 28) - 1;
/// Longest validity (from `valid_from` to `expires_at`): 20 years.
pub const MAX_VALIDITY_SECS: u64 = 20 * 366 * 86_400;
const MAX_EXTENSIONS: u64 = 8;
const MAX_EXTENSION_BYTES: usize = 256;
const MAX_WIRE_SECS: u64 = (1 << 34) - 1;

/// A point in time, in whole seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From Unix seconds.
    pub const fn from_unix(secs: i64) -> Timestamp {
        Timestamp(secs)
    }

    /// Unix seconds.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// Now, from the system clock.
    pub fn now() -> Timestamp {
        Timestamp(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// Parses RFC 3339 (for example `2026-11-27T08:00:00Z`).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| Timestamp(t.unix_timestamp()))
    }

    /// Adds seconds, saturating.
    pub fn plus(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(secs))
    }

    /// The UTC date.
    pub fn date(self) -> time::Date {
        OffsetDateTime::from_unix_timestamp(self.0).map(|t| t.date()).unwrap_or(time::Date::MIN)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match OffsetDateTime::from_unix_timestamp(self.0)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        {
            Some(s) => f.write_str(&s),
            None => write!(f, "@{}", self.0),
        }
    }
}

/// A credential serial number, unique per issuer key (at most 2^53 − 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serial(u64);

impl Serial {
    /// Serial 0.
    pub const MIN: Serial = Serial(0);

    /// A serial, if within range.
    pub const fn new(v: u64) -> Option<Serial> {
        if v <= MAX_SERIAL { Some(Serial(v)) } else { None }
    }
    /// The number.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A credential's index in its issuer's status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatusIndex(u32);

impl StatusIndex {
    /// An index.
    pub fn new(v: u32) -> StatusIndex {
        StatusIndex(v)
    }
    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// The per-credential secret from which every claim's salt is derived.
/// Wiped on drop; no `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SaltSecret([u8; SALT_SECRET_LEN]);

impl fmt::Debug for SaltSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SaltSecret(<redacted>)")
    }
}

impl SaltSecret {
    /// From bytes. They must come from a cryptographic random source: salts derived from a
    /// guessable secret let a verifier recover withheld claims.
    pub fn from_bytes(bytes: [u8; SALT_SECRET_LEN]) -> SaltSecret {
        SaltSecret(bytes)
    }

    /// A fresh random secret.
    #[cfg(feature = "issue")]
    pub fn generate() -> Result<SaltSecret, getrandom::Error> {
        let mut s = SaltSecret([0; SALT_SECRET_LEN]);
        getrandom::fill(&mut s.0)?;
        Ok(s)
    }

    pub(crate) fn bytes(&self) -> &[u8; SALT_SECRET_LEN] {
        &self.0
    }
}

/// The issuer part: everything signed directly, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The issuer key id.
    pub key_id: KeyId,
    /// The serial.
    pub serial: Serial,
    /// The status-list index.
    pub status_index: StatusIndex,
    /// When the credential was issued.
    pub issued_at: Timestamp,
    /// Start of validity.
    pub valid_from: Timestamp,
    /// End of validity.
    pub expires_at: Timestamp,
    /// The holder's public key (phone credentials).
    pub holder_key: Option<PublicKey>,
    /// Non-critical extensions this library does not interpret: (type, bytes).
    pub extensions: Vec<(u64, Vec<u8>)>,
}

fn wire_secs(t: Timestamp) -> Option<u64> {
    u64::try_from(t.0.checked_sub(WIRE_EPOCH)?).ok().filter(|v| *v <= MAX_WIRE_SECS)
}

impl Header {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.u8(KIND_CREDENTIAL);
        let mut flags = 0;
        if self.holder_key.is_some() {
            flags |= FLAG_HOLDER_KEY;
        }
        if !self.extensions.is_empty() {
            flags |= FLAG_EXTENSIONS;
        }
        w.u8(flags);
        w.bytes(self.key_id.as_bytes());
        w.varint(self.serial.0);
        w.varint(u64::from(self.status_index.0));
        let issued = wire_secs(self.issued_at).unwrap_or(0);
        let from = wire_secs(self.valid_from).unwrap_or(0);
        let until = wire_secs(self.expires_at).unwrap_or(0);
        w.varint(issued);
        w.varint(from.saturating_sub(issued));
        w.varint(until.saturating_sub(from));
        if let Some(k) = &self.holder_key {
            w.bytes(k.as_bytes());
        }
        if !self.extensions.is_empty() {
            w.varint(self.extensions.len() as u64);
            for (t, v) in &self.extensions {
                w.varint(*t);
                w.bstr(v);
            }
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Header, DecodeError> {
        let kind = r.u8()?;
        if kind != KIND_CREDENTIAL {
            return Err(DecodeError::UnknownKind(kind));
        }
        let flags = r.u8()?;
        if flags & !(FLAG_HOLDER_KEY | FLAG_EXTENSIONS) != 0 {
            return Err(DecodeError::ReservedFlags(flags));
        }
        let key_id = KeyId(r.array::<KEY_ID_LEN>()?);
        let serial = Serial(r.varint(MAX_SERIAL, "serial")?);
        let status_index = StatusIndex(
            u32::try_from(r.varint(MAX_STATUS_INDEX, "status_index")?)
                .map_err(|_| DecodeError::ValueOutOfRange { field: "status_index" })?,
        );
        let issued = r.varint(MAX_WIRE_SECS, "issued_at")?;
        let from_delta = r.varint(MAX_WIRE_SECS, "valid_from")?;
        let validity = r.varint(MAX_VALIDITY_SECS, "expires_at")?;
        if validity == 0 {
            return Err(DecodeError::BadValidityWindow);
        }
        let to_ts = |secs: u64| Timestamp(WIRE_EPOCH + i64::try_from(secs).unwrap_or(i64::MAX - WIRE_EPOCH));
        let from = issued
            .checked_add(from_delta)
            .filter(|v| *v <= MAX_WIRE_SECS)
            .ok_or(DecodeError::ValueOutOfRange { field: "valid_from" })?;
        let until = from.checked_add(validity).ok_or(DecodeError::ValueOutOfRange { field: "expires_at" })?;
        let holder_key = if flags & FLAG_HOLDER_KEY != 0 {
            Some(PublicKey::screen(&r.array::<32>()?).map_err(|_| DecodeError::InvalidHolderKey)?)
        } else {
            None
        };
        let mut extensions = Vec::new();
        if flags & FLAG_EXTENSIONS != 0 {
            let n = r.varint(MAX_EXTENSIONS, "extensions")?;
            if n == 0 {
                return Err(DecodeError::NonCanonical { field: "extensions" });
            }
            let mut last: Option<u64> = None;
            for _ in 0..n {
                let t = r.varint(u64::MAX, "extension_type")?;
                if last.is_some_and(|l| t <= l) {
                    return Err(DecodeError::NonCanonical { field: "extensions" });
                }
                last = Some(t);
                let v = r.bstr(MAX_EXTENSION_BYTES, "extension_value")?;
                if t & 1 == 1 {
                    return Err(DecodeError::UnknownCriticalExtension(t));
                }
                extensions.push((t, v.to_vec()));
            }
        }
        Ok(Header {
            key_id,
            serial,
            status_index,
            issued_at: to_ts(issued),
            valid_from: to_ts(from),
            expires_at: to_ts(until),
            holder_key,
            extensions,
        })
    }
}

/// A credential decoded from its text, with nothing about it checked beyond its encoding.
///
/// Use it to inspect a credential; trust only a [`crate::VerifiedCredential`].
#[derive(Clone)]
pub struct UnverifiedCredential {
    pub(crate) payload: Vec<u8>,
    pub(crate) header: Header,
    pub(crate) header_range: Range<usize>,
    pub(crate) secret: SaltSecret,
    pub(crate) values: SlotValues,
    pub(crate) slot_ranges: [(usize, usize); slot::COUNT],
    pub(crate) signature: [u8; 64],
}

impl fmt::Debug for UnverifiedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedCredential")
            .field("header", &self.header)
            .field("payload_len", &self.payload.len())
            .finish_non_exhaustive()
    }
}

/// Splits `IKD<version>:` from the text and checks the version.
fn strip_prefix(text: &str) -> Result<&str, DecodeError> {
    if let Some(rest) = text.strip_prefix(PREFIX) {
        return Ok(rest);
    }
    let upper = text.get(..3).map(str::to_ascii_uppercase);
    if upper.as_deref() == Some("IKD") {
        let version: String = text.chars().take_while(|c| *c != ':').take(12).collect();
        if text.contains(':') && version.len() > 3 && version != "IKD1" {
            return Err(DecodeError::UnknownVersion { version });
        }
    }
    Err(DecodeError::WrongPrefix)
}

/// Decodes the text layer: prefix and Base45. Only line endings around the text are
/// removed (`\r`, `\n`), because a space is a valid Base45 character.
pub fn text_to_payload(text: &str) -> Result<Vec<u8>, DecodeError> {
    let text = text.trim_matches(|c| c == '\r' || c == '\n');
    if text.is_empty() {
        return Err(DecodeError::Empty);
    }
    if text.len() > MAX_TEXT_CHARS {
        return Err(DecodeError::InputTooLarge { len: text.chars().count(), max: MAX_TEXT_CHARS });
    }
    let body = strip_prefix(text)?;
    let payload = base45_decode(body.as_bytes())?;
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(DecodeError::InputTooLarge { len: text.len(), max: MAX_TEXT_CHARS });
    }
    Ok(payload)
}

/// The RFC 9285 alphabet, in value order.
const BASE45_ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// The value of every byte in [`BASE45_ALPHABET`]; `0xFF` for the others.
// Evaluated at compile time: an index out of bounds would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
const BASE45_VALUES: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < BASE45_ALPHABET.len() {
        t[BASE45_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Strict RFC 9285 decoding: only the canonical encoding of some byte string is accepted.
///
/// It is ours rather than the `base45` crate's (which still encodes) for two reasons: the
/// crate accepts a final pair above 255 (it keeps the low byte), which is not the encoding of
/// any payload, and its per-character lookup is a call that is not inlined, which made
/// Base45 about a third of the decoding cost on the verification hot path
/// (`docs/BENCHMARKS.md`). A differential test checks it against the crate.
fn base45_decode(body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let digit = |c: u8| match BASE45_VALUES.get(usize::from(c)).copied().unwrap_or(0xFF) {
        0xFF => Err(DecodeError::BadBase45),
        d => Ok(u32::from(d)),
    };
    let (groups, rest) = body.as_chunks::<3>();
    let mut out = Vec::with_capacity(groups.len() * 2 + 1);
    for &[a, b, c] in groups {
        let v = digit(a)? + 45 * digit(b)? + 45 * 45 * digit(c)?;
        let pair = u16::try_from(v).map_err(|_| DecodeError::BadBase45)?;
        out.extend_from_slice(&pair.to_be_bytes());
    }
    match *rest {
        [] => {}
        [a, b] => {
            let v = digit(a)? + 45 * digit(b)?;
            out.push(u8::try_from(v).map_err(|_| DecodeError::NonCanonicalBase45)?);
        }
        _ => return Err(DecodeError::BadBase45),
    }
    Ok(out)
}

/// Encodes a payload as credential text.
pub fn payload_to_text(payload: &[u8]) -> String {
    format!("{PREFIX}{}", base45::encode(payload))
}

impl UnverifiedCredential {
    /// Decodes credential text (`IKD1:` + Base45). Checks the encoding only.
    pub fn decode(text: &str) -> Result<UnverifiedCredential, DecodeError> {
        let payload = text_to_payload(text)?;
        UnverifiedCredential::from_payload(payload)
    }

    /// Decodes the binary payload.
    pub fn from_payload(payload: Vec<u8>) -> Result<UnverifiedCredential, DecodeError> {
        if payload.is_empty() {
            return Err(DecodeError::Empty);
        }
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(DecodeError::InputTooLarge { len: payload.len(), max: MAX_PAYLOAD_BYTES });
        }
        let mut r = Reader::new(&payload);
        let header = Header::read(&mut r)?;
        let header_range = 0..r.pos();
        let secret = SaltSecret(r.array::<SALT_SECRET_LEN>()?);
        let (values, slot_ranges) = SlotValues::read(&mut r)?;
        let signature = r.array::<64>()?;
        if r.remaining() > 0 {
            return Err(DecodeError::TrailingBytes { count: r.remaining() });
        }
        Ok(UnverifiedCredential { payload, header, header_range, secret, values, slot_ranges, signature })
    }

    /// The issuer part.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The resident claims, unverified.
    pub fn claims(&self) -> &Claims {
        &self.values.claims
    }

    /// The age predicates, unverified.
    pub fn age_over(&self) -> AgeOver {
        self.values.age
    }

    /// The embedded face thumbnail (WebP), unverified.
    pub fn photo(&self) -> Option<&[u8]> {
        self.values.photo.as_deref()
    }

    /// The binary payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The message the issuer signed: tag, the issuer part as received, and the commitment root.
    pub(crate) fn signed_message(&self) -> Vec<u8> {
        let header_bytes = self.payload.get(self.header_range.clone()).unwrap_or(&[]);
        let slots: [&[u8]; slot::COUNT] = self.slot_ranges.map(|(s, e)| self.payload.get(s..e).unwrap_or(&[]));
        signed_message(header_bytes, &commitment_root(&self.secret, &slots))
    }

    /// Length in bytes of the issuer part (the bytes signed as they are), at the start of
    /// the payload.
    pub fn issuer_part_len(&self) -> usize {
        self.header_range.end
    }

    /// The 64-byte issuer signature.
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }
}

/// `tag || issuer part || root`.
pub(crate) fn signed_message(header_bytes: &[u8], root: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNATURE_TAG.len() + header_bytes.len() + 32);
    m.extend_from_slice(SIGNATURE_TAG);
    m.extend_from_slice(header_bytes);
    m.extend_from_slice(root);
    m
}

/// SHA-256 of the concatenation of `parts`. Inputs of at most 55 bytes (every salt seed,
/// every node and most leaves) are one padded block, compressed directly: this skips the
/// streaming buffer and is measurably faster on the verification path, where it runs 46
/// times. Longer inputs use the streaming hasher. Both give the same digest (tested).
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    if len > 55 {
        let mut h = Sha256::new();
        for p in parts {
            h.update(p);
        }
        return h.finalize().into();
    }
    let mut block = [0u8; 64];
    let mut pos = 0;
    for p in parts {
        if let Some(dst) = block.get_mut(pos..pos + p.len()) {
            dst.copy_from_slice(p);
        }
        pos += p.len();
    }
    pad(&mut block, len);
    compress_one(block)
}

/// The digest of one block already padded.
fn compress_one(block: [u8; 64]) -> [u8; 32] {
    const H0: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut state = H0;
    sha2::block_api::compress256(&mut state, &[block]);
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Pads a block holding `len` (at most 55) message bytes: the one padding rule of every
/// single-block hash here. Inlined, so a constant `len` makes the writes plain stores.
#[inline]
fn pad(block: &mut [u8; 64], len: usize) {
    if let Some(b) = block.get_mut(len) {
        *b = 0x80;
    }
    if let Some(dst) = block.get_mut(56..64) {
        dst.copy_from_slice(&((len as u64) * 8).to_be_bytes());
    }
}

/// Copies `src` into `block` at `AT` (fixed offsets and sizes: no call to `memmove`).
fn put<const AT: usize, const N: usize>(block: &mut [u8; 64], src: &[u8; N]) {
    if let Some(dst) = block.get_mut(AT..AT + N) {
        dst.copy_from_slice(src);
    }
}

fn trunc16(d: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out.copy_from_slice(d.get(..16).unwrap_or(&[0; 16]));
    out
}

/// The two child seeds of a salt-tree seed: the halves of SHA-256(salt tag || seed).
pub(crate) fn seed_children(seed: &[u8; 16]) -> [[u8; 16]; 2] {
    // One block built with fixed offsets (issue 18: 15 of the 46 hashes of a verification);
    // the same digest as `sha256(&[SALT_TAG, seed])` (tested).
    const TAG: [u8; 10] = *b"IKD1 salt\0";
    const { assert!(TAG.len() == SALT_TAG.len()) };
    let mut block = [0u8; 64];
    put::<0, 10>(&mut block, &TAG);
    put::<10, 16>(&mut block, seed);
    pad(&mut block, 26);
    let d = compress_one(block);
    [trunc16(&d), trunc16(d.get(16..).unwrap_or(&[]))]
}

/// Where the slot tree splits the range `lo..hi` into its two children (§4 of FORMAT.md).
///
/// The tree is not perfect: the root's left child covers slots 0–3 (`nama`, `nik`,
/// `age_over_17`, `foto`, the claims most often shown together) and its right child
/// slots 4–15, split 4–7 | 8–15; every other range is halved. A presentation that shows
/// only claims from the first four then needs one sibling for all twelve others instead of
/// two, which saves 16 bytes (24 characters) on the commonest presentations. The number of
/// hashes, and so the verification cost, is the same as for the perfect tree.
pub(crate) const fn split(lo: usize, hi: usize) -> usize {
    match (lo, hi) {
        (0, slot::COUNT) => 4,
        (4, slot::COUNT) => 8,
        _ => (lo + hi) / 2,
    }
}

/// Expands the seed of the subtree over slots `lo..hi` into those slots' salts.
pub(crate) fn expand_seed(seed: &[u8; 16], lo: usize, hi: usize, salts: &mut [[u8; 16]; slot::COUNT]) {
    if hi - lo <= 1 {
        if let Some(s) = salts.get_mut(lo) {
            *s = *seed;
        }
        return;
    }
    let mid = split(lo, hi);
    let [l, r] = seed_children(seed);
    expand_seed(&l, lo, mid, salts);
    expand_seed(&r, mid, hi, salts);
}

/// The seed of the subtree over slots `lo..hi`, from the root secret.
pub(crate) fn subtree_seed(secret: &SaltSecret, lo: usize, hi: usize) -> [u8; 16] {
    let (mut seed, mut a, mut b) = (*secret.bytes(), 0, slot::COUNT);
    while (a, b) != (lo, hi) && b - a > 1 {
        let mid = split(a, b);
        let [l, r] = seed_children(&seed);
        if hi <= mid {
            (seed, b) = (l, mid);
        } else {
            (seed, a) = (r, mid);
        }
    }
    seed
}

/// Leaf commitment of slot `i`: first 16 bytes of SHA-256(0x00 || i || salt || value bytes).
pub(crate) fn leaf(i: u8, salt: &[u8; 16], value: &[u8]) -> [u8; 16] {
    let len = 18 + value.len();
    if len > 55 {
        return trunc16(&sha256(&[&[0x00, i], salt, value]));
    }
    // One block, its fixed part at fixed offsets (16 of the 46 hashes of a verification).
    let mut block = [0u8; 64];
    put::<0, 2>(&mut block, &[0x00, i]);
    put::<2, 16>(&mut block, salt);
    if let Some(dst) = block.get_mut(18..len) {
        dst.copy_from_slice(value);
    }
    pad(&mut block, len);
    trunc16(&compress_one(block))
}

/// SHA-256(0x01 || left || right): one block built with fixed offsets (15 of the 46 hashes of
/// a verification); the same digest as through [`sha256`] (tested).
pub(crate) fn node(left: &[u8; 16], right: &[u8; 16]) -> [u8; 32] {
    let mut block = [0u8; 64];
    put::<0, 1>(&mut block, &[0x01]);
    put::<1, 16>(&mut block, left);
    put::<17, 16>(&mut block, right);
    pad(&mut block, 33);
    compress_one(block)
}

/// An internal node below the root: the first 16 bytes of [`node`].
pub(crate) fn node_16(left: &[u8; 16], right: &[u8; 16]) -> [u8; 16] {
    trunc16(&node(left, right))
}

/// The Merkle root over the 16 slot leaves in the tree shape of [`split`]: internal nodes
/// are truncated to 16 bytes, the root is the full 32-byte digest.
pub(crate) fn merkle_root(leaves: &[[u8; 16]; slot::COUNT]) -> [u8; 32] {
    let mid = split(0, slot::COUNT);
    node(&subtree_node((0, mid), leaves), &subtree_node((mid, slot::COUNT), leaves))
}

/// The 16-byte node of the subtree over slots `lo..hi` (a leaf when it spans one slot).
pub(crate) fn subtree_node((lo, hi): (usize, usize), leaves: &[[u8; 16]; slot::COUNT]) -> [u8; 16] {
    if hi - lo <= 1 {
        return leaves.get(lo).copied().unwrap_or([0; 16]);
    }
    let mid = split(lo, hi);
    node_16(&subtree_node((lo, mid), leaves), &subtree_node((mid, hi), leaves))
}

pub(crate) fn commitment_root(secret: &SaltSecret, slots: &[&[u8]]) -> [u8; 32] {
    let mut salts = [[0u8; 16]; slot::COUNT];
    expand_seed(secret.bytes(), 0, slot::COUNT, &mut salts);
    let mut leaves = [[0u8; 16]; slot::COUNT];
    for (i, ((l, v), s)) in leaves.iter_mut().zip(slots).zip(&salts).enumerate() {
        *l = leaf(u8::try_from(i).unwrap_or(u8::MAX), s, v);
    }
    merkle_root(&leaves)
}

/// Encodes header, secret and slots; returns (payload without signature, header length, root).
pub(crate) fn encode_unsigned(header: &Header, secret: &SaltSecret, values: &SlotValues) -> (Vec<u8>, usize, [u8; 32]) {
    let mut w = Writer::default();
    header.write(&mut w);
    let header_len = w.buf.len();
    w.bytes(secret.bytes());
    let mut slots = Vec::with_capacity(slot::COUNT);
    for i in 0..slot::COUNT {
        let mut s = Writer::default();
        values.write_slot(i, &mut s);
        w.bytes(&s.buf);
        slots.push(s.buf);
    }
    let refs: Vec<&[u8]> = slots.iter().map(Vec::as_slice).collect();
    let root = commitment_root(secret, &refs);
    (w.buf, header_len, root)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our strict decoder against the `base45` crate: the same bytes for every text the
    /// crate accepts, except final pairs above 255, which only we refuse (as non-canonical).
    #[test]
    fn base45_decoder_agrees_with_the_crate() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..20_000 {
            let len = usize::try_from(next() % 40).unwrap_or(0);
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    // Mostly alphabet characters, sometimes anything.
                    if r % 50 == 0 {
                        u8::try_from(r >> 8 & 0xFF).unwrap_or(0)
                    } else {
                        BASE45_ALPHABET.get(usize::try_from(r >> 8).unwrap_or(0) % 45).copied().unwrap_or(b'0')
                    }
                })
                .collect();
            let ours = base45_decode(&text);
            match base45::decode(&text) {
                Ok(theirs) => match &ours {
                    Ok(o) => assert_eq!(o, &theirs, "round {round}"),
                    Err(DecodeError::NonCanonicalBase45) => assert_eq!(text.len() % 3, 2, "round {round}"),
                    Err(e) => unreachable!("round {round}: {e:?} for text the crate accepts"),
                },
                Err(_) => assert!(matches!(ours, Err(DecodeError::BadBase45)), "round {round}: {ours:?}"),
            }
            if let Ok(o) = &ours {
                assert_eq!(base45::encode(o).as_bytes(), text.as_slice(), "round {round}: not canonical");
            }
        }
        // RFC 9285 §4.3 examples.
        assert_eq!(base45_decode(b"QED8WEX0").ok(), Some(b"ietf!".to_vec()));
        assert_eq!(base45_decode(b"%69 VD92EX0").ok(), Some(b"Hello!!".to_vec()));
        assert!(matches!(base45_decode(b"GGW"), Err(DecodeError::BadBase45)), "65536 + 0 is above 65535");
        assert!(matches!(base45_decode(b"::"), Err(DecodeError::NonCanonicalBase45)));
        assert!(matches!(base45_decode(b"abc"), Err(DecodeError::BadBase45)));
        assert!(matches!(base45_decode(b"0"), Err(DecodeError::BadBase45)));
    }

    #[test]
    fn fixed_layout_hashes_match_the_general_one() {
        let a: [u8; 16] = core::array::from_fn(|i| i as u8);
        let b: [u8; 16] = core::array::from_fn(|i| 200 - i as u8);
        assert_eq!(node(&a, &b), sha256(&[&[0x01], &a, &b]));
        let d = sha256(&[SALT_TAG, &a]);
        assert_eq!(seed_children(&a), [trunc16(&d), trunc16(d.get(16..).unwrap_or(&[]))]);
        let value: Vec<u8> = (0..80u8).collect();
        for n in 0..value.len() {
            let v = value.get(..n).unwrap_or(&[]);
            assert_eq!(leaf(7, &a, v), trunc16(&sha256(&[&[0x00, 7], &a, v])), "value of {n} bytes");
        }
    }

    #[test]
    fn one_block_sha256_matches_streaming_for_every_length() {
        let data: Vec<u8> = (0..200u8).collect();
        for len in 0..data.len() {
            let (a, b) = data.split_at(len / 3);
            let (b, c) = b.split_at(len - len / 3 - (len - len / 3) / 2);
            let c = c.get(..len - a.len() - b.len()).unwrap_or(&[]);
            let want: [u8; 32] = Sha256::digest(data.get(..len).unwrap_or(&[])).into();
            assert_eq!(sha256(&[a, b, c]), want, "length {len}");
        }
    }
}
