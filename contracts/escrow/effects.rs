//! What the vault's messages write, once their checks passed: money collected from the
//! caller, a new escrow stored and indexed, a settlement or claim plan applied through
//! the ledger; and the bodies of the messages that pay an escrow out or end its hold
//! (`refund`, `claim`, `stop_stream`, `resolve`, `expire_dispute`, `release_hold`),
//! whose documented errors are the messages'.
//!
//! **A payee's refund of a disputed escrow** gives everything frozen back to the payer
//! (nobody takes a contested amount without a ruling, not even what a stream accrued
//! before the freeze), with the disputer's bond. The escrow settles (`RefundedByPayee`),
//! but its collateral stays **held** for the dispute (`Dispute::collateral_held`,
//! `CollateralHeld`): still counted as in use and its frozen amount still at stake, so
//! neither its controller (e.g. a market retiring an offer) nor its owner after the
//! unlock time gets it out from under a slash ruling. The hold ends when the arbiter
//! calls `release_hold` after its ruling and any slash, or anyone does once the ruling
//! deadline has passed (`CollateralHoldReleased`).

use crate::escrow::Escrow;
use crate::events::{CollateralHeld, CollateralHoldReleased};
use crate::rules::money::{stop_payout, stream_end, unpaid_accrual};
use crate::rules::settlement::{self, fallback_side, refund_side, PayeeSide};
use crate::token::{psp22_balance_of, psp22_transfer_from};
use crate::types::{Collateral, EscrowRecord, EscrowTerms};
use ink::codegen::Env as _;
use ink::primitives::AccountId;
use market_types::{
    ensure, Asset, Balance, Bps, CollateralId, EscrowId, EscrowState, SettleReason, VaultError,
    BPS_DENOMINATOR,
};

type Result<T> = core::result::Result<T, VaultError>;

impl Escrow {
    /// Collects `amount` of `asset` for `payer`'s escrow or collateral in the current
    /// message: native must arrive as exactly the transferred value. PSP22 comes from
    /// `payer` itself when it is the caller (pulled with `transfer_from` on its approval
    /// of the vault), or, when an allow-listed controller acts for it (the message's
    /// checks allowed nothing else), was moved here by the controller just before its
    /// call. Returns what arrived. Writes nothing.
    pub(crate) fn collect(
        &self,
        asset: Asset,
        amount: Balance,
        payer: AccountId,
    ) -> Result<Balance> {
        let value = self.env().transferred_value();
        match asset {
            Asset::Native => {
                ensure!(value == amount, VaultError::WrongValue);
                Ok(amount)
            }
            Asset::Psp22(token) => {
                ensure!(value == 0, VaultError::WrongValue);
                if self.env().caller() == payer {
                    self.pull(token, amount)
                } else {
                    self.arrived(token, amount)
                }
            }
        }
    }

    /// Collects a dispute bond from the caller and returns the excess to credit back:
    /// native, any transferred value of at least `bond`; PSP22, exactly `bond` pulled
    /// (no value). Writes nothing.
    pub(crate) fn collect_bond(&self, asset: Asset, bond: Balance) -> Result<Balance> {
        let value = self.env().transferred_value();
        match asset {
            Asset::Native => value.checked_sub(bond).ok_or(VaultError::WrongValue),
            Asset::Psp22(token) => {
                ensure!(value == 0, VaultError::WrongValue);
                ensure!(
                    self.pull(token, bond)? == bond,
                    VaultError::TokenTransferFailed
                );
                Ok(0)
            }
        }
    }

    /// Pulls `amount` of `token` from the caller into the vault and returns what
    /// arrived (the vault's balance after minus before). Writes nothing.
    fn pull(&self, token: AccountId, amount: Balance) -> Result<Balance> {
        if amount == 0 {
            return Ok(0);
        }
        let me = self.env().account_id();
        let from = self.env().caller();
        let before = psp22_balance_of(token, me)?;
        psp22_transfer_from(token, from, me, amount)?;
        let after = psp22_balance_of(token, me)?;
        let received = after
            .checked_sub(before)
            .ok_or(VaultError::TokenTransferFailed)?;
        ensure!(received > 0, VaultError::TokenTransferFailed);
        Ok(received)
    }

