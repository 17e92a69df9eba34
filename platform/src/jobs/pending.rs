//! At most one reconcile of a bot waits in the queue. A trigger while one waits only records the newest price for it;
//! the worker takes the mark as the job starts (holding the bot's lock), so any trigger from then on enqueues a new
//! reconcile that sees what the running one could not. Ticks and execution reports arriving together thus cost one
//! job, not a line of jobs queued behind the bot's lock.

use std::{
    collections::HashMap,
    str::FromStr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use gridbot_core::{BotId, Decimal};

use super::QueueError;

/// Per bot: the newest price asked for, and when the mark was set.
type Marks = HashMap<BotId, (Option<Decimal>, Instant)>;

#[derive(Clone)]
pub(super) enum Pending {
    /// One process (the SQLite queue): the marks in memory.
    Local(Arc<Mutex<Marks>>),
    /// Any number of processes: a key per bot, `{prefix}{bot}`, holding the newest price (or empty).
    Redis { conn: redis::aio::ConnectionManager, prefix: String },
}

/// Sets each key's mark to the newest price (an empty price keeps the one there); per key, 1 when there was none.
const MARK_ALL: &str = r"
local fresh = {}
for i, key in ipairs(KEYS) do
  local old = redis.call('GET', key)
  local price = ARGV[1]
  if price == '' and old then price = old end
  redis.call('SET', key, price, 'PX', ARGV[2])
  if old then fresh[i] = 0 else fresh[i] = 1 end
end
return fresh";

/// Bots marked by one call to Redis ([`Pending::mark_all`]): the script runs alone on the server, so a call stays
/// short.
const MARKS_PER_CALL: usize = 500;

/// How long a mark outlives a reconcile that never started (its push failed, it was lost, or its process died in
/// between): after it a trigger enqueues again, so a lost job cannot silence a bot. A job that waits longer for its
/// bot's lock only gets a twin, which changes nothing.
const MARK_TTL: Duration = Duration::from_secs(5);

fn redis_err(e: redis::RedisError) -> QueueError {
    QueueError::Redis(e.to_string())
}

impl Pending {
    /// Marks a reconcile of each of `bots` as waiting, at `price` when given (a mark already there keeps its price
    /// without one), in one round trip per [`MARKS_PER_CALL`] bots to Redis (a price move reaching a thousand bots is
    /// a few calls, not a thousand). Returns the bots none was waiting for (push one each). On an error, the bots
    /// this call marked are returned with it, for the caller to clear.
    pub(super) async fn mark_all(
        &self,
        bots: &[BotId],
        price: Option<Decimal>,
    ) -> Result<Vec<BotId>, (Vec<BotId>, QueueError)> {
        let mut fresh = Vec::with_capacity(bots.len());
        match self {
            Pending::Local(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                for &bot in bots {
                    match map.get_mut(&bot) {
                        Some((waiting, at)) if at.elapsed() < MARK_TTL => {
                            if price.is_some() {
                                *waiting = price;
                            }
                        }
                        _ => {
                            map.insert(bot, (price, Instant::now()));
                            fresh.push(bot);
                        }
                    }
                }
            }
            Pending::Redis { conn, prefix } => {
                let price = price.map(|p| p.to_string()).unwrap_or_default();
                let script = redis::Script::new(MARK_ALL);
                for part in bots.chunks(MARKS_PER_CALL) {
                    let mut call = script.prepare_invoke();
                    for bot in part {
                        call.key(format!("{prefix}{}", bot.0));
                    }
                    call.arg(&price).arg(MARK_TTL.as_millis() as u64);
                    let marked: Result<Vec<i64>, _> = call.invoke_async(&mut conn.clone()).await;
                    match marked {
                        Ok(marked) => fresh.extend(part.iter().zip(marked).filter(|(_, m)| *m == 1).map(|(b, _)| *b)),
                        Err(e) => return Err((fresh, redis_err(e))),
                    }
                }
            }
        }
        Ok(fresh)
    }

    /// Takes the mark of `bot`: the newest price a trigger asked for, if any.
    pub(super) async fn take(&self, bot: BotId) -> Result<Option<Decimal>, QueueError> {
        match self {
            Pending::Local(map) => Ok(map.lock().unwrap_or_else(|p| p.into_inner()).remove(&bot).and_then(|(p, _)| p)),
            Pending::Redis { conn, prefix } => {
                let v: Option<String> = redis::cmd("GETDEL")
                    .arg(format!("{prefix}{}", bot.0))
                    .query_async(&mut conn.clone())
                    .await
                    .map_err(redis_err)?;
                Ok(v.and_then(|s| Decimal::from_str(&s).ok()))
            }
        }
    }
}
