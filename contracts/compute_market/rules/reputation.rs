//! How a finished rental counts in its provider's track record ([`Reputation`], stored
//! in `types.rs`). Plain logic: no storage, no environment.
//!
//! Rules: every closed rental counts once. A rental that paid at least the minimum
//! counted value of its asset when it closes (`min_counted_value`, governed per asset,
//! 0 by default) counts in exactly one of `completed`, `ended_early`, `disputed` or
//! `no_shows`, and its renter in `distinct_renters` the first time; one that paid less
//! counts only in `below_minimum`, whatever its outcome, so a provider renting its own
//! offer from another account cannot farm "completed" with tiny rentals, and nobody can
//! farm "no-shows" against a provider with tiny bookings either. A rental the renter
//! withdrew before it started counts nowhere (the provider did nothing wrong, and was
//! paid its minimum charge). `lost` counts the disputed rentals where a ruling withheld
//! more than half of what the stream held, or whose provider refunded them while
//! disputed, so `lost ≤ disputed`; the fallback of a dispute nobody ruled on counts in
//! `disputed` only. `no_shows` counts the rentals nobody started within the offer's
//! start window (`cancel_no_show`) and those whose provider refunded the stream at the
//! vault, started or not, if it was never disputed (both pay the renter the no-show
//! penalty; see [`outcome_of`]). Counters saturate at `u32::MAX` instead of failing, so
//! a busy provider can never be locked out of closing rentals. What providers were paid
//! (the market's `volume`) is kept beside, per asset.

use crate::types::{Outcome, Reputation};
use market_types::{Balance, SettleReason, Settlement, BPS_DENOMINATOR};

impl Reputation {
    /// Counts one closed rental in the counter of its outcome.
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

    /// Counts one closed rental that `paid` (extensions included) against the
    /// minimum counted value `min_value` of its asset: a withdrawn booking nowhere, one
    /// below the minimum in `below_minimum` only, any other in its outcome's counter
    /// and, when `new_renter` (its renter had no counted rental with this provider),
    /// in `distinct_renters`. Returns whether it counted in its outcome's counter.
    pub fn count(
        &mut self,
        outcome: Outcome,
        paid: Balance,
        min_value: Balance,
        new_renter: bool,
    ) -> bool {
        if outcome == Outcome::Withdrawn {
            return false;
        }
        if paid < min_value {
            self.below_minimum = self.below_minimum.saturating_add(1);
            return false;
        }
        self.record(outcome);
        if new_renter {
            self.distinct_renters = self.distinct_renters.saturating_add(1);
        }
        true
    }
}

/// How a rental whose stream the vault settled finished. `started`: whether the
/// rental was started (a stream stopped before its start was withdrawn, not ended
/// early); `disputed`: whether the stream was ever disputed at the vault (read only
/// for a payee's refund).
///
/// - A provider that refunds the stream at the vault backed out of the rental: a
///   no-show, started or not (the vault made it pay the no-show penalty too) — unless
///   the stream was disputed: the refund then gives the renter everything frozen back,
///   what a ruling of 0 % gives, so the provider conceded the dispute: `Lost`.
/// - A dispute counts as `Lost` when the ruling gave the provider less than half of
///   what the stream still held — the same line that decides the vault's bond — and
///   as `Disputed` otherwise. The fallback of an unruled dispute pays what accrued
///   until the freeze (the rental's minimum payout does not apply) and withholds
///   nothing the provider earned: `Disputed`.
pub fn outcome_of(settlement: &Settlement, started: bool, disputed: bool) -> Outcome {
    const HALF: u16 = BPS_DENOMINATOR / 2;
    match settlement.reason {
        SettleReason::RefundedByPayee if disputed => Outcome::Lost,
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
            penalty_paid: 0,
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
                ..Default::default()
            }
        );
    }

    #[test]
    fn rentals_below_the_minimum_count_apart_and_renters_once() {
        let mut r = Reputation::default();
        // Withdrawn counts nowhere, whatever it paid.
        assert!(!r.count(Outcome::Withdrawn, 0, 0, true));
        assert!(!r.count(Outcome::Withdrawn, 1_000, 10, true));
        assert_eq!(r, Reputation::default());
        // At the minimum counts, with its renter once.
        assert!(r.count(Outcome::Completed, 10, 10, true));
        assert!(r.count(Outcome::Completed, 11, 10, false));
        // Below it, only in `below_minimum`, whatever the outcome.
        for o in [Outcome::Completed, Outcome::NoShow, Outcome::Lost] {
            assert!(!r.count(o, 9, 10, true));
        }
        assert_eq!(
            r,
            Reputation {
                completed: 2,
                below_minimum: 3,
                distinct_renters: 1,
                ..Default::default()
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
            outcome_of(&settled(R::NotStarted, 0), false, false),
            Outcome::NoShow
        );
        assert_eq!(
            outcome_of(&settled(R::StoppedByPayer, 0), false, false),
            Outcome::Withdrawn
        );
        assert_eq!(
            outcome_of(&settled(R::StoppedByPayer, 4_000), true, false),
            Outcome::EndedEarly
        );
        assert_eq!(
            outcome_of(&settled(R::StreamCompleted, 10_000), true, false),
            Outcome::Completed
        );
        assert_eq!(
            outcome_of(&settled(R::Resolved, 10_000), true, false),
            Outcome::Disputed
        );
        assert_eq!(
            outcome_of(&settled(R::Resolved, 5_000), true, false),
            Outcome::Disputed
        );
        assert_eq!(
            outcome_of(&settled(R::Resolved, 4_999), true, false),
            Outcome::Lost
        );
        assert_eq!(
            outcome_of(&settled(R::DisputeExpired, 10_000), true, false),
            Outcome::Disputed
        );
        // The fallback pays what accrued until the freeze: nothing earned is withheld.
        assert_eq!(
            outcome_of(&settled(R::DisputeExpired, 0), true, false),
            Outcome::Disputed
        );
        // A provider refunding at the vault backed out, started or not.
        assert_eq!(
            outcome_of(&settled(R::RefundedByPayee, 0), false, false),
            Outcome::NoShow
        );
        assert_eq!(
            outcome_of(&settled(R::RefundedByPayee, 300), true, false),
            Outcome::NoShow
        );
        // Refunding a disputed stream gives the renter everything frozen: conceded.
        assert_eq!(
            outcome_of(&settled(R::RefundedByPayee, 0), true, true),
            Outcome::Lost
        );
        // Only a refund reads `disputed`: a ruling or its fallback says it already.
        assert_eq!(
            outcome_of(&settled(R::DisputeExpired, 0), true, true),
            Outcome::Disputed
        );
    }
}
