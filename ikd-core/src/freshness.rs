//! Offline freshness: how old a cached trust or status list may be before a verifier
//! working offline should warn, and before it should stop relying on it.

use crate::credential::Timestamp;

/// Default: a status list is fresh for 1 day after it is issued.
pub const DEFAULT_STATUS_FRESH_SECS: i64 = 86_400;
/// Default: after that, a status list is still used, with a warning, for 30 days.
pub const DEFAULT_STATUS_GRACE_SECS: i64 = 30 * 86_400;
/// Default: a trust list is fresh for 7 days after it is issued.
pub const DEFAULT_TRUST_FRESH_SECS: i64 = 7 * 86_400;
/// Default: after that, a trust list is still used, with a warning, for 90 days.
pub const DEFAULT_TRUST_GRACE_SECS: i64 = 90 * 86_400;

/// How long cached lists stay fresh, and then usable, for a verifier that may be offline
/// for weeks. The reasons for the defaults are in `docs/TRUST-AND-STATUS.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreshnessPolicy {
    /// A status list is fresh this long after it is issued (capped by its own TTL).
    pub status_fresh_secs: i64,
    /// Then it is in grace (used, with a warning) this much longer.
    pub status_grace_secs: i64,
    /// A trust list is fresh this long after it is issued (capped by its `next_update`).
    pub trust_fresh_secs: i64,
    /// Then it is in grace (used, with a warning) this much longer.
    pub trust_grace_secs: i64,
}

impl Default for FreshnessPolicy {
    fn default() -> Self {
        FreshnessPolicy {
            status_fresh_secs: DEFAULT_STATUS_FRESH_SECS,
            status_grace_secs: DEFAULT_STATUS_GRACE_SECS,
            trust_fresh_secs: DEFAULT_TRUST_FRESH_SECS,
            trust_grace_secs: DEFAULT_TRUST_GRACE_SECS,
        }
    }
}

/// The age class of a cached list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Freshness {
    /// Within its fresh period: use it as it is.
    Fresh,
    /// Past its fresh period but within grace: use it, and tell the officer to sync.
    InGrace {
        /// Seconds since the list was issued.
        age_secs: i64,
    },
    /// Past the grace period: its answers are out of date. A verifier reports the status
    /// as unknown rather than rejecting the credential (`docs/TRUST-AND-STATUS.md`).
    Stale {
        /// Seconds since the list was issued.
        age_secs: i64,
    },
}

impl Freshness {
    /// Stable machine-readable code: `fresh`, `in_grace` or `stale`.
    pub fn code(&self) -> &'static str {
        match self {
            Freshness::Fresh => "fresh",
            Freshness::InGrace { .. } => "in_grace",
            Freshness::Stale { .. } => "stale",
        }
    }

    /// Whether the list's answers may still be relied on (fresh or in grace).
    pub fn is_usable(&self) -> bool {
        !matches!(self, Freshness::Stale { .. })
    }
}

/// Classifies a list issued at `list_issued_at` at time `now`: fresh while its age is at
/// most `fresh_secs`, in grace while at most `fresh_secs + grace_secs`, stale after.
///
/// A list issued after `now` (the verifier's clock is behind) counts as fresh with age 0:
/// a slow clock must not make a verifier refuse the newest list it has.
pub fn staleness(list_issued_at: Timestamp, now: Timestamp, fresh_secs: i64, grace_secs: i64) -> Freshness {
    let age = now.unix().saturating_sub(list_issued_at.unix()).max(0);
    let fresh = fresh_secs.max(0);
    if age <= fresh {
        Freshness::Fresh
    } else if age <= fresh.saturating_add(grace_secs.max(0)) {
        Freshness::InGrace { age_secs: age }
    } else {
        Freshness::Stale { age_secs: age }
    }
}
