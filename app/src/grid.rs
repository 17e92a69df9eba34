//! One bot's running grid inside a job: its book (rebuilt from the database, or kept from this worker's last job of
//! the bot), the venue it trades on, and the idempotent steps every job is made of — sync the orders with the venue,
//! book the fills (`fills.rs`), make the resting orders equal the engine's.

use std::collections::HashSet;

use gridbot_core::{BotId, ClientOrderId, Decimal, Price, Qty, Side, strategy::GridParams};
use gridbot_exchange::{ExchangeOrder, OrderType};
use gridbot_platform::{
    BotChange, DbError, Event,
    book::GridBook,
    db::types::{Bot, BotStatus, Fill, NewOrder, Order, OrderStatus},
};

use crate::{Ctx, JobError, paper::PaperFees, venue::Venue};

pub(crate) struct Run<'a> {
    pub ctx: &'a Ctx,
    pub bot: Bot,
    pub params: GridParams,
    pub venue: Venue,
    pub book: GridBook,
    /// Fills booked into `book` and not yet written ([`Run::save_fills`]).
    pub(crate) unsaved: Vec<Fill>,
    /// Whether every booked grid sell written so far has its round trip (known for a kept book).
    pub(crate) trades_complete: bool,
    /// Per filled order: the quote value of a commission paid in another asset (BNB), once valued.
    pub(crate) fee_values: std::collections::HashMap<i64, Decimal>,
    /// Whether the book's orders were just read as the paper venue left them: the next [`Run::book_fills`] need not
    /// read them again.
    pub(crate) orders_fresh: bool,
}

/// What [`Run::resume`] found.
pub(crate) enum Resumed<'a> {
    /// The kept book, brought up to date, and the exchange's resting orders (`None` for paper).
    Run(Box<Run<'a>>, Option<Vec<ExchangeOrder>>),
    /// The bot no longer runs the kept book's grid (or no longer runs): its row as just read.
    Stale(Bot),
}

