//! What a notification says: its webhook body (`{"id", "event", "bot_id", "time", …details}`, money as exact
//! decimal strings) and its Telegram text (plain, one or a few short lines), built from the event that caused it.

use chrono::{DateTime, SecondsFormat, Utc};
use gridbot_core::Decimal;
use gridbot_platform::db::{
    NotifyOn, RuntimeFill,
    types::{Bot, Fill},
};
use serde_json::{Map, Value};

/// The events a user can be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Fill,
    Stop,
    Error,
    DailySummary,
    Test,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Fill => "fill",
            Kind::Stop => "stop",
            Kind::Error => "error",
            Kind::DailySummary => "daily_summary",
            Kind::Test => "test",
        }
    }

    /// Whether a user with these toggles wants it (a test always goes).
    pub fn wanted(self, on: &NotifyOn) -> bool {
        match self {
            Kind::Fill => on.fill,
            Kind::Stop => on.stop,
            Kind::Error => on.error,
            Kind::DailySummary => on.daily_summary,
            Kind::Test => true,
        }
    }
}

/// One notification, the same for every channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub kind: Kind,
    /// Stable for one event (a fill's is its order's), so that a receiver can drop a duplicate.
    pub id: String,
    pub bot_id: Option<i64>,
    pub time: DateTime<Utc>,
    /// The event's own fields, after the common ones.
    pub details: Map<String, Value>,
    /// The Telegram text.
    pub text: String,
}

/// Telegram refuses a text over 4096 characters.
const MAX_TEXT: usize = 4000;

impl Message {
    /// The webhook body: `{"id", "event", "bot_id", "time", …details}`.
    pub fn body(&self) -> Vec<u8> {
        let mut body = Map::new();
        body.insert("id".into(), Value::String(self.id.clone()));
        body.insert("event".into(), Value::String(self.kind.as_str().into()));
        body.insert("bot_id".into(), self.bot_id.map_or(Value::Null, Value::from));
        body.insert("time".into(), Value::String(rfc3339(self.time)));
        for (k, v) in &self.details {
            body.insert(k.clone(), v.clone());
        }
        serde_json::to_vec(&Value::Object(body)).unwrap_or_default()
    }

    /// The Telegram text, cut to what Telegram takes.
    pub fn telegram_text(&self) -> String {
        match self.text.char_indices().nth(MAX_TEXT) {
            Some((at, _)) => format!("{}…", &self.text[..at]),
            None => self.text.clone(),
        }
    }

    /// A grid's fill as booked (`fill.pnl`: a sale's realized P&L).
    pub fn fill(bot: &Bot, fill: &Fill) -> Message {
        let fee_asset = fill.fee_asset.clone().unwrap_or_else(|| bot.symbol.quote().to_owned());
        let trade = Trade { side: fill.side.as_str(), price: fill.price.get(), qty: fill.qty.get(), pnl: fill.pnl };
        let mut details = trade.details(bot, fill.fee, &fee_asset);
        details.insert("order_id".into(), Value::from(fill.order_id));
        details.insert("level".into(), fill.level.map_or(Value::Null, Value::from));
        Message {
            kind: Kind::Fill,
            id: format!("fill-{}-{}", bot.id.0, fill.order_id),
            bot_id: Some(bot.id.0),
            time: fill.time,
            details,
            text: trade.text(bot),
        }
    }

    /// A runtime strategy's fill on the paper venue.
    pub fn runtime_fill(bot: &Bot, fill: &RuntimeFill) -> Message {
        let trade = Trade { side: fill.side.as_str(), price: fill.price.get(), qty: fill.qty.get(), pnl: fill.pnl };
        let mut details = trade.details(bot, fill.fee, &fill.fee_asset);
        details.insert("client_order_id".into(), Value::String(fill.client_order_id.to_string()));
        Message {
            kind: Kind::Fill,
            id: format!("fill-{}", fill.client_order_id),
            bot_id: Some(bot.id.0),
            time: fill.time,
            details,
            text: trade.text(bot),
        }
    }

    /// The bot stopped for `reason` (as stored: `take_profit`, `stop_loss`, `max_daily_loss`, `out_of_range`,
    /// `stopped by the user`, `emergency stop`).
    pub fn stop(bot: &Bot, reason: &str) -> Message {
        let (cause, said) = stop_cause(reason);
        let mut details = about(bot);
        details.insert("reason".into(), Value::String(cause.into()));
        details.insert("detail".into(), Value::String(reason.into()));
        Message {
            kind: Kind::Stop,
            id: format!("stop-{}-{}", bot.id.0, bot.generation),
            bot_id: Some(bot.id.0),
            time: Utc::now(),
            details,
            text: format!("Gridbot: {} stopped: {said}.", label(bot)),
        }
    }

