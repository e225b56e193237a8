//! Streams that run from a fixed start: accrual, claims, stop and top-up, refusals,
//! disputes, near-maximal streams, and low prices accrued exactly.

use super::*;

// ------------------------------------------------------------------ streams

#[ink::test]
fn stream_accrues_claims_once_and_completes() {
    let mut c = setup();
    let id = open_stream(&mut c, 10_000, T0 + 100, 1_000);
    assert_eq!(owed(&c), 10_000);
    assert_refused!(c, Error::NothingToClaim, as_(django(), || c.claim(id)));
    set_time(T0 + 600);
    assert_eq!(c.claimable(id), 5_000);
    assert_eq!(as_(django(), || c.claim(id)), Ok(5_000));
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 5_000);
    // The same interval pays nothing twice.
    assert_refused!(c, Error::NothingToClaim, as_(django(), || c.claim(id)));
    set_time(T0 + 5_000);
    assert_eq!(as_(bob(), || c.claim(id)), Ok(5_000));
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
    assert_eq!(c.escrow(id).unwrap().state, EscrowState::Settled);
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 10_000);
    assert_eq!(credit(&c, frank()), 250);
    assert_refused!(c, Error::EscrowNotOpen, as_(bob(), || c.claim(id)));
}

#[ink::test]
fn stop_refunds_unused_time_and_top_up_extends() {
    let mut c = setup();
    let id = open_stream(&mut c, 3_000, T0, 1_000); // 3 per ms
    assert_refused!(c, Error::WrongValue, paid(alice(), 1, || c.top_up(id, 100)));
    assert_refused!(c, Error::NotPayer, paid(bob(), 300, || c.top_up(id, 100)));
    assert_refused!(c, Error::ZeroAmount, paid(alice(), 0, || c.top_up(id, 0)));
    paid(alice(), 300, || c.top_up(id, 100)).unwrap();
    assert_eq!(stream_of(&c, id), (Some(T0), 1_100, 3_300, 0));
    let (topics, e) = last_of::<StreamToppedUp>();
    assert_eq!(topics[1..], [topic(&id), topic(&alice()), topic(&bob())]);
    assert_eq!(
        (e.added, e.extra_ms, e.new_duration_ms, e.new_end),
        (300, 100, 1_100, Some(T0 + 1_100))
    );
    set_time(T0 + 400);
    as_(django(), || c.claim(id)).unwrap(); // 1 200 to the payee side
    set_time(T0 + 500);
    assert_refused!(c, Error::NotPayer, as_(bob(), || c.stop_stream(id)));
    as_(alice(), || c.stop_stream(id)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::StoppedByPayer);
    assert_eq!((e.to_payee + e.fee, e.refund), (300, 3_300 - 1_500));
    assert_eq!(credit(&c, alice()), 1_800);
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 1_500);
    assert_refused!(c, Error::EscrowNotOpen, as_(alice(), || c.stop_stream(id)));
}

#[ink::test]
fn stream_refusals() {
    let mut c = setup();
    let t = stream_terms(50, T0, 10);
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 49, || c.open_stream(alice(), t.clone()))
    );
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 51, || c.open_stream(alice(), t.clone()))
    );
    let mut bad = t.clone();
    bad.start = Some(T0 - 1);
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 50, || c.open_stream(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.duration_ms = 0;
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 50, || c.open_stream(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.amount = 0;
    assert_refused!(
        c,
        Error::ZeroAmount,
        paid(alice(), 0, || c.open_stream(alice(), bad.clone()))
    );
    // A waiting stream's latest start must be in the future.
    let mut bad = waiting_terms(50, 10, T0);
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 50, || c.open_stream(alice(), bad.clone()))
    );
    bad.start_by = T0 + 1;
    bad.payee = alice();
    assert_refused!(
        c,
        Error::SelfDeal,
        paid(alice(), 50, || c.open_stream(alice(), bad.clone()))
    );
    // No price overflows any more: the largest deposit a stream can take is accepted
    // at any length (see `near_max_stream_accrues_exactly`).
    let id = open_stream(&mut c, 50, T0, 10);
    let order = open(&mut c, 100);
    assert_refused!(c, Error::WrongEscrowKind, as_(alice(), || c.release(id)));
    assert_refused!(
        c,
        Error::WrongEscrowKind,
        as_(alice(), || c.stop_stream(order))
    );
    assert_refused!(c, Error::WrongEscrowKind, as_(alice(), || c.claim(order)));
    set_time(T0 + 10);
    assert_refused!(c, Error::StreamEnded, as_(alice(), || c.stop_stream(id)));
    assert_refused!(c, Error::StreamEnded, paid(alice(), 5, || c.top_up(id, 1)));
}

