//! Fills, trades, prices, paper balances, bot events and AI suggestions on every backend.

use chrono::{DateTime, Utc};
use gridbot_core::{BotId, Candle, ClientOrderId, Price, Qty, Side, Symbol};
use gridbot_platform::DbError;
use gridbot_platform::db::types::{
    BotEvent, BotStatus, Fill, NewBot, NewOrder, SuggestionSource, SuggestionStatus, Trade,
};
use rust_decimal_macros::dec;

use crate::both;
use crate::harness::Fresh;
use crate::suite::bot;

both!(
    fills_are_unique_per_bot_and_exact,
    fills_after_each_bots_mark,
    realized_since_counts_every_run_of_a_bot_and_of_an_account,
    trades_round_trip,
    prices_upsert_and_range,
    balances_events_suggestions
);

async fn order(f: &Fresh, b: BotId, coid: &str, side: Side) -> i64 {
    let new = NewOrder {
        bot: b,
        client_order_id: ClientOrderId::parse(coid).unwrap(),
        side,
        level: Some(1),
        price: Price::new(dec!(100)).unwrap(),
        amount: Qty::new(dec!(1)).unwrap(),
    };
    f.db.orders().insert(&new).await.unwrap().id
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap()
}

/// What a kept ledger reads: each bot's fills after the last one it read, in booking order, never another bot's.
async fn fills_after_each_bots_mark(f: &Fresh) {
    let (a, b, other) = (bot(f).await, bot(f).await, bot(f).await);
    let mut ids: Vec<(BotId, i64)> = Vec::new();
    // Interleaved as concurrent jobs book them: a, b, other, a, b, other, ...
    for i in 0..3 {
        for (n, who) in [a, b, other].into_iter().enumerate() {
            let o = order(f, who, &format!("gb{}-0-{i}b{n}", who.0), Side::Buy).await;
            let fill = Fill {
                bot: who,
                order_id: o,
                side: Side::Buy,
                level: Some(1),
                price: Price::new(dec!(100)).unwrap(),
                qty: Qty::new(dec!(1)).unwrap(),
                fee: dec!(0.001),
                fee_asset: Some("BTC".into()),
                fee_quote: None,
                exchange_trade_id: format!("t{i}"),
                pnl: None,
                time: at(1_700_000_000_000 + i),
            };
            f.db.fills().insert(&fill).await.unwrap();
        }
    }
    for who in [a, b, other] {
        for (id, fill) in f.db.fills().after(&[(who, 0)]).await.unwrap() {
            assert_eq!(fill.bot, who, "only the bot asked for");
            ids.push((who, id));
        }
    }
    let of = |who: BotId| ids.iter().filter(|(b, _)| *b == who).map(|(_, id)| *id).collect::<Vec<_>>();
    let (a_ids, b_ids) = (of(a), of(b));
    assert_eq!((a_ids.len(), b_ids.len(), of(other).len()), (3, 3, 3));
    let read = f.db.fills().after(&[(a, a_ids[0]), (b, 0)]).await.unwrap();
    let got: Vec<(BotId, i64)> = read.iter().map(|(id, fill)| (fill.bot, *id)).collect();
    let mut want = vec![(a, a_ids[1]), (a, a_ids[2]), (b, b_ids[0]), (b, b_ids[1]), (b, b_ids[2])];
    want.sort_by_key(|(_, id)| *id);
    assert_eq!(got, want, "a's after its mark, all of b's, in booking order, none of the other bot's");
    assert!(f.db.fills().after(&[(a, a_ids[2]), (b, b_ids[2])]).await.unwrap().is_empty(), "nothing new");
    assert!(f.db.fills().after(&[]).await.unwrap().is_empty());
    let many: Vec<(BotId, i64)> = (0..250).map(|i| (BotId(10_000 + i), 0)).chain([(b, b_ids[1])]).collect();
    let read = f.db.fills().after(&many).await.unwrap();
    assert_eq!(read.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![b_ids[2]], "over several statements");
}

