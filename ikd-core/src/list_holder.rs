//! The list holder's decisions: whether a downloaded trust list or status list replaces the
//! one held, and which sequence number a publisher signs next. `ikd sync`, `ikd status
//! publish` and the server's sync and publishing all call these functions; storage and
//! transport stay with the caller.
//!
//! # Trust lists
//!
//! [`decide_trust_list`] checks, in order:
//!
//! 1. With no list held, the download must verify under the pinned roots: [`Decision::First`].
//! 2. A list identical to the one held (same content, same signers): [`Decision::Unchanged`].
//! 3. A list signed by the held list's `next_roots` that is a valid successor of it
//!    ([`TrustList::verify_successor`]: no rollback, no reused sequence, no lifted compromise):
//!    [`Decision::Successor`].
//! 4. A list the held list's `next_roots` did not sign is accepted only when the caller
//!    passes [`RepinPolicy::AllowPinnedRoots`] (the operator's explicit instruction: `ikd sync
//!    --repin --root …`, or the server's configured `root_keys`), it verifies under the
//!    pinned roots, **and** it is still a valid successor of the held list
//!    ([`TrustList::check_successor`]): [`Decision::Repinned`].
//!
//! Re-pinning never skips the successor check: a leaked old root could otherwise roll the
//! holder back to a list that no longer marks a key compromised. To start over from a list
//! that must not be followed, the operator removes the held list (a fresh cache or state
//! directory) and the next download is a first list again.
//!
//! # Status lists
//!
//! [`decide_status_list`] accepts a verified status list when it is dated no later than the
//! clock allows and follows the held one ([`StatusList::check_offer`]).
//!
//! # Answers for bindings and pages
//!
//! [`answer_trust_list_offer`] and [`answer_status_list_offer`] take the held and offered
//! lists as the bytes a page or a binding keeps, run the decisions above, and answer an
//! [`OfferView`] (serde, the same JSON everywhere): whether to hold the offered list, and if
//! not, the stable code and message of the refusal.
//!
//! A holder keeps, beside the trust list it holds, the roots that list was accepted under
//! ([`OfferView::roots`], as the server keeps its `trust-roots` file and `ikd sync` its roots
//! file): after a root hand-over those are no longer the configured pinned roots. The held
//! list is verified under the pinned roots and those held roots together. A held list that
//! does not verify (or, for a status list, no longer verifies under the trust list) is treated
//! as absent, as `ikd sync` treats a broken cache and the server a status list its new trust
//! list no longer trusts; the answer names it in `held_error`.
//!
//! # Holding lists across downloads
//!
//! [`HeldLists`] is a holder in one value, for bindings that keep lists in memory (the Python
//! package's `ListHolder`): one trust list and one status list per issuer key, each download
//! decided as above. When the trust list changes, every held status list is verified again
//! under the new one ([`reverify_status_lists`]): a status list signed by a key the new trust
//! list no longer names as the signer, or marks compromised, could be an attacker's, so it is
//! dropped, and the answer ([`TrustListOffer::dropped`]) names it with its code.
//!
//! # Sequence numbers
//!
//! [`next_status_sequence`]: a publisher signs its next status list with
//! `max(now in Unix seconds, previous + 1)`. Tying the sequence to the clock means a
//! publisher that lost its record of the previous sequence (a restored backup, a second
//! server instance, another machine) still signs a list that holders accept, instead of
//! restarting at 1 and being refused as a rollback; `previous + 1` keeps it strictly
//! increasing when lists are signed faster than once a second.

use serde::Serialize;

use crate::credential::Timestamp;
use crate::keys::PublicKey;
use crate::lang::Lang;
use crate::status::{Freshness, FreshnessPolicy, StatusList, StatusListError};
use crate::trustlist::{TrustList, TrustListError};
use crate::verifier::Verifier;

