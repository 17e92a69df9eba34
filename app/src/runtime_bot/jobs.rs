//! A runtime bot's start and stop jobs.

use chrono::Utc;
use gridbot_core::{Decimal, strategy::Registry};
use gridbot_platform::{
    BotChange, Event,
    book::RunState,
    db::types::{Bot, BotMode, BotStatus},
};

use super::{RuntimeBot, live, paper_fees, stored};
use crate::{Ctx, JobError};

/// The start job of a runtime bot: its run recorded (filters, start price), the runtime warmed up on the closes
/// before now, its first snapshot saved, the bot running.
pub(crate) async fn start(ctx: &Ctx, bot: &Bot) -> Result<(), JobError> {
    let registry = Registry::default();
    if bot.mode == BotMode::Live && registry.info(&bot.strategy).is_some_and(|i| !i.live) {
        return Err(JobError::fatal(format!("{} bots run on paper only, for now", bot.strategy)));
    }
    let fresh = RunState::from_bot(bot)?.filter(|r| r.generation == bot.generation);
    if fresh.is_none() {
        let info = ctx.market.symbol_info(&bot.symbol).await?;
        let price = ctx.market.price(&bot.symbol).await?;
        let mut runtime = registry.runtime(&bot.strategy, &bot.config, &info.filters, price, None)?;
        let want = runtime.warm_up_candles();
        let mut last_close = i64::MIN;
        if want > 0 {
            let limit = u16::try_from(want + 1).unwrap_or(u16::MAX);
            let mut candles = ctx.market.klines(&bot.symbol, "1m", None, limit).await?;
            // The newest candle is still forming: it closes on the stream.
            candles.pop();
            let closes: Vec<Decimal> = candles.iter().map(|c| c.close).collect();
            runtime.warm_up(&closes)?;
            last_close = candles.last().map_or(i64::MIN, |c| c.open_time);
        }
        let run = RunState {
            start_price: price,
            filters: info.filters.clone(),
            generation: bot.generation,
            started_at: Utc::now(),
            fee_asset: paper_fees(&bot.config).asset,
            config: Some(bot.config.clone()),
            stop: None,
        };
        ctx.db.strategy_states().start(bot.id, bot.generation, &stored(runtime.as_ref(), last_close)?).await?;
        ctx.db.bots().set_run_state(bot.id, &run).await?;
        tracing::info!(bot = %bot.id, strategy = %bot.strategy, %price, warm_up = want, "runtime started");
    }
    if ctx.db.bots().transition(bot.id, &[BotStatus::Starting], BotStatus::Running, None).await? {
        crate::commands::record_event(
            ctx,
            bot.id,
            "started",
            Some(BotStatus::Starting),
            Some(BotStatus::Running),
            None,
        )
        .await;
    }
    ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Status }).await;
    Ok(())
}

/// The stop job of a runtime bot: with `sell`, the runtime closes out what it holds at the market's price — on paper
/// booked at once, live sold at market, the fill recorded and booked as charged — and the bot is stopped with
/// `reason`. (Its orders are market orders, filled as they are sent: nothing rests to cancel.)
pub(crate) async fn stop(ctx: &Ctx, bot: &Bot, reason: &str, sell: bool) -> Result<(), JobError> {
    if bot.status == BotStatus::Stopped {
        return Ok(());
    }
    let stoppable = [BotStatus::Starting, BotStatus::Running, BotStatus::Error, BotStatus::Stopping];
    ctx.db.bots().transition(bot.id, &stoppable, BotStatus::Stopping, Some(reason)).await?;
    // The scheduler lets go of the runtime: from here this job is its only writer.
    ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Status }).await;
    let stopping = Bot { status: BotStatus::Stopping, ..bot.clone() };
    if let Some(mut rb) = RuntimeBot::load(&ctx.db, &stopping).await? {
        if bot.mode == BotMode::Live {
            // What an earlier attempt, or the scheduler's last decision, left at the exchange is booked first.
            live::place_wanted(ctx, &stopping, &rb).await?;
            live::book_and_save(ctx, &mut rb).await?;
        }
        let held = rb.runtime.position().is_some();
        if sell && held {
            let price = ctx.market.price(&bot.symbol).await?;
            let before = rb.realized()?;
            let booked = rb.runtime.close_out(price, rb.venue())?;
            let record = rb.record(booked, before, price)?;
            record.save(ctx, bot.id, rb.generation).await?;
            if bot.mode == BotMode::Live {
                live::place_wanted(ctx, &stopping, &rb).await?;
                live::book_and_save(ctx, &mut rb).await?;
            }
            let mut state = RunState::from_bot(bot)?.ok_or_else(|| JobError::fatal("run state missing"))?;
            state.stop = Some(gridbot_platform::book::RunStop { reason: reason.to_owned(), price });
            ctx.db.bots().set_run_state(bot.id, &state).await?;
            tracing::info!(bot = %bot.id, %price, "position sold at the stop");
        }
    }
    if ctx.db.bots().transition(bot.id, &[BotStatus::Stopping], BotStatus::Stopped, Some(reason)).await? {
        crate::notify::stopped(ctx, bot, reason);
    }
    crate::commands::record_event(ctx, bot.id, "stopped", Some(bot.status), Some(BotStatus::Stopped), Some(reason))
        .await;
    ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Status }).await;
    Ok(())
}
