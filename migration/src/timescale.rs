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

/// Whether `prices` ended up a hypertable: `false` on SQLite, or on PostgreSQL without the extension.
pub async fn make_hypertable<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(false);
    }
    if db.query_one_raw(Statement::from_string(backend, AVAILABLE)).await?.is_none() {
        tracing::info!("timescaledb extension not available: prices stays a plain table indexed on (symbol, time)");
        return Ok(false);
    }
    for sql in hypertable_statements() {
        db.execute_unprepared(sql).await?;
    }
    tracing::info!("prices is a TimescaleDB hypertable");
    Ok(true)
}
