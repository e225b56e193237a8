//! Property tests of the vault's money modules on their own, for any amounts up to
//! `u128::MAX`: the settlement planner (a plan's credits add up to what the escrow held
//! plus its bond, its event and record agree with them, and the finalize, refund and
//! fallback rules never ask for more than the escrow holds), the claim planner (a
//! stream pays exactly `rate × elapsed` over its claims), and the ledger against a
//! model of it. `prop.rs` drives the same code through the contract.

use super::*;
use crate::ledger::Ledger;
use crate::money::held;
use crate::settlement::{fallback_side, finalize_side, plan, plan_claim, refund_side, PayeeSide};
use crate::types::{Dispute, EscrowRecord};
use market_types::math::bps_of;
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

/// A stream's terms: `(rate, start, end, paid_out)`, paid out up to some earlier time.
fn stream_terms() -> impl Strategy<Value = (Balance, Timestamp, Timestamp, Balance)> {
    (
        1..=MAX_PERIOD_MS,
        0u64..=1_000_000,
        any::<u128>(),
        any::<u64>(),
    )
        .prop_map(|(len, start, rate, at)| {
            let rate = rate.checked_div(u128::from(len)).unwrap_or(1).max(1);
            let claimed_ms = at % len.saturating_add(1);
            (rate, start, start + len, rate * Balance::from(claimed_ms))
        })
}

/// An escrow as the planner may find it: an order or a stream, open or disputed (with a
/// bond that fits beside what it holds), with any amounts.
fn record() -> impl Strategy<Value = EscrowRecord> {
    (
        any::<bool>(),
        any_amount(),
        stream_terms(),
        shares(),
        proptest::option::of((any::<bool>(), any_amount(), any::<u64>())),
        any::<(bool, Option<u64>)>(),
    )
        .prop_map(
            |(
                is_order,
                amount,
                (rate, start, end, paid_out),
                (fee_bps, royalties),
                dispute,
                (delivered, frozen),
            )| {
                let terms = if is_order {
                    EscrowTerms::Order {
                        amount,
                        delivery_deadline: 5_000,
                        review_window_ms: 1_000,
                        delivered_at: delivered.then_some(4_000),
                        proof: None,
                    }
                } else {
                    EscrowTerms::Stream {
                        rate_per_ms: rate,
                        start,
                        end,
                        deposit: rate * Balance::from(end - start),
                        paid_out,
                        frozen_at: frozen.map(|t| start + t % (end - start + 1)),
                    }
                };
                let mut rec = EscrowRecord {
                    payer: account(1),
                    payee: account(2),
                    asset: Asset::Native,
                    opener: account(1),
                    context: 0,
                    collateral: None,
                    fee_bps,
                    royalties,
                    state: if is_order && delivered {
                        EscrowState::Delivered
                    } else if is_order {
                        EscrowState::Funded
                    } else {
                        EscrowState::Streaming
                    },
                    terms,
                    dispute: None,
                    settlement: None,
                    opened_at: 0,
                };
                if let Some((by_payer, bond, deadline)) = dispute {
                    let room = u128::MAX - held(&rec).unwrap();
                    rec.state = EscrowState::Disputed;
                    rec.dispute = Some(Dispute {
                        by: if by_payer { rec.payer } else { rec.payee },
                        bond: bond.min(room),
                        opened_at: 0,
                        ruling_deadline: deadline % 10_000_000,
                        delivered_during: false,
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
        PayeeSide::Amount(a) => (a, crate::money::share_bps(a, held)),
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
fn claims_pay_rate_times_elapsed_for_any_amounts() {
    let strategy = (stream_terms(), shares(), any::<(bool, u64)>());
    // Claims that completed the stream and claims that did not.
    let (completed, partial) = (Cell::new(0u32), Cell::new(0u32));
    runner()
        .run(
            &strategy,
            |((rate, start, end, paid_out), (fee_bps, royalties), (ended, t))| {
                // Claims only ever move forward: now is at or after the last claim,
                // before the end or after it.
                let claimed_until = start + u64::try_from(paid_out / rate).unwrap();
                let now = if ended {
                    end + t % 1_000
                } else {
                    claimed_until + t % (end - claimed_until + 1)
                };
                let deposit = rate * Balance::from(end - start);
                let rec = EscrowRecord {
                    payer: account(1),
                    payee: account(2),
                    asset: Asset::Native,
                    opener: account(1),
                    context: 0,
                    collateral: None,
                    fee_bps,
                    royalties,
                    state: EscrowState::Streaming,
                    terms: EscrowTerms::Stream {
                        rate_per_ms: rate,
                        start,
                        end,
                        deposit,
                        paid_out,
                        frozen_at: None,
                    },
                    dispute: None,
                    settlement: None,
                    opened_at: 0,
                };
                let accrued = rate * Balance::from(now.min(end).saturating_sub(start));
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
