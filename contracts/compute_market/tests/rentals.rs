//! Rentals: booking, starting, no-shows, ending early, extending, settling, and the
//! capacity, collateral and reputation bookkeeping of every path.

use super::*;
use crate::errors::Error;
use crate::events::*;
use crate::types::Reputation;
use market_types::{EscrowState, SettleReason, TokenError, VaultError};

/// GPUs held by the offer's booked and running rentals, counted from the rentals.
fn held_by_rentals(c: &ComputeMarket, offer_id: OfferId) -> u32 {
    (1..=c.rental_count())
        .filter_map(|id| c.rental(id))
        .filter(|r| {
            r.offer_id == offer_id
                && matches!(r.status, RentalStatus::Booked | RentalStatus::Running)
        })
        .map(|r| r.gpus)
        .sum()
}

/// The capacity invariant: `in_use` is exactly what booked and running rentals hold.
fn assert_capacity(c: &ComputeMarket, offer_id: OfferId) {
    let o = offer(c, offer_id);
    assert_eq!(o.in_use, held_by_rentals(c, offer_id), "in_use drifted");
    assert!(o.in_use <= o.capacity);
}

#[ink::test]
fn rent_opens_a_waiting_stream_backed_by_the_collateral() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 3, 2).unwrap();
    assert_eq!(r, 1);
    let e = vault::escrow_of(vault(), 1);
    let s = e.stream();
    assert_eq!(
        (e.record.opener, e.record.payer, e.record.payee),
        (market_id(), renter(), provider())
    );
    // 10 × 3 GPUs × 2 hours; 25 % of it if the provider never starts.
    assert_eq!((s.deposit, e.sent, s.no_show_penalty), (60, 60, 15));
    assert_eq!((s.duration_ms, s.start), (2 * HOUR, None));
    assert_eq!(s.start_by, T0 + WINDOW);
    assert_eq!((e.record.collateral, e.record.context), (Some(1), r));
    assert_eq!(e.record.state, EscrowState::Waiting);
    let got = rental(&c, r);
    assert_eq!(
        (got.status, got.escrow_id, got.paid),
        (RentalStatus::Booked, 1, 60)
    );
    assert_eq!(
        (got.gpus, got.hours, got.max_hours, got.offer_version),
        (3, 2, 8, 1)
    );
    let o = offer(&c, id);
    assert_eq!((o.in_use, o.open_rentals, o.penalties_reserved), (3, 1, 15));
    assert_eq!(c.offer(id).unwrap().free_gpus, 1);
    let e: RentalBooked = last_event();
    assert_eq!(
        (e.rental_id, e.renter, e.provider, e.escrow_id),
        (r, renter(), provider(), 1)
    );
    assert_eq!(
        (e.amount, e.start_by, e.no_show_penalty),
        (60, T0 + WINDOW, 15)
    );
    assert_capacity(&c, id);
}

#[ink::test]
fn rent_refusals_happen_before_the_vault_and_change_nothing() {
    let (mut c, id) = shop();
    let calls = vault_calls();
    set_value(10);
    assert_refused!(c, Error::OfferNotFound, c.rent(99, 1, 1, 1));
    assert_refused!(c, Error::OfferChanged, c.rent(id, 1, 1, 2));
    assert_refused!(c, Error::ZeroGpus, c.rent(id, 0, 1, 1));
    assert_refused!(c, Error::HoursOutOfRange, c.rent(id, 1, 0, 1));
    assert_refused!(c, Error::HoursOutOfRange, c.rent(id, 1, 9, 1));
    assert_refused!(c, Error::CapacityExceeded, c.rent(id, 5, 1, 1));
    set_value(9);
    assert_refused!(c, Error::WrongPayment, c.rent(id, 1, 1, 1));
    set_value(11);
    assert_refused!(c, Error::WrongPayment, c.rent(id, 1, 1, 1));
    set_caller(provider());
    set_value(10);
    assert_refused!(c, Error::CannotRentOwnOffer, c.rent(id, 1, 1, 1));
    set_value(0);
    assert_eq!(vault_calls(), calls, "no vault was called");
    // The vault's own refusal comes back whole.
    set_caller(renter());
    vault::refuse_next(vault(), VaultError::BelowMinDeposit);
    set_value(10);
    assert_refused!(
        c,
        Error::Vault(VaultError::BelowMinDeposit),
        c.rent(id, 1, 1, 1)
    );
    set_value(0);
}

