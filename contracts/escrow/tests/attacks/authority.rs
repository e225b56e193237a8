//! Attacks on who pays and who may act (issue 8, sections 1 to 4, 8 and 9): a
//! controller spending a payer's approval or naming someone else's tokens as its
//! collateral, token refusals that must say why, a payer going around its controller's
//! terms (and a removed controller handing its escrows back), periods and terms past
//! the horizon, an arbiter handover in two steps, and the event topics dApps filter on.
//! Every refusal is checked with `assert_refused!`.

use super::*;
use crate::{
    AdminChanged, AdminProposed, CollateralSlashed, EscrowDisputed, OrderDelivered, Reserves,
    VaultCreated,
};
use market_types::testing::psp22::Behaviour;
use market_types::{TokenError, MAX_PERIOD_MS};

// ------------------------------------------------------------------ 1. the caller pays

#[ink::test]
fn a_controller_cannot_spend_the_payers_approval() {
    let mut c = setup_with_token();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    // Alice approved the vault for a purchase of her own: the approval under attack.
    fund_psp22(alice(), 1_000, 1_000);
    assert_eq!(
        (token_balance(alice()), allowance_of(alice())),
        (1_000, 1_000)
    );
    // Django, a controller (which may name any payer), opens on her approval, or locks
    // her tokens as collateral, without moving any tokens itself: refused, the vault
    // never pulls for a controller, it counts only what the controller moved to it.
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c.open_order(alice(), psp22_order(1_000)))
    );
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c
            .open_stream(alice(), psp22_stream(1_000, T0, 1_000)))
    );
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c.lock_collateral(
            alice(),
            psp22(),
            1_000,
            T0 + DAY
        ))
    );
    assert_eq!(
        (token_balance(alice()), allowance_of(alice())),
        (1_000, 1_000)
    );
    // A plain account still may name only itself as payer.
    assert_refused!(
        c,
        Error::NotController,
        as_(charlie(), || c.open_order(alice(), psp22_order(1_000)))
    );
    // The controller moves its buyer's payment to the vault first (here from its own
    // tokens), then opens: what arrived is counted.
    prefund(django(), 1_000);
    let id = as_(django(), || c.open_order(alice(), psp22_order(1_000))).unwrap();
    assert_eq!(c.escrow(id).unwrap().payer, alice());
    assert_eq!(
        (token_balance(alice()), allowance_of(alice())),
        (1_000, 1_000)
    );
    assert_eq!(token_balance(django()), 0);
    assert_eq!(
        c.reserves(psp22()),
        Reserves {
            owed: 1_000,
            holdings: 1_000
        }
    );
    // What the vault already owes is not a next payment: the same tokens twice fail.
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c.open_order(alice(), psp22_order(1_000)))
    );
}

#[ink::test]
fn a_controllers_payment_must_have_arrived_in_full() {
    let mut c = setup_with_token();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    // Someone sends the vault 300 unasked: nobody's money, and not owed.
    prefund(charlie(), 300);
    // Django moves 1,000 and opens an order of 1,000: the order holds 1,000, not 1,300.
    prefund(django(), 1_000);
    let id = as_(django(), || c.open_order(alice(), psp22_order(1_000))).unwrap();
    assert!(matches!(
        c.escrow(id).unwrap().terms,
        EscrowTerms::Order { amount: 1_000, .. }
    ));
    assert_eq!(
        c.reserves(psp22()),
        Reserves {
            owed: 1_000,
            holdings: 1_300
        }
    );
    // A controller's payment must arrive in full: 300 unowed does not cover 1,000,
    // for an order or a stream (a token that skims on the controller's transfer ends
    // here too).
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c.open_order(alice(), psp22_order(1_000)))
    );
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c
            .open_stream(alice(), psp22_stream(1_000, T0, 1_000)))
    );
    prefund(django(), 699);
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c.open_order(alice(), psp22_order(1_000)))
    );
    // One more: 1,000 arrived, with the 300 nobody owned, which is owed from now on.
    prefund(django(), 1);
    as_(django(), || c.open_order(alice(), psp22_order(1_000))).unwrap();
    assert_eq!(c.reserves(psp22()).owed, 2_000);
    assert_eq!(token_balance(vault_id()), 2_000);
    // A payer calling for itself is pulled from, the surplus untouched by its order.
    fund_psp22(alice(), 500, 500);
    let own = as_(alice(), || c.open_order(alice(), psp22_order(500))).unwrap();
    assert!(matches!(
        c.escrow(own).unwrap().terms,
        EscrowTerms::Order { amount: 500, .. }
    ));
    assert_eq!(
        c.reserves(psp22()),
        Reserves {
            owed: 2_500,
            holdings: 2_500
        }
    );
}

