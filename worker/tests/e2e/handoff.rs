//! Jobs of one bot handed between two workers (two contexts, each with its own kept books, sharing the database and
//! the Redis locks as two processes do): a worker whose kept book went stale while the other worked must not use it.
//! Each worker runs several jobs in a row too, so kept books are used; the ledger must still equal the backtest's,
//! with no fill or round trip booked twice.

use gridbot_app::Books;
use gridbot_core::{Decimal, SymbolFilters, backtest, strategy::GridParams};
use gridbot_platform::{
    Delivery, Job, JobHandler,
    db::types::{BotMode, BotStatus, OrderStatus},
};
use gridbot_worker::Handler;
use rust_decimal_macros::dec;
use serde_json::json;

use crate::harness::{Backend, Stack, flat};

fn config() -> serde_json::Value {
    json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11})
}

/// Which worker takes the reconcile after each price: runs of one worker, and hand-overs both ways.
const TURNS: [usize; 10] = [0, 0, 1, 0, 1, 1, 0, 0, 1, 0];
const PATH: [Decimal; 11] = [
    dec!(100000),
    dec!(98900),
    dec!(97900),
    dec!(99100),
    dec!(100100),
    dec!(101100),
    dec!(99900),
    dec!(102100),
    dec!(100900),
    dec!(98800),
    dec!(101200),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_book_kept_by_one_worker_is_not_used_after_another_worked() {
    let stack = Stack::start(Backend::Postgres, 0).await;
    stack.price(PATH[0]).await;
    let user = stack.user().await;
    let bot = stack.bot(user, BotMode::Live, config()).await;
    let mut other = stack.ctx.clone();
    other.books = Books::default();
    let workers = [Handler::new(stack.ctx.clone()), Handler::new(other)];

    gridbot_app::commands::start(&stack.ctx, &bot).await.unwrap();
    workers[0].handle(Job::PlaceGrid { bot: bot.id }, Delivery::direct()).await;
    assert_eq!(stack.status(bot.id).await, BotStatus::Running);

    let params: GridParams = serde_json::from_value(config()).unwrap();
    for (i, &p) in PATH.iter().enumerate().skip(1) {
        stack.price(p).await;
        let job = Job::ReconcileFills { bot: bot.id, reason: "test".into(), price: Some(p) };
        workers[TURNS[i - 1]].handle(job, Delivery::direct()).await;
        let want = backtest(&params.to_config().unwrap(), &SymbolFilters::btcusdt(), &flat(&PATH[..=i])).unwrap();
        let fills = stack.db().fills().list_for_bot(bot.id).await.unwrap();
        let grid = fills.iter().filter(|f| f.level.is_some()).count() as u64;
        assert_eq!(grid, want.orders_filled, "grid fills after price {p} (worker {})", TURNS[i - 1]);
        let trades = stack.db().trades().list_for_bot(bot.id).await.unwrap();
        assert_eq!(trades.len() as u64, want.round_trips, "round trips after price {p}");
        let realized: Decimal = trades.iter().map(|t| t.profit).sum();
        assert_eq!(realized.normalize(), want.realized_pnl.normalize(), "realized P&L after price {p}");
        let orders = stack.db().orders().list_for_bot(bot.id).await.unwrap();
        let resting = orders.iter().filter(|o| o.level.is_some() && o.status == OrderStatus::Open).count();
        assert_eq!(resting, 10, "every level but one rests an order after price {p}");
    }
    let want = backtest(&params.to_config().unwrap(), &SymbolFilters::btcusdt(), &flat(&PATH)).unwrap();
    assert!(want.orders_filled >= 10 && want.round_trips >= 4, "the path exercises the grid: {want:?}");
    stack.shutdown().await;
}
