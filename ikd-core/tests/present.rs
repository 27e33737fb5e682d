//! Live presentations: selective disclosure, holder binding, challenges, replay, policies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use ikd_core::format::*;
use ikd_core::render::{ErrorCorrection, qr_version};
use ikd_core::*;

fn holder_secret() -> SecretKey {
    SecretKey::from_seed(&[0x48; 32])
}

/// A live presentation of `text` showing `nama`, signed by the holder at `at`, no challenge.
fn name_shown_at(text: &str, at: Timestamp) -> String {
    create_presentation(text, Disclosure::parse_list("nama").unwrap(), Some(&holder_secret()), at, None).unwrap()
}

fn now() -> Timestamp {
    Timestamp::from_unix(T0 + 86_400)
}

fn verifier_at(env: &Env, t: Timestamp) -> Verifier {
    Verifier::new(env.trust.clone()).with_clock(Arc::new(FixedClock(t)))
}

fn present(text: &str, claims: &str, challenge: Option<&[u8]>) -> String {
    create_presentation(text, Disclosure::parse_list(claims).unwrap(), Some(&holder_secret()), now(), challenge)
        .unwrap()
}

#[test]
fn live_presentation_reveals_only_what_was_chosen() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let p = present(&text, "nama,nik,age_over_17", None);
    let v = env.verifier().verify(&p);
    assert_eq!(v.verdict(), Verdict::Valid, "{:?}", v.reason());
    let pres = v.presentation().unwrap();
    assert!(pres.is_live());
    let json = pres.disclosed_json();
    assert_eq!(json["nama"], "SITI NURHALIZA");
    assert_eq!(json["nik"], "3604055708900003");
    assert_eq!(json["age_over_17"], true);
    assert_eq!(json.as_object().unwrap().len(), 3, "{json}");
    assert!(v.withheld().contains(&"tanggal_lahir") && v.withheld().contains(&"agama"));
    assert_eq!(v.withheld().len(), 13);
    assert_eq!(v.report().outcome(Check::HolderBinding), &Outcome::Passed);
    assert!(v.credential().is_none());
}

#[test]
fn presentation_sizes() {
    let env = Env::new();
    for case in ["typical-woman", "typical-man", "worst-case", "foreign-resident", "elder", "young-adult"] {
        let text = env.issue(&resident(case), Some(holder_key()), None);
        let small = present(&text, "nama,nik,age_over_17", None);
        let all_but_photo = create_presentation(
            &text,
            Disclosure::from_bits(Disclosure::ALL.bits() & !Disclosure::parse_list("foto").unwrap().bits()),
            Some(&holder_secret()),
            now(),
            None,
        )
        .unwrap();
        for (what, p) in [("nama+nik+age_over_17", &small), ("all but foto", &all_but_photo)] {
            println!(
                "{case} live presentation {what}: {} chars, QR version {} at M",
                p.len(),
                qr_version(p, ErrorCorrection::M).unwrap()
            );
        }
        if !case.starts_with("typical") {
            continue;
        }
        // The goals of issue 6, measured on the typical residents: version 12 at M
        // (419 characters) and version 16 (656).
        assert!(all_but_photo.len() <= 656, "{}", all_but_photo.len());
        assert!(small.len() <= 419, "{}", small.len());
        assert!(qr_version(&small, ErrorCorrection::M).unwrap() <= 12);
        assert!(qr_version(&all_but_photo, ErrorCorrection::M).unwrap() <= 16);
    }
}

#[test]
fn static_selective_disclosure_without_holder() {
    let env = Env::new();
    let text = env.issue(&resident("typical-man"), None, None);
    let p = create_presentation(&text, Disclosure::parse_list("nama,nik").unwrap(), None, now(), None).unwrap();
    let v = env.verifier().verify(&p);
    assert_eq!(v.verdict(), Verdict::Valid);
    assert!(!v.presentation().unwrap().is_live());
}

