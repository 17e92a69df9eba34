//! Mean reversion (`spec/mean-reversion.md`) on hand-computed candles: a stop inside a candle and a re-entry at
//! the same close, fees in base with the carry, skipped entries, the engine's two-step API and its saved state, and
//! inputs too large to compute, which are errors and never panics.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    Candle, Candles, Decimal, Error, FeeAsset, Side,
    strategy::mean_reversion::{
        MeanReversionConfig, MeanReversionEngine, MeanReversionParams, MeanReversionState, Order, OrderReason, backtest,
    },
};
use rust_decimal_macros::dec;
use serde_json::json;

fn candles(rows: &[[Decimal; 4]]) -> Candles {
    let v = rows
        .iter()
        .enumerate()
        .map(|(i, &[open, high, low, close])| Candle {
            open_time: i as i64 * 60_000,
            open,
            high,
            low,
            close,
            volume: Decimal::ONE,
        })
        .collect();
    Candles::new(v).unwrap()
}

/// n = 3, k = 1, stop 5 %:
/// - candle 2 closes at 90: S1 = 290, D = 290 - 270 = 20, n*S2 - S1^2 = 84300 - 84100 = 200, 400 > 200: entry at
///   90, stop at 85.5;
/// - candle 3 runs 90 -> 91 -> 85 -> 86: the segment 91 -> 85 reaches 85.5, a sale at 85.5; its close 86 gives
///   S1 = 276, D = 18, n*S2 - S1^2 = 76488 - 76176 = 312, 324 > 312: a new entry at the same close;
/// - candle 4 closes at 95 >= the mean 271/3: exit at 95.
fn dip_stop_and_recovery() -> Candles {
    candles(&[
        [dec!(100), dec!(100), dec!(100), dec!(100)],
        [dec!(100), dec!(100), dec!(100), dec!(100)],
        [dec!(100), dec!(100), dec!(90), dec!(90)],
        [dec!(90), dec!(91), dec!(85), dec!(86)],
        [dec!(86), dec!(95), dec!(86), dec!(95)],
    ])
}

fn config(fee_asset: FeeAsset, capital: Decimal) -> MeanReversionConfig {
    MeanReversionConfig::new(MeanReversionParams {
        window: 3,
        band: dec!(1),
        stop_loss_pct: Some(dec!(5)),
        fee_asset,
        step_size: dec!(0.001),
        ..MeanReversionParams::with_capital(capital)
    })
    .unwrap()
}

#[test]
fn a_stop_inside_a_candle_then_a_re_entry_at_its_close() {
    let r = backtest(&config(FeeAsset::Quote, dec!(1000)), &dip_stop_and_recovery()).unwrap();
    // Buy q1 = floor_to_step(1000 / (90 * 1.001)) = 11.1 for 999.999 (fee 0.999); quote 0.001.
    // Stop: 11.1 * 85.5 * 0.999 = 948.10095 (fee 0.94905), profit -51.89805; quote 948.10195.
    // Buy q2 = floor_to_step(948.10195 / 86.086) = 11.013 for 948.065118 (fee 0.947118); quote 0.036832.
    // Exit: 11.013 * 95 * 0.999 = 1045.188765 (fee 1.046235), profit 97.123647; quote 1045.225597.
    assert_eq!((r.orders_filled, r.round_trips, r.stop_losses), (4, 2, 1));
    assert_eq!(r.realized_pnl, dec!(45.225597));
    assert_eq!(r.fees_paid, dec!(3.941403));
    assert_eq!(r.final_equity, dec!(1045.225597));
    assert_eq!(r.unrealized_pnl, dec!(0));
    assert_eq!(r.win_rate, Some(dec!(0.5)));
    assert_eq!(r.stopped, None);
    // Worst sample: after candle 3, 0.036832 + 11.013 * 86 = 947.154832 against the peak 1000.
    assert_eq!(r.max_drawdown, dec!(0.052845168));
    assert!(!r.long && r.base_held.is_zero());
}

