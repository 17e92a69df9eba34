//! `GET /api/exchange/health`: what answers "why no orders?" for the caller's bots — the exchange reachable, our
//! clock against its clock, the request weight used this minute, each of the bots' market streams (the last trade
//! the scheduler processed and the last candle it recorded, read from the database, so it is the same whichever
//! process runs the streams) and each bot's last exchange error with Binance's code.

use std::{collections::BTreeMap, time::Duration};

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use gridbot_core::{Candle, Symbol};
use gridbot_exchange::Health;
use gridbot_platform::db::{
    ExchangeErrorEvent,
    types::{Bot, BotStatus, MarketMark},
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{ApiContext, auth::AuthUser, error::ApiResult, views::dec};

/// How long the exchange may take to answer the ping and the time request.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(3);
/// A clock further than this from the exchange's is flagged (Binance refuses a request stamped more than 1 s ahead).
pub const CLOCK_WARN_MS: i64 = 1000;
/// Weight used above this fraction of the limit (in percent) is flagged; the client itself waits at 90 %.
pub const WEIGHT_WARN_PCT: u64 = 80;
/// A streamed symbol whose last trade was saved longer ago than this (server clock) is flagged. The scheduler saves
/// its mark at most every 5 s while trades flow, at once after a fill.
pub const STREAM_STALE_MS: i64 = 60_000;
/// A recorded candle older than this before the last trade (market clock) is flagged: candles are not being stored.
pub const CANDLE_STALE_MS: i64 = 180_000;
const MINUTE_MS: i64 = 60_000;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(exchange_health))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ExchangeHealthOut {
    /// When this answer was made, by the server's clock.
    pub checked_at: DateTime<Utc>,
    /// `simulator` or `binance`: where the market data (and paper bots' prices) come from.
    pub market: &'static str,
    pub exchange: ExchangeOut,
    /// One per symbol any of the caller's bots trades, by symbol.
    pub streams: Vec<StreamOut>,
    /// One per bot of the caller's, by id.
    pub bots: Vec<BotHealthOut>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ExchangeOut {
    /// A ping answered within 3 s.
    pub reachable: bool,
    /// Round trip of the ping, ms.
    pub latency_ms: Option<u64>,
    /// Why the ping or the time request failed.
    pub error: Option<String>,
    /// The exchange's `serverTime` minus our clock, ms, as measured now (half the round trip allowed for): positive
    /// when our clock is behind. Signed requests are stamped with it corrected.
    pub clock_offset_ms: i64,
    /// `|clock_offset_ms|` is 1000 ms or more.
    pub clock_warning: bool,
    /// Request weight used this minute by this server's market-data client: Binance's `X-MBX-USED-WEIGHT-1M` as last
    /// seen (it counts every request from this IP), or our own count since.
    pub weight_used: u32,
    /// The per-minute limit (`exchangeInfo`'s `REQUEST_WEIGHT`); the client waits at 90 % of it.
    pub weight_limit: u32,
    /// `weight_used` is 80 % of the limit or more.
    pub weight_warning: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StreamOut {
    /// `BTCUSDT`.
    pub symbol: String,
    /// `BTC/USDT`.
    pub pair: String,
    /// A bot of the caller's that is running (or starting) trades it: the scheduler holds its market stream.
    pub streamed: bool,
    /// The last trade the scheduler processed: its time (UNIX ms, the market's clock), id and price.
    pub last_trade_time: Option<i64>,
    pub last_trade_id: Option<i64>,
    pub last_trade_price: Option<String>,
    /// How long ago, by the server's clock, the scheduler saved that trade: the stream's last message age (saved at
    /// most every 5 s while trades flow, so up to 5 s more than the last message).
    pub last_trade_age_ms: Option<i64>,
    /// The newest 1-minute candle recorded (its open time, UNIX ms, the market's clock).
    pub last_candle_time: Option<i64>,
    /// How far the recorded candles trail the last trade, ms on the market's clock: `last_trade_time − (last_candle_time
    /// + 2 min)`, at least 0 (the last trade's own candle is still open and the one before may have just closed).
    pub candle_lag_ms: Option<i64>,
    /// Streamed, and no trade saved for 60 s or more, or none ever; or candles trailing trades by 3 minutes or more.
    pub stale: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BotHealthOut {
    pub bot_id: i64,
    pub pair: String,
    /// `paper` or `live`.
    pub mode: &'static str,
    /// `stopped`, `starting`, `running`, `stopping` or `error`.
    pub status: &'static str,
    /// Why it stopped or failed, or why a running bot places no orders (its symbol not trading).
    pub reason: Option<String>,
    pub last_error: Option<ExchangeErrorOut>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ExchangeErrorOut {
    /// Binance's error code (`-2010`, `-1021`, `-1013`, …); null for a failure without one (the network, a ban).
    pub code: Option<i64>,
    pub message: String,
    pub at: DateTime<Utc>,
    /// `checked_at − at`, ms.
    pub age_ms: i64,
}

#[utoipa::path(get, path = "/api/exchange/health", operation_id = "exchange_health", tag = "operations",
    security(("bearer" = [])), responses((status = 200, body = ExchangeHealthOut)))]
async fn exchange_health(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<ExchangeHealthOut>> {
    let bots = ctx.db.bots().list_for_user(user.id).await?;
    let health = tokio::time::timeout(EXCHANGE_TIMEOUT, ctx.exchange.health()).await.unwrap_or_else(|_| Health {
        reachable: false,
        latency_ms: None,
        time_offset_ms: 0,
        weight_used: 0,
        weight_limit: 0,
        last_stream_message_ms: None,
        error: Some("timed out".into()),
    });
    let now = Utc::now();
    let mut symbols: BTreeMap<String, (Symbol, bool)> = BTreeMap::new();
    for b in &bots {
        let live = matches!(b.status, BotStatus::Running | BotStatus::Starting);
        symbols.entry(b.symbol.exchange_name()).or_insert((b.symbol.clone(), false)).1 |= live;
    }
    let mut streams = Vec::with_capacity(symbols.len());
    for (symbol, streamed) in symbols.into_values() {
        let mark = ctx.db.market_marks().saved(&symbol).await?;
        let candle = ctx.db.prices().latest(&symbol).await?;
        streams.push(stream_out(&symbol, streamed, mark, candle, now));
    }
    let mut out = Vec::with_capacity(bots.len());
    for b in &bots {
        let last = ctx.db.bot_events().last_exchange_error(b.id).await?;
        out.push(bot_out(b, last, now));
    }
    out.sort_by_key(|b| b.bot_id);
    Ok(Json(ExchangeHealthOut {
        checked_at: now,
        market: if ctx.config.market.simulator { "simulator" } else { "binance" },
        exchange: exchange_out(&health),
        streams,
        bots: out,
    }))
}

fn exchange_out(h: &Health) -> ExchangeOut {
    let used = u64::from(h.weight_used);
    ExchangeOut {
        reachable: h.reachable,
        latency_ms: h.latency_ms,
        error: h.error.clone(),
        clock_offset_ms: h.time_offset_ms,
        clock_warning: h.time_offset_ms.unsigned_abs() >= CLOCK_WARN_MS.unsigned_abs(),
        weight_used: h.weight_used,
        weight_limit: h.weight_limit,
        weight_warning: h.weight_limit > 0 && used * 100 >= u64::from(h.weight_limit) * WEIGHT_WARN_PCT,
    }
}

/// A symbol's stream as the database shows it at `now` (the server's clock).
pub fn stream_out(
    symbol: &Symbol,
    streamed: bool,
    mark: Option<(MarketMark, DateTime<Utc>)>,
    candle: Option<Candle>,
    now: DateTime<Utc>,
) -> StreamOut {
    let age = mark.as_ref().map(|(_, saved)| now.signed_duration_since(*saved).num_milliseconds().max(0));
    let lag = match (&mark, &candle) {
        (Some((m, _)), Some(c)) => Some(m.time.saturating_sub(c.open_time.saturating_add(2 * MINUTE_MS)).max(0)),
        _ => None,
    };
    let quiet = age.is_none_or(|a| a >= STREAM_STALE_MS);
    let trailing = lag.is_some_and(|l| l >= CANDLE_STALE_MS);
    StreamOut {
        symbol: symbol.exchange_name(),
        pair: symbol.pair(),
        streamed,
        last_trade_time: mark.as_ref().map(|(m, _)| m.time),
        last_trade_id: mark.as_ref().map(|(m, _)| m.trade_id),
        last_trade_price: mark.as_ref().map(|(m, _)| dec(m.price)),
        last_trade_age_ms: age,
        last_candle_time: candle.map(|c| c.open_time),
        candle_lag_ms: lag,
        stale: streamed && (quiet || trailing),
    }
}

fn bot_out(b: &Bot, last: Option<ExchangeErrorEvent>, now: DateTime<Utc>) -> BotHealthOut {
    BotHealthOut {
        bot_id: b.id.0,
        pair: b.symbol.pair(),
        mode: b.mode.as_str(),
        status: b.status.as_str(),
        reason: b.stop_reason.clone(),
        last_error: last.map(|e| ExchangeErrorOut {
            code: e.code,
            age_ms: now.signed_duration_since(e.at).num_milliseconds().max(0),
            message: e.message,
            at: e.at,
        }),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use gridbot_core::Decimal;

    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap()
    }

    fn candle(open_time: i64) -> Candle {
        let p = Decimal::from(100);
        Candle { open_time, open: p, high: p, low: p, close: p, volume: Decimal::ONE }
    }

    #[test]
    fn a_stream_is_stale_when_quiet_or_its_candles_trail() {
        let btc: Symbol = "BTC/USDT".parse().unwrap();
        let now = at(1_765_000_000_000);
        // The trade at 12:03:30 on the market's clock, saved 2 s ago; the 12:02 candle recorded (closed 12:03).
        let mark = MarketMark { trade_id: 7, time: 43_410_000, price: Decimal::new(1005, 1) };
        let fresh = stream_out(&btc, true, Some((mark, now - TimeDelta::seconds(2))), Some(candle(43_320_000)), now);
        assert_eq!(fresh.last_trade_age_ms, Some(2000));
        assert_eq!((fresh.candle_lag_ms, fresh.stale), (Some(0), false));
        assert_eq!(fresh.last_trade_price.as_deref(), Some("100.5"));
        let quiet = stream_out(&btc, true, Some((mark, now - TimeDelta::seconds(60))), Some(candle(43_320_000)), now);
        assert!(quiet.stale);
        // Not streamed (no running bot): never stale.
        let idle = stream_out(&btc, false, Some((mark, now - TimeDelta::hours(2))), None, now);
        assert!(!idle.stale && idle.candle_lag_ms.is_none());
        let never = stream_out(&btc, true, None, None, now);
        assert!(never.stale && never.last_trade_age_ms.is_none());
        // The last candle recorded opened at 11:58:30, five minutes before the trade: three minutes missing.
        let lagging =
            stream_out(&btc, true, Some((mark, now - TimeDelta::seconds(1))), Some(candle(43_410_000 - 300_000)), now);
        assert_eq!((lagging.candle_lag_ms, lagging.stale), (Some(180_000), true));
    }

    #[test]
    fn clock_and_weight_warnings() {
        let h = |offset, used, limit| Health {
            reachable: true,
            latency_ms: Some(3),
            time_offset_ms: offset,
            weight_used: used,
            weight_limit: limit,
            last_stream_message_ms: None,
            error: None,
        };
        let ok = exchange_out(&h(-12, 84, 6000));
        assert!(!ok.clock_warning && !ok.weight_warning);
        assert!(exchange_out(&h(1000, 0, 6000)).clock_warning);
        assert!(exchange_out(&h(-1500, 0, 6000)).clock_warning);
        assert!(exchange_out(&h(0, 4800, 6000)).weight_warning);
        assert!(!exchange_out(&h(0, 4799, 6000)).weight_warning);
        assert!(!exchange_out(&h(0, 0, 0)).weight_warning);
    }
}
