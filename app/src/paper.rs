//! The paper venue's matcher, run by the scheduler on every market trade. It keeps each paper bot's grid as the
//! engine of `spec/grid.md` and moves it along the trade path: an order fills at its own price when the path touches
//! it, and its counter-order rests in the paper book from that instant (written at once, as an exchange would place
//! it), whatever the worker's latency — so a paper bot books what the backtest of the same prices books. The worker
//! then books the fills and finds the counter-orders already resting. Stops are left to the worker's risk check.

use std::collections::{HashMap, HashSet};

use gridbot_core::{
    BotId, ClientOrderId, Decimal, FeeAsset, GridEngine, Price, Qty, Side, Symbol, engine::OrderIntent,
};
use gridbot_platform::{
    Db, DbError,
    book::{GridBook, RunState, charged_fee, next_to_book},
    db::{
        ConnectionTrait, Orders, WholeFill,
        types::{Bot, BotMode, NewOrder, Order, OrderStatus},
    },
};

/// The prices at which a bot's grid needs attention: its highest resting buy, its lowest resting sell, and its stop
/// prices. A tick strictly between `low()` and `high()` changes nothing.
#[derive(Debug, Clone, Default)]
pub struct Triggers {
    pub buy: Option<Decimal>,
    pub sell: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
    pub take_profit: Option<Decimal>,
    /// A paper bot's book (a live bot's exchange matches its orders).
    pub paper: Option<PaperBook>,
    pub fees: PaperFees,
}

/// How the paper venue charges a bot's fills: its fee rate, paid as `asset` says (Binance's default, `base`,
/// charges a buy in the base it delivers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaperFees {
    pub rate: Decimal,
    pub asset: FeeAsset,
}

impl PaperFees {
    /// The commission of a fill of `qty` at `price` on `symbol`, and the asset it is paid in.
    pub fn commission(&self, symbol: &Symbol, side: Side, qty: Decimal, price: Decimal) -> (Decimal, String) {
        match (self.asset, side) {
            (FeeAsset::Base, Side::Buy) => ((qty * self.rate).normalize(), symbol.base().to_owned()),
            _ => ((qty * price * self.rate).normalize(), symbol.quote().to_owned()),
        }
    }
}

/// A paper bot's grid as the matcher moves it: every fill recorded in the database booked, the ones the worker has
/// not booked yet included.
#[derive(Debug, Clone)]
pub struct PaperBook {
    bot: BotId,
    generation: u32,
    engine: GridEngine,
}

/// One paper fill: the order that filled and the counter-order that rests from then on (none once the move reached
/// a stop: the worker stops the bot).
#[derive(Debug, Clone)]
pub struct PaperFill {
    pub filled: OrderIntent,
    pub counter: Option<OrderIntent>,
}

impl PaperBook {
    /// Moves the grid from `a` to `b`; returns the fills, in the spec's order (stops are the worker's).
    pub fn on_move(&mut self, a: Decimal, b: Decimal) -> Vec<PaperFill> {
        if self.engine.is_stopped() {
            return Vec::new();
        }
        let before = self.engine.resting_orders();
        let Ok(fills) = self.engine.on_segment(a, b) else { return Vec::new() };
        if fills.is_empty() {
            return Vec::new();
        }
        let after = self.engine.resting_orders();
        fills
            .into_iter()
            .filter_map(|(side, level)| {
                let filled = before.iter().find(|o| o.side == side && o.level == Some(level))?.clone();
                let next = if side == Side::Buy { level + 1 } else { level - 1 };
                let counter = after.iter().find(|o| o.level == Some(next)).cloned();
                Some(PaperFill { filled, counter })
            })
            .collect()
    }

    pub fn id(&self, o: &OrderIntent) -> ClientOrderId {
        ClientOrderId::grid(self.bot, self.generation, o.level.unwrap_or_default(), o.side, o.seq)
    }

    fn nearest(&self) -> (Option<Decimal>, Option<Decimal>) {
        let resting = self.engine.resting_orders();
        let price = |side: Side| resting.iter().filter(move |o| o.side == side).map(|o| o.price);
        (price(Side::Buy).max(), price(Side::Sell).min())
    }
}

impl Triggers {
    /// From the database: the bot's stop prices and its nearest orders. A paper bot's grid is rebuilt from its
    /// run's fills (every recorded fill booked) once, when the scheduler starts watching it: the matcher moves it
    /// from then on. A live bot's triggers are its resting orders: its history is not read.
    pub async fn load(db: &Db, bot: &Bot) -> Result<Triggers, DbError> {
        if bot.mode == BotMode::Paper {
            let Some(mut book) = GridBook::load(db, bot).await? else { return Ok(Triggers::default()) };
            let mut triggers = Triggers::of_plan(book.engine.plan());
            book_recorded_fills(&mut book, &bot.symbol)?;
            let paper = PaperBook { bot: bot.id, generation: book.run.generation, engine: book.engine };
            (triggers.buy, triggers.sell) = paper.nearest();
            triggers.paper = Some(paper);
            return Ok(triggers);
        }
        let Some(run) = RunState::from_bot(bot)? else { return Ok(Triggers::default()) };
        let prefix = ClientOrderId::generation_prefix(bot.id, run.generation);
        let start = GridBook::build(bot, &bot.symbol, run, &[], &[])?;
        let mut triggers = Triggers::of_plan(start.engine.plan());
        let resting: Vec<Order> = resting_grid_orders(db, bot, &prefix).await?;
        let price = |side: Side| resting.iter().filter(move |o| o.side == side).map(|o| o.price.get());
        (triggers.buy, triggers.sell) = (price(Side::Buy).max(), price(Side::Sell).min());
        Ok(triggers)
    }

