//! The contract's private helpers for rentals: planning a booking (every check, and
//! every value it will write, before the vault is called), opening its stream, and the
//! four ways a rental moves on — start, cancel as a no-show, end early, settle — plus
//! extensions. Each checks everything, calls the vault, then writes; the capacity and
//! reputation bookkeeping of an ending is done in one place (`conclude`).

use crate::calls;
use crate::compute_market::ComputeMarket;
use crate::errors::{Error, Result};
use crate::events::{RentalBooked, RentalExtended, RentalSettled, RentalStarted};
use crate::rules::rentals::{self, check_booking};
use crate::rules::reputation::outcome_of;
use crate::types::{Offer, OfferStatus, Outcome, Rental, RentalId, RentalKey, RentalStatus};
use ink::codegen::Env;
use ink::primitives::{AccountId, Hash};
use market_types::storage::Pos;
use market_types::{ensure, Balance, EscrowId, EscrowState, EscrowStatus, StreamTerms};

/// Everything a booking writes once the vault has opened its stream.
pub(crate) struct RentPlan {
    pub rental_id: RentalId,
    /// The new rental; its `escrow_id` is set once the vault opened the stream.
    pub rental: Rental,
    /// The offer holding the rental's GPUs and penalty.
    pub offer: Offer,
    pub duration_ms: u64,
    /// Where the rental goes in each of its lists (`rental_keys` order).
    pub positions: [Pos; 4],
}

impl RentPlan {
    /// The event of the booking.
    pub(crate) fn event(&self) -> RentalBooked {
        let r = &self.rental;
        RentalBooked {
            rental_id: self.rental_id,
            renter: r.renter,
            provider: r.provider,
            offer_id: r.offer_id,
            offer_version: r.offer_version,
            gpus: r.gpus,
            hours: r.hours,
            amount: r.paid,
            asset: r.asset,
            escrow_id: r.escrow_id,
            start_by: r.start_by,
            no_show_penalty: r.no_show_penalty,
            min_payout: r.min_payout,
        }
    }
}

impl ComputeMarket {
    /// Every check of `rent`, in the order its doc lists them, and what it will
    /// write. Reads only.
    pub(crate) fn plan_rent(
        &self,
        renter: AccountId,
        offer_id: u64,
        gpus: u32,
        hours: u32,
        offer_version: u32,
    ) -> Result<RentPlan> {
        self.not_paused()?;
        let now = self.env().block_timestamp();
        let mut offer = self.offers.get(offer_id).ok_or(Error::OfferNotFound)?;
        ensure!(offer.status == OfferStatus::Active, Error::OfferNotActive);
        ensure!(now < offer.expires_at, Error::OfferExpired);
        ensure!(offer.version == offer_version, Error::OfferChanged);
        ensure!(renter != offer.provider, Error::CannotRentOwnOffer);
        check_booking(&offer, gpus, hours)?;
        let amount = rentals::cost(offer.price_per_gpu_hour, gpus, hours)?;
        let no_show_penalty = rentals::penalty(amount, self.no_show_bps)?;
        let min_payout =
            rentals::min_payout(offer.price_per_gpu_hour, gpus, hours, self.min_charge_hours)?;
        rentals::take(&mut offer, gpus, no_show_penalty)?;
        self.check_payment(offer.asset, amount)?;
        let duration_ms = rentals::duration_ms(hours, self.hour_ms)?;
        let start_by = now
            .checked_add(offer.start_window_ms)
            .ok_or(Error::Overflow)?;
        let rental_id = self.rental_count.checked_add(1).ok_or(Error::Overflow)?;
        let mut positions: [Pos; 4] = [0; 4];
        for (pos, key) in
            positions
                .iter_mut()
                .zip(Self::rental_keys(renter, offer.provider, offer_id))
        {
            *pos = self.rental_index.next_pos(key).ok_or(Error::Overflow)?;
        }
        let rental = Rental {
            offer_id,
            offer_version,
            provider: offer.provider,
            renter,
            vault: offer.vault,
            escrow_id: 0,
            gpus,
            hours,
            max_hours: offer.max_hours,
            price_per_gpu_hour: offer.price_per_gpu_hour,
            asset: offer.asset,
            paid: amount,
            no_show_penalty,
            min_payout,
            booked_at: now,
            start_by,
            started_at: None,
            access_hash: None,
            status: RentalStatus::Booked,
            outcome: None,
        };
        Ok(RentPlan {
            rental_id,
            rental,
            offer,
            duration_ms,
            positions,
        })
    }

