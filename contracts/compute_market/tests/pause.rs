//! The admin's pause of new offers and rentals: who may set it, what it refuses, and
//! that rentals in flight and offers already published carry on.

use super::*;
use crate::errors::Error;
use crate::events::*;

/// The admin (alice) pauses or resumes; the caller is restored.
fn set_paused(c: &mut ComputeMarket, paused: bool) {
    let before = ink::env::caller::<E>();
    set_caller(accounts().alice);
    c.set_paused(paused).expect("admin");
    set_caller(before);
}

#[ink::test]
fn only_the_admin_pauses_and_every_call_emits() {
    let a = accounts();
    let mut c = setup();
    assert!(!c.paused(), "a new market takes offers and rentals");
    set_caller(a.alice);
    for paused in [true, true, false, false, true] {
        let events = event_count();
        c.set_paused(paused).unwrap();
        assert_eq!(c.paused(), paused);
        assert_eq!(event_count(), events + 1, "every call emits, even a repeat");
        let e: PauseChanged = last_event();
        assert_eq!(e.paused, paused);
    }
    // Paused now. Nobody else resumes or pauses; the former admin neither, once the
    // role has moved.
    c.propose_admin(Some(a.django)).unwrap();
    set_caller(a.django);
    c.accept_admin().unwrap();
    for who in [a.alice, provider(), renter(), auditor()] {
        set_caller(who);
        assert_refused!(c, AdminError::NotAdmin, c.set_paused(false));
        assert_refused!(c, AdminError::NotAdmin, c.set_paused(true));
    }
    assert!(c.paused());
    set_caller(a.django);
    c.set_paused(false).unwrap();
    assert!(!c.paused());
}

#[ink::test]
fn a_paused_market_refuses_new_offers_and_rentals_before_the_vault() {
    let (mut c, id) = shop();
    set_paused(&mut c, true);
    let calls = vault_calls();
    // A renter, at the offer's current version and exact price.
    set_value(10);
    assert_refused!(c, Error::Paused, c.rent(id, 1, 1, 1));
    // The pause is checked first: a rental that would be refused otherwise too.
    assert_refused!(c, Error::Paused, c.rent(99, 0, 0, 7));
    set_value(0);
    // A provider, paying the exact collateral (320), and with a bad offer.
    set_caller(provider());
    assert_refused!(c, Error::Paused, publish_with(&mut c, &draft(), 320));
    let mut bad = draft();
    bad.gpu = String::new();
    assert_refused!(c, Error::Paused, publish_with(&mut c, &bad, 0));
    assert_eq!(vault_calls(), calls, "no vault was called");
    assert_eq!((c.offer_count(), c.rental_count()), (1, 0));
    assert_eq!(
        vault::lock(vault(), 1).amount,
        320,
        "only the first offer's lock"
    );
    // Resuming lets the same calls through.
    set_paused(&mut c, false);
    let e: PauseChanged = last_event();
    assert!(!e.paused);
    let second = publish(&mut c, &draft());
    assert_eq!(second, 2);
    set_caller(renter());
    let r = rent(&mut c, id, 1, 1).unwrap();
    assert_eq!(r, 1);
    let e: RentalBooked = last_event();
    assert_eq!((e.rental_id, e.offer_id, e.amount), (r, id, 10));
    assert_eq!(offer(&c, id).in_use, 1);
}

#[ink::test]
fn rentals_in_flight_and_published_offers_go_on_while_paused() {
    let (mut c, id) = shop();
    let running = rent(&mut c, id, 1, 2).unwrap();
    let booked = rent(&mut c, id, 1, 2).unwrap();
    let no_show = rent(&mut c, id, 1, 1).unwrap();
    let withdrawn = rent(&mut c, id, 1, 1).unwrap();
    start(&mut c, running);
    set_paused(&mut c, true);
    // The provider starts a booking, the renter extends one and withdraws another.
    start(&mut c, booked);
    assert_eq!(rental(&c, booked).status, RentalStatus::Running);
    set_value(10);
    c.extend(running, 1).unwrap();
    set_value(0);
    assert_eq!(rental(&c, running).hours, 3);
    c.end_early(withdrawn).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(e.outcome, Some(Outcome::Withdrawn));
    // Anyone cancels a no-show.
    set_now(T0 + WINDOW + 1);
    set_caller(accounts().django);
    c.cancel_no_show(no_show).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!(e.outcome, Some(Outcome::NoShow));
    // The provider still manages the offer.
    set_caller(provider());
    c.update_offer(id, PRICE, 1, 4).unwrap();
    assert_eq!(offer(&c, id).version, 2);
    c.pause_offer(id).unwrap();
    c.resume_offer(id).unwrap();
    // Rentals run their time and settle; then the offer retires.
    set_now(T0 + 3 * HOUR);
    for r in [running, booked] {
        vault::claim(vault(), rental(&c, r).escrow_id);
        c.settle(r).unwrap();
        let e: RentalSettled = last_event();
        assert_eq!(e.outcome, Some(Outcome::Completed));
    }
    let rep = c.reputation(provider());
    assert_eq!((rep.completed, rep.no_shows), (2, 1));
    assert_eq!(offer(&c, id).in_use, 0);
    c.retire_offer(id).unwrap();
    assert_eq!(offer(&c, id).status, OfferStatus::Retired);
    assert!(c.paused());
}