#[ink::test]
fn top_ups_and_collateral_are_paid_by_the_caller() {
    let mut c = setup_with_token();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    prefund(django(), 1_000);
    let id = as_(django(), || {
        c.open_stream(alice(), psp22_stream(1_000, T0, 1_000))
    })
    .unwrap();
    // Alice's approval (for something else) is not the controller's to spend.
    fund_psp22(alice(), 500, 500);
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c.top_up(id, 100))
    );
    prefund(django(), 100);
    as_(django(), || c.top_up(id, 100)).unwrap();
    assert_eq!((token_balance(alice()), allowance_of(alice())), (500, 500));
    assert_eq!(token_balance(django()), 0);
    // Collateral a controller locks for Bob comes from the controller, not from Bob.
    fund_psp22(bob(), 700, 700);
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(django(), || c.lock_collateral(
            bob(),
            psp22(),
            700,
            T0 + DAY
        ))
    );
    prefund(django(), 700);
    let cid = as_(django(), || {
        c.lock_collateral(bob(), psp22(), 700, T0 + DAY)
    })
    .unwrap();
    assert_eq!(c.collateral(cid).unwrap().owner, bob());
    assert_eq!((token_balance(bob()), allowance_of(bob())), (700, 700));
    assert_eq!(token_balance(django()), 0);
    assert_eq!(c.reserves(psp22()).owed, 1_800);
    assert_eq!(token_balance(vault_id()), 1_800);
}

// ------------------------------------------------------------------ 2. token errors say why

#[ink::test]
fn token_refusals_say_why() {
    let mut c = setup_with_token();
    let t = psp22_order(1_000);
    psp22::set_balance(token(), alice(), 1_000);
    assert_refused!(
        c,
        Error::Token(TokenError::InsufficientAllowance),
        as_(alice(), || c.open_order(alice(), t.clone()))
    );
    fund_psp22(alice(), 999, 1_000);
    assert_refused!(
        c,
        Error::Token(TokenError::InsufficientBalance),
        as_(alice(), || c.open_order(alice(), t.clone()))
    );
    fund_psp22(alice(), 1_000, 1_000);
    // The token's own reason comes back, cut to what a return value can afford.
    let reason = "paused by the token's owner; ".repeat(10);
    psp22::set_behaviour(
        token(),
        Behaviour::Refuse(TokenError::Custom(reason.clone())),
    );
    assert_refused!(
        c,
        Error::Token(TokenError::Custom(
            reason[..market_types::MAX_TOKEN_ERROR_LEN].into()
        )),
        as_(alice(), || c.open_order(alice(), t.clone()))
    );
    // Failures of the call itself stay `TokenTransferFailed`.
    psp22::set_behaviour(token(), Behaviour::Trap);
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(alice(), || c.open_order(alice(), t.clone()))
    );
    psp22::set_behaviour(token(), Behaviour::LangError);
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(alice(), || c.open_order(alice(), t.clone()))
    );
    // So does less arriving than a stream needs.
    psp22::set_behaviour(token(), Behaviour::Skim(1));
    assert_refused!(
        c,
        Error::TokenTransferFailed,
        as_(alice(), || c
            .open_stream(alice(), psp22_stream(1_000, T0, 1_000)))
    );
    psp22::set_behaviour(token(), Behaviour::Honest);
    let id = as_(alice(), || c.open_order(alice(), t.clone())).unwrap();
    as_(alice(), || c.release(id)).unwrap();

    // A refused payout says why too. The node reverts the message's writes (the e2e
    // suite shows it); the off-chain environment does not, so this checks the error,
    // the events and the token ledger only.
    psp22::set_behaviour(
        token(),
        Behaviour::Refuse(TokenError::Custom("frozen".into())),
    );
    let tokens = psp22::snapshot();
    let events = event_count();
    assert_eq!(
        as_(bob(), || c.withdraw(psp22())),
        Err(Error::Token(TokenError::Custom("frozen".into())))
    );
    assert_eq!(event_count(), events);
    assert_eq!(psp22::snapshot(), tokens);
}

