//! Daily P&L: `GET /api/bots/{id}/daily-pnl?run=` per run of a bot, `GET /api/summary/daily-pnl` for the account. Two
//! runs of one bot written as a worker leaves them, with candles on three UTC days: each run's days add up to its
//! P&L (its last equity less its capital) and its realized P&L to its fills'; the account adds the runs up day by
//! day. `GET /api/bots/{id}/equity?run=` draws each run apart.

use chrono::{DurationRound, TimeDelta, Utc};
use gridbot_core::{BotId, Candle, Decimal};
use gridbot_platform::{BotChange, Event, book::RunState};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::fixtures::{cancel_resting, config, fake_run};
use crate::harness::{Backend, TestApp, spawn_app};

both!(daily_pnl_per_run_and_for_the_account);

const DAY_MS: i64 = 86_400_000;

fn d(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")).parse().unwrap()
}

fn candle(open_time: i64, close: i64) -> Candle {
    let p = Decimal::from(close);
    Candle { open_time, open: p, high: p, low: p, close: p, volume: Decimal::ONE }
}

fn minute(t: chrono::DateTime<Utc>) -> i64 {
    t.duration_trunc(TimeDelta::minutes(1)).unwrap().timestamp_millis()
}

/// Moves the bot's current run to start at `at`, as if it had started then.
async fn started_at(app: &TestApp, id: i64, at: chrono::DateTime<Utc>) {
    let mut state = RunState::from_bot(&app.db.bots().get(BotId(id)).await.unwrap()).unwrap().unwrap();
    state.started_at = at;
    app.db.bots().set_run_state(BotId(id), &state).await.unwrap();
    app.rt.events.publish(Event::Bot { bot_id: BotId(id), change: BotChange::Status }).await;
}

/// The days of one answer add up: `total` and `realized` are their sums, `cumulative` runs to `total`, the days ascend.
fn check_days(r: &Value) -> Vec<Value> {
    let days = r["days"].as_array().unwrap().clone();
    let total: Decimal = days.iter().map(|x| d(&x["total"])).sum();
    let realized: Decimal = days.iter().map(|x| d(&x["realized"])).sum();
    assert_eq!((total, realized), (d(&r["total"]), d(&r["realized"])), "{r}");
    if let Some(last) = days.last() {
        assert_eq!(d(&last["cumulative"]), total, "{r}");
    }
    let names: Vec<&str> = days.iter().map(|x| x["day"].as_str().unwrap()).collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    for x in &days {
        let t = chrono::DateTime::from_timestamp(x["time"].as_i64().unwrap(), 0).unwrap();
        assert_eq!(t.format("%Y-%m-%d").to_string(), x["day"].as_str().unwrap(), "00:00 UTC of the day");
    }
    days
}

