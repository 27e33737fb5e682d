//! Presentations: selective disclosure and holder binding (`docs/FORMAT.md` §6).

use crate::lang::Lang;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::ops::Range;

use sha2::{Digest, Sha256};

use crate::claims::{SlotValue, slot};
use crate::credential::{
    Header, Timestamp, UnverifiedCredential, WIRE_EPOCH, expand_seed, leaf, node_16, signed_message, split,
    subtree_node, subtree_seed,
};
use crate::error::DecodeError;
use crate::keys::PublicKey;
use crate::wire::{Reader, Writer};

/// Kind byte of a presentation.
pub(crate) const KIND_PRESENTATION: u8 = 0x02;
/// Presentation flag: holder-signed (live).
pub(crate) const PFLAG_LIVE: u8 = 0x01;
/// Presentation flag: a counter challenge is included.
pub(crate) const PFLAG_CHALLENGE: u8 = 0x02;
/// Domain-separation tag of the holder signature.
pub const HOLDER_TAG: &[u8] = b"IKD1 presentation\0";
/// Longest counter challenge, in bytes.
pub const MAX_CHALLENGE_BYTES: usize = 32;
/// How long a live presentation is accepted after the holder signed it: 90 seconds, as
/// the IKD app's own QR.
pub const DEFAULT_PRESENTATION_WINDOW_SECS: i64 = 90;
/// How far ahead of the verifier's clock a live presentation's time may be: 30 seconds, for
/// a phone whose clock runs a little fast. The whole span in which one code is accepted is
/// the window plus this skew (`docs/FORMAT.md` §6).
pub const DEFAULT_PRESENTATION_SKEW_SECS: i64 = 30;

/// A set of claim slots (see [`crate::SLOT_NAMES`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Disclosure(u16);

/// Errors from naming claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DisclosureError {
    /// A claim name that is not one of the 16 slots.
    #[error(
        "unknown claim `{0}`; known claims: nama, nik, age_over_17, foto, age_over_21, age_over_60, jenis_kelamin, tanggal_lahir, tempat_lahir, golongan_darah, agama, status_perkawinan, pekerjaan, kewarganegaraan, alamat, berlaku_hingga"
    )]
    UnknownClaim(String),
    /// No claim at all.
    #[error("at least one claim must be disclosed")]
    Empty,
}

impl DisclosureError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DisclosureError::UnknownClaim(_) => "disclosure_unknown_claim",
            DisclosureError::Empty => "disclosure_empty",
        }
    }
}

impl Disclosure {
    /// Every slot.
    pub const ALL: Disclosure = Disclosure(0xffff);
    /// No slot.
    pub const NONE: Disclosure = Disclosure(0);

    /// From slot names such as `nama`, `nik`, `age_over_17`. `negara` and the address lines
    /// (`rt`, `kel_desa`, …) name the slot that carries them.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Disclosure, DisclosureError> {
        let mut bits = 0u16;
        for n in names {
            let n = n.as_ref().trim();
            let slot_name = match n {
                "negara" => "kewarganegaraan",
                "rt" | "rw" | "kel_desa" | "kecamatan" | "kabupaten_kota" | "provinsi" => "alamat",
                other => other,
            };
            let i = slot::NAMES
                .iter()
                .position(|s| *s == slot_name)
                .ok_or_else(|| DisclosureError::UnknownClaim(n.to_owned()))?;
            bits |= 1 << i;
        }
        Ok(Disclosure(bits))
    }

    /// Parses a comma-separated list (`nama,nik,age_over_17`); `all` means every slot.
    pub fn parse_list(s: &str) -> Result<Disclosure, DisclosureError> {
        if s.trim() == "all" {
            return Ok(Disclosure::ALL);
        }
        let names: Vec<&str> = s.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        let d = Disclosure::from_names(&names)?;
        if d.0 == 0 { Err(DisclosureError::Empty) } else { Ok(d) }
    }

    /// Whether slot `i` is in the set.
    pub fn contains_slot(self, i: usize) -> bool {
        i < slot::COUNT && self.0 & (1 << i) != 0
    }

    /// Whether every slot of `other` is in this set.
    pub fn covers(self, other: Disclosure) -> bool {
        self.0 & other.0 == other.0
    }

    /// The slot names in the set.
    pub fn names(self) -> Vec<&'static str> {
        slot::NAMES.iter().enumerate().filter(|(i, _)| self.contains_slot(*i)).map(|(_, n)| *n).collect()
    }

    /// The slot names not in the set.
    pub fn complement_names(self) -> Vec<&'static str> {
        Disclosure(!self.0).names()
    }

    /// From a 16-bit mask (bit `i` = slot `i`).
    pub fn from_bits(bits: u16) -> Disclosure {
        Disclosure(bits)
    }

    /// The 16-bit mask (bit `i` = slot `i`).
    pub fn bits(self) -> u16 {
        self.0
    }
}

impl fmt::Debug for Disclosure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Disclosure({})", self.names().join(","))
    }
}

/// A presentation decoded from its payload, nothing checked beyond the encoding.
#[derive(Clone)]
pub(crate) struct ParsedPresentation {
    pub payload: Vec<u8>,
    pub header: Header,
    pub issuer_part: Range<usize>,
    pub disclosure: Disclosure,
    pub values: Vec<(usize, SlotValue)>,
    pub root: [u8; 32],
    pub issuer_signature: [u8; 64],
    pub live: Option<LivePart>,
}

/// The holder-signed part of a live presentation.
#[derive(Clone, Debug)]
pub(crate) struct LivePart {
    pub time: Timestamp,
    pub challenge: Option<Vec<u8>>,
    pub signature: [u8; 64],
    /// The exact bytes the holder signed after the tag and root.
    pub signed_tail: Vec<u8>,
}

