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

/// `floor(total × part / whole)` for `part ≤ whole`, exact for every `total` up to
/// `u128::MAX` without a wide multiplication: with `total = q × whole + r`, the result
/// is `q × part + floor(r × part / whole)`, and `r × part < whole² ≤ 2¹²⁸` because both
/// are 64-bit. This is how a stream accrues: `deposit × elapsed / duration`, so a price
/// below one unit per millisecond (a 6-decimal token at 0.50 an hour is 500 000 units
/// an hour) accrues exactly, and `part == whole` gives back `total` itself. Returns
/// `None` when `whole` is zero or `part > whole`.
pub fn pro_rata(total: Balance, part: u64, whole: u64) -> Option<Balance> {
    if whole == 0 || part > whole {
        return None;
    }
    let (p, w) = (Balance::from(part), Balance::from(whole));
    let q = total.checked_div(w)?;
    let r = total.checked_rem(w)?;
    q.checked_mul(p)?
        .checked_add(r.checked_mul(p)?.checked_div(w)?)
}

/// What extending a stream of `deposit` over `duration` by `extra` costs, when the price
/// per millisecond stays exactly the same: `deposit × extra / duration`, or `None` when
/// that is not a whole number of units (or `duration` is zero, or it overflows). Exact
/// for every `deposit`: `(deposit × extra) mod duration` is computed as
/// `((deposit mod duration) × extra) mod duration`, whose product fits in 128 bits.
pub fn proportional_top_up(deposit: Balance, duration: u64, extra: u64) -> Option<Balance> {
    if duration == 0 {
        return None;
    }
    let (d, e) = (Balance::from(duration), Balance::from(extra));
    let rem = deposit.checked_rem(d)?.checked_mul(e)?.checked_rem(d)?;
    if rem != 0 {
        return None;
    }
    // deposit × extra / duration = q × extra + r × extra / duration (exact: rem == 0).
    let q = deposit.checked_div(d)?;
    let r = deposit.checked_rem(d)?;
    q.checked_mul(e)?
        .checked_add(r.checked_mul(e)?.checked_div(d)?)
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

/// `floor(a × b / c)` for any `u128` values, computed exactly through a 256-bit
/// product (schoolbook multiplication on 64-bit halves, then bitwise long division).
/// Returns `None` when `c` is zero or the result does not fit in a `u128`. This is how
/// a jury's reward pool is shared by vote weight: `pool × weight / coherent_weight`,
/// where both factors may be any token amount.
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> Option<u128> {
    if c == 0 {
        return None;
    }
    let (hi, lo) = mul_wide(a, b);
    if hi >= c {
        return None;
    }
    // Long division of (hi, lo) by c, one bit of `lo` at a time; `rem < c` throughout.
    let mut rem = hi;
    let mut quotient: u128 = 0;
    let mut bit: u32 = 128;
    while bit > 0 {
        bit = bit.wrapping_sub(1);
        let carry = rem.wrapping_shr(127);
        rem = rem.wrapping_shl(1) | (lo.wrapping_shr(bit) & 1);
        if carry == 1 || rem >= c {
            rem = rem.wrapping_sub(c);
            quotient |= 1u128.wrapping_shl(bit);
        }
    }
    Some(quotient)
}

/// The 256-bit product of two `u128`s as `(high, low)` halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a.wrapping_shr(64), a & MASK);
    let (b1, b0) = (b.wrapping_shr(64), b & MASK);
    // Each partial product of two 64-bit halves fits in a u128.
    let p00 = a0.wrapping_mul(b0);
    let p01 = a0.wrapping_mul(b1);
    let p10 = a1.wrapping_mul(b0);
    let p11 = a1.wrapping_mul(b1);
    // Three values below 2^64 each: the sum stays below 2^66.
    let mid = p00
        .wrapping_shr(64)
        .wrapping_add(p01 & MASK)
        .wrapping_add(p10 & MASK);
    let lo = (p00 & MASK) | mid.wrapping_shl(64);
    let hi = p11
        .wrapping_add(p01.wrapping_shr(64))
        .wrapping_add(p10.wrapping_shr(64))
        .wrapping_add(mid.wrapping_shr(64));
    (hi, lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_div_floor_is_exact_across_the_range() {
        assert_eq!(mul_div_floor(10, 3, 4), Some(7));
        assert_eq!(
            mul_div_floor(u128::MAX, u128::MAX, u128::MAX),
            Some(u128::MAX)
        );
        assert_eq!(mul_div_floor(u128::MAX, 2, u128::MAX), Some(2));
        assert_eq!(mul_div_floor(u128::MAX, 3, 4), Some(u128::MAX / 4 * 3 + 2));
        assert_eq!(mul_div_floor(u128::MAX, 2, 1), None);
        assert_eq!(mul_div_floor(1, 1, 0), None);
        assert_eq!(mul_div_floor(0, u128::MAX, 7), Some(0));
        // Against the narrow product where it fits.
        for a in [0u128, 1, 7, 1 << 63, u64::MAX as u128, 123_456_789_012_345] {
            for b in [0u128, 1, 3, 1 << 40, u64::MAX as u128] {
                for c in [1u128, 2, 7, 1 << 50, u64::MAX as u128] {
                    assert_eq!(mul_div_floor(a, b, c), Some(a * b / c), "{a} {b} {c}");
                }
            }
        }
    }

    #[test]
    fn pro_rata_is_exact_for_small_and_huge_totals() {
        // 0.50 per hour in a 6-decimal token, for one hour: 500 000 units over 3 600 000 ms.
        let hour = 3_600_000;
        assert_eq!(pro_rata(500_000, 1, hour), Some(0));
        assert_eq!(pro_rata(500_000, 36_000, hour), Some(5_000));
        assert_eq!(pro_rata(500_000, hour - 1, hour), Some(499_999));
        assert_eq!(pro_rata(500_000, hour, hour), Some(500_000));
        // u128::MAX over a year, at every point: floor(total × part / whole).
        let year = 366 * 86_400_000;
        assert_eq!(pro_rata(u128::MAX, year, year), Some(u128::MAX));
        assert_eq!(pro_rata(u128::MAX, 0, year), Some(0));
        let half = pro_rata(u128::MAX, year / 2, year).unwrap();
        assert_eq!(half, u128::MAX / 2);
        assert_eq!(pro_rata(7, 3, 0), None);
        assert_eq!(pro_rata(7, 4, 3), None);
    }

    #[test]
    fn top_ups_keep_the_price_per_millisecond_exactly_or_are_refused() {
        let hour = 3_600_000;
        // 2 GPUs × 3 h at 500 000 / GPU-hour, extended by 1 h: 1 000 000 more.
        assert_eq!(
            proportional_top_up(3_000_000, 3 * hour, hour),
            Some(1_000_000)
        );
        // 10 units over 3 ms cannot be extended by 1 ms in whole units.
        assert_eq!(proportional_top_up(10, 3, 1), None);
        assert_eq!(proportional_top_up(9, 3, 1), Some(3));
        assert_eq!(proportional_top_up(5, 0, 1), None);
        // Huge deposits: exact, or None on overflow.
        assert_eq!(
            proportional_top_up(u128::MAX - (u128::MAX % 4), 4, 1),
            Some(u128::MAX / 4)
        );
        assert_eq!(proportional_top_up(u128::MAX - (u128::MAX % 4), 4, 8), None);
    }

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
