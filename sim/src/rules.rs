//! Binance's 2026 rules in the simulator: a symbol's trading status (`TRADING`, `HALT`, `BREAK`, `END_OF_DAY`,
//! `CANCEL_ONLY`: off `TRADING`, new orders are refused with -2010 "Market is closed." and nothing matches), the
//! Price Range Execution Rule (a taker that would trade outside a band around the reference price expires with
//! `EXECUTION_RULE_PRICE_RANGE_EXCEEDED`), and the `serverShutdown` notice sent on every WebSocket before a close.
//! Controls: `POST /sim/symbol-status`, `/sim/execution-rule`, `/sim/expire-outside`, `/sim/server-shutdown`.

use std::sync::Arc;

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    num::fmt8,
    state::{Sim, lock, now_ms},
};

/// The values of `exchangeInfo.symbols[].status`.
pub(crate) const STATUSES: [&str; 5] = ["TRADING", "END_OF_DAY", "HALT", "BREAK", "CANCEL_ONLY"];

/// The expiry reason of an order the Price Range Execution Rule expired.
pub(crate) const PRICE_RANGE_EXCEEDED: &str = "EXECUTION_RULE_PRICE_RANGE_EXCEEDED";

/// A symbol's `PRICE_RANGE` execution rule: trades only within `band_pct` % of the reference price, which is
/// fixed when given and the last price otherwise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PriceRange {
    pub band_pct: Decimal,
    pub reference: Option<Decimal>,
}

impl PriceRange {
    pub fn reference(&self, last: Decimal) -> Decimal {
        self.reference.unwrap_or(last)
    }

    /// Whether a trade at `price` may execute when the last price is `last`.
    pub fn allows(&self, price: Decimal, last: Decimal) -> bool {
        let r = self.reference(last);
        let band = r * self.band_pct / Decimal::ONE_HUNDRED;
        price >= r - band && price <= r + band
    }

    /// The rule as `GET /api/v3/executionRules` shows it (multipliers of the reference price).
    pub fn doc(&self, symbol: &str) -> Value {
        let up = fmt_mult(Decimal::ONE + self.band_pct / Decimal::ONE_HUNDRED);
        let down = fmt_mult(Decimal::ONE - self.band_pct / Decimal::ONE_HUNDRED);
        json!({"symbol": symbol, "rules": [{"ruleType": "PRICE_RANGE", "bidLimitMultUp": up,
            "bidLimitMultDown": down, "askLimitMultUp": up, "askLimitMultDown": down}]})
    }
}

fn fmt_mult(d: Decimal) -> String {
    let mut d = d.round_dp(4);
    d.rescale(4);
    d.to_string()
}

pub(crate) fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/sim/symbol-status", post(symbol_status))
        .route("/sim/execution-rule", post(execution_rule))
        .route("/sim/expire-outside", post(expire_outside))
        .route("/sim/server-shutdown", post(server_shutdown))
        .with_state(sim)
}

fn invalid(field: &str, reason: impl Into<String>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"field": field, "reason": reason.into()}))).into_response()
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct StatusBody {
    symbol: String,
    status: String,
}

async fn symbol_status(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: StatusBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return invalid("body", e),
    };
    let Some(status) = STATUSES.iter().find(|s| **s == b.status) else {
        return invalid("status", format!("must be one of {}", STATUSES.join(", ")));
    };
    let mut ex = lock(&sim.ex);
    let Some(m) = ex.markets.get_mut(&b.symbol.to_ascii_uppercase()) else {
        return invalid("symbol", "not a listed symbol");
    };
    m.status = status;
    Json(json!({"symbol": m.spec.name, "status": *status})).into_response()
}

#[derive(Deserialize)]
struct RuleBody {
    symbol: String,
    /// `null` removes the rule.
    band_pct: Option<Decimal>,
    #[serde(default)]
    reference_price: Option<Decimal>,
}

