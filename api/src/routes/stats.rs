//! `GET /api/bots/{id}/stats`: the bot's current run rebuilt from the database ([`GridBook`]; another strategy's
//! from its runtime's snapshot) and valued at the market's last price; before any run, zeros and the grid it would
//! place now.

use axum::{
    Json,
    extract::{Path, State},
};
use chrono::{DateTime, Duration, Utc};
use gridbot_app::runtime_bot::{RuntimeBot, is_runtime};
use gridbot_core::{Decimal, GridConfig, GridEngine, engine::LevelState, levels::grid_levels, strategy::GridParams};
use gridbot_platform::{
    DbError,
    book::{GridBook, RunState},
    db::types::{Bot, BotStatus, OrderStatus},
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext, auth::AuthUser, error::ApiResult, openapi::ErrorBody, returns::returns, routes::bots::read_bot,
    views::dec,
};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(stats))
}

/// The contract's Stats. Ratios (`win_rate`, `max_drawdown`) are fractions.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatsOut {
    pub realized_pnl: String,
    pub unrealized_pnl: String,
    pub fees_paid: String,
    pub orders_filled: u64,
    pub round_trips: u64,
    pub win_rate: Option<String>,
    pub max_drawdown: String,
    /// Realized P&L of every fill since 00:00 UTC, of every run, plus the current run's unrealized P&L now: what
    /// the daily loss limit watches.
    pub pnl_today: String,
    pub avg_profit: Option<String>,
    /// The round trips' profit (= `realized_pnl`).
    pub grid_profit: String,
    /// The held lots' value change (= `unrealized_pnl`).
    pub inventory_pnl: String,
    pub equity: String,
    /// Null when the exchange cannot be reached.
    pub last_price: Option<String>,
    /// "0" when the grid cannot be sized at the current price.
    pub qty_per_level: String,
    pub open_orders: usize,
    pub total_orders: usize,
    pub stop_loss_price: Option<String>,
    pub take_profit_price: Option<String>,
    /// Every level, lowest first (none for a strategy without levels).
    pub levels: Vec<LevelOut>,
    /// The position held, for a strategy that holds one at a time (mean reversion); null when flat or for the grid.
    pub position: Option<PositionOut>,
    /// When the current run started; null before a run.
    pub started_at: Option<DateTime<Utc>>,
    /// Seconds from `started_at` to now (to the stop, for a stopped or failed bot); null before a run.
    pub running_secs: Option<i64>,
    /// `realized_pnl + unrealized_pnl`.
    pub total_pnl: String,
    /// `total_pnl / capital`, a fraction (8 places); null before a run or without a capital.
    pub total_pnl_pct: Option<String>,
    /// `realized_pnl / capital`, annualized over `running_secs` (a fraction: "0.5" = 50 % a year); null under a
    /// minute of running, before a run, or on overflow.
    pub grid_apr: Option<String>,
    /// The same with `total_pnl`.
    pub total_apr: Option<String>,
    /// Round trips (fills that closed a lot, with a P&L) in the last 24 hours, over every run.
    pub round_trips_24h: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PositionOut {
    pub qty: String,
    pub entry_price: String,
    pub stop_price: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LevelOut {
    pub index: usize,
    pub price: String,
    /// `buy`, `sell` or `empty`.
    pub state: &'static str,
}

#[utoipa::path(get, path = "/api/bots/{id}/stats", operation_id = "bot_stats", tag = "bots", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = StatsOut), (status = 404, body = ErrorBody)))]
async fn stats(State(ctx): State<ApiContext>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<StatsOut>> {
    let bot = read_bot(&ctx, user, &id).await?;
    Ok(Json(bot_stats(&ctx, &bot, true).await?))
}

/// The stats of `bot` now; its book from the cache when `cached` (a stream reacting to an event reads it afresh).
pub async fn bot_stats(ctx: &ApiContext, bot: &Bot, cached: bool) -> ApiResult<StatsOut> {
    let last_price = match ctx.market.price(ctx.exchange.as_ref(), &bot.symbol).await {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::debug!(bot_id = bot.id.0, error = %e, "no price for the stats");
            None
        }
    };
    let (mut out, run) = match is_runtime(bot) {
        true => runtime_stats(ctx, bot, last_price).await?,
        false => grid_stats(ctx, bot, last_price, cached).await?,
    };
    add_returns(ctx, bot, run.as_ref(), &mut out).await?;
    Ok(out)
}

/// A grid bot's stats, with the run they describe (none before a run).
async fn grid_stats(
    ctx: &ApiContext,
    bot: &Bot,
    last_price: Option<Decimal>,
    cached: bool,
) -> ApiResult<(StatsOut, Option<RunState>)> {
    let book = match cached {
        true => ctx.bots.book(&ctx.db, bot).await,
        false => GridBook::load(&ctx.db, bot).await.map(|b| b.map(std::sync::Arc::new)),
    };
    match readable(bot, book)? {
        Some(book) => {
            let realized_today = gridbot_app::risk::realized_today(&ctx.db, bot.id, &[]).await?;
            Ok((running(&book, last_price, realized_today), Some(book.run.clone())))
        }
        None => Ok((planned(ctx, bot, stored_config(bot).ok().as_ref(), last_price).await, None)),
    }
}

/// Fills in the run's time, total P&L and APRs from the figures already in `out`, and the last 24 hours' round
/// trips.
async fn add_returns(ctx: &ApiContext, bot: &Bot, run: Option<&RunState>, out: &mut StatsOut) -> ApiResult<()> {
    let now = Utc::now();
    let started_at = run.map(|r| r.started_at);
    // A stopped bot's last change is its stop (a change of its config ends the run: no run then).
    let stopped = matches!(bot.status, BotStatus::Stopped | BotStatus::Error);
    let until = |start: DateTime<Utc>| if stopped && bot.updated_at >= start { bot.updated_at } else { now };
    let running_secs = started_at.map(|s| (until(s) - s).num_seconds().max(0));
    let config = run.and_then(|r| r.config.as_ref()).unwrap_or(&bot.config);
    let capital = config.get("capital").and_then(|c| c.as_str()).and_then(|c| c.parse::<Decimal>().ok());
    // The figures `out` was just given, read back exactly (normalized decimal strings).
    let figure = |s: &str| s.parse::<Decimal>().unwrap_or_default();
    let r = returns(figure(&out.realized_pnl), figure(&out.unrealized_pnl), capital, running_secs);
    out.started_at = started_at;
    out.running_secs = running_secs;
    out.total_pnl = dec(r.total_pnl);
    out.total_pnl_pct = r.total_pnl_pct.filter(|_| run.is_some()).map(dec);
    out.grid_apr = r.grid_apr.map(dec);
    out.total_apr = r.total_apr.map(dec);
    out.round_trips_24h = ctx.db.fills().closed_since(bot.id, now - Duration::hours(24)).await?;
    Ok(())
}

/// A run's book, or `None` when its stored state cannot be rebuilt any more (logged): a read then shows the bot as
/// not started instead of failing. Only a database that does not answer is an error.
pub fn readable<B>(bot: &Bot, book: Result<Option<B>, DbError>) -> ApiResult<Option<B>> {
    match book {
        Err(e @ DbError::Invalid { .. }) => {
            tracing::warn!(bot_id = bot.id.0, error = %e, "the bot's run cannot be rebuilt; read as not started");
            Ok(None)
        }
        other => Ok(other?),
    }
}

/// The bot's stored config, validated. It was when stored; it fails only for a config saved before a rule tightened
/// (then the bot must be edited before it starts again).
pub fn stored_config(bot: &Bot) -> Result<GridConfig, String> {
    let params: GridParams = serde_json::from_value(bot.config.clone()).map_err(|e| e.to_string())?;
    params.to_config().map_err(|e| e.to_string())
}

/// `realized_today`: every run's fills since 00:00 UTC ([`gridbot_app::risk::realized_today`]).
fn running(book: &GridBook, last_price: Option<Decimal>, realized_today: Decimal) -> StatsOut {
    let engine = &book.engine;
    let mark = last_price.or_else(|| book.fills.last().map(|f| f.price.get())).unwrap_or(book.run.start_price);
    let s = engine.summary(mark);
    let plan = engine.plan();
    let levels = level_list(&plan.levels, &engine.level_states());
    StatsOut {
        realized_pnl: dec(s.realized_pnl),
        unrealized_pnl: dec(s.unrealized_pnl),
        fees_paid: dec(s.fees_paid),
        orders_filled: s.orders_filled,
        round_trips: s.round_trips,
        win_rate: s.win_rate.map(|w| dec(w.round_dp(4))),
        max_drawdown: dec(s.max_drawdown.round_dp(6)),
        pnl_today: dec(gridbot_app::risk::pnl_today(realized_today, book, mark)),
        avg_profit: s.avg_profit.map(dec),
        grid_profit: dec(s.realized_pnl),
        inventory_pnl: dec(s.unrealized_pnl),
        equity: dec(s.final_equity),
        last_price: last_price.map(dec),
        qty_per_level: dec(plan.qty),
        open_orders: book.orders.iter().filter(|o| o.level.is_some() && OrderStatus::LIVE.contains(&o.status)).count(),
        // N of "open orders n/N": a grid of L levels rests L - 1 orders.
        total_orders: book.engine.plan().levels.len().saturating_sub(1),
        stop_loss_price: plan.stop_loss_price.map(dec),
        take_profit_price: plan.take_profit_price.map(dec),
        levels,
        position: None,
        started_at: None,
        running_secs: None,
        total_pnl: "0".to_owned(),
        total_pnl_pct: None,
        grid_apr: None,
        total_apr: None,
        round_trips_24h: 0,
    }
}

/// The stats of a bot of another strategy than the grid, from its runtime's snapshot (zeros before its first run).
async fn runtime_stats(
    ctx: &ApiContext,
    bot: &Bot,
    last_price: Option<Decimal>,
) -> ApiResult<(StatsOut, Option<RunState>)> {
    let zero = || "0".to_owned();
    let Some(rb) = readable(bot, RuntimeBot::load(&ctx.db, bot).await)? else {
        let mut out = empty(None, last_price);
        out.equity = bot.config.get("capital").and_then(|c| c.as_str()).map_or_else(zero, str::to_owned);
        return Ok((out, None));
    };
    let run = RunState::from_bot(bot)?;
    let stop = run.as_ref().and_then(|r| r.stop.as_ref()).map(|s| s.price);
    let mark = stop.or(last_price).or(run.as_ref().map(|r| r.start_price)).unwrap_or(Decimal::ONE);
    let runtime = rb.runtime();
    let s = runtime.summary(mark).map_err(crate::error::ApiError::from)?;
    let realized_today = gridbot_app::risk::realized_today(&ctx.db, bot.id, &[]).await?;
    let mut out = empty(None, last_price);
    out.realized_pnl = dec(s.realized_pnl);
    out.unrealized_pnl = dec(s.unrealized_pnl);
    out.fees_paid = dec(s.fees_paid);
    out.orders_filled = s.orders_filled;
    out.round_trips = s.round_trips;
    out.win_rate = s.win_rate.map(|w| dec(w.round_dp(4)));
    out.max_drawdown = dec(s.max_drawdown.round_dp(6));
    out.pnl_today = dec(realized_today + s.unrealized_pnl);
    out.avg_profit = s.avg_profit.map(dec);
    out.grid_profit = dec(s.realized_pnl);
    out.inventory_pnl = dec(s.unrealized_pnl);
    out.equity = dec(s.final_equity);
    out.stop_loss_price = runtime.position().and_then(|p| p.stop_price).map(dec);
    out.position = runtime.position().map(|p| PositionOut {
        qty: dec(p.qty),
        entry_price: dec(p.entry_price),
        stop_price: p.stop_price.map(dec),
    });
    Ok((out, run))
}

/// Before any run: zeros, and the grid as it would start at `price` (every level `empty` when it cannot start there;
/// none when the stored config no longer validates).
async fn planned(ctx: &ApiContext, bot: &Bot, config: Option<&GridConfig>, price: Option<Decimal>) -> StatsOut {
    let mut out = empty(config, price);
    let Some(config) = config else { return out };
    let Ok(info) = ctx.market.symbol_info(ctx.exchange.as_ref(), &bot.symbol).await else { return out };
    let filters = &info.filters;
    if let Some(engine) = price.and_then(|p| GridEngine::start(config, filters, p).ok()) {
        out.levels = level_list(&engine.plan().levels, &engine.level_states());
        out.qty_per_level = dec(engine.plan().qty);
    } else if let Ok(levels) =
        grid_levels(config.lower(), config.upper(), config.levels(), config.spacing(), filters.tick_size)
    {
        out.levels = level_list(&levels, &vec![LevelState::Empty; levels.len()]);
    }
    out
}

/// Zeros: a bot before its first run (a grid's `config` gives its capital and stop prices).
fn empty(config: Option<&GridConfig>, price: Option<Decimal>) -> StatsOut {
    let zero = || "0".to_owned();
    StatsOut {
        realized_pnl: zero(),
        unrealized_pnl: zero(),
        fees_paid: zero(),
        orders_filled: 0,
        round_trips: 0,
        win_rate: None,
        max_drawdown: zero(),
        pnl_today: zero(),
        avg_profit: None,
        grid_profit: zero(),
        inventory_pnl: zero(),
        equity: config.map_or_else(zero, |c| dec(c.capital())),
        last_price: price.map(dec),
        qty_per_level: zero(),
        open_orders: 0,
        total_orders: 0,
        stop_loss_price: config.and_then(GridConfig::stop_loss_price).map(dec),
        take_profit_price: config.and_then(GridConfig::take_profit_price).map(dec),
        levels: Vec::new(),
        position: None,
        started_at: None,
        running_secs: None,
        total_pnl: zero(),
        total_pnl_pct: None,
        grid_apr: None,
        total_apr: None,
        round_trips_24h: 0,
    }
}

fn level_list(prices: &[Decimal], states: &[LevelState]) -> Vec<LevelOut> {
    prices
        .iter()
        .zip(states)
        .enumerate()
        .map(|(index, (p, s))| LevelOut {
            index,
            price: dec(*p),
            state: match s {
                LevelState::Buy => "buy",
                LevelState::Sell => "sell",
                LevelState::Empty => "empty",
            },
        })
        .collect()
}