#[test]
fn wrong_holder_key_is_rejected() {
    let env = Env::new();
    let claims = resident("typical-woman");
    let other = SecretKey::from_seed(&[0x99; 32]);
    // Two credentials that differ only in the holder key share their commitment root, so a
    // holder signature made by the other key over the same root and time can be spliced in.
    let mine = env.issue(&claims, Some(holder_key()), None);
    let theirs = env.issue(&claims, Some(other.public_key()), None);
    let d = Disclosure::parse_list("nama,nik").unwrap();
    let p_mine = text_to_payload(&create_presentation(&mine, d, Some(&holder_secret()), now(), None).unwrap()).unwrap();
    let p_theirs = text_to_payload(&create_presentation(&theirs, d, Some(&other), now(), None).unwrap()).unwrap();
    let mut forged = p_mine.clone();
    let n = forged.len();
    forged[n - 64..].copy_from_slice(&p_theirs[p_theirs.len() - 64..]);
    let v = env.verifier().verify(&payload_to_text(&forged));
    assert_eq!(v.code(), "holder_signature_invalid");
    assert!(matches!(create_presentation(&mine, d, Some(&other), now(), None), Err(PresentError::WrongHolderKey)));
}

#[test]
fn holder_signature_without_holder_key_is_rejected() {
    let env = Env::new();
    let text = env.issue(&resident("typical-man"), None, None);
    let d = Disclosure::parse_list("nama").unwrap();
    assert!(matches!(
        create_presentation(&text, d, Some(&holder_secret()), now(), None),
        Err(PresentError::NoHolderKey)
    ));
    let mut p = text_to_payload(&create_presentation(&text, d, None, now(), None).unwrap()).unwrap();
    p[1] |= 0x01; // live flag
    p.extend_from_slice(&[0x80, 0x80, 0x80, 0x40]); // a time
    p.extend_from_slice(&[7u8; 64]);
    let v = env.verifier().verify(&payload_to_text(&p));
    assert_eq!(v.code(), "holder_key_missing");
}

#[test]
fn tampered_disclosed_value_is_rejected() {
    let env = Env::new();
    let text = env.issue(&resident("young-adult"), Some(holder_key()), None);
    let p = text_to_payload(&present(&text, "nama,age_over_17", None)).unwrap();
    // Layout: kind, flags, issuer part, bitmap, two 16-byte salt seeds (nama's, age's),
    // then the nama slot and the age_over_17 slot.
    let issuer_len = UnverifiedCredential::decode(&text).unwrap().issuer_part_len();
    let mut t = p.clone();
    t[2 + issuer_len + 2 + 32 + 2] ^= 0x04;
    assert_eq!(env.verifier().verify(&payload_to_text(&t)).code(), "signature_invalid");
    // A claim value that is not the committed one: age_over_17 flipped to false.
    let mut t = p.clone();
    let nama_len = 1 + (13 * 6usize).div_ceil(8);
    let age_pos = 2 + issuer_len + 2 + 32 + nama_len;
    assert_eq!(t[age_pos], 1);
    t[age_pos] = 0;
    assert_eq!(env.verifier().verify(&payload_to_text(&t)).code(), "signature_invalid");
}

#[test]
fn challenge_mode() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let p = present(&text, "nama,nik", Some(b"K7Q2"));
    let v = env.verifier();
    let ok = VerifyOptions { challenge: Some(b"K7Q2"), ..Default::default() };
    assert_eq!(v.verify_with(&p, &ok).verdict(), Verdict::Valid);
    let p2 = present(&text, "nama,nik", Some(b"K7Q2"));
    let wrong = VerifyOptions { challenge: Some(b"ZZZZ"), ..Default::default() };
    assert_eq!(env.verifier().verify_with(&p2, &wrong).code(), "challenge_mismatch");
    let unanswered = present(&text, "nama,nik", None);
    assert_eq!(env.verifier().verify_with(&unanswered, &ok).code(), "challenge_mismatch");
    assert_eq!(env.verifier().verify_with(&text, &ok).code(), "challenge_mismatch");
}