// ------------------------------------------------------------------ 3. controller scoping

#[ink::test]
fn payer_acts_on_a_controller_escrow_only_through_the_controller() {
    let mut c = setup();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    as_(eve(), || c.set_controller(charlie(), true)).unwrap();
    // Django rents Alice 1 000 ms (its offer allows no more) and sells her an order.
    let rental = paid(django(), 3_000, || {
        c.open_stream(alice(), stream_terms(3_000, T0, 1_000))
    })
    .unwrap();
    let order = paid(django(), 1_000, || {
        c.open_order(alice(), order_terms(1_000))
    })
    .unwrap();
    // The attack path is live: a top-up of this rental is valid when its opener sends it.
    paid(django(), 30, || c.top_up(rental, 10)).unwrap();
    // Alice goes around the controller's terms: refused.
    assert_refused!(
        c,
        Error::ControllerOnly,
        paid(alice(), 300, || c.top_up(rental, 100))
    );
    assert_refused!(
        c,
        Error::ControllerOnly,
        as_(alice(), || c.stop_stream(rental))
    );
    assert_refused!(c, Error::ControllerOnly, as_(alice(), || c.release(order)));
    // Another controller, or anyone else.
    assert_refused!(
        c,
        Error::NotOpener,
        paid(charlie(), 300, || c.top_up(rental, 100))
    );
    assert_refused!(c, Error::NotOpener, as_(charlie(), || c.release(order)));
    assert_refused!(c, Error::NotPayer, as_(bob(), || c.release(order)));
    assert_refused!(c, Error::NotPayer, as_(frank(), || c.stop_stream(rental)));
    // On an escrow Alice opened herself, only Alice.
    let own = open(&mut c, 1_000);
    assert_refused!(c, Error::NotOpener, as_(django(), || c.release(own)));
    as_(alice(), || c.release(own)).unwrap();
    // The opener acts.
    as_(django(), || c.release(order)).unwrap();
    as_(django(), || c.stop_stream(rental)).unwrap();
    assert_eq!(last_settled().reason, SettleReason::StoppedByPayer);
}

#[ink::test]
fn a_removed_controller_hands_its_escrows_back_to_the_payer() {
    let mut c = setup();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let rental = paid(django(), 3_000, || {
        c.open_stream(alice(), stream_terms(3_000, T0, 1_000))
    })
    .unwrap();
    let order = paid(django(), 1_000, || {
        c.open_order(alice(), order_terms(1_000))
    })
    .unwrap();
    assert_refused!(c, Error::ControllerOnly, as_(alice(), || c.release(order)));
    as_(eve(), || c.set_controller(django(), false)).unwrap();
    // The old controller is out; nothing is stuck: Alice acts directly.
    assert_refused!(
        c,
        Error::NotController,
        paid(django(), 300, || c.top_up(rental, 100))
    );
    assert_refused!(c, Error::NotController, as_(django(), || c.release(order)));
    assert_refused!(
        c,
        Error::NotController,
        as_(django(), || c.stop_stream(rental))
    );
    paid(alice(), 300, || c.top_up(rental, 100)).unwrap();
    as_(alice(), || c.release(order)).unwrap();
    as_(alice(), || c.stop_stream(rental)).unwrap();
    assert_eq!(credit(&c, alice()), 3_300);
}

