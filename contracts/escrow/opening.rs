//! Private helpers of the messages that bring money in: `open_order`, `open_stream`,
//! `top_up` and `lock_collateral`. Each checks everything, collects the payment from
//! the caller, records what arrived as owed (through the ledger) and returns the event
//! for the message to emit. The documented errors are the messages'.

use crate::escrow::Escrow;
use crate::events::{CollateralLocked, OrderOpened, StreamOpened, StreamToppedUp};
use crate::types::{Collateral, EscrowRecord, EscrowTerms};
use ink::codegen::Env as _;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
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
        let received = self.collect(terms.asset, terms.amount)?;
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

    /// `open_stream`: a stream prepaid in full.
    pub(crate) fn new_stream(
        &mut self,
        payer: AccountId,
        terms: StreamTerms,
    ) -> Result<(EscrowId, StreamOpened)> {
        let opener = self.check_acting_for(payer)?;
        let now = self.env().block_timestamp();
        ensure!(payer != terms.payee, VaultError::SelfDeal);
        ensure!(terms.rate_per_ms > 0, VaultError::ZeroAmount);
        self.check_asset(terms.asset)?;
        ensure!(
            terms.start >= now && terms.end > terms.start,
            VaultError::InvalidPeriod
        );
        let duration = terms
            .end
            .checked_sub(terms.start)
            .ok_or(VaultError::InvalidPeriod)?;
        ensure!(
            terms.start <= self.horizon()? && duration <= MAX_PERIOD_MS,
            VaultError::PeriodTooLong
        );
        let deposit = terms
            .rate_per_ms
            .checked_mul(Balance::from(duration))
            .ok_or(VaultError::Overflow)?;
        self.check_min_deposit(terms.asset, deposit)?;
        let collateral = self.plan_collateral(terms.collateral, opener)?;
        let id = self.next_id()?;
        let received = self.collect(terms.asset, deposit)?;
        ensure!(received == deposit, VaultError::TokenTransferFailed);
        let rec = EscrowRecord {
            payer,
            payee: terms.payee,
            asset: terms.asset,
            opener,
            context: terms.context,
            collateral: terms.collateral,
            fee_bps: self.fee_bps,
            royalties: Vec::new(),
            state: EscrowState::Streaming,
            terms: EscrowTerms::Stream {
                rate_per_ms: terms.rate_per_ms,
                start: terms.start,
                end: terms.end,
                deposit,
                paid_out: 0,
                frozen_at: None,
            },
            dispute: None,
            settlement: None,
            opened_at: now,
        };
        self.store_new(id, &rec, collateral, deposit)?;
        let event = StreamOpened {
            id,
            payer,
            payee: terms.payee,
            opener,
            asset: terms.asset,
            rate_per_ms: terms.rate_per_ms,
            start: terms.start,
            end: terms.end,
            deposit,
            context: terms.context,
        };
        Ok((id, event))
    }

    /// `top_up`: the stream runs `extra_ms` longer, its deposit grown by what arrived.
    pub(crate) fn extend_stream(&mut self, id: EscrowId, extra_ms: u64) -> Result<StreamToppedUp> {
        let mut rec = self.get(id)?;
        let now = self.env().block_timestamp();
        let EscrowTerms::Stream {
            rate_per_ms,
            end,
            deposit,
            ..
        } = rec.terms
        else {
            return Err(VaultError::WrongEscrowKind);
        };
        self.check_payer_side(&rec)?;
        ensure!(
            rec.state == EscrowState::Streaming,
            VaultError::EscrowNotOpen
        );
        ensure!(now < end, VaultError::StreamEnded);
        ensure!(extra_ms > 0, VaultError::ZeroAmount);
        let new_end = end.checked_add(extra_ms).ok_or(VaultError::Overflow)?;
        ensure!(new_end <= self.horizon()?, VaultError::PeriodTooLong);
        let added = rate_per_ms
            .checked_mul(Balance::from(extra_ms))
            .ok_or(VaultError::Overflow)?;
        let new_deposit = deposit.checked_add(added).ok_or(VaultError::Overflow)?;
        let received = self.collect(rec.asset, added)?;
        ensure!(received == added, VaultError::TokenTransferFailed);
        if let EscrowTerms::Stream { end, deposit, .. } = &mut rec.terms {
            *end = new_end;
            *deposit = new_deposit;
        }
        self.ledger.receive(rec.asset, added)?;
        self.escrows.insert(id, &rec);
        Ok(StreamToppedUp { id, added, new_end })
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
        let received = self.collect(asset, amount)?;
        self.ledger.receive(asset, received)?;
        let collateral = Collateral {
            owner,
            controller,
            asset,
            amount: received,
            unlock_after,
            open: 0,
            released: false,
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
