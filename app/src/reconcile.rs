//! `reconcile_fills` and `rebalance`: sync the bot's orders with the venue, book every fill through the engine,
//! check the risk limits, then make the resting orders equal the engine's (placing each counter-order, re-placing
//! what a crash left unsent, cancelling strays).

use gridbot_core::{BotId, Decimal, strategy::OutOfRange};
use gridbot_platform::{
    LockGuard,
    db::types::{Bot, BotChanges, BotStatus},
};

use crate::{
    Ctx, JobError,
    grid::{Resumed, Run},
};

/// Reconciles `bot_id`. Holding its `lock`, the book this worker kept after its last job of the bot is used when no
/// one held the lock since, and the book is kept again when the job succeeds.
pub(crate) async fn reconcile(
    ctx: &Ctx,
    bot_id: BotId,
    price: Option<Decimal>,
    lock: Option<&LockGuard>,
) -> Result<(), JobError> {
    let (mut run, resting) = match lock.and_then(|l| ctx.books.take(bot_id, l.previous())) {
        Some(kept) => match Run::resume(ctx, kept).await? {
            Resumed::Run(run, resting) => (*run, Some(resting)),
            Resumed::Stale(bot) => match fresh(ctx, bot).await? {
                Some(run) => (run, None),
                None => return Ok(()),
            },
        },
        None => match fresh(ctx, ctx.db.reader().bots().get(bot_id).await?).await? {
            Some(run) => (run, None),
            None => return Ok(()),
        },
    };
    match resting {
        Some(resting) => run.sync_with(resting).await?,
        None => run.sync_orders().await?,
    }
    run.book_fills().await?;
    let price = match price {
        Some(p) => p,
        None => ctx.market.price(&run.bot.symbol).await?,
    };
    if let Some(breach) = crate::risk::check(&run, price).await? {
        tracing::warn!(bot = %bot_id, reason = breach.reason, %price, "risk limit reached: stopping");
        run.save_fills().await?;
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
                run.save_fills().await?;
                drop(run);
                return crate::stop::stop(ctx, bot_id, "out_of_range", sell, None).await;
            }
            OutOfRange::Trail => {
                run.save_fills().await?;
                return trail(ctx, run, price).await;
            }
        }
    }
    // The counter-orders go out first; the fills that called for them are written right after. The paper venue may
    // have filled a counter-order already (it rests from its fill's instant): that fill is booked too. A market that
    // closed under the bot pauses placing. When nothing was placed or cancelled there is nothing new to book: what the
    // matcher fills after this job read the orders comes with a job of its own.
    for _ in 0..=run.book.engine.plan().levels.len() {
        let changed = match run.ensure_resting().await {
            Err(e) if e.market_closed => {
                run.pause(&e.message).await?;
                break;
            }
            r => r?,
        };
        if changed == 0 || run.book.engine.is_stopped() || run.book_fills().await? == 0 {
            break;
        }
    }
    run.save_fills().await?;
    if let Some(lock) = lock {
        ctx.books.keep(lock.token(), run.bot, run.book);
    }
    Ok(())
}

/// The run of `bot` rebuilt from the database; `None` when it is not running a grid.
async fn fresh<'a>(ctx: &'a Ctx, bot: Bot) -> Result<Option<Run<'a>>, JobError> {
    if bot.status != BotStatus::Running {
        tracing::debug!(bot = %bot.id, status = bot.status.as_str(), "reconcile skipped: the bot is not running");
        return Ok(None);
    }
    if crate::runtime_bot::is_runtime(&bot) {
        // A paper runtime bot has nothing resting to compare (the scheduler books its fills as they happen); a live
        // one's wanted orders are sent and their fills recorded, for the scheduler to book.
        if bot.mode == gridbot_platform::db::types::BotMode::Live {
            crate::runtime_bot::sync(ctx, &bot).await?;
        }
        return Ok(None);
    }
    Run::of(ctx, bot).await
}

/// The stop reason of a trailing move (the bot starts again at once: not a stop its user is told about).
pub(crate) const TRAILING: &str = "out_of_range: trailing the price";

/// Sells the lots, moves the range so it is centred on `price` (same width, on tick) and starts a new generation.
async fn trail(ctx: &Ctx, run: Run<'_>, price: Decimal) -> Result<(), JobError> {
    let (bot_id, mut params, filters) = (run.bot.id, run.params.clone(), run.book.run.filters.clone());
    drop(run);
    let shift = price - (params.lower_bound + params.upper_bound) / Decimal::TWO;
    params.lower_bound = filters.round_price(params.lower_bound + shift);
    params.upper_bound = filters.round_price(params.upper_bound + shift);
    tracing::info!(bot = %bot_id, %price, lower = %params.lower_bound, upper = %params.upper_bound, "price left the range: trailing");
    crate::stop::stop(ctx, bot_id, TRAILING, true, None).await?;
    let config = serde_json::to_value(&params).map_err(|e| JobError::fatal(e.to_string()))?;
    let changes = BotChanges { config: Some(config), ..Default::default() };
    if !ctx.db.bots().update_if_idle(bot_id, changes).await? {
        return Err(JobError::fatal("the bot changed state while trailing"));
    }
    if ctx.db.bots().transition(bot_id, &[BotStatus::Stopped], BotStatus::Starting, None).await? {
        ctx.db.bots().bump_generation(bot_id).await?;
        ctx.queue.push(gridbot_platform::Job::PlaceGrid { bot: bot_id }).await?;
    }
    Ok(())
}
