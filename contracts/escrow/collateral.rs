//! Private helpers of the collateral messages other than `lock_collateral` (see
//! `opening`): slashing, extending and releasing a lock. Each checks everything, moves
//! money only through the ledger, and returns the event for the message to emit. The
//! documented errors are the messages'.

use crate::escrow::{Escrow, MAX_SLASH_RECEIVERS};
use crate::events::{CollateralExtended, CollateralReleased, CollateralSlashed};
use ink::codegen::Env as _;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use market_types::{ensure, Balance, CollateralId, Timestamp, VaultError};

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
}
