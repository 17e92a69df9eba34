//! A market-stream gap: the simulator drops its WebSockets and refuses new ones while prices cross grid levels; once
//! the stream is back, the scheduler replays the missed trades from `aggTrades` before going on live, so the paper
//! bot books exactly what the backtest books on the whole path.

use gridbot_core::Decimal;
use gridbot_platform::db::types::{BotMode, BotStatus};
use rust_decimal_macros::dec;
use serde_json::json;

use crate::grid::{backtest_of, books_what_the_backtest_books, config, settled};
use crate::harness::{Backend, Stack};

/// Live: the first two prices. While the stream is down: a bounce inside a level, then down through the buys at
/// 98000 and 97000. Live again: up through the counter-sells and the grid's sells, and down.
const LIVE_BEFORE: usize = 2;
const GAP_END: usize = 6;
const PATH: [Decimal; 9] = [
    dec!(100000),
    dec!(98900),
    dec!(98400),
    dec!(98700),
    dec!(97500),
    dec!(96500),
    dec!(99100),
    dec!(102600),
    dec!(100900),
];

async fn run(backend: Backend, workers: usize) {
    let stack = Stack::start_on(backend, workers, &[]).await;
    stack.price(PATH[0]).await;
    let user = stack.user().await;
    let paper = stack.bot(user, BotMode::Paper, config()).await;
    gridbot_app::commands::start(&stack.ctx, &paper).await.unwrap();
    stack.until(20, "the bot to run", || async { stack.status(paper.id).await == BotStatus::Running }).await;
    settled(&stack, paper.id, 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for i in 1..LIVE_BEFORE {
        stack.price(PATH[i]).await;
        settled(&stack, paper.id, backtest_of(&PATH[..=i]).orders_filled).await;
    }
    // The stream goes down and stays down while the market moves.
    stack.control("/sim/faults", json!({"ws_refuse": true})).await;
    stack.control("/sim/drop-ws", json!({})).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for &p in &PATH[LIVE_BEFORE..GAP_END] {
        stack.price(p).await;
    }
    let missed = backtest_of(&PATH[..GAP_END]).orders_filled;
    assert!(missed > backtest_of(&PATH[..LIVE_BEFORE]).orders_filled, "the gap crosses grid levels");
    stack.control("/sim/faults", json!({"ws_refuse": false})).await;
    // Back on: the gap's trades are replayed before anything live.
    settled(&stack, paper.id, missed).await;
    for i in GAP_END..PATH.len() {
        stack.price(PATH[i]).await;
        settled(&stack, paper.id, backtest_of(&PATH[..=i]).orders_filled).await;
    }
    let want = backtest_of(&PATH);
    assert!(want.round_trips >= 2, "the path closes round trips: {want:?}");
    books_what_the_backtest_books(&stack, paper.id, &want).await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paper_bot_books_the_trades_of_a_stream_gap_on_sqlite() {
    run(Backend::Sqlite, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paper_bot_books_the_trades_of_a_stream_gap_on_postgres_with_two_workers() {
    run(Backend::Postgres, 2).await;
}