/// Whether a trust list that the held list's `next_roots` did not sign may be accepted
/// because the pinned roots signed it. An explicit input: the default is to refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepinPolicy {
    /// Only the chain of lists decides which roots sign the next one.
    #[default]
    Refuse,
    /// The operator has (re-)pinned roots: a successor signed by them is accepted.
    AllowPinnedRoots,
}

/// What to do with a downloaded list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision<L> {
    /// No list was held: install this one.
    First(L),
    /// The same list as the one held: nothing to store.
    Unchanged,
    /// A valid successor of the held list: install it.
    Successor(L),
    /// A successor signed by the pinned roots instead of the held list's `next_roots`
    /// (allowed by [`RepinPolicy::AllowPinnedRoots`]): install it and pin its signers.
    Repinned(L),
}

impl<L> Decision<L> {
    /// The list to install, if any.
    pub fn into_list(self) -> Option<L> {
        match self {
            Decision::First(l) | Decision::Successor(l) | Decision::Repinned(l) => Some(l),
            Decision::Unchanged => None,
        }
    }

    /// A stable name for logs and JSON: `first`, `unchanged`, `successor`, `repinned`.
    pub fn kind(&self) -> &'static str {
        match self {
            Decision::First(_) => "first",
            Decision::Unchanged => "unchanged",
            Decision::Successor(_) => "successor",
            Decision::Repinned(_) => "repinned",
        }
    }
}

/// Decides whether the downloaded trust list `bytes` replaces `held` (see the module
/// documentation). A refusal is the verification error, with its stable code
/// (`trust_list_unknown_root`, `trust_list_rollback`, …).
pub fn decide_trust_list(
    held: Option<&TrustList>,
    bytes: &[u8],
    pinned: &[PublicKey],
    repin: RepinPolicy,
) -> Result<Decision<TrustList>, TrustListError> {
    let Some(held) = held else {
        return TrustList::verify(bytes, pinned).map(Decision::First);
    };
    match TrustList::verify_successor(bytes, held) {
        Ok(new) if new == *held && new.signed_by() == held.signed_by() => Ok(Decision::Unchanged),
        Ok(new) => Ok(Decision::Successor(new)),
        Err(TrustListError::UnknownRoot) if repin == RepinPolicy::AllowPinnedRoots && !pinned.is_empty() => {
            let new = TrustList::verify(bytes, pinned)?;
            if new == *held && new.signed_by() == held.signed_by() {
                return Ok(Decision::Unchanged);
            }
            TrustList::check_successor(held, &new)?;
            Ok(Decision::Repinned(new))
        }
        Err(e) => Err(e),
    }
}

/// Decides whether `new` (already verified under its issuer or delegated key) replaces
/// `held` at `now`: [`StatusList::check_offer`] with `skew_secs` of clock tolerance.
pub fn decide_status_list(
    held: Option<&StatusList>,
    new: StatusList,
    now: Timestamp,
    skew_secs: i64,
) -> Result<Decision<StatusList>, StatusListError> {
    if held == Some(&new) {
        return Ok(Decision::Unchanged);
    }
    StatusList::check_offer(held, &new, now, skew_secs)?;
    Ok(match held {
        None => Decision::First(new),
        Some(_) => Decision::Successor(new),
    })
}

/// The sequence number of the next status list a publisher signs at `now`, after the
/// highest sequence it knows of (`previous`): `max(now, previous + 1)`, at least 1.
pub fn next_status_sequence(previous: Option<u64>, now: Timestamp) -> u64 {
    let clock = u64::try_from(now.unix()).unwrap_or(0);
    let after = previous.map_or(1, |p| p.saturating_add(1));
    clock.max(after).max(1)
}

