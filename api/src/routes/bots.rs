//! `GET/POST /api/bots`, `GET/PUT/DELETE /api/bots/{id}`: a user's bots, configs validated through
//! [`GridParams::to_config`]; changes only while stopped; another user's bot answers 404.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use gridbot_core::{BotId, Symbol, strategy::GridParams};
use gridbot_platform::db::types::{Bot, BotChanges, BotMode, BotStatus, NewBot};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::ApiJson,
    openapi::ErrorBody,
};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(show, update, remove)).routes(routes!(strategies))
}

#[derive(Debug, Serialize, ToSchema)]
struct StrategyOut {
    /// What a bot's `strategy` names.
    name: &'static str,
}

#[utoipa::path(get, path = "/api/strategies", tag = "bots", security(("bearer" = [])), responses((status = 200, body = [StrategyOut])))]
async fn strategies(_user: AuthUser) -> Json<Vec<StrategyOut>> {
    let registry = gridbot_core::strategy::Registry::default();
    Json(registry.bot_names().into_iter().map(|name| StrategyOut { name }).collect())
}

/// The contract's Bot.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotOut {
    pub id: i64,
    pub strategy: String,
    pub pair: String,
    pub mode: &'static str,
    pub status: &'static str,
    /// The grid's config: `capital`, `lower_bound`, `upper_bound` (decimal strings), `grid_levels`, `spacing`,
    /// `stop_loss_pct`, `take_profit_pct`, `max_daily_loss`.
    #[schema(value_type = Object)]
    pub config: serde_json::Value,
    pub generation: u32,
    /// Why the bot stopped or failed (`stopped`, `error`); null while it runs.
    pub stop_reason: Option<String>,
    /// Why a running bot places no orders: its symbol is not trading on the exchange (`HALT`, `BREAK`,
    /// `END_OF_DAY`, `CANCEL_ONLY`); null otherwise. Placing resumes by itself when the symbol trades again.
    pub notice: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Bot> for BotOut {
    fn from(b: Bot) -> Self {
        // A running bot's stored reason is its notice (placing paused); a stopped one's is why it stopped.
        let (stop_reason, notice) =
            if b.status == BotStatus::Running { (None, b.stop_reason) } else { (b.stop_reason, None) };
        BotOut {
            id: b.id.0,
            strategy: b.strategy,
            pair: b.symbol.pair(),
            mode: b.mode.as_str(),
            status: b.status.as_str(),
            config: b.config,
            generation: b.generation,
            stop_reason,
            notice,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateBot {
    strategy: String,
    pair: String,
    #[serde(default = "paper")]
    mode: String,
    #[schema(value_type = Object)]
    config: GridParams,
}

fn paper() -> String {
    "paper".to_owned()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateBot {
    pair: Option<String>,
    mode: Option<String>,
    #[schema(value_type = Option<Object>)]
    config: Option<GridParams>,
}

#[utoipa::path(get, path = "/api/bots", operation_id = "list_bots", tag = "bots", security(("bearer" = [])), responses((status = 200, body = [BotOut])))]
async fn list(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<Vec<BotOut>>> {
    let bots = ctx.db.bots().list_for_user(user.id).await?;
    Ok(Json(bots.into_iter().map(BotOut::from).collect()))
}

/// The 201's links (OpenAPI): what a client, or the stateful fuzzer, does next with the bot it created.
#[utoipa::path(post, path = "/api/bots", operation_id = "create_bot", tag = "bots", security(("bearer" = [])), request_body = CreateBot, responses(
    (status = 201, body = BotOut, links(
        ("GetBot" = (operation_id = "get_bot", parameters(("id" = "$response.body#/id")))),
        ("UpdateBot" = (operation_id = "update_bot", parameters(("id" = "$response.body#/id")))),
        ("StartBot" = (operation_id = "start_bot", parameters(("id" = "$response.body#/id")))),
        ("StopBot" = (operation_id = "stop_bot", parameters(("id" = "$response.body#/id")))),
        ("BotStats" = (operation_id = "bot_stats", parameters(("id" = "$response.body#/id")))),
        ("BotRuns" = (operation_id = "bot_runs", parameters(("id" = "$response.body#/id")))),
        ("DeleteBot" = (operation_id = "delete_bot", parameters(("id" = "$response.body#/id")))),
        ("TestItsConfig" = (operation_id = "test_config",
            request_body = json!({"pair": "$response.body#/pair", "config": "$response.body#/config"}))),
        ("Summary" = (operation_id = "summary")),
    )),
    (status = 422, body = ErrorBody)))]
async fn create(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    ApiJson(body): ApiJson<CreateBot>,
) -> ApiResult<(StatusCode, Json<BotOut>)> {
    let registry = gridbot_core::strategy::Registry::default();
    if !registry.runs_bots(&body.strategy) {
        let known = registry.bot_names().join(", ");
        let what = if registry.contains(&body.strategy) { "is backtested only, for now" } else { "is unknown" };
        return Err(ApiError::field("strategy", format!("strategy {:?} {what}; bots run: {known}", body.strategy)));
    }
    let mode = parse_mode(&body.mode)?;
    let symbol = parse_pair(&body.pair)?;
    let config = with_paper_fee(&ctx, mode, body.config);
    check_against_exchange(&ctx, &symbol, &config).await?;
    let new = NewBot { user_id: user.id, strategy: body.strategy, symbol, mode, config: checked_config(&config)? };
    let bot = ctx.db.bots().create(&new).await?;
    tracing::info!(bot_id = bot.id.0, user_id = user.id, pair = %bot.symbol.pair(), "bot created");
    Ok((StatusCode::CREATED, Json(bot.into())))
}

#[utoipa::path(get, path = "/api/bots/{id}", operation_id = "get_bot", tag = "bots", security(("bearer" = [])), params(("id" = i64, Path)), responses(
    (status = 200, body = BotOut), (status = 404, body = ErrorBody)))]