#[ink::test]
fn a_changed_offer_is_refused_and_booked_rentals_keep_their_terms() {
    let (mut c, id) = shop();
    let before = rent(&mut c, id, 1, 4).unwrap();
    set_caller(provider());
    c.update_offer(id, 20, 1, 4).unwrap();
    set_caller(renter());
    // The renter saw version 1 at price 10: refused, never charged 20.
    set_value(10);
    assert_refused!(c, Error::OfferChanged, c.rent(id, 1, 1, 1));
    set_value(20);
    let after = c.rent(id, 1, 1, 2).unwrap();
    set_value(0);
    assert_eq!(rental(&c, after).price_per_gpu_hour, 20);
    // The earlier rental extends at its own price and hours.
    let r = rental(&c, before);
    assert_eq!((r.price_per_gpu_hour, r.max_hours), (10, 8));
    set_value(30);
    c.extend(before, 3).unwrap();
    set_value(0);
    assert_eq!(rental(&c, before).hours, 7);
}

#[ink::test]
fn capacity_is_never_exceeded_and_comes_back() {
    let (mut c, id) = shop();
    let a = rent(&mut c, id, 3, 1).unwrap();
    let b = rent(&mut c, id, 1, 1).unwrap();
    assert_eq!(offer(&c, id).in_use, 4);
    set_value(10);
    assert_refused!(c, Error::CapacityExceeded, c.rent(id, 1, 1, 1));
    set_value(0);
    assert_capacity(&c, id);
    c.end_early(a).unwrap();
    assert_eq!(offer(&c, id).in_use, 1);
    let d = rent(&mut c, id, 3, 1).unwrap();
    start(&mut c, b);
    start(&mut c, d);
    assert_eq!(offer(&c, id).in_use, 4);
    assert_capacity(&c, id);
}

#[ink::test]
fn rent_in_tokens_moves_the_renters_tokens_into_the_stream_through_the_market() {
    let mut c = setup();
    let mut d = draft();
    d.asset = Asset::Psp22(token());
    let id = publish(&mut c, &d);
    set_caller(renter());
    psp22::mint(token(), renter(), 20);
    assert_refused!(
        c,
        Error::Token(TokenError::InsufficientAllowance),
        c.rent(id, 1, 2, 1)
    );
    psp22::set_allowance(token(), renter(), market_id(), 20);
    set_value(20);
    assert_refused!(c, Error::WrongPayment, c.rent(id, 1, 2, 1));
    set_value(0);
    let r = c.rent(id, 1, 2, 1).unwrap();
    assert_eq!(psp22::balance(token(), renter()), 0);
    assert_eq!(psp22::balance(token(), vault()), 320 + 20);
    assert_eq!(psp22::balance(token(), market_id()), 0);
    assert_eq!(vault::escrow_of(vault(), 1).sent, 0);
    // Extending in tokens: approve the market again.
    start(&mut c, r);
    assert_refused!(
        c,
        Error::Token(TokenError::InsufficientAllowance),
        c.extend(r, 1)
    );
    psp22::mint(token(), renter(), 10);
    psp22::set_allowance(token(), renter(), market_id(), 10);
    c.extend(r, 1).unwrap();
    assert_eq!(psp22::balance(token(), vault()), 320 + 30);
    assert_eq!(vault::escrow_of(vault(), 1).stream().deposit, 30);
}

