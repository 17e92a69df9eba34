//! `reconcile_fills` and `rebalance`: sync the bot's orders with the venue, book every fill through the engine,
//! check the risk limits, then make the resting orders equal the engine's (placing each counter-order, re-placing
//! what a crash left unsent, cancelling strays).

use gridbot_core::{BotId, Decimal, strategy::OutOfRange};
use gridbot_platform::db::types::{BotChanges, BotStatus};

use crate::{Ctx, JobError, grid::Run};

pub(crate) async fn reconcile(ctx: &Ctx, bot_id: BotId, price: Option<Decimal>) -> Result<(), JobError> {
    let bot = ctx.db.bots().get(bot_id).await?;
    if bot.status != BotStatus::Running {
        tracing::debug!(bot = %bot_id, status = bot.status.as_str(), "reconcile skipped: the bot is not running");
        return Ok(());
    }
    let Some(mut run) = Run::of(ctx, bot).await? else { return Ok(()) };
    run.sync_orders().await?;
    run.book_fills().await?;
    let price = match price {
        Some(p) => p,
        None => ctx.market.price(&run.bot.symbol).await?,
    };
    if let Some(breach) = crate::risk::check(&run, price).await? {
        tracing::warn!(bot = %bot_id, reason = breach.reason, %price, "risk limit reached: stopping");
        drop(run);
        return crate::stop::stop(ctx, bot_id, breach.reason, true, breach.price).await;
    }
    let plan = run.book.engine.plan();
    let (low, high) = (plan.levels[0], plan.levels[plan.levels.len() - 1]);
    if price < low || price > high {
        match run.params.out_of_range {
            OutOfRange::Hold => {}
            OutOfRange::Stop => {
                let sell = run.params.sell_on_stop;
                drop(run);
                return crate::stop::stop(ctx, bot_id, "out_of_range", sell, None).await;
            }
            OutOfRange::Trail => return trail(ctx, run, price).await,
        }
    }
    run.ensure_resting().await?;
    Ok(())
}

/// Sells the lots, moves the range so it is centred on `price` (same width, on tick) and starts a new generation.
async fn trail(ctx: &Ctx, run: Run<'_>, price: Decimal) -> Result<(), JobError> {
    let (bot_id, mut params, filters) = (run.bot.id, run.params.clone(), run.book.run.filters.clone());
    drop(run);
    let shift = price - (params.lower_bound + params.upper_bound) / Decimal::TWO;
    params.lower_bound = filters.round_price(params.lower_bound + shift);
    params.upper_bound = filters.round_price(params.upper_bound + shift);
    tracing::info!(bot = %bot_id, %price, lower = %params.lower_bound, upper = %params.upper_bound, "price left the range: trailing");
    crate::stop::stop(ctx, bot_id, "out_of_range: trailing the price", true, None).await?;
    let config = serde_json::to_value(&params).map_err(|e| JobError::fatal(e.to_string()))?;
    let changes = BotChanges { config: Some(config), ..Default::default() };
    if !ctx.db.bots().update_if_idle(bot_id, changes).await? {
        return Err(JobError::fatal("the bot changed state while trailing"));
    }
    if ctx.db.bots().transition(bot_id, &[BotStatus::Stopped], BotStatus::Starting, None).await? {
        ctx.db.bots().bump_generation(bot_id).await?;
        ctx.queue.push(gridbot_platform::Job::PlaceGrid { bot: bot_id.0 }).await?;
    }
    Ok(())
}
