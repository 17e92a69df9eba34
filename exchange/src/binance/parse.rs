//! Binance's JSON payloads read into Gridbot's types. Amounts arrive as strings, ids and times as numbers.

use gridbot_core::{Candle, Decimal, Side, Symbol, SymbolFilters};
use serde_json::Value;

use crate::{
    AggTrade, Balance, ExchangeError, ExchangeOrder, ExecutionReport, OrderStatus, OrderType, Result, SymbolInfo, Trade,
};

fn bad(what: &str, v: &Value) -> ExchangeError {
    let text = v.to_string();
    ExchangeError::Decode(format!("{what}: {}", text.chars().take(200).collect::<String>()))
}

pub fn dec(v: &Value, key: &str) -> Result<Decimal> {
    let s = v.get(key).and_then(Value::as_str).ok_or_else(|| bad(key, v))?;
    Decimal::from_str_exact(s).map(|d| d.normalize()).map_err(|_| bad(key, v))
}

fn dec_or_zero(v: &Value, key: &str) -> Decimal {
    dec(v, key).unwrap_or_default()
}

pub fn int(v: &Value, key: &str) -> Result<i64> {
    v.get(key).and_then(Value::as_i64).ok_or_else(|| bad(key, v))
}

fn side(s: &str) -> Result<Side> {
    match s {
        "BUY" => Ok(Side::Buy),
        "SELL" => Ok(Side::Sell),
        other => Err(ExchangeError::Decode(format!("side {other:?}"))),
    }
}

fn order_type(s: &str) -> OrderType {
    if s == "MARKET" { OrderType::Market } else { OrderType::Limit }
}

/// An expiry reason (`expiryReason`, `eR`); absent or `NONE` is none.
fn reason(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).filter(|r| !r.is_empty() && *r != "NONE").map(str::to_string)
}

/// One `symbols[]` entry of `exchangeInfo`.
///
/// ```json
/// {"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","filters":[
///   {"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},
///   {"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"},
///   {"filterType":"NOTIONAL","minNotional":"5.00000000",…},{"filterType":"MAX_NUM_ORDERS","maxNumOrders":200}]}
/// ```
pub fn symbol_info(v: &Value) -> Result<SymbolInfo> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).ok_or_else(|| bad(k, v));
    let symbol = Symbol::new(s("baseAsset")?, s("quoteAsset")?).map_err(|e| ExchangeError::Decode(e.to_string()))?;
    let mut f = SymbolFilters::btcusdt();
    f.max_num_orders = 200;
    for filter in v.get("filters").and_then(Value::as_array).into_iter().flatten() {
        match filter.get("filterType").and_then(Value::as_str) {
            Some("PRICE_FILTER") => {
                f.tick_size = dec(filter, "tickSize")?;
                f.min_price = dec_or_zero(filter, "minPrice");
                f.max_price = dec(filter, "maxPrice").ok().filter(|d| !d.is_zero()).unwrap_or(Decimal::MAX);
            }
            Some("LOT_SIZE") => {
                f.step_size = dec(filter, "stepSize")?;
                f.min_qty = dec_or_zero(filter, "minQty");
                f.max_qty = dec(filter, "maxQty").ok().filter(|d| !d.is_zero()).unwrap_or(Decimal::MAX);
            }
            Some("NOTIONAL") | Some("MIN_NOTIONAL") => f.min_notional = dec_or_zero(filter, "minNotional"),
            Some("MAX_NUM_ORDERS") => {
                f.max_num_orders = filter.get("maxNumOrders").and_then(Value::as_u64).map_or(200, |n| n as u32);
            }
            _ => {}
        }
    }
    Ok(SymbolInfo { symbol, status: s("status")?.to_string(), filters: f })
}

/// An order from `POST/GET/DELETE /api/v3/order`, `openOrders` or `allOrders`.
pub fn order(v: &Value) -> Result<ExchangeOrder> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).ok_or_else(|| bad(k, v));
    let client = v
        .get("clientOrderId")
        .or_else(|| v.get("origClientOrderId"))
        .and_then(Value::as_str)
        .ok_or_else(|| bad("clientOrderId", v))?;
    let status = OrderStatus::parse(s("status")?).ok_or_else(|| bad("status", v))?;
    Ok(ExchangeOrder {
        symbol: s("symbol")?.to_string(),
        order_id: int(v, "orderId")?,
        client_order_id: client.to_string(),
        side: side(s("side")?)?,
        order_type: order_type(s("type")?),
        price: dec_or_zero(v, "price"),
        orig_qty: dec(v, "origQty")?,
        executed_qty: dec_or_zero(v, "executedQty"),
        cumulative_quote: dec_or_zero(v, "cummulativeQuoteQty"),
        status,
        time: int(v, "time").or_else(|_| int(v, "transactTime")).unwrap_or_default(),
        expiry_reason: reason(v, "expiryReason"),
    })
}

