//! What the scheduler watches: every running bot with its triggers, the market stream of each symbol they trade and
//! the user-data stream of each live account. Refreshed on every bot event and every few seconds.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use gridbot_app::{
    Ctx,
    paper::{BotFills, Triggers},
    runtime_bot::{Record, RuntimeBot, is_runtime},
};
use gridbot_core::Decimal;
use gridbot_platform::{
    BotChange, Event, Received,
    db::types::{Bot, BotMode, BotStatus},
};
use tokio::task::JoinHandle;

use crate::mark::Marks;

pub(crate) struct Watched {
    pub bot: Bot,
    pub triggers: Triggers,
    pub last_push: Option<Instant>,
    /// Bumped by every paper fill the matcher records: triggers read from the database before it are stale.
    pub version: u64,
    /// The matcher is writing paper fills: triggers read from the database now may miss them.
    pub writing: bool,
    /// A bot of another strategy than the grid: its runtime, which the scheduler drives and alone writes.
    pub runtime: Option<RuntimeBot>,
}

/// The scheduler's view of the running bots and its streams.
pub struct Watch {
    pub(crate) ctx: Ctx,
    pub(crate) bots: Mutex<HashMap<gridbot_core::BotId, Watched>>,
    streams: Mutex<HashMap<String, JoinHandle<()>>>,
    users: Mutex<HashMap<i64, JoinHandle<()>>>,
    always: Vec<gridbot_core::Symbol>,
    /// The last trade processed per symbol, saved for a restart.
    pub(crate) marks: Marks,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").finish_non_exhaustive()
    }
}

/// A bot a move reached: its row, its paper fees, its paper book when the move filled some of its orders, and those
/// fills.
type Hit =
    (Bot, gridbot_app::paper::PaperFees, Option<gridbot_app::paper::PaperBook>, Vec<gridbot_app::paper::PaperFill>);

/// On PostgreSQL, the transactions one move's paper fills are written in at once.
const PARALLEL_WRITES: usize = 4;

/// A bot that keeps being hit is reconciled at most this often, unless a paper order filled.
const MIN_PUSH_GAP: Duration = Duration::from_millis(200);

/// Keeps the tasks still wanted and still running; aborts the others, so the caller starts what is missing.
fn keep_running<K: Eq + std::hash::Hash>(tasks: &mut HashMap<K, JoinHandle<()>>, wanted: &HashSet<K>) {
    tasks.retain(|k, h| {
        let keep = wanted.contains(k) && !h.is_finished();
        if !keep {
            h.abort();
        }
        keep
    });
}

