//! Fees in the base asset (`spec/grid.md`, "Fees in the base asset"): sizing, the carry rule, lots' sell quantities
//! and profits computed by hand; and booking the commissions an exchange reports reproduces the modelled books.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    FeeAsset, GridConfig, GridConfigInput, GridEngine, Side, Spacing, SymbolFilters,
    engine::{ChargedFee, OrderIntent},
    ledger::StopReason,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn config(fee_asset: FeeAsset, stop_loss_pct: Option<Decimal>) -> GridConfig {
    GridConfig::new(GridConfigInput {
        lower: dec!(100),
        upper: dec!(140),
        levels: 5,
        spacing: Spacing::Arithmetic,
        capital: dec!(1000),
        fee_rate: dec!(0.001),
        fee_asset,
        stop_loss_pct,
        take_profit_pct: None,
        max_daily_loss: None,
    })
    .unwrap()
}

fn filters() -> SymbolFilters {
    SymbolFilters::new(dec!(0.01), dec!(0.001), dec!(5)).unwrap()
}

fn sell_qty(e: &GridEngine, level: usize) -> Decimal {
    let o = e.resting_orders().into_iter().find(|o| o.level == Some(level)).unwrap();
    assert_eq!(o.side, Side::Sell);
    o.qty
}

#[test]
fn sizing_reserves_no_quote_and_lots_sell_what_was_delivered() {
    let e = GridEngine::start(&config(FeeAsset::Base, None), &filters(), dec!(121)).unwrap();
    let p = e.plan();
    // q = floor(1000 / (100 + 110 + 2 * 121)) = floor(2.2123…) = 2.212 (2.211 with a quote reserve).
    assert_eq!((p.empty_level, p.qty, p.initial_lots), (2, dec!(2.212), 2));
    // Each initial share delivers 2.212 * 0.999 = 2.209788: the first lot sells 2.209 (carry 0.000788), the second
    // 2.210 (carry 0.000576).
    assert_eq!((sell_qty(&e, 3), sell_qty(&e, 4)), (dec!(2.209), dec!(2.21)));
    let s = e.summary(dec!(121));
    assert_eq!(s.base_balance, dec!(4.419576));
    assert_eq!(s.quote_balance, dec!(464.696));
    assert_eq!(s.fees_paid, dec!(0.535304));
    // The buys rest at q.
    assert!(e.resting_orders().iter().filter(|o| o.side == Side::Buy).all(|o| o.qty == dec!(2.212)));
    let quote = GridEngine::start(&config(FeeAsset::Quote, None), &filters(), dec!(121)).unwrap();
    assert_eq!(quote.plan().qty, dec!(2.211));
}

#[test]
fn a_round_trip_earns_what_the_lot_sold_less_what_its_buy_paid() {
    let mut e = GridEngine::start(&config(FeeAsset::Base, None), &filters(), dec!(121)).unwrap();
    let counter = e.book_fill(Side::Sell, 3).unwrap();
    assert_eq!((counter.side, counter.level, counter.qty), (Side::Buy, Some(2), dec!(2.212)));
    let s = e.summary(dec!(130));
    // 2.209 * 130 * 0.999 - 2.212 * 121
    assert_eq!(s.realized_pnl, dec!(19.23083));
    assert_eq!(s.fees_paid, dec!(0.535304) + dec!(0.28717));
    // A buy at 120 delivers 2.209788, plus the carry 0.000576: the lot sells 2.210, carry 0.000364.
    let counter = e.book_fill(Side::Buy, 2).unwrap();
    assert_eq!((counter.side, counter.level, counter.qty), (Side::Sell, Some(3), dec!(2.21)));
    assert_eq!(e.summary(dec!(120)).base_balance, dec!(2.21) * dec!(2) + dec!(0.000364));
}

#[test]
fn a_stop_sells_the_lots_and_keeps_the_carry() {
    let mut e = GridEngine::start(&config(FeeAsset::Base, Some(dec!(10))), &filters(), dec!(121)).unwrap();
    let booking = e.stop(StopReason::StopLoss, dec!(90)).clone();
    assert_eq!(booking.qty, dec!(4.419));
    // (2.209 + 2.210) * 90 * 0.999 - 2 * 2.212 * 121
    assert_eq!(booking.profit, (dec!(4.419) * dec!(90) * dec!(0.999) - dec!(4.424) * dec!(121)).normalize());
    let s = e.summary(dec!(1));
    assert_eq!(s.base_balance, dec!(0.000576));
    assert_eq!(s.final_equity, (s.quote_balance + dec!(0.000576) * dec!(90)).normalize());
}

