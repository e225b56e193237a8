//! The vault's guards: who may call, what may be opened, and the lookups every message
//! starts with. They only read, and refuse with the `VaultError` the message documents.

use crate::escrow::Escrow;
use crate::types::{Collateral, EscrowRecord};
use ink::codegen::Env as _;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use market_types::math::split_release;
use market_types::{
    ensure, Asset, Balance, Bps, CollateralId, EscrowId, Royalty, Timestamp, VaultError,
    MAX_PERIOD_MS, MAX_ROYALTIES,
};

type Result<T> = core::result::Result<T, VaultError>;

impl Escrow {
    /// Refuses anyone but the arbiter (`NotArbiter`).
    pub(crate) fn only_arbiter(&self) -> Result<()> {
        Ok(self.arbiter.ensure_admin(self.env().caller())?)
    }

    pub(crate) fn get(&self, id: EscrowId) -> Result<EscrowRecord> {
        self.escrows.get(id).ok_or(VaultError::EscrowNotFound)
    }

    /// Collateral that exists and was not released.
    pub(crate) fn live_collateral(&self, id: CollateralId) -> Result<Collateral> {
        match self.collaterals.get(id) {
            Some(c) if !c.released => Ok(c),
            _ => Err(VaultError::CollateralNotFound),
        }
    }

    /// The furthest any deadline, window end or unlock time may be: now +
    /// `MAX_PERIOD_MS`.
    pub(crate) fn horizon(&self) -> Result<Timestamp> {
        self.env()
            .block_timestamp()
            .checked_add(MAX_PERIOD_MS)
            .ok_or(VaultError::Overflow)
    }

    /// The caller may open for `payer`: it is the payer, or a controller. Returns it.
    pub(crate) fn check_acting_for(&self, payer: AccountId) -> Result<AccountId> {
        let caller = self.env().caller();
        ensure!(
            caller == payer || self.controllers.contains(caller),
            VaultError::NotController
        );
        Ok(caller)
    }

    /// Who may act for the payer (release, stop, top up): the controller that opened
    /// the escrow while it is allow-listed, otherwise the payer itself.
    pub(crate) fn check_payer_side(&self, rec: &EscrowRecord) -> Result<()> {
        let caller = self.env().caller();
        let controlled = rec.opener != rec.payer && self.controllers.contains(rec.opener);
        let allowed = if controlled { rec.opener } else { rec.payer };
        if caller == allowed {
            Ok(())
        } else if caller == rec.payer {
            Err(VaultError::ControllerOnly)
        } else if caller == rec.opener {
            Err(VaultError::NotController)
        } else if self.controllers.contains(caller) {
            Err(VaultError::NotOpener)
        } else {
            Err(VaultError::NotPayer)
        }
    }

    /// Who may start a waiting stream: the controller that opened it while it is
    /// allow-listed (it knows when the service began), otherwise the payee.
    pub(crate) fn check_starter(&self, rec: &EscrowRecord) -> Result<()> {
        let caller = self.env().caller();
        let controlled = rec.opener != rec.payer && self.controllers.contains(rec.opener);
        let allowed = if controlled { rec.opener } else { rec.payee };
        if caller == allowed {
            Ok(())
        } else if caller == rec.payee {
            Err(VaultError::ControllerOnly)
        } else if self.controllers.contains(caller) {
            Err(VaultError::NotOpener)
        } else {
            Err(VaultError::NotPayee)
        }
    }

    pub(crate) fn check_asset(&self, asset: Asset) -> Result<()> {
        ensure!(self.is_asset_allowed(asset), VaultError::AssetNotAllowed);
        Ok(())
    }

    pub(crate) fn check_min_deposit(&self, asset: Asset, amount: Balance) -> Result<()> {
        ensure!(
            amount >= self.min_deposit(asset),
            VaultError::BelowMinDeposit
        );
        Ok(())
    }

    /// At most [`MAX_ROYALTIES`], adding up to at most 100 % with the fee.
    pub(crate) fn check_royalties(&self, royalties: &[Royalty]) -> Result<()> {
        ensure!(
            royalties.len() <= MAX_ROYALTIES,
            VaultError::TooManyReceivers
        );
        let bps: Vec<Bps> = royalties.iter().map(|r| r.bps).collect();
        split_release(0, self.fee_bps, &bps).ok_or(VaultError::InvalidShares)?;
        Ok(())
    }

    /// The collateral a new escrow links to, with one more escrow open on it: the
    /// opener must be its controller. Writes nothing.
    pub(crate) fn plan_collateral(
        &self,
        collateral: Option<CollateralId>,
        opener: AccountId,
    ) -> Result<Option<Collateral>> {
        let Some(cid) = collateral else {
            return Ok(None);
        };
        let mut c = self.live_collateral(cid)?;
        ensure!(c.controller == opener, VaultError::NotCollateralController);
        c.open = c.open.checked_add(1).ok_or(VaultError::Overflow)?;
        Ok(Some(c))
    }

    pub(crate) fn next_id(&self) -> Result<EscrowId> {
        self.escrow_count.checked_add(1).ok_or(VaultError::Overflow)
    }
}
