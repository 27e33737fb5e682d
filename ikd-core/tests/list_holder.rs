//! The list holder's decisions (`ikd_core::list_holder`): first list, unchanged, successor,
//! re-pin (only when allowed, and never past a rollback), status lists, next sequence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use ikd_core::list_holder::{Decision, RepinPolicy, decide_status_list, decide_trust_list, next_status_sequence};
use ikd_core::status::{CredentialStatus, StatusList, StatusListBuilder};
use ikd_core::trustlist::*;
use ikd_core::*;

/// 2026-11-27T00:00:00Z.
const T0: i64 = 1_795_737_600;
const DAY: i64 = 86_400;

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

fn t(offset: i64) -> Timestamp {
    Timestamp::from_unix(T0 + offset)
}

fn list(sequence: u64, issued: i64, roots: &[&SecretKey]) -> Vec<u8> {
    let mut b = TrustListBuilder::new(sequence, t(issued), t(issued + 7 * DAY));
    b.add(TrustListEntry::new(
        "DISDUKCAPIL KABUPATEN SERANG",
        key(0x11).public_key(),
        t(-DAY),
        t(3650 * DAY),
        Scope::all(),
    ))
    .unwrap();
    b.sign(roots).unwrap()
}

fn pk(k: &SecretKey) -> Vec<PublicKey> {
    vec![k.public_key()]
}

#[test]
fn a_first_list_must_verify_under_the_pinned_roots() {
    let (r1, r2) = (key(1), key(2));
    let d = decide_trust_list(None, &list(1, 0, &[&r1]), &pk(&r1), RepinPolicy::Refuse).unwrap();
    assert_eq!(d.kind(), "first");
    let e = decide_trust_list(None, &list(1, 0, &[&r2]), &pk(&r1), RepinPolicy::AllowPinnedRoots).unwrap_err();
    assert_eq!(e.code(), "trust_list_unknown_root");
}

#[test]
fn the_same_list_is_unchanged_and_a_newer_one_is_a_successor() {
    let r1 = key(1);
    let held = TrustList::verify(&list(1, 0, &[&r1]), &pk(&r1)).unwrap();
    let d = decide_trust_list(Some(&held), &list(1, 0, &[&r1]), &pk(&r1), RepinPolicy::Refuse).unwrap();
    assert_eq!(d, Decision::Unchanged);
    assert_eq!(d.into_list(), None);
    let d = decide_trust_list(Some(&held), &list(2, DAY, &[&r1]), &pk(&r1), RepinPolicy::Refuse).unwrap();
    assert_eq!(d.kind(), "successor");
    assert_eq!(d.into_list().unwrap().sequence(), 2);
}

#[test]
fn a_rollback_is_refused_with_its_code() {
    let r1 = key(1);
    let held = TrustList::verify(&list(5, DAY, &[&r1]), &pk(&r1)).unwrap();
    let e = decide_trust_list(Some(&held), &list(4, DAY, &[&r1]), &pk(&r1), RepinPolicy::AllowPinnedRoots).unwrap_err();
    assert_eq!(e.code(), "trust_list_rollback");
}

