//! Attacks on a settlement by a counterparty (issue 8, sections 5 to 7b): a same-block
//! claim racing the payer's dispute bond, a PSP22 bond pulling more than it needs,
//! disputes that would cancel an order for free or only stall it, strangers filling or
//! parking escrows in a payee's open list, and no-show penalties a payer would take
//! from a provider that showed or a provider would dodge. Every refusal is checked with
//! `assert_refused!`.

use super::*;
use crate::{EscrowDisputed, MinDepositChanged, NoShowPenaltyPaid, OrderDelivered};
use market_types::MAX_PERIOD_MS;

// ------------------------------------------------------------------ 5. bonds

#[ink::test]
fn a_same_block_claim_cannot_fail_a_native_dispute() {
    let mut c = setup();
    let id = open_stream(&mut c, 10_000, T0, 1_000); // 10 000
    set_time(T0 + 500);
    let quoted = c.required_bond(id).unwrap();
    // The payee claims in the same block, before the payer's dispute lands.
    as_(bob(), || c.claim(id)).unwrap();
    let required = c.required_bond(id).unwrap();
    assert!(
        required < quoted,
        "the claim shrank the bond: {required} vs {quoted}"
    );
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), required - 1, || c.dispute(id))
    );
    let owed_before = owed(&c);
    paid(alice(), quoted, || c.dispute(id)).unwrap();
    let d = c.escrow(id).unwrap().dispute.unwrap();
    assert_eq!((d.by, d.bond), (alice(), required));
    assert_eq!(credit(&c, alice()), quoted - required);
    assert_eq!(owed(&c), owed_before + quoted);
    let (_, e) = last_of::<EscrowDisputed>();
    assert_eq!((e.bond, e.excess_credited), (required, quoted - required));
    // The excess is hers to take at once.
    assert_eq!(
        as_(alice(), || c.withdraw(Asset::Native)),
        Ok(quoted - required)
    );
}

#[ink::test]
fn a_psp22_bond_pulls_exactly_the_required_bond() {
    let mut c = setup_with_token();
    fund_psp22(alice(), 10_000, 10_000);
    let id = as_(alice(), || {
        c.open_stream(alice(), psp22_stream(10_000, T0, 1_000))
    })
    .unwrap();
    set_time(T0 + 500);
    let quoted = c.required_bond(id).unwrap();
    fund_psp22(alice(), quoted, quoted);
    as_(bob(), || c.claim(id)).unwrap();
    let required = c.required_bond(id).unwrap();
    assert!(required < quoted, "the claim shrank the bond");
    assert_refused!(c, Error::WrongValue, paid(alice(), 1, || c.dispute(id)));
    as_(alice(), || c.dispute(id)).unwrap();
    assert_eq!(c.escrow(id).unwrap().dispute.unwrap().bond, required);
    // The approval's margin stays with Alice.
    assert_eq!(
        (token_balance(alice()), allowance_of(alice())),
        (quoted - required, quoted - required)
    );
    let r = c.reserves(psp22());
    assert_eq!((r.owed, r.holdings), (10_000 + required, 10_000 + required));
}

// ------------------------------------------------------------------ 6. no free cancel

