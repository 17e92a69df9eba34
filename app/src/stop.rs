//! `stop_bot`: book what filled, cancel every resting order of the bot, sell the base it holds when asked (a stop
//! loss, a take profit, the daily limit, or `sell_on_stop`), and mark it stopped with the reason.

use gridbot_core::{BotId, ClientOrderId, Decimal, Side};
use gridbot_exchange::OrderType;
use gridbot_platform::{
    BotChange, Event,
    book::RunStop,
    db::types::{BotStatus, OrderStatus},
};

use crate::{Ctx, JobError, grid::Run};

const STOPPABLE: [BotStatus; 4] = [BotStatus::Starting, BotStatus::Running, BotStatus::Error, BotStatus::Stopping];

pub(crate) async fn stop(
    ctx: &Ctx,
    bot_id: BotId,
    reason: &str,
    sell: bool,
    price: Option<Decimal>,
) -> Result<(), JobError> {
    let bot = ctx.db.bots().get(bot_id).await?;
    if bot.status == BotStatus::Stopped {
        return Ok(());
    }
    if crate::runtime_bot::is_runtime(&bot) {
        return crate::runtime_bot::stop(ctx, &bot, reason, sell).await;
    }
    if bot.status != BotStatus::Stopping {
        ctx.db.bots().transition(bot_id, &STOPPABLE, BotStatus::Stopping, Some(reason)).await?;
        crate::commands::record_event(
            ctx,
            bot_id,
            "stopping",
            Some(bot.status),
            Some(BotStatus::Stopping),
            Some(reason),
        )
        .await;
    }
    if let Some(mut run) = Run::load(ctx, bot_id).await? {
        run.sync_orders().await?;
        run.book_fills().await?;
        let resting: Vec<_> = run
            .book
            .orders
            .iter()
            .filter(|o| o.level.is_some() && OrderStatus::LIVE.contains(&o.status))
            .cloned()
            .collect();
        for o in &resting {
            run.venue.cancel(&ctx.db, &run.bot, o).await?;
        }
        // Anything that filled before the cancel landed is booked too.
        run.reload().await?;
        run.book_fills().await?;
        run.save_fills().await?;
        // The lots are sold; the carry of fees in base (less than a step) stays.
        let held = run.book.engine.lots_base();
        if sell && held > Decimal::ZERO && !run.book.engine.is_stopped() {
            let hint = match price {
                Some(p) => p,
                None => ctx.market.price(&run.bot.symbol).await?,
            };
            let id = ClientOrderId::stop(bot_id, run.generation());
            let o = run.ensure_order(id, Side::Sell, None, hint, held, OrderType::Market).await?;
            if o.status != OrderStatus::Filled {
                return Err(JobError::retry(format!("stop sale {} is {}", o.client_order_id, o.status.as_str())));
            }
            let sold_at = o.avg_fill_price.map(|p| p.get()).unwrap_or(hint);
            let mut state = run.book.run.clone();
            state.stop = Some(RunStop { reason: reason.to_owned(), price: sold_at });
            ctx.db.bots().set_run_state(bot_id, &state).await?;
            run.reload().await?;
            if let Some(b) = run.book.engine.ledger().stop().cloned() {
                run.record_market_fill(&o, Some(b.profit)).await?;
            }
            tracing::info!(bot = %bot_id, qty = %held, price = %sold_at, "lots sold at the stop");
        }
        run.publish(BotChange::Orders).await;
    }
    if ctx.db.bots().transition(bot_id, &[BotStatus::Stopping], BotStatus::Stopped, Some(reason)).await? {
        crate::notify::stopped(ctx, &bot, reason);
    }
    crate::commands::record_event(
        ctx,
        bot_id,
        "stopped",
        Some(BotStatus::Stopping),
        Some(BotStatus::Stopped),
        Some(reason),
    )
    .await;
    ctx.events.publish(Event::Bot { bot_id, change: BotChange::Status }).await;
    Ok(())
}
