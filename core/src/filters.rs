//! A symbol's exchange filters (PRICE_FILTER, LOT_SIZE, NOTIONAL, MAX_NUM_ORDERS) with rounding and checks.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    Error,
    error::FieldError,
    money::{floor_to_multiple, is_multiple, round_to_multiple},
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolFilters {
    pub tick_size: Decimal,
    pub step_size: Decimal,
    pub min_qty: Decimal,
    pub max_qty: Decimal,
    pub min_notional: Decimal,
    pub min_price: Decimal,
    pub max_price: Decimal,
    /// MAX_NUM_ORDERS: open orders allowed on the symbol.
    pub max_num_orders: u32,
}

impl SymbolFilters {
    /// BTCUSDT's filters, the spec's defaults.
    pub fn btcusdt() -> Self {
        Self::new(Decimal::new(1, 2), Decimal::new(1, 5), Decimal::new(5, 0)).expect("valid constants")
    }

    /// Filters from the three values a backtest needs; the rest take Binance's permissive defaults.
    pub fn new(tick_size: Decimal, step_size: Decimal, min_notional: Decimal) -> Result<Self, Error> {
        let f = SymbolFilters {
            tick_size,
            step_size,
            min_qty: step_size,
            max_qty: Decimal::new(9_000_000, 0),
            min_notional,
            min_price: tick_size,
            max_price: Decimal::new(1_000_000_000, 0),
            max_num_orders: 200,
        };
        f.validate()?;
        Ok(f)
    }

    pub fn validate(&self) -> Result<(), Error> {
        let mut errs = Vec::new();
        let mut positive = |field: &'static str, v: Decimal, max_dp: u32| {
            if v <= Decimal::ZERO {
                errs.push(FieldError { field, reason: format!("must be greater than 0, got {v}") });
            } else if v.normalize().scale() > max_dp {
                errs.push(FieldError { field, reason: format!("at most {max_dp} decimal places, got {v}") });
            }
        };
        positive("tick_size", self.tick_size, 8);
        positive("step_size", self.step_size, 8);
        if self.min_notional < Decimal::ZERO {
            errs.push(FieldError { field: "min_notional", reason: "must not be negative".into() });
        }
        if errs.is_empty() { Ok(()) } else { Err(Error::Invalid(errs)) }
    }

    /// The nearest valid price (ties away from zero).
    pub fn round_price(&self, price: Decimal) -> Decimal {
        round_to_multiple(price, self.tick_size)
    }

    /// The largest valid quantity not above `qty`.
    pub fn floor_qty(&self, qty: Decimal) -> Decimal {
        floor_to_multiple(qty, self.step_size)
    }

    /// Checks one limit order the way the exchange would, before it is sent.
    pub fn check_order(&self, price: Decimal, qty: Decimal) -> Result<(), String> {
        self.check_price(price)?;
        self.check_qty(qty)?;
        self.check_notional(price, qty)
    }

    /// PRICE_FILTER.
    pub fn check_price(&self, price: Decimal) -> Result<(), String> {
        if !is_multiple(price, self.tick_size) {
            return Err(format!("PRICE_FILTER: price {price} is not a multiple of tick size {}", self.tick_size));
        }
        if price < self.min_price || price > self.max_price {
            return Err(format!("PRICE_FILTER: price {price} outside [{}, {}]", self.min_price, self.max_price));
        }
        Ok(())
    }

    /// LOT_SIZE.
    pub fn check_qty(&self, qty: Decimal) -> Result<(), String> {
        if !is_multiple(qty, self.step_size) {
            return Err(format!("LOT_SIZE: quantity {qty} is not a multiple of step size {}", self.step_size));
        }
        if qty < self.min_qty || qty > self.max_qty {
            return Err(format!("LOT_SIZE: quantity {qty} outside [{}, {}]", self.min_qty, self.max_qty));
        }
        Ok(())
    }

    /// NOTIONAL: the order's value at `price`.
    pub fn check_notional(&self, price: Decimal, qty: Decimal) -> Result<(), String> {
        if price * qty < self.min_notional {
            return Err(format!(
                "NOTIONAL: order value {} is below the minimum {}",
                (price * qty).normalize(),
                self.min_notional
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn checks_like_the_exchange() {
        let f = SymbolFilters::btcusdt();
        assert!(f.check_order(dec!(100000.01), dec!(0.001)).is_ok());
        assert!(f.check_order(dec!(100000.001), dec!(0.001)).unwrap_err().starts_with("PRICE_FILTER"));
        assert!(f.check_order(dec!(100000), dec!(0.000001)).unwrap_err().starts_with("LOT_SIZE"));
        assert!(f.check_order(dec!(100000), dec!(0.00004)).unwrap_err().starts_with("NOTIONAL"));
        assert_eq!(f.round_price(dec!(100.125)), dec!(100.13));
        assert_eq!(f.floor_qty(dec!(0.123459)), dec!(0.12345));
    }

    #[test]
    fn bad_filters_are_refused() {
        assert!(SymbolFilters::new(dec!(0), dec!(0.1), dec!(5)).is_err());
        assert!(SymbolFilters::new(dec!(0.000000001), dec!(0.1), dec!(5)).is_err());
        assert!(SymbolFilters::new(dec!(0.01), dec!(0.1), dec!(-5)).is_err());
    }
}