/// The answer to an offered trust list or status list, for bindings and pages
/// ([`answer_trust_list_offer`], [`answer_status_list_offer`]). Serialised as JSON with every
/// field present (`null` when it does not apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferView {
    /// `trust_list` or `status_list`.
    pub list: &'static str,
    /// Whether the offered list is to be held from now on. `false`: keep the held list;
    /// `code` and `message` say why.
    pub accept: bool,
    /// When accepted, how: `first`, `unchanged`, `successor` or `repinned` ([`Decision::kind`]).
    pub decision: Option<&'static str>,
    /// When refused, the stable code of the refusal (`trust_list_rollback`, `status_list_bad_signature`, …).
    pub code: Option<&'static str>,
    /// When refused, the message in the language asked for.
    pub message: Option<String>,
    /// When accepted, the offered list's sequence number.
    pub sequence: Option<u64>,
    /// When accepted, when the offered list was made (RFC 3339).
    pub issued_at: Option<String>,
    /// When an accepted trust list plans its successor (RFC 3339; a refresh hint).
    pub next_update: Option<String>,
    /// When an accepted status list stops being fresh by its own TTL (RFC 3339).
    pub expires_at: Option<String>,
    /// When accepted, the list's freshness at the time given: `fresh`, `in_grace` or `stale`
    /// (`docs/TRUST-AND-STATUS.md`, default periods).
    pub freshness: Option<&'static str>,
    /// When accepted, the list's age in seconds at the time given (0 for a list dated ahead).
    pub age_secs: Option<i64>,
    /// The held list's sequence number, when one was given and verified.
    pub held_sequence: Option<u64>,
    /// A held list was given but does not verify, so it was treated as absent: its code.
    pub held_error: Option<&'static str>,
    /// Trust lists: the root keys (`ikdpk1:` texts) to pin beside the list held after this
    /// answer, and to pass as `pinned` next time: the accepted list's verified signers, or
    /// on a refusal the held list's (empty when neither verified).
    pub roots: Vec<String>,
    /// Status lists: the key id of the issuer key the offered list covers, when it verified.
    pub key_id: Option<String>,
}

impl OfferView {
    /// An answer with nothing filled in but the list kind (refused, no reason yet).
    fn empty(list: &'static str) -> OfferView {
        OfferView {
            list,
            accept: false,
            decision: None,
            code: None,
            message: None,
            sequence: None,
            issued_at: None,
            next_update: None,
            expires_at: None,
            freshness: None,
            age_secs: None,
            held_sequence: None,
            held_error: None,
            roots: Vec::new(),
            key_id: None,
        }
    }

    fn refused(list: &'static str, code: &'static str, message: String) -> OfferView {
        OfferView { code: Some(code), message: Some(message), ..OfferView::empty(list) }
    }

    fn accepted(list: &'static str, kind: &'static str) -> OfferView {
        OfferView { accept: true, decision: Some(kind), ..OfferView::empty(list) }
    }

    /// Fills in the accepted list's sequence, date and freshness at `now`.
    fn describe(&mut self, sequence: u64, issued_at: Timestamp, freshness: Freshness, now: Timestamp) {
        self.sequence = Some(sequence);
        self.issued_at = Some(issued_at.to_string());
        self.freshness = Some(freshness.code());
        self.age_secs = Some(now.unix().saturating_sub(issued_at.unix()).max(0));
    }
}

/// The root keys a holder verifies trust lists with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Roots<'a> {
    /// The configured pinned roots (the operator's): a first list must be signed by one, and
    /// so must a re-pinned successor.
    pub pinned: &'a [PublicKey],
    /// The roots kept beside the held trust list: [`OfferView::roots`] of the answer that
    /// accepted it (after a root hand-over, not the configured ones).
    pub held: &'a [PublicKey],
}

impl Roots<'_> {
    /// The pinned and the held roots together, each once: what the held list verifies under.
    pub fn all(&self) -> Vec<PublicKey> {
        let mut out = self.pinned.to_vec();
        out.extend(self.held.iter().filter(|k| !self.pinned.contains(k)));
        out
    }
}

