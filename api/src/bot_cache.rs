//! [`BotCache`]: bot rows and their rebuilt books, kept between requests so that the hot reads (`GET /api/bots/{id}`
//! and its stats) cost no database round trip. An entry goes on every event of its bot (status, orders, fills: each
//! published after its write), on every write through this API, and after [`TTL`] in any case, which bounds what a
//! missed event (or a write through another API replica) can leave stale. A read that raced a change is not stored:
//! an epoch counts the changes.

use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use gridbot_core::BotId;
use gridbot_platform::{Db, DbError, Event, EventBus, Received, book::GridBook, db::types::Bot};

/// The longest an entry is served.
pub const TTL: Duration = Duration::from_secs(1);

/// Per bot id: a value and when it was read.
type Entries<T> = RwLock<HashMap<BotId, (T, Instant)>>;

#[derive(Debug)]
pub struct BotCache {
    ttl: Duration,
    bots: Entries<Bot>,
    /// `None`: the bot has no run.
    books: Entries<Option<Arc<GridBook>>>,
    /// Bumped by every forget: a read that began before it does not store what it read.
    epoch: AtomicU64,
}

impl Default for BotCache {
    fn default() -> Self {
        BotCache::with_ttl(TTL)
    }
}

impl BotCache {
    /// A cache serving entries up to `ttl` old.
    pub fn with_ttl(ttl: Duration) -> Self {
        BotCache { ttl, bots: RwLock::default(), books: RwLock::default(), epoch: AtomicU64::new(0) }
    }

    /// The bot's row.
    pub async fn bot(&self, db: &Db, id: BotId) -> Result<Bot, DbError> {
        if let Some(bot) = fresh(&self.bots, id, self.ttl) {
            return Ok(bot);
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let bot = db.bots().get(id).await?;
        self.store(&self.bots, id, epoch, bot.clone());
        Ok(bot)
    }

    /// The book of the bot's current run (`None` before any run), rebuilt from the database when not cached.
    pub async fn book(&self, db: &Db, bot: &Bot) -> Result<Option<Arc<GridBook>>, DbError> {
        if let Some(book) = fresh(&self.books, bot.id, self.ttl) {
            return Ok(book);
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let book = GridBook::load(db, bot).await?.map(Arc::new);
        self.store(&self.books, bot.id, epoch, book.clone());
        Ok(book)
    }

    /// Drops what is cached of bot `id`.
    pub fn forget(&self, id: BotId) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        write(&self.bots).remove(&id);
        write(&self.books).remove(&id);
    }

    /// Drops everything.
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        write(&self.bots).clear();
        write(&self.books).clear();
    }

    /// Forgets a bot on each of its events until the bus closes; everything when events were missed.
    pub fn follow(self: &Arc<Self>, bus: &EventBus) {
        let mut sub = bus.subscribe(None);
        let cache = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(received) = sub.recv().await {
                let Some(cache) = cache.upgrade() else { return };
                match received {
                    Received::Event(e) => {
                        if let Event::Bot { bot_id, .. } = e.as_ref() {
                            cache.forget(*bot_id);
                        }
                    }
                    Received::Lagged(_) => cache.clear(),
                }
            }
        });
    }

    fn store<T>(&self, map: &Entries<T>, id: BotId, epoch: u64, value: T) {
        let mut map = write(map);
        // Under the map's lock: a forget either ran before this check (and the value is dropped) or waits for it.
        if self.epoch.load(Ordering::Acquire) == epoch {
            map.insert(id, (value, Instant::now()));
        }
    }
}

fn fresh<T: Clone>(map: &Entries<T>, id: BotId, ttl: Duration) -> Option<T> {
    let map = map.read().unwrap_or_else(|p| p.into_inner());
    map.get(&id).filter(|(_, at)| at.elapsed() < ttl).map(|(v, _)| v.clone())
}

fn write<T>(map: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    map.write().unwrap_or_else(|p| p.into_inner())
}
