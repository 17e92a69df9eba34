//! The registry builds strategies by name and describes them: the grid, mean reversion, and a third, small
//! strategy registered beside them through the same plugin interface.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gridbot_core::{
    Decimal, Error, Side, Symbol, SymbolFilters,
    indicators::Indicators,
    ledger::Summary,
    strategy::{
        AiContext, MarketSnapshot, Plugin, Registry, Runtime, Strategy, StrategyInfo,
        runtime::{Booked, ExchangeFill, OrderType, Tag, Venue, Wanted, Watched},
    },
};
use rust_decimal_macros::dec;
use serde_json::json;

/// Buys one fixed quantity when the price falls `band` below its first price, sells it back at the first price.
#[derive(Debug)]
struct Dip {
    band: Decimal,
    qty: Decimal,
    anchor: Decimal,
    holding: bool,
    filled: u32,
}

fn dip_params(v: &serde_json::Value) -> Result<(Decimal, Decimal), Error> {
    let get = |k: &'static str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .and_then(|s| s.parse::<Decimal>().ok())
            .ok_or_else(|| Error::field(k, "required"))
    };
    Ok((get("band")?, get("qty")?))
}

impl Strategy for Dip {
    fn name(&self) -> &'static str {
        "dip"
    }
    fn ai_context(&self, m: &MarketSnapshot) -> AiContext {
        AiContext {
            system: "dips".into(),
            prompt: format!("band for {}", m.symbol),
            tool_name: "band".into(),
            schema: json!({}),
        }
    }
}

impl Runtime for Dip {
    fn name(&self) -> &'static str {
        "dip"
    }
    fn wanted(&self) -> Result<Vec<Wanted>, Error> {
        let (side, price) = if self.holding { (Side::Sell, self.anchor) } else { (Side::Buy, self.anchor - self.band) };
        Ok(vec![Wanted {
            tag: Tag(format!("{}-{}", side.as_str(), self.filled)),
            side,
            order_type: OrderType::Limit,
            price,
            qty: self.qty,
        }])
    }
    fn on_segment(&mut self, _: Decimal, b: Decimal, venue: Venue) -> Result<Vec<Booked>, Error> {
        let w = self.wanted()?.remove(0);
        let reached = if w.side == Side::Buy { b <= w.price } else { b >= w.price };
        if venue == Venue::Exchange || !reached {
            return Ok(vec![]);
        }
        self.holding = !self.holding;
        self.filled += 1;
        Ok(vec![Booked { tag: w.tag, side: w.side, price: w.price, qty: w.qty }])
    }
    fn on_close(&mut self, _: Decimal, _: Venue) -> Result<Vec<Booked>, Error> {
        Ok(vec![])
    }
    fn on_fill(&mut self, _: &ExchangeFill) -> Result<(), Error> {
        self.holding = !self.holding;
        self.filled += 1;
        Ok(())
    }
    fn watched(&self) -> Watched {
        Watched::default()
    }
    fn summary(&self, mark: Decimal) -> Result<Summary, Error> {
        Err(Error::State(format!("no books at {mark}")))
    }
    fn snapshot(&self) -> Result<Option<serde_json::Value>, Error> {
        Ok(Some(json!({"holding": self.holding})))
    }
}

