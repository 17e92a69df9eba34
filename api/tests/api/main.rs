//! The API suite: the real application on port 0, over HTTP, on a SQLite file per test and on a fresh PostgreSQL
//! database per test (`GRIDBOT_TEST_PG`, default `postgres://postgres@127.0.0.1:5432`); market routes against the
//! simulator.

// Test helpers outside `#[test]` fns panic on failure on purpose.
#![allow(clippy::unwrap_used)]

mod fixtures;
mod harness;

mod ai;
mod auth;
mod bots;
mod cache;
mod commands;
mod daily_pnl;
mod emergency;
mod equity;
mod exchange_health;
mod jobs;
mod keys;
mod limits;
mod market;
mod notifications;
mod openapi;
mod ops;
mod receiver;
mod runs;
mod sessions;
mod stats;
mod strategies;
mod summary;
mod system;
mod test_config;
mod trading;
mod ws;