fn root_texts(keys: &[PublicKey]) -> Vec<String> {
    keys.iter().map(PublicKey::to_text).collect()
}

/// Answers a trust list offered (`offered`, the bytes of the file) to a holder that holds
/// `held` (the bytes it kept, if any): the held list is verified under [`Roots::all`]
/// (treated as absent if it does not verify, see `held_error`), then [`decide_trust_list`]
/// decides with [`Roots::pinned`] (a first list, and a re-pin when `repin` allows it). `now`
/// only dates the answer's `freshness`.
pub fn answer_trust_list_offer(
    held: Option<&[u8]>,
    offered: &[u8],
    roots: Roots<'_>,
    repin: RepinPolicy,
    now: Timestamp,
    lang: Lang,
) -> OfferView {
    const LIST: &str = "trust_list";
    let (held, held_error) = match held.map(|b| TrustList::verify(b, &roots.all())) {
        None => (None, None),
        Some(Ok(l)) => (Some(l), None),
        Some(Err(e)) => (None, Some(e.code())),
    };
    let mut view = match decide_trust_list(held.as_ref(), offered, roots.pinned, repin) {
        Err(e) => {
            let mut v = OfferView::refused(LIST, e.code(), e.message(lang));
            v.roots = held.as_ref().map(|h| root_texts(h.signed_by())).unwrap_or_default();
            v
        }
        Ok(decision) => {
            let mut v = OfferView::accepted(LIST, decision.kind());
            // `Unchanged` carries no list (and only comes with a held list): the held one is the same.
            if let Some(list) = decision.into_list().as_ref().or(held.as_ref()) {
                v.describe(list.sequence(), list.issued_at(), list.freshness(now, &FreshnessPolicy::default()), now);
                v.next_update = Some(list.next_update().to_string());
                v.roots = root_texts(list.signed_by());
            }
            v
        }
    };
    view.held_sequence = held.as_ref().map(TrustList::sequence);
    view.held_error = held_error;
    view
}

/// Answers a status list offered (`offered`) to a holder that holds `held` (if any), under
/// the trust list `trust_list` (bytes) verified under [`Roots::all`]: the trust list
/// must verify (its error is the refusal otherwise), the offered list must verify under it
/// ([`StatusList::verify_under_trust_list`]), a held list that does not is treated as absent,
/// then [`decide_status_list`] decides at `now` with `skew_secs` of clock tolerance.
pub fn answer_status_list_offer(
    held: Option<&[u8]>,
    offered: &[u8],
    trust_list: &[u8],
    roots: Roots<'_>,
    now: Timestamp,
    skew_secs: i64,
    lang: Lang,
) -> OfferView {
    const LIST: &str = "status_list";
    let trust = match TrustList::verify(trust_list, &roots.all()) {
        Ok(t) => t,
        Err(e) => return OfferView::refused(LIST, e.code(), e.message(lang)),
    };
    let (held, held_error) = match held.map(|b| StatusList::verify_under_trust_list(b, &trust)) {
        None => (None, None),
        Some(Ok(l)) => (Some(l), None),
        Some(Err(e)) => (None, Some(e.code())),
    };
    let decided = StatusList::verify_under_trust_list(offered, &trust)
        .and_then(|new| decide_status_list(held.as_ref(), new.clone(), now, skew_secs).map(|d| (d, new)));
    let mut view = match decided {
        Err(e) => OfferView::refused(LIST, e.code(), e.message(lang)),
        Ok((decision, new)) => {
            let mut v = OfferView::accepted(LIST, decision.kind());
            v.describe(new.sequence(), new.issued_at(), new.freshness(now, &FreshnessPolicy::default()), now);
            v.expires_at = Some(new.expires_at().to_string());
            v.key_id = Some(new.key_id().to_string());
            v
        }
    };
    view.held_sequence = held.as_ref().map(StatusList::sequence);
    view.held_error = held_error;
    view
}

