//! Binance's 2026 rules through a live bot: an order the Price Range Execution Rule expires is neither a fill nor a
//! cancel — its level is suspended, shown, and re-placed later under a fresh client id; a symbol off `TRADING`
//! pauses placing (the bot says why and stays `running`, not `error`) until it trades again.

use gridbot_core::{Decimal, Side};
use gridbot_platform::db::types::{BotMode, BotStatus, OrderStatus};
use rust_decimal_macros::dec;
use serde_json::json;

use crate::harness::{Backend, Stack};

fn config() -> serde_json::Value {
    json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11,
           "spacing": "arithmetic", "stop_loss_pct": null, "take_profit_pct": null, "max_daily_loss": null})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_level_is_not_a_fill_and_is_placed_again() {
    let stack = Stack::start(Backend::Sqlite, 1).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Live, config()).await;
    stack.run_bot(&bot).await;
    let db = stack.db();
    stack
        .until(20, "the grid to rest", || async {
            let orders = db.orders().list_for_bot(bot.id).await.unwrap();
            orders.iter().filter(|o| o.level.is_some() && o.status == OrderStatus::Open).count() == 10
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let first = db.orders().list_for_bot(bot.id).await.unwrap();
    let level0 = first.iter().find(|o| o.level == Some(0)).cloned().expect("a buy on level 0");

    // The exchange expires the order at 95000 (outside the band it enforces now).
    stack.control("/sim/expire-outside", json!({"symbol": "BTCUSDT", "low": "95500"})).await;
    stack
        .until(10, "the order row to say expired", || async {
            db.orders().by_client_id(&level0.client_order_id).await.unwrap().unwrap().status == OrderStatus::Expired
        })
        .await;
    let events = db.bot_events().list_for_bot(bot.id).await.unwrap();
    let shown = events.iter().find(|e| e.kind == "order_expired").expect("the expiry is recorded for the bot");
    assert!(
        shown.reason.as_deref().is_some_and(|r| r.contains("EXECUTION_RULE_PRICE_RANGE_EXCEEDED")),
        "{:?}",
        shown.reason
    );
    assert!(db.fills().list_for_bot(bot.id).await.unwrap().iter().all(|f| f.level.is_none()), "not booked as a fill");
    assert_eq!(stack.status(bot.id).await, BotStatus::Running);

    // Later (after a backoff) the level gets its order back, under a fresh client id.
    stack
        .until(30, "level 0 to rest again", || async {
            let orders = db.orders().list_for_bot(bot.id).await.unwrap();
            orders.iter().any(|o| {
                o.level == Some(0)
                    && o.side == Side::Buy
                    && o.status == OrderStatus::Open
                    && o.client_order_id != level0.client_order_id
            })
        })
        .await;

    // The re-placed order fills as the level's buy: five buys from 99000 down to 95000.
    stack.price(dec!(95000)).await;
    stack
        .until(20, "the five buys to be booked", || async {
            let fills = db.fills().list_for_bot(bot.id).await.unwrap();
            fills.iter().filter(|f| f.level.is_some()).count() == 5
        })
        .await;
    let fills = db.fills().list_for_bot(bot.id).await.unwrap();
    let at_95000 = fills.iter().find(|f| f.level == Some(0)).expect("level 0 booked");
    assert_eq!(at_95000.price.get(), Decimal::from(95000));
    assert_ne!(at_95000.order_id, level0.id, "booked on the re-placed order, never on the expired one");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_halted_symbol_pauses_placing_until_it_trades_again() {
    let stack = Stack::start(Backend::Sqlite, 1).await;
    stack.price(dec!(100000)).await;
    stack.control("/sim/symbol-status", json!({"symbol": "BTCUSDT", "status": "HALT"})).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Live, config()).await;
    gridbot_app::commands::start(&stack.ctx, &bot).await.unwrap();
    let db = stack.db();
    stack
        .until(20, "the bot to say it is paused", || async {
            let b = db.bots().get(bot.id).await.unwrap();
            b.status == BotStatus::Running && b.stop_reason.as_deref().is_some_and(|r| r.contains("HALT"))
        })
        .await;
    // A reconcile or two later it still places nothing, and it is not in error.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let b = db.bots().get(bot.id).await.unwrap();
    assert_eq!(b.status, BotStatus::Running, "{:?}", b.stop_reason);
    let orders = db.orders().list_for_bot(bot.id).await.unwrap();
    assert!(orders.iter().all(|o| o.exchange_order_id.is_none() || o.status != OrderStatus::Open), "{orders:?}");
    let accepted = stack.http.get(format!("{}/sim/orders", stack.sim.rest_url)).send().await.unwrap();
    let log: Vec<serde_json::Value> = accepted.json().await.unwrap();
    assert!(log.iter().all(|l| l["result"] != "accepted"), "nothing reached the book: {log:?}");
    let events = db.bot_events().list_for_bot(bot.id).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "paused"), "{events:?}");

    stack.control("/sim/symbol-status", json!({"symbol": "BTCUSDT", "status": "TRADING"})).await;
    stack
        .until(30, "the grid to be placed once the symbol trades", || async {
            let b = db.bots().get(bot.id).await.unwrap();
            let orders = db.orders().list_for_bot(bot.id).await.unwrap();
            b.stop_reason.is_none()
                && orders.iter().any(|o| o.level.is_none() && o.status == OrderStatus::Filled)
                && orders.iter().filter(|o| o.level.is_some() && o.status == OrderStatus::Open).count() == 10
        })
        .await;
    let events = db.bot_events().list_for_bot(bot.id).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "resumed"), "{events:?}");
    assert_eq!(stack.status(bot.id).await, BotStatus::Running);
    stack.shutdown().await;
}
