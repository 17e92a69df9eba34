//! The `fills` repository: executions, unique per bot and exchange trade id (a replay is [`DbError::Conflict`]), and
//! the realized P&L of a bot's or an account's fills since a time (what "today" and the daily loss limit count).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use gridbot_core::{BotId, Decimal, Price, Qty};
use gridbot_entity::{Amount, bot, fill, order};
use sea_orm::sea_query::{Query, UnionType};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use super::Result;
use super::types::{Fill, level_from_db, level_to_db};

/// Bots read by one statement of [`Fills::after`].
const BOTS_PER_UNION: usize = 100;

/// The `fills` table, through a connection or a transaction ([`super::Tx`]).
#[derive(Debug)]
pub struct Fills<'a, C = DatabaseConnection>(pub(crate) &'a C);

impl<C> Clone for Fills<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Fills<'_, C> {}

/// A bot's fills over a span: how many, how many closed a round trip (carry a P&L), and the realized P&L they made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub fills: u64,
    pub round_trips: u64,
    pub realized: Decimal,
}

impl<C: ConnectionTrait> Fills<'_, C> {
    pub async fn insert(&self, f: &Fill) -> Result<()> {
        model(f)?.insert(self.0).await?;
        Ok(())
    }

    /// Records a fill unless one with its exchange trade id is recorded for the bot already; whether it was. Unlike
    /// [`Fills::insert`], a replay is no error, so it may run inside a transaction that goes on.
    pub async fn record(&self, f: &Fill) -> Result<bool> {
        let done = fill::Entity::insert(model(f)?)
            .on_conflict_do_nothing_on([fill::Column::BotId, fill::Column::ExchangeTradeId])
            .exec_without_returning(self.0)
            .await?;
        Ok(matches!(done, sea_orm::TryInsertResult::Inserted(n) if n > 0))
    }

    /// A bot's fills, oldest first.
    pub async fn list_for_bot(&self, bot: BotId) -> Result<Vec<Fill>> {
        self.list(bot, true).await
    }

    /// A bot's fills in the order they were booked (the order its engine must book them again).
    pub async fn booked(&self, bot: BotId) -> Result<Vec<Fill>> {
        self.list(bot, false).await
    }

    /// The fills of `bot`'s run `generation`, in the order they were booked: the bot's other runs are not read.
    pub async fn booked_for_run(&self, bot: BotId, generation: u32) -> Result<Vec<Fill>> {
        let prefix = gridbot_core::ClientOrderId::generation_prefix(bot, generation);
        let orders = Query::select()
            .column(order::Column::Id)
            .from(order::Entity)
            .and_where(order::Column::BotId.eq(bot.0))
            .and_where(order::Column::ClientOrderId.starts_with(&prefix))
            .to_owned();
        let q = fill::Entity::find()
            .filter(fill::Column::BotId.eq(bot.0))
            .filter(fill::Column::OrderId.in_subquery(orders));
        rows_to_fills(q.order_by_asc(fill::Column::Id).all(self.0).await?)
    }

    /// The fills of each bot of `marks` booked after the fill id given with it, with their ids, in booking order (a
    /// bot's fills are written one after another by the job holding its lock: its new fills are the ones after the
    /// last one read).
    ///
    /// One statement per [`BOTS_PER_UNION`] bots, a union of one range of the `(bot_id, id)` index per bot: what it
    /// reads is what it returns, however long the bots have traded and whatever plan statistics would suggest (one
    /// condition per bot joined by `OR` was read as a scan of every fill once PostgreSQL's statistics lagged the table).
    pub async fn after(&self, marks: &[(BotId, i64)]) -> Result<Vec<(i64, Fill)>> {
        let mut out = Vec::new();
        for chunk in marks.chunks(BOTS_PER_UNION) {
            let range = |(bot, after): &(BotId, i64)| {
                fill::Entity::find()
                    .filter(fill::Column::BotId.eq(bot.0))
                    .filter(fill::Column::Id.gt(*after))
                    .into_query()
            };
            let Some((first, rest)) = chunk.split_first() else { continue };
            let mut union = range(first);
            for m in rest {
                union.union(UnionType::All, range(m));
            }
            let stmt = self.0.get_database_backend().build(&union);
            for m in fill::Entity::find().from_raw_sql(stmt).all(self.0).await? {
                out.push((m.id, to_fill(m)?));
            }
        }
        out.sort_by_key(|(id, _)| *id);
        Ok(out)
    }

    /// Realized P&L of `bot`'s fills at or after `since`, over every run (generation) of the bot.
    pub async fn realized_since(&self, bot: BotId, since: DateTime<Utc>) -> Result<Decimal> {
        let by_bot = self.realized(Condition::all().add(fill::Column::BotId.eq(bot.0)), since).await?;
        Ok(by_bot.get(&bot).copied().unwrap_or_default())
    }

    /// How many of `bot`'s fills at or after `since` closed a round trip (carry a P&L), over every run.
    pub async fn closed_since(&self, bot: BotId, since: DateTime<Utc>) -> Result<u64> {
        Ok(fill::Entity::find()
            .filter(fill::Column::BotId.eq(bot.0))
            .filter(fill::Column::Time.gte(since))
            .filter(fill::Column::Pnl.is_not_null())
            .count(self.0)
            .await?)
    }

    /// Per bot of the user's account: the realized P&L of its fills at or after `since`, every run; a bot without
    /// such fills is absent.
    pub async fn realized_since_by_bot(&self, user_id: i64, since: DateTime<Utc>) -> Result<HashMap<BotId, Decimal>> {
        let bots = Query::select()
            .column(bot::Column::Id)
            .from(bot::Entity)
            .and_where(bot::Column::UserId.eq(user_id))
            .to_owned();
        self.realized(Condition::all().add(fill::Column::BotId.in_subquery(bots)), since).await
    }

    /// Per bot of the user's account: its fills in `[from, to)` — how many, how many closed a round trip, and their
    /// realized P&L (every run); a bot without fills then is absent. What a daily summary reports.
    pub async fn between_by_bot(
        &self,
        user_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<BotId, DayFigures>> {
        let bots = Query::select()
            .column(bot::Column::Id)
            .from(bot::Entity)
            .and_where(bot::Column::UserId.eq(user_id))
            .to_owned();
        let rows: Vec<(i64, Option<Amount>)> = fill::Entity::find()
            .select_only()
            .column(fill::Column::BotId)
            .column(fill::Column::Pnl)
            .filter(fill::Column::BotId.in_subquery(bots))
            .filter(fill::Column::Time.gte(from))
            .filter(fill::Column::Time.lt(to))
            .into_tuple()
            .all(self.0)
            .await?;
        let mut days: HashMap<BotId, DayFigures> = HashMap::new();
        for (bot, pnl) in rows {
            let day = days.entry(BotId(bot)).or_default();
            day.fills += 1;
            if let Some(p) = pnl {
                day.round_trips += 1;
                day.realized = (day.realized + p.0).normalize();
            }
        }
        Ok(days)
    }

    /// Summed in Rust, not in SQL: SQLite keeps amounts as TEXT, and its SUM would go through floating point.
    async fn realized(&self, which: Condition, since: DateTime<Utc>) -> Result<HashMap<BotId, Decimal>> {
        let rows: Vec<(i64, Option<Amount>)> = fill::Entity::find()
            .select_only()
            .column(fill::Column::BotId)
            .column(fill::Column::Pnl)
            .filter(which)
            .filter(fill::Column::Time.gte(since))
            .filter(fill::Column::Pnl.is_not_null())
            .into_tuple()
            .all(self.0)
            .await?;
        let mut sums: HashMap<BotId, Decimal> = HashMap::new();
        for (bot, pnl) in rows {
            *sums.entry(BotId(bot)).or_default() += pnl.map_or(Decimal::ZERO, |p| p.0);
        }
        Ok(sums.into_iter().map(|(b, d)| (b, d.normalize())).collect())
    }

    async fn list(&self, bot: BotId, by_time: bool) -> Result<Vec<Fill>> {
        let mut q = fill::Entity::find().filter(fill::Column::BotId.eq(bot.0));
        if by_time {
            q = q.order_by_asc(fill::Column::Time);
        }
        rows_to_fills(q.order_by_asc(fill::Column::Id).all(self.0).await?)
    }
}