async fn execution_rule(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: RuleBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return invalid("body", e),
    };
    if b.band_pct.is_some_and(|p| p <= Decimal::ZERO || p >= Decimal::ONE_HUNDRED) {
        return invalid("band_pct", "must be greater than 0 and less than 100");
    }
    if b.reference_price.is_some_and(|p| p <= Decimal::ZERO) {
        return invalid("reference_price", "must be greater than 0");
    }
    let mut ex = lock(&sim.ex);
    let Some(m) = ex.markets.get_mut(&b.symbol.to_ascii_uppercase()) else {
        return invalid("symbol", "not a listed symbol");
    };
    m.price_range = b.band_pct.map(|band_pct| PriceRange { band_pct, reference: b.reference_price });
    Json(json!({
        "symbol": m.spec.name,
        "band_pct": b.band_pct.map(|d| d.to_string()),
        "reference_price": b.reference_price.map(|d| d.to_string())
    }))
    .into_response()
}

#[derive(Deserialize)]
struct ExpireBody {
    symbol: String,
    #[serde(default)]
    low: Option<Decimal>,
    #[serde(default)]
    high: Option<Decimal>,
}

/// Expires every open limit order of the symbol priced below `low` or above `high`, as the rule would.
async fn expire_outside(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: ExpireBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return invalid("body", e),
    };
    let mut ex = lock(&sim.ex);
    let symbol = b.symbol.to_ascii_uppercase();
    if !ex.markets.contains_key(&symbol) {
        return invalid("symbol", "not a listed symbol");
    }
    let expired = ex.expire_outside(&symbol, b.low, b.high, now_ms());
    Json(json!({"expired": expired})).into_response()
}

#[derive(Deserialize)]
struct ShutdownBody {
    #[serde(default = "default_close_after")]
    close_after_ms: u64,
}

fn default_close_after() -> u64 {
    1000
}

/// Sends `serverShutdown` on every open WebSocket, then closes them after `close_after_ms`.
async fn server_shutdown(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let b: ShutdownBody = if body.is_empty() {
        ShutdownBody { close_after_ms: default_close_after() }
    } else {
        match parse(&body) {
            Ok(b) => b,
            Err(e) => return invalid("body", e),
        }
    };
    sim.ws_shutdown.send_modify(|(n, after)| {
        *n += 1;
        *after = b.close_after_ms;
    });
    Json(json!({"close_after_ms": b.close_after_ms})).into_response()
}

/// The `serverShutdown` event's payload.
pub(crate) fn shutdown_event() -> Value {
    json!({"e": "serverShutdown", "E": now_ms()})
}

/// `GET /api/v3/executionRules` and `GET /api/v3/referencePrice` documents.
pub(crate) fn rules_doc(symbols: &[(String, Option<PriceRange>)]) -> Value {
    let rules: Vec<Value> = symbols.iter().filter_map(|(s, r)| r.as_ref().map(|r| r.doc(s))).collect();
    json!({"symbolRules": rules})
}

pub(crate) fn reference_doc(symbol: &str, rule: Option<&PriceRange>, last: Decimal) -> Value {
    json!({"symbol": symbol, "referencePrice": rule.map(|r| fmt8(r.reference(last))), "timestamp": now_ms()})
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn the_band_is_around_the_reference_or_the_last_price() {
        let fixed = PriceRange { band_pct: dec!(5), reference: Some(dec!(100)) };
        assert!(fixed.allows(dec!(105), dec!(200)) && fixed.allows(dec!(95), dec!(1)));
        assert!(!fixed.allows(dec!(105.01), dec!(100)) && !fixed.allows(dec!(94.99), dec!(100)));
        let floating = PriceRange { band_pct: dec!(5), reference: None };
        assert!(floating.allows(dec!(200), dec!(200)));
        assert_eq!(fixed.doc("X")["rules"][0]["bidLimitMultUp"], "1.0500");
    }
}
