//! How the DAO calls the contracts it arbitrates and administers.
//!
//! The vault's arbiter messages and every admin setter are **inherent** messages of
//! their contracts: the TypeScript client, the e2e tests and the operators'
//! cargo-contract commands call them by name (`set_fee_bps`, not
//! `VaultArbiter::set_fee_bps`). An ink! trait message's selector is derived from the
//! trait's name unless given, so each message below pins its selector to the inherent
//! message's, `blake2_256(name)[..4]` — checked against `ink::selector_bytes!` by the
//! unit test at the bottom and exercised on a node by the DAO's e2e tests. Depending on
//! the contract crates themselves instead would link their events into the DAO's
//! metadata (ink! 5 collects every event in the binary), where the registry's and the
//! market's same-named events collide.
//!
//! The registry and the market answer admin calls with their own `Error` enums, whose
//! admin refusals are unit variants: read here as [`AdminError`], the variant's index.

use crate::{Asset, Balance, Bps, Collateral, CollateralId, EscrowId, EscrowRecord, VaultError};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// A governed contract's refusal of an admin call: the index of its `Error` variant
/// (every admin refusal is a unit variant, which SCALE encodes as that one byte).
pub type AdminError = u8;

/// The vault as its arbiter (the DAO) calls it.
#[ink::trait_definition]
pub trait VaultArbiter {
    /// `payee_bps` of a disputed escrow to the payee side, the rest back.
    #[ink(message, selector = 0x9E30D65D)]
    fn resolve(&mut self, id: EscrowId, payee_bps: Bps) -> Result<(), VaultError>;
    /// The fallback of a dispute whose ruling deadline passed (anyone may call).
    #[ink(message, selector = 0x317E75E4)]
    fn expire_dispute(&mut self, id: EscrowId) -> Result<(), VaultError>;
    /// Collateral to named receivers.
    #[ink(message, selector = 0xBF463B13)]
    fn slash_collateral(
        &mut self,
        id: CollateralId,
        receivers: Vec<(AccountId, Balance)>,
    ) -> Result<(), VaultError>;
    /// Ends the collateral hold of an escrow its payee refunded during a dispute.
    #[ink(message, selector = 0xB4643B60)]
    fn release_hold(&mut self, id: EscrowId) -> Result<(), VaultError>;
    /// `(bond_bps, ruling_window_ms)` of new disputes.
    #[ink(message, selector = 0x0DBE1496)]
    fn dispute_params(&self) -> (Bps, u64);
    /// An escrow as stored.
    #[ink(message, selector = 0x7CF75B78)]
    fn escrow(&self, id: EscrowId) -> Option<EscrowRecord>;
    /// A collateral lock as stored.
    #[ink(message, selector = 0xA8D5C7FE)]
    fn collateral(&self, id: CollateralId) -> Option<Collateral>;
    #[ink(message, selector = 0xD3F73E00)]
    fn set_fee_bps(&mut self, fee_bps: Bps) -> Result<(), VaultError>;
    #[ink(message, selector = 0xE6812781)]
    fn set_treasury(&mut self, treasury: AccountId) -> Result<(), VaultError>;
    #[ink(message, selector = 0x1D584144)]
    fn set_dispute_params(
        &mut self,
        bond_bps: Bps,
        ruling_window_ms: u64,
    ) -> Result<(), VaultError>;
    #[ink(message, selector = 0xBCEF7377)]
    fn set_min_deposit(&mut self, asset: Asset, amount: Balance) -> Result<(), VaultError>;
    #[ink(message, selector = 0xC5E161EA)]
    fn set_controller(&mut self, controller: AccountId, allowed: bool) -> Result<(), VaultError>;
    #[ink(message, selector = 0xB4BB293F)]
    fn set_asset_allowed(&mut self, token: AccountId, allowed: bool) -> Result<(), VaultError>;
    #[ink(message, selector = 0x9012C3EF)]
    fn propose_arbiter(&mut self, candidate: Option<AccountId>) -> Result<(), VaultError>;
    #[ink(message, selector = 0xAB85A512)]
    fn accept_arbiter(&mut self) -> Result<(), VaultError>;
}

/// What the model registry and the compute market both offer their admin.
#[ink::trait_definition]
pub trait Administered {
    #[ink(message, selector = 0xB4BB293F)]
    fn set_asset_allowed(&mut self, token: AccountId, allowed: bool) -> Result<(), AdminError>;
    #[ink(message, selector = 0x2B3A5AAB)]
    fn propose_admin(&mut self, new_admin: Option<AccountId>) -> Result<(), AdminError>;
    #[ink(message, selector = 0x3830821D)]
    fn accept_admin(&mut self) -> Result<(), AdminError>;
    /// Pauses (or resumes) new listings and rentals.
    #[ink(message, selector = 0x4B7659E5)]
    fn set_paused(&mut self, paused: bool) -> Result<(), AdminError>;
    /// Points new purchases (registry) or new offers (market) at another vault.
    #[ink(message, selector = 0xB3538077)]
    fn set_vault(&mut self, vault: AccountId) -> Result<(), AdminError>;
}

