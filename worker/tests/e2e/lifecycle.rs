//! A paper bot and a live bot run through the same prices on Binance's default commission (a buy pays in the base it
//! delivers); each must book exactly what the backtester books with fees in base, and every live order's commission
//! must be the exchange's own. A live bot paying in BNB books its fees at their quote value and keeps its lots whole.

use gridbot_core::{Decimal, Side, Symbol};
use gridbot_exchange::Exchange;
use gridbot_platform::db::types::{BotMode, BotStatus, Fill, OrderStatus};
use rust_decimal_macros::dec;
use serde_json::json;

use crate::grid::{backtest_of, backtest_with, config, running_paper_bots, settled};
use crate::harness::{Backend, Stack};

/// The simulator's account holds the bot's capital and nothing more: no spare base to pay fees from.
const NO_SPARE_BASE: &str = "demo-key:demo-secret:USDT=4000";

/// A fill's commission in quote: a fee in base at the fill's price, one in BNB at the value it was booked at.
fn fee_value(f: &Fill) -> Decimal {
    match f.fee_asset.as_deref() {
        Some("BTC") => f.fee * f.price.get(),
        Some("USDT") => f.fee,
        _ => f.fee_quote.expect("a fee in another asset is valued"),
    }
}

/// Down through three buys, up through five sells, down again: fills on both sides, round trips of initial lots
/// and of grid lots.
const PATH: [Decimal; 8] =
    [dec!(100000), dec!(98900), dec!(96500), dec!(99100), dec!(102600), dec!(103950), dec!(101500), dec!(97800)];

