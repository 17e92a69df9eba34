//! Mean reversion as a [`Runtime`]: one position at a time, decided at candle closes and by the path reaching the
//! stop; its snapshot is the engine's [`MeanReversionState`], so a bot restores without its history.

use rust_decimal::Decimal;

use super::{
    MeanReversionConfig, MeanReversionEngine, MeanReversionParams, MeanReversionState, NAME, Order, books::exact,
};
use crate::{
    Error, SymbolFilters,
    ledger::Summary,
    strategy::runtime::{Booked, ExchangeFill, OrderType, Position, Runtime, Tag, Venue, Wanted, Watched},
};

#[derive(Debug, Clone)]
pub struct MeanReversionRuntime {
    engine: MeanReversionEngine,
}

impl MeanReversionRuntime {
    pub fn new(config: &MeanReversionConfig) -> Result<Self, Error> {
        Ok(MeanReversionRuntime { engine: MeanReversionEngine::new(config)? })
    }

    /// A bot's runtime: its config with the exchange's `filters`, restored from `snapshot` when it has one.
    pub fn for_bot(
        config: &serde_json::Value,
        filters: &SymbolFilters,
        snapshot: Option<&serde_json::Value>,
    ) -> Result<Self, Error> {
        let config = bot_config(config, filters)?;
        let engine = match snapshot {
            Some(s) => {
                let state: MeanReversionState = serde_json::from_value(s.clone())
                    .map_err(|e| Error::State(format!("mean_reversion snapshot: {e}")))?;
                MeanReversionEngine::restore(&config, &state)?
            }
            None => MeanReversionEngine::new(&config)?,
        };
        Ok(MeanReversionRuntime { engine })
    }

    pub fn engine(&self) -> &MeanReversionEngine {
        &self.engine
    }

    fn tag(&self, o: &Order) -> Tag {
        Tag(format!("{}-{}", reason_name(o), self.engine.books.orders_filled + 1))
    }

    /// Books the decided order at its own price (the paper venue).
    fn book_now(&mut self, order: Option<Order>) -> Result<Vec<Booked>, Error> {
        let Some(o) = order else { return Ok(Vec::new()) };
        let tag = self.tag(&o);
        self.engine.book_fill(o.price)?;
        Ok(vec![Booked { tag, side: o.side, price: o.price, qty: o.qty }])
    }
}

fn reason_name(o: &Order) -> &'static str {
    match o.reason {
        super::OrderReason::Entry => "entry",
        super::OrderReason::Exit => "exit",
        super::OrderReason::StopLoss => "stop_loss",
    }
}

/// A bot's config: the params of `value` (filters are the exchange's, never the user's) with `filters`.
pub fn bot_config(value: &serde_json::Value, filters: &SymbolFilters) -> Result<MeanReversionConfig, Error> {
    let params = bot_params(value)?;
    MeanReversionConfig::new(MeanReversionParams {
        tick_size: filters.tick_size,
        step_size: filters.step_size,
        min_notional: filters.min_notional,
        ..params
    })
}

/// The filter fields a backtest takes and a bot does not (it trades with its exchange's).
const FILTER_FIELDS: [&str; 3] = ["tick_size", "step_size", "min_notional"];

/// A bot's params from its JSON config, validated (with the default filters); errors name the field.
pub fn bot_params(value: &serde_json::Value) -> Result<MeanReversionParams, Error> {
    if let Some(field) = FILTER_FIELDS.iter().find(|f| value.get(**f).is_some()) {
        return Err(Error::field(field, "a bot trades with its exchange's filters; leave it out".to_string()));
    }
    let mut params = MeanReversionParams::from_json(value)?;
    if value.get("fee_asset").is_none() {
        // A bot pays its fees as an account without BNB does: in the asset each fill delivers.
        params.fee_asset = crate::strategy::bot_fee_asset();
    }
    MeanReversionConfig::new(params.clone())?;
    Ok(params)
}

impl Runtime for MeanReversionRuntime {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wanted(&self) -> Result<Vec<Wanted>, Error> {
        Ok(self
            .engine
            .wanted()?
            .map(|o| Wanted {
                tag: self.tag(&o),
                side: o.side,
                order_type: OrderType::Market,
                price: o.price,
                qty: o.qty,
            })
            .into_iter()
            .collect())
    }

    fn on_segment(&mut self, a: Decimal, b: Decimal, venue: Venue) -> Result<Vec<Booked>, Error> {
        let decided = self.engine.on_segment(a, b)?;
        match venue {
            Venue::Paper => self.book_now(decided),
            Venue::Exchange => Ok(Vec::new()),
        }
    }

    fn on_close(&mut self, close: Decimal, venue: Venue) -> Result<Vec<Booked>, Error> {
        let had = self.engine.pending.is_some();
        let wanted = self.engine.on_close(close)?;
        let booked = match venue {
            Venue::Paper if !had => self.book_now(wanted)?,
            _ => Vec::new(),
        };
        self.engine.sample_equity(close)?;
        Ok(booked)
    }

    fn on_fill(&mut self, fill: &ExchangeFill) -> Result<(), Error> {
        let want = self.wanted()?;
        if !want.iter().any(|w| w.tag == fill.tag) {
            return Err(Error::State(format!("no order tagged {} is wanted", fill.tag)));
        }
        self.engine.book_fill(fill.price)
    }

    fn watched(&self) -> Watched {
        let below = self.engine.lot.and_then(|l| l.stop).and_then(|s| exact(s, self.engine.u.ps).ok());
        Watched { below, above: None, closes: true }
    }

    fn summary(&self, mark: Decimal) -> Result<Summary, Error> {
        self.engine.summary(mark)
    }

    fn position(&self) -> Option<Position> {
        let p = self.engine.state().ok()?.position?;
        Some(Position { qty: p.qty, entry_price: p.entry_price, stop_price: p.stop_price })
    }

    fn close_out(&mut self, price: Decimal, venue: Venue) -> Result<Vec<Booked>, Error> {
        let decided = self.engine.close_out(price)?;
        match venue {
            Venue::Paper => self.book_now(decided),
            Venue::Exchange => Ok(Vec::new()),
        }
    }

    fn warm_up_candles(&self) -> usize {
        self.engine.config().window() - 1
    }

    fn warm_up(&mut self, closes: &[Decimal]) -> Result<(), Error> {
        self.engine.warm_up(closes)
    }

    fn snapshot(&self) -> Result<Option<serde_json::Value>, Error> {
        let state = self.engine.state()?;
        serde_json::to_value(state).map(Some).map_err(|e| Error::State(format!("mean_reversion snapshot: {e}")))
    }
}
