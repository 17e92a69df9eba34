//! `GET /api/summary` (the dashboard header), `GET /api/balance` and `POST /api/paper/reset`. A paper account lives in
//! the database: funded when its user registers (`PAPER_FUNDING`), moved by every fill of the user's paper bots, with
//! what their resting orders hold `locked`, and funded afresh when its user resets it. Live balances are the
//! exchange account's, read with the user's keys.

use std::collections::BTreeMap;

use axum::{Json, extract::State};
use gridbot_core::Decimal;
use gridbot_platform::db::types::{Bot, BotMode, BotStatus};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    error::{ApiError, ApiResult},
    openapi::ErrorBody,
    routes::trading::{RawQuery, query_map},
    views::dec,
};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(summary)).routes(routes!(balance)).routes(routes!(reset_paper))
}

#[derive(Debug, Serialize, ToSchema)]
struct SummaryOut {
    /// The account's today, over its bots quoted in `quote_asset`: the realized P&L of every fill since 00:00 UTC,
    /// of every run, plus the current runs' unrealized P&L now.
    pnl_today: String,
    /// Every round trip's profit, all runs, plus the unrealized P&L now.
    pnl_total: String,
    /// Free plus locked `quote_asset`: the exchange account's when `live`, else the paper books'. Null when the live
    /// balance cannot be read.
    balance_quote: Option<String>,
    quote_asset: String,
    bots_running: usize,
    /// Some bot of the user trades live and is not stopped.
    live: bool,
}

#[utoipa::path(get, path = "/api/summary", tag = "account", security(("bearer" = [])), params(
    ("quote" = Option<String>, Query, description = "the quote asset to sum over (default: the one most of your bots use, else USDT)")),
    responses((status = 200, body = SummaryOut), (status = 422, body = ErrorBody)))]
async fn summary(State(ctx): State<ApiContext>, user: AuthUser, query: RawQuery) -> ApiResult<Json<SummaryOut>> {
    let q = query_map(query)?;
    // Read beside the writer (SQLite's read-only connections): the header polls this while the bots trade.
    let db = ctx.db.reader();
    let bots = db.bots().list_for_user(user.id).await?;
    let quote = match q.get("quote").map(|s| s.trim().to_ascii_uppercase()) {
        Some(s) if !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_alphanumeric()) => s,
        Some(_) => return Err(ApiError::field("quote", "must be an asset name such as USDT")),
        None => main_quote(&bots),
    };
    let live = bots.iter().any(|b| b.mode == BotMode::Live && b.status != BotStatus::Stopped);
    let (mut today, mut total) = (Decimal::ZERO, Decimal::ZERO);
    let (funding, funded_at) = db.paper_balances().funding(user.id).await?;
    let ledgers = ctx.ledgers.of(&db, &bots, funded_at, chrono::Utc::now()).await?;
    for (bot, ledger) in bots.iter().zip(&ledgers).filter(|(b, _)| b.symbol.quote() == quote) {
        // Every run's realized P&L; the held lots' value change only of the run the bot is on.
        let realized = ledger.realized_today;
        total += ledger.realized_total;
        if gridbot_app::runtime_bot::is_runtime(bot) {
            let unrealized = runtime_unrealized(&ctx, &db, bot).await?;
            today += realized + unrealized;
            total += unrealized;
            continue;
        }
        let Some(book) = &ledger.book else {
            today += realized;
            continue;
        };
        let mark = match ctx.market.price(ctx.exchange.as_ref(), &bot.symbol).await {
            Ok(p) => p,
            Err(_) => book.fills.last().map(|f| f.price.get()).unwrap_or(book.run.start_price),
        };
        today += gridbot_app::risk::pnl_today(realized, book, mark);
        total += book.engine.summary(mark).unrealized_pnl;
    }
    let balance_quote = if live {
        match live_balances(&ctx, user).await {
            Ok(list) => Some(list.iter().filter(|b| b.asset == quote).map(|b| b.free + b.locked).sum()),
            Err(e) => {
                tracing::warn!(user_id = user.id, error = %e, "summary: live balance unavailable");
                None
            }
        }
    } else {
        let mut moved = funding;
        let paper: Vec<Bot> = bots.iter().filter(|b| b.mode == BotMode::Paper).cloned().collect();
        for (asset, delta) in
            ledgers.iter().zip(&bots).filter(|(_, b)| b.mode == BotMode::Paper).flat_map(|(l, _)| &l.moved)
        {
            *moved.entry(asset.clone()).or_default() += *delta;
        }
        let locked = db.paper_balances().locked(&paper).await?;
        let account = gridbot_platform::db::settle(user.id, moved, &locked);
        Some(account.iter().filter(|b| b.asset == quote).map(|b| b.free + b.locked).sum())
    };
    Ok(Json(SummaryOut {
        pnl_today: dec(today),
        pnl_total: dec(total),
        balance_quote: balance_quote.map(dec),
        quote_asset: quote,
        bots_running: bots.iter().filter(|b| b.status == BotStatus::Running).count(),
        live,
    }))
}

