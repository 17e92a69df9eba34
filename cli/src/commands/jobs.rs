//! `gridbot jobs dead`: the operator's view of the quarantine — every user's jobs that were running when their
//! process died, or that failed for good — newest first, one line each.

use anyhow::Context;
use gridbot_platform::{Settings, connect, db::types::DeadJob};

use crate::settings::Source;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List quarantined jobs of every user, newest first (`DATABASE_URL`; unset = SQLite at ./data/gridbot.db).
    Dead(DeadArgs),
}

#[derive(Debug, clap::Args)]
pub struct DeadArgs {
    /// At most this many (default: all).
    #[arg(long)]
    pub limit: Option<u64>,
    /// One JSON object per line instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    let Command::Dead(args) = command;
    let settings = Settings::from_lookup(Source::env().lookup());
    let db = connect(&settings).await?;
    let jobs = db
        .dead_jobs()
        .list(args.limit)
        .await
        .context("reading dead jobs (is the schema up to date? `gridbot migrate`)")?;
    if args.json {
        for d in &jobs {
            println!("{}", json(d));
        }
    } else if jobs.is_empty() {
        println!("no dead jobs");
    } else {
        println!(
            "{:>6}  {:<20}  {:>6}  {:>6}  {:<15}  {:<7}  reason",
            "id", "when (UTC)", "bot", "user", "job", "kind"
        );
        for d in &jobs {
            println!("{}", line(d));
        }
    }
    Ok(())
}

fn line(d: &DeadJob) -> String {
    format!(
        "{:>6}  {:<20}  {:>6}  {:>6}  {:<15}  {:<7}  {}",
        d.id,
        d.created_at.format("%Y-%m-%d %H:%M:%S"),
        d.bot.0,
        d.user_id,
        d.job_name,
        d.kind.as_str(),
        d.reason
    )
}

fn json(d: &DeadJob) -> serde_json::Value {
    serde_json::json!({
        "id": d.id,
        "bot_id": d.bot.0,
        "user_id": d.user_id,
        "job": d.job_name,
        "kind": d.kind.as_str(),
        "reason": d.reason,
        "payload": d.job,
        "task_id": d.task_id,
        "created_at": d.created_at,
    })
}
