//! The database: [`connect`], [`migrate`], and one repository per table, each returning core types or the plain
//! structs of [`types`]. No SeaORM model leaves this module.

mod ai_suggestions;
mod bot_events;
mod bots;
mod dead_jobs;
mod error;
mod fills;
mod market_marks;
mod notifications;
mod orders;
mod paper_balances;
mod prices;
mod revoked_tokens;
mod running_jobs;
mod runs;
mod strategy_states;
mod trades;
pub mod types;
mod users;
mod writer;

use gridbot_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};

pub use ai_suggestions::AiSuggestions;
pub use bot_events::{BotEvents, EXCHANGE_ERROR, ExchangeErrorEvent};
pub use bots::Bots;
pub use dead_jobs::{DeadJobs, NewDeadJob};
pub use error::{DbError, Result};
pub use fills::{DayFigures, Fills};
pub use market_marks::MarketMarks;
pub use notifications::{NotificationSettings, NotificationUpdate, Notifications, NotifyOn, SecretChange};
pub use orders::{Orders, WholeFill};
pub use paper_balances::{PaperBalances, move_by, settle};
pub use prices::Prices;
pub use revoked_tokens::RevokedTokens;
pub use running_jobs::RunningJobs;
pub use runs::Runs;
/// What [`Orders`] runs on: the pool, or a [`Tx`].
pub use sea_orm::ConnectionTrait;
pub use strategy_states::{RuntimeFill, StrategyState, StrategyStates};
pub use trades::Trades;
pub use users::Users;

use crate::Settings;

/// A pooled connection to SQLite or PostgreSQL.
///
/// SQLite takes one writer at a time, so its pool holds one connection: writes queue in the pool, in order, instead
/// of in SQLite's busy handler, whose sleeps (1 to 100 ms a try) let a long write lose the lock to short ones again
/// and again (at a thousand bots a price move's write took up to 2 s that way). Reads that may be long and need no
/// write (the account summary) go through [`Db::reader`], a pool of read-only connections the write-ahead log lets
/// read while the writer writes.
#[derive(Debug, Clone)]
pub struct Db {
    conn: DatabaseConnection,
    reader: Option<DatabaseConnection>,
    /// SQLite: the task writing [`Db::write`]'s writes in groups.
    writer: Option<writer::Writer>,
}

/// Every SQLite file Gridbot writes (the database, the job queue): write-ahead log, and commits that do not wait for
/// the disk (SQLite's advice for WAL: a commit survives the process crashing; the OS crashing may lose the last ones,
/// and orders they recorded are found again by their deterministic client ids at the exchange).
pub(crate) fn sqlite_commits(o: sqlx::sqlite::SqliteConnectOptions) -> sqlx::sqlite::SqliteConnectOptions {
    o.journal_mode(sqlx::sqlite::SqliteJournalMode::Wal).synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
}

/// Connects with a pool; a SQLite file and its directory are created when missing.
pub async fn connect(settings: &Settings) -> Result<Db> {
    if let Some(dir) = settings.sqlite_path().and_then(|p| p.parent()).filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbError::Database { message: format!("creating {}: {e}", dir.display()), retryable: false })?;
    }
    let sqlite = settings.database_url.starts_with("sqlite:");
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.max_connections(if sqlite { 1 } else { settings.max_connections }).sqlx_logging(false);
    if sqlite {
        // A file does not hang up: no ping before each use (sqlx pings on release anyway).
        opts.test_before_acquire(false);
    }
    opts.map_sqlx_sqlite_opts(sqlite_commits);
    let conn = Database::connect(opts).await?;
    let reader = match settings.sqlite_path() {
        Some(_) => {
            let mut opts = ConnectOptions::new(settings.database_url.clone());
            opts.max_connections(settings.max_connections.max(1)).sqlx_logging(false).test_before_acquire(false);
            opts.map_sqlx_sqlite_opts(|o| sqlite_commits(o).read_only(true));
            Some(Database::connect(opts).await?)
        }
        None => None,
    };
    let writer = reader.is_some().then(|| writer::Writer::start(conn.clone()));
    Ok(Db { conn, reader, writer })
}

/// Applies pending migrations; running it again changes nothing.
pub async fn migrate(db: &Db) -> Result<()> {
    Migrator::up(&db.conn, None).await?;
    Ok(())
}

/// A transaction of [`Db::begin`]; dropped without [`Tx::commit`], it is rolled back.
#[derive(Debug)]
pub struct Tx(sea_orm::DatabaseTransaction);

