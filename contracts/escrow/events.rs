//! Every event the vault emits. Each state change emits one; `#[ink(topic)]` marks the
//! ids and accounts a dApp filters by (at most three per event besides the signature).

use ink::prelude::vec::Vec;
use ink::primitives::{AccountId, Hash};
use market_types::{Asset, Balance, Bps, CollateralId, EscrowId, SettleReason, Timestamp};

/// The vault was deployed with these parameters.
#[ink::event]
pub struct VaultCreated {
    #[ink(topic)]
    pub arbiter: AccountId,
    pub treasury: AccountId,
    pub fee_bps: Bps,
    pub bond_bps: Bps,
    pub ruling_window_ms: u64,
    pub min_native_deposit: Balance,
}

/// An order was opened and funded.
#[ink::event]
pub struct OrderOpened {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub payer: AccountId,
    #[ink(topic)]
    pub payee: AccountId,
    pub opener: AccountId,
    pub asset: Asset,
    pub amount: Balance,
    pub delivery_deadline: Timestamp,
    pub review_window_ms: u64,
    pub context: u64,
}

/// A stream was opened and prepaid.
#[ink::event]
pub struct StreamOpened {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub payer: AccountId,
    #[ink(topic)]
    pub payee: AccountId,
    pub opener: AccountId,
    pub asset: Asset,
    pub deposit: Balance,
    pub duration_ms: u64,
    /// `None`: the stream waits for `start_stream` until `start_by`.
    pub start: Option<Timestamp>,
    pub start_by: Timestamp,
    pub no_show_penalty: Balance,
    /// The least the payee side is paid in all if the payer stops the stream.
    pub min_payout: Balance,
    pub context: u64,
}

/// A waiting stream started: it accrues from `start` until `end`.
#[ink::event]
pub struct StreamStarted {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub payer: AccountId,
    #[ink(topic)]
    pub payee: AccountId,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// A stream that never started paid its no-show penalty out of its collateral to the
/// payer (alongside its `EscrowSettled`, reason `NotStarted`).
#[ink::event]
pub struct NoShowPenaltyPaid {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub collateral: CollateralId,
    #[ink(topic)]
    pub payer: AccountId,
    pub amount: Balance,
}

/// The payee marked an order delivered (also while it is disputed: the order then stays
/// frozen, and the fallback pays it to the payee side).
#[ink::event]
pub struct OrderDelivered {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub payer: AccountId,
    #[ink(topic)]
    pub payee: AccountId,
    pub proof: Hash,
    pub review_ends: Timestamp,
}

/// Accrued stream money was credited to the payee side.
#[ink::event]
pub struct StreamClaimed {
    #[ink(topic)]
    pub id: EscrowId,
    pub gross: Balance,
    pub to_payee: Balance,
    pub fee: Balance,
    pub royalties: Balance,
}

/// A stream was extended.
#[ink::event]
pub struct StreamToppedUp {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub payer: AccountId,
    #[ink(topic)]
    pub payee: AccountId,
    pub added: Balance,
    pub extra_ms: u64,
    pub new_duration_ms: u64,
    /// `None` while the stream waits for its start.
    pub new_end: Option<Timestamp>,
}

/// A party disputed an escrow and posted a bond. Native value sent above the bond was
/// credited back to the disputer (`excess_credited`, withdrawable at once).
#[ink::event]
pub struct EscrowDisputed {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub payer: AccountId,
    #[ink(topic)]
    pub payee: AccountId,
    pub by: AccountId,
    pub bond: Balance,
    pub excess_credited: Balance,
    pub ruling_deadline: Timestamp,
}

/// An escrow reached its terminal state. The amounts are this settlement's credits;
/// `to_payee + fee + royalties + refund` is what the escrow still held.
#[ink::event]
pub struct EscrowSettled {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub payer: AccountId,
    #[ink(topic)]
    pub payee: AccountId,
    pub reason: SettleReason,
    pub to_payee: Balance,
    pub fee: Balance,
    pub royalties: Balance,
    pub refund: Balance,
    /// A dispute's bond back to the disputer.
    pub bond_returned: Balance,
    /// A dispute's bond the disputer lost: to the treasury after a ruling, to the
    /// counterparty after the fallback (`DisputeExpired`: nobody ruled).
    pub bond_forfeited: Balance,
}

/// Collateral was locked.
#[ink::event]
pub struct CollateralLocked {
    #[ink(topic)]
    pub id: CollateralId,
    #[ink(topic)]
    pub owner: AccountId,
    #[ink(topic)]
    pub controller: AccountId,
    pub asset: Asset,
    pub amount: Balance,
    pub unlock_after: Timestamp,
}

/// Collateral went back to its owner's credit.
#[ink::event]
pub struct CollateralReleased {
    #[ink(topic)]
    pub id: CollateralId,
    #[ink(topic)]
    pub owner: AccountId,
    pub amount: Balance,
}

/// The arbiter slashed an owner's collateral to the named receivers.
#[ink::event]
pub struct CollateralSlashed {
    #[ink(topic)]
    pub id: CollateralId,
    #[ink(topic)]
    pub owner: AccountId,
    /// Who was credited how much, in the order given.
    pub receivers: Vec<(AccountId, Balance)>,
    pub total: Balance,
    pub remaining: Balance,
}

/// A collateral's controller moved its unlock time later.
#[ink::event]
pub struct CollateralExtended {
    #[ink(topic)]
    pub id: CollateralId,
    pub unlock_after: Timestamp,
}

/// An account pulled its credit.
#[ink::event]
pub struct Withdrawn {
    #[ink(topic)]
    pub account: AccountId,
    pub asset: Asset,
    pub amount: Balance,
}

/// Governance changed the platform fee (for escrows opened from now on).
#[ink::event]
pub struct FeeChanged {
    pub fee_bps: Bps,
}

/// Governance changed the treasury.
#[ink::event]
pub struct TreasuryChanged {
    #[ink(topic)]
    pub treasury: AccountId,
}

/// Governance changed the bond rate or the ruling window (for disputes opened from now
/// on).
#[ink::event]
pub struct DisputeParamsChanged {
    pub bond_bps: Bps,
    pub ruling_window_ms: u64,
}

/// Governance changed the smallest deposit a new escrow in `asset` may hold.
#[ink::event]
pub struct MinDepositChanged {
    pub asset: Asset,
    pub amount: Balance,
}

/// Governance allowed or disallowed a controller.
#[ink::event]
pub struct ControllerChanged {
    #[ink(topic)]
    pub controller: AccountId,
    pub allowed: bool,
}

/// The governed surface's events, shared with the registry and the market
/// (`market_types::events`): `AdminProposed` (the arbiter proposed its successor, `None`:
/// withdrew the proposal), `AdminChanged` (the proposed account accepted the arbiter
/// role, and so governance) and `AssetAllowanceChanged`.
pub use market_types::events::{AdminChanged, AdminProposed, AssetAllowanceChanged};

/// The payee refunded a disputed escrow: its collateral stays locked for the dispute
/// until the arbiter ends the hold or, from `until` (the ruling deadline) on, anyone.
#[ink::event]
pub struct CollateralHeld {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub collateral: CollateralId,
    pub until: Timestamp,
}

/// The collateral held for escrow `id`'s dispute no longer counts as in use.
#[ink::event]
pub struct CollateralHoldReleased {
    #[ink(topic)]
    pub id: EscrowId,
    #[ink(topic)]
    pub collateral: CollateralId,
}