#[test]
fn regression_cli_and_server_repin_by_the_same_rule() {
    // Issue 14: the CLI re-pinned only with `--repin` (and then skipped the successor check),
    // the server fell back to its pinned roots automatically. One rule: a list the held
    // list's next_roots did not sign needs the explicit permission, and must still be a
    // valid successor.
    let (r1, r2) = (key(1), key(2));
    let held = TrustList::verify(&list(1, 0, &[&r1]), &pk(&r1)).unwrap();
    let by_new_root = list(2, DAY, &[&r2]);
    let e = decide_trust_list(Some(&held), &by_new_root, &pk(&r2), RepinPolicy::Refuse).unwrap_err();
    assert_eq!(e.code(), "trust_list_unknown_root");
    let d = decide_trust_list(Some(&held), &by_new_root, &pk(&r2), RepinPolicy::AllowPinnedRoots).unwrap();
    assert_eq!(d.kind(), "repinned");
    assert_eq!(d.into_list().unwrap().signed_by(), pk(&r2).as_slice());
    // Allowed, but signed by neither the chain nor the pinned roots.
    let e = decide_trust_list(Some(&held), &by_new_root, &pk(&r1), RepinPolicy::AllowPinnedRoots).unwrap_err();
    assert_eq!(e.code(), "trust_list_unknown_root");
    // Allowed and signed by the pinned root, but a rollback: refused.
    let held5 = TrustList::verify(&list(5, DAY, &[&r1]), &pk(&r1)).unwrap();
    let e =
        decide_trust_list(Some(&held5), &list(3, DAY, &[&r2]), &pk(&r2), RepinPolicy::AllowPinnedRoots).unwrap_err();
    assert_eq!(e.code(), "trust_list_rollback");
}

#[test]
fn a_tampered_list_is_refused_whatever_the_policy() {
    let r1 = key(1);
    let held = TrustList::verify(&list(1, 0, &[&r1]), &pk(&r1)).unwrap();
    let mut bad = list(2, DAY, &[&r1]);
    let n = bad.len();
    bad[n / 2] ^= 1;
    let e = decide_trust_list(Some(&held), &bad, &pk(&r1), RepinPolicy::AllowPinnedRoots).unwrap_err();
    assert_ne!(e.code(), "");
    assert!(e.code().starts_with("trust_list_"), "{}", e.code());
}

fn status(sequence: u64, issued: i64, revoked: &[u32]) -> StatusList {
    let issuer = key(0x11);
    let mut b = StatusListBuilder::new(100).unwrap();
    for &i in revoked {
        b.set(StatusIndex::new(i), CredentialStatus::Revoked).unwrap();
    }
    let bytes = b.sign(&issuer, t(issued), DAY as u64, sequence).unwrap();
    StatusList::verify(&bytes, &issuer.public_key()).unwrap()
}

#[test]
fn status_lists_follow_the_held_one() {
    let now = t(DAY);
    assert_eq!(decide_status_list(None, status(1, 0, &[3]), now, 60).unwrap().kind(), "first");
    let held = status(1, 0, &[3]);
    assert_eq!(decide_status_list(Some(&held), status(1, 0, &[3]), now, 60).unwrap(), Decision::Unchanged);
    assert_eq!(decide_status_list(Some(&held), status(2, 10, &[3, 4]), now, 60).unwrap().kind(), "successor");
    // An un-revocation, an older sequence, a list from the future: refused with their codes.
    let e = decide_status_list(Some(&held), status(2, 10, &[]), now, 60).unwrap_err();
    assert_eq!(e.code(), StatusList::check_transition(&held, &status(2, 10, &[])).unwrap_err().code());
    let held5 = status(5, 0, &[3]);
    assert!(decide_status_list(Some(&held5), status(4, 10, &[3]), now, 60).is_err());
    let e = decide_status_list(None, status(1, 2 * DAY, &[]), now, 60).unwrap_err();
    assert_eq!(e.code(), "status_issued_in_future");
}

#[test]
fn regression_cli_and_server_next_status_sequence_is_one_rule() {
    // Issue 14: the CLI signed previous + 1, the server max(now, previous + 1).
    let now = Timestamp::from_unix(1_800_000_000);
    assert_eq!(next_status_sequence(None, now), 1_800_000_000);
    assert_eq!(next_status_sequence(Some(7), now), 1_800_000_000);
    assert_eq!(next_status_sequence(Some(1_800_000_000), now), 1_800_000_001);
    assert_eq!(next_status_sequence(Some(u64::MAX - 1), now), u64::MAX);
    // A clock before 1970 still gives a positive sequence.
    assert_eq!(next_status_sequence(None, Timestamp::from_unix(-5)), 1);
}