    /// What a controller moved to the vault for this call, which must be all of
    /// `amount`: the vault's `token` balance above everything it owes in it must cover
    /// it (a surplus someone sent unasked stays unowed beyond it). One token call
    /// instead of a pull's three, and the controller never approves the vault: the
    /// payer's tokens go from the payer to the vault on the payer's approval of the
    /// controller. A token that skims on that transfer is refused, since the
    /// controller's terms (a license's price, a rental's hours) name the whole amount.
    /// Writes nothing.
    ///
    /// Errors: `TokenTransferFailed` (less arrived, or the vault holds less than it
    /// owes), `Token`/`TokenTransferFailed` from the balance read.
    fn arrived(&self, token: AccountId, amount: Balance) -> Result<Balance> {
        let held = psp22_balance_of(token, self.env().account_id())?;
        let unowed = held
            .checked_sub(self.ledger.owed(Asset::Psp22(token)))
            .ok_or(VaultError::TokenTransferFailed)?;
        ensure!(unowed >= amount, VaultError::TokenTransferFailed);
        Ok(amount)
    }

    /// Stores a freshly funded escrow (what `received` brought in is now owed), links
    /// its collateral and puts it on both parties' open lists.
    pub(crate) fn store_new(
        &mut self,
        id: EscrowId,
        rec: &EscrowRecord,
        collateral: Option<Collateral>,
        received: Balance,
    ) -> Result<()> {
        // Full only after u32::MAX open escrows of one party. A new id is in no list,
        // and the two lists differ (`SelfDeal` is refused before).
        let payer_pos = self.open.next_pos(rec.payer).ok_or(VaultError::Overflow)?;
        let payee_pos = self.open.next_pos(rec.payee).ok_or(VaultError::Overflow)?;
        ensure!(rec.payer != rec.payee, VaultError::SelfDeal);
        self.ledger.receive(rec.asset, received)?;
        if let (Some(cid), Some(c)) = (rec.collateral, collateral) {
            self.collaterals.insert(cid, &c);
        }
        self.escrows.insert(id, rec);
        self.escrow_count = id;
        self.open.push_new(rec.payer, payer_pos, id);
        self.open.push_new(rec.payee, payee_pos, id);
        Ok(())
    }

    /// Settles escrow `id`: plans it (see [`settlement::plan`]), applies the plan and
    /// emits its `EscrowSettled`.
    pub(crate) fn settle(
        &mut self,
        id: EscrowId,
        rec: EscrowRecord,
        payee: PayeeSide,
        reason: SettleReason,
    ) -> Result<()> {
        let now = self.env().block_timestamp();
        let plan = settlement::plan(id, rec, payee, reason, self.treasury, now)?;
        self.apply(id, &plan.credits, &plan.record)?;
        self.env().emit_event(plan.event);
        Ok(())
    }

    /// Writes a plan: its credits (in the escrow's asset) through the ledger, then the
    /// record; a settled record also leaves both open lists and its collateral (unless
    /// the collateral stays held for its dispute: see `Dispute::collateral_held`).
    pub(crate) fn apply(
        &mut self,
        id: EscrowId,
        credits: &[(AccountId, Balance)],
        rec: &EscrowRecord,
    ) -> Result<()> {
        self.ledger.credit_all(rec.asset, credits)?;
        if rec.state == EscrowState::Settled {
            let held = rec.dispute.is_some_and(|d| d.collateral_held);
            if let (false, Some(cid)) = (held, rec.collateral) {
                // A settled record with a dispute settled out of it (ruled, expired or
                // refunded): what the dispute froze is no longer at stake.
                self.unlink_collateral(cid, rec.dispute.map_or(0, |d| d.frozen))?;
            }
            self.open.remove(rec.payer, id);
            self.open.remove(rec.payee, id);
        }
        self.escrows.insert(id, rec);
        Ok(())
    }

    /// One escrow fewer open against collateral `cid`, and `frozen` (what its dispute
    /// froze, if it had one) no longer at stake in it.
    fn unlink_collateral(&mut self, cid: CollateralId, frozen: Balance) -> Result<()> {
        if let Some(mut c) = self.collaterals.get(cid) {
            c.open = c.open.checked_sub(1).ok_or(VaultError::Overflow)?;
            c.at_stake = c.at_stake.saturating_sub(frozen);
            self.collaterals.insert(cid, &c);
        }
        Ok(())
    }

