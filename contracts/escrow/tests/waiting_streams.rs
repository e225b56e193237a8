//! Waiting streams, which run from when their payee starts them: who may start them and
//! until when, what is refused while waiting, stop, refund, top-up, cancellation after
//! `start_by`, and the no-show penalty paid out of the payee's collateral.

use super::*;

// ------------------------------------------------------------------ waiting streams

#[ink::test]
fn waiting_stream_runs_from_when_its_payee_starts_it() {
    let mut c = setup();
    let id = open_waiting(&mut c, 10_000, 1_000, T0 + DAY);
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Waiting);
    assert!(matches!(
        rec.terms,
        EscrowTerms::Stream {
            start: None,
            duration_ms: 1_000,
            start_by,
            no_show_penalty: 0,
            deposit: 10_000,
            paid_out: 0,
            frozen_at: None,
            min_payout: 0,
        } if start_by == T0 + DAY
    ));
    let (topics, e) = last_of::<StreamOpened>();
    assert_eq!(topics[1..], [topic(&id), topic(&alice()), topic(&bob())]);
    assert_eq!(
        (
            e.deposit,
            e.duration_ms,
            e.start,
            e.start_by,
            e.no_show_penalty
        ),
        (10_000, 1_000, None, T0 + DAY, 0)
    );
    assert_eq!(owed(&c), 10_000);
    // Until it starts, the next deadline is its latest start.
    assert_eq!(c.open_escrows(bob(), 0, 0).items[0].next_deadline, T0 + DAY);
    assert_eq!(
        c.open_escrows(alice(), 0, 0).items[0].state,
        EscrowState::Waiting
    );
    // Only the payee starts it.
    set_time(T0 + 500);
    assert_eq!(c.claimable(id), 0);
    assert_refused!(c, Error::NotPayee, as_(alice(), || c.start_stream(id)));
    assert_refused!(c, Error::NotPayee, as_(charlie(), || c.start_stream(id)));
    as_(bob(), || c.start_stream(id)).unwrap();
    let (topics, e) = last_of::<StreamStarted>();
    assert_eq!(topics[1..], [topic(&id), topic(&alice()), topic(&bob())]);
    assert_eq!(
        (e.id, e.payer, e.payee, e.start, e.end),
        (id, alice(), bob(), T0 + 500, T0 + 1_500)
    );
    assert_eq!(c.escrow(id).unwrap().state, EscrowState::Streaming);
    assert_eq!(stream_of(&c, id), (Some(T0 + 500), 1_000, 10_000, 0));
    assert_eq!(
        c.open_escrows(bob(), 0, 0).items[0].next_deadline,
        T0 + 1_500
    );
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(bob(), || c.start_stream(id))
    );
    // It accrues from its start, not from when it opened.
    set_time(T0 + 1_000);
    assert_eq!(as_(django(), || c.claim(id)), Ok(5_000));
    // A started stream is never cancelled as a no-show, even after its latest start.
    set_time(T0 + DAY + 1);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(charlie(), || c.cancel_unstarted(id))
    );
    assert_eq!(as_(django(), || c.claim(id)), Ok(5_000));
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
    assert_refused!(c, Error::EscrowNotOpen, as_(bob(), || c.start_stream(id)));
    assert_refused!(
        c,
        Error::EscrowNotOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
}

#[ink::test]
fn only_the_controller_starts_a_stream_it_opened() {
    let mut c = setup();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    as_(eve(), || c.set_controller(charlie(), true)).unwrap();
    let rental = paid(django(), 3_000, || {
        c.open_stream(alice(), waiting_terms(3_000, 1_000, T0 + DAY))
    })
    .unwrap();
    // The payee goes around the controller (which knows when the service began).
    assert_refused!(
        c,
        Error::ControllerOnly,
        as_(bob(), || c.start_stream(rental))
    );
    assert_refused!(
        c,
        Error::NotOpener,
        as_(charlie(), || c.start_stream(rental))
    );
    assert_refused!(c, Error::NotPayee, as_(alice(), || c.start_stream(rental)));
    set_time(T0 + 10);
    as_(django(), || c.start_stream(rental)).unwrap();
    assert_eq!(stream_of(&c, rental).0, Some(T0 + 10));
    // A controller has no say over a stream it did not open.
    let own = open_waiting(&mut c, 3_000, 1_000, T0 + DAY);
    assert_refused!(c, Error::NotOpener, as_(django(), || c.start_stream(own)));
    // Once governance removes the controller, the payee starts its streams itself.
    let later = paid(django(), 3_000, || {
        c.open_stream(alice(), waiting_terms(3_000, 1_000, T0 + DAY))
    })
    .unwrap();
    as_(eve(), || c.set_controller(django(), false)).unwrap();
    assert_refused!(c, Error::NotPayee, as_(django(), || c.start_stream(later)));
    as_(bob(), || c.start_stream(later)).unwrap();
    assert_eq!(c.escrow(later).unwrap().state, EscrowState::Streaming);
}