/// The maximal fully disclosed subtrees, in pre-order, as slot ranges.
fn disclosed_subtrees(d: Disclosure, lo: usize, hi: usize, out: &mut Vec<(usize, usize)>) {
    if (lo..hi).all(|i| d.contains_slot(i)) {
        out.push((lo, hi));
        return;
    }
    if hi - lo == 1 || !(lo..hi).any(|i| d.contains_slot(i)) {
        return;
    }
    let mid = split(lo, hi);
    disclosed_subtrees(d, lo, mid, out);
    disclosed_subtrees(d, mid, hi, out);
}

/// Number of 16-byte sibling nodes a disclosure needs.
fn sibling_count(d: Disclosure, lo: usize, hi: usize) -> usize {
    let any = (lo..hi).any(|i| d.contains_slot(i));
    if !any {
        return 1;
    }
    if hi - lo == 1 {
        return 0;
    }
    let mid = split(lo, hi);
    sibling_count(d, lo, mid) + sibling_count(d, mid, hi)
}

/// Recomputes a 16-byte subtree node from disclosed leaves and siblings (pre-order).
fn subtree(
    d: Disclosure,
    lo: usize,
    hi: usize,
    leaves: &[[u8; 16]; slot::COUNT],
    siblings: &mut std::slice::Iter<'_, [u8; 16]>,
) -> Result<[u8; 16], DecodeError> {
    if !(lo..hi).any(|i| d.contains_slot(i)) {
        return siblings.next().copied().ok_or(DecodeError::Truncated);
    }
    if hi - lo == 1 {
        return leaves.get(lo).copied().ok_or(DecodeError::Truncated);
    }
    let mid = split(lo, hi);
    let l = subtree(d, lo, mid, leaves, siblings)?;
    let r = subtree(d, mid, hi, leaves, siblings)?;
    Ok(node_16(&l, &r))
}

/// Collects the sibling nodes for a disclosure from all 16 leaves (pre-order).
fn collect_siblings(d: Disclosure, lo: usize, hi: usize, leaves: &[[u8; 16]; slot::COUNT], out: &mut Vec<[u8; 16]>) {
    if !(lo..hi).any(|i| d.contains_slot(i)) {
        out.push(subtree_node((lo, hi), leaves));
        return;
    }
    if hi - lo == 1 {
        return;
    }
    let mid = split(lo, hi);
    collect_siblings(d, lo, mid, leaves, out);
    collect_siblings(d, mid, hi, leaves, out);
}

fn root_of(d: Disclosure, leaves: &[[u8; 16]; slot::COUNT], siblings: &[[u8; 16]]) -> Result<[u8; 32], DecodeError> {
    let mut it = siblings.iter();
    let mid = split(0, slot::COUNT);
    let l = subtree(d, 0, mid, leaves, &mut it)?;
    let r = subtree(d, mid, slot::COUNT, leaves, &mut it)?;
    Ok(crate::credential::node(&l, &r))
}

impl ParsedPresentation {
    /// Parses a presentation payload (kind byte already known to be 0x02).
    pub(crate) fn parse(payload: Vec<u8>) -> Result<ParsedPresentation, DecodeError> {
        let mut r = Reader::new(&payload);
        let kind = r.u8()?;
        if kind != KIND_PRESENTATION {
            return Err(DecodeError::UnknownKind(kind));
        }
        let flags = r.u8()?;
        if flags & !(PFLAG_LIVE | PFLAG_CHALLENGE) != 0 || (flags & PFLAG_CHALLENGE != 0 && flags & PFLAG_LIVE == 0) {
            return Err(DecodeError::ReservedFlags(flags));
        }
        let start = r.pos();
        let header = Header::read(&mut r)?;
        let issuer_part = start..r.pos();
        let bitmap = u16::from_be_bytes(r.array::<2>()?);
        if bitmap == 0 {
            return Err(DecodeError::ValueOutOfRange { field: "disclosure" });
        }
        let disclosure = Disclosure(bitmap);
        let mut subtrees = Vec::new();
        disclosed_subtrees(disclosure, 0, slot::COUNT, &mut subtrees);
        let mut salts = [[0u8; 16]; slot::COUNT];
        for (lo, hi) in subtrees {
            expand_seed(&r.array::<16>()?, lo, hi, &mut salts);
        }
        let mut leaves = [[0u8; 16]; slot::COUNT];
        let mut values = Vec::new();
        for (i, (l, salt)) in leaves.iter_mut().zip(&salts).enumerate() {
            if !disclosure.contains_slot(i) {
                continue;
            }
            let s = r.pos();
            let value = SlotValue::read(i, &mut r)?;
            let bytes = payload.get(s..r.pos()).ok_or(DecodeError::Truncated)?;
            *l = leaf(u8::try_from(i).unwrap_or(0), salt, bytes);
            values.push((i, value));
        }
        let mid = split(0, slot::COUNT);
        let n = sibling_count(disclosure, 0, mid) + sibling_count(disclosure, mid, slot::COUNT);
        let mut siblings = Vec::with_capacity(n);
        for _ in 0..n {
            siblings.push(r.array::<16>()?);
        }
        let root = root_of(disclosure, &leaves, &siblings)?;
        let issuer_signature = r.array::<64>()?;
        let live = if flags & PFLAG_LIVE != 0 {
            let tail_start = r.pos();
            let secs = r.varint((1 << 34) - 1, "presentation_time")?;
            let time = Timestamp::from_unix(WIRE_EPOCH + i64::try_from(secs).unwrap_or(0));
            let challenge = if flags & PFLAG_CHALLENGE != 0 {
                Some(r.bstr(MAX_CHALLENGE_BYTES, "challenge")?.to_vec())
            } else {
                None
            };
            let mut signed_tail = vec![flags];
            signed_tail.extend_from_slice(&bitmap.to_be_bytes());
            signed_tail.extend_from_slice(payload.get(tail_start..r.pos()).unwrap_or(&[]));
            let signature = r.array::<64>()?;
            Some(LivePart { time, challenge, signature, signed_tail })
        } else {
            None
        };
        if r.remaining() > 0 {
            return Err(DecodeError::TrailingBytes { count: r.remaining() });
        }
        Ok(ParsedPresentation { payload, header, issuer_part, disclosure, values, root, issuer_signature, live })
    }

