//! Rate limits as Binance counts them: request weight per minute (429 with `Retry-After`, then 418 for a client
//! that does not back off) and new orders per 10 seconds and per day for each API key.

use std::collections::HashMap;

const BAN_MS: i64 = 120_000;

#[derive(Debug)]
pub(crate) struct Limits {
    pub weight_per_minute: u32,
    pub orders_per_10s: u32,
    minute: i64,
    used: u32,
    /// A 429 was answered; a request before this time earns a ban.
    retry_until: i64,
    banned_until: i64,
    ban_ms: i64,
    /// Per API key: (10-second window, count, day, count).
    orders: HashMap<String, (i64, u32, i64, u32)>,
}

/// A refused request: HTTP status (429 or 418), seconds to wait, and the weight used in this minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub retry_after: i64,
    pub until: i64,
}

impl Limits {
    pub fn new(weight_per_minute: u32, orders_per_10s: u32) -> Limits {
        Limits {
            weight_per_minute,
            orders_per_10s,
            minute: 0,
            used: 0,
            retry_until: 0,
            banned_until: 0,
            ban_ms: BAN_MS,
            orders: HashMap::new(),
        }
    }

    /// The weight used in the current minute.
    pub fn used(&mut self, now: i64) -> u32 {
        self.roll(now);
        self.used
    }

    fn roll(&mut self, now: i64) {
        let minute = now - now.rem_euclid(60_000);
        if minute != self.minute {
            self.minute = minute;
            self.used = 0;
        }
    }

    /// Counts a request of `weight`; refuses it over the limit, or while the client is banned.
    pub fn admit(&mut self, now: i64, weight: u32) -> Result<u32, Refusal> {
        self.roll(now);
        if now < self.banned_until {
            return Err(self.refusal(418, self.banned_until, now));
        }
        if now < self.retry_until {
            self.banned_until = now + self.ban_ms;
            self.ban_ms = (self.ban_ms * 2).min(3 * 24 * 3_600_000);
            self.retry_until = 0;
            return Err(self.refusal(418, self.banned_until, now));
        }
        self.used += weight;
        if self.used > self.weight_per_minute {
            self.retry_until = self.minute + 60_000;
            return Err(self.refusal(429, self.retry_until, now));
        }
        Ok(self.used)
    }

    fn refusal(&self, status: u16, until: i64, now: i64) -> Refusal {
        Refusal { status, retry_after: ((until - now) + 999) / 1000, until }
    }

    /// Counts a new order of `api_key`; `Err` with the count when over the 10-second limit.
    pub fn order(&mut self, api_key: &str, now: i64) -> Result<(u32, u32), (u32, u32)> {
        let (win, day) = (now - now.rem_euclid(10_000), now - now.rem_euclid(86_400_000));
        let e = self.orders.entry(api_key.to_string()).or_insert((win, 0, day, 0));
        if e.0 != win {
            (e.0, e.1) = (win, 0);
        }
        if e.2 != day {
            (e.2, e.3) = (day, 0);
        }
        e.1 += 1;
        e.3 += 1;
        if e.1 > self.orders_per_10s { Err((e.1, e.3)) } else { Ok((e.1, e.3)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_then_429_then_418() {
        let mut l = Limits::new(10, 2);
        assert_eq!(l.admit(1_000, 6), Ok(6));
        let r = l.admit(2_000, 6).expect_err("refused");
        assert_eq!((r.status, r.retry_after), (429, 58));
        let r = l.admit(3_000, 1).expect_err("refused");
        assert_eq!(r.status, 418);
        assert_eq!(l.admit(200_000, 1), Ok(1));
        assert!(l.order("k", 0).is_ok() && l.order("k", 1).is_ok());
        assert!(l.order("k", 2).is_err());
        assert_eq!(l.order("k", 10_000), Ok((1, 4)));
    }
}
