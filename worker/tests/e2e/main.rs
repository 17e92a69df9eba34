//! End-to-end: bots started through the command API, prices driven through the grid on the simulator, and what the
//! workers booked compared with the step 1 backtester on the same prices — on SQLite with the embedded queue, and on
//! PostgreSQL with Redis and two workers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod gap;
mod grid;
mod handoff;
mod harness;
mod lifecycle;
mod matcher;
mod mean_reversion;
mod notifications;
mod quarantine;
mod restart;
mod risk;
mod rules;
