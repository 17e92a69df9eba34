//! The API for benchmarks (`scripts/bench-api.sh`), on SQLite in a temporary directory with the simulator as the
//! exchange and rate limits out of the way.
//!
//! `bench_server` serves until Ctrl-C after printing `BASE=…`, `TOKEN=…` and `BOT=…` (a registered user and a paper
//! bot). `bench_server --ws-clients N --ticks T --tick-ms M` instead opens N WebSockets on `/ws/market/BTCUSDT`,
//! publishes T trades M ms apart on the event bus, and prints the tick-to-client latency (publish to a client's
//! read of the message) as `WS clients=… p50_ms=… p99_ms=… max_ms=…`. With `BENCH_DATABASE_URL=postgres://…` the
//! database is that (an empty, migrated one) instead of SQLite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use gridbot_api::{ApiConfig, ApiContext, RateLimits, build_app, serve};
use gridbot_app::{Ctx, LiveAccounts};
use gridbot_core::Decimal;
use gridbot_exchange::{
    Exchange,
    binance::{Binance, Endpoints},
};
use gridbot_platform::{Event, EventBus, Locks, Queue, Settings, connect, migrate};
use serde_json::{Value, json};

fn arg(name: &str) -> Option<u64> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sim = gridbot_sim::start(gridbot_sim::SimArgs::try_from_flags(["--port", "0", "--start-paused"]).unwrap())
        .await
        .unwrap();
    let endpoints = Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url);
    let mut settings = match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => Settings::postgres(&url),
        Err(_) => Settings::sqlite(&dir.path().join("gridbot.db")),
    };
    settings.jobs_db = Some(dir.path().join("jobs.db"));
    let db = connect(&settings).await.unwrap();
    migrate(&db).await.unwrap();
    let exchange: Arc<dyn Exchange> = Arc::new(Binance::new(endpoints.clone(), None).unwrap());
    let key = [7u8; 32];
    let rt = Ctx::new(
        db,
        Queue::connect(&settings).await.unwrap(),
        EventBus::local(),
        Locks::local(),
        exchange,
        Arc::new(LiveAccounts::new(endpoints, Some(key))),
    );
    let mut config = ApiConfig::new(b"bench secret of at least thirty-two bytes", key);
    config.bcrypt_cost = 4;
    let unlimited = RateLimits {
        api_burst: u32::MAX,
        api_refill: Duration::from_nanos(1),
        auth_burst: u32::MAX,
        auth_refill: Duration::from_nanos(1),
        login_failures_burst: u32::MAX,
        login_failures_refill: Duration::from_nanos(1),
    };
    config.rate_limits = unlimited;
    let app = build_app(ApiContext::new(rt.clone(), config)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app, std::future::pending()));

    let base = format!("http://{addr}");
    let (token, bot) = setup(&base).await;
    match arg("--ws-clients") {
        Some(n) => {
            ws_bench(
                addr,
                &token,
                &rt.events,
                n as usize,
                arg("--ticks").unwrap_or(200),
                arg("--tick-ms").unwrap_or(20),
            )
            .await
        }
        None => {
            println!("BASE={base}\nTOKEN={token}\nBOT={bot}");
            tokio::signal::ctrl_c().await.unwrap();
        }
    }
    sim.shutdown().await;
}

/// Registers a user, logs in, creates a paper bot around the simulator's price.
async fn setup(base: &str) -> (String, i64) {
    let http = reqwest::Client::new();
    let creds = json!({"email": "bench@example.com", "password": "correct horse battery staple 42"});
    http.post(format!("{base}/api/auth/register")).json(&creds).send().await.unwrap();
    let login: Value =
        http.post(format!("{base}/api/auth/login")).json(&creds).send().await.unwrap().json().await.unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let price: Value = http
        .get(format!("{base}/api/market/price/BTCUSDT"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p: Decimal = price["price"].as_str().unwrap().parse().unwrap();
    let config = json!({"capital": "10000", "lower_bound": (p * Decimal::new(95, 2)).floor().to_string(),
        "upper_bound": (p * Decimal::new(105, 2)).floor().to_string(), "grid_levels": 20, "spacing": "arithmetic",
        "stop_loss_pct": "2", "take_profit_pct": null, "max_daily_loss": "500"});
    let bot: Value = http
        .post(format!("{base}/api/bots"))
        .bearer_auth(&token)
        .json(&json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (token, bot["id"].as_i64().unwrap())
}

async fn ws_bench(addr: SocketAddr, token: &str, bus: &EventBus, clients: usize, ticks: u64, tick_ms: u64) {
    // When tick `i` was published; clients read it back from the trade's `time`.
    let sent: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; ticks as usize]));
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::new(Mutex::new(Vec::with_capacity(clients * ticks as usize)));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let url = format!("ws://{addr}/ws/market/BTCUSDT?token={token}");
        let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("websocket");
        let (sent, latencies) = (Arc::clone(&sent), Arc::clone(&latencies));
        tasks.push(tokio::spawn(async move {
            let (_, mut rx) = ws.split();
            let mut seen = 0;
            while seen < ticks {
                let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(10), rx.next()).await else { break };
                let tokio_tungstenite::tungstenite::Message::Text(text) = msg else { continue };
                // The tick's number is its `time`: read it without a full parse.
                let t = text.as_str();
                let digits: String =
                    t[t.find("\"time\":").unwrap() + 7..].chars().take_while(char::is_ascii_digit).collect();
                let i: usize = digits.parse().unwrap();
                if let Some(at) = sent.lock().unwrap()[i] {
                    latencies.lock().unwrap().push(at.elapsed().as_secs_f64() * 1000.0);
                }
                seen += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for i in 0..ticks {
        let price = Decimal::from(100_000) + Decimal::new(i as i64, 2);
        sent.lock().unwrap()[i as usize] = Some(Instant::now());
        bus.publish(Event::Trade { symbol: "BTCUSDT".into(), price, qty: Decimal::new(1, 3), time: i as i64 }).await;
        tokio::time::sleep(Duration::from_millis(tick_ms)).await;
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut l = latencies.lock().unwrap().clone();
    l.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1))).copied().unwrap_or(f64::NAN);
    println!(
        "WS clients={clients} ticks={ticks} received={} p50_ms={:.3} p99_ms={:.3} max_ms={:.3}",
        l.len(),
        q(0.50),
        q(0.99),
        l.last().copied().unwrap_or(f64::NAN)
    );
}
