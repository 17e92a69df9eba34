//! One bot's running grid inside a job: its book rebuilt from the database, the venue it trades on, and the three
//! idempotent steps every job is made of — sync the orders with the venue, book the fills, make the resting orders
//! equal the engine's.

use std::collections::HashSet;

use chrono::Utc;
use gridbot_core::{BotId, ClientOrderId, Decimal, Price, Qty, Side, strategy::GridParams};
use gridbot_exchange::OrderType;
use gridbot_platform::{
    BotChange, DbError, Event,
    book::GridBook,
    db::types::{Bot, Fill, NewOrder, Order, OrderStatus, Trade},
};

use crate::{Ctx, JobError, venue::Venue};

pub(crate) struct Run<'a> {
    pub ctx: &'a Ctx,
    pub bot: Bot,
    pub params: GridParams,
    pub venue: Venue,
    pub book: GridBook,
}

pub(crate) fn params(bot: &Bot) -> Result<GridParams, JobError> {
    serde_json::from_value(bot.config.clone()).map_err(|e| JobError::fatal(format!("bot config unreadable: {e}")))
}

impl<'a> Run<'a> {
    /// The bot's running grid; `None` when it has none (never started, or the run state was cleared).
    pub async fn load(ctx: &'a Ctx, bot: BotId) -> Result<Option<Run<'a>>, JobError> {
        Run::of(ctx, ctx.db.bots().get(bot).await?).await
    }

    /// [`Run::load`] for a bot row just read.
    pub async fn of(ctx: &'a Ctx, bot: Bot) -> Result<Option<Run<'a>>, JobError> {
        let params = params(&bot)?;
        let Some(book) = GridBook::load(&ctx.db, &bot).await? else { return Ok(None) };
        let venue = ctx.venue(&bot, book.engine.plan().fee_rate).await?;
        Ok(Some(Run { ctx, bot, params, venue, book }))
    }

    pub async fn reload(&mut self) -> Result<(), JobError> {
        self.bot = self.ctx.db.bots().get(self.bot.id).await?;
        self.book =
            GridBook::load(&self.ctx.db, &self.bot).await?.ok_or_else(|| JobError::fatal("run state vanished"))?;
        Ok(())
    }

    pub fn generation(&self) -> u32 {
        self.book.run.generation
    }

    pub async fn publish(&self, change: BotChange) {
        self.ctx.events.publish(Event::Bot { bot_id: self.bot.id.0, change }).await;
    }

    /// Writes the order, then sends it; when it was written before (a retried job), sends it only if the exchange
    /// never got it. Returns the order as recorded.
    pub async fn ensure_order(
        &mut self,
        id: ClientOrderId,
        side: Side,
        level: Option<usize>,
        price: Decimal,
        qty: Decimal,
        kind: OrderType,
    ) -> Result<Order, JobError> {
        let db = &self.ctx.db;
        let existing = db.orders().by_client_id(&id).await?;
        // Written here and now: no one can have sent it yet, so it goes out without asking the exchange first.
        let mut fresh = false;
        let order = match existing {
            Some(o) => o,
            None => {
                let new = NewOrder {
                    bot: self.bot.id,
                    client_order_id: id.clone(),
                    side,
                    level: level.map(|l| l as u32),
                    price: Price::new(price)?,
                    amount: Qty::new(qty)?,
                };
                match db.orders().insert(&new).await {
                    Ok(o) => {
                        fresh = true;
                        o
                    }
                    Err(DbError::DuplicateClientOrderId(_)) => {
                        db.orders().by_client_id(&id).await?.ok_or_else(|| JobError::retry("order vanished"))?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        if fresh {
            self.venue.send(db, &self.bot, &order, kind).await?;
        } else if order.status == OrderStatus::New {
            match self.venue.lookup(&self.bot, &order).await? {
                Some(ex) => crate::venue::sync(db, &order, &ex).await?,
                None => self.venue.send(db, &self.bot, &order, kind).await?,
            }
        }
        self.refresh_order(&id).await
    }

    /// Reads order `id` back into the book after a change (the engine and fills do not depend on order rows).
    async fn refresh_order(&mut self, id: &ClientOrderId) -> Result<Order, JobError> {
        let o = self.ctx.db.orders().by_client_id(id).await?.ok_or_else(|| JobError::retry("order vanished"))?;
        if let Some(known) = self.book.orders.iter_mut().find(|k| k.id == o.id) {
            *known = o.clone();
        } else {
            self.book.orders.push(o.clone());
        }
        Ok(o)
    }

    /// Brings every order the database thinks may rest to the exchange's state; an order written but never sent is
    /// sent now when the engine still wants it, else marked cancelled.
    pub async fn sync_orders(&mut self) -> Result<(), JobError> {
        let db = self.ctx.db.clone();
        let live: Vec<Order> =
            self.book.orders.iter().filter(|o| OrderStatus::LIVE.contains(&o.status)).cloned().collect();
        if live.is_empty() {
            return Ok(());
        }
        // One call for everything still resting; a lookup each only for the orders that left the book.
        let resting = self.venue.open_orders(&self.bot).await?;
        let mut changed = Vec::new();
        for o in live {
            let ex =
                match resting.as_ref().and_then(|r| r.iter().find(|x| x.client_order_id == o.client_order_id.as_str()))
                {
                    Some(x) if o.status == OrderStatus::Open && x.executed_qty.is_zero() => continue,
                    Some(x) => Some(x.clone()),
                    None => self.venue.lookup(&self.bot, &o).await?,
                };
            if ex.is_none() && o.status != OrderStatus::New && !matches!(self.venue, Venue::Live(_)) {
                continue;
            }
            changed.push(o.client_order_id.clone());
            match (ex, o.status) {
                (Some(ex), _) => crate::venue::sync(&db, &o, &ex).await?,
                (None, OrderStatus::New) => {
                    let wanted = o.level.is_none()
                        || self.book.engine.resting_orders().iter().any(|i| self.intent_id(i) == o.client_order_id);
                    if wanted && o.level.is_some() {
                        self.venue.send(&db, &self.bot, &o, OrderType::Limit).await?;
                    } else if o.level.is_none() {
                        // An initial buy or a stop sale written but never sent: the step that wrote it sends it.
                        continue;
                    } else {
                        self.venue.cancel(&db, &self.bot, &o).await?;
                    }
                }
                (None, _) => {
                    if matches!(self.venue, Venue::Live(_)) {
                        tracing::warn!(bot = %self.bot.id, order = %o.client_order_id, "the exchange no longer knows this order");
                        self.venue.cancel(&db, &self.bot, &o).await?;
                    }
                }
            }
        }
        for id in &changed {
            self.refresh_order(id).await?;
        }
        Ok(())
    }

    fn intent_id(&self, i: &gridbot_core::engine::OrderIntent) -> ClientOrderId {
        ClientOrderId::grid(self.bot.id, self.generation(), i.level.unwrap_or_default(), i.side, i.seq)
    }

    /// Books every filled grid order the engine can take, in the engine's order (a buy just below the empty level,
    /// a sell just above it), each with its fill row and, for a sell, its round trip. Returns how many.
    pub async fn book_fills(&mut self) -> Result<usize, JobError> {
        let mut count = 0;
        let mut repairs = 0;
        loop {
            count += self.book_in_order().await?;
            if self.book.engine.is_stopped() || repairs >= self.book.engine.plan().levels.len() {
                break;
            }
            // A fill beyond the next level on its side means the order on the next level was placed after the price
            // had passed it (a crash between a fill and its counter-order): it is replaced by a market order.
            let Some(blocker) = self.blocker() else { break };
            self.replace_with_market(blocker).await?;
            repairs += 1;
        }
        self.repair_trades().await?;
        Ok(count)
    }

    /// Filled, unbooked grid orders of this run.
    fn pending(&self) -> Vec<Order> {
        let booked: HashSet<i64> = self.book.fills.iter().map(|f| f.order_id).collect();
        self.book
            .orders
            .iter()
            .filter(|o| o.status == OrderStatus::Filled && o.level.is_some() && !booked.contains(&o.id))
            .cloned()
            .collect()
    }

    /// Books pending fills while one sits on the level the engine expects next.
    async fn book_in_order(&mut self) -> Result<usize, JobError> {
        let mut pending = self.pending();
        let mut count = 0;
        while !self.book.engine.is_stopped() {
            let empty = self.book.engine.empty_level();
            let pos = pending.iter().position(|o| {
                let l = o.level.unwrap_or_default() as usize;
                (o.side == Side::Buy && l + 1 == empty) || (o.side == Side::Sell && l == empty + 1)
            });
            let Some(pos) = pos else { break };
            let o = pending.remove(pos);
            self.book_one(&o).await?;
            count += 1;
        }
        Ok(count)
    }

    /// The level whose order stands between the engine and a pending fill farther out: `(side, level)`.
    fn blocker(&self) -> Option<(Side, usize)> {
        let empty = self.book.engine.empty_level();
        let pending = self.pending();
        if pending.iter().any(|o| o.side == Side::Sell && o.level.unwrap_or_default() as usize > empty + 1) {
            return Some((Side::Sell, empty + 1));
        }
        if empty >= 2
            && pending.iter().any(|o| o.side == Side::Buy && (o.level.unwrap_or_default() as usize) < empty - 1)
        {
            return Some((Side::Buy, empty - 1));
        }
        None
    }

    /// Cancels the engine's order on `level` (booking it instead if it filled meanwhile) and fills the level with a
    /// market order.
    async fn replace_with_market(&mut self, (side, level): (Side, usize)) -> Result<(), JobError> {
        let Some(intent) = self.book.engine.resting_orders().into_iter().find(|i| i.level == Some(level)) else {
            return Ok(());
        };
        let id = self.intent_id(&intent);
        if let Some(o) = self.book.order(&id).cloned() {
            if OrderStatus::LIVE.contains(&o.status) {
                self.venue.cancel(&self.ctx.db, &self.bot, &o).await?;
            }
            self.reload().await?;
            if self.book.order(&id).is_some_and(|o| o.status == OrderStatus::Filled) {
                return Ok(());
            }
        }
        let price = self.ctx.market.price(&self.bot.symbol).await?;
        tracing::warn!(bot = %self.bot.id, %side, level, %price, "order placed too late to fill: replaced at market");
        let repair = ClientOrderId::repair(self.bot.id, self.generation(), level, side, intent.seq);
        let o = self.ensure_order(repair, side, Some(level), price, intent.qty, OrderType::Market).await?;
        if o.status != OrderStatus::Filled {
            return Err(JobError::retry(format!("repair order {} is {}", o.client_order_id, o.status.as_str())));
        }
        Ok(())
    }

    async fn book_one(&mut self, o: &Order) -> Result<(), JobError> {
        let level = o.level.unwrap_or_default() as usize;
        let before = self.book.engine.summary(Decimal::ZERO);
        self.book.engine.book_fill(o.side, level)?;
        let after = self.book.engine.summary(Decimal::ZERO);
        let pnl = (o.side == Side::Sell).then(|| (after.realized_pnl - before.realized_pnl).normalize());
        let fee = (after.fees_paid - before.fees_paid).normalize();
        let fill = Fill {
            bot: self.bot.id,
            order_id: o.id,
            side: o.side,
            level: o.level,
            price: o.avg_fill_price.unwrap_or(o.price),
            qty: o.filled,
            fee,
            fee_asset: Some(self.bot.symbol.quote().to_owned()),
            exchange_trade_id: format!("order:{}", o.client_order_id),
            pnl,
            time: o.updated_at,
        };
        match self.ctx.db.fills().insert(&fill).await {
            Ok(()) | Err(DbError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
        self.book.note_fill(fill);
        tracing::info!(bot = %self.bot.id, side = %o.side, level, price = %o.price, pnl = ?pnl, "fill booked");
        self.publish(BotChange::Fill).await;
        Ok(())
    }

    /// Records the fill of a market order (the initial buy, a stop's sale) once.
    pub async fn record_market_fill(&mut self, o: &Order, fee: Decimal, pnl: Option<Decimal>) -> Result<(), JobError> {
        if self.book.fills.iter().any(|f| f.order_id == o.id) {
            return Ok(());
        }
        let fill = Fill {
            bot: self.bot.id,
            order_id: o.id,
            side: o.side,
            level: None,
            price: o.avg_fill_price.unwrap_or(o.price),
            qty: o.filled,
            fee: fee.normalize(),
            fee_asset: Some(self.bot.symbol.quote().to_owned()),
            exchange_trade_id: format!("order:{}", o.client_order_id),
            pnl: pnl.map(|p| p.normalize()),
            time: o.updated_at,
        };
        match self.ctx.db.fills().insert(&fill).await {
            Ok(()) | Err(DbError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
        self.book.note_fill(fill);
        self.publish(BotChange::Fill).await;
        Ok(())
    }

    /// A round trip for every booked grid sell that has none (a crash between the two writes leaves one missing).
    async fn repair_trades(&mut self) -> Result<(), JobError> {
        let trades = self.ctx.db.trades().list_for_bot(self.bot.id).await?;
        let have: HashSet<i64> = trades.iter().map(|t| t.sell_order_id).collect();
        let plan = self.book.engine.plan();
        let missing: Vec<Trade> = self
            .book
            .fills
            .iter()
            .filter(|f| f.side == Side::Sell && f.level.is_some() && !have.contains(&f.order_id))
            .map(|f| {
                let buy_id = self.book.closed_lots.get(&f.order_id).copied().flatten();
                let entry_fee = match buy_id.and_then(|id| self.book.fills.iter().find(|b| b.order_id == id)) {
                    Some(b) if b.level.is_some() => b.fee,
                    _ => (plan.qty * plan.start_price * plan.fee_rate).normalize(),
                };
                Trade {
                    bot: self.bot.id,
                    buy_order_id: buy_id.unwrap_or_default(),
                    sell_order_id: f.order_id,
                    profit: f.pnl.unwrap_or_default(),
                    fees: (entry_fee + f.fee).normalize(),
                    created_at: Utc::now(),
                }
            })
            .collect();
        for trade in &missing {
            self.ctx.db.trades().insert(trade).await?;
        }
        Ok(())
    }

    /// Places every resting order the engine wants that was never placed, and cancels this run's resting orders it
    /// does not want.
    pub async fn ensure_resting(&mut self) -> Result<usize, JobError> {
        let wanted = self.book.engine.resting_orders();
        let ids: HashSet<ClientOrderId> = wanted.iter().map(|i| self.intent_id(i)).collect();
        let mut placed = 0;
        for i in &wanted {
            let id = self.intent_id(i);
            if self.book.order(&id).is_none() {
                self.ensure_order(id, i.side, i.level, i.price, i.qty, OrderType::Limit).await?;
                placed += 1;
            }
        }
        let strays: Vec<Order> = self
            .book
            .orders
            .iter()
            .filter(|o| o.level.is_some() && OrderStatus::LIVE.contains(&o.status) && !ids.contains(&o.client_order_id))
            .cloned()
            .collect();
        for o in &strays {
            self.venue.cancel(&self.ctx.db, &self.bot, o).await?;
            self.refresh_order(&o.client_order_id).await?;
        }
        if placed > 0 || !strays.is_empty() {
            self.publish(BotChange::Orders).await;
        }
        Ok(placed)
    }
}
