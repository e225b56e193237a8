//! The property test's harness: its state (the vault, the clock, what came in and went
//! out per asset, the escrows and collateral still open), the model a step's result is
//! checked against (who may act on an escrow, start it or cancel it as a no-show, and
//! what a stream has earned), and the checks run after every step: a settlement's
//! split, its bond and a stream's payout, then the invariants.

use super::super::prop_money::model_accrued;
use super::ops::Actor;
use super::*;
use crate::types::EscrowRecord;
use ink::env::Event as _;
use std::collections::{BTreeMap, BTreeSet};

/// How often each settlement reason and each kind of operation succeeded, over all
/// sequences, so the test proves it exercised every path rather than refusing all.
pub(super) type Seen = std::cell::RefCell<BTreeMap<String, u32>>;

pub(super) struct Run<'a> {
    pub(super) c: Escrow,
    pub(super) now: Timestamp,
    /// Per asset: paid in minus withdrawn; it equals `owed`, so it never overflows.
    pub(super) net: BTreeMap<u8, Balance>,
    /// Escrows and collateral not yet seen settled or released.
    pub(super) open: BTreeSet<u64>,
    pub(super) locked: BTreeSet<u64>,
    /// The obligations last summed, and the vault's storage write count then: a step
    /// that wrote nothing (a refusal) cannot have changed them, so they are summed
    /// again only after a write (reading every cell costs most of this test's time).
    pub(super) owed: Option<([Balance; 2], usize)>,
    pub(super) seen: &'a Seen,
}

