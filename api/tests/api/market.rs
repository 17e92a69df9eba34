//! Market routes against the simulator; bad symbols and parameters are 422 or 404; the exchange down is a 502.

use reqwest::StatusCode;

use crate::both;
use crate::harness::{Backend, Options, spawn_app, spawn_app_with};

both!(market_data_from_the_simulator, exchange_down_is_502);

fn is_decimal(v: &serde_json::Value) -> bool {
    v.as_str().is_some_and(|s| s.parse::<rust_decimal::Decimal>().is_ok())
}

async fn market_data_from_the_simulator(backend: Backend) {
    let app = spawn_app_with(backend, Options { sim: true, ..Options::default() }).await;
    let (_, token) = app.signup("a@b.co").await;

    let symbols = app.get("/api/market/symbols", &token).await;
    assert_eq!(symbols.status, StatusCode::OK, "{}", symbols.text);
    let btc = symbols.body.as_array().unwrap().iter().find(|s| s["symbol"] == "BTCUSDT").cloned().unwrap();
    assert_eq!(
        (btc["pair"].as_str(), btc["base"].as_str(), btc["quote"].as_str()),
        (Some("BTC/USDT"), Some("BTC"), Some("USDT"))
    );
    assert!(["tick_size", "step_size", "min_notional"].iter().all(|k| is_decimal(&btc[*k])), "{btc}");

    for raw in ["BTCUSDT", "BTC-USDT", "btc_usdt"] {
        let p = app.get(&format!("/api/market/price/{raw}"), &token).await;
        assert_eq!(p.status, StatusCode::OK, "{raw}: {}", p.text);
        assert_eq!(p.body["symbol"], "BTCUSDT");
        assert!(is_decimal(&p.body["price"]), "{}", p.text);
    }

    let c = app.get("/api/market/candles/BTCUSDT?interval=1m&limit=10", &token).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    let candles = c.body.as_array().unwrap();
    assert_eq!(candles.len(), 10);
    assert!(candles.windows(2).all(|w| w[0]["time"].as_i64().unwrap() < w[1]["time"].as_i64().unwrap()));
    assert!(candles[0]["time"].as_i64().unwrap() < 100_000_000_000, "UNIX seconds");
    assert!(["open", "high", "low", "close", "volume"].iter().all(|k| is_decimal(&candles[0][*k])));
    let default = app.get("/api/market/candles/BTC-USDT", &token).await;
    assert_eq!(default.status, StatusCode::OK, "{}", default.text);

    let ind = app.get("/api/market/indicators/BTCUSDT", &token).await;
    assert_eq!(ind.status, StatusCode::OK, "{}", ind.text);
    assert_eq!(ind.body["symbol"], "BTCUSDT");
    for k in ["price", "high_24h", "low_24h", "volume_24h", "volatility", "volatility_annualized", "atr"] {
        assert!(is_decimal(&ind.body[k]), "{k}: {}", ind.text);
    }
    assert!(ind.body["support"].is_array() && ind.body["resistance"].is_array());

    let bad = [
        ("/api/market/price/BTC", StatusCode::UNPROCESSABLE_ENTITY, Some("symbol")),
        ("/api/market/price/%21%21-USDT", StatusCode::UNPROCESSABLE_ENTITY, Some("symbol")),
        ("/api/market/price/FOOUSDT", StatusCode::NOT_FOUND, None),
        ("/api/market/candles/FOOUSDT", StatusCode::NOT_FOUND, None),
        ("/api/market/indicators/FOOUSDT", StatusCode::NOT_FOUND, None),
        ("/api/market/candles/BTCUSDT?interval=7m", StatusCode::UNPROCESSABLE_ENTITY, Some("interval")),
        ("/api/market/candles/BTCUSDT?limit=0", StatusCode::UNPROCESSABLE_ENTITY, Some("limit")),
        ("/api/market/candles/BTCUSDT?limit=1001", StatusCode::UNPROCESSABLE_ENTITY, Some("limit")),
        ("/api/market/candles/BTCUSDT?limit=ten", StatusCode::UNPROCESSABLE_ENTITY, Some("limit")),
        ("/api/market/candles/BTCUSDT?limit=%FF", StatusCode::UNPROCESSABLE_ENTITY, Some("limit")),
    ];
    for (path, status, field) in bad {
        let r = app.get(path, &token).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
        if let Some(f) = field {
            assert_eq!(r.fields(), vec![f.to_owned()], "{path}: {}", r.text);
        }
    }
    app.finish().await;
}

async fn exchange_down_is_502(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    for path in [
        "/api/market/symbols",
        "/api/market/price/BTCUSDT",
        "/api/market/candles/BTCUSDT",
        "/api/market/indicators/BTCUSDT",
    ] {
        let r = app.get(path, &token).await;
        assert_eq!((r.status, r.code()), (StatusCode::BAD_GATEWAY, "exchange"), "{path}: {}", r.text);
        assert!(!r.text.contains("127.0.0.1"), "no internals: {}", r.text);
    }
    app.finish().await;
}
