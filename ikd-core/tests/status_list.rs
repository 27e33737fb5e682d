//! Status lists: round trips, sizes, every rejection path with its code, transitions,
//! freshness, index allocation, and robustness against arbitrary and mutated input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::collections::HashSet;

use common::Rng;

use ikd_core::format::WIRE_EPOCH;
use ikd_core::status::*;
use ikd_core::{PublicKey, SecretKey, StatusIndex, Timestamp, verify_signature_strict};

/// 2026-11-27T00:00:00Z.
const T0: i64 = 1_795_737_600;
const DAY: i64 = 86_400;

fn issuer() -> SecretKey {
    SecretKey::from_seed(&[0x11; 32])
}

fn other() -> SecretKey {
    SecretKey::from_seed(&[0x22; 32])
}

fn ix(i: u32) -> StatusIndex {
    StatusIndex::new(i)
}

/// `count` distinct indices below `size`, at random positions.
fn random_indices(size: u32, count: usize, seed: u64) -> Vec<u32> {
    let mut rng = Rng(seed);
    let mut set = HashSet::with_capacity(count);
    while set.len() < count {
        set.insert(rng.below(u64::from(size)) as u32);
    }
    let mut v: Vec<u32> = set.into_iter().collect();
    v.sort_unstable();
    v
}

fn list_with(size: u32, revoked: &[u32], suspended: &[u32], sequence: u64) -> Vec<u8> {
    let mut b = StatusListBuilder::new(size).unwrap();
    for &i in revoked {
        b.set(ix(i), CredentialStatus::Revoked).unwrap();
    }
    for &i in suspended {
        b.set(ix(i), CredentialStatus::Suspended).unwrap();
    }
    b.sign(&issuer(), Timestamp::from_unix(T0), DAY as u64, sequence).unwrap()
}

fn small_list() -> Vec<u8> {
    list_with(1000, &[3, 500, 999], &[4, 77], 7)
}

fn code(r: Result<StatusList, StatusListError>) -> &'static str {
    r.expect_err("expected a rejection").code()
}

// ---- hand-made lists, written from the specification in docs/TRUST-AND-STATUS.md ----

