//! One user-data stream per live account: every execution report reconciles the bot that owns the order; a gap
//! reconciles every live bot of the account.

use std::sync::Arc;

use gridbot_core::ClientOrderId;
use gridbot_exchange::UserEvent;
use gridbot_platform::db::types::BotMode;

use crate::Watch;

pub(crate) async fn run(watch: Arc<Watch>, user_id: i64) {
    let ctx = watch.ctx.clone();
    let client = match ctx.live.client(&ctx.db, user_id).await {
        Ok(c) => c,
        Err(e) => return tracing::warn!(user = user_id, error = %e.message, "no live client for the user stream"),
    };
    let mut rx = match client.user_stream().await {
        Ok(rx) => rx,
        Err(e) => return tracing::warn!(user = user_id, error = %e, "user stream not opened; retried on refresh"),
    };
    tracing::info!(user = user_id, "user-data stream open");
    while let Some(event) = rx.recv().await {
        match event {
            UserEvent::Execution(report) => {
                let Ok(id) = ClientOrderId::parse(&report.client_order_id) else { continue };
                match ctx.db.orders().by_client_id(&id).await {
                    Ok(Some(order)) => {
                        let bot = watch.bots_where(|b| b.id == order.bot);
                        for b in bot {
                            watch
                                .reconcile(&b, "execution report", Some(report.last_price).filter(|p| !p.is_zero()))
                                .await;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(user = user_id, error = %e, "order of an execution report not read"),
                }
            }
            UserEvent::Gap { from, to } => {
                tracing::warn!(user = user_id, from, to, "user stream gap: reconciling the account's live bots");
                let live = watch.ids_where(|b| b.user_id == user_id && b.mode == BotMode::Live);
                watch.reconcile_all(&live, "user stream gap", None).await;
            }
            UserEvent::Balances { .. } => {}
        }
    }
    tracing::warn!(user = user_id, "user-data stream ended");
}
