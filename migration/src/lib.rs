//! Gridbot's schema migrations, the same on SQLite and PostgreSQL except amount columns (`NUMERIC(38, 18)` on
//! PostgreSQL, exact `TEXT` on SQLite) and the TimescaleDB hypertable for `prices` (see [`timescale`]).

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261123_000001_accounts;
mod m20261123_000002_bots;
mod m20261123_000003_orders;
mod m20261123_000004_prices;
mod m20261123_000005_bot_runs;
mod m20261124_000006_trade_per_sell;
mod m20261206_000007_fill_fee_quote;
mod m20261206_000008_paper_funding;
mod m20261207_000009_market_marks;
mod m20261208_000010_sessions;
mod m20261208_000011_dead_jobs;
mod m20261208_000012_bot_runs;
mod m20261209_000013_strategy_states;
mod m20261210_000014_notifications;
mod m20261210_000015_bot_event_codes;
mod m20261211_000016_fill_order_index;
mod m20261212_000017_order_status_index;
mod m20261213_000018_fill_range_index;
pub mod timescale;

/// Every migration, oldest first. `Migrator::up(db, None)` applies the pending ones; applied ones are skipped.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_accounts::Migration),
            Box::new(m20261123_000002_bots::Migration),
            Box::new(m20261123_000003_orders::Migration),
            Box::new(m20261123_000004_prices::Migration),
            Box::new(m20261123_000005_bot_runs::Migration),
            Box::new(m20261124_000006_trade_per_sell::Migration),
            Box::new(m20261206_000007_fill_fee_quote::Migration),
            Box::new(m20261206_000008_paper_funding::Migration),
            Box::new(m20261207_000009_market_marks::Migration),
            Box::new(m20261208_000010_sessions::Migration),
            Box::new(m20261208_000011_dead_jobs::Migration),
            Box::new(m20261208_000012_bot_runs::Migration),
            Box::new(m20261209_000013_strategy_states::Migration),
            Box::new(m20261210_000014_notifications::Migration),
            Box::new(m20261210_000015_bot_event_codes::Migration),
            Box::new(m20261211_000016_fill_order_index::Migration),
            Box::new(m20261212_000017_order_status_index::Migration),
            Box::new(m20261213_000018_fill_range_index::Migration),
        ]
    }
}
