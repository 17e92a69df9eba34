//! One market stream per symbol: ticks are published and matched against the running bots; closed 1-minute candles
//! are recorded in `prices`; after a gap, the missed path is replayed to the matcher ([`crate::replay`]) and every
//! bot on the symbol is reconciled, then live trades go on (those the replay already fed are skipped). A stream that
//! opens where the matcher saved a mark ([`crate::mark`]: a restart) first replays the path from that mark.

use std::sync::Arc;

use gridbot_core::Symbol;
use gridbot_exchange::MarketEvent;
use gridbot_platform::Event;

use crate::{
    Watch,
    replay::{self, Last, Point, Seen},
};

pub(crate) async fn run(watch: Arc<Watch>, symbol: Symbol) {
    let ctx = watch.ctx.clone();
    let name = symbol.exchange_name();
    let mut rx = match ctx.market.market_stream(std::slice::from_ref(&symbol)).await {
        Ok(rx) => rx,
        Err(e) => return tracing::warn!(symbol = %name, error = %e, "market stream not opened; retried on refresh"),
    };
    tracing::info!(symbol = %name, "market stream open");
    // The first trade moves from the market's last trade now, so a paper order it crosses fills; after a restart,
    // the trades since the saved mark are replayed first.
    let mut last = resume(&watch, &symbol, start_from(&watch, &symbol).await).await;
    while let Some(event) = rx.recv().await {
        match event {
            MarketEvent::Trade { symbol: s, price, qty, time, trade_id } => {
                // Bots first: a reconcile waits on nothing else; the dashboards' tick follows.
                if !last.is_some_and(|l| l.covers(trade_id)) {
                    let filled = match last {
                        Some(l) => watch.on_move(&name, l.price, price, true).await,
                        None => false,
                    };
                    let point = Point { price, seen: Some(Seen { time, trade_id }) };
                    last = Some(Last { price, seen: point.seen });
                    watch.marks.processed(&ctx.db, &symbol, point, filled).await;
                }
                ctx.events.publish(Event::Trade { symbol: s, price, qty, time }).await;
            }
            MarketEvent::Kline { symbol: s, candle, closed } => {
                if closed {
                    if let Err(e) = ctx.db.prices().upsert(&symbol, &[candle]).await {
                        tracing::warn!(symbol = %name, error = %e, "candle not recorded");
                    }
                    // A close a gap hid (the gap's last minute closed before the stream came back) is fed first.
                    fill_hole(&watch, &symbol, candle.open_time).await;
                    watch.on_close(&name, &candle).await;
                }
                ctx.events.publish(Event::Kline { symbol: s, candle, closed }).await;
            }
            MarketEvent::Gap { from, to } => {
                if let Some(l) = last {
                    last = Some(replay_gap(&watch, &symbol, l, to - from).await);
                }
                tracing::warn!(symbol = %name, from, to, "market stream gap: reconciling its bots");
                watch.reconcile_all(&watch.ids_where(|b| b.symbol == symbol), "market stream gap", None).await;
            }
            MarketEvent::BookTicker { .. } => {}
        }
    }
    tracing::warn!(symbol = %name, "market stream ended");
}

/// The market's last trade (or, without one, its price).
async fn start_from(watch: &Watch, symbol: &Symbol) -> Option<Last> {
    let market = &watch.ctx.market;
    match market.agg_trades(symbol, None, None, None, 1).await {
        Ok(trades) if !trades.is_empty() => {
            trades.last().map(replay::Point::from).map(|p| Last { price: p.price, seen: p.seen })
        }
        _ => market.price(symbol).await.ok().map(|price| Last { price, seen: None }),
    }
}

