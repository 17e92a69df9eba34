//! [`LoginThrottle`]: failed password checks counted per account — the normalized email, whether or not an account
//! has it, so the answer never tells which emails are registered — whatever address they come from. An account has
//! `burst` tries, then one more every `refill`; a correct password clears its count. Over the limit the login (or
//! password change) is a 429 with `Retry-After`, before the password is even checked.
//!
//! Counted in each API process's memory: with several processes behind one address, each counts its own tries.
//! Bounded: an account whose failures have all been forgiven is forgotten at the next sweep (once a minute).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// How often forgiven accounts are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct LoginThrottle {
    burst: u32,
    refill: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    accounts: HashMap<String, Failures>,
    swept: Option<Instant>,
}

/// `count` failures, less one forgiven per `refill` since `since`.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: Instant,
}

impl LoginThrottle {
    /// `burst` tries at once, then one more every `refill` (each at least 1).
    pub fn new(burst: u32, refill: Duration) -> Self {
        LoginThrottle { burst: burst.max(1), refill: refill.max(Duration::from_millis(1)), state: Mutex::default() }
    }

    /// Takes one try for `account`, counted as a failure until [`LoginThrottle::succeeded`] clears it; the seconds
    /// to wait when the account has no try left.
    pub fn attempt(&self, account: &str) -> Result<(), u64> {
        self.attempt_at(account, Instant::now())
    }

    /// The password was right: `account`'s failures are forgotten.
    pub fn succeeded(&self, account: &str) {
        self.lock().accounts.remove(account);
    }

    fn attempt_at(&self, account: &str, now: Instant) -> Result<(), u64> {
        let mut state = self.lock();
        if state.swept.is_none_or(|t| now.duration_since(t) >= SWEEP_EVERY) {
            state.swept = Some(now);
            let refill = self.refill;
            state.accounts.retain(|_, f| forgive(f, now, refill) > 0);
        }
        let entry = state.accounts.entry(account.to_owned()).or_insert(Failures { count: 0, since: now });
        if forgive(entry, now, self.refill) >= self.burst {
            let next = entry.since + self.refill;
            return Err(next.saturating_duration_since(now).as_secs_f64().ceil().max(1.0) as u64);
        }
        if entry.count == 0 {
            entry.since = now;
        }
        entry.count += 1;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.lock().accounts.len()
    }
}

/// Forgives the failures whose `refill` has passed; returns the count left.
fn forgive(f: &mut Failures, now: Instant, refill: Duration) -> u32 {
    let periods = now.saturating_duration_since(f.since).as_nanos() / refill.as_nanos();
    let forgiven = u32::try_from(periods).unwrap_or(u32::MAX);
    if forgiven >= f.count {
        f.count = 0;
        f.since = now;
    } else if forgiven > 0 {
        f.count -= forgiven;
        f.since += refill * forgiven;
    }
    f.count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_has_burst_tries_then_one_per_refill() {
        let throttle = LoginThrottle::new(5, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..5 {
            assert_eq!(throttle.attempt_at("a@b.co", t0 + Duration::from_secs(i)), Ok(()), "try {i}");
        }
        assert_eq!(throttle.attempt_at("a@b.co", t0 + Duration::from_secs(5)), Err(55));
        assert_eq!(throttle.attempt_at("other@b.co", t0 + Duration::from_secs(5)), Ok(()), "accounts are apart");
        // One minute after the first failure, one try comes back; then none until the next minute.
        assert_eq!(throttle.attempt_at("a@b.co", t0 + Duration::from_secs(60)), Ok(()));
        assert_eq!(throttle.attempt_at("a@b.co", t0 + Duration::from_secs(61)), Err(59));
        // Five idle minutes forgive everything.
        let later = t0 + Duration::from_secs(60 + 300);
        for i in 0..5 {
            assert_eq!(throttle.attempt_at("a@b.co", later + Duration::from_millis(i)), Ok(()), "try {i}");
        }
    }

    #[test]
    fn a_right_password_clears_the_count() {
        let throttle = LoginThrottle::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(throttle.attempt_at("a@b.co", t0).is_ok() && throttle.attempt_at("a@b.co", t0).is_ok());
        assert!(throttle.attempt_at("a@b.co", t0).is_err());
        throttle.succeeded("a@b.co");
        assert!(throttle.attempt_at("a@b.co", t0).is_ok());
    }

    #[test]
    fn forgiven_accounts_are_forgotten() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(1));
        let t0 = Instant::now();
        for i in 0..1000 {
            assert!(throttle.attempt_at(&format!("user{i}@b.co"), t0).is_ok());
        }
        assert_eq!(throttle.tracked(), 1000);
        // At the next sweep every one of them has been forgiven; only the new try is kept.
        assert!(throttle.attempt_at("late@b.co", t0 + SWEEP_EVERY).is_ok());
        assert_eq!(throttle.tracked(), 1);
    }
}