/// The model registry's own admin setters.
#[ink::trait_definition]
pub trait RegistryAdmin {
    #[ink(message, selector = 0xE31010BE)]
    fn set_auditor(&mut self, auditor: AccountId, allowed: bool) -> Result<(), AdminError>;
    #[ink(message, selector = 0x47FAEC63)]
    fn set_purchase_periods(
        &mut self,
        delivery_period_ms: u64,
        review_window_ms: u64,
    ) -> Result<(), AdminError>;
    #[ink(message, selector = 0xC091DB8B)]
    fn set_max_royalty_bps(&mut self, max_royalty_bps: Bps) -> Result<(), AdminError>;
}

/// The compute market's own admin setters.
#[ink::trait_definition]
pub trait MarketAdmin {
    #[ink(message, selector = 0xF7687B0B)]
    fn set_ratios(&mut self, collateral_ratio_bps: Bps, no_show_bps: Bps)
        -> Result<(), AdminError>;
    #[ink(message, selector = 0x5B1724B9)]
    fn set_max_start_window(&mut self, max_start_window_ms: u64) -> Result<(), AdminError>;
    /// Points the market at another auditor list (a registry).
    #[ink(message, selector = 0xA6480814)]
    fn set_auditors(&mut self, auditors: AccountId) -> Result<(), AdminError>;
    /// The hours of a rental its provider is paid at least, however soon the renter
    /// ends or withdraws it.
    #[ink(message, selector = 0x715674DA)]
    fn set_rental_rules(&mut self, min_charge_hours: u32) -> Result<(), AdminError>;
    /// The least a rental in `asset` must pay to count in its provider's reputation.
    #[ink(message, selector = 0x18B1D1C6)]
    fn set_min_counted_value(&mut self, asset: Asset, value: Balance) -> Result<(), AdminError>;
}

#[cfg(test)]
mod tests {
    /// Each selector pinned above is the inherent message's: `blake2_256(name)[..4]`.
    #[test]
    fn pinned_selectors_are_the_inherent_messages() {
        let pinned: [(&str, [u8; 4], u32); 27] = [
            (
                "release_hold",
                ink::selector_bytes!("release_hold"),
                0xB4643B60,
            ),
            (
                "dispute_params",
                ink::selector_bytes!("dispute_params"),
                0x0DBE1496,
            ),
            (
                "set_rental_rules",
                ink::selector_bytes!("set_rental_rules"),
                0x715674DA,
            ),
            (
                "set_min_counted_value",
                ink::selector_bytes!("set_min_counted_value"),
                0x18B1D1C6,
            ),
            ("resolve", ink::selector_bytes!("resolve"), 0x9E30D65D),
            (
                "expire_dispute",
                ink::selector_bytes!("expire_dispute"),
                0x317E75E4,
            ),
            (
                "slash_collateral",
                ink::selector_bytes!("slash_collateral"),
                0xBF463B13,
            ),
            ("escrow", ink::selector_bytes!("escrow"), 0x7CF75B78),
            ("collateral", ink::selector_bytes!("collateral"), 0xA8D5C7FE),
            (
                "set_fee_bps",
                ink::selector_bytes!("set_fee_bps"),
                0xD3F73E00,
            ),
            (
                "set_treasury",
                ink::selector_bytes!("set_treasury"),
                0xE6812781,
            ),
            (
                "set_dispute_params",
                ink::selector_bytes!("set_dispute_params"),
                0x1D584144,
            ),
            (
                "set_min_deposit",
                ink::selector_bytes!("set_min_deposit"),
                0xBCEF7377,
            ),
            (
                "set_controller",
                ink::selector_bytes!("set_controller"),
                0xC5E161EA,
            ),
            (
                "set_asset_allowed",
                ink::selector_bytes!("set_asset_allowed"),
                0xB4BB293F,
            ),
            (
                "propose_arbiter",
                ink::selector_bytes!("propose_arbiter"),
                0x9012C3EF,
            ),
            (
                "accept_arbiter",
                ink::selector_bytes!("accept_arbiter"),
                0xAB85A512,
            ),
            (
                "propose_admin",
                ink::selector_bytes!("propose_admin"),
                0x2B3A5AAB,
            ),
            (
                "accept_admin",
                ink::selector_bytes!("accept_admin"),
                0x3830821D,
            ),
            ("set_paused", ink::selector_bytes!("set_paused"), 0x4B7659E5),
            ("set_vault", ink::selector_bytes!("set_vault"), 0xB3538077),
            (
                "set_auditors",
                ink::selector_bytes!("set_auditors"),
                0xA6480814,
            ),
            (
                "set_auditor",
                ink::selector_bytes!("set_auditor"),
                0xE31010BE,
            ),
            (
                "set_purchase_periods",
                ink::selector_bytes!("set_purchase_periods"),
                0x47FAEC63,
            ),
            (
                "set_max_royalty_bps",
                ink::selector_bytes!("set_max_royalty_bps"),
                0xC091DB8B,
            ),
            ("set_ratios", ink::selector_bytes!("set_ratios"), 0xF7687B0B),
            (
                "set_max_start_window",
                ink::selector_bytes!("set_max_start_window"),
                0x5B1724B9,
            ),
        ];
        for (name, computed, literal) in pinned {
            assert_eq!(computed, literal.to_be_bytes(), "{name}");
        }
    }
}
