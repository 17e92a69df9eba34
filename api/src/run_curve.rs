//! One run's equity curve, read from the database: the run (the current one, or any by its generation), its fills
//! (its client order ids' generation), the closed 1-minute candles of its pair from its start to the next run's (or
//! now), and the paper book replayed over them ([`crate::routes::equity::curve`]) — with the candle that booked each
//! fill, so that its realized P&L falls on that candle's day. Shared by the equity and the daily P&L routes.
//!
//! One clock, the market's: candles carry the exchange's time, but a run's start and a fill carry the server's. They
//! are put on the market's clock by [`MarketClock`]: the last trade the scheduler saved for the pair (its market time
//! and when it was saved) anchors the two clocks, and the market's pace (`candle_ms`: 60× on the offline simulator)
//! carries any other instant over. On Binance this is the identity give or take the stream's latency; on the simulator
//! it holds while its market plays without a pause. Without a saved trade the clocks are taken as one.

use std::collections::HashSet;

use chrono::{DateTime, Duration, DurationRound, Utc};
use gridbot_core::{ClientOrderId, Decimal, Symbol};
use gridbot_platform::db::types::{Bot, Fill, RunState};

use crate::{
    ApiContext,
    error::{ApiError, ApiResult},
    routes::equity::curve_traced,
};

/// Server instants on the market's clock: `market = anchor_market + (server − anchor_server) × 60000 / candle_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketClock {
    anchor_market: i64,
    anchor_server: i64,
    /// Real milliseconds one 1-minute candle takes (60000: the market keeps real time).
    candle_ms: i64,
}

impl MarketClock {
    /// The two clocks taken as one.
    pub const SAME: MarketClock = MarketClock { anchor_market: 0, anchor_server: 0, candle_ms: 60_000 };

    /// Anchored at a trade of market time `market_ms` seen at server time `server_ms`, the market playing a 1-minute
    /// candle in `candle_ms` real milliseconds (real time when unknown).
    pub fn anchored(market_ms: i64, server_ms: i64, candle_ms: Option<u64>) -> MarketClock {
        let candle_ms = candle_ms.and_then(|c| i64::try_from(c).ok()).filter(|c| *c > 0).unwrap_or(60_000);
        MarketClock { anchor_market: market_ms, anchor_server: server_ms, candle_ms }
    }

    /// The clock of `symbol`'s market: anchored at the trade the scheduler saved last, else the server's.
    pub async fn of(ctx: &ApiContext, symbol: &Symbol) -> ApiResult<MarketClock> {
        Ok(match ctx.db.market_marks().saved(symbol).await? {
            Some((mark, saved)) => {
                MarketClock::anchored(mark.time, saved.timestamp_millis(), ctx.config.market.candle_ms)
            }
            None => MarketClock::SAME,
        })
    }

    /// `server_ms` (UNIX ms, the server's clock) on the market's clock; saturating.
    pub fn market_ms(&self, server_ms: i64) -> i64 {
        let elapsed = i128::from(server_ms) - i128::from(self.anchor_server);
        let scaled = elapsed * 60_000 / i128::from(self.candle_ms);
        let t = i128::from(self.anchor_market) + scaled;
        i64::try_from(t).unwrap_or(if t < 0 { i64::MIN } else { i64::MAX })
    }

    /// A server instant on the market's clock, as a time.
    pub fn market_time(&self, server: DateTime<Utc>) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.market_ms(server.timestamp_millis())).unwrap_or(server)
    }
}

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
    let clock = MarketClock::of(ctx, &run.symbol).await?;
    curve_of(ctx, bot, &run, &orders, &booked, clock).await
}

/// The curve of one stored run, from the bot's orders and booked fills.
pub async fn curve_of(
    ctx: &ApiContext,
    bot: &Bot,
    run: &StoredRun,
    orders: &[gridbot_platform::db::types::Order],
    booked: &[Fill],
    clock: MarketClock,
) -> ApiResult<Option<RunCurve>> {
    let state = &run.state;
    let config = state.config.as_ref().unwrap_or(&bot.config);
    let Some(capital) = config.get("capital").and_then(|c| c.as_str()).and_then(|c| c.parse::<Decimal>().ok()) else {
        return Ok(None);
    };
    let prefix = ClientOrderId::generation_prefix(bot.id, state.generation);
    let ids: HashSet<i64> =
        orders.iter().filter(|o| o.client_order_id.as_str().starts_with(&prefix)).map(|o| o.id).collect();
    // Every instant on the market's clock, the candles'.
    let fills: Vec<Fill> = booked
        .iter()
        .filter(|f| ids.contains(&f.order_id))
        .map(|f| Fill { time: clock.market_time(f.time), ..f.clone() })
        .collect();
    let minute = |t: DateTime<Utc>| {
        let t = clock.market_time(t);
        t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
    };
    let from = minute(state.started_at);
    // Up to the candle the next run starts in (its first); the last run reads up to a year past now: a simulator's
    // market clock runs ahead of the server's.
    let to = run.ends.map_or_else(|| clock.market_time(Utc::now()) + Duration::days(366), minute);
    let candles = ctx.db.prices().range(&run.symbol, from, to).await?;
    let mut realized = Vec::new();
    let points = curve_traced(capital, (run.symbol.base(), run.symbol.quote()), &fills, &candles, |open, f| {
        if let Some(pnl) = f.pnl {
            realized.push((open, pnl));
        }
    });
    Ok(Some(RunCurve { generation: state.generation, symbol: run.symbol.clone(), capital, points, realized }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_instants_on_the_markets_clock() {
        // A trade of 12:00:00 (market) saved at 10:00:00 (server): on Binance's pace, two hours ahead everywhere.
        let (market, server) = (43_200_000, 36_000_000);
        let binance = MarketClock::anchored(market, server, Some(60_000));
        assert_eq!(binance.market_ms(server - 5_000), market - 5_000);
        // The offline simulator plays a minute a second: 5 real seconds before the anchor are 5 market minutes.
        let sim = MarketClock::anchored(market, server, Some(1_000));
        assert_eq!(sim.market_ms(server - 5_000), market - 300_000);
        assert_eq!(sim.market_ms(server + 1), market + 60);
        assert_eq!(MarketClock::SAME.market_ms(1_765_000_000_123), 1_765_000_000_123);
        assert_eq!(
            MarketClock::anchored(0, 0, Some(0)),
            MarketClock::anchored(0, 0, None),
            "an unknown pace is real time"
        );
        assert_eq!(MarketClock::anchored(i64::MAX, 0, Some(1)).market_ms(i64::MAX), i64::MAX, "saturates");
    }
}
