//! A run's returns for the stats: total P&L, its fraction of the capital, and the grid's and the total's APR
//! annualized over the running time — exact decimals, checked (`None` on overflow), never floating point.

use gridbot_core::Decimal;

/// Seconds in a 365-day year.
const YEAR_SECS: i64 = 365 * 86_400;
/// Below a minute of running, an annualized figure says nothing: no APR.
pub const MIN_APR_SECS: i64 = 60;

/// What [`returns`] computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returns {
    /// Realized + unrealized.
    pub total_pnl: Decimal,
    /// `total_pnl / capital`, a fraction; `None` without a positive capital.
    pub total_pnl_pct: Option<Decimal>,
    /// `realized / capital × year / running`; `None` under [`MIN_APR_SECS`] or on overflow.
    pub grid_apr: Option<Decimal>,
    /// The same with `total_pnl`.
    pub total_apr: Option<Decimal>,
}

/// Rounding of the ratios: enough for a percentage with four decimals.
const DP: u32 = 8;

pub fn returns(realized: Decimal, unrealized: Decimal, capital: Option<Decimal>, running_secs: Option<i64>) -> Returns {
    let total_pnl = realized.checked_add(unrealized).unwrap_or(realized);
    let capital = capital.filter(|c| *c > Decimal::ZERO);
    let ratio = |pnl: Decimal| capital.and_then(|c| pnl.checked_div(c));
    let apr = |pnl: Decimal| {
        let secs = running_secs.filter(|s| *s >= MIN_APR_SECS)?;
        ratio(pnl)?.checked_mul(Decimal::from(YEAR_SECS))?.checked_div(Decimal::from(secs)).map(|r| r.round_dp(DP))
    };
    Returns {
        total_pnl,
        total_pnl_pct: ratio(total_pnl).map(|r| r.round_dp(DP)),
        grid_apr: apr(realized),
        total_apr: apr(total_pnl),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_day_of_one_percent_is_365_percent_a_year() {
        let r = returns(d("100"), d("-50"), Some(d("10000")), Some(86_400));
        assert_eq!(r.total_pnl, d("50"));
        assert_eq!(r.total_pnl_pct, Some(d("0.005")));
        assert_eq!(r.grid_apr, Some(d("3.65")));
        assert_eq!(r.total_apr, Some(d("1.825")));
    }

    #[test]
    fn no_apr_under_a_minute_nor_without_a_run_or_capital() {
        let table = [
            (Some(d("10000")), Some(59)),
            (Some(d("10000")), None),
            (None, Some(3600)),
            (Some(Decimal::ZERO), Some(3600)),
        ];
        for (capital, secs) in table {
            let r = returns(d("1"), d("1"), capital, secs);
            assert_eq!((r.grid_apr, r.total_apr), (None, None), "{capital:?} {secs:?}");
        }
        assert_eq!(returns(d("1"), d("1"), Some(d("10000")), Some(60)).grid_apr, Some(d("52.56")));
    }

    #[test]
    fn overflow_is_none_not_a_panic() {
        let r = returns(Decimal::MAX, Decimal::ZERO, Some(d("0.0000001")), Some(60));
        assert_eq!((r.total_pnl_pct, r.grid_apr), (None, None));
        assert_eq!(r.total_pnl, Decimal::MAX);
    }
}
