//! Private helpers of the messages that bring money in: `open_order`, `open_stream`,
//! `top_up` and `lock_collateral`. Each checks everything, collects the payment from
//! the caller, records what arrived as owed (through the ledger) and returns the event
//! for the message to emit. The documented errors are the messages'.

use crate::escrow::Escrow;
use crate::events::{CollateralLocked, OrderOpened, StreamOpened, StreamToppedUp};
use crate::rules::money::stream_end;
use crate::types::{Collateral, EscrowRecord, EscrowTerms};
use ink::codegen::Env as _;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use market_types::math::proportional_top_up;
use market_types::{
    ensure, Asset, Balance, CollateralId, EscrowId, EscrowState, OrderTerms, StreamTerms,
    Timestamp, VaultError, MAX_PERIOD_MS,
};

type Result<T> = core::result::Result<T, VaultError>;

impl Escrow {
    /// `open_order`: a funded order holding what arrived.
    pub(crate) fn new_order(
        &mut self,
        payer: AccountId,
        terms: OrderTerms,
    ) -> Result<(EscrowId, OrderOpened)> {
        let opener = self.check_acting_for(payer)?;
        let now = self.env().block_timestamp();
        ensure!(payer != terms.payee, VaultError::SelfDeal);
        ensure!(terms.amount > 0, VaultError::ZeroAmount);
        self.check_asset(terms.asset)?;
        self.check_min_deposit(terms.asset, terms.amount)?;
        ensure!(terms.delivery_deadline > now, VaultError::InvalidPeriod);
        ensure!(
            terms.delivery_deadline <= self.horizon()? && terms.review_window_ms <= MAX_PERIOD_MS,
            VaultError::PeriodTooLong
        );
        terms
            .delivery_deadline
            .checked_add(terms.review_window_ms)
            .ok_or(VaultError::Overflow)?;
        self.check_royalties(&terms.royalties)?;
        let collateral = self.plan_collateral(terms.collateral, opener)?;
        let id = self.next_id()?;
        let received = self.collect(terms.asset, terms.amount, payer)?;
        // A token that skims on transfer must not slip an order under the minimum.
        self.check_min_deposit(terms.asset, received)?;
        let rec = EscrowRecord {
            payer,
            payee: terms.payee,
            asset: terms.asset,
            opener,
            context: terms.context,
            collateral: terms.collateral,
            fee_bps: self.fee_bps,
            royalties: terms.royalties,
            state: EscrowState::Funded,
            terms: EscrowTerms::Order {
                amount: received,
                delivery_deadline: terms.delivery_deadline,
                review_window_ms: terms.review_window_ms,
                delivered_at: None,
                proof: None,
            },
            dispute: None,
            settlement: None,
            opened_at: now,
        };
        self.store_new(id, &rec, collateral, received)?;
        let event = OrderOpened {
            id,
            payer,
            payee: terms.payee,
            opener,
            asset: terms.asset,
            amount: received,
            delivery_deadline: terms.delivery_deadline,
            review_window_ms: terms.review_window_ms,
            context: terms.context,
        };
        Ok((id, event))
    }

    /// `open_stream`: a stream prepaid in full, running now or later, or waiting for
    /// its start.
    pub(crate) fn new_stream(
        &mut self,
        payer: AccountId,
        terms: StreamTerms,
    ) -> Result<(EscrowId, StreamOpened)> {
        let opener = self.check_acting_for(payer)?;
        let now = self.env().block_timestamp();
        ensure!(payer != terms.payee, VaultError::SelfDeal);
        ensure!(terms.amount > 0, VaultError::ZeroAmount);
        self.check_asset(terms.asset)?;
        ensure!(terms.duration_ms > 0, VaultError::InvalidPeriod);
        ensure!(
            terms.duration_ms <= MAX_PERIOD_MS,
            VaultError::PeriodTooLong
        );
        let horizon = self.horizon()?;
        let (state, start_by) = match terms.start {
            Some(start) => {
                ensure!(start >= now, VaultError::InvalidPeriod);
                ensure!(start <= horizon, VaultError::PeriodTooLong);
                ensure!(terms.no_show_penalty == 0, VaultError::InvalidPenalty);
                (EscrowState::Streaming, start)
            }
            None => {
                ensure!(terms.start_by > now, VaultError::InvalidPeriod);
                ensure!(terms.start_by <= horizon, VaultError::PeriodTooLong);
                (EscrowState::Waiting, terms.start_by)
            }
        };
        self.check_min_deposit(terms.asset, terms.amount)?;
        ensure!(
            terms.min_payout <= terms.amount,
            VaultError::InvalidMinPayout
        );
        let collateral = self.plan_collateral(terms.collateral, opener)?;
        if terms.no_show_penalty > 0 {
            // The penalty comes out of this stream's own collateral, posted by its
            // payee (so a controller cannot route someone else's collateral to a payer
            // of its choosing), and never more than it holds now (later slashes may
            // shrink it: the payer then gets what is left, see `cancel_unstarted`).
            let backed = collateral
                .as_ref()
                .is_some_and(|c| c.owner == terms.payee && terms.no_show_penalty <= c.amount);
            ensure!(backed, VaultError::InvalidPenalty);
        }
        let id = self.next_id()?;
        let received = self.collect(terms.asset, terms.amount, payer)?;
        // Accrual divides exactly what was promised: a token that skims is refused.
        ensure!(received == terms.amount, VaultError::TokenTransferFailed);
        let rec = EscrowRecord {
            payer,
            payee: terms.payee,
            asset: terms.asset,
            opener,
            context: terms.context,
            collateral: terms.collateral,
            fee_bps: self.fee_bps,
            royalties: Vec::new(),
            state,
            terms: EscrowTerms::Stream {
                start: terms.start,
                duration_ms: terms.duration_ms,
                start_by,
                no_show_penalty: terms.no_show_penalty,
                deposit: received,
                paid_out: 0,
                frozen_at: None,
                min_payout: terms.min_payout,
            },
            dispute: None,
            settlement: None,
            opened_at: now,
        };
        self.store_new(id, &rec, collateral, received)?;
        let event = StreamOpened {
            id,
            payer,
            payee: terms.payee,
            opener,
            asset: terms.asset,
            deposit: received,
            duration_ms: terms.duration_ms,
            start: terms.start,
            start_by,
            no_show_penalty: terms.no_show_penalty,
            min_payout: terms.min_payout,
            context: terms.context,
        };
        Ok((id, event))
    }

