//! Stops: the stop loss, the take profit and the daily loss limit (every run's fills of today) each stop the bot
//! with the reason recorded and no order left open; a stream cut is followed by a reconciliation that finds the
//! fills made meanwhile.

use std::time::Duration;

use gridbot_core::{ClientOrderId, Price, Qty, Side, SymbolFilters, backtest, strategy::GridParams};
use gridbot_platform::db::types::{Bot, BotMode, BotStatus, Fill, NewOrder, OrderStatus};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use crate::harness::{Backend, Stack, flat};

fn config(extra: Value) -> Value {
    let mut c = json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11});
    if let (Some(c), Some(e)) = (c.as_object_mut(), extra.as_object()) {
        c.extend(e.clone());
    }
    c
}

async fn stopped_with(stack: &Stack, bot: &Bot, reason: &str) {
    stack
        .until(20, &format!("bot {} to stop with {reason}", bot.id), || async {
            stack.status(bot.id).await == BotStatus::Stopped
        })
        .await;
    let b = stack.db().bots().get(bot.id).await.unwrap();
    assert_eq!(b.stop_reason.as_deref(), Some(reason));
    let open = stack.db().orders().list_with_status(bot.id, &OrderStatus::LIVE).await.unwrap();
    assert!(open.is_empty(), "no order left open: {open:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stop_loss_and_take_profit_stop_the_bots_as_the_backtest_does() {
    let stack = Stack::start(Backend::Sqlite, 1).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let sl = stack.bot(user, BotMode::Paper, config(json!({"stop_loss_pct": "1"}))).await;
    let tp = stack.bot(user, BotMode::Paper, config(json!({"take_profit_pct": "1"}))).await;
    let live_sl = stack.bot(user, BotMode::Live, config(json!({"stop_loss_pct": "1"}))).await;
    for b in [&sl, &tp, &live_sl] {
        stack.run_bot(b).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let path = [dec!(100000), dec!(97400), dec!(94000)];
    for &p in &path[1..] {
        stack.price(p).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    stopped_with(&stack, &sl, "stop_loss").await;
    stopped_with(&stack, &live_sl, "stop_loss").await;
    // The paper bot's books equal the backtest's, stop sales at S included.
    let params: GridParams = serde_json::from_value(config(json!({"stop_loss_pct": "1"}))).unwrap();
    let want = backtest(&params.to_config().unwrap(), &SymbolFilters::btcusdt(), &flat(&path)).unwrap();
    assert_eq!(want.stopped.map(|s| s.as_str()), Some("stop_loss"));
    let b = stack.db().bots().get(sl.id).await.unwrap();
    let book = gridbot_platform::book::GridBook::load(stack.db(), &b).await.unwrap().unwrap();
    let s = book.engine.summary(dec!(94000));
    assert_eq!((s.realized_pnl, s.fees_paid, s.final_equity), (want.realized_pnl, want.fees_paid, want.final_equity));

    // Up through the take-profit price.
    for p in [dec!(101000), dec!(106100)] {
        stack.price(p).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    stopped_with(&stack, &tp, "take_profit").await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_daily_loss_limit_stops_the_bot() {
    let stack = Stack::start(Backend::Sqlite, 1).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Paper, config(json!({"max_daily_loss": "50"}))).await;
    stack.run_bot(&bot).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stack.price(dec!(95100)).await;
    stopped_with(&stack, &bot, "max_daily_loss").await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_earlier_runs_loss_today_counts_toward_the_daily_limit_sqlite() {
    earlier_runs_count(Backend::Sqlite, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_earlier_runs_loss_today_counts_toward_the_daily_limit_postgres() {
    earlier_runs_count(Backend::Postgres, 2).await;
}

/// A run (generation 0) lost 45 today; the next run's own dip (about -22) stays within the limit of 50, the day's
/// does not: the bot stops, and a restart stops again instead of starting the budget over.
async fn earlier_runs_count(backend: Backend, workers: usize) {
    let stack = Stack::start(backend, workers).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Paper, config(json!({"max_daily_loss": "50"}))).await;
    let db = stack.db();
    let earlier = NewOrder {
        bot: bot.id,
        client_order_id: ClientOrderId::stop(bot.id, 0),
        side: Side::Sell,
        level: None,
        price: Price::new(dec!(99000)).unwrap(),
        amount: Qty::new(dec!(0.02)).unwrap(),
    };
    let order = db.orders().insert(&earlier).await.unwrap();
    let (id, amount, price) = (&earlier.client_order_id, earlier.amount, Some(earlier.price));
    db.orders()
        .update_state(id, Some("x-earlier"), OrderStatus::Filled, amount, price, dec!(1.98), Some("USDT"))
        .await
        .unwrap();
    let loss = Fill {
        bot: bot.id,
        order_id: order.id,
        side: Side::Sell,
        level: None,
        price: order.price,
        qty: order.amount,
        fee: dec!(1.98),
        fee_asset: Some("USDT".into()),
        fee_quote: None,
        exchange_trade_id: "earlier-run".into(),
        pnl: Some(dec!(-45)),
        time: chrono::Utc::now(),
    };
    db.fills().insert(&loss).await.unwrap();

    stack.run_bot(&bot).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stack.price(dec!(99000)).await;
    stopped_with(&stack, &bot, "max_daily_loss").await;

    // Started again (the API would refuse; the command does not ask): the first look stops it again.
    let b = db.bots().get(bot.id).await.unwrap();
    gridbot_app::commands::start(&stack.ctx, &b).await.unwrap();
    stack
        .until(20, "the restarted bot to leave `starting`", || async {
            stack.status(bot.id).await != BotStatus::Starting
        })
        .await;
    stack.price(dec!(99000)).await;
    stopped_with(&stack, &bot, "max_daily_loss").await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_stream_cut_reconciliation_finds_the_fills_made_meanwhile() {
    // No periodic reconciliation: only the gap can make the bot look.
    let options = gridbot_scheduler::Options {
        reconcile_cron: "0 0 0 1 1 *".into(),
        refresh_every: Duration::from_secs(1),
        ..Default::default()
    };
    let stack = Stack::start_with(Backend::Postgres, 1, options, &[]).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Live, config(json!({}))).await;
    stack.run_bot(&bot).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Cut every stream, and trade through two buys before they are back.
    stack.control("/sim/drop-ws", json!({})).await;
    stack.price(dec!(97500)).await;
    stack
        .until(20, "the fills made during the cut to be booked", || async {
            stack.db().fills().list_for_bot(bot.id).await.unwrap().iter().filter(|f| f.level.is_some()).count() == 2
        })
        .await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn out_of_range_policies_stop_or_trail() {
    let stack = Stack::start(Backend::Sqlite, 1).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let stop = stack.bot(user, BotMode::Paper, config(json!({"out_of_range": "stop", "sell_on_stop": true}))).await;
    let trail = stack.bot(user, BotMode::Paper, config(json!({"out_of_range": "trail"}))).await;
    let hold = stack.bot(user, BotMode::Paper, config(json!({}))).await;
    for b in [&stop, &trail, &hold] {
        stack.run_bot(b).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stack.price(dec!(105500)).await;
    stopped_with(&stack, &stop, "out_of_range").await;
    stack
        .until(20, "the trailing bot to run again around the price", || async {
            let b = stack.db().bots().get(trail.id).await.unwrap();
            b.status == BotStatus::Running && b.generation == 2
        })
        .await;
    let b = stack.db().bots().get(trail.id).await.unwrap();
    let p: GridParams = serde_json::from_value(b.config).unwrap();
    assert_eq!((p.lower_bound, p.upper_bound), (dec!(100500), dec!(110500)), "same width, centred on 105500");
    assert_eq!(stack.status(hold.id).await, BotStatus::Running, "hold keeps waiting");
    stack.shutdown().await;
}
