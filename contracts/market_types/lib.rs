//! Types every marketplace contract agrees on.
//!
//! - **Ids**: models, license offers and (later) escrows are numbered by the contract
//!   that owns them; the aliases keep their widths in one place.
//! - **[`Asset`]**: what a price is paid in — the chain's native unit or an allow-listed
//!   PSP22 token.
//! - **[`LicenseKind`]**: the terms a license offer sells.
//! - **[`Page`]**: the one shape of every paginated getter, so a dApp pages through
//!   models, offers and attestations the same way.
//!
//! - **[`vault`]**: the escrow vault's interface ([`EscrowVault`], called through
//!   `contract_ref!`), its terms, states and [`VaultError`].
//! - **[`admin`]**: the governed surface every contract shares, written once: the
//!   [`admin::Admin`] storage struct (two-step admin handover, pause flag, PSP22
//!   allow-list), whose methods take the caller and return the event to emit, and
//!   [`AdminError`].
//! - **[`governed`]**: the traits the DAO calls the vault (as its arbiter), the
//!   registry and the market (as their admin) through, which those contracts implement.
//! - **[`events`]**: events more than one contract emits (the governed surface's
//!   `AdminProposed`, `AdminChanged`, `PauseChanged`, `VaultChanged`,
//!   `AssetAllowanceChanged`).
//! - **[`math`]**: exact basis-point shares and splits that add up to the unit.
//! - **[`storage`]**: the storage helpers every contract shares — [`storage::SwapIndex`]
//!   (swap-remove lists per key), [`storage::page`] (the one page builder) and the
//!   [`ensure!`] guard.
//! - **[`psp22_calls`]**: the calls into PSP22 tokens and the one reading of their two
//!   error layers.
//! - **`testing`** (feature `testing`, enabled in dev-dependencies only): the unit
//!   tests' kit — `assert_refused!`, the `Fingerprint` trait, and the one set of test
//!   doubles for what the contracts call (`testing::psp22`, `testing::vault`,
//!   `testing::targets`). With the feature on, [`psp22_calls`] calls the PSP22 double.
//!
//! This crate holds no contract and no messages of its own; it is a plain library.
#![cfg_attr(not(feature = "std"), no_std)]
// cargo-contract lints every path dependency with `-D clippy::cast_possible_truncation`;
// the derived `StorageLayout` of an enum casts the variant index to `u8`, which that lint
// flags. This crate writes no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

pub mod admin;
pub mod events;
pub mod governed;
pub mod math;
pub mod psp22_calls;
pub mod storage;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vault;
pub use admin::AdminError;
pub use vault::*;

/// Id of a model in the registry; ids start at 1 and are never reused.
pub type ModelId = u64;
/// Id of a license sold by the registry; ids start at 1 and are never reused.
pub type LicenseId = u64;
/// Index of a license offer within its model, starting at 0.
pub type OfferId = u32;
/// Basis points: 1 bps = 0.01 %.
pub type Bps = u16;
/// What a cross-contract call answers, unread: the environment layer (trap, …), then
/// ink!'s `LangError`, then the message's own return value.
pub type Answer<T> = Result<ink::MessageResult<T>, ink::env::Error>;
/// Amounts, as in ink!'s default environment.
pub type Balance = u128;
/// Milliseconds since the Unix epoch, as the chain's timestamp pallet reports.
pub type Timestamp = u64;

/// 100 % in basis points.
pub const BPS_DENOMINATOR: Bps = 10_000;

/// No period, window, deadline or lock may reach further than this from now (366 days):
/// governed periods are checked against it when set, and terms when an escrow opens, so
/// `now + period` can never overflow and nothing can be locked for ever.
pub const MAX_PERIOD_MS: u64 = 366 * 86_400_000;

/// The marketplace's one list of auditors, kept by the model registry (governed by its
/// admin, later the DAO). Other contracts (the compute market) read it through this
/// trait instead of keeping a second list in step.
#[ink::trait_definition]
pub trait Auditors {
    /// Whether `account` may attest models and GPU offers.
    #[ink(message)]
    fn is_auditor(&self, account: AccountId) -> bool;
}

/// What a price is paid in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Asset {
    /// The chain's native currency, sent as the transferred value of a payable call.
    Native,
    /// A PSP22 token at this contract address; it must be on the registry's allow-list.
    Psp22(AccountId),
}

/// The terms a license offer sells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum LicenseKind {
    /// Use of the model forever.
    Perpetual,
    /// Use of the model for this many milliseconds after the purchase is released.
    TimeBound {
        /// Length of the license in milliseconds; never zero.
        duration_ms: u64,
    },
    /// A number of metered calls (inference requests, tokens, …) counted by a gateway.
    Metered {
        /// Units bought; never zero.
        units: u64,
    },
}

impl LicenseKind {
    /// A TimeBound of zero milliseconds or a Metered of zero units sells nothing.
    pub fn is_valid(&self) -> bool {
        match self {
            LicenseKind::Perpetual => true,
            LicenseKind::TimeBound { duration_ms } => *duration_ms > 0,
            LicenseKind::Metered { units } => *units > 0,
        }
    }
}

/// One page of a paginated getter.
///
/// `next` is the cursor to pass to get the following page, or `None` on the last page.
/// Getters cap the page length (see each contract's `MAX_PAGE`) so a page's encoded
/// size stays far below the 16 KiB a contract may return.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Page<T> {
    /// The items on this page, in cursor order.
    pub items: Vec<T>,
    /// Cursor of the next page, if there is one.
    pub next: Option<u64>,
}

/// Clamps a caller's page length to `1..=max`: zero means "as many as allowed".
pub fn page_len(limit: u32, max: u32) -> u32 {
    if limit == 0 || limit > max {
        max
    } else {
        limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_kind_rejects_empty_terms() {
        assert!(LicenseKind::Perpetual.is_valid());
        assert!(LicenseKind::TimeBound { duration_ms: 1 }.is_valid());
        assert!(!LicenseKind::TimeBound { duration_ms: 0 }.is_valid());
        assert!(LicenseKind::Metered { units: 1 }.is_valid());
        assert!(!LicenseKind::Metered { units: 0 }.is_valid());
    }

    #[test]
    fn page_len_clamps_to_max() {
        assert_eq!(page_len(0, 10), 10);
        assert_eq!(page_len(3, 10), 3);
        assert_eq!(page_len(10, 10), 10);
        assert_eq!(page_len(u32::MAX, 10), 10);
    }
}
