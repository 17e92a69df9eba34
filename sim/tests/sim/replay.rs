//! Replayed candles: a small CSV written here, and real data from `shared/data` when present.

use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

const CSV: &str = "open_time,open,high,low,close,volume\n\
    1747699200000,100000.00,100500.00,99500.00,100200.00,4\n\
    1747699260000,100200.00,100300.00,99000.00,99100.00,8\n\
    1747699320000,99100.00,99900.00,99050.00,99800.00,2\n";

fn temp_csv(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gridbot-sim-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("BTCUSDT-1m-test.csv");
    std::fs::write(&file, text).expect("write csv");
    file
}

#[tokio::test]
async fn a_replay_plays_each_candle_as_its_path() {
    let file = temp_csv("replay", CSV);
    let sim = spawn(&["--replay", file.to_str().unwrap_or_default()]).await;
    let s = sim.state().await;
    assert_eq!(
        (s["mode"].as_str(), s["candles_left"].as_u64(), s["done"].as_bool()),
        (Some("replay"), Some(3), Some(false))
    );
    assert_eq!(s["last_prices"]["BTCUSDT"], "100000.00000000", "the path starts at the first open");
    let mut ws = sim.ws("/ws/btcusdt@trade").await;
    let s = sim.control("/sim/step", json!({"candles": 1})).await;
    assert_eq!((s["played"].as_u64(), s["candles_played"].as_u64()), (Some(1), Some(1)));
    let mut prices = Vec::new();
    for _ in 0..4 {
        let t = next_json(&mut ws).await;
        prices.push(t["p"].as_str().unwrap_or_default().to_string());
        assert!(t["T"].as_i64().unwrap_or_default() >= 1_747_699_200_000 && t["T"].as_i64() < Some(1_747_699_260_000));
    }
    assert_eq!(prices, ["100000.00000000", "99500.00000000", "100500.00000000", "100200.00000000"]);
    let k = sim.get("/api/v3/klines?symbol=BTCUSDT&interval=1m").await.body;
    assert_eq!(
        k,
        json!([[
            1_747_699_200_000i64,
            "100000.00000000",
            "100500.00000000",
            "99500.00000000",
            "100200.00000000",
            "4.00000000",
            1_747_699_259_999i64,
            k[0][7],
            4,
            k[0][9],
            k[0][10],
            "0"
        ]])
    );

    // A buy at 99,000.00 is touched by the second candle's low.
    sim.limit("BUY", "99000.00", "0.00100", "r1").await;
    sim.control("/sim/resume", json!({})).await;
    sim.control("/sim/speed", json!({"candles_per_second": 50})).await;
    let s = wait_state(&sim, |s| s["done"] == true).await;
    assert_eq!((s["candles_left"].as_u64(), s["last_prices"]["BTCUSDT"].as_str()), (Some(0), Some("99800.00000000")));
    let q = sim.signed(Method::GET, "/api/v3/order", &[("symbol", "BTCUSDT"), ("origClientOrderId", "r1")]).await;
    assert_eq!(q.body["status"], "FILLED");
    let k = sim.get("/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1747699260000&limit=1").await.body;
    assert_eq!((k[0][0].as_i64(), k[0][3].as_str()), (Some(1_747_699_260_000), Some("99000.00000000")));
    std::fs::remove_file(&file).ok();
}

#[tokio::test]
async fn real_data_replays_exactly() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/BTCUSDT-1m-2024-07-26_2024-08-25.csv");
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("skipped: {path} is not there");
        return;
    };
    let candles = gridbot_core::candles::Candles::from_csv(&text).expect("real data parses");
    let sim = spawn(&["--replay", path]).await;
    let s = sim.control("/sim/step", json!({"candles": 1000})).await;
    assert_eq!(s["candles_played"], 1000);
    assert_eq!(s["candles_left"].as_u64(), Some(candles.len() as u64 - 1000));
    let c = &candles.as_slice()[999];
    assert_eq!(
        s["last_prices"]["BTCUSDT"].as_str().map(|p| p.parse::<rust_decimal::Decimal>().ok()),
        Some(Some(c.close))
    );
    let k = sim.get("/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1000").await.body;
    let rows = k.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1000);
    for (row, c) in rows.iter().zip(candles.as_slice()) {
        assert_eq!(row[0].as_i64(), Some(c.open_time));
        let d = |i: usize| row[i].as_str().and_then(|s| s.parse::<rust_decimal::Decimal>().ok());
        assert_eq!((d(1), d(2), d(3), d(4)), (Some(c.open), Some(c.high), Some(c.low), Some(c.close)));
    }

    // A buy 1% under the price fills at its own price in the first later candle whose low reaches it.
    let target = (c.close * rust_decimal::Decimal::new(99, 2)).round_dp(2);
    let r = sim.limit("BUY", &target.to_string(), "0.00100", "real-1").await;
    assert_eq!(r.body["status"], "NEW", "{}", r.body);
    let first = candles.as_slice()[1000..].iter().position(|k| k.low <= target).map(|i| 1000 + i);
    let first = first.expect("this month of data falls 1% after its first 1,000 minutes");
    let status = |body: serde_json::Value| body["status"].as_str().map(str::to_string);
    let query = [("symbol", "BTCUSDT"), ("origClientOrderId", "real-1")];
    sim.control("/sim/step", json!({"candles": first - 1000})).await;
    let q = sim.signed(Method::GET, "/api/v3/order", &query).await.body;
    assert_eq!(status(q), Some("NEW".into()), "no candle before the {first}th reaches {target}");
    sim.control("/sim/step", json!({"candles": 1})).await;
    let q = sim.signed(Method::GET, "/api/v3/order", &query).await.body;
    assert_eq!(status(q), Some("FILLED".into()));
    let fill = sim.signed(Method::GET, "/api/v3/myTrades", &[("symbol", "BTCUSDT")]).await.body;
    assert_eq!(fill.as_array().map(Vec::len), Some(1), "{fill}");
    assert_eq!(fill[0]["price"].as_str().and_then(|p| p.parse::<rust_decimal::Decimal>().ok()), Some(target));
}