    /// Moves the renter's payment into a waiting stream the market opens for the
    /// renter in the offer's vault, backed by the offer's collateral, and returns its
    /// id. The message's last reads; everything is written after.
    pub(crate) fn open_stream_for(&self, plan: &RentPlan) -> Result<EscrowId> {
        let r = &plan.rental;
        let value = self.env().transferred_value();
        self.pull_payment(r.asset, r.renter, r.vault, r.paid)?;
        let terms = StreamTerms {
            payee: r.provider,
            asset: r.asset,
            amount: r.paid,
            duration_ms: plan.duration_ms,
            start: None,
            start_by: r.start_by,
            context: plan.rental_id,
            collateral: Some(plan.offer.collateral_id),
            no_show_penalty: r.no_show_penalty,
            min_payout: r.min_payout,
        };
        calls::open_stream(r.vault, r.renter, terms, value)
    }

    /// Writes a planned booking whose stream is open.
    pub(crate) fn apply_rent(&mut self, plan: &RentPlan) {
        let r = &plan.rental;
        self.rental_count = plan.rental_id;
        self.rentals.insert(plan.rental_id, r);
        self.offers.insert(r.offer_id, &plan.offer);
        // A new id is in none of the four lists, and they are four (a provider never
        // rents its own offer). Nothing leaves the two histories: they store no
        // positions.
        let [renter, provider, open, provider_open] =
            Self::rental_keys(r.renter, r.provider, r.offer_id);
        let [at_renter, at_provider, at_open, at_provider_open] = plan.positions;
        let id = plan.rental_id;
        self.rental_index.append(renter, at_renter, id);
        self.rental_index.append(provider, at_provider, id);
        self.rental_index.push_new(open, at_open, id);
        self.rental_index
            .push_new(provider_open, at_provider_open, id);
    }

    /// The lists a new rental joins: its renter's and its provider's histories, and
    /// the open lists of its offer and of its provider.
    fn rental_keys(renter: AccountId, provider: AccountId, offer_id: u64) -> [RentalKey; 4] {
        [
            RentalKey::Renter(renter),
            RentalKey::Provider(provider),
            RentalKey::Open(offer_id),
            RentalKey::ProviderOpen(provider),
        ]
    }

    /// `start`: the provider starts a booked rental within its window.
    pub(crate) fn start_rental(
        &mut self,
        rental_id: RentalId,
        access_hash: Hash,
    ) -> Result<RentalStarted> {
        let (mut rental, _offer) = self.rental_and_offer(rental_id)?;
        ensure!(self.env().caller() == rental.provider, Error::NotProvider);
        ensure!(
            rental.status == RentalStatus::Booked,
            Error::RentalNotBooked
        );
        let now = self.env().block_timestamp();
        ensure!(now <= rental.start_by, Error::StartWindowPassed);
        let ends_at = rentals::end_of(now, rental.hours, self.hour_ms)?;
        calls::start_stream(rental.vault, rental.escrow_id)?;
        // The penalty stays reserved while the rental is open: a provider that refunds
        // a started stream at the vault pays it too.
        rental.status = RentalStatus::Running;
        rental.started_at = Some(now);
        rental.access_hash = Some(access_hash);
        self.rentals.insert(rental_id, &rental);
        Ok(RentalStarted {
            rental_id,
            renter: rental.renter,
            provider: rental.provider,
            access_hash,
            started_at: now,
            ends_at,
        })
    }

    /// `cancel_no_show`: a booked rental past its start window is cancelled at the
    /// vault (or found cancelled there already) and closed.
    pub(crate) fn cancel_rental(&mut self, rental_id: RentalId) -> Result<RentalSettled> {
        let (rental, offer) = self.rental_and_offer(rental_id)?;
        ensure!(
            rental.status == RentalStatus::Booked,
            Error::RentalNotBooked
        );
        ensure!(
            self.env().block_timestamp() > rental.start_by,
            Error::StartWindowOpen
        );
        // Cancel first: the stream is almost always still waiting, and a vault refusal
        // changes nothing there. Only when it refuses is the stream's status read: one
        // the vault settled already (the vault never cancels a settled stream) closes
        // with how it ended; otherwise the refusal stands.
        let refused = match calls::cancel_unstarted(rental.vault, rental.escrow_id) {
            Ok(penalty) => {
                return Ok(self.conclude(rental_id, rental, offer, Some(Outcome::NoShow), penalty))
            }
            Err(e) => e,
        };
        let status = calls::escrow_status(rental.vault, rental.escrow_id);
        match self.settled_outcome(&rental, status) {
            Some((outcome, penalty)) => {
                Ok(self.conclude(rental_id, rental, offer, Some(outcome), penalty))
            }
            None => Err(refused),
        }
    }

