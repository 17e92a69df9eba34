//! `GET /api/market/{symbols, price/{symbol}, candles/{symbol}, indicators/{symbol}}`: market data from the
//! context's exchange. A malformed symbol is a 422, one the exchange does not list a 404, the exchange down a 502.

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
};
use gridbot_core::{Candle, Decimal, Symbol, indicators::indicators};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    error::{ApiError, ApiResult},
    openapi::ErrorBody,
};

pub const INTERVALS: [&str; 6] = ["1m", "5m", "15m", "1h", "4h", "1d"];
const DEFAULT_CANDLES: u16 = 500;
const MAX_CANDLES: u16 = 1000;
/// One-minute candles behind the indicators: a day.
const INDICATOR_MINUTES: usize = 1440;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(symbols))
        .routes(routes!(price))
        .routes(routes!(candles))
        .routes(routes!(indicators_of))
}

#[derive(Debug, Serialize, ToSchema)]
struct SymbolOut {
    symbol: String,
    pair: String,
    base: String,
    quote: String,
    tick_size: String,
    step_size: String,
    min_notional: String,
}

#[utoipa::path(get, path = "/api/market/symbols", tag = "market", security(("bearer" = [])), responses(
    (status = 200, body = [SymbolOut]), (status = 502, body = ErrorBody)))]
async fn symbols(State(ctx): State<ApiContext>, _user: AuthUser) -> ApiResult<Json<Vec<SymbolOut>>> {
    let list = ctx.exchange.symbols().await?;
    Ok(Json(
        list.into_iter()
            .filter(|s| s.status.eq_ignore_ascii_case("TRADING"))
            .map(|s| SymbolOut {
                symbol: s.symbol.exchange_name(),
                pair: s.symbol.pair(),
                base: s.symbol.base().to_owned(),
                quote: s.symbol.quote().to_owned(),
                tick_size: dec(s.filters.tick_size),
                step_size: dec(s.filters.step_size),
                min_notional: dec(s.filters.min_notional),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
struct PriceOut {
    symbol: String,
    price: String,
}

#[utoipa::path(get, path = "/api/market/price/{symbol}", tag = "market", security(("bearer" = [])), params(("symbol" = String, Path)),
    responses((status = 200, body = PriceOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    (status = 502, body = ErrorBody)))]
async fn price(State(ctx): State<ApiContext>, _user: AuthUser, Path(raw): Path<String>) -> ApiResult<Json<PriceOut>> {
    let symbol = parse_symbol(&raw)?;
    let price = ctx.exchange.price(&symbol).await?;
    Ok(Json(PriceOut { symbol: symbol.exchange_name(), price: dec(price) }))
}

#[derive(Debug, Serialize, ToSchema)]
struct CandleOut {
    time: i64,
    open: String,
    high: String,
    low: String,
    close: String,
    volume: String,
}

#[utoipa::path(get, path = "/api/market/candles/{symbol}", tag = "market", security(("bearer" = [])), params(("symbol" = String, Path),
    ("interval" = Option<String>, Query, description = "1m, 5m, 15m, 1h, 4h or 1d (default 1m)"),
    ("limit" = Option<u16>, Query, description = "1 to 1000 (default 500)")),
    responses((status = 200, body = [CandleOut]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    (status = 502, body = ErrorBody)))]
async fn candles(
    State(ctx): State<ApiContext>,
    _user: AuthUser,
    Path(raw): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<Vec<CandleOut>>> {
    let symbol = parse_symbol(&raw)?;
    let Query(query) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let interval = query.get("interval").map_or("1m", String::as_str);
    if !INTERVALS.contains(&interval) {
        return Err(ApiError::field("interval", format!("must be one of {}", INTERVALS.join(", "))));
    }
    let limit = match query.get("limit") {
        None => DEFAULT_CANDLES,
        Some(l) => l
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|n| (1..=MAX_CANDLES).contains(n))
            .ok_or_else(|| ApiError::field("limit", format!("must be a whole number from 1 to {MAX_CANDLES}")))?,
    };
    let list = ctx.exchange.klines(&symbol, interval, None, limit).await?;
    Ok(Json(
        list.iter()
            .map(|c| CandleOut {
                time: c.open_time.div_euclid(1000),
                open: dec(c.open),
                high: dec(c.high),
                low: dec(c.low),
                close: dec(c.close),
                volume: dec(c.volume),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
struct IndicatorsOut {
    symbol: String,
    price: String,
    high_24h: String,
    low_24h: String,
    volume_24h: String,
    volatility: Option<String>,
    volatility_annualized: Option<String>,
    atr: String,
    support: Vec<String>,
    resistance: Vec<String>,
}

#[utoipa::path(get, path = "/api/market/indicators/{symbol}", tag = "market", security(("bearer" = [])), params(("symbol" = String, Path)),
    responses((status = 200, body = IndicatorsOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    (status = 502, body = ErrorBody)))]
async fn indicators_of(
    State(ctx): State<ApiContext>,
    _user: AuthUser,
    Path(raw): Path<String>,
) -> ApiResult<Json<IndicatorsOut>> {
    let symbol = parse_symbol(&raw)?;
    let recent = day_of_minutes(&ctx, &symbol).await?;
    let ind = indicators(&recent).ok_or_else(|| ApiError::NotFound("no candles for this symbol yet".into()))?;
    Ok(Json(IndicatorsOut {
        symbol: symbol.exchange_name(),
        price: dec(ind.price),
        high_24h: dec(ind.high_24h),
        low_24h: dec(ind.low_24h),
        volume_24h: dec(ind.volume_24h),
        volatility: ratio(ind.volatility),
        volatility_annualized: ratio(ind.volatility_annualized),
        atr: dec(ind.atr),
        support: ind.support.into_iter().map(dec).collect(),
        resistance: ind.resistance.into_iter().map(dec).collect(),
    }))
}

/// The last day of 1-minute candles, in two requests (the exchange gives at most 1000 at a time).
async fn day_of_minutes(ctx: &ApiContext, symbol: &Symbol) -> ApiResult<Vec<Candle>> {
    let latest = ctx.exchange.klines(symbol, "1m", None, MAX_CANDLES).await?;
    let Some(first) = latest.first().map(|c| c.open_time) else { return Ok(latest) };
    if latest.len() < usize::from(MAX_CANDLES) {
        return Ok(latest);
    }
    let missing = INDICATOR_MINUTES - latest.len();
    let start = first - i64::try_from(missing).unwrap_or(0) * 60_000;
    let limit = u16::try_from(missing).unwrap_or(MAX_CANDLES);
    let mut all: Vec<Candle> = ctx
        .exchange
        .klines(symbol, "1m", Some(start), limit)
        .await?
        .into_iter()
        .filter(|c| c.open_time < first)
        .collect();
    all.extend(latest);
    Ok(all)
}

/// `BTCUSDT`, `BTC-USDT`, `BTC/USDT`; 422 naming `symbol` otherwise.
fn parse_symbol(raw: &str) -> ApiResult<Symbol> {
    raw.parse::<Symbol>()
        .map_err(|e| ApiError::field("symbol", e.fields().first().map_or(e.to_string(), |f| f.reason.clone())))
}

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

/// An `f64` ratio as a decimal string with 8 places at most; `None` (null) when it is not finite.
fn ratio(v: f64) -> Option<String> {
    Decimal::try_from(v).ok().map(|d| dec(d.round_dp(8)))
}
