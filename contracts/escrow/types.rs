//! What the vault stores and returns. These types live outside the contract module only
//! to scope one lint: the derived SCALE encoding of an enum with data-carrying variants
//! casts the variant index to `u8`, and cargo-contract runs clippy with
//! `-D clippy::cast_possible_truncation`.
#![allow(clippy::cast_possible_truncation)]

use market_types::{Asset, Balance, EscrowId, EscrowState, Timestamp};

// The escrow records the vault returns from `escrow(id)` and `collateral(id)` live in
// the shared crate, so the DAO (the arbiter) decodes them without depending on the
// vault's crate.
pub use market_types::{Collateral, Dispute, EscrowRecord, EscrowTerms};

/// The caller's side of an escrow in `open_escrows`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Role {
    Payer,
    Payee,
}

/// One row of a party's open escrows, with what a dApp shows as "expires in".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct OpenEscrow {
    pub id: EscrowId,
    pub role: Role,
    pub state: EscrowState,
    pub asset: Asset,
    /// What the escrow still holds.
    pub held: Balance,
    /// The next moment something can happen without the other party: the delivery
    /// deadline, the end of the review window, the stream's end, or the end of the
    /// ruling window.
    pub next_deadline: Timestamp,
}

/// Solvency of one asset: `holdings >= owed` must always hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Reserves {
    /// Everything the vault owes in this asset.
    pub owed: Balance,
    /// What the vault holds (its native balance, or its PSP22 balance; zero if the
    /// token cannot be read).
    pub holdings: Balance,
}
