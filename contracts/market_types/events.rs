//! Events more than one contract emits, defined once so they have one signature topic
//! and one meaning everywhere (a dApp or an indexer filters them the same way whichever
//! contract it watches). The governed surface's events ([`AdminProposed`],
//! [`AdminChanged`], [`PauseChanged`], [`AssetAllowanceChanged`]) are returned by
//! [`crate::admin::Admin`] for the contract to emit.
//!
//! ink! 5 lists every event linked into a contract in that contract's metadata, so each
//! contract that depends on this crate lists all of these, whether it emits them or
//! not; each contract's docs say which it emits.

use ink::primitives::AccountId;

/// Governance set whether the PSP22 `token` may be used from now on (emitted even when
/// nothing changed): by the vault for new escrows and collateral, by the registry for
/// new and updated offers, by the compute market for new offers.
#[ink::event]
pub struct AssetAllowanceChanged {
    #[ink(topic)]
    pub token: AccountId,
    pub allowed: bool,
}

/// The admin proposed a successor (`None`: the proposal was withdrawn). Nothing changes
/// until the proposed account accepts. The vault emits it for its arbiter role.
#[ink::event]
pub struct AdminProposed {
    #[ink(topic)]
    pub admin: AccountId,
    pub proposed: Option<AccountId>,
}

/// The role moved: the proposed account accepted it. The vault emits it for its
/// arbiter role (and so its governance).
#[ink::event]
pub struct AdminChanged {
    #[ink(topic)]
    pub previous: AccountId,
    #[ink(topic)]
    pub new: AccountId,
}

/// The admin paused (`true`) or resumed (`false`) new business (emitted even when
/// nothing changed): the registry's new listings, the market's new offers and rentals.
#[ink::event]
pub struct PauseChanged {
    pub paused: bool,
}

/// The admin pointed new business at another escrow vault: the registry's new
/// purchases, the market's new offers.
#[ink::event]
pub struct VaultChanged {
    #[ink(topic)]
    pub vault: AccountId,
}