impl Run<'_> {
    pub(super) fn count(&self, what: &str) {
        *self.seen.borrow_mut().entry(what.into()).or_default() += 1;
    }

    pub(super) fn came_in(&mut self, asset: Asset, amount: Balance) {
        let n = self.net.entry(slot_key(asset)).or_default();
        *n = n.checked_add(amount).expect("more came in than u128 holds");
    }

    pub(super) fn went_out(&mut self, asset: Asset, amount: Balance) {
        let n = self.net.entry(slot_key(asset)).or_default();
        *n = n.checked_sub(amount).expect("withdrew more than came in");
    }

    pub(super) fn pick(&self, i: usize) -> u64 {
        let n = self.c.escrow_count();
        if n == 0 {
            1
        } else {
            (i as u64 % n) + 1
        }
    }

    /// The escrows `f` holds for, if any.
    pub(super) fn find(&self, f: impl Fn(&EscrowRecord) -> bool) -> Option<Vec<u64>> {
        let ids: Vec<u64> = (1..=self.c.escrow_count())
            .filter(|&id| self.c.escrow(id).is_some_and(|r| f(&r)))
            .collect();
        (!ids.is_empty()).then_some(ids)
    }

    pub(super) fn pick_collateral(&self, i: usize) -> u64 {
        let n = self.c.collateral_count();
        if n == 0 {
            1
        } else {
            (i as u64 % n) + 1
        }
    }

    pub(super) fn actor(&self, a: Actor) -> AccountId {
        match a {
            Actor::Payer => alice(),
            Actor::Controller => django(),
            Actor::Stranger => charlie(),
        }
    }

    /// Calls `f` as `who` paying `amount` of `asset` for `payer`: native as the
    /// transferred value; PSP22, when `who` is the payer, by giving it the tokens and
    /// its approval of the vault first, and when `who` acts for the payer (a
    /// controller), by moving the tokens to the vault first, as a controller does in
    /// the same message (a refusal takes them back, as the chain's revert would).
    /// `funding` 0 approves (or moves) one unit short, 1 holds one unit short, anything
    /// else is exact.
    pub(super) fn pay<T>(
        &mut self,
        who: AccountId,
        payer: AccountId,
        asset: Asset,
        amount: Balance,
        funding: u8,
        f: impl FnOnce(&mut Escrow) -> Result<T, Error>,
    ) -> Result<T, Error> {
        match asset {
            Asset::Native => paid(who, amount, || f(&mut self.c)),
            Asset::Psp22(t) if who != payer => {
                let sent = if funding < 2 {
                    amount.saturating_sub(1)
                } else {
                    amount
                };
                let before = psp22::balance(t, vault_id());
                // The ledger mints at will; a vault balance past u128::MAX, which no
                // real token's supply allows, is not sent.
                if let Some(after) = before.checked_add(sent) {
                    psp22::set_balance(t, vault_id(), after);
                }
                let r = as_(who, || f(&mut self.c));
                if r.is_err() {
                    psp22::set_balance(t, vault_id(), before);
                }
                if funding < 2 && matches!(r, Err(Error::TokenTransferFailed)) {
                    self.count("token_refused");
                }
                r
            }
            Asset::Psp22(t) => {
                let (held, allowed) = match funding {
                    0 => (amount, amount.saturating_sub(1)),
                    1 => (amount.saturating_sub(1), amount),
                    _ => (amount, amount),
                };
                psp22::set_balance(t, who, held);
                psp22::set_allowance(t, who, vault_id(), allowed);
                let r = as_(who, || f(&mut self.c));
                if let Err(Error::Token(e)) = &r {
                    // The ledger mints at will, so the vault's own balance can hit
                    // u128::MAX, which no real token's supply allows.
                    let full = *e == market_types::TokenError::Custom("overflow".into());
                    assert!(funding < 2 || full, "token refused an exact payment: {e:?}");
                    if !full {
                        self.count("token_refused");
                    }
                }
                r
            }
        }
    }

    /// The error a payer-side message must return to `caller`, if any.
    fn expected_auth(&self, rec: &EscrowRecord, caller: AccountId) -> Option<Error> {
        let controlled = rec.opener != rec.payer && self.c.is_controller(rec.opener);
        let allowed = if controlled { rec.opener } else { rec.payer };
        if caller == allowed {
            None
        } else if caller == rec.payer {
            Some(Error::ControllerOnly)
        } else if caller == rec.opener {
            Some(Error::NotController)
        } else if self.c.is_controller(caller) {
            Some(Error::NotOpener)
        } else {
            Some(Error::NotPayer)
        }
    }

    /// What `start_stream` must return to `caller` on `rec` now.
    pub(super) fn expected_start(
        &self,
        rec: &EscrowRecord,
        caller: AccountId,
    ) -> Result<(), Error> {
        let EscrowTerms::Stream { start_by, .. } = rec.terms else {
            return Err(Error::WrongEscrowKind);
        };
        let controlled = rec.opener != rec.payer && self.c.is_controller(rec.opener);
        let allowed = if controlled { rec.opener } else { rec.payee };
        if caller != allowed {
            return Err(if caller == rec.payee {
                Error::ControllerOnly
            } else if self.c.is_controller(caller) {
                Error::NotOpener
            } else {
                Error::NotPayee
            });
        }
        match rec.state {
            EscrowState::Waiting if self.now <= start_by => Ok(()),
            EscrowState::Waiting => Err(Error::StartWindowPassed),
            EscrowState::Streaming => Err(Error::StreamAlreadyStarted),
            _ => Err(Error::EscrowNotOpen),
        }
    }

    /// What `cancel_unstarted` must return on `rec` now: the penalty, at most what the
    /// linked collateral still holds (`col_held`, read before the call).
    pub(super) fn expected_cancel(
        &self,
        rec: &EscrowRecord,
        col_held: Balance,
    ) -> Result<Balance, Error> {
        let EscrowTerms::Stream {
            start_by,
            no_show_penalty,
            ..
        } = rec.terms
        else {
            return Err(Error::WrongEscrowKind);
        };
        match rec.state {
            EscrowState::Waiting if self.now > start_by => Ok(no_show_penalty.min(col_held)),
            EscrowState::Waiting => Err(Error::StartWindowOpen),
            EscrowState::Streaming => Err(Error::StreamAlreadyStarted),
            _ => Err(Error::EscrowNotOpen),
        }
    }

    /// Checks a payer-side call against who may make it; counts how it went.
    pub(super) fn check_auth(
        &self,
        rec: &Option<EscrowRecord>,
        caller: AccountId,
        r: &Result<(), Error>,
    ) {
        let Some(rec) = rec else { return };
        let expected = self.expected_auth(rec, caller);
        let auth_errors = [
            Error::ControllerOnly,
            Error::NotController,
            Error::NotOpener,
            Error::NotPayer,
        ];
        match (&expected, r) {
            (Some(e), Err(got)) if auth_errors.contains(got) => {
                assert_eq!(got, e, "wrong refusal for {caller:?}");
                if *e == Error::ControllerOnly {
                    self.count("payer_sent_to_controller");
                }
            }
            (Some(e), Err(Error::WrongEscrowKind)) | (Some(e), Err(Error::EscrowNotFound)) => {
                let _ = e;
            }
            (Some(e), got) => panic!("{caller:?} should get {e:?}, got {got:?}"),
            (None, Err(got)) => assert!(!auth_errors.contains(got), "allowed caller got {got:?}"),
            (None, Ok(())) => {
                if rec.opener != rec.payer {
                    if caller == rec.opener {
                        self.count("controller_acted");
                    } else {
                        self.count("payer_acted_after_removal");
                    }
                }
            }
        }
    }

    pub(super) fn count_governance(&self, what: &str) {
        if self.c.open_escrow_count(alice()) > 0 {
            self.count(what);
        }
    }

    /// Checks a settlement, then the invariants.
    pub(super) fn after(&mut self, settled: Option<(u64, Balance, EscrowRecord)>) {
        self.check_settlement(settled);
        let writes = vault_writes();
        let owed = match self.owed {
            Some((owed, at)) if at == writes => owed,
            _ => {
                check_collateral_links(&self.c);
                obligations(&self.c, &mut self.open, &mut self.locked)
            }
        };
        self.owed = Some((owed, writes));
        check_solvency(owed, &self.net);
    }

    pub(super) fn check_settlement(&mut self, settled: Option<(u64, Balance, EscrowRecord)>) {
        // A settlement's credits add up to exactly what the escrow held, and a stream's
        // payee side to what accrued until now (or until the freeze).
        if let Some((id, held, rec)) = settled {
            // The settlement's own event is the last one (told apart by its signature),
            // but for a no-show's penalty and a dispute's collateral hold, which follow it.
            let events: Vec<_> = test::recorded_events().collect();
            let penalty_sig = NoShowPenaltyPaid::SIGNATURE_TOPIC.map(|t| t.to_vec());
            let hold_sig = crate::events::CollateralHeld::SIGNATURE_TOPIC.map(|t| t.to_vec());
            let mut end = events.len();
            if events[end - 1].topics.first() == hold_sig.as_ref() {
                end -= 1;
            }
            let after_penalty = events[end - 1].topics.first() == penalty_sig.as_ref();
            let last = &events[end - 1 - usize::from(after_penalty)];
            assert_eq!(
                last.topics.first().map(|t| t.as_slice()),
                EscrowSettled::SIGNATURE_TOPIC
                    .as_ref()
                    .map(|t| t.as_slice())
            );
            let e = <EscrowSettled as ink::scale::Decode>::decode(&mut &last.data[..]).unwrap();
            self.count(&format!("{:?}", e.reason));
            assert_eq!(e.id, id);
            if after_penalty {
                // A no-show's cancellation, or its payee backing out of the booking.
                assert!(matches!(
                    e.reason,
                    SettleReason::NotStarted | SettleReason::RefundedByPayee
                ));
            }
            let payee_side = e
                .to_payee
                .checked_add(e.fee)
                .and_then(|x| x.checked_add(e.royalties));
            let total = payee_side.and_then(|x| x.checked_add(e.refund));
            assert_eq!(total, Some(held), "split does not add up for escrow {id}");
            assert_eq!(self.c.escrow(id).unwrap().state, EscrowState::Settled);
            if let EscrowTerms::Stream {
                start,
                duration_ms,
                deposit,
                paid_out,
                frozen_at,
                min_payout,
                ..
            } = rec.terms
            {
                if e.reason == SettleReason::NotStarted {
                    // A no-show gives everything back.
                    assert_eq!((start, payee_side, e.refund), (None, Some(0), held));
                }
                // A payee's refund of a disputed stream gives everything frozen back.
                if e.reason == SettleReason::RefundedByPayee && rec.state == EscrowState::Disputed {
                    assert_eq!((payee_side, e.refund), (Some(0), held));
                }
                // A stop by the payer pays what accrued but at least the stream's minimum
                // payout; the fallback (until the freeze), a refund or a no-show only
                // what accrued.
                let (until, floor) = match e.reason {
                    SettleReason::DisputeExpired => (frozen_at, 0),
                    SettleReason::StoppedByPayer => (Some(self.now), min_payout),
                    SettleReason::RefundedByPayee if rec.state == EscrowState::Disputed => {
                        (None, 0)
                    }
                    SettleReason::RefundedByPayee | SettleReason::NotStarted => (Some(self.now), 0),
                    _ => (None, 0),
                };
                if let Some(t) = until {
                    let earned = accrued_at(deposit, start, duration_ms, t);
                    assert_eq!(
                        paid_out.checked_add(payee_side.unwrap()),
                        Some(earned.max(floor).min(deposit)),
                        "stream {id} paid other than max(deposit × elapsed / duration, minimum)"
                    );
                    if floor > earned && e.reason == SettleReason::StoppedByPayer {
                        self.count("min_payout_applied");
                    }
                }
            }
            if let Some(d) = rec.dispute {
                // The fallback's bond follows the outcome, as a ruling's does; a payee's
                // refund during the dispute always returns it.
                let share = self
                    .c
                    .escrow(id)
                    .and_then(|r| r.settlement)
                    .map(|s| s.payee_share_bps)
                    .unwrap();
                let returns = match e.reason {
                    SettleReason::DisputeExpired | SettleReason::Resolved => {
                        if d.by == rec.payer {
                            share <= 5_000
                        } else {
                            share >= 5_000
                        }
                    }
                    _ => true,
                };
                if returns {
                    assert_eq!((e.bond_returned, e.bond_forfeited), (d.bond, 0));
                } else {
                    assert_eq!((e.bond_returned, e.bond_forfeited), (0, d.bond));
                    if e.reason == SettleReason::DisputeExpired && d.bond > 0 {
                        self.count("bond_forfeited_by_fallback");
                    }
                }
            }
        }
    }
}

