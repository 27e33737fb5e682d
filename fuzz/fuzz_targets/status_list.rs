//! Signed status lists (`docs/TRUST-AND-STATUS.md`): the header, the Rice-coded and bitmap
//! sets, and the signature. The first byte chooses the mode:
//!
//! * even: the rest is a whole list, verified against the issuer key;
//! * odd: the rest is a body after the magic, version and issuer key, which the target
//!   completes and signs with the (public test) issuer key, so the fuzzer reaches the set
//!   decoders behind the signature.
//!
//! A list that verifies is queried at the indices it names and at its ends, and checked
//! against the fixture list as a transition.
#![no_main]

use ikd_core::StatusIndex;
use ikd_core::status::{
    CredentialStatus, FreshnessPolicy, STATUS_LIST_MAGIC, STATUS_LIST_TAG, STATUS_LIST_VERSION, StatusList,
};
use ikd_fuzz::{issuer_key, now, status_list};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let key = issuer_key();
    let public = key.public_key();
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let mut body = STATUS_LIST_MAGIC.to_vec();
        body.push(STATUS_LIST_VERSION);
        body.extend_from_slice(public.as_bytes());
        body.extend_from_slice(rest);
        let mut message = STATUS_LIST_TAG.to_vec();
        message.extend_from_slice(&body);
        body.extend_from_slice(&key.sign(&message));
        body
    };
    let Ok(list) = StatusList::verify(&bytes, &public) else { return };
    let _ = format!("{list:?}");
    let _ = (list.key_id(), list.sequence(), list.issued_at(), list.ttl_secs(), list.expires_at());
    let _ = (list.revoked_encoding(), list.suspended_encoding(), list.memory_bytes(), list.is_empty());
    let _ = list.freshness(now(), &FreshnessPolicy::default()).code();
    let len = list.len();
    assert!(len > 0);
    let mut revoked = 0u32;
    for i in list.revoked().take(10_000) {
        revoked += 1;
        assert_eq!(list.get(StatusIndex::new(i)).ok(), Some(CredentialStatus::Revoked));
    }
    if revoked < 10_000 {
        assert_eq!(revoked, list.revoked_count(), "revoked() and revoked_count() disagree");
    }
    for i in list.suspended().take(10_000) {
        assert_eq!(list.get(StatusIndex::new(i)).ok(), Some(CredentialStatus::Suspended));
    }
    let _ = list.suspended_count();
    assert!(list.get(StatusIndex::new(len - 1)).is_ok());
    assert!(list.get(StatusIndex::new(len)).is_err());
    if let Some(old) = status_list() {
        let _ = StatusList::check_transition(&old, &list);
        let _ = StatusList::check_transition(&list, &old);
    }
    assert!(StatusList::check_transition(&list, &list).is_ok(), "a list is not its own successor");
});
