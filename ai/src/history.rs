//! The advisor's market: the symbol's filters from the exchange and its last 30 days of 1-minute candles from the
//! `prices` table, topped up with klines from the exchange when the table lacks some (missing, stale or patchy),
//! the fetched closed candles stored back so the next request reads them locally.

use std::collections::BTreeMap;

use chrono::DateTime;
use gridbot_core::{Candle, Candles, Symbol};
use gridbot_exchange::{Exchange, ExchangeError};
use gridbot_platform::Db;

use crate::{
    error::AdvisorError,
    snapshot::{DAY_MS, Market},
};

pub const SPAN_MS: i64 = 30 * DAY_MS;
const MINUTE_MS: i64 = 60_000;
const PAGE: u16 = 1000;
/// 30 days are 44 pages of 1000.
const MAX_PAGES: usize = 50;
/// Rows per insert: SQLite and PostgreSQL cap the parameters of one statement.
const UPSERT_CHUNK: usize = 1000;

/// The symbol's filters and recent candles, as of `now_ms`.
pub async fn load_market(
    db: &Db,
    exchange: &dyn Exchange,
    symbol: &Symbol,
    now_ms: i64,
) -> Result<Market, AdvisorError> {
    let info = exchange.symbol_info(symbol).await?;
    let candles = recent_candles(db, exchange, symbol, now_ms).await?;
    let candles = Candles::new(candles).map_err(|e| AdvisorError::Internal(format!("recent candles: {e}")))?;
    Ok(Market { symbol: symbol.clone(), filters: info.filters, candles })
}

/// The 1-minute candles of the 30 days before `now_ms`, oldest first.
pub async fn recent_candles(
    db: &Db,
    exchange: &dyn Exchange,
    symbol: &Symbol,
    now_ms: i64,
) -> Result<Vec<Candle>, AdvisorError> {
    let from_ms = now_ms - SPAN_MS;
    let at = |ms: i64| DateTime::from_timestamp_millis(ms).ok_or_else(|| AdvisorError::Internal(format!("time {ms}")));
    let stored = db.prices().range(symbol, at(from_ms)?, at(now_ms + MINUTE_MS)?).await?;
    let expected = (SPAN_MS / MINUTE_MS) as usize;
    let complete =
        stored.first().is_some_and(|c| c.open_time < from_ms + 60 * MINUTE_MS) && stored.len() >= expected * 9 / 10;
    let fetch_from = match stored.last() {
        Some(last) if complete => last.open_time + MINUTE_MS,
        _ => from_ms,
    };
    if complete && now_ms - fetch_from < 2 * MINUTE_MS {
        return Ok(stored);
    }
    let fetched = match fetch(exchange, symbol, fetch_from, now_ms).await {
        Ok(f) => f,
        Err(e) if !stored.is_empty() => {
            tracing::warn!(symbol = %symbol, error = %e, "klines unavailable; using the stored candles alone");
            return Ok(stored);
        }
        Err(e) => return Err(e.into()),
    };
    let closed: Vec<Candle> = fetched.iter().copied().filter(|c| c.open_time + MINUTE_MS <= now_ms).collect();
    for chunk in closed.chunks(UPSERT_CHUNK) {
        if let Err(e) = db.prices().upsert(symbol, chunk).await {
            tracing::warn!(symbol = %symbol, error = %e, "could not store fetched candles");
            break;
        }
    }
    tracing::debug!(symbol = %symbol, stored = stored.len(), fetched = fetched.len(), "recent candles loaded");
    let mut all: BTreeMap<i64, Candle> = stored.into_iter().map(|c| (c.open_time, c)).collect();
    all.extend(fetched.into_iter().filter(|c| c.open_time >= from_ms).map(|c| (c.open_time, c)));
    Ok(all.into_values().collect())
}

/// 1-minute klines from `start_ms` up to now, a page at a time.
async fn fetch(
    exchange: &dyn Exchange,
    symbol: &Symbol,
    start_ms: i64,
    now_ms: i64,
) -> Result<Vec<Candle>, ExchangeError> {
    let mut out: Vec<Candle> = Vec::new();
    let mut start = start_ms;
    for _ in 0..MAX_PAGES {
        let page = exchange.klines(symbol, "1m", Some(start), PAGE).await?;
        let full = page.len() >= usize::from(PAGE);
        let Some(last) = page.last().map(|c| c.open_time) else { break };
        let after = out.last().map_or(i64::MIN, |c| c.open_time);
        out.extend(page.into_iter().filter(|c| c.open_time > after));
        if !full || last + MINUTE_MS > now_ms || last < start {
            break;
        }
        start = last + MINUTE_MS;
    }
    Ok(out)
}
