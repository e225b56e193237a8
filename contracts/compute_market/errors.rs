//! Why the market refuses a call: one [`Error`] enum, each variant named for the state
//! that refused. A refused call has changed nothing and emitted nothing. The admin
//! messages (`Administered::…`, `MarketAdmin::…`) answer with the shared
//! [`market_types::AdminError`] instead. [`Error`] does not wrap it: a second small
//! data-carrying variant changes the enum's layout, which cost about 2 KB of code
//! (measured), for refusals only the constructor meets (it names them in its own
//! words: `InvalidPeriod`, `PeriodTooLong`, `InvalidCollateralRatio`,
//! `InvalidNoShowBps`).
// The derived SCALE encoding of an enum with data-carrying variants (`Vault(..)`,
// `Token(..)`) casts the variant index to `u8`, and cargo-contract runs clippy with
// `-D clippy::cast_possible_truncation`. This module writes no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use market_types::{TokenError, VaultError};

/// Why the market refused a call. Nothing changed when one is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Error {
    /// The caller is not the offer's provider.
    NotProvider,
    /// The caller is not the rental's renter.
    NotRenter,
    /// The caller is not on the registry's auditor list.
    NotAuditor,
    /// No offer has this id.
    OfferNotFound,
    /// No rental has this id.
    RentalNotFound,
    /// The offer is paused or retired: it takes no new rentals.
    OfferNotActive,
    /// Only a paused offer can be resumed.
    OfferNotPaused,
    /// The offer is retired: nothing about it can change any more.
    OfferRetired,
    /// The offer's collateral lock has expired: it takes no new rentals (retire it and
    /// publish again).
    OfferExpired,
    /// The offer's terms changed since the version the renter saw.
    OfferChanged,
    /// GPU model empty, longer than `MAX_TEXT_LEN` bytes, or with characters other than
    /// ASCII letters, digits, space, `-`, `_`, `.`.
    InvalidGpuModel,
    /// Region empty, too long, or with other characters (as for the GPU model).
    InvalidRegion,
    /// VRAM must be above zero.
    InvalidVram,
    /// Capacity must be 1..=`MAX_CAPACITY` GPUs.
    InvalidCapacity,
    /// An offer must cost something.
    ZeroPrice,
    /// Hours must satisfy `1 ≤ min_hours ≤ max_hours`.
    InvalidHours,
    /// A period (an offer's longest rental; the constructor's hour or start window)
    /// is longer than `MAX_PERIOD_MS`.
    PeriodTooLong,
    /// The constructor was given a period of zero.
    InvalidPeriod,
    /// The start window must be above zero and at most the market's maximum.
    InvalidStartWindow,
    /// The constructor was given a collateral ratio outside
    /// 1..=`MAX_COLLATERAL_RATIO_BPS` bps.
    InvalidCollateralRatio,
    /// The constructor was given a no-show penalty above 100 % or above the collateral
    /// ratio.
    InvalidNoShowBps,
    /// The offer's collateral rounds down to zero; raise its price or hours.
    ZeroCollateral,
    /// The offer's collateral does not cover these terms (or the penalties of its
    /// booked rentals).
    CollateralShort,
    /// The PSP22 token is not on the market's allow-list.
    AssetNotAllowed,
    /// Native payments need exactly the amount as transferred value; PSP22 ones none.
    WrongPayment,
    /// A provider cannot rent its own offer.
    CannotRentOwnOffer,
    /// A rental needs at least one GPU.
    ZeroGpus,
    /// An extension needs at least one hour.
    ZeroHours,
    /// The hours are outside the offer's `min_hours..=max_hours`.
    HoursOutOfRange,
    /// Not enough GPUs of the offer are free.
    CapacityExceeded,
    /// The offer still has rentals whose streams are not settled.
    RentalsOpen,
    /// Only a booked rental (not started yet) may do this.
    RentalNotBooked,
    /// Only a booked or running rental may do this.
    RentalNotActive,
    /// The rental was not started and its stream is not settled: cancel it as a
    /// no-show once its start window has passed.
    RentalNotStarted,
    /// The rental's start window has passed.
    StartWindowPassed,
    /// The rental's start window has not passed yet.
    StartWindowOpen,
    /// The rental's time is over.
    RentalOver,
    /// The rental's time is not over and its stream is not settled.
    RentalNotOver,
    /// The rental's GPUs are back, but its stream is not settled in the vault yet.
    OutcomePending,
    /// The rental is closed.
    RentalClosed,
    /// An attestation must expire in the future.
    ExpiryNotInFuture,
    /// A provider cannot attest its own offer.
    CannotAttestOwnOffer,
    /// The caller has no attestation on this offer.
    AttestationNotFound,
    /// A counter or amount would overflow.
    Overflow,
    /// The vault refused the call; its reason is inside.
    Vault(VaultError),
    /// The call to the vault failed (trapped or could not be decoded).
    VaultCallFailed,
    /// The PSP22 token refused to move the payment; its own reason is inside (e.g.
    /// `InsufficientAllowance`: approve the market for the amount first).
    Token(TokenError),
    /// The call to the PSP22 token failed (trapped or could not be decoded).
    TokenCallFailed,
    /// The call to the auditor list (the registry) failed.
    AuditorsCallFailed,
    /// New offers and rentals are paused by the guardian.
    Paused,
    /// The vault still holds the offer's collateral for a dispute: a stream of it was
    /// refunded by its provider while disputed, and the collateral stays locked until
    /// the dispute is ruled, its ruling deadline passes or the arbiter ends the hold
    /// (the vault's `release_hold`). Retire the offer then.
    CollateralHeld,
}

/// The market's result type.
pub type Result<T> = core::result::Result<T, Error>;
