//! Locks: one job of a bot at a time, and one active scheduler. In one process a mutex per key; across processes a
//! Redis key set with `NX` and an expiry, renewed while held and deleted only by its holder, so a crashed holder's
//! lock frees itself after the expiry.
//!
//! Every hold has a token, and learns the token of the hold before it ([`LockGuard::previous`]): a holder that finds
//! its own last token there knows no one else held the lock in between (what a worker's in-memory book relies on).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use gridbot_core::BotId;
use tokio::sync::{OwnedMutexGuard, watch};

use crate::Settings;

#[derive(Debug, thiserror::Error)]
#[error("lock (redis): {0}")]
pub struct LockError(String);

#[derive(Clone)]
pub struct Locks {
    inner: Inner,
    /// `{namespace}:lock:`
    prefix: String,
}

#[derive(Clone)]
enum Inner {
    /// Per key: the token of its last hold.
    Local(Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<String>>>>>),
    Redis(redis::aio::ConnectionManager),
}

impl std::fmt::Debug for Locks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.inner {
            Inner::Local(_) => "Locks::Local",
            Inner::Redis(_) => "Locks::Redis",
        })
    }
}

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct LockGuard {
    _local: Option<OwnedMutexGuard<String>>,
    redis: Option<RedisHold>,
    lost: watch::Receiver<bool>,
    token: String,
    previous: Option<String>,
}

#[derive(Debug)]
struct RedisHold {
    conn: redis::aio::ConnectionManager,
    key: String,
    token: String,
    renew: tokio::task::JoinHandle<()>,
}

/// Takes the lock (`SET NX PX`) and, when taken, swaps this hold's token into `{key}:last` (kept a day), returning
/// the token it held.
const TAKE: &str = "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then \
    local previous = redis.call('getset', KEYS[2], ARGV[1]); redis.call('pexpire', KEYS[2], 86400000); \
    return {1, previous} else return {0, false} end";
/// Deletes the key only when it still holds our token.
const RELEASE: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/// Extends the expiry only when the key still holds our token.
const RENEW: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

impl Locks {
    pub async fn connect(settings: &Settings) -> Result<Locks, LockError> {
        let prefix = format!("{}:lock:", settings.namespace);
        match &settings.redis_url {
            Some(url) => {
                let client = redis::Client::open(url.as_str()).map_err(|e| LockError(e.to_string()))?;
                let conn = client.get_connection_manager().await.map_err(|e| LockError(e.to_string()))?;
                Ok(Locks { inner: Inner::Redis(conn), prefix })
            }
            None => Ok(Locks { inner: Inner::Local(Arc::default()), prefix }),
        }
    }

    pub fn local() -> Locks {
        Locks { inner: Inner::Local(Arc::default()), prefix: String::new() }
    }

    /// The lock of `bot`, waiting up to `wait` for it; `None` when it stayed taken.
    pub async fn bot(&self, bot: BotId, wait: Duration) -> Result<Option<LockGuard>, LockError> {
        self.acquire(&format!("bot:{}", bot.0), Duration::from_secs(10), wait).await
    }

    /// Takes `name` (under the namespace) for `ttl`, renewed while held, waiting up to `wait`; `None` when it
    /// stayed taken.
    pub async fn acquire(&self, name: &str, ttl: Duration, wait: Duration) -> Result<Option<LockGuard>, LockError> {
        let key = format!("{}{name}", self.prefix);
        let key = key.as_str();
        let token = uuid::Uuid::new_v4().to_string();
        match &self.inner {
            Inner::Local(map) => {
                let m = Arc::clone(map.lock().unwrap_or_else(|p| p.into_inner()).entry(key.to_owned()).or_default());
                let mut guard = match tokio::time::timeout(wait, m.lock_owned()).await {
                    Ok(g) => g,
                    Err(_) => return Ok(None),
                };
                let previous = std::mem::replace(&mut *guard, token.clone());
                let previous = (!previous.is_empty()).then_some(previous);
                // Never lost: the sender is dropped and `lost()` waits forever.
                let (_, lost) = watch::channel(false);
                Ok(Some(LockGuard { _local: Some(guard), redis: None, lost, token, previous }))
            }
            Inner::Redis(conn) => {
                let deadline = tokio::time::Instant::now() + wait;
                let mut c = conn.clone();
                let last = format!("{key}:last");
                // A job usually holds a bot's lock for a few milliseconds: ask again soon, then less and less often.
                let mut pause = Duration::from_millis(1);
                let previous = loop {
                    let (taken, previous): (i64, Option<String>) = redis::Script::new(TAKE)
                        .key(key)
                        .key(&last)
                        .arg(&token)
                        .arg(ttl.as_millis() as u64)
                        .invoke_async(&mut c)
                        .await
                        .map_err(|e| LockError(e.to_string()))?;
                    if taken == 1 {
                        break previous;
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return Ok(None);
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(20));
                };
                let (tx, lost) = watch::channel(false);
                let renew = tokio::spawn(renew(conn.clone(), key.to_owned(), token.clone(), ttl, tx));
                Ok(Some(LockGuard {
                    _local: None,
                    redis: Some(RedisHold { conn: conn.clone(), key: key.to_owned(), token: token.clone(), renew }),
                    lost,
                    token,
                    previous,
                }))
            }
        }
    }
}

async fn renew(
    mut conn: redis::aio::ConnectionManager,
    key: String,
    token: String,
    ttl: Duration,
    lost: watch::Sender<bool>,
) {
    loop {
        tokio::time::sleep(ttl / 3).await;
        let kept: Result<i64, _> =
            redis::Script::new(RENEW).key(&key).arg(&token).arg(ttl.as_millis() as u64).invoke_async(&mut conn).await;
        match kept {
            Ok(1) => continue,
            Ok(_) => {
                tracing::warn!(%key, "lock lost: it expired and another holder took it");
                let _ = lost.send(true);
                return;
            }
            Err(e) => tracing::warn!(%key, error = %e, "lock not renewed; retrying"),
        }
    }
}

impl LockGuard {
    /// This hold's token, unique to it.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The token of the hold before this one; `None` when unknown (never held, or Redis forgot it).
    pub fn previous(&self) -> Option<&str> {
        self.previous.as_deref()
    }

    /// Resolves when the lock was lost (a Redis lock that expired and was taken by another holder).
    pub async fn lost(&mut self) {
        while !*self.lost.borrow() {
            if self.lost.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if let Some(hold) = self.redis.take() {
            hold.renew.abort();
            let RedisHold { mut conn, key, token, .. } = hold;
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _: Result<i64, _> =
                        redis::Script::new(RELEASE).key(&key).arg(&token).invoke_async(&mut conn).await;
                });
            }
        }
    }
}
