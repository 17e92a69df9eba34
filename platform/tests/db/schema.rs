//! The schema itself: migrating twice changes nothing, and the hypertable step is skipped with a log line when
//! TimescaleDB is missing.

use std::io::Write;
use std::sync::{Arc, Mutex};

use gridbot_migration::timescale;
use gridbot_platform::{connect, migrate};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

use crate::both;
use crate::harness::Fresh;

both!(migrating_twice_keeps_the_schema);

async fn snapshot(conn: &DatabaseConnection) -> Vec<String> {
    let sql = match conn.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS s FROM sqlite_master ORDER BY name"
        }
        _ => {
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(numeric_precision, 0) \
              || ',' || coalesce(numeric_scale, 0) || ' ' || is_nullable AS s FROM information_schema.columns \
              WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        }
    };
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    let mut out: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "s").unwrap()).collect();
    let n = conn.query_one_raw(Statement::from_string(
        conn.get_database_backend(),
        "SELECT count(*) AS n FROM seaql_migrations",
    ));
    let n: i64 = n.await.unwrap().unwrap().try_get("", "n").unwrap();
    out.push(format!("migrations {n}"));
    out
}

async fn migrating_twice_keeps_the_schema(f: &Fresh) {
    let raw = Database::connect(f.settings.database_url.as_str()).await.unwrap();
    let before = snapshot(&raw).await;
    assert!(before.contains(&"migrations 4".to_owned()), "{before:?}");
    migrate(&f.db).await.unwrap();
    let again = connect(&f.settings).await.unwrap();
    migrate(&again).await.unwrap();
    again.close().await.unwrap();
    assert_eq!(snapshot(&raw).await, before);
    if raw.get_database_backend() == DbBackend::Postgres {
        assert!(before.iter().any(|s| s.starts_with("orders.amount numeric 38,18")), "{before:?}");
    }
    raw.close().await.unwrap();
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// This machine's PostgreSQL has no TimescaleDB: the hypertable step says so and leaves a plain table.
#[tokio::test]
async fn hypertable_is_skipped_with_a_log_line_without_timescaledb() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).with_ansi(false).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let f = Fresh::postgres().await;
    let raw = Database::connect(f.settings.database_url.as_str()).await.unwrap();
    let available = raw.query_one_raw(Statement::from_string(DbBackend::Postgres, timescale::AVAILABLE)).await.unwrap();
    let made = timescale::make_hypertable(&raw).await.unwrap();
    assert_eq!(made, available.is_some());
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    if !made {
        assert!(text.contains("timescaledb extension not available"), "{text}");
    }
    raw.close().await.unwrap();
    f.finish().await;
}
