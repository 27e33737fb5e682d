//! Replay memory that survives a restart (issue 15): `ReplayCache::snapshot` /
//! `ReplayCache::restore`, strict about the bytes, and never making a replay acceptable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use ikd_core::*;

/// The committed vector `valid-typical-woman`: a credential bound to the holder key of seed
/// 0x48, its trust store and its clock.
fn vector() -> (String, TrustStore, Timestamp) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/cases/valid-typical-woman.json");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let store = TrustStore::from_json(&doc["trust_store"].to_string()).unwrap();
    let clock = Timestamp::parse_rfc3339(doc["clock"].as_str().unwrap()).unwrap();
    (doc["input"]["qr_text"].as_str().unwrap().to_owned(), store, clock)
}

const NOW: i64 = 1_800_000_000;

fn id(n: u8) -> [u8; 16] {
    [n; 16]
}

fn cache_with(entries: &[(u8, u8, i64)]) -> ReplayCache {
    let mut c = ReplayCache::new(100);
    for &(i, owner, until) in entries {
        assert_eq!(c.check_and_insert(id(i), id(owner), NOW, until), ReplayCheck::Fresh);
    }
    c
}

#[test]
fn a_snapshot_restores_every_live_entry_and_drops_the_expired() {
    let c = cache_with(&[(3, 1, NOW + 90), (1, 1, NOW + 10), (2, 2, NOW + 120)]);
    // At NOW + 10 the entry ending then has expired: it is not written.
    let snap = c.snapshot(NOW + 10);
    assert_eq!(&snap[..5], b"IKDR\x01");
    assert_eq!(snap.len(), 9 + 2 * 40);
    assert_eq!(u32::from_be_bytes(snap[5..9].try_into().unwrap()), 2);
    // In the order they were recorded: 3 before 2.
    assert_eq!(snap[9..25], id(3));
    assert_eq!(snap[25..41], id(1), "its owner");
    assert_eq!(snap[41..49], (NOW + 90).to_be_bytes());
    assert_eq!(snap[49..65], id(2));
    let mut fresh = ReplayCache::new(100);
    assert_eq!(fresh.restore(&snap, NOW + 10).unwrap(), 2);
    assert_eq!(fresh.len(), 2);
    // Both are replays now; the expired one is forgotten.
    assert_eq!(fresh.check_and_insert(id(3), id(9), NOW + 11, NOW + 200), ReplayCheck::Replayed);
    assert_eq!(fresh.check_and_insert(id(2), id(9), NOW + 11, NOW + 200), ReplayCheck::Replayed);
    assert_eq!(fresh.check_and_insert(id(1), id(9), NOW + 11, NOW + 200), ReplayCheck::Fresh);
    // Restored later, the entry that has ended by then is skipped.
    let mut later = ReplayCache::new(100);
    assert_eq!(later.restore(&snap, NOW + 100).unwrap(), 1);
    assert_eq!(later.check_and_insert(id(3), id(9), NOW + 100, NOW + 200), ReplayCheck::Fresh);
    // An empty cache writes an empty snapshot, which restores nothing.
    let empty = ReplayCache::new(5).snapshot(NOW);
    assert_eq!(empty, b"IKDR\x01\0\0\0\0");
    assert_eq!(ReplayCache::new(5).restore(&empty, NOW).unwrap(), 0);
}

#[test]
fn restoring_only_adds_and_keeps_owners_and_the_later_end() {
    let snap = cache_with(&[(1, 7, NOW + 90), (2, 7, NOW + 30)]).snapshot(NOW);
    let mut c = cache_with(&[(1, 7, NOW + 20), (5, 5, NOW + 60)]).with_owner_limit(3);
    assert_eq!(c.restore(&snap, NOW).unwrap(), 1, "id 1 was held already");
    assert_eq!(c.len(), 3);
    // id 1 now ends at NOW + 90 (the later end), not NOW + 20.
    assert_eq!(c.check_and_insert(id(1), id(8), NOW + 50, NOW + 100), ReplayCheck::Replayed);
    // Owner 7 holds ids 1 and 2: one more, then its limit of 3.
    assert_eq!(c.check_and_insert(id(10), id(7), NOW + 1, NOW + 90), ReplayCheck::Fresh);
    assert_eq!(c.check_and_insert(id(11), id(7), NOW + 1, NOW + 90), ReplayCheck::OwnerLimit);
    // A snapshot now writes id 1 once, with its later end (the queue also holds its old copy).
    let again = c.snapshot(NOW + 1);
    assert_eq!(u32::from_be_bytes(again[5..9].try_into().unwrap()), 4, "ids 1, 5, 2 and 10");
    let ones: Vec<&[u8]> = again[9..].chunks(40).filter(|e| e[..16] == id(1)).collect();
    assert_eq!(ones.len(), 1);
    assert_eq!(ones[0][32..], (NOW + 90).to_be_bytes());
    // Restoring the same snapshot again adds nothing and removes nothing.
    assert_eq!(c.restore(&snap, NOW + 1).unwrap(), 0);
    assert_eq!(c.check_and_insert(id(5), id(8), NOW + 2, NOW + 100), ReplayCheck::Replayed);
}