#[ink::test]
fn the_provider_starts_within_the_window() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 2, 3).unwrap();
    assert_refused!(c, Error::NotProvider, c.start(r, hash(9)));
    set_caller(provider());
    assert_refused!(c, Error::RentalNotFound, c.start(99, hash(9)));
    set_now(T0 + WINDOW);
    c.start(r, hash(9)).unwrap();
    let e: RentalStarted = last_event();
    assert_eq!((e.rental_id, e.access_hash), (r, hash(9)));
    assert_eq!(
        (e.started_at, e.ends_at),
        (T0 + WINDOW, T0 + WINDOW + 3 * HOUR)
    );
    let got = rental(&c, r);
    assert_eq!(
        (got.status, got.started_at, got.access_hash),
        (RentalStatus::Running, Some(T0 + WINDOW), Some(hash(9)))
    );
    assert_eq!(
        vault::escrow_of(vault(), 1).record.state,
        EscrowState::Streaming
    );
    assert_eq!(
        offer(&c, id).penalties_reserved,
        rental(&c, r).no_show_penalty,
        "the penalty stays reserved while the rental is open: a refund could still pay it"
    );
    assert_refused!(c, Error::RentalNotBooked, c.start(r, hash(9)));
    set_caller(renter());
    let late = rent(&mut c, id, 1, 1).unwrap();
    set_caller(provider());
    set_now(T0 + 2 * WINDOW + 1);
    assert_refused!(c, Error::StartWindowPassed, c.start(late, hash(9)));
    assert_capacity(&c, id);
}

#[ink::test]
fn a_no_show_refunds_the_renter_with_the_penalty_and_counts_against_the_provider() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 2, 4).unwrap();
    set_caller(accounts().django);
    assert_refused!(c, Error::StartWindowOpen, c.cancel_no_show(r));
    set_now(T0 + WINDOW);
    assert_refused!(c, Error::StartWindowOpen, c.cancel_no_show(r));
    set_now(T0 + WINDOW + 1);
    // Anyone may cancel it, as at the vault.
    c.cancel_no_show(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(
        (e.rental_id, e.gpus_returned, e.outcome, e.penalty),
        (r, 2, Some(Outcome::NoShow), 20)
    );
    // 80 back and 25 % of it out of the collateral.
    assert_eq!(vault::credit(vault(), Asset::Native, renter()), 80 + 20);
    assert_eq!(vault::lock(vault(), 1).amount, 300);
    let o = offer(&c, id);
    assert_eq!(
        (o.in_use, o.open_rentals, o.collateral, o.penalties_reserved),
        (0, 0, 300, 0)
    );
    let got = rental(&c, r);
    assert_eq!(
        (got.status, got.outcome),
        (RentalStatus::Closed, Some(Outcome::NoShow))
    );
    assert_eq!(c.reputation(provider()).no_shows, 1);
    assert_refused!(c, Error::RentalNotBooked, c.cancel_no_show(r));
    assert_refused!(c, Error::RentalClosed, c.settle(r));
    assert_refused!(c, Error::RentalNotFound, c.cancel_no_show(99));
    assert_capacity(&c, id);
}

#[ink::test]
fn a_no_show_cancelled_directly_at_the_vault_is_recorded_once() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 1, 1).unwrap();
    let other = rent(&mut c, id, 1, 1).unwrap();
    set_now(T0 + WINDOW + 1);
    assert_eq!(answered(vault::cancel_unstarted(vault(), 1)), 2);
    assert_eq!(answered(vault::cancel_unstarted(vault(), 2)), 2);
    c.cancel_no_show(r).unwrap();
    c.settle(other).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(
        (e.outcome, e.penalty, e.gpus_returned),
        (Some(Outcome::NoShow), 2, 1)
    );
    let o = offer(&c, id);
    assert_eq!((o.in_use, o.open_rentals, o.collateral), (0, 0, 316));
    assert_eq!(c.reputation(provider()).no_shows, 2);
    assert_refused!(c, Error::RentalNotBooked, c.cancel_no_show(r));
    assert_refused!(c, Error::RentalClosed, c.settle(other));
}

/// A provider that gives a booking back at the vault (its `refund`) backed out: the
/// vault pays the renter the penalty, and the market records a no-show with exactly
/// that penalty, so its view of the collateral stays the lock's.
#[ink::test]
fn a_provider_refund_at_the_vault_counts_as_a_no_show() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 1, 1).unwrap();
    let penalty = rental(&c, r).no_show_penalty;
    assert!(penalty > 0);
    // The attack runs: the provider refunds at the vault, then anyone settles.
    assert_eq!(vault::payee_refund(vault(), 1), penalty);
    set_caller(accounts().django);
    c.settle(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!((e.outcome, e.penalty), (Some(Outcome::NoShow), penalty));
    let o = offer(&c, id);
    assert_eq!(o.collateral, vault::lock(vault(), 1).amount);
    assert_eq!(o.penalties_reserved, 0);
    let rep = c.reputation(provider());
    assert_eq!((rep.completed, rep.no_shows), (0, 1));
}

