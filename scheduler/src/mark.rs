//! The matcher's mark per symbol: the last trade it processed, saved in `market_marks` so that a restarted scheduler
//! replays the trades after it. Saved whenever a move filled a paper order (the matcher's state changed), otherwise
//! at most every [`SAVE_EVERY`], and at shutdown: replaying from any trade processed after the last state change is
//! equivalent, since the trades in between filled nothing in that same state.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use gridbot_core::Symbol;
use gridbot_platform::{Db, db::types::MarketMark};

use crate::replay::Point;

/// How often a mark is saved when nothing filled.
pub(crate) const SAVE_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
struct Held {
    /// The last trade processed, and its symbol.
    mark: Option<(Symbol, MarketMark)>,
    saved_at: Option<Instant>,
    /// The held mark is newer than the saved one.
    unsaved: bool,
    /// A fill happened since the last save: the next trade's mark is saved at once.
    urgent: bool,
}

/// The marks of every symbol the matcher follows, as processed and as saved.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    held: Mutex<HashMap<String, Held>>,
}

/// The mark of a trade; none for a point of a candle's path, which has no trade id.
pub(crate) fn of(p: Point) -> Option<MarketMark> {
    p.seen.map(|s| MarketMark { trade_id: s.trade_id, time: s.time, price: p.price })
}

impl Marks {
    /// The matcher processed the move to `p` on `symbol`; `filled` when it filled a paper order. Saves the mark when
    /// a fill calls for it or the last save is old.
    pub async fn processed(&self, db: &Db, symbol: &Symbol, p: Point, filled: bool) {
        let due = {
            let mut held = crate::state::lock(&self.held);
            let h = held.entry(symbol.exchange_name()).or_default();
            h.urgent |= filled;
            let Some(mark) = of(p) else { return };
            h.mark = Some((symbol.clone(), mark));
            h.unsaved = true;
            if !h.urgent && h.saved_at.is_some_and(|t| t.elapsed() < SAVE_EVERY) {
                return;
            }
            let urgent = std::mem::take(&mut h.urgent);
            (h.unsaved, h.saved_at) = (false, Some(Instant::now()));
            (mark, urgent)
        };
        let (mark, urgent) = due;
        if let Err(e) = db.market_marks().set(symbol, &mark).await {
            tracing::warn!(symbol = %symbol.exchange_name(), error = %e, "market mark not saved; retried later");
            // A fill's mark is retried on the next trade, any other on the next save.
            if let Some(h) = crate::state::lock(&self.held).get_mut(&symbol.exchange_name()) {
                h.unsaved = true;
                h.urgent |= urgent;
            }
        }
    }

    /// The last trade processed on `symbol` by this scheduler (newer than the saved mark when its stream reopens).
    pub fn held(&self, symbol: &Symbol) -> Option<MarketMark> {
        crate::state::lock(&self.held).get(&symbol.exchange_name()).and_then(|h| h.mark.as_ref()).map(|(_, m)| *m)
    }

    /// Saves every mark processed since its last save (at shutdown, once the streams have stopped).
    pub async fn save_all(&self, db: &Db) {
        let unsaved: Vec<(Symbol, MarketMark)> = {
            let mut held = crate::state::lock(&self.held);
            held.values_mut().filter_map(|h| h.mark.clone().filter(|_| std::mem::take(&mut h.unsaved))).collect()
        };
        for (symbol, mark) in unsaved {
            match db.market_marks().set(&symbol, &mark).await {
                Ok(()) => {
                    tracing::info!(symbol = %symbol.exchange_name(), trade_id = mark.trade_id, "market mark saved")
                }
                Err(e) => tracing::warn!(symbol = %symbol.exchange_name(), error = %e, "market mark not saved"),
            }
        }
    }
}
