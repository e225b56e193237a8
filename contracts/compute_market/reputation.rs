//! A provider's track record, and how a finished rental counts in it. Plain logic: no
//! storage, no environment.
//!
//! Rules: every closed rental counts once, in exactly one of `completed`,
//! `ended_early`, `disputed` or `no_shows` (a rental the renter withdrew before it
//! started counts nowhere: the provider did nothing wrong); `lost` counts the disputed
//! rentals where a ruling (or its fallback) withheld part of the provider's pay, so
//! `lost ≤ disputed`. Counters saturate at `u32::MAX` instead of failing, so a busy
//! provider can never be locked out of closing rentals.

use crate::types::Outcome;
use market_types::{SettleReason, Settlement, BPS_DENOMINATOR};

/// A provider's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Reputation {
    /// Rentals that ran their time and were paid in full without a dispute.
    pub completed: u32,
    /// Rentals the renter stopped after they started.
    pub ended_early: u32,
    /// Rentals disputed in the vault, whatever the ruling.
    pub disputed: u32,
    /// Disputed rentals where the provider lost part of the pay.
    pub lost: u32,
    /// Rentals the provider did not start within the start window.
    pub no_shows: u32,
}

impl Reputation {
    /// Counts one closed rental.
    pub fn record(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Completed => self.completed = self.completed.saturating_add(1),
            Outcome::EndedEarly => self.ended_early = self.ended_early.saturating_add(1),
            Outcome::Disputed => self.disputed = self.disputed.saturating_add(1),
            Outcome::Lost => {
                self.disputed = self.disputed.saturating_add(1);
                self.lost = self.lost.saturating_add(1);
            }
            Outcome::NoShow => self.no_shows = self.no_shows.saturating_add(1),
            Outcome::Withdrawn => {}
        }
    }
}

/// How a rental whose stream the vault settled finished. `started`: whether the
/// rental was started (a stream stopped before its start was withdrawn, not ended
/// early).
///
/// - A provider that refunds the stream at the vault backed out of the rental: a
///   no-show, started or not (the vault made it pay the no-show penalty too).
/// - A dispute counts as `Lost` when the ruling gave the provider less than half of
///   what the stream still held — the same line that decides the vault's bond — and
///   as `Disputed` otherwise. The fallback of an unruled dispute pays what accrued
///   until the freeze and withholds nothing the provider earned: `Disputed`.
pub fn outcome_of(settlement: &Settlement, started: bool) -> Outcome {
    const HALF: u16 = BPS_DENOMINATOR / 2;
    match settlement.reason {
        SettleReason::NotStarted | SettleReason::RefundedByPayee => Outcome::NoShow,
        SettleReason::StoppedByPayer if started => Outcome::EndedEarly,
        SettleReason::StoppedByPayer => Outcome::Withdrawn,
        SettleReason::Resolved if settlement.payee_share_bps < HALF => Outcome::Lost,
        SettleReason::Resolved | SettleReason::DisputeExpired => Outcome::Disputed,
        // StreamCompleted; the order reasons never apply to a stream.
        _ => Outcome::Completed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settled(reason: SettleReason, payee_share_bps: u16) -> Settlement {
        Settlement {
            reason,
            at: 0,
            payee_share_bps,
        }
    }

    #[test]
    fn each_outcome_counts_in_one_place_and_lost_is_also_disputed() {
        let mut r = Reputation::default();
        for o in [
            Outcome::Completed,
            Outcome::EndedEarly,
            Outcome::Disputed,
            Outcome::Lost,
            Outcome::NoShow,
            Outcome::Withdrawn,
        ] {
            r.record(o);
        }
        assert_eq!(
            r,
            Reputation {
                completed: 1,
                ended_early: 1,
                disputed: 2,
                lost: 1,
                no_shows: 1,
            }
        );
    }

    #[test]
    fn counters_saturate() {
        let mut r = Reputation {
            completed: u32::MAX,
            disputed: u32::MAX,
            lost: u32::MAX,
            ..Default::default()
        };
        r.record(Outcome::Completed);
        r.record(Outcome::Lost);
        assert_eq!(
            (r.completed, r.disputed, r.lost),
            (u32::MAX, u32::MAX, u32::MAX)
        );
    }

    #[test]
    fn outcomes_follow_the_vaults_settlement() {
        use SettleReason as R;
        assert_eq!(
            outcome_of(&settled(R::NotStarted, 0), false),
            Outcome::NoShow
        );
        assert_eq!(
            outcome_of(&settled(R::StoppedByPayer, 0), false),
            Outcome::Withdrawn
        );
        assert_eq!(
            outcome_of(&settled(R::StoppedByPayer, 4_000), true),
            Outcome::EndedEarly
        );
        assert_eq!(
            outcome_of(&settled(R::StreamCompleted, 10_000), true),
            Outcome::Completed
        );
        assert_eq!(
            outcome_of(&settled(R::Resolved, 10_000), true),
            Outcome::Disputed
        );
        assert_eq!(
            outcome_of(&settled(R::Resolved, 5_000), true),
            Outcome::Disputed
        );
        assert_eq!(
            outcome_of(&settled(R::Resolved, 4_999), true),
            Outcome::Lost
        );
        assert_eq!(
            outcome_of(&settled(R::DisputeExpired, 10_000), true),
            Outcome::Disputed
        );
        // The fallback pays what accrued until the freeze: nothing earned is withheld.
        assert_eq!(
            outcome_of(&settled(R::DisputeExpired, 0), true),
            Outcome::Disputed
        );
        // A provider refunding at the vault backed out, started or not.
        assert_eq!(
            outcome_of(&settled(R::RefundedByPayee, 0), false),
            Outcome::NoShow
        );
        assert_eq!(
            outcome_of(&settled(R::RefundedByPayee, 300), true),
            Outcome::NoShow
        );
    }
}