fn model(f: &Fill) -> Result<fill::ActiveModel> {
    Ok(fill::ActiveModel {
        bot_id: Set(f.bot.0),
        order_id: Set(f.order_id),
        side: Set(f.side.as_str().to_owned()),
        level: Set(level_to_db(f.level)?),
        price: Set(Amount(f.price.get())),
        qty: Set(Amount(f.qty.get())),
        fee: Set(Amount(f.fee)),
        fee_asset: Set(f.fee_asset.clone()),
        fee_quote: Set(f.fee_quote.map(Amount)),
        exchange_trade_id: Set(f.exchange_trade_id.clone()),
        pnl: Set(f.pnl.map(Amount)),
        time: Set(f.time),
        ..Default::default()
    })
}

fn rows_to_fills(rows: Vec<fill::Model>) -> Result<Vec<Fill>> {
    rows.into_iter().map(to_fill).collect()
}

fn to_fill(m: fill::Model) -> Result<Fill> {
    Ok(Fill {
        bot: BotId(m.bot_id),
        order_id: m.order_id,
        side: m.side.parse()?,
        level: level_from_db(m.level)?,
        price: Price::new(m.price.0)?,
        qty: Qty::new(m.qty.0)?,
        fee: m.fee.0,
        fee_asset: m.fee_asset,
        fee_quote: m.fee_quote.map(|v| v.0),
        exchange_trade_id: m.exchange_trade_id,
        pnl: m.pnl.map(|p| p.0),
        time: m.time,
    })
}
