//! Bots whose strategy is not the grid run through the strategy runtime contract alone
//! ([`gridbot_core::strategy::Runtime`]): the registry builds the runtime from the bot's config, the run's filters
//! and its snapshot; nothing here names a strategy.
//!
//! A paper bot is driven by the scheduler, on every market trade and every closed 1-minute candle, in the market's
//! order: its runtime fills what the path reaches at the order's own price (as the backtest does), and each fill is
//! recorded with the snapshot it leads to in one transaction. The scheduler is the only writer of a running paper
//! bot's snapshot, so it keeps the runtime in memory between events.
//!
//! A live bot's runtime decides the same way; the scheduler saves its decision and enqueues a reconcile, in which a
//! worker sends the orders it wants and records the exchange's fills ([`live`]); the scheduler then books those
//! fills into the runtime, as charged, and saves the snapshot — still its only writer while the bot runs. A stop job
//! (the bot no longer running) books its own sale.

use chrono::Utc;
use gridbot_core::{
    BotId, ClientOrderId, Decimal, Error, FeeAsset, Price, Qty, Side,
    strategy::{
        Registry, Runtime,
        runtime::{Booked, Venue, Watched},
    },
};
use gridbot_platform::{
    BotChange, DbError, Event,
    book::RunState,
    db::{
        RuntimeFill,
        types::{Bot, BotMode},
    },
};
use serde_json::json;

use crate::{Ctx, notify::Message, paper::PaperFees};

mod jobs;
mod live;

pub(crate) use jobs::{start, stop};
pub(crate) use live::sync;
pub use live::{ExchangeFillRow, unbooked};

/// Whether `bot` runs through the generic runtime (every strategy but the grid, which keeps its own book).
pub fn is_runtime(bot: &Bot) -> bool {
    bot.strategy != "grid"
}

/// A running bot's runtime as the scheduler drives it.
#[derive(Debug)]
pub struct RuntimeBot {
    pub bot: Bot,
    pub generation: u32,
    runtime: Box<dyn Runtime>,
    fees: PaperFees,
    /// The open time of the last candle whose close the runtime was fed (warm-up included).
    last_close: i64,
    /// Fills of the run the runtime has booked.
    booked: u64,
}

/// The stored snapshot: the runtime's own, and the last candle it was fed.
fn stored(runtime: &dyn Runtime, last_close: i64) -> Result<serde_json::Value, Error> {
    Ok(json!({"runtime": runtime.snapshot()?, "last_close": last_close}))
}

/// How the paper venue charges the fills of a bot of `config` (as stored: decimals are strings): its `fee_rate` and
/// `fee_asset`.
fn paper_fees(config: &serde_json::Value) -> PaperFees {
    let rate = config
        .get("fee_rate")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(gridbot_core::config::default_fee_rate);
    let asset = match config.get("fee_asset").and_then(|v| v.as_str()) {
        Some("quote") => FeeAsset::Quote,
        _ => FeeAsset::Base,
    };
    PaperFees { rate, asset }
}

fn invalid(what: &'static str, e: impl ToString) -> DbError {
    DbError::Invalid { what, reason: e.to_string() }
}

impl RuntimeBot {
    /// The runtime of `bot`'s current run, from its run state and snapshot; `None` before its start recorded them.
    pub async fn load(db: &gridbot_platform::Db, bot: &Bot) -> Result<Option<RuntimeBot>, DbError> {
        let Some(run) = RunState::from_bot(bot)?.filter(|r| r.generation == bot.generation) else { return Ok(None) };
        let Some(state) = db.strategy_states().get(bot.id).await?.filter(|s| s.generation == run.generation) else {
            return Ok(None);
        };
        let snapshot = state.state.get("runtime").filter(|v| !v.is_null());
        let runtime = Registry::default()
            .runtime(&bot.strategy, run.config.as_ref().unwrap_or(&bot.config), &run.filters, run.start_price, snapshot)
            .map_err(|e| invalid("strategy_states", e))?;
        let last_close = state.state.get("last_close").and_then(serde_json::Value::as_i64).unwrap_or(i64::MIN);
        Ok(Some(RuntimeBot {
            bot: bot.clone(),
            generation: run.generation,
            runtime,
            fees: paper_fees(&bot.config),
            last_close,
            booked: state.fills,
        }))
    }

    pub fn watched(&self) -> Watched {
        self.runtime.watched()
    }

    pub fn runtime(&self) -> &dyn Runtime {
        self.runtime.as_ref()
    }

    fn venue(&self) -> Venue {
        match self.bot.mode {
            BotMode::Paper => Venue::Paper,
            BotMode::Live => Venue::Exchange,
        }
    }

    /// The market moved from `a` to `b`: what the runtime booked (paper), as fills to record; `None` when nothing
    /// changed.
    pub fn on_segment(&mut self, a: Decimal, b: Decimal) -> Result<Option<Record>, Error> {
        // A move that reaches no watched price changes nothing (the contract of `watched`): most trades stop here.
        if a == b || !self.runtime.watched().hit(b) {
            return Ok(None);
        }
        let (before, wanted) = (self.realized()?, self.runtime.wanted()?);
        let booked = self.runtime.on_segment(a, b, self.venue())?;
        if booked.is_empty() && self.runtime.wanted()? == wanted {
            return Ok(None);
        }
        self.record(booked, before, b).map(Some)
    }

