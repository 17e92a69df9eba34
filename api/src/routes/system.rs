//! `GET /api/system`: where the market data comes from (Binance or the built-in simulator, and how fast its candles
//! pass), so the dashboard can say whether its prices are real. No token needed: it names no user's data.

use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::ApiContext;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(system))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SystemOut {
    /// `simulator` or `binance`.
    pub market: &'static str,
    /// The simulator was chosen (`--offline`) or fallen back to: its prices are not real.
    pub offline: bool,
    /// Real milliseconds one 1-minute candle takes on this market (60000 on Binance); null when unknown.
    pub candle_ms: Option<u64>,
}

#[utoipa::path(get, path = "/api/system", operation_id = "system", tag = "operations",
    responses((status = 200, body = SystemOut)))]
async fn system(State(ctx): State<ApiContext>) -> Json<SystemOut> {
    let m = ctx.config.market;
    Json(SystemOut {
        market: if m.simulator { "simulator" } else { "binance" },
        offline: m.offline,
        candle_ms: m.candle_ms,
    })
}