#[ink::test]
fn a_waiting_stream_starts_no_later_than_its_start_by() {
    let mut c = setup();
    let on_time = open_waiting(&mut c, 1_000, 1_000, T0 + 100);
    let late = open_waiting(&mut c, 1_000, 1_000, T0 + 100);
    set_time(T0 + 100);
    as_(bob(), || c.start_stream(on_time)).unwrap();
    assert_eq!(stream_of(&c, on_time).0, Some(T0 + 100));
    set_time(T0 + 101);
    assert_refused!(
        c,
        Error::StartWindowPassed,
        as_(bob(), || c.start_stream(late))
    );
    // Nor can it be topped up any more: it can only be cancelled (or stopped, refunded).
    assert_refused!(
        c,
        Error::StartWindowPassed,
        paid(alice(), 100, || c.top_up(late, 100))
    );
    let order = open(&mut c, 100);
    assert_refused!(
        c,
        Error::WrongEscrowKind,
        as_(bob(), || c.start_stream(order))
    );
    assert_refused!(
        c,
        Error::WrongEscrowKind,
        as_(bob(), || c.cancel_unstarted(order))
    );
    assert_refused!(c, Error::EscrowNotFound, as_(bob(), || c.start_stream(99)));
    // A stream opened with a start is started already.
    let fixed = open_stream(&mut c, 1_000, T0 + 200, 1_000);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(bob(), || c.start_stream(fixed))
    );
}

#[ink::test]
fn nothing_is_claimed_or_disputed_while_waiting() {
    let mut c = setup();
    let id = open_waiting(&mut c, 10_000, 1_000, T0 + DAY);
    set_time(T0 + 5_000);
    assert_eq!(c.claimable(id), 0);
    assert_eq!(c.required_bond(id), None);
    assert_refused!(c, Error::StreamNotStarted, as_(django(), || c.claim(id)));
    assert_refused!(
        c,
        Error::StreamNotStarted,
        paid(alice(), 500, || c.dispute(id))
    );
    assert_refused!(
        c,
        Error::StreamNotStarted,
        paid(bob(), 500, || c.dispute(id))
    );
    assert_refused!(c, Error::NotParty, paid(charlie(), 500, || c.dispute(id)));
}

#[ink::test]
fn stopping_or_refunding_a_waiting_stream_gives_everything_back() {
    let mut c = setup();
    let id = open_waiting(&mut c, 10_000, 1_000, T0 + DAY);
    set_time(T0 + 600);
    assert_refused!(c, Error::NotPayer, as_(bob(), || c.stop_stream(id)));
    as_(alice(), || c.stop_stream(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.to_payee, e.fee, e.refund),
        (SettleReason::StoppedByPayer, 0, 0, 10_000)
    );
    assert_eq!(credit(&c, alice()), 10_000);
    assert_eq!(c.open_escrow_count(bob()), 0);
    // Also after its latest start: a waiting stream has no end to stop before.
    let late = open_waiting(&mut c, 2_000, 1_000, T0 + 700);
    set_time(T0 + DAY);
    as_(alice(), || c.stop_stream(late)).unwrap();
    assert_eq!(last_settled().refund, 2_000);
    // The payee gives a waiting stream back whole too.
    let id = open_waiting(&mut c, 3_000, 1_000, T0 + 2 * DAY);
    as_(bob(), || c.refund(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.to_payee, e.refund),
        (SettleReason::RefundedByPayee, 0, 3_000)
    );
    assert_eq!(credit(&c, alice()), 15_000);
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 0);
    assert_eq!(owed(&c), 15_000);
}

#[ink::test]
fn a_waiting_stream_can_be_topped_up_until_its_start_by() {
    let mut c = setup();
    let id = open_waiting(&mut c, 3_000, 1_000, T0 + DAY);
    assert_refused!(c, Error::NotPayer, paid(bob(), 300, || c.top_up(id, 100)));
    paid(alice(), 300, || c.top_up(id, 100)).unwrap();
    assert_eq!(stream_of(&c, id), (None, 1_100, 3_300, 0));
    let (_, e) = last_of::<StreamToppedUp>();
    assert_eq!(
        (e.added, e.extra_ms, e.new_duration_ms, e.new_end),
        (300, 100, 1_100, None)
    );
    set_time(T0 + DAY);
    paid(alice(), 300, || c.top_up(id, 100)).unwrap();
    as_(bob(), || c.start_stream(id)).unwrap();
    let (_, e) = last_of::<StreamStarted>();
    assert_eq!((e.start, e.end), (T0 + DAY, T0 + DAY + 1_200));
    set_time(T0 + DAY + 1_200);
    assert_eq!(as_(django(), || c.claim(id)), Ok(3_600));
}

