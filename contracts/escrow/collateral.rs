//! Private helpers of the collateral messages other than `lock_collateral` (see
//! `opening`): slashing, extending and releasing a lock, and the one slice of a lock
//! that moves without the arbiter: a stream's no-show penalty (`cancel_unstarted`).
//! Each checks everything, moves money only through the ledger, and returns the event
//! for the message to emit. The documented errors are the messages'.
//!
//! A no-show penalty is fixed when its stream opens: only a waiting stream may carry
//! one, out of a collateral its payee posted, and at most what that holds
//! (`InvalidPenalty`). The payer gets it when nobody started the stream by its
//! `start_by` (`cancel_unstarted`, by anyone; the whole deposit comes back too), and when
//! the payee refunds the stream, started or not (backing out costs what not showing up
//! costs). It is the only payout from a collateral that needs no arbiter, so it comes
//! only out of what the collateral holds beyond its `at_stake` — what the open and held
//! disputes of escrows linked to it froze, which a slash ruling may still take: a
//! provider cannot drain its own collateral to a second account (a booking with a large
//! penalty, refunded) before the slash. When less is left, the payer gets what is left.

use crate::escrow::{Escrow, MAX_SLASH_RECEIVERS};
use crate::events::{CollateralExtended, CollateralReleased, CollateralSlashed, NoShowPenaltyPaid};
use crate::rules::settlement::{self, PayeeSide};
use crate::types::{EscrowRecord, EscrowTerms};
use ink::codegen::Env as _;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use market_types::{
    ensure, Balance, CollateralId, EscrowId, EscrowState, SettleReason, Timestamp, VaultError,
};

type Result<T> = core::result::Result<T, VaultError>;

impl Escrow {
    /// `slash_collateral`: each receiver credited from the lock.
    pub(crate) fn slash(
        &mut self,
        id: CollateralId,
        receivers: Vec<(AccountId, Balance)>,
    ) -> Result<CollateralSlashed> {
        self.only_arbiter()?;
        let mut c = self.live_collateral(id)?;
        ensure!(
            !receivers.is_empty() && receivers.len() <= MAX_SLASH_RECEIVERS,
            VaultError::TooManyReceivers
        );
        let mut total: Balance = 0;
        for (_, amount) in &receivers {
            ensure!(*amount > 0, VaultError::ZeroAmount);
            total = total.checked_add(*amount).ok_or(VaultError::Overflow)?;
        }
        let remaining = c
            .amount
            .checked_sub(total)
            .ok_or(VaultError::SlashExceedsCollateral)?;
        self.ledger.credit_all(c.asset, &receivers)?;
        c.amount = remaining;
        self.collaterals.insert(id, &c);
        Ok(CollateralSlashed {
            id,
            owner: c.owner,
            receivers,
            total,
            remaining,
        })
    }

    /// `extend_collateral`: the lock runs until `unlock_after`.
    pub(crate) fn extend_lock(
        &mut self,
        id: CollateralId,
        unlock_after: Timestamp,
    ) -> Result<CollateralExtended> {
        let mut c = self.live_collateral(id)?;
        let caller = self.env().caller();
        ensure!(caller == c.controller, VaultError::NotCollateralController);
        ensure!(
            caller == c.owner || self.controllers.contains(caller),
            VaultError::NotController
        );
        ensure!(unlock_after > c.unlock_after, VaultError::InvalidPeriod);
        ensure!(unlock_after <= self.horizon()?, VaultError::PeriodTooLong);
        c.unlock_after = unlock_after;
        self.collaterals.insert(id, &c);
        Ok(CollateralExtended { id, unlock_after })
    }

