//! `POST /api/ai/optimize`, `POST /api/ai/suggestions/{id}/accept|reject`, `GET /api/ai/suggestions`: grid
//! suggestions by Claude (or the backtest sweep standing in for it), each stored with its backtests. Accepting
//! applies exactly the suggested bounds and levels to a stopped bot; rejecting records the refusal. Another user's
//! suggestion answers 404.

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use gridbot_ai::{AdvisorError, Market, OptimizeRequest, Source, Suggestion, history::load_market};
use gridbot_core::{
    Decimal, GridConfig, Symbol, backtest::backtest_report, money::serde_decimal, strategy::GridParams,
};
use gridbot_platform::db::types::{AiSuggestion, BotChanges, SuggestionSource, SuggestionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::Instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    backtest_chart::{BacktestChart, grid_chart},
    error::{ApiError, ApiResult},
    extract::ApiJson,
    openapi::ErrorBody,
    routes::bots::{BotOut, owned_bot},
};

const DEFAULT_LIST: usize = 50;
const MAX_LIST: usize = 500;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(optimize)).routes(routes!(list)).routes(routes!(accept)).routes(routes!(reject))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct OptimizeIn {
    /// `BTC/USDT`, `BTCUSDT`, `btc-usdt`.
    pair: String,
    /// Quote currency the grid may use (a decimal string or number).
    #[serde(with = "serde_decimal")]
    #[schema(value_type = String, example = "10000")]
    capital: Decimal,
    /// The bot to optimize; its config is the current one unless `current_config` is given.
    #[serde(default)]
    bot_id: Option<i64>,
    /// A grid config (as in Bot.config) to compare against.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    current_config: Option<GridParams>,
}

/// The contract's Suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionOut {
    id: i64,
    bot_id: Option<i64>,
    pair: Option<String>,
    /// `pending`, `accepted` or `rejected`.
    status: &'static str,
    /// `claude` or `heuristic` (the backtest sweep's best).
    source: &'static str,
    /// Why the sweep's best stands in for Claude (no key, Claude failed, its answer was refused).
    fallback_reason: Option<String>,
    /// `grid_lower`, `grid_upper` (decimal strings), `num_levels`, `confidence` (0–100), `reasoning`,
    /// `risk_level` (`low`, `medium`, `high`).
    #[schema(value_type = Object)]
    suggestion: Value,
    /// One entry per window (`7d`, `30d`): `suggested`, `current` (or null), `sweep_best` and `hold`, each
    /// `{lower, upper, levels, realized_pnl, final_equity, return_pct, max_drawdown, round_trips, win_rate}`.
    #[schema(value_type = Vec<Object>)]
    backtests: Value,
    /// The suggested grid's backtest over the `7d` window, to draw: the candles, its simulated fills and its equity
    /// (bounded as Test Config's). In the answers about one suggestion (optimize, accept, reject); null in lists and
    /// for suggestions made before charts were kept.
    #[schema(value_type = Option<BacktestChart>)]
    chart: Option<Value>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
struct AcceptOut {
    suggestion: SuggestionOut,
    /// The bot with its new config; null for a suggestion made without a bot.
    bot: Option<BotOut>,
}

#[utoipa::path(post, path = "/api/ai/optimize", tag = "ai", security(("bearer" = [])), request_body = OptimizeIn,
    responses((status = 201, body = SuggestionOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    (status = 502, body = ErrorBody)))]
