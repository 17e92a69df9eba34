//! `Db::write`: writes made at once are each committed (on SQLite by the one task holding the writer, together); a
//! write that fails gets its own error and leaves nothing behind, and the writes beside it are committed.

use gridbot_core::{BotId, ClientOrderId, Price, Qty, Side};
use gridbot_platform::DbError;
use gridbot_platform::db::types::NewOrder;
use rust_decimal_macros::dec;

use crate::both;
use crate::harness::Fresh;
use crate::suite::bot;

both!(writes_made_at_once_each_commit_and_a_failed_one_leaves_nothing);

fn order(bot: BotId, level: usize) -> NewOrder {
    NewOrder {
        bot,
        client_order_id: ClientOrderId::parse(&format!("gb{}-0-{level}b0", bot.0)).unwrap(),
        side: Side::Buy,
        level: Some(u32::try_from(level).unwrap()),
        price: Price::new(dec!(100)).unwrap(),
        amount: Qty::new(dec!(0.1)).unwrap(),
    }
}

/// Every sixth write inserts its order, then the same order again: the second insert fails, so its write fails.
fn fails(i: usize) -> bool {
    i % 6 == 5
}

async fn writes_made_at_once_each_commit_and_a_failed_one_leaves_nothing(f: &Fresh) {
    let b = bot(f).await;
    let writes: Vec<_> = (0..24)
        .map(|i| {
            let db = f.db.clone();
            tokio::spawn(async move {
                db.write(move |tx| {
                    Box::pin(async move {
                        let first = tx.orders().insert(&order(b, i)).await?;
                        if fails(i) {
                            tx.orders().insert(&order(b, i)).await?;
                        }
                        Ok(first.id)
                    })
                })
                .await
            })
        })
        .collect();
    for (i, w) in writes.into_iter().enumerate() {
        let written = w.await.unwrap();
        if fails(i) {
            assert!(matches!(written, Err(DbError::DuplicateClientOrderId(_))), "write {i}: {written:?}");
        } else {
            assert!(written.is_ok(), "write {i}: {written:?}");
        }
    }
    for i in 0..24 {
        let found = f.db.orders().by_client_id(&order(b, i).client_order_id).await.unwrap();
        assert_eq!(found.is_some(), !fails(i), "order of write {i}");
    }
}
