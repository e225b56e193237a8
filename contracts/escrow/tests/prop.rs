//! The property test: random sequences of every operation a payer, a payee, a
//! controller, a provider, the arbiter and strangers can try, in native and PSP22, with
//! governance changing parameters while escrows are open. After every step, per asset:
//! `owed` equals the sum of every obligation the harness can enumerate, the vault's real
//! holdings (its native balance, or its balance in the token ledger) cover it, and what
//! came in minus what was withdrawn equals it. Every settlement's parts add up to what
//! the escrow held, and a stream never pays out more or less than
//! `deposit × (min(t, end) − start) / duration`, rounded down (see
//! `prop_money::model_accrued`). Streams open running or waiting for their start; who
//! may start one, when it may be cancelled as a no-show and what penalty that pays out
//! of its collateral, and what a top-up costs (exactly `deposit × extra / duration`,
//! or refused) are checked against a model at every step. At the end a third party
//! drives everything to a terminal state, and every kind of operation must have been
//! exercised.
//!
//! This file holds the invariant checks and the driver; the operations and their
//! generator are in `prop/ops.rs`, the harness's state and the model it checks the vault
//! against in `prop/model.rs`, and one step of a sequence in `prop/step.rs`.

mod model;
mod ops;
mod step;

use super::*;
use market_types::MAX_PERIOD_MS;
use model::{Run, Seen};
use ops::{assets, op, receivers, Op};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// What the vault really holds of `asset`: its native balance above what the
/// environment keeps, or its balance in the token ledger.
fn holdings(asset: Asset) -> Balance {
    match asset {
        Asset::Native => vault_balance() - BASE,
        Asset::Psp22(t) => psp22::balance(t, vault_id()),
    }
}

/// Per asset: Σ open escrows + Σ bonds of open disputes + Σ collateral + Σ credits,
/// from the public getters, must equal the vault's `owed` counter exactly. Returns the
/// sums. `open` and `locked` are the escrows and collateral not yet seen settled or
/// released (those hold nothing and never open again); they are pruned here.
fn obligations(c: &Escrow, open: &mut BTreeSet<u64>, locked: &mut BTreeSet<u64>) -> [Balance; 2] {
    let mut sum = [0u128; 2];
    let slot = |a: Asset| usize::from(slot_key(a));
    open.retain(|&id| {
        let rec = c.escrow(id).unwrap();
        if rec.state == EscrowState::Settled {
            return false;
        }
        let s = &mut sum[slot(rec.asset)];
        *s = s
            .checked_add(crate::rules::money::held(&rec).unwrap())
            .expect("fits");
        if let Some(d) = rec.dispute {
            *s = s.checked_add(d.bond).expect("fits");
        }
        true
    });
    locked.retain(|&id| {
        let col = c.collateral(id).unwrap();
        let s = &mut sum[slot(col.asset)];
        *s = s.checked_add(col.amount).expect("fits");
        !col.released
    });
    for asset in assets() {
        let s = &mut sum[slot(asset)];
        for who in receivers() {
            *s = s.checked_add(c.credit_of(who, asset)).expect("fits");
        }
        let owed = c.reserves(asset).owed;
        assert_eq!(owed, *s, "{asset:?}: owed counter != sum of obligations");
    }
    sum
}

/// What the vault owes must be covered by what it really holds, and must equal what
/// came in minus what was withdrawn.
fn check_solvency(owed: [Balance; 2], net_in: &BTreeMap<u8, Balance>) {
    for asset in assets() {
        let owed = owed[usize::from(slot_key(asset))];
        assert!(
            holdings(asset) >= owed,
            "{asset:?}: vault insolvent: owes {owed}"
        );
        assert_eq!(
            net_in.get(&slot_key(asset)).copied().unwrap_or(0),
            owed,
            "{asset:?}: money created or lost"
        );
    }
}

/// How many times the vault has written its storage so far.
fn vault_writes() -> usize {
    test::get_contract_storage_rw::<Env>(&vault_id()).1
}

fn slot_key(asset: Asset) -> u8 {
    u8::from(asset != Asset::Native)
}

