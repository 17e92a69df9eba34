//! Orders: place, test, cancel, query, open orders, cancel all, all orders. Every placement and cancel request is
//! recorded for `GET /sim/orders`.

use std::sync::Arc;

use axum::{Json, extract::State};
use serde_json::{Value, json};

use super::params::Params;
use crate::{
    error::ApiError,
    matching::{NewOrder, random_client_id},
    orders::{Order, OrderType, Side, Tif},
    state::{Sim, lock, now_ms},
};

type Answer = Result<Json<Value>, ApiError>;

const CLIENT_ID_RANGE: &str = "^[a-zA-Z0-9-_]{1,36}$";

fn client_id(p: &Params, name: &str) -> Result<Option<String>, ApiError> {
    let Some(id) = p.get(name) else { return Ok(None) };
    let ok = id.len() <= 36 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok { Ok(Some(id.to_string())) } else { Err(ApiError::illegal(name, CLIENT_ID_RANGE)) }
}

fn parse_new_order(p: &Params, sim: &Sim) -> Result<NewOrder, ApiError> {
    let symbol = p.symbol(sim)?;
    let side = Side::parse(p.required("side")?).ok_or_else(|| ApiError::new(-1117, "Invalid side."))?;
    let kind = OrderType::parse(p.required("type")?).ok_or_else(|| ApiError::new(-1116, "Invalid orderType."))?;
    let not_required = |name: &str| ApiError::new(-1106, format!("Parameter '{name}' sent when not required."));
    let tif = match kind {
        OrderType::Limit => {
            Tif::parse(p.required("timeInForce")?).ok_or_else(|| ApiError::new(-1115, "Invalid timeInForce."))?
        }
        _ if p.get("timeInForce").is_some() => return Err(not_required("timeInForce")),
        _ => Tif::Gtc,
    };
    let (price, qty, quote_qty) = (p.decimal("price")?, p.decimal("quantity")?, p.decimal("quoteOrderQty")?);
    if kind == OrderType::Market {
        if price.is_some() {
            return Err(not_required("price"));
        }
        if qty.is_some() && quote_qty.is_some() {
            return Err(not_required("quoteOrderQty"));
        }
    } else if quote_qty.is_some() {
        return Err(not_required("quoteOrderQty"));
    }
    Ok(NewOrder { symbol, side, kind, tif, price, qty, quote_qty, client_id: client_id(p, "newClientOrderId")? })
}

fn resp_type(p: &Params) -> Result<&'static str, ApiError> {
    match p.get("newOrderRespType") {
        None | Some("FULL") => Ok("FULL"),
        Some("RESULT") => Ok("RESULT"),
        Some("ACK") => Ok("ACK"),
        Some(_) => Err(ApiError::new(
            -1100,
            "Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT, FULL'.",
        )),
    }
}

/// Records one order request and its outcome for `GET /sim/orders`.
fn record(sim: &Sim, p: &Params, action: &str, result: &Result<Json<Value>, ApiError>) {
    let (outcome, code, msg) = match result {
        Ok(_) => ("accepted", None, None),
        Err(e) => ("rejected", Some(e.code), Some(e.msg.clone())),
    };
    let order_id = result.as_ref().ok().and_then(|Json(v)| {
        let v = if v.is_array() { v.get(0)? } else { v };
        v.get("orderId").cloned()
    });
    let client_id = if action == "new" { p.get("newClientOrderId") } else { p.get("origClientOrderId") };
    let mut ex = lock(&sim.ex);
    ex.log.push(json!({
        "time": now_ms(), "action": action, "api_key": p.api_key, "symbol": p.get("symbol"),
        "client_order_id": client_id, "order_id": order_id.or_else(|| p.get("orderId").map(Value::from)),
        "side": p.get("side"), "type": p.get("type"), "price": p.get("price"), "quantity": p.get("quantity"),
        "quote_order_qty": p.get("quoteOrderQty"), "result": outcome, "code": code, "msg": msg
    }));
}

pub(super) async fn new_order(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let result = (|| {
        let key = p.auth(&sim)?;
        let req = parse_new_order(&p, &sim)?;
        let resp = resp_type(&p)?;
        let (order, fills) = lock(&sim.ex).place(&key, req, now_ms())?;
        Ok(Json(order.new_order_json(resp, &fills)))
    })();
    record(&sim, &p, "new", &result);
    result
}

pub(super) async fn test_order(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    p.auth(&sim)?;
    parse_new_order(&p, &sim)?;
    Ok(Json(json!({})))
}

fn order_ref(p: &Params) -> Result<(Option<u64>, Option<String>), ApiError> {
    let id = p.int("orderId")?.map(|i| i.max(0) as u64);
    let cid = client_id(p, "origClientOrderId")?;
    if id.is_none() && cid.is_none() {
        return Err(ApiError::new(
            -1102,
            "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
        ));
    }
    Ok((id, cid))
}

pub(super) async fn cancel_order(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let result = (|| {
        let key = p.auth(&sim)?;
        let symbol = p.symbol(&sim)?;
        let (id, cid) = order_ref(&p)?;
        let cancel_id = client_id(&p, "newClientOrderId")?.unwrap_or_else(random_client_id);
        let now = now_ms();
        let o = lock(&sim.ex).cancel(&key, &symbol, id, cid.as_deref(), &cancel_id, now)?;
        Ok(Json(o.cancel_json(&cancel_id, now)))
    })();
    record(&sim, &p, "cancel", &result);
    result
}

pub(super) async fn query_order(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let key = p.auth(&sim)?;
    let symbol = p.symbol(&sim)?;
    let (id, cid) = order_ref(&p)?;
    let ex = lock(&sim.ex);
    let o = ex.find(&key, &symbol, id, cid.as_deref()).ok_or_else(ApiError::no_such_order)?;
    Ok(Json(o.query_json()))
}

pub(super) async fn open_orders(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let key = p.auth(&sim)?;
    let symbol = if p.get("symbol").is_some() { Some(p.symbol(&sim)?) } else { None };
    let ex = lock(&sim.ex);
    Ok(Json(ex.open_orders(&key, symbol.as_deref()).into_iter().map(Order::query_json).collect()))
}

pub(super) async fn cancel_all(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let result = (|| {
        let key = p.auth(&sim)?;
        let symbol = p.symbol(&sim)?;
        let now = now_ms();
        let canceled = lock(&sim.ex).cancel_all(&key, &symbol, now)?;
        Ok(Json(canceled.iter().map(|(o, cid)| o.cancel_json(cid, now)).collect()))
    })();
    record(&sim, &p, "cancel_all", &result);
    result
}

pub(super) async fn all_orders(State(sim): State<Arc<Sim>>, p: Params) -> Answer {
    let key = p.auth(&sim)?;
    let symbol = p.symbol(&sim)?;
    let from = p.int("orderId")?;
    let (start, end) = (p.int("startTime")?, p.int("endTime")?);
    let limit = p.limit(500, 1000)?;
    let ex = lock(&sim.ex);
    let mine: Vec<&Order> = ex
        .orders
        .values()
        .filter(|o| o.api_key == key && o.symbol == symbol)
        .filter(|o| from.is_none_or(|f| o.id as i64 >= f))
        .filter(|o| start.is_none_or(|s| o.time >= s) && end.is_none_or(|e| o.time <= e))
        .collect();
    let picked = if from.is_some() || start.is_some() {
        &mine[..limit.min(mine.len())]
    } else {
        &mine[mine.len().saturating_sub(limit)..]
    };
    Ok(Json(picked.iter().map(|o| o.query_json()).collect()))
}
