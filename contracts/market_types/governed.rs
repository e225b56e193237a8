//! How the DAO calls the contracts it arbitrates and administers: one ink! trait per
//! interface, which the contracts implement (`impl Administered for ModelRegistry`) and
//! the DAO calls through `contract_ref!`. A trait message's selector is derived from
//! `Trait::message`, on both sides, so nothing is pinned by hand; its label in the
//! metadata (and so in cargo-contract's `--message`, the TypeScript typings and the e2e
//! tests' call builders) is `Trait::message`, e.g. `Administered::set_paused`
//! (dedot: `administeredSetPaused`).
//!
//! The registry and the market answer every admin call with an [`AdminError`]; the vault
//! answers its arbiter with its own [`VaultError`], which names the same refusals in the
//! vault's words (`NotArbiter`, `NotPendingArbiter`; see its `From<AdminError>`).
//! The DAO depends on this crate only, never on the contract crates (ink! 5 would list
//! their events in its metadata).

use crate::{
    AdminError, Asset, Balance, Bps, Collateral, CollateralId, EscrowId, EscrowRecord, VaultError,
};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// The vault as its arbiter (the DAO) calls it: rulings, the collateral it slashes, the
/// reads a case needs, the vault's governed parameters and the arbiter's own two-step
/// handover.
#[ink::trait_definition]
pub trait VaultArbiter {
    /// `payee_bps` of a disputed escrow to the payee side, the rest back.
    #[ink(message)]
    fn resolve(&mut self, id: EscrowId, payee_bps: Bps) -> Result<(), VaultError>;
    /// The fallback of a dispute whose ruling deadline passed (anyone may call).
    #[ink(message)]
    fn expire_dispute(&mut self, id: EscrowId) -> Result<(), VaultError>;
    /// Collateral to named receivers.
    #[ink(message)]
    fn slash_collateral(
        &mut self,
        id: CollateralId,
        receivers: Vec<(AccountId, Balance)>,
    ) -> Result<(), VaultError>;
    /// Ends the collateral hold of an escrow its payee refunded during a dispute.
    #[ink(message)]
    fn release_hold(&mut self, id: EscrowId) -> Result<(), VaultError>;
    /// `(bond_bps, ruling_window_ms)` of new disputes.
    #[ink(message)]
    fn dispute_params(&self) -> (Bps, u64);
    /// An escrow as stored.
    #[ink(message)]
    fn escrow(&self, id: EscrowId) -> Option<EscrowRecord>;
    /// A collateral lock as stored.
    #[ink(message)]
    fn collateral(&self, id: CollateralId) -> Option<Collateral>;
    /// The platform fee of escrows opened from now on.
    #[ink(message)]
    fn set_fee_bps(&mut self, fee_bps: Bps) -> Result<(), VaultError>;
    /// Where fees and forfeited bonds go.
    #[ink(message)]
    fn set_treasury(&mut self, treasury: AccountId) -> Result<(), VaultError>;
    /// The bond rate and ruling window of disputes opened from now on.
    #[ink(message)]
    fn set_dispute_params(
        &mut self,
        bond_bps: Bps,
        ruling_window_ms: u64,
    ) -> Result<(), VaultError>;
    /// The smallest deposit of a new escrow in `asset` (0: none).
    #[ink(message)]
    fn set_min_deposit(&mut self, asset: Asset, amount: Balance) -> Result<(), VaultError>;
    /// Whether `controller` may open escrows for payers.
    #[ink(message)]
    fn set_controller(&mut self, controller: AccountId, allowed: bool) -> Result<(), VaultError>;
    /// Whether new escrows and collateral may use the PSP22 `token`.
    #[ink(message)]
    fn set_asset_allowed(&mut self, token: AccountId, allowed: bool) -> Result<(), VaultError>;
    /// Proposes the next arbiter (`None`: withdraws the proposal).
    #[ink(message)]
    fn propose_arbiter(&mut self, candidate: Option<AccountId>) -> Result<(), VaultError>;
    /// Takes the arbiter role proposed to the caller.
    #[ink(message)]
    fn accept_arbiter(&mut self) -> Result<(), VaultError>;
}

/// What the model registry and the compute market both offer their admin.
#[ink::trait_definition]
pub trait Administered {
    /// Whether offers may be priced in the PSP22 `token` from now on.
    #[ink(message)]
    fn set_asset_allowed(&mut self, token: AccountId, allowed: bool) -> Result<(), AdminError>;
    /// Proposes the next admin (`None`: withdraws the proposal).
    #[ink(message)]
    fn propose_admin(&mut self, new_admin: Option<AccountId>) -> Result<(), AdminError>;
    /// Takes the admin role proposed to the caller.
    #[ink(message)]
    fn accept_admin(&mut self) -> Result<(), AdminError>;
    /// Pauses (or resumes) new listings (registry) or new offers and rentals (market).
    #[ink(message)]
    fn set_paused(&mut self, paused: bool) -> Result<(), AdminError>;
    /// Points new purchases (registry) or new offers (market) at another vault.
    #[ink(message)]
    fn set_vault(&mut self, vault: AccountId) -> Result<(), AdminError>;
}

/// The model registry's own admin setters.
#[ink::trait_definition]
pub trait RegistryAdmin {
    /// Puts `auditor` on the marketplace's auditor list, or takes it off.
    #[ink(message)]
    fn set_auditor(&mut self, auditor: AccountId, allowed: bool) -> Result<(), AdminError>;
    /// The delivery period and review window of new purchases.
    #[ink(message)]
    fn set_purchase_periods(
        &mut self,
        delivery_period_ms: u64,
        review_window_ms: u64,
    ) -> Result<(), AdminError>;
    /// The royalty cap of models registered from now on.
    #[ink(message)]
    fn set_max_royalty_bps(&mut self, max_royalty_bps: Bps) -> Result<(), AdminError>;
}

/// The compute market's own admin setters.
#[ink::trait_definition]
pub trait MarketAdmin {
    /// The collateral ratio of new and updated offers and the no-show penalty of new
    /// rentals.
    #[ink(message)]
    fn set_ratios(&mut self, collateral_ratio_bps: Bps, no_show_bps: Bps)
        -> Result<(), AdminError>;
    /// The longest start window a new offer may give itself.
    #[ink(message)]
    fn set_max_start_window(&mut self, max_start_window_ms: u64) -> Result<(), AdminError>;
    /// Points the market at another auditor list (a registry).
    #[ink(message)]
    fn set_auditors(&mut self, auditors: AccountId) -> Result<(), AdminError>;
    /// The hours of a rental its provider is paid at least, however soon the renter
    /// ends or withdraws it.
    #[ink(message)]
    fn set_rental_rules(&mut self, min_charge_hours: u32) -> Result<(), AdminError>;
    /// The least a rental in `asset` must pay to count in its provider's reputation.
    #[ink(message)]
    fn set_min_counted_value(&mut self, asset: Asset, value: Balance) -> Result<(), AdminError>;
}
