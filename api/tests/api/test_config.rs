//! `POST /api/bots/test-config`: the plan at the simulator's price with a backtest over its candles, and a 422
//! naming the field for every kind of refusal; a 502 with the exchange down.

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Backend, Options, spawn_app, spawn_app_with};

both!(
    test_config_plans_and_backtests,
    test_config_names_each_bad_field,
    test_config_without_the_exchange,
    test_config_charts_each_strategys_backtest
);

fn d(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")).parse().unwrap()
}

fn config(lower: Decimal, upper: Decimal) -> Value {
    json!({"capital": "10000", "lower_bound": lower.to_string(), "upper_bound": upper.to_string(), "grid_levels": 20,
           "spacing": "arithmetic", "stop_loss_pct": null, "take_profit_pct": null, "max_daily_loss": "500"})
}

async fn price(app: &crate::harness::TestApp, token: &str) -> Decimal {
    d(&app.get("/api/market/price/BTCUSDT", token).await.body["price"])
}

async fn test_config_plans_and_backtests(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let p = price(&app, &token).await;
    // Tight around the price so the simulator's minutes of history cross levels.
    let (lower, upper) = ((p * Decimal::new(99, 2)).floor(), (p * Decimal::new(101, 2)).floor());
    let r = app
        .post("/api/bots/test-config", Some(&token), json!({"pair": "BTC-USDT", "config": config(lower, upper)}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = &r.body;
    assert_eq!(b["valid"], true);
    let levels: Vec<Decimal> = b["levels"].as_array().unwrap().iter().map(d).collect();
    assert_eq!(levels.len(), 20);
    assert_eq!((levels[0], levels[19]), (lower, upper));
    assert!(levels.windows(2).all(|w| w[0] < w[1]));
    let q = d(&b["qty_per_level"]);
    assert!(q > Decimal::ZERO);
    let (min, max) = (d(&b["profit_per_grid_min"]), d(&b["profit_per_grid_max"]));
    assert!(min <= max, "{}", r.text);
    // A bot pays its fees in base: a lot sells what its buy of q delivered, rounded down to the step, and earns
    // most on the lowest gap (equal gaps, so only the prices the fees are on differ).
    let f = Decimal::new(1, 3);
    let sold = (q * (Decimal::ONE - f) / Decimal::new(1, 5)).floor() * Decimal::new(1, 5);
    let want_max = (sold * levels[1] * (Decimal::ONE - f) - q * levels[0]).round_dp(8);
    assert_eq!(max, want_max, "{}", r.text);
    let (pmin, pmax) = (d(&b["profit_per_grid_pct_min"]), d(&b["profit_per_grid_pct_max"]));
    assert!(pmin <= pmax && pmax < Decimal::ONE, "fractions: {}", r.text);
    assert!(d(&b["initial_buy_qty"]) > Decimal::ZERO, "lots above the price are bought: {}", r.text);
    let bt = &b["backtest"];
    assert!(bt.is_object(), "the simulator has minutes of history: {}", r.text);
    assert!(bt["days"].as_i64().unwrap() >= 1);
    assert!(bt["candles"].as_u64().unwrap() >= 1, "{}", r.text);
    assert!(bt["orders_filled"].as_u64().is_some() && bt["round_trips"].as_u64().is_some());
    for k in ["realized_pnl", "final_equity", "max_drawdown", "fees_paid"] {
        d(&bt[k]);
    }
    assert!(b["expected_fills_per_day"].is_string(), "{}", r.text);
    let chart = check_chart(bt);
    assert_eq!(chart["fills_omitted"], 0);
    let grid_fills = chart["fills"].as_array().unwrap().iter().filter(|f| f["kind"] == "grid").count();
    assert_eq!(grid_fills as u64, bt["orders_filled"].as_u64().unwrap(), "one marker per grid fill: {chart}");

    // The prices table is used when it holds a day of candles.
    let symbol: gridbot_core::Symbol = "BTCUSDT".parse().unwrap();
    let now = chrono::Utc::now().timestamp_millis() / 60_000 * 60_000;
    let candles: Vec<gridbot_core::Candle> = (0..1500)
        .map(|i| {
            let open = if i % 2 == 0 { lower + Decimal::from(10) } else { upper - Decimal::from(10) };
            let close = if i % 2 == 0 { upper - Decimal::from(10) } else { lower + Decimal::from(10) };
            gridbot_core::Candle {
                open_time: now - (1500 - i) * 60_000,
                open,
                high: open.max(close),
                low: open.min(close),
                close,
                volume: Decimal::ONE,
            }
        })
        .collect();
    app.db.prices().upsert(&symbol, &candles).await.unwrap();
    let stored = app
        .post("/api/bots/test-config", Some(&token), json!({"pair": "BTCUSDT", "config": config(lower, upper)}))
        .await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.text);
    assert_eq!(stored.body["backtest"]["days"], 2, "1,500 minutes: {}", stored.text);
    assert_eq!(stored.body["backtest"]["candles"], 1500, "{}", stored.text);
    assert!(stored.body["backtest"]["round_trips"].as_u64().unwrap() > 1000, "a swing across the grid every minute");
    assert!(d(&stored.body["expected_fills_per_day"]) > Decimal::from(1000));
    app.finish().await;
}

async fn test_config_names_each_bad_field(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let p = price(&app, &token).await;
    let (lower, upper) = ((p * Decimal::new(95, 2)).floor(), (p * Decimal::new(105, 2)).floor());
    let good = config(lower, upper);
    let mut cases: Vec<(Value, &str)> = vec![
        (json!({"pair": "BTC", "config": good}), "pair"),
        (json!({"pair": "FOO/USDT", "config": good}), "pair"),
        (json!({"pair": 1, "config": good}), "pair"),
        (json!({"config": good}), "pair"),
        (json!({"pair": "BTC/USDT"}), "config"),
        (json!({"pair": "BTC/USDT", "config": good, "mode": "paper"}), "mode"),
    ];
    let edits: Vec<(&str, Value, &str)> = vec![
        ("capital", json!("abc"), "capital"),
        ("capital", json!("1"), "capital"),
        ("lower_bound", json!((p * Decimal::new(102, 2)).floor().to_string()), "lower_bound"),
        ("upper_bound", json!((p * Decimal::new(98, 2)).floor().to_string()), "upper_bound"),
        ("lower_bound", json!(upper.to_string()), "lower_bound"),
        ("grid_levels", json!(1), "grid_levels"),
        ("grid_levels", json!(201), "grid_levels"),
        ("spacing", json!("fibonacci"), "spacing"),
        ("stop_loss_pct", json!(-1), "stop_loss_pct"),
        ("fee_rate", json!(2), "fee_rate"),
    ];
    for (key, value, field) in edits {
        let mut c = good.clone();
        c[key] = value;
        cases.push((json!({"pair": "BTC/USDT", "config": c}), field));
    }
    // Levels half a cent apart cannot all be distinct prices after rounding to the tick (0.01).
    let mut dense = good.clone();
    dense["lower_bound"] = json!((p - Decimal::new(5, 1)).to_string());
    dense["upper_bound"] = json!((p + Decimal::new(5, 1)).to_string());
    dense["grid_levels"] = json!(200);
    cases.push((json!({"pair": "BTC/USDT", "config": dense}), "grid_levels"));
    for (body, field) in cases {
        let r = app.post("/api/bots/test-config", Some(&token), body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        assert!(r.fields().contains(&field.to_owned()), "{body}: {}", r.text);
    }
    app.finish().await;
}

async fn test_config_without_the_exchange(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"pair": "BTC/USDT", "config": config(Decimal::from(95_000), Decimal::from(105_000))});
    let r = app.post("/api/bots/test-config", Some(&token), body).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_GATEWAY, "exchange"), "{}", r.text);
    app.finish().await;
}