/// A counter that set no challenge used to accept a presentation answering one (a code made
/// for another counter, or relayed from one), and each distinct challenge string gave the
/// holder another replay-cache slot (issue 13, item 1).
#[test]
fn regression_a_counter_without_a_challenge_refuses_one_it_never_set() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let p = present(&text, "nama,nik", Some(b"K7Q2"));
    let v = env.verifier().verify(&p);
    assert_eq!((v.verdict(), v.code()), (Verdict::Invalid, "challenge_unexpected"));
    assert_eq!(v.report().outcome(Check::HolderBinding).as_str(), "failed");
    assert!(v.replay_token().is_none());
    assert!(v.message(Lang::Id).contains("loket lain"));
    assert!(v.message(Lang::En).contains("another counter"));
}

/// One resident with one credential and its phone key signed thousands of distinct valid
/// presentations; each took a replay-cache slot, and once the cache was full every other
/// resident's fresh code was UNDETERMINED `replay_cache_full` (issue 13, item 1).
#[test]
fn regression_one_holder_cannot_fill_the_replay_cache() {
    let env = Env::new();
    let flooder = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let other_secret = SecretKey::from_seed(&[0x77; 32]);
    let other = env.issue(&resident("typical-man"), Some(other_secret.public_key()), None);
    let v = verifier_at(&env, now().plus(10)).with_replay_capacity(1_000);
    let mut valid = 0;
    let mut limited = 0;
    for i in 0..10_000u32 {
        // 10 000 distinct presentations: a different disclosure each, at times within the window.
        let shown = Disclosure::from_bits(u16::try_from(i + 1).unwrap());
        let at = now().plus(-i64::from(i % 60));
        let p = create_presentation(&flooder, shown, Some(&holder_secret()), at, None).unwrap();
        let r = v.verify(&p);
        match r.code() {
            "ok" => valid += 1,
            "presentation_rate_limited" => {
                assert_eq!(r.verdict(), Verdict::Undetermined);
                limited += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(valid, DEFAULT_LIVE_PER_HOLDER, "one holder key holds at most its share");
    assert_eq!(limited, 10_000 - DEFAULT_LIVE_PER_HOLDER);
    let theirs =
        create_presentation(&other, Disclosure::parse_list("nama").unwrap(), Some(&other_secret), now(), None).unwrap();
    let r = v.verify(&theirs);
    assert_eq!((r.verdict(), r.code()), (Verdict::Valid, "ok"), "another resident is still served");
    // Once the flooder's codes leave their window, the holder is served again.
    let later = v.clone().with_clock(Arc::new(FixedClock(now().plus(100))));
    let fresh = name_shown_at(&flooder, now().plus(95));
    assert_eq!(later.verify(&fresh).verdict(), Verdict::Valid);
}

#[test]
fn live_limit_per_holder_is_configurable() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let v = verifier_at(&env, now().plus(10)).with_live_limit_per_holder(2);
    assert_eq!(v.verify(&present(&text, "nama", None)).verdict(), Verdict::Valid);
    assert_eq!(v.verify(&present(&text, "nik", None)).verdict(), Verdict::Valid);
    let third = v.verify(&present(&text, "age_over_17", None));
    assert_eq!(third.code(), "presentation_rate_limited");
    assert!(third.message(Lang::Id).contains("Terlalu banyak"));
    assert!(third.message(Lang::En).contains("Too many"));
}

#[test]
fn freshness_window_and_replay() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let p = present(&text, "nama", None);
    // 90 s window, 30 s of future skew.
    assert_eq!(verifier_at(&env, now().plus(89)).verify(&p).verdict(), Verdict::Valid);
    assert_eq!(verifier_at(&env, now().plus(90)).verify(&p).code(), "presentation_expired");
    assert_eq!(verifier_at(&env, now().plus(-30)).verify(&p).verdict(), Verdict::Valid);
    assert_eq!(verifier_at(&env, now().plus(-31)).verify(&p).code(), "presentation_in_future");
    let v = verifier_at(&env, now().plus(10)).with_skew_secs(0);
    assert_eq!(v.verify(&p).verdict(), Verdict::Valid);
    assert_eq!(v.verify(&p).code(), "presentation_replayed");
    // A clone shares the cache (one counter, several threads).
    assert_eq!(v.clone().verify(&p).code(), "presentation_replayed");
    // Full credentials are static and can be shown again.
    assert_eq!(v.verify(&text).verdict(), Verdict::Valid);
    assert_eq!(v.verify(&text).verdict(), Verdict::Valid);
}

/// A "90-second" live code used to be accepted from 300 s before its time to 390 s after it
/// (the credential's 300 s skew on both sides): about 11.5 minutes (issue 13, item 2). Now the
/// whole span is the window plus the presentation skew, both configurable.
#[test]
fn regression_a_live_code_lives_its_window_plus_a_small_skew() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let p = present(&text, "nama", None);
    // The two codes found live: time = now + 299 and time = now − 389.
    assert_eq!(verifier_at(&env, now().plus(-299)).verify(&p).code(), "presentation_in_future");
    assert_eq!(verifier_at(&env, now().plus(389)).verify(&p).code(), "presentation_expired");
    let span = (-400..400).filter(|d| verifier_at(&env, now().plus(*d)).verify(&p).verdict() == Verdict::Valid).count();
    assert_eq!(span, 90 + 30, "accepted for the window plus the skew, in seconds");
    let tight = |d: i64| {
        verifier_at(&env, now().plus(d)).with_presentation_skew_secs(5).with_presentation_window_secs(30).verify(&p)
    };
    assert_eq!(tight(-5).verdict(), Verdict::Valid);
    assert_eq!(tight(-6).code(), "presentation_in_future");
    assert_eq!(tight(29).verdict(), Verdict::Valid);
    assert_eq!(tight(30).code(), "presentation_expired");
}