/// Starting at the last moment and refunding at once is backing out too.
#[ink::test]
fn a_provider_that_starts_then_refunds_still_pays_the_penalty() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 2, 3).unwrap();
    let penalty = rental(&c, r).no_show_penalty;
    set_caller(provider());
    set_now(T0 + WINDOW);
    c.start(r, hash(9)).unwrap();
    assert_eq!(offer(&c, id).penalties_reserved, penalty);
    assert_eq!(vault::payee_refund(vault(), 1), penalty);
    set_caller(accounts().django);
    c.settle(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(
        (e.outcome, e.penalty, e.gpus_returned),
        (Some(Outcome::NoShow), penalty, 2)
    );
    let o = offer(&c, id);
    assert_eq!(
        (o.collateral, o.penalties_reserved, o.in_use),
        (vault::lock(vault(), 1).amount, 0, 0)
    );
    assert_eq!(c.reputation(provider()).no_shows, 1);
    assert_capacity(&c, id);
}

#[ink::test]
fn a_slash_the_market_did_not_see_caps_the_penalty_at_what_the_lock_holds() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 4, 8).unwrap();
    assert_eq!(rental(&c, r).no_show_penalty, 80);
    answered(vault::slash_collateral(
        vault(),
        1,
        vec![(accounts().django, 300)],
    ));
    set_now(T0 + WINDOW + 1);
    c.cancel_no_show(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(e.penalty, 20, "what the vault paid");
    assert_eq!(vault::credit(vault(), Asset::Native, renter()), 320 + 20);
    let o = offer(&c, id);
    assert_eq!((o.collateral, o.penalties_reserved, o.in_use), (300, 0, 0));
    assert_eq!(vault::lock(vault(), 1).amount, 0);
}

#[ink::test]
fn penalties_stay_covered_when_the_collateral_shrinks() {
    let mut c = setup();
    set_caller(accounts().alice);
    c.set_ratios(10_000, 10_000).unwrap();
    set_caller(provider());
    let mut d = draft();
    d.capacity = 1;
    d.max_hours = 1;
    let id = publish(&mut c, &d);
    assert_eq!(offer(&c, id).collateral, 10);
    set_caller(renter());
    let r = rent(&mut c, id, 1, 1).unwrap();
    set_now(T0 + WINDOW + 1);
    c.cancel_no_show(r).unwrap();
    assert_eq!(vault::credit(vault(), Asset::Native, renter()), 20);
    // The whole collateral went to the renter: nothing backs a new booking.
    assert_eq!(offer(&c, id).collateral, 0);
    set_value(10);
    assert_refused!(c, Error::CollateralShort, c.rent(id, 1, 1, 1));
    set_value(0);
    set_caller(provider());
    assert_refused!(c, Error::CollateralShort, c.update_offer(id, 10, 1, 1));
    c.retire_offer(id).unwrap();
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 0);
}

#[ink::test]
fn ending_early_pays_what_accrued_and_refunds_the_rest() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 2, 4).unwrap();
    start(&mut c, r);
    set_now(T0 + HOUR + HOUR / 2);
    set_caller(provider());
    assert_refused!(c, Error::NotRenter, c.end_early(r));
    set_caller(renter());
    c.end_early(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!((e.gpus_returned, e.outcome), (2, Some(Outcome::EndedEarly)));
    // 80 over 4 hours, 1.5 hours in.
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 30);
    assert_eq!(vault::credit(vault(), Asset::Native, renter()), 50);
    assert_eq!(c.reputation(provider()).ended_early, 1);
    assert_eq!(rental(&c, r).status, RentalStatus::Closed);
    assert_refused!(c, Error::RentalNotActive, c.end_early(r));
    assert_refused!(c, Error::RentalNotActive, c.extend(r, 1));
    assert_eq!(offer(&c, id).in_use, 0);
    assert_capacity(&c, id);
}