    /// `top_up`: the stream runs `extra_ms` longer at the same price per millisecond,
    /// its deposit grown by exactly `deposit × extra_ms / duration`.
    pub(crate) fn extend_stream(&mut self, id: EscrowId, extra_ms: u64) -> Result<StreamToppedUp> {
        let mut rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let EscrowTerms::Stream {
            start,
            duration_ms,
            start_by,
            deposit,
            ..
        } = rec.terms
        else {
            return Err(VaultError::WrongEscrowKind);
        };
        self.check_payer_side(&rec)?;
        ensure!(
            matches!(rec.state, EscrowState::Streaming | EscrowState::Waiting),
            VaultError::EscrowNotOpen
        );
        if let Some(end) = stream_end(start, duration_ms) {
            ensure!(now < end, VaultError::StreamEnded);
        } else {
            ensure!(now <= start_by, VaultError::StartWindowPassed);
        }
        ensure!(extra_ms > 0, VaultError::ZeroAmount);
        let new_duration = duration_ms
            .checked_add(extra_ms)
            .ok_or(VaultError::Overflow)?;
        ensure!(new_duration <= MAX_PERIOD_MS, VaultError::PeriodTooLong);
        let new_end = stream_end(start, new_duration);
        if let Some(end) = new_end {
            ensure!(end <= self.horizon()?, VaultError::PeriodTooLong);
        }
        let added =
            proportional_top_up(deposit, duration_ms, extra_ms).ok_or(VaultError::InexactTopUp)?;
        ensure!(added > 0, VaultError::ZeroAmount);
        let new_deposit = deposit.checked_add(added).ok_or(VaultError::Overflow)?;
        let received = self.collect(rec.asset, added, rec.payer)?;
        ensure!(received == added, VaultError::TokenTransferFailed);
        if let EscrowTerms::Stream {
            duration_ms,
            deposit,
            ..
        } = &mut rec.terms
        {
            *duration_ms = new_duration;
            *deposit = new_deposit;
        }
        self.ledger.receive(rec.asset, added)?;
        self.escrows.insert(id, &rec);
        Ok(StreamToppedUp {
            id,
            payer: rec.payer,
            payee: rec.payee,
            added,
            extra_ms,
            new_duration_ms: new_duration,
            new_end,
        })
    }

    /// `lock_collateral`: collateral holding what arrived, the caller its controller.
    pub(crate) fn new_collateral(
        &mut self,
        owner: AccountId,
        asset: Asset,
        amount: Balance,
        unlock_after: Timestamp,
    ) -> Result<(CollateralId, CollateralLocked)> {
        let controller = self.check_acting_for(owner)?;
        ensure!(amount > 0, VaultError::ZeroAmount);
        self.check_asset(asset)?;
        ensure!(unlock_after <= self.horizon()?, VaultError::PeriodTooLong);
        let id = self
            .collateral_count
            .checked_add(1)
            .ok_or(VaultError::Overflow)?;
        let received = self.collect(asset, amount, owner)?;
        self.ledger.receive(asset, received)?;
        let collateral = Collateral {
            owner,
            controller,
            asset,
            amount: received,
            unlock_after,
            open: 0,
            released: false,
            at_stake: 0,
        };
        self.collaterals.insert(id, &collateral);
        self.collateral_count = id;
        let event = CollateralLocked {
            id,
            owner,
            controller,
            asset,
            amount: received,
            unlock_after,
        };
        Ok((id, event))
    }
}
