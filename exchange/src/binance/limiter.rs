//! Request weight: spent before each call against the per-minute budget, corrected by the exchange's
//! `X-MBX-USED-WEIGHT-1M`, and halted after a 429 or 418 until its `Retry-After` has passed.

use std::{
    sync::Mutex,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// Headroom kept below the exchange's limit, so bursts from other clients of the same IP do not tip it over.
const USE_FRACTION_PCT: u32 = 90;

#[derive(Debug)]
pub struct WeightLimiter {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    limit: u32,
    used: u32,
    minute: u64,
    blocked_until: Option<Instant>,
}

fn minute_now() -> (u64, Duration) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let minute = now.as_secs() / 60;
    (minute, Duration::from_secs((minute + 1) * 60).saturating_sub(now))
}

impl WeightLimiter {
    pub fn new(limit_per_minute: u32) -> Self {
        WeightLimiter {
            state: Mutex::new(State { limit: limit_per_minute, used: 0, minute: minute_now().0, blocked_until: None }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until `weight` fits in this minute's budget (and any ban has passed), then spends it.
    pub async fn acquire(&self, weight: u32) {
        loop {
            let wait = {
                let mut s = self.lock();
                let (minute, to_next) = minute_now();
                if minute != s.minute {
                    s.minute = minute;
                    s.used = 0;
                }
                match s.blocked_until {
                    Some(until) if until > Instant::now() => Some(until - Instant::now()),
                    _ if s.used + weight > s.limit * USE_FRACTION_PCT / 100 && s.used > 0 => Some(to_next),
                    _ => {
                        s.blocked_until = None;
                        s.used += weight;
                        None
                    }
                }
            };
            match wait {
                Some(d) => {
                    tracing::warn!(wait_ms = d.as_millis() as u64, "request weight budget spent; waiting");
                    tokio::time::sleep(d).await;
                }
                None => return,
            }
        }
    }

    /// The exchange's own count (`X-MBX-USED-WEIGHT-1M`) replaces ours.
    pub fn observe(&self, used: u32) {
        let mut s = self.lock();
        s.used = used;
    }

    /// After a 429 or 418: nothing is sent before `retry_after` has passed.
    pub fn block(&self, retry_after: Duration) {
        let mut s = self.lock();
        let until = Instant::now() + retry_after;
        s.blocked_until = Some(s.blocked_until.map_or(until, |u| u.max(until)));
    }

    pub fn set_limit(&self, limit: u32) {
        self.lock().limit = limit.max(1);
    }

    /// `(used, limit)` this minute.
    pub fn usage(&self) -> (u32, u32) {
        let s = self.lock();
        (s.used, s.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_block_delays_the_next_call() {
        let l = WeightLimiter::new(6000);
        l.acquire(10).await;
        assert_eq!(l.usage(), (10, 6000));
        l.observe(100);
        assert_eq!(l.usage().0, 100);
        l.block(Duration::from_millis(150));
        let t = Instant::now();
        l.acquire(1).await;
        assert!(t.elapsed() >= Duration::from_millis(140));
    }
}