#[ink::test]
fn payee_delivers_a_disputed_order_and_the_fallback_pays_it() {
    let mut c = setup();
    let id = open(&mut c, 2_000);
    // The payer freezes the undelivered order, hoping the fallback refunds it.
    paid(alice(), 100, || c.dispute(id)).unwrap();
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Disputed);
    assert!(matches!(
        rec.terms,
        EscrowTerms::Order {
            delivered_at: None,
            ..
        }
    ));
    // No fallback before the delivery deadline: the dispute cannot cut it short.
    assert_eq!(rec.dispute.unwrap().ruling_deadline, T0 + DAY);
    // The payee delivers anyway, late in the dispute.
    let late = T0 + DAY - 5;
    set_time(late);
    let proof = Hash::from([9; 32]);
    as_(bob(), || c.deliver(id, proof)).unwrap();
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Disputed);
    assert!(
        matches!(rec.terms, EscrowTerms::Order { delivered_at: Some(t), proof: Some(p), .. } if t == late && p == proof)
    );
    // The arbiter still gets a whole ruling window to look at the delivery.
    assert_eq!(rec.dispute.unwrap().ruling_deadline, late + RULING_MS);
    let (_, e) = last_of::<OrderDelivered>();
    assert_eq!(
        (e.id, e.payer, e.payee, e.proof),
        (id, alice(), bob(), proof)
    );
    // Still frozen: delivered once, no finalize.
    assert_refused!(
        c,
        Error::EscrowNotFunded,
        as_(bob(), || c.deliver(id, proof))
    );
    assert_refused!(
        c,
        Error::EscrowNotDelivered,
        as_(django(), || c.finalize(id))
    );
    set_time(late + RULING_MS - 1);
    assert_refused!(
        c,
        Error::RulingWindowOpen,
        as_(django(), || c.expire_dispute(id))
    );
    // The fallback pays the delivery, and the payer's bond goes to the payee whose
    // money the dispute froze (nobody ruled: the treasury takes only its fee).
    set_time(late + RULING_MS);
    as_(django(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::DisputeExpired);
    assert_eq!((e.to_payee + e.fee + e.royalties, e.refund), (2_000, 0));
    assert_eq!((e.bond_returned, e.bond_forfeited), (0, 100));
    assert_eq!(credit(&c, frank()), e.fee);
    assert_eq!(credit(&c, bob()), e.to_payee + 100);
    assert_eq!(credit(&c, alice()), 0);
}