/// The chart's invariants: bounded, on the candles' clock (UNIX seconds, ascending), one equity point per candle
/// ending at the backtest's final equity, every fill on a candle, decimals as strings. Returns the chart.
fn check_chart(bt: &Value) -> &Value {
    let chart = &bt["chart"];
    let candles = chart["candles"].as_array().unwrap_or_else(|| panic!("no candles: {bt}"));
    assert!(!candles.is_empty() && candles.len() <= 2000, "{} candles", candles.len());
    let times: Vec<i64> = candles.iter().map(|c| c["time"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "candle times ascend");
    // UNIX seconds of 2020 or later, not milliseconds.
    assert!(times.iter().all(|t| (1_577_836_800..10_000_000_000).contains(t)), "seconds: {times:?}");
    for c in candles {
        let (lo, hi) = (d(&c["low"]), d(&c["high"]));
        assert!(lo <= d(&c["open"]).min(d(&c["close"])) && hi >= d(&c["open"]).max(d(&c["close"])), "{c}");
    }
    let equity = chart["equity"].as_array().unwrap();
    assert_eq!(equity.len(), candles.len(), "an equity point per candle");
    assert_eq!(d(&equity.last().unwrap()["equity"]), d(&bt["final_equity"]), "the curve ends at the final equity");
    let fills = chart["fills"].as_array().unwrap();
    assert!(fills.len() <= 1000);
    assert_eq!(fills.len() as u64 + chart["fills_omitted"].as_u64().unwrap(), chart["fills_total"].as_u64().unwrap());
    for f in fills {
        assert!(times.binary_search(&f["time"].as_i64().unwrap()).is_ok(), "a fill off the candles: {f}");
        assert!(["buy", "sell"].contains(&f["side"].as_str().unwrap()), "{f}");
        assert!(d(&f["price"]) > Decimal::ZERO && d(&f["qty"]) > Decimal::ZERO, "{f}");
    }
    chart
}

/// A day and a bit of stored candles swinging across the grid (the grid) and in waves deep enough for the mean
/// reversion's band (every 40 minutes, 2 % down and back): both strategies' charts carry every fill, or say how
/// many they left out.
async fn test_config_charts_each_strategys_backtest(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;
    let p = price(&app, &token).await.floor();
    let symbol: gridbot_core::Symbol = "BTCUSDT".parse().unwrap();
    let now = chrono::Utc::now().timestamp_millis() / 60_000 * 60_000;
    let n = 1500;
    let wave = |i: i64| {
        let k = i % 40;
        let depth = if k < 20 { k } else { 40 - k };
        p - p * Decimal::new(depth, 3)
    };
    let candles: Vec<gridbot_core::Candle> = (0..n)
        .map(|i| {
            let (open, close) = (wave(i), wave(i + 1));
            gridbot_core::Candle {
                open_time: now - (n - i) * 60_000,
                open,
                high: open.max(close),
                low: open.min(close),
                close,
                volume: Decimal::ONE,
            }
        })
        .collect();
    app.db.prices().upsert(&symbol, &candles).await.unwrap();
    let grid = config((p * Decimal::new(97, 2)).floor(), (p * Decimal::new(1005, 3)).floor());
    let r = app.post("/api/bots/test-config", Some(&token), json!({"pair": "BTCUSDT", "config": grid})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let bt = &r.body["backtest"];
    let chart = check_chart(bt);
    let kinds: Vec<&str> = chart["fills"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"initial"), "the lots above the start price are bought first");
    let total = chart["fills_total"].as_u64().unwrap();
    assert_eq!(total, bt["orders_filled"].as_u64().unwrap() + 1, "every grid fill and the initial buy");
    assert!(bt["orders_filled"].as_u64().unwrap() > 100, "{bt}");
    assert_eq!(chart["candle_secs"], 60);

    let mr = json!({"pair": "BTCUSDT", "strategy": "mean_reversion",
        "config": {"capital": "1000", "window": 10, "band": "1", "stop_loss_pct": null}});
    let r = app.post("/api/bots/test-config", Some(&token), mr).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let bt = &r.body["backtest"];
    let chart = check_chart(bt);
    assert!(bt["orders_filled"].as_u64().unwrap() >= 2, "the waves cross the band: {bt}");
    assert_eq!(chart["fills_total"], bt["orders_filled"], "one marker per fill");
    let kinds: std::collections::BTreeSet<&str> =
        chart["fills"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.iter().all(|k| ["entry", "exit", "stop_loss"].contains(k)), "{kinds:?}");
    app.finish().await;
}
