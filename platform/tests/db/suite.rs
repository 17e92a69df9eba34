//! The checks every backend must pass.

use gridbot_core::{BotId, ClientOrderId, Price, Qty, Side};
use gridbot_platform::db::types::{BotMode, BotStatus, Fill, NewBot, NewOrder, OrderStatus};
use gridbot_platform::{DbError, connect, migrate};
use rust_decimal_macros::dec;

use crate::both;
use crate::harness::Fresh;

both!(
    orders_round_trip_decimals,
    duplicate_client_order_id_is_typed,
    paper_orders_rest_as_written,
    order_status_changes_are_compare_and_set,
    migrations_twice_change_nothing,
    bots_and_users,
    unsettled_and_booked_orders,
    resting_orders_fill_together
);

pub async fn bot(f: &Fresh) -> BotId {
    let user = f.db.users().create(&format!("{}@x.io", uuid::Uuid::new_v4().simple()), "$2b$12$hash").await.unwrap();
    let new = NewBot {
        user_id: user.id,
        strategy: "grid".into(),
        symbol: "BTC/USDT".parse().unwrap(),
        mode: BotMode::Paper,
        config: serde_json::json!({"levels": 10, "lower": "100.5"}),
    };
    f.db.bots().create(&new).await.unwrap().id
}

fn new_order(bot: BotId, coid: &str, price: gridbot_core::Decimal, qty: gridbot_core::Decimal) -> NewOrder {
    NewOrder {
        bot,
        client_order_id: ClientOrderId::parse(coid).unwrap(),
        side: Side::Buy,
        level: Some(3),
        price: Price::new(price).unwrap(),
        amount: Qty::new(qty).unwrap(),
    }
}

async fn orders_round_trip_decimals(f: &Fresh) {
    let b = bot(f).await;
    let o =
        f.db.orders().insert(&new_order(b, "gb1-0-3b0", dec!(0.00000001), dec!(123456789.123456789012))).await.unwrap();
    assert_eq!(o.price.get(), dec!(0.00000001));
    assert_eq!(o.amount.get(), dec!(123456789.123456789012));
    let id = o.client_order_id.clone();
    f.db.orders()
        .update_state(
            &id,
            Some("42"),
            OrderStatus::PartiallyFilled,
            Qty::new(dec!(0.5)).unwrap(),
            None,
            dec!(-0.5),
            Some("BNB"),
        )
        .await
        .unwrap();
    let back = f.db.orders().by_client_id(&id).await.unwrap().unwrap();
    assert_eq!(back.price.get(), dec!(0.00000001));
    assert_eq!(back.amount.get(), dec!(123456789.123456789012));
    assert_eq!(back.fee, dec!(-0.5));
    assert_eq!(back.status, OrderStatus::PartiallyFilled);
    assert_eq!(back.exchange_order_id.as_deref(), Some("42"));
    assert_eq!(back.level, Some(3));
    assert_eq!(f.db.orders().list_for_bot(b).await.unwrap().len(), 1);
}

/// Two writers can never both fill, or fill and cancel, one order: only a live order (or one already in the state
/// written) changes, and the loser is answered with the winner's state.
async fn order_status_changes_are_compare_and_set(f: &Fresh) {
    let b = bot(f).await;
    let o = f.db.orders().insert(&new_order(b, "gb1-0-2b0", dec!(100), dec!(1))).await.unwrap();
    let (id, qty) = (o.client_order_id.clone(), Qty::new(dec!(1)).unwrap());
    let price = Some(Price::new(dec!(100)).unwrap());
    let orders = f.db.orders();
    let open = orders.update_state(&id, Some("7"), OrderStatus::Open, Qty::ZERO, None, dec!(0), None).await.unwrap();
    assert_eq!(open.status, OrderStatus::Open);
    let filled = orders.update_state(&id, Some("7"), OrderStatus::Filled, qty, price, dec!(0.001), Some("BTC")).await;
    let filled = filled.unwrap();
    assert_eq!(filled.status, OrderStatus::Filled);
    assert!(filled.updated_at > open.updated_at, "a fill is the order's new time");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    // A cancel that comes second is refused: the order stays filled, with its fee.
    let cancel = orders.update_state(&id, Some("7"), OrderStatus::Cancelled, Qty::ZERO, None, dec!(0), None).await;
    let cancel = cancel.unwrap();
    assert_eq!(
        (cancel.status, cancel.fee, cancel.fee_asset.as_deref()),
        (OrderStatus::Filled, dec!(0.001), Some("BTC"))
    );
    // Writing the state it is in again (a fee recorded later) is allowed; reopening it is not.
    let again = orders.update_state(&id, Some("7"), OrderStatus::Filled, qty, price, dec!(0.002), Some("BTC")).await;
    let again = again.unwrap();
    assert_eq!(again.fee, dec!(0.002));
    // Its time stays the fill's: books take fills in the order they happened, by that time.
    assert_eq!(again.updated_at, filled.updated_at, "recording a filled order again keeps its fill time");
    let reopen = orders.update_state(&id, Some("7"), OrderStatus::Open, Qty::ZERO, None, dec!(0), None).await;
    assert_eq!(reopen.unwrap().status, OrderStatus::Filled);
    // And the other way round: a cancelled order is never filled.
    let c = f.db.orders().insert(&new_order(b, "gb1-0-3b0", dec!(100), dec!(1))).await.unwrap();
    let cid = c.client_order_id.clone();
    orders.update_state(&cid, None, OrderStatus::Cancelled, Qty::ZERO, None, dec!(0), None).await.unwrap();
    let late = orders.update_state(&cid, Some("8"), OrderStatus::Filled, qty, price, dec!(0.001), Some("BTC")).await;
    assert_eq!(late.unwrap().status, OrderStatus::Cancelled);
}

