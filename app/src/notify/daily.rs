//! The daily summary: at 00:00 UTC the scheduler's cron sends each user who wants one the day that ended — per bot
//! that traded or runs, its fills, round trips and realized P&L that day (every run), and the totals per quote asset.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures_util::future::join_all;
use gridbot_core::{BotId, Decimal};
use gridbot_platform::{
    Db, DbError,
    db::{
        DayFigures,
        types::{Bot, BotStatus},
    },
};
use serde_json::{Map, Value, json};

use super::{
    Notifier,
    message::{Kind, Message, label, money, signed},
};

/// The day a summary sent at `now` reports: the one that ended at the last midnight (UTC), even when the cron's
/// tick comes a little early or late.
pub fn summary_day(now: DateTime<Utc>) -> NaiveDate {
    (now - Duration::hours(1)).date_naive()
}

/// Sends the summary of `day` to every user who wants one and has a channel, once per user and day whichever
/// scheduler asks (the day is claimed first); returns how many users it was sent to.
pub async fn send_daily_summaries(db: &Db, notifier: &Notifier, day: NaiveDate) -> Result<usize, DbError> {
    let from = day.and_hms_opt(0, 0, 0).map_or_else(Utc::now, |t| t.and_utc());
    let to = from + Duration::days(1);
    let name = day.format("%Y-%m-%d").to_string();
    let mut sends = Vec::new();
    for settings in db.notifications().wanting_daily_summary().await? {
        let has_channel = settings.webhook_url.is_some() || settings.telegram_chat_id.is_some();
        if !has_channel || !db.notifications().claim_daily_summary(settings.user_id, &name).await? {
            continue;
        }
        let bots = db.bots().list_for_user(settings.user_id).await?;
        let figures = db.fills().between_by_bot(settings.user_id, from, to).await?;
        let msg = summary(&name, to, &bots, &figures);
        sends.push(async move { notifier.deliver_recorded(db, &settings, &msg).await });
    }
    let sent = sends.len();
    join_all(sends).await;
    tracing::info!(day = %name, users = sent, "daily summaries sent");
    Ok(sent)
}

/// The summary of the day `name`, ended at `end`: every bot that filled an order that day or runs now.
fn summary(name: &str, end: DateTime<Utc>, bots: &[Bot], figures: &HashMap<BotId, DayFigures>) -> Message {
    let mut rows = Vec::new();
    let mut lines = vec![format!("Gridbot daily summary for {name} (UTC):")];
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    for bot in bots {
        let day = figures.get(&bot.id).copied();
        if day.is_none() && bot.status != BotStatus::Running {
            continue;
        }
        let day = day.unwrap_or_default();
        let quote = bot.symbol.quote().to_owned();
        *totals.entry(quote.clone()).or_default() += day.realized;
        rows.push(json!({
            "bot_id": bot.id.0,
            "pair": bot.symbol.pair(),
            "strategy": bot.strategy,
            "mode": bot.mode.as_str(),
            "status": bot.status.as_str(),
            "fills": day.fills,
            "round_trips": day.round_trips,
            "realized_pnl": money(day.realized),
            "quote_asset": quote,
        }));
        lines.push(format!(
            "{}: {} {quote}, {} round trips, {} fills",
            label(bot),
            signed(day.realized),
            day.round_trips,
            day.fills
        ));
    }
    if rows.is_empty() {
        lines.push("No bot ran or traded.".into());
    }
    for (quote, total) in &totals {
        lines.push(format!("Total realized: {} {quote}", signed(*total)));
    }
    let mut details = Map::new();
    details.insert("date".into(), Value::String(name.into()));
    details.insert("bots".into(), Value::Array(rows));
    details
        .insert("total_realized_pnl".into(), Value::Object(totals.into_iter().map(|(q, t)| (q, money(t))).collect()));
    Message {
        kind: Kind::DailySummary,
        id: format!("daily_summary-{name}"),
        bot_id: None,
        time: end,
        details,
        text: lines.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_day_is_the_one_that_just_ended() {
        let at = |h, m, s| Utc.with_ymd_and_hms(2026, 12, 10, h, m, s).single().expect("a time");
        let day = NaiveDate::from_ymd_opt(2026, 12, 9).expect("a day");
        assert_eq!(summary_day(at(0, 0, 0)), day);
        assert_eq!(summary_day(at(0, 0, 30)), day);
        let late = Utc.with_ymd_and_hms(2026, 12, 9, 23, 59, 59).single().expect("a time");
        assert_eq!(summary_day(late), day, "a tick a second early still reports the day ending");
    }
}
