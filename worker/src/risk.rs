//! Risk limits checked on every fill and tick: stop loss, take profit, and the daily loss limit (realized P&L since
//! 00:00 UTC plus the unrealized P&L now).

use chrono::Utc;
use gridbot_core::{Decimal, ledger::StopReason};
use gridbot_platform::{book::GridBook, db::types::BotMode};

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
        let today = pnl_today(&run.book, price);
        if today <= -limit {
            tracing::warn!(bot = %run.bot.id, %today, %limit, "daily loss limit reached");
            return Ok(Some(Breach { reason: "max_daily_loss", price: None }));
        }
    }
    Ok(None)
}

/// Realized P&L of today's fills (UTC) plus the unrealized P&L at `price`: what the daily loss limit watches.
pub fn pnl_today(book: &GridBook, price: Decimal) -> Decimal {
    let now = Utc::now();
    let midnight = now.date_naive().and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc());
    let realized: Decimal = book.fills.iter().filter(|f| f.time >= midnight).filter_map(|f| f.pnl).sum();
    (realized + book.engine.summary(price).unrealized_pnl).normalize()
}

/// Whether the bot's daily loss limit is reached at `price` (a start is refused then).
pub fn daily_loss_hit(book: &GridBook, params: &gridbot_core::strategy::GridParams, price: Decimal) -> bool {
    params.max_daily_loss.is_some_and(|limit| pnl_today(book, price) <= -limit)
}
