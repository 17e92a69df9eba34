//! [`SessionCache`]: whether a valid token's session is still open — its user exists, it carries the user's current
//! token version, and it was not logged out — with what the database said remembered for [`TTL`], so that checking
//! every authenticated request and WebSocket costs at most two reads per user, token and interval.
//!
//! A logout, "log out everywhere" or password change updates this process's cache at once. Another API process
//! sharing the database sees it when its own entry is older than [`TTL`]: a token revoked elsewhere keeps working
//! there for at most [`TTL`].

use std::{
    collections::HashMap,
    sync::{Mutex, RwLock},
    time::{Duration, Instant},
};

use gridbot_platform::{Db, DbError};

use crate::jwt::Session;

/// How long what the database said about a user's token version, or a token's revocation, is taken as known.
pub const TTL: Duration = Duration::from_secs(5);

/// Why a well-signed, unexpired token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// Its user does not exist (deleted, or never registered).
    NoUser,
    /// Its user logged out everywhere or changed the password since it was issued.
    Superseded,
    /// It was logged out.
    LoggedOut,
}

impl Closed {
    pub fn message(self) -> &'static str {
        match self {
            Closed::NoUser => "the token's user does not exist",
            Closed::Superseded => "the session was ended (logged out everywhere or password changed)",
            Closed::LoggedOut => "the token was logged out",
        }
    }
}

/// A remembered answer and until when it holds.
#[derive(Debug, Clone, Copy)]
struct Known<T> {
    value: T,
    until: Instant,
}

#[derive(Debug, Default)]
pub struct SessionCache {
    /// User id → the token version its tokens must carry.
    versions: RwLock<HashMap<i64, Known<i64>>>,
    /// Token id → whether it was logged out. A logged-out id is remembered until its token expires.
    revoked: RwLock<HashMap<String, Known<bool>>>,
    /// When entries past their time were last dropped.
    swept: Mutex<Option<Instant>>,
}

impl SessionCache {
    /// Whether `session` is still open: `Ok(Ok(()))`, or why not; the database's error when it had to be asked
    /// and failed.
    pub async fn check(&self, db: &Db, session: &Session) -> Result<Result<(), Closed>, DbError> {
        let now = Instant::now();
        // A token newer than the remembered version was issued after a bump this process has not seen: ask.
        let cached = read(&self.versions).get(&session.user).copied().filter(|k| now < k.until);
        let version = match cached.filter(|k| session.version <= k.value) {
            Some(k) => k.value,
            None => match db.users().token_version(session.user).await? {
                Some(v) => {
                    self.remember_version(session.user, v, now);
                    v
                }
                None => return Ok(Err(Closed::NoUser)),
            },
        };
        if session.version != version {
            return Ok(Err(Closed::Superseded));
        }
        let cached = read(&self.revoked).get(&session.jti).copied().filter(|k| now < k.until);
        let revoked = match cached {
            Some(k) => k.value,
            None => {
                let revoked = db.revoked_tokens().is_revoked(&session.jti).await?;
                let until = if revoked { expiry(session.exp, now) } else { now + TTL };
                self.insert(&self.revoked, session.jti.clone(), Known { value: revoked, until }, now);
                revoked
            }
        };
        Ok(if revoked { Err(Closed::LoggedOut) } else { Ok(()) })
    }

    /// Whether this process already knows `session` to be closed, without asking the database (the rate limiter
    /// counts such a token by address, not in its user's bucket).
    pub fn known_closed(&self, session: &Session) -> bool {
        let now = Instant::now();
        let superseded = read(&self.versions).get(&session.user).is_some_and(|k| session.version < k.value);
        superseded || read(&self.revoked).get(&session.jti).is_some_and(|k| k.value && now < k.until)
    }

    /// `session` was logged out here: refused from now on.
    pub fn logged_out(&self, session: &Session) {
        let now = Instant::now();
        self.insert(&self.revoked, session.jti.clone(), Known { value: true, until: expiry(session.exp, now) }, now);
    }

    /// User `id`'s token version is now `version` (bumped here): older tokens are refused from now on.
    pub fn version_bumped(&self, id: i64, version: i64) {
        self.remember_version(id, version, Instant::now());
    }

    /// Forgets what is known of user `id` (its user was deleted).
    pub fn forget(&self, id: i64) {
        write(&self.versions).remove(&id);
    }

    fn remember_version(&self, id: i64, version: i64, now: Instant) {
        self.insert(&self.versions, id, Known { value: version, until: now + TTL }, now);
    }

    /// Inserts, first dropping every entry past its time when the last sweep is older than [`TTL`]: the maps hold
    /// only the users and tokens seen within about two intervals, and the logged-out ids of unexpired tokens.
    fn insert<K: std::hash::Hash + Eq, V>(
        &self,
        map: &RwLock<HashMap<K, Known<V>>>,
        key: K,
        known: Known<V>,
        now: Instant,
    ) {
        let sweep = {
            let mut swept = self.swept.lock().unwrap_or_else(|p| p.into_inner());
            let due = swept.is_none_or(|t| now.duration_since(t) >= TTL);
            if due {
                *swept = Some(now);
            }
            due
        };
        if sweep {
            write(&self.versions).retain(|_, k| now < k.until);
            write(&self.revoked).retain(|_, k| now < k.until);
        }
        write(map).insert(key, known);
    }

    #[cfg(test)]
    fn len(&self) -> (usize, usize) {
        (read(&self.versions).len(), read(&self.revoked).len())
    }
}

/// The instant a token expiring at `exp` (UNIX seconds) expires.
fn expiry(exp: u64, now: Instant) -> Instant {
    let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    now + Duration::from_secs(exp).saturating_sub(unix)
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(user: i64, version: i64, jti: &str, exp_in: u64) -> Session {
        let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
        Session { user, version, jti: jti.into(), exp: unix + exp_in }
    }

    #[test]
    fn what_this_process_closed_is_known_without_the_database() {
        let cache = SessionCache::default();
        let (a, b) = (session(1, 0, "a", 60), session(1, 0, "b", 60));
        assert!(!cache.known_closed(&a));
        cache.logged_out(&a);
        assert!(cache.known_closed(&a) && !cache.known_closed(&b), "a logout closes that token only");
        cache.version_bumped(1, 1);
        assert!(cache.known_closed(&b), "a bump closes every older token of the user");
        assert!(!cache.known_closed(&session(1, 1, "c", 60)));
        assert!(!cache.known_closed(&session(2, 0, "d", 60)), "other users are untouched");
    }

    #[test]
    fn entries_past_their_time_are_swept() {
        let cache = SessionCache::default();
        let start = Instant::now();
        let expired = session(1, 0, "gone", 0);
        cache.insert(
            &cache.revoked,
            "gone".to_owned(),
            Known { value: true, until: expiry(expired.exp, start) },
            start,
        );
        cache.remember_version(1, 0, start);
        assert_eq!(cache.len(), (1, 1));
        // The next insert after one TTL drops both stale entries.
        cache.remember_version(2, 0, start + TTL + Duration::from_millis(1));
        assert_eq!(cache.len(), (1, 0));
    }
}
