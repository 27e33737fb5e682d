//! Status lists (revocation and suspension) and offline freshness.
//!
//! Each issuer key has one status list: a signed, compressed list of 2-bit statuses
//! (valid, revoked, suspended) indexed by the credential's [`StatusIndex`], in the spirit of
//! the IETF Token Status List. The byte format is specified in `docs/TRUST-AND-STATUS.md`
//! (section "Status list"); in short:
//!
//! * the revoked and the suspended indices are each coded as a set, either as Golomb–Rice
//!   coded gaps with a per-list optimal parameter or as a plain bitmap, whichever is smaller
//!   (the choice is recorded in the list);
//! * the list is signed with Ed25519 over `"IKD1 status list\0"` and the exact bytes received;
//! * [`StatusList::verify`] decodes the list **once** into a compact in-memory form (a sorted
//!   `Vec<u32>` or a bitmap per status), so [`StatusList::get`] is a binary search or a bit
//!   test, never a decompression.
//!
//! Revocation is final: `StatusListBuilder` (feature `issue`) refuses to lift a revocation, and
//! [`StatusList::check_transition`] lets a syncer refuse a newer list that does.
//!
//! [`FreshnessPolicy`] and [`staleness`] say how old a cached list may be before a verifier
//! working offline should warn, and before it should stop relying on it.

use crate::lang::Lang;
use std::fmt;

use crate::credential::{StatusIndex, Timestamp, WIRE_EPOCH};
use crate::error::DecodeError;
pub use crate::freshness::{
    DEFAULT_STATUS_FRESH_SECS, DEFAULT_STATUS_GRACE_SECS, DEFAULT_TRUST_FRESH_SECS, DEFAULT_TRUST_GRACE_SECS,
    Freshness, FreshnessPolicy, staleness,
};
use crate::keys::{KeyId, PublicKey};
use crate::wire::Reader;

/// Domain-separation tag of the status-list signature.
pub const STATUS_LIST_TAG: &[u8] = b"IKD1 status list\0";
/// The first four bytes of every status list.
pub const STATUS_LIST_MAGIC: &[u8; 4] = b"IKSL";
/// The format version this library reads and writes.
pub const STATUS_LIST_VERSION: u8 = 1;
/// Largest number of entries in one list (2^28).
pub const MAX_STATUS_LIST_ENTRIES: u32 = 1 << 28;
/// Largest status list accepted, in bytes: two bitmaps of [`MAX_STATUS_LIST_ENTRIES`] bits
/// and room for the header and signature. Callers fetching lists over a network may (and
/// should) apply a smaller cap that fits their issuers.
pub const MAX_STATUS_LIST_BYTES: usize = 2 * (MAX_STATUS_LIST_ENTRIES as usize / 8) + 4096;
/// Longest time-to-live a list may declare: 366 days.
pub const MAX_STATUS_TTL_SECS: u64 = 366 * 86_400;
/// Largest Golomb–Rice parameter (gaps are below 2^28).
pub const MAX_RICE_PARAMETER: u8 = 27;
/// How many random draws [`allocate_index`] makes before giving up.
pub const ALLOCATE_ATTEMPTS: u32 = 64;

const MAX_SEQUENCE: u64 = (1 << 53) - 1;
const MAX_WIRE_SECS: u64 = (1 << 34) - 1;
const SIGNATURE_LEN: usize = 64;
const ENC_EMPTY: u8 = 0;
const ENC_RICE: u8 = 1;
const ENC_BITMAP: u8 = 2;

/// The status of one credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialStatus {
    /// Not revoked or suspended (wire value 0).
    Valid,
    /// Revoked for good (wire value 1). A revocation is never lifted.
    Revoked,
    /// Temporarily suspended (wire value 2); may return to valid.
    Suspended,
}

impl CredentialStatus {
    /// Stable machine-readable code: `valid`, `revoked` or `suspended`.
    pub fn code(self) -> &'static str {
        match self {
            CredentialStatus::Valid => "valid",
            CredentialStatus::Revoked => "revoked",
            CredentialStatus::Suspended => "suspended",
        }
    }

    /// The 2-bit value of the IETF Token Status List (0 valid, 1 revoked, 2 suspended).
    pub fn value(self) -> u8 {
        match self {
            CredentialStatus::Valid => 0,
            CredentialStatus::Revoked => 1,
            CredentialStatus::Suspended => 2,
        }
    }
}

impl fmt::Display for CredentialStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How one set (revoked or suspended indices) is coded in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionEncoding {
    /// The set is empty (encoding byte 0).
    Empty,
    /// Golomb–Rice coded gaps with parameter `k` (encoding byte 1).
    Rice {
        /// The Rice parameter: the low `k` bits of each gap are written as they are.
        k: u8,
    },
    /// One bit per entry (encoding byte 2).
    Bitmap,
}

