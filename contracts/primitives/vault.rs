//! The escrow vault's interface: what controllers (the registry, the compute market) and
//! test contracts call, the terms they open escrows with, and the vault's error type.
//!
//! The trait lives here, not in the `escrow` crate, so a caller depends on this small
//! crate only and calls the vault through `contract_ref!(EscrowVault)`.

use crate::{Asset, Balance, Bps, Timestamp};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// Id of an escrow (order or stream) in the vault; ids start at 1 and are never reused.
pub type EscrowId = u64;
/// Id of a collateral lock in the vault; ids start at 1 and are never reused.
pub type CollateralId = u64;

/// At most this many royalty receivers per order.
pub const MAX_ROYALTIES: usize = 4;

/// A share of every release paid to `receiver` (e.g. the owner of a parent model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Royalty {
    pub receiver: AccountId,
    /// Share of the released amount, in basis points.
    pub bps: Bps,
}

/// What a one-shot order is opened with.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct OrderTerms {
    /// Who is paid on release.
    pub payee: AccountId,
    pub asset: Asset,
    /// The deposit. For native orders the call's transferred value must equal it; for
    /// PSP22 orders the vault pulls it with `transfer_from` and holds what arrived.
    pub amount: Balance,
    /// The payee must mark the order delivered by then; afterwards anyone may refund it.
    pub delivery_deadline: Timestamp,
    /// After delivery, the payer has this long to release or dispute; afterwards anyone
    /// may finalize it to the payee.
    pub review_window_ms: u64,
    /// Paid on release, after the platform fee; at most [`MAX_ROYALTIES`].
    pub royalties: Vec<Royalty>,
    /// The caller's reference (e.g. a license id); the vault only stores it.
    pub context: u64,
    /// Collateral that must stay locked while this order is open (the caller must be
    /// the controller that locked it).
    pub collateral: Option<CollateralId>,
}

/// What a stream (pay-as-you-go, e.g. a GPU rental) is opened with.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct StreamTerms {
    pub payee: AccountId,
    pub asset: Asset,
    /// Amount accruing to the payee per millisecond between `start` and `end`.
    pub rate_per_ms: Balance,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The caller's reference (e.g. a rental id).
    pub context: u64,
    /// Collateral that must stay locked while this stream is open.
    pub collateral: Option<CollateralId>,
}

/// Why an escrow reached its terminal state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum SettleReason {
    /// The payer (or its controller) released the order.
    Released,
    /// Anyone finalized a delivered order after its review window.
    AutoReleased,
    /// Anyone refunded an undelivered order after its delivery deadline.
    RefundedAfterDeadline,
    /// The payee gave the money back.
    RefundedByPayee,
    /// The arbiter ruled on a dispute with a split.
    Resolved,
    /// The arbiter did not rule in time; anyone applied the fallback (see `escrow`).
    DisputeExpired,
    /// The payer stopped a stream early; the unused part went back.
    StoppedByPayer,
    /// A stream ran to its end and everything accrued was claimed.
    StreamCompleted,
}

/// Where an escrow stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum EscrowState {
    /// An order holding its deposit, not yet delivered.
    Funded,
    /// An order the payee marked delivered; the review window runs.
    Delivered,
    /// A stream accruing to its payee.
    Streaming,
    /// Frozen by a dispute until the arbiter rules or the ruling window expires.
    Disputed,
    /// Terminal.
    Settled,
}

/// How a settled escrow ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Settlement {
    pub reason: SettleReason,
    /// Block time of the settlement.
    pub at: Timestamp,
    /// Share of the (remaining) deposit that went to the payee side (payee, fee and
    /// royalties), in basis points: 10 000 for a release, 0 for a refund.
    pub payee_share_bps: Bps,
}

/// The part of an escrow a controller needs to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct EscrowStatus {
    pub state: EscrowState,
    pub settlement: Option<Settlement>,
}

