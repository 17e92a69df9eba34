//! Property tests of the grid engine against the invariants of spec/grid.md, on random configs and random price
//! paths (with gaps between candles): exactly one empty level, N−1 resting orders, every order valid for the filters,
//! equity = quote + base × mark, books that add up fill by fill, and the decimal API agreeing with the backtester.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    Candle, Candles, Decimal, GridConfig, GridConfigInput, Side, Spacing, SymbolFilters,
    backtest::backtest_report,
    engine::{GridEngine, LevelState},
};
use proptest::prelude::*;
use rust_decimal_macros::dec;

#[derive(Debug, Clone)]
struct Case {
    config: GridConfig,
    filters: SymbolFilters,
    candles: Candles,
}

fn walk(start: i64, moves: Vec<(i64, i64, i64, i64)>) -> Candles {
    // Prices in cents; each candle: gap from the previous close, then a body and wicks.
    let mut out = Vec::new();
    let mut close = start;
    for (i, (gap, body, up, down)) in moves.into_iter().enumerate() {
        let open = (close + gap).max(100);
        let c = (open + body).max(100);
        let high = open.max(c) + up;
        let low = (open.min(c) - down).max(50);
        let d = |v: i64| Decimal::new(v, 2);
        out.push(Candle {
            open_time: i as i64 * 60_000,
            open: d(open),
            high: d(high),
            low: d(low),
            close: d(c),
            volume: dec!(1),
        });
        close = c;
    }
    Candles::new(out).expect("valid candles")
}

