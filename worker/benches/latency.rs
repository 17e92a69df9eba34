//! Tick-to-counter-order latency (not a test): a live bot on the simulator; a trade is played through its nearest
//! order, and the clock runs until the simulator announces the counter-order (its `NEW` execution report on the
//! account's user-data stream). Embedded (SQLite, in-process queue) and distributed (PostgreSQL, Redis).
//!
//! `cargo bench -p gridbot-worker --bench latency` (PostgreSQL and Redis on 127.0.0.1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/e2e/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::time::{Duration, Instant};

use gridbot_core::{Decimal, Side, Symbol};
use gridbot_exchange::{
    Exchange, UserEvent,
    binance::{
        Binance,
        config::{Credentials, Endpoints},
    },
};
use gridbot_platform::db::types::BotMode;
use harness::{Backend, Stack};
use rust_decimal_macros::dec;
use serde_json::json;

const ROUNDS: usize = 100;

async fn measure(backend: Backend) -> Vec<Duration> {
    let options = gridbot_scheduler::Options {
        reconcile_cron: "0 0 0 1 1 *".into(),
        refresh_every: Duration::from_secs(1),
        ..Default::default()
    };
    // A simplification: a counter-order every 120 ms spends the simulator's default request weight (Binance's 6,000 a
    // minute) within the run, and the client then waits for its budget; the bench measures latency, not the budget.
    let stack = Stack::start_with(backend, 1, options, &["--weight-limit", "1000000"]).await;
    stack.price(dec!(100000)).await;
    let user = stack.user().await;
    let config = json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11});
    let bot = stack.bot(user, BotMode::Live, config).await;
    stack.run_bot(&bot).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let endpoints = Endpoints::single_host(&stack.sim.rest_url, &stack.sim.ws_url, &stack.sim.ws_api_url);
    let client = Binance::new(endpoints, Some(Credentials::new("demo-key", "demo-secret"))).unwrap();
    let mut reports = client.user_stream().await.unwrap();
    let _symbol: Symbol = "BTC/USDT".parse().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut samples = Vec::with_capacity(2 * ROUNDS);
    for round in 0..2 * ROUNDS {
        // Down through the buy at 99000 (its counter is a sell at 100000), then up through that sell.
        let (price, counter): (Decimal, Side) =
            if round % 2 == 0 { (dec!(98990), Side::Sell) } else { (dec!(100010), Side::Buy) };
        while reports.try_recv().is_ok() {}
        let t0 = Instant::now();
        stack.price(price).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let event = tokio::time::timeout_at(deadline, reports.recv()).await.expect("counter-order within 10 s");
            if let Some(UserEvent::Execution(r)) = event
                && r.execution_type == "NEW"
                && r.side == counter
            {
                samples.push(t0.elapsed());
                break;
            }
        }
        // At most ~8 orders a second: the exchange's limit is 100 orders per 10 s (a 429 would be measured instead).
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    stack.shutdown().await;
    samples
}

fn report(name: &str, mut s: Vec<Duration>) {
    s.sort();
    let q = |p: f64| s[((s.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{name}: {} counter-orders, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        s.len(),
        q(0.5).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        s[s.len() - 1].as_secs_f64() * 1e3
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let embedded = rt.block_on(measure(Backend::Sqlite));
    report("embedded (SQLite, in-process queue)", embedded);
    if std::env::args().all(|a| a != "--embedded-only") {
        let distributed = rt.block_on(measure(Backend::Postgres));
        report("distributed (PostgreSQL, Redis)", distributed);
    }
}
