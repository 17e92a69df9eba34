//! The registry builds strategies by name and describes them: the grid, mean reversion (backtested only, for now),
//! and a third, small strategy registered beside them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    Decimal, Error, Side, Symbol, SymbolFilters,
    engine::{OrderIntent, OrderKind},
    indicators::Indicators,
    strategy::{AiContext, FillReport, MarketData, MarketSnapshot, Registry, Signal, Strategy, StrategyInfo},
};
use rust_decimal_macros::dec;
use serde_json::json;

/// Buys one fixed quantity when the price falls `band` below its first price, sells it back at the first price.
#[derive(Debug)]
struct Dip {
    band: Decimal,
    qty: Decimal,
    anchor: Option<Decimal>,
    holding: bool,
}

impl Dip {
    fn from_json(v: &serde_json::Value) -> Result<Box<dyn Strategy>, Error> {
        let get = |k: &str| v.get(k).and_then(|x| x.as_str()).and_then(|s| s.parse::<Decimal>().ok());
        let band = get("band").ok_or_else(|| Error::field("band", "required"))?;
        let qty = get("qty").ok_or_else(|| Error::field("qty", "required"))?;
        Ok(Box::new(Dip { band, qty, anchor: None, holding: false }))
    }
    fn order(&self, side: Side, price: Decimal) -> Signal {
        Signal::Place(OrderIntent { side, kind: OrderKind::Market, level: None, price, qty: self.qty, seq: 0 })
    }
}

impl Strategy for Dip {
    fn name(&self) -> &'static str {
        "dip"
    }
    fn start(&mut self, _: &SymbolFilters, data: &MarketData) -> Result<Vec<Signal>, Error> {
        self.anchor = Some(data.price);
        Ok(vec![])
    }
    fn on_market(&mut self, data: &MarketData) -> Result<Vec<Signal>, Error> {
        let anchor = self.anchor.ok_or_else(|| Error::State("not started".into()))?;
        Ok(match self.holding {
            false if data.price <= anchor - self.band => vec![self.order(Side::Buy, data.price)],
            true if data.price >= anchor => vec![self.order(Side::Sell, data.price)],
            _ => vec![],
        })
    }
    fn on_fill(&mut self, fill: &FillReport) -> Result<Vec<Signal>, Error> {
        self.holding = fill.side == Side::Buy;
        Ok(vec![])
    }
    fn ai_context(&self, m: &MarketSnapshot) -> AiContext {
        AiContext {
            system: "mean reversion".into(),
            prompt: format!("band for {}", m.symbol),
            tool_name: "band".into(),
            schema: json!({}),
        }
    }
}

fn snapshot() -> MarketSnapshot {
    MarketSnapshot {
        symbol: "BTC/USDT".parse::<Symbol>().unwrap(),
        indicators: Indicators {
            price: dec!(100000),
            high_24h: dec!(101000),
            low_24h: dec!(99000),
            volume_24h: dec!(1234),
            volatility: 0.0005,
            volatility_annualized: 0.36,
            atr: dec!(400),
            support: vec![dec!(99100)],
            resistance: vec![dec!(100900)],
        },
        capital: dec!(10000),
        filters: SymbolFilters::btcusdt(),
    }
}

#[test]
fn grid_is_built_by_name_from_the_products_json() {
    let reg = Registry::default();
    let cfg = json!({"capital":"10000","lower_bound":"95000","upper_bound":105000,"grid_levels":20,
                     "spacing":"arithmetic","stop_loss_pct":"2","take_profit_pct":null,"max_daily_loss":"500"});
    let mut grid = reg.build("grid", &cfg).unwrap();
    assert_eq!(grid.name(), "grid");
    let orders = grid.start(&SymbolFilters::btcusdt(), &MarketData { price: dec!(100000), time: 0 }).unwrap();
    assert_eq!(orders.len(), 1 + 19, "initial market buy and 19 resting orders");
    // 100000 ties between levels 9 (99736.84) and 10 (100263.16): level 9 is empty, the first buy is at 99210.53.
    assert!(grid.on_market(&MarketData { price: dec!(99210.54), time: 1 }).unwrap().is_empty());
    let signals = grid.on_market(&MarketData { price: dec!(99210.53), time: 2 }).unwrap();
    assert_eq!(signals, [Signal::Filled { side: Side::Buy, level: 8 }]);
    let placed = grid.on_fill(&FillReport { side: Side::Buy, level: 8 }).unwrap_err();
    assert!(placed.to_string().contains("no buy order rests on level 8"), "{placed}");
    let ctx = grid.ai_context(&snapshot());
    assert!(ctx.prompt.contains("BTC/USDT") && ctx.prompt.contains("Current price: 100000"));
    assert_eq!(ctx.schema["additionalProperties"], json!(false));
}

