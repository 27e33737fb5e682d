//! The list holder's answers for bindings and pages (`ikd_core::list_holder::answer_*`):
//! every decision and every refusal, with its code, from the bytes a holder keeps (issue 15).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use ikd_core::list_holder::{OfferView, RepinPolicy, Roots, answer_status_list_offer, answer_trust_list_offer};
use ikd_core::status::{CredentialStatus, StatusListBuilder};
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

/// A trust list naming issuer key 0x11, signed by `roots`, announcing `next` as next roots.
fn list(sequence: u64, issued: i64, roots: &[&SecretKey], next: &[&SecretKey]) -> Vec<u8> {
    let mut b = TrustListBuilder::new(sequence, t(issued), t(issued + 7 * DAY));
    b.add(TrustListEntry::new(
        "DISDUKCAPIL KABUPATEN SERANG",
        key(0x11).public_key(),
        t(-DAY),
        t(3650 * DAY),
        Scope::all(),
    ))
    .unwrap();
    let next: Vec<PublicKey> = next.iter().map(|k| k.public_key()).collect();
    b.next_roots(&next);
    b.sign(roots).unwrap()
}

fn status(sequence: u64, issued: i64, revoked: &[u32]) -> Vec<u8> {
    let mut b = StatusListBuilder::new(100).unwrap();
    for &i in revoked {
        b.set(StatusIndex::new(i), CredentialStatus::Revoked).unwrap();
    }
    b.sign(&key(0x11), t(issued), DAY as u64, sequence).unwrap()
}

fn trust(
    held: Option<&[u8]>,
    offered: &[u8],
    pinned: &[PublicKey],
    kept: &[PublicKey],
    repin: RepinPolicy,
) -> OfferView {
    answer_trust_list_offer(held, offered, Roots { pinned, held: kept }, repin, t(DAY), Lang::En)
}

#[test]
fn trust_list_offers_first_unchanged_successor_and_refusals() {
    let (a, b) = (key(0xa1), key(0xb1));
    let pa = vec![a.public_key()];
    let l1 = list(1, 0, &[&a], &[&a]);
    let l2 = list(2, DAY / 2, &[&a], &[&a]);

    let v = trust(None, &l1, &pa, &[], RepinPolicy::Refuse);
    assert!(v.accept && v.code.is_none() && v.message.is_none(), "{v:?}");
    assert_eq!((v.decision, v.sequence, v.held_sequence), (Some("first"), Some(1), None));
    assert_eq!(v.roots, vec![a.public_key().to_text()]);
    assert_eq!((v.freshness, v.age_secs), (Some("fresh"), Some(DAY)));
    assert_eq!(v.issued_at.as_deref(), Some("2026-11-27T00:00:00Z"));
    assert_eq!(v.next_update.as_deref(), Some("2026-12-04T00:00:00Z"));

    let v = trust(Some(&l1), &l1, &pa, &[], RepinPolicy::Refuse);
    assert_eq!((v.accept, v.decision, v.sequence, v.held_sequence), (true, Some("unchanged"), Some(1), Some(1)));

    let v = trust(Some(&l1), &l2, &pa, &[], RepinPolicy::Refuse);
    assert_eq!((v.accept, v.decision, v.sequence, v.held_sequence), (true, Some("successor"), Some(2), Some(1)));

    // A rollback: refused, the held list's roots kept, nothing about the offered list.
    let v = trust(Some(&l2), &l1, &pa, &[], RepinPolicy::Refuse);
    assert_eq!((v.accept, v.decision, v.code, v.sequence), (false, None, Some("trust_list_rollback"), None));
    assert_eq!(v.message.as_deref(), Some(TrustListError::Rollback { old: 2, new: 1 }.message(Lang::En).as_str()));
    assert_eq!(v.roots, vec![a.public_key().to_text()]);

    // A first list not signed by a pinned root; bytes that are not a list.
    assert_eq!(
        trust(None, &list(1, 0, &[&b], &[&b]), &pa, &[], RepinPolicy::Refuse).code,
        Some("trust_list_unknown_root")
    );
    assert_eq!(trust(None, b"junk", &pa, &[], RepinPolicy::Refuse).code, Some("trust_list_malformed"));
    let mut tampered = l2.clone();
    tampered[20] ^= 1;
    assert!(trust(Some(&l1), &tampered, &pa, &[], RepinPolicy::Refuse).code.unwrap().starts_with("trust_list_"));
    // Messages in Bahasa Indonesia when asked.
    let id =
        answer_trust_list_offer(Some(&l2), &l1, Roots { pinned: &pa, held: &[] }, RepinPolicy::Refuse, t(0), Lang::Id);
    assert_eq!(id.message, Some(TrustListError::Rollback { old: 2, new: 1 }.message(Lang::Id)));
}

