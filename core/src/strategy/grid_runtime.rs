//! The grid as a [`Runtime`]: its orders are the engine's resting limit orders, tagged `buy-L` / `sell-L` by level;
//! a segment fills what it crosses on the paper venue and books the stop loss or take profit it reaches. The grid
//! restores from its run's fills (no snapshot): its state is its lots, which the fills make.

use rust_decimal::Decimal;

use crate::{
    Error, GridConfig, GridEngine, Side, SymbolFilters,
    ledger::Summary,
    strategy::runtime::{Booked, ExchangeFill, OrderType, Runtime, Tag, Venue, Wanted, Watched},
    units::price_to_int,
};

#[derive(Debug, Clone)]
pub struct GridRuntime {
    engine: GridEngine,
}

/// The tag of the grid's order of `side` on `level`.
pub fn grid_tag(side: Side, level: usize) -> Tag {
    Tag(format!("{}-{level}", side.as_str()))
}

/// The side and level a grid tag names.
pub fn parse_grid_tag(tag: &Tag) -> Option<(Side, usize)> {
    let (side, level) = tag.0.split_once('-')?;
    let side = match side {
        "buy" => Side::Buy,
        "sell" => Side::Sell,
        _ => return None,
    };
    Some((side, level.parse().ok()?))
}

impl GridRuntime {
    /// The grid started at `price`: its initial lots bought there.
    pub fn start(config: &GridConfig, filters: &SymbolFilters, price: Decimal) -> Result<Self, Error> {
        Ok(GridRuntime { engine: GridEngine::start(config, filters, price)? })
    }

    pub fn engine(&self) -> &GridEngine {
        &self.engine
    }
}

impl Runtime for GridRuntime {
    fn name(&self) -> &'static str {
        "grid"
    }

    fn wanted(&self) -> Result<Vec<Wanted>, Error> {
        Ok(self
            .engine
            .resting_orders()
            .into_iter()
            .filter_map(|o| {
                let tag = grid_tag(o.side, o.level?);
                Some(Wanted { tag, side: o.side, order_type: OrderType::Limit, price: o.price, qty: o.qty })
            })
            .collect())
    }

    fn on_segment(&mut self, a: Decimal, b: Decimal, venue: Venue) -> Result<Vec<Booked>, Error> {
        match venue {
            Venue::Paper => {
                let resting = self.wanted()?;
                let fills = self.engine.on_segment(a, b)?;
                let plan = self.engine.plan();
                Ok(fills
                    .into_iter()
                    .map(|(side, level)| {
                        let tag = grid_tag(side, level);
                        let qty = resting.iter().find(|w| w.tag == tag).map_or(plan.qty, |w| w.qty);
                        Booked { tag, side, price: plan.levels[level], qty }
                    })
                    .collect())
            }
            Venue::Exchange => {
                if let Some(reason) = self.engine.stop_triggered(b) {
                    let price = match reason {
                        crate::ledger::StopReason::StopLoss => self.engine.plan().stop_loss_price,
                        crate::ledger::StopReason::TakeProfit => self.engine.plan().take_profit_price,
                    };
                    self.engine.stop(reason, price.unwrap_or(b));
                }
                Ok(Vec::new())
            }
        }
    }

    fn on_close(&mut self, close: Decimal, _: Venue) -> Result<Vec<Booked>, Error> {
        if !self.engine.is_stopped() {
            let p = price_to_int(close).ok_or_else(|| Error::field("price", format!("{close} is not a price")))?;
            self.engine.sample_equity(p);
        }
        Ok(Vec::new())
    }

    fn on_fill(&mut self, fill: &ExchangeFill) -> Result<(), Error> {
        let (side, level) =
            parse_grid_tag(&fill.tag).ok_or_else(|| Error::State(format!("{} is not a grid order's tag", fill.tag)))?;
        self.engine.book_charged_fill(side, level, fill.fee).map(|_| ())
    }

    fn watched(&self) -> Watched {
        let plan = self.engine.plan();
        let orders = self.engine.resting_orders();
        let buy = orders.iter().filter(|o| o.side == Side::Buy).map(|o| o.price).max();
        let sell = orders.iter().filter(|o| o.side == Side::Sell).map(|o| o.price).min();
        let stopped = self.engine.is_stopped();
        Watched {
            below: buy.max(plan.stop_loss_price.filter(|_| !stopped)),
            above: [sell, plan.take_profit_price.filter(|_| !stopped)].into_iter().flatten().min(),
            closes: false,
        }
    }

    fn summary(&self, mark: Decimal) -> Result<Summary, Error> {
        Ok(self.engine.summary(mark))
    }

    fn snapshot(&self) -> Result<Option<serde_json::Value>, Error> {
        Ok(None)
    }

    fn stopped(&self) -> bool {
        self.engine.is_stopped()
    }
}