#[test]
fn fees_in_base_carry_what_a_step_cannot_sell() {
    let r = backtest(&config(FeeAsset::Base, dec!(1000)), &dip_stop_and_recovery()).unwrap();
    // Buy q1 = floor_to_step(1000 / 90) = 11.111 for 999.99 (fee 0.99999 in base): r = 11.099889, s = 11.099,
    // carry 0.000889. Stop: 11.099 * 85.5 * 0.999 = 948.0155355, profit -51.9744645; quote 948.0255355.
    // Buy q2 = floor_to_step(948.0255355 / 86) = 11.023 for 947.978: r = 11.011977; with the carry 11.012866, so
    // s = 11.012 (r alone would sell 11.011), carry 0.000866. Exit: 11.012 * 95 * 0.999 = 1045.09386, profit
    // 97.11586; quote 1045.1413955, and the carry is worth 0.000866 * 95 = 0.08227.
    assert_eq!((r.orders_filled, r.round_trips, r.stop_losses), (4, 2, 1));
    assert_eq!(r.realized_pnl, dec!(45.1413955));
    assert_eq!(r.fees_paid, dec!(3.9430725));
    assert_eq!(r.final_equity, dec!(1045.2236655));
    assert_eq!(r.unrealized_pnl, dec!(0.08227), "the carry, never sold");
    assert_eq!(r.base_held, dec!(0.000866));
    assert_eq!(r.max_drawdown, dec!(0.0528459885));
}

#[test]
fn entries_below_a_step_or_the_minimum_notional_are_skipped() {
    // 5 quote buys floor_to_step(5 / 90.09) = 0.055, worth 4.95 < 5: skipped, twice (candles 2 and 3).
    let r = backtest(&config(FeeAsset::Quote, dec!(5)), &dip_stop_and_recovery()).unwrap();
    assert_eq!((r.orders_filled, r.skipped_entries, r.final_equity), (0, 2, dec!(5)));
    assert_eq!((r.win_rate, r.max_drawdown), (None, dec!(0)));
    // 5.5 quote buys 0.061 worth 5.49: bought.
    let r = backtest(&config(FeeAsset::Quote, dec!(5.5)), &dip_stop_and_recovery()).unwrap();
    assert_eq!((r.orders_filled, r.skipped_entries), (4, 0));
    // A step of 1 base: 50 quote buys q = 0.
    let whole = MeanReversionConfig::new(MeanReversionParams {
        step_size: dec!(1),
        ..config(FeeAsset::Base, dec!(50)).params().clone()
    })
    .unwrap();
    let r = backtest(&whole, &dip_stop_and_recovery()).unwrap();
    assert_eq!((r.orders_filled, r.skipped_entries), (0, 2));
}

#[test]
fn the_engine_decides_then_books_as_the_backtest_does() {
    let config = config(FeeAsset::Base, dec!(1000));
    let mut e = MeanReversionEngine::new(&config).unwrap();
    let data = dip_stop_and_recovery();
    let all = data.as_slice();
    // A live bot warms its window up with the closes before its start.
    e.warm_up(&[all[0].close, all[1].close]).unwrap();
    let buy = e.on_close(all[2].close).unwrap().unwrap();
    assert_eq!(buy, Order { side: Side::Buy, qty: dec!(11.111), price: dec!(90), reason: OrderReason::Entry });
    assert_eq!(e.on_close(dec!(80)).unwrap(), Some(buy.clone()), "a waiting order blocks new decisions");
    let mut e = MeanReversionEngine::new(&config).unwrap();
    for c in &all[..2] {
        assert_eq!(e.on_close(c.close).unwrap(), None);
    }
    assert_eq!(e.on_close(all[2].close).unwrap(), Some(buy));
    e.book_fill(dec!(90)).unwrap();
    assert_eq!(e.position().unwrap(), Some(dec!(11.099)));
    assert_eq!(e.on_segment(dec!(90), dec!(85.51)).unwrap(), None, "above the stop");
    assert_eq!(e.on_segment(dec!(85), dec!(85.5)).unwrap(), None, "going up");
    let stop = e.on_segment(dec!(91), dec!(85)).unwrap().unwrap();
    assert_eq!(stop, Order { side: Side::Sell, qty: dec!(11.099), price: dec!(85.5), reason: OrderReason::StopLoss });
    e.book_fill(stop.price).unwrap();
    assert!(e.book_fill(dec!(85.5)).is_err(), "nothing waits");
    let buy = e.on_close(all[3].close).unwrap().unwrap();
    assert_eq!((buy.qty, buy.price), (dec!(11.023), dec!(86)));
    e.book_fill(buy.price).unwrap();
    let exit = e.on_close(all[4].close).unwrap().unwrap();
    assert_eq!((exit.side, exit.qty, exit.reason), (Side::Sell, dec!(11.012), OrderReason::Exit));
    e.book_fill(exit.price).unwrap();
    let s = e.summary(all[4].close).unwrap();
    let r = backtest(&config, &data).unwrap();
    assert_eq!((s.realized_pnl, s.fees_paid, s.final_equity), (r.realized_pnl, r.fees_paid, r.final_equity));
}

