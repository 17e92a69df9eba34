//! Fresh databases per test, and the `both!` macro that runs one async test fn on SQLite and on PostgreSQL.

use gridbot_platform::{Db, Settings, connect, migrate};
use sea_orm::{ConnectionTrait, Database};

pub fn pg_server() -> String {
    std::env::var("GRIDBOT_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A migrated database; dropped by [`Fresh::finish`].
pub struct Fresh {
    pub db: Db,
    pub settings: Settings,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Fresh {
    pub async fn sqlite() -> Fresh {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::sqlite(&dir.path().join("nested/gridbot.db"));
        let db = connect(&settings).await.unwrap();
        migrate(&db).await.unwrap();
        Fresh { db, settings, pg_name: None, _dir: Some(dir) }
    }

    pub async fn postgres() -> Fresh {
        let name = format!("gb_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(format!("{}/postgres", pg_server())).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        admin.close().await.unwrap();
        let settings = Settings::postgres(&format!("{}/{name}", pg_server()));
        let db = connect(&settings).await.unwrap();
        migrate(&db).await.unwrap();
        Fresh { db, settings, pg_name: Some(name), _dir: None }
    }

    pub async fn finish(self) {
        self.db.close().await.unwrap();
        if let Some(name) = self.pg_name {
            let admin = Database::connect(format!("{}/postgres", pg_server())).await.unwrap();
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.unwrap();
            admin.close().await.unwrap();
        }
    }
}

/// `both!(name)` runs `suite::name(&Fresh)` as `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let f = $crate::harness::Fresh::sqlite().await;
                super::$name(&f).await;
                f.finish().await;
            }
            #[tokio::test]
            async fn postgres() {
                let f = $crate::harness::Fresh::postgres().await;
                super::$name(&f).await;
                f.finish().await;
            }
        }
    )+};
}
