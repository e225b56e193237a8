//! What an account may do with a model, from the licenses it bought: plain logic with no
//! ink! environment, so unit tests reach every case directly.
//!
//! An account may hold many licenses for one model (several offers, renewals). Checking
//! "is any of them valid" must not loop over all of them, so the registry keeps, per
//! account and model, one [`Entitlement`]: the **union** of every license whose order has
//! settled (perpetual or not, the latest TimeBound end, a pool of metered units), plus a
//! short list of licenses whose orders are still open (at most
//! [`MAX_PENDING_LICENSES`]). A license moves from the pending list into the union when
//! its order is seen settled (`record`): a release in full grants its terms; a refund or
//! a partial ruling grants nothing. So validity costs at most one vault read per pending
//! license, whatever the account bought before, and a later purchase — pending, refunded
//! or disputed — can never hide a license already granted.
//!
//! A license is **granted** once its order is released to the seller in full
//! ([`released_in_full`]: a release through `release_license`, an auto-release after
//! the review window, a ruling entirely for the seller, or the fallback of a disputed
//! order that was delivered); a refund or a split grants nothing. A granted license
//! then counts for ever (Perpetual), until `duration_ms` after its release (TimeBound),
//! or while the account's metered units last (Metered: every granted metered license
//! adds its units to one pool per account and model, which the model owner's gateway
//! draws on with `consume_units`).
//!
//! `licenses_of(account, cursor, limit)` and `licenses_for_model(account, model, cursor,
//! limit)` page through an account's licenses, oldest first and at most `MAX_PAGE` at a
//! time, each with its order's status (read from its own vault) and its
//! [`LicenseState`](crate::LicenseState): `Pending` (the order is still open), `Active`, `Expired` (the time
//! ran out, or the pooled units are used up) or `NotGranted` (refunded or split).

use crate::types::{Entitlement, License, LicenseState};
use market_types::{EscrowState, EscrowStatus, LicenseId, LicenseKind, Timestamp, BPS_DENOMINATOR};

/// Whether an order's outcome paid the seller in full: settled with a 100 % payee
/// share (a release, an auto-release, a ruling entirely for the seller, or the
/// fallback of a delivered order).
pub fn released_in_full(status: &Option<EscrowStatus>) -> Option<Timestamp> {
    match status {
        Some(EscrowStatus {
            state: EscrowState::Settled,
            settlement: Some(s),
        }) if s.payee_share_bps == BPS_DENOMINATOR => Some(s.at),
        _ => None,
    }
}

/// Whether an order has settled at all.
pub fn is_settled(status: &Option<EscrowStatus>) -> bool {
    matches!(
        status,
        Some(EscrowStatus {
            state: EscrowState::Settled,
            ..
        })
    )
}

impl Entitlement {
    /// Whether what is recorded grants use now.
    pub fn valid_now(&self, now: Timestamp) -> bool {
        self.perpetual || now < self.valid_until || self.units_used < self.units_bought
    }

    /// Units left in the metered pool.
    pub fn units_left(&self) -> u64 {
        self.units_bought.saturating_sub(self.units_used)
    }

    /// Records the outcome of a settled order for `license` (which must be in
    /// `pending`): a release in full at `released_at` grants its terms, anything else
    /// grants nothing. Returns whether it was granted.
    ///
    /// It cannot fail, on purpose: if recording could fail (say on a sum overflowing),
    /// a seller could sell licenses that make it fail and so jam the buyer's
    /// entitlement for ever. So the sums saturate: a TimeBound end or a pool of metered
    /// units past `u64::MAX` is, for any clock and any gateway, unlimited.
    pub fn record(
        &mut self,
        id: LicenseId,
        license: &mut License,
        released_at: Option<Timestamp>,
    ) -> bool {
        let granted = released_at.is_some();
        if let Some(at) = released_at {
            match license.kind {
                LicenseKind::Perpetual => self.perpetual = true,
                LicenseKind::TimeBound { duration_ms } => {
                    self.valid_until = self.valid_until.max(at.saturating_add(duration_ms));
                }
                LicenseKind::Metered { units } => {
                    self.units_bought = self.units_bought.saturating_add(units);
                }
            }
            self.granted = self.granted.saturating_add(1);
        }
        self.pending.retain(|p| *p != id);
        license.granted = Some(granted);
        license.released_at = released_at;
        granted
    }

    /// Whether a license still pending here would be usable now if its order reads
    /// `status`: released in full and, for TimeBound, not yet over. A released metered
    /// license always has units (they join the pool when recorded).
    pub fn pending_valid(license: &License, status: &Option<EscrowStatus>, now: Timestamp) -> bool {
        match released_in_full(status) {
            None => false,
            Some(at) => match license.kind {
                LicenseKind::Perpetual | LicenseKind::Metered { .. } => true,
                LicenseKind::TimeBound { duration_ms } => now < at.saturating_add(duration_ms),
            },
        }
    }

