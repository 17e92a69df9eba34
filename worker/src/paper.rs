//! The paper book's matcher, run by the scheduler on every market trade: a paper order fills at its own price when
//! the price path touches it, as `spec/grid.md` fills orders on a path segment — on a move down from `a` to `b` every
//! buy at or above `b`, on a move up every sell at or below `b` — stopping at the stop-loss and take-profit prices,
//! where the worker's risk check takes over.

use gridbot_core::{Decimal, FeeAsset, Side, Symbol};
use gridbot_platform::{
    Db, DbError,
    book::GridBook,
    db::types::{Bot, Order, OrderStatus},
};

/// The prices at which a bot's grid needs attention: its highest resting buy, its lowest resting sell, and its stop
/// prices. A tick strictly between `low()` and `high()` changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Triggers {
    pub buy: Option<Decimal>,
    pub sell: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
    pub take_profit: Option<Decimal>,
    /// The bot's resting paper orders (empty for a live bot: its exchange matches them).
    pub paper_orders: Vec<Order>,
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

impl Triggers {
    /// From the database: the bot's resting orders of its current run and its stop prices.
    pub async fn load(db: &Db, bot: &Bot) -> Result<Triggers, DbError> {
        let Some(book) = GridBook::load(db, bot).await? else { return Ok(Triggers::default()) };
        let resting: Vec<Order> = book
            .orders
            .into_iter()
            .filter(|o| o.level.is_some() && matches!(o.status, OrderStatus::Open | OrderStatus::PartiallyFilled))
            .collect();
        let plan = book.engine.plan();
        let (buy, sell) = nearest(&resting);
        Ok(Triggers {
            buy,
            sell,
            stop_loss: plan.stop_loss_price,
            take_profit: plan.take_profit_price,
            paper_orders: if bot.mode == gridbot_platform::db::types::BotMode::Paper { resting } else { Vec::new() },
            fees: PaperFees { rate: plan.fee_rate, asset: plan.fee_asset },
        })
    }

    /// Forgets orders just filled, so the next tick does not fill them again before the worker has booked them.
    pub fn without(&mut self, filled: &[i64]) {
        self.paper_orders.retain(|o| !filled.contains(&o.id));
        (self.buy, self.sell) = nearest(&self.paper_orders);
    }

    /// Whether a tick at `price` may fill an order or reach a stop.
    pub fn hit(&self, price: Decimal) -> bool {
        let low = self.buy.into_iter().chain(self.stop_loss).max();
        let high = self.sell.into_iter().chain(self.take_profit).min();
        low.is_some_and(|l| price <= l) || high.is_some_and(|h| price >= h)
    }

    /// The paper orders the move from `a` to `b` fills.
    pub fn paper_fills(&self, a: Decimal, b: Decimal) -> Vec<&Order> {
        let mut hit: Vec<&Order> = if b < a {
            let floor = self.stop_loss.map_or(b, |s| s.max(b));
            self.paper_orders.iter().filter(|o| o.side == Side::Buy && o.price.get() >= floor).collect()
        } else if b > a {
            let ceiling = self.take_profit.map_or(b, |t| t.min(b));
            self.paper_orders.iter().filter(|o| o.side == Side::Sell && o.price.get() <= ceiling).collect()
        } else {
            Vec::new()
        };
        hit.sort_by_key(|o| o.id);
        hit
    }
}

/// The highest resting buy and the lowest resting sell.
fn nearest(orders: &[Order]) -> (Option<Decimal>, Option<Decimal>) {
    let prices = |side: Side| orders.iter().filter(move |o| o.side == side).map(|o| o.price.get());
    (prices(Side::Buy).max(), prices(Side::Sell).min())
}

/// Fills `orders` at their own prices, charged as `fees` says, each only while it still rests (one cancelled
/// meanwhile stays cancelled); the caller then enqueues `reconcile_fills`.
pub async fn fill(db: &Db, symbol: &Symbol, fees: PaperFees, orders: &[&Order]) -> Result<(), DbError> {
    for o in orders {
        let now = db.orders().by_client_id(&o.client_order_id).await?;
        if !now.is_some_and(|n| matches!(n.status, OrderStatus::Open | OrderStatus::PartiallyFilled)) {
            continue;
        }
        let (fee, asset) = fees.commission(symbol, o.side, o.amount.get(), o.price.get());
        db.orders()
            .update_state(
                &o.client_order_id,
                Some(o.exchange_order_id.as_deref().unwrap_or("paper")),
                OrderStatus::Filled,
                o.amount,
                Some(o.price),
                fee,
                Some(&asset),
            )
            .await?;
    }
    Ok(())
}