/// One of `account.balances[]`.
pub fn balance(v: &Value) -> Result<Balance> {
    Ok(Balance {
        asset: v.get("asset").and_then(Value::as_str).ok_or_else(|| bad("asset", v))?.to_string(),
        free: dec(v, "free")?,
        locked: dec(v, "locked")?,
    })
}

/// One of `myTrades`.
pub fn trade(v: &Value) -> Result<Trade> {
    let b = |k: &str| v.get(k).and_then(Value::as_bool).ok_or_else(|| bad(k, v));
    Ok(Trade {
        id: int(v, "id")?,
        order_id: int(v, "orderId")?,
        symbol: v.get("symbol").and_then(Value::as_str).unwrap_or_default().to_string(),
        price: dec(v, "price")?,
        qty: dec(v, "qty")?,
        quote_qty: dec_or_zero(v, "quoteQty"),
        commission: dec_or_zero(v, "commission"),
        commission_asset: v.get("commissionAsset").and_then(Value::as_str).unwrap_or_default().to_string(),
        time: int(v, "time")?,
        is_buyer: b("isBuyer")?,
        is_maker: b("isMaker")?,
    })
}

/// One row of `GET /api/v3/aggTrades` (Binance's spot API docs, "Compressed/Aggregate trades list"):
///
/// ```json
/// {"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27781,"T":1498793709153,"m":true,"M":true}
/// ```
///
/// `a` aggregate id, `p` price, `q` quantity, `f`/`l` first and last trade id, `T` time, `m` the buyer was the
/// maker, `M` the best price match.
pub fn agg_trade(v: &Value) -> Result<AggTrade> {
    Ok(AggTrade {
        id: int(v, "a")?,
        price: dec(v, "p")?,
        qty: dec(v, "q")?,
        time: int(v, "T")?,
        first_trade_id: int(v, "f")?,
        last_trade_id: int(v, "l")?,
    })
}

/// One kline row: `[openTime,"open","high","low","close","volume",closeTime,…]`.
pub fn kline_row(v: &Value) -> Result<Candle> {
    let a = v.as_array().ok_or_else(|| bad("kline", v))?;
    let d = |i: usize| {
        a.get(i).and_then(Value::as_str).and_then(|s| Decimal::from_str_exact(s).ok()).ok_or_else(|| bad("kline", v))
    };
    Ok(Candle {
        open_time: a.first().and_then(Value::as_i64).ok_or_else(|| bad("kline", v))?,
        open: d(1)?,
        high: d(2)?,
        low: d(3)?,
        close: d(4)?,
        volume: d(5)?,
    })
}

/// `executionReport` (`{"e":"executionReport","s":…,"c":…,…}`).
pub fn execution_report(v: &Value) -> Result<ExecutionReport> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).ok_or_else(|| bad(k, v));
    Ok(ExecutionReport {
        symbol: s("s")?.to_string(),
        client_order_id: s("c")?.to_string(),
        side: side(s("S")?)?,
        order_type: order_type(s("o")?),
        qty: dec(v, "q")?,
        price: dec_or_zero(v, "p"),
        execution_type: s("x")?.to_string(),
        status: OrderStatus::parse(s("X")?).ok_or_else(|| bad("X", v))?,
        order_id: int(v, "i")?,
        last_qty: dec_or_zero(v, "l"),
        last_price: dec_or_zero(v, "L"),
        cumulative_qty: dec_or_zero(v, "z"),
        cumulative_quote: dec_or_zero(v, "Z"),
        commission: dec_or_zero(v, "n"),
        commission_asset: v.get("N").and_then(Value::as_str).map(str::to_string),
        time: int(v, "T").unwrap_or_default(),
        trade_id: int(v, "t").unwrap_or(-1),
        expiry_reason: reason(v, "eR"),
    })
}

/// A decimal written with exactly the places of `step` (`0.01` → `95000.10`), as Binance wants it.
pub fn format_to(value: Decimal, step: Decimal) -> String {
    let mut v = value;
    v.rescale(step.normalize().scale());
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    #[test]
    fn reads_exchange_info_filters() {
        let v = json!({"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","filters":[
            {"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},
            {"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"},
            {"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true},
            {"filterType":"MAX_NUM_ORDERS","maxNumOrders":200}]});
        let info = symbol_info(&v).unwrap();
        assert_eq!(info.symbol.exchange_name(), "BTCUSDT");
        assert_eq!(
            (info.filters.tick_size, info.filters.step_size, info.filters.min_notional),
            (dec!(0.01), dec!(0.00001), dec!(5))
        );
        assert_eq!(info.filters.max_qty, dec!(9000));
    }

    #[test]
    fn formats_to_the_filter_places() {
        assert_eq!(format_to(dec!(95000.1), dec!(0.01000000)), "95000.10");
        assert_eq!(format_to(dec!(0.5), dec!(0.00001)), "0.50000");
        assert_eq!(format_to(dec!(3), dec!(1)), "3");
    }
}