/// Errors from reading, building or updating a status list. Every variant has a stable code
/// ([`StatusListError::code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusListError {
    /// The input is larger than [`MAX_STATUS_LIST_BYTES`].
    #[error("the status list is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// Bytes received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The input does not start with the status-list magic `IKSL`.
    #[error("the input is not an IKD status list")]
    NotAStatusList,
    /// The format version is not one this library reads.
    #[error("status list format version {0} is not supported")]
    UnsupportedVersion(u8),
    /// The input ends before the list does.
    #[error("the status list is truncated")]
    Truncated,
    /// Bytes follow the signature.
    #[error("{count} unexpected bytes follow the status list")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A field breaks the format's rules.
    #[error("the status list is malformed: {0}")]
    Malformed(String),
    /// The list is for a different issuer key than the one it was checked against.
    #[error("the status list belongs to a different issuer key")]
    WrongIssuer,
    /// The signature does not verify (strict Ed25519) under the expected key.
    #[error("the status list signature is not valid")]
    BadSignature,
    /// The index is not below the list's size.
    #[error("status index {index} is outside the list of {len} entries")]
    IndexOutOfRange {
        /// The index asked for.
        index: u32,
        /// The list's size.
        len: u32,
    },
    /// A list size is zero or above [`MAX_STATUS_LIST_ENTRIES`], or a list would shrink.
    #[error("a status list must have between 1 and 2^28 entries and can only grow")]
    InvalidSize,
    /// A parameter for signing is out of range (issue time, time-to-live or sequence).
    #[error("invalid status list parameter: {0}")]
    InvalidParameter(&'static str),
    /// A revoked credential would become valid or suspended again.
    #[error("status index {index} is revoked, and a revocation cannot be lifted")]
    RevocationLifted {
        /// The index.
        index: u32,
    },
    /// The newer list is for another issuer key.
    #[error("the new status list is for another issuer key")]
    IssuerChanged,
    /// The newer list has a lower sequence number (a rollback to an older list).
    #[error("the new status list has sequence {new}, older than the current {old}")]
    Rollback {
        /// Sequence of the list held.
        old: u64,
        /// Sequence of the list offered.
        new: u64,
    },
    /// The newer list has the same sequence number but different contents.
    #[error("sequence {sequence} was reused for a different status list")]
    SequenceReused {
        /// The sequence number.
        sequence: u64,
    },
    /// The newer list was issued before the list held.
    #[error("the new status list was issued before the current one")]
    IssuedAtBackwards,
    /// The newer list has fewer entries than the list held.
    #[error("the new status list has {new} entries, fewer than the current {old}")]
    Shrunk {
        /// Entries in the list held.
        old: u32,
        /// Entries in the list offered.
        new: u32,
    },
    /// The list is dated later than the verifier's clock plus the skew tolerance. Held, it
    /// would stay "fresh" for as long as its date is ahead and shut out every real
    /// successor, freezing revocation, so it is refused.
    #[error("the status list is dated {issued_at}, later than this device's clock allows")]
    IssuedInFuture {
        /// The list's issue time.
        issued_at: Timestamp,
    },
    /// The trust list names no such issuer key, so nothing may sign its status list.
    #[error("the trust list does not name the status list's issuer key")]
    IssuerNotTrusted,
    /// The key that signs this status list is marked compromised in the trust list, so a
    /// list it signed may be the attacker's.
    #[error("the key that signs this status list is marked compromised in the trust list")]
    SignerCompromised,
}

impl StatusListError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            StatusListError::TooLarge { .. } => "status_too_large",
            StatusListError::NotAStatusList => "status_bad_magic",
            StatusListError::UnsupportedVersion(_) => "status_unsupported_version",
            StatusListError::Truncated => "status_truncated",
            StatusListError::TrailingBytes { .. } => "status_trailing_bytes",
            StatusListError::Malformed(_) => "status_malformed",
            StatusListError::WrongIssuer => "status_wrong_issuer",
            StatusListError::BadSignature => "status_bad_signature",
            StatusListError::IndexOutOfRange { .. } => "status_index_out_of_range",
            StatusListError::InvalidSize => "status_invalid_size",
            StatusListError::InvalidParameter(_) => "status_invalid_parameter",
            StatusListError::RevocationLifted { .. } => "status_revocation_lifted",
            StatusListError::IssuerChanged => "status_issuer_changed",
            StatusListError::Rollback { .. } => "status_rollback",
            StatusListError::SequenceReused { .. } => "status_sequence_reused",
            StatusListError::IssuedAtBackwards => "status_issued_at_backwards",
            StatusListError::Shrunk { .. } => "status_shrunk",
            StatusListError::IssuedInFuture { .. } => "status_issued_in_future",
            StatusListError::IssuerNotTrusted => "status_issuer_not_trusted",
            StatusListError::SignerCompromised => "status_signer_compromised",
        }
    }
}

fn malformed(what: impl Into<String>) -> StatusListError {
    StatusListError::Malformed(what.into())
}

fn from_decode(e: DecodeError) -> StatusListError {
    match e {
        DecodeError::Truncated => StatusListError::Truncated,
        DecodeError::NonCanonical { field } => malformed(format!("`{field}` is not canonically encoded")),
        DecodeError::ValueOutOfRange { field } => malformed(format!("`{field}` is out of range")),
        other => malformed(other.to_string()),
    }
}

// ---------------------------------------------------------------------------------------
// In-memory sets.

/// A set of indices below the list size, in whichever form is smaller: a sorted vector
/// (4 bytes per member) or a bitmap (1 bit per entry).
#[derive(Clone, PartialEq, Eq)]
enum IndexSet {
    Sorted(Vec<u32>),
    Bitmap { words: Vec<u64>, count: u32 },
}

impl IndexSet {
    /// From strictly increasing indices, all below `size`.
    #[cfg(test)]
    fn from_sorted(v: Vec<u32>, size: u32) -> IndexSet {
        let count = u32::try_from(v.len()).unwrap_or(u32::MAX);
        if u64::from(count) * 32 <= u64::from(size) {
            return IndexSet::Sorted(v);
        }
        let mut words = vec![0u64; (size as usize).div_ceil(64)];
        for i in v {
            if let Some(w) = words.get_mut((i / 64) as usize) {
                *w |= 1 << (i % 64);
            }
        }
        IndexSet::Bitmap { words, count }
    }

    fn contains(&self, i: u32) -> bool {
        match self {
            IndexSet::Sorted(v) => v.binary_search(&i).is_ok(),
            IndexSet::Bitmap { words, .. } => words.get((i / 64) as usize).is_some_and(|w| (w >> (i % 64)) & 1 == 1),
        }
    }

    fn len(&self) -> u32 {
        match self {
            IndexSet::Sorted(v) => u32::try_from(v.len()).unwrap_or(u32::MAX),
            IndexSet::Bitmap { count, .. } => *count,
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            IndexSet::Sorted(v) => Box::new(v.iter().copied()),
            IndexSet::Bitmap { words, .. } => Box::new(words.iter().enumerate().flat_map(|(wi, &w)| {
                let base = u32::try_from(wi).unwrap_or(u32::MAX).saturating_mul(64);
                BitIter(w).map(move |b| base + b)
            })),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            IndexSet::Sorted(v) => v.len() * 4,
            IndexSet::Bitmap { words, .. } => words.len() * 8,
        }
    }
}