#[test]
fn sizing_refuses_a_lot_too_small_to_sell_after_its_fee() {
    // q = 0.05 is worth exactly 5 at 100, but it delivers 0.04995, which sells as 0.049: worth 4.9.
    let c = GridConfig::new(GridConfigInput {
        lower: dec!(100),
        upper: dec!(101),
        levels: 2,
        capital: dec!(5.025),
        fee_asset: FeeAsset::Base,
        ..config(FeeAsset::Base, None).to_input()
    })
    .unwrap();
    let e = GridEngine::start(&c, &filters(), dec!(100.5)).unwrap_err().to_string();
    assert!(e.contains("capital too small") && e.contains("after the fee in base"), "{e}");
}

/// What an exchange reports for the fill of `o` when it charges as `fee_asset` says.
fn charged(o: &OrderIntent, fee_asset: FeeAsset, f: Decimal) -> ChargedFee {
    match (fee_asset, o.side) {
        (FeeAsset::Base, Side::Buy) => ChargedFee { base: o.qty * f, quote: Decimal::ZERO },
        _ => ChargedFee { base: Decimal::ZERO, quote: o.qty * o.price * f },
    }
}

#[test]
fn booking_the_charged_commissions_equals_the_modelled_books() {
    for fee_asset in [FeeAsset::Base, FeeAsset::Quote] {
        for f in [dec!(0.001), dec!(0.00075), dec!(0)] {
            let c = GridConfig::new(GridConfigInput { fee_rate: f, ..config(fee_asset, None).to_input() }).unwrap();
            let mut modelled = GridEngine::start(&c, &filters(), dec!(121)).unwrap();
            let mut reported = modelled.clone();
            // Down through every buy, up through every sell, twice.
            let path = [dec!(121), dec!(95), dec!(145), dec!(95), dec!(145), dec!(121)];
            for w in path.windows(2) {
                for (side, level) in modelled.on_segment(w[0], w[1]).unwrap() {
                    let o = reported.resting_orders().into_iter().find(|o| o.level == Some(level)).unwrap();
                    assert_eq!(o.side, side);
                    let counter = reported.book_charged_fill(side, level, charged(&o, fee_asset, f)).unwrap();
                    let expected = modelled.resting_orders().into_iter().find(|m| m.level == counter.level).unwrap();
                    assert_eq!(counter, expected, "{fee_asset} f={f}");
                }
                assert_eq!(reported.summary(w[1]), modelled.summary(w[1]), "{fee_asset} f={f}");
            }
            assert!(modelled.summary(dec!(121)).round_trips >= 4);
        }
    }
}

#[test]
fn a_fee_in_another_asset_leaves_the_lot_whole() {
    let mut e = GridEngine::start(&config(FeeAsset::Base, None), &filters(), dec!(121)).unwrap();
    e.book_fill(Side::Sell, 3).unwrap();
    // Paid in BNB worth 0.2 USDT: booked as a fee in quote; the lot sells all of q.
    let counter = e.book_charged_fill(Side::Buy, 2, ChargedFee { base: Decimal::ZERO, quote: dec!(0.2) }).unwrap();
    assert_eq!(counter.qty, dec!(2.212));
    let before = e.summary(dec!(120));
    e.book_charged_fill(Side::Sell, 3, ChargedFee { base: Decimal::ZERO, quote: dec!(0.25) }).unwrap();
    let after = e.summary(dec!(130));
    // 2.212 * 130 - 0.25 - (2.212 * 120 + 0.2)
    assert_eq!(after.realized_pnl - before.realized_pnl, dec!(21.67));
    let too_fine = ChargedFee { base: Decimal::ZERO, quote: dec!(0.00000000000000001) };
    assert!(e.book_charged_fill(Side::Buy, 2, too_fine).is_err());
}
