//! Reputation by value (issue 17, item 10): a provider renting its own offer from a
//! second account must not farm "completed" with tiny rentals; distinct renters and
//! paid volume show beside the counts.

use super::*;
use crate::events::*;
use crate::types::Reputation;

/// The provider's second account.
fn sock_puppet() -> AccountId {
    accounts().django
}

/// The caller rents `gpus` × `hours`, bob starts it, it runs its time, bob claims and
/// anyone settles it; returns the rental. Time moves on by the rental's length.
fn complete(c: &mut ComputeMarket, offer_id: OfferId, gpus: u32, hours: u32) -> RentalId {
    let r = rent(c, offer_id, gpus, hours).unwrap();
    start(c, r);
    let now = ink::env::block_timestamp::<E>();
    set_now(now + u64::from(hours) * HOUR);
    vault::claim(vault(), rental(c, r).escrow_id);
    c.settle(r).unwrap();
    r
}

#[ink::test]
fn tiny_self_dealt_rentals_do_not_count_once_a_minimum_is_set() {
    let (mut c, id) = shop();
    set_caller(accounts().alice);
    c.set_min_counted_value(Asset::Native, 20).unwrap();
    let e: MinCountedValueChanged = last_event();
    assert_eq!((e.asset, e.value), (Asset::Native, 20));
    assert_eq!(c.min_counted_value(Asset::Native), 20);
    assert_eq!(c.min_counted_value(Asset::Psp22(token())), 0);
    // A real renter completes one rental at the minimum (1 GPU × 2 hours = 20).
    set_caller(renter());
    complete(&mut c, id, 1, 2);
    let real = c.reputation(provider());
    assert_eq!((real.completed, real.distinct_renters), (1, 1));
    // The provider rents its own offer 50 times from a second account, 1 GPU for 1
    // hour (10) each, and serves them.
    set_caller(sock_puppet());
    for _ in 0..50 {
        complete(&mut c, id, 1, 1);
    }
    // The attack ran: 50 rentals completed and paid the provider in full.
    let settled = events_of::<RentalSettled>();
    let tiny: Vec<_> = settled
        .iter()
        .filter(|e| e.renter == sock_puppet() && e.outcome == Some(Outcome::Completed))
        .collect();
    assert_eq!(tiny.len(), 50);
    assert!(tiny.iter().all(|e| !e.counted));
    assert_eq!(
        vault::credit(vault(), Asset::Native, provider()),
        20 + 50 * 10
    );
    // It failed: "completed" did not move, the tiny rentals count apart, and the
    // second account is not a distinct renter.
    assert_eq!(
        c.reputation(provider()),
        Reputation {
            completed: 1,
            below_minimum: 50,
            distinct_renters: 1,
            ..Default::default()
        }
    );
    // Volume is what completed rentals paid, whatever the minimum: a self-dealer
    // inflates it only by moving the money through the vault.
    assert_eq!(c.volume(provider(), Asset::Native), 20 + 500);
    assert_eq!(c.offer(id).unwrap().volume, 520);
    assert_eq!(c.volume(provider(), Asset::Psp22(token())), 0);
    // A rental at the minimum counts, and its renter once.
    complete(&mut c, id, 2, 1);
    complete(&mut c, id, 1, 3);
    let rep = c.reputation(provider());
    assert_eq!(
        (rep.completed, rep.below_minimum, rep.distinct_renters),
        (3, 50, 2)
    );
    assert_eq!(c.offer(id).unwrap().reputation, rep);
}

#[ink::test]
fn the_minimum_applies_to_every_outcome_but_a_withdrawal_and_per_asset() {
    let mut c = setup();
    let mut d = draft();
    d.asset = Asset::Psp22(token());
    let tokens = publish(&mut c, &d);
    let native = publish(&mut c, &draft());
    set_caller(accounts().alice);
    c.set_min_counted_value(Asset::Psp22(token()), 1_000)
        .unwrap();
    set_caller(renter());
    // A tiny no-show cannot be farmed against the provider either.
    let r = rent(&mut c, tokens, 1, 1).unwrap();
    set_now(T0 + WINDOW + 1);
    c.cancel_no_show(r).unwrap();
    let e: RentalSettled = last_event();
    assert_eq!((e.outcome, e.counted), (Some(Outcome::NoShow), false));
    // A withdrawal counts nowhere, below the minimum or not.
    let w = rent(&mut c, tokens, 1, 1).unwrap();
    c.end_early(w).unwrap();
    // The native offer has no minimum: its no-show counts.
    let n = rent(&mut c, native, 1, 1).unwrap();
    set_now(T0 + 2 * WINDOW + 2);
    c.cancel_no_show(n).unwrap();
    assert_eq!(
        c.reputation(provider()),
        Reputation {
            no_shows: 1,
            below_minimum: 1,
            distinct_renters: 1,
            ..Default::default()
        }
    );
    // Back to 0: every rental counts again.
    set_caller(accounts().alice);
    c.set_min_counted_value(Asset::Psp22(token()), 0).unwrap();
    assert_eq!(c.min_counted_value(Asset::Psp22(token())), 0);
    set_caller(renter());
    complete(&mut c, tokens, 1, 1);
    let rep = c.reputation(provider());
    assert_eq!((rep.completed, rep.distinct_renters), (1, 1));
    assert_eq!(c.volume(provider(), Asset::Psp22(token())), 10);
    assert_eq!(c.volume(provider(), Asset::Native), 0);
    set_caller(renter());
    assert_refused!(
        c,
        AdminError::NotAdmin,
        c.set_min_counted_value(Asset::Native, 1)
    );
}