fn case() -> impl Strategy<Value = Case> {
    (
        2usize..40,
        prop_oneof![Just(Spacing::Arithmetic), Just(Spacing::Geometric)],
        500i64..3000,  // lower, in units
        1000i64..6000, // width
        prop_oneof![Just(dec!(0)), Just(dec!(0.001)), Just(dec!(0.00075))],
        prop::option::of(1u32..30),
        prop::option::of(1u32..30),
        prop_oneof![Just(dec!(0.01)), Just(dec!(0.1)), Just(dec!(1))],
        prop::collection::vec((-3000i64..3000, -20000i64..20000, 0i64..20000, 0i64..20000), 1..200),
        0u32..100,
    )
        .prop_filter_map("start inside the grid", |(n, spacing, lower, width, fee, sl, tp, tick, moves, at)| {
            let (lower, upper) = (Decimal::from(lower), Decimal::from(lower + width));
            let config = GridConfig::new(GridConfigInput {
                lower,
                upper,
                levels: n,
                spacing,
                capital: dec!(100000),
                fee_rate: fee,
                fee_asset: Default::default(),
                stop_loss_pct: sl.map(Decimal::from),
                take_profit_pct: tp.map(Decimal::from),
                max_daily_loss: None,
            })
            .ok()?;
            // Start somewhere strictly inside, in cents.
            let start = (lower + Decimal::from(width) * Decimal::from(at) / dec!(100)) * dec!(100);
            let start = i64::try_from(start.trunc().mantissa() / 10i128.pow(start.trunc().scale())).ok()?;
            let filters = SymbolFilters::new(tick, dec!(0.0001), dec!(5)).ok()?;
            Some(Case { config, filters, candles: walk(start, moves) })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_along_the_path(c in case()) {
        let Ok(report) = backtest_report(&c.config, &c.filters, &c.candles) else { return Ok(()) };
        let mut e = GridEngine::start(&c.config, &c.filters, c.candles.as_slice()[0].open).unwrap();
        let n = c.config.levels();
        let q = e.plan().qty;
        let levels = e.plan().levels.clone();
        prop_assert!(levels.windows(2).all(|w| w[0] < w[1]));
        let mut fills = Vec::new();
        let mut prev = c.candles.as_slice()[0].open;
        'path: for (ci, candle) in c.candles.as_slice().iter().enumerate() {
            for p in candle.path() {
                for (side, level) in e.on_segment(prev, p).unwrap() {
                    fills.push((ci, side, level));
                }
                prev = p;
                if e.is_stopped() {
                    break 'path;
                }
                // Exactly one empty level; N − 1 resting orders, buys below it and sells above.
                let states = e.level_states();
                prop_assert_eq!(states.iter().filter(|s| **s == LevelState::Empty).count(), 1);
                let resting = e.resting_orders();
                prop_assert_eq!(resting.len(), n - 1);
                for o in &resting {
                    prop_assert!(c.filters.check_order(o.price, o.qty).is_ok(), "{:?}", c.filters.check_order(o.price, o.qty));
                    let l = o.level.unwrap();
                    prop_assert_eq!(o.side, if l < e.empty_level() { Side::Buy } else { Side::Sell });
                }
                // The quote covers the resting buys, up to the fees paid (the spec's sizing reserves no buy fees).
                let s = e.summary(p);
                let buys: Decimal = resting.iter().filter(|o| o.side == Side::Buy).map(|o| o.price * o.qty).sum();
                prop_assert!(s.quote_balance >= buys - s.fees_paid, "quote {} buys {} fees {}", s.quote_balance, buys, s.fees_paid);
                prop_assert!(s.base_balance >= Decimal::ZERO);
                prop_assert_eq!(s.final_equity, (s.quote_balance + s.base_balance * p).normalize());
            }
        }
        // The decimal API and the backtester's integer path make the same fills.
        let expected: Vec<_> = report.fills.iter().map(|f| (f.candle, f.side, f.level)).collect();
        prop_assert_eq!(&fills, &expected);

        // The books add up, recomputed fill by fill in decimals.
        let r = &report.result;
        let f = c.config.fee_rate();
        let start = e.plan().start_price;
        let k = e.plan().empty_level;
        let mut basis: Vec<Option<Decimal>> = (0..n).map(|i| (i > k).then_some(start)).collect();
        let mut quote = c.config.capital() - q * Decimal::from(n - 1 - k) * start * (Decimal::ONE + f);
        let mut fees = q * Decimal::from(n - 1 - k) * start * f;
        let mut realized = Decimal::ZERO;
        for (_, side, level) in &fills {
            let p = levels[*level];
            fees += q * p * f;
            match side {
                Side::Buy => {
                    quote -= q * p * (Decimal::ONE + f);
                    basis[level + 1] = Some(p);
                }
                Side::Sell => {
                    quote += q * p * (Decimal::ONE - f);
                    let b = basis[*level].take().unwrap();
                    realized += q * (p - b) - q * b * f - q * p * f;
                }
            }
        }
        if let Some(stop) = e.ledger().stop() {
            for b in basis.iter().flatten() {
                realized += q * (stop.price - b) - q * b * f - q * stop.price * f;
                fees += q * stop.price * f;
                quote += q * stop.price * (Decimal::ONE - f);
            }
            prop_assert_eq!(r.final_equity, quote.normalize());
            prop_assert_eq!(r.unrealized_pnl, Decimal::ZERO);
        } else {
            let held = Decimal::from(basis.iter().flatten().count()) * q;
            let mark = c.candles.as_slice().last().unwrap().close;
            prop_assert_eq!(r.final_equity, (quote + held * mark).normalize());
        }
        prop_assert_eq!(r.realized_pnl, realized.normalize());
        prop_assert_eq!(r.fees_paid, fees.normalize());
        prop_assert_eq!(r.orders_filled as usize, fills.len());
        // Sizing reserves quote for the initial buy's fee but not for the resting buys' (spec/grid.md, "Start"): once
        // every buy has filled and the price has all but vanished, equity is below zero by at most those fees.
        let unreserved = q * levels[..r.empty_level].iter().copied().sum::<Decimal>() * c.config.fee_rate();
        let most = Decimal::ONE + unreserved / c.config.capital();
        prop_assert!(r.max_drawdown >= Decimal::ZERO && r.max_drawdown <= most, "{} over {most}", r.max_drawdown);
        // The equity curve's worst fall is the reported max drawdown (candles sampled at close, start at C).
        let mut peak = c.config.capital();
        let mut worst = Decimal::ZERO;
        for (_, eq) in &report.equity_curve {
            peak = peak.max(*eq);
            worst = worst.max((peak - eq) / peak);
        }
        prop_assert!((worst - r.max_drawdown).abs() < dec!(0.000000000001), "curve {} reported {}", worst, r.max_drawdown);
    }
}
