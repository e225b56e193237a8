//! Why the registry refuses a call: one [`Error`] enum, each variant named for the state
//! that refused. A refused call has changed nothing and emitted nothing. The admin
//! messages (`Administered::…`, `RegistryAdmin::…`) answer with the shared
//! [`market_types::AdminError`] instead. [`Error`] does not wrap it: a second small
//! data-carrying variant changes the enum's layout, which cost about 2 KB of code
//! (measured), for a refusal only the constructor meets (`RoyaltyCapTooHigh`).
// The derived SCALE encoding of an enum with data-carrying variants (`Vault(..)`,
// `Token(..)`) casts the variant index to `u8`, and cargo-contract runs clippy with
// `-D clippy::cast_possible_truncation`. This module writes no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use market_types::{TokenError, VaultError};

/// Why the registry refused a call. Nothing changed when one is returned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Error {
    /// The caller does not own the model.
    NotModelOwner,
    /// The caller is not on the auditor allow-list.
    NotAuditor,
    /// No model has this id.
    ModelNotFound,
    /// The model has no offer with this id.
    OfferNotFound,
    /// The named parent model does not exist.
    ParentNotFound,
    /// The named parent model is delisted.
    ParentDelisted,
    /// The named successor does not exist.
    SuccessorNotFound,
    /// A model cannot succeed itself, and a delisted model succeeds nothing.
    InvalidSuccessor,
    /// The model is delisted; nothing about it can change any more.
    ModelDelisted,
    /// Only an active model may do this (publish offers, sell licenses, be deprecated).
    ModelNotActive,
    /// The offer is retired: it cannot be bought, changed or retired again.
    OfferRetired,
    /// The model already has `MAX_OFFERS_PER_MODEL` offers.
    TooManyOffers,
    /// Name empty or longer than `MAX_NAME_LEN` bytes.
    InvalidName,
    /// Metadata URI empty or longer than `MAX_URI_LEN` bytes.
    InvalidUri,
    /// More than `MAX_TAGS` tags.
    TooManyTags,
    /// A tag is empty, longer than `MAX_TAG_LEN`, or not `a-z0-9-`.
    InvalidTag,
    /// The same tag appears twice.
    DuplicateTag,
    /// The royalty exceeds the registry's current `max_royalty_bps`.
    RoyaltyAboveCap,
    /// A royalty needs a parent to pay.
    RoyaltyWithoutParent,
    /// The constructor was given a royalty cap above `ROYALTY_HARD_CAP_BPS`.
    RoyaltyCapTooHigh,
    /// A new version must be greater than the current one.
    VersionNotIncreasing,
    /// An offer must cost something.
    ZeroPrice,
    /// TimeBound needs a duration and Metered needs units.
    InvalidLicenseTerms,
    /// The PSP22 token is not on the allow-list.
    AssetNotAllowed,
    /// An attestation must expire in the future.
    ExpiryNotInFuture,
    /// The caller has no live attestation on this model.
    AttestationNotFound,
    /// Transferring a model to its current owner.
    SameAccount,
    /// No transfer of this model is waiting for acceptance.
    NoPendingTransfer,
    /// Only the account the model was offered to may accept it.
    NotPendingOwner,
    /// A counter would overflow.
    Overflow,
    /// No escrow vault is configured yet (`set_vault`).
    VaultNotSet,
    /// The vault refused the call; its reason is inside.
    Vault(VaultError),
    /// The call to the vault failed (trapped or could not be decoded).
    VaultCallFailed,
    /// The PSP22 token refused to move the buyer's payment; its own reason is inside
    /// (e.g. `InsufficientAllowance`: approve the registry for the price first).
    Token(TokenError),
    /// The call to the PSP22 token failed (trapped or could not be decoded).
    TokenCallFailed,
    /// The offer changed (price, asset or terms) since the version the buyer saw.
    OfferChanged,
    /// The account already has `MAX_PENDING_LICENSES` licenses for this model
    /// waiting on open orders.
    TooManyPendingLicenses,
    /// Native offers need exactly the price as transferred value; PSP22 offers none.
    WrongPayment,
    /// A model owner cannot buy a license to their own model.
    CannotBuyOwnModel,
    /// No license has this id.
    LicenseNotFound,
    /// Only the license's buyer may do this.
    NotLicenseHolder,
    /// Ratings are whole stars from 1 to 5.
    InvalidRating,
    /// This account already rated this model.
    AlreadyRated,
    /// None of the account's licenses for the model was released to the seller in
    /// full yet.
    LicenseNotReleased,
    /// The account holds no granted metered license for the model.
    NotMetered,
    /// The license's outcome is already recorded.
    LicenseNotPending,
    /// The license's vault still answers for its order: it settles there.
    VaultStillAnswers,
    /// More units than the account has left.
    UnitsExhausted,
    /// Counting zero units.
    ZeroUnits,
    /// New listings are paused by the guardian.
    Paused,
}

/// The registry's result type.
pub type Result<T> = core::result::Result<T, Error>;