fn varint(out: &mut Vec<u8>, mut v: u64) {
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

/// Header fields with the given size; `sections` follows as raw bytes.
fn header(key: &PublicKey, ttl: u64, size: u64) -> Vec<u8> {
    let mut b = b"IKSL\x01".to_vec();
    b.extend_from_slice(key.as_bytes());
    varint(&mut b, 9); // sequence
    varint(&mut b, (T0 - WIRE_EPOCH) as u64); // issued_at
    varint(&mut b, ttl);
    varint(&mut b, size);
    b
}

fn signed(key: &SecretKey, body: &[u8]) -> Vec<u8> {
    let mut message = STATUS_LIST_TAG.to_vec();
    message.extend_from_slice(body);
    let mut out = body.to_vec();
    out.extend_from_slice(&key.sign(&message));
    out
}

fn hand(ttl: u64, size: u64, sections: &[u8]) -> Vec<u8> {
    let mut b = header(&issuer().public_key(), ttl, size);
    b.extend_from_slice(sections);
    signed(&issuer(), &b)
}

#[test]
fn round_trip_and_accessors() {
    let bytes = small_list();
    let pk = issuer().public_key();
    let list = StatusList::verify(&bytes, &pk).unwrap();
    assert_eq!(list.len(), 1000);
    assert!(!list.is_empty());
    assert_eq!(list.sequence(), 7);
    assert_eq!(list.issued_at(), Timestamp::from_unix(T0));
    assert_eq!(list.ttl_secs(), DAY as u64);
    assert_eq!(list.expires_at(), Timestamp::from_unix(T0 + DAY));
    assert_eq!(list.key_id(), pk.key_id());
    assert_eq!(list.issuer_key(), &pk);
    assert_eq!(list.revoked_count(), 3);
    assert_eq!(list.suspended_count(), 2);
    assert_eq!(list.revoked().collect::<Vec<_>>(), [3, 500, 999]);
    assert_eq!(list.suspended().collect::<Vec<_>>(), [4, 77]);
    for i in 0..1000 {
        let want = match i {
            3 | 500 | 999 => CredentialStatus::Revoked,
            4 | 77 => CredentialStatus::Suspended,
            _ => CredentialStatus::Valid,
        };
        assert_eq!(list.get(ix(i)).unwrap(), want, "index {i}");
    }
    assert!(matches!(list.revoked_encoding(), SectionEncoding::Rice { .. }));
    // The Debug form is a summary, not a dump of the sets.
    let dbg = format!("{list:?}");
    assert!(dbg.contains("revoked: 3") && dbg.len() < 400, "{dbg}");
    // Values and codes of the three statuses (IETF Token Status List values).
    assert_eq!(CredentialStatus::Valid.value(), 0);
    assert_eq!(CredentialStatus::Revoked.value(), 1);
    assert_eq!(CredentialStatus::Suspended.value(), 2);
    assert_eq!(CredentialStatus::Suspended.code(), "suspended");
}

#[test]
fn empty_and_dense_lists_pick_their_encodings() {
    let pk = issuer().public_key();
    let empty = StatusList::verify(&list_with(50, &[], &[], 1), &pk).unwrap();
    assert_eq!(empty.revoked_encoding(), SectionEncoding::Empty);
    assert_eq!(empty.suspended_encoding(), SectionEncoding::Empty);
    assert_eq!(empty.get(ix(49)).unwrap(), CredentialStatus::Valid);
    // Nearly everything revoked: a bitmap is smaller than any Rice code.
    let dense: Vec<u32> = (0..1000).filter(|i| i % 7 != 0).collect();
    let list = StatusList::verify(&list_with(1000, &dense, &[0], 1), &pk).unwrap();
    assert_eq!(list.revoked_encoding(), SectionEncoding::Bitmap);
    assert_eq!(list.revoked_count(), dense.len() as u32);
    assert_eq!(list.get(ix(0)).unwrap(), CredentialStatus::Suspended);
    assert_eq!(list.get(ix(1)).unwrap(), CredentialStatus::Revoked);
    assert_eq!(list.get(ix(7)).unwrap(), CredentialStatus::Valid);
    // A one-entry list.
    let one = StatusList::verify(&list_with(1, &[0], &[], 1), &pk).unwrap();
    assert_eq!(one.get(ix(0)).unwrap(), CredentialStatus::Revoked);
    assert_eq!(one.get(ix(1)).unwrap_err().code(), "status_index_out_of_range");
}

#[test]
fn sizes_for_ten_million_entries() {
    const SIZE: u32 = 10_000_000;
    let pk = issuer().public_key();
    println!("| revoked | count | bytes | revoked set coding | information limit (bytes) |");
    println!("|---|---|---|---|---|");
    for (label, count) in [("0.01%", 1_000usize), ("0.1%", 10_000), ("1%", 100_000), ("10%", 1_000_000)] {
        let revoked = random_indices(SIZE, count, 0x5eed ^ count as u64);
        let bytes = list_with(SIZE, &revoked, &[], 1);
        let list = StatusList::verify(&bytes, &pk).unwrap();
        assert_eq!(list.revoked_count() as usize, count);
        for &i in revoked.iter().step_by(97) {
            assert_eq!(list.get(ix(i)).unwrap(), CredentialStatus::Revoked);
        }
        // log2 C(n, m) / 8, by Stirling's sum of logs.
        let limit: f64 =
            (0..count).map(|j| ((f64::from(SIZE) - j as f64) / (j as f64 + 1.0)).log2()).sum::<f64>() / 8.0;
        println!("| {label} | {count} | {} | {:?} | {:.0} |", bytes.len(), list.revoked_encoding(), limit);
        if count == 10_000 {
            assert!(bytes.len() <= 16_000, "10M entries with 0.1% revoked must fit in 16 KB: {}", bytes.len());
        }
    }
    // Revoked and suspended together: 0.1% revoked and 0.01% suspended.
    let revoked = random_indices(SIZE, 10_000, 1);
    let suspended: Vec<u32> =
        random_indices(SIZE, 1_100, 2).into_iter().filter(|i| revoked.binary_search(i).is_err()).take(1_000).collect();
    let bytes = list_with(SIZE, &revoked, &suspended, 1);
    let list = StatusList::verify(&bytes, &pk).unwrap();
    assert_eq!(list.suspended_count(), 1_000);
    println!(
        "| 0.1% + 0.01% suspended | 10000 + 1000 | {} | {:?} / {:?} | |",
        bytes.len(),
        list.revoked_encoding(),
        list.suspended_encoding()
    );
}

// ---- rejections, each with its code ----

#[test]
fn rejects_bad_signature() {
    let pk = issuer().public_key();
    let mut bytes = small_list();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    assert_eq!(code(StatusList::verify(&bytes, &pk)), "status_bad_signature");
    // A change to the body (a different sequence number) breaks the signature too.
    let mut bytes = small_list();
    bytes[37] ^= 0x01;
    assert_eq!(code(StatusList::verify(&bytes, &pk)), "status_bad_signature");
}

#[test]
fn rejects_wrong_key() {
    let bytes = small_list();
    // The list names its issuer key: checking it against another key is refused as such.
    assert_eq!(code(StatusList::verify(&bytes, &other().public_key())), "status_wrong_issuer");
    // A list naming the right issuer but signed by someone else.
    let mut b = StatusListBuilder::new(10).unwrap();
    b.set(ix(1), CredentialStatus::Revoked).unwrap();
    let forged = b.sign_delegated(&issuer().public_key(), &other(), Timestamp::from_unix(T0), 60, 1).unwrap();
    assert_eq!(code(StatusList::verify(&forged, &issuer().public_key())), "status_bad_signature");
}

#[test]
fn delegated_status_key() {
    let issuer_pk = issuer().public_key();
    let status_key = other();
    let mut b = StatusListBuilder::new(10).unwrap();
    b.set(ix(2), CredentialStatus::Suspended).unwrap();
    let bytes = b.sign_delegated(&issuer_pk, &status_key, Timestamp::from_unix(T0), 60, 1).unwrap();
    let list = StatusList::verify_delegated(&bytes, &issuer_pk, &status_key.public_key()).unwrap();
    assert_eq!(list.issuer_key(), &issuer_pk);
    assert_eq!(list.get(ix(2)).unwrap(), CredentialStatus::Suspended);
    // Not signed by the issuer key itself, and not for the status key's own credentials.
    assert_eq!(code(StatusList::verify(&bytes, &issuer_pk)), "status_bad_signature");
    assert_eq!(code(StatusList::verify(&bytes, &status_key.public_key())), "status_wrong_issuer");
}

#[test]
fn rejects_every_truncation() {
    let pk = issuer().public_key();
    let bytes = small_list();
    for n in 0..bytes.len() {
        assert_eq!(code(StatusList::verify(&bytes[..n], &pk)), "status_truncated", "prefix of {n} bytes");
    }
}

#[test]
fn rejects_trailing_bytes() {
    let pk = issuer().public_key();
    let mut bytes = small_list();
    bytes.push(0);
    let err = StatusList::verify(&bytes, &pk).unwrap_err();
    assert_eq!(err, StatusListError::TrailingBytes { count: 1 });
    assert_eq!(err.code(), "status_trailing_bytes");
}

#[test]
fn rejects_unknown_version_and_magic() {
    let pk = issuer().public_key();
    let mut bytes = small_list();
    bytes[4] = 2;
    assert_eq!(StatusList::verify(&bytes, &pk).unwrap_err(), StatusListError::UnsupportedVersion(2));
    assert_eq!(code(StatusList::verify(&bytes, &pk)), "status_unsupported_version");
    let mut bytes = small_list();
    bytes[0] = b'X';
    assert_eq!(code(StatusList::verify(&bytes, &pk)), "status_bad_magic");
    assert_eq!(code(StatusList::verify(b"IKD1:NCF", &pk)), "status_bad_magic");
}

#[test]
fn rejects_oversize_before_reading() {
    let pk = issuer().public_key();
    let big = vec![0u8; MAX_STATUS_LIST_BYTES + 1];
    assert_eq!(code(StatusList::verify(&big, &pk)), "status_too_large");
}

#[test]
fn rejects_index_out_of_range() {
    let list = StatusList::verify(&small_list(), &issuer().public_key()).unwrap();
    let err = list.get(ix(1000)).unwrap_err();
    assert_eq!(err, StatusListError::IndexOutOfRange { index: 1000, len: 1000 });
    assert_eq!(err.code(), "status_index_out_of_range");
    assert_eq!(list.get(ix(u32::MAX)).unwrap_err().code(), "status_index_out_of_range");
    let mut b = StatusListBuilder::new(10).unwrap();
    assert_eq!(b.set(ix(10), CredentialStatus::Revoked).unwrap_err().code(), "status_index_out_of_range");
}

#[test]
fn builder_rejects_bad_sizes_and_parameters() {
    assert_eq!(StatusListBuilder::new(0).unwrap_err().code(), "status_invalid_size");
    assert_eq!(StatusListBuilder::new(MAX_STATUS_LIST_ENTRIES + 1).unwrap_err().code(), "status_invalid_size");
    let mut b = StatusListBuilder::new(10).unwrap();
    assert_eq!(b.grow(9).unwrap_err().code(), "status_invalid_size");
    b.grow(20).unwrap();
    assert_eq!(b.len(), 20);
    let k = issuer();
    let t = Timestamp::from_unix(T0);
    assert_eq!(b.sign(&k, t, 0, 1).unwrap_err().code(), "status_invalid_parameter");
    assert_eq!(b.sign(&k, t, MAX_STATUS_TTL_SECS + 1, 1).unwrap_err().code(), "status_invalid_parameter");
    assert_eq!(b.sign(&k, t, 60, 1 << 53).unwrap_err().code(), "status_invalid_parameter");
    assert_eq!(b.sign(&k, Timestamp::from_unix(WIRE_EPOCH - 1), 60, 1).unwrap_err().code(), "status_invalid_parameter");
}

#[test]
fn revocation_is_final_in_the_builder() {
    let mut b = StatusListBuilder::new(10).unwrap();
    b.set(ix(1), CredentialStatus::Suspended).unwrap();
    b.set(ix(1), CredentialStatus::Valid).unwrap(); // a suspension can be lifted
    assert_eq!(b.get(ix(1)).unwrap(), CredentialStatus::Valid);
    b.set(ix(1), CredentialStatus::Suspended).unwrap();
    b.set(ix(1), CredentialStatus::Revoked).unwrap(); // suspended → revoked
    b.set(ix(1), CredentialStatus::Revoked).unwrap(); // revoking again is harmless
    for s in [CredentialStatus::Valid, CredentialStatus::Suspended] {
        let err = b.set(ix(1), s).unwrap_err();
        assert_eq!(err, StatusListError::RevocationLifted { index: 1 });
        assert_eq!(err.code(), "status_revocation_lifted");
    }
    // A builder started from a published list carries its revocations.
    let list = StatusList::verify(&small_list(), &issuer().public_key()).unwrap();
    let mut b = StatusListBuilder::from_list(&list);
    assert_eq!(b.get(ix(500)).unwrap(), CredentialStatus::Revoked);
    assert_eq!(b.set(ix(500), CredentialStatus::Valid).unwrap_err().code(), "status_revocation_lifted");
    b.set(ix(4), CredentialStatus::Valid).unwrap();
    b.set(ix(5), CredentialStatus::Revoked).unwrap();
    let next = b.sign(&issuer(), Timestamp::from_unix(T0 + DAY), DAY as u64, 8).unwrap();
    let next = StatusList::verify(&next, &issuer().public_key()).unwrap();
    StatusList::check_transition(&list, &next).unwrap();
    assert_eq!(next.get(ix(4)).unwrap(), CredentialStatus::Valid);
}

#[test]
fn transitions_refuse_unrevoke_rollback_and_friends() {
    let pk = issuer().public_key();
    let old = StatusList::verify(&small_list(), &pk).unwrap();
    let t1 = Timestamp::from_unix(T0 + DAY);
    let make = |size: u32, revoked: &[u32], seq: u64, at: Timestamp, key: &SecretKey| {
        let mut b = StatusListBuilder::new(size).unwrap();
        for &i in revoked {
            b.set(ix(i), CredentialStatus::Revoked).unwrap();
        }
        StatusList::verify(&b.sign(key, at, 60, seq).unwrap(), &key.public_key()).unwrap()
    };
    let check = |new: &StatusList| StatusList::check_transition(&old, new).map_err(|e| e.code());
    // Un-revoking index 500 in a newer list.
    assert_eq!(check(&make(1000, &[3, 999], 8, t1, &issuer())), Err("status_revocation_lifted"));
    assert_eq!(
        StatusList::check_transition(&old, &make(1000, &[3, 999], 8, t1, &issuer())),
        Err(StatusListError::RevocationLifted { index: 500 })
    );
    // Rollback to a lower sequence number.
    assert_eq!(check(&make(1000, &[3, 500, 999], 6, t1, &issuer())), Err("status_rollback"));
    // The same sequence with different contents; the same list again is fine.
    assert_eq!(check(&make(1000, &[3, 500, 999, 1], 7, t1, &issuer())), Err("status_sequence_reused"));
    assert_eq!(check(&old.clone()), Ok(()));
    // Issued earlier than the list held.
    assert_eq!(
        check(&make(1000, &[3, 500, 999], 8, Timestamp::from_unix(T0 - 1), &issuer())),
        Err("status_issued_at_backwards")
    );
    // Fewer entries.
    assert_eq!(check(&make(999, &[3, 500], 8, t1, &issuer())), Err("status_shrunk"));
    // Another issuer's list.
    assert_eq!(check(&make(1000, &[3, 500, 999], 8, t1, &other())), Err("status_issuer_changed"));
    // A proper successor: more revocations, suspension lifted, grown.
    assert_eq!(check(&make(2000, &[3, 500, 999, 1500], 8, t1, &issuer())), Ok(()));
}

/// A dense set in a (wasteful) Rice coding is accepted and held as a bitmap.
#[test]
fn accepts_any_valid_encoding_choice() {
    let mut sections = vec![1, 0xe8, 0x07, 0, 125]; // Rice, n = 1000, k = 0, L = 125
    sections.extend_from_slice(&[0xff; 125]);
    sections.push(0);
    let list = StatusList::verify(&hand(60, 1000, &sections), &issuer().public_key()).unwrap();
    assert_eq!(list.revoked_count(), 1000);
    assert!((0..1000).all(|i| list.get(ix(i)).unwrap() == CredentialStatus::Revoked));
    assert!(list.memory_bytes() <= 128);
    // A sparse set as a bitmap.
    let list = StatusList::verify(&hand(60, 16, &[0, 2, 0x00, 0x80]), &issuer().public_key()).unwrap();
    assert_eq!(list.suspended().collect::<Vec<_>>(), [15]);
    assert_eq!(list.suspended_encoding(), SectionEncoding::Bitmap);
}

#[test]
fn rejects_malformed_contents_under_a_valid_signature() {
    let pk = issuer().public_key();
    let ok = hand(60, 10, &[1, 1, 0, 1, 0x10, 0]); // revoked {3} as Rice k=0: bits 0001
    assert_eq!(StatusList::verify(&ok, &pk).unwrap().get(ix(3)).unwrap(), CredentialStatus::Revoked);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("ttl zero", hand(0, 10, &[0, 0])),
        ("ttl too long", hand(MAX_STATUS_TTL_SECS + 1, 10, &[0, 0])),
        ("size zero", hand(60, 0, &[0, 0])),
        ("size too large", hand(60, u64::from(MAX_STATUS_LIST_ENTRIES) + 1, &[0, 0])),
        ("unknown set encoding", hand(60, 10, &[3, 0])),
        ("rice count zero", hand(60, 10, &[1, 0, 0, 1, 0x10, 0])),
        ("rice count above size", hand(60, 10, &[1, 11, 0, 1, 0x10, 0])),
        ("rice parameter 28", hand(60, 10, &[1, 1, 28, 1, 0x10, 0])),
        ("rice index beyond size", hand(60, 3, &[1, 1, 0, 1, 0x10, 0])),
        ("rice nonzero padding", hand(60, 10, &[1, 1, 0, 1, 0x11, 0])),
        ("rice extra byte", hand(60, 10, &[1, 1, 0, 2, 0x10, 0x00, 0])),
        ("rice count beyond data", hand(60, 10, &[1, 9, 0, 1, 0xff, 0])),
        ("rice runs out of data", hand(60, 10, &[1, 2, 0, 1, 0x10, 0])),
        ("empty bitmap", hand(60, 10, &[2, 0, 0, 0])),
        ("bitmap bit beyond size", hand(60, 10, &[2, 0x01, 0x04, 0])),
        ("revoked and suspended", hand(60, 10, &[2, 0x02, 0x00, 2, 0x02, 0x00])),
        ("non-canonical varint", {
            let mut b = b"IKSL\x01".to_vec();
            b.extend_from_slice(pk.as_bytes());
            b.extend_from_slice(&[0x89, 0x00]); // sequence 9 in two bytes
            varint(&mut b, (T0 - WIRE_EPOCH) as u64);
            b.extend_from_slice(&[60, 10, 0, 0]);
            signed(&issuer(), &b)
        }),
        ("weak issuer key", {
            let mut weak = [0u8; 32];
            weak[0] = 1;
            let mut b = b"IKSL\x01".to_vec();
            b.extend_from_slice(&weak);
            b.extend_from_slice(&[9, 0, 60, 10, 0, 0]);
            signed(&issuer(), &b)
        }),
    ];
    for (name, bytes) in cases {
        let err = StatusList::verify(&bytes, &pk).unwrap_err();
        assert_eq!(err.code(), "status_malformed", "{name}: {err}");
    }
}