async fn daily_pnl_per_run_and_for_the_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let path = format!("/api/bots/{id}/daily-pnl");
    let none = app.get(&path, &token).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.text);
    assert_eq!((none.body["days"].clone(), none.body["generation"].clone()), (json!([]), Value::Null), "before a run");
    assert_eq!(app.get("/api/summary/daily-pnl", &token).await.body["runs"], 0);

    // Run 0: started ten minutes ago, its fills booked now; closes now, and a day later.
    let run0 = fake_run(&app.db, BotId(id), None).await;
    let t0 = Utc::now() - TimeDelta::minutes(10);
    started_at(&app, id, t0).await;
    let now = minute(Utc::now());
    let closes0 = [(minute(t0), 100_000), (now, 100_500), (now + DAY_MS, 101_000), (now + DAY_MS + 60_000, 99_500)];
    let symbol = "BTC/USDT".parse().unwrap();
    app.db.prices().upsert(&symbol, &closes0.map(|(t, c)| candle(t, c))).await.unwrap();
    // Ended by a change of settings (its orders cancelled first); run 1 starts three days on, on the market's clock.
    cancel_resting(&app.db, &run0).await;
    let mut wider = config("500");
    wider["grid_levels"] = json!(21);
    assert_eq!(app.put(&format!("/api/bots/{id}"), &token, json!({"config": wider})).await.status, StatusCode::OK);
    assert_eq!(
        app.put(&format!("/api/bots/{id}"), &token, json!({"config": config("500")})).await.status,
        StatusCode::OK
    );
    // A start begins the next generation.
    assert_eq!(app.db.bots().bump_generation(BotId(id)).await.unwrap(), 1);
    let run1 = fake_run(&app.db, BotId(id), None).await;
    let t1 = Utc::now() + TimeDelta::days(3);
    started_at(&app, id, t1).await;
    let closes1 = [(minute(t1), 100_000), (minute(t1) + 60_000, 100_200), (minute(t1) + DAY_MS, 100_800)];
    app.db.prices().upsert(&symbol, &closes1.map(|(t, c)| candle(t, c))).await.unwrap();

    for (generation, run, closes) in [(0, &run0, &closes0[..]), (1, &run1, &closes1[..])] {
        let r = app.get(&format!("{path}?run={generation}"), &token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!((r.body["generation"].as_u64(), r.body["quote"].as_str()), (Some(generation), Some("USDT")));
        assert_eq!((d(&r.body["capital"]), r.body["runs"].as_u64()), (Decimal::from(10_000), Some(1)));
        let days = check_days(&r.body);
        // Its own candles only, each day its last close's equity; the days add up to the last equity less the capital.
        let equity = app.get(&format!("/api/bots/{id}/equity?run={generation}"), &token).await.body;
        let points = equity.as_array().unwrap();
        let times: Vec<i64> = points.iter().map(|p| p["time"].as_i64().unwrap()).collect();
        assert_eq!(times, closes.iter().map(|c| c.0).collect::<Vec<_>>(), "run {generation}: {equity}");
        let last = d(&points.last().unwrap()["equity"]);
        assert_eq!(d(&r.body["total"]), last - Decimal::from(10_000), "run {generation}: {}", r.text);
        assert_eq!(d(&days.last().unwrap()["equity"]), last);
        assert_eq!(d(&r.body["realized"]), run.realized, "run {generation}: what its sell realized");
        assert_eq!(days.len(), 2, "two UTC days of candles: {}", r.text);
        let runs = app.get(&format!("/api/bots/{id}/runs"), &token).await.body;
        let listed = runs.as_array().unwrap().iter().find(|x| x["generation"] == generation).unwrap().clone();
        assert_eq!(d(&listed["realized_pnl"]), d(&r.body["realized"]), "as the runs list says: {runs}");
    }
    let current = app.get(&path, &token).await.body;
    assert_eq!(current["generation"], 1, "the current run by default");

    // The account: both runs, day by day.
    let account = app.get("/api/summary/daily-pnl", &token).await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.text);
    let a = &account.body;
    assert_eq!(
        (a["runs"].as_u64(), d(&a["capital"]), a["generation"].clone()),
        (Some(2), Decimal::from(20_000), Value::Null)
    );
    let days = check_days(a);
    assert!(days.iter().all(|x| x["equity"].is_null()));
    let per_run: Vec<Value> = [0, 1].iter().map(|g| json!(g)).collect();
    let mut want = Decimal::ZERO;
    for g in per_run {
        want += d(&app.get(&format!("{path}?run={g}"), &token).await.body["total"]);
    }
    assert_eq!(d(&a["total"]), want, "the runs' P&L added up");
    assert_eq!(d(&a["realized"]), run0.realized + run1.realized);
    assert!((3..=4).contains(&days.len()), "three or four UTC days: {a}");
    assert_eq!(app.get("/api/summary/daily-pnl?quote=BTC", &token).await.body["runs"], 0, "no bot quoted in BTC");

    for (query, status) in [("?run=7", StatusCode::NOT_FOUND), ("?run=x", StatusCode::UNPROCESSABLE_ENTITY)] {
        let r = app.get(&format!("{path}{query}"), &token).await;
        assert_eq!(r.status, status, "{query}: {}", r.text);
        let r = app.get(&format!("/api/bots/{id}/equity{query}"), &token).await;
        assert_eq!(r.status, status, "equity{query}: {}", r.text);
    }
    let bad = app.get("/api/summary/daily-pnl?quote=US-DT", &token).await;
    assert_eq!((bad.status, bad.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["quote".to_owned()]));
    // One clock, the market's: with the scheduler's last trade a week ahead of the server's clock, run 1 (started at
    // t1 by the server's clock) starts a week after t1 on the candles' clock: none of them is its yet.
    let ahead = gridbot_platform::db::types::MarketMark {
        trade_id: 1,
        time: Utc::now().timestamp_millis() + 7 * DAY_MS,
        price: Decimal::from(100_000),
    };
    app.db.market_marks().set(&symbol, &ahead).await.unwrap();
    let r = app.get(&path, &token).await.body;
    assert_eq!((r["generation"].as_u64(), r["days"].clone()), (Some(1), json!([])), "{r}");
    let (_, eve) = app.signup("eve@b.co").await;
    assert_eq!(app.get(&path, &eve).await.status, StatusCode::NOT_FOUND);
    let theirs = app.get("/api/summary/daily-pnl", &eve).await.body;
    assert_eq!((theirs["runs"].as_u64(), theirs["days"].clone()), (Some(0), json!([])));
    app.finish().await;
}
