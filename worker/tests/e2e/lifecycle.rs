//! A paper bot and a live bot run through the same prices; each must book exactly what the backtester books.

use gridbot_core::{BotId, Decimal, Side, SymbolFilters, backtest, strategy::GridParams};
use gridbot_platform::db::types::{BotMode, BotStatus, OrderStatus};
use rust_decimal_macros::dec;
use serde_json::json;

use crate::harness::{Backend, Stack, flat};

fn config() -> serde_json::Value {
    json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11,
           "spacing": "arithmetic", "stop_loss_pct": null, "take_profit_pct": null, "max_daily_loss": null})
}

/// Down through three buys, up through five sells, down again: fills on both sides, round trips of initial lots
/// and of grid lots.
const PATH: [Decimal; 8] =
    [dec!(100000), dec!(98900), dec!(96500), dec!(99100), dec!(102600), dec!(103950), dec!(101500), dec!(97800)];

/// The backtest of the same prices, as flat candles.
fn backtest_of(path: &[Decimal]) -> gridbot_core::BacktestResult {
    let params: GridParams = serde_json::from_value(config()).unwrap();
    backtest(&params.to_config().unwrap(), &SymbolFilters::btcusdt(), &flat(path)).unwrap()
}

async fn settled(stack: &Stack, bot: BotId, grid_fills: u64) {
    stack
        .until(20, &format!("bot {bot} to book {grid_fills} grid fills and rest every order"), || async {
            let fills = stack.db().fills().list_for_bot(bot).await.unwrap();
            let orders = stack.db().orders().list_for_bot(bot).await.unwrap();
            let booked = fills.iter().filter(|f| f.level.is_some()).count() as u64;
            let resting = orders.iter().filter(|o| o.level.is_some() && o.status == OrderStatus::Open).count();
            booked == grid_fills && resting == 10
        })
        .await;
}

async fn run(backend: Backend, workers: usize) {
    let stack = Stack::start(backend, workers).await;
    stack.price(PATH[0]).await;
    let user = stack.user().await;
    let paper = stack.bot(user, BotMode::Paper, config()).await;
    let live = stack.bot(user, BotMode::Live, config()).await;
    for bot in [&paper, &live] {
        gridbot_worker::commands::start(&stack.ctx, bot).await.unwrap();
    }
    for bot in [&paper, &live] {
        stack.until(20, "the bots to run", || async { stack.status(bot.id).await == BotStatus::Running }).await;
        settled(&stack, bot.id, 0).await;
    }
    // The scheduler opens the symbol's streams once it sees the bots running.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    // Replay the backtest's path one price at a time, letting the system settle after each.
    for (i, &p) in PATH.iter().enumerate().skip(1) {
        stack.price(p).await;
        let so_far = backtest_of(&PATH[..=i]);
        for bot in [&paper, &live] {
            settled(&stack, bot.id, so_far.orders_filled).await;
        }
    }
    let want = backtest_of(&PATH);
    assert!(want.orders_filled >= 8 && want.round_trips >= 4, "the path exercises the grid: {want:?}");
    for bot in [&paper, &live] {
        let fills = stack.db().fills().list_for_bot(bot.id).await.unwrap();
        let grid: Vec<_> = fills.iter().filter(|f| f.level.is_some()).collect();
        assert_eq!(grid.len() as u64, want.orders_filled, "{:?} bot: grid fills", bot.mode);
        let trades = stack.db().trades().list_for_bot(bot.id).await.unwrap();
        assert_eq!(trades.len() as u64, want.round_trips, "{:?} bot: round trips", bot.mode);
        let realized: Decimal = trades.iter().map(|t| t.profit).sum();
        assert_eq!(realized.normalize(), want.realized_pnl.normalize(), "{:?} bot: realized P&L", bot.mode);
        let fees: Decimal = fills.iter().map(|f| f.fee).sum();
        assert_eq!(fees.normalize(), want.fees_paid.normalize(), "{:?} bot: fees (initial buy included)", bot.mode);
        // Every fill at its level's price, and every counter-order one level away.
        let levels = &want.levels;
        for f in &grid {
            assert_eq!(f.price.get(), levels[f.level.unwrap() as usize], "fill at its level");
        }
        let orders = stack.db().orders().list_for_bot(bot.id).await.unwrap();
        for f in &grid {
            let l = f.level.unwrap();
            let counter = match f.side {
                Side::Buy => (Side::Sell, l + 1),
                Side::Sell => (Side::Buy, l - 1),
            };
            assert!(
                orders.iter().any(|o| o.side == counter.0 && o.level == Some(counter.1) && o.created_at >= f.time),
                "a counter-order follows the {} fill on level {l}",
                f.side
            );
        }
        // The book the workers rebuild agrees with the backtest too.
        let b = stack.db().bots().get(bot.id).await.unwrap();
        let book = gridbot_platform::book::GridBook::load(stack.db(), &b).await.unwrap().unwrap();
        let s = book.engine.summary(*PATH.last().unwrap());
        assert_eq!(s.realized_pnl, want.realized_pnl);
        assert_eq!(s.final_equity, want.final_equity);
    }
    // The live bot's fills are the simulator's own trades.
    let stopped = gridbot_worker::commands::stop(&stack.ctx, &live, true).await.unwrap();
    assert_ne!(stopped.status, BotStatus::Running);
    stack.until(20, "the live bot to stop", || async { stack.status(live.id).await == BotStatus::Stopped }).await;
    let open = stack.db().orders().list_with_status(live.id, &OrderStatus::LIVE).await.unwrap();
    assert!(open.is_empty(), "no order left open after the stop: {open:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paper_and_live_bots_book_what_the_backtest_books_on_sqlite() {
    run(Backend::Sqlite, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paper_and_live_bots_book_what_the_backtest_books_on_postgres_with_two_workers() {
    run(Backend::Postgres, 2).await;
}
