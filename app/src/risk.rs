//! Risk limits checked on every fill and tick: stop loss, take profit, and the daily loss limit — the realized P&L
//! of every fill of the bot since 00:00 UTC, whichever run made it, plus the current run's unrealized P&L now. A
//! restart does not start the day's budget over.

use chrono::{DateTime, Utc};
use gridbot_core::{BotId, Decimal, ledger::StopReason};
use gridbot_platform::{
    Db, DbError,
    book::GridBook,
    db::types::{BotMode, Fill},
};

use crate::{JobError, grid::Run};

#[derive(Debug)]
pub struct Breach {
    pub reason: &'static str,
    /// The price a paper bot's lots are sold at (the stop price, as the backtest does); `None` = the market's.
    pub price: Option<Decimal>,
}

pub(crate) async fn check(run: &Run<'_>, price: Decimal) -> Result<Option<Breach>, JobError> {
    let engine = &run.book.engine;
    if let Some(reason) = engine.stop_triggered(price) {
        let stop_price = match reason {
            StopReason::StopLoss => engine.plan().stop_loss_price,
            StopReason::TakeProfit => engine.plan().take_profit_price,
        };
        let paper = run.bot.mode == BotMode::Paper;
        return Ok(Some(Breach { reason: reason.as_str(), price: stop_price.filter(|_| paper) }));
    }
    if let Some(limit) = run.params.max_daily_loss {
        let realized = realized_today(&run.ctx.db.reader(), run.bot.id, &run.unsaved).await?;
        let today = pnl_today(realized, &run.book, price);
        if today <= -limit {
            tracing::warn!(bot = %run.bot.id, %today, %limit, "daily loss limit reached");
            return Ok(Some(Breach { reason: "max_daily_loss", price: None }));
        }
    }
    Ok(None)
}

/// 00:00 UTC of `now`'s day: where "today" starts.
pub fn start_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive().and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc())
}

/// Realized P&L of every fill of `bot` since 00:00 UTC, all its runs, as written, plus `unwritten`: fills the job
/// has booked and not yet written.
pub async fn realized_today(db: &Db, bot: BotId, unwritten: &[Fill]) -> Result<Decimal, DbError> {
    let since = start_of_day(Utc::now());
    let written = db.fills().realized_since(bot, since).await?;
    let pending: Decimal = unwritten.iter().filter(|f| f.time >= since).filter_map(|f| f.pnl).sum();
    Ok(written + pending)
}

/// What the daily loss limit watches, the bot card's and the header's "Today": `realized_today`
/// ([`realized_today`]) plus the current run's unrealized P&L at `price`.
pub fn pnl_today(realized_today: Decimal, book: &GridBook, price: Decimal) -> Decimal {
    (realized_today + book.engine.summary(price).unrealized_pnl).normalize()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn today_starts_at_midnight_utc() {
        let t = Utc.with_ymd_and_hms(2026, 12, 6, 17, 30, 5).single().expect("a time");
        let midnight = Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).single().expect("a time");
        assert_eq!(start_of_day(t), midnight);
        assert_eq!(start_of_day(midnight), midnight);
    }
}
