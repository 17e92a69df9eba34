//! A backtest's chart: the candles it replayed, its simulated fills and its equity, bounded for the page — candles
//! merged into buckets of whole minutes so that at most [`MAX_POINTS`] remain, one equity point per bucket (its last),
//! at most [`MAX_FILLS`] fills (evenly picked, the count left out said). Times are UNIX seconds of the market's clock
//! (the candles' own); a fill is stamped with the bucket of the candle it happened in, so it sits on a bar. Money,
//! prices and quantities stay decimal strings.

use gridbot_core::{Candle, Decimal, Side, backtest::BacktestReport};
use serde::Serialize;
use utoipa::ToSchema;

use crate::views::dec;

/// The most candles (and equity points) a chart holds.
pub const MAX_POINTS: usize = 2000;
/// The most fills a chart holds.
pub const MAX_FILLS: usize = 1000;
const MINUTE_MS: i64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BacktestChart {
    /// Seconds each candle spans: 60, or whole minutes merged so that at most 2000 remain.
    pub candle_secs: i64,
    pub candles: Vec<ChartCandle>,
    /// The fills, oldest first: at most 1000, evenly picked when there were more.
    pub fills: Vec<ChartFill>,
    /// Every fill of the backtest, those left out included.
    pub fills_total: u64,
    /// `fills_total − fills.len()`.
    pub fills_omitted: u64,
    /// The equity at the close of each candle (bucket): quote + base × close; the last is the backtest's
    /// `final_equity`.
    pub equity: Vec<ChartPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChartCandle {
    /// Open time, UNIX seconds (the market's clock).
    pub time: i64,
    pub open: String,
    pub high: String,
    pub low: String,
    pub close: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChartFill {
    /// The open time of the candle (bucket) it happened in, UNIX seconds.
    pub time: i64,
    /// `buy` or `sell`.
    pub side: &'static str,
    pub price: String,
    pub qty: String,
    /// What filled: the grid's `initial` buy, a `grid` order, a `stop`'s sale; mean reversion's `entry`, `exit` or
    /// `stop_loss`.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChartPoint {
    /// UNIX seconds: the candle's (bucket's) open.
    pub time: i64,
    pub equity: String,
}

/// A fill as the chart needs it: when (ms, the market's clock), what, at what price and quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimFill {
    pub time_ms: i64,
    pub side: Side,
    pub price: Decimal,
    pub qty: Decimal,
    pub kind: String,
}

/// The chart of `candles` (the ones replayed), `fills` and `equity` (`(open time ms, equity)` per candle, oldest
/// first; a later point for the same candle replaces an earlier one).
pub fn chart(candles: &[Candle], fills: &[SimFill], equity: &[(i64, Decimal)]) -> BacktestChart {
    let minutes = i64::try_from(candles.len().div_ceil(MAX_POINTS).max(1)).unwrap_or(1);
    let span = minutes.saturating_mul(MINUTE_MS);
    let bucket = |ms: i64| ms - ms.rem_euclid(span);
    let mut merged: Vec<Candle> = Vec::new();
    for c in candles {
        let t = bucket(c.open_time);
        match merged.last_mut() {
            Some(m) if m.open_time == t => {
                m.high = m.high.max(c.high);
                m.low = m.low.min(c.low);
                m.close = c.close;
            }
            _ => merged.push(Candle { open_time: t, ..*c }),
        }
    }
    // Buckets are aligned on the epoch: a span not dividing the candles' range can make one more than the limit.
    let merged = thin(merged, MAX_POINTS);
    let mut points: Vec<(i64, Decimal)> = Vec::new();
    for &(t, e) in equity {
        let t = bucket(t);
        match points.last_mut() {
            Some(p) if p.0 == t => p.1 = e,
            _ => points.push((t, e)),
        }
    }
    let points = thin(points, MAX_POINTS);
    let total = fills.len();
    let kept = thin(fills.to_vec(), MAX_FILLS);
    let secs = |ms: i64| ms.div_euclid(1000);
    BacktestChart {
        candle_secs: span / 1000,
        candles: merged
            .into_iter()
            .map(|c| ChartCandle {
                time: secs(c.open_time),
                open: dec(c.open),
                high: dec(c.high),
                low: dec(c.low),
                close: dec(c.close),
            })
            .collect(),
        fills_total: total as u64,
        fills_omitted: (total - kept.len()) as u64,
        fills: kept
            .into_iter()
            .map(|f| ChartFill {
                time: secs(bucket(f.time_ms)),
                side: f.side.as_str(),
                price: dec(f.price),
                qty: dec(f.qty),
                kind: f.kind,
            })
            .collect(),
        equity: points.into_iter().map(|(t, e)| ChartPoint { time: secs(t), equity: dec(e) }).collect(),
    }
}

/// The grid's chart: the initial buy, every grid fill, a stop's sale, and the equity curve of `report` over the
/// `candles` it ran on.
pub fn grid_chart(report: &BacktestReport, candles: &[Candle]) -> BacktestChart {
    let first = candles.first().map_or(0, |c| c.open_time);
    let mut fills: Vec<SimFill> = Vec::with_capacity(report.fills.len() + 2);
    if let Some(b) = &report.initial_buy {
        fills.push(SimFill { time_ms: first, side: b.side, price: b.price, qty: b.qty, kind: "initial".into() });
    }
    fills.extend(report.fills.iter().map(|f| SimFill {
        time_ms: f.open_time,
        side: f.side,
        price: f.price,
        qty: f.qty,
        kind: "grid".into(),
    }));
    if let Some(s) = report.stop.as_ref().filter(|s| s.qty > Decimal::ZERO) {
        let at = report.equity_curve.last().map_or(first, |p| p.0);
        fills.push(SimFill { time_ms: at, side: Side::Sell, price: s.price, qty: s.qty, kind: "stop".into() });
    }
    let replayed = &candles[..report.result.candles.min(candles.len())];
    chart(replayed, &fills, &report.equity_curve)
}

/// At most `max` of `items`, evenly spaced, the first and the last kept.
fn thin<T>(items: Vec<T>, max: usize) -> Vec<T> {
    let n = items.len();
    if n <= max || max < 2 {
        return items;
    }
    let keep: Vec<usize> = (0..max).map(|i| i * (n - 1) / (max - 1)).collect();
    let mut next = keep.into_iter().peekable();
    items
        .into_iter()
        .enumerate()
        .filter_map(|(i, x)| {
            if next.peek() == Some(&i) {
                next.next();
                Some(x)
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candle(minute: i64, close: i64) -> Candle {
        let p = Decimal::from(close);
        Candle {
            open_time: minute * MINUTE_MS,
            open: p,
            high: p + Decimal::ONE,
            low: p - Decimal::ONE,
            close: p,
            volume: Decimal::ONE,
        }
    }

    fn fill(minute: i64, side: Side) -> SimFill {
        SimFill {
            time_ms: minute * MINUTE_MS + 1,
            side,
            price: Decimal::from(100),
            qty: Decimal::new(5, 3),
            kind: "grid".into(),
        }
    }

    #[test]
    fn a_short_backtest_is_drawn_as_it_ran() {
        let candles: Vec<Candle> = (0..3).map(|m| candle(m, 100 + m)).collect();
        let equity: Vec<(i64, Decimal)> = (0..3).map(|m| (m * MINUTE_MS, Decimal::from(1000 + m))).collect();
        let c = chart(&candles, &[fill(1, Side::Buy)], &equity);
        assert_eq!((c.candle_secs, c.candles.len(), c.equity.len()), (60, 3, 3));
        assert_eq!((c.candles[1].time, c.candles[1].close.as_str(), c.candles[1].high.as_str()), (60, "101", "102"));
        assert_eq!(
            c.fills[0],
            ChartFill { time: 60, side: "buy", price: "100".into(), qty: "0.005".into(), kind: "grid".into() }
        );
        assert_eq!((c.fills_total, c.fills_omitted), (1, 0));
        assert_eq!(c.equity.last().map(|p| p.equity.as_str()), Some("1002"));
    }

    #[test]
    fn a_week_is_merged_to_at_most_2000_candles_and_fills_are_capped() {
        let n = 7 * 1440;
        let candles: Vec<Candle> = (0..n).map(|m| candle(m, 100 + m % 7)).collect();
        let equity: Vec<(i64, Decimal)> = (0..n).map(|m| (m * MINUTE_MS, Decimal::from(m))).collect();
        let fills: Vec<SimFill> = (0..n).map(|m| fill(m, if m % 2 == 0 { Side::Buy } else { Side::Sell })).collect();
        let c = chart(&candles, &fills, &equity);
        assert_eq!(c.candle_secs, 6 * 60, "10,080 minutes in 6-minute candles: 1,680");
        assert_eq!((c.candles.len(), c.equity.len()), (1680, 1680));
        // A merged candle: the first open, the highest high, the lowest low, the last close.
        let first = &c.candles[0];
        assert_eq!(
            (first.open.as_str(), first.high.as_str(), first.low.as_str(), first.close.as_str()),
            ("100", "106", "99", "105")
        );
        assert_eq!(
            c.equity.last().map(|p| p.equity.clone()),
            Some((n - 1).to_string()),
            "the last point is the last equity"
        );
        assert_eq!(
            (c.fills.len(), c.fills_total, c.fills_omitted),
            (MAX_FILLS, n as u64, (n as usize - MAX_FILLS) as u64)
        );
        assert!(c.fills.iter().all(|f| f.time % c.candle_secs == 0), "every fill sits on a candle");
        assert!(c.candles.windows(2).all(|w| w[0].time < w[1].time));
    }

    #[test]
    fn thinning_keeps_both_ends() {
        let t = thin((0..10).collect::<Vec<_>>(), 4);
        assert_eq!(t, [0, 3, 6, 9]);
        assert_eq!(thin(vec![1, 2], 4), [1, 2]);
    }
}