/// The set bits of one word, lowest first.
struct BitIter(u64);

impl Iterator for BitIter {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.0 == 0 {
            return None;
        }
        let b = self.0.trailing_zeros();
        self.0 &= self.0 - 1;
        Some(b)
    }
}

// ---------------------------------------------------------------------------------------
// Bit-level coding (most significant bit first).

struct BitReader<'a> {
    data: &'a [u8],
    /// Position in bits.
    pos: usize,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        BitReader { data, pos: 0 }
    }

    fn byte(&self) -> Result<u8, StatusListError> {
        self.data.get(self.pos / 8).copied().ok_or_else(|| malformed("Rice data ends early"))
    }

    /// Counts 0 bits up to and including the next 1 bit; fails beyond `limit` zeros.
    fn unary(&mut self, limit: u64) -> Result<u64, StatusListError> {
        let mut q: u64 = 0;
        loop {
            let off = self.pos % 8;
            let masked = self.byte()? << off;
            if masked != 0 {
                let z = masked.leading_zeros() as usize;
                q += z as u64;
                self.pos += z + 1;
                break;
            }
            q += (8 - off) as u64;
            self.pos += 8 - off;
            if q > limit {
                break;
            }
        }
        if q > limit {
            return Err(malformed("Rice quotient goes beyond the list"));
        }
        Ok(q)
    }

    /// Reads `k` ≤ 32 bits.
    fn bits(&mut self, k: u8) -> Result<u64, StatusListError> {
        let mut v = 0u64;
        let mut need = usize::from(k);
        while need > 0 {
            let off = self.pos % 8;
            let avail = 8 - off;
            let take = avail.min(need);
            let chunk = (u64::from(self.byte()?) >> (avail - take)) & ((1u64 << take) - 1);
            v = (v << take) | chunk;
            self.pos += take;
            need -= take;
        }
        Ok(v)
    }

    /// The data must end in the byte holding the last bit read, padded with zero bits.
    fn finish(&self) -> Result<(), StatusListError> {
        if self.pos.div_ceil(8) != self.data.len() {
            return Err(malformed("Rice data has extra bytes"));
        }
        let used = self.pos % 8;
        if used != 0 {
            let last = self.data.last().copied().unwrap_or(0);
            if last & (0xffu8 >> used) != 0 {
                return Err(malformed("Rice padding bits are not zero"));
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct BitWriter {
    buf: Vec<u8>,
    acc: u64,
    nbits: u32,
}

impl BitWriter {
    fn push(&mut self, value: u64, n: u32) {
        // n ≤ 32, and nbits < 8 between calls, so acc never overflows.
        self.acc = (self.acc << n) | (value & ((1u64 << n) - 1));
        self.nbits += n;
        while self.nbits >= 8 {
            self.nbits -= 8;
            self.buf.push((self.acc >> self.nbits) as u8);
        }
        self.acc &= (1u64 << self.nbits) - 1;
    }

    fn unary(&mut self, mut q: u64) {
        while q >= 32 {
            self.push(0, 32);
            q -= 32;
        }
        self.push(1, (q as u32) + 1);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.nbits > 0 {
            self.buf.push((self.acc << (8 - self.nbits)) as u8);
        }
        self.buf
    }
}

/// Gaps of a strictly increasing sequence: the first index, then `next - previous - 1`.
fn gaps(indices: &[u32]) -> impl Iterator<Item = u64> + '_ {
    let mut prev: Option<u32> = None;
    indices.iter().map(move |&i| {
        let g = match prev {
            None => u64::from(i),
            Some(p) => u64::from(i) - u64::from(p) - 1,
        };
        prev = Some(i);
        g
    })
}

/// The Rice parameter with the fewest bits (the smallest on a tie), and that many bits.
fn best_rice(indices: &[u32]) -> (u8, u64) {
    let n = indices.len() as u64;
    let mut best = (0u8, u64::MAX);
    for k in 0..=MAX_RICE_PARAMETER {
        let bits = gaps(indices).map(|g| g >> k).sum::<u64>() + n * (u64::from(k) + 1);
        if bits < best.1 {
            best = (k, bits);
        }
    }
    best
}

fn rice_encode(indices: &[u32], k: u8) -> Vec<u8> {
    let mut w = BitWriter::default();
    for g in gaps(indices) {
        w.unary(g >> k);
        if k > 0 {
            w.push(g, u32::from(k));
        }
    }
    w.finish()
}

/// Decodes Rice data straight into the in-memory form: a sorted vector when the set is
/// sparse, a bitmap when it is dense (decided from the declared count, so memory stays
/// within 4 bytes per member and at most size / 8 bytes, whatever the input).
fn rice_decode(data: &[u8], count: u32, k: u8, size: u32) -> Result<IndexSet, StatusListError> {
    // Every gap takes at least k + 1 bits: bound the work by the data, not the header.
    let max_count = (data.len() as u64).saturating_mul(8) / (u64::from(k) + 1);
    if u64::from(count) > max_count {
        return Err(malformed("Rice count is larger than the data can hold"));
    }
    let dense = u64::from(count) * 32 > u64::from(size);
    let mut sorted = Vec::with_capacity(if dense { 0 } else { count as usize });
    let mut words = if dense { vec![0u64; (size as usize).div_ceil(64)] } else { Vec::new() };
    let mut r = BitReader::new(data);
    let limit = u64::from(size) >> k;
    let mut next: u64 = 0;
    for _ in 0..count {
        let q = r.unary(limit)?;
        let low = r.bits(k)?;
        let index = next + ((q << k) | low);
        if index >= u64::from(size) {
            return Err(malformed("an index is beyond the list size"));
        }
        if dense {
            if let Some(w) = words.get_mut((index / 64) as usize) {
                *w |= 1 << (index % 64);
            }
        } else {
            sorted.push(index as u32);
        }
        next = index + 1;
    }
    r.finish()?;
    Ok(if dense { IndexSet::Bitmap { words, count } } else { IndexSet::Sorted(sorted) })
}

fn bitmap_len(size: u32) -> usize {
    (size as usize).div_ceil(8)
}

fn bitmap_encode(indices: &[u32], size: u32) -> Vec<u8> {
    let mut out = vec![0u8; bitmap_len(size)];
    for &i in indices {
        if let Some(b) = out.get_mut((i / 8) as usize) {
            *b |= 1 << (i % 8);
        }
    }
    out
}

fn bitmap_decode(data: &[u8], size: u32) -> Result<IndexSet, StatusListError> {
    let tail_bits = size % 8;
    if tail_bits != 0 && data.last().is_some_and(|b| b >> tail_bits != 0) {
        return Err(malformed("bitmap bits beyond the list size are set"));
    }
    let count: u32 = data.iter().map(|b| b.count_ones()).sum();
    if count == 0 {
        return Err(malformed("an empty set must use encoding 0"));
    }
    if u64::from(count) * 32 <= u64::from(size) {
        let mut v = Vec::with_capacity(count as usize);
        for (bi, &b) in data.iter().enumerate() {
            let base = u32::try_from(bi).unwrap_or(u32::MAX).saturating_mul(8);
            v.extend(BitIter(u64::from(b)).map(|bit| base + bit));
        }
        return Ok(IndexSet::Sorted(v));
    }
    let words = data
        .chunks(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w.iter_mut().zip(c).for_each(|(d, s)| *d = *s);
            u64::from_le_bytes(w)
        })
        .collect();
    Ok(IndexSet::Bitmap { words, count })
}

/// One coded set as found in the bytes, before decoding.
struct RawSection<'a> {
    encoding: SectionEncoding,
    count: u32,
    data: &'a [u8],
}

