//! Events more than one contract emits, defined once so they have one signature topic
//! and one meaning everywhere (a dApp or an indexer filters them the same way whichever
//! contract it watches).

use ink::primitives::AccountId;

/// Governance set whether the PSP22 `token` may be used from now on (emitted even when
/// nothing changed): by the vault for new escrows and collateral, by the registry for
/// new and updated offers.
#[ink::event]
pub struct AssetAllowanceChanged {
    #[ink(topic)]
    pub token: AccountId,
    pub allowed: bool,
}
