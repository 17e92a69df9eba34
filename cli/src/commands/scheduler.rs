//! `gridbot scheduler`: cron, market and user-data streams, the paper matcher; one active at a time (a second one
//! waits for the leader lock).

use gridbot_platform::Settings;

use super::roles;

pub async fn run() -> anyhow::Result<()> {
    roles::init_logging();
    let settings = Settings::from_env();
    let market = roles::market(false, false).await?;
    let ctx = roles::context(&settings, &market, false).await?;
    gridbot_scheduler::run(ctx, gridbot_scheduler::Options::default(), roles::until(roles::shutdown_signal())).await;
    Ok(())
}
