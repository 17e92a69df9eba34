//! `POST /api/bots/test-config`: a config checked as a start now would check it — the pair's exchange filters at the
//! current price, the open-order limit — with what it would do: levels, quantity per level, profit per grid after
//! fees, the initial buy, and a backtest over the last seven days of one-minute candles (the prices table, else the
//! exchange's klines). Every refusal is a 422 naming the config's fields. Another strategy than the grid is checked
//! by its plugin and backtested through its runtime.

use std::collections::BTreeMap;

use axum::{Json, extract::State};
use chrono::{Duration, Utc};
use gridbot_core::{
    Candle, Candles, Decimal, Error as CoreError, GridConfig, GridEngine, Symbol, SymbolFilters,
    backtest::{BacktestReport, backtest_report},
    engine::OrderKind,
    strategy::{GridParams, Registry, runtime::replay_observed},
};
use gridbot_exchange::ExchangeError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    backtest_chart::{BacktestChart, SimFill, chart, grid_chart},
    error::{ApiError, ApiResult},
    extract::ApiJson,
    openapi::ErrorBody,
    routes::bots::parse_pair,
    views::dec,
};

/// How far back the backtest looks.
const DAYS: i64 = 7;
const MINUTE_MS: i64 = 60_000;
/// Stored candles are used when they cover at least a day; otherwise the exchange's, when it has more.
const ENOUGH_STORED: usize = 1440;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(test_config))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TestConfigIn {
    pair: String,
    /// The strategy (`GET /api/strategies`); the grid when absent.
    #[serde(default = "grid")]
    strategy: String,
    /// As a bot's config of that strategy.
    #[schema(value_type = Object)]
    config: serde_json::Value,
}

fn grid() -> String {
    "grid".to_owned()
}

#[derive(Debug, Serialize, ToSchema)]
struct TestConfigOut {
    valid: bool,
    levels: Vec<String>,
    qty_per_level: String,
    /// A round trip between two neighbouring levels, after both fees, in quote: the narrowest and the widest gap.
    profit_per_grid_min: String,
    profit_per_grid_max: String,
    /// The same as fractions of the buy's cost.
    profit_per_grid_pct_min: String,
    profit_per_grid_pct_max: String,
    /// The market buy that makes the lots of the levels above the start price.
    initial_buy_qty: String,
    /// Grid fills per day in the backtest; null without price history.
    expected_fills_per_day: Option<String>,
    backtest: Option<BacktestOut>,
}

#[derive(Debug, Serialize, ToSchema)]
struct BacktestOut {
    /// Days of candles the backtest covered (rounded up).
    days: i64,
    /// The 1-minute candles it replayed: its real span (a fresh simulator has hours, not days).
    candles: usize,
    orders_filled: u64,
    round_trips: u64,
    realized_pnl: String,
    final_equity: String,
    max_drawdown: String,
    win_rate: Option<String>,
    fees_paid: String,
    /// What to draw: the candles replayed, the simulated fills and the equity after each candle (bounded).
    chart: BacktestChart,
}

#[utoipa::path(post, path = "/api/bots/test-config", tag = "bots", security(("bearer" = [])), request_body = TestConfigIn,
    responses((status = 200, body = TestConfigOut), (status = 422, body = ErrorBody), (status = 502, body = ErrorBody)))]