/// Every way a vault message can refuse. A refused message changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum VaultError {
    /// Only the arbiter (the DAO) may do this.
    NotArbiter,
    /// The caller is neither the payer nor an allow-listed controller.
    NotController,
    /// Only the payer (or the controller that opened the escrow) may do this.
    NotPayer,
    /// Only the payee may do this.
    NotPayee,
    /// Only the payer or the payee may do this.
    NotParty,
    /// No escrow has this id.
    EscrowNotFound,
    /// The escrow is a stream and this is an order operation, or the reverse.
    WrongEscrowKind,
    /// The order is not in the `Funded` state.
    EscrowNotFunded,
    /// The order is not in the `Delivered` state.
    EscrowNotDelivered,
    /// The escrow is not disputed.
    EscrowNotDisputed,
    /// The escrow is already settled, or frozen by a dispute.
    EscrowNotOpen,
    /// The delivery deadline has passed.
    DeliveryDeadlinePassed,
    /// The delivery deadline has not passed yet.
    DeliveryDeadlineNotReached,
    /// The review window is still open.
    ReviewWindowOpen,
    /// The review window has closed.
    ReviewWindowClosed,
    /// The arbiter's ruling window is still open.
    RulingWindowOpen,
    /// The stream has ended; it can no longer be topped up or stopped.
    StreamEnded,
    /// Nothing has accrued since the last claim.
    NothingToClaim,
    /// The PSP22 token is not on the allow-list.
    AssetNotAllowed,
    /// Amounts, rates and bonds must be above zero where money must move.
    ZeroAmount,
    /// The transferred value differs from what the message requires.
    WrongValue,
    /// The payer and the payee are the same account.
    SelfDeal,
    /// A period is empty or a deadline is already in the past.
    InvalidPeriod,
    /// More royalty receivers than [`MAX_ROYALTIES`], or more slash receivers than allowed.
    TooManyReceivers,
    /// Fee and royalties add up to more than 100 %, or a split is above 10 000 bps.
    InvalidShares,
    /// The platform fee is above the vault's cap.
    FeeTooHigh,
    /// An amount would overflow; nothing was written.
    Overflow,
    /// A PSP22 transfer failed (an error from the token or a failed call).
    TokenTransferFailed,
    /// A native transfer out of the vault failed.
    NativeTransferFailed,
    /// The caller has no credit in this asset.
    NothingToWithdraw,
    /// No collateral has this id.
    CollateralNotFound,
    /// Only the controller that locked this collateral may do this.
    NotCollateralController,
    /// Escrows are still open against this collateral.
    CollateralInUse,
    /// The owner may take collateral back only after its unlock time.
    CollateralStillLocked,
    /// A slash asks for more than the collateral holds.
    SlashExceedsCollateral,
}

/// The vault as other contracts call it.
#[ink::trait_definition]
pub trait EscrowVault {
    /// Opens a one-shot order paid by `payer`; see [`OrderTerms`]. The caller must be
    /// `payer` or an allow-listed controller. Native: send exactly `terms.amount`.
    /// PSP22: `payer` must have approved the vault for `terms.amount`.
    #[ink(message, payable)]
    fn open_order(&mut self, payer: AccountId, terms: OrderTerms) -> Result<EscrowId, VaultError>;

    /// Opens a stream paid by `payer`, prepaying `rate_per_ms × (end − start)`.
    #[ink(message, payable)]
    fn open_stream(&mut self, payer: AccountId, terms: StreamTerms)
        -> Result<EscrowId, VaultError>;

    /// Releases an order to its payee (payer or the controller that opened it).
    #[ink(message)]
    fn release(&mut self, id: EscrowId) -> Result<(), VaultError>;

    /// Stops a stream early: the accrued part to the payee, the rest back to the payer.
    #[ink(message)]
    fn stop_stream(&mut self, id: EscrowId) -> Result<(), VaultError>;

    /// Extends a stream by `extra_ms`, paying `rate_per_ms × extra_ms` more.
    #[ink(message, payable)]
    fn top_up(&mut self, id: EscrowId, extra_ms: u64) -> Result<(), VaultError>;

    /// Locks collateral for `owner` (controllers only). Native: send exactly `amount`.
    #[ink(message, payable)]
    fn lock_collateral(
        &mut self,
        owner: AccountId,
        asset: Asset,
        amount: Balance,
        unlock_after: Timestamp,
    ) -> Result<CollateralId, VaultError>;

    /// Gives collateral back to its owner (its controller, when nothing is open on it).
    #[ink(message)]
    fn release_collateral(&mut self, id: CollateralId) -> Result<(), VaultError>;

    /// Pays the caller's whole credit in `asset`; returns the amount paid.
    #[ink(message)]
    fn withdraw(&mut self, asset: Asset) -> Result<Balance, VaultError>;

    /// State and, once settled, the outcome of an escrow.
    #[ink(message)]
    fn escrow_status(&self, id: EscrowId) -> Option<EscrowStatus>;
}