#[ink::test]
fn collateral_locks_are_bounded_and_only_listed_controllers_extend() {
    let mut c = setup();
    let horizon = T0 + MAX_PERIOD_MS;
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(django(), 1_000, || c.lock_collateral(
            bob(),
            Asset::Native,
            1_000,
            horizon + 1
        ))
    );
    let edge = paid(django(), 1_000, || {
        c.lock_collateral(bob(), Asset::Native, 1_000, horizon)
    })
    .unwrap();
    let cid = paid(django(), 1_000, || {
        c.lock_collateral(bob(), Asset::Native, 1_000, T0 + DAY)
    })
    .unwrap();
    assert_eq!(c.collateral(edge).unwrap().unlock_after, horizon);
    assert_refused!(
        c,
        Error::PeriodTooLong,
        as_(django(), || c.extend_collateral(cid, horizon + 1))
    );
    as_(django(), || c.extend_collateral(cid, T0 + 2 * DAY)).unwrap();
    // Governance removes the controller; the extension it tries is otherwise valid.
    as_(eve(), || c.set_controller(django(), false)).unwrap();
    assert!(T0 + 3 * DAY > c.collateral(cid).unwrap().unlock_after && T0 + 3 * DAY <= horizon);
    assert_refused!(
        c,
        Error::NotController,
        as_(django(), || c.extend_collateral(cid, T0 + 3 * DAY))
    );
    // It may still give the collateral back: that only returns money to the owner.
    as_(django(), || c.release_collateral(cid)).unwrap();
    assert_eq!(credit(&c, bob()), 1_000);
    // An owner that locked its own collateral may lengthen its own lock.
    let own = paid(bob(), 500, || {
        c.lock_collateral(bob(), Asset::Native, 500, T0 + DAY)
    })
    .unwrap();
    as_(bob(), || c.extend_collateral(own, T0 + 2 * DAY)).unwrap();
    assert_refused!(
        c,
        Error::NotCollateralController,
        as_(alice(), || c.extend_collateral(own, T0 + 3 * DAY))
    );
}

// ------------------------------------------------------------------ 4. periods

#[ink::test]
fn dispute_keeps_the_ruling_deadline_it_opened_with() {
    let mut c = setup();
    // Delivered orders, so the deadline is the ruling window (an undelivered one also
    // waits for its delivery deadline, see `payer_dispute_cannot_cut_the_delivery_period_short`).
    let a = open(&mut c, 1_000);
    let b = open(&mut c, 1_000);
    for id in [a, b] {
        as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    }
    paid(alice(), 50, || c.dispute(a)).unwrap();
    paid(alice(), 50, || c.dispute(b)).unwrap();
    assert_eq!(
        c.escrow(a).unwrap().dispute.unwrap().ruling_deadline,
        T0 + RULING_MS
    );
    // Governance shortens the window to 1 ms: nobody can expire early.
    as_(eve(), || c.set_dispute_params(BOND_BPS, 1)).unwrap();
    assert_eq!(c.dispute_params().1, 1);
    set_time(T0 + 1);
    assert_refused!(
        c,
        Error::RulingWindowOpen,
        as_(django(), || c.expire_dispute(b))
    );
    set_time(T0 + RULING_MS - 1);
    assert_refused!(
        c,
        Error::RulingWindowOpen,
        as_(django(), || c.expire_dispute(b))
    );
    // ... or stretches it to the maximum: the fallback still comes at the old deadline.
    as_(eve(), || c.set_dispute_params(BOND_BPS, MAX_PERIOD_MS)).unwrap();
    assert_eq!(c.dispute_params().1, MAX_PERIOD_MS);
    assert_eq!(
        c.open_escrows(bob(), 0, 0).items[0].next_deadline,
        T0 + RULING_MS
    );
    set_time(T0 + RULING_MS);
    as_(django(), || c.expire_dispute(a)).unwrap();
    assert_eq!(last_settled().reason, SettleReason::DisputeExpired);
    as_(django(), || c.expire_dispute(b)).unwrap();
    // A dispute opened now gets the new window.
    let d = open(&mut c, 1_000);
    as_(bob(), || c.deliver(d, Hash::from([1; 32]))).unwrap();
    paid(bob(), 50, || c.dispute(d)).unwrap();
    assert_eq!(
        c.escrow(d).unwrap().dispute.unwrap().ruling_deadline,
        T0 + RULING_MS + MAX_PERIOD_MS
    );
}