async fn test_config(
    State(ctx): State<ApiContext>,
    _user: AuthUser,
    ApiJson(body): ApiJson<TestConfigIn>,
) -> ApiResult<Json<TestConfigOut>> {
    let symbol = parse_pair(&body.pair)?;
    let stored = Registry::default().bot_config(&body.strategy, &body.config)?;
    let info = ctx.market.symbol_info(ctx.exchange.as_ref(), &symbol).await.map_err(|e| match e {
        ExchangeError::InvalidSymbol(_) => ApiError::field("pair", "not listed on the exchange"),
        other => other.into(),
    })?;
    if !info.status.eq_ignore_ascii_case("TRADING") {
        return Err(ApiError::field("pair", format!("not trading on the exchange (status {})", info.status)));
    }
    if body.strategy != "grid" {
        return runtime_test(&ctx, &body.strategy, &stored, &symbol, &info.filters).await.map(Json);
    }
    let config = GridParams::from_json(&stored)?.to_config()?;
    let price = ctx.market.price(ctx.exchange.as_ref(), &symbol).await?;
    let engine = GridEngine::start(&config, &info.filters, price).map_err(|e| start_refused(e, price))?;
    check_filters(&engine, &info.filters, &symbol)?;

    let plan = engine.plan();
    let (q, f) = (plan.qty, plan.fee_rate);
    // With fees in base a lot sells what its buy delivered, rounded down to the step (the carry aside).
    let sold = match plan.fee_asset {
        gridbot_core::FeeAsset::Quote => q,
        gridbot_core::FeeAsset::Base => info.filters.floor_qty(q * (Decimal::ONE - f)),
    };
    let gaps: Vec<(Decimal, Decimal)> = plan
        .levels
        .windows(2)
        .map(|w| {
            let profit = match plan.fee_asset {
                gridbot_core::FeeAsset::Quote => q * (w[1] - w[0]) - f * q * (w[0] + w[1]),
                gridbot_core::FeeAsset::Base => sold * w[1] * (Decimal::ONE - f) - q * w[0],
            };
            (profit, profit / (q * w[0]))
        })
        .collect();
    let pick = |by: fn(&(Decimal, Decimal)) -> Decimal, max: bool| {
        let it = gaps.iter().map(by);
        if max { it.max() } else { it.min() }.unwrap_or_default()
    };
    let (candles, days) = match recent_candles(&ctx, &symbol).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(symbol = %symbol.exchange_name(), error = %e, "test-config: no candles for the backtest");
            (Vec::new(), Decimal::ZERO)
        }
    };
    let count = candles.len();
    let bt = run_backtest(&config, &info.filters, candles);
    let per_day = bt
        .as_ref()
        .filter(|_| days > Decimal::ZERO)
        .map(|(r, _)| dec((Decimal::from(r.result.orders_filled) / days).round_dp(1)));
    Ok(Json(TestConfigOut {
        valid: true,
        levels: plan.levels.iter().copied().map(dec).collect(),
        qty_per_level: dec(q),
        profit_per_grid_min: dec(pick(|g| g.0, false).round_dp(8)),
        profit_per_grid_max: dec(pick(|g| g.0, true).round_dp(8)),
        profit_per_grid_pct_min: dec(pick(|g| g.1, false).round_dp(6)),
        profit_per_grid_pct_max: dec(pick(|g| g.1, true).round_dp(6)),
        initial_buy_qty: dec(engine.initial_buy().map(|b| b.qty).unwrap_or_default()),
        expected_fills_per_day: per_day,
        backtest: bt.map(|(report, chart)| {
            let r = &report.result;
            BacktestOut {
                days: days.ceil().try_into().unwrap_or(DAYS).max(1),
                candles: count,
                orders_filled: r.orders_filled,
                round_trips: r.round_trips,
                realized_pnl: dec(r.realized_pnl),
                final_equity: dec(r.final_equity),
                max_drawdown: dec(r.max_drawdown.round_dp(6)),
                win_rate: r.win_rate.map(|w| dec(w.round_dp(4))),
                fees_paid: dec(r.fees_paid),
                chart,
            }
        }),
    }))
}

/// Another strategy than the grid: its runtime replayed over the recent candles, as a paper bot would have run
/// them (warmed up on the first `window` of them); the grid's own figures are empty.
async fn runtime_test(
    ctx: &ApiContext,
    strategy: &str,
    config: &serde_json::Value,
    symbol: &Symbol,
    filters: &SymbolFilters,
) -> ApiResult<TestConfigOut> {
    let registry = Registry::default();
    let (candles, days) = match recent_candles(ctx, symbol).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(symbol = %symbol.exchange_name(), error = %e, "test-config: no candles for the backtest");
            (Vec::new(), Decimal::ZERO)
        }
    };
    let count = candles.len();
    let start = candles.first().map_or(Decimal::ONE, |c| c.open);
    let mut runtime = registry.runtime(strategy, config, filters, start, None)?;
    let series = Candles::new(candles).ok().filter(|c| !c.is_empty());
    let backtest = match series {
        Some(series) => {
            let all = series.as_slice();
            let (mut fills, mut equity) = (Vec::new(), Vec::with_capacity(all.len()));
            replay_observed(runtime.as_mut(), &series, |i, booked, rt| {
                let Some(c) = all.get(i) else { return Ok(()) };
                fills.extend(booked.iter().map(|b| SimFill {
                    time_ms: c.open_time,
                    side: b.side,
                    price: b.price,
                    qty: b.qty,
                    kind: fill_kind(&b.tag.0),
                }));
                equity.push((c.open_time, rt.summary(c.close)?.final_equity));
                Ok(())
            })?;
            let last = series.as_slice().last().map_or(start, |c| c.close);
            let s = runtime.summary(last)?;
            Some(BacktestOut {
                days: days.ceil().try_into().unwrap_or(DAYS).max(1),
                candles: count,
                orders_filled: s.orders_filled,
                round_trips: s.round_trips,
                realized_pnl: dec(s.realized_pnl),
                final_equity: dec(s.final_equity),
                max_drawdown: dec(s.max_drawdown.round_dp(6)),
                win_rate: s.win_rate.map(|w| dec(w.round_dp(4))),
                fees_paid: dec(s.fees_paid),
                chart: chart(all, &fills, &equity),
            })
        }
        None => None,
    };
    let per_day = backtest
        .as_ref()
        .filter(|_| days > Decimal::ZERO)
        .map(|r| dec((Decimal::from(r.orders_filled) / days).round_dp(1)));
    let zero = || "0".to_owned();
    Ok(TestConfigOut {
        valid: true,
        levels: Vec::new(),
        qty_per_level: zero(),
        profit_per_grid_min: zero(),
        profit_per_grid_max: zero(),
        profit_per_grid_pct_min: zero(),
        profit_per_grid_pct_max: zero(),
        initial_buy_qty: zero(),
        expected_fills_per_day: per_day,
        backtest,
    })
}