async fn fills_are_unique_per_bot_and_exact(f: &Fresh) {
    let b = bot(f).await;
    let o = order(f, b, "gb1-0-1b0", Side::Buy).await;
    let fill = Fill {
        bot: b,
        order_id: o,
        side: Side::Buy,
        level: Some(1),
        price: Price::new(dec!(0.00000001)).unwrap(),
        qty: Qty::new(dec!(123456789.123456789012)).unwrap(),
        fee: dec!(0.00000001),
        fee_asset: Some("BNB".into()),
        fee_quote: None,
        exchange_trade_id: "t1".into(),
        pnl: Some(dec!(-0.5)),
        time: at(1_700_000_000_000),
    };
    f.db.fills().insert(&fill).await.unwrap();
    assert!(matches!(f.db.fills().insert(&fill).await, Err(DbError::Conflict(_))));
    let other = bot(f).await;
    let o2 = order(f, other, "gb2-0-1b0", Side::Buy).await;
    f.db.fills().insert(&Fill { bot: other, order_id: o2, ..fill.clone() }).await.unwrap();
    assert_eq!(f.db.fills().list_for_bot(b).await.unwrap(), vec![fill]);
}

/// Fills at or after `since`, of every generation, summed exactly; per bot of one user's account.
async fn realized_since_counts_every_run_of_a_bot_and_of_an_account(f: &Fresh) {
    let midnight = at(1_767_312_000_000); // 2026-01-02 00:00:00 UTC
    let hour = chrono::Duration::hours(1);
    let b1 = bot(f).await;
    let user = f.db.bots().get(b1).await.unwrap().user_id;
    let same_user = NewBot {
        user_id: user,
        strategy: "grid".into(),
        symbol: "ETH/USDT".parse().unwrap(),
        mode: gridbot_platform::db::types::BotMode::Paper,
        config: serde_json::json!({}),
    };
    let b2 = f.db.bots().create(&same_user).await.unwrap().id;
    let b3 = bot(f).await; // another user's
    let fills = [
        (b1, "gb1-0-1s0", Some(dec!(-10)), midnight + hour),
        (b1, "gb1-1-2s0", Some(dec!(3.25)), midnight + hour + hour),
        (b1, "gb1-1-1b0", None, midnight + hour),
        (b1, "gb1-0-stop", Some(dec!(-100)), midnight - chrono::Duration::milliseconds(1)),
        (b1, "gb1-1-3s0", Some(dec!(0.00000001)), midnight),
        (b2, "gb2-0-1s0", Some(dec!(1.5)), midnight + hour),
        (b3, "gb3-0-1s0", Some(dec!(99)), midnight + hour),
    ];
    for (i, (b, coid, pnl, time)) in fills.into_iter().enumerate() {
        let side = if pnl.is_some() { Side::Sell } else { Side::Buy };
        let o = order(f, b, coid, side).await;
        let fill = Fill {
            bot: b,
            order_id: o,
            side,
            level: Some(1),
            price: Price::new(dec!(100)).unwrap(),
            qty: Qty::new(dec!(1)).unwrap(),
            fee: dec!(0.1),
            fee_asset: Some("USDT".into()),
            fee_quote: None,
            exchange_trade_id: format!("t{i}"),
            pnl,
            time,
        };
        f.db.fills().insert(&fill).await.unwrap();
    }
    assert_eq!(f.db.fills().realized_since(b1, midnight).await.unwrap(), dec!(-6.74999999));
    assert_eq!(f.db.fills().realized_since(b1, midnight - hour).await.unwrap(), dec!(-106.74999999));
    let account = f.db.fills().realized_since_by_bot(user, midnight).await.unwrap();
    assert_eq!(account, [(b1, dec!(-6.74999999)), (b2, dec!(1.5))].into_iter().collect());
    assert_eq!(f.db.fills().realized_since(b2, midnight + hour + hour).await.unwrap(), dec!(0));
}

