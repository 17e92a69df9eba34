//! Market indicators for the AI and the dashboard: 24 h range and volume, volatility, ATR, support and resistance.
//!
//! Prices stay decimal. Volatility is a statistic of log returns and is computed in `f64`; it never enters the books.
//!
//! Support and resistance (method): candles are resampled to one hour; a *swing low* is an hourly low that is the
//! lowest of the `SWING` candles on each side of it, a *swing high* likewise. Swing prices closer than half an ATR
//! (or 0.25 % of the price, when larger) are merged into one zone, priced at the zone's average and ranked by how
//! many swings touched it. Supports are the zones below the last price, resistances those above, strongest first,
//! then nearest first; at most three of each.

use rust_decimal::{Decimal, prelude::ToPrimitive};
use serde::Serialize;

use crate::Candle;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Candles on each side a swing point must beat.
const SWING: usize = 3;
/// Wilder's ATR period.
pub const ATR_PERIOD: usize = 14;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicators {
    pub price: Decimal,
    pub high_24h: Decimal,
    pub low_24h: Decimal,
    /// Base volume over the last 24 h.
    pub volume_24h: Decimal,
    /// Standard deviation of 1-candle log returns over the last 24 h.
    pub volatility: f64,
    /// `volatility` scaled to a year (× √(candles per year)).
    pub volatility_annualized: f64,
    /// Wilder's ATR(14) on hourly candles.
    pub atr: Decimal,
    pub support: Vec<Decimal>,
    pub resistance: Vec<Decimal>,
}

/// All indicators over `candles` (time-ordered); `None` when there are none.
pub fn indicators(candles: &[Candle]) -> Option<Indicators> {
    let last = candles.last()?;
    let day = last_window(candles, DAY_MS);
    let hourly = resample(candles, HOUR_MS);
    let atr = atr(&hourly, ATR_PERIOD).unwrap_or_else(|| atr(candles, ATR_PERIOD).unwrap_or_default());
    let (support, resistance) = support_resistance(&hourly, last.close, atr);
    let vol = volatility(day);
    Some(Indicators {
        price: last.close,
        high_24h: day.iter().map(|c| c.high).max().unwrap_or(last.high),
        low_24h: day.iter().map(|c| c.low).min().unwrap_or(last.low),
        volume_24h: day.iter().map(|c| c.volume).sum::<Decimal>().normalize(),
        volatility: vol,
        volatility_annualized: vol * (365.0 * DAY_MS as f64 / interval_ms(candles) as f64).sqrt(),
        atr: atr.round_dp(8).normalize(),
        support,
        resistance,
    })
}

/// The candles of the last `span_ms` up to the last candle's open.
pub fn last_window(candles: &[Candle], span_ms: i64) -> &[Candle] {
    let Some(last) = candles.last() else { return candles };
    let from = last.open_time - span_ms;
    &candles[candles.partition_point(|c| c.open_time <= from)..]
}

/// The usual distance between candles (the median gap), in ms; one minute when unknown.
pub fn interval_ms(candles: &[Candle]) -> i64 {
    let mut gaps: Vec<i64> = candles.windows(2).take(1000).map(|w| w[1].open_time - w[0].open_time).collect();
    gaps.sort_unstable();
    gaps.get(gaps.len() / 2).copied().filter(|g| *g > 0).unwrap_or(60_000)
}

/// Sample standard deviation of log returns between consecutive closes.
pub fn volatility(candles: &[Candle]) -> f64 {
    let r: Vec<f64> =
        candles.windows(2).filter_map(|w| Some((w[1].close.to_f64()? / w[0].close.to_f64()?).ln())).collect();
    if r.len() < 2 {
        return 0.0;
    }
    let mean = r.iter().sum::<f64>() / r.len() as f64;
    (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (r.len() - 1) as f64).sqrt()
}

/// Wilder's average true range over `period` candles; `None` with fewer than `period + 1` candles.
pub fn atr(candles: &[Candle], period: usize) -> Option<Decimal> {
    if period == 0 || candles.len() <= period {
        return None;
    }
    let tr = |w: &[Candle]| {
        let (c, prev) = (w[1], w[0].close);
        (c.high - c.low).max((c.high - prev).abs()).max((c.low - prev).abs())
    };
    let trs: Vec<Decimal> = candles.windows(2).map(tr).collect();
    let n = Decimal::from(period);
    let mut atr = trs[..period].iter().sum::<Decimal>() / n;
    for t in &trs[period..] {
        atr = (atr * (n - Decimal::ONE) + t) / n;
    }
    Some(atr)
}

