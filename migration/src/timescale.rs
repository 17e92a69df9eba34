//! Every TimescaleDB statement, in one place: `prices` becomes a hypertable when the extension is available, and
//! stays a plain table (with its `(symbol, time)` index) when it is not.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// Whether the server can load TimescaleDB.
pub const AVAILABLE: &str = "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'";

/// The statements that turn `prices` into a hypertable; each is idempotent.
pub fn hypertable_statements() -> [&'static str; 2] {
    [
        "CREATE EXTENSION IF NOT EXISTS timescaledb",
        "SELECT create_hypertable('prices', 'time', if_not_exists => TRUE, migrate_data => TRUE)",
    ]
}

/// What became of `prices`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hypertable {
    Made,
    /// Left a plain table; the reason is what was logged.
    Skipped(&'static str),
}

/// Logged when PostgreSQL cannot load TimescaleDB.
pub const SKIPPED_NO_EXTENSION: &str =
    "timescaledb extension not available: prices stays a plain table indexed on (symbol, time)";

/// Turns `prices` into a hypertable when the server can, and logs what it did.
pub async fn make_hypertable<C: ConnectionTrait>(db: &C) -> Result<Hypertable, DbErr> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(Hypertable::Skipped("not PostgreSQL: prices is a plain table"));
    }
    if db.query_one_raw(Statement::from_string(backend, AVAILABLE)).await?.is_none() {
        tracing::info!("{SKIPPED_NO_EXTENSION}");
        return Ok(Hypertable::Skipped(SKIPPED_NO_EXTENSION));
    }
    for sql in hypertable_statements() {
        db.execute_unprepared(sql).await?;
    }
    tracing::info!("prices is a TimescaleDB hypertable");
    Ok(Hypertable::Made)
}
