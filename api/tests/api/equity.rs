//! `GET /api/bots/{id}/equity`: the current run's paper book replayed from its fills and valued at each closed
//! 1-minute candle since it started; empty before a run; another user's bot is a 404.

use chrono::{DurationRound, TimeDelta, Utc};
use gridbot_core::{BotId, Candle, Decimal};
use gridbot_platform::{BotChange, Event, book::RunState};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::fixtures::{config, fake_run};
use crate::harness::{Backend, spawn_app};

both!(equity_of_a_run);

fn candle(open_time: i64, close: i64) -> Candle {
    let p = Decimal::from(close);
    Candle { open_time, open: p, high: p, low: p, close: p, volume: Decimal::ONE }
}

async fn equity_of_a_run(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, token) = app.signup("a@b.co").await;
    let body = json!({"strategy": "grid", "pair": "BTC/USDT", "mode": "paper", "config": config("500")});
    let id = app.post("/api/bots", Some(&token), body).await.body["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/bots/{id}/equity"), &token).await;
    assert_eq!((r.status, r.body.clone()), (StatusCode::OK, json!([])), "before a run: {}", r.text);

    let run = fake_run(&app.db, BotId(id), None).await;
    // The run started ten minutes ago; its fills were booked now.
    let mut state = RunState::from_bot(&app.db.bots().get(BotId(id)).await.unwrap()).unwrap().unwrap();
    state.started_at -= TimeDelta::minutes(10);
    app.db.bots().set_run_state(BotId(id), &state).await.unwrap();
    let bot = app.db.bots().get(BotId(id)).await.unwrap();
    let minute = |t: chrono::DateTime<Utc>| t.duration_trunc(TimeDelta::minutes(1)).unwrap().timestamp_millis();
    let (s0, now) = (minute(state.started_at), minute(Utc::now()));
    // A candle before the run (left out), the run's first (closed before any fill) and two after every fill.
    let closes = [(s0 - 60_000, 90_000), (s0, 100_000), (now + 60_000, 101_000), (now + 120_000, 99_000)];
    let candles: Vec<Candle> = closes.iter().map(|&(t, c)| candle(t, c)).collect();
    app.db.prices().upsert(&bot.symbol, &candles).await.unwrap();
    // A worker publishes what it wrote; the API's cached bot follows.
    app.rt.events.publish(Event::Bot { bot_id: BotId(id), change: BotChange::Status }).await;

    // Fees in USDT (fake_run's): quote = capital − buys + sells − fees; base = bought − sold.
    let (mut quote, mut base) = (Decimal::from(10_000), Decimal::ZERO);
    for (o, buy) in [(&run.initial, true), (&run.buy, true), (&run.sell, false)] {
        let notional = o.price.get() * o.amount.get();
        if buy {
            (quote, base) = (quote - notional, base + o.amount.get());
        } else {
            (quote, base) = (quote + notional, base - o.amount.get());
        }
        quote -= o.fee;
    }
    let r =
        app.wait_for(&format!("/api/bots/{id}/equity"), &token, |b| b.as_array().is_some_and(|a| !a.is_empty())).await;
    let mut want = vec![json!({"time": s0, "equity": "10000"})];
    want.extend(
        closes[2..]
            .iter()
            .map(|&(t, c)| json!({"time": t, "equity": (quote + base * Decimal::from(c)).normalize().to_string()})),
    );
    assert_eq!(r, Value::Array(want));

    let (_, eve) = app.signup("eve@b.co").await;
    let r = app.get(&format!("/api/bots/{id}/equity"), &eve).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    app.finish().await;
}
