//! `orders` (client order id unique), `fills` (exchange trade id unique per bot) and `trades` (round trips).

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{amount, amount_null, at, fk};
use crate::m20261123_000002_bots::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let b = m.get_database_backend();
        m.create_table(
            Table::create()
                .table("orders")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("bot_id"))
                .col(string_uniq("client_order_id"))
                .col(string_null("exchange_order_id"))
                .col(string("side"))
                .col(integer_null("level_index"))
                .col(amount(b, "price"))
                .col(amount(b, "amount"))
                .col(amount(b, "filled_amount"))
                .col(amount_null(b, "avg_fill_price"))
                .col(amount(b, "fee"))
                .col(string_null("fee_asset"))
                .col(string("status"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .foreign_key(&mut fk("orders", "bot_id", "bots"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("orders", "bot_id")).await?;
        m.create_table(
            Table::create()
                .table("fills")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("bot_id"))
                .col(big_integer("order_id"))
                .col(string("side"))
                .col(integer_null("level"))
                .col(amount(b, "price"))
                .col(amount(b, "qty"))
                .col(amount(b, "fee"))
                .col(string_null("fee_asset"))
                .col(string("exchange_trade_id"))
                .col(amount_null(b, "pnl"))
                .col(at("time"))
                .foreign_key(&mut fk("fills", "bot_id", "bots"))
                .foreign_key(&mut fk("fills", "order_id", "orders"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_fills_bot_trade")
                .table("fills")
                .col("bot_id")
                .col("exchange_trade_id")
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("trades")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("bot_id"))
                .col(big_integer("buy_order_id"))
                .col(big_integer("sell_order_id"))
                .col(amount(b, "profit"))
                .col(amount(b, "fees"))
                .col(at("created_at"))
                .foreign_key(&mut fk("trades", "bot_id", "bots"))
                .foreign_key(&mut fk("trades", "buy_order_id", "orders"))
                .foreign_key(&mut fk("trades", "sell_order_id", "orders"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("trades", "bot_id")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["trades", "fills", "orders"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
