//! `GET /api/bots/{id}/runs`: a bot's history, run by run (a run is a generation: a start, or a trailing move of the
//! range), each with the pair, mode and config it ran with and its figures from its own fills. Changing a stopped
//! bot's settings ends its last run; the runs before stay here as they were.

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Path, State},
};
use chrono::{DateTime, Utc};
use gridbot_core::{ClientOrderId, Decimal, FeeAsset, Side, Symbol, strategy::GridParams};
use gridbot_platform::{
    book::{RunState, charged_fee},
    db::types::{Bot, BotRun, Fill},
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{ApiContext, auth::AuthUser, error::ApiResult, openapi::ErrorBody, routes::bots::read_bot, views::dec};

/// The most runs one answer lists (the newest).
const MAX_RUNS: u64 = 100;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(runs))
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RunOut {
    pub generation: u32,
    pub pair: String,
    /// `paper` or `live`.
    pub mode: &'static str,
    /// The run the bot's stats describe (it is running, or it is the last one and the settings did not change since).
    pub current: bool,
    pub started_at: DateTime<Utc>,
    pub start_price: String,
    /// The config the run was started with.
    #[schema(value_type = Object)]
    pub config: serde_json::Value,
    /// `quote` or `base`: what paid the fees the grid was sized for.
    pub fee_asset: &'static str,
    /// Why its lots were sold at a stop (`stop_loss`, `take_profit`, …), and at what price.
    pub stop_reason: Option<String>,
    pub stop_price: Option<String>,
    pub orders_filled: u64,
    /// Grid sells filled: each closes one round trip.
    pub round_trips: u64,
    /// The P&L its fills booked (round trips and a stop's sale).
    pub realized_pnl: String,
    /// Its commissions, valued in the quote asset at each fill.
    pub fees_paid: String,
}

#[utoipa::path(get, path = "/api/bots/{id}/runs", operation_id = "bot_runs", tag = "bots", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RunOut>, description = "newest first, at most 100"),
    (status = 404, body = ErrorBody)))]
async fn runs(State(ctx): State<ApiContext>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<Vec<RunOut>>> {
    let bot = read_bot(&ctx, user, &id).await?;
    let mut runs = ctx.db.runs().list_for_bot(bot.id, MAX_RUNS).await?;
    let current = RunState::from_bot(&bot).unwrap_or_else(|e| {
        tracing::warn!(bot_id = bot.id.0, error = %e, "the bot's run state is unreadable");
        None
    });
    // A run started before runs were archived has only the bot's run state.
    if let Some(run) = current.as_ref().filter(|r| runs.iter().all(|a| a.state.generation != r.generation)) {
        runs.insert(0, BotRun { bot: bot.id, symbol: bot.symbol.clone(), mode: bot.mode, state: run.clone() });
    }
    let orders = ctx.db.orders().list_for_bot(bot.id).await?;
    let client_ids: HashMap<i64, ClientOrderId> = orders.into_iter().map(|o| (o.id, o.client_order_id)).collect();
    let fills = ctx.db.fills().list_for_bot(bot.id).await?;
    let current = current.map(|r| r.generation);
    Ok(Json(runs.iter().map(|run| run_out(&bot, run, current, &fills, &client_ids)).collect()))
}

fn run_out(
    bot: &Bot,
    run: &BotRun,
    current: Option<u32>,
    fills: &[Fill],
    client_ids: &HashMap<i64, ClientOrderId>,
) -> RunOut {
    let state = &run.state;
    let prefix = ClientOrderId::generation_prefix(bot.id, state.generation);
    let own = fills.iter().filter(|f| client_ids.get(&f.order_id).is_some_and(|c| c.as_str().starts_with(&prefix)));
    let (mut filled, mut round_trips, mut realized, mut fees) = (0, 0, Decimal::ZERO, Decimal::ZERO);
    for f in own {
        filled += 1;
        round_trips += u64::from(f.side == Side::Sell && f.level.is_some());
        realized = realized.checked_add(f.pnl.unwrap_or_default()).unwrap_or(realized);
        fees = fees.checked_add(fee_in_quote(&run.symbol, f)).unwrap_or(fees);
    }
    let config = match &state.config {
        Some(params) => serde_json::to_value(params).unwrap_or_default(),
        // Runs started before their config was recorded: the bot's, which could not change while they ran.
        None => {
            serde_json::from_value::<GridParams>(bot.config.clone()).map(|_| bot.config.clone()).unwrap_or_default()
        }
    };
    RunOut {
        generation: state.generation,
        pair: run.symbol.pair(),
        mode: run.mode.as_str(),
        current: current == Some(state.generation),
        started_at: state.started_at,
        start_price: dec(state.start_price),
        config,
        fee_asset: match state.fee_asset {
            FeeAsset::Quote => "quote",
            FeeAsset::Base => "base",
        },
        stop_reason: state.stop.as_ref().map(|s| s.reason.clone()),
        stop_price: state.stop.as_ref().map(|s| dec(s.price)),
        orders_filled: filled,
        round_trips,
        realized_pnl: dec(realized),
        fees_paid: dec(fees),
    }
}

/// A fill's commission in `symbol`'s quote: a base fee at the fill's price; another asset (BNB) at its booked value.
fn fee_in_quote(symbol: &Symbol, f: &Fill) -> Decimal {
    match charged_fee(symbol, f.fee, f.fee_asset.as_deref(), f.fee_quote) {
        Ok(fee) => fee.base.checked_mul(f.price.get()).and_then(|b| b.checked_add(fee.quote)).unwrap_or_default(),
        Err(_) => Decimal::ZERO,
    }
}
