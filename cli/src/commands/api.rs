//! `gridbot api`: the HTTP API and its WebSockets (`GRIDBOT_BIND` or `--bind`).

use std::net::SocketAddr;

use gridbot_ai::Advisor;
use gridbot_api::{ApiConfig, ApiContext};

use super::roles;
use crate::settings::{self, RoleSettings, Source};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (default `GRIDBOT_BIND`, else 127.0.0.1:8080).
    #[arg(long)]
    pub bind: Option<SocketAddr>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    roles::init_logging();
    let source = Source::env();
    let role = RoleSettings::read(&source)?;
    let mut config = settings::api(&source)?;
    let advisor = settings::advisor(&source);
    let market = roles::market(&role.endpoints, false, false).await?;
    config.market = market.source;
    let ctx = roles::context(&role, &market, false).await?;
    serve_api(ctx, config, advisor, args.bind, roles::shutdown_signal()).await
}

/// Binds and serves the API until the signal.
pub async fn serve_api(
    ctx: gridbot_app::Ctx,
    mut config: ApiConfig,
    advisor: Advisor,
    bind: Option<SocketAddr>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        config.bind = bind;
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let app = gridbot_api::build_app(ApiContext::new(ctx, config).with_advisor(advisor)).await;
    gridbot_api::serve(listener, app, roles::until(stop)).await?;
    Ok(())
}
