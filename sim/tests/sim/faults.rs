//! Fault switches and rate limits: 429 bursts, weight limits and 418, 5xx, held responses, latency.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_429_burst_answers_the_next_requests() {
    let sim = spawn(&["--burst-429", "1"]).await;
    let r = sim.get("/api/v3/ping").await;
    assert_eq!(r.status, 429);
    sim.control("/sim/faults", json!({"burst_429": 2})).await;
    for _ in 0..2 {
        let r = sim.get("/api/v3/ping").await;
        assert_eq!((r.status.as_u16(), r.code()), (429, -1003));
        assert_eq!(r.header("retry-after").as_deref(), Some("1"));
        assert!(r.header("x-mbx-used-weight-1m").is_some());
    }
    assert_eq!(sim.get("/api/v3/ping").await.status, 200);
    assert_eq!(sim.state().await["faults"]["burst_429"], 0);
}

#[tokio::test]
async fn over_the_weight_limit_429_then_418() {
    let sim = spawn(&["--weight-limit", "30"]).await;
    assert_eq!(sim.get("/api/v3/exchangeInfo").await.status, 200);
    let mut r = sim.get("/api/v3/exchangeInfo").await;
    if r.status == 200 {
        r = sim.get("/api/v3/exchangeInfo").await; // the minute turned between the two calls
    }
    assert_eq!((r.status.as_u16(), r.code()), (429, -1003));
    let wait: i64 = r.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or_default();
    assert!((1..=60).contains(&wait), "{wait}");
    let r = sim.get("/api/v3/ping").await;
    assert_eq!(r.status.as_u16(), 418, "a client that does not back off is banned");
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn failures_and_held_responses() {
    let sim = spawn(&["--fail-rate", "1"]).await;
    for _ in 0..6 {
        let r = sim.get("/api/v3/ping").await;
        assert!(r.status.is_server_error(), "{}", r.status);
    }
    sim.control("/sim/faults", json!({"fail_rate": 0.0, "timeout_rate": 1.0, "timeout_ms": 2000})).await;
    let quick = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().expect("client");
    let err = quick.get(sim.url("/api/v3/ping")).send().await.expect_err("held past the client's timeout");
    assert!(err.is_timeout());
    sim.control("/sim/faults", json!({"timeout_rate": 0.0, "latency_ms": 150})).await;
    let started = Instant::now();
    assert_eq!(sim.get("/api/v3/ping").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let r = sim.http.post(sim.url("/sim/faults")).json(&json!({"fail_rate": 3})).send().await.expect("request");
    assert_eq!(r.status(), 422);
}
