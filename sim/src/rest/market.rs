//! Public market data: ping, time, exchangeInfo, tickers, klines, aggregate trades and the synthetic order book.

use std::sync::Arc;

use axum::{Json, extract::State};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::params::Params;
use crate::{
    error::ApiError,
    events::ticker_24hr as ticker_doc,
    market::Market,
    num::fmt8,
    state::{Sim, lock},
    symbols::rate_limits,
    tape::{AggQuery, agg_doc},
};

type Answer = Result<Json<Value>, ApiError>;

pub(super) async fn ping() -> Json<Value> {
    Json(json!({}))
}

pub(super) async fn time(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({"serverTime": sim.server_now()}))
}

/// The symbols named by `symbol` or `symbols=["A","B"]`, or `None` for all of them.
fn wanted(p: &Params, sim: &Sim) -> Result<Option<Vec<String>>, ApiError> {
    if p.get("symbol").is_some() {
        return Ok(Some(vec![p.symbol(sim)?]));
    }
    let Some(list) = p.get("symbols") else { return Ok(None) };
    let names: Vec<String> = serde_json::from_str(list).map_err(|_| {
        ApiError::illegal("symbols", "^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$")
    })?;
    let ex = lock(&sim.ex);
    names.into_iter().map(|n| ex.market(&n).map(|m| m.spec.name.to_string())).collect::<Result<_, _>>().map(Some)
}

fn each<F: Fn(&Market) -> Value>(p: &Params, sim: &Sim, f: F) -> Answer {
    let single = p.get("symbol").is_some();
    let wanted = wanted(p, sim)?;
    let ex = lock(&sim.ex);
    let docs: Vec<Value> = ex
        .markets
        .values()
        .filter(|m| wanted.as_ref().is_none_or(|w| w.iter().any(|s| s == m.spec.name)))
        .map(f)
        .collect();
    Ok(Json(if single { docs.into_iter().next().unwrap_or_default() } else { Value::Array(docs) }))
}

pub(super) async fn exchange_info(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let wanted = wanted(&p, &sim)?;
    let (weight, orders) = {
        let l = lock(&sim.limits);
        (l.weight_per_minute, l.orders_per_10s)
    };
    let ex = lock(&sim.ex);
    let symbols: Vec<Value> = ex
        .markets
        .values()
        .filter(|m| wanted.as_ref().is_none_or(|w| w.iter().any(|s| s == m.spec.name)))
        .map(|m| m.spec.info(m.status))
        .collect();
    Ok(Json(json!({
        "timezone": "UTC", "serverTime": sim.server_now(), "rateLimits": rate_limits(weight, orders),
        "exchangeFilters": [], "symbols": symbols
    })))
}

pub(super) async fn ticker_price(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    each(&p, &sim, |m| json!({"symbol": m.spec.name, "price": fmt8(m.last)}))
}

pub(super) async fn ticker_24hr(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    each(&p, &sim, ticker_doc)
}

pub(super) async fn klines(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let symbol = p.symbol(&sim)?;
    match p.required("interval")? {
        "1m" => {}
        _ => return Err(ApiError::new(-1120, "Invalid interval.")),
    }
    let limit = p.limit(500, 1000)?;
    let (start, end) = (p.int("startTime")?, p.int("endTime")?);
    let ex = lock(&sim.ex);
    let m = ex.market(&symbol)?;
    let rows: Vec<Value> = m
        .klines_between(start, end, limit)
        .iter()
        .map(|k| {
            json!([
                k.open_time,
                fmt8(k.open),
                fmt8(k.high),
                fmt8(k.low),
                fmt8(k.close),
                fmt8(k.volume),
                k.close_time(),
                fmt8(k.quote_volume),
                k.trades,
                fmt8(k.taker_buy_volume),
                fmt8(k.taker_buy_quote),
                "0"
            ])
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}

/// `GET /api/v3/aggTrades?symbol&fromId&startTime&endTime&limit` (limit 500 by default, at most 1000).
pub(super) async fn agg_trades(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let symbol = p.symbol(&sim)?;
    let limit = p.limit(500, 1000)?;
    let q = AggQuery::parse(p.int("fromId")?, p.int("startTime")?, p.int("endTime")?)?;
    let ex = lock(&sim.ex);
    let rows = ex.market(&symbol)?.agg_trades(q, limit).iter().map(agg_doc).collect();
    Ok(Json(Value::Array(rows)))
}

pub(super) async fn depth(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let symbol = p.symbol(&sim)?;
    let limit = p.limit(100, 5000)?;
    let ex = lock(&sim.ex);
    let m = ex.market(&symbol)?;
    let tick = m.spec.tick;
    let level = |i: usize, price: Decimal| json!([fmt8(price), fmt8(m.book_qty(i))]);
    let bids: Vec<Value> = (0..limit)
        .map(|i| (i, m.bid() - tick * Decimal::from(i)))
        .take_while(|(_, p)| *p > Decimal::ZERO)
        .map(|(i, p)| level(i, p))
        .collect();
    let asks: Vec<Value> = (0..limit).map(|i| level(i, m.ask() + tick * Decimal::from(i))).collect();
    Ok(Json(json!({"lastUpdateId": m.book_update_id, "bids": bids, "asks": asks})))
}

/// `GET /api/v3/executionRules`: the Price Range Execution Rule of the symbols that have one.
pub(super) async fn execution_rules(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let wanted = wanted(&p, &sim)?;
    let ex = lock(&sim.ex);
    let rules: Vec<(String, Option<crate::rules::PriceRange>)> = ex
        .markets
        .values()
        .filter(|m| wanted.as_ref().is_none_or(|w| w.iter().any(|s| s == m.spec.name)))
        .map(|m| (m.spec.name.to_string(), m.price_range.clone()))
        .collect();
    Ok(Json(crate::rules::rules_doc(&rules)))
}

/// `GET /api/v3/referencePrice?symbol=`: `null` when the symbol has no rule.
pub(super) async fn reference_price(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let symbol = p.symbol(&sim)?;
    let ex = lock(&sim.ex);
    let m = ex.market(&symbol)?;
    Ok(Json(crate::rules::reference_doc(m.spec.name, m.price_range.as_ref(), m.last)))
}
