//! The simulator's shared state and the player that feeds candles to the exchange at the chosen speed.

use std::{
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use rand::rngs::StdRng;
pub(crate) use tokio::sync::Notify;
use tokio::sync::watch;

use crate::{faults::Faults, limits::Limits, matching::Exchange, replay::Feed};

/// The player's switches and its source of candles.
#[derive(Debug)]
pub(crate) struct Player {
    pub paused: bool,
    pub speed: f64,
    pub feed: Feed,
}

/// Everything the handlers share. Locks are taken in the order player → exchange and never held across `.await`.
#[derive(Debug)]
pub(crate) struct Sim {
    pub player: Mutex<Player>,
    pub ex: Mutex<Exchange>,
    pub faults: Mutex<Faults>,
    pub limits: Mutex<Limits>,
    pub rng: Mutex<StdRng>,
    /// Wakes the player after a pause, resume or speed change.
    pub wake: Notify,
    /// Bumped to drop every WebSocket connection.
    pub ws_drop: watch::Sender<u64>,
    /// Bumped (with the delay before the close, ms) to announce `serverShutdown` on every WebSocket, then close it.
    pub ws_shutdown: watch::Sender<(u64, u64)>,
    pub ws_ping: Duration,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Milliseconds since the epoch (the server's clock).
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Sim {
    /// The server's clock: real time shifted by the `clock_offset_ms` fault switch.
    pub(crate) fn server_now(&self) -> i64 {
        now_ms() + lock(&self.faults).clock_offset_ms
    }

    /// Plays up to `n` candles now; returns how many were played.
    pub fn step(&self, n: u64) -> u64 {
        let mut player = lock(&self.player);
        let mut ex = lock(&self.ex);
        let now = now_ms();
        let mut played = 0;
        while played < n {
            let times = |s: &str| ex.markets.get(s).map_or(0, |m| m.next_minute());
            let Some(step) = player.feed.next(&times) else { break };
            for (symbol, candle) in &step {
                ex.play_candle(symbol, candle, now);
            }
            played += 1;
        }
        played
    }

    pub fn drop_websockets(&self) {
        self.ws_drop.send_modify(|g| *g += 1);
    }
}

/// Plays candles at the player's speed until the replay ends; waits while paused.
pub(crate) async fn run_player(sim: std::sync::Arc<Sim>) {
    loop {
        let (paused, speed, done) = {
            let p = lock(&sim.player);
            (p.paused, p.speed, p.feed.done())
        };
        if paused || done || speed <= 0.0 {
            sim.wake.notified().await;
            continue;
        }
        // Above 1000 candles a second, play several per millisecond tick.
        let (interval, batch) =
            if speed > 1000.0 { (0.001, (speed / 1000.0).round() as u64) } else { (1.0 / speed, 1) };
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs_f64(interval)) => { sim.step(batch); }
            () = sim.wake.notified() => {}
        }
    }
}

/// Drops every WebSocket every `ws_drop_every_secs` seconds while that switch is on.
pub(crate) async fn run_ws_dropper(sim: std::sync::Arc<Sim>) {
    let mut since = tokio::time::Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let every = lock(&sim.faults).ws_drop_every_secs;
        if every == 0 {
            since = tokio::time::Instant::now();
        } else if since.elapsed() >= Duration::from_secs(every) {
            sim.drop_websockets();
            since = tokio::time::Instant::now();
        }
    }
}
