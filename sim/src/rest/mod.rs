//! The Binance REST API under `/api/v3`.

mod account;
mod guard;
mod market;
pub(crate) mod params;
mod trade;

use std::sync::Arc;

use axum::{
    Router, middleware,
    routing::{get, post},
};

use crate::state::Sim;

pub(crate) fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/api/v3/ping", get(market::ping))
        .route("/api/v3/time", get(market::time))
        .route("/api/v3/exchangeInfo", get(market::exchange_info))
        .route("/api/v3/ticker/price", get(market::ticker_price))
        .route("/api/v3/ticker/24hr", get(market::ticker_24hr))
        .route("/api/v3/klines", get(market::klines))
        .route("/api/v3/uiKlines", get(market::klines))
        .route("/api/v3/depth", get(market::depth))
        .route("/api/v3/executionRules", get(market::execution_rules))
        .route("/api/v3/referencePrice", get(market::reference_price))
        .route("/api/v3/aggTrades", get(market::agg_trades))
        .route("/api/v3/order", post(trade::new_order).delete(trade::cancel_order).get(trade::query_order))
        .route("/api/v3/order/test", post(trade::test_order))
        .route("/api/v3/openOrders", get(trade::open_orders).delete(trade::cancel_all))
        .route("/api/v3/allOrders", get(trade::all_orders))
        .route("/api/v3/account", get(account::account))
        .route("/api/v3/myTrades", get(account::my_trades))
        .layer(middleware::from_fn_with_state(sim.clone(), guard::guard))
        .with_state(sim)
}
