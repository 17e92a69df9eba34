//! Cron jobs on apalis-cron: the periodic reconciliation of every running bot, which catches whatever the streams
//! missed, and the users' daily summaries at 00:00 UTC.

use std::str::FromStr;

use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use gridbot_app::{Ctx, notify};
use gridbot_platform::db::types::BotStatus;

pub(crate) async fn run(ctx: Ctx, schedule: String) {
    let schedule = match cron::Schedule::from_str(&schedule) {
        Ok(s) => s,
        Err(e) => {
            return tracing::error!(%schedule, error = %e, "invalid reconcile schedule; periodic reconciliation is off");
        }
    };
    let worker =
        WorkerBuilder::new("gridbot-cron").backend(CronScheduler::new(schedule)).data(ctx).build(reconcile_all);
    if let Err(e) = worker.run().await {
        tracing::error!(error = %e, "cron worker ended");
    }
}

/// Sends the daily summaries on `schedule` (each user's once per day, whichever scheduler ticks: see
/// [`gridbot_app::notify::send_daily_summaries`]).
pub(crate) async fn daily_summaries(ctx: Ctx, schedule: String) {
    let schedule = match cron::Schedule::from_str(&schedule) {
        Ok(s) => s,
        Err(e) => return tracing::error!(%schedule, error = %e, "invalid daily summary schedule; no daily summaries"),
    };
    let worker =
        WorkerBuilder::new("gridbot-daily-summary").backend(CronScheduler::new(schedule)).data(ctx).build(summarize);
    if let Err(e) = worker.run().await {
        tracing::error!(error = %e, "daily summary cron ended");
    }
}

async fn summarize(_tick: Tick, ctx: Data<Ctx>) -> Result<(), BoxDynError> {
    let day = notify::summary_day(chrono::Utc::now());
    notify::send_daily_summaries(&ctx.db, &ctx.notifier, day).await?;
    Ok(())
}

/// Enqueues `reconcile_fills` for every running bot that has none waiting.
async fn reconcile_all(_tick: Tick, ctx: Data<Ctx>) -> Result<(), BoxDynError> {
    let bots = ctx.db.bots().list_with_status(&[BotStatus::Running]).await?;
    for bot in &bots {
        ctx.queue.push_reconcile(bot.id, "periodic", None).await?;
    }
    tracing::debug!(bots = bots.len(), "periodic reconciliation enqueued");
    Ok(())
}
