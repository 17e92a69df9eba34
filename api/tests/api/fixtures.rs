//! A grid run written straight to the database, as a worker would have left it: run state, the initial buy, one
//! buy and its sell filled (a round trip), one buy and one sell resting; fills carry the engine's own P&L.

use chrono::Utc;
use gridbot_core::{
    BotId, ClientOrderId, Decimal, FeeAsset, GridEngine, Price, Qty, Side, SymbolFilters, strategy::GridParams,
};
use gridbot_platform::{
    Db,
    book::RunState,
    db::types::{Fill, NewOrder, Order, OrderStatus, Trade},
};
use serde_json::{Value, json};

pub const START: i64 = 100_000;

/// 20 arithmetic levels from 95,000 to 105,000: started at 100,000 the empty level is 9.
pub fn config(max_daily_loss: &str) -> Value {
    json!({"capital": "10000", "lower_bound": "95000", "upper_bound": "105000", "grid_levels": 20,
           "spacing": "arithmetic", "stop_loss_pct": "2", "take_profit_pct": null, "max_daily_loss": max_daily_loss})
}

/// What [`fake_run`] wrote.
#[derive(Debug)]
pub struct Run {
    pub engine: GridEngine,
    pub initial: Order,
    pub buy: Order,
    pub sell: Order,
    pub resting: Vec<Order>,
    /// Realized P&L booked by the fills.
    pub realized: Decimal,
}

pub async fn order(
    db: &Db,
    bot: BotId,
    id: ClientOrderId,
    side: Side,
    level: Option<u32>,
    price: Decimal,
    qty: Decimal,
) -> Order {
    db.orders()
        .insert(&NewOrder {
            bot,
            client_order_id: id.clone(),
            side,
            level,
            price: Price::new(price).unwrap(),
            amount: Qty::new(qty).unwrap(),
        })
        .await
        .unwrap();
    db.orders().by_client_id(&id).await.unwrap().unwrap()
}

pub async fn fill(db: &Db, o: &Order, fee: Decimal, pnl: Option<Decimal>) -> Order {
    let exchange_id = format!("x-{}", o.id);
    db.orders()
        .update_state(
            &o.client_order_id,
            Some(&exchange_id),
            OrderStatus::Filled,
            o.amount,
            Some(o.price),
            fee,
            Some("USDT"),
        )
        .await
        .unwrap();
    db.fills()
        .insert(&Fill {
            bot: o.bot,
            order_id: o.id,
            side: o.side,
            level: o.level,
            price: o.price,
            qty: o.amount,
            fee,
            fee_asset: Some("USDT".into()),
            fee_quote: None,
            exchange_trade_id: format!("order:{}", o.client_order_id),
            pnl,
            time: Utc::now(),
        })
        .await
        .unwrap();
    db.orders().by_client_id(&o.client_order_id).await.unwrap().unwrap()
}

/// Writes a run of `bot` (whose config is [`config`]) started at [`START`]; `extra_loss` adds a market sale of that
/// realized loss today (what a daily-loss test needs).
pub async fn fake_run(db: &Db, bot: BotId, extra_loss: Option<Decimal>) -> Run {
    let row = db.bots().get(bot).await.unwrap();
    let params: GridParams = serde_json::from_value(row.config.clone()).unwrap();
    // Fees in quote, as every fill below books them (and as runs started before fees in base were modelled).
    let cfg = params.to_config().unwrap().to_input();
    let cfg =
        gridbot_core::GridConfig::new(gridbot_core::GridConfigInput { fee_asset: FeeAsset::Quote, ..cfg }).unwrap();
    let filters = SymbolFilters::btcusdt();
    let start = Decimal::from(START);
    let mut engine = GridEngine::start(&cfg, &filters, start).unwrap();
    let generation = row.generation;
    let run = RunState {
        start_price: start,
        filters,
        generation,
        started_at: Utc::now(),
        fee_asset: FeeAsset::Quote,
        config: Some(serde_json::to_value(&params).unwrap()),
        stop: None,
    };
    db.bots().set_run_state(bot, &run).await.unwrap();

    let plan = engine.plan().clone();
    let (q, k) = (plan.qty, plan.empty_level);
    let lots = Decimal::from(plan.initial_lots);
    let initial = order(db, bot, ClientOrderId::initial(bot, generation), Side::Buy, None, start, q * lots).await;
    let initial = fill(db, &initial, (q * lots * start * plan.fee_rate).normalize(), None).await;

    let mut book = |side: Side, level: usize| {
        let before = engine.summary(Decimal::ZERO);
        engine.book_fill(side, level).unwrap();
        let after = engine.summary(Decimal::ZERO);
        let pnl = (side == Side::Sell).then(|| (after.realized_pnl - before.realized_pnl).normalize());
        ((after.fees_paid - before.fees_paid).normalize(), pnl)
    };
    let (lb, ls) = (k - 1, k);
    let (fee_b, _) = book(Side::Buy, lb);
    let (fee_s, pnl) = book(Side::Sell, ls);
    let buy = order(
        db,
        bot,
        ClientOrderId::grid(bot, generation, lb, Side::Buy, 0),
        Side::Buy,
        Some(lb as u32),
        plan.levels[lb],
        q,
    )
    .await;
    let buy = fill(db, &buy, fee_b, None).await;
    let sell = order(
        db,
        bot,
        ClientOrderId::grid(bot, generation, ls, Side::Sell, 0),
        Side::Sell,
        Some(ls as u32),
        plan.levels[ls],
        q,
    )
    .await;
    let sell = fill(db, &sell, fee_s, pnl).await;
    db.trades()
        .insert(&Trade {
            bot,
            buy_order_id: buy.id,
            sell_order_id: sell.id,
            profit: pnl.unwrap_or_default(),
            fees: fee_b + fee_s,
            created_at: Utc::now(),
        })
        .await
        .unwrap();

    // Resting now: the buy below the empty level and the sell above it.
    let mut resting = Vec::new();
    for (side, level) in [(Side::Buy, k - 1), (Side::Sell, k + 1)] {
        // The buy is the level's second order; the sell holds a lot of the initial buy (its first).
        let seq = u32::from(side == Side::Buy);
        let id = ClientOrderId::grid(bot, generation, level, side, seq);
        let o = order(db, bot, id.clone(), side, Some(level as u32), plan.levels[level], q).await;
        db.orders()
            .update_state(
                &id,
                Some("x-open"),
                OrderStatus::Open,
                Qty::new(Decimal::ZERO).unwrap(),
                None,
                Decimal::ZERO,
                None,
            )
            .await
            .unwrap();
        resting.push(db.orders().by_client_id(&o.client_order_id).await.unwrap().unwrap());
    }
    if let Some(loss) = extra_loss {
        let o = order(db, bot, ClientOrderId::stop(bot, generation), Side::Sell, None, start, q).await;
        fill(db, &o, Decimal::ZERO, Some(-loss)).await;
    }
    Run { engine, initial, buy, sell, resting, realized: pnl.unwrap_or_default() }
}

/// Cancels the orders [`fake_run`] left resting, as a stop does.
pub async fn cancel_resting(db: &Db, run: &Run) {
    for o in &run.resting {
        let zero = Qty::new(Decimal::ZERO).unwrap();
        db.orders()
            .update_state(&o.client_order_id, None, OrderStatus::Cancelled, zero, None, Decimal::ZERO, None)
            .await
            .unwrap();
    }
}
