//! `running_jobs` and `dead_jobs`: which job deliveries are inside their work right now (a row written before the
//! work starts, deleted when it ends), and the quarantine — jobs that were running when their process died, or that
//! failed for good — with their bot, user, the job itself and the reason.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{at, fk};
use crate::m20261123_000002_bots::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("running_jobs")
                .if_not_exists()
                .col(string("task_id").primary_key())
                .col(big_integer("bot_id"))
                .col(string("job"))
                .col(string("owner"))
                .col(at("started_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("dead_jobs")
                .if_not_exists()
                .col(big_pk_auto("id"))
                .col(big_integer("bot_id"))
                .col(big_integer("user_id"))
                .col(string("job_name"))
                .col(json_binary("job"))
                .col(string_null("task_id"))
                .col(string("kind"))
                .col(text("reason"))
                .col(at("created_at"))
                .foreign_key(&mut fk("dead_jobs", "bot_id", "bots"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("dead_jobs", "user_id")).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["dead_jobs", "running_jobs"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned()).await?;
        }
        Ok(())
    }
}
