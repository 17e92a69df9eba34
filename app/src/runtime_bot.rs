//! Bots whose strategy is not the grid run through the strategy runtime contract alone
//! ([`gridbot_core::strategy::Runtime`]): the registry builds the runtime from the bot's config, the run's filters
//! and its snapshot; nothing here names a strategy.
//!
//! A paper bot is driven by the scheduler, on every market trade and every closed 1-minute candle, in the market's
//! order: its runtime fills what the path reaches at the order's own price (as the backtest does), and each fill is
//! recorded with the snapshot it leads to in one transaction. The scheduler is the only writer of a running paper
//! bot's snapshot, so it keeps the runtime in memory between events.

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
        types::{Bot, BotMode, BotStatus},
    },
};
use serde_json::json;

use crate::{Ctx, JobError, paper::PaperFees};

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
}

/// The stored snapshot: the runtime's own, and the last candle it was fed.
fn stored(runtime: &dyn Runtime, last_close: i64) -> Result<serde_json::Value, Error> {
    Ok(json!({"runtime": runtime.snapshot()?, "last_close": last_close}))
}

/// How the paper venue charges the fills of a bot of `config`: its `fee_rate` and `fee_asset`.
fn paper_fees(config: &serde_json::Value) -> PaperFees {
    let rate = config
        .get("fee_rate")
        .and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_f64().map(|f| f.to_string())))
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
        if a == b {
            return Ok(None);
        }
        let before = self.realized()?;
        let booked = self.runtime.on_segment(a, b, self.venue())?;
        if booked.is_empty() {
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

    fn realized(&self) -> Result<Decimal, Error> {
        Ok(self.runtime.summary(Decimal::ONE)?.realized_pnl)
    }

    /// The fills of `booked` (the realized P&L they made, `before` → now, on the last sale) and the snapshot.
    fn record(&self, booked: Vec<Booked>, before: Decimal, mark: Decimal) -> Result<Record, Error> {
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
        Ok(Record { fills, state: stored(self.runtime.as_ref(), self.last_close)?, mark })
    }
}

/// What an event made a runtime book, and its snapshot after it.
#[derive(Debug, Clone)]
pub struct Record {
    pub fills: Vec<RuntimeFill>,
    pub state: serde_json::Value,
    /// The price the event ended at.
    pub mark: Decimal,
}

impl Record {
    /// Writes the fills and the snapshot in one transaction, and tells the dashboards; `false` when the bot no
    /// longer runs that generation (nothing written).
    pub async fn save(&self, ctx: &Ctx, bot: BotId, generation: u32) -> Result<bool, DbError> {
        let written = ctx.db.strategy_states().record(bot, generation, &self.fills, &self.state).await?;
        if written && !self.fills.is_empty() {
            ctx.events.publish(Event::Bot { bot_id: bot, change: BotChange::Fill }).await;
        }
        Ok(written)
    }
}

/// The start job of a runtime bot: its run recorded (filters, start price), the runtime warmed up on the closes
/// before now, its first snapshot saved, the bot running.
pub(crate) async fn start(ctx: &Ctx, bot: &Bot) -> Result<(), JobError> {
    if bot.mode == BotMode::Live {
        return Err(JobError::fatal(format!("{} runs on paper only, for now", bot.strategy)));
    }
    let fresh = RunState::from_bot(bot)?.filter(|r| r.generation == bot.generation);
    if fresh.is_none() {
        let info = ctx.market.symbol_info(&bot.symbol).await?;
        let price = ctx.market.price(&bot.symbol).await?;
        let registry = Registry::default();
        let mut runtime = registry.runtime(&bot.strategy, &bot.config, &info.filters, price, None)?;
        let want = runtime.warm_up_candles();
        let mut last_close = i64::MIN;
        if want > 0 {
            let limit = u16::try_from(want + 1).unwrap_or(u16::MAX);
            let mut candles = ctx.market.klines(&bot.symbol, "1m", None, limit).await?;
            // The newest candle is still forming: it closes on the stream.
            candles.pop();
            let closes: Vec<Decimal> = candles.iter().map(|c| c.close).collect();
            runtime.warm_up(&closes)?;
            last_close = candles.last().map_or(i64::MIN, |c| c.open_time);
        }
        let run = RunState {
            start_price: price,
            filters: info.filters.clone(),
            generation: bot.generation,
            started_at: Utc::now(),
            fee_asset: paper_fees(&bot.config).asset,
            config: Some(bot.config.clone()),
            stop: None,
        };
        ctx.db.strategy_states().start(bot.id, bot.generation, &stored(runtime.as_ref(), last_close)?).await?;
        ctx.db.bots().set_run_state(bot.id, &run).await?;
        tracing::info!(bot = %bot.id, strategy = %bot.strategy, %price, warm_up = want, "runtime started");
    }
    if ctx.db.bots().transition(bot.id, &[BotStatus::Starting], BotStatus::Running, None).await? {
        crate::commands::record_event(
            ctx,
            bot.id,
            "started",
            Some(BotStatus::Starting),
            Some(BotStatus::Running),
            None,
        )
        .await;
    }
    ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Status }).await;
    Ok(())
}

/// The stop job of a runtime bot: the paper venue has no resting orders to cancel; with `sell`, the runtime closes
/// out what it holds at the market's price (booked and recorded as a fill), and the bot is stopped with `reason`.
pub(crate) async fn stop(ctx: &Ctx, bot: &Bot, reason: &str, sell: bool) -> Result<(), JobError> {
    if bot.status == BotStatus::Stopped {
        return Ok(());
    }
    let stoppable = [BotStatus::Starting, BotStatus::Running, BotStatus::Error, BotStatus::Stopping];
    ctx.db.bots().transition(bot.id, &stoppable, BotStatus::Stopping, Some(reason)).await?;
    let stopping = Bot { status: BotStatus::Stopping, ..bot.clone() };
    if sell && let Some(mut rb) = RuntimeBot::load(&ctx.db, &stopping).await? {
        let price = ctx.market.price(&bot.symbol).await?;
        let before = rb.realized()?;
        let booked = rb.runtime.close_out(price, rb.venue())?;
        if !booked.is_empty() {
            let record = rb.record(booked, before, price)?;
            record.save(ctx, bot.id, rb.generation).await?;
            let mut state = RunState::from_bot(bot)?.ok_or_else(|| JobError::fatal("run state missing"))?;
            state.stop = Some(gridbot_platform::book::RunStop { reason: reason.to_owned(), price });
            ctx.db.bots().set_run_state(bot.id, &state).await?;
            tracing::info!(bot = %bot.id, %price, "position sold at the stop");
        }
    }
    ctx.db.bots().transition(bot.id, &[BotStatus::Stopping], BotStatus::Stopped, Some(reason)).await?;
    crate::commands::record_event(ctx, bot.id, "stopped", Some(bot.status), Some(BotStatus::Stopped), Some(reason))
        .await;
    ctx.events.publish(Event::Bot { bot_id: bot.id, change: BotChange::Status }).await;
    Ok(())
}