/// A verifier rebuilt after a trust-list change used to start with an empty replay cache,
/// so a presentation accepted just before the change passed a second time just after it.
// Issue 6: a verifier rebuilt after a trust-list change started with an empty replay cache.
#[test]
fn regression_rebuilt_verifier_keeps_the_replay_cache() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let p = present(&text, "nama", None);
    let old = verifier_at(&env, now().plus(10));
    assert_eq!(old.verify(&p).verdict(), Verdict::Valid);
    let fresh = verifier_at(&env, now().plus(10));
    assert_eq!(fresh.clone().verify(&present(&text, "nik", None)).verdict(), Verdict::Valid);
    let rebuilt = fresh.with_replay_cache_of(&old);
    assert_eq!(rebuilt.verify(&p).code(), "presentation_replayed");
    // Without taking the cache over, a new verifier cannot know (the regression).
    assert_eq!(verifier_at(&env, now().plus(10)).verify(&p).verdict(), Verdict::Valid);
}

#[test]
fn replay_cache_memory_is_bounded() {
    let mut c = ReplayCache::new(3);
    let o = |i: u8| [i; 16];
    for i in 0..3u8 {
        assert_eq!(c.check_and_insert([i; 16], o(i), 0, 100 + i64::from(i)), ReplayCheck::Fresh);
    }
    // Full of entries inside their windows: a new one is refused and not recorded.
    assert_eq!(c.check_and_insert([9; 16], o(9), 1, 100), ReplayCheck::Full);
    assert_eq!(c.len(), 3);
    // Expired entries are forgotten, which makes room.
    assert_eq!(c.check_and_insert([9; 16], o(9), 100, 200), ReplayCheck::Fresh);
    assert_eq!(c.check_and_insert([8; 16], o(8), 100, 200), ReplayCheck::Full);
    assert_eq!(c.check_and_insert([0; 16], o(0), 102, 200), ReplayCheck::Fresh);
    assert_eq!(c.check_and_insert([9; 16], o(9), 150, 200), ReplayCheck::Replayed);
    // An entry behind the front of the queue that expired first is swept when full.
    let mut c = ReplayCache::new(2);
    assert_eq!(c.check_and_insert([1; 16], o(1), 0, 300), ReplayCheck::Fresh);
    assert_eq!(c.check_and_insert([2; 16], o(2), 0, 50), ReplayCheck::Fresh);
    assert_eq!(c.check_and_insert([3; 16], o(3), 60, 360), ReplayCheck::Fresh);
    assert_eq!(c.len(), 2);
}