fn read_section<'a>(r: &mut Reader<'a>, size: u32, name: &'static str) -> Result<RawSection<'a>, StatusListError> {
    let enc = r.u8().map_err(from_decode)?;
    match enc {
        ENC_EMPTY => Ok(RawSection { encoding: SectionEncoding::Empty, count: 0, data: &[] }),
        ENC_RICE => {
            let count = r.varint(u64::from(size), name).map_err(from_decode)?;
            if count == 0 {
                return Err(malformed("an empty set must use encoding 0"));
            }
            let k = r.u8().map_err(from_decode)?;
            if k > MAX_RICE_PARAMETER {
                return Err(malformed("Rice parameter above 27"));
            }
            let data = r.bstr(MAX_STATUS_LIST_BYTES, name).map_err(from_decode)?;
            Ok(RawSection { encoding: SectionEncoding::Rice { k }, count: count as u32, data })
        }
        ENC_BITMAP => {
            let data = r.take(bitmap_len(size)).map_err(from_decode)?;
            Ok(RawSection { encoding: SectionEncoding::Bitmap, count: 0, data })
        }
        other => Err(malformed(format!("unknown set encoding {other}"))),
    }
}

fn decode_section(s: &RawSection<'_>, size: u32) -> Result<IndexSet, StatusListError> {
    match s.encoding {
        SectionEncoding::Empty => Ok(IndexSet::Sorted(Vec::new())),
        SectionEncoding::Rice { k } => rice_decode(s.data, s.count, k, size),
        SectionEncoding::Bitmap => bitmap_decode(s.data, size),
    }
}

/// Writes one set in its smallest encoding; returns the encoding chosen.
fn write_section(out: &mut Vec<u8>, indices: &[u32], size: u32) -> SectionEncoding {
    if indices.is_empty() {
        out.push(ENC_EMPTY);
        return SectionEncoding::Empty;
    }
    let (k, bits) = best_rice(indices);
    let rice_bytes = bits.div_ceil(8);
    let rice_total = 2 + varint_len(indices.len() as u64) + varint_len(rice_bytes) + rice_bytes;
    let bitmap_total = 1 + bitmap_len(size) as u64;
    if rice_total <= bitmap_total {
        out.push(ENC_RICE);
        put_varint(out, indices.len() as u64);
        out.push(k);
        let data = rice_encode(indices, k);
        put_varint(out, data.len() as u64);
        out.extend_from_slice(&data);
        SectionEncoding::Rice { k }
    } else {
        out.push(ENC_BITMAP);
        out.extend_from_slice(&bitmap_encode(indices, size));
        SectionEncoding::Bitmap
    }
}

fn varint_len(mut v: u64) -> u64 {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let low = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

// ---------------------------------------------------------------------------------------
// The list.

/// A verified, decoded status list. Cheap to query: [`StatusList::get`] is a binary search
/// or a bit test on data decoded once by [`StatusList::verify`].
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    issuer: PublicKey,
    sequence: u64,
    issued_at: Timestamp,
    ttl_secs: u64,
    size: u32,
    revoked: IndexSet,
    suspended: IndexSet,
    encodings: [SectionEncoding; 2],
}

impl fmt::Debug for StatusList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusList")
            .field("issuer", &self.issuer)
            .field("sequence", &self.sequence)
            .field("issued_at", &self.issued_at)
            .field("ttl_secs", &self.ttl_secs)
            .field("len", &self.size)
            .field("revoked", &self.revoked.len())
            .field("suspended", &self.suspended.len())
            .field("encodings", &self.encodings)
            .finish()
    }
}

/// The issuer key a status list names (bytes 5..37 after the magic and the version), read
/// without verifying anything else, to find which trust-list entry must have signed it.
pub fn status_list_issuer(bytes: &[u8]) -> Result<PublicKey, StatusListError> {
    if bytes.len() > MAX_STATUS_LIST_BYTES {
        return Err(StatusListError::TooLarge { len: bytes.len(), max: MAX_STATUS_LIST_BYTES });
    }
    if bytes.get(..4) != Some(STATUS_LIST_MAGIC.as_slice()) {
        return Err(StatusListError::NotAStatusList);
    }
    let raw: [u8; 32] = bytes.get(5..37).and_then(|b| b.try_into().ok()).ok_or(StatusListError::Truncated)?;
    PublicKey::from_bytes(&raw).map_err(|_| malformed("the issuer key is not a valid key"))
}

