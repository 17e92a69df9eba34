//! Every config validation accepts runs the levels, the sizing and the engine without panicking, extreme magnitudes
//! included (the 1e28 upper bound that once took `gridbot serve` down): a config is refused with an error naming a
//! field, or it runs.

use gridbot_core::{
    Candle, Candles, FeeAsset, GridConfig, GridConfigInput, GridEngine, Side, Spacing, SymbolFilters, backtest,
    config::{MAX_CAPITAL, MAX_PRICE},
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A decimal of `mantissa` digits scaled by 10^`exp` (exp may be negative), anywhere from 1e-12 to 1e30.
fn magnitude() -> impl Strategy<Value = Decimal> {
    (1u64..1_000_000_000, -12i32..22).prop_map(|(m, e)| {
        let d = Decimal::from(m);
        if e >= 0 {
            (0..e).try_fold(d, |v, _| v.checked_mul(Decimal::TEN)).unwrap_or(Decimal::MAX)
        } else {
            let scale = (-e) as u32;
            Decimal::from_i128_with_scale(i128::from(m), scale.min(28))
        }
    })
}

fn flat(prices: &[Decimal]) -> Candles {
    let candles = prices
        .iter()
        .enumerate()
        .map(|(i, &p)| Candle {
            open_time: i as i64 * 60_000,
            open: p,
            high: p,
            low: p,
            close: p,
            volume: Decimal::ONE,
        })
        .collect();
    Candles::new(candles).expect("candles")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn whatever_validation_accepts_runs_without_panicking(
        lower in magnitude(),
        width in magnitude(),
        capital in magnitude(),
        levels in prop_oneof![Just(2usize), Just(3), 2usize..201, Just(200)],
        spacing in prop_oneof![Just(Spacing::Arithmetic), Just(Spacing::Geometric)],
        fee in prop_oneof![Just(dec!(0)), Just(dec!(0.001)), Just(dec!(0.09999999))],
        fee_asset in prop_oneof![Just(FeeAsset::Quote), Just(FeeAsset::Base)],
        tick in prop_oneof![Just(dec!(0.00000001)), Just(dec!(0.01)), Just(dec!(1))],
        step in prop_oneof![Just(dec!(0.00000001)), Just(dec!(0.00001)), Just(dec!(1))],
        at in 1u32..100,
    ) {
        let upper = lower.checked_add(width).unwrap_or(Decimal::MAX);
        let input = GridConfigInput {
            lower, upper, levels, spacing, capital, fee_rate: fee, fee_asset,
            stop_loss_pct: Some(dec!(50)), take_profit_pct: Some(dec!(50)), max_daily_loss: None,
        };
        let Ok(config) = GridConfig::new(input) else { return Ok(()) };
        prop_assert!(config.lower() <= MAX_PRICE && config.upper() <= MAX_PRICE && config.capital() <= MAX_CAPITAL);
        let Ok(filters) = SymbolFilters::new(tick, step, dec!(5)) else { return Ok(()) };
        let start = lower + (upper - lower) * Decimal::from(at) / dec!(100);
        let start = filters.round_price(start);
        if let Ok(mut engine) = GridEngine::start(&config, &filters, start) {
            // Every order the engine wants, and a walk down and up through the whole grid.
            let resting = engine.resting_orders();
            prop_assert_eq!(resting.len(), levels - 1);
            let _ = engine.on_segment(start, config.lower());
            let _ = engine.on_segment(config.lower(), config.upper());
            let _ = engine.summary(config.upper());
            if let Some(buy) = engine.resting_orders().into_iter().find(|o| o.side == Side::Buy) {
                let _ = engine.book_fill(Side::Buy, buy.level.unwrap_or_default());
            }
        }
        let path = flat(&[start, config.lower(), config.upper(), start]);
        let _ = backtest(&config, &filters, &path);
    }
}

#[test]
fn the_caps_are_a_billion_and_a_trillion() {
    assert_eq!(MAX_PRICE, dec!(1000000000));
    assert_eq!(MAX_CAPITAL, dec!(1000000000000));
    let input = GridConfigInput {
        lower: dec!(95000),
        upper: Decimal::from_i128_with_scale(10i128.pow(28), 0),
        levels: 20,
        spacing: Spacing::Arithmetic,
        capital: dec!(10000000000000),
        fee_rate: dec!(0.001),
        fee_asset: FeeAsset::Base,
        stop_loss_pct: None,
        take_profit_pct: None,
        max_daily_loss: None,
    };
    let e = GridConfig::new(input).unwrap_err();
    let fields: Vec<_> = e.fields().iter().map(|f| f.field).collect();
    assert_eq!(fields, ["upper", "capital"], "{e}");
}
