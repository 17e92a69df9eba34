//! Bot locks, in one process and on Redis (127.0.0.1:6379): one holder at a time, and each hold learns the token of
//! the hold before it, so a holder can tell whether anyone else held the lock since its own last hold.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use gridbot_core::BotId;
use gridbot_platform::{Locks, Settings};

const WAIT: Duration = Duration::from_millis(300);

async fn succession(locks: Locks, other_process: Locks) {
    let bot = BotId(41);
    let first = locks.bot(bot, WAIT).await.unwrap().expect("a free lock is taken");
    assert_eq!(first.previous(), None, "never held before");
    let mine = first.token().to_owned();
    assert!(other_process.bot(bot, Duration::from_millis(50)).await.unwrap().is_none(), "one holder at a time");
    assert!(locks.bot(BotId(42), WAIT).await.unwrap().is_some(), "another bot has its own lock");
    drop(first);

    // Released (a Redis release is sent from a task: wait for it), the next hold learns the first one's token.
    let second = locks.bot(bot, Duration::from_secs(2)).await.unwrap().expect("released");
    assert_eq!(second.previous(), Some(mine.as_str()));
    assert_ne!(second.token(), mine, "every hold has a token of its own");
    let seconds = second.token().to_owned();
    drop(second);

    // A hold from another process in between shows: its token, not ours, is the previous one.
    let theirs = other_process.bot(bot, Duration::from_secs(2)).await.unwrap().expect("released");
    let theirs_token = theirs.token().to_owned();
    drop(theirs);
    let again = locks.bot(bot, Duration::from_secs(2)).await.unwrap().expect("released");
    assert_eq!(again.previous(), Some(theirs_token.as_str()));
    assert_ne!(again.previous(), Some(seconds.as_str()));
}

#[tokio::test]
async fn local_holds_know_their_predecessor() {
    let locks = Locks::local();
    // In one process every holder shares the map: the "other process" is the same one.
    succession(locks.clone(), locks).await;
}

#[tokio::test]
async fn redis_holds_know_their_predecessor() {
    let ns = format!("gbtest-{}", uuid::Uuid::new_v4().simple());
    let settings = Settings::postgres("postgres://postgres@127.0.0.1:5432/unused")
        .with_redis("redis://127.0.0.1:6379/")
        .with_namespace(&ns);
    let a = Locks::connect(&settings).await.unwrap();
    let b = Locks::connect(&settings).await.unwrap();
    succession(a, b).await;
}