#[ink::test]
fn a_booking_withdrawn_before_its_start_counts_nowhere() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 1, 2).unwrap();
    c.end_early(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!((e.outcome, e.counted), (Some(Outcome::Withdrawn), false));
    // Back but for its minimum charge: the first hour pays the provider.
    assert_eq!(vault::credit(vault(), Asset::Native, renter()), 10);
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 10);
    assert_eq!(c.reputation(provider()), Reputation::default());
    let o = offer(&c, id);
    assert_eq!((o.in_use, o.open_rentals, o.penalties_reserved), (0, 0, 0));
    // A booking past its start window is a no-show, not a withdrawal.
    let late = rent(&mut c, id, 1, 2).unwrap();
    set_now(T0 + WINDOW + 1);
    assert_refused!(c, Error::StartWindowPassed, c.end_early(late));
    assert_refused!(c, Error::StartWindowPassed, c.extend(late, 1));
}

#[ink::test]
fn nothing_can_end_a_rental_after_its_time() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 1, 2).unwrap();
    start(&mut c, r);
    set_now(T0 + 2 * HOUR);
    assert_refused!(c, Error::RentalOver, c.end_early(r));
    set_value(10);
    assert_refused!(c, Error::RentalOver, c.extend(r, 1));
    set_value(0);
}

#[ink::test]
fn extensions_pay_exactly_and_stop_at_max_hours() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 2, 3).unwrap();
    start(&mut c, r);
    set_value(40);
    assert_refused!(c, Error::HoursOutOfRange, c.extend(r, 6));
    assert_refused!(c, Error::ZeroHours, c.extend(r, 0));
    set_value(39);
    assert_refused!(c, Error::WrongPayment, c.extend(r, 2));
    set_caller(accounts().django);
    set_value(40);
    assert_refused!(c, Error::NotRenter, c.extend(r, 2));
    set_caller(renter());
    c.extend(r, 2).unwrap();
    let e: RentalExtended = last_event();
    assert_eq!((e.extra_hours, e.hours, e.added), (2, 5, 40));
    let s = vault::escrow_of(vault(), 1).stream();
    assert_eq!((s.deposit, s.duration_ms), (100, 5 * HOUR));
    set_value(60);
    c.extend(r, 3).unwrap();
    set_value(10);
    assert_refused!(c, Error::HoursOutOfRange, c.extend(r, 1));
    set_value(0);
    let got = rental(&c, r);
    assert_eq!((got.hours, got.paid), (8, 160));
    // The end moved with the extension.
    set_now(T0 + 7 * HOUR);
    assert_refused!(c, Error::RentalNotOver, c.settle(r));
    set_now(T0 + 8 * HOUR);
    c.settle(r).unwrap();
    assert_eq!(offer(&c, id).in_use, 0);
}

#[ink::test]
fn a_completed_rental_returns_capacity_once_and_counts_when_paid() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 2, 2).unwrap();
    set_caller(accounts().django);
    assert_refused!(c, Error::RentalNotStarted, c.settle(r));
    start(&mut c, r);
    set_now(T0 + 2 * HOUR - 1);
    assert_refused!(c, Error::RentalNotOver, c.settle(r));
    set_now(T0 + 2 * HOUR);
    c.settle(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!((e.gpus_returned, e.outcome), (2, None));
    assert_eq!(rental(&c, r).status, RentalStatus::Ended);
    assert_eq!(offer(&c, id).in_use, 0);
    assert_eq!(offer(&c, id).open_rentals, 1);
    assert_refused!(c, Error::OutcomePending, c.settle(r));
    vault::claim(vault(), 1);
    c.settle(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!((e.gpus_returned, e.outcome), (0, Some(Outcome::Completed)));
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 40);
    let o = offer(&c, id);
    assert_eq!((o.in_use, o.open_rentals), (0, 0));
    assert_eq!(c.reputation(provider()).completed, 1);
    assert_refused!(c, Error::RentalClosed, c.settle(r));
    assert_refused!(c, Error::RentalNotFound, c.settle(99));
}

