//! The paper matcher's marks: none before the first save, one per symbol, each save replacing the one before, the
//! price exact and the time to the millisecond.

use gridbot_core::Symbol;
use gridbot_platform::db::types::MarketMark;
use rust_decimal_macros::dec;

use crate::both;
use crate::harness::Fresh;

both!(a_symbol_keeps_the_last_mark_saved);

async fn a_symbol_keeps_the_last_mark_saved(f: &Fresh) {
    let marks = f.db.market_marks();
    let btc: Symbol = "BTC/USDT".parse().unwrap();
    let eth: Symbol = "ETH/USDT".parse().unwrap();
    assert_eq!(marks.get(&btc).await.unwrap(), None);
    let first = MarketMark { trade_id: 41, time: 1_765_000_000_123, price: dec!(98765.43210987) };
    marks.set(&btc, &first).await.unwrap();
    assert_eq!(marks.get(&btc).await.unwrap(), Some(first));
    assert_eq!(marks.get(&eth).await.unwrap(), None, "marks are per symbol");
    let later = MarketMark { trade_id: 9_000_000_001, time: 1_765_000_061_999, price: dec!(0.00000001) };
    marks.set(&btc, &later).await.unwrap();
    let other = MarketMark { trade_id: 7, time: 1_765_000_000_000, price: dec!(3100.5) };
    marks.set(&eth, &other).await.unwrap();
    assert_eq!(marks.get(&btc).await.unwrap(), Some(later), "a save replaces the mark");
    assert_eq!(marks.get(&eth).await.unwrap(), Some(other));
}
