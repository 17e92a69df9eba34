//! A bot's exchange errors: each failure of one of its jobs that came from the exchange is recorded among its events
//! (`exchange_error`, with Binance's code), so the health panel can say why a bot places no orders. The same error
//! again within [`REPEAT_AFTER`] is not recorded twice: a bot failing every reconciliation writes one row a minute.

use chrono::{DateTime, TimeDelta, Utc};
use gridbot_core::BotId;
use gridbot_platform::db::ExchangeErrorEvent;

use crate::{Ctx, JobError};

/// How long the same error (code and message) is not recorded again.
pub const REPEAT_AFTER: TimeDelta = TimeDelta::seconds(60);

/// Records `e` among `bot`'s exchange errors when it came from the exchange; a failure to write is logged only.
pub async fn note(ctx: &Ctx, bot: BotId, e: &JobError) {
    let Some(fault) = e.exchange else { return };
    let event = ExchangeErrorEvent { bot, code: fault.code, message: e.message.clone(), at: Utc::now() };
    let events = ctx.db.bot_events();
    match events.last_exchange_error(bot).await {
        Ok(Some(last)) if repeats(&last, &event) => return,
        Ok(_) => {}
        Err(err) => tracing::warn!(%bot, error = %err, "last exchange error not read"),
    }
    if let Err(err) = events.record_exchange_error(&event).await {
        tracing::warn!(%bot, error = %err, "exchange error not recorded");
    }
}

/// Whether `new` is `last` again, soon after it.
fn repeats(last: &ExchangeErrorEvent, new: &ExchangeErrorEvent) -> bool {
    last.code == new.code && last.message == new.message && within(last.at, new.at)
}

fn within(earlier: DateTime<Utc>, later: DateTime<Utc>) -> bool {
    later.signed_duration_since(earlier) < REPEAT_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: Option<i64>, message: &str, secs: i64) -> ExchangeErrorEvent {
        let at = DateTime::from_timestamp(1_765_000_000 + secs, 0).unwrap_or_default();
        ExchangeErrorEvent { bot: BotId(1), code, message: message.to_owned(), at }
    }

    #[test]
    fn the_same_error_is_recorded_once_a_minute() {
        let first = ev(Some(-2010), "insufficient balance", 0);
        assert!(repeats(&first, &ev(Some(-2010), "insufficient balance", 59)));
        assert!(!repeats(&first, &ev(Some(-2010), "insufficient balance", 60)));
        assert!(!repeats(&first, &ev(Some(-1013), "insufficient balance", 1)));
        assert!(!repeats(&first, &ev(Some(-2010), "another message", 1)));
        assert!(!repeats(&first, &ev(None, "insufficient balance", 1)));
    }
}
