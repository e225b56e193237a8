//! The vault's part of issue 17 (rentals and juries against hostile parties): a payee
//! that refunds a disputed stream to escape a slash ruling or keep the contested
//! accrual, a payer who books and lets go at once, a fallback that paid the platform
//! for a hearing that never happened, and the block a jury weighs stake at. Each attack
//! test first shows its path ran, then that it failed.

use super::*;
use crate::{CollateralHeld, CollateralHoldReleased};

/// Django (a controller) locks 5 000 of Bob's collateral and opens for Alice a stream
/// of 10 000 over 1 000 ms running from `T0`, linked to it, paying Bob at least
/// `min_payout`. Returns `(collateral, stream)`.
fn collateral_stream(c: &mut Escrow, min_payout: Balance) -> (u64, u64) {
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let cid = paid(django(), 5_000, || {
        c.lock_collateral(bob(), Asset::Native, 5_000, T0 + 100)
    })
    .unwrap();
    let mut t = stream_terms(10_000, T0, 1_000);
    t.collateral = Some(cid);
    t.min_payout = min_payout;
    let id = paid(django(), 10_000, || c.open_stream(alice(), t)).unwrap();
    (cid, id)
}

#[ink::test]
fn a_payee_refunding_a_disputed_stream_cannot_free_its_collateral_before_the_ruling() {
    let mut c = setup();
    let (cid, id) = collateral_stream(&mut c, 0);
    set_time(T0 + 800);
    paid(alice(), 500, || c.dispute(id)).unwrap();
    // The attack: the payee refunds the disputed stream, then tries every way out
    // for its collateral before the jury rules "0 % + slash".
    as_(bob(), || c.refund(id)).unwrap();
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Settled, "the refund ran");
    let d = rec.dispute.unwrap();
    assert!(d.collateral_held);
    let (_, e) = last_of::<CollateralHeld>();
    assert_eq!(
        (e.id, e.collateral, e.until),
        (id, cid, T0 + 800 + RULING_MS)
    );
    assert_eq!(c.collateral(cid).unwrap().open, 1, "still linked");
    set_time(T0 + 200 + 800); // the collateral's own unlock time has passed
    assert_refused!(
        c,
        Error::CollateralInUse,
        as_(bob(), || c.release_collateral(cid))
    );
    assert_refused!(
        c,
        Error::CollateralInUse,
        as_(django(), || c.release_collateral(cid))
    );
    assert_refused!(
        c,
        Error::RulingWindowOpen,
        as_(charlie(), || c.release_hold(id))
    );
    assert_refused!(
        c,
        Error::EscrowNotFound,
        as_(eve(), || c.release_hold(id + 1))
    );
    // The ruling's slash reaches the whole collateral, then the arbiter ends the hold.
    as_(eve(), || c.slash_collateral(cid, vec![(alice(), 4_000)])).unwrap();
    as_(eve(), || c.release_hold(id)).unwrap();
    let (_, e) = last_of::<CollateralHoldReleased>();
    assert_eq!((e.id, e.collateral), (id, cid));
    assert_refused!(
        c,
        Error::NoCollateralHold,
        as_(eve(), || c.release_hold(id))
    );
    assert_eq!(c.collateral(cid).unwrap().open, 0);
    as_(bob(), || c.release_collateral(cid)).unwrap();
    assert_eq!(credit(&c, bob()), 1_000);
    // Alice: the frozen 10 000 (nothing of it to the payee), her bond and the slash.
    assert_eq!(credit(&c, alice()), 10_000 + 500 + 4_000);
}

#[ink::test]
fn a_refunded_disputes_hold_ends_for_anyone_at_its_ruling_deadline() {
    let mut c = setup();
    let (cid, id) = collateral_stream(&mut c, 0);
    set_time(T0 + 100);
    paid(alice(), 500, || c.dispute(id)).unwrap();
    as_(bob(), || c.refund(id)).unwrap();
    set_time(T0 + 100 + RULING_MS - 1);
    assert_refused!(
        c,
        Error::RulingWindowOpen,
        as_(charlie(), || c.release_hold(id))
    );
    set_time(T0 + 100 + RULING_MS);
    as_(charlie(), || c.release_hold(id)).unwrap();
    as_(bob(), || c.release_collateral(cid)).unwrap();
    assert_eq!(credit(&c, bob()), 5_000, "nothing stays locked for ever");
    // An escrow refunded while not disputed never held anything.
    let other = open(&mut c, 1_000);
    as_(bob(), || c.refund(other)).unwrap();
    assert_refused!(
        c,
        Error::NoCollateralHold,
        as_(eve(), || c.release_hold(other))
    );
}