#[ink::test]
fn cancel_unstarted_waits_for_start_by_then_anyone_refunds_the_payer() {
    let mut c = setup();
    let id = open_waiting(&mut c, 10_000, 1_000, T0 + DAY);
    assert_refused!(
        c,
        Error::StartWindowOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
    // The payee may still start it at its latest start.
    set_time(T0 + DAY);
    assert_refused!(
        c,
        Error::StartWindowOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
    set_time(T0 + DAY + 1);
    let events = event_count();
    assert_eq!(as_(charlie(), || c.cancel_unstarted(id)), Ok(0));
    // No penalty: only the settlement is emitted.
    assert_eq!(event_count(), events + 1);
    let e = last_settled();
    assert_eq!(
        (e.reason, e.to_payee, e.fee, e.royalties, e.refund),
        (SettleReason::NotStarted, 0, 0, 0, 10_000)
    );
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Settled);
    let s = rec.settlement.unwrap();
    assert_eq!(
        (s.reason, s.payee_share_bps, s.at),
        (SettleReason::NotStarted, 0, T0 + DAY + 1)
    );
    assert_eq!(credit(&c, alice()), 10_000);
    assert_eq!(
        (c.open_escrow_count(alice()), c.open_escrow_count(bob())),
        (0, 0)
    );
    assert_refused!(
        c,
        Error::EscrowNotOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
    assert_refused!(
        c,
        Error::EscrowNotFound,
        as_(charlie(), || c.cancel_unstarted(99))
    );
    // A stream opened with a start can never be cancelled as a no-show.
    let fixed = open_stream(&mut c, 1_000, T0 + DAY + 10, 1_000);
    set_time(T0 + 3 * DAY);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(charlie(), || c.cancel_unstarted(fixed))
    );
}

/// Django (a controller) locks `amount` of collateral for Bob and opens, for Alice, a
/// waiting stream of 10 000 over 1 000 ms that must start by `T0 + DAY`, with `penalty`
/// out of that collateral. Returns `(collateral, stream)`.
fn open_with_penalty(c: &mut Escrow, amount: Balance, penalty: Balance) -> (u64, u64) {
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let cid = paid(django(), amount, || {
        c.lock_collateral(bob(), Asset::Native, amount, T0 + DAY)
    })
    .unwrap();
    let mut t = waiting_terms(10_000, 1_000, T0 + DAY);
    t.collateral = Some(cid);
    t.no_show_penalty = penalty;
    let id = paid(django(), 10_000, || c.open_stream(alice(), t)).unwrap();
    (cid, id)
}

#[ink::test]
fn a_no_show_pays_its_penalty_out_of_the_collateral() {
    let mut c = setup();
    let (cid, id) = open_with_penalty(&mut c, 1_000, 400);
    let (_, e) = last_of::<StreamOpened>();
    assert_eq!((e.no_show_penalty, e.opener), (400, django()));
    assert!(matches!(
        c.escrow(id).unwrap().terms,
        EscrowTerms::Stream {
            no_show_penalty: 400,
            ..
        }
    ));
    assert_eq!(c.collateral(cid).unwrap().open, 1);
    set_time(T0 + DAY + 1);
    let events = event_count();
    assert_eq!(as_(charlie(), || c.cancel_unstarted(id)), Ok(400));
    assert_eq!(event_count(), events + 2);
    // The settlement first, then the penalty.
    let e = <EscrowSettled as ink::scale::Decode>::decode(
        &mut &test::recorded_events().nth(events).unwrap().data[..],
    )
    .unwrap();
    assert_eq!((e.reason, e.refund), (SettleReason::NotStarted, 10_000));
    let (topics, p) = last_of::<NoShowPenaltyPaid>();
    assert_eq!(topics[1..], [topic(&id), topic(&cid), topic(&alice())]);
    assert_eq!(
        (p.id, p.collateral, p.payer, p.amount),
        (id, cid, alice(), 400)
    );
    // The payer gets the deposit and the penalty; the collateral shrank by exactly it.
    assert_eq!(credit(&c, alice()), 10_400);
    let col = c.collateral(cid).unwrap();
    assert_eq!((col.amount, col.open, col.released), (600, 0, false));
    assert_eq!(owed(&c), 11_000);
    // The rest of the collateral is still its owner's to take back.
    as_(bob(), || c.release_collateral(cid)).unwrap();
    assert_eq!(credit(&c, bob()), 600);
    assert_eq!(owed(&c), 11_000);
    assert_eq!(as_(alice(), || c.withdraw(Asset::Native)), Ok(10_400));
    assert_eq!(as_(bob(), || c.withdraw(Asset::Native)), Ok(600));
    assert_eq!(owed(&c), 0);
    assert_eq!(vault_balance(), BASE);
}

#[ink::test]
fn a_started_stream_pays_no_penalty_and_keeps_its_collateral() {
    let mut c = setup();
    let (cid, id) = open_with_penalty(&mut c, 1_000, 1_000);
    assert_refused!(
        c,
        Error::CollateralInUse,
        as_(django(), || c.release_collateral(cid))
    );
    set_time(T0 + DAY);
    as_(django(), || c.start_stream(id)).unwrap();
    set_time(T0 + 2 * DAY);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(alice(), || c.cancel_unstarted(id))
    );
    as_(django(), || c.claim(id)).unwrap();
    assert_eq!(c.collateral(cid).unwrap().amount, 1_000);
    as_(bob(), || c.release_collateral(cid)).unwrap();
    assert_eq!(credit(&c, bob()), 1_000 + 10_000 - 250);
}