#[ink::test]
fn periods_and_terms_are_bounded() {
    let mut c = setup();
    let horizon = T0 + MAX_PERIOD_MS;
    assert_refused!(
        c,
        Error::PeriodTooLong,
        as_(eve(), || c.set_dispute_params(BOND_BPS, MAX_PERIOD_MS + 1))
    );
    // Orders: the delivery deadline and the review window.
    let mut t = order_terms(100);
    t.delivery_deadline = horizon + 1;
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), 100, || c.open_order(alice(), t.clone()))
    );
    t.delivery_deadline = horizon;
    t.review_window_ms = MAX_PERIOD_MS + 1;
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), 100, || c.open_order(alice(), t.clone()))
    );
    t.review_window_ms = MAX_PERIOD_MS;
    paid(alice(), 100, || c.open_order(alice(), t.clone())).unwrap();
    // Streams: the start and the length.
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), 10, || c
            .open_stream(alice(), stream_terms(10, horizon + 1, 10)))
    );
    let len = MAX_PERIOD_MS + 1;
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), Balance::from(len), || c.open_stream(
            alice(),
            stream_terms(Balance::from(len), T0, len)
        ))
    );
    let far = paid(alice(), Balance::from(MAX_PERIOD_MS), || {
        c.open_stream(
            alice(),
            stream_terms(Balance::from(MAX_PERIOD_MS), horizon, MAX_PERIOD_MS),
        )
    })
    .unwrap();
    assert!(c.escrow(far).is_some());
    // Waiting streams: the latest start, and the length.
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), 10, || c
            .open_stream(alice(), waiting_terms(10, 10, horizon + 1)))
    );
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), Balance::from(len), || c.open_stream(
            alice(),
            waiting_terms(Balance::from(len), len, horizon)
        ))
    );
    let waiting = paid(alice(), 1_000, || {
        c.open_stream(alice(), waiting_terms(1_000, 1_000, horizon))
    })
    .unwrap();
    // Top-ups: the length, and a started stream's end.
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), Balance::from(MAX_PERIOD_MS - 999), || c
            .top_up(waiting, MAX_PERIOD_MS - 999))
    );
    paid(alice(), Balance::from(MAX_PERIOD_MS - 1_000), || {
        c.top_up(waiting, MAX_PERIOD_MS - 1_000)
    })
    .unwrap();
    assert_eq!(stream_of(&c, waiting).1, MAX_PERIOD_MS);
    let id = open_stream(&mut c, 1_000, T0, 1_000);
    let to_horizon = MAX_PERIOD_MS - 1_000;
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), Balance::from(to_horizon + 1), || c
            .top_up(id, to_horizon + 1))
    );
    paid(alice(), Balance::from(to_horizon), || {
        c.top_up(id, to_horizon)
    })
    .unwrap();
    let (start, duration, ..) = stream_of(&c, id);
    assert_eq!(
        crate::rules::money::stream_end(start, duration),
        Some(horizon)
    );
    // A stream that starts later may not end beyond the horizon either.
    let later = open_stream(&mut c, 1_000, T0 + 1_000, 1_000);
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), Balance::from(to_horizon - 999), || c
            .top_up(later, to_horizon - 999))
    );
}

// ------------------------------------------------------------------ 8. arbiter handover