    /// The message the issuer signed.
    pub(crate) fn issuer_message(&self) -> Vec<u8> {
        signed_message(self.payload.get(self.issuer_part.clone()).unwrap_or(&[]), &self.root)
    }

    /// The message the holder signed.
    pub(crate) fn holder_message(&self) -> Option<Vec<u8>> {
        let live = self.live.as_ref()?;
        Some(holder_message_of(&self.root, &live.signed_tail))
    }
}

fn holder_message_of(root: &[u8; 32], tail: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(HOLDER_TAG.len() + 32 + tail.len());
    m.extend_from_slice(HOLDER_TAG);
    m.extend_from_slice(root);
    m.extend_from_slice(tail);
    m
}

/// Default number of live presentations of one holder key that a replay cache records
/// within their windows ([`ReplayCache::with_owner_limit`]). A phone shows a new code every
/// few seconds, but a counter accepts one per visit, so ten within a 90-second window is far
/// above honest use while it keeps one resident from holding more than a sliver of the cache.
pub const DEFAULT_LIVE_PER_HOLDER: usize = 10;

/// Remembers live presentations seen within the acceptance window, so a second use is
/// refused. Memory is bounded: at most `capacity` entries of 40 bytes plus map overhead.
/// Entries are forgotten once their window has passed, never before: when the cache is full
/// of presentations still inside their windows, a new one is answered [`ReplayCheck::Full`]
/// (the verifier says UNDETERMINED, `replay_cache_full`) rather than forgetting one that could
/// then be replayed.
///
/// Each entry also names its owner (a hash of the holder key). One owner holds at most
/// `owner_limit` entries at a time ([`ReplayCheck::OwnerLimit`] beyond that), so a resident who
/// signs thousands of distinct presentations with their own phone key cannot fill the cache
/// and switch live checks off for everyone else: with the defaults it takes 10 000 different
/// credentials, not one.
#[derive(Debug)]
pub struct ReplayCache {
    capacity: usize,
    owner_limit: usize,
    seen: HashMap<[u8; 16], (i64, [u8; 16])>,
    order: VecDeque<([u8; 16], i64)>,
    owners: HashMap<[u8; 16], usize>,
}

/// What [`ReplayCache::check_and_insert`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplayCheck {
    /// Not seen within its window; now recorded.
    Fresh,
    /// Seen before within its window: a replay.
    Replayed,
    /// Not seen, but the cache is full of entries still inside their windows, so it could
    /// not be recorded (and a later replay could not be caught).
    Full,
    /// Not seen, but its owner (holder key) already holds as many entries as one owner may:
    /// not recorded, so not accepted until some of that owner's entries expire.
    OwnerLimit,
}

impl ReplayCache {
    /// A cache holding at most `capacity` presentations, and at most
    /// [`DEFAULT_LIVE_PER_HOLDER`] of any one owner.
    pub fn new(capacity: usize) -> ReplayCache {
        ReplayCache {
            capacity: capacity.max(1),
            owner_limit: DEFAULT_LIVE_PER_HOLDER,
            seen: HashMap::new(),
            order: VecDeque::new(),
            owners: HashMap::new(),
        }
    }

    /// Sets how many entries one owner may hold at a time (at least 1).
    pub fn with_owner_limit(mut self, limit: usize) -> ReplayCache {
        self.owner_limit = limit.max(1);
        self
    }

    /// Sets the most live entries one owner may hold at a time (at least 1), in place.
    pub fn set_owner_limit(&mut self, limit: usize) {
        self.owner_limit = limit.max(1);
    }

    /// The most entries one owner may hold at a time.
    pub fn owner_limit(&self) -> usize {
        self.owner_limit
    }

    /// Records `id`, owned by `owner`, until `until` (Unix seconds), unless it is already there
    /// (a replay), its owner holds its limit of unexpired entries at `now`, or the cache is
    /// full of entries that have not expired at `now`.
    pub fn check_and_insert(&mut self, id: [u8; 16], owner: [u8; 16], now: i64, until: i64) -> ReplayCheck {
        self.forget_expired(now);
        if self.seen.get(&id).is_some_and(|(exp, _)| *exp > now) {
            return ReplayCheck::Replayed;
        }
        if self.owners.get(&owner).copied().unwrap_or(0) >= self.owner_limit || self.seen.len() >= self.capacity {
            // Entries are queued in arrival order, and windows differ a little, so a later
            // entry can expire before the front one: sweep the whole queue before refusing.
            self.sweep(now);
            if self.owners.get(&owner).copied().unwrap_or(0) >= self.owner_limit {
                return ReplayCheck::OwnerLimit;
            }
            if self.seen.len() >= self.capacity {
                return ReplayCheck::Full;
            }
        }
        if let Some((_, old_owner)) = self.seen.insert(id, (until, owner)) {
            // An expired entry under the same id is replaced: its owner no longer holds it.
            self.release(old_owner);
        }
        *self.owners.entry(owner).or_insert(0) += 1;
        self.order.push_back((id, until));
        ReplayCheck::Fresh
    }

