//! Daily P&L, per UTC day of the market's clock: `GET /api/bots/{id}/daily-pnl?run=` for one run of a bot (its
//! current run by default; each run apart), and `GET /api/summary/daily-pnl?quote=` for the account — every run of
//! every bot of the caller's quoted in that asset, added up day by day, with the running total (the account's P&L
//! curve). A day's `total` is the equity's change over it (realized and unrealized), its `realized` what its fills
//! booked; both come from the run's equity curve ([`crate::run_curve`]), so the days add up to the run's P&L.

use axum::{
    Json,
    extract::{Path, State},
};
use chrono::{NaiveDate, NaiveTime};
use gridbot_core::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    daily::{Day, add_up, days},
    error::{ApiError, ApiResult},
    openapi::ErrorBody,
    routes::{
        bots::read_bot,
        equity::run_param,
        trading::{RawQuery, query_map},
    },
    run_curve,
    views::dec,
};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(bot_daily_pnl)).routes(routes!(account_daily_pnl))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DailyPnlOut {
    /// The run (generation) these days are of; null for the account.
    pub generation: Option<u32>,
    /// The quote asset every figure is in.
    pub quote: String,
    /// The run's capital; for the account, the sum of the runs' capitals.
    pub capital: Option<String>,
    /// Runs added up (1 for a bot's run).
    pub runs: u32,
    /// Oldest first; days without a closed candle are left out.
    pub days: Vec<DayOut>,
    /// The sums of the days' `realized` and `total`: the run's (or account's) P&L up to its last closed candle.
    pub realized: String,
    pub total: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayOut {
    /// `2026-12-10` (UTC, the market's clock).
    pub day: String,
    /// 00:00 UTC of the day, UNIX seconds.
    pub time: i64,
    /// What the fills booked that day realized.
    pub realized: String,
    /// The equity's change over the day: realized and unrealized.
    pub total: String,
    /// The days' `total` added up to this one: the P&L curve.
    pub cumulative: String,
    /// The equity at the day's last close (a bot's run only; null for the account).
    pub equity: Option<String>,
}

#[utoipa::path(get, path = "/api/bots/{id}/daily-pnl", operation_id = "bot_daily_pnl", tag = "bots",
    security(("bearer" = [])), params(("id" = i64, Path),
    ("run" = Option<u32>, Query, description = "the run's generation (`GET /api/bots/{id}/runs`); the current run by default")),
    responses((status = 200, body = DailyPnlOut, description = "no days before a run"), (status = 404, body = ErrorBody),
    (status = 422, body = ErrorBody)))]
async fn bot_daily_pnl(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    Path(id): Path<String>,
    query: RawQuery,
) -> ApiResult<Json<DailyPnlOut>> {
    let q = query_map(query)?;
    let run = run_param(q.get("run").map(String::as_str))?;
    let bot = read_bot(&ctx, user, &id).await?;
    let quote = bot.symbol.quote().to_owned();
    let Some(curve) = run_curve::load(&ctx, &bot, run).await? else {
        let empty = Vec::new();
        return Ok(Json(out(run, quote, None, 0, &empty, true)));
    };
    let list = days(curve.capital, &curve.points, &curve.realized);
    let quote = curve.symbol.quote().to_owned();
    Ok(Json(out(Some(curve.generation), quote, Some(curve.capital), 1, &list, true)))
}

#[utoipa::path(get, path = "/api/summary/daily-pnl", operation_id = "account_daily_pnl", tag = "account",
    security(("bearer" = [])),
    params(("quote" = Option<String>, Query, description = "the quote asset to sum over (default: the one most of your bots use, else USDT)")),
    responses((status = 200, body = DailyPnlOut), (status = 422, body = ErrorBody)))]
async fn account_daily_pnl(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    query: RawQuery,
) -> ApiResult<Json<DailyPnlOut>> {
    let q = query_map(query)?;
    let bots = ctx.db.bots().list_for_user(user.id).await?;
    let quote = match q.get("quote").map(|s| s.trim().to_ascii_uppercase()) {
        Some(s) if !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_alphanumeric()) => s,
        Some(_) => return Err(ApiError::field("quote", "must be an asset name such as USDT")),
        None => crate::routes::summary::main_quote(&bots),
    };
    let (mut all, mut capital, mut runs) = (Vec::new(), Decimal::ZERO, 0u32);
    for bot in &bots {
        let stored = run_curve::runs_of(&ctx, bot).await?;
        if stored.iter().all(|r| r.symbol.quote() != quote) {
            continue;
        }
        let orders = ctx.db.orders().list_for_bot(bot.id).await?;
        let booked = ctx.db.fills().booked(bot.id).await?;
        for run in stored.iter().filter(|r| r.symbol.quote() == quote) {
            let clock = run_curve::MarketClock::of(&ctx, &run.symbol).await?;
            let Some(curve) = run_curve::curve_of(&ctx, bot, run, &orders, &booked, clock).await? else { continue };
            let Some(c) = capital.checked_add(curve.capital) else { continue };
            capital = c;
            runs += 1;
            all.push(days(curve.capital, &curve.points, &curve.realized));
        }
    }
    let summed = add_up(all.iter().map(Vec::as_slice)).unwrap_or_default();
    let list: Vec<Day> = summed
        .into_iter()
        .map(|(day, (realized, total))| Day { day, realized, total, equity: Decimal::ZERO })
        .collect();
    Ok(Json(out(None, quote, Some(capital), runs, &list, false)))
}

fn out(
    generation: Option<u32>,
    quote: String,
    capital: Option<Decimal>,
    runs: u32,
    list: &[Day],
    with_equity: bool,
) -> DailyPnlOut {
    let (mut realized, mut total) = (Decimal::ZERO, Decimal::ZERO);
    let mut days_out = Vec::with_capacity(list.len());
    for d in list {
        let (Some(r), Some(t)) = (realized.checked_add(d.realized), total.checked_add(d.total)) else { break };
        (realized, total) = (r, t);
        days_out.push(DayOut {
            day: d.day.to_string(),
            time: midnight(d.day),
            realized: dec(d.realized),
            total: dec(d.total),
            cumulative: dec(total),
            equity: with_equity.then(|| dec(d.equity)),
        });
    }
    DailyPnlOut {
        generation,
        quote,
        capital: capital.map(dec),
        runs,
        days: days_out,
        realized: dec(realized),
        total: dec(total),
    }
}

fn midnight(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp()
}
