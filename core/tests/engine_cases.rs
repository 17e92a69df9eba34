//! Small grids computed by hand from spec/grid.md, candle by candle.
//!
//! Grid: L=100, U=140, N=5 → levels 100, 110, 120, 130, 140; start 121 → empty level 2 (120);
//! q = floor(1000 / (100 + 110 + 2 × 121 × 1.001), 0.001) = floor(2.2112…) = 2.211; two lots bought at 121.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    Candle, Candles, Decimal, GridConfig, GridConfigInput, Side, Spacing, SymbolFilters, backtest,
    backtest::backtest_report,
    engine::{GridEngine, LevelState, OrderKind},
    ledger::StopReason,
};
use rust_decimal_macros::dec;

fn config(stop_loss_pct: Option<Decimal>, take_profit_pct: Option<Decimal>) -> GridConfig {
    GridConfig::new(GridConfigInput {
        lower: dec!(100),
        upper: dec!(140),
        levels: 5,
        spacing: Spacing::Arithmetic,
        capital: dec!(1000),
        fee_rate: dec!(0.001),
        fee_asset: Default::default(),
        stop_loss_pct,
        take_profit_pct,
        max_daily_loss: None,
    })
    .unwrap()
}

fn filters() -> SymbolFilters {
    SymbolFilters::new(dec!(0.01), dec!(0.001), dec!(5)).unwrap()
}

fn candle(i: i64, o: Decimal, h: Decimal, l: Decimal, c: Decimal) -> Candle {
    Candle { open_time: i * 60_000, open: o, high: h, low: l, close: c, volume: dec!(1) }
}

/// Candle 1: 121 → 109 → 131 → 125 fills buy 110, sell 120 (basis 110), sell 130 (basis 121).
fn first() -> Candle {
    candle(0, dec!(121), dec!(131), dec!(109), dec!(125))
}

#[test]
fn start_sizes_the_grid_and_buys_the_inventory() {
    let e = GridEngine::start(&config(None, None), &filters(), dec!(121)).unwrap();
    let p = e.plan();
    assert_eq!(p.levels, [dec!(100), dec!(110), dec!(120), dec!(130), dec!(140)]);
    assert_eq!((p.empty_level, p.qty, p.initial_lots), (2, dec!(2.211), 2));
    let buy = e.initial_buy().unwrap();
    assert_eq!((buy.kind, buy.qty, buy.price), (OrderKind::Market, dec!(4.422), dec!(121)));
    assert_eq!(e.quote_balance(), dec!(464.402938));
    let resting: Vec<_> = e.resting_orders().iter().map(|o| (o.side, o.level.unwrap(), o.price)).collect();
    assert_eq!(
        resting,
        [(Side::Buy, 0, dec!(100)), (Side::Buy, 1, dec!(110)), (Side::Sell, 3, dec!(130)), (Side::Sell, 4, dec!(140))]
    );
    assert_eq!(e.level_states()[2], LevelState::Empty);
}

#[test]
fn fills_round_trips_and_equity_by_hand() {
    // Candle 2: 125 → 126 → 127 → 99 → 100 fills buys 120, 110, 100.
    let candles = Candles::new(vec![first(), candle(1, dec!(126), dec!(127), dec!(99), dec!(100))]).unwrap();
    let r = backtest(&config(None, None), &filters(), &candles).unwrap();
    assert_eq!(r.orders_filled, 6);
    assert_eq!(r.round_trips, 2);
    // 2.211 × (120 − 110) − 0.24321 − 0.26532 = 21.60147; 2.211 × (130 − 121) − 0.267531 − 0.28743 = 19.344039
    assert_eq!(r.realized_pnl, dec!(40.945509));
    assert_eq!(r.fees_paid, dec!(2.060652));
    assert_eq!(r.final_equity, dec!(927.187348));
    assert_eq!(r.unrealized_pnl, dec!(-113.758161));
    assert_eq!(r.win_rate, Some(dec!(1)));
    assert_eq!(r.stopped, None);
    // Peak 1049.521978 after candle 1, then 927.187348.
    assert_eq!(r.max_drawdown, ((dec!(1049.521978) - dec!(927.187348)) / dec!(1049.521978)).normalize());

    let rep = backtest_report(&config(None, None), &filters(), &candles).unwrap();
    let fills: Vec<_> = rep.fills.iter().map(|f| (f.candle, f.side, f.level)).collect();
    assert_eq!(
        fills,
        [
            (0, Side::Buy, 1),
            (0, Side::Sell, 2),
            (0, Side::Sell, 3),
            (1, Side::Buy, 2),
            (1, Side::Buy, 1),
            (1, Side::Buy, 0)
        ]
    );
    assert_eq!(rep.equity_curve, [(0, dec!(1049.521978)), (60_000, dec!(927.187348))]);
}