    fn release(&mut self, owner: [u8; 16]) {
        if let Some(n) = self.owners.get_mut(&owner) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.owners.remove(&owner);
            }
        }
    }

    /// Drops the expired entries at the front of the queue.
    fn forget_expired(&mut self, now: i64) {
        while let Some((old, exp)) = self.order.front().copied() {
            if exp > now {
                break;
            }
            self.order.pop_front();
            self.forget(old, exp);
        }
    }

    /// Drops every expired entry, wherever it is in the queue.
    fn sweep(&mut self, now: i64) {
        let expired: Vec<([u8; 16], i64)> = self.order.iter().copied().filter(|(_, exp)| *exp <= now).collect();
        if expired.is_empty() {
            return;
        }
        self.order.retain(|(_, exp)| *exp > now);
        for (id, exp) in expired {
            self.forget(id, exp);
        }
    }

    /// Forgets `id` if its entry is the one that expires at `exp`.
    fn forget(&mut self, id: [u8; 16], exp: i64) {
        if let Some(&(held, owner)) = self.seen.get(&id)
            && held == exp
        {
            self.seen.remove(&id);
            self.release(owner);
        }
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// First bytes of a replay-cache snapshot ([`ReplayCache::snapshot`]).
const REPLAY_SNAPSHOT_MAGIC: &[u8; 4] = b"IKDR";
/// Version of the snapshot layout.
const REPLAY_SNAPSHOT_VERSION: u8 = 1;
/// Bytes before the entries: magic, version, a 4-byte entry count.
const REPLAY_SNAPSHOT_HEADER: usize = 9;
/// Bytes of one entry: id (16), owner (16), end of its window (8, big-endian Unix seconds).
const REPLAY_SNAPSHOT_ENTRY: usize = 40;

/// Errors from restoring a replay-cache snapshot ([`ReplayCache::restore`]). On any of them
/// the cache is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayStateError {
    /// More bytes than this cache could ever have written.
    #[error("the replay state is {len} bytes, more than the limit of {max}")]
    TooLarge {
        /// Bytes given.
        len: usize,
        /// The limit for this cache's capacity.
        max: usize,
    },
    /// Not a replay-cache snapshot, or not in its canonical form.
    #[error("the replay state is not valid: {0}")]
    Malformed(&'static str),
    /// A layout version this build does not read.
    #[error("replay state version {0} is not supported")]
    UnsupportedVersion(u8),
    /// The live entries would not fit in the cache beside the ones it holds.
    #[error("the replay state holds more live entries than the cache can take ({capacity})")]
    Full {
        /// The cache's capacity.
        capacity: usize,
    },
}

impl ReplayStateError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ReplayStateError::TooLarge { .. } => "replay_state_too_large",
            ReplayStateError::Malformed(_) => "replay_state_invalid",
            ReplayStateError::UnsupportedVersion(_) => "replay_state_version",
            ReplayStateError::Full { .. } => "replay_state_full",
        }
    }

    /// A plain-language message in the language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (ReplayStateError::TooLarge { len, max }, Lang::Id) => {
                format!("data ingatan pemutaran ulang berukuran {len} byte, melebihi batas {max}")
            }
            (ReplayStateError::Malformed(what), Lang::Id) => {
                format!("data ingatan pemutaran ulang tidak sah: {what}")
            }
            (ReplayStateError::UnsupportedVersion(v), Lang::Id) => {
                format!("versi data ingatan pemutaran ulang {v} tidak didukung")
            }
            (ReplayStateError::Full { capacity }, Lang::Id) => format!(
                "data ingatan pemutaran ulang memuat lebih banyak entri aktif daripada yang dapat ditampung ({capacity})"
            ),
        }
    }
}

impl ReplayCache {
    /// How far beyond the restoring clock an entry's window may end
    /// ([`ReplayCache::restore`]). A live presentation's window is minutes long; an entry
    /// kept for longer would only fill the cache.
    pub const MAX_RESTORE_HORIZON_SECS: i64 = 86_400;

    /// The most bytes [`ReplayCache::restore`] reads for this cache: a snapshot of a cache of
    /// the same capacity.
    pub fn max_snapshot_bytes(&self) -> usize {
        REPLAY_SNAPSHOT_HEADER.saturating_add(self.capacity.saturating_mul(REPLAY_SNAPSHOT_ENTRY))
    }

    /// A compact, versioned snapshot of the entries still inside their windows at `now`
    /// (Unix seconds), for a verifier that must remember live presentations across a restart
    /// or a page reload: `IKDR`, version 1, a big-endian `u32` count, then per entry (in the
    /// order they were recorded, each id once) the 16-byte id (a hash of the holder
    /// signature), the 16-byte owner (a hash of the holder key) and the big-endian `i64` end
    /// of its window. No personal data; at most [`ReplayCache::max_snapshot_bytes`].
    pub fn snapshot(&self, now: i64) -> Vec<u8> {
        // The queue holds every entry in arrival order (and stale copies of replaced ones,
        // which `seen` tells apart by their end); `written` keeps each id once.
        let mut written: HashMap<[u8; 16], (i64, [u8; 16])> = HashMap::new();
        let mut body = Vec::new();
        for (id, until) in &self.order {
            let Some(&(held, owner)) = self.seen.get(id) else { continue };
            if held != *until || held <= now || written.insert(*id, (held, owner)).is_some() {
                continue;
            }
            body.extend_from_slice(id);
            body.extend_from_slice(&owner);
            body.extend_from_slice(&held.to_be_bytes());
        }
        // A cache never holds 2^32 entries (that is 170 GB of them); the count saturates.
        let count = u32::try_from(written.len()).unwrap_or(u32::MAX);
        let mut out = Vec::with_capacity(REPLAY_SNAPSHOT_HEADER + body.len());
        out.extend_from_slice(REPLAY_SNAPSHOT_MAGIC);
        out.push(REPLAY_SNAPSHOT_VERSION);
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(body.get(..(count as usize).saturating_mul(REPLAY_SNAPSHOT_ENTRY)).unwrap_or(&body));
        out
    }