#[ink::test]
fn refunding_a_disputed_stream_gives_the_contested_accrual_back_to_the_payer() {
    let mut c = setup();
    let id = open_stream(&mut c, 10_000, T0, 1_000);
    set_time(T0 + 800);
    paid(alice(), 500, || c.dispute(id)).unwrap();
    // Before the fix the payee kept the 8 000 that accrued before the freeze.
    assert_eq!(stream_of(&c, id).3, 0, "nothing claimed: all 10 000 frozen");
    as_(bob(), || c.refund(id)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::RefundedByPayee);
    assert_eq!(
        (e.to_payee, e.fee, e.refund, e.bond_returned),
        (0, 0, 10_000, 500)
    );
    assert_eq!((credit(&c, alice()), credit(&c, bob())), (10_500, 0));
    // What was claimed before the dispute stays paid: only the frozen rest comes back.
    let id = open_stream(&mut c, 10_000, T0 + 800, 1_000);
    set_time(T0 + 1_100);
    as_(charlie(), || c.claim(id)).unwrap(); // 3 000
    set_time(T0 + 1_300);
    paid(alice(), 500, || c.dispute(id)).unwrap();
    as_(bob(), || c.refund(id)).unwrap();
    assert_eq!((last_settled().refund, last_settled().to_payee), (7_000, 0));
}

