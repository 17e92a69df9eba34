//! The `paper_balances` repository: what each user's paper account was funded with, per asset, and when; and the
//! account as it stands — that funding moved by every fill of the user's paper bots since, with what their resting
//! orders hold locked, as Binance locks it (a buy's notional in quote, a sell's base).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use gridbot_core::{Decimal, Side};
use gridbot_entity::{Amount, paper_balance};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::types::{BotMode, OrderStatus, PaperBalance};
use super::{Bots, Fills, Orders, Result};

#[derive(Debug, Clone, Copy)]
pub struct PaperBalances<'a>(pub(crate) &'a DatabaseConnection);

impl PaperBalances<'_> {
    /// Sets a balance, creating it when missing.
    pub async fn set(&self, user_id: i64, asset: &str, free: Decimal, locked: Decimal) -> Result<()> {
        let row = paper_balance::ActiveModel {
            user_id: Set(user_id),
            asset: Set(asset.to_owned()),
            free: Set(Amount(free)),
            locked: Set(Amount(locked)),
            ..Default::default()
        };
        let on_conflict = OnConflict::columns([paper_balance::Column::UserId, paper_balance::Column::Asset])
            .update_columns([paper_balance::Column::Free, paper_balance::Column::Locked])
            .to_owned();
        paper_balance::Entity::insert(row).on_conflict(on_conflict).exec_without_returning(self.0).await?;
        Ok(())
    }

    /// The rows as stored: the funding, per asset.
    pub async fn list(&self, user_id: i64) -> Result<Vec<PaperBalance>> {
        let rows = paper_balance::Entity::find()
            .filter(paper_balance::Column::UserId.eq(user_id))
            .order_by_asc(paper_balance::Column::Asset)
            .all(self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| PaperBalance { user_id: m.user_id, asset: m.asset, free: m.free.0, locked: m.locked.0 })
            .collect())
    }

    /// Funds the user's paper account afresh with `balances`, from now on: what paper bots traded before no longer
    /// counts.
    pub async fn fund(&self, user_id: i64, balances: &[(String, Decimal)]) -> Result<()> {
        let now = Utc::now();
        let txn = self.0.begin().await?;
        paper_balance::Entity::delete_many().filter(paper_balance::Column::UserId.eq(user_id)).exec(&txn).await?;
        for (asset, amount) in balances {
            paper_balance::ActiveModel {
                user_id: Set(user_id),
                asset: Set(asset.clone()),
                free: Set(Amount(*amount)),
                locked: Set(Amount(Decimal::ZERO)),
                funded_at: Set(Some(now)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The account now: the funding, moved by every fill of the user's paper bots since it was funded (each fee out
    /// of the asset it was paid in), less what their resting orders hold, which is `locked`.
    pub async fn account(&self, user_id: i64) -> Result<Vec<PaperBalance>> {
        let rows = paper_balance::Entity::find().filter(paper_balance::Column::UserId.eq(user_id)).all(self.0).await?;
        let since: Option<DateTime<Utc>> = rows.iter().filter_map(|r| r.funded_at).max();
        let mut total: BTreeMap<String, Decimal> = rows.into_iter().map(|r| (r.asset, r.free.0 + r.locked.0)).collect();
        let mut locked: BTreeMap<String, Decimal> = BTreeMap::new();
        let bots = Bots(self.0).list_for_user(user_id).await?;
        for bot in bots.iter().filter(|b| b.mode == BotMode::Paper) {
            let (base, quote) = (bot.symbol.base().to_owned(), bot.symbol.quote().to_owned());
            for f in Fills(self.0).list_for_bot(bot.id).await? {
                if since.is_some_and(|s| f.time < s) {
                    continue;
                }
                let (qty, notional) = (f.qty.get(), f.qty.get() * f.price.get());
                let (base_delta, quote_delta) = match f.side {
                    Side::Buy => (qty, -notional),
                    Side::Sell => (-qty, notional),
                };
                *total.entry(base.clone()).or_default() += base_delta;
                *total.entry(quote.clone()).or_default() += quote_delta;
                let fee_asset = f.fee_asset.clone().unwrap_or_else(|| quote.clone());
                *total.entry(fee_asset).or_default() -= f.fee;
            }
            for o in Orders(self.0).list_with_status(bot.id, &[OrderStatus::Open, OrderStatus::PartiallyFilled]).await?
            {
                let left = o.amount.get() - o.filled.get();
                match o.side {
                    Side::Buy => *locked.entry(quote.clone()).or_default() += left * o.price.get(),
                    Side::Sell => *locked.entry(base.clone()).or_default() += left,
                }
            }
        }
        Ok(total
            .into_iter()
            .map(|(asset, total)| {
                let held = locked.get(&asset).copied().unwrap_or_default();
                PaperBalance { user_id, free: (total - held).normalize(), locked: held.normalize(), asset }
            })
            .collect())
    }
}