#[ink::test]
fn the_penalty_is_capped_by_what_the_collateral_still_holds() {
    let mut c = setup();
    let (cid, id) = open_with_penalty(&mut c, 1_000, 800);
    // The arbiter slashes the collateral below the penalty while the stream waits.
    as_(eve(), || c.slash_collateral(cid, vec![(charlie(), 500)])).unwrap();
    set_time(T0 + DAY + 1);
    assert_eq!(as_(django(), || c.cancel_unstarted(id)), Ok(500));
    assert_eq!(last_of::<NoShowPenaltyPaid>().1.amount, 500);
    assert_eq!(credit(&c, alice()), 10_500);
    let col = c.collateral(cid).unwrap();
    assert_eq!((col.amount, col.open), (0, 0));
    as_(django(), || c.release_collateral(cid)).unwrap();
    assert!(c.collateral(cid).unwrap().released);
    assert_eq!(credit(&c, bob()), 0);

    // Slashed to nothing: the stream is still cancelled, and no penalty is reported.
    set_time(T0);
    let (cid, id) = open_with_penalty(&mut c, 300, 300);
    as_(eve(), || c.slash_collateral(cid, vec![(charlie(), 300)])).unwrap();
    set_time(T0 + DAY + 1);
    let penalties = events_of::<NoShowPenaltyPaid>().len();
    assert_eq!(as_(django(), || c.cancel_unstarted(id)), Ok(0));
    assert_eq!(events_of::<NoShowPenaltyPaid>().len(), penalties);
    assert_eq!(last_settled().refund, 10_000);
    assert_eq!(credit(&c, alice()), 20_500);
    assert_eq!(credit(&c, charlie()), 800);
}

#[ink::test]
fn a_penalty_needs_a_waiting_stream_and_enough_collateral() {
    let mut c = setup();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let cid = paid(django(), 1_000, || {
        c.lock_collateral(bob(), Asset::Native, 1_000, T0 + DAY)
    })
    .unwrap();
    let mut t = waiting_terms(10_000, 1_000, T0 + DAY);
    t.no_show_penalty = 1;
    // No collateral to pay it from.
    assert_refused!(
        c,
        Error::InvalidPenalty,
        paid(django(), 10_000, || c.open_stream(alice(), t.clone()))
    );
    // More than the collateral holds.
    t.collateral = Some(cid);
    t.no_show_penalty = 1_001;
    assert_refused!(
        c,
        Error::InvalidPenalty,
        paid(django(), 10_000, || c.open_stream(alice(), t.clone()))
    );
    // A stream with a start cannot be a no-show.
    let mut fixed = t.clone();
    fixed.start = Some(T0 + 10);
    fixed.no_show_penalty = 1;
    assert_refused!(
        c,
        Error::InvalidPenalty,
        paid(django(), 10_000, || c.open_stream(alice(), fixed.clone()))
    );
    // Only the collateral's controller links it (the payer gets no penalty out of a
    // lock it does not control).
    assert_refused!(
        c,
        Error::NotCollateralController,
        paid(alice(), 10_000, || c.open_stream(alice(), t.clone()))
    );
    // Up to all of it.
    t.no_show_penalty = 1_000;
    paid(django(), 10_000, || c.open_stream(alice(), t.clone())).unwrap();
    assert_eq!(c.collateral(cid).unwrap().open, 1);
}
