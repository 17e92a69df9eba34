//! Where a bot's orders go. Live: the user's exchange account. Paper: the database is the book — a limit order rests
//! as an `open` row until the scheduler's paper matcher ([`crate::paper`]) fills it on the price stream; a market
//! order fills at once at the price it was sent with. Each fill's commission is recorded on its order as it was charged:
//! the exchange's own trades for a live order, the bot's fee rate in the asset `fee_asset` says for paper.

use std::sync::Arc;

use gridbot_core::Decimal;
use gridbot_exchange::{Exchange, ExchangeError, ExchangeOrder, OrderRequest, OrderStatus as XStatus, OrderType};

use crate::paper::PaperFees;
use gridbot_platform::{
    Db,
    db::types::{Bot, Order, OrderStatus},
};

use crate::JobError;

#[derive(Debug)]
pub enum Venue {
    Live(Arc<dyn Exchange>),
    Paper { db: Db, fees: PaperFees },
}

impl Venue {
    /// Sends an order already written to the database, and records the exchange's answer. Returns the order as
    /// recorded.
    pub async fn send(&self, db: &Db, bot: &Bot, o: &Order, kind: OrderType) -> Result<Order, JobError> {
        let ex = match self {
            Venue::Live(x) => {
                let req = OrderRequest {
                    symbol: bot.symbol.clone(),
                    side: o.side,
                    order_type: kind,
                    price: (kind == OrderType::Limit).then(|| o.price.get()),
                    qty: o.amount.get(),
                    client_order_id: o.client_order_id.clone(),
                };
                match x.place(&req).await {
                    Ok(ex) => ex,
                    // Sent before (a crash or a lost answer): the exchange has it; read it back.
                    Err(ExchangeError::DuplicateOrder(_)) => {
                        match x.order(&bot.symbol, o.client_order_id.as_str()).await? {
                            Some(ex) => ex,
                            None => return Err(JobError::retry("duplicate order reported but not found")),
                        }
                    }
                    // The symbol is not trading: the order stays written and unsent; placing pauses.
                    Err(e @ ExchangeError::MarketClosed(_)) => return Err(e.into()),
                    Err(e @ (ExchangeError::Filter(_) | ExchangeError::InsufficientBalance(_))) => {
                        record(db, o, OrderStatus::Rejected, Decimal::ZERO, None, Decimal::ZERO, None).await?;
                        return Err(JobError::fatal(format!("order {} refused: {e}", o.client_order_id)).caused_by(&e));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Venue::Paper { fees, .. } => {
                let (qty, price) = (o.amount.get(), o.price.get());
                return match kind {
                    OrderType::Limit => {
                        record(db, o, OrderStatus::Open, Decimal::ZERO, None, Decimal::ZERO, None).await
                    }
                    OrderType::Market => {
                        let (fee, asset) = fees.commission(&bot.symbol, o.side, qty, price);
                        record(db, o, OrderStatus::Filled, qty, Some(price), fee, Some(&asset)).await
                    }
                };
            }
        };
        self.record(db, bot, o, &ex).await
    }

    /// Records the exchange's view of `o`; once it has executed and stopped working, with the commission its trades
    /// were charged (asked for once). Returns the order as recorded.
    pub async fn record(&self, db: &Db, bot: &Bot, o: &Order, ex: &ExchangeOrder) -> Result<Order, JobError> {
        let settled = !ex.executed_qty.is_zero() && !matches!(ex.status, XStatus::New | XStatus::PartiallyFilled);
        let known = o.status == OrderStatus::Filled && o.fee_asset.is_some();
        let Venue::Live(x) = self else { return sync(db, o, ex, None).await };
        if !settled || known {
            return sync(db, o, ex, None).await;
        }
        let trades = x.order_trades(&bot.symbol, ex.order_id).await?;
        let mut fee = Decimal::ZERO;
        let mut asset: Option<String> = None;
        for t in trades.iter().filter(|t| !t.commission.is_zero()) {
            match &asset {
                Some(a) if *a != t.commission_asset => {
                    // Binance pays one order's commissions in one asset unless BNB runs out midway: keep the first.
                    tracing::warn!(bot = %bot.id, order = %o.client_order_id, first = %a, other = %t.commission_asset, "an order's commission was paid in two assets");
                    continue;
                }
                _ => asset = Some(t.commission_asset.clone()),
            }
            fee += t.commission;
        }
        let asset = asset.unwrap_or_else(|| bot.symbol.quote().to_owned());
        sync(db, o, ex, Some((fee.normalize(), &asset))).await
    }

    /// The exchange's view of an order; `None` when it never reached the exchange.
    pub async fn lookup(&self, bot: &Bot, o: &Order) -> Result<Option<ExchangeOrder>, JobError> {
        match self {
            Venue::Live(x) => Ok(x.order(&bot.symbol, o.client_order_id.as_str()).await?),
            Venue::Paper { .. } => Ok(None),
        }
    }

    /// The orders resting at a live exchange on the bot's symbol; `None` for paper (the database is the book).
    pub async fn open_orders(&self, bot: &Bot) -> Result<Option<Vec<ExchangeOrder>>, JobError> {
        match self {
            Venue::Live(x) => Ok(Some(x.open_orders(&bot.symbol).await?)),
            Venue::Paper { .. } => Ok(None),
        }
    }

    /// Cancels a resting order; an order the exchange no longer has is not an error. Returns the order as recorded.
    pub async fn cancel(&self, db: &Db, bot: &Bot, o: &Order) -> Result<Order, JobError> {
        match self {
            Venue::Live(x) => match x.cancel(&bot.symbol, o.client_order_id.as_str()).await {
                Ok(ex) => self.record(db, bot, o, &ex).await,
                Err(ExchangeError::UnknownOrder(_)) => match x.order(&bot.symbol, o.client_order_id.as_str()).await? {
                    Some(ex) => self.record(db, bot, o, &ex).await,
                    None => record(db, o, OrderStatus::Cancelled, o.filled.get(), None, o.fee, None).await,
                },
                Err(e) => Err(e.into()),
            },
            Venue::Paper { db: pdb, .. } => {
                // Re-read: the matcher may have filled it since it was loaded.
                let now = pdb.orders().by_client_id(&o.client_order_id).await?;
                match now {
                    Some(n) if n.status == OrderStatus::Filled => Ok(n),
                    _ => {
                        record(
                            db,
                            o,
                            OrderStatus::Cancelled,
                            o.filled.get(),
                            o.avg_fill_price.map(|p| p.get()),
                            o.fee,
                            None,
                        )
                        .await
                    }
                }
            }
        }
    }
}

/// Records the exchange's view of `o`, with the commission `charged` when known (an order answer carries none: the fee
/// recorded before stays); returns the order as recorded.
async fn sync(db: &Db, o: &Order, ex: &ExchangeOrder, charged: Option<(Decimal, &str)>) -> Result<Order, JobError> {
    let status = match ex.status {
        XStatus::New => OrderStatus::Open,
        XStatus::PartiallyFilled => OrderStatus::PartiallyFilled,
        XStatus::Filled => OrderStatus::Filled,
        XStatus::Canceled => OrderStatus::Cancelled,
        // Neither a fill nor a cancel of ours (the Price Range Execution Rule): the level is placed again later.
        XStatus::Expired => OrderStatus::Expired,
        XStatus::Rejected => OrderStatus::Rejected,
    };
    if status == OrderStatus::Expired && o.status != OrderStatus::Expired {
        expired(db, o, ex.expiry_reason.as_deref()).await;
    }
    db.orders()
        .update_state(
            &o.client_order_id,
            Some(&ex.order_id.to_string()),
            status,
            gridbot_core::Qty::new(ex.executed_qty).map_err(|e| JobError::fatal(e.to_string()))?,
            ex.avg_price().map(gridbot_core::Price::new).transpose().map_err(|e| JobError::fatal(e.to_string()))?,
            charged.map_or(o.fee, |(fee, _)| fee),
            charged.map(|(_, asset)| asset).or(o.fee_asset.as_deref()),
        )
        .await
        .map_err(JobError::from)
}

/// Logs an order the exchange expired and records it among the bot's events, with the exchange's reason.
async fn expired(db: &Db, o: &Order, reason: Option<&str>) {
    let reason = reason.unwrap_or("no reason given");
    let level = o.level.map_or_else(|| "no level".to_owned(), |l| format!("level {l}"));
    tracing::warn!(bot = %o.bot, order = %o.client_order_id, ?o.level, %reason,
        "order expired at the exchange: not a fill, not a cancel; its level is suspended and placed again later");
    let event = gridbot_platform::db::types::BotEvent {
        bot: o.bot,
        kind: "order_expired".to_owned(),
        from_status: None,
        to_status: None,
        reason: Some(format!(
            "{} order {} ({level} at {}) expired at the exchange: {reason}; placed again later",
            o.side,
            o.client_order_id,
            o.price.get()
        )),
        created_at: chrono::Utc::now(),
    };
    if let Err(e) = db.bot_events().record(&event).await {
        tracing::warn!(bot = %o.bot, error = %e, "bot event not recorded");
    }
}

async fn record(
    db: &Db,
    o: &Order,
    status: OrderStatus,
    filled: Decimal,
    avg: Option<Decimal>,
    fee: Decimal,
    fee_asset: Option<&str>,
) -> Result<Order, JobError> {
    let exchange_id = format!("paper-{}", o.id);
    db.orders()
        .update_state(
            &o.client_order_id,
            Some(o.exchange_order_id.as_deref().unwrap_or(&exchange_id)),
            status,
            gridbot_core::Qty::new(filled).map_err(|e| JobError::fatal(e.to_string()))?,
            avg.map(gridbot_core::Price::new).transpose().map_err(|e| JobError::fatal(e.to_string()))?,
            fee,
            fee_asset.or(o.fee_asset.as_deref()),
        )
        .await
        .map_err(JobError::from)
}
