//! One run's equity curve, read from the database: the run (the current one, or any by its generation), its fills
//! (its client order ids' generation), the closed 1-minute candles of its pair from its start to the next run's (or
//! now), and the paper book replayed over them ([`crate::routes::equity::curve`]) — with the candle that booked each
//! fill, so that its realized P&L falls on that candle's day. Shared by the equity and the daily P&L routes.

use std::collections::HashSet;

use chrono::{DateTime, Duration, DurationRound, Utc};
use gridbot_core::{ClientOrderId, Decimal, Symbol};
use gridbot_platform::db::types::{Bot, Fill, RunState};

use crate::{
    ApiContext,
    error::{ApiError, ApiResult},
    routes::equity::curve_traced,
};

/// The most runs read for one bot (as `GET /api/bots/{id}/runs` lists them).
pub const MAX_RUNS: u64 = 100;

/// A run's equity at each closed candle, and the P&L each fill realized by the candle that booked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCurve {
    pub generation: u32,
    pub symbol: Symbol,
    pub capital: Decimal,
    /// `(candle open time ms, equity at its close)`, oldest first.
    pub points: Vec<(i64, Decimal)>,
    /// `(open time ms of the candle that booked the fill, the P&L it realized)`.
    pub realized: Vec<(i64, Decimal)>,
}

/// A bot's run as stored: the current one from the bot, the others from `bot_runs`; the start of the next run (none
/// for the last).
#[derive(Debug, Clone)]
pub struct StoredRun {
    pub symbol: Symbol,
    pub state: RunState,
    pub ends: Option<DateTime<Utc>>,
}

/// Every run of `bot` (at most [`MAX_RUNS`], the newest), oldest first, each with when the next one started.
pub async fn runs_of(ctx: &ApiContext, bot: &Bot) -> ApiResult<Vec<StoredRun>> {
    let mut runs: Vec<(Symbol, RunState)> =
        ctx.db.runs().list_for_bot(bot.id, MAX_RUNS).await?.into_iter().map(|r| (r.symbol, r.state)).collect();
    // A run started before runs were archived has only the bot's run state.
    if let Some(current) = RunState::from_bot(bot).ok().flatten()
        && runs.iter().all(|(_, s)| s.generation != current.generation)
    {
        runs.push((bot.symbol.clone(), current));
    }
    runs.sort_by_key(|(_, s)| s.generation);
    let starts: Vec<DateTime<Utc>> = runs.iter().map(|(_, s)| s.started_at).collect();
    Ok(runs
        .into_iter()
        .enumerate()
        .map(|(i, (symbol, state))| StoredRun { symbol, state, ends: starts.get(i + 1).copied() })
        .collect())
}

/// The run `generation` of `bot` (its current run when `None`): `None` when the bot never ran or the run's capital is
/// unreadable; a 404 for a generation it does not have.
pub async fn load(ctx: &ApiContext, bot: &Bot, generation: Option<u32>) -> ApiResult<Option<RunCurve>> {
    let runs = runs_of(ctx, bot).await?;
    let current = RunState::from_bot(bot).ok().flatten().map(|r| r.generation);
    let Some(wanted) = generation.or(current) else { return Ok(None) };
    let Some(run) = runs.into_iter().find(|r| r.state.generation == wanted) else {
        return Err(ApiError::NotFound(format!("bot {} has no run {wanted}", bot.id.0)));
    };
    let orders = ctx.db.orders().list_for_bot(bot.id).await?;
    let booked = ctx.db.fills().booked(bot.id).await?;
    Ok(curve_of(ctx, bot, &run, &orders, &booked).await?)
}

/// The curve of one stored run, from the bot's orders and booked fills.
pub async fn curve_of(
    ctx: &ApiContext,
    bot: &Bot,
    run: &StoredRun,
    orders: &[gridbot_platform::db::types::Order],
    booked: &[Fill],
) -> ApiResult<Option<RunCurve>> {
    let state = &run.state;
    let config = state.config.as_ref().unwrap_or(&bot.config);
    let Some(capital) = config.get("capital").and_then(|c| c.as_str()).and_then(|c| c.parse::<Decimal>().ok()) else {
        return Ok(None);
    };
    let prefix = ClientOrderId::generation_prefix(bot.id, state.generation);
    let ids: HashSet<i64> =
        orders.iter().filter(|o| o.client_order_id.as_str().starts_with(&prefix)).map(|o| o.id).collect();
    let fills: Vec<Fill> = booked.iter().filter(|f| ids.contains(&f.order_id)).cloned().collect();
    let minute = |t: DateTime<Utc>| t.duration_trunc(Duration::minutes(1)).unwrap_or(t);
    let from = minute(state.started_at);
    // Up to the candle the next run starts in (its first); the last run reads up to a year past now: a simulator's
    // market clock runs ahead of the server's.
    let to = run.ends.map_or_else(|| Utc::now() + Duration::days(366), minute);
    let candles = ctx.db.prices().range(&run.symbol, from, to).await?;
    let mut realized = Vec::new();
    let points = curve_traced(capital, (run.symbol.base(), run.symbol.quote()), &fills, &candles, |open, f| {
        if let Some(pnl) = f.pnl {
            realized.push((open, pnl));
        }
    });
    Ok(Some(RunCurve { generation: state.generation, symbol: run.symbol.clone(), capital, points, realized }))
}
