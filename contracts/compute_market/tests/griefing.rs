//! Hostile renters and providers (issue 17, items 1 and 8): junk bookings that drown a
//! provider's real ones, bookings of every free GPU let go at once, a dispute that
//! holds a provider's GPUs, and a provider that refunds a disputed stream to take its
//! collateral out before the ruling. Each test first shows the attack path ran.

use super::*;
use crate::errors::Error;
use crate::events::*;
use market_types::{EscrowState, Page};

/// The ids of a page of rentals.
fn rows(p: Page<(RentalId, Rental)>) -> Vec<RentalId> {
    p.items.iter().map(|(id, _)| *id).collect()
}

/// A stranger who books and lets go.
fn stranger() -> AccountId {
    accounts().django
}

#[ink::test]
fn junk_bookings_leave_the_providers_open_list_and_a_real_booking_shows_first() {
    let (mut c, id) = shop();
    let second = {
        set_caller(provider());
        let o = publish(&mut c, &draft());
        set_caller(renter());
        o
    };
    set_caller(stranger());
    let junk = 30;
    for _ in 0..junk {
        let r = rent(&mut c, id, 4, 2).unwrap();
        c.end_early(r).unwrap();
    }
    // The attack ran: 30 bookings of every GPU, each withdrawn at once, and the
    // provider's history pages them oldest first.
    assert_eq!(c.rental_count(), junk);
    let history = rows(c.rentals_of(provider(), Party::Provider, 0, 0));
    assert_eq!(history, (1..=u64::from(MAX_PAGE)).collect::<Vec<_>>());
    assert!((1..=junk).all(|r| rental(&c, r).outcome == Some(Outcome::Withdrawn)));
    set_caller(renter());
    let real = rent(&mut c, id, 1, 2).unwrap();
    let other = rent(&mut c, second, 2, 1).unwrap();
    let mut pages = Vec::new();
    let mut cursor = 0;
    while cursor < junk {
        let p = c.rentals_of(provider(), Party::Provider, cursor, 0);
        pages.extend(rows(p));
        cursor += u64::from(MAX_PAGE);
    }
    assert!(
        !pages.contains(&real),
        "the real booking is behind 30 junk ones in the history"
    );
    // It failed: the open list holds only what is not closed, across the provider's
    // offers — the real bookings, on the first page.
    let mut open = rows(c.rentals_of(provider(), Party::ProviderOpen, 0, 0));
    open.sort_unstable();
    assert_eq!(open, vec![real, other]);
    // And it was not free: each junk booking paid the provider its first hour (40 of
    // the 80 it prepaid).
    assert_eq!(
        vault::credit(vault(), Asset::Native, provider()),
        u128::from(junk) * 4 * PRICE
    );
    // Serving leaves the list only when the rental closes: ended but unclaimed stays.
    start(&mut c, real);
    set_now(T0 + 2 * HOUR);
    c.settle(real).unwrap();
    assert_eq!(rental(&c, real).status, RentalStatus::Ended);
    assert!(rows(c.rentals_of(provider(), Party::ProviderOpen, 0, 0)).contains(&real));
    vault::claim(vault(), rental(&c, real).escrow_id);
    c.settle(real).unwrap();
    assert_eq!(
        rows(c.rentals_of(provider(), Party::ProviderOpen, 0, 0)),
        vec![other]
    );
    assert!(rows(c.rentals_of(renter(), Party::ProviderOpen, 0, 0)).is_empty());
}

#[ink::test]
fn booking_every_free_gpu_and_letting_go_costs_the_stranger_the_first_hour() {
    let (mut c, id) = shop();
    set_caller(stranger());
    let booked: Vec<RentalId> = (0..4).map(|_| rent(&mut c, id, 1, 8).unwrap()).collect();
    // The attack ran: every GPU is booked (the provider must start each or pay the
    // no-show penalty), and a real renter is turned away.
    assert_eq!(c.offer(id).unwrap().free_gpus, 0);
    set_caller(renter());
    set_value(10);
    assert_refused!(c, Error::CapacityExceeded, c.rent(id, 1, 1, 1));
    set_value(0);
    let e: RentalBooked = events_of::<RentalBooked>().pop().unwrap();
    assert_eq!((e.amount, e.min_payout), (80, 10));
    for (escrow, r) in (1..).zip(&booked) {
        assert_eq!(rental(&c, *r).min_payout, 10);
        assert_eq!(vault::escrow_of(vault(), escrow).stream().min_payout, 10);
    }
    // The provider starts two of them; the stranger lets all four go at once.
    start(&mut c, booked[0]);
    start(&mut c, booked[1]);
    set_now(T0 + 1);
    set_caller(stranger());
    for r in &booked {
        c.end_early(*r).unwrap();
    }
    let outcomes: Vec<_> = booked.iter().map(|r| rental(&c, *r).outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            Some(Outcome::EndedEarly),
            Some(Outcome::EndedEarly),
            Some(Outcome::Withdrawn),
            Some(Outcome::Withdrawn)
        ]
    );
    // It cost the stranger the first hour of each booking, paid to the provider.
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 4 * 10);
    assert_eq!(vault::credit(vault(), Asset::Native, stranger()), 4 * 70);
    assert_eq!(offer(&c, id).in_use, 0);
    // A rental shorter than the minimum charge pays its whole time.
    set_caller(accounts().alice);
    c.set_rental_rules(3).unwrap();
    set_caller(stranger());
    let short = rent(&mut c, id, 2, 2).unwrap();
    assert_eq!(rental(&c, short).min_payout, 40);
    c.end_early(short).unwrap();
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 40 + 40);
}