#[test]
fn stop_loss_fills_buys_down_to_the_stop_then_sells_every_lot() {
    // S = 100 × 0.95 = 95; candle 2 reaches 94.
    let candles = Candles::new(vec![
        first(),
        candle(1, dec!(126), dec!(127), dec!(94), dec!(100)),
        candle(2, dec!(100), dec!(200), dec!(50), dec!(150)),
    ])
    .unwrap();
    let r = backtest(&config(Some(dec!(5)), None), &filters(), &candles).unwrap();
    assert_eq!(r.stopped, Some(StopReason::StopLoss));
    assert_eq!(r.stop_price, Some(dec!(95)));
    assert_eq!(r.candles, 2, "nothing after the stop is processed");
    assert_eq!(r.orders_filled, 6, "stop sales are not grid fills");
    assert_eq!(r.round_trips, 6);
    // Lots with basis 100, 110, 120 and 121 sold at 95: −11.486145 − 33.618255 − 55.750365 − 57.963576
    assert_eq!(r.realized_pnl, dec!(-117.872832));
    assert_eq!(r.fees_paid, dec!(2.900832));
    assert_eq!(r.final_equity, dec!(882.127168));
    assert_eq!(r.unrealized_pnl, dec!(0));
    assert_eq!(r.win_rate, Some((dec!(2) / dec!(6)).normalize()));
    assert_eq!(r.max_drawdown, ((dec!(1049.521978) - dec!(882.127168)) / dec!(1049.521978)).normalize());
}

#[test]
fn take_profit_fills_sells_up_to_the_target_then_stops() {
    // T = 140 × 1.05 = 147; candle 2 reaches 150.
    let candles = Candles::new(vec![first(), candle(1, dec!(126), dec!(150), dec!(125), dec!(149))]).unwrap();
    let r = backtest(&config(None, Some(dec!(5))), &filters(), &candles).unwrap();
    assert_eq!(r.stopped, Some(StopReason::TakeProfit));
    assert_eq!(r.stop_price, Some(dec!(147)));
    assert_eq!((r.orders_filled, r.round_trips), (4, 3));
    assert_eq!(r.realized_pnl, dec!(82.377438));
    assert_eq!(r.final_equity, dec!(1082.377438));
    assert_eq!(r.unrealized_pnl, dec!(0));
}

#[test]
fn gaps_between_candles_are_segments_too() {
    // Candle 2 opens at 108 after closing at 125: the gap fills buy 110 although no candle's range shows it.
    let candles = Candles::new(vec![first(), candle(1, dec!(108), dec!(109), dec!(108), dec!(109))]).unwrap();
    let rep = backtest_report(&config(None, None), &filters(), &candles).unwrap();
    let last: Vec<_> = rep.fills.iter().filter(|f| f.candle == 1).map(|f| (f.side, f.level)).collect();
    assert_eq!(last, [(Side::Buy, 2), (Side::Buy, 1)]);
}

#[test]
fn flat_segments_and_touches_at_the_exact_price() {
    // A path that touches 110 exactly fills the buy there, and coming back to 121 crosses its sell at 120.
    let touch = Candles::new(vec![candle(0, dec!(121), dec!(121), dec!(110), dec!(121))]).unwrap();
    let rep = backtest_report(&config(None, None), &filters(), &touch).unwrap();
    let fills: Vec<_> = rep.fills.iter().map(|f| (f.side, f.level)).collect();
    assert_eq!(fills, [(Side::Buy, 1), (Side::Sell, 2)]);
    // Stopping one tick short of 110 fills nothing.
    let short = Candles::new(vec![candle(0, dec!(121), dec!(121), dec!(110.01), dec!(121))]).unwrap();
    assert_eq!(backtest(&config(None, None), &filters(), &short).unwrap().orders_filled, 0);
    let flat = Candles::new(vec![candle(0, dec!(121), dec!(121), dec!(121), dec!(121))]).unwrap();
    assert_eq!(backtest(&config(None, None), &filters(), &flat).unwrap().orders_filled, 0);
}

