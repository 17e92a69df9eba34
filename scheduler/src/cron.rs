//! Cron jobs on apalis-cron: the periodic reconciliation of every running bot, which catches whatever the streams
//! missed.

use std::str::FromStr;

use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use gridbot_app::Ctx;
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

/// Enqueues `reconcile_fills` for every running bot that has none waiting.
async fn reconcile_all(_tick: Tick, ctx: Data<Ctx>) -> Result<(), BoxDynError> {
    let bots = ctx.db.bots().list_with_status(&[BotStatus::Running]).await?;
    for bot in &bots {
        ctx.queue.push_reconcile(bot.id, "periodic", None).await?;
    }
    tracing::debug!(bots = bots.len(), "periodic reconciliation enqueued");
    Ok(())
}
