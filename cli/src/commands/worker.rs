//! `gridbot worker`: takes jobs from the queue until Ctrl-C or SIGTERM, then finishes the ones in flight.

use super::roles;
use crate::settings::{RoleSettings, Source};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Jobs run at once by this process (jobs of one bot never overlap; a job mostly waits on the database and the
    /// exchange).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// This worker's name in logs and in the queue (a random suffix is added per run).
    #[arg(long, env = "GRIDBOT_WORKER_NAME")]
    pub name: Option<String>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    roles::init_logging();
    let settings = RoleSettings::read(&Source::env())?;
    let market = roles::market(&settings.endpoints, false, false).await?;
    let ctx = roles::context(&settings, &market, false).await?;
    let name = args.name.unwrap_or_else(default_name);
    tracing::info!(%name, concurrency = args.concurrency, queue = ?ctx.queue, "worker started");
    gridbot_worker::run(ctx, &name, args.concurrency, roles::until(roles::shutdown_signal())).await?;
    tracing::info!("worker stopped");
    Ok(())
}

/// `worker-{hostname}`: stable across restarts of one container or machine.
fn default_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
    format!("worker-{}", if host.is_empty() { "local" } else { &host })
}
