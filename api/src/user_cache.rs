//! [`UserCache`]: which user ids exist, remembered for [`TTL`] so that checking every authenticated request and
//! WebSocket against the `users` table costs a database read at most once per user and interval. A token whose user
//! does not exist (deleted, or never registered) is refused.

use std::{
    collections::HashMap,
    sync::RwLock,
    time::{Duration, Instant},
};

use gridbot_platform::{Db, DbError};

/// How long a user's existence is taken as known.
pub const TTL: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub struct UserCache {
    seen: RwLock<HashMap<i64, Instant>>,
}

impl UserCache {
    /// Whether user `id` exists: from the cache when it was seen within [`TTL`], else from the database.
    pub async fn exists(&self, db: &Db, id: i64) -> Result<bool, DbError> {
        let fresh = self.seen.read().unwrap_or_else(|p| p.into_inner()).get(&id).is_some_and(|t| t.elapsed() < TTL);
        if fresh {
            return Ok(true);
        }
        match db.users().get(id).await {
            Ok(_) => {
                self.seen.write().unwrap_or_else(|p| p.into_inner()).insert(id, Instant::now());
                Ok(true)
            }
            Err(DbError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Forgets `id` (its user was deleted).
    pub fn forget(&self, id: i64) {
        self.seen.write().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }
}
