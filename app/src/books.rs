//! The grids this worker ran last, kept in memory between jobs so a reconcile need not rebuild its bot's book from
//! the whole history.
//!
//! A book is kept only after a job that succeeded, under the token of the bot-lock hold that job ran in, and it is
//! used again only by the very next hold of that lock (its `previous` token is ours): any job anywhere in between —
//! another worker process, a stop, a start — makes it stale, and it is dropped. Taking a book removes it, so a job that
//! fails leaves nothing behind. Writers that do not take the bot's lock only change orders still resting (the paper
//! matcher fills them, an emergency stop cancels them): a job re-reads those rows ([`crate::grid::Run::resume`]).
//! Should a Redis lock expire under a running job (Redis unreachable for seconds), two jobs of a bot can overlap; the
//! database still refuses a second order with one client id, a second fill of one order and a second round trip of
//! one sell.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use gridbot_core::BotId;
use gridbot_platform::{book::GridBook, db::types::Bot};

#[derive(Debug, Clone, Default)]
pub struct Books(Arc<Mutex<HashMap<BotId, Kept>>>);

#[derive(Debug)]
pub(crate) struct Kept {
    token: String,
    pub bot: Bot,
    pub book: GridBook,
}

/// Whether `now` (the bot's row just read) still runs the grid of `kept` (the row its book was kept with): same
/// account, symbol, mode, configuration, generation and run state.
pub fn same_grid(kept: &Bot, now: &Bot) -> bool {
    (kept.id, kept.user_id, &kept.symbol, kept.mode, kept.generation)
        == (now.id, now.user_id, &now.symbol, now.mode, now.generation)
        && kept.config == now.config
        && kept.run_state == now.run_state
}

impl Books {
    /// The book kept for `bot` when the hold it was kept under is the one just before ours (`previous`); the entry is
    /// removed either way. The caller still checks [`same_grid`].
    pub(crate) fn take(&self, bot: BotId, previous: Option<&str>) -> Option<Kept> {
        let kept = self.map().remove(&bot)?;
        (Some(kept.token.as_str()) == previous).then_some(kept)
    }

    /// Keeps `book` after a job that succeeded under the lock hold `token`.
    pub(crate) fn keep(&self, token: &str, bot: Bot, book: GridBook) {
        self.map().insert(bot.id, Kept { token: token.to_owned(), bot, book });
    }

    /// Drops what is kept for `bot` (a job that does not keep its book ran).
    pub(crate) fn forget(&self, bot: BotId) {
        self.map().remove(&bot);
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<BotId, Kept>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