#[test]
fn freshness_of_a_status_list() {
    let policy = FreshnessPolicy::default();
    assert_eq!(policy.status_fresh_secs, DAY);
    assert_eq!(policy.status_grace_secs, 30 * DAY);
    assert_eq!(policy.trust_fresh_secs, 7 * DAY);
    assert_eq!(policy.trust_grace_secs, 90 * DAY);
    let list = StatusList::verify(&small_list(), &issuer().public_key()).unwrap(); // TTL one day
    let at = |s: i64| list.freshness(Timestamp::from_unix(T0 + s), &policy);
    assert_eq!(at(-3600), Freshness::Fresh); // counter clock behind
    assert_eq!(at(DAY), Freshness::Fresh);
    assert_eq!(at(DAY + 1), Freshness::InGrace { age_secs: DAY + 1 });
    assert_eq!(at(31 * DAY), Freshness::InGrace { age_secs: 31 * DAY });
    assert_eq!(at(31 * DAY + 1), Freshness::Stale { age_secs: 31 * DAY + 1 });
    assert!(at(31 * DAY).is_usable() && !at(40 * DAY).is_usable());
    assert_eq!(at(40 * DAY).code(), "stale");
    // A list whose own TTL is shorter than the policy's fresh period.
    let short = StatusListBuilder::new(5).unwrap().sign(&issuer(), Timestamp::from_unix(T0), 3600, 1).unwrap();
    let short = StatusList::verify(&short, &issuer().public_key()).unwrap();
    assert_eq!(short.freshness(Timestamp::from_unix(T0 + 3601), &policy).code(), "in_grace");
}

