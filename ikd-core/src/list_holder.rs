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
//! # Sequence numbers
//!
//! [`next_status_sequence`]: a publisher signs its next status list with
//! `max(now in Unix seconds, previous + 1)`. Tying the sequence to the clock means a
//! publisher that lost its record of the previous sequence (a restored backup, a second
//! server instance, another machine) still signs a list that holders accept, instead of
//! restarting at 1 and being refused as a rollback; `previous + 1` keeps it strictly
//! increasing when lists are signed faster than once a second.

use crate::credential::Timestamp;
use crate::keys::PublicKey;
use crate::status::{StatusList, StatusListError};
use crate::trustlist::{TrustList, TrustListError};

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
