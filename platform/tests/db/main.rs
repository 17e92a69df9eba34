//! The database suite, run on SQLite files in temporary directories and on a fresh PostgreSQL database per test
//! (`GRIDBOT_TEST_PG`, default `postgres://postgres@127.0.0.1:5432`).

// Test helpers outside `#[test]` fns panic on failure on purpose.
#![allow(clippy::unwrap_used)]

mod dead_jobs;
mod harness;
mod history;
mod market_marks;
mod paper_account;
mod schema;
mod sessions;
mod suite;
mod writes;
