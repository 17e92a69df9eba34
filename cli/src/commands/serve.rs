//! `gridbot serve`: the whole product in one process — API, scheduler and workers — on the embedded defaults
//! (SQLite under ./data, the job queue in its own SQLite file, in-process events and locks), in paper mode by
//! default, on Binance's market or, when Binance is unreachable, the built-in simulator's.

use std::{net::SocketAddr, path::Path};

use super::{api::serve_api, roles};
use crate::settings::{self, LOCAL_SECRETS, RoleSettings, Source};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (default `GRIDBOT_BIND`, else 127.0.0.1:8080).
    #[arg(long)]
    pub bind: Option<SocketAddr>,
    /// Jobs run at once by the embedded worker (a job mostly waits on the database and the exchange: at a thousand
    /// bots, 16 halved the p99 fill-booking delay of 4; jobs of one bot never overlap).
    #[arg(long, default_value_t = 16)]
    pub workers: usize,
    /// Use the built-in simulator's market without trying Binance.
    #[arg(long)]
    pub offline: bool,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    roles::init_logging();
    // One source for every part: the environment, then the secrets generated on first run.
    let source = Source::with_local_secrets(Path::new(LOCAL_SECRETS))?;
    let role = RoleSettings::read(&source)?;
    let mut config = settings::api(&source)?;
    let advisor = settings::advisor(&source);
    let market = roles::market(&role.endpoints, true, args.offline).await?;
    config.market = market.source;
    let ctx = roles::context(&role, &market, true).await?;
    let stop = roles::shutdown_signal();
    // Joined, not spawned: apalis' worker future is not `Send` for every lifetime.
    let (api, worker, ()) = tokio::join!(
        serve_api(ctx.clone(), config, advisor, args.bind, stop.clone()),
        gridbot_worker::run(ctx.clone(), "serve", args.workers, roles::until(stop.clone())),
        gridbot_scheduler::run(ctx, gridbot_scheduler::Options::default(), roles::until(stop)),
    );
    drop(market);
    api?;
    worker?;
    tracing::info!("stopped");
    Ok(())
}
