//! The job handler: one job of a bot at a time (its lock), retries with backoff for retryable failures only, and a
//! job that fails for good marks its bot `error` with the reason. A job that panics fails alone, for good: the panic
//! is caught at the job's edge and never reaches the process.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use futures_util::FutureExt;
use gridbot_platform::{BotChange, Event, Job, JobHandler, LockGuard, QueueError, db::types::BotStatus};

use crate::{Ctx, JobError};

#[derive(Debug, Clone)]
pub struct Handler {
    ctx: Ctx,
}

impl Handler {
    pub fn new(ctx: Ctx) -> Self {
        Handler { ctx }
    }
}

/// Attempts per job before it fails for good.
const ATTEMPTS: u32 = 6;
/// How long a job waits for its bot's lock before going back to the queue.
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
    async fn handle(&self, job: Job) {
        let ctx = &self.ctx;
        let bot = job.bot();
        let guard = match ctx.locks.bot(bot, LOCK_WAIT).await {
            Ok(Some(g)) => g,
            Ok(None) | Err(_) => {
                tracing::warn!(%bot, job = job.name(), "bot lock busy; job goes back to the queue");
                if let Err(e) = ctx.queue.push(job).await {
                    tracing::error!(%bot, error = %e, "job could not be re-queued");
                }
                return;
            }
        };
        let job = match job {
            // Triggers from now on enqueue a new reconcile; this one runs at the newest price they asked for.
            Job::ReconcileFills { bot, reason, price } => match ctx.queue.start_reconcile(bot).await {
                Ok(newest) => Job::ReconcileFills { bot, reason, price: newest.or(price) },
                Err(e) => {
                    tracing::warn!(bot, error = %e, "waiting reconcile not taken");
                    Job::ReconcileFills { bot, reason, price }
                }
            },
            job => job,
        };
        if !matches!(job, Job::ReconcileFills { .. } | Job::Rebalance { .. }) {
            ctx.books.forget(bot);
        }
        let mut delay = Duration::from_millis(200);
        for attempt in 1..=ATTEMPTS {
            match guarded(execute(ctx, &job, &guard)).await {
                Ok(()) => return,
                Err(e) if e.retryable && attempt < ATTEMPTS => {
                    tracing::warn!(%bot, job = job.name(), attempt, error = %e.message, "job failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
                Err(e) => return fail(ctx, &job, e).await,
            }
        }
    }
}

async fn execute(ctx: &Ctx, job: &Job, lock: &LockGuard) -> Result<(), JobError> {
    let bot = job.bot();
    match job {
        Job::PlaceGrid { .. } => crate::place::place_grid(ctx, bot).await,
        Job::ReconcileFills { price, .. } => crate::reconcile::reconcile(ctx, bot, *price, Some(lock)).await,
        Job::Rebalance { .. } => crate::reconcile::reconcile(ctx, bot, None, Some(lock)).await,
        Job::StopBot { reason, sell, .. } => crate::stop::stop(ctx, bot, reason, *sell, None).await,
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

/// Marks the bot `error` with the job's reason; the reason shows on the dashboard's bot card.
async fn fail(ctx: &Ctx, job: &Job, e: JobError) {
    let bot = job.bot();
    let reason = format!("{} failed: {}", job.name(), e.message);
    tracing::error!(%bot, job = job.name(), error = %e.message, "job failed for good");
    let from = [BotStatus::Starting, BotStatus::Running, BotStatus::Stopping];
    match ctx.db.bots().transition(bot, &from, BotStatus::Error, Some(&reason)).await {
        Ok(true) => {
            crate::commands::record_event(ctx, bot, "error", None, Some(BotStatus::Error), Some(&reason)).await;
            ctx.events.publish(Event::Bot { bot_id: bot.0, change: BotChange::Status }).await;
        }
        Ok(false) => {}
        Err(db) => tracing::error!(%bot, error = %db, "could not mark the bot as failed"),
    }
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