async fn trades_round_trip(f: &Fresh) {
    let b = bot(f).await;
    let buy = order(f, b, "gb1-0-1b0", Side::Buy).await;
    let sell = order(f, b, "gb1-0-2s0", Side::Sell).await;
    let t = Trade {
        bot: b,
        buy_order_id: buy,
        sell_order_id: sell,
        profit: dec!(-0.5),
        fees: dec!(123456789.123456789012),
        created_at: at(1_700_000_000_123),
    };
    assert!(f.db.trades().insert(&t).await.unwrap(), "recorded");
    // One round trip per sell: a second one for the same sell is refused, the first stays as it was.
    let again = Trade { profit: dec!(7), ..t.clone() };
    assert!(!f.db.trades().insert(&again).await.unwrap(), "not recorded twice");
    assert_eq!(f.db.trades().list_for_bot(b).await.unwrap(), vec![t]);
}

async fn prices_upsert_and_range(f: &Fresh) {
    let sym: Symbol = "BTCUSDT".parse().unwrap();
    let c = |t: i64, close| Candle {
        open_time: t,
        open: dec!(0.00000001),
        high: dec!(123456789.123456789012),
        low: dec!(0.00000001),
        close,
        volume: dec!(10),
    };
    f.db.prices().upsert(&sym, &[c(60_000, dec!(1)), c(120_000, dec!(2))]).await.unwrap();
    f.db.prices().upsert(&sym, &[c(120_000, dec!(3)), c(180_000, dec!(4))]).await.unwrap();
    f.db.prices().upsert(&sym, &[]).await.unwrap();
    let got = f.db.prices().range(&sym, at(0), at(180_000)).await.unwrap();
    assert_eq!(got, vec![c(60_000, dec!(1)), c(120_000, dec!(3))]);
    let eth: Symbol = "ETHUSDT".parse().unwrap();
    assert!(f.db.prices().range(&eth, at(0), at(1_000_000)).await.unwrap().is_empty());
}

async fn balances_events_suggestions(f: &Fresh) {
    let b = bot(f).await;
    let user = f.db.bots().get(b).await.unwrap().user_id;
    let pb = f.db.paper_balances();
    pb.set(user, "USDT", dec!(1000), dec!(0)).await.unwrap();
    pb.set(user, "USDT", dec!(123456789.123456789012), dec!(0.00000001)).await.unwrap();
    pb.set(user, "BTC", dec!(-0.5), dec!(0)).await.unwrap();
    let got = pb.list(user).await.unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[1].asset.as_str(), got[1].free, got[1].locked),
        ("USDT", dec!(123456789.123456789012), dec!(0.00000001))
    );
    assert_eq!(got[0].free, dec!(-0.5));

    let ev = BotEvent {
        bot: b,
        kind: "status".into(),
        from_status: Some(BotStatus::Stopped),
        to_status: Some(BotStatus::Starting),
        reason: Some("user start".into()),
        created_at: at(1_700_000_000_000),
    };
    f.db.bot_events().record(&ev).await.unwrap();
    assert_eq!(f.db.bot_events().list_for_bot(b).await.unwrap(), vec![ev]);

    let ai = f.db.ai_suggestions();
    let pair: Symbol = "ETH/USDT".parse().unwrap();
    let s = ai.create(None, Some(&pair), serde_json::json!({"q": 1}), SuggestionSource::Heuristic).await.unwrap();
    assert_eq!((s.status, s.pair.as_ref()), (SuggestionStatus::Pending, Some(&pair)));
    ai.complete(s.id, serde_json::json!({"levels": 12}), serde_json::json!({"pnl": "1.5"})).await.unwrap();
    ai.set_status(s.id, SuggestionStatus::Accepted).await.unwrap();
    let back = ai.get(s.id).await.unwrap();
    assert_eq!(back.status, SuggestionStatus::Accepted);
    assert_eq!(back.backtest, Some(serde_json::json!({"pnl": "1.5"})));
    assert!(matches!(ai.set_status(9_999, SuggestionStatus::Rejected).await, Err(DbError::NotFound { .. })));
}