    /// The candle opened at `open_time` closed at `close`: what the runtime booked, and its snapshot to save (the
    /// close changed it); `None` for a candle it was already fed.
    pub fn on_close(&mut self, open_time: i64, close: Decimal) -> Result<Option<Record>, Error> {
        if open_time <= self.last_close {
            return Ok(None);
        }
        let before = self.realized()?;
        let booked = self.runtime.on_close(close, self.venue())?;
        self.last_close = open_time;
        self.record(booked, before, close).map(Some)
    }

    pub fn mode(&self) -> BotMode {
        self.bot.mode
    }

    /// Books the fills an exchange made of the runtime's orders (recorded by the worker), in order: the snapshot
    /// and the P&L each booked, to save; `None` when there are none.
    pub fn book_exchange(&mut self, rows: &[ExchangeFillRow]) -> Result<Option<Record>, Error> {
        if rows.is_empty() {
            return Ok(None);
        }
        let mut booked = Vec::with_capacity(rows.len());
        for row in rows {
            let before = self.realized()?;
            self.runtime.on_fill(&row.fill)?;
            let pnl = (row.side == Side::Sell).then(|| self.realized()).transpose()?.map(|after| after - before);
            booked.push((row.order_id, pnl));
        }
        self.booked += booked.len() as u64;
        let state = stored(self.runtime.as_ref(), self.last_close)?;
        let mark = rows.last().map_or(Decimal::ONE, |r| r.fill.price);
        let wants_orders = !self.runtime.wanted()?.is_empty();
        Ok(Some(Record { fills: Vec::new(), booked, state, mark, wants_orders, bot: self.bot.clone() }))
    }

    /// The open time of the last candle whose close the runtime was fed.
    pub fn last_close(&self) -> i64 {
        self.last_close
    }

    /// Fills of the run the runtime has booked.
    pub fn booked(&self) -> u64 {
        self.booked
    }

    fn realized(&self) -> Result<Decimal, Error> {
        Ok(self.runtime.summary(Decimal::ONE)?.realized_pnl)
    }

    /// The fills of `booked` (the realized P&L they made, `before` → now, on the last sale) and the snapshot.
    fn record(&mut self, booked: Vec<Booked>, before: Decimal, mark: Decimal) -> Result<Record, Error> {
        self.booked += booked.len() as u64;
        let pnl = self.realized()? - before;
        let last_sale = booked.iter().rposition(|b| b.side == Side::Sell);
        let time = Utc::now();
        let fills = booked
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                let (fee, fee_asset) = self.fees.commission(&self.bot.symbol, b.side, b.qty, b.price);
                Ok(RuntimeFill {
                    client_order_id: ClientOrderId::tagged(self.bot.id, self.generation, &b.tag.0)?,
                    side: b.side,
                    price: Price::new(b.price)?,
                    qty: Qty::new(b.qty)?,
                    fee,
                    fee_asset,
                    pnl: (Some(i) == last_sale).then_some(pnl),
                    time,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let wants_orders = self.bot.mode == BotMode::Live && !self.runtime.wanted()?.is_empty();
        Ok(Record {
            fills,
            booked: Vec::new(),
            state: stored(self.runtime.as_ref(), self.last_close)?,
            mark,
            wants_orders,
            bot: self.bot.clone(),
        })
    }
}

/// What an event made a runtime book, and its snapshot after it.
#[derive(Debug, Clone)]
pub struct Record {
    /// Paper fills to record.
    pub fills: Vec<RuntimeFill>,
    /// Exchange fills already recorded (by their order) that this booked, with the P&L each made.
    pub booked: Vec<(i64, Option<Decimal>)>,
    pub state: serde_json::Value,
    /// The price the event ended at.
    pub mark: Decimal,
    /// A live runtime wants orders placed: a worker must send them.
    pub wants_orders: bool,
    /// The bot whose runtime booked them (its user is told of each paper fill).
    bot: Bot,
}

impl Record {
    /// Writes the fills and the snapshot in one transaction, and tells the dashboards; `false` when the bot no
    /// longer runs that generation (nothing written).
    pub async fn save(&self, ctx: &Ctx, bot: BotId, generation: u32) -> Result<bool, DbError> {
        let written = ctx.db.strategy_states().record(bot, generation, &self.fills, &self.booked, &self.state).await?;
        if written && (!self.fills.is_empty() || !self.booked.is_empty()) {
            ctx.events.publish(Event::Bot { bot_id: bot, change: BotChange::Fill }).await;
        }
        // The transaction that wrote the paper fills elects their one sender (see `crate::notify`); an exchange
        // fill's user was told when its worker recorded it.
        if written {
            for fill in &self.fills {
                ctx.notifier.about(&ctx.db, &self.bot, Message::runtime_fill(&self.bot, fill));
            }
        }
        Ok(written)
    }
}