async fn show(State(ctx): State<ApiContext>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<BotOut>> {
    Ok(Json(read_bot(&ctx, user, &id).await?.into()))
}

#[utoipa::path(put, path = "/api/bots/{id}", operation_id = "update_bot", tag = "bots", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UpdateBot,
    responses((status = 200, body = BotOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    (status = 422, body = ErrorBody)))]
async fn update(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateBot>,
) -> ApiResult<Json<BotOut>> {
    let bot = owned_bot(&ctx, user, &id).await?;
    let mode = body.mode.as_deref().map(parse_mode).transpose()?;
    let pair = body.pair.as_deref().map(parse_pair).transpose()?;
    let config = body.config.map(|c| with_paper_fee(&ctx, mode.unwrap_or(bot.mode), c));
    if pair.is_some() || config.is_some() {
        let stored = || serde_json::from_value::<GridParams>(bot.config.clone()).ok();
        if let Some(params) = config.clone().or_else(stored) {
            check_against_exchange(&ctx, pair.as_ref().unwrap_or(&bot.symbol), &params).await?;
        }
    }
    let config = config.as_ref().map(checked_config).transpose()?;
    let changed = pair.as_ref().is_some_and(|p| *p != bot.symbol)
        || mode.is_some_and(|m| m != bot.mode)
        || config.as_ref().is_some_and(|c| *c != bot.config);
    let end_run = changed && bot.run_state.is_some();
    if end_run {
        ensure_run_closed(&ctx, &bot).await?;
    }
    let changes = BotChanges { pair: pair.map(|s| s.pair()), mode, config, end_run };
    if !ctx.db.bots().update_if_idle(bot.id, changes).await? {
        return Err(not_idle(bot.status));
    }
    tracing::info!(bot_id = bot.id.0, "bot changed");
    Ok(Json(ctx.db.bots().get(bot.id).await?.into()))
}