/// A grid that cannot start at `price`, named by the field to change.
fn start_refused(e: CoreError, price: Decimal) -> ApiError {
    match &e {
        CoreError::PriceOutsideGrid { lower, upper, .. } => {
            let p = dec(price);
            let (field, reason) = if lower.parse::<Decimal>().is_ok_and(|l| price <= l) {
                ("lower_bound", format!("must be below the current price {p} (the lowest level rounds to {lower})"))
            } else {
                ("upper_bound", format!("must be above the current price {p} (the highest level rounds to {upper})"))
            };
            ApiError::field(field, reason)
        }
        _ => e.into(),
    }
}

/// Every order the grid would place (and its initial buy) must pass the filters; the grid must fit the open-order
/// limit.
fn check_filters(engine: &GridEngine, filters: &SymbolFilters, symbol: &Symbol) -> ApiResult<()> {
    let mut fields = BTreeMap::new();
    let resting = engine.resting_orders();
    if resting.len() as u64 > u64::from(filters.max_num_orders) {
        fields.insert(
            "grid_levels".to_owned(),
            format!(
                "the grid keeps {} orders open; {} allows {} (MAX_NUM_ORDERS)",
                resting.len(),
                symbol.exchange_name(),
                filters.max_num_orders
            ),
        );
    }
    for o in resting.iter().chain(engine.initial_buy().iter()) {
        if o.kind == OrderKind::Limit
            && let Err(reason) = filters.check_price(o.price)
        {
            let field = if o.price < filters.min_price { "lower_bound" } else { "upper_bound" };
            fields.entry(field.to_owned()).or_insert(reason);
        }
        let qty = filters.check_qty(o.qty).and_then(|()| filters.check_notional(o.price, o.qty));
        if let Err(reason) = qty {
            fields.entry("capital".to_owned()).or_insert(format!("{reason}: raise capital or use fewer grid_levels"));
        }
    }
    if fields.is_empty() {
        return Ok(());
    }
    let message = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ");
    Err(ApiError::Validation { message, fields })
}

/// The last [`DAYS`] of one-minute candles and the days they span.
async fn recent_candles(ctx: &ApiContext, symbol: &Symbol) -> ApiResult<(Vec<Candle>, Decimal)> {
    let now = Utc::now();
    let from = now - Duration::days(DAYS);
    let stored = ctx.db.prices().range(symbol, from, now).await?;
    let candles = if stored.len() >= ENOUGH_STORED {
        stored
    } else {
        match exchange_minutes(ctx, symbol, from.timestamp_millis()).await {
            Ok(fetched) if fetched.len() > stored.len() => fetched,
            Ok(_) => stored,
            Err(e) if !stored.is_empty() => {
                tracing::debug!(error = %e, "exchange klines unavailable; using stored candles");
                stored
            }
            Err(e) => return Err(e.into()),
        }
    };
    let span = match (candles.first(), candles.last()) {
        (Some(a), Some(b)) => Decimal::from(b.open_time + MINUTE_MS - a.open_time) / Decimal::from(86_400_000),
        _ => Decimal::ZERO,
    };
    Ok((candles, span))
}

/// One-minute klines from `start` (ms) to now, a thousand per request.
async fn exchange_minutes(ctx: &ApiContext, symbol: &Symbol, mut start: i64) -> Result<Vec<Candle>, ExchangeError> {
    let pages = DAYS * 1440 / 1000 + 1;
    let mut out: Vec<Candle> = Vec::new();
    for _ in 0..pages {
        let page = ctx.exchange.klines(symbol, "1m", Some(start), 1000).await?;
        let full = page.len() == 1000;
        let last = out.last().map(|c| c.open_time);
        out.extend(page.into_iter().filter(|c| last.is_none_or(|l| c.open_time > l)));
        match out.last() {
            Some(c) if full => start = c.open_time + MINUTE_MS,
            _ => break,
        }
    }
    Ok(out)
}

/// The grid over `candles`, started at the first candle that opens inside it, with its chart; `None` when none does
/// or they are unusable.
fn run_backtest(
    config: &GridConfig,
    filters: &SymbolFilters,
    candles: Vec<Candle>,
) -> Option<(BacktestReport, BacktestChart)> {
    let (lo, hi) = (config.lower(), config.upper());
    let first = candles.iter().position(|c| lo < c.open && c.open < hi)?;
    let series =
        Candles::new(candles[first..].to_vec()).map_err(|e| tracing::warn!(error = %e, "unusable candles")).ok()?;
    let report =
        backtest_report(config, filters, &series).map_err(|e| tracing::debug!(error = %e, "backtest refused")).ok()?;
    let chart = grid_chart(&report, series.as_slice());
    Some((report, chart))
}

/// A runtime's fill as the chart names it: its tag's kind (`entry-3` → `entry`), a grid's order → `grid`.
fn fill_kind(tag: &str) -> String {
    let kind = tag.rsplit_once('-').map_or(tag, |(k, _)| k);
    if kind == "buy" || kind == "sell" { "grid".to_owned() } else { kind.to_owned() }
}
