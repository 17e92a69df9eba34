//! The bot commands the API carries out: start and stop become jobs; the emergency stop is done here and now, at the
//! exchange, so that it works while no worker runs.

use chrono::Utc;
use gridbot_core::{BotId, Decimal, Side};
use gridbot_platform::{
    BotChange, Event, Job,
    db::types::{Bot, BotEvent, BotMode, BotStatus, OrderStatus},
};
use serde::Serialize;

use crate::{Ctx, JobError, Venue};

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The bot is in a state where the command makes no sense.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Failed(#[from] JobError),
}

/// Moves a stopped (or failed) bot to `starting` in a new generation and enqueues `place_grid`. A failed bot with an
/// order of its run still live (resting, or sent when its job died) must be stopped first: the stop cancels it, where a
/// new run would leave it at the exchange, unmanaged beside the new grid.
pub async fn start(ctx: &Ctx, bot: &Bot) -> Result<Bot, CommandError> {
    let idle = matches!(bot.status, BotStatus::Stopped | BotStatus::Error);
    let live = if idle { ctx.db.orders().count_live(bot.id).await.map_err(JobError::from)? } else { 0 };
    if live > 0 {
        return Err(CommandError::Conflict(format!(
            "{live} orders of the bot's last run may still rest at the exchange; stop the bot (which cancels them) \
             before starting it again"
        )));
    }
    let from = [BotStatus::Stopped, BotStatus::Error];
    if !ctx.db.bots().transition(bot.id, &from, BotStatus::Starting, None).await.map_err(JobError::from)? {
        return Err(CommandError::Conflict(format!(
            "the bot is {}; only a stopped bot can start",
            bot.status.as_str()
        )));
    }
    ctx.db.bots().bump_generation(bot.id).await.map_err(JobError::from)?;
    if let Err(e) = ctx.queue.push(Job::PlaceGrid { bot: bot.id }).await {
        let reason = format!("could not enqueue the start: {e}");
        ctx.db.bots().transition(bot.id, &[BotStatus::Starting], BotStatus::Error, Some(&reason)).await.ok();
        return Err(CommandError::Failed(JobError::retry(reason)));
    }
    record_event(ctx, bot.id, "start_requested", Some(bot.status), Some(BotStatus::Starting), None).await;
    ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Status }).await;
    Ok(ctx.db.bots().get(bot.id).await.map_err(JobError::from)?)
}

/// Enqueues `stop_bot` (the worker cancels the orders, sells the base when `sell`, marks it stopped).
/// A stopped bot answers as it is; a stopping one is asked again (the job is idempotent).
pub async fn stop(ctx: &Ctx, bot: &Bot, sell: bool) -> Result<Bot, CommandError> {
    let from = [BotStatus::Starting, BotStatus::Running, BotStatus::Error];
    let moved = ctx.db.bots().transition(bot.id, &from, BotStatus::Stopping, Some("stopped by the user")).await;
    if !moved.map_err(JobError::from)? {
        let now = ctx.db.bots().get(bot.id).await.map_err(JobError::from)?;
        if now.status == BotStatus::Stopped {
            return Ok(now);
        }
    }
    ctx.queue
        .push(Job::StopBot { bot: bot.id, reason: "stopped by the user".into(), sell })
        .await
        .map_err(JobError::from)?;
    ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Status }).await;
    Ok(ctx.db.bots().get(bot.id).await.map_err(JobError::from)?)
}

/// One order the emergency stop cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cancelled {
    pub bot_id: i64,
    pub client_order_id: String,
    pub side: Side,
    #[serde(with = "gridbot_core::money::serde_decimal")]
    pub price: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EmergencyReport {
    pub stopped_bots: Vec<i64>,
    pub cancelled_orders: Vec<Cancelled>,
    /// Bots whose orders could not all be cancelled, with the reason: act on these by hand.
    pub failures: Vec<String>,
}

/// Stops every bot of the user and cancels every open order of theirs at the exchange, without the queue. For live
/// accounts every open order on the bots' symbols is cancelled, including ones Gridbot did not place.
pub async fn emergency_stop(ctx: &Ctx, user_id: i64) -> Result<EmergencyReport, CommandError> {
    const REASON: &str = "emergency stop";
    let mut report = EmergencyReport::default();
    let bots = ctx.db.bots().list_for_user(user_id).await.map_err(JobError::from)?;
    for bot in bots.iter().filter(|b| b.status != BotStatus::Stopped) {
        let from = [BotStatus::Starting, BotStatus::Running, BotStatus::Error, BotStatus::Stopping];
        ctx.db.bots().transition(bot.id, &from, BotStatus::Stopping, Some(REASON)).await.map_err(JobError::from)?;
        match cancel_all(ctx, bot, &mut report).await {
            Ok(()) => {
                let to = [BotStatus::Stopping];
                if let Ok(true) = ctx.db.bots().transition(bot.id, &to, BotStatus::Stopped, Some(REASON)).await {
                    crate::notify::stopped(ctx, bot, REASON);
                }
                record_event(ctx, bot.id, "emergency_stop", Some(bot.status), Some(BotStatus::Stopped), Some(REASON))
                    .await;
                report.stopped_bots.push(bot.id.0);
            }
            Err(e) => {
                let reason = format!("emergency stop could not cancel every order: {e}");
                let to = [BotStatus::Stopping];
                if let Ok(true) = ctx.db.bots().transition(bot.id, &to, BotStatus::Error, Some(&reason)).await {
                    crate::notify::failed(ctx, bot, &reason, e.code());
                }
                report.failures.push(format!("bot {}: {reason}", bot.id));
            }
        }
        ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Status }).await;
        // A job in flight when this ran may still place an order: a stop job cancels it once a worker runs.
        let _ = ctx.queue.push(Job::StopBot { bot: bot.id, reason: REASON.into(), sell: false }).await;
    }
    Ok(report)
}

async fn cancel_all(ctx: &Ctx, bot: &Bot, report: &mut EmergencyReport) -> Result<(), JobError> {
    // Cancelling charges no fee: the venue's fees do not matter here.
    let venue = ctx.venue(bot, crate::paper::PaperFees::default()).await?;
    let orders = ctx.db.orders().list_with_status(bot.id, &OrderStatus::LIVE).await?;
    for o in &orders {
        venue.cancel(&ctx.db, bot, o).await?;
        report.cancelled_orders.push(Cancelled {
            bot_id: bot.id.0,
            client_order_id: o.client_order_id.to_string(),
            side: o.side,
            price: o.price.get(),
        });
    }
    if let (Venue::Live(x), BotMode::Live) = (&venue, bot.mode) {
        for ex in x.cancel_all(&bot.symbol).await? {
            if !orders.iter().any(|o| o.client_order_id.as_str() == ex.client_order_id) {
                report.cancelled_orders.push(Cancelled {
                    bot_id: bot.id.0,
                    client_order_id: ex.client_order_id,
                    side: ex.side,
                    price: ex.price,
                });
            }
        }
    }
    Ok(())
}

/// Appends to the bot's audit log; a failure to write it is logged, never fatal.
pub async fn record_event(
    ctx: &Ctx,
    bot: BotId,
    kind: &str,
    from: Option<BotStatus>,
    to: Option<BotStatus>,
    reason: Option<&str>,
) {
    let e = BotEvent {
        bot,
        kind: kind.to_owned(),
        from_status: from,
        to_status: to,
        reason: reason.map(str::to_owned),
        created_at: Utc::now(),
    };
    if let Err(err) = ctx.db.bot_events().record(&e).await {
        tracing::warn!(%bot, error = %err, "bot event not recorded");
    }
}
