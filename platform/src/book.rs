//! A running grid's books, rebuilt from the database: the engine started as recorded in the bot's [`RunState`], then
//! every grid fill of the generation booked again in the order it was booked. Workers rebuild it before each job (or
//! reuse the one their own previous job of the bot left, when no one else held the bot's lock since) and the API for
//! the stats, so any worker may take any job.

use std::collections::HashMap;

use gridbot_core::{ClientOrderId, Decimal, GridConfigInput, GridEngine, Side, Symbol, engine::ChargedFee};

use crate::db::types::{Bot, Fill, Order, OrderStatus};
pub use crate::db::types::{RunState, RunStop};
use crate::{Db, DbError};

/// A bot's grid as its fills made it.
#[derive(Debug, Clone)]
pub struct GridBook {
    pub run: RunState,
    pub engine: GridEngine,
    /// Every order of this generation, oldest first.
    pub orders: Vec<Order>,
    /// Every fill of this generation, in booking order.
    pub fills: Vec<Fill>,
    /// Per level: the order that bought the lot a sell on that level holds.
    pub lot_buyer: Vec<Option<i64>>,
    /// Per booked grid sell (its order id): the order that bought the lot it closed.
    pub closed_lots: HashMap<i64, Option<i64>>,
}

impl GridBook {
    /// The book of `bot`'s current run; `None` when it has never started a grid.
    pub async fn load(db: &Db, bot: &Bot) -> Result<Option<GridBook>, DbError> {
        let Some(run) = RunState::from_bot(bot)? else { return Ok(None) };
        // Fills first: a reader without the bot's lock (the paper matcher) then sees every booked fill's order, and
        // an order booked in between as filled and unbooked.
        let booked = db.fills().booked_for_run(bot.id, run.generation).await?;
        let orders = db.orders().list_for_run(bot.id, run.generation).await?;
        GridBook::build(bot, &bot.symbol, run, &orders, &booked).map(Some)
    }

    /// The book of `run` of `bot`, traded on `symbol`, from the bot's orders and booked fills (of every run).
    pub fn build(
        bot: &Bot,
        symbol: &Symbol,
        run: RunState,
        orders: &[Order],
        booked: &[Fill],
    ) -> Result<Self, DbError> {
        let prefix = ClientOrderId::generation_prefix(bot.id, run.generation);
        let orders: Vec<Order> =
            orders.iter().filter(|o| o.client_order_id.as_str().starts_with(&prefix)).cloned().collect();
        let ids: std::collections::HashSet<i64> = orders.iter().map(|o| o.id).collect();
        let fills: Vec<Fill> = booked.iter().filter(|f| ids.contains(&f.order_id)).cloned().collect();
        let params: gridbot_core::strategy::GridParams =
            serde_json::from_value(run.config.clone().unwrap_or_else(|| bot.config.clone()))
                .map_err(|e| DbError::invalid("bots.config", e))?;
        let config = params.to_config().map_err(|e| DbError::invalid("bots.config", e))?;
        let config = gridbot_core::GridConfig::new(GridConfigInput { fee_asset: run.fee_asset, ..config.to_input() })
            .map_err(|e| DbError::invalid("bots.config", e))?;
        let engine =
            GridEngine::start(&config, &run.filters, run.start_price).map_err(|e| DbError::invalid("run_state", e))?;
        let initial = orders.iter().find(|o| o.client_order_id == ClientOrderId::initial(bot.id, run.generation));
        let mut lot_buyer = vec![None; engine.plan().levels.len()];
        for slot in lot_buyer.iter_mut().skip(engine.empty_level() + 1) {
            *slot = initial.map(|o| o.id);
        }
        let mut book = GridBook { run, engine, orders, fills: Vec::new(), lot_buyer, closed_lots: HashMap::new() };
        for f in fills {
            if let Some(level) = f.level {
                let fee = charged_fee(symbol, f.fee, f.fee_asset.as_deref(), f.fee_quote)
                    .map_err(|e| DbError::invalid("fills", e))?;
                book.engine.book_charged_fill(f.side, level as usize, fee).map_err(|e| DbError::invalid("fills", e))?;
            }
            book.note_fill(f);
        }
        if let Some(stop) = &book.run.stop {
            let reason = match stop.reason.as_str() {
                "take_profit" => gridbot_core::ledger::StopReason::TakeProfit,
                _ => gridbot_core::ledger::StopReason::StopLoss,
            };
            book.engine.stop(reason, stop.price);
        }
        Ok(book)
    }

    /// Adds a fill the engine has just booked: which buy made the lot a grid buy rests a sell for, and which lot a
    /// grid sell closed.
    pub fn note_fill(&mut self, f: Fill) {
        if let Some(level) = f.level.map(|l| l as usize) {
            match f.side {
                Side::Buy if level + 1 < self.lot_buyer.len() => self.lot_buyer[level + 1] = Some(f.order_id),
                Side::Sell => {
                    self.closed_lots.insert(f.order_id, self.lot_buyer.get(level).copied().flatten());
                }
                Side::Buy => {}
            }
        }
        self.fills.push(f);
    }

    /// The order of this run with client id `id`.
    pub fn order(&self, id: &ClientOrderId) -> Option<&Order> {
        self.orders.iter().find(|o| &o.client_order_id == id)
    }

    /// The ids of the orders the book holds as live ([`OrderStatus::LIVE`]).
    pub fn live_order_ids(&self) -> Vec<i64> {
        self.orders.iter().filter(|o| OrderStatus::LIVE.contains(&o.status)).map(|o| o.id).collect()
    }

    /// Puts an order as just read or recorded into the book: it replaces the book's copy, or joins the book.
    pub fn note_order(&mut self, o: Order) {
        match self.orders.iter_mut().find(|k| k.id == o.id) {
            Some(known) => *known = o,
            None => self.orders.push(o),
        }
    }
}

/// Which of the filled, unbooked grid orders `pending` the engine can book next: one on the level just below its empty
/// level (a buy) or just above it (a sell); when both filled, the one that filled first.
pub fn next_to_book<O: std::borrow::Borrow<Order>>(engine: &GridEngine, pending: &[O]) -> Option<usize> {
    if engine.is_stopped() {
        return None;
    }
    let empty = engine.empty_level();
    pending
        .iter()
        .map(|o| o.borrow())
        .enumerate()
        .filter(|(_, o)| {
            let l = o.level.unwrap_or_default() as usize;
            (o.side == Side::Buy && l + 1 == empty) || (o.side == Side::Sell && l == empty + 1)
        })
        .min_by_key(|(_, o)| (o.updated_at, o.id))
        .map(|(i, _)| i)
}

/// A commission as the engine books it: in `symbol`'s base, in its quote, or (another asset, BNB) at `quote_value`.
pub fn charged_fee(
    symbol: &Symbol,
    fee: Decimal,
    asset: Option<&str>,
    quote_value: Option<Decimal>,
) -> Result<ChargedFee, String> {
    match asset {
        Some(a) if a == symbol.base() => Ok(ChargedFee { base: fee, quote: Decimal::ZERO }),
        None => Ok(ChargedFee { base: Decimal::ZERO, quote: fee }),
        Some(a) if a == symbol.quote() => Ok(ChargedFee { base: Decimal::ZERO, quote: fee }),
        Some(_) if fee.is_zero() => Ok(ChargedFee::default()),
        Some(a) => quote_value
            .map(|quote| ChargedFee { base: Decimal::ZERO, quote })
            .ok_or_else(|| format!("a commission of {fee} {a} has no quote value")),
    }
}
