//! One step of the property test: an operation run against the vault, its result
//! checked against the model in `model.rs` (who may act, what a start, a cancellation
//! or a top-up must return, what a stream has earned), and what it moved recorded for
//! the invariants.

use super::super::prop_money::mul_div;
use super::model::{accrued_at, Run};
use super::ops::{asset_of, people, Op, Starter};
use super::*;
use crate::types::EscrowRecord;

impl Run<'_> {
    pub(super) fn step(&mut self, op: Op) {
        // (id, what it held, its record before) for a settlement to check.
        let mut settled: Option<(u64, Balance, EscrowRecord)> = None;
        let before = |c: &Escrow, id: u64| c.escrow(id);
        match op {
            Op::OpenOrder {
                token,
                by_controller,
                amount,
                deadline,
                review,
                royalty_bps,
                collateral,
                funding,
            } => {
                let asset = asset_of(token);
                let opener = if by_controller { django() } else { alice() };
                let mut t = order_terms(amount);
                t.asset = asset;
                t.delivery_deadline = self.now + deadline;
                t.review_window_ms = review;
                t.royalties[0].bps = royalty_bps;
                t.collateral = collateral.map(|i| self.pick_collateral(i));
                let r = self.pay(opener, alice(), asset, amount, funding, |c| {
                    c.open_order(alice(), t)
                });
                match r {
                    Ok(id) => {
                        let got = crate::rules::money::held(&self.c.escrow(id).unwrap()).unwrap();
                        assert_eq!(got, amount);
                        self.open.insert(id);
                        self.came_in(asset, amount);
                        if token {
                            self.count("psp22_order");
                        }
                        if by_controller {
                            self.count("controller_opened");
                        }
                        if collateral.is_some() {
                            self.count("linked_to_collateral");
                        }
                    }
                    Err(Error::BelowMinDeposit) => self.count("below_min"),
                    Err(_) => {}
                }
            }
            Op::OpenStream {
                token,
                by_controller,
                per_ms,
                price,
                start,
                start_by,
                len,
                collateral,
                penalty,
                funding,
                floor,
            } => {
                let asset = asset_of(token);
                let opener = if by_controller { django() } else { alice() };
                let Some(deposit) = (if per_ms {
                    price.checked_mul(Balance::from(len))
                } else {
                    Some(price)
                }) else {
                    return self.after(None);
                };
                let mut t = stream_terms(deposit, 0, len);
                t.start = start.map(|s| self.now + s);
                t.start_by = self.now + start_by;
                t.asset = asset;
                t.collateral = collateral.map(|i| self.pick_collateral(i));
                let col = t.collateral.and_then(|cid| self.c.collateral(cid));
                let held = col.map_or(0, |c| c.amount);
                t.no_show_penalty = match penalty {
                    _ if start.is_some() && penalty < 300 => 0,
                    0..=99 => 0,
                    300 => held.saturating_add(1),
                    200.. => held.max(1),
                    p => (held / 100 * Balance::from(p - 99)).max(1),
                };
                t.min_payout = if floor > 1_000 {
                    deposit.saturating_add(1)
                } else {
                    deposit / 1_000 * Balance::from(floor)
                };
                let terms = t.clone();
                let r = self.pay(opener, alice(), asset, deposit, funding, |c| {
                    c.open_stream(alice(), t)
                });
                match r {
                    Ok(id) => {
                        // Opened as asked: running or waiting, the penalty valid.
                        let rec = self.c.escrow(id).unwrap();
                        let waiting = terms.start.is_none();
                        assert_eq!(rec.state == EscrowState::Waiting, waiting);
                        assert!(
                            terms.no_show_penalty == 0
                                || (waiting && col.is_some() && terms.no_show_penalty <= held),
                            "invalid penalty accepted: {terms:?}"
                        );
                        let EscrowTerms::Stream {
                            start,
                            duration_ms,
                            start_by,
                            no_show_penalty,
                            deposit: d,
                            paid_out,
                            frozen_at,
                            min_payout,
                        } = rec.terms
                        else {
                            panic!("opened an order")
                        };
                        assert_eq!(min_payout, terms.min_payout);
                        assert_eq!(
                            (start, duration_ms, no_show_penalty, d, paid_out, frozen_at),
                            (terms.start, len, terms.no_show_penalty, deposit, 0, None)
                        );
                        assert_eq!(start_by, terms.start.unwrap_or(terms.start_by));
                        self.open.insert(id);
                        self.came_in(asset, deposit);
                        if token {
                            self.count("psp22_stream");
                        }
                        if by_controller {
                            self.count("controller_opened");
                        }
                        if collateral.is_some() {
                            self.count("linked_to_collateral");
                        }
                        if waiting {
                            self.count("opened_waiting");
                        }
                        if terms.no_show_penalty > 0 {
                            self.count("opened_with_penalty");
                        }
                        if terms.min_payout > 0 {
                            self.count("opened_with_min_payout");
                        }
                    }
                    Err(Error::BelowMinDeposit) => self.count("below_min"),
                    Err(Error::InvalidMinPayout) => {
                        assert!(terms.min_payout > deposit, "valid minimum refused");
                        self.count("invalid_min_payout");
                    }
                    Err(Error::InvalidPenalty) => {
                        assert!(
                            terms.no_show_penalty > 0
                                && (terms.start.is_some()
                                    || col.is_none()
                                    || terms.no_show_penalty > held),
                            "valid penalty refused: {terms:?}"
                        );
                        self.count("invalid_penalty");
                    }
                    Err(_) => {}
                }
            }
            Op::Deliver(i) => {
                let id = self.pick(i);
                let was = before(&self.c, id).map(|r| r.state);
                if as_(bob(), || self.c.deliver(id, Hash::from([1; 32]))).is_ok()
                    && was == Some(EscrowState::Disputed)
                {
                    self.count("delivered_in_dispute");
                }
            }
            Op::Release(i, a) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = self.actor(a);
                let r = as_(who, || self.c.release(id));
                self.check_auth(&rec, who, &r);
                if r.is_ok() {
                    let rec = rec.unwrap();
                    settled = Some((id, crate::rules::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Finalize(i) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                if as_(charlie(), || self.c.finalize(id)).is_ok() {
                    let rec = rec.unwrap();
                    settled = Some((id, crate::rules::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Refund(i, by_payee) => {
                // Two thirds of the payee's refunds go to a disputed escrow with collateral
                // when there is one (the rare path where the collateral stays held).
                let id = match self
                    .find(|r| r.state == EscrowState::Disputed && r.collateral.is_some())
                {
                    Some(ids) if by_payee && i % 3 != 0 => ids[i % ids.len()],
                    _ => self.pick(i),
                };
                let rec = before(&self.c, id);
                let who = if by_payee { bob() } else { charlie() };
                // A waiting stream's penalty and its collateral before the refund.
                let staked = rec
                    .as_ref()
                    .and_then(|r| match (r.state, &r.terms, r.collateral) {
                        (
                            EscrowState::Waiting,
                            EscrowTerms::Stream {
                                no_show_penalty, ..
                            },
                            Some(cid),
                        ) if *no_show_penalty > 0 => Some((cid, *no_show_penalty, {
                            let col = self.c.collateral(cid).unwrap();
                            (col.amount, col.amount.saturating_sub(col.at_stake))
                        })),
                        _ => None,
                    });
                let linked = rec
                    .as_ref()
                    .and_then(|r| r.collateral)
                    .and_then(|cid| self.c.collateral(cid).map(|c| (cid, c.open)));
                if as_(who, || self.c.refund(id)).is_ok() {
                    let rec = rec.unwrap();
                    if matches!(rec.terms, EscrowTerms::Stream { .. }) {
                        self.count("payee_refunded_stream");
                    }
                    if rec.state == EscrowState::Disputed {
                        self.count("payee_refunded_disputed");
                        // The collateral stays linked to the dispute: a slash ruling
                        // can still reach it.
                        if let Some((cid, open)) = linked {
                            let now = self.c.escrow(id).unwrap();
                            assert!(now.dispute.is_some_and(|d| d.collateral_held));
                            assert_eq!(self.c.collateral(cid).unwrap().open, open);
                            self.count("collateral_held");
                        }
                    }
                    if rec.state == EscrowState::Waiting {
                        self.count("payee_refunded_waiting");
                    }
                    if let Some((cid, penalty, (held_before, free))) = staked {
                        // Backing out of a booking costs what not showing up costs, out
                        // of what no open dispute may still slash.
                        let after = self.c.collateral(cid).unwrap().amount;
                        assert_eq!(after, held_before - penalty.min(free));
                        if penalty > free && free < held_before {
                            self.count("penalty_spared_disputed_collateral");
                        }
                        self.count("payee_refund_paid_penalty");
                    }
                    settled = Some((id, crate::rules::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Dispute(i, by_payer, extra) => {
                // A third of the disputes go to a running stream with collateral when
                // there is one (what a slash ruling, and a payee's escape, need).
                let id = match self
                    .find(|r| r.state == EscrowState::Streaming && r.collateral.is_some())
                {
                    Some(ids) if i % 3 == 1 => ids[i % ids.len()],
                    _ => self.pick(i),
                };
                let who = if by_payer { alice() } else { bob() };
                if let Some(rec) = self
                    .c
                    .escrow(id)
                    .filter(|r| r.state == EscrowState::Waiting)
                {
                    // Nothing has accrued, so nothing is at stake: stop or cancel instead.
                    assert_eq!(self.c.required_bond(id), None);
                    let value = Balance::from(rec.asset == Asset::Native);
                    assert_eq!(
                        paid(who, value, || self.c.dispute(id)),
                        Err(Error::StreamNotStarted)
                    );
                    self.count("dispute_waiting_refused");
                }
                if let (Some(bond), Some(rec)) = (self.c.required_bond(id), self.c.escrow(id)) {
                    let credit_before = self.c.credit_of(who, rec.asset);
                    match rec.asset {
                        Asset::Native => {
                            let Some(value) = bond.checked_add(extra) else {
                                return self.after(None);
                            };
                            if paid(who, value, || self.c.dispute(id)).is_ok() {
                                self.came_in(rec.asset, value);
                                assert_eq!(
                                    self.c.credit_of(who, rec.asset),
                                    credit_before + extra,
                                    "the excess is credited back"
                                );
                                if extra > 0 {
                                    self.count("native_bond_excess");
                                }
                            }
                        }
                        Asset::Psp22(t) => {
                            // An approval with a margin: exactly the bond is pulled.
                            let margin = bond.saturating_add(extra);
                            psp22::set_balance(t, who, margin);
                            psp22::set_allowance(t, who, vault_id(), margin);
                            if as_(who, || self.c.dispute(id)).is_ok() {
                                self.came_in(rec.asset, bond);
                                assert_eq!(psp22::balance(t, who), margin - bond);
                                self.count("psp22_bond");
                            }
                        }
                    }
                }
            }
            Op::Resolve(i, bps) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                if as_(eve(), || self.c.resolve(id, bps)).is_ok() {
                    let rec = rec.unwrap();
                    settled = Some((id, crate::rules::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Expire(i) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let treasury = rec.as_ref().map(|r| self.c.credit_of(frank(), r.asset));
                if as_(django(), || self.c.expire_dispute(id)).is_ok() {
                    let rec = rec.unwrap();
                    // Nobody ruled: the treasury gains its fee and nothing of the bond.
                    let fee = last_settled().fee;
                    assert_eq!(
                        Some(self.c.credit_of(frank(), rec.asset)),
                        treasury.map(|t| t + fee),
                        "the treasury profited from a dispute nobody ruled"
                    );
                    settled = Some((id, crate::rules::money::held(&rec).unwrap(), rec));
                }
            }
            Op::Claim(i) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let h = rec
                    .as_ref()
                    .map(|r| crate::rules::money::held(r).unwrap())
                    .unwrap_or(0);
                match as_(django(), || self.c.claim(id)) {
                    Ok(gross) => {
                        assert!(gross > 0 && gross <= h);
                        let rec = self.c.escrow(id).unwrap();
                        let EscrowTerms::Stream {
                            start,
                            duration_ms,
                            deposit,
                            paid_out,
                            ..
                        } = rec.terms
                        else {
                            panic!("claimed an order")
                        };
                        assert_eq!(
                            paid_out,
                            accrued_at(deposit, start, duration_ms, self.now),
                            "a stream paid out other than deposit × elapsed / duration"
                        );
                        if deposit < Balance::from(duration_ms) {
                            self.count("claimed_below_a_unit_per_ms");
                        }
                        if rec.state == EscrowState::Settled {
                            // The last claim paid everything that was left.
                            assert_eq!(gross, h);
                            assert_eq!(paid_out, deposit);
                            assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
                            self.count("StreamCompleted");
                        }
                    }
                    Err(e) => {
                        if rec.is_some_and(|r| r.state == EscrowState::Waiting) {
                            assert_eq!(e, Error::StreamNotStarted);
                            self.count("claim_waiting_refused");
                        }
                    }
                }
            }
            Op::Stop(i, a) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = self.actor(a);
                let r = as_(who, || self.c.stop_stream(id));
                self.check_auth(&rec, who, &r);
                if r.is_ok() {
                    let rec = rec.unwrap();
                    if rec.state == EscrowState::Waiting {
                        self.count("stopped_waiting");
                    }
                    settled = Some((id, crate::rules::money::held(&rec).unwrap(), rec));
                }
            }
            Op::TopUp(i, extra, a) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = self.actor(a);
                if let Some(EscrowTerms::Stream {
                    start,
                    duration_ms,
                    deposit,
                    ..
                }) = rec.as_ref().map(|r| r.terms.clone())
                {
                    let asset = rec.as_ref().unwrap().asset;
                    let state = rec.as_ref().unwrap().state;
                    let payer = rec.as_ref().unwrap().payer;
                    // The same price per millisecond: exactly deposit × extra / duration,
                    // or nothing can be paid (and nothing is sent).
                    let cost = match mul_div(deposit, extra, duration_ms) {
                        Some((cost, true)) => Some(cost),
                        _ => None,
                    };
                    let add = cost.unwrap_or(0);
                    // More native value than the emulated balance holds is never sent.
                    let sent = asset != Asset::Native || vault_balance().checked_add(add).is_some();
                    let accrued_before = accrued_at(deposit, start, duration_ms, self.now);
                    let r = self.pay(who, payer, asset, add, 2, |c| c.top_up(id, extra));
                    if sent {
                        self.check_auth(&rec, who, &r);
                    }
                    match (cost, &r) {
                        (None, Ok(())) => panic!("an inexact top-up was accepted"),
                        (None, Err(Error::InexactTopUp)) => self.count("inexact_top_up"),
                        (Some(_), Err(Error::InexactTopUp)) => {
                            panic!("an exact top-up was refused as inexact")
                        }
                        _ => {}
                    }
                    if r.is_ok() {
                        let after = self.c.escrow(id).unwrap();
                        let EscrowTerms::Stream {
                            start: s,
                            duration_ms: d,
                            deposit: dep,
                            ..
                        } = after.terms
                        else {
                            unreachable!()
                        };
                        assert_eq!(
                            (s, d, dep),
                            (start, duration_ms + extra, deposit + add),
                            "top-up terms"
                        );
                        // What already accrued is unchanged.
                        assert_eq!(accrued_at(dep, s, d, self.now), accrued_before);
                        self.came_in(asset, add);
                        if asset != Asset::Native {
                            self.count("psp22_top_up");
                        }
                        if state == EscrowState::Waiting {
                            self.count("waiting_top_up");
                        }
                    }
                }
            }
            Op::Start(i, starter) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let who = match starter {
                    Starter::Payee => bob(),
                    Starter::Controller => django(),
                    Starter::Payer => alice(),
                    Starter::Stranger => charlie(),
                };
                let r = as_(who, || self.c.start_stream(id));
                if let Some(rec) = rec {
                    assert_eq!(r, self.expected_start(&rec, who), "start by {who:?}");
                    if r.is_ok() {
                        assert_eq!(
                            self.c.escrow(id).map(|r| (r.state, r.terms)),
                            Some((
                                EscrowState::Streaming,
                                match rec.terms {
                                    EscrowTerms::Stream {
                                        start: None,
                                        duration_ms,
                                        start_by,
                                        no_show_penalty,
                                        deposit,
                                        paid_out,
                                        frozen_at,
                                        min_payout,
                                    } => EscrowTerms::Stream {
                                        start: Some(self.now),
                                        duration_ms,
                                        start_by,
                                        no_show_penalty,
                                        deposit,
                                        paid_out,
                                        frozen_at,
                                        min_payout,
                                    },
                                    _ => unreachable!(),
                                },
                            ))
                        );
                        self.count(if who == bob() {
                            "started"
                        } else {
                            "controller_started"
                        });
                    }
                    match r {
                        Err(Error::StartWindowPassed) => self.count("start_too_late"),
                        Err(Error::ControllerOnly) => self.count("payee_sent_to_controller"),
                        _ => {}
                    }
                }
            }
            Op::CancelUnstarted(i) => {
                let id = self.pick(i);
                let rec = before(&self.c, id);
                let col_before = rec
                    .as_ref()
                    .and_then(|r| r.collateral)
                    .and_then(|cid| self.c.collateral(cid));
                let credit_before = col_before.map(|col| self.c.credit_of(alice(), col.asset));
                let r = as_(charlie(), || self.c.cancel_unstarted(id));
                if let Some(rec) = rec {
                    // A penalty never takes what open disputes may still slash.
                    let col_held = col_before.map_or(0, |c| c.amount.saturating_sub(c.at_stake));
                    assert_eq!(r, self.expected_cancel(&rec, col_held), "cancel of {id}");
                    if r == Err(Error::StartWindowOpen) {
                        self.count("cancel_too_early");
                    }
                    if let Ok(penalty) = r {
                        // The settlement keeps what was paid, for the controller.
                        let s = self.c.escrow(id).unwrap().settlement.unwrap();
                        assert_eq!(s.penalty_paid, penalty, "penalty kept in {id}");
                        if let Some(col) = col_before {
                            let cid = rec.collateral.unwrap();
                            let after = self.c.collateral(cid).unwrap();
                            assert_eq!(after.amount, col.amount - penalty);
                            assert_eq!(after.open, col.open - 1);
                            let refund = if col.asset == rec.asset {
                                crate::rules::money::held(&rec).unwrap()
                            } else {
                                0
                            };
                            assert_eq!(
                                self.c.credit_of(alice(), col.asset),
                                credit_before.unwrap() + penalty + refund,
                                "the payer got other than its deposit and penalty"
                            );
                            if penalty > 0 {
                                let (_, e) = last_of::<NoShowPenaltyPaid>();
                                assert_eq!(
                                    (e.id, e.collateral, e.payer, e.amount),
                                    (id, cid, alice(), penalty)
                                );
                                self.count("penalty_paid");
                            }
                        }
                        if let EscrowTerms::Stream {
                            no_show_penalty, ..
                        } = rec.terms
                        {
                            if penalty < no_show_penalty {
                                self.count("penalty_capped");
                            }
                        }
                        let held = crate::rules::money::held(&rec).unwrap();
                        settled = Some((id, held, rec));
                    }
                }
            }
            Op::Lock {
                token,
                by_controller,
                amount,
                unlock,
            } => {
                let asset = asset_of(token);
                let who = if by_controller { django() } else { bob() };
                let until = self.now + unlock;
                if let Ok(cid) = self.pay(who, bob(), asset, amount, 2, |c| {
                    c.lock_collateral(bob(), asset, amount, until)
                }) {
                    self.locked.insert(cid);
                    self.came_in(asset, amount);
                    self.count("locked_collateral");
                }
            }
            Op::Slash(i, a, b, relative) => {
                let cid = self.pick_collateral(i);
                let (a, b) = match self.c.collateral(cid) {
                    // Some of what is left (a no-show's penalty may then be capped).
                    Some(col) if relative => {
                        let part = |x: Balance| (col.amount / 1_000 * x).max(1);
                        (part(a), part(b))
                    }
                    _ => (a, b),
                };
                if as_(eve(), || {
                    self.c
                        .slash_collateral(cid, vec![(charlie(), a), (alice(), b)])
                })
                .is_ok()
                {
                    self.count("slashed");
                }
            }
            Op::ReleaseHold(i, by_arbiter) => {
                // Mostly an escrow whose collateral is held, when there is one.
                let holds = |r: &EscrowRecord| r.dispute.is_some_and(|d| d.collateral_held);
                let direct = self.pick(i);
                let id = match self.find(holds) {
                    _ if self.c.escrow(direct).is_some_and(|r| holds(&r)) => direct,
                    Some(ids) if i % 4 != 0 => ids[i % ids.len()],
                    _ => direct,
                };
                let rec = before(&self.c, id);
                let who = if by_arbiter { eve() } else { charlie() };
                let r = as_(who, || self.c.release_hold(id));
                let expected = match rec.as_ref().and_then(|r| r.dispute.zip(r.collateral)) {
                    None if rec.is_none() => Err(Error::EscrowNotFound),
                    Some((d, _)) if d.collateral_held => {
                        if by_arbiter || self.now >= d.ruling_deadline {
                            Ok(())
                        } else {
                            Err(Error::RulingWindowOpen)
                        }
                    }
                    _ => Err(Error::NoCollateralHold),
                };
                assert_eq!(r, expected, "release_hold by {who:?}");
                if r.is_ok() {
                    self.count(if by_arbiter {
                        "hold_released_by_arbiter"
                    } else {
                        "hold_released_after_deadline"
                    });
                }
            }
            Op::ReleaseCollateral(i, by_owner) => {
                let cid = self.pick_collateral(i);
                let who = if by_owner { bob() } else { django() };
                if as_(who, || self.c.release_collateral(cid)).is_ok() {
                    self.count("released_collateral");
                }
            }
            Op::Extend(i, ms) => {
                let cid = self.pick_collateral(i);
                if let Some(col) = self.c.collateral(cid) {
                    let until = col.unlock_after.max(self.now) + ms;
                    let r = as_(col.controller, || self.c.extend_collateral(cid, until));
                    if col.controller == django()
                        && !self.c.is_controller(django())
                        && !col.released
                    {
                        assert_eq!(
                            r,
                            Err(Error::NotController),
                            "a removed controller extended"
                        );
                    }
                    if r.is_ok() {
                        self.count("extended_collateral");
                    }
                }
            }
            Op::SetController(allowed) => {
                as_(eve(), || self.c.set_controller(django(), allowed)).unwrap();
                if !allowed && self.c.open_escrow_count(alice()) > 0 {
                    self.count("controller_removed_mid_run");
                }
            }
            Op::SetFee(bps) => {
                as_(eve(), || self.c.set_fee_bps(bps)).unwrap();
                self.count_governance("set_fee");
            }
            Op::SetBond(bps) => {
                let window = self.c.dispute_params().1;
                as_(eve(), || self.c.set_dispute_params(bps, window)).unwrap();
                self.count_governance("set_bond");
            }
            Op::SetWindow(ms) => {
                let bond = self.c.dispute_params().0;
                as_(eve(), || self.c.set_dispute_params(bond, ms)).unwrap();
                self.count_governance("set_window");
            }
            Op::SetMin(token, amount) => {
                as_(eve(), || self.c.set_min_deposit(asset_of(token), amount)).unwrap();
                self.count_governance("set_min");
            }
            Op::Withdraw(w, in_token) => {
                let who = people()[w];
                let asset = asset_of(in_token);
                // The test mints what payers send, so empty the receiver first to keep
                // the emulated balances within u128.
                test::set_account_balance::<Env>(who, 0);
                psp22::set_balance(token(), who, 0);
                if let Ok(amount) = as_(who, || self.c.withdraw(asset)) {
                    self.went_out(asset, amount);
                    if in_token {
                        assert_eq!(psp22::balance(token(), who), amount);
                        self.count("psp22_withdrawn");
                    }
                }
            }
            Op::Wait(ms) => {
                self.now += ms;
                set_time(self.now);
            }
        }
        self.after(settled);
    }
}
