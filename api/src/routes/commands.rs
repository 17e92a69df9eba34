//! `POST /api/bots/{id}/start`, `POST /api/bots/{id}/stop` and `POST /api/emergency-stop`: the bot commands of
//! [`gridbot_app::commands`]. Start and stop become jobs (202); live trading needs stored keys and
//! `"confirm_live": true`, and no start while the daily loss limit is hit. The emergency stop cancels at the exchange
//! from here, so it works while no worker runs.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use gridbot_app::commands::{self, CommandError};
use gridbot_platform::{
    book::GridBook,
    db::types::{Bot, BotMode, BotStatus},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::OptionalJson,
    openapi::ErrorBody,
    routes::bots::{BotOut, owned_bot},
    views::dec,
};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(start)).routes(routes!(stop)).routes(routes!(emergency_stop))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct StartBody {
    /// Required (true) to start a live bot.
    #[serde(default)]
    confirm_live: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct StopBody {
    /// Sell the base the grid holds at the market; absent: as the bot's config says (`sell_on_stop`, default false:
    /// the lots stay in the account).
    #[serde(default)]
    sell: Option<bool>,
}

/// Whether a stop sells the lots: as asked, else as the bot's `sell_on_stop`.
fn sells(asked: Option<bool>, bot: &Bot) -> bool {
    asked.unwrap_or_else(|| {
        serde_json::from_value::<gridbot_core::strategy::GridParams>(bot.config.clone()).is_ok_and(|p| p.sell_on_stop)
    })
}

#[utoipa::path(post, path = "/api/bots/{id}/start", operation_id = "start_bot", tag = "bots", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<StartBody>, description = "`{\"confirm_live\": true}`, needed for a live bot"),
    responses((status = 202, body = BotOut, links(
        ("BotStats" = (operation_id = "bot_stats", parameters(("id" = "$request.path.id")))),
        ("StopBot" = (operation_id = "stop_bot", parameters(("id" = "$request.path.id")))),
    )), (status = 404, body = ErrorBody),
    (status = 409, description = "not stopped, or the daily loss limit is hit", body = ErrorBody),
    (status = 422, description = "`confirm_live` or `api_keys` missing for a live bot", body = ErrorBody),
    (status = 502, body = ErrorBody)))]
async fn start(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<StartBody>,
) -> ApiResult<(StatusCode, Json<BotOut>)> {
    let bot = owned_bot(&ctx, user, &id).await?;
    if !matches!(bot.status, BotStatus::Stopped | BotStatus::Error) {
        return Err(ApiError::Conflict(format!("the bot is {}; only a stopped bot can start", bot.status.as_str())));
    }
    if bot.mode == BotMode::Live {
        let mut fields = std::collections::BTreeMap::new();
        if ctx.db.users().get(user.id).await?.api_key_enc.is_none() {
            fields
                .insert("api_keys".to_owned(), "live trading needs your Binance API keys: store them first".to_owned());
        }
        if !body.confirm_live {
            fields.insert(
                "confirm_live".to_owned(),
                "a live bot trades real money: send \"confirm_live\": true".to_owned(),
            );
        }
        if !fields.is_empty() {
            let message = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ");
            return Err(ApiError::Validation { message, fields });
        }
    }
    refuse_after_daily_loss(&ctx, &bot).await?;
    let started = commands::start(&ctx.rt, &bot).await.map_err(command_error)?;
    ctx.metrics.job_enqueued("place_grid");
    tracing::info!(bot_id = bot.id.0, user_id = user.id, mode = bot.mode.as_str(), "start requested");
    Ok((StatusCode::ACCEPTED, Json(started.into())))
}

