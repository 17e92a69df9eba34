//! Strict validation of a [`Suggestion`] against the market: the price strictly inside the range, the range sane
//! (at most 50 % below and 100 % above the price), bounds rounded to the tick, every level a valid price, the grid
//! sized by the engine itself at the current price with every order on the step and above the minimum notional,
//! no more orders than the symbol allows, and every step wide enough to pay a round trip's fees. A refused
//! suggestion carries every reason and is never applied.

use gridbot_core::{
    Decimal, Error, FeeAsset, GridConfig, GridConfigInput, GridEngine, Spacing, SymbolFilters,
    config::default_fee_rate,
    strategy::{GridParams, bot_fee_asset},
};

use crate::answer::Suggestion;

/// The parts of a grid config a suggestion does not choose: they come from the bot's current config (or the
/// defaults), so that a backtest runs what accepting the suggestion would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridBase {
    pub capital: Decimal,
    pub spacing: Spacing,
    pub fee_rate: Decimal,
    pub fee_asset: FeeAsset,
    pub stop_loss_pct: Option<Decimal>,
    pub take_profit_pct: Option<Decimal>,
    pub max_daily_loss: Option<Decimal>,
}

impl GridBase {
    /// `capital` with an arithmetic grid, the default fee paid as a bot pays it, and no stops.
    pub fn new(capital: Decimal) -> Self {
        GridBase {
            capital,
            spacing: Spacing::Arithmetic,
            fee_rate: default_fee_rate(),
            fee_asset: bot_fee_asset(),
            stop_loss_pct: None,
            take_profit_pct: None,
            max_daily_loss: None,
        }
    }

    /// `capital` with the rest of `current`.
    pub fn from_current(capital: Decimal, current: &GridConfig) -> Self {
        GridBase {
            capital,
            spacing: current.spacing(),
            fee_rate: current.fee_rate(),
            fee_asset: current.fee_asset(),
            stop_loss_pct: current.stop_loss_pct(),
            take_profit_pct: current.take_profit_pct(),
            max_daily_loss: current.max_daily_loss(),
        }
    }

    pub fn config(&self, lower: Decimal, upper: Decimal, levels: usize) -> Result<GridConfig, Error> {
        GridConfig::new(GridConfigInput {
            lower,
            upper,
            levels,
            spacing: self.spacing,
            capital: self.capital,
            fee_rate: self.fee_rate,
            fee_asset: self.fee_asset,
            stop_loss_pct: self.stop_loss_pct,
            take_profit_pct: self.take_profit_pct,
            max_daily_loss: self.max_daily_loss,
        })
    }

    /// The product's config JSON for these bounds (what accepting would store, bar the bot's own capital).
    pub fn params(&self, config: &GridConfig) -> GridParams {
        GridParams::from_config(config)
    }
}

/// A suggestion that passed every check: bounds on the tick, and the config it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub suggestion: Suggestion,
    pub config: GridConfig,
}