#[utoipa::path(delete, path = "/api/bots/{id}", operation_id = "delete_bot", tag = "bots", security(("bearer" = [])), params(("id" = i64, Path)), responses(
    (status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove(State(ctx): State<ApiContext>, user: AuthUser, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let bot = owned_bot(&ctx, user, &id).await?;
    if !ctx.db.bots().delete_if_idle(bot.id).await? {
        return Err(not_idle(bot.status));
    }
    tracing::info!(bot_id = bot.id.0, "bot deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses (409) to end a run while an order of the bot still rests at the exchange: a bot that failed mid-run is
/// stopped first, which cancels them.
async fn ensure_run_closed(ctx: &ApiContext, bot: &Bot) -> ApiResult<()> {
    let resting = ctx.db.orders().count_live(bot.id).await?;
    if resting > 0 {
        return Err(ApiError::Conflict(format!(
            "{resting} orders of the bot's last run still rest at the exchange; stop the bot (which cancels them) \
             before changing its settings"
        )));
    }
    Ok(())
}

/// The caller's bot `id`; 404 when it does not exist, is not a number, or belongs to someone else.
pub async fn owned_bot(ctx: &ApiContext, user: AuthUser, id: &str) -> ApiResult<Bot> {
    owned(ctx, user, id, false).await
}

/// [`owned_bot`] for the routes that only read: from the cache, at most [`crate::bot_cache::TTL`] old.
pub async fn read_bot(ctx: &ApiContext, user: AuthUser, id: &str) -> ApiResult<Bot> {
    owned(ctx, user, id, true).await
}

async fn owned(ctx: &ApiContext, user: AuthUser, id: &str, cached: bool) -> ApiResult<Bot> {
    let missing = || ApiError::NotFound("bot not found".into());
    let id = BotId(id.parse().map_err(|_| missing())?);
    let bot = if cached { ctx.bots.bot(&ctx.db, id).await } else { ctx.db.bots().get(id).await };
    let bot = bot.map_err(|e| match ApiError::from(e) {
        ApiError::NotFound(_) => missing(),
        other => other,
    })?;
    if bot.user_id != user.id {
        return Err(missing());
    }
    Ok(bot)
}

fn not_idle(status: BotStatus) -> ApiError {
    ApiError::Conflict(format!("the bot is {}; stop it first", status.as_str()))
}

pub(crate) fn parse_pair(raw: &str) -> ApiResult<Symbol> {
    raw.parse::<Symbol>()
        .map_err(|e| ApiError::field("pair", e.fields().first().map_or(e.to_string(), |f| f.reason.clone())))
}

fn parse_mode(raw: &str) -> ApiResult<BotMode> {
    raw.parse().map_err(|_| ApiError::field("mode", format!("must be paper or live, got {raw:?}")))
}

/// What the exchange says of the pair and the bounds: the pair must be listed (422 naming `pair`) and the bounds
/// within its `PRICE_FILTER` (422 naming `lower_bound` / `upper_bound`); a stop loss of 0 would stop the bot at the
/// lower bound at once (422 naming `stop_loss_pct`). When the exchange cannot be asked now, the start checks again.
async fn check_against_exchange(ctx: &ApiContext, symbol: &Symbol, params: &GridParams) -> ApiResult<()> {
    if params.stop_loss_pct.is_some_and(|s| s.is_zero()) {
        return Err(ApiError::field("stop_loss_pct", "must be above 0 (leave it out for no stop loss)"));
    }
    let info = match ctx.market.symbol_info(ctx.exchange.as_ref(), symbol).await {
        Ok(info) => info,
        Err(gridbot_exchange::ExchangeError::InvalidSymbol(_)) => {
            return Err(ApiError::field("pair", format!("{} is not listed on the exchange", symbol.pair())));
        }
        Err(e) => {
            tracing::debug!(pair = %symbol.pair(), error = %e, "pair not checked at save: the exchange did not answer");
            return Ok(());
        }
    };
    let f = &info.filters;
    if params.lower_bound < f.min_price {
        return Err(ApiError::field(
            "lower_bound",
            format!("must be at least {} (the pair's minimum price)", f.min_price),
        ));
    }
    if params.upper_bound > f.max_price {
        return Err(ApiError::field(
            "upper_bound",
            format!("must be at most {} (the pair's maximum price)", f.max_price),
        ));
    }
    Ok(())
}

/// A paper bot whose config names no fee rate pays the paper venue's (`PAPER_FEE_RATE`).
fn with_paper_fee(ctx: &ApiContext, mode: BotMode, mut params: GridParams) -> GridParams {
    let rate = ctx.rt.paper_fee_rate;
    if mode == BotMode::Paper && params.fee_rate.is_none() && rate != gridbot_core::config::default_fee_rate() {
        params.fee_rate = Some(rate);
    }
    params
}

/// Validates through the grid's own rules and returns the config as stored (decimals as strings).
fn checked_config(params: &GridParams) -> ApiResult<serde_json::Value> {
    params.to_config()?;
    serde_json::to_value(params).map_err(ApiError::internal)
}
