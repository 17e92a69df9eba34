//! The quarantine: a job that was running when its process died, or that failed for good, is kept in `dead_jobs`
//! and never run again, and its bot is marked `error` with the reason (the dashboard's card shows it). A restart
//! therefore never replays a job into the crash it caused.
//!
//! A delivery is recorded in `running_jobs` before its work starts and the record is deleted when the work ends.
//! The queue delivers a dead worker's task again under the same task id; that delivery finds the record its first
//! delivery left, and quarantines the job instead of running it.

use gridbot_platform::{
    BotChange, Delivery, Event, Job,
    db::{
        NewDeadJob,
        types::{BotStatus, DeadJobKind, RunningJob},
    },
};

use gridbot_app::Ctx;

/// Records that `delivery` of `job` starts its work under `owner` (the worker). `false` when it must not run: an
/// earlier delivery of the same task, by another worker, started and never ended — its process died — and the
/// job is quarantined now.
pub(crate) async fn begin(ctx: &Ctx, job: &Job, delivery: &Delivery, owner: &str) -> bool {
    match record_start(ctx, job, delivery, owner).await {
        None => true,
        Some(found) => {
            crashed(ctx, job, delivery, &found).await;
            false
        }
    }
}

/// Records that `delivery` of `job` starts under `owner`; returns the record an earlier delivery of the same task
/// left, by another worker, when there is one: that delivery started and never ended (its process died). This
/// worker's own record (its end could not delete it) means nothing crashed; a start that cannot be recorded runs
/// without crash guard.
async fn record_start(ctx: &Ctx, job: &Job, delivery: &Delivery, owner: &str) -> Option<RunningJob> {
    let bot = job.bot();
    match ctx.db.running_jobs().begin(&delivery.task_id, bot, job.name(), owner).await {
        Ok(Some(found)) if found.owner != owner => Some(found),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(%bot, job = job.name(), error = %e, "job start not recorded; it runs without crash guard");
            None
        }
    }
}

/// [`begin`] for a batch of reconciles ([`Job::ReconcileMany`]): `false` when an earlier delivery of it, by another
/// worker, started and never ended. The batch is not replayed then: each of its bots goes back to the queue alone, so
/// that a crash one of them causes again is quarantined as that bot's, and the others run.
pub(crate) async fn begin_batch(ctx: &Ctx, job: &Job, delivery: &Delivery, owner: &str) -> bool {
    let Some(found) = record_start(ctx, job, delivery, owner).await else { return true };
    tracing::error!(
        task = %delivery.task_id,
        bots = job.bots().len(),
        worker = %found.owner,
        started_at = %found.started_at,
        "a batch of reconciles was running when its process died: each bot goes back to the queue alone"
    );
    match ctx.queue.push_all(job.reconciles()).await {
        // Should this fail, the periodic sweep reconciles every running bot.
        Err(e) => tracing::error!(task = %delivery.task_id, error = %e, "the batch's reconciles were not re-queued"),
        Ok(()) => end(ctx, delivery).await,
    }
    false
}

/// Whether an earlier delivery of this task, by another worker, started and never ended — its process died; the job
/// is then quarantined. For a delivery that will not run (its bot's lock is busy) and would go back to the queue as a
/// new task.
pub(crate) async fn died_before(ctx: &Ctx, job: &Job, delivery: &Delivery, owner: &str) -> bool {
    match ctx.db.running_jobs().get(&delivery.task_id).await {
        Ok(Some(found)) if found.owner != owner => {
            crashed(ctx, job, delivery, &found).await;
            true
        }
        Ok(_) => false,
        Err(e) => {
            tracing::warn!(bot = %job.bot(), job = job.name(), error = %e, "job record not read");
            false
        }
    }
}

/// The work of `delivery` ended: its record goes.
pub(crate) async fn end(ctx: &Ctx, delivery: &Delivery) {
    if let Err(e) = ctx.db.running_jobs().end(&delivery.task_id).await {
        tracing::warn!(task = %delivery.task_id, error = %e, "the record of a finished job was not deleted");
    }
}

/// The reason a job found running at its process's death is quarantined with.
pub(crate) fn crash_reason(job: &Job) -> String {
    format!("{} was running when its process stopped; not replayed", job.name())
}

async fn crashed(ctx: &Ctx, job: &Job, delivery: &Delivery, found: &RunningJob) {
    let reason = crash_reason(job);
    tracing::error!(
        bot = %job.bot(),
        job = job.name(),
        task = %delivery.task_id,
        attempt = delivery.attempt,
        worker = %found.owner,
        started_at = %found.started_at,
        "job was running when its process died: quarantined, not run again"
    );
    bury(ctx, job, delivery, DeadJobKind::Crashed, &reason, None).await;
    end(ctx, delivery).await;
}

/// Puts `job` in the quarantine with `reason`, and moves its bot (when starting, running or stopping) to `error`
/// with that reason; its user is told (`code`: the exchange's error code, when it refused).
pub(crate) async fn bury(
    ctx: &Ctx,
    job: &Job,
    delivery: &Delivery,
    kind: DeadJobKind,
    reason: &str,
    code: Option<i64>,
) {
    let bot = job.bot();
    let found = ctx.db.bots().get(bot).await;
    match &found {
        Ok(b) => {
            let dead = NewDeadJob {
                bot,
                user_id: b.user_id,
                job_name: job.name(),
                job: serde_json::to_value(job).unwrap_or_default(),
                task_id: Some(&delivery.task_id),
                kind,
                reason,
            };
            if let Err(e) = ctx.db.dead_jobs().record(&dead).await {
                tracing::error!(%bot, job = job.name(), error = %e, "the dead job could not be recorded");
            }
        }
        Err(e) => tracing::warn!(%bot, job = job.name(), error = %e, "dead job not recorded: its bot is not readable"),
    }
    let from = [BotStatus::Starting, BotStatus::Running, BotStatus::Stopping];
    match ctx.db.bots().transition(bot, &from, BotStatus::Error, Some(reason)).await {
        Ok(true) => {
            // The compare-and-set elects this process as the one that tells the user.
            if let Ok(b) = &found {
                gridbot_app::notify::failed(ctx, b, reason, code);
            }
            gridbot_app::commands::record_event(ctx, bot, "error", None, Some(BotStatus::Error), Some(reason)).await;
            ctx.events.publish(Event::Bot { bot_id: bot, change: BotChange::Status }).await;
        }
        Ok(false) => {}
        Err(db) => tracing::error!(%bot, error = %db, "could not mark the bot as failed"),
    }
}
