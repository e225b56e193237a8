//! The escrow vault's interface: what controllers (the registry, the compute market) and
//! test contracts call, the terms they open escrows with, and the vault's error type.
//!
//! The trait lives here, not in the `escrow` crate, so a caller depends on this small
//! crate only and calls the vault through `contract_ref!(EscrowVault)`.

use crate::{AdminError, Asset, Balance, Bps, Timestamp};
use ink::prelude::{string::String, vec::Vec};
use ink::primitives::{AccountId, Hash};

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
    /// PSP22 orders see [`EscrowVault::open_order`]: the vault holds what arrived.
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
///
/// The payee earns `amount × elapsed / duration_ms` (rounded down; the whole amount at
/// the end), so any price is exact, however far below one unit per millisecond.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct StreamTerms {
    pub payee: AccountId,
    pub asset: Asset,
    /// Everything prepaid. For native streams the call's transferred value must equal
    /// it; PSP22 streams are paid as orders are ([`EscrowVault::open_order`]) and must
    /// receive all of it.
    pub amount: Balance,
    /// How long the stream runs once started (at most [`crate::MAX_PERIOD_MS`]).
    pub duration_ms: u64,
    /// `Some(t)`: accrual starts at `t` (now or later). `None`: the stream waits until
    /// `start_stream` (by the payee, or by the controller that opened it) and runs
    /// `duration_ms` from then; if nobody starts it by `start_by`, anyone may
    /// `cancel_unstarted` it: the payer gets everything back plus `no_show_penalty`
    /// out of `collateral`.
    pub start: Option<Timestamp>,
    /// Latest start of a waiting stream (ignored when `start` is set).
    pub start_by: Timestamp,
    /// The caller's reference (e.g. a rental id).
    pub context: u64,
    /// Collateral that must stay locked while this stream is open.
    pub collateral: Option<CollateralId>,
    /// Paid to the payer out of `collateral` if the stream never starts; zero unless
    /// `start` is `None` and `collateral` is set, and at most the collateral's amount.
    pub no_show_penalty: Balance,
    /// The least the payee side is paid in all (claims included) when the payer stops
    /// the stream, started or not: a booking withdrawn or ended at once still pays the
    /// payee for the time it held its machines (e.g. the first hour). At most `amount`;
    /// zero for none. A payee's refund, a no-show cancellation, a ruling and a
    /// dispute's fallback ignore it.
    pub min_payout: Balance,
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
    /// A waiting stream was not started by its latest start: the payer got everything
    /// back, plus the stream's no-show penalty out of its collateral.
    NotStarted,
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
    /// A stream waiting for `start_stream` (nothing accrues yet).
    Waiting,
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
    /// What the payer was paid out of the stream's collateral as its no-show penalty
    /// (a stream nobody started in time, or one its payee refunded): at most the
    /// penalty fixed when the stream opened, less when a slash or open disputes left
    /// less of the collateral free (`Collateral::at_stake`); 0 for everything else. A
    /// controller records the exact figure from here.
    pub penalty_paid: Balance,
}

/// The part of an escrow a controller needs to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct EscrowStatus {
    pub state: EscrowState,
    pub settlement: Option<Settlement>,
}

// ------------------------------------------------------------ stored records
// What the vault stores and returns from `escrow(id)` and `collateral(id)`. They live
// here because the arbiter (the DAO) reads them across the contract boundary.

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
        /// The least the payee side is paid in all when the payer stops the stream
        /// (see [`StreamTerms::min_payout`]).
        min_payout: Balance,
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
    /// What the escrow held when the dispute opened (an order's deposit; a stream's
    /// deposit less its claims): the base of a slash ruling, which stands even if the
    /// payee refunds the escrow before it.
    pub frozen: Balance,
    /// The block the dispute opened in: a jury weighs stake as it was before it, so
    /// nobody can stake for a side after seeing the dispute.
    pub opened_block: u32,
    /// The escrow settled while this dispute was open without a ruling or its
    /// fallback (its payee refunded it), and its collateral stays locked (counted in
    /// `Collateral::open`) until the arbiter ends the hold (`release_hold`, after its
    /// ruling) or anyone does once `ruling_deadline` has passed: a slash ruling stands
    /// whatever the payee does in between.
    pub collateral_held: bool,
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
    /// What the open and held disputes of escrows linked to it froze: a slash ruling
    /// may still take this much, so no-show penalties (the only payouts from it that
    /// need no arbiter) come only out of the rest. Without it, a provider could drain
    /// its own collateral through penalties to a second account before a slash.
    pub at_stake: Balance,
}