    /// Adds the entries of a [`ReplayCache::snapshot`] that are still inside their windows at
    /// `now` to this cache, and answers how many it added. Entries whose window has ended
    /// are skipped; an id already held keeps the later end. Restoring only ever adds what
    /// to refuse, never removes it: a presentation seen before the snapshot stays a replay.
    ///
    /// Strict: the size cap ([`ReplayCache::max_snapshot_bytes`]), the magic and version,
    /// the count matching the length, each id at most once, and no window ending more than
    /// [`ReplayCache::MAX_RESTORE_HORIZON_SECS`] after `now`. If anything is wrong, or the
    /// live entries would not fit beside the ones held, nothing is added.
    pub fn restore(&mut self, bytes: &[u8], now: i64) -> Result<usize, ReplayStateError> {
        let max = self.max_snapshot_bytes();
        if bytes.len() > max {
            return Err(ReplayStateError::TooLarge { len: bytes.len(), max });
        }
        let Some((header, body)) = bytes.split_at_checked(REPLAY_SNAPSHOT_HEADER) else {
            return Err(ReplayStateError::Malformed(
                if REPLAY_SNAPSHOT_MAGIC.starts_with(bytes.get(..4).unwrap_or(bytes)) {
                    "truncated"
                } else {
                    "not a replay state"
                },
            ));
        };
        if header.get(..4) != Some(REPLAY_SNAPSHOT_MAGIC.as_slice()) {
            return Err(ReplayStateError::Malformed("not a replay state"));
        }
        let version = header.get(4).copied().unwrap_or(0);
        if version != REPLAY_SNAPSHOT_VERSION {
            return Err(ReplayStateError::UnsupportedVersion(version));
        }
        let mut count = [0u8; 4];
        count.copy_from_slice(header.get(5..9).unwrap_or(&[0; 4]));
        let count = u32::from_be_bytes(count) as usize;
        if count.checked_mul(REPLAY_SNAPSHOT_ENTRY) != Some(body.len()) {
            return Err(ReplayStateError::Malformed("the entry count does not match the length"));
        }
        // Every entry read, each id once (the same map type as the cache's own).
        let mut read: HashMap<[u8; 16], (i64, [u8; 16])> = HashMap::with_capacity(count);
        let mut entries = Vec::with_capacity(count);
        for chunk in body.chunks_exact(REPLAY_SNAPSHOT_ENTRY) {
            let (mut id, mut owner, mut until) = ([0u8; 16], [0u8; 16], [0u8; 8]);
            id.copy_from_slice(chunk.get(..16).unwrap_or(&[0; 16]));
            owner.copy_from_slice(chunk.get(16..32).unwrap_or(&[0; 16]));
            until.copy_from_slice(chunk.get(32..40).unwrap_or(&[0; 8]));
            let until = i64::from_be_bytes(until);
            if read.insert(id, (until, owner)).is_some() {
                return Err(ReplayStateError::Malformed("an entry is there twice"));
            }
            if until > now.saturating_add(Self::MAX_RESTORE_HORIZON_SECS) {
                return Err(ReplayStateError::Malformed("an entry's window ends too far ahead"));
            }
            if until > now {
                entries.push((id, owner, until));
            }
        }
        self.forget_expired(now);
        self.sweep(now);
        let new = entries.iter().filter(|(id, _, _)| !self.seen.contains_key(id)).count();
        if self.seen.len().saturating_add(new) > self.capacity {
            return Err(ReplayStateError::Full { capacity: self.capacity });
        }
        let mut added = 0;
        for (id, owner, until) in entries {
            match self.seen.get(&id).copied() {
                Some((held, _)) if held >= until => continue,
                Some((_, old_owner)) => self.release(old_owner),
                None => added += 1,
            }
            self.seen.insert(id, (until, owner));
            *self.owners.entry(owner).or_insert(0) += 1;
            self.order.push_back((id, until));
        }
        Ok(added)
    }
}

/// The replay-cache owner of a live presentation: a hash of its holder key, so that one
/// phone key (and so one credential) is limited however many codes it signs.
pub(crate) fn replay_owner(holder_key: &[u8; 32]) -> [u8; 16] {
    let d = Sha256::new_with_prefix(b"IKD1 replay owner\0").chain_update(holder_key).finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(d.get(..16).unwrap_or(&[0; 16]));
    id
}

/// The replay-cache key of a live presentation: a hash of its holder signature.
pub(crate) fn replay_id(signature: &[u8; 64]) -> [u8; 16] {
    let d = Sha256::digest(signature);
    let mut id = [0u8; 16];
    id.copy_from_slice(d.get(..16).unwrap_or(&[0; 16]));
    id
}

/// What a service requires of what it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The policy's name, e.g. `apotek`.
    pub name: String,
    /// Claims that must be disclosed.
    pub required: Disclosure,
    /// Whether only a live (holder-signed) presentation is accepted; a static printed card
    /// or a full credential text is then refused.
    pub require_live: bool,
    /// Whether the counter must set a challenge that the holder signs
    /// ([`crate::VerifyOptions::challenge`]): a screenshot of a live code, or a code relayed
    /// from another counter, cannot answer a challenge it never saw. Implies `require_live`.
    pub require_challenge: bool,
}

/// Errors from reading policies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not JSON of the expected shape.
    #[error("policy file is not valid: {0}")]
    Json(String),
    /// A policy names an unknown claim.
    #[error("policy `{policy}`: {error}")]
    Claim {
        /// The policy.
        policy: String,
        /// The problem.
        error: DisclosureError,
    },
    /// A policy name is empty or repeated.
    #[error("policy name `{0}` is empty or used twice")]
    BadName(String),
}