fn run(ops: Vec<Op>, seen: &Seen) {
    let mut c = setup_with_token();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let mut r = Run {
        c,
        now: T0,
        net: BTreeMap::new(),
        open: BTreeSet::new(),
        locked: BTreeSet::new(),
        owed: None,
        seen,
    };
    for op in ops {
        r.step(op);
    }
    // After every deadline, a third party can drive everything to a terminal state.
    r.now += MAX_PERIOD_MS + 100 * DAY;
    set_time(r.now);
    for id in 1..=r.c.escrow_count() {
        let rec = r.c.escrow(id).unwrap();
        if rec.state == EscrowState::Waiting {
            // Through the harness, so the no-show's penalty and settlement are checked.
            r.step(Op::CancelUnstarted(usize::try_from(id - 1).unwrap()));
            assert_eq!(r.c.escrow(id).unwrap().state, EscrowState::Settled);
            continue;
        }
        let c = &mut r.c;
        let res = match rec.state {
            EscrowState::Settled => Ok(()),
            EscrowState::Funded => as_(django(), || c.refund(id)),
            EscrowState::Delivered => as_(django(), || c.finalize(id)),
            EscrowState::Disputed => as_(django(), || c.expire_dispute(id)),
            EscrowState::Streaming => as_(django(), || c.claim(id)).map(|_| ()),
            EscrowState::Waiting => unreachable!("cancelled above"),
        };
        assert_eq!(res, Ok(()), "escrow {id} stuck in {:?}", rec.state);
        assert_eq!(r.c.escrow(id).unwrap().state, EscrowState::Settled);
        if matches!(
            rec.state,
            EscrowState::Funded | EscrowState::Delivered | EscrowState::Disputed
        ) {
            let held = crate::rules::money::held(&rec).unwrap();
            r.check_settlement(Some((id, held, rec)));
        }
    }
    // Holds of refunded disputes end: by the arbiter, or after their ruling deadline
    // by anyone, whichever of the two the whole test has seen less often so far. Holds
    // are rare (a few in 10 000 sequences) and the random operations mostly end them
    // by the arbiter, so alternating by id left the second path unseen in about one
    // test run in three.
    for id in 1..=r.c.escrow_count() {
        if r.c
            .escrow(id)
            .unwrap()
            .dispute
            .is_some_and(|d| d.collateral_held)
        {
            let times = |what: &str| r.seen.borrow().get(what).copied().unwrap_or(0);
            let by_arbiter =
                times("hold_released_by_arbiter") < times("hold_released_after_deadline");
            r.step(Op::ReleaseHold(
                usize::try_from(id - 1).unwrap(),
                by_arbiter,
            ));
        }
    }
    // Collateral comes back to its owner once its escrows are closed and its lock ran out.
    for cid in 1..=r.c.collateral_count() {
        let col = r.c.collateral(cid).unwrap();
        assert_eq!(col.open, 0, "collateral {cid} still linked");
        if !col.released {
            assert_eq!(as_(bob(), || r.c.release_collateral(cid)), Ok(()));
        }
    }
    for who in receivers() {
        for asset in assets() {
            test::set_account_balance::<Env>(who, 0);
            psp22::set_balance(token(), who, 0);
            if let Ok(amount) = as_(who, || r.c.withdraw(asset)) {
                r.went_out(asset, amount);
            }
        }
    }
    let (mut all, mut cols) = (
        (1..=r.c.escrow_count()).collect(),
        (1..=r.c.collateral_count()).collect(),
    );
    check_solvency(obligations(&r.c, &mut all, &mut cols), &r.net);
    assert!(all.is_empty() && cols.is_empty());
    for asset in assets() {
        assert_eq!(r.c.reserves(asset).owed, 0);
        assert_eq!(holdings(asset), 0);
    }
}

#[test]
fn reserves_and_conservation_hold_for_any_sequence() {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    // A fixed seed: the coverage check below asks that every kind of step happened at
    // least once, and the rarest (a payee's refund of a disputed escrow whose collateral
    // then stays held: 1 to 15 in 10,000 random sequences) must not depend on luck.
    // PROPTEST_SEED (any text) explores other sequences.
    let seed = std::env::var("PROPTEST_SEED").unwrap_or_else(|_| "escrow-vault".into());
    let mut bytes = [0u8; 16];
    for (i, b) in seed.bytes().enumerate() {
        bytes[i % 16] = bytes[i % 16].wrapping_mul(31).wrapping_add(b);
    }
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            max_shrink_iters: 2_000,
            failure_persistence: None,
            // The default ChaCha generator costs a tenth of a debug-build run.
            rng_algorithm: RngAlgorithm::XorShift,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::XorShift, &bytes),
    );
    let seen = Seen::default();
    runner
        .run(&proptest::collection::vec(op(), 1..40), |ops| {
            test::run_test::<Env, _>(|_| {
                run(ops, &seen);
                Ok(())
            })
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))
        })
        .unwrap();
    let seen = seen.into_inner();
    println!("{cases} sequences; successes by kind: {seen:?}");
    // The rarest kinds happen a few times in 10,000 sequences: the check holds for the
    // fixed seed, not for any seed, so `make fuzz` (which sets FUZZ) reports it only.
    if cases >= 1_000 && std::env::var_os("FUZZ").is_none() {
        for what in [
            // every terminal reason
            "Released",
            "AutoReleased",
            "RefundedAfterDeadline",
            "RefundedByPayee",
            "Resolved",
            "DisputeExpired",
            "StoppedByPayer",
            "StreamCompleted",
            "NotStarted",
            // every new kind of operation
            "psp22_order",
            "psp22_stream",
            "psp22_top_up",
            "psp22_bond",
            "psp22_withdrawn",
            "native_bond_excess",
            "token_refused",
            "locked_collateral",
            "linked_to_collateral",
            "slashed",
            "released_collateral",
            "extended_collateral",
            "controller_opened",
            "controller_acted",
            "payer_sent_to_controller",
            "controller_removed_mid_run",
            "payer_acted_after_removal",
            "set_fee",
            "set_bond",
            "set_window",
            "set_min",
            "below_min",
            "payee_refunded_stream",
            "delivered_in_dispute",
            "bond_forfeited_by_fallback",
            // waiting streams, no-shows and exact prices
            "opened_waiting",
            "opened_with_penalty",
            "invalid_penalty",
            "started",
            "controller_started",
            "start_too_late",
            "payee_sent_to_controller",
            "claim_waiting_refused",
            "dispute_waiting_refused",
            "stopped_waiting",
            "payee_refunded_waiting",
            "waiting_top_up",
            "inexact_top_up",
            "cancel_too_early",
            "penalty_paid",
            "payee_refund_paid_penalty",
            "penalty_capped",
            "claimed_below_a_unit_per_ms",
            // hostile rentals and juries: refunds during disputes, minimum payouts
            "payee_refunded_disputed",
            "collateral_held",
            "hold_released_by_arbiter",
            "hold_released_after_deadline",
            "opened_with_min_payout",
            "invalid_min_payout",
            "min_payout_applied",
        ] {
            assert!(
                seen.get(what).copied().unwrap_or(0) > 0,
                "{what} never happened"
            );
        }
    }
}
