//! Locks: one job of a bot at a time, and one active scheduler. In one process a mutex per key; across processes a
//! Redis key set with `NX` and an expiry, renewed while held and deleted only by its holder, so a crashed holder's
//! lock frees itself after the expiry.

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
    Local(Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>),
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
    _local: Option<OwnedMutexGuard<()>>,
    redis: Option<RedisHold>,
    lost: watch::Receiver<bool>,
}

#[derive(Debug)]
struct RedisHold {
    conn: redis::aio::ConnectionManager,
    key: String,
    token: String,
    renew: tokio::task::JoinHandle<()>,
}

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
        match &self.inner {
            Inner::Local(map) => {
                let m = Arc::clone(map.lock().unwrap_or_else(|p| p.into_inner()).entry(key.to_owned()).or_default());
                let guard = match tokio::time::timeout(wait, m.lock_owned()).await {
                    Ok(g) => g,
                    Err(_) => return Ok(None),
                };
                // Never lost: the sender is dropped and `lost()` waits forever.
                let (_, lost) = watch::channel(false);
                Ok(Some(LockGuard { _local: Some(guard), redis: None, lost }))
            }
            Inner::Redis(conn) => {
                let token = uuid::Uuid::new_v4().to_string();
                let deadline = tokio::time::Instant::now() + wait;
                let mut c = conn.clone();
                // A job usually holds a bot's lock for a few milliseconds: ask again soon, then less and less often.
                let mut pause = Duration::from_millis(1);
                loop {
                    let set: Option<String> = redis::cmd("SET")
                        .arg(key)
                        .arg(&token)
                        .arg("NX")
                        .arg("PX")
                        .arg(ttl.as_millis() as u64)
                        .query_async(&mut c)
                        .await
                        .map_err(|e| LockError(e.to_string()))?;
                    if set.is_some() {
                        break;
                    }
                    if tokio::time::Instant::now() >= deadline {
                        return Ok(None);
                    }
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                let (tx, lost) = watch::channel(false);
                let renew = tokio::spawn(renew(conn.clone(), key.to_owned(), token.clone(), ttl, tx));
                Ok(Some(LockGuard {
                    _local: None,
                    redis: Some(RedisHold { conn: conn.clone(), key: key.to_owned(), token, renew }),
                    lost,
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
