//! The background sync task.

#[allow(unused_imports)]
use super::*;

/// Starts the background task (sync from upstream, re-reading `trust_list_file`, re-signing
/// the own status list) if the server needs one. It holds only a weak reference to the state,
/// so it stops once the server is gone.
pub fn start(state: &Arc<AppState>) -> Option<tokio::task::JoinHandle<()>> {
    let l = &state.lists;
    if l.upstream.is_none() && l.trust_list_file.is_none() && l.own.is_none() {
        return None;
    }
    let weak = Arc::downgrade(state);
    Some(tokio::spawn(run(weak)))
}

pub(super) async fn run(weak: Weak<AppState>) {
    let client = match weak.upgrade() {
        Some(state) => state.lists.sync_client(),
        None => return,
    };
    loop {
        let lists = {
            let Some(state) = weak.upgrade() else { return };
            state.refresh_own_status().await;
            Arc::clone(&state.lists)
        };
        lists.reload_trust_list_file();
        if lists.upstream.is_some() {
            lists.sync_once(&client).await;
        }
        let interval = lists.interval;
        drop(lists);
        tokio::time::sleep(interval).await;
    }
}
