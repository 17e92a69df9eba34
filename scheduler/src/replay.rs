//! The price path a market-stream gap hid, read back from the exchange's REST data: the trades after the last one
//! the stream delivered, from `aggTrades` (by time to find it, then by id until caught up); for a gap longer than an
//! hour, the 1-minute klines' candle paths between an exact first and last minute of trades.

use gridbot_core::{Candle, Decimal, Symbol};
use gridbot_exchange::{AggTrade, Exchange, Result};

/// Binance's widest `aggTrades` time window is an hour; a gap longer than that is replayed from klines.
pub(crate) const HOUR_MS: i64 = 3_600_000;
pub(crate) const MINUTE_MS: i64 = 60_000;
const LIMIT: u16 = 1000;
/// At most this many pages of trades (a million) per replay; beyond, the reconcile that follows catches up.
const MAX_PAGES: usize = 1000;

/// A trade the matcher has seen: its time (ms) and its trade id (the stream's `t`, `aggTrades`' `l`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    pub time: i64,
    pub trade_id: i64,
}

/// The last price the matcher moved to, and the trade it came from when it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Last {
    pub price: Decimal,
    pub seen: Option<Seen>,
}

impl Last {
    /// Whether a live trade was already fed to the matcher (before the gap or by its replay).
    /// Trade ids grow with time, so an id at or below the last one seen was fed.
    pub fn covers(&self, trade_id: i64) -> bool {
        self.seen.is_some_and(|s| trade_id <= s.trade_id)
    }

    /// Moves to `p`, keeping the last trade seen when `p` is a candle's point.
    pub fn to(self, p: Point) -> Last {
        Last { price: p.price, seen: p.seen.or(self.seen) }
    }
}

/// One point of the missed path: a trade (with its ids) or a point of a candle's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Point {
    pub price: Decimal,
    pub seen: Option<Seen>,
}

impl From<&AggTrade> for Point {
    fn from(t: &AggTrade) -> Self {
        Point { price: t.price, seen: Some(Seen { time: t.time, trade_id: t.last_trade_id }) }
    }
}

/// The path after `seen` up to now, in order: exact trades for a gap of up to an hour (`gap_ms`), else the trades
/// of `seen`'s minute, the candle paths of the minutes after it, and the trades of the last minute onwards.
pub(crate) async fn missed(market: &dyn Exchange, symbol: &Symbol, seen: Seen, gap_ms: i64) -> Result<Vec<Point>> {
    if gap_ms <= HOUR_MS {
        return trades(market, symbol, seen.time, None, seen.trade_id).await;
    }
    let minute_end = seen.time - seen.time.rem_euclid(MINUTE_MS) + MINUTE_MS - 1;
    let mut path = trades(market, symbol, seen.time, Some(minute_end), seen.trade_id).await?;
    let candles = minutes_from(market, symbol, minute_end + 1).await?;
    let Some((tail, whole)) = candles.split_last() else { return Ok(path) };
    path.extend(whole.iter().flat_map(Candle::path).map(|price| Point { price, seen: None }));
    path.extend(trades(market, symbol, tail.open_time, None, seen.trade_id).await?);
    Ok(path)
}

/// The trades after trade id `after` from `start` on: to `until` (ms, inclusive), or until caught up when `None`.
async fn trades(
    market: &dyn Exchange,
    symbol: &Symbol,
    start: i64,
    until: Option<i64>,
    after: i64,
) -> Result<Vec<Point>> {
    let end = until.unwrap_or(i64::MAX).min(start + HOUR_MS - 1);
    let mut page = market.agg_trades(symbol, None, Some(start), Some(end), LIMIT).await?;
    let mut path = Vec::new();
    for pages in 1.. {
        let past = |t: &AggTrade| until.is_some_and(|u| t.time > u);
        path.extend(page.iter().filter(|t| !past(t) && t.last_trade_id > after).map(Point::from));
        let short = page.len() < usize::from(LIMIT);
        // A short page by id is the present; a short window is all of a bounded stretch.
        let done = (short && (pages > 1 || until.is_some())) || page.iter().any(past);
        let Some(next) = page.last().map(|t| t.id + 1).filter(|_| !done) else { break };
        if pages >= MAX_PAGES {
            tracing::warn!(symbol = %symbol.exchange_name(), pages, "gap replay stopped short: too many trades");
            break;
        }
        page = market.agg_trades(symbol, Some(next), None, None, LIMIT).await?;
    }
    Ok(path)
}

/// Every 1-minute candle from `start` on, oldest first.
pub(crate) async fn minutes_from(market: &dyn Exchange, symbol: &Symbol, mut start: i64) -> Result<Vec<Candle>> {
    let mut candles: Vec<Candle> = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = market.klines(symbol, "1m", Some(start), LIMIT).await?;
        let short = page.len() < usize::from(LIMIT);
        candles.extend(page.into_iter().filter(|c| c.open_time >= start));
        match candles.last() {
            Some(c) if !short => start = c.open_time + MINUTE_MS,
            _ => break,
        }
    }
    Ok(candles)
}

#[cfg(test)]
#[path = "replay_tests.rs"]
mod tests;