#[test]
fn allocation_is_random_and_unique() {
    let mut rng = Rng(42);
    let size = 4096u32;
    let mut taken = HashSet::new();
    for _ in 0..2048 {
        let i = allocate_index(size, || rng.next(), |i| taken.contains(&i.get())).unwrap();
        assert!(i.get() < size);
        assert!(taken.insert(i.get()));
    }
    // Spread over the whole list, not packed at the start: each eighth gets about 256.
    let mut buckets = [0u32; 8];
    for i in &taken {
        buckets[(*i / 512) as usize] += 1;
    }
    assert!(buckets.iter().all(|b| (180..=330).contains(b)), "{buckets:?}");
    // A full list gives up instead of looping.
    assert_eq!(allocate_index(4, || rng.next(), |_| true), None);
    // With the operating system's generator.
    let i = allocate_index_os(size, |_| false).unwrap().unwrap();
    assert!(i.get() < size);
}

// ---- robustness ----

#[test]
fn random_byte_flips_never_panic() {
    let pk = issuer().public_key();
    let base = small_list();
    let mut rng = Rng(7);
    for _ in 0..3_000 {
        let mut bytes = base.clone();
        for _ in 0..=rng.below(3) {
            let at = rng.below(bytes.len() as u64) as usize;
            bytes[at] ^= 1 << rng.below(8);
        }
        if rng.below(4) == 0 {
            let n = rng.below(bytes.len() as u64) as usize;
            bytes.truncate(n);
        }
        let _ = StatusList::verify(&bytes, &pk);
    }
}