/// A status list held with the file it came from, so that it can be verified again when the
/// trust list changes ([`reverify_status_lists`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldStatusList {
    bytes: Vec<u8>,
    list: StatusList,
}

impl HeldStatusList {
    /// A list and the bytes it was verified from.
    pub fn new(bytes: Vec<u8>, list: StatusList) -> HeldStatusList {
        HeldStatusList { bytes, list }
    }

    /// The verified list.
    pub fn list(&self) -> &StatusList {
        &self.list
    }

    /// The file it was verified from.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A held status list that no longer verifies under a new trust list, so was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedStatusList {
    /// The issuer key the dropped list covered.
    pub issuer_key: PublicKey,
    /// Its sequence number.
    pub sequence: u64,
    /// Why it no longer verifies (`status_issuer_not_trusted`, `status_signer_compromised`,
    /// `status_list_bad_signature`, …).
    pub error: StatusListError,
}

/// Verifies every held status list again under `trust` (a trust list just installed): answers
/// those that still verify, in their order, and those that do not, each with its error. The
/// one rule for a holder whose trust list changed (see [`StatusList::verify_under_trust_list`]).
pub fn reverify_status_lists(
    trust: &TrustList,
    held: Vec<HeldStatusList>,
) -> (Vec<HeldStatusList>, Vec<DroppedStatusList>) {
    let mut kept = Vec::with_capacity(held.len());
    let mut dropped = Vec::new();
    for h in held {
        match StatusList::verify_under_trust_list(&h.bytes, trust) {
            // The list verified again from its bytes: keep what was verified now.
            Ok(list) => kept.push(HeldStatusList { bytes: h.bytes, list }),
            Err(error) => {
                dropped.push(DroppedStatusList { issuer_key: *h.list.issuer_key(), sequence: h.list.sequence(), error })
            }
        }
    }
    (kept, dropped)
}

/// What [`HeldLists::offer_trust_list`] did with an accepted trust list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustListOffer {
    /// How it was accepted: `first`, `unchanged`, `successor` or `repinned` ([`Decision::kind`]).
    pub decision: &'static str,
    /// The held status lists dropped because they do not verify under the new trust list
    /// (empty when the list is unchanged).
    pub dropped: Vec<DroppedStatusList>,
}

/// One trust list and one status list per issuer key, held across downloads by the rules of
/// this module (see "Holding lists across downloads" above). A refused download leaves what
/// is held unchanged.
#[derive(Debug, Clone, Default)]
pub struct HeldLists {
    trust: Option<TrustList>,
    status: Vec<HeldStatusList>,
}

impl HeldLists {
    /// Nothing held.
    pub fn new() -> HeldLists {
        HeldLists::default()
    }

    /// The held trust list.
    pub fn trust_list(&self) -> Option<&TrustList> {
        self.trust.as_ref()
    }

