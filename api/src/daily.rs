//! Daily P&L from an equity curve: per UTC day of the market's clock (the candles' open times), the P&L realized by
//! the fills booked in it and the total — the change of the equity from the previous day's last close (the capital
//! before the first) to its own. Exact decimals, checked: an overflow ends the days there.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use gridbot_core::Decimal;

/// One day's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub day: NaiveDate,
    pub realized: Decimal,
    /// Realized and unrealized: the equity's change over the day.
    pub total: Decimal,
    /// The equity at the day's last close.
    pub equity: Decimal,
}

/// The UTC day of `ms` (UNIX milliseconds); `None` out of chrono's range.
pub fn day_of(ms: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
}

/// The days of a run whose equity at each candle's close is `points` (`(open time ms, equity)`, oldest first) and
/// whose fills realized `realized` (`(open time ms of the candle the fill was booked by, P&L)`), from `capital`.
pub fn days(capital: Decimal, points: &[(i64, Decimal)], realized: &[(i64, Decimal)]) -> Vec<Day> {
    let mut by_day: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    for &(t, pnl) in realized {
        let Some(d) = day_of(t) else { continue };
        let slot = by_day.entry(d).or_default();
        match slot.checked_add(pnl) {
            Some(v) => *slot = v,
            None => return Vec::new(),
        }
    }
    let mut out: Vec<Day> = Vec::new();
    let mut before = capital;
    for &(t, equity) in points {
        let Some(d) = day_of(t) else { break };
        match out.last_mut() {
            Some(last) if last.day == d => {
                let Some(total) = equity.checked_sub(before) else { break };
                (last.total, last.equity) = (total, equity);
            }
            _ => {
                if let Some(last) = out.last() {
                    before = last.equity;
                }
                let Some(total) = equity.checked_sub(before) else { break };
                let realized = by_day.get(&d).copied().unwrap_or_default();
                out.push(Day { day: d, realized, total, equity });
            }
        }
    }
    out
}

/// Days of several runs (or bots) added up day by day; `None` on overflow.
pub fn add_up<'a>(runs: impl IntoIterator<Item = &'a [Day]>) -> Option<BTreeMap<NaiveDate, (Decimal, Decimal)>> {
    let mut sum: BTreeMap<NaiveDate, (Decimal, Decimal)> = BTreeMap::new();
    for run in runs {
        for d in run {
            let slot = sum.entry(d.day).or_default();
            *slot = (slot.0.checked_add(d.realized)?, slot.1.checked_add(d.total)?);
        }
    }
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: i64 = 86_400_000;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn each_day_is_its_equity_change_and_its_realized_pnl() {
        // Day 0: closes at 1003 then 1001.5; day 1: 998 then 1010.25; day 3 (day 2 had no candle): 1009.
        let points = [
            (10 * 60_000, d("1003")),
            (DAY_MS - 60_000, d("1001.5")),
            (DAY_MS, d("998")),
            (2 * DAY_MS - 60_000, d("1010.25")),
            (3 * DAY_MS + 5 * 60_000, d("1009")),
        ];
        let realized = [(10 * 60_000, d("0.75")), (DAY_MS, d("1.25")), (DAY_MS + 60_000, d("-0.5"))];
        let days = days(d("1000"), &points, &realized);
        let got: Vec<(String, Decimal, Decimal, Decimal)> =
            days.iter().map(|x| (x.day.to_string(), x.realized, x.total, x.equity)).collect();
        assert_eq!(
            got,
            [
                ("1970-01-01".to_owned(), d("0.75"), d("1.5"), d("1001.5")),
                ("1970-01-02".to_owned(), d("0.75"), d("8.75"), d("1010.25")),
                ("1970-01-04".to_owned(), Decimal::ZERO, d("-1.25"), d("1009")),
            ]
        );
        // The days add up to the run's P&L: the last equity less the capital.
        assert_eq!(days.iter().map(|x| x.total).sum::<Decimal>(), d("9"));
    }

    #[test]
    fn runs_are_added_day_by_day() {
        let a = days(d("100"), &[(0, d("101")), (DAY_MS, d("99"))], &[(0, d("1"))]);
        let b = days(d("50"), &[(DAY_MS, d("52"))], &[]);
        let sum = add_up([a.as_slice(), b.as_slice()]).unwrap();
        let got: Vec<(Decimal, Decimal)> = sum.values().copied().collect();
        assert_eq!(got, [(d("1"), d("1")), (d("0"), d("0"))]);
        assert!(days(Decimal::MIN, &[(0, Decimal::MAX)], &[]).is_empty(), "overflow ends the days");
    }
}