#[test]
fn bad_configs_and_unknown_names_are_refused() {
    let reg = Registry::default();
    let e = reg.build("martingale", &json!({})).unwrap_err();
    assert!(e.to_string().contains("unknown strategy \"martingale\"; known: grid, mean_reversion"), "{e}");
    let e = reg
        .build("grid", &json!({"capital":"10000","lower_bound":"105000","upper_bound":"95000","grid_levels":20}))
        .unwrap_err();
    assert_eq!(e.fields()[0].field, "lower_bound");
    assert!(reg.build("grid", &json!({"capital":"x"})).is_err());
}

#[test]
fn a_third_strategy_registers_beside_the_built_in_ones() {
    let mut reg = Registry::default();
    reg.register(StrategyInfo { name: "dip", description: "buys dips", bots: true }, Dip::from_json);
    assert_eq!(reg.names(), ["dip", "grid", "mean_reversion"]);
    assert_eq!(reg.bot_names(), ["dip", "grid"]);
    let mut s = reg.build("dip", &json!({"band":"100","qty":"0.01"})).unwrap();
    s.start(&SymbolFilters::btcusdt(), &MarketData { price: dec!(1000), time: 0 }).unwrap();
    assert!(s.on_market(&MarketData { price: dec!(950), time: 1 }).unwrap().is_empty());
    let buy = s.on_market(&MarketData { price: dec!(900), time: 2 }).unwrap();
    assert!(matches!(&buy[..], [Signal::Place(o)] if o.side == Side::Buy));
    s.on_fill(&FillReport { side: Side::Buy, level: 0 }).unwrap();
    let sell = s.on_market(&MarketData { price: dec!(1000), time: 3 }).unwrap();
    assert!(matches!(&sell[..], [Signal::Place(o)] if o.side == Side::Sell));
    assert_eq!(s.ai_context(&snapshot()).prompt, "band for BTC/USDT");
}

#[test]
fn mean_reversion_is_known_described_and_backtested_only() {
    let reg = Registry::default();
    assert!(reg.contains("mean_reversion") && !reg.runs_bots("mean_reversion"));
    assert!(reg.runs_bots("grid") && !reg.runs_bots("martingale"));
    assert_eq!(reg.bot_names(), ["grid"]);
    let info = reg.info("mean_reversion").unwrap();
    assert!(info.description.contains("standard deviations below"), "{}", info.description);
    assert_eq!(reg.infos().iter().map(|i| i.name).collect::<Vec<_>>(), ["grid", "mean_reversion"]);

    let mut mr = reg.build("mean_reversion", &json!({"capital": "1000", "window": 50, "band": "2.5"})).unwrap();
    assert_eq!(mr.name(), "mean_reversion");
    let ctx = mr.ai_context(&snapshot());
    assert!(ctx.prompt.contains("BTC/USDT") && ctx.prompt.contains("Current price: 100000"), "{}", ctx.prompt);
    assert!(ctx.prompt.contains(r#""window":50"#) && ctx.prompt.contains(r#""band":"2.5""#), "{}", ctx.prompt);
    assert_eq!(ctx.tool_name, "propose_mean_reversion");
    assert_eq!(ctx.schema["additionalProperties"], json!(false));
    assert_eq!(ctx.schema["properties"]["window"]["maximum"], json!(500));
    let refused = mr.start(&SymbolFilters::btcusdt(), &MarketData { price: dec!(100000), time: 0 }).unwrap_err();
    assert!(refused.to_string().contains("does not run as a bot yet"), "{refused}");

    let e = reg.build("mean_reversion", &json!({"capital": "1000", "window": 501})).unwrap_err();
    assert_eq!(e.fields()[0].field, "window");
    let e = reg.build("mean_reversion", &json!({"capital": "1000", "lower_bound": "1"})).unwrap_err();
    assert!(e.to_string().contains("unknown field `lower_bound`"), "{e}");
}
