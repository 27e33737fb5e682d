//! Signature batching across concurrent `/v1/verify` requests (issue 18).
//!
//! A request's handler puts its text in [`VerifyQueue`] and yields once to the runtime. The
//! worker thread then runs every other request that is ready (and polls the sockets once more)
//! before it resumes the handler, so the requests that arrived together have all queued their
//! texts by then. The first handler to resume takes the queue and verifies it with
//! [`ikd_core::Verifier::verify_batch_with`]: one Ed25519 batch verification for all their
//! issuer signatures, each text with its own policy and challenge, then hands each handler its
//! [`Verification`]. Under load a batch of n signatures costs far less than n single checks;
//! a lone request is verified alone, as before, after one extra trip through the scheduler.
//!
//! What it does not change: the verdicts are those of [`ikd_core::Verifier::verify_with`]
//! (a failed batch falls back to the strict check of each signature), with the one difference
//! `docs/FORMAT.md` §4.1 documents for batches (a signature only the issuer could have made,
//! with a mixed-order `R`). Nothing waits for a batch to fill: a handler never sleeps here, and
//! a handler that verifies a batch verifies at most `limits.signature_batch` texts per round,
//! and only rounds up to the one holding its own text.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ikd_core::{Verification, Verifier};
use tokio::sync::oneshot;

use crate::api::verify::Options;

/// What a handler gets back: the verification, with the text and options it gave.
pub type Verified = (Verification, String, Options);

struct Job {
    id: u64,
    verifier: Arc<Verifier>,
    text: String,
    opts: Options,
    reply: oneshot::Sender<Verified>,
}

/// The queue of texts waiting for the next signature batch (one per server).
pub struct VerifyQueue {
    jobs: Mutex<Vec<Job>>,
    next_id: AtomicU64,
    max_batch: usize,
    metrics: crate::metrics::Metrics,
}

impl std::fmt::Debug for VerifyQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyQueue").field("max_batch", &self.max_batch).finish_non_exhaustive()
    }
}

impl VerifyQueue {
    /// A queue verifying at most `max_batch` texts together (1: each alone, at once).
    pub fn new(max_batch: usize, metrics: crate::metrics::Metrics) -> VerifyQueue {
        VerifyQueue { jobs: Mutex::new(Vec::new()), next_id: AtomicU64::new(0), max_batch: max_batch.max(1), metrics }
    }

    /// Verifies `text` with `verifier` and `opts`, together with the texts of the requests
    /// that arrived with it. `None` only if the verification of its batch panicked.
    pub async fn verify(&self, verifier: Arc<Verifier>, text: String, opts: Options) -> Option<Verified> {
        if self.max_batch == 1 {
            let v = verifier.verify_with(&text, &opts.verify_options());
            return Some((v, text, opts));
        }
        let (reply, answer) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().push(Job { id, verifier, text, opts, reply });
        // One trip through the scheduler: the requests that are ready queue their texts
        // meanwhile. (Up to four trips, tried, made the batches no larger: docs/SERVER.md §11.)
        tokio::task::yield_now().await;
        self.run_until(id);
        answer.await.ok()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Job>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Verifies queued texts, oldest first, a batch at a time, until the text `id` has been
    /// verified (here or by another handler, which then answers it).
    fn run_until(&self, id: u64) {
        loop {
            let batch: Vec<Job> = {
                let mut jobs = self.lock();
                if !jobs.iter().any(|j| j.id == id) {
                    return;
                }
                let n = jobs.len().min(self.max_batch);
                jobs.drain(..n).collect()
            };
            let own = batch.iter().any(|j| j.id == id);
            self.verify_batch(batch);
            if own {
                return;
            }
        }
    }

    /// Verifies one batch (split by verifier: a list change swaps it between requests) and
    /// answers every job in it.
    fn verify_batch(&self, mut batch: Vec<Job>) {
        self.metrics.signature_batch.observe(batch.len() as f64);
        while let Some(first) = batch.first() {
            let verifier = Arc::clone(&first.verifier);
            let (group, rest): (Vec<Job>, Vec<Job>) =
                batch.into_iter().partition(|j| Arc::ptr_eq(&j.verifier, &verifier));
            batch = rest;
            // A group of one is the strict check alone (`verify_batch_with` batches two or more).
            let items: Vec<(&str, ikd_core::VerifyOptions<'_>)> =
                group.iter().map(|j| (j.text.as_str(), j.opts.verify_options())).collect();
            let results = verifier.verify_batch_with(&items);
            drop(items);
            for (job, v) in group.into_iter().zip(results) {
                // A handler that has gone (its client disconnected) no longer waits.
                let _ = job.reply.send((v, job.text, job.opts));
            }
        }
    }
}
