//! Account information and the account's trades.

use std::sync::Arc;

use axum::{Json, extract::State};
use serde_json::{Value, json};

use super::params::Params;
use crate::{
    error::ApiError,
    num::fmt8,
    orders::Fill,
    state::{Sim, lock, now_ms},
};

type Answer = Result<Json<Value>, ApiError>;

pub(super) async fn account(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let key = p.auth(&sim)?;
    let ex = lock(&sim.ex);
    let a = ex.accounts.get(&key).ok_or_else(ApiError::rejected_key)?;
    let fee = fmt8(ex.cfg.fee_rate);
    let bps = (ex.cfg.fee_rate * rust_decimal::Decimal::from(10_000)).round();
    let balances: Vec<Value> = a
        .balances
        .iter()
        .map(|(asset, b)| json!({"asset": asset, "free": fmt8(b.free), "locked": fmt8(b.locked)}))
        .collect();
    Ok(Json(json!({
        "makerCommission": bps, "takerCommission": bps, "buyerCommission": 0, "sellerCommission": 0,
        "commissionRates": {"maker": fee, "taker": fee, "buyer": "0.00000000", "seller": "0.00000000"},
        "canTrade": true, "canWithdraw": true, "canDeposit": true, "brokered": false,
        "requireSelfTradePrevention": false, "preventSor": false,
        "updateTime": if a.update_time > 0 { a.update_time } else { now_ms() },
        "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"], "uid": 1
    })))
}

pub(super) async fn my_trades(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let key = p.auth(&sim)?;
    let symbol = p.symbol(&sim)?;
    let order_id = p.int("orderId")?;
    let from_id = p.int("fromId")?;
    let (start, end) = (p.int("startTime")?, p.int("endTime")?);
    let limit = p.limit(500, 1000)?;
    let ex = lock(&sim.ex);
    let mine: Vec<&Fill> = ex
        .fills
        .iter()
        .filter(|f| f.api_key == key && f.symbol == symbol)
        .filter(|f| order_id.is_none_or(|o| f.order_id as i64 == o))
        .filter(|f| from_id.is_none_or(|id| f.id >= id))
        .filter(|f| start.is_none_or(|s| f.time >= s) && end.is_none_or(|e| f.time <= e))
        .collect();
    let oldest_first = from_id.is_some() || start.is_some();
    let picked = if oldest_first { &mine[..limit.min(mine.len())] } else { &mine[mine.len().saturating_sub(limit)..] };
    Ok(Json(picked.iter().map(|f| f.my_trade_json()).collect()))
}
