//! Private helpers of the messages that move an escrow along without paying it out:
//! `deliver`, `dispute` and `start_stream`. Each checks everything, writes, and returns
//! the event for the message to emit. The documented errors are the messages'.
//!
//! **Who may dispute what** (`money::disputable`): either party, a delivered order in
//! its review window or a started stream that still holds something (also just after
//! its end); an undelivered order only its payer (the payee delivers or refunds:
//! `EscrowNotDelivered`), and only until its delivery deadline (then anyone refunds it:
//! `DeliveryDeadlinePassed`); a waiting stream nobody (`StreamNotStarted`). An
//! undelivered order's ruling deadline is never before its delivery deadline, so a
//! dispute cannot cut the delivery period short; the payee may still deliver it while
//! disputed, and the ruling deadline then moves to at least a full ruling window after
//! the delivery. The bond: native, send **at least** it, the excess is credited back at
//! once (a claim landing first in the same block cannot make the dispute fail); PSP22,
//! exactly the bond is pulled.
//!
//! **What a dispute records** (`Dispute`): besides its bond and ruling deadline, what
//! the escrow held when it opened (`frozen`: an order's deposit, a stream's deposit
//! less its claims; the base of a slash ruling, which stands even if the payee refunds
//! the escrow before it) and the block it opened in (`opened_block`: a jury weighs stake
//! as it was before it). A stream stops accruing at the freeze, and `frozen` counts as
//! at stake in the linked collateral (`Collateral::at_stake`) until the dispute ends,
//! or the collateral hold that follows a payee's refund (see `effects`) does.

use crate::escrow::Escrow;
use crate::events::{EscrowDisputed, OrderDelivered, StreamStarted};
use crate::rules::money::{disputable, held, stream_end};
use crate::types::{Dispute, EscrowTerms};
use ink::codegen::Env as _;
use ink::primitives::Hash;
use market_types::math::bps_of_ceil;
use market_types::{ensure, EscrowId, EscrowState, VaultError};

type Result<T> = core::result::Result<T, VaultError>;

impl Escrow {
    /// `deliver`: the order delivered with `proof`; its review window (or, while it is
    /// disputed, the rest of the dispute) starts now.
    pub(crate) fn deliver_order(&mut self, id: EscrowId, proof: Hash) -> Result<OrderDelivered> {
        let mut rec = self.get(id)?;
        let now = self.env().block_timestamp();
        ensure!(self.env().caller() == rec.payee, VaultError::NotPayee);
        let EscrowTerms::Order {
            delivery_deadline,
            review_window_ms,
            delivered_at,
            proof: stored,
            ..
        } = &mut rec.terms
        else {
            return Err(VaultError::WrongEscrowKind);
        };
        let in_dispute = match rec.state {
            EscrowState::Funded => false,
            EscrowState::Disputed if delivered_at.is_none() => true,
            _ => return Err(VaultError::EscrowNotFunded),
        };
        ensure!(
            now <= *delivery_deadline,
            VaultError::DeliveryDeadlinePassed
        );
        let review_ends = now
            .checked_add(*review_window_ms)
            .ok_or(VaultError::Overflow)?;
        *delivered_at = Some(now);
        *stored = Some(proof);
        if in_dispute {
            // A delivery landing late in the dispute still leaves the arbiter a full
            // ruling window to look at it before the fallback can pay it out.
            let window_ends = now
                .checked_add(self.ruling_window_ms)
                .ok_or(VaultError::Overflow)?;
            if let Some(d) = rec.dispute.as_mut() {
                d.delivered_during = true;
                d.ruling_deadline = d.ruling_deadline.max(window_ends);
            }
        } else {
            rec.state = EscrowState::Delivered;
        }
        self.escrows.insert(id, &rec);
        Ok(OrderDelivered {
            id,
            payer: rec.payer,
            payee: rec.payee,
            proof,
            review_ends,
        })
    }

