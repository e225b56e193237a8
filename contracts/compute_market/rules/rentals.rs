//! The arithmetic of a rental, as plain logic (no storage, no environment): what it
//! costs, how long it runs, whether it fits the offer's capacity and hours, and the
//! capacity and penalty bookkeeping of the offer it holds. Every operation is checked
//! (`Overflow` or a typed refusal, never a wrap or a trap).

use crate::errors::{Error, Result};
use crate::types::Offer;
use market_types::math::bps_of;
use market_types::{ensure, Balance, Bps, Timestamp};

/// What `gpus` GPUs for `hours` cost at `price_per_gpu_hour`.
pub fn cost(price_per_gpu_hour: Balance, gpus: u32, hours: u32) -> Result<Balance> {
    price_per_gpu_hour
        .checked_mul(Balance::from(gpus))
        .and_then(|v| v.checked_mul(Balance::from(hours)))
        .ok_or(Error::Overflow)
}

/// The least a rental of `gpus` for `hours` pays its provider if its renter withdraws
/// or ends it early: the price of its first `min_charge_hours` hours (all of them for a
/// shorter rental; nothing for 0).
pub fn min_payout(
    price_per_gpu_hour: Balance,
    gpus: u32,
    hours: u32,
    min_charge_hours: u32,
) -> Result<Balance> {
    cost(price_per_gpu_hour, gpus, hours.min(min_charge_hours))
}

/// How long `hours` last, in milliseconds.
pub fn duration_ms(hours: u32, hour_ms: u64) -> Result<u64> {
    u64::from(hours).checked_mul(hour_ms).ok_or(Error::Overflow)
}

/// When a rental started at `started_at` for `hours` ends.
pub fn end_of(started_at: Timestamp, hours: u32, hour_ms: u64) -> Result<Timestamp> {
    started_at
        .checked_add(duration_ms(hours, hour_ms)?)
        .ok_or(Error::Overflow)
}

/// The no-show penalty of a rental that paid `amount`.
pub fn penalty(amount: Balance, no_show_bps: Bps) -> Result<Balance> {
    bps_of(amount, no_show_bps).ok_or(Error::Overflow)
}

/// A booking of `gpus` for `hours` fits the offer: at least one GPU, the offer's hour
/// range, and GPUs free for it now.
pub fn check_booking(offer: &Offer, gpus: u32, hours: u32) -> Result<()> {
    ensure!(gpus >= 1, Error::ZeroGpus);
    ensure!(
        hours >= offer.min_hours && hours <= offer.max_hours,
        Error::HoursOutOfRange
    );
    ensure!(gpus <= free_gpus(offer), Error::CapacityExceeded);
    Ok(())
}

/// GPUs of the offer not held by a booked or running rental.
pub fn free_gpus(offer: &Offer) -> u32 {
    offer.capacity.saturating_sub(offer.in_use)
}

/// The rental's hours after extending by `extra_hours`: at least one more, and at most
/// `max_hours` in all.
pub fn extended_hours(hours: u32, extra_hours: u32, max_hours: u32) -> Result<u32> {
    ensure!(extra_hours >= 1, Error::ZeroHours);
    let total = hours.checked_add(extra_hours).ok_or(Error::Overflow)?;
    ensure!(total <= max_hours, Error::HoursOutOfRange);
    Ok(total)
}

/// The offer holding `gpus` more for a new rental whose no-show penalty is `penalty`:
/// within capacity, one more open rental, and the penalty reserved out of the
/// collateral (refused when the collateral, shrunk by penalties paid, cannot cover the
/// penalties of every booked rental).
pub fn take(offer: &mut Offer, gpus: u32, penalty: Balance) -> Result<()> {
    let in_use = offer.in_use.checked_add(gpus).ok_or(Error::Overflow)?;
    ensure!(in_use <= offer.capacity, Error::CapacityExceeded);
    let reserved = offer
        .penalties_reserved
        .checked_add(penalty)
        .ok_or(Error::Overflow)?;
    ensure!(reserved <= offer.collateral, Error::CollateralShort);
    offer.open_rentals = offer.open_rentals.checked_add(1).ok_or(Error::Overflow)?;
    offer.in_use = in_use;
    offer.penalties_reserved = reserved;
    Ok(())
}

/// The offer no longer owing `penalty` for a rental that started or closed before it
/// started. Saturating: the reservation was made when the rental was booked, so this
/// never goes below zero in practice, and it must never block a rental from ending.
pub fn unreserve(offer: &mut Offer, penalty: Balance) {
    offer.penalties_reserved = offer.penalties_reserved.saturating_sub(penalty);
}

/// The offer getting back the `gpus` of a rental whose time is over (saturating, as
/// `unreserve`: a rental gives back only what it took, once).
pub fn give_back(offer: &mut Offer, gpus: u32) {
    offer.in_use = offer.in_use.saturating_sub(gpus);
}