/// How the paper venue charges the book's fills: as its grid was sized.
fn paper_fees(book: &GridBook) -> PaperFees {
    let plan = book.engine.plan();
    PaperFees { rate: plan.fee_rate, asset: plan.fee_asset }
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
        let Some(book) = GridBook::load(&ctx.db.reader(), &bot).await? else { return Ok(None) };
        let params = params(&bot)?;
        let venue = ctx.venue(&bot, paper_fees(&book)).await?;
        Ok(Some(Run {
            ctx,
            bot,
            params,
            venue,
            book,
            unsaved: Vec::new(),
            trades_complete: false,
            fee_values: Default::default(),
            orders_fresh: true,
        }))
    }

    /// The run from the book this worker kept after its last job of the bot ([`crate::Books`]), with the exchange's
    /// resting orders. The bot row, the orders that may have changed (the paper matcher and an emergency stop change
    /// them without the bot's lock; nothing else of the bot is written without it) and the exchange's resting orders
    /// are asked for at once: a live book's resting orders, a paper book's [`crate::fills::unsettled_orders`].
    /// [`Resumed::Stale`] when the bot no longer runs that grid.
    pub async fn resume(ctx: &'a Ctx, kept: crate::books::Kept) -> Result<Resumed<'a>, JobError> {
        let mut book = kept.book;
        let venue = ctx.venue(&kept.bot, paper_fees(&book)).await?;
        let paper = matches!(venue, Venue::Paper { .. });
        let (bot, orders, resting) = tokio::try_join!(
            async { ctx.db.reader().bots().get(kept.bot.id).await.map_err(JobError::from) },
            async {
                if paper {
                    return crate::fills::unsettled_orders(ctx, kept.bot.id, &book).await;
                }
                ctx.db.reader().orders().by_ids(&book.live_order_ids()).await.map_err(JobError::from)
            },
            venue.open_orders(&kept.bot),
        )?;
        if bot.status != BotStatus::Running || !crate::books::same_grid(&kept.bot, &bot) {
            return Ok(Resumed::Stale(bot));
        }
        for o in orders {
            book.note_order(o);
        }
        let params = params(&bot)?;
        let run = Run {
            ctx,
            bot,
            params,
            venue,
            book,
            unsaved: Vec::new(),
            trades_complete: true,
            fee_values: Default::default(),
            orders_fresh: paper,
        };
        Ok(Resumed::Run(Box::new(run), resting))
    }

    /// Writes what was booked, then rebuilds the book from the database.
    pub async fn reload(&mut self) -> Result<(), JobError> {
        self.save_fills().await?;
        self.bot = self.ctx.db.bots().get(self.bot.id).await?;
        self.book =
            GridBook::load(&self.ctx.db, &self.bot).await?.ok_or_else(|| JobError::fatal("run state vanished"))?;
        self.orders_fresh = true;
        Ok(())
    }

    pub fn generation(&self) -> u32 {
        self.book.run.generation
    }

    pub async fn publish(&self, change: BotChange) {
        self.ctx.events.publish(Event::Bot { bot_id: self.bot.id, change }).await;
    }

    /// Writes the order, then sends it; when it was written before (a retried job), sends it only if the exchange
    /// never got it. Returns the order as recorded. (The book holds every order of the run: one it lacks is new,
    /// and the database's unique client ids catch the rest.)
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
        // Written here and now: no one can have sent it yet, so it goes out without asking the exchange first.
        let mut fresh = false;
        let order = match self.book.order(&id).cloned() {
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
                // The paper venue rests a limit order as it is written: one write, nothing left to send.
                let rests_written = matches!(self.venue, Venue::Paper { .. }) && kind == OrderType::Limit;
                let inserted =
                    if rests_written { db.orders().insert_open(&new).await } else { db.orders().insert(&new).await };
                match inserted {
                    Ok(o) => {
                        fresh = !rests_written;
                        o
                    }
                    Err(DbError::DuplicateClientOrderId(_)) => {
                        db.orders().by_client_id(&id).await?.ok_or_else(|| JobError::retry("order vanished"))?
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let order = if fresh {
            self.venue.send(db, &self.bot, &order, kind).await?
        } else if order.status == OrderStatus::New {
            match self.venue.lookup(&self.bot, &order).await? {
                Some(ex) => self.venue.record(db, &self.bot, &order, &ex).await?,
                None => self.venue.send(db, &self.bot, &order, kind).await?,
            }
        } else {
            order
        };
        Ok(self.note_order(order))
    }

    /// Puts an order as just recorded into the book (the engine and fills do not depend on order rows).
    pub(crate) fn note_order(&mut self, o: Order) -> Order {
        self.book.note_order(o.clone());
        o
    }

    /// Brings every order the database thinks may rest to the exchange's state; an order written but never sent is
    /// sent now when the engine still wants it, else marked cancelled.
    pub async fn sync_orders(&mut self) -> Result<(), JobError> {
        if !self.book.orders.iter().any(|o| OrderStatus::LIVE.contains(&o.status)) {
            return Ok(());
        }
        // One call for everything still resting; a lookup each only for the orders that left the book.
        let resting = self.venue.open_orders(&self.bot).await?;
        self.sync_with(resting).await
    }

    /// [`Run::sync_orders`] with the exchange's resting orders on the bot's symbol already asked for (`None` for
    /// paper).
    pub async fn sync_with(&mut self, resting: Option<Vec<ExchangeOrder>>) -> Result<(), JobError> {
        let db = self.ctx.db.clone();
        let live: Vec<Order> =
            self.book.orders.iter().filter(|o| OrderStatus::LIVE.contains(&o.status)).cloned().collect();
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
            let recorded = match (ex, o.status) {
                (Some(ex), _) => self.venue.record(&db, &self.bot, &o, &ex).await?,
                (None, OrderStatus::New) => {
                    let wanted = o.level.is_none()
                        || self
                            .book
                            .engine
                            .resting_orders()
                            .iter()
                            .any(|i| self.level_order_id(i).is_ok_and(|(id, _)| id == o.client_order_id));
                    if wanted && o.level.is_some() {
                        if !self.placing_allowed().await? {
                            // Paused: it goes out when the symbol trades again.
                            continue;
                        }
                        match self.venue.send(&db, &self.bot, &o, OrderType::Limit).await {
                            Err(e) if e.market_closed => {
                                self.pause(&e.message).await?;
                                continue;
                            }
                            r => r?,
                        }
                    } else if o.level.is_none() || matches!(self.venue, Venue::Paper { .. }) {
                        // A paper counter-order the venue wrote for a fill not booked yet is wanted once it is;
                        // what stays unwanted after booking is cancelled with the strays.
                        // An initial buy or a stop sale written but never sent: the step that wrote it sends it.
                        continue;
                    } else {
                        self.venue.cancel(&db, &self.bot, &o).await?
                    }
                }
                (None, _) => {
                    // Live only: a paper order the database no longer rests was skipped above.
                    tracing::warn!(bot = %self.bot.id, order = %o.client_order_id, "the exchange no longer knows this order");
                    self.venue.cancel(&db, &self.bot, &o).await?
                }
            };
            self.note_order(recorded);
        }
        Ok(())
    }

    pub(crate) fn intent_id(&self, i: &gridbot_core::engine::OrderIntent) -> ClientOrderId {
        ClientOrderId::grid(self.bot.id, self.generation(), i.level.unwrap_or_default(), i.side, i.seq)
    }

    /// Places every resting order the engine wants that was never placed (a level whose order the exchange expired
    /// gets a fresh one once its backoff is over: `rules.rs`), and cancels this run's resting orders it does not
    /// want. Nothing is placed while the bot is paused; a refusal because the market is closed is returned as
    /// such (`JobError::market_closed`). Returns how many orders it placed or cancelled.
    pub async fn ensure_resting(&mut self) -> Result<usize, JobError> {
        let wanted = self.book.engine.resting_orders();
        let mut ids: HashSet<ClientOrderId> = HashSet::new();
        let mut placed = 0;
        let mut allowed = None;
        for i in &wanted {
            let (id, expired) = self.level_order_id(i)?;
            ids.insert(id.clone());
            if self.book.order(&id).is_some() || expired.is_some_and(|(o, n)| !Run::retry_due(&o, n)) {
                continue;
            }
            if allowed.is_none() {
                allowed = Some(self.placing_allowed().await?);
            }
            if allowed == Some(true) {
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
            let cancelled = self.venue.cancel(&self.ctx.db, &self.bot, o).await?;
            self.note_order(cancelled);
        }
        if placed > 0 || !strays.is_empty() {
            self.publish(BotChange::Orders).await;
        }
        Ok(placed + strays.len())
    }
}
