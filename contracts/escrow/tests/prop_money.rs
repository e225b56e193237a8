//! Property tests of the vault's money modules on their own, for any amounts up to
//! `u128::MAX`: the settlement planner (a plan's credits add up to what the escrow held
//! plus its bond, its event and record agree with them, and the finalize, refund and
//! fallback rules never ask for more than the escrow holds), the claim planner (a
//! stream pays exactly `deposit × elapsed / duration`, rounded down, over its claims,
//! and its whole deposit at the end), top-ups (exact, or refused, and never changing
//! what already accrued), and the ledger against a model of it. The accrual model is
//! [`mul_div`], a 256-bit computation written apart from `market_types::math`. `prop.rs`
//! drives the same code through the contract.

use super::*;
use crate::ledger::Ledger;
use crate::rules::money::{accrued, held, unpaid_accrual};
use crate::rules::settlement::{
    fallback_side, finalize_side, plan, plan_claim, refund_side, PayeeSide,
};
use crate::types::{Dispute, EscrowRecord};
use market_types::math::{bps_of, proportional_top_up};
use market_types::{Bps, Settlement, BPS_DENOMINATOR, MAX_PERIOD_MS};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::Cell;

const TREASURY: u8 = 0xEE;

fn account(b: u8) -> AccountId {
    AccountId::from([b; 32])
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 4_000,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..Config::default()
    })
}

/// Any amount, with the edges and the top of the range well represented.
fn any_amount() -> impl Strategy<Value = Balance> {
    prop_oneof![
        Just(0u128),
        1..=1_000u128,
        any::<u128>(),
        (u128::MAX - 1_000)..=u128::MAX,
    ]
}

fn reason() -> impl Strategy<Value = SettleReason> {
    prop_oneof![
        Just(SettleReason::Released),
        Just(SettleReason::AutoReleased),
        Just(SettleReason::RefundedAfterDeadline),
        Just(SettleReason::RefundedByPayee),
        Just(SettleReason::Resolved),
        Just(SettleReason::DisputeExpired),
        Just(SettleReason::StoppedByPayer),
        Just(SettleReason::StreamCompleted),
        Just(SettleReason::NotStarted),
    ]
}

/// A fee up to the vault's cap and up to four royalties whose shares fit beside it.
fn shares() -> impl Strategy<Value = (Bps, Vec<Royalty>)> {
    (
        0..=MAX_FEE_BPS,
        proptest::collection::vec((10u8..14, 0u16..=2_250), 0..=4),
    )
        .prop_map(|(fee, rs)| {
            let royalties = rs
                .into_iter()
                .map(|(who, bps)| Royalty {
                    receiver: account(who),
                    bps,
                })
                .collect();
            (fee, royalties)
        })
}

/// `floor(a × b / c)` and whether it is exact, computed on four 64-bit limbs (so
/// independently of `market_types::math`), or `None` when it does not fit in 128 bits.
pub(super) fn mul_div(a: u128, b: u64, c: u64) -> Option<(u128, bool)> {
    assert!(c > 0, "division by zero");
    let mask = u128::from(u64::MAX);
    let b = u128::from(b);
    // a × b = p1 × 2⁶⁴ + p0, each product below 2¹²⁸.
    let (p1, p0) = ((a >> 64) * b, (a & mask) * b);
    let mid = (p0 >> 64) + (p1 & mask);
    let high = (p1 >> 64) + (mid >> 64);
    let limbs = [high >> 64, high & mask, mid & mask, p0 & mask];
    // Long division by a 64-bit divisor, one limb at a time (each quotient limb < 2⁶⁴).
    let c = u128::from(c);
    let (mut q, mut rem) = ([0u128; 4], 0u128);
    for (i, limb) in limbs.into_iter().enumerate() {
        let cur = (rem << 64) | limb;
        q[i] = cur / c;
        rem = cur % c;
    }
    if q[0] != 0 || q[1] != 0 {
        return None;
    }
    Some(((q[2] << 64) | q[3], rem == 0))
}