async fn duplicate_client_order_id_is_typed(f: &Fresh) {
    let b = bot(f).await;
    let o = new_order(b, "gb1-0-1b0", dec!(100), dec!(1));
    f.db.orders().insert(&o).await.unwrap();
    match f.db.orders().insert(&o).await {
        Err(DbError::DuplicateClientOrderId(id)) => assert_eq!(id, "gb1-0-1b0"),
        other => panic!("expected DuplicateClientOrderId, got {other:?}"),
    }
}

/// A paper limit order recorded resting as it is written: open, with its paper exchange id, once per client id.
async fn paper_orders_rest_as_written(f: &Fresh) {
    let b = bot(f).await;
    let o = new_order(b, "gb1-0-2s0", dec!(101.5), dec!(0.25));
    let rested = f.db.orders().insert_open(&o).await.unwrap();
    assert_eq!(rested.status, OrderStatus::Open);
    assert_eq!(rested.exchange_order_id.as_deref(), Some("paper-gb1-0-2s0"));
    assert_eq!((rested.price.get(), rested.amount.get(), rested.filled.get()), (dec!(101.5), dec!(0.25), dec!(0)));
    let read = f.db.orders().by_client_id(&o.client_order_id).await.unwrap().unwrap();
    assert_eq!((read.id, read.status), (rested.id, OrderStatus::Open));
    let resting = f.db.orders().list_with_status(b, &[OrderStatus::Open]).await.unwrap();
    assert_eq!(resting.iter().map(|o| o.id).collect::<Vec<_>>(), vec![rested.id], "it rests for the matcher");
    assert_eq!(f.db.orders().resting_left(&[b]).await.unwrap().len(), 1, "and locks the paper account's funds");
    match f.db.orders().insert_open(&o).await {
        Err(DbError::DuplicateClientOrderId(id)) => assert_eq!(id, "gb1-0-2s0"),
        other => panic!("expected DuplicateClientOrderId, got {other:?}"),
    }
}

async fn migrations_twice_change_nothing(f: &Fresh) {
    let b = bot(f).await;
    migrate(&f.db).await.unwrap();
    let again = connect(&f.settings).await.unwrap();
    migrate(&again).await.unwrap();
    assert_eq!(again.bots().get(b).await.unwrap().status, BotStatus::Stopped);
    again.close().await.unwrap();
}

async fn bots_and_users(f: &Fresh) {
    let b = bot(f).await;
    let bots = f.db.bots();
    bots.set_status(b, BotStatus::Error, Some("exchange down")).await.unwrap();
    assert_eq!(bots.bump_generation(b).await.unwrap(), 1);
    let got = bots.get(b).await.unwrap();
    assert_eq!((got.status, got.stop_reason.as_deref()), (BotStatus::Error, Some("exchange down")));
    assert_eq!(got.config["lower"], "100.5");
    assert!(matches!(bots.get(BotId(999_999)).await, Err(DbError::NotFound { .. })));
    let u = f.db.users().get(got.user_id).await.unwrap();
    assert!(matches!(f.db.users().create(&u.email, "h").await, Err(DbError::Conflict(_))));
    f.db.users().set_api_keys(u.id, "enc-key", "enc-secret").await.unwrap();
    assert_eq!(f.db.users().by_email(&u.email).await.unwrap().unwrap().api_key_enc.as_deref(), Some("enc-key"));
}

