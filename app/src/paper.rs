//! The paper venue's matcher, run by the scheduler on every market trade. It keeps each paper bot's grid as the
//! engine of `spec/grid.md` and moves it along the trade path: an order fills at its own price when the path touches
//! it, and its counter-order rests in the paper book from that instant (written at once, as an exchange would place
//! it), whatever the worker's latency — so a paper bot books what the backtest of the same prices books. The worker
//! then books the fills and finds the counter-orders already resting. Stops are left to the worker's risk check.

use gridbot_core::{
    BotId, ClientOrderId, Decimal, FeeAsset, GridEngine, Price, Qty, Side, Symbol, engine::OrderIntent,
};
use gridbot_platform::{
    Db, DbError,
    book::{GridBook, RunState, charged_fee, next_to_book},
    db::{
        ConnectionTrait, Orders,
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

/// Records paper fills: each filled order (written first if the worker had not written it yet) becomes filled at
/// its own price, charged as `fees` says, only while it still rests; its counter-order is written resting. Returns
/// false when an order had left the book meanwhile (cancelled by a stop): the caller reloads the book then.
pub async fn fill<C: ConnectionTrait>(
    orders: Orders<'_, C>,
    bot: &Bot,
    book: &PaperBook,
    fees: PaperFees,
    fills: &[PaperFill],
) -> Result<bool, DbError> {
    for f in fills {
        let o = rest(orders, bot, book, &f.filled).await?;
        let (fee, asset) = fees.commission(&bot.symbol, o.side, o.amount.get(), o.price.get());
        let now = orders
            .update_state(
                &o.client_order_id,
                o.exchange_order_id.as_deref(),
                OrderStatus::Filled,
                o.amount,
                Some(o.price),
                fee,
                Some(&asset),
            )
            .await?;
        if now.status != OrderStatus::Filled {
            return Ok(false);
        }
        if let Some(counter) = &f.counter {
            rest(orders, bot, book, counter).await?;
        }
    }
    Ok(true)
}

/// The paper order of `intent`, written and resting (as the worker's paper venue places it) unless it was before.
async fn rest<C: ConnectionTrait>(
    orders: Orders<'_, C>,
    bot: &Bot,
    book: &PaperBook,
    intent: &OrderIntent,
) -> Result<Order, DbError> {
    let id = book.id(intent);
    let o = match orders.by_client_id(&id).await? {
        Some(o) => o,
        None => {
            let new = NewOrder {
                bot: bot.id,
                client_order_id: id.clone(),
                side: intent.side,
                level: intent.level.map(|l| l as u32),
                price: Price::new(intent.price).map_err(invalid)?,
                amount: Qty::new(intent.qty).map_err(invalid)?,
            };
            match orders.insert(&new).await {
                Ok(o) => o,
                Err(DbError::DuplicateClientOrderId(_)) => {
                    orders.by_client_id(&id).await?.ok_or_else(|| invalid(format!("order {id} vanished")))?
                }
                Err(e) => return Err(e),
            }
        }
    };
    if o.status != OrderStatus::New {
        return Ok(o);
    }
    let exchange_id = format!("paper-{}", o.id);
    orders.update_state(&id, Some(&exchange_id), OrderStatus::Open, Qty::ZERO, None, Decimal::ZERO, None).await
}

fn invalid(reason: impl ToString) -> DbError {
    DbError::Invalid { what: "orders", reason: reason.to_string() }
}