impl PolicyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Json(_) => "policy_bad_json",
            PolicyError::Claim { .. } => "policy_unknown_claim",
            PolicyError::BadName(_) => "policy_bad_name",
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    name: String,
    required: Vec<String>,
    #[serde(default)]
    require_live: bool,
    #[serde(default)]
    require_challenge: bool,
}

impl Policy {
    /// Built-in example policies: `apotek` (pharmacy: nama, foto, age_over_17, live),
    /// `hotel` (nama, nik), `bank` (everything but the photo, live, answering the counter's
    /// challenge), `lansia` (services for the elderly: nama, age_over_60), `umum` (nama only,
    /// printed cards allowed).
    pub fn builtin() -> Vec<Policy> {
        let p = |name: &str, claims: &[&str], live: bool| Policy {
            name: name.to_owned(),
            required: Disclosure::from_names(claims).unwrap_or(Disclosure::NONE),
            require_live: live,
            require_challenge: name == "bank",
        };
        vec![
            p("apotek", &["nama", "foto", "age_over_17"], true),
            p("hotel", &["nama", "nik"], false),
            p(
                "bank",
                &[
                    "nama",
                    "nik",
                    "tempat_lahir",
                    "tanggal_lahir",
                    "jenis_kelamin",
                    "alamat",
                    "pekerjaan",
                    "kewarganegaraan",
                    "status_perkawinan",
                    "berlaku_hingga",
                ],
                true,
            ),
            p("lansia", &["nama", "age_over_60"], false),
            p("umum", &["nama"], false),
        ]
    }

    /// The policy as JSON, as the CLI, the server and the test vectors show it:
    /// `{"name", "required": [claims], "require_live", "require_challenge"}`; it reads back
    /// with [`Policy::list_from_json`].
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "required": self.required.names(),
            "require_live": self.require_live,
            "require_challenge": self.require_challenge,
        })
    }

    /// Reads a JSON array of policies:
    /// `[{"name": "...", "required": ["nama"], "require_live": true, "require_challenge": false}]`.
    /// `require_challenge` implies `require_live`.
    pub fn list_from_json(text: &str) -> Result<Vec<Policy>, PolicyError> {
        let files: Vec<PolicyFile> = serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
        let mut out: Vec<Policy> = Vec::new();
        for f in files {
            if f.name.trim().is_empty() || out.iter().any(|p| p.name == f.name) {
                return Err(PolicyError::BadName(f.name));
            }
            let required = Disclosure::from_names(&f.required)
                .map_err(|error| PolicyError::Claim { policy: f.name.clone(), error })?;
            out.push(Policy {
                name: f.name,
                required,
                require_live: f.require_live || f.require_challenge,
                require_challenge: f.require_challenge,
            });
        }
        Ok(out)
    }
}

/// Errors from making a presentation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PresentError {
    /// The credential text does not decode.
    #[error("the credential does not decode: {0}")]
    Decode(#[from] DecodeError),
    /// A holder signature was asked for, but the credential has no holder key.
    #[error("the credential has no holder key, so it cannot be presented live")]
    NoHolderKey,
    /// The holder's secret key is not the credential's holder key.
    #[error("this key is not the credential's holder key")]
    WrongHolderKey,
    /// Nothing to disclose.
    #[error("at least one claim must be disclosed")]
    EmptyDisclosure,
    /// The challenge is too long.
    #[error("the challenge is longer than {MAX_CHALLENGE_BYTES} bytes")]
    ChallengeTooLong,
    /// A challenge needs a holder signature.
    #[error("a challenge can only be answered by a live (holder-signed) presentation")]
    ChallengeWithoutHolder,
    /// The time is before the format's epoch.
    #[error("the presentation time is out of range")]
    TimeOutOfRange,
    /// The holder signature given to finish a presentation does not verify under the
    /// credential's holder key (or is not 64 bytes).
    #[error("the holder signature does not verify under the credential's holder key")]
    HolderSignatureInvalid,
}

impl PresentError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            PresentError::Decode(e) => e.code(),
            PresentError::NoHolderKey => "present_no_holder_key",
            PresentError::WrongHolderKey => "present_wrong_holder_key",
            PresentError::EmptyDisclosure => "present_empty_disclosure",
            PresentError::ChallengeTooLong => "present_challenge_too_long",
            PresentError::ChallengeWithoutHolder => "present_challenge_without_holder",
            PresentError::TimeOutOfRange => "present_time_out_of_range",
            PresentError::HolderSignatureInvalid => "present_holder_signature_invalid",
        }
    }
}

/// Makes a presentation from a full credential text: the disclosed slots with their salts,
/// the sibling nodes, the issuer signature, and (with `holder`) a holder signature over the
/// commitment root, the disclosure, `time` and the counter's `challenge`.
///
/// Holder signing needs the `issue` feature (for [`crate::SecretKey`]). Without it, or with
/// the holder's key elsewhere (a phone's keystore, WebCrypto), the same presentation is made
/// in two steps: [`UnverifiedCredential::presentation_signing_bytes`], then
/// [`UnverifiedCredential::finish_presentation`] with the signature.
#[cfg(feature = "issue")]
pub fn create_presentation(
    credential_text: &str,
    disclose: Disclosure,
    holder: Option<&crate::keys::SecretKey>,
    time: Timestamp,
    challenge: Option<&[u8]>,
) -> Result<String, PresentError> {
    let cred = UnverifiedCredential::decode(credential_text)?;
    let Some(h) = holder else {
        if challenge.is_some() {
            check_disclosure(disclose, challenge)?;
            return Err(PresentError::ChallengeWithoutHolder);
        }
        return cred.static_presentation(disclose);
    };
    check_disclosure(disclose, challenge)?;
    match cred.header.holder_key {
        None => return Err(PresentError::NoHolderKey),
        Some(k) if k != h.public_key() => return Err(PresentError::WrongHolderKey),
        Some(_) => {}
    }
    let draft = Draft::new(&cred, disclose, Some((time, challenge)))?;
    let signature = h.sign(&draft.holder_message);
    Ok(draft.finish(Some(&signature)))
}