async fn optimize(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    ApiJson(body): ApiJson<OptimizeIn>,
) -> ApiResult<(StatusCode, Json<SuggestionOut>)> {
    let symbol = parse_pair(&body.pair)?;
    if body.capital <= Decimal::ZERO || body.capital.normalize().scale() > 8 {
        return Err(ApiError::field("capital", "must be greater than 0, with at most 8 decimal places"));
    }
    let bot = match body.bot_id {
        Some(id) => Some(owned_bot(&ctx, user, &id.to_string()).await?),
        None => None,
    };
    if let Some(b) = bot.as_ref().filter(|b| b.symbol != symbol) {
        return Err(ApiError::field(
            "pair",
            format!("bot {} trades {}, not {}", b.id.0, b.symbol.pair(), symbol.pair()),
        ));
    }
    let current = match (&body.current_config, &bot) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(b)) => serde_json::from_value::<GridParams>(b.config.clone()).ok(),
        (None, None) => None,
    };
    let request = OptimizeRequest {
        capital: body.capital,
        current: current.as_ref().map(GridParams::to_config).transpose()?,
        strategy: bot.as_ref().map_or_else(|| "grid".to_owned(), |b| b.strategy.clone()),
    };
    let span = tracing::info_span!("ai_optimize", bot_id = body.bot_id, user_id = user.id, pair = %symbol.pair());
    let (advice, chart) = async {
        let market = load_market(&ctx.db, ctx.exchange.as_ref(), &symbol, Utc::now().timestamp_millis()).await?;
        let advice = ctx.ai.optimize(request, market.clone()).await?;
        let chart = suggestion_chart(&advice.config, &market);
        Ok::<_, AdvisorError>((advice, chart))
    }
    .instrument(span)
    .await
    .map_err(advisor_error)?;
    let source = match advice.source {
        Source::Claude => SuggestionSource::Claude,
        Source::Heuristic => SuggestionSource::Heuristic,
    };
    let stored_request = json!({"user_id": user.id, "pair": symbol.pair(), "capital": body.capital.normalize().to_string(),
        "bot_id": body.bot_id, "current_config": current});
    let response = json!({"suggestion": advice.suggestion, "fallback_reason": advice.fallback_reason,
        "model": advice.model, "refused_answer": advice.refused_answer, "chart": chart});
    let backtests = serde_json::to_value(&advice.backtests).map_err(ApiError::internal)?;
    let suggestions = ctx.db.ai_suggestions();
    let row = suggestions.create(bot.as_ref().map(|b| b.id), Some(&symbol), stored_request, source).await?;
    suggestions.complete(row.id, response, backtests).await?;
    let row = suggestions.get(row.id).await?;
    tracing::info!(suggestion_id = row.id, bot_id = body.bot_id, user_id = user.id, source = source.as_str(),
        pair = %symbol.pair(), "ai suggestion stored");
    Ok((StatusCode::CREATED, Json(out(row, true))))
}

#[utoipa::path(get, path = "/api/ai/suggestions", operation_id = "list_suggestions", tag = "ai", security(("bearer" = [])),
    params(("bot_id" = Option<i64>, Query, description = "only this bot's suggestions"),
    ("limit" = Option<usize>, Query, description = "1 to 500 (default 50), newest first")),
    responses((status = 200, body = [SuggestionOut]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<Vec<SuggestionOut>>> {
    let Query(query) = query.map_err(|e| ApiError::field("query", e.body_text()))?;
    let limit = match query.get("limit") {
        None => DEFAULT_LIST,
        Some(l) => l
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIST).contains(n))
            .ok_or_else(|| ApiError::field("limit", format!("must be a whole number from 1 to {MAX_LIST}")))?,
    };
    let rows = match query.get("bot_id") {
        Some(raw) => {
            raw.trim().parse::<i64>().map_err(|_| ApiError::field("bot_id", "must be a whole number"))?;
            let bot = owned_bot(&ctx, user, raw.trim()).await?;
            ctx.db.ai_suggestions().list(&[bot.id], false).await?
        }
        None => {
            let bots: Vec<_> = ctx.db.bots().list_for_user(user.id).await?.into_iter().map(|b| b.id).collect();
            ctx.db.ai_suggestions().list(&bots, true).await?
        }
    };
    Ok(Json(rows.into_iter().filter(|s| owner(s) == Some(user.id)).take(limit).map(|s| out(s, false)).collect()))
}

#[utoipa::path(post, path = "/api/ai/suggestions/{id}/accept", tag = "ai", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = AcceptOut), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept(State(ctx): State<ApiContext>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<AcceptOut>> {
    let s = owned_suggestion(&ctx, user, &id).await?;
    if s.status != SuggestionStatus::Pending {
        return Err(ApiError::Conflict(format!("the suggestion is already {}", s.status.as_str())));
    }
    let proposal: Suggestion =
        s.response
            .as_ref()
            .and_then(|r| serde_json::from_value(r["suggestion"].clone()).ok())
            .ok_or_else(|| ApiError::internal(format!("ai suggestion {} has no readable proposal", s.id)))?;
    let bot = match s.bot {
        None => None,
        Some(bot_id) => {
            let bot = ctx.db.bots().get(bot_id).await?;
            if s.pair.as_ref().is_some_and(|p| *p != bot.symbol) {
                return Err(ApiError::Conflict(format!("the bot now trades {}", bot.symbol.pair())));
            }
            let mut params: GridParams = serde_json::from_value(bot.config.clone())
                .map_err(|e| ApiError::internal(format!("bot {} config: {e}", bot.id.0)))?;
            params.lower_bound = proposal.grid_lower;
            params.upper_bound = proposal.grid_upper;
            params.grid_levels = proposal.num_levels;
            params.to_config()?;
            let config = serde_json::to_value(&params).map_err(ApiError::internal)?;
            let changes = BotChanges { config: Some(config), ..BotChanges::default() };
            if !ctx.db.bots().update_if_idle(bot.id, changes).await? {
                let now = ctx.db.bots().get(bot.id).await?.status;
                return Err(ApiError::Conflict(format!("the bot is {}; stop it first", now.as_str())));
            }
            tracing::info!(bot_id = bot.id.0, suggestion_id = s.id, "ai suggestion applied to the bot's config");
            Some(ctx.db.bots().get(bot.id).await?)
        }
    };
    ctx.db.ai_suggestions().set_status(s.id, SuggestionStatus::Accepted).await?;
    let suggestion = out(ctx.db.ai_suggestions().get(s.id).await?, true);
    Ok(Json(AcceptOut { suggestion, bot: bot.map(BotOut::from) }))
}