#[ink::test]
fn stream_dispute_freezes_the_remainder() {
    let mut c = setup();
    let id = open_stream(&mut c, 10_000, T0, 1_000);
    set_time(T0 + 200);
    as_(bob(), || c.claim(id)).unwrap(); // 2 000 paid out
    set_time(T0 + 300);
    assert_eq!(c.required_bond(id), Some(400)); // 5 % of the 8 000 left
    paid(alice(), 400, || c.dispute(id)).unwrap();
    set_time(T0 + 900);
    assert_eq!(c.claimable(id), 0);
    assert_refused!(c, Error::EscrowNotOpen, as_(bob(), || c.claim(id)));
    // Unruled: what accrued until the freeze (1 000) to the payee side, 7 000 back.
    set_time(T0 + 300 + RULING_MS);
    as_(django(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.to_payee + e.fee, e.refund, e.bond_returned),
        (1_000, 7_000, 400)
    );
    assert_eq!(credit(&c, alice()), 7_400);
}

#[ink::test]
fn near_max_stream_accrues_exactly() {
    // The largest deposit the emulated balance takes, over the longest stream: no price
    // per millisecond to overflow, and the end pays exactly the deposit.
    let mut c = setup();
    let big = u128::MAX - 2 * BASE;
    let len = market_types::MAX_PERIOD_MS;
    let id = open_stream(&mut c, big, T0, len);
    set_time(T0 + len / 2);
    let half = as_(django(), || c.claim(id)).unwrap();
    assert_eq!(half, big / 2);
    set_time(T0 + len);
    let rest = as_(django(), || c.claim(id)).unwrap();
    assert_eq!(half.checked_add(rest), Some(big));
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
}

// ------------------------------------------------------------------ exact low prices

/// 0.50 an hour in a 6-decimal token: 500 000 units over 3 600 000 ms, far below one
/// unit per millisecond (the old per-ms rate could not express it).
const HALF_PER_HOUR: Balance = 500_000;
const HOUR: u64 = 3_600_000;

#[ink::test]
fn a_low_price_accrues_exactly_and_sums_to_the_deposit() {
    let mut c = setup_with_token();
    fund_psp22(alice(), HALF_PER_HOUR, HALF_PER_HOUR);
    let mut t = stream_terms(HALF_PER_HOUR, T0, HOUR);
    t.asset = psp22();
    let id = as_(alice(), || c.open_stream(alice(), t)).unwrap();
    assert_eq!(token_balance(vault_id()), HALF_PER_HOUR);
    // A millisecond earns less than a unit: nothing to claim yet.
    set_time(T0 + 1);
    assert_refused!(c, Error::NothingToClaim, as_(django(), || c.claim(id)));
    // floor(500 000 × elapsed / 3 600 000), cumulatively.
    let mut total = 0;
    for (at, gross) in [
        (36_000, 5_000),
        (1_000_007, 133_889),
        (2_500_001, 208_333),
        (HOUR - 1, 152_777),
    ] {
        set_time(T0 + at);
        assert_eq!(c.claimable(id), gross, "at {at}");
        assert_eq!(as_(django(), || c.claim(id)), Ok(gross), "at {at}");
        total += gross;
        assert_eq!(stream_of(&c, id).3, total);
        assert_refused!(c, Error::NothingToClaim, as_(django(), || c.claim(id)));
    }
    assert_eq!(total, 499_999);
    // The end pays exactly the rest, and the stream completes.
    set_time(T0 + HOUR + 5);
    assert_eq!(as_(django(), || c.claim(id)), Ok(1));
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
    let payee_side = c.credit_of(bob(), psp22()) + c.credit_of(frank(), psp22());
    assert_eq!(payee_side, HALF_PER_HOUR);
    // Each claim's fee is rounded down: 125 + 3 347 + 5 208 + 3 819 + 0.
    assert_eq!(c.credit_of(frank(), psp22()), 12_499);
    assert_eq!(
        as_(bob(), || c.withdraw(psp22())).unwrap() + as_(frank(), || c.withdraw(psp22())).unwrap(),
        HALF_PER_HOUR
    );
    assert_eq!(token_balance(vault_id()), 0);
}

