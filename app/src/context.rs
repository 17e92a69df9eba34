//! What every handler shares: the database, the queue, events, locks, market data, and the venues bots trade on.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use gridbot_core::Decimal;
use gridbot_exchange::{
    Exchange,
    binance::{
        Binance,
        config::{Credentials, Endpoints},
    },
};
use gridbot_platform::{
    Db, EventBus, Locks, Queue,
    crypto::decrypt,
    db::types::{Bot, BotMode},
};

use crate::{
    Books, JobError,
    notify::{Notifier, NotifySettings},
    paper::PaperFees,
    venue::Venue,
};

#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub queue: Queue,
    pub events: EventBus,
    pub locks: Locks,
    /// Public market data: symbols, filters, prices (Binance's, or the simulator's).
    pub market: Arc<dyn Exchange>,
    pub live: Arc<LiveAccounts>,
    /// The books of the bots this worker reconciled last.
    pub books: Books,
    /// `PAPER_FEE_RATE` as the binary read it (default [`gridbot_core::config::default_fee_rate()`]). Stored for the
    /// paper venue; a paper bot's fills are charged its own config's fee rate for now.
    pub paper_fee_rate: Decimal,
    /// Tells users about fills, stops and errors (webhook, Telegram).
    pub notifier: Notifier,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("queue", &self.queue).field("market", &self.market).finish_non_exhaustive()
    }
}

/// A user's signed client: the stored (encrypted) key it was built from, and when that key was last compared.
struct Client {
    key_enc: String,
    checked: Instant,
    exchange: Arc<dyn Exchange>,
}

/// How long a client is used before its user's stored key is read again (a job needs no user read then).
const KEY_RECHECK: Duration = Duration::from_secs(2);

/// Signed exchange clients of users trading live, built from their stored (encrypted) keys.
pub struct LiveAccounts {
    endpoints: Endpoints,
    key: Option<[u8; 32]>,
    clients: std::sync::Mutex<HashMap<i64, Client>>,
}

impl std::fmt::Debug for LiveAccounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveAccounts").field("endpoints", &self.endpoints).finish_non_exhaustive()
    }
}

impl LiveAccounts {
    /// Clients for `endpoints`; keys decrypted with `key` (`ENCRYPTION_KEY`); without it live trading is refused.
    pub fn new(endpoints: Endpoints, key: Option<[u8; 32]>) -> Self {
        LiveAccounts { endpoints, key, clients: Default::default() }
    }

    /// The user's signed client; rebuilt when their stored key changes (noticed within [`KEY_RECHECK`]).
    pub async fn client(&self, db: &Db, user_id: i64) -> Result<Arc<dyn Exchange>, JobError> {
        if let Some(c) = self.clients().get(&user_id)
            && c.checked.elapsed() < KEY_RECHECK
        {
            return Ok(Arc::clone(&c.exchange));
        }
        let user = db.users().get(user_id).await?;
        let (Some(key_enc), Some(secret_enc)) = (user.api_key_enc, user.api_secret_enc) else {
            self.clients().remove(&user_id);
            return Err(JobError::fatal("live trading needs API keys: none are stored"));
        };
        if let Some(c) = self.clients().get_mut(&user_id)
            && c.key_enc == key_enc
        {
            c.checked = Instant::now();
            return Ok(Arc::clone(&c.exchange));
        }
        let key =
            self.key.ok_or_else(|| JobError::fatal("ENCRYPTION_KEY is not set: stored API keys cannot be read"))?;
        let api_key = decrypt(&key, user_id, "api_key", &key_enc).map_err(|e| JobError::fatal(e.to_string()))?;
        let secret = decrypt(&key, user_id, "api_secret", &secret_enc).map_err(|e| JobError::fatal(e.to_string()))?;
        let exchange: Arc<dyn Exchange> = Arc::new(
            Binance::new(self.endpoints.clone(), Some(Credentials::new(api_key, secret)))
                .map_err(|e| JobError::fatal(e.to_string()))?,
        );
        let client = Client { key_enc, checked: Instant::now(), exchange: Arc::clone(&exchange) };
        self.clients().insert(user_id, client);
        Ok(exchange)
    }

    fn clients(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Client>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Ctx {
    pub fn new(
        db: Db,
        queue: Queue,
        events: EventBus,
        locks: Locks,
        market: Arc<dyn Exchange>,
        live: Arc<LiveAccounts>,
    ) -> Self {
        let paper_fee_rate = gridbot_core::config::default_fee_rate();
        // The secrets of notifications are sealed with the same key as API keys.
        let notifier = Notifier::new(NotifySettings::default(), live.key);
        Ctx { db, queue, events, locks, market, live, books: Books::default(), paper_fee_rate, notifier }
    }

    /// The same context with notifications delivered as `settings` say (`TELEGRAM_API_URL`).
    pub fn with_notify_settings(mut self, settings: NotifySettings) -> Self {
        self.notifier = Notifier::new(settings, self.live.key);
        self
    }

    /// The same context with the paper fee rate the binary read (`PAPER_FEE_RATE`).
    pub fn with_paper_fee_rate(mut self, rate: Decimal) -> Self {
        self.paper_fee_rate = rate;
        self
    }

    /// Where `bot` trades: its user's Binance account when live, the database's paper book (charging `fees`)
    /// otherwise.
    pub async fn venue(&self, bot: &Bot, fees: PaperFees) -> Result<Venue, JobError> {
        Ok(match bot.mode {
            BotMode::Live => Venue::Live(self.live.client(&self.db, bot.user_id).await?),
            BotMode::Paper => Venue::Paper { db: self.db.clone(), fees },
        })
    }
}
