//! `gridbot serve` trades live with the secrets it generates: the real binary, started in an empty directory with no
//! `JWT_SECRET` or `ENCRYPTION_KEY` in its environment and pointed at the simulator, stores a user's keys over HTTP
//! and runs a live bot whose grid rests at the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use gridbot_core::Symbol;
use gridbot_exchange::{
    Exchange,
    binance::{
        Binance,
        config::{Credentials, Endpoints},
    },
};
use serde_json::{Value, json};

const API_KEY: &str = "serve-test-api-key-0001";
const API_SECRET: &str = "serve-test-api-secret-0001";

/// The `gridbot serve` process, killed when dropped.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_generated_secrets_runs_a_live_bot() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // The simulator on Binance's default commission; the account has spare BTC.
    let account = format!("{API_KEY}:{API_SECRET}:USDT=100000,BTC=1");
    let args = gridbot_sim::SimArgs::try_from_flags(["--port", "0", "--start-paused", "--account", &account]).unwrap();
    let sim = gridbot_sim::start(args).await.unwrap();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/sim/price", sim.rest_url))
        .json(&json!({"symbol": "BTCUSDT", "price": "100000"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("serve.log")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gridbot"));
    // No JWT_SECRET, ENCRYPTION_KEY, DATABASE_URL or REDIS_URL: the embedded defaults and generated secrets.
    cmd.env_clear()
        .current_dir(dir.path())
        .args(["serve", "--workers", "2", "--bind", &format!("127.0.0.1:{port}")])
        .env("BINANCE_REST_URL", &sim.rest_url)
        .env("BINANCE_WS_URL", &sim.ws_url)
        .env("BINANCE_WS_API_URL", &sim.ws_api_url)
        .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn,apalis=warn")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    let _serve = Serve(cmd.spawn().expect("gridbot serve starts"));
    let show_log = || std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();

    let mut api = Client { http: http.clone(), base: format!("http://127.0.0.1:{port}"), token: None };
    let up = tokio::time::Instant::now() + Duration::from_secs(60);
    while http.get(format!("{}/healthz", api.base)).send().await.is_err() {
        assert!(tokio::time::Instant::now() < up, "serve did not come up:\n{}", show_log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let secrets = std::fs::read_to_string(dir.path().join("data/secrets.env")).unwrap();
    assert!(secrets.contains("JWT_SECRET=") && secrets.contains("ENCRYPTION_KEY="), "{secrets}");

    let creds = json!({"email": "trader@serve.test", "password": "correct horse battery"});
    let (status, body) = api.send(reqwest::Method::POST, "/api/auth/register", Some(creds.clone())).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = api.send(reqwest::Method::POST, "/api/auth/login", Some(creds)).await;
    assert_eq!(status, 200, "{body}");
    api.token = Some(body["access_token"].as_str().unwrap().to_owned());
    let keys = json!({"api_key": API_KEY, "api_secret": API_SECRET});
    let (status, body) = api.send(reqwest::Method::PUT, "/api/account/api-keys", Some(keys)).await;
    assert_eq!((status, &body["configured"]), (200, &json!(true)), "{body}");

    let config = json!({"capital": "4000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 11});
    let bot = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "live", "config": config});
    let (status, body) = api.send(reqwest::Method::POST, "/api/bots", Some(bot)).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let start = format!("/api/bots/{id}/start");
    let (status, body) = api.send(reqwest::Method::POST, &start, Some(json!({"confirm_live": true}))).await;
    assert_eq!(status, 202, "{body}");

    // Running, with the grid's ten orders resting at the simulator (not `error` for want of the key).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (_, bot) = api.send(reqwest::Method::GET, &format!("/api/bots/{id}"), None).await;
        assert_ne!(bot["status"], "error", "the live bot failed: {bot}\n{}", show_log());
        let (_, open) = api.send(reqwest::Method::GET, &format!("/api/orders?bot_id={id}&status=open"), None).await;
        if bot["status"] == "running" && open.as_array().is_some_and(|o| o.len() == 10) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the bot did not run: {bot} {open}\n{}", show_log());
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let endpoints = Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url);
    let exchange = Binance::new(endpoints, Some(Credentials::new(API_KEY, API_SECRET))).unwrap();
    let symbol: Symbol = "BTC/USDT".parse().unwrap();
    let resting = exchange.open_orders(&symbol).await.unwrap();
    assert_eq!(resting.len(), 10, "the grid rests at the simulator: {resting:?}");
}
