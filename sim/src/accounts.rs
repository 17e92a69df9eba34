//! Accounts: API keys with their secrets and balances, from `--account KEY:SECRET[:USDT=10000,BTC=1]` or a file.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use rust_decimal::Decimal;

/// One asset's balance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Balance {
    pub free: Decimal,
    pub locked: Decimal,
}

/// An account and its API key. The secret is never printed (`Debug` hides it).
#[derive(Clone)]
pub(crate) struct Account {
    pub api_key: String,
    pub secret: String,
    pub balances: BTreeMap<String, Balance>,
    pub update_time: i64,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("api_key", &self.api_key).field("balances", &self.balances).finish()
    }
}

/// The balances an account starts with when none are given.
pub(crate) const DEFAULT_BALANCES: &str = "USDT=10000,BTC=1,ETH=10";

impl Account {
    /// Parses `KEY:SECRET[:ASSET=AMOUNT,…]`.
    pub fn parse(spec: &str) -> anyhow::Result<Account> {
        let mut parts = spec.trim().splitn(3, ':');
        let key = parts.next().unwrap_or_default().trim();
        let secret = parts.next().unwrap_or_default().trim();
        if key.is_empty() || secret.is_empty() {
            bail!("account {spec:?}: expected KEY:SECRET[:USDT=10000,BTC=1]");
        }
        if !key.chars().all(|c| c.is_ascii_graphic()) {
            bail!("account {key:?}: the API key must be printable ASCII without spaces");
        }
        let balances = parse_balances(parts.next().unwrap_or(DEFAULT_BALANCES))
            .with_context(|| format!("account {key:?}: bad balances"))?;
        Ok(Account { api_key: key.into(), secret: secret.into(), balances, update_time: 0 })
    }

    /// Reads one account per line (`KEY:SECRET[:balances]`); blank lines and `#` comments are skipped.
    pub fn parse_file(text: &str) -> anyhow::Result<Vec<Account>> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map(|(i, l)| Account::parse(l).with_context(|| format!("line {}", i + 1)))
            .collect()
    }

    pub fn demo() -> Account {
        // The literal is valid, so parsing cannot fail.
        Account::parse(&format!("demo-key:demo-secret:{DEFAULT_BALANCES}")).unwrap_or_else(|_| Account {
            api_key: "demo-key".into(),
            secret: "demo-secret".into(),
            balances: BTreeMap::new(),
            update_time: 0,
        })
    }

    pub fn balance(&mut self, asset: &str) -> &mut Balance {
        self.balances.entry(asset.to_string()).or_default()
    }

    pub fn free(&self, asset: &str) -> Decimal {
        self.balances.get(asset).map(|b| b.free).unwrap_or_default()
    }
}

fn parse_balances(s: &str) -> anyhow::Result<BTreeMap<String, Balance>> {
    let mut out = BTreeMap::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (asset, amount) = item.split_once('=').with_context(|| format!("{item:?}: expected ASSET=AMOUNT"))?;
        let free: Decimal = amount.trim().parse().with_context(|| format!("{item:?}: not a decimal amount"))?;
        if free.is_sign_negative() {
            bail!("{item:?}: a balance cannot be negative");
        }
        out.insert(asset.trim().to_ascii_uppercase(), Balance { free, locked: Decimal::ZERO });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_accounts() {
        let a = Account::parse("k1:s1:USDT=500,btc=0.5").expect("valid");
        assert_eq!(a.api_key, "k1");
        assert_eq!(a.free("USDT"), dec!(500));
        assert_eq!(a.free("BTC"), dec!(0.5));
        let d = Account::parse("k2:s2").expect("valid");
        assert_eq!(d.free("USDT"), dec!(10000));
        assert!(Account::parse("k3").is_err());
        assert!(Account::parse("k3:s:USDT=x").is_err());
        let file = Account::parse_file("# accounts\nk1:s1:USDT=1\n\nk2:s2\n").expect("valid");
        assert_eq!(file.len(), 2);
        assert!(!format!("{:?}", Account::demo()).contains("demo-secret"));
    }
}
