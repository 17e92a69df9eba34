//! What the crash guard adds to every job (not a test): the record of a delivery written before its work starts
//! (`running_jobs().begin`) and deleted when it ends (`end`), timed back to back on the SQLite file `gridbot serve`
//! uses (WAL, synchronous NORMAL) and on PostgreSQL.
//!
//! `cargo bench -p gridbot-platform --bench job_record` (PostgreSQL on 127.0.0.1).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use gridbot_core::BotId;
use gridbot_platform::{
    Db, Settings,
    db::types::{BotMode, NewBot},
};
use sea_orm::ConnectionTrait;

const JOBS: usize = 2000;

async fn measure(db: &Db) -> (Vec<Duration>, Vec<Duration>) {
    let user = db.users().create(&format!("{}@bench.io", uuid::Uuid::new_v4().simple()), "h").await.unwrap();
    let new = NewBot {
        user_id: user.id,
        strategy: "grid".into(),
        symbol: "BTC/USDT".parse().unwrap(),
        mode: BotMode::Paper,
        config: serde_json::json!({}),
    };
    let bot: BotId = db.bots().create(&new).await.unwrap().id;
    let (mut begins, mut ends) = (Vec::with_capacity(JOBS), Vec::with_capacity(JOBS));
    for i in 0..JOBS + 100 {
        let task = format!("01BENCH{i:019}");
        let t0 = Instant::now();
        assert!(db.running_jobs().begin(&task, bot, "reconcile_fills", "pid1-bench").await.unwrap().is_none());
        let t1 = Instant::now();
        db.running_jobs().end(&task).await.unwrap();
        let t2 = Instant::now();
        if i >= 100 {
            begins.push(t1 - t0);
            ends.push(t2 - t1);
        }
    }
    (begins, ends)
}

fn pct(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, (mut begins, mut ends): (Vec<Duration>, Vec<Duration>)) {
    let mut total: Vec<Duration> = begins.iter().zip(&ends).map(|(b, e)| *b + *e).collect();
    println!(
        "{name}: begin p50 {:?} p99 {:?} · end p50 {:?} p99 {:?} · per job p50 {:?} p99 {:?} ({JOBS} jobs)",
        pct(&mut begins, 0.5),
        pct(&mut begins, 0.99),
        pct(&mut ends, 0.5),
        pct(&mut ends, 0.99),
        pct(&mut total, 0.5),
        pct(&mut total, 0.99),
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::sqlite(&dir.path().join("gridbot.db"));
        let db = gridbot_platform::connect(&settings).await.unwrap();
        gridbot_platform::migrate(&db).await.unwrap();
        report("sqlite (serve's file)", measure(&db).await);

        let name = format!("gbbench_{}", uuid::Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect("postgres://postgres@127.0.0.1:5432/postgres").await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        let db = gridbot_platform::connect(&Settings::postgres(&format!("postgres://postgres@127.0.0.1:5432/{name}")))
            .await
            .unwrap();
        gridbot_platform::migrate(&db).await.unwrap();
        report("postgresql", measure(&db).await);
        db.close().await.unwrap();
        admin.execute_unprepared(&format!("DROP DATABASE {name}")).await.unwrap();
    });
}