/// What a stream of `deposit` over `duration` from `start` has earned at `t`:
/// `deposit × (min(t, end) − start) / duration`, rounded down (zero before `start`).
pub(super) fn model_accrued(
    deposit: Balance,
    start: Timestamp,
    duration: u64,
    t: Timestamp,
) -> Balance {
    let elapsed = t.min(start + duration).saturating_sub(start);
    mul_div(deposit, elapsed, duration)
        .expect("elapsed ≤ duration")
        .0
}

const HOUR: u64 = 3_600_000;

/// A stream's length: short, any, an hour, the longest.
fn duration() -> impl Strategy<Value = u64> {
    prop_oneof![
        1..=1_000u64,
        1..=MAX_PERIOD_MS,
        Just(HOUR),
        Just(MAX_PERIOD_MS),
    ]
}

/// A deposit for a stream of `len` ms: from one unit an hour (or one unit in all) up to
/// near `u128::MAX`.
fn deposit(len: u64) -> impl Strategy<Value = Balance> {
    let hours = u128::from(len / HOUR).max(1);
    prop_oneof![
        (1..=10u128).prop_map(move |units| units * hours),
        1..=1_000u128,
        any::<u128>().prop_map(|d| d.max(1)),
        (u128::MAX - 1_000)..=u128::MAX,
    ]
}

/// A started stream: `(deposit, start, duration, claimed_ms)`, claimed up to
/// `start + claimed_ms` (at most its end).
fn stream_terms() -> impl Strategy<Value = (Balance, Timestamp, u64, u64)> {
    duration().prop_flat_map(|len| (deposit(len), 0u64..=1_000_000, Just(len), 0..=len))
}

/// A stream record, started (`Some(start)`) or waiting, as the vault stores it.
fn stream_record(
    deposit: Balance,
    start: Option<Timestamp>,
    duration_ms: u64,
    paid_out: Balance,
    (fee_bps, royalties): (Bps, Vec<Royalty>),
) -> EscrowRecord {
    EscrowRecord {
        payer: account(1),
        payee: account(2),
        asset: Asset::Native,
        opener: account(1),
        context: 0,
        collateral: None,
        fee_bps,
        royalties,
        state: if start.is_some() {
            EscrowState::Streaming
        } else {
            EscrowState::Waiting
        },
        terms: EscrowTerms::Stream {
            start,
            duration_ms,
            start_by: 2_000_000,
            no_show_penalty: 0,
            deposit,
            paid_out,
            frozen_at: None,
            min_payout: 0,
        },
        dispute: None,
        settlement: None,
        opened_at: 0,
    }
}

/// An escrow as the planner may find it: an order or a stream (started, or waiting for
/// its start), open or disputed (with a bond that fits beside what it holds; a waiting
/// stream cannot be disputed), with any amounts.
fn record() -> impl Strategy<Value = EscrowRecord> {
    (
        (any::<bool>(), proptest::bool::weighted(0.25)),
        any_amount(),
        stream_terms(),
        shares(),
        proptest::option::of((any::<bool>(), any_amount(), any::<u64>())),
        any::<(bool, Option<u64>)>(),
    )
        .prop_map(
            |(
                (is_order, waiting),
                amount,
                (deposit, start, len, claimed_ms),
                (fee_bps, royalties),
                dispute,
                (delivered, frozen),
            )| {
                let mut rec = if is_order {
                    EscrowRecord {
                        payer: account(1),
                        payee: account(2),
                        asset: Asset::Native,
                        opener: account(1),
                        context: 0,
                        collateral: None,
                        fee_bps,
                        royalties,
                        state: if delivered {
                            EscrowState::Delivered
                        } else {
                            EscrowState::Funded
                        },
                        terms: EscrowTerms::Order {
                            amount,
                            delivery_deadline: 5_000,
                            review_window_ms: 1_000,
                            delivered_at: delivered.then_some(4_000),
                            proof: None,
                        },
                        dispute: None,
                        settlement: None,
                        opened_at: 0,
                    }
                } else if waiting {
                    stream_record(deposit, None, len, 0, (fee_bps, royalties))
                } else {
                    let paid_out = model_accrued(deposit, start, len, start + claimed_ms);
                    let mut rec =
                        stream_record(deposit, Some(start), len, paid_out, (fee_bps, royalties));
                    if let EscrowTerms::Stream { frozen_at, .. } = &mut rec.terms {
                        *frozen_at = frozen.map(|t| start + t % (len + 1));
                    }
                    rec
                };
                if let (Some((by_payer, bond, deadline)), false) =
                    (dispute, rec.state == EscrowState::Waiting)
                {
                    let room = u128::MAX - held(&rec).unwrap();
                    rec.state = EscrowState::Disputed;
                    rec.dispute = Some(Dispute {
                        by: if by_payer { rec.payer } else { rec.payee },
                        bond: bond.min(room),
                        opened_at: 0,
                        ruling_deadline: deadline % 10_000_000,
                        delivered_during: false,
                        frozen: held(&rec).unwrap(),
                        opened_block: 0,
                        collateral_held: false,
                    });
                }
                rec
            },
        )
}

