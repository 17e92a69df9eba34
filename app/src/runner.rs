//! The runner: one job of a bot, run against its venue. The caller (a worker's handler) holds the bot's lock, and
//! owns retries, panics and quarantine.

use gridbot_platform::{Job, LockGuard};

use crate::{Ctx, JobError};

/// The job to run for `job`, just taken under its bot's lock: a reconcile takes the bot's waiting reconcile, so
/// triggers from now on enqueue a new one, and runs at the newest price they asked for.
pub async fn take(ctx: &Ctx, job: Job) -> Job {
    match job {
        Job::ReconcileFills { bot, reason, price } => match ctx.queue.start_reconcile(bot).await {
            Ok(newest) => Job::ReconcileFills { bot, reason, price: newest.or(price) },
            Err(e) => {
                tracing::warn!(%bot, error = %e, "waiting reconcile not taken");
                Job::ReconcileFills { bot, reason, price }
            }
        },
        job => job,
    }
}

/// Runs `job` once; `lock` is the bot's, held by the caller. A job that changes what the bot runs (start, stop)
/// drops the book this process kept of it; a reconcile reuses it.
pub async fn execute(ctx: &Ctx, job: &Job, lock: &LockGuard) -> Result<(), JobError> {
    let bot = job.bot();
    match job {
        Job::PlaceGrid { .. } => {
            ctx.books.forget(bot);
            crate::place::place_grid(ctx, bot).await
        }
        Job::ReconcileFills { price, .. } => crate::reconcile::reconcile(ctx, bot, *price, Some(lock)).await,
        Job::Rebalance { .. } => crate::reconcile::reconcile(ctx, bot, None, Some(lock)).await,
        Job::StopBot { reason, sell, .. } => {
            ctx.books.forget(bot);
            crate::stop::stop(ctx, bot, reason, *sell, None).await
        }
        // The worker runs a batch as the reconcile of each of its bots, each under its own lock.
        Job::ReconcileMany { .. } => Err(JobError::fatal("a batch of reconciles runs bot by bot, not under one lock")),
    }
}
