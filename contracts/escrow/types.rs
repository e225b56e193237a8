//! What the vault stores and returns. These types live outside the contract module only
//! to scope one lint: the derived SCALE encoding of an enum with data-carrying variants
//! casts the variant index to `u8`, and cargo-contract runs clippy with
//! `-D clippy::cast_possible_truncation`.
#![allow(clippy::cast_possible_truncation)]

use ink::prelude::vec::Vec;
use ink::primitives::{AccountId, Hash};
use market_types::{
    Asset, Balance, Bps, CollateralId, EscrowId, EscrowState, Royalty, Settlement, Timestamp,
};

/// What differs between an order and a stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum EscrowTerms {
    Order {
        /// The deposit still held (zero once settled).
        amount: Balance,
        delivery_deadline: Timestamp,
        review_window_ms: u64,
        delivered_at: Option<Timestamp>,
        proof: Option<Hash>,
    },
    Stream {
        /// When accrual began; `None` while the stream waits for `start_stream`.
        start: Option<Timestamp>,
        /// How long it runs from `start` (top-ups included). The payee earns
        /// `deposit × elapsed / duration_ms`.
        duration_ms: u64,
        /// A waiting stream's latest start; afterwards anyone may cancel it.
        start_by: Timestamp,
        /// Paid to the payer out of the collateral if the stream never starts.
        no_show_penalty: Balance,
        /// Everything prepaid, top-ups included.
        deposit: Balance,
        /// Gross amount already paid to the payee side by claims.
        paid_out: Balance,
        /// When a dispute froze the stream (accrual stops there).
        frozen_at: Option<Timestamp>,
    },
}

/// An open dispute and its bond.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Dispute {
    pub by: AccountId,
    pub bond: Balance,
    pub opened_at: Timestamp,
    /// From then on anyone may apply the fallback: `opened_at` plus the ruling window as
    /// it was when the dispute opened (a later change of the window does not move it).
    pub ruling_deadline: Timestamp,
    /// The payee delivered the order while it was frozen by this dispute.
    pub delivered_during: bool,
}

/// One escrow, as stored and as returned by `escrow(id)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct EscrowRecord {
    pub payer: AccountId,
    pub payee: AccountId,
    pub asset: Asset,
    /// Who opened it: the payer itself or a controller acting for it.
    pub opener: AccountId,
    pub context: u64,
    pub collateral: Option<CollateralId>,
    pub fee_bps: Bps,
    pub royalties: Vec<Royalty>,
    pub state: EscrowState,
    pub terms: EscrowTerms,
    pub dispute: Option<Dispute>,
    pub settlement: Option<Settlement>,
    pub opened_at: Timestamp,
}

/// A collateral lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Collateral {
    pub owner: AccountId,
    pub controller: AccountId,
    pub asset: Asset,
    /// What is still locked (slashes reduce it; zero once released).
    pub amount: Balance,
    /// From then on the owner may take it back itself, if nothing is open on it.
    pub unlock_after: Timestamp,
    /// Escrows open against it.
    pub open: u32,
    pub released: bool,
}

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