async fn run(backend: Backend, workers: usize) {
    let stack = Stack::start_on(backend, workers, &["--account", NO_SPARE_BASE]).await;
    stack.price(PATH[0]).await;
    let user = stack.user().await;
    let paper = stack.bot(user, BotMode::Paper, config()).await;
    let live = stack.bot(user, BotMode::Live, config()).await;
    for bot in [&paper, &live] {
        gridbot_app::commands::start(&stack.ctx, bot).await.unwrap();
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
        let fees: Decimal = fills.iter().map(fee_value).sum();
        assert_eq!(fees.normalize(), want.fees_paid.normalize(), "{:?} bot: fees (initial buy included)", bot.mode);
        for f in &fills {
            let asset = if f.side == Side::Buy { "BTC" } else { "USDT" };
            assert_eq!(f.fee_asset.as_deref(), Some(asset), "{:?} bot: a {} pays in {asset}", bot.mode, f.side);
        }
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
    // The live bot's commissions are the simulator's own, order by order, and it refused none of its orders.
    let account = stack.account();
    let btc: Symbol = "BTC/USDT".parse().unwrap();
    for o in stack.db().orders().list_for_bot(live.id).await.unwrap() {
        assert_ne!(o.status, OrderStatus::Rejected, "the exchange refused {}", o.client_order_id);
        let Some(id) = o.exchange_order_id.as_deref().and_then(|id| id.parse::<i64>().ok()) else { continue };
        let trades = account.order_trades(&btc, id).await.unwrap();
        let charged: Decimal = trades.iter().map(|t| t.commission).sum();
        assert_eq!(o.fee.normalize(), charged.normalize(), "order {}'s fee", o.client_order_id);
        if let Some(t) = trades.first() {
            assert_eq!(o.fee_asset.as_deref(), Some(t.commission_asset.as_str()), "order {}", o.client_order_id);
        }
    }
    let stopped = gridbot_app::commands::stop(&stack.ctx, &live, true).await.unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_bot_paying_fees_in_bnb_books_them_at_their_quote_value_and_sells_whole_lots() {
    let account = "demo-key:demo-secret:USDT=4000,BNB=1";
    let stack = Stack::start_on(Backend::Sqlite, 1, &["--commission-in-bnb", "--account", account]).await;
    stack.price(PATH[0]).await;
    let user = stack.user().await;
    let mut cfg = config();
    cfg["fee_asset"] = json!("quote");
    let live = stack.bot(user, BotMode::Live, cfg.clone()).await;
    gridbot_app::commands::start(&stack.ctx, &live).await.unwrap();
    stack.until(20, "the bot to run", || async { stack.status(live.id).await == BotStatus::Running }).await;
    settled(&stack, live.id, 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for (i, &p) in PATH.iter().enumerate().skip(1) {
        stack.price(p).await;
        settled(&stack, live.id, backtest_with(cfg.clone(), &PATH[..=i]).orders_filled).await;
    }
    let want = backtest_with(cfg, &PATH);
    let fills = stack.db().fills().list_for_bot(live.id).await.unwrap();
    assert!(fills.iter().all(|f| f.fee_asset.as_deref() == Some("BNB")), "every commission in BNB: {fills:?}");
    // BNB holds its price (600) on the simulator, so each fee's value is the quote commission to BNB's 8 places.
    for f in &fills {
        assert_eq!(f.fee_quote, Some((f.fee * Decimal::from(600)).normalize()), "fill of order {}", f.order_id);
        let modelled = f.qty.get() * f.price.get() * Decimal::new(1, 3);
        assert!((fee_value(f) - modelled).abs() < Decimal::new(1, 5), "{} vs {modelled}", fee_value(f));
    }
    let qty = want.qty_per_level;
    let orders = stack.db().orders().list_for_bot(live.id).await.unwrap();
    assert!(orders.iter().filter(|o| o.level.is_some()).all(|o| o.amount.get() == qty), "every lot sells all of q");
    let trades = stack.db().trades().list_for_bot(live.id).await.unwrap();
    assert_eq!(trades.len() as u64, want.round_trips);
    let realized: Decimal = trades.iter().map(|t| t.profit).sum();
    assert!((realized - want.realized_pnl).abs() < Decimal::new(1, 4), "{realized} vs {}", want.realized_pnl);
    stack.shutdown().await;
}

/// `bots` paper bots whose prices come faster than their worker books them still each book what the backtest books:
/// each counter-order rests in the paper book from its fill's instant (the matcher writes every bot's fills of a move
/// together). With `drops`, the simulator drops its WebSockets every second while prices play every `pace`: the
/// matcher replays what each gap missed.
async fn fast_paper(backend: Backend, drops: bool, pace: std::time::Duration, bots: usize) {
    let flags: &[&str] = if drops { &["--ws-drop-secs", "1"] } else { &[] };
    let stack = Stack::start_on(backend, 1, flags).await;
    // A seeded zigzag through the grid, each move crossing one to four levels.
    let mut path = vec![dec!(100000)];
    let mut seed: u64 = 7;
    for i in 0..40 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let step = Decimal::from(1000 + (seed >> 33) % 3000);
        let last = *path.last().unwrap();
        let next = if i % 2 == 0 { last - step } else { last + step };
        path.push(next.clamp(dec!(95300), dec!(104700)));
    }
    stack.price(path[0]).await;
    let user = stack.user().await;
    let papers = running_paper_bots(&stack, user, bots).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for &p in &path[1..] {
        stack.price(p).await;
        tokio::time::sleep(pace).await;
    }
    let want = backtest_of(&path);
    assert!(want.orders_filled >= 30, "the path exercises the grid: {want:?}");
    for paper in &papers {
        settled(&stack, paper.id, want.orders_filled).await;
        let trades = stack.db().trades().list_for_bot(paper.id).await.unwrap();
        assert_eq!(trades.len() as u64, want.round_trips, "round trips");
        let realized: Decimal = trades.iter().map(|t| t.profit).sum();
        assert_eq!(realized.normalize(), want.realized_pnl.normalize(), "realized P&L");
        let b = stack.db().bots().get(paper.id).await.unwrap();
        let book = gridbot_platform::book::GridBook::load(stack.db(), &b).await.unwrap().unwrap();
        assert_eq!(book.engine.summary(*path.last().unwrap()).final_equity, want.final_equity);
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_paper_bots_fed_faster_than_their_worker_each_book_what_the_backtest_books_on_sqlite() {
    fast_paper(Backend::Sqlite, false, std::time::Duration::ZERO, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paper_bot_books_what_the_backtest_books_while_its_streams_drop_every_second() {
    fast_paper(Backend::Sqlite, true, std::time::Duration::from_millis(120), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_paper_bots_fed_faster_than_their_worker_each_book_what_the_backtest_books_on_postgres() {
    fast_paper(Backend::Postgres, false, std::time::Duration::ZERO, 3).await;
}
