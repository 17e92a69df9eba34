//! `GET /api/orders`, `GET /api/fills`, `GET /api/trades`: the caller's orders, fills and round trips, newest first,
//! of one bot (`bot_id`, 404 when it is someone else's) or of all their bots.

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Query, State, rejection::QueryRejection},
};
use gridbot_platform::db::types::{Bot, Order, OrderStatus};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    error::{ApiError, ApiResult},
    openapi::ErrorBody,
    routes::bots::owned_bot,
    views::{FillOut, OrderOut, TradeOut, fills_out, trade_out},
};

const DEFAULT_ORDERS: usize = 100;
const DEFAULT_FILLS: usize = 20;
const MAX_LIMIT: usize = 1000;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(orders)).routes(routes!(fills)).routes(routes!(trades))
}

pub type RawQuery = Result<Query<HashMap<String, String>>, QueryRejection>;

#[utoipa::path(get, path = "/api/orders", tag = "trading", security(("bearer" = [])), params(
    ("bot_id" = Option<i64>, Query, description = "one bot's orders (default: every bot of yours)"),
    ("status" = Option<String>, Query, description = "new, open, partially_filled, filled, cancelled or rejected; several comma-separated"),
    ("limit" = Option<usize>, Query, description = "1 to 1000 (default 100)")),
    responses((status = 200, body = [OrderOut]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn orders(State(ctx): State<ApiContext>, user: AuthUser, query: RawQuery) -> ApiResult<Json<Vec<OrderOut>>> {
    let q = query_map(query)?;
    let limit = limit(&q, DEFAULT_ORDERS)?;
    let statuses = match q.get("status").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => None,
        Some(list) => {
            Some(list.split(',').map(|s| s.trim().parse::<OrderStatus>()).collect::<Result<Vec<_>, _>>().map_err(
                |_| ApiError::field("status", "must be new, open, partially_filled, filled, cancelled or rejected"),
            )?)
        }
    };
    let mut out: Vec<OrderOut> = Vec::new();
    for bot in bots(&ctx, user, &q).await? {
        let list = match &statuses {
            Some(s) => ctx.db.orders().list_with_status(bot.id, s).await?,
            None => ctx.db.orders().list_for_bot(bot.id).await?,
        };
        out.extend(list.iter().map(OrderOut::from));
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    out.truncate(limit);
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/fills", tag = "trading", security(("bearer" = [])), params(
    ("bot_id" = Option<i64>, Query, description = "one bot's fills (default: every bot of yours)"),
    ("limit" = Option<usize>, Query, description = "1 to 1000 (default 20)")),
    responses((status = 200, body = [FillOut]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn fills(State(ctx): State<ApiContext>, user: AuthUser, query: RawQuery) -> ApiResult<Json<Vec<FillOut>>> {
    let q = query_map(query)?;
    let limit = limit(&q, DEFAULT_FILLS)?;
    let mut out: Vec<FillOut> = Vec::new();
    for bot in bots(&ctx, user, &q).await? {
        out.extend(fills_out(&ctx.db.fills().list_for_bot(bot.id).await?));
    }
    out.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
    out.truncate(limit);
    Ok(Json(out))
}

#[utoipa::path(get, path = "/api/trades", tag = "trading", security(("bearer" = [])), params(
    ("bot_id" = Option<i64>, Query, description = "one bot's round trips (default: every bot of yours)"),
    ("limit" = Option<usize>, Query, description = "1 to 1000 (default 20)")),
    responses((status = 200, body = [TradeOut]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn trades(State(ctx): State<ApiContext>, user: AuthUser, query: RawQuery) -> ApiResult<Json<Vec<TradeOut>>> {
    let q = query_map(query)?;
    let limit = limit(&q, DEFAULT_FILLS)?;
    let mut out: Vec<TradeOut> = Vec::new();
    for bot in bots(&ctx, user, &q).await? {
        let trades = ctx.db.trades().list_for_bot(bot.id).await?;
        if trades.is_empty() {
            continue;
        }
        let orders = ctx.db.orders().list_for_bot(bot.id).await?;
        let by_id: HashMap<i64, &Order> = orders.iter().map(|o| (o.id, o)).collect();
        out.extend(trades.iter().map(|t| trade_out(t, &by_id)));
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    out.truncate(limit);
    Ok(Json(out))
}

/// The query string as a map; a malformed one is a 422.
pub fn query_map(query: RawQuery) -> ApiResult<HashMap<String, String>> {
    query.map(|Query(q)| q).map_err(|e| ApiError::field("query", e.body_text()))
}

/// `limit`: 1 to [`MAX_LIMIT`], `default` when absent.
fn limit(q: &HashMap<String, String>, default: usize) -> ApiResult<usize> {
    match q.get("limit") {
        None => Ok(default),
        Some(l) => l
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::field("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
    }
}

/// The bot named by `bot_id` (404 unless the caller's), or every bot of the caller.
async fn bots(ctx: &ApiContext, user: AuthUser, q: &HashMap<String, String>) -> ApiResult<Vec<Bot>> {
    match q.get("bot_id") {
        None => Ok(ctx.db.bots().list_for_user(user.id).await?),
        Some(raw) => {
            if raw.trim().parse::<i64>().is_err() {
                return Err(ApiError::field("bot_id", "must be a bot id (a whole number)"));
            }
            Ok(vec![owned_bot(ctx, user, raw.trim()).await?])
        }
    }
}