/// 409 when the bot's P&L today — every run's fills since 00:00 UTC, plus the current run's unrealized P&L — is at
/// or below `-max_daily_loss`.
async fn refuse_after_daily_loss(ctx: &ApiContext, bot: &Bot) -> ApiResult<()> {
    if gridbot_app::runtime_bot::is_runtime(bot) {
        // The daily loss limit is the grid's setting.
        return Ok(());
    }
    let params = crate::routes::stats::stored_config(bot).map_err(|e| {
        ApiError::field("config", format!("the stored config no longer passes validation ({e}); edit the bot"))
    })?;
    let Some(limit) = params.max_daily_loss() else { return Ok(()) };
    let realized = gridbot_app::risk::realized_today(&ctx.db, bot.id, &[]).await?;
    let today = match crate::routes::stats::readable(bot, GridBook::load(&ctx.db, bot).await)? {
        Some(book) => {
            let price = ctx.market.price(ctx.exchange.as_ref(), &bot.symbol).await?;
            gridbot_app::risk::pnl_today(realized, &book, price)
        }
        None => realized,
    };
    if today <= -limit {
        tracing::warn!(bot_id = bot.id.0, %today, %limit, "start refused: daily loss limit");
        return Err(ApiError::Conflict(format!(
            "the daily loss limit of {} {} is reached (P&L today {}); the bot can start again after 00:00 UTC",
            dec(limit),
            bot.symbol.quote(),
            dec(today)
        )));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/bots/{id}/stop", operation_id = "stop_bot", tag = "bots", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Option<StopBody>, description = "`{\"sell\": true}` also sells the base the grid holds; without `sell`, the bot's `sell_on_stop` decides"),
    responses((status = 202, body = BotOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn stop(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<StopBody>,
) -> ApiResult<(StatusCode, Json<BotOut>)> {
    let bot = owned_bot(&ctx, user, &id).await?;
    let was_stopped = bot.status == BotStatus::Stopped;
    let sell = sells(body.sell, &bot);
    let stopped = commands::stop(&ctx.rt, &bot, sell).await.map_err(command_error)?;
    if !was_stopped {
        ctx.metrics.job_enqueued("stop_bot");
    }
    tracing::info!(bot_id = bot.id.0, user_id = user.id, sell, "stop requested");
    Ok((StatusCode::ACCEPTED, Json(stopped.into())))
}

#[derive(Debug, Serialize, ToSchema)]
struct CancelledOut {
    bot_id: i64,
    client_order_id: String,
    price: String,
    side: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
struct EmergencyOut {
    stopped_bots: Vec<i64>,
    cancelled_orders: Vec<CancelledOut>,
    /// Bots whose orders could not all be cancelled, with the reason: check these at the exchange by hand.
    failures: Vec<String>,
}

#[utoipa::path(post, path = "/api/emergency-stop", tag = "bots", security(("bearer" = [])),
    responses((status = 200, body = EmergencyOut)))]
async fn emergency_stop(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<EmergencyOut>> {
    tracing::warn!(user_id = user.id, "emergency stop");
    let report = commands::emergency_stop(&ctx.rt, user.id).await.map_err(command_error)?;
    // A stop job follows every bot it stopped or failed to stop.
    for _ in 0..report.stopped_bots.len() + report.failures.len() {
        ctx.metrics.job_enqueued("stop_bot");
    }
    for failure in &report.failures {
        tracing::error!(user_id = user.id, %failure, "emergency stop left orders behind");
    }
    Ok(Json(EmergencyOut {
        stopped_bots: report.stopped_bots,
        cancelled_orders: report
            .cancelled_orders
            .into_iter()
            .map(|c| CancelledOut {
                bot_id: c.bot_id,
                client_order_id: c.client_order_id,
                price: dec(c.price),
                side: c.side.as_str(),
            })
            .collect(),
        failures: report.failures,
    }))
}

fn command_error(e: CommandError) -> ApiError {
    match e {
        CommandError::Conflict(m) => ApiError::Conflict(m),
        CommandError::Failed(e) => ApiError::internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bot(config: serde_json::Value) -> Bot {
        Bot {
            id: gridbot_core::BotId(1),
            user_id: 1,
            strategy: "grid".into(),
            symbol: "BTC/USDT".parse().expect("a pair"),
            mode: BotMode::Paper,
            status: BotStatus::Running,
            config,
            generation: 1,
            stop_reason: None,
            run_state: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_stop_sells_as_asked_else_as_the_bots_sell_on_stop() {
        let grid = serde_json::json!({"capital": "1000", "lower_bound": "90", "upper_bound": "110", "grid_levels": 5});
        let mut selling = grid.clone();
        selling["sell_on_stop"] = serde_json::json!(true);
        assert!(!sells(None, &bot(grid.clone())), "the default keeps the coins");
        assert!(sells(None, &bot(selling.clone())), "sell_on_stop sells");
        assert!(sells(Some(true), &bot(grid)));
        assert!(!sells(Some(false), &bot(selling)), "the request's choice wins");
        assert!(!sells(None, &bot(serde_json::json!({"not": "a grid"}))));
    }
}
