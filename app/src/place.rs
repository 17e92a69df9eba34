//! `place_grid`: validate the grid against the symbol's filters, record how it starts, buy the initial inventory,
//! place every grid order, mark the bot running — paused, placing nothing, while its symbol is not trading.

use chrono::Utc;
use gridbot_core::{BotId, ClientOrderId, GridEngine};
use gridbot_exchange::OrderType;
use gridbot_platform::{
    BotChange,
    book::RunState,
    db::types::{BotStatus, OrderStatus},
};

use crate::{Ctx, JobError, grid::Run};

pub(crate) async fn place_grid(ctx: &Ctx, bot_id: BotId) -> Result<(), JobError> {
    let bot = ctx.db.bots().get(bot_id).await?;
    match bot.status {
        BotStatus::Starting => {}
        BotStatus::Running => return crate::reconcile::reconcile(ctx, bot_id, None, None).await,
        other => {
            tracing::info!(bot = %bot_id, status = other.as_str(), "place_grid skipped: the bot is not starting");
            return Ok(());
        }
    }
    if crate::runtime_bot::is_runtime(&bot) {
        return crate::runtime_bot::start(ctx, &bot).await;
    }
    let fresh = RunState::from_bot(&bot)?.filter(|r| r.generation == bot.generation);
    let mut closed = None;
    if fresh.is_none() {
        let params = crate::grid::params(&bot)?;
        let config = params.to_config()?;
        let info = ctx.market.symbol_info(&bot.symbol).await?;
        if info.status != "TRADING" {
            closed = Some(format!("market closed: {} is {}: new orders are refused", bot.symbol.pair(), info.status));
        }
        let price = ctx.market.price(&bot.symbol).await?;
        let engine = GridEngine::start(&config, &info.filters, price)?;
        validate(&engine, &info.filters)?;
        let run = RunState {
            start_price: price,
            filters: info.filters.clone(),
            generation: bot.generation,
            started_at: Utc::now(),
            fee_asset: config.fee_asset(),
            config: Some(serde_json::to_value(&params).map_err(|e| JobError::fatal(e.to_string()))?),
            stop: None,
        };
        ctx.db.bots().set_run_state(bot_id, &run).await?;
        tracing::info!(bot = %bot_id, %price, levels = engine.plan().levels.len(), qty = %engine.plan().qty, "grid planned");
    }
    let mut run = Run::load(ctx, bot_id).await?.ok_or_else(|| JobError::fatal("run state missing"))?;
    if closed.is_none() {
        match start(&mut run).await {
            Err(e) if e.market_closed => closed = Some(e.message),
            r => r?,
        }
    }
    let notice = closed.as_deref().map(crate::rules::paused_notice);
    if ctx.db.bots().transition(bot_id, &[BotStatus::Starting], BotStatus::Running, notice.as_deref()).await? {
        crate::commands::record_event(
            ctx,
            bot_id,
            "started",
            Some(BotStatus::Starting),
            Some(BotStatus::Running),
            None,
        )
        .await;
        if let Some(notice) = &notice {
            tracing::warn!(bot = %bot_id, reason = notice, "the symbol is not trading: started paused");
            crate::commands::record_event(ctx, bot_id, "paused", None, None, Some(notice)).await;
        }
    }
    run.publish(BotChange::Status).await;
    Ok(())
}

/// Buys the initial inventory and places every grid order.
async fn start(run: &mut Run<'_>) -> Result<(), JobError> {
    initial_buy(run).await?;
    run.ensure_resting().await?;
    Ok(())
}

/// The initial inventory's market buy, once (a retried job finds it done).
pub(crate) async fn initial_buy(run: &mut Run<'_>) -> Result<(), JobError> {
    if let Some(buy) = run.book.engine.initial_buy() {
        let id = ClientOrderId::initial(run.bot.id, run.generation());
        let o = run.ensure_order(id, buy.side, None, buy.price, buy.qty, OrderType::Market).await?;
        if o.status != OrderStatus::Filled {
            return Err(JobError::retry(format!("initial buy {} is {}", o.client_order_id, o.status.as_str())));
        }
        run.record_market_fill(&o, None).await?;
    }
    Ok(())
}

/// Every order of the grid must pass the symbol's filters, and the grid must fit the open-order limit.
fn validate(engine: &GridEngine, filters: &gridbot_core::SymbolFilters) -> Result<(), JobError> {
    let orders = engine.resting_orders();
    if orders.len() as u64 > u64::from(filters.max_num_orders) {
        return Err(JobError::fatal(format!(
            "the grid needs {} open orders; the symbol allows {} (MAX_NUM_ORDERS)",
            orders.len(),
            filters.max_num_orders
        )));
    }
    for o in orders.iter().chain(engine.initial_buy().iter()) {
        let check = match o.kind {
            gridbot_core::engine::OrderKind::Limit => filters.check_order(o.price, o.qty),
            gridbot_core::engine::OrderKind::Market => filters.check_qty(o.qty),
        };
        check.map_err(|reason| {
            JobError::fatal(format!("{} of {} at {} fails the exchange filters: {reason}", o.side, o.qty, o.price))
        })?;
    }
    Ok(())
}