/// What a paper job reads again in one statement (the live and the filled, unbooked orders, and the orders it names
/// whatever became of them), and what the account's ledgers read (the orders fills were booked for).
async fn unsettled_and_booked_orders(f: &Fresh) {
    let (b, other) = (bot(f).await, bot(f).await);
    let orders = f.db.orders();
    let mut ids = Vec::new();
    for (coid, status) in [
        ("gb1-0-1b0", OrderStatus::Open),
        ("gb1-0-2b0", OrderStatus::Filled),
        ("gb1-0-3b0", OrderStatus::Filled),
        ("gb1-0-4b0", OrderStatus::Cancelled),
        ("gb1-0-5b0", OrderStatus::Cancelled),
    ] {
        let o = orders.insert(&new_order(b, coid, dec!(100), dec!(1))).await.unwrap();
        let filled = if status == OrderStatus::Filled { dec!(1) } else { dec!(0) };
        let (qty, price) = (Qty::new(filled).unwrap(), Some(Price::new(dec!(100)).unwrap()));
        orders.update_state(&o.client_order_id, None, status, qty, price, dec!(0), None).await.unwrap();
        ids.push(o.id);
    }
    let theirs = orders.insert(&new_order(other, "gb2-0-1b0", dec!(100), dec!(1))).await.unwrap();
    let fill = |bot, order_id| Fill {
        bot,
        order_id,
        side: Side::Buy,
        level: Some(3),
        price: Price::new(dec!(100)).unwrap(),
        qty: Qty::new(dec!(1)).unwrap(),
        fee: dec!(0.001),
        fee_asset: Some("BTC".into()),
        fee_quote: None,
        exchange_trade_id: format!("order:{order_id}"),
        pnl: None,
        time: chrono::Utc::now(),
    };
    // The second order's fill is booked, the third's not yet.
    f.db.fills().insert(&fill(b, ids[1])).await.unwrap();
    f.db.fills().insert(&fill(other, theirs.id)).await.unwrap();

    let read = |os: Vec<gridbot_platform::db::types::Order>| os.iter().map(|o| o.id).collect::<Vec<_>>();
    assert_eq!(read(orders.unsettled(b, &[]).await.unwrap()), vec![ids[0], ids[2]], "live, and filled unbooked");
    let named = orders.unsettled(b, &[ids[0], ids[3]]).await.unwrap();
    assert_eq!(read(named), vec![ids[0], ids[2], ids[3]], "and the ones named, whatever became of them");
    let foreign = orders.unsettled(b, &[theirs.id]).await.unwrap();
    assert_eq!(read(foreign), vec![ids[0], ids[2]], "never another bot's order, even named");
    assert_eq!(read(orders.filled_of(&[b]).await.unwrap()), vec![ids[1]]);
    assert_eq!(read(orders.filled_of(&[b, other]).await.unwrap()), vec![ids[1], theirs.id]);
    assert!(orders.filled_of(&[]).await.unwrap().is_empty());
}

/// The matcher's fills of a move in one statement: each order still resting fills whole at its own price with its own
/// fee; one that left the book stays as it is and is not returned; one filled before is filled again unchanged, its
/// time kept.
async fn resting_orders_fill_together(f: &Fresh) {
    let b = bot(f).await;
    let orders = f.db.orders();
    let resting = [("gb1-0-1b0", dec!(99.5)), ("gb1-0-2b0", dec!(98)), ("gb1-0-3s0", dec!(101.25))];
    let resting: Vec<NewOrder> = resting.iter().map(|(coid, price)| new_order(b, coid, *price, dec!(0.5))).collect();
    orders.insert_resting(&resting).await.unwrap();
    let none = Qty::ZERO;
    let gone = ClientOrderId::parse("gb1-0-2b0").unwrap();
    orders.update_state(&gone, None, OrderStatus::Cancelled, none, None, dec!(0), None).await.unwrap();
    let whole = |coid: &str, fee, asset: &str| gridbot_platform::db::WholeFill {
        id: ClientOrderId::parse(coid).unwrap(),
        fee,
        fee_asset: asset.to_owned(),
    };
    let fills = [
        whole("gb1-0-1b0", dec!(0.0005), "BTC"),
        whole("gb1-0-2b0", dec!(0.0005), "BTC"),
        whole("gb1-0-3s0", dec!(0.0506), "USDT"),
    ];
    let mut filled = orders.fill_resting(&fills).await.unwrap();
    filled.sort_by_key(|o| o.id);
    let got: Vec<_> = filled.iter().map(|o| (o.client_order_id.as_str(), o.status, o.filled.get(), o.fee)).collect();
    assert_eq!(
        got,
        vec![
            ("gb1-0-1b0", OrderStatus::Filled, dec!(0.5), dec!(0.0005)),
            ("gb1-0-3s0", OrderStatus::Filled, dec!(0.5), dec!(0.0506))
        ],
        "the cancelled one left the book"
    );
    assert_eq!(filled[1].avg_fill_price.map(|p| p.get()), Some(dec!(101.25)), "at its own price");
    assert_eq!(filled[1].fee_asset.as_deref(), Some("USDT"));
    let cancelled = orders.by_client_id(&gone).await.unwrap().unwrap();
    assert_eq!((cancelled.status, cancelled.fee), (OrderStatus::Cancelled, dec!(0)));
    // The same move written again (a retried transaction): nothing changes, the fills keep their time.
    let again = orders.fill_resting(&fills[..1]).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].status, again[0].fee, again[0].updated_at),
        (OrderStatus::Filled, dec!(0.0005), filled[0].updated_at)
    );
    assert!(orders.fill_resting(&[]).await.unwrap().is_empty());
}