/// The checks of every presentation, in the order `create_presentation` makes them.
fn check_disclosure(disclose: Disclosure, challenge: Option<&[u8]>) -> Result<(), PresentError> {
    if disclose.bits() == 0 {
        return Err(PresentError::EmptyDisclosure);
    }
    if challenge.is_some_and(|c| c.len() > MAX_CHALLENGE_BYTES) {
        return Err(PresentError::ChallengeTooLong);
    }
    Ok(())
}

/// A presentation up to its holder signature.
struct Draft {
    /// The payload without the holder signature.
    buf: Vec<u8>,
    /// For a live presentation, what the holder signs (empty otherwise).
    holder_message: Vec<u8>,
}

impl Draft {
    /// The payload of a presentation of `cred` showing `disclose`; with `live`, its time and
    /// challenge too, and the message the holder must sign. A live presentation needs a
    /// holder key in the credential.
    fn new(
        cred: &UnverifiedCredential,
        disclose: Disclosure,
        live: Option<(Timestamp, Option<&[u8]>)>,
    ) -> Result<Draft, PresentError> {
        check_disclosure(disclose, live.and_then(|(_, c)| c))?;
        if live.is_some() && cred.header.holder_key.is_none() {
            return Err(PresentError::NoHolderKey);
        }
        let payload = cred.payload();
        let slots: Vec<&[u8]> = cred.slot_ranges.iter().map(|(s, e)| payload.get(*s..*e).unwrap_or(&[])).collect();
        let mut salts = [[0u8; 16]; slot::COUNT];
        expand_seed(cred.secret.bytes(), 0, slot::COUNT, &mut salts);
        let mut leaves = [[0u8; 16]; slot::COUNT];
        for (i, l) in leaves.iter_mut().enumerate() {
            *l = leaf(
                u8::try_from(i).unwrap_or(0),
                salts.get(i).unwrap_or(&[0; 16]),
                slots.get(i).copied().unwrap_or(&[]),
            );
        }
        let mut flags = 0u8;
        if live.is_some() {
            flags |= PFLAG_LIVE;
        }
        if live.is_some_and(|(_, c)| c.is_some()) {
            flags |= PFLAG_CHALLENGE;
        }
        let mut w = Writer::default();
        w.u8(KIND_PRESENTATION);
        w.u8(flags);
        w.bytes(payload.get(..cred.issuer_part_len()).unwrap_or(&[]));
        w.bytes(&disclose.bits().to_be_bytes());
        let mut subtrees = Vec::new();
        disclosed_subtrees(disclose, 0, slot::COUNT, &mut subtrees);
        for (lo, hi) in subtrees {
            w.bytes(&subtree_seed(&cred.secret, lo, hi));
        }
        for i in 0..slot::COUNT {
            if disclose.contains_slot(i) {
                w.bytes(slots.get(i).copied().unwrap_or(&[]));
            }
        }
        let mut siblings = Vec::new();
        let mid = split(0, slot::COUNT);
        collect_siblings(disclose, 0, mid, &leaves, &mut siblings);
        collect_siblings(disclose, mid, slot::COUNT, &leaves, &mut siblings);
        for s in &siblings {
            w.bytes(s);
        }
        w.bytes(cred.signature());
        let mut holder_message = Vec::new();
        if let Some((time, challenge)) = live {
            let secs = u64::try_from(time.unix() - WIRE_EPOCH).map_err(|_| PresentError::TimeOutOfRange)?;
            let tail_start = w.buf.len();
            w.varint(secs);
            if let Some(c) = challenge {
                w.bstr(c);
            }
            let mut tail = vec![flags];
            tail.extend_from_slice(&disclose.bits().to_be_bytes());
            tail.extend_from_slice(w.buf.get(tail_start..).unwrap_or(&[]));
            holder_message = holder_message_of(&crate::credential::merkle_root(&leaves), &tail);
        }
        Ok(Draft { buf: w.buf, holder_message })
    }

    /// The presentation text, with the holder signature appended when there is one.
    fn finish(mut self, signature: Option<&[u8; 64]>) -> String {
        if let Some(sig) = signature {
            self.buf.extend_from_slice(sig);
        }
        crate::credential::payload_to_text(&self.buf)
    }
}

/// Presentations made from a decoded (not verified) full credential, without the holder's
/// secret key: a live presentation in two steps, the signature made by the caller (a phone's
/// keystore, WebCrypto) so that the key never leaves it; and a presentation with no holder
/// signature. The output is byte for byte what `create_presentation` (feature `issue`)
/// makes from the same inputs.
impl UnverifiedCredential {
    /// Step one of a live presentation showing `disclose`, signed at `time`, answering the
    /// counter's `challenge` if any: the exact bytes the holder key must sign (Ed25519, no
    /// pre-hashing). The credential must carry a holder key
    /// ([`PresentError::NoHolderKey`]); the key to sign with is its [`Header::holder_key`].
    pub fn presentation_signing_bytes(
        &self,
        disclose: Disclosure,
        time: Timestamp,
        challenge: Option<&[u8]>,
    ) -> Result<Vec<u8>, PresentError> {
        Ok(Draft::new(self, disclose, Some((time, challenge)))?.holder_message)
    }