#[utoipa::path(post, path = "/api/ai/suggestions/{id}/reject", tag = "ai", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = SuggestionOut), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody)))]
async fn reject(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<SuggestionOut>> {
    let s = owned_suggestion(&ctx, user, &id).await?;
    match s.status {
        SuggestionStatus::Accepted => return Err(ApiError::Conflict("the suggestion is already accepted".into())),
        SuggestionStatus::Rejected => return Ok(Json(out(s, true))),
        SuggestionStatus::Pending => {}
    }
    ctx.db.ai_suggestions().set_status(s.id, SuggestionStatus::Rejected).await?;
    tracing::info!(suggestion_id = s.id, bot_id = s.bot.map(|b| b.0), user_id = user.id, "ai suggestion rejected");
    Ok(Json(out(ctx.db.ai_suggestions().get(s.id).await?, true)))
}

/// The caller's suggestion `id`; 404 when it does not exist, is not a number, or belongs to someone else.
async fn owned_suggestion(ctx: &ApiContext, user: AuthUser, id: &str) -> ApiResult<AiSuggestion> {
    let missing = || ApiError::NotFound("suggestion not found".into());
    let id: i64 = id.parse().map_err(|_| missing())?;
    let s = ctx.db.ai_suggestions().get(id).await.map_err(|e| match ApiError::from(e) {
        ApiError::NotFound(_) => missing(),
        other => other,
    })?;
    if owner(&s) != Some(user.id) {
        return Err(missing());
    }
    Ok(s)
}

/// Who asked for it (kept in the stored request).
fn owner(s: &AiSuggestion) -> Option<i64> {
    s.request.get("user_id").and_then(Value::as_i64)
}

/// The contract's shape of `s`; its chart only when `chart` (an answer about this one suggestion).
fn out(s: AiSuggestion, chart: bool) -> SuggestionOut {
    let response = s.response.unwrap_or(Value::Null);
    SuggestionOut {
        id: s.id,
        bot_id: s.bot.map(|b| b.0),
        pair: s.pair.map(|p| p.pair()),
        status: s.status.as_str(),
        source: s.source.as_str(),
        fallback_reason: response.get("fallback_reason").and_then(Value::as_str).map(str::to_owned),
        suggestion: response.get("suggestion").cloned().unwrap_or(Value::Null),
        backtests: s.backtest.unwrap_or_else(|| json!([])),
        chart: response.get("chart").filter(|c| chart && c.is_object()).cloned(),
        created_at: s.created_at,
    }
}

/// The suggested grid's backtest over the market's first window (`7d`), as a chart; `None` when it cannot run.
fn suggestion_chart(config: &GridConfig, market: &Market) -> Option<BacktestChart> {
    let window = market.windows().into_iter().next()?;
    let report = backtest_report(config, &market.filters, &window.candles)
        .map_err(|e| tracing::debug!(error = %e, "the suggestion's chart: backtest refused"))
        .ok()?;
    Some(grid_chart(&report, window.candles.as_slice()))
}

fn parse_pair(raw: &str) -> ApiResult<Symbol> {
    raw.parse::<Symbol>()
        .map_err(|e| ApiError::field("pair", e.fields().first().map_or(e.to_string(), |f| f.reason.clone())))
}

fn advisor_error(e: AdvisorError) -> ApiError {
    match e {
        AdvisorError::Invalid(e) => e.into(),
        AdvisorError::NoCandles(pair) => ApiError::NotFound(format!("no candles for {pair} yet")),
        AdvisorError::NoGrid(reason) => ApiError::field("capital", reason),
        AdvisorError::Exchange(e) => e.into(),
        AdvisorError::Db(e) => e.into(),
        AdvisorError::Internal(cause) => ApiError::internal(cause),
    }
}