fn payee_side(held: Balance) -> impl Strategy<Value = PayeeSide> {
    prop_oneof![
        (0..=BPS_DENOMINATOR).prop_map(PayeeSide::Bps),
        (0..=held).prop_map(PayeeSide::Amount),
        any_amount().prop_map(PayeeSide::Amount),
    ]
}

fn sum(credits: &[(AccountId, Balance)]) -> Option<Balance> {
    credits
        .iter()
        .try_fold(0u128, |s, (_, a)| s.checked_add(*a))
}

/// Checks one plan against what the escrow held and the side it was asked for.
fn check_plan(rec: &EscrowRecord, side: PayeeSide, reason: SettleReason, now: Timestamp) {
    let held = held(rec).unwrap();
    let bond = rec.dispute.map_or(0, |d| d.bond);
    let result = plan(9, rec.clone(), side, reason, account(TREASURY), now);
    let (payee_total, share) = match side {
        PayeeSide::Bps(bps) => (bps_of(held, bps).unwrap(), bps),
        PayeeSide::Amount(a) if a > held => {
            assert_eq!(result.err(), Some(Error::Overflow), "{a} of {held}");
            return;
        }
        PayeeSide::Amount(a) => (a, crate::rules::money::share_bps(a, held)),
    };
    let p = result.expect("a side within what is held always plans");
    assert_eq!(sum(&p.credits), Some(held + bond), "credits != held + bond");
    assert!(p.credits.iter().all(|(_, a)| *a > 0), "a zero credit");
    let e = &p.event;
    assert_eq!(
        (e.id, e.payer, e.payee, e.reason),
        (9, rec.payer, rec.payee, reason)
    );
    assert_eq!(e.to_payee + e.fee + e.royalties, payee_total);
    assert_eq!(e.refund, held - payee_total);
    assert_eq!(e.fee, bps_of(payee_total, rec.fee_bps).unwrap());
    assert_eq!(e.bond_returned + e.bond_forfeited, bond);
    assert!(e.bond_returned == 0 || e.bond_forfeited == 0);
    let mut expected = rec.clone();
    expected.state = EscrowState::Settled;
    expected.settlement = Some(Settlement {
        reason,
        at: now,
        payee_share_bps: share,
        penalty_paid: 0,
    });
    match &mut expected.terms {
        EscrowTerms::Order { amount, .. } => *amount = 0,
        EscrowTerms::Stream {
            paid_out, deposit, ..
        } => *paid_out = *deposit,
    }
    assert_eq!(
        p.record, expected,
        "the plan changed more than the settlement"
    );
}