/// After a restart (or a stream reopened): replays the path from the symbol's mark to the market's last trade
/// (`latest`), then reconciles every bot on the symbol. Without a mark, or with one the market does not know (a trade
/// id beyond its last), the matcher starts from `latest`.
async fn resume(watch: &Watch, symbol: &Symbol, latest: Option<Last>) -> Option<Last> {
    let name = symbol.exchange_name();
    // A stream reopened by this scheduler goes on from the last trade it processed, a restarted one from its save.
    let saved = match watch.marks.held(symbol) {
        Some(m) => Ok(Some(m)),
        None => watch.ctx.db.market_marks().get(symbol).await,
    };
    let mark = match saved {
        Ok(Some(m)) => m,
        Ok(None) => return latest,
        Err(e) => {
            tracing::warn!(symbol = %name, error = %e, "market mark not read: starting from the last trade");
            return latest;
        }
    };
    let Some(now) = latest.and_then(|l| l.seen) else {
        tracing::warn!(symbol = %name, "the market's last trade is unknown: the path since the mark is not replayed");
        return latest;
    };
    if now.trade_id <= mark.trade_id {
        if now.trade_id < mark.trade_id {
            let (mark, last) = (mark.trade_id, now.trade_id);
            tracing::warn!(symbol = %name, mark, last, "market mark beyond the market's last trade: not replayed");
        }
        return latest;
    }
    let from = Last { price: mark.price, seen: Some(Seen { time: mark.time, trade_id: mark.trade_id }) };
    let gap_ms = now.time - mark.time;
    let (from_id, last_id) = (mark.trade_id, now.trade_id);
    tracing::info!(symbol = %name, mark = from_id, last = last_id, gap_ms, "replaying the path since the market mark");
    let last = replay_gap(watch, symbol, from, gap_ms).await;
    watch.reconcile_all(&watch.ids_where(|b| &b.symbol == symbol), "restart", None).await;
    Some(last)
}

/// Feeds the matcher the path the gap hid, in order; returns where it ended.
async fn replay_gap(watch: &Watch, symbol: &Symbol, mut last: Last, gap_ms: i64) -> Last {
    let name = symbol.exchange_name();
    let Some(seen) = last.seen else {
        tracing::warn!(symbol = %name, "no trade seen before the gap: nothing to replay");
        return last;
    };
    match replay::missed(watch.ctx.market.as_ref(), symbol, seen, gap_ms).await {
        Ok(path) => {
            tracing::info!(symbol = %name, points = path.len(), gap_ms, "replaying the gap's price path");
            for p in path {
                // Runtimes get the gap as its candles instead, closes included, once its trades are fed.
                let filled = p.price != last.price && watch.on_move(&name, last.price, p.price, false).await;
                last = last.to(p);
                watch.marks.processed(&watch.ctx.db, symbol, p, filled).await;
            }
        }
        Err(e) => tracing::warn!(symbol = %name, error = %e, "the gap's trades could not be read; reconciling only"),
    }
    replay_candles(watch, symbol, last).await;
    last
}

/// Before the close of the candle opened at `open_time`: the closed candles between the runtimes' last close and it,
/// replayed (path and close) when a gap hid them.
async fn fill_hole(watch: &Watch, symbol: &Symbol, open_time: i64) {
    let Some(from) = watch.runtimes_last_close(symbol) else { return };
    if from == i64::MIN || from.saturating_add(replay::MINUTE_MS) >= open_time {
        return;
    }
    replay_closed(watch, symbol, from.saturating_add(replay::MINUTE_MS), |c| c.open_time < open_time).await;
}

/// Replays to the runtimes on `symbol` the candles from `start` that `closed` says have closed, in order.
async fn replay_closed(watch: &Watch, symbol: &Symbol, start: i64, closed: impl Fn(&gridbot_core::Candle) -> bool) {
    let name = symbol.exchange_name();
    match replay::minutes_from(watch.ctx.market.as_ref(), symbol, start).await {
        Ok(candles) => {
            let closed: Vec<_> = candles.into_iter().filter(|c| closed(c)).collect();
            tracing::info!(symbol = %name, candles = closed.len(), "replaying closed candles to runtimes");
            let mut prev = None;
            for c in &closed {
                watch.replay_candle(&name, prev, c).await;
                prev = Some(c.close);
            }
        }
        Err(e) => tracing::warn!(symbol = %name, error = %e, "missed candles could not be read"),
    }
}

/// Feeds the runtimes on `symbol` the 1-minute candles that closed since the last close each was fed, in the
/// backtest's order (each candle's path, then its close), up to the market's last trade `last`: a gap or a restart
/// does not skip the closes their decisions are made on.
async fn replay_candles(watch: &Watch, symbol: &Symbol, last: Last) {
    let Some(from) = watch.runtimes_last_close(symbol).filter(|f| *f != i64::MIN) else { return };
    let Some(now) = last.seen.map(|s| s.time) else { return };
    let start = from.saturating_add(replay::MINUTE_MS);
    if start + replay::MINUTE_MS <= now {
        replay_closed(watch, symbol, start, |c| c.open_time + replay::MINUTE_MS <= now).await;
    }
}
