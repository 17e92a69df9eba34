//! [`Market`]: what the advisor reasons on — a symbol, its exchange filters and its recent 1-minute candles — with
//! the backtest windows cut from it and the [`MarketSnapshot`] a prompt is built from.

use gridbot_core::{
    Candles, Decimal, Symbol, SymbolFilters,
    indicators::{Indicators, indicators},
    strategy::MarketSnapshot,
};

pub const DAY_MS: i64 = 86_400_000;
/// The backtest windows, by name, ending at the last candle.
pub const WINDOWS: [(&str, i64); 2] = [("7d", 7 * DAY_MS), ("30d", 30 * DAY_MS)];
/// The span the indicators (support and resistance above all) are computed over.
const INDICATOR_SPAN_MS: i64 = 7 * DAY_MS;

#[derive(Debug, Clone)]
pub struct Market {
    pub symbol: Symbol,
    pub filters: SymbolFilters,
    /// 1-minute candles, oldest first; the advisor looks at the last 30 days.
    pub candles: Candles,
}

/// One backtest window: its name and its candles.
#[derive(Debug, Clone)]
pub struct Window {
    pub name: &'static str,
    pub candles: Candles,
}

impl Market {
    /// The current price: the last candle's close.
    pub fn price(&self) -> Option<Decimal> {
        self.candles.as_slice().last().map(|c| c.close)
    }

    /// The candles of the last `span_ms` (up to and including the last candle).
    pub fn last(&self, span_ms: i64) -> Candles {
        match self.candles.as_slice().last() {
            Some(c) => self.candles.since(c.open_time - span_ms + 1),
            None => Candles::default(),
        }
    }

    /// The 7- and 30-day windows.
    pub fn windows(&self) -> Vec<Window> {
        WINDOWS.iter().map(|&(name, span)| Window { name, candles: self.last(span) }).collect()
    }

    /// Indicators over the last week; `None` without candles.
    pub fn indicators(&self) -> Option<Indicators> {
        indicators(self.last(INDICATOR_SPAN_MS).as_slice())
    }

    /// The facts a prompt is built from; `None` without candles.
    pub fn snapshot(&self, capital: Decimal) -> Option<MarketSnapshot> {
        Some(MarketSnapshot {
            symbol: self.symbol.clone(),
            indicators: self.indicators()?,
            capital,
            filters: self.filters.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbot_core::Candle;
    use rust_decimal_macros::dec;

    #[test]
    fn windows_end_at_the_last_candle() {
        let candles: Vec<Candle> = (0..(40 * 1440))
            .map(|i| Candle {
                open_time: i * 60_000,
                open: dec!(100),
                high: dec!(101),
                low: dec!(99),
                close: dec!(100),
                volume: dec!(1),
            })
            .collect();
        let m = Market {
            symbol: "BTC/USDT".parse().unwrap(),
            filters: SymbolFilters::btcusdt(),
            candles: Candles::new(candles).unwrap(),
        };
        let w = m.windows();
        assert_eq!((w[0].name, w[0].candles.len()), ("7d", 7 * 1440));
        assert_eq!((w[1].name, w[1].candles.len()), ("30d", 30 * 1440));
        let s = m.snapshot(dec!(1000)).unwrap();
        assert_eq!((s.indicators.price, s.capital), (dec!(100), dec!(1000)));
        let empty = Market { candles: Candles::default(), ..m };
        assert!(empty.snapshot(dec!(1)).is_none() && empty.price().is_none());
    }
}