#[test]
fn bad_snapshots_are_refused_with_their_code_and_change_nothing() {
    let good = cache_with(&[(1, 1, NOW + 90), (2, 2, NOW + 90)]).snapshot(NOW);
    let mut c = cache_with(&[(9, 9, NOW + 90)]);
    let code = |c: &mut ReplayCache, bytes: &[u8]| c.restore(bytes, NOW).unwrap_err().code();
    assert_eq!(code(&mut c, b""), "replay_state_invalid");
    assert_eq!(code(&mut c, b"IKDR\x01\0\0"), "replay_state_invalid");
    assert_eq!(code(&mut c, b"{\"not\": \"state\"}"), "replay_state_invalid");
    let mut v2 = good.clone();
    v2[4] = 2;
    assert_eq!(code(&mut c, &v2), "replay_state_version");
    assert_eq!(code(&mut c, &good[..good.len() - 1]), "replay_state_invalid");
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(code(&mut c, &longer), "replay_state_invalid");
    let mut count = good.clone();
    count[8] = 3;
    assert_eq!(code(&mut c, &count), "replay_state_invalid");
    // The same id twice (even with another owner or end).
    let mut twice = good.clone();
    let first = good[9..49].to_vec();
    twice[49..89].copy_from_slice(&first);
    twice[70] ^= 1;
    assert_eq!(code(&mut c, &twice), "replay_state_invalid");
    // A window ending more than a day ahead.
    let far = cache_with(&[(1, 1, NOW + ReplayCache::MAX_RESTORE_HORIZON_SECS + 1)]).snapshot(NOW);
    assert_eq!(code(&mut c, &far), "replay_state_invalid");
    assert!(c.restore(&far, NOW + 1).is_ok(), "one second later it is within the horizon");
    let mut c = cache_with(&[(9, 9, NOW + 90)]);
    // Larger than this cache could ever have written.
    let mut small = ReplayCache::new(1);
    let e = small.restore(&good, NOW).unwrap_err();
    assert_eq!((e.code(), small.max_snapshot_bytes()), ("replay_state_too_large", 49));
    // Live entries that do not fit beside the ones held: nothing is added.
    let mut two = ReplayCache::new(2);
    assert_eq!(two.check_and_insert(id(9), id(9), NOW, NOW + 90), ReplayCheck::Fresh);
    let one = cache_with(&[(1, 1, NOW + 90)]).snapshot(NOW);
    let e = two.restore(&good[..9 + 80], NOW).unwrap_err();
    assert_eq!(e.code(), "replay_state_full");
    assert_eq!(two.len(), 1);
    assert_eq!(two.restore(&one, NOW).unwrap(), 1);
    // Every error has both messages.
    for e in [
        ReplayCache::new(1).restore(&good, NOW).unwrap_err(),
        ReplayCache::new(9).restore(b"x", NOW).unwrap_err(),
        ReplayCache::new(9).restore(&v2, NOW).unwrap_err(),
        e,
    ] {
        assert!(!e.message(Lang::Id).is_empty() && e.message(Lang::Id) != e.message(Lang::En), "{e:?}");
    }
    // The cache that refused everything above still holds what it held.
    assert_eq!(c.check_and_insert(id(9), id(8), NOW + 1, NOW + 90), ReplayCheck::Replayed);
}

#[test]
fn a_live_presentation_accepted_before_a_restart_is_a_replay_after_it() {
    let (text, trust, at) = vector();
    let holder = SecretKey::from_seed(&[0x48; 32]);
    let p = create_presentation(&text, Disclosure::parse_list("nama").unwrap(), Some(&holder), at, None).unwrap();
    let verifier = Verifier::new(trust.clone());
    let v = verifier.verify_with(&p, &VerifyOptions { now: Some(at.plus(5)), ..Default::default() });
    assert_eq!(v.verdict(), Verdict::Valid);
    // The verifier's own replay cache, saved before the restart...
    let saved = verifier.replay_snapshot(at.plus(6));
    // ...a new verifier (empty cache) would accept it again by itself...
    let fresh = Verifier::new(trust.clone());
    let at7 = VerifyOptions { now: Some(at.plus(7)), ..Default::default() };
    assert_eq!(fresh.verify_with(&p, &at7).verdict(), Verdict::Valid);
    // ...but one restored from the snapshot refuses it as a replay.
    let restarted = Verifier::new(trust);
    assert_eq!(restarted.restore_replay(&saved, at.plus(7)).unwrap(), 1);
    let again = restarted.verify_with(&p, &at7);
    assert_eq!(again.code(), "presentation_replayed");
    // Bad bytes change nothing and say why.
    assert_eq!(restarted.restore_replay(b"nope", at.plus(7)).unwrap_err().code(), "replay_state_invalid");
}