    /// The state of one license: `status` is its order's, read from its vault.
    pub fn license_state(
        &self,
        license: &License,
        status: &Option<EscrowStatus>,
        now: Timestamp,
    ) -> LicenseState {
        let released_at = match license.granted {
            Some(false) => return LicenseState::NotGranted,
            Some(true) => license.released_at,
            None if !is_settled(status) => return LicenseState::Pending,
            None => match released_in_full(status) {
                None => return LicenseState::NotGranted,
                at => at,
            },
        };
        let usable = match license.kind {
            LicenseKind::Perpetual => true,
            LicenseKind::TimeBound { duration_ms } => {
                now < released_at.unwrap_or(0).saturating_add(duration_ms)
            }
            // Recorded metered units are pooled; an unrecorded release adds its own.
            LicenseKind::Metered { .. } => license.granted.is_none() || self.units_left() > 0,
        };
        if usable {
            LicenseState::Active
        } else {
            LicenseState::Expired
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::primitives::AccountId;
    use market_types::{Asset, SettleReason, Settlement};

    fn license(kind: LicenseKind) -> License {
        License {
            buyer: AccountId::from([1; 32]),
            model_id: 1,
            offer_id: 0,
            offer_version: 1,
            kind,
            price: 100,
            asset: Asset::Native,
            vault: AccountId::from([9; 32]),
            escrow_id: 1,
            purchased_at: 0,
            granted: None,
            released_at: None,
        }
    }

    fn settled(share: u16, at: Timestamp) -> Option<EscrowStatus> {
        Some(EscrowStatus {
            state: EscrowState::Settled,
            settlement: Some(Settlement {
                reason: SettleReason::Released,
                at,
                payee_share_bps: share,
                penalty_paid: 0,
            }),
        })
    }

    fn open() -> Option<EscrowStatus> {
        Some(EscrowStatus {
            state: EscrowState::Funded,
            settlement: None,
        })
    }

    #[test]
    fn a_refunded_later_purchase_never_hides_a_granted_one() {
        let mut e = Entitlement {
            pending: ink::prelude::vec![1, 2],
            ..Default::default()
        };
        let mut perpetual = license(LicenseKind::Perpetual);
        let mut second = license(LicenseKind::TimeBound { duration_ms: 10 });
        assert!(e.record(1, &mut perpetual, Some(100)));
        assert!(e.valid_now(1_000_000));
        // The second purchase is refunded: recorded as not granted, nothing lost.
        assert!(!e.record(2, &mut second, None));
        assert!(e.valid_now(u64::MAX));
        assert!(e.pending.is_empty());
        assert_eq!(
            (perpetual.granted, second.granted),
            (Some(true), Some(false))
        );
        assert_eq!(e.granted, 1);
    }

    #[test]
    fn timebound_keeps_the_latest_end_and_metered_pools_units() {
        let mut e = Entitlement::default();
        let mut long = license(LicenseKind::TimeBound { duration_ms: 1_000 });
        let mut short = license(LicenseKind::TimeBound { duration_ms: 10 });
        e.record(1, &mut long, Some(100));
        e.record(2, &mut short, Some(200));
        assert_eq!(e.valid_until, 1_100);
        assert!(e.valid_now(1_099) && !e.valid_now(1_100));
        let mut m1 = license(LicenseKind::Metered { units: 3 });
        let mut m2 = license(LicenseKind::Metered { units: 4 });
        e.record(3, &mut m1, Some(300));
        e.record(4, &mut m2, Some(300));
        assert_eq!(e.units_left(), 7);
        e.units_used = 7;
        assert!(!e.valid_now(2_000));
        // A seller's u64::MAX-unit licenses cannot jam the pool: it saturates.
        let mut huge = license(LicenseKind::Metered { units: u64::MAX });
        let mut again = license(LicenseKind::Metered { units: u64::MAX });
        e.pending = ink::prelude::vec![5, 6];
        assert!(e.record(5, &mut huge, Some(1)));
        assert!(e.record(6, &mut again, Some(1)));
        assert_eq!(e.units_bought, u64::MAX);
        assert!(e.pending.is_empty());
        assert_eq!(e.granted, 6);
    }

    #[test]
    fn pending_validity_and_states() {
        let p = license(LicenseKind::Perpetual);
        let t = license(LicenseKind::TimeBound { duration_ms: 1_000 });
        assert!(!Entitlement::pending_valid(&p, &None, 0));
        assert!(!Entitlement::pending_valid(&p, &open(), 0));
        assert!(!Entitlement::pending_valid(&p, &settled(9_999, 5), 10));
        assert!(Entitlement::pending_valid(&p, &settled(10_000, 5), 10));
        assert!(Entitlement::pending_valid(&t, &settled(10_000, 5), 1_004));
        assert!(!Entitlement::pending_valid(&t, &settled(10_000, 5), 1_005));
        let e = Entitlement::default();
        assert_eq!(e.license_state(&p, &open(), 0), LicenseState::Pending);
        assert_eq!(
            e.license_state(&p, &settled(0, 5), 9),
            LicenseState::NotGranted
        );
        assert_eq!(
            e.license_state(&t, &settled(10_000, 5), 9),
            LicenseState::Active
        );
        assert_eq!(
            e.license_state(&t, &settled(10_000, 5), 2_000),
            LicenseState::Expired
        );
        let mut m = license(LicenseKind::Metered { units: 2 });
        let mut e = Entitlement::default();
        e.record(1, &mut m, Some(5));
        assert_eq!(
            e.license_state(&m, &settled(10_000, 5), 9),
            LicenseState::Active
        );
        e.units_used = 2;
        assert_eq!(
            e.license_state(&m, &settled(10_000, 5), 9),
            LicenseState::Expired
        );
    }
}