    fn of_plan(plan: &gridbot_core::engine::GridPlan) -> Triggers {
        Triggers {
            stop_loss: plan.stop_loss_price,
            take_profit: plan.take_profit_price,
            fees: PaperFees { rate: plan.fee_rate, asset: plan.fee_asset },
            ..Triggers::default()
        }
    }

    /// Whether a paper bot's book rests exactly the grid orders the database has resting for its run: what the
    /// scheduler checks when a worker changed the bot's orders, instead of rebuilding the book.
    pub async fn agrees_with(&self, db: &Db, bot: &Bot) -> Result<bool, DbError> {
        let Some(paper) = &self.paper else { return Ok(false) };
        let prefix = ClientOrderId::generation_prefix(bot.id, paper.generation);
        let mut stored: Vec<(bool, usize, Decimal)> = resting_grid_orders(db, bot, &prefix)
            .await?
            .iter()
            .map(|o| (o.side == Side::Buy, o.level.unwrap_or_default() as usize, o.price.get()))
            .collect();
        let mut resting: Vec<(bool, usize, Decimal)> = paper
            .engine
            .resting_orders()
            .iter()
            .map(|o| (o.side == Side::Buy, o.level.unwrap_or_default(), o.price))
            .collect();
        stored.sort();
        resting.sort();
        Ok(stored == resting)
    }

    /// Whether a tick at `price` may fill an order or reach a stop.
    pub fn hit(&self, price: Decimal) -> bool {
        let low = self.buy.into_iter().chain(self.stop_loss).max();
        let high = self.sell.into_iter().chain(self.take_profit).min();
        low.is_some_and(|l| price <= l) || high.is_some_and(|h| price >= h)
    }

    /// Moves a paper bot's book from `a` to `b`: the fills it makes, their counter-orders resting from now on.
    pub fn paper_move(&mut self, a: Decimal, b: Decimal) -> Vec<PaperFill> {
        let Some(paper) = self.paper.as_mut() else { return Vec::new() };
        let fills = paper.on_move(a, b);
        if !fills.is_empty() {
            (self.buy, self.sell) = paper.nearest();
        }
        fills
    }
}

/// The grid orders of the run whose client ids start with `prefix` that rest now (open or partly filled).
async fn resting_grid_orders(db: &Db, bot: &Bot, prefix: &str) -> Result<Vec<Order>, DbError> {
    let resting = db.orders().list_with_status(bot.id, &[OrderStatus::Open, OrderStatus::PartiallyFilled]).await?;
    Ok(resting.into_iter().filter(|o| o.level.is_some() && o.client_order_id.as_str().starts_with(prefix)).collect())
}

/// Books the filled grid orders the worker has not booked yet, in the engine's order, so that the book is the paper
/// venue's as it stands.
fn book_recorded_fills(book: &mut GridBook, symbol: &Symbol) -> Result<(), DbError> {
    let booked: std::collections::HashSet<i64> = book.fills.iter().map(|f| f.order_id).collect();
    let mut pending: Vec<&Order> = book
        .orders
        .iter()
        .filter(|o| o.status == OrderStatus::Filled && o.level.is_some() && !booked.contains(&o.id))
        .collect();
    while let Some(i) = next_to_book(&book.engine, &pending) {
        let o = pending.remove(i);
        let fee = charged_fee(symbol, o.fee, o.fee_asset.as_deref(), None).map_err(invalid)?;
        book.engine.book_charged_fill(o.side, o.level.unwrap_or_default() as usize, fee).map_err(invalid)?;
    }
    Ok(())
}

/// One bot's paper fills of a price move, for [`fill`].
#[derive(Debug, Clone, Copy)]
pub struct BotFills<'a> {
    pub bot: &'a Bot,
    pub book: &'a PaperBook,
    pub fees: PaperFees,
    pub fills: &'a [PaperFill],
}