#[ink::test]
fn a_stream_the_vault_completed_closes_in_one_settle() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 4, 1).unwrap();
    start(&mut c, r);
    set_now(T0 + HOUR);
    vault::claim(vault(), 1);
    c.settle(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!((e.gpus_returned, e.outcome), (4, Some(Outcome::Completed)));
    assert_capacity(&c, id);
    assert_eq!(offer(&c, id).in_use, 0);
}

#[ink::test]
fn disputes_count_and_a_ruling_against_the_provider_counts_as_lost() {
    let (mut c, id) = shop();
    let won = rent(&mut c, id, 1, 2).unwrap();
    let lost = rent(&mut c, id, 1, 2).unwrap();
    let late = rent(&mut c, id, 1, 2).unwrap();
    for r in [won, lost, late] {
        start(&mut c, r);
    }
    set_now(T0 + HOUR);
    for escrow in [1, 2, 3] {
        vault::dispute(vault(), escrow);
    }
    // Lost means the ruling gave the provider less than half of what the stream still
    // held (the line that decides the vault's bond); 60 % is a dispute it did not lose.
    answered(vault::resolve(vault(), 1, 6_000));
    answered(vault::resolve(vault(), 2, 4_999));
    // A ruling ends the rental at once, before its nominal end.
    c.settle(won).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!((e.gpus_returned, e.outcome), (1, Some(Outcome::Disputed)));
    c.settle(lost).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(e.outcome, Some(Outcome::Lost));
    // Still disputed after its end: the GPUs come back, the outcome waits.
    set_now(T0 + 2 * HOUR);
    c.settle(late).unwrap();
    assert_eq!(rental(&c, late).status, RentalStatus::Ended);
    assert_refused!(c, Error::OutcomePending, c.settle(late));
    answered(vault::resolve(vault(), 3, 0));
    c.settle(late).unwrap();
    assert_eq!(rental(&c, late).outcome, Some(Outcome::Lost));
    assert_eq!(
        c.reputation(provider()),
        Reputation {
            disputed: 3,
            lost: 2,
            distinct_renters: 1,
            ..Default::default()
        }
    );
    let o = offer(&c, id);
    assert_eq!((o.in_use, o.open_rentals), (0, 0));
    assert_eq!(
        vault::escrow_of(vault(), 2)
            .record
            .settlement
            .unwrap()
            .reason,
        SettleReason::Resolved
    );
}

#[ink::test]
fn every_path_returns_capacity_exactly_once() {
    let (mut c, id) = shop();
    // One rental per path, all at once: 4 GPUs in use.
    let no_show = rent(&mut c, id, 1, 1).unwrap();
    let early = rent(&mut c, id, 1, 1).unwrap();
    let done = rent(&mut c, id, 1, 1).unwrap();
    let disputed = rent(&mut c, id, 1, 1).unwrap();
    for r in [early, done, disputed] {
        start(&mut c, r);
    }
    assert_eq!(offer(&c, id).in_use, 4);
    set_now(T0 + WINDOW + 1);
    c.cancel_no_show(no_show).unwrap();
    c.end_early(early).unwrap();
    vault::dispute(vault(), 4);
    assert_capacity(&c, id);
    set_now(T0 + HOUR);
    c.settle(done).unwrap();
    c.settle(disputed).unwrap();
    assert_eq!(offer(&c, id).in_use, 0);
    // Settling again after the vault settles returns nothing more.
    vault::claim(vault(), 3);
    answered(vault::resolve(vault(), 4, 10_000));
    c.settle(done).unwrap();
    c.settle(disputed).unwrap();
    let o = offer(&c, id);
    assert_eq!((o.in_use, o.open_rentals, o.penalties_reserved), (0, 0, 0));
    assert_capacity(&c, id);
    let total: u32 = events_of::<RentalSettled>()
        .iter()
        .map(|e| e.gpus_returned)
        .sum();
    assert_eq!(total, 4, "each rental's GPUs came back once");
    assert_eq!(
        c.reputation(provider()),
        Reputation {
            completed: 1,
            ended_early: 1,
            disputed: 1,
            lost: 0,
            no_shows: 1,
            below_minimum: 0,
            distinct_renters: 1,
        }
    );
}
