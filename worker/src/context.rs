//! What every handler shares: the database, the queue, events, locks, market data, and the venues bots trade on.

use std::{collections::HashMap, sync::Arc};

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

use crate::{JobError, venue::Venue};

#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub queue: Queue,
    pub events: EventBus,
    pub locks: Locks,
    /// Public market data: symbols, filters, prices (Binance's, or the simulator's).
    pub market: Arc<dyn Exchange>,
    pub live: Arc<LiveAccounts>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("queue", &self.queue).field("market", &self.market).finish_non_exhaustive()
    }
}

type Client = (String, Arc<dyn Exchange>);

/// Signed exchange clients of users trading live, built from their stored (encrypted) keys.
pub struct LiveAccounts {
    endpoints: Endpoints,
    key: Option<[u8; 32]>,
    /// Per user: the stored (encrypted) key the client was built from, and the client.
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

    /// The user's signed client; rebuilt when their stored key changes.
    pub async fn client(&self, db: &Db, user_id: i64) -> Result<Arc<dyn Exchange>, JobError> {
        let user = db.users().get(user_id).await?;
        let (Some(key_enc), Some(secret_enc)) = (user.api_key_enc, user.api_secret_enc) else {
            return Err(JobError::fatal("live trading needs API keys: none are stored"));
        };
        if let Some((stored, client)) = self.clients.lock().unwrap_or_else(|p| p.into_inner()).get(&user_id)
            && *stored == key_enc
        {
            return Ok(Arc::clone(client));
        }
        let key =
            self.key.ok_or_else(|| JobError::fatal("ENCRYPTION_KEY is not set: stored API keys cannot be read"))?;
        let api_key = decrypt(&key, user_id, "api_key", &key_enc).map_err(|e| JobError::fatal(e.to_string()))?;
        let secret = decrypt(&key, user_id, "api_secret", &secret_enc).map_err(|e| JobError::fatal(e.to_string()))?;
        let client: Arc<dyn Exchange> = Arc::new(
            Binance::new(self.endpoints.clone(), Some(Credentials::new(api_key, secret)))
                .map_err(|e| JobError::fatal(e.to_string()))?,
        );
        self.clients.lock().unwrap_or_else(|p| p.into_inner()).insert(user_id, (key_enc, Arc::clone(&client)));
        Ok(client)
    }
}

impl Ctx {
    /// Where `bot` trades: its user's Binance account when live, the database's paper book otherwise.
    pub async fn venue(&self, bot: &Bot, fee_rate: Decimal) -> Result<Venue, JobError> {
        Ok(match bot.mode {
            BotMode::Live => Venue::Live(self.live.client(&self.db, bot.user_id).await?),
            BotMode::Paper => Venue::Paper { db: self.db.clone(), fee_rate, quote: bot.symbol.quote().to_owned() },
        })
    }
}