    /// `end_early`: the renter stops a booked (within its window) or running (before
    /// its end) rental at the vault, and it closes; the vault pays the provider what
    /// accrued, at least the rental's `min_payout`.
    pub(crate) fn stop_rental(&mut self, rental_id: RentalId) -> Result<RentalSettled> {
        let (rental, offer) = self.rental_and_offer(rental_id)?;
        ensure!(self.env().caller() == rental.renter, Error::NotRenter);
        self.check_still_running(&rental)?;
        calls::stop_stream(rental.vault, rental.escrow_id)?;
        let outcome = match rental.status {
            RentalStatus::Running => Outcome::EndedEarly,
            _ => Outcome::Withdrawn,
        };
        Ok(self.conclude(rental_id, rental, offer, Some(outcome), 0))
    }

    /// `extend`: the renter pays for `extra_hours` more of a booked or running rental,
    /// up to its `max_hours`.
    pub(crate) fn extend_rental(
        &mut self,
        rental_id: RentalId,
        extra_hours: u32,
    ) -> Result<RentalExtended> {
        let mut rental = self.rentals.get(rental_id).ok_or(Error::RentalNotFound)?;
        ensure!(self.env().caller() == rental.renter, Error::NotRenter);
        self.check_still_running(&rental)?;
        let hours = rentals::extended_hours(rental.hours, extra_hours, rental.max_hours)?;
        let added = rentals::cost(rental.price_per_gpu_hour, rental.gpus, extra_hours)?;
        let paid = rental.paid.checked_add(added).ok_or(Error::Overflow)?;
        let extra_ms = rentals::duration_ms(extra_hours, self.hour_ms)?;
        self.check_payment(rental.asset, added)?;
        let value = self.env().transferred_value();
        self.pull_payment(rental.asset, rental.renter, rental.vault, added)?;
        calls::top_up(rental.vault, rental.escrow_id, extra_ms, value)?;
        rental.hours = hours;
        rental.paid = paid;
        self.rentals.insert(rental_id, &rental);
        Ok(RentalExtended {
            rental_id,
            renter: rental.renter,
            provider: rental.provider,
            extra_hours,
            hours,
            added,
        })
    }

    /// `settle`: a rental whose stream the vault settled closes with its outcome; one
    /// whose stream a dispute froze, or a running one whose time is over, gives its
    /// GPUs back and waits for the vault.
    pub(crate) fn settle_rental(&mut self, rental_id: RentalId) -> Result<RentalSettled> {
        let (rental, offer) = self.rental_and_offer(rental_id)?;
        ensure!(rental.status != RentalStatus::Closed, Error::RentalClosed);
        let status = calls::escrow_status(rental.vault, rental.escrow_id);
        if let Some((outcome, penalty)) = self.settled_outcome(&rental, status) {
            return Ok(self.conclude(rental_id, rental, offer, Some(outcome), penalty));
        }
        // A frozen stream pays nothing more until it is ruled: holding the GPUs until
        // the lease's nominal end would let a renter who disputes at once keep them.
        let frozen = status.is_some_and(|s| s.state == EscrowState::Disputed);
        match (rental.status, rental.started_at) {
            (RentalStatus::Booked | RentalStatus::Running, _) if frozen => {
                Ok(self.conclude(rental_id, rental, offer, None, 0))
            }
            (RentalStatus::Running, Some(started)) => {
                let end = rentals::end_of(started, rental.hours, self.hour_ms)?;
                ensure!(self.env().block_timestamp() >= end, Error::RentalNotOver);
                Ok(self.conclude(rental_id, rental, offer, None, 0))
            }
            (RentalStatus::Ended, _) => Err(Error::OutcomePending),
            _ => Err(Error::RentalNotStarted),
        }
    }

    /// The rental (if it exists) and its offer (which always exists).
    fn rental_and_offer(&self, rental_id: RentalId) -> Result<(Rental, Offer)> {
        let rental = self.rentals.get(rental_id).ok_or(Error::RentalNotFound)?;
        let offer = self
            .offers
            .get(rental.offer_id)
            .ok_or(Error::OfferNotFound)?;
        Ok((rental, offer))
    }

