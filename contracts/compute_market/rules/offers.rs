//! The rules of an offer, as plain logic (no storage, no environment): what a valid
//! offer looks like, how much collateral backs it, the index key of its texts, and the
//! bounded scan behind the search views. Messages run these checks before reading or
//! writing anything else, so a refused message has changed nothing.

use crate::errors::{Error, Result};
use crate::types::{MAX_CAPACITY, MAX_PAGE, MAX_SCAN, MAX_TEXT_LEN};
use ink::prelude::{string::String, vec::Vec};
use ink::primitives::Hash;
use market_types::math::bps_of;
use market_types::{ensure, page_len, Balance, Bps, Page, BPS_DENOMINATOR, MAX_PERIOD_MS};

/// An offer's specs, as `publish_offer` takes them; they never change afterwards (an
/// attestation vouches for them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub gpu_model: String,
    pub vram_gb: u16,
    pub capacity: u32,
    pub region: String,
    pub endpoint_hash: Hash,
    pub start_window_ms: u64,
}

/// An offer's price and hours, as `publish_offer` and `update_offer` take them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub price_per_gpu_hour: Balance,
    pub min_hours: u32,
    pub max_hours: u32,
}

/// A GPU model or region: 1..=`MAX_TEXT_LEN` bytes of ASCII letters, digits, space,
/// `-`, `_` and `.`. Returns the hash it is indexed under: that of its lowercase
/// form, so `"RTX 4090"` and `"rtx 4090"` find the same offers. `None` for invalid
/// text.
pub fn text_key(text: &str) -> Option<Hash> {
    let bytes = text.as_bytes();
    let valid = !bytes.is_empty()
        && bytes.len() <= MAX_TEXT_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_' | b'.'));
    if !valid {
        return None;
    }
    let mut normalized = [0u8; MAX_TEXT_LEN];
    let slot = normalized.get_mut(..bytes.len())?;
    slot.copy_from_slice(bytes);
    slot.make_ascii_lowercase();
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(slot, &mut out);
    Some(Hash::from(out))
}

/// The specs of a new offer: valid texts (their index keys returned, GPU model
/// first), some VRAM, and 1..=`MAX_CAPACITY` GPUs.
pub fn check_specs(
    gpu_model: &str,
    region: &str,
    vram_gb: u16,
    capacity: u32,
) -> Result<(Hash, Hash)> {
    let gpu = text_key(gpu_model).ok_or(Error::InvalidGpuModel)?;
    let reg = text_key(region).ok_or(Error::InvalidRegion)?;
    ensure!(vram_gb > 0, Error::InvalidVram);
    ensure!(
        (1..=MAX_CAPACITY).contains(&capacity),
        Error::InvalidCapacity
    );
    Ok((gpu, reg))
}

/// An offer's price and hours: a price above zero, `1 ≤ min_hours ≤ max_hours`, and
/// the longest rental (`max_hours × hour_ms`) at most `MAX_PERIOD_MS`.
pub fn check_terms(t: &Terms, hour_ms: u64) -> Result<()> {
    ensure!(t.price_per_gpu_hour > 0, Error::ZeroPrice);
    ensure!(
        t.min_hours >= 1 && t.min_hours <= t.max_hours,
        Error::InvalidHours
    );
    let longest = u64::from(t.max_hours)
        .checked_mul(hour_ms)
        .ok_or(Error::PeriodTooLong)?;
    ensure!(longest <= MAX_PERIOD_MS, Error::PeriodTooLong);
    Ok(())
}

/// A start window: above zero (a rental must be startable) and at most the market's
/// `max_start_window_ms`.
pub fn check_start_window(start_window_ms: u64, max_start_window_ms: u64) -> Result<()> {
    ensure!(
        start_window_ms > 0 && start_window_ms <= max_start_window_ms,
        Error::InvalidStartWindow
    );
    Ok(())
}

/// The most one offer can ever have rented out at once: every GPU for the longest
/// rental, `price × capacity × max_hours`.
pub fn exposure(price_per_gpu_hour: Balance, capacity: u32, max_hours: u32) -> Result<Balance> {
    price_per_gpu_hour
        .checked_mul(Balance::from(capacity))
        .and_then(|v| v.checked_mul(Balance::from(max_hours)))
        .ok_or(Error::Overflow)
}

