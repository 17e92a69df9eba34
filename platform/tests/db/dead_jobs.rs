//! Job records and the quarantine: a delivery's record is written once (a second `begin` of the same task returns
//! the first one and writes nothing) and goes at its end; dead jobs are listed per user, newest first, in pages, and
//! all of them for the operator; deleting a bot deletes its dead jobs.

use gridbot_core::BotId;
use gridbot_platform::db::{
    NewDeadJob,
    types::{BotMode, DeadJobKind, NewBot},
};
use serde_json::json;

use crate::both;
use crate::harness::Fresh;

both!(a_delivery_is_recorded_once_until_it_ends, dead_jobs_are_listed_per_user_newest_first);

async fn bot(f: &Fresh) -> (i64, BotId) {
    let user = f.db.users().create(&format!("{}@x.io", uuid::Uuid::new_v4().simple()), "h").await.unwrap();
    let new = NewBot {
        user_id: user.id,
        strategy: "grid".into(),
        symbol: "BTC/USDT".parse().unwrap(),
        mode: BotMode::Paper,
        config: json!({}),
    };
    (user.id, f.db.bots().create(&new).await.unwrap().id)
}

async fn a_delivery_is_recorded_once_until_it_ends(f: &Fresh) {
    let (_, bot) = bot(f).await;
    let jobs = f.db.running_jobs();
    assert_eq!(jobs.begin("01TASK", bot, "place_grid", "pid1-a").await.unwrap(), None, "the first delivery");
    assert_eq!(jobs.begin("01OTHER", bot, "reconcile_fills", "pid1-a").await.unwrap(), None, "another task");
    let found = jobs.begin("01TASK", bot, "place_grid", "pid2-b").await.unwrap().expect("the first one's record");
    assert_eq!((found.task_id.as_str(), found.bot, found.job.as_str()), ("01TASK", bot, "place_grid"));
    assert_eq!(found.owner, "pid1-a", "the second delivery wrote nothing");
    assert_eq!(jobs.get("01TASK").await.unwrap(), Some(found));
    jobs.end("01TASK").await.unwrap();
    assert_eq!(jobs.get("01TASK").await.unwrap(), None);
    jobs.end("01TASK").await.unwrap();
    assert!(jobs.get("01OTHER").await.unwrap().is_some(), "only its own record goes");
    assert_eq!(jobs.begin("01TASK", bot, "place_grid", "pid3-c").await.unwrap(), None, "ended: a new record");
}

async fn dead_jobs_are_listed_per_user_newest_first(f: &Fresh) {
    let (alice, a) = bot(f).await;
    let (bob, b) = bot(f).await;
    let dead = f.db.dead_jobs();
    let bury = |bot: BotId, user: i64, n: i64, kind: DeadJobKind| {
        let reason = format!("reason {n}");
        async move {
            let job = json!({"job": "reconcile_fills", "bot": bot.0, "reason": "tick", "price": null});
            let new = NewDeadJob {
                bot,
                user_id: user,
                job_name: "reconcile_fills",
                job,
                task_id: Some("01TASK"),
                kind,
                reason: &reason,
            };
            dead.record(&new).await.unwrap()
        }
    };
    let mut ids = vec![];
    for n in 0..5 {
        ids.push(bury(a, alice, n, if n % 2 == 0 { DeadJobKind::Crashed } else { DeadJobKind::Failed }).await);
    }
    let bobs = bury(b, bob, 9, DeadJobKind::Failed).await;

    let page = dead.list_for_user(alice, None, 3).await.unwrap();
    let got: Vec<i64> = page.iter().map(|d| d.id).collect();
    assert_eq!(got, vec![ids[4], ids[3], ids[2]], "newest first, at most the limit");
    let d = &page[0];
    assert_eq!((d.bot, d.user_id, d.kind, d.reason.as_str()), (a, alice, DeadJobKind::Crashed, "reason 4"));
    assert_eq!((d.job_name.as_str(), d.task_id.as_deref()), ("reconcile_fills", Some("01TASK")));
    assert_eq!(d.job, json!({"job": "reconcile_fills", "bot": a.0, "reason": "tick", "price": null}));
    let next = dead.list_for_user(alice, Some(ids[2]), 3).await.unwrap();
    assert_eq!(next.iter().map(|d| d.id).collect::<Vec<_>>(), vec![ids[1], ids[0]], "the next page");
    assert_eq!(dead.list_for_user(bob, None, 10).await.unwrap().iter().map(|d| d.id).collect::<Vec<_>>(), vec![bobs]);

    let all = dead.list(None).await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all[0].id, bobs, "the operator sees every user's, newest first");
    assert_eq!(dead.list(Some(2)).await.unwrap().len(), 2);

    assert!(f.db.bots().delete_if_idle(a).await.unwrap());
    assert!(dead.list_for_user(alice, None, 10).await.unwrap().is_empty(), "they go with their bot");
}