#[ink::test]
fn payer_dispute_cannot_cut_the_delivery_period_short() {
    let mut c = setup();
    let id = open(&mut c, 1_000);
    // The attack: dispute at once, hoping the fallback refunds before the payee's
    // delivery deadline (the ruling window is far shorter than the delivery period).
    paid(alice(), 50, || c.dispute(id)).unwrap();
    const _: () = assert!(RULING_MS < DAY);
    set_time(T0 + RULING_MS);
    assert_refused!(
        c,
        Error::RulingWindowOpen,
        as_(django(), || c.expire_dispute(id))
    );
    // Only once the payee had its whole delivery period does the fallback refund.
    set_time(T0 + DAY);
    as_(django(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!((e.refund, e.bond_returned), (1_000, 50));
}

#[ink::test]
fn disputes_that_only_stall_are_refused_or_cost_the_bond() {
    let mut c = setup();
    // The payee has nothing to dispute on an undelivered order: it delivers or refunds.
    let a = open(&mut c, 1_000);
    assert_refused!(
        c,
        Error::EscrowNotDelivered,
        paid(bob(), 50, || c.dispute(a))
    );
    // Past the delivery deadline anyone refunds; a dispute would only stall it.
    set_time(T0 + DAY + 1);
    assert_eq!(c.required_bond(a), None);
    assert_refused!(
        c,
        Error::DeliveryDeadlinePassed,
        paid(alice(), 50, || c.dispute(a))
    );
    // A payer who disputes a delivered order only to delay paying loses the bond
    // when the fallback pays the payee.
    set_time(T0);
    let d = open(&mut c, 1_000);
    as_(bob(), || c.deliver(d, Hash::from([1; 32]))).unwrap();
    paid(alice(), 50, || c.dispute(d)).unwrap();
    // A payer who disputes a stream, and the fallback gives it most of it back.
    let s = open_stream(&mut c, 1_000, T0, 1_000);
    set_time(T0 + 100);
    assert_eq!(c.required_bond(s), Some(50));
    paid(alice(), 50, || c.dispute(s)).unwrap();
    // The payee disputes a delivered order the payer does not release.
    let p = open(&mut c, 1_000);
    as_(bob(), || c.deliver(p, Hash::from([1; 32]))).unwrap();
    paid(bob(), 50, || c.dispute(p)).unwrap();
    set_time(T0 + 100 + RULING_MS);
    for (id, paid_out, refund, returned, forfeited) in [
        (d, 1_000, 0, 0, 50),
        (s, 100, 900, 50, 0),
        (p, 1_000, 0, 50, 0),
    ] {
        as_(django(), || c.expire_dispute(id)).unwrap();
        let e = last_settled();
        assert_eq!(
            (e.to_payee + e.fee + e.royalties, e.refund),
            (paid_out, refund),
            "escrow {id}"
        );
        assert_eq!(
            (e.bond_returned, e.bond_forfeited),
            (returned, forfeited),
            "escrow {id}"
        );
    }
}

// ------------------------------------------------------------------ 7. nobody fills lists

#[ink::test]
fn a_stranger_cannot_fill_a_payees_open_list() {
    let mut c = setup();
    as_(eve(), || c.set_min_deposit(Asset::Native, 1_000)).unwrap();
    let far = T0 + MAX_PERIOD_MS - 1_000;
    let mut t = stream_terms(1, far, 1);
    t.payee = bob();
    // A 1-unit stream far in the future naming Bob: below the minimum.
    assert_refused!(
        c,
        Error::BelowMinDeposit,
        paid(charlie(), 1, || c.open_stream(charlie(), t.clone()))
    );
    // Above it, the stranger's own money is at stake, and Bob can throw it out.
    t.amount = 1_000;
    t.duration_ms = 1_000;
    let id = paid(charlie(), 1_000, || c.open_stream(charlie(), t.clone())).unwrap();
    assert_eq!(
        c.open_escrow_count(bob()),
        1,
        "the spam landed in Bob's list"
    );
    assert_refused!(c, Error::NotPayee, as_(django(), || c.refund(id)));
    assert_refused!(c, Error::NotPayee, as_(charlie(), || c.refund(id)));
    as_(bob(), || c.refund(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.to_payee, e.fee, e.refund),
        (SettleReason::RefundedByPayee, 0, 0, 1_000)
    );
    assert_eq!(c.open_escrow_count(bob()), 0);
    assert!(c.open_escrows(bob(), 0, 0).items.is_empty());
    assert_eq!(c.open_escrow_count(charlie()), 0);
    assert_eq!(credit(&c, charlie()), 1_000);
}

#[ink::test]
fn payee_refund_of_a_running_stream_pays_what_accrued() {
    let mut c = setup();
    let id = open_stream(&mut c, 10_000, T0, 1_000); // 10 000
    set_time(T0 + 200);
    as_(django(), || c.claim(id)).unwrap(); // 2 000
    set_time(T0 + 500);
    as_(bob(), || c.refund(id)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::RefundedByPayee);
    assert_eq!((e.to_payee + e.fee + e.royalties, e.refund), (3_000, 5_000));
    assert_eq!(credit(&c, alice()), 5_000);
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 5_000);
    assert_refused!(c, Error::EscrowNotOpen, as_(bob(), || c.refund(id)));
}

#[ink::test]
fn nobody_parks_an_escrow_in_a_payees_list_by_disputing_it() {
    let mut c = setup();
    // The attack: a stranger opens escrows naming bob and disputes them at once, so
    // bob's refund of an open escrow no longer applies.
    let order = open(&mut c, 1_000);
    paid(alice(), 50, || c.dispute(order)).unwrap();
    let stream = open_stream(&mut c, 10_000, T0, 1_000);
    set_time(T0 + 300);
    paid(alice(), 500, || c.dispute(stream)).unwrap();
    assert_eq!(c.open_escrow_count(bob()), 2, "parked in bob's list");
    // Bob throws both out: the order all back, the stream all it froze back too (what
    // accrued before the freeze is contested: nobody takes it without a ruling); the
    // disputer's bonds back to it.
    set_time(T0 + 900);
    as_(bob(), || c.refund(order)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.refund, e.bond_returned),
        (SettleReason::RefundedByPayee, 1_000, 50)
    );
    as_(bob(), || c.refund(stream)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.to_payee + e.fee + e.royalties, e.refund, e.bond_returned),
        (0, 10_000, 500)
    );
    assert_eq!(c.open_escrow_count(bob()), 0);
    assert_eq!(credit(&c, alice()), 1_000 + 50 + 10_000 + 500);
}

