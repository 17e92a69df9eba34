//! A paper mean-reversion bot, started through the command API, on the simulator replaying real Binance candles from
//! ../shared/data (the test says so and passes when the data is absent): the scheduler drives its runtime along the
//! replayed trades and closes, and what it recorded — fills, P&L, fees, equity, drawdown — equals the
//! mean-reversion backtest of the same candles. Then a stop with a sale closes the position out at the market. A live
//! bot on the same candles sends each decision to the exchange as a market order and books exactly what the exchange
//! filled: its books equal the account's balance changes. A market-stream gap in the middle changes nothing: the
//! scheduler replays the closed candles it missed to the runtime, path and close, as the backtest walks them.

use gridbot_app::runtime_bot::RuntimeBot;
use gridbot_core::{
    Candles, Decimal, Symbol,
    strategy::{
        Registry,
        mean_reversion::{self, MeanReversionConfig},
    },
};
use gridbot_platform::db::types::{BotMode, BotStatus, NewBot};
use serde_json::json;

use crate::harness::{Backend, Stack};

const DATA: &str = "BTCUSDT-1m-2024-07-26_2024-08-25.csv";
const CANDLES: usize = 240;

/// The first [`CANDLES`] candles of the data file, as a CSV in `dir`; `None` when the file is absent.
fn window(dir: &std::path::Path) -> Option<(std::path::PathBuf, Candles)> {
    let path = format!("{}/../../shared/data/{DATA}", env!("CARGO_MANIFEST_DIR"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("note: {path} is absent; nothing to compare");
        return None;
    };
    let head: Vec<&str> = text.lines().take(CANDLES + 1).collect();
    let file = dir.join("window.csv");
    std::fs::write(&file, head.join("\n")).expect("window csv");
    Some((file, Candles::from_csv(&head.join("\n")).expect("candles")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paper_mean_reversion_bot_books_what_the_backtest_of_the_same_candles_books() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some((file, candles)) = window(dir.path()) else { return };
    let replay = format!("BTCUSDT={}", file.display());
    let stack = Stack::start_on(Backend::Sqlite, 1, &["--replay", &replay]).await;
    let (bot, config) = running_bot(
        &stack,
        BotMode::Paper,
        json!({"capital": "10000", "window": 20, "band": "1.5", "stop_loss_pct": "0.2", "fee_asset": "base"}),
    )
    .await;
    // The scheduler reads the running bot's runtime, then the market plays, ten candles at a time.
    let last_open = candles.as_slice().last().expect("candles").open_time;
    for _ in 0..CANDLES / 10 {
        stack.control("/sim/step", json!({"candles": 10})).await;
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    stack
        .until(30, "every close to be evaluated", || async {
            let state = stack.db().strategy_states().get(bot.id).await.expect("state").expect("a state");
            state.state["last_close"].as_i64() == Some(last_open)
        })
        .await;

    let (want, _) = backtest_of(&stack, &config, &candles).await;
    let (bot, rb, got) = books(&stack, bot.id, &candles).await;
    assert_eq!(
        (got.orders_filled, got.round_trips, got.realized_pnl, got.fees_paid, got.final_equity, got.max_drawdown),
        (want.orders_filled, want.round_trips, want.realized_pnl, want.fees_paid, want.final_equity, want.max_drawdown),
    );
    let fills = stack.db().fills().list_for_bot(bot.id).await.expect("fills");
    assert_eq!(fills.len() as u64, want.orders_filled, "every booked order is a recorded fill");
    let recorded: Decimal = fills.iter().filter_map(|f| f.pnl).sum();
    assert_eq!(recorded, want.realized_pnl, "the fills' P&L is the books'");

    // A stop with a sale: a held position is sold at the market and booked; the bot ends flat and stopped.
    let long = rb.runtime().position().is_some();
    gridbot_app::commands::stop(&stack.ctx, &bot, true).await.expect("stop");
    stack.until(20, "the bot to stop", || async { stack.status(bot.id).await == BotStatus::Stopped }).await;
    let after = stack.db().fills().list_for_bot(bot.id).await.expect("fills");
    assert_eq!(after.len(), fills.len() + usize::from(long), "a held position is sold at the stop");
    let bot = stack.db().bots().get(bot.id).await.expect("bot");
    let rb = RuntimeBot::load(stack.db(), &bot).await.expect("load").expect("a runtime");
    assert!(rb.runtime().position().is_none(), "flat after the stop's sale");
    stack.shutdown().await;
}

/// The mean-reversion backtest of `candles` with `config` and the simulator's filters, which trades; its config.
async fn backtest_of(
    stack: &Stack,
    config: &serde_json::Value,
    candles: &Candles,
) -> (mean_reversion::MeanReversionResult, MeanReversionConfig) {
    let info = stack.ctx.market.symbol_info(&"BTC/USDT".parse().expect("pair")).await.expect("filters");
    let params = mean_reversion::bot_config(config, &info.filters).expect("bot config");
    let want = mean_reversion::backtest(&params, candles).expect("backtest");
    assert!(want.orders_filled >= 4, "the window trades: {want:?}");
    (want, params)
}

/// The bot as stored, its runtime, and its books valued at the last close of `candles`.
async fn books(
    stack: &Stack,
    id: gridbot_core::BotId,
    candles: &Candles,
) -> (gridbot_platform::db::types::Bot, RuntimeBot, gridbot_core::ledger::Summary) {
    let bot = stack.db().bots().get(id).await.expect("bot");
    let rb = RuntimeBot::load(stack.db(), &bot).await.expect("load").expect("a runtime");
    let last = candles.as_slice().last().expect("candles").close;
    let got = rb.runtime().summary(last).expect("summary");
    (bot, rb, got)
}

/// A mean-reversion bot of `config`, created for a new user and started in `mode`, once it runs and the scheduler
/// has had time to read its runtime; its config as stored.
async fn running_bot(
    stack: &Stack,
    mode: BotMode,
    config: serde_json::Value,
) -> (gridbot_platform::db::types::Bot, serde_json::Value) {
    let user = stack.user().await;
    let config = Registry::default().bot_config("mean_reversion", &config).expect("config");
    let bot = stack.db().bots().create(&mr_bot(user, mode, &config)).await.expect("bot");
    gridbot_app::commands::start(&stack.ctx, &bot).await.expect("start");
    stack
        .until(20, "the bot to run", || async {
            stack.status(bot.id).await == BotStatus::Running
                && stack.db().strategy_states().get(bot.id).await.expect("state").is_some()
        })
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    (bot, config)
}

fn mr_bot(user: i64, mode: BotMode, config: &serde_json::Value) -> NewBot {
    NewBot {
        user_id: user,
        strategy: "mean_reversion".into(),
        symbol: "BTC/USDT".parse::<Symbol>().expect("pair"),
        mode,
        config: config.clone(),
    }
}

async fn balance(stack: &Stack, asset: &str) -> Decimal {
    use gridbot_exchange::Exchange;
    let all = stack.account().balances().await.expect("balances");
    all.iter().find(|b| b.asset == asset).map_or(Decimal::ZERO, |b| b.free + b.locked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_mean_reversion_bot_books_what_the_exchange_filled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some((file, candles)) = window(dir.path()) else { return };
    let replay = format!("BTCUSDT={}", file.display());
    let stack = Stack::start_on(Backend::Sqlite, 1, &["--replay", &replay]).await;
    let (usdt, btc) = (balance(&stack, "USDT").await, balance(&stack, "BTC").await);
    let (bot, config) = running_bot(
        &stack,
        BotMode::Live,
        json!({"capital": "1000", "window": 20, "band": "1.5", "fee_asset": "base"}),
    )
    .await;
    // One candle at a time, each decision sent, filled and booked before the next: the market orders fill at the
    // close's book (a buy one tick above, at the ask).
    for c in candles.as_slice() {
        stack.control("/sim/step", json!({"candles": 1})).await;
        stack
            .until(20, "the close to be evaluated and its order booked", || async {
                let state = stack.db().strategy_states().get(bot.id).await.expect("state").expect("a state");
                state.state["last_close"].as_i64() == Some(c.open_time) && state.state["runtime"]["wanted"].is_null()
            })
            .await;
    }
    let (want, params) = backtest_of(&stack, &config, &candles).await;
    let (bot, _, got) = books(&stack, bot.id, &candles).await;
    assert_eq!((got.orders_filled, got.round_trips), (want.orders_filled, want.round_trips), "the same decisions");
    let fills = stack.db().fills().list_for_bot(bot.id).await.expect("fills");
    assert_eq!(fills.len() as u64, got.orders_filled, "every order the exchange filled is booked");
    let recorded: Decimal = fills.iter().filter_map(|f| f.pnl).sum();
    assert_eq!(recorded, got.realized_pnl, "the fills' P&L is the books'");
    // Books equal the exchange: what the account gained or spent is what the runtime holds beyond its capital.
    let (usdt_now, btc_now) = (balance(&stack, "USDT").await, balance(&stack, "BTC").await);
    assert_eq!(usdt_now - usdt, got.quote_balance - params.capital(), "quote");
    assert_eq!(btc_now - btc, got.base_balance, "base");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stream_gap_is_replayed_to_a_paper_mean_reversion_bot_candle_by_candle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some((file, candles)) = window(dir.path()) else { return };
    let replay = format!("BTCUSDT={}", file.display());
    let stack = Stack::start_on(Backend::Sqlite, 1, &["--replay", &replay]).await;
    let (bot, config) = running_bot(
        &stack,
        BotMode::Paper,
        json!({"capital": "10000", "window": 20, "band": "1.5", "stop_loss_pct": "0.2", "fee_asset": "base"}),
    )
    .await;
    let fed = |n: usize| candles.as_slice()[n - 1].open_time;
    let evaluated = |open_time: i64| {
        let stack = &stack;
        async move {
            let state = stack.db().strategy_states().get(bot.id).await.expect("state").expect("a state");
            state.state["last_close"].as_i64() == Some(open_time)
        }
    };
    for _ in 0..8 {
        stack.control("/sim/step", json!({"candles": 10})).await;
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    stack.until(30, "the first 80 closes", || evaluated(fed(80))).await;
    // The stream goes down while 60 candles play.
    stack.control("/sim/faults", json!({"ws_refuse": true})).await;
    stack.control("/sim/drop-ws", json!({})).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stack.control("/sim/step", json!({"candles": 60})).await;
    stack.control("/sim/faults", json!({"ws_refuse": false})).await;
    // Replayed when the stream is back: the closes before the gap's last minute (whose close is known only once a
    // later one is: it is replayed before the next close).
    stack.until(30, "the gap's closes replayed", || evaluated(fed(139))).await;
    for _ in 0..(CANDLES - 140) / 10 {
        stack.control("/sim/step", json!({"candles": 10})).await;
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    stack.until(30, "every close", || evaluated(fed(CANDLES))).await;
    let (want, _) = backtest_of(&stack, &config, &candles).await;
    let (_, _, got) = books(&stack, bot.id, &candles).await;
    assert_eq!(
        (got.orders_filled, got.round_trips, got.realized_pnl, got.fees_paid, got.final_equity, got.max_drawdown),
        (want.orders_filled, want.round_trips, want.realized_pnl, want.fees_paid, want.final_equity, want.max_drawdown),
    );
    stack.shutdown().await;
}
