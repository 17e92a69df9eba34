//! `gridbot scheduler`: cron, market and user-data streams, the paper matcher; one active at a time (a second one
//! waits for the leader lock).

use super::roles;
use crate::settings::{RoleSettings, Source};

pub async fn run() -> anyhow::Result<()> {
    roles::init_logging();
    let settings = RoleSettings::read(&Source::env())?;
    let market = roles::market(&settings.endpoints, false, false).await?;
    let ctx = roles::context(&settings, &market, false).await?;
    gridbot_scheduler::run(ctx, gridbot_scheduler::Options::default(), roles::until(roles::shutdown_signal())).await;
    Ok(())
}