    /// A booked rental still within its start window, or a running one before its end.
    fn check_still_running(&self, rental: &Rental) -> Result<()> {
        let now = self.env().block_timestamp();
        match (rental.status, rental.started_at) {
            (RentalStatus::Booked, _) => {
                ensure!(now <= rental.start_by, Error::StartWindowPassed);
            }
            (RentalStatus::Running, Some(started)) => {
                let end = rentals::end_of(started, rental.hours, self.hour_ms)?;
                ensure!(now < end, Error::RentalOver);
            }
            _ => return Err(Error::RentalNotActive),
        }
        Ok(())
    }

    /// How the rental finished, if the vault has settled its stream (`status`, as
    /// read there), and the no-show penalty the vault paid the renter out of the
    /// collateral (`Settlement::penalty_paid`: a cancellation of a stream nobody
    /// started, or a payee's refund; less than the stream's penalty after a slash or
    /// when open disputes held part of the lock). Only a payee's refund needs one more
    /// read: was the stream disputed when refunded.
    fn settled_outcome(
        &self,
        rental: &Rental,
        status: Option<EscrowStatus>,
    ) -> Option<(Outcome, Balance)> {
        let status = status?;
        if status.state != EscrowState::Settled {
            return None;
        }
        let settlement = status.settlement?;
        let disputed = settlement.reason == market_types::SettleReason::RefundedByPayee
            && calls::was_disputed(rental.vault, rental.escrow_id);
        let outcome = outcome_of(&settlement, rental.started_at.is_some(), disputed);
        Some((outcome, settlement.penalty_paid))
    }

    /// Writes how a rental ended: its GPUs back if it held them (only a booked or
    /// running rental holds them, and it leaves those states here, so once), and, with
    /// an `outcome`, its penalty reservation dropped (once: only here), the
    /// rental closed, out of its offer's and its provider's open lists, and counted in
    /// the provider's reputation and volume; without one, `Ended` until the vault
    /// settles it. Returns the event.
    fn conclude(
        &mut self,
        rental_id: RentalId,
        mut rental: Rental,
        mut offer: Offer,
        outcome: Option<Outcome>,
        penalty: Balance,
    ) -> RentalSettled {
        let held = matches!(rental.status, RentalStatus::Booked | RentalStatus::Running);
        // The penalty reservation ends when the rental closes (an `Ended` rental keeps
        // it until the vault settles its stream: a refund could still pay it).
        if outcome.is_some() {
            rentals::unreserve(&mut offer, rental.no_show_penalty);
        }
        let gpus_returned = if held {
            rentals::give_back(&mut offer, rental.gpus);
            rental.gpus
        } else {
            0
        };
        let mut counted = false;
        match outcome {
            Some(o) => {
                rentals::close(&mut offer, penalty);
                rental.status = RentalStatus::Closed;
                rental.outcome = Some(o);
                self.rental_index
                    .remove(RentalKey::Open(rental.offer_id), rental_id);
                self.rental_index
                    .remove(RentalKey::ProviderOpen(rental.provider), rental_id);
                counted = self.count_closed(&rental, o);
            }
            None => rental.status = RentalStatus::Ended,
        }
        self.rentals.insert(rental_id, &rental);
        self.offers.insert(rental.offer_id, &offer);
        RentalSettled {
            rental_id,
            renter: rental.renter,
            provider: rental.provider,
            gpus_returned,
            outcome,
            penalty,
            counted,
        }
    }

    /// Counts a closed rental in its provider's reputation (see [`crate::rules::reputation`]):
    /// against the minimum counted value of its asset in force now, its renter once
    /// among the distinct renters; a completed rental's payment in the provider's
    /// volume (saturating: closing must never fail). Returns whether it counted.
    fn count_closed(&mut self, rental: &Rental, outcome: Outcome) -> bool {
        // A withdrawn booking counts nowhere: nothing to read, nothing to write.
        if outcome == Outcome::Withdrawn {
            return false;
        }
        let pair = (rental.provider, rental.renter);
        let min_value = self.min_counted.get(rental.asset).unwrap_or(0);
        // Only a rental that counts (at least the minimum) can count a new renter.
        let new_renter = rental.paid >= min_value && !self.renters_seen.contains(pair);
        let mut rep = self.reputations.get(rental.provider).unwrap_or_default();
        let counted = rep.count(outcome, rental.paid, min_value, new_renter);
        self.reputations.insert(rental.provider, &rep);
        if counted && new_renter {
            self.renters_seen.insert(pair, &());
        }
        if outcome == Outcome::Completed {
            let key = (rental.provider, rental.asset);
            let volume = self.volumes.get(key).unwrap_or(0);
            self.volumes
                .insert(key, &volume.saturating_add(rental.paid));
        }
        counted
    }
}
