//! The paper matcher writes every bot's fills of one price move together: a bot whose order left the book meanwhile
//! (a stop cancelled it) gets no fill and no counter-order, and the move's other bots are written as the venue
//! fills them.

use std::time::Duration;

use gridbot_app::paper::{BotFills, Triggers};
use gridbot_core::{BotId, Side};
use gridbot_platform::db::types::{BotStatus, OrderStatus};
use rust_decimal_macros::dec;

use crate::grid::running_paper_bots;
use crate::harness::{Backend, Stack};

async fn one_move_many_bots(backend: Backend) {
    let mut stack = Stack::start(backend, 1).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bots = running_paper_bots(&stack, user, 3).await;
    // The matcher here is this test's: the scheduler's would race it.
    stack.stop_scheduler().await;
    let db = stack.db();
    let mut books = Vec::new();
    for bot in &bots {
        let bot = db.bots().get(bot.id).await.unwrap();
        let triggers = Triggers::load(db, &bot).await.unwrap();
        books.push((bot, triggers));
    }
    // The first bot's buy at 99,000 leaves its book (as a stop cancels it) after the matcher read it.
    let orders = db.orders().list_for_bot(bots[0].id).await.unwrap();
    let buy = orders.iter().find(|o| o.level == Some(4) && o.status == OrderStatus::Open).unwrap();
    assert_eq!((buy.side, buy.price.get()), (Side::Buy, dec!(99000)));
    let cancelled = OrderStatus::Cancelled;
    let none = gridbot_core::Qty::ZERO;
    db.orders().update_state(&buy.client_order_id, None, cancelled, none, None, dec!(0), None).await.unwrap();

    // Down from 100,000 to 98,500: each bot's buy at 99,000 fills, and its sell at 100,000 rests.
    let mut moves = Vec::new();
    for (bot, triggers) in &mut books {
        let fills = triggers.paper_move(dec!(100000), dec!(98500));
        assert_eq!(fills.len(), 1, "one buy filled");
        moves.push((bot.clone(), triggers.fees, triggers.paper.clone().unwrap(), fills));
    }
    let batch: Vec<BotFills<'_>> =
        moves.iter().map(|(bot, fees, book, fills)| BotFills { bot, book, fees: *fees, fills }).collect();
    let tx = db.begin().await.unwrap();
    let done = gridbot_app::paper::fill(tx.orders(), &batch).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(done, vec![false, true, true], "the first bot's order had left the book");

    let orders = db.orders().list_for_bot(bots[0].id).await.unwrap();
    let at = |level| orders.iter().filter(move |o| o.level == Some(level)).map(|o| o.status).collect::<Vec<_>>();
    assert_eq!(at(4), vec![OrderStatus::Cancelled], "the cancelled buy at 99,000 stays cancelled");
    assert!(at(5).is_empty(), "no counter-order for a fill that did not happen");
    for bot in &bots[1..] {
        let orders = db.orders().list_for_bot(bot.id).await.unwrap();
        let filled = orders.iter().find(|o| o.level == Some(4)).unwrap();
        assert_eq!((filled.side, filled.price.get()), (Side::Buy, dec!(99000)));
        assert_eq!(filled.status, OrderStatus::Filled);
        assert_eq!(filled.filled, filled.amount);
        // Binance's default commission: a buy pays in the base it delivers.
        assert_eq!(
            (filled.fee, filled.fee_asset.as_deref()),
            ((filled.amount.get() * dec!(0.001)).normalize(), Some("BTC"))
        );
        let counter: Vec<_> = orders.iter().filter(|o| o.level == Some(5)).collect();
        assert_eq!(counter.len(), 1, "one counter-order");
        assert_eq!((counter[0].side, counter[0].status), (Side::Sell, OrderStatus::Open));
        assert!(counter[0].exchange_order_id.as_deref().is_some_and(|id| id.starts_with("paper-")));
        assert_eq!(counter[0].price.get(), dec!(100000));
    }
    // Written again (the same move replayed after a crash), nothing changes twice.
    let tx = db.begin().await.unwrap();
    assert_eq!(gridbot_app::paper::fill(tx.orders(), &batch[1..]).await.unwrap(), vec![true, true]);
    tx.commit().await.unwrap();
    for bot in &bots[1..] {
        let orders = db.orders().list_for_bot(bot.id).await.unwrap();
        assert_eq!(orders.iter().filter(|o| o.level == Some(5)).count(), 1);
        assert_eq!(orders.iter().filter(|o| o.level.is_some() && o.status == OrderStatus::Filled).count(), 1);
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_matcher_writes_a_moves_fills_of_every_bot_together_and_none_of_a_bot_whose_order_left_on_sqlite() {
    one_move_many_bots(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_matcher_writes_a_moves_fills_of_every_bot_together_and_none_of_a_bot_whose_order_left_on_postgres() {
    one_move_many_bots(Backend::Postgres).await;
}

/// The statuses of `bot`'s orders on `level`.
async fn on_level(stack: &Stack, bot: BotId, level: u32) -> Vec<OrderStatus> {
    let orders = stack.db().orders().list_for_bot(bot).await.unwrap();
    orders.iter().filter(|o| o.level == Some(level)).map(|o| o.status).collect()
}

/// The scheduler's periodic refresh reads again only the bots whose rows changed, and sees every change, even one no
/// event told it of: a bot stopped behind its back is let go (the matcher fills none of its orders), the same bot
/// running again is matched again, and a bot nobody touched is matched throughout.
async fn changes_without_an_event(backend: Backend) {
    let stack = Stack::start(backend, 1).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let bots = running_paper_bots(&stack, user, 2).await;
    let (quiet, kept) = (bots[0].id, bots[1].id);
    let db = stack.db();
    // Written to the database alone: no event reaches the scheduler, which refreshes every second here.
    assert!(db.bots().transition(quiet, &[BotStatus::Running], BotStatus::Stopped, None).await.unwrap());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stack.price(dec!(98500)).await;
    stack
        .until(20, "the untouched bot's buy at 99,000 to fill", || async {
            on_level(&stack, kept, 4).await.contains(&OrderStatus::Filled)
        })
        .await;
    assert_eq!(on_level(&stack, quiet, 4).await, vec![OrderStatus::Open], "the stopped bot is no longer matched");

    assert!(db.bots().transition(quiet, &[BotStatus::Stopped], BotStatus::Running, None).await.unwrap());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stack.price(dec!(99800)).await;
    stack.price(dec!(98000)).await;
    stack
        .until(20, "the bot running again to be matched", || async {
            on_level(&stack, quiet, 4).await.contains(&OrderStatus::Filled)
        })
        .await;
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_schedulers_refresh_follows_bots_changed_without_an_event_on_sqlite() {
    changes_without_an_event(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_schedulers_refresh_follows_bots_changed_without_an_event_on_postgres() {
    changes_without_an_event(Backend::Postgres).await;
}
