//! Booking fills: every filled grid order goes through the engine in the engine's order, with the commission its
//! venue charged (in base, in quote, or in another asset valued in quote), first in memory (so the counter-orders
//! go out at once), then into `fills` and, for a sell, `trades` ([`Run::save_fills`]). A crash between the two
//! loses nothing: the orders stay filled and unbooked in the database, and the next job books them.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use gridbot_core::{BotId, ClientOrderId, Decimal, Side, Symbol};
use gridbot_exchange::OrderType;
use gridbot_platform::{
    BotChange,
    book::{GridBook, charged_fee, next_to_book},
    db::types::{Fill, Order, OrderStatus, Trade},
};

use crate::{Ctx, JobError, grid::Run, notify::Message};

impl Run<'_> {
    /// Books every filled grid order the engine can take, in the engine's order (a buy just below the empty level,
    /// a sell just above it), in memory; [`Run::save_fills`] writes them. Returns how many.
    pub async fn book_fills(&mut self) -> Result<usize, JobError> {
        self.value_foreign_fees(self.pending()).await?;
        // The paper venue writes and fills counter-orders itself: book from one snapshot of the run's orders (unless
        // the run was just read).
        if matches!(self.venue, crate::venue::Venue::Paper { .. }) && !std::mem::take(&mut self.orders_fresh) {
            self.reread_orders().await?;
        }
        let mut count = 0;
        let mut repairs = 0;
        loop {
            count += self.book_in_order()?;
            if self.book.engine.is_stopped() || repairs >= self.book.engine.plan().levels.len() {
                break;
            }
            // A fill beyond the next level on its side means the order on the next level was placed after the price
            // had passed it (a crash between a fill and its counter-order): it is replaced by a market order.
            let Some(blocker) = self.blocker() else { break };
            self.replace_with_market(blocker).await?;
            repairs += 1;
        }
        Ok(count)
    }

    /// Writes the fills booked in memory, in booking order, and a round trip for each grid sell that has none: in one
    /// transaction, so nobody ever reads a fill without its round trip, and a failure writes nothing.
    pub async fn save_fills(&mut self) -> Result<(), JobError> {
        let unsaved = std::mem::take(&mut self.unsaved);
        let trades: Vec<Trade> = if self.trades_complete {
            // Every sell booked before this job has its round trip: only the new ones need one.
            unsaved.iter().filter(|f| f.side == Side::Sell && f.level.is_some()).map(|f| self.round_trip(f)).collect()
        } else {
            self.missing_trades().await?
        };
        if unsaved.is_empty() && trades.is_empty() {
            self.trades_complete = true;
            return Ok(());
        }
        // A fill written before (a retried job) is left as it is; the process whose insert wrote it tells the user
        // (see [`crate::notify`]: the unique insert elects one sender).
        let fills = unsaved.clone();
        let recorded = self
            .ctx
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let mut recorded = Vec::with_capacity(fills.len());
                    for fill in fills {
                        if tx.fills().record(&fill).await? {
                            recorded.push(fill);
                        }
                    }
                    for trade in &trades {
                        tx.trades().insert(trade).await?;
                    }
                    Ok(recorded)
                })
            })
            .await?;
        self.trades_complete = true;
        let told = recorded.iter().map(|f| Message::fill(&self.bot, f)).collect();
        self.ctx.notifier.about_all(&self.ctx.db, &self.bot, told);
        if !unsaved.is_empty() {
            self.publish(BotChange::Fill).await;
        }
        Ok(())
    }

    /// Reads again what the paper matcher (or an emergency stop) may have changed since the book was read
    /// ([`unsettled_orders`]) and puts it into the book.
    async fn reread_orders(&mut self) -> Result<(), JobError> {
        for o in unsettled_orders(self.ctx, self.bot.id, &self.book).await? {
            self.note_order(o);
        }
        Ok(())
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
    fn book_in_order(&mut self) -> Result<usize, JobError> {
        let mut pending = self.pending();
        let mut count = 0;
        while let Some(pos) = next_to_book(&self.book.engine, &pending) {
            let o = pending.remove(pos);
            self.book_one(&o)?;
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
        let (id, _) = self.level_order_id(&intent)?;
        if let Some(o) = self.book.order(&id).cloned() {
            if OrderStatus::LIVE.contains(&o.status) {
                self.venue.cancel(&self.ctx.db, &self.bot, &o).await?;
                self.publish(BotChange::Orders).await;
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

    /// Values in quote the commissions of `orders` paid in neither of the symbol's assets (BNB): at the close of
    /// that asset's 1-minute candle in the symbol's quote that holds the order's last update (the last price while
    /// that minute is still open).
    async fn value_foreign_fees(&mut self, orders: Vec<Order>) -> Result<(), JobError> {
        let symbol = self.bot.symbol.clone();
        let foreign: Vec<(i64, Decimal, String, DateTime<Utc>)> = orders
            .into_iter()
            .filter(|o| !self.fee_values.contains_key(&o.id) && !o.fee.is_zero())
            .filter_map(|o| {
                let asset = o.fee_asset.clone()?;
                (asset != symbol.base() && asset != symbol.quote()).then_some((o.id, o.fee, asset, o.updated_at))
            })
            .collect();
        for (id, fee, asset, at) in foreign {
            let pair = Symbol::new(&asset, symbol.quote()).map_err(|e| JobError::fatal(e.to_string()))?;
            let minute = at.timestamp_millis() - at.timestamp_millis().rem_euclid(60_000);
            let candles = self.ctx.market.klines(&pair, "1m", Some(minute), 1).await?;
            let price = match candles.first().filter(|c| c.open_time == minute) {
                Some(c) => c.close,
                None => self.ctx.market.price(&pair).await?,
            };
            tracing::info!(bot = %self.bot.id, %fee, %asset, %price, "commission in another asset valued in quote");
            self.fee_values.insert(id, (fee * price).normalize());
        }
        Ok(())
    }

    /// Books one filled grid order through the engine, in memory, with the commission its venue charged.
    fn book_one(&mut self, o: &Order) -> Result<(), JobError> {
        let level = o.level.unwrap_or_default() as usize;
        let value = self.fee_values.get(&o.id).copied();
        let fee = charged_fee(&self.bot.symbol, o.fee, o.fee_asset.as_deref(), value).map_err(JobError::fatal)?;
        let before = self.book.engine.summary(Decimal::ZERO);
        self.book.engine.book_charged_fill(o.side, level, fee)?;
        let after = self.book.engine.summary(Decimal::ZERO);
        let pnl = (o.side == Side::Sell).then(|| (after.realized_pnl - before.realized_pnl).normalize());
        let fill = self.fill_of(o, o.level, pnl);
        self.book.note_fill(fill.clone());
        self.unsaved.push(fill);
        tracing::info!(bot = %self.bot.id, side = %o.side, level, price = %o.price, pnl = ?pnl, "fill booked");
        Ok(())
    }

    /// Records the fill of a market order (the initial buy, a stop's sale) once, after the grid fills booked before,
    /// with the commission its venue charged.
    pub async fn record_market_fill(&mut self, o: &Order, pnl: Option<Decimal>) -> Result<(), JobError> {
        self.save_fills().await?;
        if self.book.fills.iter().any(|f| f.order_id == o.id) {
            return Ok(());
        }
        self.value_foreign_fees(vec![o.clone()]).await?;
        let fill = self.fill_of(o, None, pnl);
        if self.ctx.db.fills().record(&fill).await? {
            self.ctx.notifier.about(&self.ctx.db, &self.bot, Message::fill(&self.bot, &fill));
        }
        self.book.note_fill(fill);
        self.publish(BotChange::Fill).await;
        Ok(())
    }

    /// The fill row of order `o` (one per order: its trade id is the order's client id), with its commission as
    /// charged.
    fn fill_of(&self, o: &Order, level: Option<u32>, pnl: Option<Decimal>) -> Fill {
        Fill {
            bot: self.bot.id,
            order_id: o.id,
            side: o.side,
            level,
            price: o.avg_fill_price.unwrap_or(o.price),
            qty: o.filled,
            fee: o.fee.normalize(),
            fee_asset: o.fee_asset.clone().or_else(|| Some(self.bot.symbol.quote().to_owned())),
            fee_quote: self.fee_values.get(&o.id).copied(),
            exchange_trade_id: format!("order:{}", o.client_order_id),
            pnl: pnl.map(|p| p.normalize()),
            time: o.updated_at,
        }
    }

    /// A round trip for every booked grid sell that has none (a crash between the two writes left one missing before
    /// they were written together).
    async fn missing_trades(&self) -> Result<Vec<Trade>, JobError> {
        let trades = self.ctx.db.reader().trades().list_for_bot(self.bot.id).await?;
        let have: HashSet<i64> = trades.iter().map(|t| t.sell_order_id).collect();
        Ok(self
            .book
            .fills
            .iter()
            .filter(|f| f.side == Side::Sell && f.level.is_some() && !have.contains(&f.order_id))
            .map(|f| self.round_trip(f))
            .collect())
    }

    /// The round trip a booked grid sell closed: its lot's buy, its profit, and the fees of both legs.
    fn round_trip(&self, sell: &Fill) -> Trade {
        let plan = self.book.engine.plan();
        let buy_id = self.book.closed_lots.get(&sell.order_id).copied().flatten();
        let entry_fee = match buy_id.and_then(|id| self.book.fills.iter().find(|b| b.order_id == id)) {
            Some(b) if b.level.is_some() => self.fee_in_quote(b),
            _ => plan.qty * plan.start_price * plan.fee_rate,
        };
        Trade {
            bot: self.bot.id,
            buy_order_id: buy_id.unwrap_or_default(),
            sell_order_id: sell.order_id,
            profit: sell.pnl.unwrap_or_default(),
            fees: (entry_fee + self.fee_in_quote(sell)).normalize(),
            created_at: Utc::now(),
        }
    }
}

/// What the paper matcher (or an emergency stop) may have changed of `book`'s run since it was read, in one statement
/// beside the writer (what is read was committed: the matcher's fills and their counter-orders together): the
/// orders the book holds as live, for those that left without a fill (cancelled, expired), and the bot's orders still
/// live or filled and not booked (the counter-orders the matcher rests, and those it has filled since), oldest first.
/// Orders that left the book before are final: the run's history is not read again.
pub(crate) async fn unsettled_orders(ctx: &Ctx, bot: BotId, book: &GridBook) -> Result<Vec<Order>, JobError> {
    let prefix = ClientOrderId::generation_prefix(bot, book.run.generation);
    let read = ctx.db.reader().orders().unsettled(bot, &book.live_order_ids()).await?;
    Ok(read.into_iter().filter(|o| o.client_order_id.as_str().starts_with(&prefix)).collect())
}

impl Run<'_> {
    /// A fill's commission in quote: a fee in base at the fill's price.
    fn fee_in_quote(&self, f: &Fill) -> Decimal {
        match charged_fee(&self.bot.symbol, f.fee, f.fee_asset.as_deref(), f.fee_quote) {
            Ok(c) => c.base * f.price.get() + c.quote,
            Err(_) => Decimal::ZERO,
        }
    }
}
