//! The `paper_balances` repository: what each user's paper account was funded with, per asset, and when; and the
//! account as it stands — that funding moved by every fill of the user's paper bots since, with what their resting
//! orders hold locked, as Binance locks it (a buy's notional in quote, a sell's base).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use gridbot_core::{BotId, Decimal, Side, Symbol};
use gridbot_entity::{Amount, paper_balance};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::types::{Bot, BotMode, Fill, PaperBalance};
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
        let (mut total, since) = self.funding(user_id).await?;
        let bots: Vec<Bot> =
            Bots(self.0).list_for_user(user_id).await?.into_iter().filter(|b| b.mode == BotMode::Paper).collect();
        for bot in &bots {
            for f in Fills(self.0).list_for_bot(bot.id).await? {
                if since.is_none_or(|s| f.time >= s) {
                    move_by(&mut total, &bot.symbol, &f);
                }
            }
        }
        let locked = self.locked(&bots).await?;
        Ok(settle(user_id, total, &locked))
    }

    /// The funding: per asset, what was funded (free plus locked as stored), and when (the latest row's time).
    pub async fn funding(&self, user_id: i64) -> Result<(BTreeMap<String, Decimal>, Option<DateTime<Utc>>)> {
        let rows = paper_balance::Entity::find().filter(paper_balance::Column::UserId.eq(user_id)).all(self.0).await?;
        let since: Option<DateTime<Utc>> = rows.iter().filter_map(|r| r.funded_at).max();
        Ok((rows.into_iter().map(|r| (r.asset, r.free.0 + r.locked.0)).collect(), since))
    }

    /// What the resting orders of `bots` hold, per asset, as Binance locks it: a buy's notional in quote, a sell's
    /// base.
    pub async fn locked(&self, bots: &[Bot]) -> Result<BTreeMap<String, Decimal>> {
        let ids: Vec<BotId> = bots.iter().map(|b| b.id).collect();
        let symbols: BTreeMap<BotId, &Symbol> = bots.iter().map(|b| (b.id, &b.symbol)).collect();
        let mut locked: BTreeMap<String, Decimal> = BTreeMap::new();
        for (bot, side, price, left) in Orders(self.0).resting_left(&ids).await? {
            let Some(symbol) = symbols.get(&bot) else { continue };
            match side {
                Side::Buy => *locked.entry(symbol.quote().to_owned()).or_default() += left * price,
                Side::Sell => *locked.entry(symbol.base().to_owned()).or_default() += left,
            }
        }
        Ok(locked)
    }
}

/// Moves `total` by fill `f` of a bot trading `symbol`: the base bought or sold, its notional, and the fee out of
/// the asset it was paid in.
pub fn move_by(total: &mut BTreeMap<String, Decimal>, symbol: &Symbol, f: &Fill) {
    let (base, quote) = (symbol.base().to_owned(), symbol.quote().to_owned());
    let (qty, notional) = (f.qty.get(), f.qty.get() * f.price.get());
    let (base_delta, quote_delta) = match f.side {
        Side::Buy => (qty, -notional),
        Side::Sell => (-qty, notional),
    };
    *total.entry(base).or_default() += base_delta;
    let fee_asset = f.fee_asset.clone().unwrap_or_else(|| quote.clone());
    *total.entry(quote).or_default() += quote_delta;
    *total.entry(fee_asset).or_default() -= f.fee;
}

/// The account's balances from each asset's `total` and what is `locked` of it.
pub fn settle(user_id: i64, total: BTreeMap<String, Decimal>, locked: &BTreeMap<String, Decimal>) -> Vec<PaperBalance> {
    total
        .into_iter()
        .map(|(asset, total)| {
            let held = locked.get(&asset).copied().unwrap_or_default();
            PaperBalance { user_id, free: (total - held).normalize(), locked: held.normalize(), asset }
        })
        .collect()
}
