//! A paper account: its funding, moved by its paper bots' fills since (each fee out of its own asset), with what
//! resting orders hold locked; funding it again starts it afresh.

use chrono::Utc;
use gridbot_core::{ClientOrderId, Price, Qty, Side};
use gridbot_platform::db::types::{Fill, NewOrder, OrderStatus, PaperBalance};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::both;
use crate::harness::Fresh;
use crate::suite::bot;

both!(a_paper_account_is_its_funding_moved_by_its_fills);

fn balance(all: &[PaperBalance], asset: &str) -> (Decimal, Decimal) {
    all.iter().find(|b| b.asset == asset).map_or((Decimal::ZERO, Decimal::ZERO), |b| (b.free, b.locked))
}

async fn a_paper_account_is_its_funding_moved_by_its_fills(f: &Fresh) {
    let b = bot(f).await;
    let user = f.db.bots().get(b).await.unwrap().user_id;
    let pb = f.db.paper_balances();
    pb.fund(user, &[("USDT".into(), dec!(10000))]).await.unwrap();
    let order = |coid: &str, side, price, qty| NewOrder {
        bot: b,
        client_order_id: ClientOrderId::parse(coid).unwrap(),
        side,
        level: Some(1),
        price: Price::new(price).unwrap(),
        amount: Qty::new(qty).unwrap(),
    };
    let buy = f.db.orders().insert(&order("gb1-1-1b0", Side::Buy, dec!(100), dec!(2))).await.unwrap();
    let sell = f.db.orders().insert(&order("gb1-1-2s0", Side::Sell, dec!(110), dec!(1.998))).await.unwrap();
    let fill = |order_id, side, price, qty, fee, asset: &str| Fill {
        bot: b,
        order_id,
        side,
        level: Some(1),
        price: Price::new(price).unwrap(),
        qty: Qty::new(qty).unwrap(),
        fee,
        fee_asset: Some(asset.into()),
        fee_quote: None,
        exchange_trade_id: format!("order:{order_id}"),
        pnl: None,
        time: Utc::now(),
    };
    // A buy of 2 at 100 paying 0.002 BTC; a sell of 1.998 at 110 paying 0.21978 USDT.
    f.db.fills().insert(&fill(buy.id, Side::Buy, dec!(100), dec!(2), dec!(0.002), "BTC")).await.unwrap();
    f.db.fills().insert(&fill(sell.id, Side::Sell, dec!(110), dec!(1.998), dec!(0.21978), "USDT")).await.unwrap();
    // A buy of 1 at 90 rests: its notional is locked.
    let resting = f.db.orders().insert(&order("gb1-1-0b0", Side::Buy, dec!(90), dec!(1))).await.unwrap();
    f.db.orders()
        .update_state(&resting.client_order_id, Some("paper-3"), OrderStatus::Open, Qty::ZERO, None, dec!(0), None)
        .await
        .unwrap();
    let account = pb.account(user).await.unwrap();
    // 10000 - 200 + 219.78 - 0.21978 = 10019.56022, of which 90 locked.
    assert_eq!(balance(&account, "USDT"), (dec!(9929.56022), dec!(90)));
    assert_eq!(balance(&account, "BTC"), (dec!(0), dec!(0)));

    // Funded again: the fills before no longer count.
    pb.fund(user, &[("USDT".into(), dec!(500)), ("BTC".into(), dec!(0.1))]).await.unwrap();
    let account = pb.account(user).await.unwrap();
    assert_eq!(balance(&account, "USDT"), (dec!(410), dec!(90)));
    assert_eq!(balance(&account, "BTC"), (dec!(0.1), dec!(0)));
}
