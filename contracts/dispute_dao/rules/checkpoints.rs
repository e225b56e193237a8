//! Stake checkpoints: how much an account (or everyone) had staked before a given block,
//! in O(log n) reads, so a vote's weight is the stake it had when the case or proposal
//! opened and stake added later counts zero (no flash stake).
//!
//! A history is a list of `(block, amount)` in increasing block order, one entry per
//! block in which the amount changed (a second change in the same block overwrites the
//! entry). Plain logic over a reader, so it is tested without a chain.

use crate::types::BlockNumber;
use market_types::Balance;

/// The amount from `block` on (until the next checkpoint).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Checkpoint {
    pub block: BlockNumber,
    pub amount: Balance,
}

/// The amount in force before `block` (i.e. at the end of `block - 1`): the last
/// checkpoint whose block is below `block`, or zero. `len` entries, read with `at`.
/// Binary search: at most ⌈log₂(len + 1)⌉ reads.
pub fn before(len: u32, block: BlockNumber, at: impl Fn(u32) -> Option<Checkpoint>) -> Balance {
    let (mut lo, mut hi) = (0u32, len);
    while lo < hi {
        // lo < hi, so the midpoint is below hi and no overflow is possible.
        let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
        match at(mid) {
            Some(cp) if cp.block < block => lo = mid.saturating_add(1),
            _ => hi = mid,
        }
    }
    match lo.checked_sub(1) {
        Some(i) => at(i).map(|cp| cp.amount).unwrap_or(0),
        None => 0,
    }
}

/// Where a new amount at `block` goes: overwrite the last entry (same block) or append.
/// Returns the index to write and the new length.
pub fn write_slot(len: u32, last: Option<Checkpoint>, block: BlockNumber) -> Option<(u32, u32)> {
    match last {
        Some(cp) if cp.block == block => Some((len.checked_sub(1)?, len)),
        _ => Some((len, len.checked_add(1)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn history(steps: &[(u32, u128)]) -> Vec<Checkpoint> {
        let mut v: Vec<Checkpoint> = Vec::new();
        for &(block, amount) in steps {
            let len = u32::try_from(v.len()).unwrap();
            let (i, new_len) = write_slot(len, v.last().copied(), block).unwrap();
            let cp = Checkpoint { block, amount };
            if new_len > len {
                v.push(cp);
            } else {
                v[usize::try_from(i).unwrap()] = cp;
            }
        }
        v
    }

    #[test]
    fn stake_in_the_opening_block_counts_zero() {
        let v = history(&[(5, 100), (5, 150), (9, 40)]);
        assert_eq!(v.len(), 2);
        let read = |i: u32| v.get(usize::try_from(i).ok()?).copied();
        assert_eq!(before(2, 5, read), 0);
        assert_eq!(before(2, 6, read), 150);
        assert_eq!(before(2, 9, read), 150);
        assert_eq!(before(2, 10, read), 40);
        assert_eq!(before(0, 10, read), 0);
    }

    proptest! {
        /// The binary search agrees with a linear scan of the history.
        #[test]
        fn lookup_matches_a_linear_scan(
            gaps in proptest::collection::vec((0u32..3, 0u128..1_000), 0..60),
            query in 0u32..200,
        ) {
            let mut block = 1u32;
            let mut steps = Vec::new();
            for (gap, amount) in gaps {
                block += gap;
                steps.push((block, amount));
            }
            let v = history(&steps);
            let read = |i: u32| v.get(usize::try_from(i).ok()?).copied();
            let naive = steps.iter().filter(|(b, _)| *b < query).last().map(|s| s.1).unwrap_or(0);
            prop_assert_eq!(before(u32::try_from(v.len()).unwrap(), query, read), naive);
        }
    }
}
