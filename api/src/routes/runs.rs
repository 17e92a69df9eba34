//! `GET /api/bots/{id}/runs`: a bot's history, run by run (a run is a generation: a start, or a trailing move of the
//! range), each with the pair, mode and config it ran with and its figures from its own books (the same as its stats). Changing a stopped
//! bot's settings ends its last run; the runs before stay here as they were.

use std::collections::HashSet;

use axum::{
    Json,
    extract::{Path, State},
};
use chrono::{DateTime, Utc};
use gridbot_core::{ClientOrderId, Decimal, FeeAsset, strategy::GridParams};
use gridbot_platform::{
    book::{GridBook, RunState},
    db::types::{Bot, BotRun, Fill, Order},
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
    /// Every fill of the run: the initial buy, the grid's fills and a stop's sale.
    pub fills: u64,
    /// As the stats count them (`spec/grid.md`): grid fills, the initial buy and a stop's sale not counted; null
    /// when the run's books cannot be rebuilt.
    pub orders_filled: Option<u64>,
    /// Closed lots, each lot a stop sold included.
    pub round_trips: Option<u64>,
    /// The run's realized P&L (round trips and a stop's sale).
    pub realized_pnl: String,
    pub fees_paid: Option<String>,
    /// Round trips with a profit over round trips, a fraction.
    pub win_rate: Option<String>,
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
    let booked = ctx.db.fills().booked(bot.id).await?;
    let orders = ctx.db.orders().list_for_bot(bot.id).await?;
    let current = current.map(|r| r.generation);
    Ok(Json(runs.iter().map(|run| run_out(&bot, run, current, &orders, &booked)).collect()))
}

fn run_out(bot: &Bot, run: &BotRun, current: Option<u32>, orders: &[Order], booked: &[Fill]) -> RunOut {
    let state = &run.state;
    let figures = match GridBook::build(bot, &run.symbol, state.clone(), orders, booked) {
        Ok(book) => {
            // Valued where it ended: its last fill (a stop's price when stopped), else where it started.
            let mark = book.fills.last().map(|f| f.price.get()).unwrap_or(state.start_price);
            let s = book.engine.summary(mark);
            Figures {
                fills: book.fills.len() as u64,
                orders_filled: Some(s.orders_filled),
                round_trips: Some(s.round_trips),
                realized_pnl: dec(s.realized_pnl),
                fees_paid: Some(dec(s.fees_paid)),
                win_rate: s.win_rate.map(|w| dec(w.round_dp(4))),
            }
        }
        Err(e) => {
            tracing::warn!(bot_id = bot.id.0, generation = state.generation, error = %e, "run not rebuilt; its fills' P&L only");
            let prefix = ClientOrderId::generation_prefix(bot.id, state.generation);
            let ids: HashSet<i64> =
                orders.iter().filter(|o| o.client_order_id.as_str().starts_with(&prefix)).map(|o| o.id).collect();
            let own: Vec<&Fill> = booked.iter().filter(|f| ids.contains(&f.order_id)).collect();
            let pnl = own.iter().filter_map(|f| f.pnl);
            let realized = pnl.fold(Decimal::ZERO, |sum, p| sum.checked_add(p).unwrap_or(sum));
            Figures {
                fills: own.len() as u64,
                orders_filled: None,
                round_trips: None,
                realized_pnl: dec(realized),
                fees_paid: None,
                win_rate: None,
            }
        }
    };
    let config = match &state.config {
        Some(config) => config.clone(),
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
        fills: figures.fills,
        orders_filled: figures.orders_filled,
        round_trips: figures.round_trips,
        realized_pnl: figures.realized_pnl,
        fees_paid: figures.fees_paid,
        win_rate: figures.win_rate,
    }
}

/// A run's figures as its stats name them ([`crate::routes::stats`]); only the P&L its fills recorded when its book
/// cannot be rebuilt.
struct Figures {
    fills: u64,
    orders_filled: Option<u64>,
    round_trips: Option<u64>,
    realized_pnl: String,
    fees_paid: Option<String>,
    win_rate: Option<String>,
}