/// Flips bytes of the body and signs the result again, so the decoders behind the
/// signature see arbitrary input too.
#[test]
fn mutated_and_resigned_lists_never_panic() {
    let key = issuer();
    let pk = key.public_key();
    let dense: Vec<u32> = (0..200).filter(|i| i % 3 == 0).collect();
    let bases = [small_list(), list_with(200, &dense, &[1, 2], 3), list_with(64, &[], &[63], 1)];
    let mut rng = Rng(99);
    let mut accepted = 0;
    for round in 0..1_500 {
        let base = &bases[round % bases.len()];
        let mut body = base[..base.len() - 64].to_vec();
        for _ in 0..=rng.below(2) {
            let at = 5 + rng.below(body.len() as u64 - 5) as usize;
            body[at] = if rng.below(2) == 0 { body[at] ^ (1 << rng.below(8)) } else { rng.next() as u8 };
        }
        let bytes = signed(&key, &body);
        if let Ok(list) = StatusList::verify(&bytes, &pk) {
            accepted += 1;
            // Whatever was accepted answers every query without panicking.
            for i in [0, 1, list.len() / 2, list.len() - 1, list.len()] {
                let _ = list.get(ix(i));
            }
        }
    }
    println!("{accepted} of 1500 mutated lists were still well-formed");
}

