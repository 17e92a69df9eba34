//! The simulator over real sockets: started on port 0, driven with reqwest and tokio-tungstenite, requests signed
//! here from `spec/binance.md` (independently of the simulator's own check).

mod helpers;

mod accounts;
mod agg_trades;
mod faults;
mod market_data;
mod orders;
mod replay;
mod rules;
mod signing;
mod streams;
mod ws_api;
