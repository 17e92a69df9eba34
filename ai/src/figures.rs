//! The figures a suggestion is judged by: one [`Figures`] per contender (the suggestion, the current config, the
//! sweep's best, holding the capital in base) and one [`WindowReport`] per backtest window.

use gridbot_core::{BacktestResult, Candles, Decimal, GridConfig, SymbolFilters, backtest};
use serde::{Deserialize, Serialize};

/// Places kept in money and ratios shown to the user.
const DP: u32 = 8;

/// One backtest's result as the contract shows it; a grid the window could not run has `error` and no figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub lower: Option<Decimal>,
    pub upper: Option<Decimal>,
    pub levels: Option<usize>,
    pub realized_pnl: Option<Decimal>,
    pub final_equity: Option<Decimal>,
    /// `(final_equity - capital) / capital`, a fraction.
    pub return_pct: Option<Decimal>,
    pub max_drawdown: Option<Decimal>,
    pub round_trips: Option<u64>,
    pub win_rate: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Every contender over one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowReport {
    /// `7d` or `30d`.
    pub window: String,
    /// Candles the window holds (fewer than its span when history is short).
    pub candles: usize,
    pub suggested: Figures,
    pub current: Option<Figures>,
    pub sweep_best: Figures,
    pub hold: Figures,
}

fn round(d: Decimal) -> Decimal {
    d.round_dp(DP).normalize()
}

impl Figures {
    /// The backtest of `config` over `candles`, or the reason it could not run.
    pub fn backtest(config: &GridConfig, filters: &SymbolFilters, candles: &Candles) -> Figures {
        match backtest(config, filters, candles) {
            Ok(r) => Figures::of(config, &r),
            Err(e) => Figures::failed(config, e.to_string()),
        }
    }

    pub fn of(config: &GridConfig, r: &BacktestResult) -> Figures {
        Figures {
            lower: Some(config.lower()),
            upper: Some(config.upper()),
            levels: Some(config.levels()),
            realized_pnl: Some(round(r.realized_pnl)),
            final_equity: Some(round(r.final_equity)),
            return_pct: Some(round(r.total_return)),
            max_drawdown: Some(round(r.max_drawdown)),
            round_trips: Some(r.round_trips),
            win_rate: r.win_rate.map(round),
            error: None,
        }
    }

    pub fn failed(config: &GridConfig, reason: String) -> Figures {
        Figures {
            lower: Some(config.lower()),
            upper: Some(config.upper()),
            levels: Some(config.levels()),
            realized_pnl: None,
            final_equity: None,
            return_pct: None,
            max_drawdown: None,
            round_trips: None,
            win_rate: None,
            error: Some(reason),
        }
    }

    /// Holding: `capital` spent on base at the first open (no fee), marked at every close. Its drawdown is sampled
    /// like a grid's: at the start and after every candle.
    pub fn hold(capital: Decimal, candles: &Candles) -> Figures {
        let all = candles.as_slice();
        let (Some(first), Some(last)) = (all.first(), all.last()) else {
            return Figures { error: Some("no candles".into()), ..Figures::empty() };
        };
        let start = first.open;
        let (mut peak, mut drawdown) = (start, Decimal::ZERO);
        for c in all {
            peak = peak.max(c.close);
            drawdown = drawdown.max((peak - c.close) / peak);
        }
        let ratio = last.close / start;
        Figures {
            realized_pnl: Some(Decimal::ZERO),
            final_equity: Some(round(capital * ratio)),
            return_pct: Some(round(ratio - Decimal::ONE)),
            max_drawdown: Some(round(drawdown)),
            round_trips: Some(0),
            ..Figures::empty()
        }
    }

    fn empty() -> Figures {
        Figures {
            lower: None,
            upper: None,
            levels: None,
            realized_pnl: None,
            final_equity: None,
            return_pct: None,
            max_drawdown: None,
            round_trips: None,
            win_rate: None,
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbot_core::Candle;
    use rust_decimal_macros::dec;

    fn candle(t: i64, open: Decimal, close: Decimal) -> Candle {
        Candle { open_time: t * 60_000, open, high: open.max(close), low: open.min(close), close, volume: dec!(1) }
    }

    #[test]
    fn holding_by_hand() {
        // 100 → 120 → 90 → 110: peak 120, trough 90: drawdown 25 %; return +10 %.
        let cs = Candles::new(vec![
            candle(0, dec!(100), dec!(120)),
            candle(1, dec!(120), dec!(90)),
            candle(2, dec!(90), dec!(110)),
        ])
        .unwrap();
        let h = Figures::hold(dec!(1000), &cs);
        assert_eq!(
            (h.final_equity, h.return_pct, h.max_drawdown),
            (Some(dec!(1100)), Some(dec!(0.1)), Some(dec!(0.25)))
        );
        assert_eq!((h.lower, h.win_rate, h.round_trips), (None, None, Some(0)));
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["final_equity"], "1100");
        assert!(json.get("error").is_none());
        assert!(Figures::hold(dec!(1), &Candles::default()).error.is_some());
    }
}