#[ink::test]
fn min_deposit_is_governed_per_asset() {
    let mut c = setup_with_token();
    assert_eq!(
        (c.min_deposit(Asset::Native), c.min_deposit(psp22())),
        (MIN_NATIVE, 0)
    );
    as_(eve(), || c.set_min_deposit(psp22(), 500)).unwrap();
    let (_, e) = last_of::<MinDepositChanged>();
    assert_eq!((e.asset, e.amount), (psp22(), 500));
    assert_eq!(c.min_deposit(psp22()), 500);
    fund_psp22(alice(), 1_000, 1_000);
    assert_refused!(
        c,
        Error::BelowMinDeposit,
        as_(alice(), || c.open_order(alice(), psp22_order(499)))
    );
    assert_refused!(
        c,
        Error::BelowMinDeposit,
        as_(alice(), || c
            .open_stream(alice(), psp22_stream(499, T0, 499)))
    );
    as_(alice(), || c.open_order(alice(), psp22_order(500))).unwrap();
    // The native minimum stands apart.
    assert_refused!(
        c,
        Error::BelowMinDeposit,
        paid(alice(), MIN_NATIVE - 1, || c
            .open_stream(alice(), stream_terms(MIN_NATIVE - 1, T0, 9)))
    );
    as_(eve(), || c.set_min_deposit(Asset::Native, 0)).unwrap();
    assert_eq!(c.min_deposit(Asset::Native), 0);
    paid(alice(), 1, || c.open_order(alice(), order_terms(1))).unwrap();
}

// ------------------------------------------------------------------ 7b. no-show penalties

/// Django (a controller) locks 1 000 of Bob's collateral and rents Alice a waiting
/// stream of 10 000 that Bob must start (through Django) by `T0 + DAY`, or pay 1 000.
fn rental_with_penalty(c: &mut Escrow) -> (u64, u64) {
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let cid = paid(django(), 1_000, || {
        c.lock_collateral(bob(), Asset::Native, 1_000, T0 + 2 * DAY)
    })
    .unwrap();
    let mut t = waiting_terms(10_000, 1_000, T0 + DAY);
    t.collateral = Some(cid);
    t.no_show_penalty = 1_000;
    let id = paid(django(), 10_000, || c.open_stream(alice(), t)).unwrap();
    (cid, id)
}

#[ink::test]
fn a_payer_cannot_take_the_penalty_of_a_provider_that_showed() {
    let mut c = setup();
    let (cid, id) = rental_with_penalty(&mut c);
    // The payer tries to cancel before the start window closed.
    set_time(T0 + DAY);
    assert_refused!(
        c,
        Error::StartWindowOpen,
        as_(alice(), || c.cancel_unstarted(id))
    );
    // A top-up while it waits lengthens the stream, not the window.
    paid(django(), 100, || c.top_up(id, 10)).unwrap();
    assert!(matches!(
        c.escrow(id).unwrap().terms,
        EscrowTerms::Stream { start_by, .. } if start_by == T0 + DAY
    ));
    // The provider shows up at the last moment; the window then closes.
    as_(django(), || c.start_stream(id)).unwrap();
    set_time(T0 + DAY + 1);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(alice(), || c.cancel_unstarted(id))
    );
    // Stopping the running stream gives back only the unused time, never the penalty.
    as_(django(), || c.stop_stream(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.to_payee + e.fee, e.refund),
        (SettleReason::StoppedByPayer, 10, 10_090)
    );
    assert!(events_of::<NoShowPenaltyPaid>().is_empty());
    assert_eq!(credit(&c, alice()), 10_090);
    assert_eq!(c.collateral(cid).unwrap().amount, 1_000);
    set_time(T0 + 2 * DAY);
    as_(bob(), || c.release_collateral(cid)).unwrap();
    assert_eq!(credit(&c, bob()), 1_000 + 10);
}