/// The unrealized P&L now of a bot of another strategy than the grid (its runtime's snapshot at the market's price,
/// at its stop's price once stopped); zero before its first run.
async fn runtime_unrealized(ctx: &ApiContext, db: &gridbot_platform::Db, bot: &Bot) -> ApiResult<Decimal> {
    let Some(rb) = crate::routes::stats::readable(bot, gridbot_app::runtime_bot::RuntimeBot::load(db, bot).await)?
    else {
        return Ok(Decimal::ZERO);
    };
    let run = gridbot_platform::book::RunState::from_bot(bot)?;
    let stop = run.as_ref().and_then(|r| r.stop.as_ref()).map(|s| s.price);
    let mark = match stop {
        Some(p) => p,
        None => match ctx.market.price(ctx.exchange.as_ref(), &bot.symbol).await {
            Ok(p) => p,
            Err(_) => run.map_or(Decimal::ONE, |r| r.start_price),
        },
    };
    Ok(rb.runtime().summary(mark).map(|s| s.unrealized_pnl).unwrap_or_default())
}

/// The quote asset most of `bots` trade against; USDT when there are none (ties go to the name first in order).
pub(crate) fn main_quote(bots: &[Bot]) -> String {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for b in bots {
        *count.entry(b.symbol.quote()).or_default() += 1;
    }
    let best = count.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    best.map_or_else(|| "USDT".to_owned(), |(q, _)| (*q).to_owned())
}

#[derive(Debug, Serialize, ToSchema)]
struct BalanceOut {
    /// `paper` or `live`.
    mode: &'static str,
    balances: Vec<AssetBalance>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
struct AssetBalance {
    asset: String,
    free: String,
    locked: String,
}

#[utoipa::path(get, path = "/api/balance", tag = "account", security(("bearer" = [])), params(
    ("mode" = Option<String>, Query, description = "paper (default) or live")),
    responses((status = 200, body = BalanceOut), (status = 422, body = ErrorBody), (status = 502, body = ErrorBody)))]
async fn balance(State(ctx): State<ApiContext>, user: AuthUser, query: RawQuery) -> ApiResult<Json<BalanceOut>> {
    let q = query_map(query)?;
    let mode = match q.get("mode").map(|m| m.trim()) {
        None | Some("paper") => BotMode::Paper,
        Some("live") => BotMode::Live,
        Some(_) => return Err(ApiError::field("mode", "must be paper or live")),
    };
    let balances = match mode {
        BotMode::Live => {
            if ctx.db.users().get(user.id).await?.api_key_enc.is_none() {
                return Err(ApiError::field(
                    "api_keys",
                    "the live balance needs your Binance API keys: store them first",
                ));
            }
            live_balances(&ctx, user)
                .await?
                .into_iter()
                .filter(|b| !(b.free + b.locked).is_zero())
                .map(|b| AssetBalance { asset: b.asset, free: dec(b.free), locked: dec(b.locked) })
                .collect()
        }
        BotMode::Paper => ctx
            .db
            .paper_balances()
            .account(user.id)
            .await?
            .into_iter()
            .filter(|b| !(b.free + b.locked).is_zero())
            .map(|b| AssetBalance { asset: b.asset, free: dec(b.free), locked: dec(b.locked) })
            .collect(),
    };
    Ok(Json(BalanceOut { mode: mode.as_str(), balances }))
}

async fn live_balances(ctx: &ApiContext, user: AuthUser) -> ApiResult<Vec<gridbot_exchange::Balance>> {
    let client = ctx.rt.live.client(&ctx.db, user.id).await.map_err(ApiError::internal)?;
    Ok(client.balances().await?)
}

#[derive(Debug, Serialize, ToSchema)]
struct ResetOut {
    /// The paper account as funded afresh.
    balances: Vec<AssetBalance>,
}

#[utoipa::path(post, path = "/api/paper/reset", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = ResetOut), (status = 409, body = ErrorBody)))]
async fn reset_paper(State(ctx): State<ApiContext>, user: AuthUser) -> ApiResult<Json<ResetOut>> {
    let bots = ctx.db.bots().list_for_user(user.id).await?;
    if let Some(b) = bots.iter().find(|b| b.mode == BotMode::Paper && b.status != BotStatus::Stopped) {
        return Err(ApiError::Conflict(format!(
            "paper bot {} is {}: stop every paper bot before resetting the paper account",
            b.id,
            b.status.as_str()
        )));
    }
    ctx.db.paper_balances().fund(user.id, &ctx.config.paper_funding).await?;
    tracing::info!(user_id = user.id, "paper account reset");
    let balances = ctx
        .db
        .paper_balances()
        .account(user.id)
        .await?
        .into_iter()
        .map(|b| AssetBalance { asset: b.asset, free: dec(b.free), locked: dec(b.locked) })
        .collect();
    Ok(Json(ResetOut { balances }))
}