    /// `release_collateral`: what the lock holds back to its owner's credit.
    pub(crate) fn unlock(&mut self, id: CollateralId) -> Result<CollateralReleased> {
        let mut c = self.live_collateral(id)?;
        let caller = self.env().caller();
        if caller != c.controller {
            ensure!(caller == c.owner, VaultError::NotCollateralController);
            ensure!(
                self.env().block_timestamp() >= c.unlock_after,
                VaultError::CollateralStillLocked
            );
        }
        ensure!(c.open == 0, VaultError::CollateralInUse);
        let amount = c.amount;
        self.ledger.credit(c.owner, c.asset, amount)?;
        c.amount = 0;
        c.released = true;
        self.collaterals.insert(id, &c);
        Ok(CollateralReleased {
            id,
            owner: c.owner,
            amount,
        })
    }

    /// `cancel_unstarted`: a stream nobody started by its latest start goes back to
    /// its payer whole, with its no-show penalty out of its collateral (at most what
    /// the collateral still holds). Only the penalty fixed when the stream opened can
    /// move this way, and only for a stream that provably never started: every other
    /// slash stays the arbiter's.
    pub(crate) fn cancel_waiting(&mut self, id: EscrowId) -> Result<Balance> {
        let rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let EscrowTerms::Stream { start_by, .. } = rec.terms else {
            return Err(VaultError::WrongEscrowKind);
        };
        match rec.state {
            EscrowState::Waiting => {}
            EscrowState::Streaming => return Err(VaultError::StreamAlreadyStarted),
            _ => return Err(VaultError::EscrowNotOpen),
        }
        ensure!(now > start_by, VaultError::StartWindowOpen);
        self.settle_with_penalty(id, rec, PayeeSide::NOTHING, SettleReason::NotStarted)
    }

    /// Settles stream `rec` for `reason` (`payee` to the payee side, the rest back),
    /// and pays the payer the stream's no-show penalty out of the linked collateral (at
    /// most what the collateral still holds): for a stream nobody started in time, and
    /// for one its payee refunds (backing out of a booking costs what not showing up
    /// costs). Returns the penalty paid.
    pub(crate) fn settle_with_penalty(
        &mut self,
        id: EscrowId,
        rec: EscrowRecord,
        payee: PayeeSide,
        reason: SettleReason,
    ) -> Result<Balance> {
        let now = self.env().block_timestamp();
        let EscrowTerms::Stream {
            no_show_penalty, ..
        } = rec.terms
        else {
            return Err(VaultError::WrongEscrowKind);
        };
        let payer = rec.payer;
        let linked = rec.collateral;
        let mut plan = settlement::plan(id, rec, payee, reason, self.treasury, now)?;
        let mut paid: Balance = 0;
        let mut penalty_event = None;
        if let (Some(cid), true) = (linked, no_show_penalty > 0) {
            let mut c = self.live_collateral(cid)?;
            // Never out of what open disputes may still slash (`Collateral::at_stake`).
            paid = no_show_penalty.min(c.amount.saturating_sub(c.at_stake));
            if paid > 0 {
                c.amount = c.amount.checked_sub(paid).ok_or(VaultError::Overflow)?;
                self.collaterals.insert(cid, &c);
                // In the escrow's asset the penalty joins the payer's refund, if any:
                // one credit cell read and written once.
                let refund = plan.credits.iter_mut().find(|(to, _)| *to == payer);
                match refund {
                    Some((_, amount)) if c.asset == plan.record.asset => {
                        *amount = amount.checked_add(paid).ok_or(VaultError::Overflow)?
                    }
                    _ => self.ledger.credit(payer, c.asset, paid)?,
                }
                penalty_event = Some(NoShowPenaltyPaid {
                    id,
                    collateral: cid,
                    payer,
                    amount: paid,
                });
            }
        }
        if let Some(s) = plan.record.settlement.as_mut() {
            s.penalty_paid = paid;
        }
        self.apply(id, &plan.credits, &plan.record)?;
        self.env().emit_event(plan.event);
        if let Some(event) = penalty_event {
            self.env().emit_event(event);
        }
        Ok(paid)
    }
}
