//! Whatever config mean reversion's validation accepts, over any valid candles from 1e-8 to 9e10 quote per base,
//! backtests without panicking: a result whose books add up, or an error.

use gridbot_core::{
    Candle, Candles, FeeAsset,
    strategy::mean_reversion::{MeanReversionConfig, MeanReversionParams, backtest},
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A decimal of up to nine digits scaled by 10^`exp`, from 1e-12 to 1e30.
fn magnitude() -> impl Strategy<Value = Decimal> {
    (1u64..1_000_000_000, -12i32..22).prop_map(|(m, e)| {
        let d = Decimal::from(m);
        if e >= 0 {
            (0..e).try_fold(d, |v, _| v.checked_mul(Decimal::TEN)).unwrap_or(Decimal::MAX)
        } else {
            Decimal::from_i128_with_scale(i128::from(m), (-e) as u32)
        }
    })
}

/// A random walk of candles around `start` (× 10^-8 quote), each move up to ±`swing`‰, with wicks.
fn walk(start: i64, swing: i64, moves: &[(i64, u8, u8)]) -> Option<Candles> {
    let mut close = start;
    let mut out = Vec::with_capacity(moves.len());
    for (i, &(m, up, down)) in moves.iter().enumerate() {
        let open = close;
        let moved = i128::from(open) + i128::from(open / 1000) * i128::from(swing * m) / 100;
        close = moved.clamp(1, 9_000_000_000_000_000_000) as i64;
        let high = open.max(close).saturating_add(open / 1000 * i64::from(up));
        let low = (open.min(close) - open / 1000 * i64::from(down)).max(1);
        let d = |v: i64| Decimal::new(v, 8);
        out.push(Candle {
            open_time: i as i64 * 60_000,
            open: d(open),
            high: d(high),
            low: d(low),
            close: d(close),
            volume: Decimal::ONE,
        });
    }
    Candles::new(out).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn whatever_validation_accepts_backtests_without_panicking(
        capital in prop_oneof![3 => (100u64..10_000_000).prop_map(Decimal::from), 1 => magnitude()],
        window in prop_oneof![4 => 2usize..30, 1 => Just(500), 1 => 0usize..600],
        band in prop_oneof![Just(dec!(0.00000001)), Just(dec!(0.5)), Just(dec!(1)), Just(dec!(2)), Just(dec!(10)), magnitude()],
        stop in prop_oneof![Just(None), Just(Some(dec!(0.00000001))), Just(Some(dec!(0.5))), Just(Some(dec!(5))),
                            Just(Some(dec!(99.99999999))), magnitude().prop_map(Some)],
        fee in prop_oneof![Just(dec!(0)), Just(dec!(0.001)), Just(dec!(0.00075)), Just(dec!(0.09999999))],
        fee_asset in prop_oneof![Just(FeeAsset::Quote), Just(FeeAsset::Base)],
        step in prop_oneof![3 => prop_oneof![Just(dec!(0.00000001)), Just(dec!(0.00001)), Just(dec!(0.001)), Just(dec!(1))],
                            1 => magnitude()],
        min_notional in prop_oneof![3 => prop_oneof![Just(dec!(0)), Just(dec!(5))], 1 => magnitude()],
        start in prop_oneof![Just(1i64), Just(1_000), Just(100_000_000), Just(10_557_373_000_000),
                             Just(9_000_000_000_000_000_000), 1i64..i64::MAX / 2],
        swing in 0i64..300,
        moves in prop::collection::vec((-100i64..=100, 0u8..50, 0u8..50), 1..300),
    ) {
        let params = MeanReversionParams {
            window, band, stop_loss_pct: stop, fee_rate: fee, fee_asset, step_size: step, min_notional,
            ..MeanReversionParams::with_capital(capital)
        };
        let Ok(config) = MeanReversionConfig::new(params) else { return Ok(()) };
        let Some(candles) = walk(start, swing, &moves) else { return Ok(()) };
        if let Ok(r) = backtest(&config, &candles) {
            prop_assert_eq!(r.orders_filled, 2 * r.round_trips + u64::from(r.long));
            prop_assert_eq!(r.unrealized_pnl, r.final_equity - config.capital() - r.realized_pnl);
            prop_assert!(r.max_drawdown >= Decimal::ZERO && r.max_drawdown <= Decimal::ONE);
            prop_assert!(r.win_rate.is_none_or(|w| (Decimal::ZERO..=Decimal::ONE).contains(&w)));
            prop_assert!(r.fees_paid >= Decimal::ZERO && r.final_equity >= Decimal::ZERO);
            prop_assert_eq!(r.stopped, None);
            if fee_asset == FeeAsset::Quote {
                prop_assert!(r.long || r.base_held.is_zero(), "fees in quote carry nothing");
            }
        }
    }
}