    /// `release_hold`: the collateral an escrow's payee refunded during its dispute
    /// stops counting as in use.
    pub(crate) fn end_hold(&mut self, id: EscrowId) -> Result<CollateralHoldReleased> {
        let mut rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let (Some(cid), Some(d)) = (rec.collateral, rec.dispute.as_mut()) else {
            return Err(VaultError::NoCollateralHold);
        };
        ensure!(d.collateral_held, VaultError::NoCollateralHold);
        if self.env().caller() != self.arbiter.admin() {
            ensure!(now >= d.ruling_deadline, VaultError::RulingWindowOpen);
        }
        d.collateral_held = false;
        let frozen = d.frozen;
        self.unlink_collateral(cid, frozen)?;
        self.escrows.insert(id, &rec);
        Ok(CollateralHoldReleased {
            id,
            collateral: cid,
        })
    }

    /// `refund`: the payee gives an escrow back (a stream carrying a no-show penalty
    /// pays it too, started or not: starting at the last moment and refunding at once
    /// must cost what not showing up costs), or anyone refunds an order past its
    /// delivery deadline.
    pub(crate) fn refund_escrow(&mut self, id: EscrowId) -> Result<()> {
        let rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let by_payee = self.env().caller() == rec.payee;
        let (payee_side, reason) = refund_side(&rec, by_payee, now)?;
        let penalised = matches!(
            rec.terms,
            EscrowTerms::Stream { no_show_penalty, .. } if no_show_penalty > 0
        );
        // A refund during a dispute keeps the escrow's collateral locked for it.
        let hold = match (rec.state, rec.collateral, rec.dispute) {
            (EscrowState::Disputed, Some(collateral), Some(d)) => Some(CollateralHeld {
                id,
                collateral,
                until: d.ruling_deadline,
            }),
            _ => None,
        };
        if by_payee && penalised {
            self.settle_with_penalty(id, rec, payee_side, reason)?;
        } else {
            self.settle(id, rec, payee_side, reason)?;
        }
        if let Some(event) = hold {
            self.env().emit_event(event);
        }
        Ok(())
    }

    /// `claimable`: what a running stream would pay its payee side now (0 otherwise).
    pub(crate) fn claimable_now(&self, id: EscrowId) -> Balance {
        match self.escrows.get(id) {
            Some(rec) if rec.state == EscrowState::Streaming => {
                unpaid_accrual(&rec, self.env().block_timestamp()).unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// `resolve`: the arbiter's split of a disputed escrow.
    pub(crate) fn rule(&mut self, id: EscrowId, payee_bps: Bps) -> Result<()> {
        self.only_arbiter()?;
        ensure!(payee_bps <= BPS_DENOMINATOR, VaultError::InvalidShares);
        let rec = self.get(id)?;
        ensure!(
            rec.state == EscrowState::Disputed,
            VaultError::EscrowNotDisputed
        );
        self.settle(id, rec, PayeeSide::Bps(payee_bps), SettleReason::Resolved)
    }

    /// `expire_dispute`: the fallback of a dispute nobody ruled on in time.
    pub(crate) fn fall_back(&mut self, id: EscrowId) -> Result<()> {
        let rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let payee_side = fallback_side(&rec, now)?;
        self.settle(id, rec, payee_side, SettleReason::DisputeExpired)
    }

    /// `claim`: what accrued since the last claim to the payee side; the last claim
    /// after the end settles the stream.
    pub(crate) fn claim_accrued(&mut self, id: EscrowId) -> Result<Balance> {
        let rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let plan = settlement::plan_claim(id, rec, self.treasury, now)?;
        let gross = plan.event.gross;
        self.apply(id, &plan.credits, &plan.record)?;
        self.env().emit_event(plan.event);
        if let Some(settled) = plan.settled {
            self.env().emit_event(settled);
        }
        Ok(gross)
    }

    /// `stop_stream`: what accrued to the payee side, but at least what the stream's
    /// minimum payout still lacks, the rest back (a stream still waiting for its start
    /// pays only its minimum).
    pub(crate) fn stop(&mut self, id: EscrowId) -> Result<()> {
        let rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let EscrowTerms::Stream {
            start, duration_ms, ..
        } = rec.terms
        else {
            return Err(VaultError::WrongEscrowKind);
        };
        self.check_payer_side(&rec)?;
        ensure!(
            matches!(rec.state, EscrowState::Streaming | EscrowState::Waiting),
            VaultError::EscrowNotOpen
        );
        // A waiting stream has no end yet: stopping it gives everything back.
        if let Some(end) = stream_end(start, duration_ms) {
            ensure!(now < end, VaultError::StreamEnded);
        }
        let payout = stop_payout(&rec, now)?;
        self.settle(
            id,
            rec,
            PayeeSide::Amount(payout),
            SettleReason::StoppedByPayer,
        )
    }
}
