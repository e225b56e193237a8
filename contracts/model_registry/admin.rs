//! The logic of the admin messages: the vault, the purchase periods, the auditor and
//! token allow-lists, the royalty cap, the pause switch and the two-step handover of
//! the role. Each method documented with a message's name in backticks does that
//! message's checks and writes and returns the event for the message to emit; the
//! message's doc lists its errors. A plain `impl` block outside the contract module.

use crate::errors::{Error, Result};
use crate::events::{
    AdminChanged, AdminProposed, AssetAllowanceChanged, AuditorChanged, MaxRoyaltyChanged,
    PauseChanged, PurchasePeriodsChanged, VaultChanged,
};
use crate::model_registry::ModelRegistry;
use crate::validation::{check_periods, check_royalty_cap};
use ink::codegen::Env;
use ink::primitives::AccountId;
use market_types::{ensure, Bps};

impl ModelRegistry {
    /// Refuses anyone but the admin.
    pub(crate) fn only_admin(&self) -> Result<()> {
        Ok(self.admin.check(self.env().caller())?)
    }

    /// `set_vault`: the admin points new purchases at `vault`.
    pub(crate) fn do_set_vault(&mut self, vault: AccountId) -> Result<VaultChanged> {
        self.only_admin()?;
        self.vault = Some(vault);
        Ok(VaultChanged { vault })
    }

    /// `set_purchase_periods`: the admin sets both periods of new purchases, once both
    /// are checked.
    pub(crate) fn do_set_purchase_periods(
        &mut self,
        delivery_period_ms: u64,
        review_window_ms: u64,
    ) -> Result<PurchasePeriodsChanged> {
        self.only_admin()?;
        check_periods(delivery_period_ms, review_window_ms)?;
        self.delivery_period_ms = delivery_period_ms;
        self.review_window_ms = review_window_ms;
        Ok(PurchasePeriodsChanged {
            delivery_period_ms,
            review_window_ms,
        })
    }

    /// `set_auditor`: the admin puts `auditor` on the allow-list or takes it off.
    pub(crate) fn do_set_auditor(
        &mut self,
        auditor: AccountId,
        allowed: bool,
    ) -> Result<AuditorChanged> {
        self.only_admin()?;
        self.auditors.set(auditor, allowed);
        Ok(AuditorChanged { auditor, allowed })
    }

    /// `set_asset_allowed`: the admin lets the PSP22 `token` price offers, or stops it.
    pub(crate) fn do_set_asset_allowed(
        &mut self,
        token: AccountId,
        allowed: bool,
    ) -> Result<AssetAllowanceChanged> {
        self.only_admin()?;
        self.allowed_tokens.set(token, allowed);
        Ok(AssetAllowanceChanged { token, allowed })
    }

    /// `set_max_royalty_bps`: the admin sets the royalty cap, once checked against the
    /// hard cap.
    pub(crate) fn do_set_max_royalty_bps(
        &mut self,
        max_royalty_bps: Bps,
    ) -> Result<MaxRoyaltyChanged> {
        self.only_admin()?;
        check_royalty_cap(max_royalty_bps)?;
        self.max_royalty_bps = max_royalty_bps;
        Ok(MaxRoyaltyChanged { max_royalty_bps })
    }

    /// `set_paused`: the admin pauses or resumes new listings.
    pub(crate) fn do_set_paused(&mut self, paused: bool) -> Result<PauseChanged> {
        self.only_admin()?;
        self.paused = paused;
        Ok(PauseChanged { paused })
    }

    /// `propose_admin`: the admin proposes `new_admin` (never itself) as its successor,
    /// or withdraws the proposal with `None`.
    pub(crate) fn do_propose_admin(
        &mut self,
        new_admin: Option<AccountId>,
    ) -> Result<AdminProposed> {
        let admin = self.admin.holder();
        self.only_admin()?;
        ensure!(new_admin != Some(admin), Error::SameAccount);
        self.admin.propose(admin, new_admin)?;
        Ok(AdminProposed {
            admin,
            proposed: new_admin,
        })
    }

    /// `accept_admin`: `caller`, if it is the proposed account, takes the role.
    pub(crate) fn do_accept_admin(&mut self, caller: AccountId) -> Result<AdminChanged> {
        let previous = self.admin.accept(caller)?;
        Ok(AdminChanged {
            previous,
            new: caller,
        })
    }
}
