//! The contract's Order, Fill and round-trip (Trade) shapes, built from the repositories' rows; shared by the
//! trading routes and the bot WebSocket. Money is a decimal string.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use gridbot_core::Decimal;
use gridbot_platform::db::types::{Fill, Order, Trade};
use serde::Serialize;
use utoipa::ToSchema;

/// A decimal as the API writes it: a string without trailing zeros.
pub fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrderOut {
    pub id: i64,
    pub bot_id: i64,
    pub client_order_id: String,
    pub exchange_order_id: Option<String>,
    /// `buy` or `sell`.
    pub side: &'static str,
    /// The grid level; null for a market order (the initial buy, a stop's sale).
    pub level_index: Option<u32>,
    pub price: String,
    pub amount: String,
    pub filled_amount: String,
    pub avg_fill_price: Option<String>,
    pub fee: String,
    pub fee_asset: Option<String>,
    /// `new`, `open`, `partially_filled`, `filled`, `cancelled` or `rejected`.
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Order> for OrderOut {
    fn from(o: &Order) -> Self {
        OrderOut {
            id: o.id,
            bot_id: o.bot.0,
            client_order_id: o.client_order_id.to_string(),
            exchange_order_id: o.exchange_order_id.clone(),
            side: o.side.as_str(),
            level_index: o.level,
            price: dec(o.price.get()),
            amount: dec(o.amount.get()),
            filled_amount: dec(o.filled.get()),
            avg_fill_price: o.avg_fill_price.map(|p| dec(p.get())),
            fee: dec(o.fee),
            fee_asset: o.fee_asset.clone(),
            status: o.status.as_str(),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FillOut {
    /// Stable and unique: `order_id * 1000 + n`, `n` counting the order's earlier fills (the repository does not
    /// expose the row id).
    pub id: i64,
    pub bot_id: i64,
    pub order_id: i64,
    pub time: DateTime<Utc>,
    pub side: &'static str,
    pub price: String,
    pub amount: String,
    pub fee: String,
    /// The round trip's profit on a sell that closes one, else null.
    pub pnl: Option<String>,
}

/// Fills (oldest first, as the repository lists them) in the contract's shape, in the same order.
pub fn fills_out(fills: &[Fill]) -> Vec<FillOut> {
    let mut seen: HashMap<i64, i64> = HashMap::new();
    fills
        .iter()
        .map(|f| {
            let n = seen.entry(f.order_id).or_insert(0);
            let id = f.order_id.saturating_mul(1000).saturating_add(*n);
            *n += 1;
            FillOut {
                id,
                bot_id: f.bot.0,
                order_id: f.order_id,
                time: f.time,
                side: f.side.as_str(),
                price: dec(f.price.get()),
                amount: dec(f.qty.get()),
                fee: dec(f.fee),
                pnl: f.pnl.map(dec),
            }
        })
        .collect()
}

/// A round trip: a lot bought and sold.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TradeOut {
    /// The closing sell order's id (one round trip per grid sell).
    pub id: i64,
    pub bot_id: i64,
    /// 0 when the lot's buy is not known (never for a grid started by this version).
    pub buy_order_id: i64,
    pub sell_order_id: i64,
    /// The buy's fill price (the start price for a lot of the initial buy); null when unknown.
    pub buy_price: Option<String>,
    pub sell_price: Option<String>,
    pub amount: Option<String>,
    pub profit: String,
    pub fees: String,
    pub created_at: DateTime<Utc>,
}

/// Round trips joined with their orders (`orders` by id).
pub fn trade_out(t: &Trade, orders: &HashMap<i64, &Order>) -> TradeOut {
    let price = |o: &Order| dec(o.avg_fill_price.unwrap_or(o.price).get());
    let buy = orders.get(&t.buy_order_id);
    let sell = orders.get(&t.sell_order_id);
    TradeOut {
        id: t.sell_order_id,
        bot_id: t.bot.0,
        buy_order_id: t.buy_order_id,
        sell_order_id: t.sell_order_id,
        buy_price: buy.map(|o| price(o)),
        sell_price: sell.map(|o| price(o)),
        amount: sell.map(|o| dec(if o.filled.get().is_zero() { o.amount.get() } else { o.filled.get() })),
        profit: dec(t.profit),
        fees: dec(t.fees),
        created_at: t.created_at,
    }
}
