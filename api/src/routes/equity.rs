//! `GET /api/bots/{id}/equity?run=`: a run's equity at each closed 1-minute candle of its symbol since it started (to
//! the next run's start) — the paper book replayed from the run's fills (quote and base balances from the run's
//! capital in quote) and valued at each close; the current run by default, any run by its generation; at most
//! [`MAX_POINTS`], evenly downsampled.

use axum::{
    Json,
    extract::{Path, State},
};
use gridbot_core::{Candle, Decimal, Side};
use gridbot_platform::db::types::Fill;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    ApiContext,
    auth::AuthUser,
    error::{ApiError, ApiResult},
    openapi::ErrorBody,
    routes::{
        bots::read_bot,
        trading::{RawQuery, query_map},
    },
    run_curve,
    views::dec,
};

/// The most points one answer holds.
pub const MAX_POINTS: usize = 2000;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(equity))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EquityPoint {
    /// The candle's open time, UNIX milliseconds (the market's clock).
    pub time: i64,
    /// Quote + base × the candle's close, in the pair's quote asset.
    pub equity: String,
}

#[utoipa::path(get, path = "/api/bots/{id}/equity", operation_id = "bot_equity", tag = "bots", security(("bearer" = [])),
    params(("id" = i64, Path),
    ("run" = Option<u32>, Query, description = "the run's generation (`GET /api/bots/{id}/runs`); the current run by default")),
    responses((status = 200, body = [EquityPoint]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn equity(
    State(ctx): State<ApiContext>,
    user: AuthUser,
    Path(id): Path<String>,
    query: RawQuery,
) -> ApiResult<Json<Vec<EquityPoint>>> {
    let q = query_map(query)?;
    let run = run_param(q.get("run").map(String::as_str))?;
    let bot = read_bot(&ctx, user, &id).await?;
    // A run that cannot be read is no run: an empty curve, never a 500.
    let Some(curve) = run_curve::load(&ctx, &bot, run).await? else { return Ok(Json(Vec::new())) };
    Ok(Json(downsample(curve.points).into_iter().map(|(time, e)| EquityPoint { time, equity: dec(e) }).collect()))
}

/// `run`: a generation, a whole number.
pub fn run_param(raw: Option<&str>) -> ApiResult<Option<u32>> {
    raw.map(|r| {
        r.trim().parse::<u32>().map_err(|_| ApiError::field("run", "must be a run's generation (a whole number)"))
    })
    .transpose()
}

/// Equity at each candle's close: the fills booked before the candle closed moved the balances (a buy spends
/// price × qty of quote for qty of base, a sell the reverse; each fee out of the asset it was paid in, a fee in a third
/// asset by its booked quote value). Fills are taken in time order. Overflow ends the curve there.
pub fn curve(capital: Decimal, assets: (&str, &str), fills: &[Fill], candles: &[Candle]) -> Vec<(i64, Decimal)> {
    curve_traced(capital, assets, fills, candles, |_, _| {})
}

/// [`curve`], calling `booked(open_time, fill)` for each fill with the open time of the candle whose close it moved.
pub fn curve_traced(
    capital: Decimal,
    (base, quote): (&str, &str),
    fills: &[Fill],
    candles: &[Candle],
    mut booked: impl FnMut(i64, &Fill),
) -> Vec<(i64, Decimal)> {
    let mut fills: Vec<&Fill> = fills.iter().collect();
    fills.sort_by_key(|f| f.time);
    let (mut q, mut b) = (capital, Decimal::ZERO);
    let mut next = fills.into_iter().peekable();
    let mut out = Vec::with_capacity(candles.len());
    for c in candles {
        let close_ms = c.open_time.saturating_add(60_000);
        while let Some(f) = next.next_if(|f| f.time.timestamp_millis() < close_ms) {
            let Some((nq, nb)) = book(q, b, f, base, quote) else { return out };
            (q, b) = (nq, nb);
            booked(c.open_time, f);
        }
        let Some(e) = b.checked_mul(c.close).and_then(|v| v.checked_add(q)) else { return out };
        out.push((c.open_time, e));
    }
    out
}

fn book(q: Decimal, b: Decimal, f: &Fill, base: &str, quote: &str) -> Option<(Decimal, Decimal)> {
    let notional = f.price.get().checked_mul(f.qty.get())?;
    let (mut q, mut b) = match f.side {
        Side::Buy => (q.checked_sub(notional)?, b.checked_add(f.qty.get())?),
        Side::Sell => (q.checked_add(notional)?, b.checked_sub(f.qty.get())?),
    };
    match f.fee_asset.as_deref() {
        Some(a) if a.eq_ignore_ascii_case(quote) => q = q.checked_sub(f.fee)?,
        Some(a) if a.eq_ignore_ascii_case(base) => b = b.checked_sub(f.fee)?,
        _ => q = q.checked_sub(f.fee_quote.unwrap_or_default())?,
    }
    Some((q, b))
}

/// At most [`MAX_POINTS`], evenly spaced, the first and the last kept.
pub fn downsample<T: Clone>(points: Vec<T>) -> Vec<T> {
    let n = points.len();
    if n <= MAX_POINTS {
        return points;
    }
    (0..MAX_POINTS).map(|i| points[i * (n - 1) / (MAX_POINTS - 1)].clone()).collect()
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use gridbot_core::{BotId, Price, Qty};

    use super::*;

    fn candle(minute: i64, close: i64) -> Candle {
        let p = Decimal::from(close);
        Candle { open_time: minute * 60_000, open: p, high: p, low: p, close: p, volume: Decimal::ONE }
    }

    fn fill(second: i64, side: Side, price: i64, qty: &str, fee: &str, asset: &str) -> Fill {
        Fill {
            bot: BotId(1),
            order_id: second,
            side,
            level: None,
            price: Price::new(Decimal::from(price)).unwrap(),
            qty: Qty::new(qty.parse().unwrap()).unwrap(),
            fee: fee.parse().unwrap(),
            fee_asset: Some(asset.into()),
            fee_quote: None,
            exchange_trade_id: format!("t{second}"),
            pnl: None,
            time: DateTime::from_timestamp(second, 0).unwrap(),
        }
    }

    #[test]
    fn balances_replayed_and_valued_at_each_close() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // Minute 0 closes at 100 before any fill; a buy of 1 at 100 (fee 0.001 BTC) in minute 1; a sell of 0.5 at
        // 110 (fee 0.055 USDT) in minute 2.
        let candles = [candle(0, 100), candle(1, 104), candle(2, 110), candle(3, 90)];
        let fills = [fill(90, Side::Buy, 100, "1", "0.001", "BTC"), fill(150, Side::Sell, 110, "0.5", "0.055", "USDT")];
        let c = curve(d("1000"), ("BTC", "USDT"), &fills, &candles);
        let e: Vec<Decimal> = c.iter().map(|p| p.1).collect();
        // 900 + 0.999 × 104; then 954.945 + 0.499 × 110; then 954.945 + 0.499 × 90
        assert_eq!(e, [d("1000"), d("1003.896"), d("1009.835"), d("999.855")]);
        assert_eq!(c[3].0, 180_000);
    }

    #[test]
    fn downsampled_evenly_keeping_both_ends() {
        let pts: Vec<usize> = (0..10_000).collect();
        let s = downsample(pts);
        assert_eq!(s.len(), MAX_POINTS);
        assert_eq!((s[0], s[MAX_POINTS - 1]), (0, 9_999));
        assert!(s.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(downsample(vec![1, 2, 3]), [1, 2, 3]);
    }
}
