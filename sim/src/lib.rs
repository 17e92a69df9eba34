//! A Binance-spot-compatible exchange simulator: the REST API under `/api/v3`, market streams, the WebSocket API
//! with user data, a matching engine that fills resting orders when played trades touch them, replayed candles or a
//! seeded random walk, fault switches, and a control API under `/sim`. Tests and demos talk to it over real
//! sockets exactly as to Binance; it shares no protocol code with the Binance client.

mod accounts;
mod args;
mod control;
mod error;
mod events;
mod faults;
mod limits;
mod market;
mod matching;
mod num;
mod orders;
mod replay;
mod rest;
mod rules;
mod signing;
mod state;
mod symbols;
mod tape;
mod ws;

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context;
use rand::{SeedableRng, rngs::StdRng};
use tokio::{sync::oneshot, task::JoinHandle};

pub use args::SimArgs;
pub use faults::Faults;

use crate::{
    accounts::Account,
    limits::Limits,
    market::{Kline, Market},
    matching::{EngineConfig, Exchange},
    replay::{Feed, load_track},
    state::{Notify, Player, Sim, now_ms},
};

/// A running simulator.
#[derive(Debug)]
pub struct SimHandle {
    pub addr: SocketAddr,
    /// `http://host:port` (the REST API is under `/api/v3`).
    pub rest_url: String,
    /// `ws://host:port` (market streams under `/ws/…` and `/stream?streams=…`).
    pub ws_url: String,
    /// `ws://host:port/ws-api/v3`.
    pub ws_api_url: String,
    sim: Arc<Sim>,
    stop: Option<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
    server: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// The line `run` prints first.
    pub fn banner(&self) -> String {
        format!("gridbot sim: rest {} ws {} ws-api {}", self.rest_url, self.ws_url, self.ws_api_url)
    }

    /// Stops the server, closes every WebSocket and ends the background tasks.
    pub async fn shutdown(mut self) {
        self.stop_now().await;
    }

    async fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.sim.drop_websockets();
        for t in self.tasks.drain(..) {
            t.abort();
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        if let Some(s) = &self.server {
            s.abort();
        }
    }
}

fn accounts(args: &SimArgs) -> anyhow::Result<Vec<Account>> {
    let mut out: Vec<Account> = args.accounts.iter().map(|a| Account::parse(a)).collect::<Result<_, _>>()?;
    if let Some(file) = &args.accounts_file {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        out.extend(Account::parse_file(&text).with_context(|| format!("in {}", file.display()))?);
    }
    if out.is_empty() {
        out.push(Account::demo());
    }
    Ok(out)
}

fn history_kline(m: &mut Market, c: &gridbot_core::candles::Candle) -> Kline {
    let first = m.next_trade_id;
    m.next_trade_id += 4;
    Kline {
        open_time: c.open_time,
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: c.volume,
        quote_volume: (c.volume * (c.open + c.close) / rust_decimal::Decimal::TWO).round_dp(8),
        taker_buy_volume: (c.volume / rust_decimal::Decimal::TWO).round_dp(8),
        taker_buy_quote: (c.volume * c.close / rust_decimal::Decimal::TWO).round_dp(8),
        trades: 4,
        first_trade: first,
        last_trade: first + 3,
        closed: true,
    }
}

/// Builds the simulator from its flags: accounts, markets and the price feed.
fn build(args: &SimArgs) -> anyhow::Result<Sim> {
    if args.speed.is_nan() || args.speed <= 0.0 {
        anyhow::bail!("--speed must be greater than 0");
    }
    if args.partial_fill_pct.is_some_and(|p| p <= rust_decimal::Decimal::ZERO || p > rust_decimal::Decimal::ONE_HUNDRED)
    {
        anyhow::bail!("--partial-fill-pct must be in (0, 100]");
    }
    let specs = symbols::listed();
    let now_minute = now_ms() - now_ms().rem_euclid(market::MINUTE_MS);
    let (mut feed, mut markets) = if args.replay.is_empty() {
        let feed = Feed::walk(&specs, args.seed, args.volatility);
        let markets = specs.iter().map(|s| Market::new(s.clone(), s.start_price, now_minute)).collect::<Vec<_>>();
        (feed, markets)
    } else {
        let tracks = args.replay.iter().map(|a| load_track(a)).collect::<anyhow::Result<Vec<_>>>()?;
        for t in &tracks {
            anyhow::ensure!(specs.iter().any(|s| s.name == t.symbol), "{}: not a listed symbol", t.symbol);
        }
        let start = tracks.iter().filter_map(|t| t.candles.first()).map(|c| c.open_time).min().unwrap_or(now_minute);
        let markets = specs
            .iter()
            .map(|s| {
                let first = tracks.iter().find(|t| t.symbol == s.name).and_then(|t| t.candles.first());
                Market::new(s.clone(), first.map_or(s.start_price, |c| c.open), first.map_or(start, |c| c.open_time))
            })
            .collect();
        (Feed::replay(tracks), markets)
    };
    for (symbol, candle) in feed.history(args.history, now_minute) {
        if let Some(m) = markets.iter_mut().find(|m| m.spec.name == symbol) {
            let k = history_kline(m, &candle);
            m.push_history(k);
        }
    }
    let cfg = EngineConfig {
        fee_rate: args.fee_rate,
        commission_in_quote: args.commission_in_quote,
        commission_in_bnb: args.commission_in_bnb,
        partial_fill_pct: args.partial_fill_pct,
    };
    Ok(Sim {
        player: Mutex::new(Player { paused: args.start_paused, speed: args.speed, feed }),
        ex: Mutex::new(Exchange::new(cfg, markets, accounts(args)?)),
        faults: Mutex::new(args.faults.clone()),
        limits: Mutex::new(Limits::new(args.weight_limit, args.order_limit)),
        rng: Mutex::new(StdRng::seed_from_u64(args.seed)),
        wake: Notify::new(),
        ws_drop: tokio::sync::watch::channel(0).0,
        ws_shutdown: tokio::sync::watch::channel((0, 0)).0,
        ws_ping: Duration::from_secs(args.ws_ping_secs.max(1)),
    })
}

/// Binds, starts the server and its background tasks, and returns at once.
pub async fn start(args: SimArgs) -> anyhow::Result<SimHandle> {
    let sim = Arc::new(build(&args)?);
    let listener = tokio::net::TcpListener::bind((args.bind, args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.bind, args.port))?;
    let addr = listener.local_addr()?;
    let app = rest::router(sim.clone())
        .merge(ws::router(sim.clone()))
        .merge(control::router(sim.clone()))
        .merge(rules::router(sim.clone()));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "simulator server failed");
        }
    });
    let tasks = vec![tokio::spawn(state::run_player(sim.clone())), tokio::spawn(state::run_ws_dropper(sim.clone()))];
    tracing::info!(%addr, "simulator listening");
    Ok(SimHandle {
        addr,
        rest_url: format!("http://{addr}"),
        ws_url: format!("ws://{addr}"),
        ws_api_url: format!("ws://{addr}/ws-api/v3"),
        sim,
        stop: Some(stop),
        tasks,
        server: Some(server),
    })
}

/// Starts the simulator, prints its URLs as the first line of stdout, and runs until Ctrl-C.
pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let handle = start(args).await?;
    println!("{}", handle.banner());
    use std::io::Write as _;
    std::io::stdout().flush()?;
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}