#[test]
fn arbitrary_input_never_panics() {
    let pk = issuer().public_key();
    let mut rng = Rng(3);
    for _ in 0..3_000 {
        let len = rng.below(200) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if rng.below(2) == 0 && bytes.len() >= 5 {
            bytes[..5].copy_from_slice(b"IKSL\x01");
        }
        assert!(StatusList::verify(&bytes, &pk).is_err());
    }
}

/// The worked example of `docs/TRUST-AND-STATUS.md`: its bytes must not change.
#[test]
fn specification_example() {
    let mut b = StatusListBuilder::new(1000).unwrap();
    for i in [3, 500, 999] {
        b.set(ix(i), CredentialStatus::Revoked).unwrap();
    }
    b.set(ix(77), CredentialStatus::Suspended).unwrap();
    let bytes = b.sign(&issuer(), Timestamp::from_unix(T0), 86_400, 1).unwrap();
    let expected = concat!(
        "494b534c",                                                         // magic "IKSL"
        "01",                                                               // version
        "d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737", // issuer key
        "01",                                                               // sequence 1
        "80cef367",                                                         // issued_at
        "80a305",                                                           // ttl 86400
        "e807",                                                             // size 1000
        "0103080481be0f90",                                                 // revoked: Rice, n=3, k=8, 4 bytes
        "010105012d",                                                       // suspended: Rice, n=1, k=5, 1 byte
        "85f67a602f7c6dfa777a30dea9dc874881f476143ee755f1e9c0496518f7c97f",
        "a3efc1fae0f70b308b9bb77d40d774928557d6064eecbc09fc2eb65d885b700c", // signature
    );
    assert_eq!(hex::encode(&bytes), expected);
    let list = StatusList::verify(&bytes, &issuer().public_key()).unwrap();
    assert_eq!(list.revoked_encoding(), SectionEncoding::Rice { k: 8 });
    assert_eq!(list.suspended_encoding(), SectionEncoding::Rice { k: 5 });
    // The signature covers the tag and every byte before it.
    let mut message = STATUS_LIST_TAG.to_vec();
    message.extend_from_slice(&bytes[..bytes.len() - 64]);
    assert!(verify_signature_strict(&issuer().public_key(), &message, bytes[bytes.len() - 64..].try_into().unwrap()));
}
