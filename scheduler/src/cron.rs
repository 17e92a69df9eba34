//! Cron jobs on apalis-cron: the periodic reconciliation of every running bot, which catches whatever the streams
//! missed, and the users' daily summaries at 00:00 UTC.

use std::str::FromStr;

use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use gridbot_app::{Ctx, notify};
use gridbot_platform::db::types::{BotMode, BotStatus};

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

/// A paper bot is swept once in this many ticks (every 5 minutes at the default 30 s): its fills are the paper
/// matcher's own, which enqueues their reconcile as it fills, so the sweep only catches what a crash lost. A live
/// bot, whose fills the exchange makes, and a bot with a daily loss limit, which the sweep checks between fills (its
/// unrealized P&L moves with the price), are swept every tick.
const PAPER_SWEEP_TICKS: i64 = 10;

/// The sweeps run by this process.
static TICKS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Enqueues `reconcile_fills` for every running live bot, and for the paper bots whose turn it is, that have none
/// waiting: at a thousand paper bots, about three jobs a second instead of thirty-three.
async fn reconcile_all(_tick: Tick, ctx: Data<Ctx>) -> Result<(), BoxDynError> {
    let bots = ctx.db.bots().list_with_status(&[BotStatus::Running]).await?;
    let turn = TICKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let due: Vec<_> =
        bots.iter().filter(|b| swept(b.mode == BotMode::Live || loss_limited(b), b.id.0, turn)).map(|b| b.id).collect();
    ctx.queue.push_reconciles(&due, "periodic", None).await?;
    tracing::debug!(bots = due.len(), running = bots.len(), "periodic reconciliation enqueued");
    Ok(())
}

/// Whether bot `id` is swept at tick `turn` (`always`: a live bot, or one with a daily loss limit).
fn swept(always: bool, id: i64, turn: i64) -> bool {
    always || id.rem_euclid(PAPER_SWEEP_TICKS) == turn.rem_euclid(PAPER_SWEEP_TICKS)
}

/// Whether the bot's configuration sets a daily loss limit.
fn loss_limited(bot: &gridbot_platform::db::types::Bot) -> bool {
    bot.config.get("max_daily_loss").is_some_and(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_or_loss_limited_bot_is_swept_every_tick_and_a_paper_bot_once_in_ten() {
        for id in [1, 7, 12, 1_000_003] {
            assert!((0..10).all(|turn| swept(true, id, turn)));
            assert_eq!((0..10).filter(|&turn| swept(false, id, turn)).count(), 1, "bot {id}");
            assert_eq!((5..25).filter(|&turn| swept(false, id, turn)).count(), 2, "bot {id}");
        }
    }
}