#[ink::test]
fn a_disputed_rentals_gpus_come_back_when_its_stream_freezes() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 4, 8).unwrap();
    start(&mut c, r);
    set_now(T0 + HOUR / 10);
    // The renter disputes right after the start: the stream freezes at the vault.
    vault::dispute(vault(), 1);
    assert_eq!(
        vault::escrow_of(vault(), 1).record.state,
        EscrowState::Disputed
    );
    assert_eq!(
        c.offer(id).unwrap().free_gpus,
        0,
        "the attack holds every GPU"
    );
    // Anyone settles it: the GPUs come back now, not at the lease's nominal end.
    set_caller(accounts().eve);
    c.settle(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(
        (e.rental_id, e.gpus_returned, e.outcome, e.counted),
        (r, 4, None, false)
    );
    let got = rental(&c, r);
    assert_eq!((got.status, got.outcome), (RentalStatus::Ended, None));
    let o = offer(&c, id);
    assert_eq!((o.in_use, o.open_rentals), (0, 1));
    assert_eq!(o.penalties_reserved, got.no_show_penalty);
    assert_eq!(
        rows(c.rentals_of(provider(), Party::ProviderOpen, 0, 0)),
        vec![r],
        "open until the vault settles it"
    );
    assert_refused!(c, Error::OutcomePending, c.settle(r));
    set_caller(provider());
    assert_refused!(c, Error::RentalsOpen, c.retire_offer(id));
    // Another renter books the GPUs at once.
    set_caller(renter());
    let next = rent(&mut c, id, 4, 1).unwrap();
    assert_eq!(rental(&c, next).status, RentalStatus::Booked);
    // Nobody rules: the fallback pays what accrued until the freeze (4 of 320), not
    // the rental's first hour (nobody ruled on whether it delivered); settle records
    // it, returning nothing more.
    answered(vault::expire_dispute(vault(), 1));
    set_caller(accounts().eve);
    c.settle(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(
        (e.gpus_returned, e.outcome, e.counted),
        (0, Some(Outcome::Disputed), true)
    );
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 4);
    assert_eq!(vault::credit(vault(), Asset::Native, renter()), 316);
    let o = offer(&c, id);
    assert_eq!(
        (o.in_use, o.open_rentals),
        (4, 1),
        "only the next booking holds"
    );
    assert_eq!(c.reputation(provider()).disputed, 1);
}

/// Issue 17, item 1 (the market's side): while a slash case is pending, the provider
/// refunds the disputed stream at the vault, settles and retires to take its
/// collateral out before the ruling.
#[ink::test]
fn a_provider_refunding_a_disputed_stream_cannot_retire_while_the_hold_is_on() {
    let (mut c, id) = shop();
    let r = rent(&mut c, id, 2, 4).unwrap();
    start(&mut c, r);
    set_now(T0 + HOUR);
    vault::dispute(vault(), 1);
    // The attack runs: the provider refunds the disputed stream at the vault (it
    // pays the no-show penalty), and anyone settles the rental.
    let penalty = vault::payee_refund(vault(), 1);
    assert_eq!(penalty, 20);
    assert_eq!(
        vault::escrow_of(vault(), 1).record.state,
        EscrowState::Settled
    );
    set_caller(accounts().eve);
    c.settle(r).unwrap();
    let e: RentalSettled = last_event();
    // A refund of a disputed stream gives the renter everything frozen (80, none of
    // the 20 accrued before the freeze to the provider): the provider conceded.
    assert_eq!(
        (e.outcome, e.penalty, e.gpus_returned, e.counted),
        (Some(Outcome::Lost), 20, 2, true)
    );
    assert_eq!(vault::credit(vault(), Asset::Native, renter()), 80 + 20);
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 0);
    let rep = c.reputation(provider());
    assert_eq!((rep.disputed, rep.lost, rep.no_shows), (1, 1, 0));
    let o = offer(&c, id);
    assert_eq!((o.open_rentals, o.collateral), (0, 300));
    assert!(rows(c.rentals_of(provider(), Party::ProviderOpen, 0, 0)).is_empty());
    // It fails: nothing is open in the market, but the vault holds the collateral
    // for the dispute, so retiring is refused and changes nothing.
    set_caller(provider());
    assert_refused!(c, Error::CollateralHeld, c.retire_offer(id));
    let lock = vault::lock(vault(), 1);
    assert_eq!((lock.amount, lock.released, lock.open), (300, false, 1));
    assert_eq!(offer(&c, id).status, OfferStatus::Active);
    // Once the hold ends (after the ruling), the offer retires.
    answered(vault::release_hold(vault(), 1));
    c.retire_offer(id).unwrap();
    let e: OfferRetired = last_event();
    assert!(e.released);
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 300);
}