    /// The bot failed with `reason`; `code` is the exchange's error code when it refused.
    pub fn error(bot: &Bot, reason: &str, code: Option<i64>) -> Message {
        let mut details = about(bot);
        details.insert("message".into(), Value::String(reason.into()));
        details.insert("code".into(), code.map_or(Value::Null, Value::from));
        let code_text = code.map(|c| format!(" (exchange code {c})")).unwrap_or_default();
        Message {
            kind: Kind::Error,
            id: format!("error-{}", uuid::Uuid::new_v4().simple()),
            bot_id: Some(bot.id.0),
            time: Utc::now(),
            details,
            text: format!("Gridbot: {} failed{code_text}: {reason}", label(bot)),
        }
    }

    /// A test from the settings page.
    pub fn test() -> Message {
        let mut details = Map::new();
        details.insert("message".into(), Value::String("Test notification from Gridbot".into()));
        Message {
            kind: Kind::Test,
            id: format!("test-{}", uuid::Uuid::new_v4().simple()),
            bot_id: None,
            time: Utc::now(),
            details,
            text: "Gridbot: test notification. This chat will get the events you chose.".into(),
        }
    }
}

/// A trade's figures, shared by the fills of both kinds of bot.
struct Trade {
    side: &'static str,
    price: Decimal,
    qty: Decimal,
    pnl: Option<Decimal>,
}

impl Trade {
    fn details(&self, bot: &Bot, fee: Decimal, fee_asset: &str) -> Map<String, Value> {
        let mut d = about(bot);
        d.insert("side".into(), Value::String(self.side.into()));
        d.insert("price".into(), money(self.price));
        d.insert("qty".into(), money(self.qty));
        d.insert("quote_qty".into(), money(self.price * self.qty));
        d.insert("fee".into(), money(fee));
        d.insert("fee_asset".into(), Value::String(fee_asset.into()));
        d.insert("pnl".into(), self.pnl.map_or(Value::Null, money));
        d
    }

    fn text(&self, bot: &Bot) -> String {
        let verb = if self.side == "buy" { "bought" } else { "sold" };
        let (base, quote) = (bot.symbol.base(), bot.symbol.quote());
        let pnl = self.pnl.map(|p| format!("; P&L {} {quote}", signed(p))).unwrap_or_default();
        format!("Gridbot: {} {verb} {} {base} at {} {quote}{pnl}", label(bot), plain(self.qty), plain(self.price))
    }
}

/// The fields every bot event carries.
fn about(bot: &Bot) -> Map<String, Value> {
    let mut d = Map::new();
    d.insert("pair".into(), Value::String(bot.symbol.pair()));
    d.insert("strategy".into(), Value::String(bot.strategy.clone()));
    d.insert("mode".into(), Value::String(bot.mode.as_str().into()));
    d
}

/// `bot 12 (BTC/USDT grid, paper)`.
pub(crate) fn label(bot: &Bot) -> String {
    format!("bot {} ({} {}, {})", bot.id.0, bot.symbol.pair(), bot.strategy, bot.mode.as_str())
}

/// The stop's cause as a stable word, and as words for a person.
fn stop_cause(reason: &str) -> (&'static str, String) {
    match reason {
        "take_profit" => ("take_profit", "take profit reached".into()),
        "stop_loss" => ("stop_loss", "stop loss reached".into()),
        "max_daily_loss" => ("daily_loss_limit", "daily loss limit reached".into()),
        "out_of_range" => ("out_of_range", "the price left the grid's range".into()),
        "stopped by the user" => ("user", "stopped by you".into()),
        "emergency stop" => ("emergency_stop", "emergency stop".into()),
        other => ("other", other.to_owned()),
    }
}

/// An exact decimal as a JSON string.
pub(crate) fn money(d: Decimal) -> Value {
    Value::String(plain(d))
}

