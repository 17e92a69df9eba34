//! One market stream per symbol: ticks are published and matched against the running bots; closed 1-minute candles
//! are recorded in `prices`; a gap reconciles every bot on the symbol.

use std::sync::Arc;

use gridbot_core::Symbol;
use gridbot_exchange::MarketEvent;
use gridbot_platform::Event;

use crate::Watch;

pub(crate) async fn run(watch: Arc<Watch>, symbol: Symbol) {
    let ctx = watch.ctx.clone();
    let name = symbol.exchange_name();
    let mut rx = match ctx.market.market_stream(std::slice::from_ref(&symbol)).await {
        Ok(rx) => rx,
        Err(e) => return tracing::warn!(symbol = %name, error = %e, "market stream not opened; retried on refresh"),
    };
    tracing::info!(symbol = %name, "market stream open");
    // The first trade moves from the price now, so a paper order it crosses fills.
    let mut last = ctx.market.price(&symbol).await.ok();
    while let Some(event) = rx.recv().await {
        match event {
            MarketEvent::Trade { symbol: s, price, qty, time, .. } => {
                // Bots first: a reconcile waits on nothing else; the dashboards' tick follows.
                if let Some(a) = last {
                    watch.on_move(&name, a, price).await;
                }
                last = Some(price);
                ctx.events.publish(Event::Trade { symbol: s, price, qty, time }).await;
            }
            MarketEvent::Kline { symbol: s, candle, closed } => {
                if closed && let Err(e) = ctx.db.prices().upsert(&symbol, &[candle]).await {
                    tracing::warn!(symbol = %name, error = %e, "candle not recorded");
                }
                ctx.events.publish(Event::Kline { symbol: s, candle, closed }).await;
            }
            MarketEvent::Gap { from, to } => {
                tracing::warn!(symbol = %name, from, to, "market stream gap: reconciling its bots");
                for bot in watch.bots_where(|b| b.symbol == symbol) {
                    watch.reconcile(&bot, "market stream gap", None).await;
                }
            }
            MarketEvent::BookTicker { .. } => {}
        }
    }
    tracing::warn!(symbol = %name, "market stream ended");
}
