//! Exact money arithmetic shared by the contracts: basis-point shares that never
//! overflow, and splits whose parts always add up to the whole.
//!
//! Rounding rule (the "dust" rule): every share is rounded down, and the rounding
//! remainder goes to the **payee** on a release and to the **payer** on a ruling's
//! refund side, so `payee + fee + Σ royalties + refund == amount` to the last unit.

use crate::{Balance, Bps, BPS_DENOMINATOR};
use ink::prelude::vec::Vec;

/// `floor(amount × bps / 10 000)`, exact for every `amount` up to `u128::MAX`, without
/// a wide multiplication: with `amount = q × 10 000 + r`, the result is
/// `q × bps + floor(r × bps / 10 000)`. Returns `None` if `bps > 10 000`.
pub fn bps_of(amount: Balance, bps: Bps) -> Option<Balance> {
    if bps > BPS_DENOMINATOR {
        return None;
    }
    let d = Balance::from(BPS_DENOMINATOR);
    let b = Balance::from(bps);
    let q = amount.checked_div(d)?;
    let r = amount.checked_rem(d)?;
    // q × b ≤ amount because b ≤ d; r × b < d² fits easily.
    q.checked_mul(b)?
        .checked_add(r.checked_mul(b)?.checked_div(d)?)
}

/// How a released amount is divided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseSplit {
    /// What the payee receives: the amount minus fee and royalties (it takes the dust).
    pub payee: Balance,
    /// The platform fee, to the treasury.
    pub fee: Balance,
    /// One amount per royalty share, in the order given.
    pub royalties: Vec<Balance>,
}

/// Splits `amount` into the fee, each royalty and the payee's remainder. Returns `None`
/// when the shares add up to more than 100 %.
pub fn split_release(amount: Balance, fee_bps: Bps, royalty_bps: &[Bps]) -> Option<ReleaseSplit> {
    let mut total_bps = u32::from(fee_bps);
    for bps in royalty_bps {
        total_bps = total_bps.checked_add(u32::from(*bps))?;
    }
    if total_bps > u32::from(BPS_DENOMINATOR) {
        return None;
    }
    let fee = bps_of(amount, fee_bps)?;
    let mut payee = amount.checked_sub(fee)?;
    let mut royalties = Vec::with_capacity(royalty_bps.len());
    for bps in royalty_bps {
        let share = bps_of(amount, *bps)?;
        payee = payee.checked_sub(share)?;
        royalties.push(share);
    }
    Some(ReleaseSplit {
        payee,
        fee,
        royalties,
    })
}

/// Splits `amount` by a ruling: `payee_bps` of it (rounded down) to the payee side, the
/// rest (with the dust) back to the payer. Returns `(payee_side, refund)`.
pub fn split_ruling(amount: Balance, payee_bps: Bps) -> Option<(Balance, Balance)> {
    let payee_side = bps_of(amount, payee_bps)?;
    Some((payee_side, amount.checked_sub(payee_side)?))
}

/// `ceil(amount × bps / 10 000)`: bonds round up so a tiny escrow still needs a bond.
pub fn bps_of_ceil(amount: Balance, bps: Bps) -> Option<Balance> {
    let floor = bps_of(amount, bps)?;
    let d = Balance::from(BPS_DENOMINATOR);
    let exact = amount
        .checked_rem(d)?
        .checked_mul(Balance::from(bps))?
        .checked_rem(d)?
        == 0;
    if exact {
        Some(floor)
    } else {
        floor.checked_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bps_of_is_exact_up_to_u128_max() {
        assert_eq!(bps_of(10_000, 250), Some(250));
        assert_eq!(bps_of(9_999, 1), Some(0));
        assert_eq!(bps_of(1, 10_000), Some(1));
        assert_eq!(bps_of(u128::MAX, 10_000), Some(u128::MAX));
        assert_eq!(bps_of(u128::MAX, 5_000), Some(u128::MAX / 2));
        assert_eq!(bps_of(u128::MAX, 0), Some(0));
        assert_eq!(bps_of(100, 10_001), None);
        // Against a wide reference on values that fit: floor(a*b/d).
        for a in [
            0u128,
            1,
            7,
            9_999,
            10_000,
            10_001,
            123_456_789,
            u64::MAX as u128,
        ] {
            for b in [0u16, 1, 3, 250, 4_999, 10_000] {
                assert_eq!(bps_of(a, b), Some(a * b as u128 / 10_000), "{a} {b}");
            }
        }
    }

    #[test]
    fn release_split_adds_up_and_payee_takes_dust() {
        for amount in [1u128, 3, 10_001, 1_000_000_007, u128::MAX] {
            let s = split_release(amount, 250, &[500, 333]).unwrap();
            let total = s.payee + s.fee + s.royalties.iter().sum::<u128>();
            assert_eq!(total, amount);
        }
        let s = split_release(1, 250, &[500]).unwrap();
        assert_eq!((s.payee, s.fee, s.royalties), (1, 0, vec![0]));
        assert_eq!(split_release(100, 5_000, &[5_001]), None);
        assert!(split_release(100, 5_000, &[5_000]).is_some());
    }

    #[test]
    fn ruling_split_adds_up() {
        assert_eq!(split_ruling(101, 5_000), Some((50, 51)));
        assert_eq!(split_ruling(u128::MAX, 10_000), Some((u128::MAX, 0)));
        assert_eq!(split_ruling(7, 0), Some((0, 7)));
        assert_eq!(split_ruling(7, 10_001), None);
    }

    #[test]
    fn bond_rounds_up() {
        assert_eq!(bps_of_ceil(10_000, 100), Some(100));
        assert_eq!(bps_of_ceil(1, 100), Some(1));
        assert_eq!(bps_of_ceil(0, 100), Some(0));
        assert_eq!(bps_of_ceil(u128::MAX, 10_000), Some(u128::MAX));
    }
}
