//! The registry's own admin setters: the vault, the purchase periods, the auditor list
//! and the royalty cap. The handover, the pause and the token allow-list are the shared
//! component's (`market_types::admin::Admin`). Each method documented with a message's
//! name in backticks does that message's checks and writes and returns the event for the
//! message (`Administered::…` or `RegistryAdmin::…` in `lib.rs`) to emit. A plain `impl`
//! block outside the contract module.

use crate::events::{AuditorChanged, MaxRoyaltyChanged, PurchasePeriodsChanged, VaultChanged};
use crate::model_registry::ModelRegistry;
use crate::rules::validation::{check_periods, check_royalty_cap};
use ink::codegen::Env;
use ink::primitives::AccountId;
use market_types::{AdminError, Bps};

type Result<T> = core::result::Result<T, AdminError>;

impl ModelRegistry {
    /// Refuses anyone but the admin.
    fn only_admin(&self) -> Result<()> {
        self.admin.ensure_admin(self.env().caller())
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
}
