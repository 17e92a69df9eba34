//! [`U256`]: unsigned 256-bit integers, just enough (products, differences, comparisons) to compare products of
//! `i128` amounts exactly where they would overflow `i128` — the mean-reversion signal and an exact drawdown.

use std::cmp::Ordering;

/// An unsigned 256-bit integer, four 64-bit limbs, least significant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct U256([u64; 4]);

impl U256 {
    #[cfg(test)]
    pub(crate) const ZERO: U256 = U256([0; 4]);

    pub(crate) fn from_u128(v: u128) -> Self {
        U256([v as u64, (v >> 64) as u64, 0, 0])
    }

    /// `a * b`, which always fits.
    pub(crate) fn mul_u128(a: u128, b: u128) -> Self {
        // Cannot overflow: both factors are below 2^128.
        U256::from_u128(a).checked_mul(U256::from_u128(b)).unwrap_or(U256([u64::MAX; 4]))
    }

    /// `self * other`, or `None` past 2^256.
    pub(crate) fn checked_mul(self, other: U256) -> Option<U256> {
        let (a, b) = (self.0, other.0);
        let mut r = [0u64; 4];
        for (i, &ai) in a.iter().enumerate() {
            if ai == 0 {
                continue;
            }
            let mut carry: u128 = 0;
            for (j, &bj) in b.iter().enumerate() {
                let product = u128::from(ai) * u128::from(bj);
                if i + j >= 4 {
                    if product != 0 || carry != 0 {
                        return None;
                    }
                    continue;
                }
                // At most (2^64 - 1) + (2^64 - 1)^2 + (2^64 - 1) = 2^128 - 1.
                let t = u128::from(r[i + j]) + product + carry;
                r[i + j] = t as u64;
                carry = t >> 64;
            }
            if carry != 0 {
                return None;
            }
        }
        Some(U256(r))
    }

    /// `self - other`, or `None` below zero.
    pub(crate) fn checked_sub(self, other: U256) -> Option<U256> {
        let mut r = [0u64; 4];
        let mut borrow = false;
        for (i, slot) in r.iter_mut().enumerate() {
            let (d, b1) = self.0[i].overflowing_sub(other.0[i]);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *slot = d;
            borrow = b1 || b2;
        }
        (!borrow).then_some(U256(r))
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_and_differences_are_exact() {
        let max = U256::mul_u128(u128::MAX, u128::MAX); // 2^256 - 2^129 + 1
        assert_eq!(max.0, [1, 0, u64::MAX - 1, u64::MAX]);
        assert!(max.checked_mul(U256::from_u128(2)).is_none());
        assert_eq!(U256::from_u128(1 << 127).checked_mul(U256::from_u128(4)), Some(U256([0, 0, 2, 0])));
        let a = U256::mul_u128(10u128.pow(30), 10u128.pow(30));
        let b = U256::mul_u128(10u128.pow(22), 10u128.pow(38));
        assert_eq!(a, b);
        assert!(U256::mul_u128(10u128.pow(30) + 1, 10u128.pow(30)) > a);
        assert_eq!(a.checked_sub(b), Some(U256::ZERO));
        assert_eq!(U256::from_u128(5).checked_sub(U256::from_u128(6)), None);
        let c = U256([0, 0, 1, 0]).checked_sub(U256::from_u128(1)).expect("no borrow out");
        assert_eq!(c, U256::from_u128(u128::MAX));
        assert!(U256([0, 0, 0, 1]) > U256([u64::MAX, u64::MAX, u64::MAX, 0]));
    }
}