#[test]
fn rejections_are_typed_and_clear() {
    let c = |p| Candles::new(vec![candle(0, p, p, p, p)]).unwrap();
    let e = backtest(&config(None, None), &filters(), &c(dec!(100))).unwrap_err();
    assert!(e.to_string().starts_with("price outside grid"), "{e}");
    let e = backtest(&config(None, None), &filters(), &c(dec!(140))).unwrap_err();
    assert!(e.to_string().starts_with("price outside grid"), "{e}");
    let small = GridConfig::new(GridConfigInput { capital: dec!(10), ..config(None, None).to_input() }).unwrap();
    let e = backtest(&small, &filters(), &c(dec!(121))).unwrap_err();
    assert!(e.to_string().starts_with("capital too small for 5 levels"), "{e}");
    let dense = GridConfig::new(GridConfigInput { upper: dec!(100.03), ..config(None, None).to_input() }).unwrap();
    let e = backtest(&dense, &filters(), &c(dec!(100.01))).unwrap_err();
    assert!(e.to_string().starts_with("grid too dense"), "{e}");
}

#[test]
fn tie_for_the_empty_level_goes_to_the_lower_index() {
    let e = GridEngine::start(&config(None, None), &filters(), dec!(115)).unwrap();
    assert_eq!(e.plan().empty_level, 1);
}

#[test]
fn booked_fills_yield_counter_orders_one_level_away() {
    let mut e = GridEngine::start(&config(None, None), &filters(), dec!(121)).unwrap();
    let counter = e.book_fill(Side::Buy, 1).unwrap();
    assert_eq!((counter.side, counter.level, counter.price, counter.seq), (Side::Sell, Some(2), dec!(120), 1));
    assert!(e.book_fill(Side::Buy, 3).is_err(), "no buy rests above the empty level");
    let counter = e.book_fill(Side::Sell, 2).unwrap();
    assert_eq!((counter.side, counter.level, counter.seq), (Side::Buy, Some(1), 1));
    assert_eq!(e.summary(dec!(121)).realized_pnl, dec!(21.60147));
}

#[test]
fn the_report_records_quantities_the_initial_buy_and_the_stops_sale() {
    // The stop-loss path above: 6 grid fills of q = 2.211 (fees in quote: a lot sells what its buy bought), then 4
    // lots (basis 100, 110, 120, 121) sold at 95.
    let candles = Candles::new(vec![
        first(),
        candle(1, dec!(126), dec!(127), dec!(94), dec!(100)),
        candle(2, dec!(100), dec!(200), dec!(50), dec!(150)),
    ])
    .unwrap();
    let config = config(Some(dec!(5)), None);
    let rep = backtest_report(&config, &filters(), &candles).unwrap();
    assert_eq!(rep.result, backtest(&config, &filters(), &candles).unwrap(), "recording changes nothing");
    assert_eq!(rep.fills.len() as u64, rep.result.orders_filled);
    assert!(rep.fills.iter().all(|f| f.qty == dec!(2.211)), "{:?}", rep.fills);
    let buy = rep.initial_buy.unwrap();
    assert_eq!((buy.side, buy.price, buy.qty), (Side::Buy, dec!(121), dec!(4.422)));
    let stop = rep.stop.unwrap();
    assert_eq!((stop.price, stop.qty, stop.lots), (dec!(95), dec!(8.844), 4));
    assert_eq!(rep.equity_curve.last(), Some(&(60_000, rep.result.final_equity)));
}

#[test]
fn with_fees_in_base_a_sell_offers_what_its_buy_delivered() {
    let mut input = GridConfigInput {
        lower: dec!(100),
        upper: dec!(140),
        levels: 5,
        spacing: Spacing::Arithmetic,
        capital: dec!(1000),
        fee_rate: dec!(0.001),
        fee_asset: gridbot_core::FeeAsset::Base,
        stop_loss_pct: None,
        take_profit_pct: None,
        max_daily_loss: None,
    };
    let config = GridConfig::new(input.clone()).unwrap();
    let rep = backtest_report(&config, &filters(), &Candles::new(vec![first()]).unwrap()).unwrap();
    let q = rep.result.qty_per_level;
    // Buy 110, then the sells on 120 (the lot the buy made) and 130 (an initial lot): each offers what its buy
    // delivered, q less its fee, down to the step (with the carry of the lots before, by the carry rule).
    let got: Vec<_> = rep.fills.iter().map(|f| (f.side, f.level)).collect();
    assert_eq!(got, [(Side::Buy, 1), (Side::Sell, 2), (Side::Sell, 3)]);
    assert_eq!(rep.fills[0].qty, q);
    let delivered = ((q * dec!(0.999)) * dec!(1000)).floor() / dec!(1000);
    for sell in &rep.fills[1..] {
        assert!(sell.qty >= delivered && sell.qty < q, "{q} {delivered}: {:?}", rep.fills);
    }
    input.fee_asset = gridbot_core::FeeAsset::Quote;
    let quote =
        backtest_report(&GridConfig::new(input).unwrap(), &filters(), &Candles::new(vec![first()]).unwrap()).unwrap();
    assert!(quote.fills.iter().all(|f| f.qty == quote.result.qty_per_level));
}