/// Longest text kept from a token's `Custom` error, in bytes.
pub const MAX_TOKEN_ERROR_LEN: usize = 64;

/// A PSP22 token's own refusal, as the token returned it (the variants and their order
/// are `psp22::PSP22Error`'s, so it encodes the same), with any text cut to
/// [`MAX_TOKEN_ERROR_LEN`] bytes so a hostile token cannot blow up our return value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum TokenError {
    /// The token's own reason.
    Custom(String),
    /// The account has fewer tokens than the transfer needs.
    InsufficientBalance,
    /// The spender's allowance is below the transfer.
    InsufficientAllowance,
    ZeroRecipientAddress,
    ZeroSenderAddress,
    SafeTransferCheckFailed(String),
}

impl TokenError {
    /// Keeps at most [`MAX_TOKEN_ERROR_LEN`] bytes of `text`, cut on a char boundary.
    fn bounded(mut text: String) -> String {
        if text.len() > MAX_TOKEN_ERROR_LEN {
            let mut end = MAX_TOKEN_ERROR_LEN;
            while end > 0 && !text.is_char_boundary(end) {
                end = end.saturating_sub(1);
            }
            text.truncate(end);
        }
        text
    }
}

impl From<psp22::PSP22Error> for TokenError {
    fn from(e: psp22::PSP22Error) -> Self {
        use psp22::PSP22Error as P;
        match e {
            P::Custom(text) => TokenError::Custom(Self::bounded(text)),
            P::InsufficientBalance => TokenError::InsufficientBalance,
            P::InsufficientAllowance => TokenError::InsufficientAllowance,
            P::ZeroRecipientAddress => TokenError::ZeroRecipientAddress,
            P::ZeroSenderAddress => TokenError::ZeroSenderAddress,
            P::SafeTransferCheckFailed(text) => {
                TokenError::SafeTransferCheckFailed(Self::bounded(text))
            }
        }
    }
}

/// Every way a vault message can refuse. A refused message changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// Fee and royalties add up to more than 100 %, or a split or a bond rate is above
    /// 10 000 bps.
    InvalidShares,
    /// The platform fee is above the vault's cap.
    FeeTooHigh,
    /// An amount would overflow; nothing was written.
    Overflow,
    /// A PSP22 call failed at the environment layer (the token trapped, or its answer
    /// could not be decoded), or the token delivered less than asked.
    TokenTransferFailed,
    /// The PSP22 token refused the transfer; its own reason is inside (e.g.
    /// `InsufficientAllowance` vs `InsufficientBalance`).
    Token(TokenError),
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
    /// A period, window or lock reaches further than [`crate::MAX_PERIOD_MS`] from now.
    PeriodTooLong,
    /// The deposit is below the vault's minimum for this asset (`min_deposit`).
    BelowMinDeposit,
    /// Only the account proposed with `propose_arbiter` may accept the role.
    NotPendingArbiter,
    /// A controller opened this escrow: its payer acts through that controller, which
    /// enforces the terms it sold (e.g. a rental's maximum hours).
    ControllerOnly,
    /// A controller may act only on the escrows and collateral it opened itself.
    NotOpener,
    /// The stream has not started yet (nothing to claim or dispute).
    StreamNotStarted,
    /// The stream already started (or never waited for a start).
    StreamAlreadyStarted,
    /// A waiting stream's latest start has passed: it can only be cancelled now.
    StartWindowPassed,
    /// A waiting stream's latest start has not passed yet.
    StartWindowOpen,
    /// A top-up must keep the price per millisecond exactly: `deposit × extra_ms /
    /// duration` must be a whole number of units.
    InexactTopUp,
    /// The no-show penalty needs a waiting stream with collateral, and must not exceed it.
    InvalidPenalty,
    /// The escrow holds no collateral for a dispute (nothing to release).
    NoCollateralHold,
    /// A stream's minimum payout is above its amount.
    InvalidMinPayout,
}