impl StatusList {
    /// Verifies a status list signed by the issuer key itself, and decodes it.
    ///
    /// Checks, in order: the size cap, the magic and version, the structure (so that
    /// truncation and trailing bytes are reported as such), that the list names
    /// `issuer_key`, the strict Ed25519 signature over the exact bytes, and then decodes
    /// both sets with caps at every stage.
    pub fn verify(bytes: &[u8], issuer_key: &PublicKey) -> Result<StatusList, StatusListError> {
        StatusList::verify_inner(bytes, issuer_key, issuer_key)
    }

    /// Verifies a status list for credentials of `issuer_key` that is signed by a separate
    /// `status_key` (the trust list's `status_key` for that issuer key, see
    /// [`crate::trustlist::TrustListEntry::status_signing_key`]).
    pub fn verify_delegated(
        bytes: &[u8],
        issuer_key: &PublicKey,
        status_key: &PublicKey,
    ) -> Result<StatusList, StatusListError> {
        StatusList::verify_inner(bytes, issuer_key, status_key)
    }

    fn verify_inner(bytes: &[u8], issuer_key: &PublicKey, signer: &PublicKey) -> Result<StatusList, StatusListError> {
        if bytes.len() > MAX_STATUS_LIST_BYTES {
            return Err(StatusListError::TooLarge { len: bytes.len(), max: MAX_STATUS_LIST_BYTES });
        }
        let mut r = Reader::new(bytes);
        let magic = match r.array::<4>() {
            Ok(m) => m,
            Err(_) if STATUS_LIST_MAGIC.starts_with(bytes) => return Err(StatusListError::Truncated),
            Err(_) => return Err(StatusListError::NotAStatusList),
        };
        if &magic != STATUS_LIST_MAGIC {
            return Err(StatusListError::NotAStatusList);
        }
        let version = r.u8().map_err(from_decode)?;
        if version != STATUS_LIST_VERSION {
            return Err(StatusListError::UnsupportedVersion(version));
        }
        let key_bytes = r.array::<32>().map_err(from_decode)?;
        let issuer = PublicKey::from_bytes(&key_bytes).map_err(|_| malformed("the issuer key is not a valid key"))?;
        let sequence = r.varint(MAX_SEQUENCE, "sequence").map_err(from_decode)?;
        let issued = r.varint(MAX_WIRE_SECS, "issued_at").map_err(from_decode)?;
        let ttl_secs = r.varint(MAX_STATUS_TTL_SECS, "ttl").map_err(from_decode)?;
        if ttl_secs == 0 {
            return Err(malformed("`ttl` is zero"));
        }
        let size = r.varint(u64::from(MAX_STATUS_LIST_ENTRIES), "size").map_err(from_decode)? as u32;
        if size == 0 {
            return Err(malformed("`size` is zero"));
        }
        let revoked_raw = read_section(&mut r, size, "revoked")?;
        let suspended_raw = read_section(&mut r, size, "suspended")?;
        let body_len = r.pos();
        match r.remaining() {
            n if n < SIGNATURE_LEN => return Err(StatusListError::Truncated),
            n if n > SIGNATURE_LEN => return Err(StatusListError::TrailingBytes { count: n - SIGNATURE_LEN }),
            _ => {}
        }
        let signature = r.array::<SIGNATURE_LEN>().map_err(from_decode)?;
        if issuer != *issuer_key {
            return Err(StatusListError::WrongIssuer);
        }
        let body = bytes.get(..body_len).ok_or(StatusListError::Truncated)?;
        let mut message = Vec::with_capacity(STATUS_LIST_TAG.len() + body.len());
        message.extend_from_slice(STATUS_LIST_TAG);
        message.extend_from_slice(body);
        if !crate::keys::verify_signature_strict(signer, &message, &signature) {
            return Err(StatusListError::BadSignature);
        }
        let revoked = decode_section(&revoked_raw, size)?;
        let suspended = decode_section(&suspended_raw, size)?;
        let (small, large) =
            if revoked.len() <= suspended.len() { (&revoked, &suspended) } else { (&suspended, &revoked) };
        if small.iter().any(|i| large.contains(i)) {
            return Err(malformed("an index is both revoked and suspended"));
        }
        let issued_at = Timestamp::from_unix(WIRE_EPOCH + issued as i64);
        Ok(StatusList {
            issuer,
            sequence,
            issued_at,
            ttl_secs,
            size,
            revoked,
            suspended,
            encodings: [revoked_raw.encoding, suspended_raw.encoding],
        })
    }

    /// The status of the credential with this index.
    pub fn get(&self, index: StatusIndex) -> Result<CredentialStatus, StatusListError> {
        let i = index.get();
        if i >= self.size {
            return Err(StatusListError::IndexOutOfRange { index: i, len: self.size });
        }
        Ok(if self.revoked.contains(i) {
            CredentialStatus::Revoked
        } else if self.suspended.contains(i) {
            CredentialStatus::Suspended
        } else {
            CredentialStatus::Valid
        })
    }

    /// The issuer key whose credentials this list covers.
    pub fn issuer_key(&self) -> &PublicKey {
        &self.issuer
    }

    /// The issuer key's id (what credentials carry).
    pub fn key_id(&self) -> KeyId {
        self.issuer.key_id()
    }

    /// The sequence number: higher is newer.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// When the list was made.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// The issuer's time-to-live: fetch a new list this long after [`StatusList::issued_at`].
    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// `issued_at + ttl`. After it the list is no longer fresh; see [`FreshnessPolicy`] for
    /// how long it remains usable.
    pub fn expires_at(&self) -> Timestamp {
        self.issued_at.plus(i64::try_from(self.ttl_secs).unwrap_or(i64::MAX))
    }

    /// Number of entries (valid indices are `0 .. len`).
    pub fn len(&self) -> u32 {
        self.size
    }

    /// Always false: a list has at least one entry.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Number of revoked entries.
    pub fn revoked_count(&self) -> u32 {
        self.revoked.len()
    }

    /// Number of suspended entries.
    pub fn suspended_count(&self) -> u32 {
        self.suspended.len()
    }

