//! Binance's 2026 rules in a running grid. An order the exchange expired (the Price Range Execution Rule) is neither
//! a fill nor a cancel: its level keeps its place in the engine, and its order is placed again under a fresh client
//! id ([`ClientOrderId::retry`]) after a backoff that doubles with each expiry. A symbol that is not `TRADING`
//! pauses placing: the bot stays `running` with the reason as its notice (the bot card shows it), and every later
//! job asks the exchange again and resumes when the symbol trades.

use std::time::Duration;

use gridbot_core::{ClientOrderId, engine::OrderIntent};
use gridbot_platform::{
    BotChange,
    db::types::{BotStatus, Order, OrderStatus},
};

use crate::{JobError, grid::Run, venue::Venue};

/// The wait before a level's first order is placed again after it expired; it doubles with each further expiry.
const RETRY_AFTER: Duration = Duration::from_secs(5);
const RETRY_AFTER_MAX: Duration = Duration::from_secs(300);

/// How long to wait before placing the `attempt`-th order (≥ 1) of a level again.
pub(crate) fn retry_delay(attempt: u32) -> Duration {
    RETRY_AFTER.saturating_mul(1 << attempt.saturating_sub(1).min(10)).min(RETRY_AFTER_MAX)
}

/// The notice a paused bot shows.
pub(crate) fn paused_notice(why: &str) -> String {
    format!("placing paused — {why}; orders resume when the symbol trades again")
}

impl Run<'_> {
    /// The client id the engine's order `i` goes under now — its own id, or the retry after the expired orders
    /// before it — and the last expired one (with how many expired) when there was any.
    pub(crate) fn level_order_id(&self, i: &OrderIntent) -> Result<(ClientOrderId, Option<(Order, u32)>), JobError> {
        let base = self.intent_id(i);
        let mut id = base.clone();
        let mut expired = None;
        let mut n = 0;
        while let Some(o) = self.book.order(&id) {
            if o.status != OrderStatus::Expired || !o.filled.get().is_zero() {
                break;
            }
            n += 1;
            expired = Some((o.clone(), n));
            id = base.retry(n)?;
        }
        Ok((id, expired))
    }

    /// Whether a level whose order expired may have it placed again now.
    pub(crate) fn retry_due(expired: &Order, attempt: u32) -> bool {
        let since = chrono::Utc::now() - expired.updated_at;
        since.to_std().is_ok_and(|d| d >= retry_delay(attempt))
    }

    /// Pauses placing for `why` (the exchange refused a new order: the market is closed); said once.
    pub(crate) async fn pause(&mut self, why: &str) -> Result<(), JobError> {
        let notice = paused_notice(why);
        if self.bot.stop_reason.as_deref() == Some(notice.as_str()) {
            return Ok(());
        }
        let db = &self.ctx.db;
        if db.bots().transition(self.bot.id, &[BotStatus::Running], BotStatus::Running, Some(&notice)).await? {
            tracing::warn!(bot = %self.bot.id, reason = why, "the symbol is not trading: placing paused");
            crate::commands::record_event(self.ctx, self.bot.id, "paused", None, None, Some(&notice)).await;
            self.publish(BotChange::Status).await;
        }
        self.bot.stop_reason = Some(notice);
        Ok(())
    }

    /// Whether orders may be placed: a paused bot asks the exchange for its symbol's status and, once it trades
    /// again, clears its notice, buys the initial inventory a pause at the start put off, and goes on.
    pub(crate) async fn placing_allowed(&mut self) -> Result<bool, JobError> {
        if self.bot.stop_reason.is_none() {
            return Ok(true);
        }
        let info = match &self.venue {
            Venue::Live(x) => x.symbol_info(&self.bot.symbol).await?,
            Venue::Paper { .. } => self.ctx.market.symbol_info(&self.bot.symbol).await?,
        };
        if info.status != "TRADING" {
            tracing::debug!(bot = %self.bot.id, status = info.status, "still paused: the symbol is not trading");
            return Ok(false);
        }
        let db = &self.ctx.db;
        if db.bots().transition(self.bot.id, &[BotStatus::Running], BotStatus::Running, None).await? {
            let why = format!("{} trades again", self.bot.symbol.pair());
            tracing::info!(bot = %self.bot.id, "the symbol trades again: placing resumed");
            crate::commands::record_event(self.ctx, self.bot.id, "resumed", None, None, Some(&why)).await;
            self.publish(BotChange::Status).await;
        }
        self.bot.stop_reason = None;
        crate::place::initial_buy(self).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_delay_doubles_up_to_its_cap() {
        assert_eq!(retry_delay(1), Duration::from_secs(5));
        assert_eq!(retry_delay(2), Duration::from_secs(10));
        assert_eq!(retry_delay(4), Duration::from_secs(40));
        assert_eq!(retry_delay(40), Duration::from_secs(300));
    }
}
