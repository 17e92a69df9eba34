//! Runs the simulator from the command line: `cargo run -p gridbot-sim --example sim_server -- --port 0`.

use clap::Parser;

#[derive(Parser)]
#[command(about = "Binance-compatible exchange simulator")]
struct Cli {
    #[command(flatten)]
    sim: gridbot_sim::SimArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    gridbot_sim::run(Cli::parse().sim).await
}