/// `floor(amount × ratio_bps / 10 000)` for ratios above 100 % too, exactly: with
/// `ratio = q × 10 000 + r`, it is `amount × q + floor(amount × r / 10 000)`.
pub fn ratio_of(amount: Balance, ratio_bps: Bps) -> Result<Balance> {
    let whole = ratio_bps
        .checked_div(BPS_DENOMINATOR)
        .ok_or(Error::Overflow)?;
    let rest = ratio_bps
        .checked_rem(BPS_DENOMINATOR)
        .ok_or(Error::Overflow)?;
    amount
        .checked_mul(Balance::from(whole))
        .and_then(|a| a.checked_add(bps_of(amount, rest)?))
        .ok_or(Error::Overflow)
}

/// The collateral an offer locks: `price × capacity × max_hours × ratio_bps / 10 000`,
/// rounded down, exact for every amount that fits (else `Overflow`).
pub fn collateral_for(
    price_per_gpu_hour: Balance,
    capacity: u32,
    max_hours: u32,
    ratio_bps: Bps,
) -> Result<Balance> {
    ratio_of(
        exposure(price_per_gpu_hour, capacity, max_hours)?,
        ratio_bps,
    )
}

/// The market's collateral ratio and no-show penalty: a ratio of 1 bps up to
/// `max_ratio`, and a penalty of at most 100 % and at most the ratio, so the
/// collateral always covers the penalties of every rental it backs at once.
/// (`MarketAdmin::set_ratios` answers either refusal as `AdminError::OutOfRange`.)
pub fn check_ratios(ratio_bps: Bps, no_show_bps: Bps, max_ratio: Bps) -> Result<()> {
    ensure!(
        ratio_bps >= 1 && ratio_bps <= max_ratio,
        Error::InvalidCollateralRatio
    );
    ensure!(
        no_show_bps <= BPS_DENOMINATOR && no_show_bps <= ratio_bps,
        Error::InvalidNoShowBps
    );
    Ok(())
}