#[test]
fn a_root_hand_over_and_a_re_pin_keep_the_successor_check() {
    let (a, b) = (key(0xa1), key(0xb1));
    let (pa, pb) = (vec![a.public_key()], vec![b.public_key()]);
    // l2 hands over to b: l3 signed by b is its successor.
    let l2 = list(2, 0, &[&a], &[&b]);
    let l3 = list(3, DAY / 2, &[&b], &[&b]);
    let v = trust(Some(&l2), &l3, &pa, &[], RepinPolicy::Refuse);
    assert_eq!((v.accept, v.decision), (true, Some("successor")), "{v:?}");
    assert_eq!(v.roots, vec![b.public_key().to_text()]);
    // Held l3 now verifies only under the roots kept beside it (b), not the configured a.
    let l4 = list(4, DAY / 2, &[&b], &[&b]);
    let v = trust(Some(&l3), &l4, &pa, &[], RepinPolicy::Refuse);
    assert_eq!((v.held_error, v.code), (Some("trust_list_unknown_root"), Some("trust_list_unknown_root")));
    let v = trust(Some(&l3), &l4, &pa, &pb, RepinPolicy::Refuse);
    assert_eq!((v.held_error, v.decision, v.held_sequence), (None, Some("successor"), Some(3)));

    // A list by a root the held list did not announce: refused unless re-pinned.
    let held = list(5, 0, &[&a], &[&a]);
    let by_b = list(6, DAY / 2, &[&b], &[&b]);
    assert_eq!(trust(Some(&held), &by_b, &pb, &pa, RepinPolicy::Refuse).code, Some("trust_list_unknown_root"));
    let v = trust(Some(&held), &by_b, &pb, &pa, RepinPolicy::AllowPinnedRoots);
    assert_eq!((v.accept, v.decision, v.held_sequence), (true, Some("repinned"), Some(5)), "{v:?}");
    // A re-pin never skips the successor check, even with the held list's roots forgotten
    // by the new pins: the held list still verifies under the roots kept beside it.
    let old_by_b = list(4, DAY / 2, &[&b], &[&b]);
    let v = trust(Some(&held), &old_by_b, &pb, &pa, RepinPolicy::AllowPinnedRoots);
    assert_eq!((v.accept, v.code, v.held_sequence), (false, Some("trust_list_rollback"), Some(5)));
}

#[test]
fn status_list_offers_follow_the_held_one_under_the_trust_list() {
    let a = key(0xa1);
    let pa = vec![a.public_key()];
    let tl = list(1, 0, &[&a], &[&a]);
    let offer = |held: Option<&[u8]>, offered: &[u8], trust_list: &[u8]| {
        answer_status_list_offer(held, offered, trust_list, Roots { pinned: &pa, held: &[] }, t(DAY), 60, Lang::En)
    };
    let s1 = status(1, 0, &[3]);
    let s2 = status(2, 10, &[3, 4]);
    let v = offer(None, &s1, &tl);
    assert_eq!((v.list, v.accept, v.decision, v.sequence), ("status_list", true, Some("first"), Some(1)));
    assert_eq!(v.key_id, Some(key(0x11).public_key().key_id().to_string()));
    assert_eq!(v.expires_at.as_deref(), Some("2026-11-28T00:00:00Z"));
    assert_eq!((v.freshness, v.age_secs), (Some("fresh"), Some(DAY)));
    assert_eq!(offer(Some(&s1), &s1, &tl).decision, Some("unchanged"));
    let v = offer(Some(&s1), &s2, &tl);
    assert_eq!((v.decision, v.held_sequence), (Some("successor"), Some(1)));
    // Refusals, each with its code: a lifted revocation, a rollback, a list dated ahead, a
    // bad signature, an issuer the trust list does not name, a trust list that fails.
    assert_eq!(offer(Some(&s2), &status(3, 20, &[3]), &tl).code, Some("status_revocation_lifted"));
    assert_eq!(offer(Some(&s2), &s1, &tl).code, Some("status_rollback"));
    assert_eq!(offer(None, &status(1, 2 * DAY, &[]), &tl).code, Some("status_issued_in_future"));
    let mut bad = s2.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(offer(Some(&s1), &bad, &tl).code, Some("status_bad_signature"));
    let stranger = StatusListBuilder::new(8).unwrap().sign(&key(0x22), t(0), 3600, 1).unwrap();
    assert_eq!(offer(None, &stranger, &tl).code, Some("status_issuer_not_trusted"));
    let v = offer(Some(&s1), &s2, &list(1, 0, &[&key(0xb1)], &[]));
    assert_eq!((v.accept, v.code), (false, Some("trust_list_unknown_root")));
    // A held list that no longer verifies is treated as absent, and named.
    let v = offer(Some(&bad), &s1, &tl);
    assert_eq!((v.accept, v.decision, v.held_error), (true, Some("first"), Some("status_bad_signature")));
}

#[test]
fn the_answer_is_the_same_json_shape_every_time() {
    let a = key(0xa1);
    let v = trust(None, b"junk", &[a.public_key()], &[], RepinPolicy::Refuse);
    let json = serde_json::to_value(&v).unwrap();
    let keys: std::collections::BTreeSet<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        std::collections::BTreeSet::from([
            "list",
            "accept",
            "decision",
            "code",
            "message",
            "sequence",
            "issued_at",
            "next_update",
            "expires_at",
            "freshness",
            "age_secs",
            "held_sequence",
            "held_error",
            "roots",
            "key_id"
        ])
    );
    assert_eq!(json["accept"], false);
    assert!(json["sequence"].is_null());
}