/// Candles merged into buckets of `span_ms` aligned to the epoch.
pub fn resample(candles: &[Candle], span_ms: i64) -> Vec<Candle> {
    let mut out: Vec<Candle> = Vec::new();
    for c in candles {
        let t = c.open_time - c.open_time.rem_euclid(span_ms);
        match out.last_mut() {
            Some(b) if b.open_time == t => {
                b.high = b.high.max(c.high);
                b.low = b.low.min(c.low);
                b.close = c.close;
                b.volume += c.volume;
            }
            _ => out.push(Candle { open_time: t, ..*c }),
        }
    }
    out
}

/// Supports below and resistances above `price` (see the module's method), at most three each.
pub fn support_resistance(candles: &[Candle], price: Decimal, atr: Decimal) -> (Vec<Decimal>, Vec<Decimal>) {
    let mut swings: Vec<Decimal> = Vec::new();
    for i in SWING..candles.len().saturating_sub(SWING) {
        let window = &candles[i - SWING..=i + SWING];
        if window.iter().all(|c| c.low >= candles[i].low) {
            swings.push(candles[i].low);
        }
        if window.iter().all(|c| c.high <= candles[i].high) {
            swings.push(candles[i].high);
        }
    }
    swings.sort();
    let tolerance = (atr / Decimal::TWO).max(price * Decimal::new(25, 4));
    let mut zones: Vec<(Decimal, usize)> = Vec::new(); // (sum, count)
    let mut first = Decimal::ZERO;
    for p in swings {
        match zones.last_mut() {
            Some((sum, n)) if p - first <= tolerance => {
                *sum += p;
                *n += 1;
            }
            _ => {
                first = p;
                zones.push((p, 1));
            }
        }
    }
    let mut zones: Vec<(Decimal, usize)> =
        zones.into_iter().map(|(sum, n)| ((sum / Decimal::from(n)).round_dp(2).normalize(), n)).collect();
    let pick = |below: bool, zones: &mut Vec<(Decimal, usize)>| {
        let mut side: Vec<_> =
            zones.iter().copied().filter(|(p, _)| if below { *p < price } else { *p > price }).collect();
        side.sort_by(|a, b| b.1.cmp(&a.1).then((a.0 - price).abs().cmp(&(b.0 - price).abs())));
        side.into_iter().take(3).map(|(p, _)| p).collect::<Vec<_>>()
    };
    (pick(true, &mut zones), pick(false, &mut zones))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn c(t: i64, o: Decimal, h: Decimal, l: Decimal, cl: Decimal) -> Candle {
        Candle { open_time: t * 60_000, open: o, high: h, low: l, close: cl, volume: dec!(1) }
    }

    #[test]
    fn atr_by_hand() {
        // True ranges: 10, 12 (|112-100|), 8 → ATR(2): (10+12)/2 = 11, then (11*1 + 8)/2 = 9.5
        let cs = [
            c(0, dec!(100), dec!(105), dec!(95), dec!(100)),
            c(1, dec!(100), dec!(105), dec!(95), dec!(100)),
            c(2, dec!(100), dec!(112), dec!(103), dec!(110)),
            c(3, dec!(110), dec!(114), dec!(106), dec!(110)),
        ];
        assert_eq!(atr(&cs, 2), Some(dec!(9.5)));
        assert_eq!(atr(&cs[..2], 2), None);
    }

    #[test]
    fn volatility_of_constant_returns_is_zero_and_of_alternating_is_known() {
        let flat: Vec<_> = (0..10).map(|i| c(i, dec!(100), dec!(100), dec!(100), dec!(100))).collect();
        assert_eq!(volatility(&flat), 0.0);
        let alt: Vec<_> = (0..3)
            .map(|i| {
                let p = if i % 2 == 0 { dec!(100) } else { dec!(110) };
                c(i, p, p, p, p)
            })
            .collect();
        // returns: ln(1.1), -ln(1.1): mean 0, sample sd = ln(1.1) * sqrt(2)
        assert!((volatility(&alt) - 1.1f64.ln() * 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn range_volume_and_levels() {
        // Two days of hourly candles oscillating between 90 and 110.
        let cs: Vec<_> = (0..48 * 60)
            .map(|m| {
                let phase = (m / 60) % 8; // hours
                let mid = if phase < 4 {
                    dec!(95) + Decimal::from(phase) * dec!(5)
                } else {
                    dec!(115) - Decimal::from(phase - 3) * dec!(5)
                };
                c(m, mid, mid + dec!(1), mid - dec!(1), mid)
            })
            .collect();
        let ind = indicators(&cs).unwrap();
        assert_eq!(ind.volume_24h, dec!(1440));
        assert_eq!(ind.high_24h, dec!(111));
        assert_eq!(ind.low_24h, dec!(94));
        assert!(!ind.support.is_empty() && ind.support.iter().all(|p| *p < ind.price), "{ind:?}");
        assert!(!ind.resistance.is_empty() && ind.resistance.iter().all(|p| *p > ind.price), "{ind:?}");
        assert_eq!(resample(&cs, HOUR_MS).len(), 48);
    }
}
