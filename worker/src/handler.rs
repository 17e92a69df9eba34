//! The job handler: one job of a bot at a time (its lock), retries with backoff for retryable failures only, and a
//! job that fails for good is quarantined with its bot marked `error` and the reason. A job that panics fails alone,
//! for good: the panic is caught at the job's edge and never reaches the process. A job that was running when its
//! process died is quarantined when the queue delivers it again, never run twice into the same crash
//! ([`crate::quarantine`]).

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use futures_util::{FutureExt, StreamExt};
use gridbot_platform::{Delivery, Job, JobHandler, LockGuard, QueueError, db::types::DeadJobKind};

use gridbot_app::{Ctx, JobError, runner};

use crate::quarantine;

#[derive(Debug, Clone)]
pub struct Handler {
    ctx: Ctx,
    /// This worker in the records of running jobs: new for every handler, so a record left by a process that died
    /// is never this one's.
    owner: String,
    lock_wait: Duration,
}

impl Handler {
    pub fn new(ctx: Ctx) -> Self {
        let owner = format!("pid{}-{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..12]);
        Handler { ctx, owner, lock_wait: LOCK_WAIT }
    }

    /// The same handler, waiting `wait` (instead of [`LOCK_WAIT`]) for a bot's lock before sending the job back to the
    /// queue.
    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }
}

/// Attempts per job before it fails for good.
const ATTEMPTS: u32 = 6;
/// How many bots of a batch of reconciles run at once: a bot's reconcile mostly waits on the database (PostgreSQL's
/// round trips, SQLite's writer), so a few at once keep a worker's slot busy.
const BATCH_PARALLEL: usize = 4;
/// How long a job waits for its bot's lock before going back to the queue (by default).
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// Runs a worker named `name` over the context's queue until `shutdown`; in-flight jobs finish first.
pub async fn run(
    ctx: Ctx,
    name: &str,
    concurrency: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), QueueError> {
    let queue = ctx.queue.clone();
    queue.work(name, concurrency, Arc::new(Handler::new(ctx)), shutdown).await
}

#[async_trait]
impl JobHandler for Handler {
    async fn handle(&self, job: Job, delivery: Delivery) {
        match job {
            Job::ReconcileMany { .. } => self.batch(job, delivery).await,
            job => self.run(job, &delivery, true).await,
        }
    }
}

impl Handler {
    /// Runs `job` under its bot's lock, else sends it back to the queue. `alone`: the delivery is the job's own,
    /// recorded for the crash guard, and waits for the lock; a bot of a batch runs under its batch's record and does
    /// not wait (it would hold the batch).
    async fn run(&self, job: Job, delivery: &Delivery, alone: bool) {
        let ctx = &self.ctx;
        let bot = job.bot();
        let wait = if alone { self.lock_wait } else { Duration::ZERO };
        let guard = match ctx.locks.bot(bot, wait).await {
            Ok(Some(g)) => g,
            Ok(None) | Err(_) => {
                // Sent back, the job is a new task: one whose earlier run died with its process is quarantined now,
                // or it would escape its record.
                if alone && quarantine::died_before(ctx, &job, delivery, &self.owner).await {
                    return;
                }
                if alone {
                    tracing::warn!(%bot, job = job.name(), "bot lock busy; job goes back to the queue");
                } else {
                    tracing::debug!(%bot, job = job.name(), "bot lock busy; its reconcile goes back to the queue alone");
                }
                if let Err(e) = ctx.queue.push(job).await {
                    tracing::error!(%bot, error = %e, "job could not be re-queued");
                }
                return;
            }
        };
        let started = std::time::Instant::now();
        let job = runner::take(ctx, job).await;
        if alone && !quarantine::begin(ctx, &job, delivery, &self.owner).await {
            return;
        }
        if let Err(e) = attempts(ctx, &job, &guard).await {
            fail(ctx, &job, delivery, e).await;
        }
        if alone {
            quarantine::end(ctx, delivery).await;
        }
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(%bot, job = job.name(), ms, "job done");
    }

    /// A batch of reconciles: each bot's, [`BATCH_PARALLEL`] at a time, under the batch's record. A bot whose lock is
    /// taken (another of its jobs runs) goes back to the queue alone rather than hold the batch. A batch whose earlier
    /// delivery died with its process is not replayed: each of its bots goes back to the queue alone, where a second
    /// crash is quarantined as that bot's.
    async fn batch(&self, batch: Job, delivery: Delivery) {
        let ctx = &self.ctx;
        if !quarantine::begin_batch(ctx, &batch, &delivery, &self.owner).await {
            return;
        }
        futures_util::stream::iter(batch.reconciles())
            .for_each_concurrent(BATCH_PARALLEL, |job| {
                let one =
                    Delivery { task_id: format!("{}/{}", delivery.task_id, job.bot().0), attempt: delivery.attempt };
                async move { self.run(job, &one, false).await }
            })
            .await;
        quarantine::end(ctx, &delivery).await;
    }
}

/// Runs `job`, again after a retryable failure (with backoff) up to [`ATTEMPTS`] times; the final failure.
async fn attempts(ctx: &Ctx, job: &Job, lock: &LockGuard) -> Result<(), JobError> {
    let (mut attempt, mut delay) = (1, Duration::from_millis(200));
    loop {
        let result = guarded(runner::execute(ctx, job, lock)).await;
        if let Err(e) = &result {
            gridbot_app::exchange_errors::note(ctx, job.bot(), e).await;
        }
        match result {
            Ok(()) => return Ok(()),
            Err(e) if e.retryable && attempt < ATTEMPTS => {
                tracing::warn!(bot = %job.bot(), job = job.name(), attempt, error = %e.message, "job failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs `job`, turning a panic inside it into a final failure that names the panic.
async fn guarded<F: std::future::Future<Output = Result<(), JobError>>>(job: F) -> Result<(), JobError> {
    match std::panic::AssertUnwindSafe(job).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            Err(JobError::fatal(format!("the job panicked ({what}); it was stopped alone")))
        }
    }
}

/// Quarantines the job that failed for good and marks its bot `error` with the reason, which the dashboard's bot
/// card shows.
async fn fail(ctx: &Ctx, job: &Job, delivery: &Delivery, e: JobError) {
    let reason = format!("{} failed: {}", job.name(), e.message);
    tracing::error!(bot = %job.bot(), job = job.name(), error = %e.message, "job failed for good: quarantined");
    quarantine::bury(ctx, job, delivery, DeadJobKind::Failed, &reason, e.code()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_fails_alone_with_its_message() {
        let e = guarded(async { panic!("Multiplication overflowed") }).await.unwrap_err();
        assert!(!e.retryable);
        assert!(e.message.contains("Multiplication overflowed"), "{}", e.message);
        assert_eq!(guarded(async { Ok(()) }).await.map_err(|e| e.message), Ok(()));
        let formatted = guarded(async { panic!("bot {} broke", 7) }).await.unwrap_err();
        assert!(formatted.message.contains("bot 7 broke"), "{}", formatted.message);
    }
}