/// Checks `s` at `price`; `Err` lists every reason it is refused.
pub fn validate(
    s: &Suggestion,
    base: &GridBase,
    price: Decimal,
    filters: &SymbolFilters,
) -> Result<Checked, Vec<String>> {
    let mut errs = Vec::new();
    let (lower, upper) = (filters.round_price(s.grid_lower), filters.round_price(s.grid_upper));
    if lower >= price {
        errs.push(format!("grid_lower {} must be below the price {price}", s.grid_lower));
    } else if lower < price / Decimal::TWO {
        errs.push(format!("grid_lower {} is more than 50% below the price {price}", s.grid_lower));
    }
    if upper <= price {
        errs.push(format!("grid_upper {} must be above the price {price}", s.grid_upper));
    } else if upper > price * Decimal::TWO {
        errs.push(format!("grid_upper {} is more than 100% above the price {price}", s.grid_upper));
    }
    for (key, p) in [("grid_lower", lower), ("grid_upper", upper)] {
        if let Err(reason) = filters.check_price(p) {
            errs.push(format!("{key}: {reason}"));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let config = base.config(lower, upper, s.num_levels).map_err(|e| reasons(&e))?;
    let engine = GridEngine::start(&config, filters, price).map_err(|e| reasons(&e))?;
    let plan = engine.plan();
    if let Err(reason) = filters.check_qty(plan.qty) {
        errs.push(format!("quantity per level: {reason}"));
    }
    for p in &plan.levels {
        if let Err(reason) = filters.check_price(*p).and_then(|()| filters.check_notional(*p, plan.qty)) {
            errs.push(format!("level {p}: {reason}"));
        }
    }
    let orders = s.num_levels - 1;
    if orders > filters.max_num_orders as usize {
        errs.push(format!("{orders} open orders needed; the symbol allows {}", filters.max_num_orders));
    }
    if let Some(w) = plan.levels.windows(2).find(|w| w[1] - w[0] <= base.fee_rate * (w[0] + w[1])) {
        errs.push(format!(
            "num_levels: the step from {} to {} does not pay a round trip's fees ({} of each side)",
            w[0], w[1], base.fee_rate
        ));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Checked { suggestion: Suggestion { grid_lower: lower, grid_upper: upper, ..s.clone() }, config })
}

/// A core refusal in the answer's own names.
fn reasons(e: &Error) -> Vec<String> {
    let rename = |f: &str| match f {
        "lower" => "grid_lower".to_owned(),
        "upper" => "grid_upper".to_owned(),
        "levels" => "num_levels".to_owned(),
        other => other.to_owned(),
    };
    match e {
        Error::Invalid(fields) => fields.iter().map(|f| format!("{}: {}", rename(f.field), f.reason)).collect(),
        other => vec![other.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::RiskLevel;
    use rust_decimal_macros::dec;

    fn s(lower: Decimal, upper: Decimal, n: usize) -> Suggestion {
        Suggestion {
            grid_lower: lower,
            grid_upper: upper,
            num_levels: n,
            confidence: 70,
            reasoning: "r".into(),
            risk_level: RiskLevel::Low,
        }
    }

    fn check(lower: Decimal, upper: Decimal, n: usize, capital: Decimal) -> Result<Checked, Vec<String>> {
        validate(&s(lower, upper, n), &GridBase::new(capital), dec!(100000), &SymbolFilters::btcusdt())
    }

    #[test]
    fn a_sound_grid_passes_with_bounds_on_the_tick() {
        let c = check(dec!(95000.004), dec!(105000.005), 20, dec!(10000)).unwrap();
        assert_eq!((c.suggestion.grid_lower, c.suggestion.grid_upper), (dec!(95000), dec!(105000.01)));
        assert_eq!((c.config.lower(), c.config.upper(), c.config.levels()), (dec!(95000), dec!(105000.01), 20));
    }

    #[test]
    fn each_defect_is_refused_with_its_reason() {
        let cases = [
            (dec!(100000), dec!(105000), 20, dec!(10000), "grid_lower 100000 must be below the price 100000"),
            (dec!(95000), dec!(99999.99), 20, dec!(10000), "grid_upper 99999.99 must be above the price"),
            (dec!(40000), dec!(105000), 20, dec!(10000), "grid_lower 40000 is more than 50% below"),
            (dec!(95000), dec!(250000), 20, dec!(10000), "grid_upper 250000 is more than 100% above"),
            (dec!(95000), dec!(105000), 20, dec!(50), "capital too small for 20 levels"),
            (dec!(99990), dec!(100010), 200, dec!(1000000), "num_levels: the step from"),
            (dec!(99999.99), dec!(100000.02), 5, dec!(10000), "grid too dense for tick size 0.01"),
        ];
        for (lower, upper, n, capital, reason) in cases {
            let errs = check(lower, upper, n, capital).unwrap_err();
            assert!(errs.iter().any(|e| e.starts_with(reason)), "{lower}..{upper}/{n}: {errs:?}");
        }
    }

    #[test]
    fn the_symbols_order_limit_applies() {
        let mut f = SymbolFilters::btcusdt();
        f.max_num_orders = 10;
        let errs =
            validate(&s(dec!(90000), dec!(110000), 20), &GridBase::new(dec!(100000)), dec!(100000), &f).unwrap_err();
        assert_eq!(errs, ["19 open orders needed; the symbol allows 10"]);
    }
}
