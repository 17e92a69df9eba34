//! The advisor's market on a SQLite database: klines fetched from the simulator when the `prices` table has none,
//! the closed ones stored back; the table alone when the exchange is down; no fetch when the table is complete.

use std::{sync::Arc, time::Duration};

use gridbot_ai::history::{SPAN_MS, load_market, recent_candles};
use gridbot_core::{Candle, Symbol};
use gridbot_exchange::{
    Exchange,
    binance::{Binance, Endpoints},
};
use gridbot_platform::{Db, Settings, connect, migrate};
use rust_decimal_macros::dec;

use crate::logs;

const MINUTE: i64 = 60_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn db(dir: &tempfile::TempDir) -> Db {
    let db = connect(&Settings::sqlite(&dir.path().join("ai.db"))).await.unwrap();
    migrate(&db).await.unwrap();
    db
}

fn exchange(rest: &str) -> Arc<dyn Exchange> {
    Arc::new(
        Binance::with_timeout(
            Endpoints::single_host(rest, "ws://127.0.0.1:9", "ws://127.0.0.1:9"),
            None,
            Duration::from_secs(5),
        )
        .unwrap(),
    )
}

#[tokio::test]
async fn klines_are_fetched_stored_and_then_read_from_the_table() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir).await;
    let sim = gridbot_sim::start(gridbot_sim::SimArgs::try_from_flags(["--port", "0", "--start-paused"]).unwrap())
        .await
        .unwrap();
    let btc: Symbol = "BTCUSDT".parse().unwrap();
    let now = now_ms();

    let market = load_market(&db, exchange(&sim.rest_url).as_ref(), &btc, now).await.unwrap();
    assert!(market.candles.len() >= 400, "the simulator serves 500 minutes of history, got {}", market.candles.len());
    assert_eq!(market.filters.tick_size, dec!(0.01));
    let from = chrono::DateTime::from_timestamp_millis(now - SPAN_MS).unwrap();
    let to = chrono::DateTime::from_timestamp_millis(now + MINUTE).unwrap();
    let stored = db.prices().range(&btc, from, to).await.unwrap();
    assert!(stored.len() + 1 >= market.candles.len() && !stored.is_empty(), "closed candles are stored");
    assert!(stored.iter().all(|c| c.open_time + MINUTE <= now));

    // The exchange is down: the stored candles are used alone.
    let down = exchange("http://127.0.0.1:9");
    let again = recent_candles(&db, down.as_ref(), &btc, now).await.unwrap();
    assert_eq!(again, stored);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_complete_table_needs_no_exchange() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir).await;
    let eth: Symbol = "ETH/USDT".parse().unwrap();
    let now = now_ms();
    let last = now - now.rem_euclid(MINUTE) - MINUTE;
    let candles: Vec<Candle> = (0..(SPAN_MS / MINUTE))
        .rev()
        .map(|i| Candle {
            open_time: last - i * MINUTE,
            open: dec!(100),
            high: dec!(101),
            low: dec!(99),
            close: dec!(100.5),
            volume: dec!(2),
        })
        .collect();
    for chunk in candles.chunks(1000) {
        db.prices().upsert(&eth, chunk).await.unwrap();
    }
    let down = exchange("http://127.0.0.1:9");
    let got = recent_candles(&db, down.as_ref(), &eth, now).await.unwrap();
    assert_eq!(got.len(), candles.len() - 1, "the first minute lies just outside the 30 days");
    assert_eq!(got.last(), candles.last());
    let asked = logs().text().lines().any(|l| l.contains("klines unavailable") && l.contains("ETH/USDT"));
    assert!(!asked, "the exchange was not asked");
}