#[ink::test]
fn stopping_a_low_price_stream_splits_it_exactly() {
    let mut c = setup_with_token();
    fund_psp22(alice(), HALF_PER_HOUR, HALF_PER_HOUR);
    let mut t = stream_terms(HALF_PER_HOUR, T0, HOUR);
    t.asset = psp22();
    let id = as_(alice(), || c.open_stream(alice(), t)).unwrap();
    set_time(T0 + 36_000);
    assert_eq!(as_(django(), || c.claim(id)), Ok(5_000));
    set_time(T0 + 1_234_567);
    as_(alice(), || c.stop_stream(id)).unwrap();
    let e = last_settled();
    // floor(500 000 × 1 234 567 / 3 600 000) = 171 467 earned, 5 000 of it claimed.
    assert_eq!(e.to_payee + e.fee, 171_467 - 5_000);
    assert_eq!(e.refund, HALF_PER_HOUR - 171_467);
    assert_eq!(5_000 + e.to_payee + e.fee + e.refund, HALF_PER_HOUR);
    assert_eq!(c.credit_of(alice(), psp22()), 328_533);
    assert_eq!(
        c.credit_of(bob(), psp22()) + c.credit_of(frank(), psp22()),
        171_467
    );
}

#[ink::test]
fn top_ups_keep_the_price_exact_or_are_refused() {
    let mut c = setup();
    let id = open_stream(&mut c, HALF_PER_HOUR, T0, HOUR);
    // 500 000 × 1 / 3 600 000 and × 1 000 / 3 600 000 are not whole units.
    assert_refused!(c, Error::InexactTopUp, paid(alice(), 1, || c.top_up(id, 1)));
    assert_refused!(
        c,
        Error::InexactTopUp,
        paid(alice(), 139, || c.top_up(id, 1_000))
    );
    assert_refused!(
        c,
        Error::InexactTopUp,
        paid(alice(), 0, || c.top_up(id, 1_000))
    );
    // Part-way through, what accrued stays what it was.
    set_time(T0 + 1_000_007);
    assert_eq!(as_(django(), || c.claim(id)), Ok(138_889));
    set_time(T0 + 2_500_001);
    let before = c.claimable(id);
    assert_eq!(before, 208_333);
    // 7 200 ms at 0.50 an hour is 1 000 units; an hour, 500 000.
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 999, || c.top_up(id, 7_200))
    );
    paid(alice(), 1_000, || c.top_up(id, 7_200)).unwrap();
    assert_eq!(c.claimable(id), before);
    paid(alice(), HALF_PER_HOUR, || c.top_up(id, HOUR)).unwrap();
    assert_eq!(c.claimable(id), before);
    assert_eq!(
        stream_of(&c, id),
        (
            Some(T0),
            2 * HOUR + 7_200,
            2 * HALF_PER_HOUR + 1_000,
            138_889
        )
    );
    let (_, e) = last_of::<StreamToppedUp>();
    assert_eq!(
        (e.added, e.extra_ms, e.new_duration_ms, e.new_end),
        (
            HALF_PER_HOUR,
            HOUR,
            2 * HOUR + 7_200,
            Some(T0 + 2 * HOUR + 7_200)
        )
    );
    // Still 0.50 an hour: at one hour past the old end, exactly 500 000 more accrued.
    set_time(T0 + 2 * HOUR);
    assert_eq!(c.claimable(id), 1_000_000 - 138_889);
    // At the new end the claims add up to the whole deposit.
    set_time(T0 + 2 * HOUR + 7_200);
    assert_eq!(
        as_(django(), || c.claim(id)),
        Ok(2 * HALF_PER_HOUR + 1_000 - 138_889)
    );
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
    assert_eq!(
        credit(&c, bob()) + credit(&c, frank()),
        2 * HALF_PER_HOUR + 1_000
    );
}
