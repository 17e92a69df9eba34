//! The `orders` repository. The database enforces unique client order ids: a second insert is
//! [`DbError::DuplicateClientOrderId`].

use chrono::Utc;
use gridbot_core::{BotId, ClientOrderId, Decimal, Price, Qty, Side};
use gridbot_entity::{Amount, fill, order};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::types::{NewOrder, Order, OrderStatus, level_from_db, level_to_db};
use super::{DbError, Result};

/// The `orders` table, through a connection or a transaction ([`super::Tx`]).
#[derive(Debug)]
pub struct Orders<'a, C = DatabaseConnection>(pub(crate) &'a C);

impl<C> Clone for Orders<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for Orders<'_, C> {}

impl<C: ConnectionTrait> Orders<'_, C> {
    /// Records an order before it is sent, status `new`.
    pub async fn insert(&self, new: &NewOrder) -> Result<Order> {
        self.insert_as(new, OrderStatus::New, None).await
    }

    /// Records a limit order the paper venue rests as it is written (status open, exchange id `paper-{client id}`,
    /// as [`Orders::insert_resting`] does): one write where recording it new and then resting it took two.
    pub async fn insert_open(&self, new: &NewOrder) -> Result<Order> {
        self.insert_as(new, OrderStatus::Open, Some(format!("paper-{}", new.client_order_id.as_str()))).await
    }

    async fn insert_as(&self, new: &NewOrder, status: OrderStatus, exchange_id: Option<String>) -> Result<Order> {
        match row(new, status, exchange_id, Utc::now())?.insert(self.0).await {
            Ok(m) => to_order(m),
            Err(e) => match DbError::from(e) {
                DbError::Conflict(_) => Err(DbError::DuplicateClientOrderId(new.client_order_id.to_string())),
                other => Err(other),
            },
        }
    }

    /// Records orders resting at the paper venue as they are (status open, exchange id `paper-{client id}`), in one
    /// statement per 200 orders; an order whose client id is recorded already is left as it is.
    pub async fn insert_resting(&self, new: &[NewOrder]) -> Result<()> {
        let now = Utc::now();
        for chunk in new.chunks(200) {
            let rows = chunk
                .iter()
                .map(|n| row(n, OrderStatus::Open, Some(format!("paper-{}", n.client_order_id.as_str())), now))
                .collect::<Result<Vec<_>>>()?;
            order::Entity::insert_many(rows)
                .on_conflict_do_nothing_on([order::Column::ClientOrderId])
                .exec_without_returning(self.0)
                .await?;
        }
        Ok(())
    }

    /// The recorded orders among these client ids, in no particular order.
    pub async fn by_client_ids(&self, ids: &[ClientOrderId]) -> Result<Vec<Order>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows = order::Entity::find()
                .filter(order::Column::ClientOrderId.is_in(chunk.iter().map(|id| id.as_str().to_owned())))
                .all(self.0)
                .await?;
            for row in rows {
                out.push(to_order(row)?);
            }
        }
        Ok(out)
    }

    pub async fn by_client_id(&self, id: &ClientOrderId) -> Result<Option<Order>> {
        let m = order::Entity::find().filter(order::Column::ClientOrderId.eq(id.as_str())).one(self.0).await?;
        m.map(to_order).transpose()
    }

    pub async fn list_for_bot(&self, bot: BotId) -> Result<Vec<Order>> {
        let rows = order::Entity::find()
            .filter(order::Column::BotId.eq(bot.0))
            .order_by_asc(order::Column::Id)
            .all(self.0)
            .await?;
        rows.into_iter().map(to_order).collect()
    }

    /// The orders of `bot`'s run `generation` (their client ids carry its prefix), oldest first: the bot's other
    /// runs are not read.
    pub async fn list_for_run(&self, bot: BotId, generation: u32) -> Result<Vec<Order>> {
        let prefix = ClientOrderId::generation_prefix(bot, generation);
        let rows = order::Entity::find()
            .filter(order::Column::BotId.eq(bot.0))
            .filter(order::Column::ClientOrderId.starts_with(&prefix))
            .order_by_asc(order::Column::Id)
            .all(self.0)
            .await?;
        // LIKE ignores ASCII case in SQLite: the prefix is checked exactly here.
        let orders = rows.into_iter().map(to_order).collect::<Result<Vec<_>>>()?;
        Ok(orders.into_iter().filter(|o| o.client_order_id.as_str().starts_with(&prefix)).collect())
    }

    /// The orders of `bots` a fill was booked for, every run, oldest first, in one statement.
    pub async fn filled_of(&self, bots: &[BotId]) -> Result<Vec<Order>> {
        if bots.is_empty() {
            return Ok(Vec::new());
        }
        let ids = || bots.iter().map(|b| b.0);
        let booked = Query::select()
            .column(fill::Column::OrderId)
            .from(fill::Entity)
            .and_where(fill::Column::BotId.is_in(ids()))
            .to_owned();
        let rows = order::Entity::find()
            .filter(order::Column::BotId.is_in(ids()))
            .filter(order::Column::Id.in_subquery(booked))
            .order_by_asc(order::Column::Id)
            .all(self.0)
            .await?;
        rows.into_iter().map(to_order).collect()
    }

    /// `bot`'s orders that may still change its books — the live ones (new, open, partly filled) and the filled ones no
    /// fill was booked for yet — and `bot`'s orders `also` (a book's live orders, whatever became of them), oldest
    /// first, in one statement: one snapshot, so an order is never seen before a change that an older one is seen
    /// after. Orders that left the book before are final and not read.
    ///
    /// Everything asked for is the bot's, and the fills it checks are the bot's too: whatever plan the database picks
    /// (PostgreSQL hashes the subquery when its statistics lag a growing table), the read never looks beyond this
    /// bot's rows.
    pub async fn unsettled(&self, bot: BotId, also: &[i64]) -> Result<Vec<Order>> {
        let unbooked = Expr::not_exists(
            Query::select()
                .expr(Expr::val(1))
                .from(fill::Entity)
                .and_where(fill::Column::BotId.eq(bot.0))
                .and_where(Expr::col((fill::Entity, fill::Column::OrderId)).equals((order::Entity, order::Column::Id)))
                .to_owned(),
        );
        let mut wanted = Condition::any()
            .add(is_live())
            .add(Condition::all().add(order::Column::Status.eq(OrderStatus::Filled.as_str())).add(unbooked));
        if !also.is_empty() {
            wanted = wanted.add(order::Column::Id.is_in(also.iter().copied()));
        }
        let rows = order::Entity::find()
            .filter(order::Column::BotId.eq(bot.0))
            .filter(wanted)
            .order_by_asc(order::Column::Id)
            .all(self.0)
            .await?;
        rows.into_iter().map(to_order).collect()
    }

    /// How many of `bot`'s orders, of any run, are still live ([`OrderStatus::LIVE`]: resting, or sent and not yet
    /// answered).
    pub async fn count_live(&self, bot: BotId) -> Result<u64> {
        let n = order::Entity::find().filter(order::Column::BotId.eq(bot.0)).filter(is_live()).count(self.0).await?;
        Ok(n)
    }

    /// The orders with these ids, oldest first.
    pub async fn by_ids(&self, ids: &[i64]) -> Result<Vec<Order>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = order::Entity::find()
            .filter(order::Column::Id.is_in(ids.iter().copied()))
            .order_by_asc(order::Column::Id)
            .all(self.0)
            .await?;
        rows.into_iter().map(to_order).collect()
    }

    /// A bot's orders in one of `statuses`, oldest first.
    pub async fn list_with_status(&self, bot: BotId, statuses: &[OrderStatus]) -> Result<Vec<Order>> {
        let rows = order::Entity::find()
            .filter(order::Column::BotId.eq(bot.0))
            .filter(order::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
            .order_by_asc(order::Column::Id)
            .all(self.0)
            .await?;
        rows.into_iter().map(to_order).collect()
    }

    /// What the resting orders (open, partly filled) of `bots` hold: per order its bot, side, price and the amount
    /// left. Only those columns are read: the dashboard's header asks for every paper bot of a user on each poll.
    pub async fn resting_left(&self, bots: &[BotId]) -> Result<Vec<(BotId, Side, Decimal, Decimal)>> {
        if bots.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, String, Amount, Amount, Amount)> = order::Entity::find()
            .select_only()
            .column(order::Column::BotId)
            .column(order::Column::Side)
            .column(order::Column::Price)
            .column(order::Column::Amount)
            .column(order::Column::FilledAmount)
            .filter(order::Column::BotId.is_in(bots.iter().map(|b| b.0)))
            .filter(order::Column::Status.is_in([OrderStatus::Open.as_str(), OrderStatus::PartiallyFilled.as_str()]))
            .into_tuple()
            .all(self.0)
            .await?;
        rows.into_iter()
            .map(|(bot, side, price, amount, filled)| Ok((BotId(bot), side.parse()?, price.0, amount.0 - filled.0)))
            .collect()
    }

    /// Records the exchange's view of an order: its id, status, filled amount, average price and fee. Compare-and-set:
    /// only an order still live (new, open, partly filled), or already in `status`, changes, so two writers can never
    /// both fill, or fill and cancel, one order. An order recorded again in the final status it is in keeps its time.
    /// Returns the order as recorded — the other writer's state when that one came first.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_state(
        &self,
        id: &ClientOrderId,
        exchange_order_id: Option<&str>,
        status: OrderStatus,
        filled: Qty,
        avg_fill_price: Option<Price>,
        fee: Decimal,
        fee_asset: Option<&str>,
    ) -> Result<Order> {
        let rows = order::Entity::update_many()
            .col_expr(order::Column::ExchangeOrderId, Expr::value(exchange_order_id.map(str::to_owned)))
            .col_expr(order::Column::Status, Expr::value(status.as_str()))
            .col_expr(order::Column::FilledAmount, Expr::value(Amount(filled.get())))
            .col_expr(order::Column::AvgFillPrice, Expr::value(avg_fill_price.map(|p| Amount(p.get()))))
            .col_expr(order::Column::Fee, Expr::value(Amount(fee)))
            .col_expr(order::Column::FeeAsset, Expr::value(fee_asset.map(str::to_owned)))
            .col_expr(order::Column::UpdatedAt, recorded_at())
            .filter(order::Column::ClientOrderId.eq(id.as_str()))
            .filter(recordable(status))
            .exec_with_returning(self.0)
            .await?;
        match rows.into_iter().next() {
            Some(row) => to_order(row),
            None => self.by_client_id(id).await?.ok_or_else(|| DbError::not_found("order", id)),
        }
    }

    /// Fills each order of `fills` whole at its own price, charged its fee, as [`Orders::update_state`] records a fill
    /// (while it still rests, or again when it was recorded filled before, keeping its time), in one statement per
    /// [`FILLS_PER_STATEMENT`] orders: a price move filling a thousand orders is a few statements, not a thousand
    /// round trips. Returns the orders now filled; one missing had left the book (a stop cancelled it).
    pub async fn fill_resting(&self, fills: &[WholeFill]) -> Result<Vec<Order>> {
        let mut filled = Vec::with_capacity(fills.len());
        for part in fills.chunks(FILLS_PER_STATEMENT) {
            let per_order = |value: &dyn Fn(&WholeFill) -> Expr, column: order::Column| -> Expr {
                part.iter()
                    .fold(CaseStatement::new(), |case, f| {
                        case.case(order::Column::ClientOrderId.eq(f.id.as_str()), value(f))
                    })
                    .finally(Expr::col(column))
                    .into()
            };
            let rows = order::Entity::update_many()
                .col_expr(order::Column::Status, Expr::value(OrderStatus::Filled.as_str()))
                .col_expr(order::Column::FilledAmount, Expr::col(order::Column::Amount))
                .col_expr(order::Column::AvgFillPrice, Expr::col(order::Column::Price))
                .col_expr(order::Column::Fee, per_order(&|f| Expr::value(Amount(f.fee)), order::Column::Fee))
                .col_expr(
                    order::Column::FeeAsset,
                    per_order(&|f| Expr::value(f.fee_asset.clone()), order::Column::FeeAsset),
                )
                .col_expr(order::Column::UpdatedAt, recorded_at())
                .filter(order::Column::ClientOrderId.is_in(part.iter().map(|f| f.id.as_str())))
                .filter(recordable(OrderStatus::Filled))
                .exec_with_returning(self.0)
                .await?;
            for row in rows {
                filled.push(to_order(row)?);
            }
        }
        Ok(filled)
    }
}

