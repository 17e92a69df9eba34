//! The control API beside the Binance one (`/sim/…`): state, pause and resume, speed, fault switches, the log of
//! order requests, and deterministic moves for tests (play one trade at a price, step N candles).

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    faults::FaultsPatch,
    num::{fmt8, is_multiple},
    replay::Feed,
    state::{Sim, lock, now_ms},
};

pub(crate) fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/sim/state", get(state))
        .route("/sim/pause", post(pause))
        .route("/sim/resume", post(resume))
        .route("/sim/speed", post(speed))
        .route("/sim/faults", get(faults).post(set_faults))
        .route("/sim/orders", get(orders))
        .route("/sim/price", post(price))
        .route("/sim/step", post(step))
        .route("/sim/drop-ws", post(drop_ws))
        .with_state(sim)
}

/// A refused control request: 422 with the field and the reason.
fn invalid(field: &str, reason: impl Into<String>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"field": field, "reason": reason.into()}))).into_response()
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

pub(crate) fn snapshot(sim: &Sim) -> Value {
    let player = lock(&sim.player);
    let ex = lock(&sim.ex);
    let symbols: serde_json::Map<String, Value> = ex
        .markets
        .values()
        .map(|m| {
            let doc = json!({"last_price": fmt8(m.last), "last_trade_time": m.last_time, "klines": m.klines.len(),
                "status": m.status, "price_range_band_pct": m.price_range.as_ref().map(|r| r.band_pct.to_string())});
            (m.spec.name.to_string(), doc)
        })
        .collect();
    let last_prices: serde_json::Map<String, Value> =
        ex.markets.values().map(|m| (m.spec.name.to_string(), Value::from(fmt8(m.last)))).collect();
    json!({
        "mode": match player.feed { Feed::Replay { .. } => "replay", Feed::Walk { .. } => "random_walk" },
        "paused": player.paused,
        "speed": player.speed,
        "candles_played": player.feed.played(),
        "candles_left": player.feed.left(),
        "done": player.feed.done(),
        "last_prices": last_prices,
        "symbols": symbols,
        "faults": *lock(&sim.faults),
        "fee_rate": ex.cfg.fee_rate.to_string(),
        "commission_in_quote": ex.cfg.commission_in_quote,
        "commission_in_bnb": ex.cfg.commission_in_bnb,
        "partial_fill_pct": ex.cfg.partial_fill_pct.map(|p| p.to_string()),
        "order_requests": ex.log.len(),
        "server_time": now_ms()
    })
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(snapshot(&sim))
}

async fn pause(State(sim): State<Arc<Sim>>) -> Json<Value> {
    lock(&sim.player).paused = true;
    sim.wake.notify_one();
    Json(snapshot(&sim))
}

async fn resume(State(sim): State<Arc<Sim>>) -> Json<Value> {
    lock(&sim.player).paused = false;
    sim.wake.notify_one();
    Json(snapshot(&sim))
}

#[derive(Deserialize)]
struct SpeedBody {
    candles_per_second: f64,
}

async fn speed(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: SpeedBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return invalid("body", e),
    };
    if !(b.candles_per_second > 0.0 && b.candles_per_second <= 1_000_000.0) {
        return invalid("candles_per_second", "must be greater than 0 and at most 1000000");
    }
    lock(&sim.player).speed = b.candles_per_second;
    sim.wake.notify_one();
    Json(snapshot(&sim)).into_response()
}

async fn faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(*lock(&sim.faults)))
}

async fn set_faults(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let patch: FaultsPatch = match parse(&body) {
        Ok(p) => p,
        Err(e) => return invalid("body", e),
    };
    let mut f = lock(&sim.faults);
    match f.apply(patch) {
        Ok(()) => Json(json!(*f)).into_response(),
        Err(reason) => invalid("faults", reason),
    }
}

async fn orders(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(Value::Array(lock(&sim.ex).log.clone()))
}

#[derive(Deserialize)]
struct PriceBody {
    symbol: String,
    price: Decimal,
    #[serde(default)]
    quantity: Option<Decimal>,
}

async fn price(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: PriceBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return invalid("body", e),
    };
    let mut ex = lock(&sim.ex);
    let Some(m) = ex.markets.get(&b.symbol.to_ascii_uppercase()) else {
        return invalid("symbol", "not a listed symbol");
    };
    if b.price <= Decimal::ZERO || !is_multiple(b.price, m.spec.tick) {
        return invalid("price", format!("must be greater than 0 and a multiple of {}", m.spec.tick));
    }
    let qty = b.quantity.unwrap_or(m.spec.min_qty);
    let (symbol, time) = (m.spec.name, m.manual_trade_time());
    ex.play(symbol, b.price, qty, time, now_ms());
    Json(json!({"symbol": symbol, "price": fmt8(b.price), "time": time})).into_response()
}

#[derive(Deserialize)]
struct StepBody {
    candles: u64,
}

async fn step(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: StepBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return invalid("body", e),
    };
    let played = sim.step(b.candles);
    let mut doc = snapshot(&sim);
    doc["played"] = json!(played);
    Json(doc).into_response()
}

async fn drop_ws(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.drop_websockets();
    Json(json!({}))
}
