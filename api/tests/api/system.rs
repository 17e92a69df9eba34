//! `GET /api/system`: where the prices come from — Binance by default, the simulator (and its pace) when the binary
//! says so; no token needed.

use std::sync::Arc;

use gridbot_api::MarketSource;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::harness::{Backend, Customize, Options, spawn_app, spawn_app_with};

both!(system_names_the_market);

async fn system_names_the_market(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.call(Method::GET, "/api/system", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"market": "binance", "offline": false, "candle_ms": 60000}));
    app.finish().await;

    let customize: Customize = Arc::new(|mut ctx| {
        let mut config = (*ctx.config).clone();
        config.market = MarketSource::simulator(1.0);
        ctx.config = Arc::new(config);
        ctx
    });
    let app = spawn_app_with(backend, Options { customize: Some(customize), ..Options::default() }).await;
    let r = app.call(Method::GET, "/api/system", None, None).await;
    assert_eq!(r.body, json!({"market": "simulator", "offline": true, "candle_ms": 1000}), "{}", r.text);
    app.finish().await;
    let paces = [(60.0, Some(17)), (0.5, Some(2000)), (f64::INFINITY, None), (0.0, None), (1e9, Some(1))];
    for (speed, want) in paces {
        assert_eq!(MarketSource::simulator(speed).candle_ms, want, "{speed}");
    }
}