#[ink::test]
fn arbiter_handover_takes_two_steps() {
    let mut c = setup();
    assert_refused!(
        c,
        Error::NotArbiter,
        as_(frank(), || c.propose_arbiter(Some(frank())))
    );
    as_(eve(), || c.propose_arbiter(Some(frank()))).unwrap();
    // The shared handover event: the arbiter is the vault's admin.
    let (topics, e) = last_of::<AdminProposed>();
    assert_eq!((e.admin, e.proposed), (eve(), Some(frank())));
    assert_eq!(topics[1], topic(&eve()));
    // Nothing has changed yet, and nobody else can take the role.
    assert_eq!((c.arbiter(), c.pending_arbiter()), (eve(), Some(frank())));
    assert_refused!(
        c,
        Error::NotPendingArbiter,
        as_(django(), || c.accept_arbiter())
    );
    assert_refused!(
        c,
        Error::NotPendingArbiter,
        as_(eve(), || c.accept_arbiter())
    );
    // A withdrawn proposal cannot be accepted.
    as_(eve(), || c.propose_arbiter(None)).unwrap();
    assert_eq!(c.pending_arbiter(), None);
    assert_refused!(
        c,
        Error::NotPendingArbiter,
        as_(frank(), || c.accept_arbiter())
    );
    as_(eve(), || c.propose_arbiter(Some(frank()))).unwrap();
    as_(frank(), || c.accept_arbiter()).unwrap();
    let (topics, e) = last_of::<AdminChanged>();
    assert_eq!((e.previous, e.new), (eve(), frank()));
    assert_eq!(topics[1..], [topic(&eve()), topic(&frank())]);
    assert_eq!((c.arbiter(), c.pending_arbiter()), (frank(), None));
    assert_refused!(c, Error::NotArbiter, as_(eve(), || c.set_fee_bps(1)));
    assert_refused!(
        c,
        Error::NotPendingArbiter,
        as_(frank(), || c.accept_arbiter())
    );
    as_(frank(), || c.set_fee_bps(1)).unwrap();
}

// ------------------------------------------------------------------ 9. events for dApps

#[ink::test]
fn events_name_the_parties_for_dapps() {
    let mut c = setup();
    let (topics, e) = last_of::<VaultCreated>();
    assert_eq!(
        (
            e.arbiter,
            e.treasury,
            e.fee_bps,
            e.bond_bps,
            e.ruling_window_ms,
            e.min_native_deposit
        ),
        (eve(), frank(), FEE_BPS, BOND_BPS, RULING_MS, MIN_NATIVE)
    );
    assert_eq!(topics[1], topic(&eve()));
    let id = open(&mut c, 1_000);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    let (topics, e) = last_of::<OrderDelivered>();
    assert_eq!(topics.len(), 4);
    assert_eq!(topics[1..], [topic(&id), topic(&alice()), topic(&bob())]);
    assert_eq!(e.review_ends, T0 + DAY);
    paid(bob(), 60, || c.dispute(id)).unwrap();
    let (topics, e) = last_of::<EscrowDisputed>();
    assert_eq!(topics.len(), 4);
    assert_eq!(topics[1..], [topic(&id), topic(&alice()), topic(&bob())]);
    assert_eq!(
        (e.by, e.bond, e.excess_credited, e.ruling_deadline),
        (bob(), 50, 10, T0 + RULING_MS)
    );
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let cid = paid(django(), 1_000, || {
        c.lock_collateral(bob(), Asset::Native, 1_000, T0 + DAY)
    })
    .unwrap();
    as_(eve(), || {
        c.slash_collateral(cid, vec![(alice(), 300), (charlie(), 200)])
    })
    .unwrap();
    let (topics, e) = last_of::<CollateralSlashed>();
    assert_eq!(topics[1..], [topic(&cid), topic(&bob())]);
    assert_eq!(e.owner, bob());
    assert_eq!(e.receivers, vec![(alice(), 300), (charlie(), 200)]);
    assert_eq!((e.total, e.remaining), (500, 500));
}