/// Records the paper fills of one price move, for every bot it filled: each filled order (written first if the worker
/// had not written it yet) becomes filled at its own price, charged as the bot's fees say, only while it still rests;
/// its counter-order is written resting. A move reaching hundreds of bots costs two reads, one insert and one update
/// per 100 fills ([`Orders::fill_resting`]), not a round of statements per order. Returns, per bot, false when one of its
/// orders had left the book meanwhile (cancelled by a stop): the caller reloads that book, and none of that bot's
/// counter-orders is written. (Its other orders the move reached are filled as they still rested, as the exchange
/// fills what rests when the price passes.)
pub async fn fill<C: ConnectionTrait>(orders: Orders<'_, C>, moves: &[BotFills<'_>]) -> Result<Vec<bool>, DbError> {
    let mut ids = Vec::new();
    for m in moves {
        for f in m.fills {
            ids.push(m.book.id(&f.filled));
            ids.extend(f.counter.as_ref().map(|c| m.book.id(c)));
        }
    }
    let mut known: HashMap<ClientOrderId, Order> =
        orders.by_client_ids(&ids).await?.into_iter().map(|o| (o.client_order_id.clone(), o)).collect();
    let mut ok = vec![true; moves.len()];
    // The fills of orders already recorded, then what is missing of the bots whose orders all still rested.
    let mut recorded = Vec::new();
    for (i, m) in moves.iter().enumerate() {
        recorded.extend(m.fills.iter().filter_map(|f| known.get(&m.book.id(&f.filled))).map(|o| (i, o)));
    }
    fill_all(orders, moves, recorded, &mut ok).await?;
    let mut missing = Vec::new();
    let mut written = HashSet::new();
    for (m, _) in moves.iter().zip(&ok).filter(|(_, ok)| **ok) {
        for intent in m.fills.iter().flat_map(|f| std::iter::once(&f.filled).chain(&f.counter)) {
            let id = m.book.id(intent);
            if !known.contains_key(&id) && written.insert(id.clone()) {
                missing.push(new_order(m.bot, id, intent)?);
            }
        }
    }
    if !missing.is_empty() {
        orders.insert_resting(&missing).await?;
        let ids: Vec<ClientOrderId> = written.iter().cloned().collect();
        known.extend(orders.by_client_ids(&ids).await?.into_iter().map(|o| (o.client_order_id.clone(), o)));
    }
    let mut fresh = Vec::new();
    for (i, m) in moves.iter().enumerate().filter(|(i, _)| ok[*i]) {
        for f in m.fills {
            let id = m.book.id(&f.filled);
            if written.contains(&id) {
                let o = known.get(&id).ok_or_else(|| invalid(format!("order {id} vanished")))?;
                fresh.push((i, o));
            }
        }
    }
    fill_all(orders, moves, fresh, &mut ok).await?;
    for (m, _) in moves.iter().zip(&ok).filter(|(_, ok)| **ok) {
        for f in m.fills {
            // A counter-order the worker recorded but has not placed yet rests from now on, as the venue places it.
            if let Some(c) = f.counter.as_ref().and_then(|c| known.get(&m.book.id(c)))
                && c.status == OrderStatus::New
            {
                place(orders, c).await?;
            }
        }
    }
    Ok(ok)
}

/// Fills each order of `each` (its bot's index in `moves`, the order as read) whole at its own price as its bot's fees
/// charge it, placing first the ones the worker recorded but had not placed yet ([`Orders::fill_resting`]); a bot one
/// of whose orders no longer rested is marked not `ok`.
async fn fill_all<C: ConnectionTrait>(
    orders: Orders<'_, C>,
    moves: &[BotFills<'_>],
    each: Vec<(usize, &Order)>,
    ok: &mut [bool],
) -> Result<(), DbError> {
    let mut fills = Vec::with_capacity(each.len());
    for (i, o) in &each {
        if o.status == OrderStatus::New {
            place(orders, o).await?;
        }
        let m = &moves[*i];
        let (fee, fee_asset) = m.fees.commission(&m.bot.symbol, o.side, o.amount.get(), o.price.get());
        fills.push(WholeFill { id: o.client_order_id.clone(), fee, fee_asset });
    }
    if fills.is_empty() {
        return Ok(());
    }
    let filled: HashSet<ClientOrderId> = orders
        .fill_resting(&fills)
        .await?
        .into_iter()
        .filter(|o| o.status == OrderStatus::Filled)
        .map(|o| o.client_order_id)
        .collect();
    for (i, o) in &each {
        if !filled.contains(&o.client_order_id) {
            ok[*i] = false;
        }
    }
    Ok(())
}

/// Rests order `o` the worker recorded (status new) as the worker's paper venue places it.
async fn place<C: ConnectionTrait>(orders: Orders<'_, C>, o: &Order) -> Result<Order, DbError> {
    let exchange_id = format!("paper-{}", o.id);
    orders
        .update_state(&o.client_order_id, Some(&exchange_id), OrderStatus::Open, Qty::ZERO, None, Decimal::ZERO, None)
        .await
}

fn new_order(bot: &Bot, id: ClientOrderId, intent: &OrderIntent) -> Result<NewOrder, DbError> {
    Ok(NewOrder {
        bot: bot.id,
        client_order_id: id,
        side: intent.side,
        level: intent.level.map(|l| l as u32),
        price: Price::new(intent.price).map_err(invalid)?,
        amount: Qty::new(intent.qty).map_err(invalid)?,
    })
}

fn invalid(reason: impl ToString) -> DbError {
    DbError::Invalid { what: "orders", reason: reason.to_string() }
}
