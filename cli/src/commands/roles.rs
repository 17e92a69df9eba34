//! What the server roles share: logging, the shutdown signal, the market-data exchange (Binance, or the built-in
//! simulator when Binance is unreachable and the role may fall back), and the worker context around the database,
//! queue, events and locks that `DATABASE_URL` and `REDIS_URL` pick — all from the role's [`RoleSettings`].

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use gridbot_app::{Ctx, LiveAccounts};
use gridbot_exchange::{
    Exchange,
    binance::{Binance, config::Endpoints},
};
use gridbot_platform::{EventBus, Locks, Queue};
use tokio::sync::watch;

use crate::settings::RoleSettings;

pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,apalis=warn")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// Resolves on Ctrl-C or SIGTERM; clone the receiver for every part that must stop.
pub fn shutdown_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
        tracing::info!("shutting down: finishing jobs in flight");
        let _ = tx.send(true);
    });
    rx
}

/// A future that resolves when `rx` says stop.
pub async fn until(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// The built-in simulator's live account (offline mode only; these are not Binance keys).
const DEMO_KEY: &str = "gridbot-offline-demo-key";
const DEMO_SECRET: &str = "gridbot-offline-demo-secret";

/// Where market data and live orders go.
pub struct Market {
    pub exchange: Arc<dyn Exchange>,
    pub endpoints: Endpoints,
    /// What the API reports of it (`GET /api/system`).
    pub source: gridbot_api::MarketSource,
    /// The simulator started because Binance was unreachable; kept alive with the process.
    pub _sim: Option<gridbot_sim::SimHandle>,
}

/// Binance at `endpoints` (`BINANCE_*`); when it does not answer and `fallback` is set, the built-in simulator's
/// seeded market instead, said loudly.
pub async fn market(endpoints: &Endpoints, fallback: bool, force_sim: bool) -> anyhow::Result<Market> {
    let endpoints = endpoints.clone();
    if !force_sim {
        let probe = Binance::with_timeout(endpoints.clone(), None, Duration::from_secs(3))?;
        let health = probe.health().await;
        if health.reachable {
            tracing::info!(rest = %endpoints.rest, "market data from Binance");
            let exchange = Arc::new(Binance::new(endpoints.clone(), None)?);
            return Ok(Market { exchange, endpoints, source: gridbot_api::MarketSource::BINANCE, _sim: None });
        }
        if !fallback {
            anyhow::bail!(
                "Binance is unreachable at {} ({}); check the network or BINANCE_REST_URL",
                endpoints.rest,
                health.error.unwrap_or_default()
            );
        }
        tracing::warn!(
            rest = %endpoints.rest,
            error = health.error.as_deref().unwrap_or("no answer"),
            "Binance is unreachable: running on the built-in simulator's seeded market (offline mode)"
        );
    }
    let account = format!("{DEMO_KEY}:{DEMO_SECRET}:USDT=100000,BTC=2,ETH=20");
    let args = gridbot_sim::SimArgs::try_from_flags(["--port", "0", "--account", &account])?;
    let source = gridbot_api::MarketSource::simulator(args.speed);
    let sim = gridbot_sim::start(args).await.context("starting the built-in simulator")?;
    let endpoints = Endpoints::single_host(&sim.rest_url, &sim.ws_url, &sim.ws_api_url);
    tracing::info!(rest = %sim.rest_url, api_key = DEMO_KEY, api_secret = DEMO_SECRET, "simulator market running; its live account's keys (not real keys) are these");
    Ok(Market { exchange: Arc::new(Binance::new(endpoints.clone(), None)?), endpoints, source, _sim: Some(sim) })
}

/// The worker context per `settings`: database (migrated when `migrate`), queue, events, locks, live accounts
/// (their keys decrypted with `ENCRYPTION_KEY`), the paper fee rate and notifications (`TELEGRAM_API_URL`).
pub async fn context(settings: &RoleSettings, market: &Market, migrate: bool) -> anyhow::Result<Ctx> {
    let platform = &settings.platform;
    let db = gridbot_platform::connect(platform).await.context("connecting to the database")?;
    if migrate {
        gridbot_platform::migrate(&db).await.context("migrating the database")?;
    }
    let queue = Queue::connect(platform).await?;
    let events = EventBus::connect(platform).await?;
    let locks = Locks::connect(platform).await?;
    let live = Arc::new(LiveAccounts::new(market.endpoints.clone(), settings.encryption_key));
    Ok(Ctx::new(db, queue, events, locks, Arc::clone(&market.exchange), live)
        .with_paper_fee_rate(settings.paper_fee_rate)
        .with_notify_settings(settings.notify.clone()))
}
