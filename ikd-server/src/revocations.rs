//! The background task that keeps an issuing server's revocations and own status list in step
//! with the store (app layer: it drives [`AppState`]; the storage layer does not know it).

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::app::AppState;

/// How often an instance on a shared store reads back the revocations made by the others (and
/// the newest stored own status list), and how often a failed publishing of the own status list
/// is retried.
pub const REVOCATION_REFRESH: Duration = Duration::from_secs(2);

/// The background task of an issuing server, every [`REVOCATION_REFRESH`]:
///
/// * on a shared store, keeps `AppState::revoked` (this server's own key) in step with the
///   store, so a credential revoked through one instance is answered `revoked` by every
///   instance, and installs the newest own status list another instance published;
/// * publishes the own status list when it needs it (a revocation it lacks, half its TTL
///   passed) or when publishing failed before.
///
/// Ends when the state is dropped. Errors (database down) keep the last known set and list and
/// are retried at the next tick.
pub async fn refresh_revocations(state: Weak<AppState>) {
    let mut failing = false;
    loop {
        tokio::time::sleep(REVOCATION_REFRESH).await;
        let (store, key_id) = match state.upgrade() {
            Some(s) => match &s.issuer {
                Some(i) => (Arc::clone(&s.store), i.key_id.clone()),
                None => return,
            },
            None => return,
        };
        if store.shared() {
            match store.revoked_serials(&key_id).await {
                Ok(serials) => {
                    failing = false;
                    let Some(s) = state.upgrade() else { return };
                    if let Ok(mut set) = s.revoked.write() {
                        // Revocation is final: only ever add.
                        set.extend(serials);
                    }
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "cannot read revocations from the store; keeping the last known set");
                    }
                    failing = true;
                    // The store is down: do not wait for it twice more in this round.
                    continue;
                }
            }
        }
        drop(store);
        let Some(s) = state.upgrade() else { return };
        s.adopt_stored_own_status(true).await;
        s.refresh_own_status().await;
    }
}