impl Tx {
    pub fn orders(&self) -> Orders<'_, sea_orm::DatabaseTransaction> {
        Orders(&self.0)
    }
    pub fn fills(&self) -> Fills<'_, sea_orm::DatabaseTransaction> {
        Fills(&self.0)
    }
    pub fn trades(&self) -> Trades<'_, sea_orm::DatabaseTransaction> {
        Trades(&self.0)
    }
    pub async fn commit(self) -> Result<()> {
        Ok(self.0.commit().await?)
    }
}

impl Db {
    /// The database for reads only: SQLite's read-only connections, which read beside the one writer (see [`Db`]);
    /// on PostgreSQL the pool itself. A write through it fails.
    pub fn reader(&self) -> Db {
        match &self.reader {
            Some(r) => Db { conn: r.clone(), reader: None, writer: None },
            None => self.clone(),
        }
    }
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }
    /// SQLite, which takes one writer at a time (PostgreSQL takes many).
    pub fn is_sqlite(&self) -> bool {
        self.backend() == DbBackend::Sqlite
    }
    pub fn users(&self) -> Users<'_> {
        Users(&self.conn)
    }
    pub fn bots(&self) -> Bots<'_> {
        Bots(&self.conn)
    }
    pub fn orders(&self) -> Orders<'_> {
        Orders(&self.conn)
    }
    /// Begins a transaction: what is written through it is written together at [`Tx::commit`], or not at all. On
    /// SQLite it takes the write lock as it begins (`BEGIN IMMEDIATE`): a transaction that read first and wrote then
    /// would fail at once if another process wrote in between, where this one waits its turn.
    pub async fn begin(&self) -> Result<Tx> {
        let mut options = sea_orm::TransactionOptions::default();
        if self.is_sqlite() {
            options.sqlite_transaction_mode = Some(sea_orm::SqliteTransactionMode::Immediate);
        }
        Ok(Tx(sea_orm::TransactionTrait::begin_with_options(&self.conn, options).await?))
    }
    /// Runs `write` in a transaction and returns its outcome once committed; a failed `write` writes nothing. On SQLite
    /// it is run by the one task that holds the writer, in one transaction with the other writes waiting then, each
    /// undone alone when it fails ([`writer`]); on PostgreSQL, in a transaction of its own. For the short writes every
    /// job makes; a write that must read what it writes over uses [`Db::begin`].
    pub async fn write<T, F>(&self, write: F) -> Result<T>
    where
        F: for<'t> FnOnce(&'t Tx) -> futures_util::future::BoxFuture<'t, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(w) => w.write(&self.conn, false, write).await,
            None => {
                let tx = self.begin().await?;
                let t = write(&tx).await?;
                tx.commit().await?;
                Ok(t)
            }
        }
    }
    pub fn fills(&self) -> Fills<'_> {
        Fills(&self.conn)
    }
    pub fn trades(&self) -> Trades<'_> {
        Trades(&self.conn)
    }
    pub fn prices(&self) -> Prices<'_> {
        Prices(&self.conn)
    }
    pub fn runs(&self) -> Runs<'_> {
        Runs(&self.conn)
    }
    pub fn market_marks(&self) -> MarketMarks<'_> {
        MarketMarks(&self.conn)
    }
    pub fn paper_balances(&self) -> PaperBalances<'_> {
        PaperBalances(&self.conn)
    }
    pub fn ai_suggestions(&self) -> AiSuggestions<'_> {
        AiSuggestions(&self.conn)
    }
    pub fn bot_events(&self) -> BotEvents<'_> {
        BotEvents(&self.conn)
    }
    pub fn revoked_tokens(&self) -> RevokedTokens<'_> {
        RevokedTokens(&self.conn)
    }
    pub fn strategy_states(&self) -> StrategyStates<'_> {
        StrategyStates(&self.conn)
    }
    pub fn running_jobs(&self) -> RunningJobs<'_> {
        RunningJobs { conn: &self.conn, writer: self.writer.as_ref() }
    }
    pub fn dead_jobs(&self) -> DeadJobs<'_> {
        DeadJobs(&self.conn)
    }
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications(&self.conn)
    }
    /// Closes the pool.
    pub async fn close(self) -> Result<()> {
        if let Some(r) = self.reader {
            r.close().await?;
        }
        self.conn.close().await?;
        Ok(())
    }
}