/// The vault as other contracts call it.
#[ink::trait_definition]
pub trait EscrowVault {
    /// Opens a one-shot order for `payer`; see [`OrderTerms`]. The caller must be
    /// `payer` or an allow-listed controller, and **the caller pays**: native, send
    /// exactly `terms.amount`. PSP22: a payer calling for itself approves the vault,
    /// which pulls the amount; a controller moves the amount to the vault just before
    /// its call (from its buyer, on the buyer's approval of the controller: the buyer
    /// approves the contract it actually calls), and the vault counts its balance above
    /// everything it owes, up to the amount. So the vault never spends an approval
    /// given to anyone else, and a controller's payment is one token call.
    #[ink(message, payable)]
    fn open_order(&mut self, payer: AccountId, terms: OrderTerms) -> Result<EscrowId, VaultError>;

    /// Opens a stream for `payer`, prepaying `terms.amount` (see [`StreamTerms`]); the
    /// caller pays, as for `open_order`.
    #[ink(message, payable)]
    fn open_stream(&mut self, payer: AccountId, terms: StreamTerms)
        -> Result<EscrowId, VaultError>;

    /// Releases an order to its payee: the payer, or the allow-listed controller that
    /// opened it (which must do so only when the payer asks).
    #[ink(message)]
    fn release(&mut self, id: EscrowId) -> Result<(), VaultError>;

    /// Stops a stream early: the accrued part (at least the stream's `min_payout` in
    /// all) to the payee side, the rest back to the payer.
    /// On a stream a controller opened, only that controller (while allow-listed).
    #[ink(message)]
    fn stop_stream(&mut self, id: EscrowId) -> Result<(), VaultError>;

    /// Extends a stream by `extra_ms`, the caller paying `deposit × extra_ms / duration`
    /// more (the same price per millisecond; `InexactTopUp` when that is not a whole
    /// number of units). On a stream a controller opened, only that controller (while
    /// allow-listed).
    #[ink(message, payable)]
    fn top_up(&mut self, id: EscrowId, extra_ms: u64) -> Result<(), VaultError>;

    /// Starts a waiting stream now; it then runs its `duration_ms`. The payee, or on a
    /// stream a controller opened, only that controller (while allow-listed); before the
    /// stream's `start_by`.
    #[ink(message)]
    fn start_stream(&mut self, id: EscrowId) -> Result<(), VaultError>;

    /// Cancels a stream that was never started, once its `start_by` has passed: the
    /// payer is credited the whole deposit plus the no-show penalty out of the linked
    /// collateral (at most what the collateral still holds). Anyone may call it, so a
    /// no-show never leaves money stuck. Returns the penalty paid.
    #[ink(message)]
    fn cancel_unstarted(&mut self, id: EscrowId) -> Result<Balance, VaultError>;

    /// Locks collateral for `owner` (the owner itself or a controller; the caller pays,
    /// as for `open_order`), until at most [`crate::MAX_PERIOD_MS`] from now.
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

/// The vault's arbiter is the governed surface's admin ([`crate::admin::Admin`]); its
/// refusals keep the vault's words, which the DAO and the dApps already read.
impl From<AdminError> for VaultError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotAdmin => VaultError::NotArbiter,
            AdminError::NotPendingAdmin => VaultError::NotPendingArbiter,
            AdminError::InvalidPeriod => VaultError::InvalidPeriod,
            AdminError::PeriodTooLong => VaultError::PeriodTooLong,
            // The vault's governed numbers besides periods are basis points.
            AdminError::OutOfRange => VaultError::InvalidShares,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_refusals_read_in_the_vaults_words() {
        let cases = [
            (AdminError::NotAdmin, VaultError::NotArbiter),
            (AdminError::NotPendingAdmin, VaultError::NotPendingArbiter),
            (AdminError::InvalidPeriod, VaultError::InvalidPeriod),
            (AdminError::PeriodTooLong, VaultError::PeriodTooLong),
            (AdminError::OutOfRange, VaultError::InvalidShares),
        ];
        for (admin, vault) in cases {
            assert_eq!(VaultError::from(admin), vault);
        }
    }
}
