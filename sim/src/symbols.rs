//! The symbols the simulator lists, their exchange filters, and the `exchangeInfo` document.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::num::{fmt8, is_multiple};

/// One listed symbol with Binance's filters for it.
#[derive(Debug, Clone)]
pub(crate) struct SymbolSpec {
    pub name: &'static str,
    pub base: &'static str,
    pub quote: &'static str,
    pub tick: Decimal,
    pub step: Decimal,
    pub min_qty: Decimal,
    pub max_qty: Decimal,
    pub min_price: Decimal,
    pub max_price: Decimal,
    pub min_notional: Decimal,
    pub max_notional: Decimal,
    /// Where the random walk starts.
    pub start_price: Decimal,
    /// Quantity shown at each level of the synthetic book.
    pub book_qty: Decimal,
    /// Whether the random walk moves it (BNB, listed to value commissions paid in BNB, holds its price).
    pub walked: bool,
}

/// Most orders an account may have open on one symbol (`MAX_NUM_ORDERS`).
pub(crate) const MAX_NUM_ORDERS: usize = 200;

pub(crate) fn listed() -> Vec<SymbolSpec> {
    let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
    vec![
        SymbolSpec {
            name: "BTCUSDT",
            base: "BTC",
            quote: "USDT",
            tick: d("0.01"),
            step: d("0.00001"),
            min_qty: d("0.00001"),
            max_qty: d("9000"),
            min_price: d("0.01"),
            max_price: d("1000000"),
            min_notional: d("5"),
            max_notional: d("9000000"),
            start_price: d("100000.00"),
            book_qty: d("0.75"),
            walked: true,
        },
        SymbolSpec {
            name: "ETHUSDT",
            base: "ETH",
            quote: "USDT",
            tick: d("0.01"),
            step: d("0.0001"),
            min_qty: d("0.0001"),
            max_qty: d("9000"),
            min_price: d("0.01"),
            max_price: d("1000000"),
            min_notional: d("5"),
            max_notional: d("9000000"),
            start_price: d("3000.00"),
            book_qty: d("12.5"),
            walked: true,
        },
        SymbolSpec {
            name: "BNBUSDT",
            base: "BNB",
            quote: "USDT",
            tick: d("0.01"),
            step: d("0.001"),
            min_qty: d("0.001"),
            max_qty: d("9000"),
            min_price: d("0.01"),
            max_price: d("100000"),
            min_notional: d("5"),
            max_notional: d("9000000"),
            start_price: d("600.00"),
            book_qty: d("40"),
            walked: false,
        },
    ]
}

/// Why a price or quantity is refused: the filter's name, for `-1013 "Filter failure: NAME"`.
pub(crate) type FilterFailure = &'static str;

impl SymbolSpec {
    pub fn check_price(&self, price: Decimal) -> Result<(), FilterFailure> {
        if price < self.min_price || price > self.max_price || !is_multiple(price, self.tick) {
            return Err("PRICE_FILTER");
        }
        Ok(())
    }

    pub fn check_qty(&self, qty: Decimal, market: bool) -> Result<(), FilterFailure> {
        if qty < self.min_qty || qty > self.max_qty || !is_multiple(qty, self.step) {
            return Err(if market { "MARKET_LOT_SIZE" } else { "LOT_SIZE" });
        }
        Ok(())
    }

    pub fn check_notional(&self, notional: Decimal) -> Result<(), FilterFailure> {
        if notional < self.min_notional || notional > self.max_notional {
            return Err("NOTIONAL");
        }
        Ok(())
    }

    /// The symbol's entry in `exchangeInfo.symbols`, with its current trading `status`.
    pub fn info(&self, status: &str) -> Value {
        let s = fmt8;
        json!({
            "symbol": self.name,
            "status": status,
            "baseAsset": self.base,
            "baseAssetPrecision": 8,
            "quoteAsset": self.quote,
            "quotePrecision": 8,
            "quoteAssetPrecision": 8,
            "baseCommissionPrecision": 8,
            "quoteCommissionPrecision": 8,
            "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"],
            "icebergAllowed": false,
            "ocoAllowed": false,
            "otoAllowed": false,
            "quoteOrderQtyMarketAllowed": true,
            "allowTrailingStop": false,
            "cancelReplaceAllowed": false,
            "amendAllowed": false,
            "isSpotTradingAllowed": true,
            "isMarginTradingAllowed": false,
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": s(self.min_price), "maxPrice": s(self.max_price), "tickSize": s(self.tick)},
                {"filterType": "LOT_SIZE", "minQty": s(self.min_qty), "maxQty": s(self.max_qty), "stepSize": s(self.step)},
                {"filterType": "MARKET_LOT_SIZE", "minQty": s(Decimal::ZERO), "maxQty": s(self.max_qty), "stepSize": s(Decimal::ZERO)},
                {"filterType": "NOTIONAL", "minNotional": s(self.min_notional), "applyMinToMarket": true,
                 "maxNotional": s(self.max_notional), "applyMaxToMarket": false, "avgPriceMins": 5},
                {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": MAX_NUM_ORDERS},
                {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5}
            ],
            "permissions": [],
            "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]
        })
    }
}

/// The `rateLimits` array of `exchangeInfo`, from the simulator's live limits.
pub(crate) fn rate_limits(weight_per_minute: u32, orders_per_10s: u32) -> Value {
    json!([
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": weight_per_minute},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": orders_per_10s},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000}
    ])
}