/// A page of matches from a list of `len` entries, starting at position `cursor`:
/// examines at most `MAX_SCAN` positions (`item` returns `None` for an entry that does
/// not match) and stops early once it has `limit` matches (clamped to `1..=MAX_PAGE`,
/// 0 meaning `MAX_PAGE`). `next` is the position after the last one examined, so the
/// following call continues the scan; `None` once the list is exhausted. A page may be
/// empty and still have a `next`.
pub fn scan<T>(
    cursor: u64,
    limit: u32,
    len: u64,
    mut item: impl FnMut(u64) -> Option<T>,
) -> Page<T> {
    let want = page_len(limit, MAX_PAGE);
    let stop = cursor.saturating_add(u64::from(MAX_SCAN)).min(len);
    let mut items = Vec::new();
    let mut found: u32 = 0;
    let mut i = cursor;
    while i < stop && found < want {
        if let Some(t) = item(i) {
            items.push(t);
            found = found.saturating_add(1);
        }
        i = i.saturating_add(1);
    }
    Page {
        items,
        next: (i < len).then_some(i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keys_ignore_case_and_refuse_bad_text() {
        assert_eq!(text_key("RTX 4090"), text_key("rtx 4090"));
        assert_ne!(text_key("rtx 4090"), text_key("rtx 4080"));
        assert!(text_key("eu-west_1.a").is_some());
        assert!(text_key(&"x".repeat(MAX_TEXT_LEN)).is_some());
        for bad in ["", "émoji", "tab\t", "semi;colon"] {
            assert_eq!(text_key(bad), None, "{bad}");
        }
        assert_eq!(text_key(&"x".repeat(MAX_TEXT_LEN + 1)), None);
    }

    #[test]
    fn collateral_is_exact_below_and_above_one_hundred_percent() {
        // 3 GPUs × 10 h at 7: exposure 210.
        assert_eq!(collateral_for(7, 3, 10, 10_000), Ok(210));
        assert_eq!(collateral_for(7, 3, 10, 5_000), Ok(105));
        assert_eq!(collateral_for(7, 3, 10, 15_000), Ok(315));
        assert_eq!(collateral_for(7, 3, 10, 30_000), Ok(630));
        // floor(210 × 3 333 / 10 000) = 69 (69.993).
        assert_eq!(collateral_for(7, 3, 10, 3_333), Ok(69));
        assert_eq!(collateral_for(7, 3, 10, 13_333), Ok(279));
        assert_eq!(ratio_of(u128::MAX, 10_000), Ok(u128::MAX));
        assert_eq!(ratio_of(u128::MAX, 5_000), Ok(u128::MAX / 2));
        assert_eq!(ratio_of(u128::MAX, 20_000), Err(Error::Overflow));
        assert_eq!(collateral_for(u128::MAX, 2, 1, 100), Err(Error::Overflow));
        // Against a wide reference on values that fit.
        for e in [1u128, 9_999, 10_001, 123_456_789, u64::MAX as u128] {
            for r in [1u16, 9_999, 10_000, 10_001, 29_999, 30_000] {
                assert_eq!(ratio_of(e, r), Ok(e * r as u128 / 10_000), "{e} {r}");
            }
        }
    }

    #[test]
    fn terms_and_ratios_are_bounded() {
        let t = |p, min, max| Terms {
            price_per_gpu_hour: p,
            min_hours: min,
            max_hours: max,
        };
        let hour = 3_600_000;
        assert_eq!(check_terms(&t(1, 1, 1), hour), Ok(()));
        assert_eq!(check_terms(&t(0, 1, 1), hour), Err(Error::ZeroPrice));
        assert_eq!(check_terms(&t(1, 0, 1), hour), Err(Error::InvalidHours));
        assert_eq!(check_terms(&t(1, 3, 2), hour), Err(Error::InvalidHours));
        let most = u32::try_from(MAX_PERIOD_MS / hour).unwrap();
        assert_eq!(check_terms(&t(1, 1, most), hour), Ok(()));
        assert_eq!(
            check_terms(&t(1, 1, most + 1), hour),
            Err(Error::PeriodTooLong)
        );
        assert_eq!(
            check_terms(&t(1, 1, u32::MAX), u64::MAX),
            Err(Error::PeriodTooLong)
        );
        assert_eq!(check_ratios(10_000, 10_000, 30_000), Ok(()));
        assert_eq!(check_ratios(30_000, 10_000, 30_000), Ok(()));
        assert_eq!(
            check_ratios(0, 0, 30_000),
            Err(Error::InvalidCollateralRatio)
        );
        assert_eq!(
            check_ratios(30_001, 0, 30_000),
            Err(Error::InvalidCollateralRatio)
        );
        assert_eq!(
            check_ratios(5_000, 5_001, 30_000),
            Err(Error::InvalidNoShowBps)
        );
        assert_eq!(
            check_ratios(20_000, 10_001, 30_000),
            Err(Error::InvalidNoShowBps)
        );
        assert_eq!(check_start_window(0, 10), Err(Error::InvalidStartWindow));
        assert_eq!(check_start_window(11, 10), Err(Error::InvalidStartWindow));
        assert_eq!(check_start_window(10, 10), Ok(()));
    }

    #[test]
    fn scan_examines_a_bounded_stretch_and_continues() {
        let even = |i: u64| (i % 2 == 0).then_some(i);
        // Stops at `limit` matches.
        let p = scan(0, 3, 1_000, even);
        assert_eq!((p.items, p.next), (vec![0, 2, 4], Some(5)));
        // Never examines more than MAX_SCAN entries, even with no match.
        let mut seen = 0u64;
        let p = scan(7, 10, 1_000, |_| -> Option<u64> {
            seen += 1;
            None
        });
        assert_eq!(
            (seen, p.items.len(), p.next),
            (u64::from(MAX_SCAN), 0, Some(57))
        );
        // The end of the list ends the scan.
        let p = scan(995, 0, 1_000, even);
        assert_eq!((p.items, p.next), (vec![996, 998], None));
        let p = scan(u64::MAX, 0, 1_000, even);
        assert_eq!((p.items.len(), p.next), (0, None));
    }
}
