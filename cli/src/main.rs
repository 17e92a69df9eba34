//! `gridbot`: one binary, many roles. This file only parses the command line and dispatches.

mod commands;
mod progress;
mod settings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's allocator: at a thousand paper bots glibc's `malloc`, `free` and `malloc_consolidate`
/// took about 16 % of `serve`'s CPU (perf), its threads handing buffers to each other.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "gridbot", version, about = "Grid trading for Binance spot: backtest, optimize, and run bots")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run everything in one process: API, scheduler and workers, on SQLite and in-process queues (the laptop
    /// default), on Binance's market or, when it is unreachable, the built-in simulator's.
    Serve(commands::serve::Args),
    /// Run the HTTP API and WebSockets.
    Api(commands::api::Args),
    /// Run a worker: take jobs from the queue (Redis when `REDIS_URL` is set).
    Worker(commands::worker::Args),
    /// Run the scheduler: cron, market and user-data streams; one is active at a time.
    Scheduler,
    /// Backtest one strategy (a grid, or mean reversion) on a Binance kline CSV.
    Backtest(commands::backtest::Args),
    /// Sweep a strategy's parameters on a Binance kline CSV and rank them.
    Optimize(Box<commands::optimize::Args>),
    /// Create or update the database schema (`DATABASE_URL`; unset = SQLite at ./data/gridbot.db). Running it
    /// twice changes nothing.
    Migrate,
    /// Inspect the job queue: `gridbot jobs dead` lists the quarantined jobs of every user.
    #[command(subcommand)]
    Jobs(commands::jobs::Command),
    /// Run the Binance-compatible exchange simulator (REST, market streams, WebSocket API, control API).
    Sim(gridbot_sim::SimArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return commands::usage_error(e),
    };
    let result = match cli.command {
        Command::Serve(args) => commands::runtime().and_then(|rt| rt.block_on(commands::serve::run(args))),
        Command::Api(args) => commands::runtime().and_then(|rt| rt.block_on(commands::api::run(args))),
        Command::Worker(args) => commands::runtime().and_then(|rt| rt.block_on(commands::worker::run(args))),
        Command::Scheduler => commands::runtime().and_then(|rt| rt.block_on(commands::scheduler::run())),
        Command::Backtest(args) => commands::backtest::run(args),
        Command::Optimize(args) => commands::optimize::run(*args),
        Command::Migrate => commands::runtime().and_then(|rt| rt.block_on(commands::migrate::run())),
        Command::Jobs(command) => commands::runtime().and_then(|rt| rt.block_on(commands::jobs::run(command))),
        Command::Sim(args) => commands::runtime().and_then(|rt| rt.block_on(gridbot_sim::run(args))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
