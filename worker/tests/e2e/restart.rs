//! A scheduler restart: the scheduler stops (as on a shutdown signal) while a paper bot runs, prices cross grid
//! levels while it is down, and it starts again on the same database; it replays the trades after its stored mark
//! from `aggTrades` before going on live, so the paper bot books exactly what the backtest books on the whole path.

use gridbot_core::Decimal;
use gridbot_platform::db::types::{BotMode, BotStatus};
use rust_decimal_macros::dec;

use crate::grid::{backtest_of, books_what_the_backtest_books, config, settled};
use crate::harness::{Backend, Stack};

/// Live: the first two prices (the second fills the buy at 99000). While the scheduler is down: a bounce inside a
/// level, then down through the buys at 98000 and 97000. After the restart: up through the counter-sells and the
/// grid's sells, and down.
const LIVE_BEFORE: usize = 2;
const DOWN_END: usize = 6;
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
    let mut stack = Stack::start_on(backend, workers, &[]).await;
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
    // The scheduler stops; the market moves on while it is down.
    stack.stop_scheduler().await;
    let btc = "BTC/USDT".parse().unwrap();
    let mark = stack.db().market_marks().get(&btc).await.unwrap().expect("the scheduler saved its mark");
    assert_eq!(mark.price, PATH[LIVE_BEFORE - 1], "the mark is the last trade processed");
    for &p in &PATH[LIVE_BEFORE..DOWN_END] {
        stack.price(p).await;
    }
    let missed = backtest_of(&PATH[..DOWN_END]).orders_filled;
    assert!(missed > backtest_of(&PATH[..LIVE_BEFORE]).orders_filled, "the downtime crosses grid levels");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    stack.start_scheduler();
    // Started again: the downtime's trades are replayed before anything live.
    settled(&stack, paper.id, missed).await;
    for i in DOWN_END..PATH.len() {
        stack.price(PATH[i]).await;
        settled(&stack, paper.id, backtest_of(&PATH[..=i]).orders_filled).await;
    }
    let want = backtest_of(&PATH);
    assert!(want.round_trips >= 2, "the path closes round trips: {want:?}");
    books_what_the_backtest_books(&stack, paper.id, &want).await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paper_bot_books_the_trades_of_a_scheduler_restart_on_sqlite() {
    run(Backend::Sqlite, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paper_bot_books_the_trades_of_a_scheduler_restart_on_postgres_with_two_workers() {
    run(Backend::Postgres, 2).await;
}
