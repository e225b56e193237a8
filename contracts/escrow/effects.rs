//! What the vault's messages write, once their checks passed: money collected from the
//! caller, a new escrow stored and indexed, a settlement or claim plan applied through
//! the ledger; and the bodies of the messages that pay an escrow out (`refund`,
//! `claim`, `stop_stream`), whose documented errors are the messages'.

use crate::escrow::Escrow;
use crate::money::{stream_end, unpaid_accrual};
use crate::settlement::{self, refund_side, PayeeSide};
use crate::token::{psp22_balance_of, psp22_transfer_from};
use crate::types::{Collateral, EscrowRecord, EscrowTerms};
use ink::codegen::Env as _;
use ink::primitives::AccountId;
use market_types::{ensure, Asset, Balance, EscrowId, EscrowState, SettleReason, VaultError};

type Result<T> = core::result::Result<T, VaultError>;

impl Escrow {
    /// Collects `amount` of `asset` from the caller for the current message: native
    /// must arrive as exactly the transferred value; PSP22 is pulled from the caller
    /// with `transfer_from` and what arrived is returned. Writes nothing.
    pub(crate) fn collect(&self, asset: Asset, amount: Balance) -> Result<Balance> {
        let value = self.env().transferred_value();
        match asset {
            Asset::Native => {
                ensure!(value == amount, VaultError::WrongValue);
                Ok(amount)
            }
            Asset::Psp22(token) => {
                ensure!(value == 0, VaultError::WrongValue);
                self.pull(token, amount)
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
        psp22_transfer_from(token, me, from, me, amount)?;
        let after = psp22_balance_of(token, me)?;
        let received = after
            .checked_sub(before)
            .ok_or(VaultError::TokenTransferFailed)?;
        ensure!(received > 0, VaultError::TokenTransferFailed);
        Ok(received)
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
        self.ledger.receive(rec.asset, received)?;
        if let (Some(cid), Some(c)) = (rec.collateral, collateral) {
            self.collaterals.insert(cid, &c);
        }
        self.escrows.insert(id, rec);
        self.escrow_count = id;
        // Full only after u32::MAX open escrows of one party.
        ensure!(
            self.open.push(rec.payer, id) && self.open.push(rec.payee, id),
            VaultError::Overflow
        );
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
    /// record; a settled record also leaves its collateral and both open lists.
    pub(crate) fn apply(
        &mut self,
        id: EscrowId,
        credits: &[(AccountId, Balance)],
        rec: &EscrowRecord,
    ) -> Result<()> {
        self.ledger.credit_all(rec.asset, credits)?;
        if rec.state == EscrowState::Settled {
            if let Some(cid) = rec.collateral {
                if let Some(mut c) = self.collaterals.get(cid) {
                    c.open = c.open.checked_sub(1).ok_or(VaultError::Overflow)?;
                    self.collaterals.insert(cid, &c);
                }
            }
            self.open.remove(rec.payer, id);
            self.open.remove(rec.payee, id);
        }
        self.escrows.insert(id, rec);
        Ok(())
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
        if by_payee && penalised {
            return self
                .settle_with_penalty(id, rec, payee_side, reason)
                .map(|_| ());
        }
        self.settle(id, rec, payee_side, reason)
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

    /// `stop_stream`: what accrued to the payee side, the rest back (everything, for a
    /// stream still waiting for its start).
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
        let accrued = unpaid_accrual(&rec, now)?;
        self.settle(
            id,
            rec,
            PayeeSide::Amount(accrued),
            SettleReason::StoppedByPayer,
        )
    }
}