    /// `dispute`: the escrow frozen and the caller's bond owed.
    pub(crate) fn open_dispute(&mut self, id: EscrowId) -> Result<EscrowDisputed> {
        let mut rec = self.get(id)?;
        let caller = self.env().caller();
        let now = self.env().block_timestamp();
        ensure!(
            caller == rec.payer || caller == rec.payee,
            VaultError::NotParty
        );
        let at_stake = disputable(&rec, now)?;
        let frozen = held(&rec)?;
        let bond = bps_of_ceil(at_stake, self.bond_bps).ok_or(VaultError::Overflow)?;
        let mut ruling_deadline = now
            .checked_add(self.ruling_window_ms)
            .ok_or(VaultError::Overflow)?;
        if let (
            EscrowState::Funded,
            EscrowTerms::Order {
                delivery_deadline, ..
            },
        ) = (rec.state, &rec.terms)
        {
            // An undelivered order: the payee has nothing to dispute (it delivers or
            // refunds), and the payer's dispute cannot cut the delivery period short:
            // no fallback before the delivery deadline.
            ensure!(caller != rec.payee, VaultError::EscrowNotDelivered);
            ruling_deadline = ruling_deadline.max(*delivery_deadline);
        }
        // What this dispute froze is reserved in the linked collateral for a slash.
        let staked_collateral = match rec.collateral {
            Some(cid) => {
                let mut c = self.live_collateral(cid)?;
                c.at_stake = c.at_stake.checked_add(frozen).ok_or(VaultError::Overflow)?;
                Some((cid, c))
            }
            None => None,
        };
        let excess = self.collect_bond(rec.asset, bond)?;
        let came_in = bond.checked_add(excess).ok_or(VaultError::Overflow)?;
        // The first write: the bond and the excess are owed before any is credited.
        self.ledger.receive(rec.asset, came_in)?;
        self.ledger.credit(caller, rec.asset, excess)?;
        if let Some((cid, c)) = staked_collateral {
            self.collaterals.insert(cid, &c);
        }
        if let EscrowTerms::Stream {
            start,
            duration_ms,
            frozen_at,
            ..
        } = &mut rec.terms
        {
            // `disputable` refused waiting streams, so the stream has an end.
            let end = stream_end(*start, *duration_ms).ok_or(VaultError::StreamNotStarted)?;
            *frozen_at = Some(now.min(end));
        }
        rec.state = EscrowState::Disputed;
        rec.dispute = Some(Dispute {
            by: caller,
            bond,
            opened_at: now,
            ruling_deadline,
            delivered_during: false,
            frozen,
            opened_block: self.env().block_number(),
            collateral_held: false,
        });
        self.escrows.insert(id, &rec);
        Ok(EscrowDisputed {
            id,
            payer: rec.payer,
            payee: rec.payee,
            by: caller,
            bond,
            excess_credited: excess,
            ruling_deadline,
        })
    }

    /// `start_stream`: a waiting stream starts now and runs its duration.
    pub(crate) fn start_waiting(&mut self, id: EscrowId) -> Result<StreamStarted> {
        let mut rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let EscrowTerms::Stream {
            duration_ms,
            start_by,
            ..
        } = rec.terms
        else {
            return Err(VaultError::WrongEscrowKind);
        };
        self.check_starter(&rec)?;
        match rec.state {
            EscrowState::Waiting => {}
            EscrowState::Streaming => return Err(VaultError::StreamAlreadyStarted),
            _ => return Err(VaultError::EscrowNotOpen),
        }
        ensure!(now <= start_by, VaultError::StartWindowPassed);
        let end = now.checked_add(duration_ms).ok_or(VaultError::Overflow)?;
        if let EscrowTerms::Stream { start, .. } = &mut rec.terms {
            *start = Some(now);
        }
        rec.state = EscrowState::Streaming;
        self.escrows.insert(id, &rec);
        Ok(StreamStarted {
            id,
            payer: rec.payer,
            payee: rec.payee,
            start: now,
            end,
        })
    }
}