    /// The held status lists, in the order they were first accepted.
    pub fn status_lists(&self) -> impl Iterator<Item = &StatusList> + '_ {
        self.status.iter().map(HeldStatusList::list)
    }

    /// Offers a downloaded trust list: [`decide_trust_list`] against the held one; an accepted
    /// new list replaces it and the held status lists are verified again under it
    /// ([`reverify_status_lists`]), those that fail dropped and reported.
    pub fn offer_trust_list(
        &mut self,
        bytes: &[u8],
        pinned: &[PublicKey],
        repin: RepinPolicy,
    ) -> Result<TrustListOffer, TrustListError> {
        let decision = decide_trust_list(self.trust.as_ref(), bytes, pinned, repin)?;
        let kind = decision.kind();
        let mut dropped = Vec::new();
        if let Some(list) = decision.into_list() {
            let (kept, gone) = reverify_status_lists(&list, std::mem::take(&mut self.status));
            self.status = kept;
            dropped = gone;
            self.trust = Some(list);
        }
        Ok(TrustListOffer { decision: kind, dropped })
    }

    /// Offers a downloaded status list at `now`: it must verify under the held trust list
    /// (`status_issuer_not_trusted` when none is held) and follow the held list of the same
    /// issuer key ([`decide_status_list`] with `skew_secs`). Answers the decision's kind.
    pub fn offer_status_list(
        &mut self,
        bytes: &[u8],
        now: Timestamp,
        skew_secs: i64,
    ) -> Result<&'static str, StatusListError> {
        let trust = self.trust.as_ref().ok_or(StatusListError::IssuerNotTrusted)?;
        let new = StatusList::verify_under_trust_list(bytes, trust)?;
        let pos = self.status.iter().position(|h| h.list.issuer_key() == new.issuer_key());
        let old = pos.and_then(|i| self.status.get(i)).map(HeldStatusList::list);
        let decision = decide_status_list(old, new, now, skew_secs)?;
        let kind = decision.kind();
        if let Some(list) = decision.into_list() {
            let held = HeldStatusList { bytes: bytes.to_vec(), list };
            match pos.and_then(|i| self.status.get_mut(i)) {
                Some(slot) => *slot = held,
                None => self.status.push(held),
            }
        }
        Ok(kind)
    }

    /// A verifier over the held lists: nothing trusted when no trust list is held; status
    /// checked only when status lists are held (as [`crate::session::Session::with_trust_list`]).
    pub fn verifier(&self) -> Verifier {
        match &self.trust {
            None => Verifier::new(crate::TrustStore::new()),
            Some(t) if self.status.is_empty() => Verifier::from_trust_list(t.clone()),
            Some(t) => Verifier::from_trust_list(t.clone()).with_status_lists(self.status_lists().cloned()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use crate::keys::SecretKey;
    use crate::status::StatusListBuilder;
    use crate::trustlist::{KeyStatus, Scope, TrustListBuilder, TrustListEntry};

    const T0: i64 = 1_795_737_600;
    const DAY: i64 = 86_400;

    fn key(seed: u8) -> SecretKey {
        SecretKey::from_seed(&[seed; 32])
    }

    fn t(offset: i64) -> Timestamp {
        Timestamp::from_unix(T0 + offset)
    }

    /// A trust list naming issuers 0x11 and 0x12 (0x12 compromised when `compromise_12`).
    fn trust(sequence: u64, issued: i64, compromise_12: bool) -> Vec<u8> {
        let mut b = TrustListBuilder::new(sequence, t(issued), t(issued + 7 * DAY));
        for seed in [0x11u8, 0x12] {
            let mut e =
                TrustListEntry::new("DISDUKCAPIL", key(seed).public_key(), t(-DAY), t(3650 * DAY), Scope::all());
            if seed == 0x12 && compromise_12 {
                e.status = KeyStatus::Compromised { since: t(0) };
            }
            b.add(e).unwrap();
        }
        b.sign(&[&key(1)]).unwrap()
    }

    fn status(seed: u8, sequence: u64, issued: i64) -> Vec<u8> {
        let b = StatusListBuilder::new(64).unwrap();
        b.sign(&key(seed), t(issued), DAY as u64, sequence).unwrap()
    }

    fn roots() -> Vec<PublicKey> {
        vec![key(1).public_key()]
    }

    #[test]
    fn a_status_list_the_new_trust_list_no_longer_trusts_is_dropped_and_reported() {
        let mut h = HeldLists::new();
        assert_eq!(h.offer_trust_list(&trust(1, 0, false), &roots(), RepinPolicy::Refuse).unwrap().decision, "first");
        assert_eq!(h.offer_status_list(&status(0x11, 1, 0), t(DAY), 60).unwrap(), "first");
        assert_eq!(h.offer_status_list(&status(0x12, 1, 0), t(DAY), 60).unwrap(), "first");
        assert_eq!(h.status_lists().count(), 2);
        // The next trust list marks 0x12 compromised: its status list (signed by 0x12) goes.
        let offer = h.offer_trust_list(&trust(2, DAY, true), &roots(), RepinPolicy::Refuse).unwrap();
        assert_eq!(offer.decision, "successor");
        assert_eq!(offer.dropped.len(), 1);
        assert_eq!(offer.dropped[0].issuer_key, key(0x12).public_key());
        assert_eq!(offer.dropped[0].sequence, 1);
        assert_eq!(offer.dropped[0].error.code(), "status_signer_compromised");
        let kept: Vec<_> = h.status_lists().map(|s| *s.issuer_key()).collect();
        assert_eq!(kept, vec![key(0x11).public_key()]);
        assert_eq!(h.trust_list().unwrap().sequence(), 2);
    }

    #[test]
    fn an_unchanged_trust_list_drops_nothing_and_a_refused_one_changes_nothing() {
        let mut h = HeldLists::new();
        h.offer_trust_list(&trust(2, DAY, false), &roots(), RepinPolicy::Refuse).unwrap();
        h.offer_status_list(&status(0x11, 1, 0), t(DAY), 60).unwrap();
        let offer = h.offer_trust_list(&trust(2, DAY, false), &roots(), RepinPolicy::Refuse).unwrap();
        assert_eq!((offer.decision, offer.dropped.len()), ("unchanged", 0));
        let e = h.offer_trust_list(&trust(1, 0, true), &roots(), RepinPolicy::Refuse).unwrap_err();
        assert_eq!(e.code(), "trust_list_rollback");
        assert_eq!(h.trust_list().unwrap().sequence(), 2);
        assert_eq!(h.status_lists().count(), 1);
    }

    #[test]
    fn reverify_keeps_order_and_reports_a_list_from_an_issuer_no_longer_listed() {
        let one = trust(1, 0, false);
        let t1 = TrustList::verify(&one, &roots()).unwrap();
        let held: Vec<HeldStatusList> = [0x11u8, 0x12]
            .iter()
            .map(|&s| {
                let b = status(s, 3, 0);
                let l = StatusList::verify_under_trust_list(&b, &t1).unwrap();
                HeldStatusList::new(b, l)
            })
            .collect();
        // A trust list naming only 0x12.
        let mut b = TrustListBuilder::new(2, t(DAY), t(8 * DAY));
        b.add(TrustListEntry::new("X", key(0x12).public_key(), t(-DAY), t(3650 * DAY), Scope::all())).unwrap();
        let t2 = TrustList::verify(&b.sign(&[&key(1)]).unwrap(), &roots()).unwrap();
        let (kept, dropped) = reverify_status_lists(&t2, held);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].list().issuer_key(), &key(0x12).public_key());
        assert_eq!(dropped.len(), 1);
        assert_eq!((dropped[0].sequence, dropped[0].error.code()), (3, "status_issuer_not_trusted"));
    }

    #[test]
    fn a_status_list_without_a_trust_list_or_behind_the_held_one_is_refused() {
        let mut h = HeldLists::new();
        let e = h.offer_status_list(&status(0x11, 1, 0), t(DAY), 60).unwrap_err();
        assert_eq!(e.code(), "status_issuer_not_trusted");
        assert!(h.verifier().trust_store().issuers().is_empty());
        h.offer_trust_list(&trust(1, 0, false), &roots(), RepinPolicy::Refuse).unwrap();
        h.offer_status_list(&status(0x11, 5, 10), t(DAY), 60).unwrap();
        let e = h.offer_status_list(&status(0x11, 4, 20), t(DAY), 60).unwrap_err();
        assert_eq!(e.code(), "status_rollback");
        assert_eq!(h.offer_status_list(&status(0x11, 6, 30), t(DAY), 60).unwrap(), "successor");
        assert_eq!(h.status_lists().map(StatusList::sequence).collect::<Vec<_>>(), vec![6]);
    }
}