#[ink::test]
fn when_nobody_rules_the_bond_pays_the_counterparty_not_the_treasury() {
    let mut c = setup();
    // Alice disputes a delivered order she then loses by the fallback.
    let id = open(&mut c, 2_000);
    as_(bob(), || c.deliver(id, Hash::from([7; 32]))).unwrap();
    paid(alice(), 100, || c.dispute(id)).unwrap();
    set_time(T0 + RULING_MS);
    as_(charlie(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.bond_returned, e.bond_forfeited),
        (SettleReason::DisputeExpired, 0, 100),
        "the fallback went against the disputer"
    );
    assert_eq!(credit(&c, frank()), e.fee, "the treasury: its fee only");
    assert_eq!(
        credit(&c, bob()),
        e.to_payee + 100,
        "the bond: to the payee"
    );
    // Bob disputes a stream; the fallback pays him less than half: his bond to Alice.
    let id = open_stream(&mut c, 10_000, T0 + RULING_MS, 1_000);
    set_time(T0 + RULING_MS + 100);
    paid(bob(), 500, || c.dispute(id)).unwrap();
    let before = (credit(&c, alice()), credit(&c, frank()));
    set_time(T0 + 2 * RULING_MS + 100);
    as_(charlie(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!((e.bond_returned, e.bond_forfeited), (0, 500));
    assert_eq!(credit(&c, alice()), before.0 + e.refund + 500);
    assert_eq!(credit(&c, frank()), before.1 + e.fee);
}

#[ink::test]
fn a_dispute_records_its_block_and_what_it_froze() {
    let mut c = setup();
    let id = open_stream(&mut c, 10_000, T0, 1_000);
    set_time(T0 + 300);
    as_(charlie(), || c.claim(id)).unwrap();
    test::advance_block::<Env>();
    test::advance_block::<Env>();
    let block = ink::env::block_number::<Env>();
    paid(alice(), 500, || c.dispute(id)).unwrap();
    let d = c.escrow(id).unwrap().dispute.unwrap();
    // A jury weighs stake as it was before this block, not before the case opened.
    assert_eq!(
        (d.opened_block, d.frozen, d.collateral_held),
        (block, 7_000, false)
    );
}

#[ink::test]
fn letting_a_booking_go_at_once_still_pays_its_minimum() {
    let mut c = setup();
    // The attack: book, then stop at once (a waiting stream, and a running one), to
    // hold the payee's machines for free.
    let mut t = waiting_terms(10_000, 1_000, T0 + DAY);
    t.min_payout = 1_500;
    let waiting = paid(alice(), 10_000, || c.open_stream(alice(), t)).unwrap();
    as_(alice(), || c.stop_stream(waiting)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::StoppedByPayer, "the stop ran");
    assert_eq!((e.to_payee + e.fee, e.refund), (1_500, 8_500));
    let mut t = stream_terms(10_000, T0, 1_000);
    t.min_payout = 1_500;
    let running = paid(alice(), 10_000, || c.open_stream(alice(), t)).unwrap();
    set_time(T0 + 100);
    as_(charlie(), || c.claim(running)).unwrap(); // 1 000 accrued
    as_(alice(), || c.stop_stream(running)).unwrap();
    let e = last_settled();
    assert_eq!((e.to_payee + e.fee, e.refund), (500, 8_500), "1 500 in all");
    // Past the minimum, a stop pays what accrued, as before.
    let mut t = stream_terms(10_000, T0 + 100, 1_000);
    t.min_payout = 1_500;
    let long = paid(alice(), 10_000, || c.open_stream(alice(), t)).unwrap();
    set_time(T0 + 400);
    as_(alice(), || c.stop_stream(long)).unwrap();
    assert_eq!(last_settled().refund, 7_000);
    // A minimum above the amount is refused; nothing moves.
    let mut t = stream_terms(10_000, T0 + 400, 1_000);
    t.min_payout = 10_001;
    assert_refused!(
        c,
        Error::InvalidMinPayout,
        paid(alice(), 10_000, || c.open_stream(alice(), t))
    );
}

#[ink::test]
fn a_fallback_on_a_stream_pays_what_accrued_not_its_minimum() {
    let mut c = setup();
    let mut t = stream_terms(10_000, T0, 1_000);
    t.min_payout = 10_000;
    let id = paid(alice(), 10_000, || c.open_stream(alice(), t)).unwrap();
    set_time(T0 + 50);
    // A payee that never delivered a short rental (its minimum is the whole of it)
    // does not take it whole, and the payer's bond with it, because nobody ruled.
    paid(alice(), 500, || c.dispute(id)).unwrap();
    set_time(T0 + 50 + RULING_MS);
    as_(charlie(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::DisputeExpired);
    assert_eq!((e.to_payee + e.fee, e.refund), (500, 9_500));
    assert_eq!((e.bond_returned, e.bond_forfeited), (500, 0));
}

#[ink::test]
fn a_provider_cannot_drain_a_disputed_collateral_through_penalties_to_a_second_account() {
    let mut c = setup();
    let (cid, disputed) = collateral_stream(&mut c, 0);
    set_time(T0 + 100);
    paid(alice(), 500, || c.dispute(disputed)).unwrap();
    assert_eq!(
        c.collateral(cid).unwrap().at_stake,
        10_000,
        "what the dispute froze"
    );
    // The attack: the provider's second account (charlie) books a waiting stream on the
    // same collateral with a penalty of all of it, and the provider refunds it, so the
    // "no-show penalty" would move the collateral to charlie before the slash ruling.
    let mut t = waiting_terms(1_000, 1_000, T0 + DAY);
    t.collateral = Some(cid);
    t.no_show_penalty = 5_000;
    let sybil = paid(django(), 1_000, || c.open_stream(charlie(), t)).unwrap();
    as_(bob(), || c.refund(sybil)).unwrap();
    assert_eq!(
        last_settled().reason,
        SettleReason::RefundedByPayee,
        "the refund ran"
    );
    // Nothing left the collateral: it is all at stake for the open dispute.
    assert_eq!(c.collateral(cid).unwrap().amount, 5_000);
    assert_eq!(credit(&c, charlie()), 1_000, "its payment back, no penalty");
    // The settlement says so, for the market that records the penalty from it.
    let settled = c.escrow(sybil).unwrap().settlement.unwrap();
    assert_eq!(settled.penalty_paid, 0);
    as_(eve(), || c.slash_collateral(cid, vec![(alice(), 5_000)])).unwrap();
    as_(eve(), || c.resolve(disputed, 0)).unwrap();
    let col = c.collateral(cid).unwrap();
    assert_eq!((col.amount, col.at_stake, col.open), (0, 0, 0));
    // Once no dispute is open, a penalty pays out of the collateral again.
    let cid = paid(django(), 1_000, || {
        c.lock_collateral(bob(), Asset::Native, 1_000, T0 + 200)
    })
    .unwrap();
    let mut t = waiting_terms(1_000, 1_000, T0 + DAY);
    t.collateral = Some(cid);
    t.no_show_penalty = 300;
    let booking = paid(django(), 1_000, || c.open_stream(charlie(), t)).unwrap();
    as_(bob(), || c.refund(booking)).unwrap();
    assert_eq!(c.collateral(cid).unwrap().amount, 700);
    let settled = c.escrow(booking).unwrap().settlement.unwrap();
    assert_eq!(settled.penalty_paid, 300);
}
