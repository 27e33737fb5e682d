//! Signed trust list files (`docs/TRUST-AND-STATUS.md`). The first byte chooses the mode:
//!
//! * even: the rest is a whole file (body, signature lines), verified against the pinned root,
//!   so the envelope and signature-line parser is fuzzed;
//! * odd: the rest is a body, which the target signs with the (public test) root key before
//!   verifying, so the fuzzer gets past the signature into the JSON schema, the rules and the
//!   canonical-form check.
//!
//! A list that verifies is then used: successor checks against the fixture list, freshness,
//! the trust store it gives, and a verifier built from it.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ikd_core::status::FreshnessPolicy;
use ikd_core::trustlist::{TRUST_LIST_TAG, TrustList};
use ikd_core::{FixedClock, Verifier};
use ikd_fuzz::{now, root_key, trust_list};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let root = root_key();
    let roots = [root.public_key()];
    let file = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let mut message = TRUST_LIST_TAG.to_vec();
        message.extend_from_slice(rest);
        let signature = URL_SAFE_NO_PAD.encode(root.sign(&message));
        let mut file = rest.to_vec();
        file.extend_from_slice(format!("\nikdsig1 {} {signature}\n", roots[0].to_text()).as_bytes());
        file
    };
    let Ok(list) = TrustList::verify(&file, &roots) else { return };
    let _ = (list.sequence(), list.issued_at(), list.next_update(), list.next_roots(), list.signed_by());
    let _ = list.freshness(now(), &FreshnessPolicy::default()).code();
    for e in list.entries() {
        let _ = (e.key_id(), e.status_signing_key(), e.status.as_str(), e.status.since(), e.scope.codes());
        assert_eq!(list.entry(&e.public_key), Some(e), "an entry is not found by its own key");
    }
    if let Some(old) = trust_list() {
        let _ = TrustList::check_successor(&old, &list);
        let _ = TrustList::check_successor(&list, &old);
    }
    assert!(TrustList::check_successor(&list, &list).is_ok(), "a list is not its own successor");
    let store = list.to_trust_store();
    assert_eq!(store.issuers().len(), list.entries().len());
    let v = Verifier::from_trust_list(list).with_clock(std::sync::Arc::new(FixedClock(now())));
    let _ = v.verify("IKD1:");
});