#[test]
fn a_restored_engine_continues_exactly() {
    let config = MeanReversionConfig::from_json(
        &json!({"capital": "1000", "window": 3, "band": "1", "stop_loss_pct": "5", "fee_asset": "base",
                "step_size": "0.001"}),
    )
    .unwrap();
    let data = dip_stop_and_recovery();
    let mut e = MeanReversionEngine::new(&config).unwrap();
    for c in &data.as_slice()[..3] {
        e.on_close(c.close).unwrap();
        if e.wanted().unwrap().is_some() {
            e.book_fill(c.close).unwrap();
        }
        e.sample_equity(c.close).unwrap();
    }
    let state = e.state().unwrap();
    assert_eq!(state.closes, [dec!(100), dec!(100), dec!(90)]);
    assert_eq!(state.position.as_ref().map(|p| (p.qty, p.stop_price)), Some((dec!(11.099), Some(dec!(85.5)))));
    assert_eq!(state.carry, dec!(0.000889));
    let text = serde_json::to_string(&state).unwrap();
    let back: MeanReversionState = serde_json::from_str(&text).unwrap();
    let restored = MeanReversionEngine::restore(&config, &back).unwrap();
    assert_eq!(restored.state().unwrap(), state);
    for mut engine in [e, restored] {
        assert_eq!(engine.on_segment(dec!(91), dec!(85)).unwrap().map(|o| o.price), Some(dec!(85.5)));
        engine.book_fill(dec!(85.5)).unwrap();
        engine.on_close(dec!(86)).unwrap();
        engine.book_fill(dec!(86)).unwrap();
        engine.sample_equity(dec!(86)).unwrap();
        engine.on_close(dec!(95)).unwrap();
        engine.book_fill(dec!(95)).unwrap();
        engine.sample_equity(dec!(95)).unwrap();
        let s = engine.summary(dec!(95)).unwrap();
        assert_eq!((s.final_equity, s.max_drawdown), (dec!(1045.2236655), dec!(0.0528459885)));
    }
    // A state that does not fit the config is refused.
    let mut bad = state.clone();
    bad.position.as_mut().unwrap().stop_price = Some(dec!(80));
    assert!(MeanReversionEngine::restore(&config, &bad).is_err());
    let mut bad = state;
    bad.carry = dec!(0.0000000001);
    assert!(MeanReversionEngine::restore(&config, &bad).is_err());
}

#[test]
fn inputs_too_large_to_compute_are_errors_not_panics() {
    let config = MeanReversionConfig::from_json(&json!({"capital": "1000", "window": 500})).unwrap();
    let mut e = MeanReversionEngine::new(&config).unwrap();
    let huge = Decimal::from_i128_with_scale(10i128.pow(28), 0);
    assert!(matches!(e.on_close(huge), Err(Error::Invalid(_))));
    assert!(e.on_segment(huge, dec!(1)).is_err() && e.sample_equity(huge).is_err() && e.summary(huge).is_err());
    assert!(e.warm_up(&[dec!(1), huge]).is_err());
    // 1e28 does not fit the candles' integer prices either: the file is refused, naming its line.
    let row = format!("0,{huge},{huge},{huge},{huge},1\n");
    assert!(matches!(Candles::from_csv(&row), Err(Error::Csv { line: 1, .. })));
    // 5e10 fits a price, but the window's squares overflow 128 bits after six candles: an error, not a panic.
    let p = dec!(50000000000);
    let r = backtest(&config, &candles(&vec![[p, p, p, p]; 10]));
    assert!(matches!(r, Err(Error::Overflow(_))), "{r:?}");
    // Books whose units cannot hold the capital: 8-place step, fee and stop make units of 10^-34.
    let fine = MeanReversionConfig::from_json(&json!({"capital": "1000000000000", "step_size": "0.00000001",
        "fee_rate": "0.00000001", "stop_loss_pct": "0.00000001"}))
    .unwrap();
    assert!(matches!(MeanReversionEngine::new(&fine), Err(Error::Overflow(_))));
}