#[ink::test]
fn a_penalty_is_paid_once_and_its_collateral_stays_locked_until_then() {
    let mut c = setup();
    let (cid, id) = rental_with_penalty(&mut c);
    // While the stream waits, the collateral backing its penalty stays locked.
    assert_refused!(
        c,
        Error::CollateralInUse,
        as_(django(), || c.release_collateral(cid))
    );
    set_time(T0 + DAY + 1);
    assert_eq!(as_(charlie(), || c.cancel_unstarted(id)), Ok(1_000));
    let settled = c.escrow(id).unwrap().settlement.unwrap();
    assert_eq!(
        settled.penalty_paid, 1_000,
        "the settlement keeps what was paid"
    );
    assert_refused!(
        c,
        Error::EscrowNotOpen,
        as_(alice(), || c.cancel_unstarted(id))
    );
    assert_eq!(credit(&c, alice()), 11_000);
    assert_eq!(c.collateral(cid).unwrap().amount, 0);
}

/// A provider that did not show cannot keep its collateral by giving the booking back
/// itself: the payee's refund of a waiting stream pays the no-show penalty too (before
/// or after `start_by`).
#[ink::test]
fn a_no_show_cannot_dodge_its_penalty_by_refunding() {
    let mut c = setup();
    let (cid, id) = rental_with_penalty(&mut c);
    set_time(T0 + DAY + 1);
    // The attack runs: the provider refunds the rental itself, before anyone cancels.
    assert_eq!(as_(bob(), || c.refund(id)), Ok(()));
    let settled = c.escrow(id).unwrap().settlement.unwrap();
    assert_eq!(settled.reason, SettleReason::RefundedByPayee);
    // And it fails: the payer got the deposit and the penalty, the collateral paid it.
    assert_eq!(
        credit(&c, alice()),
        11_000,
        "the no-show kept its collateral"
    );
    assert_eq!(c.collateral(cid).unwrap().amount, 0);
    assert_refused!(
        c,
        Error::EscrowNotOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
}

/// Nor by starting at the last moment and refunding at once: a payee refund of a
/// stream that carries a penalty pays it, started or not.
#[ink::test]
fn starting_then_refunding_still_pays_the_penalty() {
    let mut c = setup();
    let (cid, id) = rental_with_penalty(&mut c);
    set_time(T0 + DAY);
    as_(django(), || c.start_stream(id)).unwrap();
    assert_eq!(c.escrow(id).unwrap().state, EscrowState::Streaming);
    // The attack runs: the provider refunds the running stream in the same block.
    assert_eq!(as_(bob(), || c.refund(id)), Ok(()));
    let (_, paid) = last_of::<NoShowPenaltyPaid>();
    assert_eq!((paid.id, paid.amount), (id, 1_000));
    // And fails: the payer has everything back and the penalty.
    assert_eq!(credit(&c, alice()), 11_000);
    assert_eq!(c.collateral(cid).unwrap().amount, 0);
}

/// A controller cannot route someone else's collateral to a payer of its choosing: a
/// no-show penalty must come out of collateral its stream's payee posted.
#[ink::test]
fn a_penalty_comes_only_out_of_the_payees_own_collateral() {
    let mut c = setup();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    // Charlie's collateral, locked through django; a stream paying bob claims it.
    let cid = paid(django(), 1_000, || {
        c.lock_collateral(charlie(), Asset::Native, 1_000, T0 + 2 * DAY)
    })
    .unwrap();
    let mut t = waiting_terms(10_000, 1_000, T0 + DAY);
    assert_eq!(t.payee, bob());
    t.collateral = Some(cid);
    t.no_show_penalty = 1_000;
    assert_refused!(
        c,
        Error::InvalidPenalty,
        paid(django(), 10_000, || c.open_stream(alice(), t.clone()))
    );
    // The same stream without a penalty may still link the collateral (it only keeps
    // the lock in place); and the payee's own collateral backs a penalty.
    t.no_show_penalty = 0;
    paid(django(), 10_000, || c.open_stream(alice(), t)).unwrap();
    assert_eq!(c.collateral(cid).unwrap().amount, 1_000);
}