#[test]
fn settlement_plans_add_up_for_any_amounts() {
    let strategy = record()
        .prop_flat_map(|rec| {
            let h = held(&rec).unwrap();
            (
                Just(rec),
                payee_side(h),
                reason(),
                any::<u64>(),
                any::<bool>(),
            )
        })
        .prop_map(|(rec, side, reason, now, by_payee)| {
            (rec, side, reason, now % 20_000_000, by_payee)
        });
    // How often each rule applied, so the test proves it ran them.
    let (finals, refunds, fallbacks) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    runner()
        .run(&strategy, |(rec, side, reason, now, by_payee)| {
            check_plan(&rec, side, reason, now);
            // The finalize, refund and fallback rules only ever ask for what the escrow holds.
            if let Ok((side, reason)) = refund_side(&rec, by_payee, now) {
                check_plan(&rec, side, reason, now);
                refunds.set(refunds.get() + 1);
            }
            if let Ok(side) = finalize_side(&rec, now) {
                check_plan(&rec, side, SettleReason::AutoReleased, now);
                finals.set(finals.get() + 1);
            }
            if let Ok(side) = fallback_side(&rec, now) {
                check_plan(&rec, side, SettleReason::DisputeExpired, now);
                fallbacks.set(fallbacks.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    let counts = [finals.get(), refunds.get(), fallbacks.get()];
    assert!(counts.iter().all(|n| *n > 100), "{counts:?}");
}

#[test]
fn claims_pay_the_deposit_pro_rata_for_any_amounts() {
    let strategy = (stream_terms(), shares(), any::<(bool, u64)>());
    // Claims that completed the stream and claims that did not.
    let (completed, partial) = (Cell::new(0u32), Cell::new(0u32));
    runner()
        .run(
            &strategy,
            |((deposit, start, len, claimed_ms), shares, (ended, t))| {
                // Claims only ever move forward: now is at or after the last claim,
                // before the end or after it.
                let end = start + len;
                let claimed_until = start + claimed_ms;
                let now = if ended {
                    end + t % 1_000
                } else {
                    claimed_until + t % (end - claimed_until + 1)
                };
                let paid_out = model_accrued(deposit, start, len, claimed_until);
                let rec = stream_record(deposit, Some(start), len, paid_out, shares);
                let accrued = model_accrued(deposit, start, len, now);
                let result = plan_claim(3, rec, account(TREASURY), now);
                if accrued <= paid_out {
                    prop_assert_eq!(result.err(), Some(Error::NothingToClaim));
                    return Ok(());
                }
                let p = result.unwrap();
                let gross = accrued - paid_out;
                prop_assert_eq!(p.event.gross, gross);
                prop_assert_eq!(sum(&p.credits), Some(gross));
                prop_assert_eq!(p.event.to_payee + p.event.fee + p.event.royalties, gross);
                let EscrowTerms::Stream { paid_out, .. } = p.record.terms else {
                    panic!("a stream");
                };
                prop_assert_eq!(paid_out, accrued);
                prop_assert_eq!(p.settled.is_some(), now >= end);
                prop_assert_eq!(p.record.state == EscrowState::Settled, now >= end);
                let done = if let Some(e) = p.settled {
                    // The end pays exactly the deposit: nothing is left to divide.
                    prop_assert_eq!(paid_out, deposit);
                    prop_assert_eq!(e.to_payee + e.fee + e.royalties + e.refund, 0);
                    &completed
                } else {
                    &partial
                };
                done.set(done.get() + 1);
                Ok(())
            },
        )
        .unwrap();
    assert!(
        completed.get() > 100 && partial.get() > 100,
        "{completed:?} {partial:?}"
    );
}

/// Claim times for a stream from `start` over `len`: anywhere, before the start, at its
/// edges, and after its end.
fn claim_times(start: Timestamp, len: u64) -> impl Strategy<Value = Vec<Timestamp>> {
    let end = start + len;
    let at = prop_oneof![
        0..=end + 10_000,
        0..=start,
        Just(start),
        start..=start + len.min(1_000),
        Just(end - 1),
        Just(end),
        end..=end + 10_000,
    ];
    proptest::collection::vec(at, 0..10)
}

#[test]
fn accrual_is_exact_at_any_claim_times() {
    let strategy = stream_terms()
        .prop_flat_map(|(deposit, start, len, _)| {
            (
                Just((deposit, start, len)),
                claim_times(start, len),
                shares(),
            )
        })
        .prop_map(|(terms, mut times, shares)| {
            times.sort_unstable();
            (terms, times, shares)
        });
    // Runs priced below one unit per millisecond, and runs near u128::MAX.
    let (slow, huge) = (Cell::new(0u32), Cell::new(0u32));
    runner()
        .run(&strategy, |((deposit, start, len), times, shares)| {
            let end = start + len;
            let mut rec = stream_record(deposit, Some(start), len, 0, shares.clone());
            let mut claimed: Balance = 0;
            for t in times.iter().copied().chain([end + 1]) {
                let payout = model_accrued(deposit, start, len, t);
                prop_assert!(payout <= deposit);
                prop_assert_eq!(accrued(deposit, Some(start), len, t), Ok(payout));
                // Stopping (or the payee's refund) now: the payee side gets what accrued
                // and is unclaimed, the payer the rest of the deposit.
                let unpaid = unpaid_accrual(&rec, t).unwrap();
                prop_assert_eq!(unpaid, payout - claimed);
                prop_assert_eq!(
                    refund_side(&rec, true, t),
                    Ok((PayeeSide::Amount(unpaid), SettleReason::RefundedByPayee))
                );
                let stop = plan(
                    3,
                    rec.clone(),
                    PayeeSide::Amount(unpaid),
                    SettleReason::StoppedByPayer,
                    account(TREASURY),
                    t,
                )
                .unwrap();
                prop_assert_eq!(stop.event.refund, deposit - payout);
                prop_assert_eq!(
                    stop.event.to_payee + stop.event.fee + stop.event.royalties,
                    payout - claimed
                );
                // Claiming now pays exactly what accrued since the last claim, and the
                // same interval never twice.
                match plan_claim(3, rec.clone(), account(TREASURY), t) {
                    Err(e) => {
                        prop_assert_eq!(e, Error::NothingToClaim);
                        prop_assert_eq!(payout, claimed);
                    }
                    Ok(p) => {
                        prop_assert_eq!(p.event.gross, payout - claimed);
                        claimed = payout;
                        rec = p.record;
                        if rec.state == EscrowState::Settled {
                            prop_assert!(t >= end);
                            break;
                        }
                        prop_assert_eq!(
                            plan_claim(3, rec.clone(), account(TREASURY), t).err(),
                            Some(Error::NothingToClaim)
                        );
                    }
                }
            }
            // After the end everything was claimed, to the unit.
            prop_assert_eq!(claimed, deposit);
            prop_assert_eq!(rec.state, EscrowState::Settled);
            if deposit < u128::from(len) {
                slow.set(slow.get() + 1);
            }
            if deposit > u128::MAX / 2 {
                huge.set(huge.get() + 1);
            }
            // A stream that never started accrues nothing, at any time.
            let waiting = stream_record(deposit, None, len, 0, shares);
            for t in times {
                prop_assert_eq!(unpaid_accrual(&waiting, t), Ok(0));
                prop_assert_eq!(
                    plan_claim(3, waiting.clone(), account(TREASURY), t).err(),
                    Some(Error::StreamNotStarted)
                );
                prop_assert_eq!(
                    refund_side(&waiting, true, t),
                    Ok((PayeeSide::Amount(0), SettleReason::RefundedByPayee))
                );
            }
            Ok(())
        })
        .unwrap();
    assert!(slow.get() > 100 && huge.get() > 100, "{slow:?} {huge:?}");
}

#[test]
fn top_ups_are_exact_and_keep_what_accrued() {
    let strategy = stream_terms().prop_flat_map(|(deposit, start, len, claimed_ms)| {
        (
            Just((deposit, start, len, claimed_ms)),
            prop_oneof![
                1..=len,
                1..=MAX_PERIOD_MS,
                (1..=4u64).prop_map(move |k| k * len)
            ],
        )
    });
    let (exact, inexact) = (Cell::new(0u32), Cell::new(0u32));
    runner()
        .run(&strategy, |((deposit, start, len, at_ms), extra)| {
            let model = mul_div(deposit, extra, len);
            let got = proportional_top_up(deposit, len, extra);
            match model {
                Some((added, true)) => {
                    prop_assert_eq!(got, Some(added));
                    exact.set(exact.get() + 1);
                    let Some(new_deposit) = deposit.checked_add(added) else {
                        return Ok(());
                    };
                    // The same price per millisecond: what accrued by any time up to the
                    // old end is unchanged, and the new end pays the new deposit.
                    let t = start + at_ms;
                    prop_assert_eq!(
                        accrued(new_deposit, Some(start), len + extra, t),
                        accrued(deposit, Some(start), len, t)
                    );
                    prop_assert_eq!(
                        accrued(new_deposit, Some(start), len + extra, start + len + extra),
                        Ok(new_deposit)
                    );
                }
                Some((_, false)) => {
                    prop_assert_eq!(got, None);
                    inexact.set(inexact.get() + 1);
                }
                None => prop_assert_eq!(got, None),
            }
            Ok(())
        })
        .unwrap();
    assert!(
        exact.get() > 100 && inexact.get() > 100,
        "{exact:?} {inexact:?}"
    );
}

#[derive(Clone, Debug)]
enum LedgerOp {
    /// Money of asset `.0` arrives.
    Receive(bool, Balance),
    /// A share (in 1/256) of what is owed and not yet credited moves to account `.1`.
    Credit(bool, u8, u8),
    Withdraw(bool, u8),
}

fn ledger_op() -> impl Strategy<Value = LedgerOp> {
    prop_oneof![
        (any::<bool>(), any_amount()).prop_map(|(t, a)| LedgerOp::Receive(t, a)),
        (any::<bool>(), 0u8..4, any::<u8>()).prop_map(|(t, w, s)| LedgerOp::Credit(t, w, s)),
        (any::<bool>(), 0u8..4).prop_map(|(t, w)| LedgerOp::Withdraw(t, w)),
    ]
}

#[test]
fn ledger_matches_its_model_for_any_amounts() {
    let assets = [Asset::Native, Asset::Psp22(account(0x77))];
    let asset = |t: bool| assets[usize::from(t)];
    // Withdrawals paid and deposits refused for overflow, so the test proves it got there.
    let (paid, refused) = (Cell::new(0u32), Cell::new(0u32));
    runner()
        .run(&proptest::collection::vec(ledger_op(), 1..60), |ops| {
            test::run_test::<Env, _>(|_| {
                let mut ledger = Ledger::default();
                // The model: owed per asset, and each account's credit per asset.
                let mut owed = [0u128; 2];
                let mut credits = [[0u128; 4]; 2];
                for op in ops {
                    match op {
                        LedgerOp::Receive(t, amount) => {
                            let slot = usize::from(t);
                            let r = ledger.receive(asset(t), amount);
                            match owed[slot].checked_add(amount) {
                                Some(o) => {
                                    assert_eq!(r, Ok(()));
                                    owed[slot] = o;
                                }
                                None => {
                                    assert_eq!(r, Err(Error::Overflow));
                                    refused.set(refused.get() + 1);
                                }
                            }
                        }
                        LedgerOp::Credit(t, who, share) => {
                            let slot = usize::from(t);
                            let free = owed[slot] - credits[slot].iter().sum::<u128>();
                            let amount = free / 256 * u128::from(share);
                            assert_eq!(ledger.credit(account(who), asset(t), amount), Ok(()));
                            credits[slot][usize::from(who)] += amount;
                        }
                        LedgerOp::Withdraw(t, who) => {
                            let (slot, w) = (usize::from(t), usize::from(who));
                            let r = ledger.withdraw(account(who), asset(t));
                            if credits[slot][w] == 0 {
                                assert_eq!(r, Err(Error::NothingToWithdraw));
                            } else {
                                assert_eq!(r, Ok(credits[slot][w]));
                                owed[slot] -= credits[slot][w];
                                credits[slot][w] = 0;
                                paid.set(paid.get() + 1);
                            }
                        }
                    }
                    for t in [false, true] {
                        let slot = usize::from(t);
                        assert_eq!(ledger.owed(asset(t)), owed[slot]);
                        let mut total: Balance = 0;
                        for who in 0..4u8 {
                            let c = ledger.credit_of(account(who), asset(t));
                            assert_eq!(c, credits[slot][usize::from(who)]);
                            total = total.checked_add(c).expect("credits fit");
                        }
                        assert!(total <= owed[slot], "credits above what is owed");
                    }
                }
                Ok(())
            })
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))
        })
        .unwrap();
    assert!(
        paid.get() > 1_000 && refused.get() > 100,
        "{paid:?} {refused:?}"
    );
}