fn dip_plugin() -> Plugin {
    Plugin {
        info: StrategyInfo { name: "dip", title: "Dip", description: "buys dips", bots: true, live: false, ai: false },
        factory: |v| {
            let (band, qty) = dip_params(v)?;
            Ok(Box::new(Dip { band, qty, anchor: Decimal::ZERO, holding: false, filled: 0 }))
        },
        schema: || json!({"type": "object", "properties": {"band": {}, "qty": {}}}),
        bot_config: |v| dip_params(v).map(|_| v.clone()),
        runtime: |v, _, start, _| {
            let (band, qty) = dip_params(v)?;
            Ok(Box::new(Dip { band, qty, anchor: start, holding: false, filled: 0 }))
        },
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
    let mut grid = reg.runtime("grid", &cfg, &SymbolFilters::btcusdt(), dec!(100000), None).unwrap();
    assert_eq!(grid.name(), "grid");
    assert_eq!(grid.wanted().unwrap().len(), 19, "19 resting orders (the initial lots were bought at the start)");
    // 100000 ties between levels 9 (99736.84) and 10 (100263.16): level 9 is empty, the first buy is at 99210.53.
    assert_eq!(grid.watched().below, Some(dec!(99210.53)));
    assert!(grid.on_segment(dec!(100000), dec!(99210.54), Venue::Paper).unwrap().is_empty());
    let booked = grid.on_segment(dec!(99210.54), dec!(99210.53), Venue::Paper).unwrap();
    assert_eq!(booked.len(), 1);
    assert_eq!((booked[0].tag.0.as_str(), booked[0].side, booked[0].price), ("buy-8", Side::Buy, dec!(99210.53)));
    let fill =
        ExchangeFill { tag: Tag("buy-8".into()), price: dec!(99210.53), qty: dec!(0.005), fee: Default::default() };
    let refused = grid.on_fill(&fill).unwrap_err();
    assert!(refused.to_string().contains("no buy order rests on level 8"), "{refused}");
    let ctx = reg.build("grid", &cfg).unwrap().ai_context(&snapshot());
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
    reg.register(dip_plugin());
    assert_eq!(reg.names(), ["dip", "grid", "mean_reversion"]);
    assert_eq!(reg.bot_names(), ["dip", "grid", "mean_reversion"]);
    let config = json!({"band":"100","qty":"0.01"});
    assert_eq!(reg.bot_config("dip", &config).unwrap(), config);
    assert_eq!(reg.bot_config("dip", &json!({"band":"100"})).unwrap_err().fields()[0].field, "qty");
    let mut s = reg.runtime("dip", &config, &SymbolFilters::btcusdt(), dec!(1000), None).unwrap();
    assert!(s.on_segment(dec!(1000), dec!(950), Venue::Paper).unwrap().is_empty());
    let buy = s.on_segment(dec!(950), dec!(900), Venue::Paper).unwrap();
    assert!(matches!(&buy[..], [b] if b.side == Side::Buy && b.price == dec!(900)));
    let sell = s.on_segment(dec!(900), dec!(1000), Venue::Paper).unwrap();
    assert!(matches!(&sell[..], [b] if b.side == Side::Sell && b.price == dec!(1000)));
    assert_eq!(reg.build("dip", &config).unwrap().ai_context(&snapshot()).prompt, "band for BTC/USDT");
}

#[test]
fn mean_reversion_is_known_described_and_runs_bots() {
    let reg = Registry::default();
    assert!(reg.runs_bots("mean_reversion") && reg.runs_bots("grid") && !reg.runs_bots("martingale"));
    assert_eq!(reg.bot_names(), ["grid", "mean_reversion"]);
    let info = reg.info("mean_reversion").unwrap();
    assert!(info.description.contains("standard deviations below"), "{}", info.description);
    assert_eq!(reg.infos().iter().map(|i| i.name).collect::<Vec<_>>(), ["grid", "mean_reversion"]);

    let mr = reg.build("mean_reversion", &json!({"capital": "1000", "window": 50, "band": "2.5"})).unwrap();
    assert_eq!(mr.name(), "mean_reversion");
    let ctx = mr.ai_context(&snapshot());
    assert!(ctx.prompt.contains("BTC/USDT") && ctx.prompt.contains("Current price: 100000"), "{}", ctx.prompt);
    assert!(ctx.prompt.contains(r#""window":50"#) && ctx.prompt.contains(r#""band":"2.5""#), "{}", ctx.prompt);
    assert_eq!(ctx.tool_name, "propose_mean_reversion");
    assert_eq!(ctx.schema["additionalProperties"], json!(false));
    assert_eq!(ctx.schema["properties"]["window"]["maximum"], json!(500));

    let e = reg.build("mean_reversion", &json!({"capital": "1000", "window": 501})).unwrap_err();
    assert_eq!(e.fields()[0].field, "window");
    let e = reg.build("mean_reversion", &json!({"capital": "1000", "lower_bound": "1"})).unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
    // A bot's config: field-named errors, the exchange's filters only, fees in base unless said.
    let e = reg.bot_config("mean_reversion", &json!({"capital": "1000", "band": "0"})).unwrap_err();
    assert_eq!(e.fields()[0].field, "band");
    let e = reg.bot_config("mean_reversion", &json!({"capital": "1000", "tick_size": "0.01"})).unwrap_err();
    assert_eq!(e.fields()[0].field, "tick_size");
    let stored = reg.bot_config("mean_reversion", &json!({"capital": 1000, "window": 30})).unwrap();
    assert_eq!(stored["capital"], json!("1000"));
    assert_eq!(stored["fee_asset"], json!("base"));
    assert!(stored.get("tick_size").is_none(), "{stored}");
}

#[test]
fn every_schema_names_exactly_the_fields_its_config_stores() {
    let reg = Registry::default();
    let full = [
        (
            "grid",
            json!({"capital":"1000","lower_bound":"90","upper_bound":"110","grid_levels":5,"spacing":"geometric",
                        "fee_rate":"0.001","fee_asset":"quote","stop_loss_pct":"5","take_profit_pct":"5",
                        "max_daily_loss":"50","out_of_range":"trail","sell_on_stop":true}),
        ),
        (
            "mean_reversion",
            json!({"capital":"1000","window":30,"band":"1.5","stop_loss_pct":"3","fee_rate":"0.001",
                                  "fee_asset":"quote"}),
        ),
    ];
    for (name, config) in full {
        let plugin = reg.plugins().find(|p| p.info.name == name).unwrap();
        let schema = (plugin.schema)();
        let stored = reg.bot_config(name, &config).unwrap();
        let mut keys: Vec<&String> = stored.as_object().unwrap().keys().collect();
        let mut named: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        keys.sort();
        named.sort();
        assert_eq!(keys, named, "{name}");
        let order: Vec<&str> = schema["x-order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(order.len(), named.len(), "{name}");
        for required in schema["required"].as_array().unwrap() {
            let mut without = config.clone();
            without.as_object_mut().unwrap().remove(required.as_str().unwrap());
            let e = reg.bot_config(name, &without).unwrap_err();
            assert_eq!(e.fields()[0].field, required.as_str().unwrap(), "{name}");
        }
    }
}
