//! `GET/POST /api/bots`, `GET/PUT/DELETE /api/bots/{id}`: a user's bots, each config validated by its strategy's
//! plugin (`Registry::bot_config`, errors naming the field) and against the exchange's filters; changes only while
//! stopped; another user's bot answers 404. `GET /api/strategies`: every strategy with its config's JSON Schema.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use gridbot_core::{BotId, Decimal, Symbol, strategy::Registry};
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
    title: &'static str,
    description: &'static str,
    /// Whether bots run it (else it is backtested only).
    bots: bool,
    /// Whether live bots run it (else paper only, for now).
    live: bool,
    /// Whether the AI proposes configs for it.
    ai: bool,
    /// Its config as a JSON Schema (draft 2020-12): decimals are strings (`format: decimal`); `title` labels a field,
    /// `x-unit` says what it counts (`quote`, `price`, `percent`, `rate`, `candles`, `sd`), `x-order` orders them.
    #[schema(value_type = Object)]
    schema: serde_json::Value,
}

#[utoipa::path(get, path = "/api/strategies", tag = "bots", security(("bearer" = [])), responses((status = 200, body = [StrategyOut])))]
async fn strategies(_user: AuthUser) -> Json<Vec<StrategyOut>> {
    let registry = Registry::default();
    Json(
        registry
            .plugins()
            .map(|p| StrategyOut {
                name: p.info.name,
                title: p.info.title,
                description: p.info.description,
                bots: p.info.bots,
                live: p.info.live,
                ai: p.info.ai,
                schema: (p.schema)(),
            })
            .collect(),
    )
}

/// The contract's Bot.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotOut {
    pub id: i64,
    pub strategy: String,
    pub pair: String,
    pub mode: &'static str,
    pub status: &'static str,
    /// The strategy's config, as its schema (`GET /api/strategies`) describes it; decimals as strings.
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
    /// The strategy's config (`GET /api/strategies` has its schema).
    #[schema(value_type = Object)]
    config: serde_json::Value,
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
    config: Option<serde_json::Value>,
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
        ("BotEquity" = (operation_id = "bot_equity", parameters(("id" = "$response.body#/id")))),
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
    let registry = Registry::default();
    if !registry.runs_bots(&body.strategy) {
        let known = registry.bot_names().join(", ");
        let what = if registry.contains(&body.strategy) { "is backtested only" } else { "is unknown" };
        return Err(ApiError::field("strategy", format!("strategy {:?} {what}; bots run: {known}", body.strategy)));
    }
    let mode = parse_mode(&body.mode)?;
    let symbol = parse_pair(&body.pair)?;
    let config = bot_config(&ctx, &body.strategy, mode, &symbol, body.config).await?;
    let new = NewBot { user_id: user.id, strategy: body.strategy, symbol, mode, config };
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
    let (symbol, new_mode) = (pair.as_ref().unwrap_or(&bot.symbol), mode.unwrap_or(bot.mode));
    let config = match body.config {
        Some(raw) => Some(bot_config(&ctx, &bot.strategy, new_mode, symbol, raw).await?),
        // A new pair or mode is checked with the stored config, which is kept.
        None if pair.is_some() || mode.is_some() => {
            bot_config(&ctx, &bot.strategy, new_mode, symbol, bot.config.clone()).await?;
            None
        }
        None => None,
    };
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

/// A bot's config of `strategy` as stored: validated by the strategy's plugin (422 naming the field); a paper bot
/// that names no fee rate pays the paper venue's (`PAPER_FEE_RATE`); checked against the exchange.
async fn bot_config(
    ctx: &ApiContext,
    strategy: &str,
    mode: BotMode,
    symbol: &Symbol,
    raw: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    let registry = Registry::default();
    if mode == BotMode::Live && registry.info(strategy).is_some_and(|i| !i.live) {
        return Err(ApiError::field("mode", format!("{strategy} bots run on paper only, for now")));
    }
    let mut config = registry.bot_config(strategy, &raw)?;
    let rate = ctx.rt.paper_fee_rate;
    if mode == BotMode::Paper
        && rate != gridbot_core::config::default_fee_rate()
        && raw.get("fee_rate").is_none_or(serde_json::Value::is_null)
        && let Some(m) = config.as_object_mut()
    {
        m.insert("fee_rate".into(), serde_json::Value::String(rate.to_string()));
        config = registry.bot_config(strategy, &config)?;
    }
    check_against_exchange(ctx, symbol, strategy, &config).await?;
    Ok(config)
}

/// What the exchange says of the pair and the config: the pair must be listed (422 naming `pair`) and every price
/// field of the strategy's schema (`x-unit: price`) within its `PRICE_FILTER` (422 naming the field); a stop loss of
/// 0 would stop the bot at once (422 naming `stop_loss_pct`). When the exchange cannot be asked now, the start
/// checks again.
async fn check_against_exchange(
    ctx: &ApiContext,
    symbol: &Symbol,
    strategy: &str,
    config: &serde_json::Value,
) -> ApiResult<()> {
    let decimal = |name: &str| config.get(name).and_then(|v| v.as_str()).and_then(|v| v.parse::<Decimal>().ok());
    if decimal("stop_loss_pct").is_some_and(|s| s.is_zero()) {
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
    let schema = Registry::default().plugins().find(|p| p.info.name == strategy).map(|p| (p.schema)());
    let properties = schema.as_ref().and_then(|s| s["properties"].as_object());
    for (name, field) in properties.into_iter().flatten() {
        let Some(price) = (field["x-unit"] == "price").then(|| decimal(name)).flatten() else { continue };
        if price < f.min_price {
            return Err(ApiError::field(
                name.clone(),
                format!("must be at least {} (the pair's minimum price)", f.min_price),
            ));
        }
        if price > f.max_price {
            return Err(ApiError::field(
                name.clone(),
                format!("must be at most {} (the pair's maximum price)", f.max_price),
            ));
        }
    }
    Ok(())
}
