//! The layer in front of every `/api/v3` call: added latency, fault injection, request weight and order counts,
//! and the `X-MBX-USED-WEIGHT-1M` / `X-MBX-ORDER-COUNT-*` headers.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    error::ApiError,
    faults::Fate,
    state::{Sim, lock, now_ms},
};

/// Binance's weight for a request (spot API docs, 2026).
pub(crate) fn weight(method: &Method, path: &str, query: &str) -> u32 {
    let has = |name: &str| url::form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == name && !v.is_empty());
    let endpoint = path.trim_start_matches("/api/v3/");
    match (method.as_str(), endpoint) {
        (_, "exchangeInfo") => 20,
        (_, "depth") => {
            let limit = url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "limit")
                .and_then(|(_, v)| v.parse::<u32>().ok())
                .unwrap_or(100);
            match limit {
                0..=100 => 5,
                101..=500 => 25,
                501..=1000 => 50,
                _ => 250,
            }
        }
        (_, "ticker/price") => {
            if has("symbol") {
                2
            } else {
                4
            }
        }
        (_, "ticker/24hr") => {
            if has("symbol") {
                2
            } else {
                80
            }
        }
        (_, "klines") => 2,
        (_, "aggTrades") => 4,
        ("GET", "order") => 4,
        ("GET", "openOrders") => {
            if has("symbol") {
                6
            } else {
                80
            }
        }
        ("GET", "allOrders" | "account" | "myTrades") => 20,
        _ => 1,
    }
}

fn refusal(status: StatusCode, code: i64, msg: String, retry_after: i64) -> Response {
    let mut r = ApiError::new(code, msg).with_status(status).into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        r.headers_mut().insert("retry-after", v);
    }
    r
}

pub(crate) async fn guard(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let (latency, fate) = {
        let mut faults = lock(&sim.faults);
        let fate = faults.draw(&mut lock(&sim.rng));
        (faults.latency_ms, fate)
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let now = now_ms();
    let w = weight(req.method(), req.uri().path(), req.uri().query().unwrap_or_default());
    let is_order = req.method() == Method::POST && req.uri().path() == "/api/v3/order";
    let key = req.headers().get("x-mbx-apikey").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let admitted = lock(&sim.limits).admit(now, w);
    let mut order_counts = None;
    let mut resp = match admitted {
        Err(r) if r.status == 418 => refusal(
            StatusCode::IM_A_TEAPOT,
            -1003,
            format!(
                "Way too much request weight used; IP banned until {}. Please use WebSocket Streams for live updates to avoid bans.",
                r.until
            ),
            r.retry_after,
        ),
        Err(r) => refusal(StatusCode::TOO_MANY_REQUESTS, -1003, too_much_weight(&sim), r.retry_after),
        Ok(_) if fate == Fate::TooMany => refusal(StatusCode::TOO_MANY_REQUESTS, -1003, too_much_weight(&sim), 1),
        Ok(_) if fate == Fate::FailBefore => {
            ApiError::new(-1001, "Internal error; unable to process your request. Please try again.")
                .with_status(StatusCode::SERVICE_UNAVAILABLE)
                .into_response()
        }
        Ok(_) => {
            let counted = if is_order { Some(lock(&sim.limits).order(&key, now)) } else { None };
            order_counts = counted.map(|c| c.unwrap_or_else(|e| e));
            match counted {
                Some(Err(_)) => {
                    let limit = lock(&sim.limits).orders_per_10s;
                    let msg = format!("Too many new orders; current limit is {limit} orders per 10 SECOND.");
                    refusal(StatusCode::TOO_MANY_REQUESTS, -1015, msg, 10 - (now.rem_euclid(10_000) / 1000))
                }
                _ => {
                    let resp = next.run(req).await;
                    match fate {
                        Fate::FailAfter => {
                            ApiError::new(-1000, "An unknown error occurred while processing the request.")
                                .with_status(StatusCode::INTERNAL_SERVER_ERROR)
                                .into_response()
                        }
                        Fate::Hold(ms) => {
                            tokio::time::sleep(Duration::from_millis(ms)).await;
                            resp
                        }
                        _ => resp,
                    }
                }
            }
        }
    };
    let used = lock(&sim.limits).used(now_ms());
    let headers = resp.headers_mut();
    for (name, value) in [("x-mbx-used-weight-1m", used), ("x-mbx-used-weight", used)] {
        headers.insert(name, HeaderValue::from(value));
    }
    if let Some((ten_s, day)) = order_counts {
        headers.insert("x-mbx-order-count-10s", HeaderValue::from(ten_s));
        headers.insert("x-mbx-order-count-1d", HeaderValue::from(day));
    }
    resp
}

fn too_much_weight(sim: &Sim) -> String {
    let limit = lock(&sim.limits).weight_per_minute;
    format!(
        "Too much request weight used; current limit is {limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."
    )
}