#[test]
fn replay_cache_limits_each_owner() {
    let mut c = ReplayCache::new(100).with_owner_limit(2);
    assert_eq!(c.owner_limit(), 2);
    let (a, b) = ([0xaa; 16], [0xbb; 16]);
    assert_eq!(c.check_and_insert([1; 16], a, 0, 100), ReplayCheck::Fresh);
    assert_eq!(c.check_and_insert([2; 16], a, 0, 50), ReplayCheck::Fresh);
    assert_eq!(c.check_and_insert([3; 16], a, 10, 100), ReplayCheck::OwnerLimit);
    // A replay is still a replay, whatever the owner's count.
    assert_eq!(c.check_and_insert([1; 16], a, 10, 100), ReplayCheck::Replayed);
    assert_eq!(c.check_and_insert([3; 16], b, 10, 100), ReplayCheck::Fresh);
    // Once one of the owner's entries expires (even behind the queue's front), room is made.
    assert_eq!(c.check_and_insert([4; 16], a, 60, 150), ReplayCheck::Fresh);
    assert_eq!(c.len(), 3);
    // The same id recorded again after it expired is charged to its new owner only.
    assert_eq!(c.check_and_insert([1; 16], b, 100, 200), ReplayCheck::Fresh);
    assert_eq!(c.check_and_insert([5; 16], a, 100, 200), ReplayCheck::Fresh);
}

/// A full replay cache used to forget its oldest entry, even one still inside its window, so
/// flooding a counter with fresh presentations let a captured one be replayed.
// Issue 6: a full replay cache forgot entries still inside their window.
#[test]
fn regression_full_replay_cache_never_forgets_a_live_entry() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let v = verifier_at(&env, now().plus(10)).with_replay_capacity(2);
    let first = present(&text, "nama", None);
    assert_eq!(v.verify(&first).verdict(), Verdict::Valid);
    assert_eq!(v.verify(&present(&text, "nik", None)).verdict(), Verdict::Valid);
    let third = v.verify(&present(&text, "age_over_17", None));
    assert_eq!((third.verdict(), third.code()), (Verdict::Undetermined, "replay_cache_full"));
    assert_eq!(third.report().outcome(Check::HolderBinding).as_str(), "undetermined");
    // The first is still remembered: replaying it is caught.
    assert_eq!(v.verify(&first).code(), "presentation_replayed");
    // Once their windows (90 s) have passed, the entries make room again.
    let later = v.clone().with_clock(Arc::new(FixedClock(now().plus(100))));
    let fresh = name_shown_at(&text, now().plus(95));
    assert_eq!(later.verify(&fresh).verdict(), Verdict::Valid);
}