    /// Step two: the presentation text, with `signature` over
    /// [`UnverifiedCredential::presentation_signing_bytes`] of the same inputs. The signature
    /// must verify strictly under the credential's holder key before anything is returned
    /// ([`PresentError::HolderSignatureInvalid`]; also for a signature that is not 64 bytes).
    pub fn finish_presentation(
        &self,
        disclose: Disclosure,
        time: Timestamp,
        challenge: Option<&[u8]>,
        signature: &[u8],
    ) -> Result<String, PresentError> {
        let draft = Draft::new(self, disclose, Some((time, challenge)))?;
        let holder: PublicKey = self.header.holder_key.ok_or(PresentError::NoHolderKey)?;
        let sig: &[u8; 64] = signature.try_into().map_err(|_| PresentError::HolderSignatureInvalid)?;
        if !crate::keys::verify_signature_strict(&holder, &draft.holder_message, sig) {
            return Err(PresentError::HolderSignatureInvalid);
        }
        Ok(draft.finish(Some(sig)))
    }

    /// A presentation with no holder signature (static, like a printed card showing fewer
    /// claims): anyone holding the credential text can make it; policies that require a live
    /// presentation refuse it.
    pub fn static_presentation(&self, disclose: Disclosure) -> Result<String, PresentError> {
        Ok(Draft::new(self, disclose, None)?.finish(None))
    }
}

impl DisclosureError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: Lang) -> String {
        let known = crate::claims::SLOT_NAMES.join(", ");
        match (self, lang) {
            (DisclosureError::UnknownClaim(n), Lang::En) => format!("unknown claim `{n}`; the claims are: {known}"),
            (DisclosureError::UnknownClaim(n), Lang::Id) => {
                format!("klaim `{n}` tidak dikenal; klaim yang ada: {known}")
            }
            (DisclosureError::Empty, Lang::En) => "name at least one claim to show".into(),
            (DisclosureError::Empty, Lang::Id) => "sebutkan sedikitnya satu klaim yang ditampilkan".into(),
        }
    }
}

impl PolicyError {
    /// A plain-language message in the language (without a position in the file).
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PolicyError::Json(m), Lang::En) => format!("the policy file is not valid: {m}"),
            (PolicyError::Json(m), Lang::Id) => format!("berkas kebijakan tidak sah: {m}"),
            (PolicyError::Claim { policy, error }, Lang::En) => format!("policy `{policy}`: {}", error.message(lang)),
            (PolicyError::Claim { policy, error }, Lang::Id) => {
                format!("kebijakan `{policy}`: {}", error.message(lang))
            }
            (PolicyError::BadName(n), Lang::En) => format!("policy name `{n}` is empty or used twice"),
            (PolicyError::BadName(n), Lang::Id) => format!("nama kebijakan `{n}` kosong atau dipakai dua kali"),
        }
    }
}

impl PresentError {
    /// A plain-language message in the language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PresentError::Decode(e), Lang::Id) => format!("kredensial tidak dapat dibaca: {}", e.message(lang)),
            (_, Lang::En) => self.to_string(),
            (PresentError::NoHolderKey, Lang::Id) => {
                "kredensial tidak memiliki kunci pemegang, sehingga tidak dapat ditampilkan sebagai kode langsung"
                    .into()
            }
            (PresentError::WrongHolderKey, Lang::Id) => "kunci ini bukan kunci pemegang kredensial".into(),
            (PresentError::EmptyDisclosure, Lang::Id) => "sedikitnya satu klaim harus ditampilkan".into(),
            (PresentError::ChallengeTooLong, Lang::Id) => {
                format!("kode tantangan lebih dari {MAX_CHALLENGE_BYTES} byte")
            }
            (PresentError::ChallengeWithoutHolder, Lang::Id) => {
                "kode tantangan hanya dapat dijawab oleh presentasi langsung (ditandatangani pemegang)".into()
            }
            (PresentError::TimeOutOfRange, Lang::Id) => "waktu presentasi di luar rentang".into(),
            (PresentError::HolderSignatureInvalid, Lang::Id) => {
                "tanda tangan pemegang tidak sah untuk kunci pemegang kredensial".into()
            }
        }
    }
}

crate::lang::user_error!(DisclosureError, PolicyError, PresentError, ReplayStateError);

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(list: &str) -> Disclosure {
        Disclosure::parse_list(list).unwrap_or(Disclosure::from_bits(0))
    }

    fn cost(d: Disclosure) -> (usize, usize) {
        let mut seeds = Vec::new();
        disclosed_subtrees(d, 0, slot::COUNT, &mut seeds);
        let mid = split(0, slot::COUNT);
        (seeds.len(), sibling_count(d, 0, mid) + sibling_count(d, mid, slot::COUNT))
    }

    /// Pins the tree shape of issue 6: the four claims shown most often share one subtree
    /// beside the root, so withholding every other claim costs one sibling, not two.
    #[test]
    fn regression_common_presentations_need_two_siblings() {
        assert_eq!(cost(shown("nama,nik,age_over_17")), (2, 2));
        assert_eq!(cost(shown("nama,nik")), (1, 2));
        assert_eq!(cost(shown("nama,foto,age_over_17")), (2, 2));
        let all_but_photo = Disclosure::from_bits(Disclosure::ALL.bits() & !shown("foto").bits());
        assert_eq!(cost(all_but_photo), (3, 1));
        assert_eq!(cost(Disclosure::ALL), (1, 0));
    }

    #[test]
    fn subtrees_and_siblings_cover_every_slot_once() {
        for bits in 1..=u16::MAX {
            let d = Disclosure::from_bits(bits);
            let mut seeds = Vec::new();
            disclosed_subtrees(d, 0, slot::COUNT, &mut seeds);
            let covered: usize = seeds.iter().map(|(lo, hi)| hi - lo).sum();
            assert_eq!(covered, bits.count_ones() as usize, "{bits:#06x}");
            assert!(seeds.iter().all(|&(lo, hi)| (lo..hi).all(|i| d.contains_slot(i))));
        }
    }
}