/// The offer no longer having the rental open (its stream settled in the vault), and
/// `penalty_paid` gone out of the collateral.
pub fn close(offer: &mut Offer, penalty_paid: Balance) {
    offer.open_rentals = offer.open_rentals.saturating_sub(1);
    offer.collateral = offer.collateral.saturating_sub(penalty_paid);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::OfferStatus;
    use ink::primitives::{AccountId, Hash};
    use market_types::Asset;

    fn offer(capacity: u32, collateral: Balance) -> Offer {
        Offer {
            provider: AccountId::from([1; 32]),
            gpu_model: "h100".into(),
            vram_gb: 80,
            capacity,
            region: "eu".into(),
            price_per_gpu_hour: 10,
            min_hours: 2,
            max_hours: 8,
            asset: Asset::Native,
            endpoint_hash: Hash::from([2; 32]),
            start_window_ms: 100,
            status: OfferStatus::Active,
            version: 1,
            vault: AccountId::from([3; 32]),
            collateral_id: 1,
            collateral,
            expires_at: 1_000,
            in_use: 0,
            open_rentals: 0,
            penalties_reserved: 0,
            created_at: 0,
        }
    }

    #[test]
    fn cost_and_time_are_checked() {
        assert_eq!(cost(10, 3, 4), Ok(120));
        assert_eq!(cost(u128::MAX, 2, 1), Err(Error::Overflow));
        assert_eq!(cost(u128::MAX / 6, 2, 3), Ok(u128::MAX / 6 * 6));
        assert_eq!(duration_ms(3, 1_000), Ok(3_000));
        assert_eq!(duration_ms(u32::MAX, u64::MAX), Err(Error::Overflow));
        assert_eq!(end_of(5, 3, 1_000), Ok(3_005));
        assert_eq!(end_of(u64::MAX, 1, 1), Err(Error::Overflow));
        assert_eq!(penalty(1_000, 2_500), Ok(250));
        assert_eq!(penalty(u128::MAX, 10_000), Ok(u128::MAX));
        assert_eq!(min_payout(10, 3, 4, 1), Ok(30));
        assert_eq!(min_payout(10, 3, 2, 5), Ok(60), "at most the whole rental");
        assert_eq!(min_payout(10, 3, 4, 0), Ok(0));
        assert_eq!(min_payout(u128::MAX, 2, 1, 1), Err(Error::Overflow));
    }

    #[test]
    fn bookings_fit_hours_and_capacity() {
        let mut o = offer(4, 1_000);
        assert_eq!(check_booking(&o, 0, 2), Err(Error::ZeroGpus));
        assert_eq!(check_booking(&o, 1, 1), Err(Error::HoursOutOfRange));
        assert_eq!(check_booking(&o, 1, 9), Err(Error::HoursOutOfRange));
        assert_eq!(check_booking(&o, 5, 2), Err(Error::CapacityExceeded));
        assert_eq!(check_booking(&o, 4, 8), Ok(()));
        take(&mut o, 3, 10).unwrap();
        assert_eq!(
            (free_gpus(&o), o.open_rentals, o.penalties_reserved),
            (1, 1, 10)
        );
        assert_eq!(check_booking(&o, 2, 2), Err(Error::CapacityExceeded));
        assert_eq!(take(&mut o, 2, 0), Err(Error::CapacityExceeded));
        take(&mut o, 1, 0).unwrap();
        assert_eq!(free_gpus(&o), 0);
        give_back(&mut o, 3);
        unreserve(&mut o, 10);
        close(&mut o, 0);
        assert_eq!(
            (free_gpus(&o), o.open_rentals, o.penalties_reserved),
            (3, 1, 0)
        );
    }

    #[test]
    fn penalties_must_stay_covered_by_the_collateral() {
        let mut o = offer(4, 100);
        take(&mut o, 1, 60).unwrap();
        let before = o.clone();
        assert_eq!(take(&mut o, 1, 41), Err(Error::CollateralShort));
        assert_eq!(o, before, "a refused take changes nothing");
        take(&mut o, 1, 40).unwrap();
        // A penalty paid out shrinks the collateral for good.
        unreserve(&mut o, 60);
        close(&mut o, 60);
        assert_eq!((o.collateral, o.penalties_reserved), (40, 40));
        assert_eq!(take(&mut o, 1, 1), Err(Error::CollateralShort));
    }

    #[test]
    fn extensions_stay_within_max_hours() {
        assert_eq!(extended_hours(3, 0, 8), Err(Error::ZeroHours));
        assert_eq!(extended_hours(3, 5, 8), Ok(8));
        assert_eq!(extended_hours(3, 6, 8), Err(Error::HoursOutOfRange));
        assert_eq!(extended_hours(u32::MAX, 1, u32::MAX), Err(Error::Overflow));
    }
}