    /// The revoked indices, ascending.
    pub fn revoked(&self) -> impl Iterator<Item = u32> + '_ {
        self.revoked.iter()
    }

    /// The suspended indices, ascending.
    pub fn suspended(&self) -> impl Iterator<Item = u32> + '_ {
        self.suspended.iter()
    }

    /// How the revoked set was coded in the bytes.
    pub fn revoked_encoding(&self) -> SectionEncoding {
        self.encodings[0]
    }

    /// How the suspended set was coded in the bytes.
    pub fn suspended_encoding(&self) -> SectionEncoding {
        self.encodings[1]
    }

    /// Approximate heap memory held by the decoded sets, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.revoked.heap_bytes() + self.suspended.heap_bytes()
    }

    /// How fresh the list is at `now` under `policy`: fresh until the earlier of the list's
    /// own TTL and `policy.status_fresh_secs`, then in grace for `policy.status_grace_secs`.
    pub fn freshness(&self, now: Timestamp, policy: &FreshnessPolicy) -> Freshness {
        let ttl = i64::try_from(self.ttl_secs).unwrap_or(i64::MAX);
        staleness(self.issued_at, now, ttl.min(policy.status_fresh_secs), policy.status_grace_secs)
    }

    /// Verifies a status list against a signed trust list: the issuer key the list names must
    /// be in the trust list (`status_issuer_not_trusted`), the list must be signed by that
    /// entry's status signing key (its `status_key`, or the issuer key itself), and that
    /// signer must not be marked compromised (`status_signer_compromised`).
    ///
    /// A holder of lists calls this for every status list it holds whenever its trust list
    /// changes, and drops those that fail: a list signed by a key the new trust list no longer
    /// names as the signer, or marks compromised, could be an attacker's (for instance one
    /// dated far ahead with the highest sequence number, which no real successor could follow).
    pub fn verify_under_trust_list(
        bytes: &[u8],
        trust: &crate::trustlist::TrustList,
    ) -> Result<StatusList, StatusListError> {
        let issuer = status_list_issuer(bytes)?;
        let entry = trust.entry(&issuer).ok_or(StatusListError::IssuerNotTrusted)?;
        let signer = entry.status_signing_key();
        let compromised = |k: &PublicKey| {
            trust.entry(k).is_some_and(|e| matches!(e.status, crate::trustlist::KeyStatus::Compromised { .. }))
        };
        if compromised(signer) {
            return Err(StatusListError::SignerCompromised);
        }
        StatusList::verify_delegated(bytes, &entry.public_key, signer)
    }

    /// Whether `new` may be installed at `now` in place of `held` (or as the first list):
    /// it is dated no later than `now + skew_secs` (`status_issued_in_future`), and it is a
    /// valid successor of `held` ([`StatusList::check_transition`]). This is the one rule for
    /// accepting a downloaded list, used by every holder (`ikd sync`, the server's sync).
    pub fn check_offer(
        held: Option<&StatusList>,
        new: &StatusList,
        now: Timestamp,
        skew_secs: i64,
    ) -> Result<(), StatusListError> {
        if new.issued_at > now.plus(skew_secs.max(0)) {
            return Err(StatusListError::IssuedInFuture { issued_at: new.issued_at });
        }
        match held {
            Some(old) => StatusList::check_transition(old, new),
            None => Ok(()),
        }
    }

    /// Whether `new` may replace `old`: the same issuer key, a sequence number at least as
    /// high (equal only for an identical list), not issued earlier, no fewer entries, and
    /// every index revoked in `old` still revoked in `new`.
    pub fn check_transition(old: &StatusList, new: &StatusList) -> Result<(), StatusListError> {
        if old.issuer != new.issuer {
            return Err(StatusListError::IssuerChanged);
        }
        if new.sequence < old.sequence {
            return Err(StatusListError::Rollback { old: old.sequence, new: new.sequence });
        }
        if new.sequence == old.sequence {
            return if new == old { Ok(()) } else { Err(StatusListError::SequenceReused { sequence: new.sequence }) };
        }
        if new.issued_at < old.issued_at {
            return Err(StatusListError::IssuedAtBackwards);
        }
        if new.size < old.size {
            return Err(StatusListError::Shrunk { old: old.size, new: new.size });
        }
        if let Some(index) = old.revoked.iter().find(|&i| !new.revoked.contains(i)) {
            return Err(StatusListError::RevocationLifted { index });
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Building and signing.

#[cfg(feature = "issue")]
pub use builder::StatusListBuilder;

#[cfg(feature = "issue")]
mod builder {
    use std::collections::BTreeSet;

    use super::*;
    use crate::keys::SecretKey;

    /// Builds and signs status lists (feature `issue`).
    ///
    /// Start from [`StatusListBuilder::from_list`] with the last published list so that every
    /// revocation carries forward; [`StatusListBuilder::set`] refuses to lift a revocation.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct StatusListBuilder {
        size: u32,
        revoked: BTreeSet<u32>,
        suspended: BTreeSet<u32>,
    }

    impl StatusListBuilder {
        /// An all-valid list of `size` entries (1 ..= [`MAX_STATUS_LIST_ENTRIES`]).
        pub fn new(size: u32) -> Result<StatusListBuilder, StatusListError> {
            if size == 0 || size > MAX_STATUS_LIST_ENTRIES {
                return Err(StatusListError::InvalidSize);
            }
            Ok(StatusListBuilder { size, revoked: BTreeSet::new(), suspended: BTreeSet::new() })
        }

        /// The statuses of a published list, to update it.
        pub fn from_list(list: &StatusList) -> StatusListBuilder {
            StatusListBuilder {
                size: list.size,
                revoked: list.revoked.iter().collect(),
                suspended: list.suspended.iter().collect(),
            }
        }

        /// Number of entries.
        pub fn len(&self) -> u32 {
            self.size
        }

        /// Always false: a list has at least one entry.
        pub fn is_empty(&self) -> bool {
            self.size == 0
        }

        /// Grows the list to `new_size` entries (new entries are valid). Lists never shrink.
        pub fn grow(&mut self, new_size: u32) -> Result<(), StatusListError> {
            if new_size < self.size || new_size > MAX_STATUS_LIST_ENTRIES {
                return Err(StatusListError::InvalidSize);
            }
            self.size = new_size;
            Ok(())
        }

        /// The status of an index.
        pub fn get(&self, index: StatusIndex) -> Result<CredentialStatus, StatusListError> {
            let i = self.check(index)?;
            Ok(if self.revoked.contains(&i) {
                CredentialStatus::Revoked
            } else if self.suspended.contains(&i) {
                CredentialStatus::Suspended
            } else {
                CredentialStatus::Valid
            })
        }

        fn check(&self, index: StatusIndex) -> Result<u32, StatusListError> {
            let i = index.get();
            if i >= self.size {
                return Err(StatusListError::IndexOutOfRange { index: i, len: self.size });
            }
            Ok(i)
        }

        /// Sets an index's status. Revoking is final: moving a revoked index to valid or
        /// suspended fails with [`StatusListError::RevocationLifted`]; revoking it again is
        /// allowed. A suspension can be lifted.
        pub fn set(&mut self, index: StatusIndex, status: CredentialStatus) -> Result<(), StatusListError> {
            let i = self.check(index)?;
            if self.revoked.contains(&i) {
                return match status {
                    CredentialStatus::Revoked => Ok(()),
                    _ => Err(StatusListError::RevocationLifted { index: i }),
                };
            }
            match status {
                CredentialStatus::Valid => {
                    self.suspended.remove(&i);
                }
                CredentialStatus::Suspended => {
                    self.suspended.insert(i);
                }
                CredentialStatus::Revoked => {
                    self.suspended.remove(&i);
                    self.revoked.insert(i);
                }
            }
            Ok(())
        }

        /// Encodes and signs the list with the issuer's own key.
        pub fn sign(
            &self,
            issuer: &SecretKey,
            issued_at: Timestamp,
            ttl_secs: u64,
            sequence: u64,
        ) -> Result<Vec<u8>, StatusListError> {
            self.sign_delegated(&issuer.public_key(), issuer, issued_at, ttl_secs, sequence)
        }

        /// Encodes the list for credentials of `issuer_key` and signs it with a separate
        /// status-signing key (named as the entry's `status_key` in the trust list).
        pub fn sign_delegated(
            &self,
            issuer_key: &PublicKey,
            status_key: &SecretKey,
            issued_at: Timestamp,
            ttl_secs: u64,
            sequence: u64,
        ) -> Result<Vec<u8>, StatusListError> {
            let issued = issued_at
                .unix()
                .checked_sub(WIRE_EPOCH)
                .and_then(|s| u64::try_from(s).ok())
                .filter(|s| *s <= MAX_WIRE_SECS)
                .ok_or(StatusListError::InvalidParameter("issued_at must be between 2020 and 2564"))?;
            if ttl_secs == 0 || ttl_secs > MAX_STATUS_TTL_SECS {
                return Err(StatusListError::InvalidParameter("ttl must be 1 second to 366 days"));
            }
            if sequence > MAX_SEQUENCE {
                return Err(StatusListError::InvalidParameter("sequence must be below 2^53"));
            }
            let revoked: Vec<u32> = self.revoked.iter().copied().collect();
            let suspended: Vec<u32> = self.suspended.iter().copied().collect();
            let mut out = Vec::with_capacity(64 + revoked.len() * 2 + suspended.len() * 2);
            out.extend_from_slice(STATUS_LIST_MAGIC);
            out.push(STATUS_LIST_VERSION);
            out.extend_from_slice(issuer_key.as_bytes());
            put_varint(&mut out, sequence);
            put_varint(&mut out, issued);
            put_varint(&mut out, ttl_secs);
            put_varint(&mut out, u64::from(self.size));
            write_section(&mut out, &revoked, self.size);
            write_section(&mut out, &suspended, self.size);
            let mut message = Vec::with_capacity(STATUS_LIST_TAG.len() + out.len());
            message.extend_from_slice(STATUS_LIST_TAG);
            message.extend_from_slice(&out);
            out.extend_from_slice(&status_key.sign(&message));
            Ok(out)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Index allocation.

/// Picks a free status index uniformly at random in `0 .. size`.
///
/// Indices must be allocated at random, never in order: sequential indices would reveal
/// when a credential was issued, and two credentials of one resident would sit next to
/// each other, so anyone holding both could link them or watch their neighbours' statuses.
/// `random_u64` must come from a cryptographically secure generator (see
/// `allocate_index_os`, feature `issue`); `is_taken` says whether an index is already in use.
///
/// Draws are unbiased (rejection sampling). Returns `None` if `size` is zero or
/// [`ALLOCATE_ATTEMPTS`] draws all fail (hit taken indices, or fall in the rejection zone); an issuer should open a new, larger
/// list (or `StatusListBuilder::grow` it) well before it is half full.
pub fn allocate_index(
    size: u32,
    mut random_u64: impl FnMut() -> u64,
    mut is_taken: impl FnMut(StatusIndex) -> bool,
) -> Option<StatusIndex> {
    let r: Result<_, std::convert::Infallible> = allocate_with(size, || Ok(random_u64()), &mut is_taken);
    r.ok().flatten()
}

/// [`allocate_index`] with the operating system's random source (feature `issue`).
#[cfg(feature = "issue")]
pub fn allocate_index_os(
    size: u32,
    mut is_taken: impl FnMut(StatusIndex) -> bool,
) -> Result<Option<StatusIndex>, getrandom::Error> {
    allocate_with(size, getrandom::u64, &mut is_taken)
}

fn allocate_with<E>(
    size: u32,
    mut random_u64: impl FnMut() -> Result<u64, E>,
    is_taken: &mut impl FnMut(StatusIndex) -> bool,
) -> Result<Option<StatusIndex>, E> {
    if size == 0 {
        return Ok(None);
    }
    let n = u64::from(size);
    // Accept draws in 0 ..= zone, a range whose length is a multiple of n.
    let zone = u64::MAX - (u64::MAX % n + 1) % n;
    for _ in 0..ALLOCATE_ATTEMPTS {
        let r = random_u64()?;
        if r > zone {
            continue;
        }
        let index = StatusIndex::new((r % n) as u32);
        if !is_taken(index) {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

impl StatusListError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            StatusListError::TooLarge { len, max } => format!("daftar status {len} byte, melebihi batas {max}"),
            StatusListError::NotAStatusList => "bukan daftar status IKD".into(),
            StatusListError::UnsupportedVersion(v) => format!("versi daftar status {v} tidak didukung"),
            StatusListError::Truncated => "daftar status terpotong".into(),
            StatusListError::TrailingBytes { count } => format!("ada {count} byte tak terduga setelah daftar status"),
            StatusListError::Malformed(m) => format!("daftar status rusak: {m}"),
            StatusListError::WrongIssuer => "daftar status ini milik kunci penerbit lain".into(),
            StatusListError::BadSignature => "tanda tangan daftar status tidak sah (isi diubah atau palsu)".into(),
            StatusListError::IndexOutOfRange { index, len } => {
                format!("indeks {index} di luar daftar status ({len} entri)")
            }
            StatusListError::InvalidSize => {
                "daftar status harus berisi 1 sampai 2^28 entri dan hanya boleh bertambah".into()
            }
            StatusListError::InvalidParameter(p) => format!("parameter daftar status tidak sah: {p}"),
            StatusListError::RevocationLifted { index } => {
                format!("indeks {index} sudah dicabut; pencabutan bersifat final dan tidak dapat dibatalkan")
            }
            StatusListError::IssuerChanged => "daftar baru milik kunci penerbit lain".into(),
            StatusListError::Rollback { old, new } => {
                format!("daftar baru bernomor urut {new}, lebih lama dari daftar yang dipegang ({old})")
            }
            StatusListError::SequenceReused { sequence } => {
                format!("nomor urut {sequence} dipakai lagi untuk daftar yang berbeda")
            }
            StatusListError::IssuedAtBackwards => "daftar baru dibuat sebelum daftar yang dipegang".into(),
            StatusListError::Shrunk { old, new } => {
                format!("daftar baru lebih kecil ({new} entri) dari sebelumnya ({old})")
            }
            StatusListError::IssuedInFuture { issued_at } => {
                format!("daftar status bertanggal {issued_at}, lebih maju dari jam perangkat ini")
            }
            StatusListError::IssuerNotTrusted => {
                "daftar penerbit tepercaya tidak memuat kunci penerbit daftar ini".into()
            }
            StatusListError::SignerCompromised => {
                "kunci penanda tangan daftar status ini dinyatakan bocor dalam daftar penerbit tepercaya".into()
            }
        }
    }
}

crate::lang::user_error!(StatusListError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn rice_round_trip_every_k() {
        let idx = [0u32, 1, 2, 9, 100, 1000, 1001, 65_535, 999_999];
        for k in 0..=MAX_RICE_PARAMETER {
            let data = rice_encode(&idx, k);
            let set = rice_decode(&data, idx.len() as u32, k, 1_000_000).unwrap();
            assert_eq!(set.iter().collect::<Vec<_>>(), idx, "k={k}");
            let dense = rice_decode(&data, idx.len() as u32, k, 200).map(|s| s.iter().collect::<Vec<_>>());
            assert!(dense.is_err(), "k={k}: indices beyond 200 must be refused");
        }
        let (k, bits) = best_rice(&idx);
        assert_eq!(rice_encode(&idx, k).len() as u64, bits.div_ceil(8));
    }

    #[test]
    fn dense_rice_decodes_into_a_bitmap() {
        // Every entry of 1000 revoked, coded (wastefully) as Rice with k = 0: 1000 one-bits.
        let set = rice_decode(&[0xff; 125], 1000, 0, 1000).unwrap();
        assert!(matches!(set, IndexSet::Bitmap { count: 1000, .. }));
        assert!((0..1000).all(|i| set.contains(i)));
        assert_eq!(set.iter().count(), 1000);
    }

    #[test]
    fn bitmap_round_trip() {
        let idx: Vec<u32> = (0..77).filter(|i| i % 3 == 0).collect();
        let data = bitmap_encode(&idx, 77);
        let set = bitmap_decode(&data, 77).unwrap();
        assert_eq!(set.iter().collect::<Vec<_>>(), idx);
        assert!(matches!(set, IndexSet::Bitmap { .. }));
    }

    #[test]
    fn index_set_picks_smaller_form() {
        assert!(matches!(IndexSet::from_sorted(vec![1, 5], 1000), IndexSet::Sorted(_)));
        let dense = IndexSet::from_sorted((0..100).collect(), 1000);
        assert!(matches!(dense, IndexSet::Bitmap { count: 100, .. }));
        assert!(dense.contains(99) && !dense.contains(100) && !dense.contains(5000));
        assert_eq!(dense.iter().count(), 100);
    }

    #[test]
    fn staleness_boundaries() {
        let t = Timestamp::from_unix(1_800_000_000);
        assert_eq!(staleness(t, t.plus(-5), 10, 20), Freshness::Fresh);
        assert_eq!(staleness(t, t.plus(10), 10, 20), Freshness::Fresh);
        assert_eq!(staleness(t, t.plus(11), 10, 20), Freshness::InGrace { age_secs: 11 });
        assert_eq!(staleness(t, t.plus(30), 10, 20), Freshness::InGrace { age_secs: 30 });
        assert_eq!(staleness(t, t.plus(31), 10, 20), Freshness::Stale { age_secs: 31 });
    }

    #[test]
    fn allocation_is_in_range_and_unbiased_zone() {
        let mut x = 7u64;
        let mut rng = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for size in [1u32, 2, 3, 1000, MAX_STATUS_LIST_ENTRIES] {
            let i = allocate_index(size, &mut rng, |_| false).unwrap();
            assert!(i.get() < size);
        }
        assert_eq!(allocate_index(0, &mut rng, |_| false), None);
        assert_eq!(allocate_index(10, &mut rng, |_| true), None);
        // Draws above the zone are rejected, not folded.
        let mut draws = [u64::MAX, 5].into_iter();
        assert_eq!(allocate_index(3, || draws.next().unwrap(), |_| false), Some(StatusIndex::new(2)));
    }
}
