//! The grid most end-to-end tests run — 11 levels from 95,000 to 105,000 with 4,000 USDT — what the backtester books
//! for it on a path of prices, the wait until a bot has booked a number of grid fills with its grid resting, and the
//! check that a bot's books are the backtest's.

use gridbot_core::{BacktestResult, BotId, Decimal, SymbolFilters, backtest, strategy::GridParams};
use gridbot_platform::db::types::{Bot, BotMode, BotStatus, OrderStatus};
use serde_json::{Value, json};

use crate::harness::{Stack, flat};

pub fn config() -> Value {
    json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11,
           "spacing": "arithmetic", "stop_loss_pct": null, "take_profit_pct": null, "max_daily_loss": null})
}

/// The backtest of [`config`] on `path`, each price a flat candle.
pub fn backtest_of(path: &[Decimal]) -> BacktestResult {
    backtest_with(config(), path)
}

pub fn backtest_with(config: Value, path: &[Decimal]) -> BacktestResult {
    let params: GridParams = serde_json::from_value(config).unwrap();
    backtest(&params.to_config().unwrap(), &SymbolFilters::btcusdt(), &flat(path)).unwrap()
}

/// `n` paper bots of [`config`] for `user`, started, each running with its ten orders resting.
pub async fn running_paper_bots(stack: &Stack, user: i64, n: usize) -> Vec<Bot> {
    let mut bots = Vec::new();
    for _ in 0..n {
        let bot = stack.bot(user, BotMode::Paper, config()).await;
        gridbot_app::commands::start(&stack.ctx, &bot).await.unwrap();
        bots.push(bot);
    }
    for bot in &bots {
        stack.until(20, "the bot to run", || async { stack.status(bot.id).await == BotStatus::Running }).await;
        settled(stack, bot.id, 0).await;
    }
    bots
}

/// Waits until `bot` has booked `grid_fills` grid fills and its ten orders rest.
pub async fn settled(stack: &Stack, bot: BotId, grid_fills: u64) {
    stack
        .until(30, &format!("bot {bot} to book {grid_fills} grid fills and rest every order"), || async {
            let fills = stack.db().fills().list_for_bot(bot).await.unwrap();
            let orders = stack.db().orders().list_for_bot(bot).await.unwrap();
            let booked = fills.iter().filter(|f| f.level.is_some()).count() as u64;
            let resting = orders.iter().filter(|o| o.level.is_some() && o.status == OrderStatus::Open).count();
            booked == grid_fills && resting == 10
        })
        .await;
}

/// The bot's grid fills (each at its level's price), round trips and realized P&L equal the backtest's `want`.
pub async fn books_what_the_backtest_books(stack: &Stack, bot: BotId, want: &BacktestResult) {
    let fills = stack.db().fills().list_for_bot(bot).await.unwrap();
    let grid: Vec<_> = fills.iter().filter(|f| f.level.is_some()).collect();
    assert_eq!(grid.len() as u64, want.orders_filled, "grid fills");
    for f in &grid {
        assert_eq!(f.price.get(), want.levels[f.level.unwrap() as usize], "fill at its level");
    }
    let trades = stack.db().trades().list_for_bot(bot).await.unwrap();
    assert_eq!(trades.len() as u64, want.round_trips, "round trips");
    let realized: Decimal = trades.iter().map(|t| t.profit).sum();
    assert_eq!(realized.normalize(), want.realized_pnl.normalize(), "realized P&L");
}
