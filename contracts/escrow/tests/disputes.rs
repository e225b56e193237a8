//! Disputes of orders: the bond, the freeze, the arbiter's split with the loser's bond
//! forfeited, the review-window limit and the fallback when no ruling comes.

use super::*;

// ------------------------------------------------------------------ disputes

#[ink::test]
fn dispute_needs_the_bond_and_freezes() {
    let mut c = setup();
    let id = open(&mut c, 10_000);
    assert_eq!(c.required_bond(id), Some(500));
    assert_refused!(c, Error::NotParty, paid(charlie(), 500, || c.dispute(id)));
    assert_refused!(c, Error::WrongValue, paid(alice(), 499, || c.dispute(id)));
    paid(alice(), 500, || c.dispute(id)).unwrap();
    assert_eq!(owed(&c), 10_500);
    assert_eq!(c.escrow(id).unwrap().state, EscrowState::Disputed);
    assert_eq!(c.required_bond(id), None);
    // An undelivered order's fallback waits for its delivery deadline.
    assert_eq!(c.open_escrows(bob(), 0, 0).items[0].next_deadline, T0 + DAY);
    // Frozen: nothing else settles it (the payee may still deliver: see
    // `attacks::payee_delivers_a_disputed_order_and_the_fallback_pays_it`, or refund).
    assert_refused!(c, Error::EscrowNotOpen, as_(alice(), || c.release(id)));
    assert_refused!(
        c,
        Error::EscrowNotOpen,
        paid(alice(), 500, || c.dispute(id))
    );
    set_time(T0 + DAY + 1);
    assert_refused!(c, Error::EscrowNotFunded, as_(django(), || c.refund(id)));
}

#[ink::test]
fn resolve_splits_and_forfeits_the_losers_bond() {
    let mut c = setup();
    let id = open(&mut c, 10_000);
    paid(alice(), 500, || c.dispute(id)).unwrap();
    assert_refused!(c, Error::NotArbiter, as_(alice(), || c.resolve(id, 0)));
    assert_refused!(
        c,
        Error::InvalidShares,
        as_(eve(), || c.resolve(id, 10_001))
    );
    // 70 % to the payee side: alice (the disputer) lost, her bond goes to the treasury.
    as_(eve(), || c.resolve(id, 7_000)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::Resolved);
    assert_eq!(
        (e.refund, e.fee, e.royalties, e.to_payee),
        (3_000, 175, 350, 6_475)
    );
    assert_eq!(e.refund + e.fee + e.royalties + e.to_payee, 10_000);
    assert_eq!((e.bond_returned, e.bond_forfeited), (0, 500));
    assert_eq!(credit(&c, frank()), 175 + 500);
    assert_eq!(credit(&c, alice()), 3_000);
    assert_eq!(owed(&c), 10_500);
    assert_refused!(c, Error::EscrowNotDisputed, as_(eve(), || c.resolve(id, 0)));

    // The payee disputes and gets at least half: its bond comes back.
    let id = open(&mut c, 1_000);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    paid(bob(), 50, || c.dispute(id)).unwrap();
    as_(eve(), || c.resolve(id, 5_000)).unwrap();
    let e = last_settled();
    assert_eq!((e.bond_returned, e.bond_forfeited, e.refund), (50, 0, 500));
}

#[ink::test]
fn delivered_order_disputable_only_during_review() {
    let mut c = setup();
    let id = open(&mut c, 1_000);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    set_time(T0 + DAY);
    assert_refused!(
        c,
        Error::ReviewWindowClosed,
        paid(alice(), 50, || c.dispute(id))
    );
    assert_eq!(c.required_bond(id), None);
}

#[ink::test]
fn unruled_dispute_expires_to_the_fallback() {
    let mut c = setup();
    // Undelivered: refunded after the delivery deadline; the payer's bond comes back.
    let id = open(&mut c, 1_000);
    paid(alice(), 50, || c.dispute(id)).unwrap();
    set_time(T0 + DAY - 1);
    assert_refused!(
        c,
        Error::RulingWindowOpen,
        as_(django(), || c.expire_dispute(id))
    );
    set_time(T0 + DAY);
    as_(django(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.refund, e.bond_returned),
        (SettleReason::DisputeExpired, 1_000, 50)
    );
    assert_eq!(credit(&c, alice()), 1_050);
    assert_refused!(
        c,
        Error::EscrowNotDisputed,
        as_(django(), || c.expire_dispute(id))
    );

    // Delivered: paid to the payee side; the payer's bond follows the outcome.
    set_time(T0);
    let id = open(&mut c, 2_000);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    paid(alice(), 100, || c.dispute(id)).unwrap();
    set_time(T0 + RULING_MS);
    as_(charlie(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.to_payee + e.fee + e.royalties, e.refund, e.bond_forfeited),
        (2_000, 0, 100)
    );
    assert_eq!(
        c.escrow(id).unwrap().settlement.unwrap().payee_share_bps,
        10_000
    );
}