/// An exact decimal without trailing zeros.
pub(crate) fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// `+1.5` or `-0.2`.
pub(crate) fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO { format!("+{}", plain(d)) } else { plain(d) }
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The test's body and a fill's, as receivers read them.
#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use gridbot_core::{BotId, Price, Qty, Side};
    use gridbot_platform::db::types::{BotMode, BotStatus};
    use rust_decimal_macros::dec;
    use serde_json::json;

    use super::*;

    fn bot() -> Bot {
        let now = Utc.with_ymd_and_hms(2026, 12, 10, 8, 0, 0).single().expect("a time");
        Bot {
            id: BotId(7),
            user_id: 1,
            strategy: "grid".into(),
            symbol: "BTC/USDT".parse().expect("a pair"),
            mode: BotMode::Paper,
            status: BotStatus::Running,
            config: json!({}),
            generation: 2,
            stop_reason: None,
            run_state: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_sale_keeps_its_decimals_exact_as_strings() {
        let time = Utc.with_ymd_and_hms(2026, 12, 10, 9, 30, 0).single().expect("a time");
        let fill = Fill {
            bot: BotId(7),
            order_id: 41,
            side: Side::Sell,
            level: Some(12),
            price: Price::new(dec!(97000.10)).expect("price"),
            qty: Qty::new(dec!(0.00103)).expect("qty"),
            fee: dec!(0.09991010300),
            fee_asset: Some("USDT".into()),
            fee_quote: None,
            exchange_trade_id: "order:x".into(),
            pnl: Some(dec!(0.8123456789012345678)),
            time,
        };
        let m = Message::fill(&bot(), &fill);
        let body: Value = serde_json::from_slice(&m.body()).expect("json");
        assert_eq!(body["event"], "fill");
        assert_eq!(body["id"], "fill-7-41");
        assert_eq!(body["bot_id"], 7);
        assert_eq!(body["time"], "2026-12-10T09:30:00.000Z");
        assert_eq!(body["price"], "97000.1");
        assert_eq!(body["qty"], "0.00103");
        assert_eq!(body["quote_qty"], "99.910103");
        assert_eq!(body["fee"], "0.099910103");
        assert_eq!(body["pnl"], "0.8123456789012345678");
        assert_eq!((body["pair"].as_str(), body["level"].as_i64()), (Some("BTC/USDT"), Some(12)));
        assert_eq!(
            m.telegram_text(),
            "Gridbot: bot 7 (BTC/USDT grid, paper) sold 0.00103 BTC at 97000.1 USDT; P&L +0.8123456789012345678 USDT"
        );
    }

    #[test]
    fn a_runtime_fill_is_named_by_its_client_order_id() {
        let fill = RuntimeFill {
            client_order_id: gridbot_core::ClientOrderId::tagged(BotId(7), 2, "entry-3").expect("an id"),
            side: Side::Buy,
            price: Price::new(dec!(64000.5)).expect("price"),
            qty: Qty::new(dec!(0.015)).expect("qty"),
            fee: dec!(0.000015),
            fee_asset: "BTC".into(),
            pnl: None,
            time: Utc.with_ymd_and_hms(2026, 12, 10, 9, 31, 0).single().expect("a time"),
        };
        let m = Message::runtime_fill(&bot(), &fill);
        let body: Value = serde_json::from_slice(&m.body()).expect("json");
        assert_eq!(body["id"], format!("fill-{}", fill.client_order_id));
        assert_eq!(body["client_order_id"], fill.client_order_id.to_string());
        assert_eq!((body["side"].as_str(), body["price"].as_str()), (Some("buy"), Some("64000.5")));
        assert_eq!(
            (body["fee"].as_str(), body["fee_asset"].as_str(), &body["pnl"]),
            (Some("0.000015"), Some("BTC"), &Value::Null)
        );
        assert!(m.text.contains("bought 0.015 BTC at 64000.5 USDT"), "{}", m.text);
    }

    #[test]
    fn stops_name_their_cause_and_errors_their_code() {
        let stop: Value = serde_json::from_slice(&Message::stop(&bot(), "take_profit").body()).expect("json");
        assert_eq!((stop["event"].as_str(), stop["reason"].as_str()), (Some("stop"), Some("take_profit")));
        assert_eq!(stop["id"], "stop-7-2");
        let user = Message::stop(&bot(), "stopped by the user");
        assert!(user.text.ends_with("stopped: stopped by you."), "{}", user.text);
        let e = Message::error(&bot(), "place_grid failed: insufficient balance", Some(-2010));
        let body: Value = serde_json::from_slice(&e.body()).expect("json");
        assert_eq!((body["event"].as_str(), body["code"].as_i64()), (Some("error"), Some(-2010)));
        assert!(e.text.contains("(exchange code -2010)"), "{}", e.text);
    }

    #[test]
    fn long_texts_are_cut_for_telegram() {
        let mut m = Message::test();
        m.text = "é".repeat(5000);
        assert_eq!(m.telegram_text().chars().count(), MAX_TEXT + 1);
        assert_eq!(Message::test().telegram_text(), Message::test().text);
    }
}