/// What a stream has earned at `t` (nothing while it waits for its start).
pub(super) fn accrued_at(
    deposit: Balance,
    start: Option<Timestamp>,
    duration: u64,
    t: Timestamp,
) -> Balance {
    start.map_or(0, |s| model_accrued(deposit, s, duration, t))
}

/// Every collateral counts as open exactly the escrows linked to it that are not
/// settled, plus those its payee refunded during a dispute whose hold is still on; and
/// holds at stake exactly what the open and held disputes among them froze.
fn check_collateral_links(c: &Escrow) {
    let mut linked = BTreeMap::<u64, (u32, Balance)>::new();
    for id in 1..=c.escrow_count() {
        let rec = c.escrow(id).unwrap();
        let held = rec.dispute.is_some_and(|d| d.collateral_held);
        if let (Some(cid), true) = (rec.collateral, rec.state != EscrowState::Settled || held) {
            let e = linked.entry(cid).or_default();
            e.0 += 1;
            if rec.state == EscrowState::Disputed || held {
                e.1 += rec.dispute.unwrap().frozen;
            }
        }
    }
    for cid in 1..=c.collateral_count() {
        let col = c.collateral(cid).unwrap();
        assert_eq!(
            (col.open, col.at_stake),
            linked.get(&cid).copied().unwrap_or((0, 0)),
            "collateral {cid}: open count or stake != the escrows and disputes linked to it"
        );
    }
}