/// Whether a runtime wants no order now (a failure to tell counts as wanting one).
fn wants_nothing(rt: &RuntimeBot) -> bool {
    rt.runtime().wanted().is_ok_and(|w| w.is_empty())
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Of the running bots' `versions` (id, last change), the ones to read again: not watched yet (`seen` knows no row of
/// them), or changed since the row watched.
fn to_read(
    versions: &[(gridbot_core::BotId, DateTime<Utc>)],
    seen: impl Fn(gridbot_core::BotId) -> Option<DateTime<Utc>>,
) -> HashSet<gridbot_core::BotId> {
    versions.iter().filter(|(id, at)| seen(*id) != Some(*at)).map(|(id, _)| *id).collect()
}

impl Watch {
    /// Watches the running bots, and keeps the market streams of `always` open.
    pub fn new(ctx: Ctx, always: Vec<gridbot_core::Symbol>) -> Self {
        let (bots, streams, users, marks) = Default::default();
        Watch { ctx, bots, streams, users, always, marks }
    }

    pub(crate) async fn refresh_loop(self: Arc<Self>, every: Duration) {
        let mut events = self.ctx.events.subscribe(None);
        self.refresh_all().await;
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = tick.tick() => self.refresh_all().await,
                msg = events.recv() => match msg {
                    Some(Received::Event(e)) => {
                        if let Event::Bot { bot_id, change } = *e {
                            match change {
                                BotChange::Status => self.refresh_one(bot_id).await,
                                BotChange::Orders => self.refresh_bot(bot_id, false).await,
                                BotChange::Fill => self.refresh_bot(bot_id, true).await,
                            }
                        }
                    }
                    Some(Received::Lagged(_)) => self.refresh_all().await,
                    None => return,
                },
            }
        }
    }

    /// Lists the running bots by id and last change, and reads only the rows that changed since they were watched
    /// (or that are new): a bot already watched on the same run is kept as it is (its book is the matcher's, moved in
    /// memory; a live grid's resting orders are read again), a new or changed one is read, one no longer running is
    /// dropped; then the streams they need are opened. Nothing of a watched bot's history, and no unchanged row, is
    /// read: at 2,000 bots the full rows were 2,000 configurations and run states every few seconds.
    pub(crate) async fn refresh_all(self: &Arc<Self>) {
        let db = self.ctx.db.reader();
        let versions = match db.bots().versions_with_status(BotStatus::Running).await {
            Ok(v) => v,
            Err(e) => return tracing::warn!(error = %e, "scheduler could not list running bots"),
        };
        let running: HashSet<gridbot_core::BotId> = versions.iter().map(|(id, _)| *id).collect();
        let (changed, live_grids) = {
            let mut bots = lock(&self.bots);
            bots.retain(|id, _| running.contains(id));
            let changed = to_read(&versions, |id| bots.get(&id).map(|w| w.bot.updated_at));
            let live_grids: Vec<_> = bots
                .values()
                .filter(|w| w.bot.mode == BotMode::Live && !is_runtime(&w.bot) && !changed.contains(&w.bot.id))
                .map(|w| w.bot.id)
                .collect();
            (changed.into_iter().collect::<Vec<_>>(), live_grids)
        };
        let rows = match db.bots().by_ids(&changed).await {
            Ok(rows) => rows,
            Err(e) => return tracing::warn!(error = %e, "scheduler could not read the changed bots"),
        };
        for bot in rows {
            if bot.status == BotStatus::Running {
                self.watch(bot).await;
            } else {
                lock(&self.bots).remove(&bot.id);
            }
        }
        for id in live_grids {
            self.refresh_bot(id, false).await;
        }
        self.open_streams();
        for bot in running {
            self.book_live(bot).await;
        }
    }

    /// A status event of `bot_id`: its row is read again, and it is watched while it runs.
    async fn refresh_one(self: &Arc<Self>, bot_id: gridbot_core::BotId) {
        match self.ctx.db.bots().get(bot_id).await {
            Ok(bot) if bot.status == BotStatus::Running => self.watch(bot).await,
            Ok(_) => {
                lock(&self.bots).remove(&bot_id);
            }
            Err(e) => return tracing::warn!(bot = %bot_id, error = %e, "scheduler could not read the bot"),
        }
        self.open_streams();
        self.book_live(bot_id).await;
    }

    /// Watches `bot`, a running bot's row just read. A bot already watched on the same run keeps its book; a live
    /// grid's triggers are read again (its resting orders only). Otherwise its triggers or its runtime are read.
    async fn watch(&self, bot: Bot) {
        let id = bot.id;
        let (known, version) = match lock(&self.bots).get_mut(&id) {
            Some(w) => {
                let same = match &w.runtime {
                    Some(r) => r.generation == bot.generation,
                    None => !is_runtime(&bot) && gridbot_app::books::same_grid(&w.bot, &bot),
                };
                if same {
                    w.bot = bot.clone();
                }
                (same, w.version)
            }
            None => (false, 0),
        };
        if known {
            if bot.mode == BotMode::Live && !is_runtime(&bot) {
                self.refresh_bot(id, false).await;
            }
            return;
        }
        let (triggers, runtime) = if is_runtime(&bot) {
            match RuntimeBot::load(&self.ctx.db, &bot).await {
                Ok(r) => (Triggers::default(), r),
                Err(e) => return tracing::warn!(bot = %id, error = %e, "runtime not loaded"),
            }
        } else {
            match Triggers::load(&self.ctx.db.reader(), &bot).await {
                Ok(t) => (t, None),
                Err(e) => return tracing::warn!(bot = %id, error = %e, "triggers not loaded"),
            }
        };
        let mut w = Watched { bot, triggers, last_push: None, version, writing: false, runtime };
        // Swapped under one hold of the lock, so no paper fill lands in between: a bot the matcher filled while its
        // triggers were read keeps the matcher's.
        let mut bots = lock(&self.bots);
        if let Some(o) = bots.remove(&id) {
            w.last_push = o.last_push;
            if (o.writing || o.version != w.version) && o.bot.generation == w.bot.generation && o.runtime.is_none() {
                w.triggers = o.triggers;
                (w.version, w.writing) = (o.version, o.writing);
            }
        }
        bots.insert(id, w);
    }

    /// Opens the market stream of every watched symbol (and of `always`) and the user-data stream of every account
    /// with a live bot; closes the others.
    fn open_streams(self: &Arc<Self>) {
        let (by_symbol, live_users) = {
            let bots = lock(&self.bots);
            let mut by_symbol: HashMap<String, gridbot_core::Symbol> =
                self.always.iter().map(|s| (s.exchange_name(), s.clone())).collect();
            by_symbol.extend(bots.values().map(|w| (w.bot.symbol.exchange_name(), w.bot.symbol.clone())));
            let live_users: HashSet<i64> =
                bots.values().filter(|w| w.bot.mode == BotMode::Live).map(|w| w.bot.user_id).collect();
            (by_symbol, live_users)
        };
        let symbols: HashSet<String> = by_symbol.keys().cloned().collect();
        {
            let mut streams = lock(&self.streams);
            keep_running(&mut streams, &symbols);
            for (name, symbol) in by_symbol {
                streams.entry(name).or_insert_with(|| tokio::spawn(crate::market::run(Arc::clone(self), symbol)));
            }
        }
        let mut users = lock(&self.users);
        keep_running(&mut users, &live_users);
        for user in live_users {
            users.entry(user).or_insert_with(|| tokio::spawn(crate::user::run(Arc::clone(self), user)));
        }
    }

    /// A worker changed the bot's orders, or only booked its fills (`fills_only`). A live grid's triggers are read
    /// again (its resting orders); a paper grid's book is the matcher's: booking changes none of its orders, and after
    /// a change it is checked against the database's resting orders and rebuilt only when they differ (a worker placed
    /// or cancelled what the matcher did not), unless the matcher filled meanwhile (its own book is newer then); a
    /// runtime books the exchange's fills.
    async fn refresh_bot(&self, bot_id: gridbot_core::BotId, fills_only: bool) {
        let Some((bot, version, paper)) =
            lock(&self.bots).get(&bot_id).map(|w| (w.bot.clone(), w.version, w.triggers.paper.is_some()))
        else {
            return;
        };
        if is_runtime(&bot) {
            return self.book_live(bot_id).await;
        }
        if paper {
            if fills_only {
                return;
            }
            let Some(triggers) = lock(&self.bots).get(&bot_id).filter(|w| !w.writing).map(|w| w.triggers.clone())
            else {
                return;
            };
            match triggers.agrees_with(&self.ctx.db.reader(), &bot).await {
                Ok(true) => return,
                Ok(false) => {}
                Err(e) => return tracing::warn!(bot = %bot_id, error = %e, "paper orders not checked"),
            }
        }
        match Triggers::load(&self.ctx.db.reader(), &bot).await {
            Ok(t) => {
                if let Some(w) = lock(&self.bots).get_mut(&bot_id)
                    && w.version == version
                    && !w.writing
                {
                    w.triggers = t;
                }
            }
            Err(e) => tracing::warn!(bot = %bot_id, error = %e, "triggers not reloaded"),
        }
    }

    /// A move of `symbol` from `a` to `b`: fills the paper orders it touches (their counter-orders resting from
    /// then on) and enqueues `reconcile_fills` for every bot whose nearest order or stop it reached. Returns whether
    /// it filled a paper order (the matcher's state changed).
    pub(crate) async fn on_move(&self, symbol: &str, a: Decimal, b: Decimal, runtimes: bool) -> bool {
        let mut todo = Vec::new();
        let mut records = Vec::new();
        {
            let mut bots = lock(&self.bots);
            for w in bots.values_mut().filter(|w| w.bot.symbol.exchange_name() == symbol) {
                if let Some(rt) = w.runtime.as_mut() {
                    if !runtimes {
                        continue;
                    }
                    match rt.on_segment(a, b) {
                        Ok(Some(r)) => records.push((rt.bot.id, rt.generation, r)),
                        Ok(None) => {}
                        Err(e) => tracing::warn!(bot = %rt.bot.id, error = %e, "runtime segment failed"),
                    }
                    continue;
                }
                if !w.triggers.hit(b) {
                    continue;
                }
                let fills = w.triggers.paper_move(a, b);
                let recent = w.last_push.is_some_and(|t| t.elapsed() < MIN_PUSH_GAP);
                if fills.is_empty() && recent {
                    continue;
                }
                if !fills.is_empty() {
                    w.version += 1;
                    w.writing = true;
                }
                w.last_push = Some(Instant::now());
                let paper = w.triggers.paper.clone().filter(|_| !fills.is_empty());
                todo.push((w.bot.clone(), w.triggers.fees, paper, fills));
            }
        }
        let filled = todo.iter().any(|(_, _, paper, _)| paper.is_some()) || !records.is_empty();
        self.save(records).await;
        let recorded = self.record_paper(&todo).await;
        let reached: Vec<_> = todo.iter().map(|(bot, ..)| bot.id).collect();
        for ((bot, _, _, _), recorded) in todo.iter().zip(recorded) {
            if let Some(recorded) = recorded {
                // Triggers read while these fills were being written may have missed them: they are stale too.
                if let Some(w) = lock(&self.bots).get_mut(&bot.id) {
                    w.version += 1;
                    w.writing = false;
                }
                match recorded {
                    Ok(true) => {}
                    Ok(false) => self.reload_after_fill(bot.id).await,
                    Err(e) => {
                        tracing::warn!(bot = %bot.id, error = %e, "paper fills not recorded");
                        self.reload_after_fill(bot.id).await;
                    }
                }
            }
        }
        self.reconcile_all(&reached, "price", Some(b)).await;
        filled
    }

    /// Writes the paper fills of one move, per bot (`None` for a bot it filled nothing of): all together, in a few
    /// statements for the whole move ([`Watch::record_together`]), and, should that fail, bot by bot.
    async fn record_paper(&self, todo: &[Hit]) -> Vec<Option<Result<bool, gridbot_platform::DbError>>> {
        let moves: Vec<BotFills<'_>> = todo
            .iter()
            .filter_map(|(bot, fees, paper, fills)| {
                paper.as_ref().map(|book| BotFills { bot, book, fees: *fees, fills })
            })
            .collect();
        let mut done: Vec<Result<bool, gridbot_platform::DbError>> = match self.record_together(&moves).await {
            Ok(done) => done.into_iter().map(Ok).collect(),
            Err(e) => {
                tracing::debug!(error = %e, bots = moves.len(), "paper fills not written together; one bot at a time");
                let mut each = Vec::with_capacity(moves.len());
                for m in &moves {
                    let one = gridbot_app::paper::fill(self.ctx.db.orders(), std::slice::from_ref(m)).await;
                    each.push(one.map(|ok| ok.first().copied().unwrap_or(true)));
                }
                each
            }
        }
        .into_iter()
        .rev()
        .collect();
        todo.iter().map(|(_, _, paper, _)| paper.as_ref().and_then(|_| done.pop())).collect()
    }

    /// One transaction on SQLite (one writer); on PostgreSQL, where each statement is a round trip, the bots are split
    /// over [`PARALLEL_WRITES`] transactions written at once. (Should one fail after others committed, the caller writes
    /// every bot again: a fill or a resting order written twice is written once.)
    async fn record_together(&self, moves: &[BotFills<'_>]) -> Result<Vec<bool>, gridbot_platform::DbError> {
        if moves.is_empty() {
            return Ok(Vec::new());
        }
        let parts = if self.ctx.db.is_sqlite() { 1 } else { PARALLEL_WRITES.min(moves.len()) };
        let written = futures_util::future::join_all(
            moves.chunks(moves.len().div_ceil(parts)).map(|part| self.record_part(part)),
        )
        .await;
        let mut done = Vec::with_capacity(moves.len());
        for part in written {
            done.extend(part?);
        }
        Ok(done)
    }

    async fn record_part(&self, moves: &[BotFills<'_>]) -> Result<Vec<bool>, gridbot_platform::DbError> {
        let tx = self.ctx.db.begin().await?;
        let done = gridbot_app::paper::fill(tx.orders(), moves).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// A 1-minute candle of `symbol` closed: every runtime bot on it evaluates the close, and its snapshot is saved.
    pub(crate) async fn on_close(&self, symbol: &str, candle: &gridbot_core::Candle) {
        let mut records = Vec::new();
        for w in lock(&self.bots).values_mut().filter(|w| w.bot.symbol.exchange_name() == symbol) {
            if let Some(rt) = w.runtime.as_mut() {
                match rt.on_close(candle.open_time, candle.close) {
                    Ok(Some(r)) => records.push((rt.bot.id, rt.generation, r)),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(bot = %rt.bot.id, error = %e, "runtime close failed"),
                }
            }
        }
        self.save(records).await;
    }

    /// The earliest last close the runtimes on `symbol` were fed; `None` without runtimes.
    pub(crate) fn runtimes_last_close(&self, symbol: &gridbot_core::Symbol) -> Option<i64> {
        let bots = lock(&self.bots);
        bots.values()
            .filter(|w| &w.bot.symbol == symbol)
            .filter_map(|w| w.runtime.as_ref())
            .map(|r| r.last_close())
            .min()
    }

    /// A closed candle replayed after a gap: each runtime on `symbol` not fed it yet gets its path — from `prev`, the
    /// close before it, when known — then its close.
    pub(crate) async fn replay_candle(&self, symbol: &str, prev: Option<Decimal>, candle: &gridbot_core::Candle) {
        let mut records = Vec::new();
        let path: Vec<Decimal> = prev.into_iter().chain(candle.path()).collect();
        for w in lock(&self.bots).values_mut().filter(|w| w.bot.symbol.exchange_name() == symbol) {
            let Some(rt) = w.runtime.as_mut().filter(|r| r.last_close() < candle.open_time) else { continue };
            let mut results: Vec<_> = path.windows(2).map(|s| rt.on_segment(s[0], s[1])).collect();
            results.push(rt.on_close(candle.open_time, candle.close));
            for result in results {
                match result {
                    Ok(Some(r)) => records.push((rt.bot.id, rt.generation, r)),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(bot = %rt.bot.id, error = %e, "runtime replay failed"),
                }
            }
        }
        self.save(records).await;
    }

    /// Writes what runtimes booked, in order. A runtime whose write failed is read again from the database (its
    /// memory is ahead of what was recorded).
    async fn save(&self, records: Vec<(gridbot_core::BotId, u32, Record)>) {
        for (bot, generation, record) in records {
            match record.save(&self.ctx, bot, generation).await {
                Ok(true) if record.wants_orders => {
                    if let Err(e) = self.ctx.queue.push_reconcile(bot, "strategy order", Some(record.mark)).await {
                        tracing::warn!(%bot, error = %e, "reconcile not enqueued");
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(%bot, error = %e, "runtime fills not recorded; reloading it");
                    if let Some(w) = lock(&self.bots).get_mut(&bot) {
                        w.runtime = None;
                    }
                }
            }
        }
    }

    /// Books into a live runtime the fills a worker recorded since it last booked (its only writer is this
    /// scheduler while the bot runs). A worker sends only the orders the runtime wants, so a runtime that wants
    /// none has no fill to book: its orders and fills are not read.
    async fn book_live(&self, bot_id: gridbot_core::BotId) {
        let Some((bot, generation, booked)) = lock(&self.bots).get(&bot_id).and_then(|w| {
            let rt = w.runtime.as_ref().filter(|r| r.mode() == gridbot_platform::db::types::BotMode::Live)?;
            if wants_nothing(rt) {
                return None;
            }
            Some((w.bot.clone(), rt.generation, rt.booked()))
        }) else {
            return;
        };
        let rows = match gridbot_app::runtime_bot::unbooked(&self.ctx.db, &bot, generation, booked).await {
            Ok(rows) if rows.is_empty() => return,
            Ok(rows) => rows,
            Err(e) => return tracing::warn!(bot = %bot_id, error = %e, "exchange fills not read"),
        };
        let record = {
            let mut bots = lock(&self.bots);
            let Some(rt) = bots.get_mut(&bot_id).and_then(|w| w.runtime.as_mut()) else { return };
            if rt.booked() != booked {
                return;
            }
            match rt.book_exchange(&rows) {
                Ok(r) => r,
                Err(e) => return tracing::warn!(bot = %bot_id, error = %e, "exchange fills not booked"),
            }
        };
        if let Some(record) = record {
            self.save(vec![(bot_id, generation, record)]).await;
        }
    }

    /// The matcher's book disagrees with the database (an order left the book meanwhile): read it again.
    async fn reload_after_fill(&self, bot_id: gridbot_core::BotId) {
        if let Some(w) = lock(&self.bots).get_mut(&bot_id) {
            w.version += 1;
        }
        self.refresh_bot(bot_id, false).await;
    }

    pub(crate) async fn reconcile(&self, bot: &Bot, reason: &str, price: Option<Decimal>) {
        if let Err(e) = self.ctx.queue.push_reconcile(bot.id, reason, price).await {
            tracing::warn!(bot = %bot.id, error = %e, "reconcile not enqueued");
        }
    }

    /// Enqueues a reconcile of each of `bots` (one write to the queue).
    pub(crate) async fn reconcile_all(&self, bots: &[gridbot_core::BotId], reason: &str, price: Option<Decimal>) {
        if bots.is_empty() {
            return;
        }
        if let Err(e) = self.ctx.queue.push_reconciles(bots, reason, price).await {
            tracing::warn!(bots = bots.len(), reason, error = %e, "reconciles not enqueued");
        }
    }

    /// The ids of every watched bot matching `filter`.
    pub(crate) fn ids_where(&self, filter: impl Fn(&Bot) -> bool) -> Vec<gridbot_core::BotId> {
        lock(&self.bots).values().filter(|w| filter(&w.bot)).map(|w| w.bot.id).collect()
    }

    /// Every watched bot matching `filter`.
    pub(crate) fn bots_where(&self, filter: impl Fn(&Bot) -> bool) -> Vec<Bot> {
        lock(&self.bots).values().filter(|w| filter(&w.bot)).map(|w| w.bot.clone()).collect()
    }

    pub(crate) fn stop_streams(&self) {
        for (_, h) in lock(&self.streams).drain() {
            h.abort();
        }
        for (_, h) in lock(&self.users).drain() {
            h.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridbot_core::BotId;

    #[test]
    fn the_refresh_reads_again_only_new_and_changed_bots() {
        let at = |ms| DateTime::from_timestamp_millis(ms).unwrap();
        let versions = [(BotId(1), at(1_000)), (BotId(2), at(2_000)), (BotId(3), at(3_000))];
        let watched: HashMap<BotId, DateTime<Utc>> = [(BotId(1), at(1_000)), (BotId(2), at(1_500))].into();
        let read = to_read(&versions, |id| watched.get(&id).copied());
        assert_eq!(read, [BotId(2), BotId(3)].into(), "2 changed since it was read, 3 is new, 1 is as watched");
        let all = to_read(&versions, |_| None);
        assert_eq!(all.len(), 3, "nothing watched yet: every running bot is read");
        assert!(to_read(&versions, |id| versions.iter().find(|v| v.0 == id).map(|v| v.1)).is_empty());
    }
}