/// Orders [`Orders::fill_resting`] fills in one statement: each adds a comparison per order to each row it writes, so
/// a part stays small.
const FILLS_PER_STATEMENT: usize = 100;

/// An order filled whole at its own price ([`Orders::fill_resting`]), charged `fee` in `fee_asset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeFill {
    pub id: ClientOrderId,
    pub fee: Decimal,
    pub fee_asset: String,
}

/// The orders still live ([`OrderStatus::LIVE`]: resting, or sent and not yet answered).
fn is_live() -> Expr {
    order::Column::Status.is_in(OrderStatus::LIVE.map(OrderStatus::as_str))
}

/// The orders a recording of `status` may write: the live ones, and one already in `status` (recorded again).
fn recordable(status: OrderStatus) -> Condition {
    Condition::any().add(is_live()).add(order::Column::Status.eq(status.as_str()))
}

/// `updated_at` as a recording of an order's state writes it: now, unless the order was already in its final status.
/// An order recorded again in the final status it is in keeps its time: books take fills in the order they happened,
/// by that time, so a late re-read of a fill must not move it after later fills.
fn recorded_at() -> Expr {
    Expr::case(is_live(), Utc::now()).finally(Expr::col(order::Column::UpdatedAt)).into()
}

/// The row of a new order in `status`, nothing of it filled.
fn row(
    n: &NewOrder,
    status: OrderStatus,
    exchange_order_id: Option<String>,
    now: chrono::DateTime<Utc>,
) -> Result<order::ActiveModel> {
    Ok(order::ActiveModel {
        bot_id: Set(n.bot.0),
        client_order_id: Set(n.client_order_id.as_str().to_owned()),
        exchange_order_id: Set(exchange_order_id),
        side: Set(n.side.as_str().to_owned()),
        level_index: Set(level_to_db(n.level)?),
        price: Set(Amount(n.price.get())),
        amount: Set(Amount(n.amount.get())),
        filled_amount: Set(Amount(Decimal::ZERO)),
        avg_fill_price: Set(None),
        fee: Set(Amount(Decimal::ZERO)),
        fee_asset: Set(None),
        status: Set(status.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
}

fn to_order(m: order::Model) -> Result<Order> {
    Ok(Order {
        id: m.id,
        bot: BotId(m.bot_id),
        client_order_id: ClientOrderId::parse(&m.client_order_id)?,
        exchange_order_id: m.exchange_order_id,
        side: m.side.parse()?,
        level: level_from_db(m.level_index)?,
        price: Price::new(m.price.0)?,
        amount: Qty::new(m.amount.0)?,
        filled: Qty::new(m.filled_amount.0)?,
        avg_fill_price: m.avg_fill_price.map(|p| Price::new(p.0)).transpose()?,
        fee: m.fee.0,
        fee_asset: m.fee_asset,
        status: m.status.parse()?,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}