#[test]
fn policies() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let policies = Policy::builtin();
    let apotek = policies.iter().find(|p| p.name == "apotek").unwrap();
    let hotel = policies.iter().find(|p| p.name == "hotel").unwrap();
    let with = |p| VerifyOptions { policy: Some(p), ..Default::default() };
    let shown = present(&text, "nama,foto,age_over_17", None);
    assert_eq!(env.verifier().verify_with(&shown, &with(apotek)).verdict(), Verdict::Valid);
    let too_little = present(&text, "nama", None);
    let v = env.verifier().verify_with(&too_little, &with(hotel));
    assert_eq!(v.code(), "policy_claims_missing");
    assert!(v.reason().unwrap().to_string().contains("nik"));
    assert_eq!(env.verifier().verify_with(&text, &with(apotek)).code(), "policy_requires_live");
    assert_eq!(env.verifier().verify_with(&text, &with(hotel)).verdict(), Verdict::Valid);
    // The bank policy needs the counter's challenge: without one, a relayed code is refused.
    let bank = policies.iter().find(|p| p.name == "bank").unwrap();
    assert!(bank.require_challenge && !apotek.require_challenge);
    let all = present(&text, "all", None);
    let v = env.verifier().verify_with(&all, &with(bank));
    assert_eq!((v.verdict(), v.code()), (Verdict::Invalid, "policy_requires_challenge"));
    assert!(v.message(Lang::Id).contains("mode tantangan"));
    let answered = present(&text, "all", Some(b"B4NK"));
    let opts = VerifyOptions { policy: Some(bank), challenge: Some(b"B4NK"), now: None };
    assert_eq!(env.verifier().verify_with(&answered, &opts).verdict(), Verdict::Valid);
    let custom =
        Policy::list_from_json(r#"[{"name":"apotek-ketat","required":["nama"],"require_challenge":true}]"#).unwrap();
    assert!(custom[0].require_challenge && custom[0].require_live, "a challenge implies a live code");
    let parsed =
        Policy::list_from_json(r#"[{"name":"bpjs","required":["nama","nik","tanggal_lahir"],"require_live":false}]"#)
            .unwrap();
    assert_eq!(parsed[0].required, Disclosure::parse_list("nama,nik,tanggal_lahir").unwrap());
    assert_eq!(
        Policy::list_from_json(r#"[{"name":"x","required":["hobi"]}]"#).unwrap_err().code(),
        "policy_unknown_claim"
    );
    assert_eq!(Policy::list_from_json("[1]").unwrap_err().code(), "policy_bad_json");
    assert_eq!(
        Policy::list_from_json(r#"[{"name":"a","required":[]},{"name":"a","required":[]}]"#).unwrap_err().code(),
        "policy_bad_name"
    );
}

#[test]
fn withheld_small_value_sets_are_not_recoverable_from_the_presentation() {
    // The withheld agama leaf is hidden inside a sibling node; recomputing it for each of
    // the 7 religions without the salt gives no match.
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let p = text_to_payload(&present(&text, "nama", None)).unwrap();
    for code in 1..=7u8 {
        let unsalted = sha2::Sha256::digest([0x00, 10, code]);
        assert!(!p.windows(16).any(|w| w == &unsalted[..16]));
    }
    use sha2::Digest;
}

#[test]
fn disclosure_names() {
    assert_eq!(Disclosure::parse_list("nama, kel_desa").unwrap().names(), vec!["nama", "alamat"]);
    assert_eq!(Disclosure::parse_list("hobi").unwrap_err().code(), "disclosure_unknown_claim");
    assert_eq!(Disclosure::parse_list("").unwrap_err().code(), "disclosure_empty");
    assert_eq!(Disclosure::parse_list("all").unwrap(), Disclosure::ALL);
}

/// Two verifiers (two processes, two servers) each accept a presentation the first time; a
/// shared store that recorded the first one's token lets the second turn it into a rejection.
#[test]
fn a_shared_replay_store_rejects_what_another_verifier_accepted() {
    let env = Env::new();
    let text = env.issue(&resident("typical-woman"), Some(holder_key()), None);
    let p = present(&text, "nama,nik", None);
    let hotel = Policy::builtin().into_iter().find(|p| p.name == "hotel").unwrap();
    let opts = VerifyOptions { policy: Some(&hotel), ..Default::default() };
    let first = verifier_at(&env, now().plus(10)).verify_with(&p, &opts);
    let token = first.replay_token().unwrap();
    assert_eq!(token.until(), now().plus(90));
    assert_eq!(token.id_hex().len(), 32);
    let second = verifier_at(&env, now().plus(20)).verify_with(&p, &opts);
    assert_eq!(second.verdict(), Verdict::Valid);
    assert_eq!(second.replay_token(), Some(token), "the same presentation has the same token everywhere");
    let rejected = second.reject_replayed();
    assert_eq!((rejected.verdict(), rejected.code()), (Verdict::Invalid, "presentation_replayed"));
    assert_eq!(rejected.report().outcome(Check::HolderBinding).as_str(), "failed");
    assert_eq!(rejected.report().outcome(Check::Policy), &Outcome::Skipped);
    assert_eq!(rejected.report().outcome(Check::Signature), &Outcome::Passed);
    assert!(rejected.presentation().is_none() && rejected.claims_json().is_none());
    assert!(rejected.replay_token().is_none());
    // A verdict is only ever lowered: full credentials and rejections stay as they are.
    let full = verifier_at(&env, now().plus(10)).verify(&text);
    assert!(full.replay_token().is_none());
    assert_eq!(full.reject_replayed().verdict(), Verdict::Valid);
    let late = verifier_at(&env, now().plus(1000)).verify(&p);
    assert!(late.replay_token().is_none());
    assert_eq!(late.reject_replayed().code(), "presentation_expired");
    // A static presentation (no holder signature) has no token.
    let card = env.issue(&resident("typical-man"), None, None);
    let shown = create_presentation(&card, Disclosure::parse_list("nama").unwrap(), None, now(), None).unwrap();
    let v = verifier_at(&env, now().plus(10)).verify(&shown);
    assert_eq!(v.verdict(), Verdict::Valid);
    assert!(v.replay_token().is_none());
}

/// With a plain trust store no issuer's revocations are checked, and the report used to say
/// nothing about it: the status check was simply absent (issue 13, item 9). It is now always
/// reported, `not_checked` without status lists.
#[test]
fn regression_plain_trust_store_reports_status_not_checked() {
    let env = Env::new();
    let text = env.issue(&resident("typical-man"), None, None);
    let v = env.verifier().verify(&text);
    assert_eq!(v.verdict(), Verdict::Valid);
    assert_eq!(v.report().outcome(Check::Status), &Outcome::NotChecked);
    let json = v.report().to_json();
    let status = json.as_array().unwrap().iter().find(|e| e["check"] == "status").unwrap();
    assert_eq!(status["outcome"], "not_checked", "{json}");
    // A text that does not decode never reached the status check.
    let bad = env.verifier().verify("IKD1:");
    assert_eq!(bad.report().outcome(Check::Status), &Outcome::Skipped);
}

/// Issuer lookup hashed every trusted key on every verification (10 000 keys made a
/// verification about 40 times dearer; the cost is measured by the `core` benchmark,
/// `verify_text_to_verdict_10k_issuers`). The index by key id must find the same issuers:
/// the right one among many, all of several sharing a key id, and none after a replacement.
#[test]
fn trust_store_index_by_key_id_finds_the_same_issuers() {
    let env = Env::new();
    let text = env.issue(&resident("typical-man"), None, None);
    let mut trust = env.trust.clone();
    let wanted = trust.issuers()[0].clone();
    for i in 0..2_000u32 {
        let mut seed = [0x55u8; 32];
        seed[..4].copy_from_slice(&i.to_le_bytes());
        trust.add(TrustedIssuer {
            name: format!("OTHER {i}"),
            public_key: SecretKey::from_seed(&seed).public_key(),
            not_before: wanted.not_before,
            not_after: wanted.not_after,
        });
    }
    for i in trust.issuers() {
        assert!(trust.candidates(i.key_id()).any(|c| c == i), "{} is found by its key id", i.name);
    }
    let v = Verifier::new(trust.clone()).with_clock(Arc::new(FixedClock(now())));
    assert_eq!(v.verify(&text).issuer().unwrap().name, wanted.name);
    // Replacing the issuer (same key, new name) leaves one entry, found under the new name.
    let mut renamed = wanted.clone();
    renamed.name = "DISDUKCAPIL BARU".into();
    trust.add(renamed);
    assert_eq!(trust.issuers().len(), 2_001);
    assert_eq!(trust.candidates(wanted.key_id()).filter(|c| c.public_key == wanted.public_key).count(), 1);
    let v = Verifier::new(trust.clone()).with_clock(Arc::new(FixedClock(now())));
    assert_eq!(v.verify(&text).issuer().unwrap().name, "DISDUKCAPIL BARU");
    // A store read back from JSON has the same index.
    let back = TrustStore::from_json(&trust.to_json()).unwrap();
    assert_eq!(back, trust);
}
