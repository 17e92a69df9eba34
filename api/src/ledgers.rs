//! [`Ledgers`]: per bot, the sums the account's figures are made of — every run's realized P&L, today's, what its
//! paper fills moved in the paper account, and its current run's book — kept between requests and brought forward
//! with the fills booked since the last one read. A bot's fills are written one after another by the job holding its
//! lock, so its new fills are the ones after the last id read; a new run, a new day or a paper account funded afresh
//! reads the bot again. `/api/summary` then costs the fills booked since it was last asked, not the bots' history.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use chrono::{DateTime, NaiveDate, Utc};
use gridbot_core::{BotId, Decimal};
use gridbot_platform::{
    Db, DbError,
    book::{GridBook, RunState, charged_fee},
    db::{
        move_by,
        types::{Bot, BotMode, Fill, Order},
    },
};

/// One bot's sums, as of its fill `last_fill`.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// The row the sums were read for: another run (or run state) reads them again.
    bot: Bot,
    last_fill: i64,
    /// Every run's realized P&L.
    pub realized_total: Decimal,
    day: NaiveDate,
    /// The realized P&L of the fills since 00:00 UTC of `day`, every run.
    pub realized_today: Decimal,
    /// The paper account's funding time the moves were summed from.
    funded_at: Option<DateTime<Utc>>,
    /// A paper bot's fills since its account was funded, per asset (see [`move_by`]).
    pub moved: BTreeMap<String, Decimal>,
    /// A grid bot's current run, from its filled orders only (its resting ones are not read); `None` before its first
    /// run, for another strategy, or when it cannot be rebuilt.
    pub book: Option<GridBook>,
}

#[derive(Debug, Default)]
pub struct Ledgers(Mutex<HashMap<BotId, Arc<Ledger>>>);

impl Ledgers {
    /// The ledgers of `bots` (rows just read) now, for an account funded at `funded_at`: the ones kept are brought
    /// forward with one query for all their new fills; the others are read.
    pub async fn of(
        &self,
        db: &Db,
        bots: &[Bot],
        funded_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Arc<Ledger>>, DbError> {
        let day = now.date_naive();
        let kept: HashMap<BotId, Arc<Ledger>> = {
            let map = self.map();
            bots.iter()
                .filter_map(|b| map.get(&b.id).filter(|l| l.still(b, day, funded_at)).map(|l| (b.id, Arc::clone(l))))
                .collect()
        };
        // One statement for every bot's fills: a kept ledger's new ones, all of the others'.
        let marks: Vec<(BotId, i64)> =
            bots.iter().map(|b| (b.id, kept.get(&b.id).map_or(0, |l| l.last_fill))).collect();
        let mut new: HashMap<BotId, Vec<(i64, Fill)>> = HashMap::new();
        for (id, f) in db.fills().after(&marks).await? {
            new.entry(f.bot).or_default().push((id, f));
        }
        // Then one for the orders those fills were booked for, of the bots read afresh (orders after fills: every
        // fill read has its order among them). They tell a current run's fills from the others'; its resting orders
        // are not read (the figures need none).
        let mut runs: HashMap<BotId, RunState> = HashMap::new();
        for bot in bots.iter().filter(|b| !kept.contains_key(&b.id) && !gridbot_app::runtime_bot::is_runtime(b)) {
            if let Some(run) = RunState::from_bot(bot)? {
                runs.insert(bot.id, run);
            }
        }
        let fresh: Vec<BotId> = runs.keys().copied().collect();
        let mut orders: HashMap<BotId, Vec<Order>> = HashMap::new();
        for o in db.orders().filled_of(&fresh).await? {
            orders.entry(o.bot).or_default().push(o);
        }
        let mut out = Vec::with_capacity(bots.len());
        for bot in bots {
            let fills = new.remove(&bot.id);
            let ledger = match kept.get(&bot.id) {
                Some(l) => match fills {
                    None => Arc::clone(l),
                    Some(fills) => {
                        let mut l = Ledger::clone(l);
                        l.bot = bot.clone();
                        l.add(fills)?;
                        Arc::new(l)
                    }
                },
                None => {
                    let run = runs.remove(&bot.id).map(|r| (r, orders.remove(&bot.id).unwrap_or_default()));
                    Arc::new(Ledger::build(bot, funded_at, now, fills.unwrap_or_default(), run))
                }
            };
            out.push(Arc::clone(&ledger));
            let mut map = self.map();
            let newer = map.get(&bot.id).is_none_or(|old| old.last_fill <= ledger.last_fill);
            if newer {
                map.insert(bot.id, ledger);
            }
        }
        Ok(out)
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<BotId, Arc<Ledger>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Ledger {
    /// The bot's sums from all its `fills` (its current `run`'s book from that run's filled orders and fills).
    fn build(
        bot: &Bot,
        funded_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        fills: Vec<(i64, Fill)>,
        run: Option<(RunState, Vec<Order>)>,
    ) -> Ledger {
        let mut ledger = Ledger {
            bot: bot.clone(),
            last_fill: 0,
            realized_total: Decimal::ZERO,
            day: now.date_naive(),
            realized_today: Decimal::ZERO,
            funded_at,
            moved: BTreeMap::new(),
            book: None,
        };
        if let Some((run, orders)) = run {
            let booked: Vec<Fill> = fills.iter().map(|(_, f)| f.clone()).collect();
            ledger.book = match GridBook::build(bot, &bot.symbol, run, &orders, &booked) {
                Ok(book) => Some(book),
                Err(e) => {
                    tracing::warn!(bot_id = bot.id.0, error = %e, "the bot's run cannot be rebuilt; read as not started");
                    None
                }
            };
        }
        for (id, f) in fills {
            ledger.count(id, &f);
        }
        ledger
    }

    /// Whether these sums still hold for `bot` (its row just read) on `day`, for an account funded at `funded_at`.
    fn still(&self, bot: &Bot, day: NaiveDate, funded_at: Option<DateTime<Utc>>) -> bool {
        self.day == day && self.funded_at == funded_at && gridbot_app::books::same_grid(&self.bot, bot)
    }

    /// Adds fills booked after the last one counted, in booking order: to the sums, and a grid fill to the book.
    fn add(&mut self, fills: Vec<(i64, Fill)>) -> Result<(), DbError> {
        for (id, f) in fills {
            if let Some(book) = self.book.as_mut() {
                if let Some(level) = f.level {
                    let fee = charged_fee(&self.bot.symbol, f.fee, f.fee_asset.as_deref(), f.fee_quote)
                        .map_err(|e| DbError::Invalid { what: "fills", reason: e.to_string() })?;
                    book.engine
                        .book_charged_fill(f.side, level as usize, fee)
                        .map_err(|e| DbError::Invalid { what: "fills", reason: e.to_string() })?;
                }
                book.note_fill(f.clone());
            }
            self.count(id, &f);
        }
        Ok(())
    }

    fn count(&mut self, id: i64, f: &Fill) {
        self.last_fill = self.last_fill.max(id);
        if let Some(pnl) = f.pnl {
            self.realized_total += pnl;
            if f.time.date_naive() >= self.day {
                self.realized_today += pnl;
            }
        }
        if self.bot.mode == BotMode::Paper && self.funded_at.is_none_or(|s| f.time >= s) {
            move_by(&mut self.moved, &self.bot.symbol, f);
        }
    }
}
