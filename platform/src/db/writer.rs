//! SQLite's writes in groups ([`Db::write`](super::Db::write)).
//!
//! SQLite takes one writer at a time, and every job of every bot writes: at a thousand paper bots a job waited about
//! 9 ms for each of its turns of the one connection, which stood idle most of that time between the statements of
//! the transaction that held it. Here one task holds the writer: it takes every write waiting, runs them one after
//! the other in one `BEGIN IMMEDIATE` transaction, each write of more than one statement inside a savepoint (a write
//! that fails is undone alone and gets its error), commits once, and answers each. A write still returns after its
//! commit, as before.

use futures_util::future::BoxFuture;
use sea_orm::{ConnectionTrait, DatabaseConnection, SqliteTransactionMode, TransactionOptions, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use super::{DbError, Result, Tx};

/// The most writes one transaction takes.
const GROUP: usize = 128;

/// A write handed to the [`Writer`]: run inside a transaction, or failed without running.
trait Work: Send {
    /// Whether it writes with one statement at most: a failure then wrote nothing, and it needs no savepoint.
    fn single(&self) -> bool;
    fn run<'t>(self: Box<Self>, tx: &'t Tx) -> BoxFuture<'t, Written>;
    fn fail(self: Box<Self>, e: DbError);
}

/// A write's outcome before the commit: its answer waits for the commit's.
enum Written {
    Done(Box<dyn FnOnce(Result<()>) + Send>),
    Failed(Box<dyn FnOnce() + Send>),
}

/// A caller's write and where its answer goes.
struct Pending<F, T> {
    write: F,
    single: bool,
    reply: oneshot::Sender<Result<T>>,
}

impl<F, T> Work for Pending<F, T>
where
    F: for<'t> FnOnce(&'t Tx) -> BoxFuture<'t, Result<T>> + Send + 'static,
    T: Send + 'static,
{
    fn single(&self) -> bool {
        self.single
    }
    fn run<'t>(self: Box<Self>, tx: &'t Tx) -> BoxFuture<'t, Written> {
        let Pending { write, reply, .. } = *self;
        Box::pin(async move {
            match write(tx).await {
                Ok(t) => Written::Done(Box::new(move |committed: Result<()>| drop(reply.send(committed.map(|()| t))))),
                Err(e) => Written::Failed(Box::new(move || drop(reply.send(Err(e))))),
            }
        })
    }
    fn fail(self: Box<Self>, e: DbError) {
        drop(self.reply.send(Err(e)));
    }
}

/// The handle on the writing task; cloned with its [`super::Db`].
#[derive(Clone)]
pub(crate) struct Writer(mpsc::Sender<Box<dyn Work>>);

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the writing task on `conn`, SQLite's one writing connection.
    pub(crate) fn start(conn: DatabaseConnection) -> Writer {
        let (tx, rx) = mpsc::channel(GROUP * 8);
        tokio::spawn(write_groups(conn, rx));
        Writer(tx)
    }

    /// Runs `write` in the next group and returns its outcome once the group committed. `single`: `write` writes with
    /// one statement at most. Should the task be gone (its runtime stopped, as a test's does), `write` runs in a
    /// transaction of its own on `conn`.
    pub(crate) async fn write<T, F>(&self, conn: &DatabaseConnection, single: bool, write: F) -> Result<T>
    where
        F: for<'t> FnOnce(&'t Tx) -> BoxFuture<'t, Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError(work)) = self.0.send(Box::new(Pending { write, single, reply })).await {
            write_group(conn, vec![work]).await;
        }
        answer.await.unwrap_or_else(|_| {
            Err(DbError::Database { message: "the database writer stopped before answering".into(), retryable: true })
        })
    }
}

async fn write_groups(conn: DatabaseConnection, mut rx: mpsc::Receiver<Box<dyn Work>>) {
    let mut works = Vec::with_capacity(GROUP);
    while rx.recv_many(&mut works, GROUP).await > 0 {
        write_group(&conn, std::mem::take(&mut works)).await;
    }
}

/// Runs `works` in one transaction, each of more than one statement in a savepoint, and answers each once the
/// transaction is over (a failed write with its own error).
async fn write_group(conn: &DatabaseConnection, works: Vec<Box<dyn Work>>) {
    let options =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    let tx = match conn.begin_with_options(options).await {
        Ok(tx) => Tx(tx),
        Err(e) => {
            let e = DbError::from(e);
            tracing::warn!(writes = works.len(), error = %e, "database writes not started");
            for w in works {
                w.fail(copy(&e));
            }
            return;
        }
    };
    let mut done = Vec::with_capacity(works.len());
    let mut failed = Vec::new();
    for w in works {
        let single = w.single();
        if !single && let Err(e) = tx.0.execute_unprepared("SAVEPOINT write").await {
            w.fail(e.into());
            continue;
        }
        match w.run(&tx).await {
            Written::Done(answer) if single => done.push(answer),
            Written::Done(answer) => match tx.0.execute_unprepared("RELEASE write").await {
                Ok(_) => done.push(answer),
                Err(e) => {
                    undo(&tx, &["ROLLBACK TO write", "RELEASE write"]).await;
                    answer(Err(e.into()));
                }
            },
            Written::Failed(answer) => {
                if !single {
                    undo(&tx, &["ROLLBACK TO write", "RELEASE write"]).await;
                }
                failed.push(answer);
            }
        }
    }
    let committed = tx.commit().await;
    if let Err(e) = &committed {
        tracing::warn!(writes = done.len(), error = %e, "database writes not committed");
    }
    for answer in done {
        answer(committed.as_ref().map(|_| ()).map_err(copy));
    }
    for answer in failed {
        answer();
    }
}

/// Undoes the write inside the savepoint.
async fn undo(tx: &Tx, statements: &[&str]) {
    for statement in statements {
        if let Err(e) = tx.0.execute_unprepared(statement).await {
            tracing::warn!(error = %e, "a failed write not undone");
        }
    }
}

/// The same error for every write of a group.
fn copy(e: &DbError) -> DbError {
    DbError::Database { message: e.to_string(), retryable: e.is_retryable() }
}
