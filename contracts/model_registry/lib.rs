//! # model_registry
//!
//! The catalogue of the AI-model marketplace: who offers which model, what it descends
//! from, on what terms it is licensed, which auditors vouch for it, and who holds a
//! license to it.
//!
//! ## Roles
//! - **Model owner**: registers a model (name, metadata URI, weights content hash, semver
//!   version, optional parent with a royalty), publishes new versions, tags it, adds,
//!   updates and retires license offers, deprecates it in favour of a successor, delists
//!   it, and may offer it to a new owner, who must accept it (`transfer_model`, then
//!   `accept_model`; `cancel_model_transfer` withdraws the offer).
//! - **Buyer**: buys a license under an offer at the offer's version it saw
//!   (`purchase_license`), releases the order to the seller through the registry
//!   (`release_license`), and rates the model once.
//! - **Auditor**: an allow-listed account that attests a model (a report hash with an
//!   expiry) and may revoke its own attestation.
//! - **Admin**: manages the auditor list, the PSP22 assets offers may be priced in, the
//!   royalty cap, the purchase periods and the vault new purchases go to. The deployer is
//!   the first admin; the role moves in two steps (`propose_admin`, `accept_admin`), so
//!   it can be handed to the dispute DAO but never to a mistyped address.
//!
//! ## Purchases and licenses
//! A purchase opens an escrow order in the vault for the buyer (the registry is one of
//! the vault's controllers). Native offers are paid with the call; for PSP22 offers the
//! buyer approves **the registry**, which moves the price into the vault for the order,
//! so the vault never spends an approval given to anyone else. The buyer names the
//! offer version it agreed to; a changed offer is refused (`OfferChanged`), never
//! charged. Each license records the vault it was paid into and is always checked
//! there, so changing the vault neither hides a license nor lets an unrelated order with
//! the same id in another vault make one valid.
//!
//! An account may hold many licenses for one model. Per account and model the registry
//! keeps an [`Entitlement`]: the union of the licenses whose orders settled (perpetual,
//! the latest TimeBound end, a pool of metered units) and at most
//! [`MAX_PENDING_LICENSES`] still pending. `has_valid_license` is true when any license is
//! valid, at a cost of at most one vault read per pending license, however many the
//! account bought; a later purchase (pending, refunded or disputed) never hides an
//! earlier one. Settled orders are recorded by any later purchase, `release_license`,
//! `consume_units`, `rate_model`, or by anyone with `sync_licenses`.
//!
//! ## Lineage
//! A model may name an existing, not delisted parent and a royalty (in basis points, at
//! most `max_royalty_bps`) paid to the parent's owner on every sale. Parents must exist
//! before their children and never change, so lineage has no cycles. A model without a
//! parent has a royalty of zero.
//!
//! ## Lifecycle
//! `Active` → `Deprecated { successor }` → `Delisted`, or `Active` → `Delisted`.
//! Delisting is final: the model stays readable (buyers keep their history) but leaves
//! the tag index, and no offer, version, tag or attestation can be added to it.
//!
//! ## Invariants
//! - Every byte field is checked against its cap before anything is stored; a message
//!   that returns `Err` has changed nothing and emitted nothing.
//! - No message loops over an unbounded set: indexes are swap-remove lists keyed by owner
//!   and by tag, and every loop is bounded by `MAX_TAGS`, `MAX_PAGE` or
//!   `MAX_PENDING_LICENSES`. An account's license lists grow only by its own purchases.
//! - Every paginated getter returns at most `MAX_PAGE` items; the largest possible page
//!   encodes to well under 16 KiB (a unit test measures it).
//!
//! ## Errors
//! One [`Error`] enum; each variant names the state that refused the call.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::licensing::{Entitlement, License, LicenseState, MAX_PENDING_LICENSES};
/// The events, for dApps and tests that decode them.
pub use self::model_registry::{
    AdminChanged, AssetAllowed, AssetDisallowed, AttestationRevoked, AuditorAdded, AuditorRemoved,
    MaxRoyaltyChanged, ModelAttested, ModelDelisted, ModelDeprecated, ModelMetadataUpdated,
    ModelOwnershipTransferred, ModelRegistered, ModelTagsUpdated, ModelVersionPublished,
    OfferAdded, OfferRetired, OfferUpdated,
};
pub use self::model_registry::{
    AdminProposed, LicensePurchased, LicenseRecorded, ModelRated, ModelTransferCancelled,
    ModelTransferOffered, PurchasePeriodsChanged, RegistryCreated, UnitsConsumed, VaultChanged,
};
pub use self::model_registry::{
    Attestation, LicenseView, Model, ModelRegistry, ModelRegistryRef, Offer, OfferStatus, Version,
    MAX_NAME_LEN, MAX_OFFERS_PER_MODEL, MAX_PAGE, MAX_TAGS, MAX_TAG_LEN, MAX_URI_LEN,
    ROYALTY_HARD_CAP_BPS,
};

pub use self::status::{Error, ModelStatus};

mod calls;
pub mod licensing;

/// Enums with data-carrying variants live outside the contract module only to scope one
/// lint: their derived SCALE encoding casts the variant index to `u8`, and cargo-contract
/// runs clippy with `-D clippy::cast_possible_truncation`.
mod status {
    #![allow(clippy::cast_possible_truncation)]
    use crate::model_registry::MAX_TAG_LEN;
    use ink::primitives::AccountId;
    use market_types::{ModelId, TokenError, VaultError};

    /// Why the registry refused a call. Nothing changed when one is returned.
    #[derive(Clone, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        /// The caller is not the admin.
        NotAdmin,
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
        /// Only an active model may do this (e.g. publish offers, be deprecated).
        ModelNotActive,
        /// The offer is retired; it cannot be changed or retired again.
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
        /// A cap above `ROYALTY_HARD_CAP_BPS` was asked for.
        RoyaltyCapTooHigh,
        /// A new version must be greater than the current one.
        VersionNotIncreasing,
        /// An offer must cost something.
        ZeroPrice,
        /// TimeBound needs a duration and Metered needs units.
        InvalidLicenseTerms,
        /// The PSP22 token is not on the allow-list.
        AssetNotAllowed,
        /// The token is already on the allow-list.
        AssetAlreadyAllowed,
        /// The account is already an auditor.
        AlreadyAuditor,
        /// An attestation must expire in the future.
        ExpiryNotInFuture,
        /// The caller has no live attestation on this model.
        AttestationNotFound,
        /// Transferring a model or admin role to its current holder.
        SameAccount,
        /// Only the account proposed with `propose_admin` may accept the role.
        NotPendingAdmin,
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
        /// A period must be above zero.
        InvalidPeriod,
        /// A period is longer than `MAX_PERIOD_MS`.
        PeriodTooLong,
    }

    /// A list of model ids the registry keeps for paging.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub(crate) enum IndexKey {
        Owner(AccountId),
        /// A tag, zero-padded to 32 bytes (tags never contain a zero byte).
        Tag([u8; MAX_TAG_LEN]),
    }

    /// Where a model is in its lifecycle.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum ModelStatus {
        /// Listed and sellable.
        Active,
        /// Superseded; `successor` names the model to move to, if any.
        Deprecated { successor: Option<ModelId> },
        /// Withdrawn for good.
        Delisted,
    }
}

#[ink::contract]
mod model_registry {
    use crate::calls;
    use crate::licensing::{self, Entitlement, License, LicenseState, MAX_PENDING_LICENSES};
    use crate::status::{Error, IndexKey};
    use crate::ModelStatus;
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::Mapping;
    use market_types::{page_len, Asset, Bps, LicenseKind, ModelId, OfferId, Page};
    use market_types::{EscrowId, EscrowStatus, LicenseId, OrderTerms, Royalty, MAX_PERIOD_MS};

    /// Longest model name, in bytes.
    pub const MAX_NAME_LEN: usize = 64;
    /// Longest metadata URI, in bytes (an `ipfs://` CIDv1 takes 66).
    pub const MAX_URI_LEN: usize = 128;
    /// Most tags on one model.
    pub const MAX_TAGS: usize = 5;
    /// Longest tag, in bytes; tags use `a-z`, `0-9` and `-` only.
    pub const MAX_TAG_LEN: usize = 32;
    /// Most license offers one model may ever publish (retired ones count).
    pub const MAX_OFFERS_PER_MODEL: u32 = 32;
    /// Most items one page of any getter returns.
    pub const MAX_PAGE: u32 = 10;
    /// No royalty cap may exceed 50 %, so a sale always leaves the seller something.
    pub const ROYALTY_HARD_CAP_BPS: Bps = 5_000;

    // ---------------------------------------------------------------- types

    /// A semantic version; ordering is semver precedence (major, then minor, then patch).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Version {
        pub major: u32,
        pub minor: u32,
        pub patch: u32,
    }

    /// A registered model.
    #[derive(Clone, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Model {
        pub owner: AccountId,
        /// Display name, 1..=`MAX_NAME_LEN` bytes.
        pub name: String,
        /// Where the model card lives (usually `ipfs://<CID>`), 1..=`MAX_URI_LEN` bytes.
        pub metadata_uri: String,
        /// Content hash of the current weights, so a buyer can check what they download.
        pub weights_hash: Hash,
        pub version: Version,
        /// The model this one was derived from.
        pub parent: Option<ModelId>,
        /// Share of every sale paid to the parent's owner; zero without a parent.
        pub royalty_bps: Bps,
        /// Up to `MAX_TAGS` lowercase tags; the first is the model's category by convention.
        pub tags: Vec<String>,
        pub status: ModelStatus,
        /// License offers published so far (ids `0..offer_count`).
        pub offer_count: OfferId,
        /// Distinct auditors that have attested this model (for paging attestations).
        pub auditor_count: u32,
        pub created_at: Timestamp,
        pub updated_at: Timestamp,
    }

    /// Whether an offer can still be bought.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub enum OfferStatus {
        Active,
        /// Withdrawn by the owner; final.
        Retired,
    }

    /// A license offer of a model.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Offer {
        pub model_id: ModelId,
        pub offer_id: OfferId,
        pub kind: LicenseKind,
        /// Price in the smallest unit of `asset`; never zero.
        pub price: Balance,
        pub asset: Asset,
        pub status: OfferStatus,
        /// Starts at 1 and grows with every `update_offer`; a purchase names the
        /// version the buyer saw, so changed terms are never charged.
        pub version: u32,
    }

    /// An auditor's statement about a model, valid until `expires_at`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct Attestation {
        pub model_id: ModelId,
        pub auditor: AccountId,
        /// Hash of the audit report (benchmark results, checks run).
        pub report_hash: Hash,
        pub issued_at: Timestamp,
        pub expires_at: Timestamp,
        pub revoked: bool,
    }

    /// One row of `licenses_of` / `licenses_for_model`: a license with where it stands
    /// and its order's status in the vault it was paid into.
    #[derive(Clone, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub struct LicenseView {
        pub license_id: LicenseId,
        pub license: License,
        pub state: LicenseState,
        /// `None` if the vault cannot be read.
        pub escrow: Option<EscrowStatus>,
    }

    /// Sum and count of a model's ratings.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct RatingTotals {
        pub sum: u64,
        pub count: u32,
    }

    // ---------------------------------------------------------------- events

    /// A model was registered.
    #[ink(event)]
    pub struct ModelRegistered {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub owner: AccountId,
        #[ink(topic)]
        pub parent: Option<ModelId>,
        pub royalty_bps: Bps,
        pub name: String,
        pub metadata_uri: String,
        pub weights_hash: Hash,
        pub version: Version,
    }

    /// A model's metadata URI changed.
    #[ink(event)]
    pub struct ModelMetadataUpdated {
        #[ink(topic)]
        pub model_id: ModelId,
        pub metadata_uri: String,
    }

    /// A new version of a model's weights was published.
    #[ink(event)]
    pub struct ModelVersionPublished {
        #[ink(topic)]
        pub model_id: ModelId,
        pub version: Version,
        pub weights_hash: Hash,
        pub metadata_uri: String,
    }

    /// A model's tags were replaced.
    #[ink(event)]
    pub struct ModelTagsUpdated {
        #[ink(topic)]
        pub model_id: ModelId,
        pub tags: Vec<String>,
    }

    /// A model was deprecated.
    #[ink(event)]
    pub struct ModelDeprecated {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub successor: Option<ModelId>,
    }

    /// A model was delisted, for good.
    #[ink(event)]
    pub struct ModelDelisted {
        #[ink(topic)]
        pub model_id: ModelId,
    }

    /// The registry was deployed.
    #[ink(event)]
    pub struct RegistryCreated {
        #[ink(topic)]
        pub admin: AccountId,
        pub max_royalty_bps: Bps,
    }

    /// A model's owner offered it to `to`; it moves when `to` accepts.
    #[ink(event)]
    pub struct ModelTransferOffered {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub from: AccountId,
        #[ink(topic)]
        pub to: AccountId,
    }

    /// A pending transfer of a model was cancelled by its owner.
    #[ink(event)]
    pub struct ModelTransferCancelled {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub to: AccountId,
    }

    /// A model changed hands (its new owner accepted it).
    #[ink(event)]
    pub struct ModelOwnershipTransferred {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub from: AccountId,
        #[ink(topic)]
        pub to: AccountId,
    }

    /// A license offer was published.
    #[ink(event)]
    pub struct OfferAdded {
        #[ink(topic)]
        pub model_id: ModelId,
        pub offer_id: OfferId,
        pub kind: LicenseKind,
        pub price: Balance,
        pub asset: Asset,
    }

    /// A license offer's terms changed; purchases must name the new `version`.
    #[ink(event)]
    pub struct OfferUpdated {
        #[ink(topic)]
        pub model_id: ModelId,
        pub offer_id: OfferId,
        pub version: u32,
        pub kind: LicenseKind,
        pub price: Balance,
        pub asset: Asset,
    }

    /// A license offer was retired.
    #[ink(event)]
    pub struct OfferRetired {
        #[ink(topic)]
        pub model_id: ModelId,
        pub offer_id: OfferId,
    }

    /// An auditor attested a model (or renewed its attestation).
    #[ink(event)]
    pub struct ModelAttested {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub auditor: AccountId,
        pub report_hash: Hash,
        pub expires_at: Timestamp,
    }

    /// An auditor withdrew its attestation.
    #[ink(event)]
    pub struct AttestationRevoked {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub auditor: AccountId,
    }

    /// An account joined the auditor allow-list.
    #[ink(event)]
    pub struct AuditorAdded {
        #[ink(topic)]
        pub auditor: AccountId,
    }

    /// An account left the auditor allow-list; its attestations stop counting.
    #[ink(event)]
    pub struct AuditorRemoved {
        #[ink(topic)]
        pub auditor: AccountId,
    }

    /// A PSP22 token may now price offers.
    #[ink(event)]
    pub struct AssetAllowed {
        #[ink(topic)]
        pub token: AccountId,
    }

    /// A PSP22 token may no longer price new offers.
    #[ink(event)]
    pub struct AssetDisallowed {
        #[ink(topic)]
        pub token: AccountId,
    }

    /// The admin proposed a successor (`None`: the proposal was withdrawn).
    #[ink(event)]
    pub struct AdminProposed {
        #[ink(topic)]
        pub admin: AccountId,
        pub proposed: Option<AccountId>,
    }

    /// The admin role moved (the proposed account accepted it).
    #[ink(event)]
    pub struct AdminChanged {
        #[ink(topic)]
        pub previous: AccountId,
        #[ink(topic)]
        pub new: AccountId,
    }

    /// The royalty cap for new models changed.
    #[ink(event)]
    pub struct MaxRoyaltyChanged {
        pub max_royalty_bps: Bps,
    }

    /// The admin pointed the registry at an escrow vault.
    #[ink(event)]
    pub struct VaultChanged {
        #[ink(topic)]
        pub vault: AccountId,
    }

    /// The admin changed the delivery period and review window of new purchases.
    #[ink(event)]
    pub struct PurchasePeriodsChanged {
        pub delivery_period_ms: u64,
        pub review_window_ms: u64,
    }

    /// A buyer paid for a license; the money waits in the vault's order `escrow_id`.
    #[ink(event)]
    pub struct LicensePurchased {
        #[ink(topic)]
        pub license_id: LicenseId,
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub buyer: AccountId,
        pub offer_id: OfferId,
        pub offer_version: u32,
        pub vault: AccountId,
        pub escrow_id: EscrowId,
        pub price: Balance,
        pub asset: Asset,
    }

    /// A license's order was seen settled and its outcome recorded: `granted` when it
    /// was released to the seller in full.
    #[ink(event)]
    pub struct LicenseRecorded {
        #[ink(topic)]
        pub license_id: LicenseId,
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub buyer: AccountId,
        pub granted: bool,
    }

    /// The model owner counted metered units used by an account.
    #[ink(event)]
    pub struct UnitsConsumed {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub account: AccountId,
        pub units: u64,
        pub remaining: u64,
    }

    /// An account rated a model (once per account and model).
    #[ink(event)]
    pub struct ModelRated {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub rater: AccountId,
        pub stars: u8,
    }

    // ---------------------------------------------------------------- errors

    /// The registry's result type.
    pub type Result<T> = core::result::Result<T, Error>;

    // ---------------------------------------------------------------- storage

    /// Position `n` in an account's list of licenses for one model.
    type ModelLicenseKey = (AccountId, ModelId, u32);

    /// Registry storage. The root holds only a few fixed-size fields; everything that
    /// grows lives in `Mapping`s, one entry per id.
    #[ink(storage)]
    pub struct ModelRegistry {
        admin: AccountId,
        /// Proposed successor of the admin, until it accepts.
        pending_admin: Option<AccountId>,
        /// Models offered to a new owner, until it accepts or the owner cancels.
        pending_transfers: Mapping<ModelId, AccountId>,
        max_royalty_bps: Bps,
        /// Id the next registered model gets; ids start at 1.
        next_model_id: ModelId,
        models: Mapping<ModelId, Model>,
        offers: Mapping<(ModelId, OfferId), Offer>,
        auditors: Mapping<AccountId, ()>,
        allowed_tokens: Mapping<AccountId, ()>,
        attestations: Mapping<(ModelId, AccountId), Attestation>,
        /// Append-only list of the auditors that ever attested a model, for paging.
        model_auditors: Mapping<(ModelId, u32), AccountId>,
        /// Swap-remove lists: length, item at position, position of item.
        index_len: Mapping<IndexKey, u32>,
        index_item: Mapping<(IndexKey, u32), ModelId>,
        index_pos: Mapping<(IndexKey, ModelId), u32>,
        /// The escrow vault purchases are paid into.
        vault: Option<AccountId>,
        /// New purchases: how long the seller has to deliver, and the buyer to review.
        delivery_period_ms: u64,
        review_window_ms: u64,
        license_count: LicenseId,
        licenses: Mapping<LicenseId, License>,
        /// Per account and model: the union of its recorded licenses, its pending ones.
        entitlements: Mapping<(AccountId, ModelId), Entitlement>,
        /// Per account: every license id it bought, in order (append-only; only the
        /// account itself can grow it, by buying).
        account_license_count: Mapping<AccountId, u32>,
        account_licenses: Mapping<(AccountId, u32), LicenseId>,
        /// Per account and model: the same, for one model (length in the entitlement).
        model_licenses: Mapping<ModelLicenseKey, LicenseId>,
        ratings: Mapping<ModelId, RatingTotals>,
    }

    /// Delivery period of new purchases until the admin changes it: 7 days.
    pub const DEFAULT_DELIVERY_PERIOD_MS: u64 = 7 * 86_400_000;
    /// Review window of new purchases until the admin changes it: 3 days.
    pub const DEFAULT_REVIEW_WINDOW_MS: u64 = 3 * 86_400_000;

    impl ModelRegistry {
        /// Creates an empty registry whose admin is the caller.
        ///
        /// Errors: `RoyaltyCapTooHigh` if `max_royalty_bps` > `ROYALTY_HARD_CAP_BPS`.
        #[ink(constructor)]
        pub fn new(max_royalty_bps: Bps) -> Result<Self> {
            if max_royalty_bps > ROYALTY_HARD_CAP_BPS {
                return Err(Error::RoyaltyCapTooHigh);
            }
            let admin = Self::env().caller();
            Self::env().emit_event(RegistryCreated {
                admin,
                max_royalty_bps,
            });
            Ok(Self {
                admin,
                pending_admin: None,
                pending_transfers: Mapping::default(),
                max_royalty_bps,
                next_model_id: 1,
                models: Mapping::default(),
                offers: Mapping::default(),
                auditors: Mapping::default(),
                allowed_tokens: Mapping::default(),
                attestations: Mapping::default(),
                model_auditors: Mapping::default(),
                index_len: Mapping::default(),
                index_item: Mapping::default(),
                index_pos: Mapping::default(),
                vault: None,
                delivery_period_ms: DEFAULT_DELIVERY_PERIOD_MS,
                review_window_ms: DEFAULT_REVIEW_WINDOW_MS,
                license_count: 0,
                licenses: Mapping::default(),
                entitlements: Mapping::default(),
                account_license_count: Mapping::default(),
                account_licenses: Mapping::default(),
                model_licenses: Mapping::default(),
                ratings: Mapping::default(),
            })
        }

        // ------------------------------------------------------------ models

        /// Registers a model owned by the caller and returns its id.
        ///
        /// Requirements: name 1..=`MAX_NAME_LEN` bytes, URI 1..=`MAX_URI_LEN` bytes, valid
        /// tags; a parent, if named, exists and is not delisted; `royalty_bps` ≤ the
        /// current cap and zero without a parent.
        ///
        /// Errors: `InvalidName`, `InvalidUri`, `TooManyTags`, `InvalidTag`,
        /// `DuplicateTag`, `ParentNotFound`, `ParentDelisted`, `RoyaltyAboveCap`,
        /// `RoyaltyWithoutParent`, `Overflow`.
        ///
        /// Emits: `ModelRegistered`.
        #[ink(message)]
        #[allow(clippy::too_many_arguments)]
        pub fn register_model(
            &mut self,
            name: String,
            metadata_uri: String,
            weights_hash: Hash,
            version: Version,
            parent: Option<ModelId>,
            royalty_bps: Bps,
            tags: Vec<String>,
        ) -> Result<ModelId> {
            check_name(&name)?;
            check_uri(&metadata_uri)?;
            let tag_keys = check_tags(&tags)?;
            match parent {
                None if royalty_bps > 0 => return Err(Error::RoyaltyWithoutParent),
                None => {}
                Some(parent_id) => {
                    let parent_model = self.models.get(parent_id).ok_or(Error::ParentNotFound)?;
                    if parent_model.status == ModelStatus::Delisted {
                        return Err(Error::ParentDelisted);
                    }
                    if royalty_bps > self.max_royalty_bps {
                        return Err(Error::RoyaltyAboveCap);
                    }
                }
            }
            let model_id = self.next_model_id;
            let next = model_id.checked_add(1).ok_or(Error::Overflow)?;
            let owner = self.env().caller();
            // All index pushes are checked for overflow before any of them writes.
            self.check_index_room(IndexKey::Owner(owner))?;
            for key in &tag_keys {
                self.check_index_room(IndexKey::Tag(*key))?;
            }

            let now = self.env().block_timestamp();
            let model = Model {
                owner,
                name,
                metadata_uri,
                weights_hash,
                version,
                parent,
                royalty_bps,
                tags,
                status: ModelStatus::Active,
                offer_count: 0,
                auditor_count: 0,
                created_at: now,
                updated_at: now,
            };
            self.next_model_id = next;
            self.index_push(IndexKey::Owner(owner), model_id);
            for key in &tag_keys {
                self.index_push(IndexKey::Tag(*key), model_id);
            }
            self.env().emit_event(ModelRegistered {
                model_id,
                owner,
                parent,
                royalty_bps,
                name: model.name.clone(),
                metadata_uri: model.metadata_uri.clone(),
                weights_hash,
                version,
            });
            self.models.insert(model_id, &model);
            Ok(model_id)
        }

        /// Points a model at a new metadata URI (a revised model card).
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`, `InvalidUri`. Emits: `ModelMetadataUpdated`.
        #[ink(message)]
        pub fn update_metadata(&mut self, model_id: ModelId, metadata_uri: String) -> Result<()> {
            let mut model = self.owned_live_model(model_id)?;
            check_uri(&metadata_uri)?;
            model.metadata_uri = metadata_uri.clone();
            self.touch_and_store(model_id, &mut model);
            self.env().emit_event(ModelMetadataUpdated {
                model_id,
                metadata_uri,
            });
            Ok(())
        }

        /// Publishes new weights under a higher semver version.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`, `InvalidUri`, `VersionNotIncreasing`.
        /// Emits: `ModelVersionPublished`.
        #[ink(message)]
        pub fn publish_version(
            &mut self,
            model_id: ModelId,
            version: Version,
            weights_hash: Hash,
            metadata_uri: String,
        ) -> Result<()> {
            let mut model = self.owned_live_model(model_id)?;
            check_uri(&metadata_uri)?;
            if version <= model.version {
                return Err(Error::VersionNotIncreasing);
            }
            model.version = version;
            model.weights_hash = weights_hash;
            model.metadata_uri = metadata_uri.clone();
            self.touch_and_store(model_id, &mut model);
            self.env().emit_event(ModelVersionPublished {
                model_id,
                version,
                weights_hash,
                metadata_uri,
            });
            Ok(())
        }

        /// Replaces a model's tags (and so its entries in the tag index).
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`, `TooManyTags`, `InvalidTag`, `DuplicateTag`, `Overflow`.
        /// Emits: `ModelTagsUpdated`.
        #[ink(message)]
        pub fn set_tags(&mut self, model_id: ModelId, tags: Vec<String>) -> Result<()> {
            let mut model = self.owned_live_model(model_id)?;
            let new_keys = check_tags(&tags)?;
            let old_keys: Vec<[u8; MAX_TAG_LEN]> =
                model.tags.iter().filter_map(|t| tag_key(t)).collect();
            let added: Vec<[u8; MAX_TAG_LEN]> = new_keys
                .iter()
                .filter(|k| !old_keys.contains(k))
                .copied()
                .collect();
            for key in &added {
                self.check_index_room(IndexKey::Tag(*key))?;
            }
            for key in old_keys.iter().filter(|k| !new_keys.contains(k)) {
                self.index_remove(IndexKey::Tag(*key), model_id);
            }
            for key in &added {
                self.index_push(IndexKey::Tag(*key), model_id);
            }
            model.tags = tags.clone();
            self.touch_and_store(model_id, &mut model);
            self.env().emit_event(ModelTagsUpdated { model_id, tags });
            Ok(())
        }

        /// Marks an active model as superseded, optionally naming its successor.
        ///
        /// Who: the model owner. Requirements: the model is `Active`; a successor exists,
        /// is another model and is not delisted. Errors: `ModelNotFound`,
        /// `NotModelOwner`, `ModelNotActive`, `SuccessorNotFound`, `InvalidSuccessor`.
        /// Emits: `ModelDeprecated`.
        #[ink(message)]
        pub fn deprecate(&mut self, model_id: ModelId, successor: Option<ModelId>) -> Result<()> {
            let mut model = self.owned_model(model_id)?;
            if model.status != ModelStatus::Active {
                return Err(Error::ModelNotActive);
            }
            if let Some(successor_id) = successor {
                if successor_id == model_id {
                    return Err(Error::InvalidSuccessor);
                }
                let next = self
                    .models
                    .get(successor_id)
                    .ok_or(Error::SuccessorNotFound)?;
                if next.status == ModelStatus::Delisted {
                    return Err(Error::InvalidSuccessor);
                }
            }
            model.status = ModelStatus::Deprecated { successor };
            self.touch_and_store(model_id, &mut model);
            self.env().emit_event(ModelDeprecated {
                model_id,
                successor,
            });
            Ok(())
        }

        /// Withdraws a model for good. It stays readable by id and under its owner, but
        /// leaves the tag index and can no longer change or sell.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`. Emits: `ModelDelisted`.
        #[ink(message)]
        pub fn delist(&mut self, model_id: ModelId) -> Result<()> {
            let mut model = self.owned_live_model(model_id)?;
            for key in model.tags.iter().filter_map(|t| tag_key(t)) {
                self.index_remove(IndexKey::Tag(key), model_id);
            }
            model.status = ModelStatus::Delisted;
            self.touch_and_store(model_id, &mut model);
            self.env().emit_event(ModelDelisted { model_id });
            Ok(())
        }

        /// Offers a model (and its future sales and royalties) to `new_owner`, who must
        /// `accept_model` it: nobody can push models into a stranger's listings.
        /// Offering again replaces the pending offer.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `SameAccount`. Emits: `ModelTransferOffered`.
        #[ink(message)]
        pub fn transfer_model(&mut self, model_id: ModelId, new_owner: AccountId) -> Result<()> {
            let model = self.owned_model(model_id)?;
            if new_owner == model.owner {
                return Err(Error::SameAccount);
            }
            self.pending_transfers.insert(model_id, &new_owner);
            self.env().emit_event(ModelTransferOffered {
                model_id,
                from: model.owner,
                to: new_owner,
            });
            Ok(())
        }

        /// Takes over a model offered to the caller with `transfer_model`.
        ///
        /// Who: the account it was offered to. Errors: `ModelNotFound`,
        /// `NoPendingTransfer`, `NotPendingOwner`, `Overflow`.
        /// Emits: `ModelOwnershipTransferred`.
        #[ink(message)]
        pub fn accept_model(&mut self, model_id: ModelId) -> Result<()> {
            let mut model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
            let to = self
                .pending_transfers
                .get(model_id)
                .ok_or(Error::NoPendingTransfer)?;
            if self.env().caller() != to {
                return Err(Error::NotPendingOwner);
            }
            let from = model.owner;
            self.check_index_room(IndexKey::Owner(to))?;
            self.pending_transfers.remove(model_id);
            self.index_remove(IndexKey::Owner(from), model_id);
            self.index_push(IndexKey::Owner(to), model_id);
            model.owner = to;
            self.touch_and_store(model_id, &mut model);
            self.env()
                .emit_event(ModelOwnershipTransferred { model_id, from, to });
            Ok(())
        }

        /// Withdraws a pending transfer offer.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `NoPendingTransfer`. Emits: `ModelTransferCancelled`.
        #[ink(message)]
        pub fn cancel_model_transfer(&mut self, model_id: ModelId) -> Result<()> {
            self.owned_model(model_id)?;
            let to = self
                .pending_transfers
                .take(model_id)
                .ok_or(Error::NoPendingTransfer)?;
            self.env()
                .emit_event(ModelTransferCancelled { model_id, to });
            Ok(())
        }

        /// The account a model is offered to, until it accepts.
        #[ink(message)]
        pub fn pending_transfer(&self, model_id: ModelId) -> Option<AccountId> {
            self.pending_transfers.get(model_id)
        }

        // ------------------------------------------------------------ offers

        /// Publishes a license offer for an active model and returns its id.
        ///
        /// Who: the model owner. Requirements: valid terms, a non-zero price, the asset
        /// native or an allow-listed PSP22, fewer than `MAX_OFFERS_PER_MODEL` offers so
        /// far. Errors: `ModelNotFound`, `NotModelOwner`, `ModelNotActive`,
        /// `InvalidLicenseTerms`, `ZeroPrice`, `AssetNotAllowed`, `TooManyOffers`.
        /// Emits: `OfferAdded`.
        #[ink(message)]
        pub fn add_offer(
            &mut self,
            model_id: ModelId,
            kind: LicenseKind,
            price: Balance,
            asset: Asset,
        ) -> Result<OfferId> {
            let mut model = self.owned_model(model_id)?;
            if model.status != ModelStatus::Active {
                return Err(Error::ModelNotActive);
            }
            self.check_terms(kind, price, asset)?;
            let offer_id = model.offer_count;
            if offer_id >= MAX_OFFERS_PER_MODEL {
                return Err(Error::TooManyOffers);
            }
            model.offer_count = offer_id.checked_add(1).ok_or(Error::Overflow)?;
            self.offers.insert(
                (model_id, offer_id),
                &Offer {
                    model_id,
                    offer_id,
                    kind,
                    price,
                    asset,
                    status: OfferStatus::Active,
                    version: 1,
                },
            );
            self.touch_and_store(model_id, &mut model);
            self.env().emit_event(OfferAdded {
                model_id,
                offer_id,
                kind,
                price,
                asset,
            });
            Ok(offer_id)
        }

        /// Changes the terms, price or asset of an active offer and bumps its version.
        /// Purchases already made keep the terms they were bought under, and a purchase
        /// that names the old version is refused (`OfferChanged`), never charged the new
        /// terms.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`, `OfferNotFound`, `OfferRetired`, `InvalidLicenseTerms`,
        /// `ZeroPrice`, `AssetNotAllowed`, `Overflow`. Emits: `OfferUpdated`.
        #[ink(message)]
        pub fn update_offer(
            &mut self,
            model_id: ModelId,
            offer_id: OfferId,
            kind: LicenseKind,
            price: Balance,
            asset: Asset,
        ) -> Result<()> {
            self.owned_live_model(model_id)?;
            let mut offer = self.active_offer(model_id, offer_id)?;
            self.check_terms(kind, price, asset)?;
            offer.version = offer.version.checked_add(1).ok_or(Error::Overflow)?;
            offer.kind = kind;
            offer.price = price;
            offer.asset = asset;
            self.offers.insert((model_id, offer_id), &offer);
            self.env().emit_event(OfferUpdated {
                model_id,
                offer_id,
                version: offer.version,
                kind,
                price,
                asset,
            });
            Ok(())
        }

        /// Retires an offer for good; it stays readable.
        ///
        /// Who: the model owner (also for delisted models, to tidy up).
        /// Errors: `ModelNotFound`, `NotModelOwner`, `OfferNotFound`, `OfferRetired`.
        /// Emits: `OfferRetired`.
        #[ink(message)]
        pub fn retire_offer(&mut self, model_id: ModelId, offer_id: OfferId) -> Result<()> {
            self.owned_model(model_id)?;
            let mut offer = self.active_offer(model_id, offer_id)?;
            offer.status = OfferStatus::Retired;
            self.offers.insert((model_id, offer_id), &offer);
            self.env().emit_event(OfferRetired { model_id, offer_id });
            Ok(())
        }

        // ------------------------------------------------------------ attestations

        /// Attests a model (or renews the caller's attestation) until `expires_at`.
        ///
        /// Who: an allow-listed auditor. Errors: `NotAuditor`, `ModelNotFound`,
        /// `ModelDelisted`, `ExpiryNotInFuture`, `Overflow`. Emits: `ModelAttested`.
        #[ink(message)]
        pub fn attest(
            &mut self,
            model_id: ModelId,
            report_hash: Hash,
            expires_at: Timestamp,
        ) -> Result<()> {
            let auditor = self.env().caller();
            if !self.auditors.contains(auditor) {
                return Err(Error::NotAuditor);
            }
            let mut model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
            if model.status == ModelStatus::Delisted {
                return Err(Error::ModelDelisted);
            }
            let now = self.env().block_timestamp();
            if expires_at <= now {
                return Err(Error::ExpiryNotInFuture);
            }
            if !self.attestations.contains((model_id, auditor)) {
                // First attestation by this auditor: append it to the model's list.
                let slot = model.auditor_count;
                model.auditor_count = slot.checked_add(1).ok_or(Error::Overflow)?;
                self.model_auditors.insert((model_id, slot), &auditor);
                self.models.insert(model_id, &model);
            }
            self.attestations.insert(
                (model_id, auditor),
                &Attestation {
                    model_id,
                    auditor,
                    report_hash,
                    issued_at: now,
                    expires_at,
                    revoked: false,
                },
            );
            self.env().emit_event(ModelAttested {
                model_id,
                auditor,
                report_hash,
                expires_at,
            });
            Ok(())
        }

        /// Withdraws the caller's attestation of a model before it expires.
        ///
        /// Who: the auditor that made it (even if since removed from the list).
        /// Errors: `AttestationNotFound` (none, or already revoked).
        /// Emits: `AttestationRevoked`.
        #[ink(message)]
        pub fn revoke_attestation(&mut self, model_id: ModelId) -> Result<()> {
            let auditor = self.env().caller();
            let mut attestation = self
                .attestations
                .get((model_id, auditor))
                .filter(|a| !a.revoked)
                .ok_or(Error::AttestationNotFound)?;
            attestation.revoked = true;
            self.attestations.insert((model_id, auditor), &attestation);
            self.env()
                .emit_event(AttestationRevoked { model_id, auditor });
            Ok(())
        }

        // ------------------------------------------------------------ licenses

        /// Buys a license to `model_id` under offer `offer_id`, at the offer's version
        /// `offer_version` — the terms the buyer saw (`offer(model, offer).version`). If
        /// the owner changed the offer since, the purchase is refused with
        /// `OfferChanged` and nothing is charged.
        ///
        /// The price goes into an escrow order in the vault (payee: the model owner;
        /// royalty: the parent model's owner at `royalty_bps`, if any). The license is
        /// granted when that order is released to the seller in full.
        ///
        /// Native offers: send exactly the price. PSP22 offers: send nothing, and approve
        /// **the registry** (the contract you call) for the price beforehand; the
        /// registry moves the tokens into the vault for the order. The vault never spends
        /// an approval given to anyone else.
        ///
        /// At most `MAX_PENDING_LICENSES` of an account's licenses for one model may
        /// wait on open orders; settled ones are recorded here first.
        ///
        /// Errors: `ModelNotFound`, `ModelNotActive`, `OfferNotFound`, `OfferRetired`,
        /// `OfferChanged`, `CannotBuyOwnModel`, `VaultNotSet`, `WrongPayment`,
        /// `ParentNotFound`, `TooManyPendingLicenses`, `Overflow`, `Token(..)` (the
        /// token's own refusal, e.g. `InsufficientAllowance`), `TokenCallFailed`,
        /// `Vault(..)` (the vault's own refusal), `VaultCallFailed`.
        /// Emits `LicensePurchased` (and `LicenseRecorded` for settled ones recorded).
        #[ink(message, payable)]
        pub fn purchase_license(
            &mut self,
            model_id: ModelId,
            offer_id: OfferId,
            offer_version: u32,
        ) -> Result<LicenseId> {
            let buyer = self.env().caller();
            let value = self.env().transferred_value();
            let now = self.env().block_timestamp();
            let model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
            if model.status != ModelStatus::Active {
                return Err(Error::ModelNotActive);
            }
            let offer = self
                .offers
                .get((model_id, offer_id))
                .ok_or(Error::OfferNotFound)?;
            if offer.status != OfferStatus::Active {
                return Err(Error::OfferRetired);
            }
            if offer.version != offer_version {
                return Err(Error::OfferChanged);
            }
            if buyer == model.owner {
                return Err(Error::CannotBuyOwnModel);
            }
            let vault = self.vault.ok_or(Error::VaultNotSet)?;
            let expected = match offer.asset {
                Asset::Native => offer.price,
                Asset::Psp22(_) => 0,
            };
            if value != expected {
                return Err(Error::WrongPayment);
            }
            let license_id = self.license_count.checked_add(1).ok_or(Error::Overflow)?;
            let delivery_deadline = now
                .checked_add(self.delivery_period_ms)
                .ok_or(Error::Overflow)?;
            let royalties = match model.parent {
                Some(parent) if model.royalty_bps > 0 => {
                    let parent = self.models.get(parent).ok_or(Error::ParentNotFound)?;
                    ink::prelude::vec![Royalty {
                        receiver: parent.owner,
                        bps: model.royalty_bps,
                    }]
                }
                _ => Vec::new(),
            };
            // Settled purchases leave the pending list first, so a buyer is only ever
            // held up by orders that are really still open.
            let (mut ent, recorded) = self.refreshed(buyer, model_id);
            if ent.pending.len() >= MAX_PENDING_LICENSES {
                return Err(Error::TooManyPendingLicenses);
            }
            let account_len = self.account_license_count.get(buyer).unwrap_or(0);
            let next_account_len = account_len.checked_add(1).ok_or(Error::Overflow)?;
            let model_len = ent.bought;
            ent.bought = model_len.checked_add(1).ok_or(Error::Overflow)?;
            ent.pending.push(license_id);

            // Collect the payment from the buyer into the vault, through an order the
            // registry opens for the buyer. These calls are the last reads; no other
            // contract may re-enter the registry meanwhile (ink! denies re-entry unless
            // asked), and everything is written after them.
            if let Asset::Psp22(token) = offer.asset {
                let me = self.env().account_id();
                calls::transfer_from(token, buyer, me, offer.price)?;
                calls::approve(token, vault, offer.price)?;
            }
            let terms = OrderTerms {
                payee: model.owner,
                asset: offer.asset,
                amount: offer.price,
                delivery_deadline,
                review_window_ms: self.review_window_ms,
                royalties,
                context: license_id,
                collateral: None,
            };
            let escrow_id = calls::open_order(vault, buyer, terms, value)?;

            let license = License {
                buyer,
                model_id,
                offer_id,
                offer_version,
                kind: offer.kind,
                price: offer.price,
                asset: offer.asset,
                vault,
                escrow_id,
                purchased_at: now,
                granted: None,
                released_at: None,
            };
            self.store_recorded(&recorded);
            self.licenses.insert(license_id, &license);
            self.entitlements.insert((buyer, model_id), &ent);
            self.account_licenses
                .insert((buyer, account_len), &license_id);
            self.account_license_count.insert(buyer, &next_account_len);
            self.model_licenses
                .insert((buyer, model_id, model_len), &license_id);
            self.license_count = license_id;
            self.emit_recorded(&recorded);
            self.env().emit_event(LicensePurchased {
                license_id,
                model_id,
                buyer,
                offer_id,
                offer_version,
                vault,
                escrow_id,
                price: offer.price,
                asset: offer.asset,
            });
            Ok(license_id)
        }

        /// Releases a license's order to the seller (the buyer only: the vault lets the
        /// registry move an order it opened only when the buyer asks, here), and records
        /// the license as granted at once.
        ///
        /// Errors: `LicenseNotFound`, `NotLicenseHolder`, `Vault(..)` (e.g.
        /// `EscrowNotOpen` for a settled or disputed order), `VaultCallFailed`.
        /// Emits `LicenseRecorded` (the vault emits `EscrowSettled`).
        #[ink(message)]
        pub fn release_license(&mut self, license_id: LicenseId) -> Result<()> {
            let mut license = self
                .licenses
                .get(license_id)
                .ok_or(Error::LicenseNotFound)?;
            if self.env().caller() != license.buyer {
                return Err(Error::NotLicenseHolder);
            }
            let key = (license.buyer, license.model_id);
            let mut ent = self.entitlements.get(key).unwrap_or_default();
            let now = self.env().block_timestamp();
            calls::release(license.vault, license.escrow_id)?;
            let granted = ent.record(license_id, &mut license, Some(now));
            self.licenses.insert(license_id, &license);
            self.entitlements.insert(key, &ent);
            self.env().emit_event(LicenseRecorded {
                license_id,
                model_id: license.model_id,
                buyer: license.buyer,
                granted,
            });
            Ok(())
        }

        /// Records every license of `account` for `model_id` whose order has settled
        /// since (an auto-release, a refund, a ruling), and returns how many are still
        /// pending. Anyone may call it; it only writes down what the vaults say.
        ///
        /// Errors: `Overflow` (never in practice: at most `MAX_PENDING_LICENSES` remain).
        /// Emits `LicenseRecorded` per license recorded.
        #[ink(message)]
        pub fn sync_licenses(&mut self, account: AccountId, model_id: ModelId) -> Result<u32> {
            let (ent, recorded) = self.refreshed(account, model_id);
            if !recorded.is_empty() {
                self.store_recorded(&recorded);
                self.entitlements.insert((account, model_id), &ent);
                self.emit_recorded(&recorded);
            }
            u32::try_from(ent.pending.len()).map_err(|_| Error::Overflow)
        }

        /// Gives up a pending license whose vault no longer answers for its order (the
        /// vault was removed or replaced by code that does not know it), so a dead
        /// vault cannot hold one of the buyer's `MAX_PENDING_LICENSES` slots for ever.
        /// The license is recorded as not granted. Only its buyer may do it, and only
        /// while the vault's answer is "no such order".
        ///
        /// Errors: `LicenseNotFound`, `NotLicenseHolder`, `LicenseNotPending`,
        /// `VaultStillAnswers`. Emits `LicenseRecorded` (`granted: false`).
        #[ink(message)]
        pub fn drop_license(&mut self, license_id: LicenseId) -> Result<()> {
            let mut license = self
                .licenses
                .get(license_id)
                .ok_or(Error::LicenseNotFound)?;
            if self.env().caller() != license.buyer {
                return Err(Error::NotLicenseHolder);
            }
            if license.granted.is_some() {
                return Err(Error::LicenseNotPending);
            }
            if calls::escrow_status(license.vault, license.escrow_id).is_some() {
                return Err(Error::VaultStillAnswers);
            }
            let key = (license.buyer, license.model_id);
            let mut ent = self.entitlements.get(key).unwrap_or_default();
            ent.record(license_id, &mut license, None);
            self.licenses.insert(license_id, &license);
            self.entitlements.insert(key, &ent);
            self.env().emit_event(LicenseRecorded {
                license_id,
                model_id: license.model_id,
                buyer: license.buyer,
                granted: false,
            });
            Ok(())
        }

        /// Whether `account` may use `model_id` now: any license it bought for the
        /// model is valid — granted perpetual, a granted TimeBound not yet over, metered
        /// units left — including licenses whose orders were released but not yet
        /// recorded. Costs one vault read per pending license (at most
        /// `MAX_PENDING_LICENSES`), whatever the account bought before.
        #[ink(message)]
        pub fn has_valid_license(&self, account: AccountId, model_id: ModelId) -> bool {
            let Some(ent) = self.entitlements.get((account, model_id)) else {
                return false;
            };
            let now = self.env().block_timestamp();
            if ent.valid_now(now) {
                return true;
            }
            ent.pending.iter().any(|id| {
                self.licenses.get(*id).is_some_and(|l| {
                    Entitlement::pending_valid(&l, &calls::escrow_status(l.vault, l.escrow_id), now)
                })
            })
        }

        /// Counts `units` against `account`'s metered units for `model_id` (every
        /// granted metered license of the account adds to one pool) and returns how
        /// many are left. Only the model's current owner (who runs the inference
        /// gateway) may count. Settled licenses are recorded first.
        ///
        /// Errors: `ModelNotFound`, `NotModelOwner`, `ZeroUnits`, `NotMetered` (no
        /// granted metered license), `UnitsExhausted`, `Overflow`.
        /// Emits `UnitsConsumed` (and `LicenseRecorded`).
        #[ink(message)]
        pub fn consume_units(
            &mut self,
            account: AccountId,
            model_id: ModelId,
            units: u64,
        ) -> Result<u64> {
            let model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
            if self.env().caller() != model.owner {
                return Err(Error::NotModelOwner);
            }
            if units == 0 {
                return Err(Error::ZeroUnits);
            }
            let (mut ent, recorded) = self.refreshed(account, model_id);
            if ent.units_bought == 0 {
                return Err(Error::NotMetered);
            }
            let used = ent
                .units_used
                .checked_add(units)
                .ok_or(Error::UnitsExhausted)?;
            let remaining = ent
                .units_bought
                .checked_sub(used)
                .ok_or(Error::UnitsExhausted)?;
            ent.units_used = used;
            self.store_recorded(&recorded);
            self.entitlements.insert((account, model_id), &ent);
            self.emit_recorded(&recorded);
            self.env().emit_event(UnitsConsumed {
                model_id,
                account,
                units,
                remaining,
            });
            Ok(remaining)
        }

        /// Rates a model with 1 to 5 stars: once per account and model, however many
        /// licenses the account holds, and only once one of them was granted.
        ///
        /// Errors: `InvalidRating`, `ModelNotFound`, `AlreadyRated`,
        /// `LicenseNotReleased`, `Overflow`. Emits `ModelRated` (and `LicenseRecorded`).
        #[ink(message)]
        pub fn rate_model(&mut self, model_id: ModelId, stars: u8) -> Result<()> {
            if !(1..=5).contains(&stars) {
                return Err(Error::InvalidRating);
            }
            if !self.models.contains(model_id) {
                return Err(Error::ModelNotFound);
            }
            let rater = self.env().caller();
            let (mut ent, recorded) = self.refreshed(rater, model_id);
            if ent.rated {
                return Err(Error::AlreadyRated);
            }
            if ent.granted == 0 {
                return Err(Error::LicenseNotReleased);
            }
            let mut totals = self.ratings.get(model_id).unwrap_or_default();
            totals.sum = totals
                .sum
                .checked_add(u64::from(stars))
                .ok_or(Error::Overflow)?;
            totals.count = totals.count.checked_add(1).ok_or(Error::Overflow)?;
            ent.rated = true;
            self.store_recorded(&recorded);
            self.ratings.insert(model_id, &totals);
            self.entitlements.insert((rater, model_id), &ent);
            self.emit_recorded(&recorded);
            self.env().emit_event(ModelRated {
                model_id,
                rater,
                stars,
            });
            Ok(())
        }

        /// One license by id.
        #[ink(message)]
        pub fn license(&self, license_id: LicenseId) -> Option<License> {
            self.licenses.get(license_id)
        }

        /// What `account` holds for `model_id`, as recorded so far (licenses still
        /// pending are listed in it; `has_valid_license` also reads those).
        #[ink(message)]
        pub fn entitlement(&self, account: AccountId, model_id: ModelId) -> Entitlement {
            self.entitlements
                .get((account, model_id))
                .unwrap_or_default()
        }

        /// How many licenses `account` ever bought, for every model.
        #[ink(message)]
        pub fn account_license_count(&self, account: AccountId) -> u32 {
            self.account_license_count.get(account).unwrap_or(0)
        }

        /// A page of `account`'s licenses for every model, oldest first, from position
        /// `cursor`, at most `limit`: each with its state and its order's status, read
        /// from the vault it was paid into.
        #[ink(message)]
        pub fn licenses_of(
            &self,
            account: AccountId,
            cursor: u64,
            limit: u32,
        ) -> Page<LicenseView> {
            let len = u64::from(self.account_license_count.get(account).unwrap_or(0));
            let end = cursor
                .saturating_add(u64::from(page_len(limit, MAX_PAGE)))
                .min(len);
            let items = (cursor..end)
                .filter_map(|i| {
                    let pos = u32::try_from(i).ok()?;
                    self.account_licenses
                        .get((account, pos))
                        .and_then(|id| self.license_view(id))
                })
                .collect();
            Page {
                items,
                next: (end < len).then_some(end),
            }
        }

        /// A page of `account`'s licenses for `model_id`, oldest first; as
        /// `licenses_of`.
        #[ink(message)]
        pub fn licenses_for_model(
            &self,
            account: AccountId,
            model_id: ModelId,
            cursor: u64,
            limit: u32,
        ) -> Page<LicenseView> {
            let len = u64::from(
                self.entitlements
                    .get((account, model_id))
                    .map_or(0, |e| e.bought),
            );
            let end = cursor
                .saturating_add(u64::from(page_len(limit, MAX_PAGE)))
                .min(len);
            let items = (cursor..end)
                .filter_map(|i| {
                    let pos = u32::try_from(i).ok()?;
                    self.model_licenses
                        .get((account, model_id, pos))
                        .and_then(|id| self.license_view(id))
                })
                .collect();
            Page {
                items,
                next: (end < len).then_some(end),
            }
        }

        #[ink(message)]
        pub fn license_count(&self) -> LicenseId {
            self.license_count
        }

        /// `(sum of stars, number of ratings)` of a model.
        #[ink(message)]
        pub fn rating(&self, model_id: ModelId) -> (u64, u32) {
            let t = self.ratings.get(model_id).unwrap_or_default();
            (t.sum, t.count)
        }

        /// Average rating × 100, rounded down (4.5 stars → 450); `None` when unrated.
        #[ink(message)]
        pub fn average_rating_x100(&self, model_id: ModelId) -> Option<u32> {
            let t = self.ratings.get(model_id)?;
            let avg = t.sum.checked_mul(100)?.checked_div(u64::from(t.count))?;
            u32::try_from(avg).ok()
        }

        /// The vault new purchases are paid into, if set.
        #[ink(message)]
        pub fn vault(&self) -> Option<AccountId> {
            self.vault
        }

        /// `(delivery_period_ms, review_window_ms)` of new purchases.
        #[ink(message)]
        pub fn purchase_periods(&self) -> (u64, u64) {
            (self.delivery_period_ms, self.review_window_ms)
        }

        /// Points new purchases at an escrow vault (admin only). Licenses already bought
        /// keep the vault they were paid into, so a migration hides or forges nothing.
        /// The vault must also list the registry as a controller.
        ///
        /// Errors: `NotAdmin`. Emits `VaultChanged`.
        #[ink(message)]
        pub fn set_vault(&mut self, vault: AccountId) -> Result<()> {
            self.only_admin()?;
            self.vault = Some(vault);
            self.env().emit_event(VaultChanged { vault });
            Ok(())
        }

        /// Sets the delivery period and review window of new purchases (admin only),
        /// each above zero and at most `MAX_PERIOD_MS`.
        ///
        /// Errors: `NotAdmin`, `InvalidPeriod` (zero), `PeriodTooLong`.
        /// Emits `PurchasePeriodsChanged`.
        #[ink(message)]
        pub fn set_purchase_periods(
            &mut self,
            delivery_period_ms: u64,
            review_window_ms: u64,
        ) -> Result<()> {
            self.only_admin()?;
            if delivery_period_ms == 0 || review_window_ms == 0 {
                return Err(Error::InvalidPeriod);
            }
            if delivery_period_ms > MAX_PERIOD_MS || review_window_ms > MAX_PERIOD_MS {
                return Err(Error::PeriodTooLong);
            }
            self.delivery_period_ms = delivery_period_ms;
            self.review_window_ms = review_window_ms;
            self.env().emit_event(PurchasePeriodsChanged {
                delivery_period_ms,
                review_window_ms,
            });
            Ok(())
        }

        /// `account`'s entitlement for `model_id` with every pending license whose
        /// order has settled recorded into it (not stored; the caller stores it with
        /// the returned licenses). At most `MAX_PENDING_LICENSES` vault reads.
        fn refreshed(
            &self,
            account: AccountId,
            model_id: ModelId,
        ) -> (Entitlement, Vec<(LicenseId, License)>) {
            let mut ent = self
                .entitlements
                .get((account, model_id))
                .unwrap_or_default();
            let mut recorded = Vec::new();
            for id in ent.pending.clone() {
                let Some(mut license) = self.licenses.get(id) else {
                    continue;
                };
                let status = calls::escrow_status(license.vault, license.escrow_id);
                if licensing::is_settled(&status) {
                    ent.record(id, &mut license, licensing::released_in_full(&status));
                    recorded.push((id, license));
                }
            }
            (ent, recorded)
        }

        fn store_recorded(&mut self, recorded: &[(LicenseId, License)]) {
            for (id, license) in recorded {
                self.licenses.insert(*id, license);
            }
        }

        fn emit_recorded(&self, recorded: &[(LicenseId, License)]) {
            for (id, license) in recorded {
                self.env().emit_event(LicenseRecorded {
                    license_id: *id,
                    model_id: license.model_id,
                    buyer: license.buyer,
                    granted: license.granted == Some(true),
                });
            }
        }

        fn license_view(&self, license_id: LicenseId) -> Option<LicenseView> {
            let license = self.licenses.get(license_id)?;
            let escrow = calls::escrow_status(license.vault, license.escrow_id);
            let ent = self
                .entitlements
                .get((license.buyer, license.model_id))
                .unwrap_or_default();
            let state = ent.license_state(&license, &escrow, self.env().block_timestamp());
            Some(LicenseView {
                license_id,
                license,
                state,
                escrow,
            })
        }

        // ------------------------------------------------------------ admin

        /// Adds an account to the auditor allow-list.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `AlreadyAuditor`. Emits: `AuditorAdded`.
        #[ink(message)]
        pub fn add_auditor(&mut self, auditor: AccountId) -> Result<()> {
            self.only_admin()?;
            if self.auditors.contains(auditor) {
                return Err(Error::AlreadyAuditor);
            }
            self.auditors.insert(auditor, &());
            self.env().emit_event(AuditorAdded { auditor });
            Ok(())
        }

        /// Removes an auditor; its attestations stop counting as valid.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `NotAuditor`. Emits: `AuditorRemoved`.
        #[ink(message)]
        pub fn remove_auditor(&mut self, auditor: AccountId) -> Result<()> {
            self.only_admin()?;
            if !self.auditors.contains(auditor) {
                return Err(Error::NotAuditor);
            }
            self.auditors.remove(auditor);
            self.env().emit_event(AuditorRemoved { auditor });
            Ok(())
        }

        /// Lets a PSP22 token price new offers.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `AssetAlreadyAllowed`.
        /// Emits: `AssetAllowed`.
        #[ink(message)]
        pub fn allow_asset(&mut self, token: AccountId) -> Result<()> {
            self.only_admin()?;
            if self.allowed_tokens.contains(token) {
                return Err(Error::AssetAlreadyAllowed);
            }
            self.allowed_tokens.insert(token, &());
            self.env().emit_event(AssetAllowed { token });
            Ok(())
        }

        /// Stops a PSP22 token from pricing new or updated offers.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `AssetNotAllowed`.
        /// Emits: `AssetDisallowed`.
        #[ink(message)]
        pub fn disallow_asset(&mut self, token: AccountId) -> Result<()> {
            self.only_admin()?;
            if !self.allowed_tokens.contains(token) {
                return Err(Error::AssetNotAllowed);
            }
            self.allowed_tokens.remove(token);
            self.env().emit_event(AssetDisallowed { token });
            Ok(())
        }

        /// Sets the royalty cap for models registered from now on.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `RoyaltyCapTooHigh`.
        /// Emits: `MaxRoyaltyChanged`.
        #[ink(message)]
        pub fn set_max_royalty_bps(&mut self, max_royalty_bps: Bps) -> Result<()> {
            self.only_admin()?;
            if max_royalty_bps > ROYALTY_HARD_CAP_BPS {
                return Err(Error::RoyaltyCapTooHigh);
            }
            self.max_royalty_bps = max_royalty_bps;
            self.env().emit_event(MaxRoyaltyChanged { max_royalty_bps });
            Ok(())
        }

        /// Proposes `new_admin` as the next admin (the dispute DAO, once deployed); the
        /// role moves only when that account calls `accept_admin`. `None` withdraws the
        /// proposal.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `SameAccount`. Emits: `AdminProposed`.
        #[ink(message)]
        pub fn propose_admin(&mut self, new_admin: Option<AccountId>) -> Result<()> {
            self.only_admin()?;
            if new_admin == Some(self.admin) {
                return Err(Error::SameAccount);
            }
            self.pending_admin = new_admin;
            self.env().emit_event(AdminProposed {
                admin: self.admin,
                proposed: new_admin,
            });
            Ok(())
        }

        /// Takes the admin role proposed to the caller.
        ///
        /// Who: the proposed account. Errors: `NotPendingAdmin`. Emits: `AdminChanged`.
        #[ink(message)]
        pub fn accept_admin(&mut self) -> Result<()> {
            let caller = self.env().caller();
            if self.pending_admin != Some(caller) {
                return Err(Error::NotPendingAdmin);
            }
            let previous = self.admin;
            self.admin = caller;
            self.pending_admin = None;
            self.env().emit_event(AdminChanged {
                previous,
                new: caller,
            });
            Ok(())
        }

        /// The account proposed as the next admin, until it accepts.
        #[ink(message)]
        pub fn pending_admin(&self) -> Option<AccountId> {
            self.pending_admin
        }

        // ------------------------------------------------------------ getters

        /// The admin account.
        #[ink(message)]
        pub fn admin(&self) -> AccountId {
            self.admin
        }

        /// The royalty cap for new models, in basis points.
        #[ink(message)]
        pub fn max_royalty_bps(&self) -> Bps {
            self.max_royalty_bps
        }

        /// How many models were ever registered (ids `1..=model_count`).
        #[ink(message)]
        pub fn model_count(&self) -> u64 {
            self.next_model_id.saturating_sub(1)
        }

        /// One model by id.
        #[ink(message)]
        pub fn model(&self, model_id: ModelId) -> Option<Model> {
            self.models.get(model_id)
        }

        /// Models by id, starting at id `cursor` (0 or 1 for the first page), at most
        /// `limit` (capped at `MAX_PAGE`; 0 means `MAX_PAGE`).
        #[ink(message)]
        pub fn models(&self, cursor: u64, limit: u32) -> Page<(ModelId, Model)> {
            let first = cursor.max(1);
            let end = first
                .saturating_add(u64::from(page_len(limit, MAX_PAGE)))
                .min(self.next_model_id);
            let items = (first..end)
                .filter_map(|id| self.models.get(id).map(|m| (id, m)))
                .collect();
            let next = (end < self.next_model_id).then_some(end);
            Page { items, next }
        }

        /// How many models `owner` holds.
        #[ink(message)]
        pub fn owner_model_count(&self, owner: AccountId) -> u32 {
            self.index_len.get(IndexKey::Owner(owner)).unwrap_or(0)
        }

        /// Models held by `owner`, from position `cursor` (0 first), at most `limit`.
        /// Order is insertion order, except that removing a model moves the last one
        /// into its place.
        #[ink(message)]
        pub fn models_by_owner(
            &self,
            owner: AccountId,
            cursor: u64,
            limit: u32,
        ) -> Page<(ModelId, Model)> {
            self.index_page(IndexKey::Owner(owner), cursor, limit)
        }

        /// How many listed (not delisted) models carry `tag`.
        #[ink(message)]
        pub fn tag_model_count(&self, tag: String) -> u32 {
            tag_key(&tag)
                .and_then(|key| self.index_len.get(IndexKey::Tag(key)))
                .unwrap_or(0)
        }

        /// Listed models carrying `tag`, from position `cursor`, at most `limit`. An
        /// invalid tag matches nothing.
        #[ink(message)]
        pub fn models_by_tag(
            &self,
            tag: String,
            cursor: u64,
            limit: u32,
        ) -> Page<(ModelId, Model)> {
            match tag_key(&tag) {
                Some(key) => self.index_page(IndexKey::Tag(key), cursor, limit),
                None => Page {
                    items: Vec::new(),
                    next: None,
                },
            }
        }

        /// One offer of a model.
        #[ink(message)]
        pub fn offer(&self, model_id: ModelId, offer_id: OfferId) -> Option<Offer> {
            self.offers.get((model_id, offer_id))
        }

        /// Offers of a model by id, from offer id `cursor`, at most `limit`.
        #[ink(message)]
        pub fn offers(&self, model_id: ModelId, cursor: u64, limit: u32) -> Page<Offer> {
            let count = self
                .models
                .get(model_id)
                .map_or(0, |m| u64::from(m.offer_count));
            let end = cursor
                .saturating_add(u64::from(page_len(limit, MAX_PAGE)))
                .min(count);
            let items = (cursor..end)
                .filter_map(|i| {
                    OfferId::try_from(i)
                        .ok()
                        .and_then(|offer_id| self.offers.get((model_id, offer_id)))
                })
                .collect();
            let next = (end < count).then_some(end);
            Page { items, next }
        }

        /// Whether `auditor` is on the allow-list.
        #[ink(message)]
        pub fn is_auditor(&self, auditor: AccountId) -> bool {
            self.auditors.contains(auditor)
        }

        /// Whether offers may be priced in `asset` (native always may).
        #[ink(message)]
        pub fn is_asset_allowed(&self, asset: Asset) -> bool {
            match asset {
                Asset::Native => true,
                Asset::Psp22(token) => self.allowed_tokens.contains(token),
            }
        }

        /// `auditor`'s attestation of a model, live or not.
        #[ink(message)]
        pub fn attestation(&self, model_id: ModelId, auditor: AccountId) -> Option<Attestation> {
            self.attestations.get((model_id, auditor))
        }

        /// Whether `auditor` currently vouches for the model: attested, not revoked, not
        /// expired, and still on the allow-list.
        #[ink(message)]
        pub fn is_attestation_valid(&self, model_id: ModelId, auditor: AccountId) -> bool {
            let now = self.env().block_timestamp();
            self.auditors.contains(auditor)
                && self
                    .attestations
                    .get((model_id, auditor))
                    .is_some_and(|a| !a.revoked && a.expires_at > now)
        }

        /// Attestations of a model, one per auditor that ever attested it, from position
        /// `cursor`, at most `limit`.
        #[ink(message)]
        pub fn attestations(
            &self,
            model_id: ModelId,
            cursor: u64,
            limit: u32,
        ) -> Page<Attestation> {
            let count = self
                .models
                .get(model_id)
                .map_or(0, |m| u64::from(m.auditor_count));
            let end = cursor
                .saturating_add(u64::from(page_len(limit, MAX_PAGE)))
                .min(count);
            let items = (cursor..end)
                .filter_map(|i| {
                    let slot = u32::try_from(i).ok()?;
                    let auditor = self.model_auditors.get((model_id, slot))?;
                    self.attestations.get((model_id, auditor))
                })
                .collect();
            let next = (end < count).then_some(end);
            Page { items, next }
        }

        // ------------------------------------------------------------ helpers

        fn only_admin(&self) -> Result<()> {
            if self.env().caller() == self.admin {
                Ok(())
            } else {
                Err(Error::NotAdmin)
            }
        }

        /// The model, if it exists and the caller owns it.
        fn owned_model(&self, model_id: ModelId) -> Result<Model> {
            let model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
            if model.owner != self.env().caller() {
                return Err(Error::NotModelOwner);
            }
            Ok(model)
        }

        /// The model, if it exists, the caller owns it and it is not delisted.
        fn owned_live_model(&self, model_id: ModelId) -> Result<Model> {
            let model = self.owned_model(model_id)?;
            if model.status == ModelStatus::Delisted {
                return Err(Error::ModelDelisted);
            }
            Ok(model)
        }

        fn active_offer(&self, model_id: ModelId, offer_id: OfferId) -> Result<Offer> {
            let offer = self
                .offers
                .get((model_id, offer_id))
                .ok_or(Error::OfferNotFound)?;
            if offer.status == OfferStatus::Retired {
                return Err(Error::OfferRetired);
            }
            Ok(offer)
        }

        fn check_terms(&self, kind: LicenseKind, price: Balance, asset: Asset) -> Result<()> {
            if !kind.is_valid() {
                return Err(Error::InvalidLicenseTerms);
            }
            if price == 0 {
                return Err(Error::ZeroPrice);
            }
            if !self.is_asset_allowed(asset) {
                return Err(Error::AssetNotAllowed);
            }
            Ok(())
        }

        fn touch_and_store(&mut self, model_id: ModelId, model: &mut Model) {
            model.updated_at = self.env().block_timestamp();
            self.models.insert(model_id, model);
        }

        /// Fails if one more item would overflow the list's length.
        fn check_index_room(&self, key: IndexKey) -> Result<()> {
            self.index_len
                .get(key)
                .unwrap_or(0)
                .checked_add(1)
                .map(|_| ())
                .ok_or(Error::Overflow)
        }

        /// Appends `id`; the caller has run `check_index_room` for `key`.
        fn index_push(&mut self, key: IndexKey, id: ModelId) {
            let len = self.index_len.get(key).unwrap_or(0);
            self.index_item.insert((key, len), &id);
            self.index_pos.insert((key, id), &len);
            self.index_len.insert(key, &len.saturating_add(1));
        }

        /// Removes `id` in O(1) by moving the last item into its place.
        fn index_remove(&mut self, key: IndexKey, id: ModelId) {
            let Some(pos) = self.index_pos.take((key, id)) else {
                return;
            };
            let last = self.index_len.get(key).unwrap_or(0).saturating_sub(1);
            if pos != last {
                if let Some(moved) = self.index_item.get((key, last)) {
                    self.index_item.insert((key, pos), &moved);
                    self.index_pos.insert((key, moved), &pos);
                }
            }
            self.index_item.remove((key, last));
            self.index_len.insert(key, &last);
        }

        fn index_page(&self, key: IndexKey, cursor: u64, limit: u32) -> Page<(ModelId, Model)> {
            let len = u64::from(self.index_len.get(key).unwrap_or(0));
            let end = cursor
                .saturating_add(u64::from(page_len(limit, MAX_PAGE)))
                .min(len);
            let items = (cursor..end)
                .filter_map(|i| {
                    let pos = u32::try_from(i).ok()?;
                    let id = self.index_item.get((key, pos))?;
                    self.models.get(id).map(|m| (id, m))
                })
                .collect();
            let next = (end < len).then_some(end);
            Page { items, next }
        }
    }

    // ---------------------------------------------------------------- validation

    fn check_name(name: &str) -> Result<()> {
        if name.is_empty() || name.len() > MAX_NAME_LEN {
            return Err(Error::InvalidName);
        }
        Ok(())
    }

    fn check_uri(uri: &str) -> Result<()> {
        if uri.is_empty() || uri.len() > MAX_URI_LEN {
            return Err(Error::InvalidUri);
        }
        Ok(())
    }

    /// The index key of a valid tag, `None` for an invalid one.
    fn tag_key(tag: &str) -> Option<[u8; MAX_TAG_LEN]> {
        let bytes = tag.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.len() <= MAX_TAG_LEN
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if !valid {
            return None;
        }
        let mut key = [0u8; MAX_TAG_LEN];
        key.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(key)
    }

    /// Validates a tag list and returns the index keys, in order.
    fn check_tags(tags: &[String]) -> Result<Vec<[u8; MAX_TAG_LEN]>> {
        if tags.len() > MAX_TAGS {
            return Err(Error::TooManyTags);
        }
        let mut keys: Vec<[u8; MAX_TAG_LEN]> = Vec::with_capacity(tags.len());
        for tag in tags {
            let key = tag_key(tag).ok_or(Error::InvalidTag)?;
            if keys.contains(&key) {
                return Err(Error::DuplicateTag);
            }
            keys.push(key);
        }
        Ok(keys)
    }

    // ---------------------------------------------------------------- unit tests

    #[cfg(test)]
    mod tests {
        use super::*;
        use ink::env::test::{self, DefaultAccounts};
        use ink::env::DefaultEnvironment as E;
        use ink::scale::{Decode, Encode};

        const T0: Timestamp = 1_700_000_000_000;

        fn accounts() -> DefaultAccounts<E> {
            test::default_accounts::<E>()
        }

        fn set_caller(who: AccountId) {
            test::set_caller::<E>(who);
        }

        fn set_now(ms: Timestamp) {
            test::set_block_timestamp::<E>(ms);
        }

        fn hash(byte: u8) -> Hash {
            Hash::from([byte; 32])
        }

        fn v(major: u32, minor: u32, patch: u32) -> Version {
            Version {
                major,
                minor,
                patch,
            }
        }

        fn tags(list: &[&str]) -> Vec<String> {
            list.iter().map(|t| String::from(*t)).collect()
        }

        fn text(len: usize) -> String {
            "x".repeat(len)
        }

        /// A registry with a 20 % royalty cap, deployed by alice at T0, on an empty
        /// stand-in chain.
        fn setup() -> ModelRegistry {
            calls::chain::reset();
            set_caller(accounts().alice);
            set_now(T0);
            ModelRegistry::new(2_000).expect("valid cap")
        }

        /// Registers a root model owned by the current caller.
        fn register(c: &mut ModelRegistry, name: &str, tag_list: &[&str]) -> ModelId {
            c.register_model(
                String::from(name),
                String::from("ipfs://bafy-model-card"),
                hash(1),
                v(1, 0, 0),
                None,
                0,
                tags(tag_list),
            )
            .expect("valid model")
        }

        fn event_count() -> usize {
            test::recorded_events().count()
        }

        fn last_event<T: Decode>() -> T {
            let event = test::recorded_events().last().expect("an event");
            T::decode(&mut &event.data[..]).expect("event of the expected type")
        }

        /// Everything a caller can observe, encoded, so a refusal can be shown to have
        /// changed nothing.
        fn fingerprint(c: &ModelRegistry) -> Vec<u8> {
            let a = accounts();
            let mut out = Vec::new();
            (c.admin(), c.max_royalty_bps(), c.model_count()).encode_to(&mut out);
            for id in 1..=c.model_count().saturating_add(1) {
                c.model(id).encode_to(&mut out);
                for page in [0, MAX_PAGE as u64, 2 * MAX_PAGE as u64, 3 * MAX_PAGE as u64] {
                    c.offers(id, page, MAX_PAGE).encode_to(&mut out);
                }
                c.attestations(id, 0, MAX_PAGE).encode_to(&mut out);
            }
            for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
                c.models_by_owner(who, 0, MAX_PAGE).encode_to(&mut out);
                c.is_auditor(who).encode_to(&mut out);
                c.is_asset_allowed(Asset::Psp22(who)).encode_to(&mut out);
            }
            for tag in ["llm", "vision", "audio", "speech", "new-tag"] {
                c.models_by_tag(String::from(tag), 0, MAX_PAGE)
                    .encode_to(&mut out);
            }
            (c.vault(), c.purchase_periods(), c.license_count()).encode_to(&mut out);
            c.pending_admin().encode_to(&mut out);
            for id in 1..=c.license_count().saturating_add(2) {
                c.license(id).encode_to(&mut out);
            }
            for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
                c.account_license_count(who).encode_to(&mut out);
                for id in 1..=c.model_count().saturating_add(1) {
                    c.entitlement(who, id).encode_to(&mut out);
                }
            }
            for id in 1..=c.model_count().saturating_add(1) {
                c.pending_transfer(id).encode_to(&mut out);
            }
            for id in 1..=c.model_count().saturating_add(1) {
                c.rating(id).encode_to(&mut out);
            }
            out
        }

        /// Asserts a call returns the given error and leaves state and events unchanged.
        macro_rules! assert_refused {
            ($c:ident, $call:expr, $err:expr) => {{
                let before = fingerprint(&$c);
                let events = event_count();
                assert_eq!($call, Err($err));
                assert_eq!(fingerprint(&$c), before, "state changed on refusal");
                assert_eq!(event_count(), events, "event emitted on refusal");
            }};
        }

        fn ids(page: &Page<(ModelId, Model)>) -> Vec<ModelId> {
            page.items.iter().map(|(id, _)| *id).collect()
        }

        // ------------------------------------------------------------ constructor

        #[ink::test]
        fn new_makes_deployer_admin() {
            let c = setup();
            assert_eq!(c.admin(), accounts().alice);
            assert_eq!(c.max_royalty_bps(), 2_000);
            assert_eq!(c.model_count(), 0);
            assert_eq!(c.model(1), None);
        }

        #[ink::test]
        fn new_refuses_cap_above_hard_cap() {
            assert!(ModelRegistry::new(ROYALTY_HARD_CAP_BPS).is_ok());
            assert_eq!(
                ModelRegistry::new(ROYALTY_HARD_CAP_BPS + 1).err(),
                Some(Error::RoyaltyCapTooHigh)
            );
        }

        // ------------------------------------------------------------ register

        #[ink::test]
        fn register_stores_model_indexes_it_and_emits() {
            let mut c = setup();
            set_caller(accounts().bob);
            let id = register(&mut c, "llama-mini", &["llm", "vision"]);
            assert_eq!(id, 1);
            assert_eq!(c.model_count(), 1);
            let m = c.model(id).unwrap();
            assert_eq!(m.owner, accounts().bob);
            assert_eq!(m.name, "llama-mini");
            assert_eq!(m.version, v(1, 0, 0));
            assert_eq!(m.status, ModelStatus::Active);
            assert_eq!(m.created_at, T0);
            assert_eq!(ids(&c.models_by_owner(accounts().bob, 0, 0)), vec![1]);
            assert_eq!(ids(&c.models_by_tag(String::from("llm"), 0, 0)), vec![1]);
            assert_eq!(c.tag_model_count(String::from("vision")), 1);
            let e: ModelRegistered = last_event();
            assert_eq!((e.model_id, e.owner, e.parent), (1, accounts().bob, None));
            assert_eq!(e.name, "llama-mini");
        }

        #[ink::test]
        fn register_child_with_royalty_records_lineage() {
            let mut c = setup();
            let parent = register(&mut c, "base", &[]);
            set_caller(accounts().bob);
            let child = c
                .register_model(
                    String::from("fine-tune"),
                    String::from("ipfs://child"),
                    hash(2),
                    v(0, 1, 0),
                    Some(parent),
                    2_000,
                    Vec::new(),
                )
                .unwrap();
            let m = c.model(child).unwrap();
            assert_eq!((m.parent, m.royalty_bps), (Some(parent), 2_000));
            let e: ModelRegistered = last_event();
            assert_eq!((e.parent, e.royalty_bps), (Some(parent), 2_000));
        }

        #[ink::test]
        fn register_accepts_fields_at_their_caps() {
            let mut c = setup();
            let long_tags: Vec<String> = (0..MAX_TAGS)
                .map(|i| format!("{}{}", "t".repeat(MAX_TAG_LEN - 1), i))
                .collect();
            let id = c
                .register_model(
                    text(MAX_NAME_LEN),
                    text(MAX_URI_LEN),
                    hash(1),
                    v(1, 0, 0),
                    None,
                    0,
                    long_tags,
                )
                .unwrap();
            assert_eq!(c.model(id).unwrap().tags.len(), MAX_TAGS);
        }

        #[ink::test]
        fn register_refuses_bad_text() {
            let mut c = setup();
            let reg = |c: &mut ModelRegistry, name: String, uri: String, t: Vec<String>| {
                c.register_model(name, uri, hash(1), v(1, 0, 0), None, 0, t)
            };
            let ok_uri = || String::from("ipfs://x");
            assert_refused!(
                c,
                reg(&mut c, text(0), ok_uri(), vec![]),
                Error::InvalidName
            );
            assert_refused!(
                c,
                reg(&mut c, text(MAX_NAME_LEN + 1), ok_uri(), vec![]),
                Error::InvalidName
            );
            assert_refused!(c, reg(&mut c, text(5), text(0), vec![]), Error::InvalidUri);
            assert_refused!(
                c,
                reg(&mut c, text(5), text(MAX_URI_LEN + 1), vec![]),
                Error::InvalidUri
            );
            assert_refused!(
                c,
                reg(
                    &mut c,
                    text(5),
                    ok_uri(),
                    tags(&["a", "b", "c", "d", "e", "f"])
                ),
                Error::TooManyTags
            );
            for bad in [
                "",
                "LLM",
                "has space",
                "émoji",
                &"t".repeat(MAX_TAG_LEN + 1),
            ] {
                assert_refused!(
                    c,
                    reg(&mut c, text(5), ok_uri(), tags(&["ok", bad])),
                    Error::InvalidTag
                );
            }
            assert_refused!(
                c,
                reg(&mut c, text(5), ok_uri(), tags(&["llm", "llm"])),
                Error::DuplicateTag
            );
        }

        #[ink::test]
        fn register_refuses_bad_lineage() {
            let mut c = setup();
            let parent = register(&mut c, "base", &[]);
            let reg = |c: &mut ModelRegistry, parent: Option<ModelId>, bps: Bps| {
                c.register_model(
                    text(4),
                    text(4),
                    hash(1),
                    v(1, 0, 0),
                    parent,
                    bps,
                    Vec::new(),
                )
            };
            assert_refused!(c, reg(&mut c, None, 1), Error::RoyaltyWithoutParent);
            assert_refused!(c, reg(&mut c, Some(99), 0), Error::ParentNotFound);
            assert_refused!(c, reg(&mut c, Some(parent), 2_001), Error::RoyaltyAboveCap);
            c.delist(parent).unwrap();
            assert_refused!(c, reg(&mut c, Some(parent), 100), Error::ParentDelisted);
        }

        // ------------------------------------------------------------ updates

        #[ink::test]
        fn update_metadata_changes_uri_and_emits() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            set_now(T0 + 5);
            c.update_metadata(id, String::from("ipfs://v2")).unwrap();
            let m = c.model(id).unwrap();
            assert_eq!(
                (m.metadata_uri.as_str(), m.updated_at),
                ("ipfs://v2", T0 + 5)
            );
            let e: ModelMetadataUpdated = last_event();
            assert_eq!((e.model_id, e.metadata_uri.as_str()), (id, "ipfs://v2"));
        }

        #[ink::test]
        fn update_metadata_refusals() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            assert_refused!(c, c.update_metadata(id, text(0)), Error::InvalidUri);
            assert_refused!(
                c,
                c.update_metadata(id, text(MAX_URI_LEN + 1)),
                Error::InvalidUri
            );
            assert_refused!(c, c.update_metadata(7, text(3)), Error::ModelNotFound);
            set_caller(accounts().bob);
            assert_refused!(c, c.update_metadata(id, text(3)), Error::NotModelOwner);
            set_caller(accounts().alice);
            c.delist(id).unwrap();
            assert_refused!(c, c.update_metadata(id, text(3)), Error::ModelDelisted);
        }

        #[ink::test]
        fn publish_version_requires_a_higher_version() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            for lower in [v(1, 0, 0), v(0, 9, 9)] {
                assert_refused!(
                    c,
                    c.publish_version(id, lower, hash(2), text(3)),
                    Error::VersionNotIncreasing
                );
            }
            c.publish_version(id, v(1, 0, 1), hash(2), String::from("ipfs://p"))
                .unwrap();
            c.publish_version(id, v(1, 1, 0), hash(3), String::from("ipfs://m"))
                .unwrap();
            c.publish_version(id, v(2, 0, 0), hash(4), String::from("ipfs://M"))
                .unwrap();
            let m = c.model(id).unwrap();
            assert_eq!((m.version, m.weights_hash), (v(2, 0, 0), hash(4)));
            let e: ModelVersionPublished = last_event();
            assert_eq!(
                (e.model_id, e.version, e.weights_hash),
                (id, v(2, 0, 0), hash(4))
            );
        }

        #[ink::test]
        fn publish_version_refusals() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            assert_refused!(
                c,
                c.publish_version(id, v(2, 0, 0), hash(2), text(0)),
                Error::InvalidUri
            );
            assert_refused!(
                c,
                c.publish_version(9, v(2, 0, 0), hash(2), text(3)),
                Error::ModelNotFound
            );
            set_caller(accounts().bob);
            assert_refused!(
                c,
                c.publish_version(id, v(2, 0, 0), hash(2), text(3)),
                Error::NotModelOwner
            );
        }

        #[ink::test]
        fn set_tags_moves_model_between_tag_indexes() {
            let mut c = setup();
            let a = register(&mut c, "a", &["llm", "vision"]);
            let b = register(&mut c, "b", &["llm"]);
            c.set_tags(a, tags(&["audio", "llm"])).unwrap();
            assert_eq!(
                ids(&c.models_by_tag(String::from("vision"), 0, 0)),
                Vec::<u64>::new()
            );
            assert_eq!(ids(&c.models_by_tag(String::from("audio"), 0, 0)), vec![a]);
            let mut llm = ids(&c.models_by_tag(String::from("llm"), 0, 0));
            llm.sort();
            assert_eq!(llm, vec![a, b]);
            assert_eq!(c.model(a).unwrap().tags, tags(&["audio", "llm"]));
            let e: ModelTagsUpdated = last_event();
            assert_eq!(e.tags, tags(&["audio", "llm"]));
        }

        #[ink::test]
        fn set_tags_refusals() {
            let mut c = setup();
            let id = register(&mut c, "a", &["llm"]);
            assert_refused!(c, c.set_tags(id, tags(&["Bad"])), Error::InvalidTag);
            assert_refused!(c, c.set_tags(id, tags(&["x", "x"])), Error::DuplicateTag);
            assert_refused!(
                c,
                c.set_tags(id, tags(&["a", "b", "c", "d", "e", "f"])),
                Error::TooManyTags
            );
            set_caller(accounts().bob);
            assert_refused!(c, c.set_tags(id, tags(&["vision"])), Error::NotModelOwner);
            set_caller(accounts().alice);
            c.delist(id).unwrap();
            assert_refused!(c, c.set_tags(id, tags(&["vision"])), Error::ModelDelisted);
        }

        // ------------------------------------------------------------ lifecycle

        #[ink::test]
        fn deprecate_names_successor() {
            let mut c = setup();
            let old = register(&mut c, "old", &[]);
            let new = register(&mut c, "new", &[]);
            c.deprecate(old, Some(new)).unwrap();
            assert_eq!(
                c.model(old).unwrap().status,
                ModelStatus::Deprecated {
                    successor: Some(new)
                }
            );
            let e: ModelDeprecated = last_event();
            assert_eq!((e.model_id, e.successor), (old, Some(new)));
            // Deprecated models can still be delisted.
            c.delist(old).unwrap();
            assert_eq!(c.model(old).unwrap().status, ModelStatus::Delisted);
        }

        #[ink::test]
        fn deprecate_refusals() {
            let mut c = setup();
            let a = register(&mut c, "a", &[]);
            let gone = register(&mut c, "gone", &[]);
            c.delist(gone).unwrap();
            assert_refused!(c, c.deprecate(a, Some(a)), Error::InvalidSuccessor);
            assert_refused!(c, c.deprecate(a, Some(42)), Error::SuccessorNotFound);
            assert_refused!(c, c.deprecate(a, Some(gone)), Error::InvalidSuccessor);
            assert_refused!(c, c.deprecate(42, None), Error::ModelNotFound);
            assert_refused!(c, c.deprecate(gone, None), Error::ModelNotActive);
            set_caller(accounts().bob);
            assert_refused!(c, c.deprecate(a, None), Error::NotModelOwner);
            set_caller(accounts().alice);
            c.deprecate(a, None).unwrap();
            assert_refused!(c, c.deprecate(a, None), Error::ModelNotActive);
        }

        #[ink::test]
        fn delist_leaves_tag_index_but_stays_readable() {
            let mut c = setup();
            let a = register(&mut c, "a", &["llm"]);
            let b = register(&mut c, "b", &["llm"]);
            c.delist(a).unwrap();
            assert_eq!(ids(&c.models_by_tag(String::from("llm"), 0, 0)), vec![b]);
            assert_eq!(c.model(a).unwrap().status, ModelStatus::Delisted);
            let mut mine = ids(&c.models_by_owner(accounts().alice, 0, 0));
            mine.sort();
            assert_eq!(mine, vec![a, b]);
            let e: ModelDelisted = last_event();
            assert_eq!(e.model_id, a);
        }

        #[ink::test]
        fn delist_refusals() {
            let mut c = setup();
            let a = register(&mut c, "a", &["llm"]);
            assert_refused!(c, c.delist(5), Error::ModelNotFound);
            set_caller(accounts().bob);
            assert_refused!(c, c.delist(a), Error::NotModelOwner);
            set_caller(accounts().alice);
            c.delist(a).unwrap();
            assert_refused!(c, c.delist(a), Error::ModelDelisted);
        }

        #[ink::test]
        fn transfer_model_moves_owner_index() {
            let mut c = setup();
            let a = register(&mut c, "a", &[]);
            let b = register(&mut c, "b", &[]);
            let d = register(&mut c, "d", &[]);
            c.transfer_model(a, accounts().bob).unwrap();
            // Nothing moved yet: bob has to accept.
            let e: ModelTransferOffered = last_event();
            assert_eq!(
                (e.model_id, e.from, e.to),
                (a, accounts().alice, accounts().bob)
            );
            assert_eq!(c.owner_model_count(accounts().bob), 0);
            assert_eq!(c.pending_transfer(a), Some(accounts().bob));
            set_caller(accounts().bob);
            c.accept_model(a).unwrap();
            set_caller(accounts().alice);
            assert_eq!(c.pending_transfer(a), None);
            // Swap-remove: the last id took the freed slot.
            assert_eq!(ids(&c.models_by_owner(accounts().alice, 0, 0)), vec![d, b]);
            assert_eq!(ids(&c.models_by_owner(accounts().bob, 0, 0)), vec![a]);
            assert_eq!(c.model(a).unwrap().owner, accounts().bob);
            let e: ModelOwnershipTransferred = last_event();
            assert_eq!(
                (e.model_id, e.from, e.to),
                (a, accounts().alice, accounts().bob)
            );
            // The old owner lost control, the new one has it.
            assert_refused!(c, c.delist(a), Error::NotModelOwner);
            set_caller(accounts().bob);
            c.delist(a).unwrap();
        }

        #[ink::test]
        fn transfer_model_refusals() {
            let mut c = setup();
            let a = register(&mut c, "a", &[]);
            assert_refused!(c, c.transfer_model(a, accounts().alice), Error::SameAccount);
            assert_refused!(c, c.transfer_model(3, accounts().bob), Error::ModelNotFound);
            assert_refused!(c, c.accept_model(a), Error::NoPendingTransfer);
            assert_refused!(c, c.accept_model(3), Error::ModelNotFound);
            assert_refused!(c, c.cancel_model_transfer(a), Error::NoPendingTransfer);
            set_caller(accounts().bob);
            assert_refused!(c, c.transfer_model(a, accounts().bob), Error::NotModelOwner);
        }

        #[ink::test]
        fn nobody_can_push_a_model_into_a_strangers_listings() {
            // Today's attack: alice "transfers" a model to bob, who never asked for it.
            let a = accounts();
            let mut c = setup();
            let junk = register(&mut c, "junk", &["llm"]);
            c.transfer_model(junk, a.bob).unwrap();
            // The attack ran: an offer is pending for bob...
            assert_eq!(c.pending_transfer(junk), Some(a.bob));
            // ...but bob's listings are untouched, and only bob can accept.
            assert_eq!(c.owner_model_count(a.bob), 0);
            assert_eq!(c.model(junk).unwrap().owner, a.alice);
            set_caller(a.charlie);
            assert_refused!(c, c.accept_model(junk), Error::NotPendingOwner);
            assert_refused!(c, c.cancel_model_transfer(junk), Error::NotModelOwner);
            // The owner may withdraw the offer; then bob cannot take it either.
            set_caller(a.alice);
            c.cancel_model_transfer(junk).unwrap();
            let e: ModelTransferCancelled = last_event();
            assert_eq!((e.model_id, e.to), (junk, a.bob));
            set_caller(a.bob);
            assert_refused!(c, c.accept_model(junk), Error::NoPendingTransfer);
            assert_eq!(c.owner_model_count(a.bob), 0);
        }

        // ------------------------------------------------------------ offers

        #[ink::test]
        fn add_offer_native_and_allowed_token() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let token = accounts().frank;
            c.allow_asset(token).unwrap();
            let o0 = c
                .add_offer(id, LicenseKind::Perpetual, 1_000, Asset::Native)
                .unwrap();
            let o1 = c
                .add_offer(
                    id,
                    LicenseKind::TimeBound {
                        duration_ms: 60_000,
                    },
                    5,
                    Asset::Psp22(token),
                )
                .unwrap();
            assert_eq!((o0, o1), (0, 1));
            assert_eq!(c.model(id).unwrap().offer_count, 2);
            let offer = c.offer(id, o1).unwrap();
            assert_eq!(offer.asset, Asset::Psp22(token));
            assert_eq!(offer.status, OfferStatus::Active);
            let e: OfferAdded = last_event();
            assert_eq!((e.model_id, e.offer_id, e.price), (id, 1, 5));
            assert_eq!(c.offers(id, 0, 0).items.len(), 2);
        }

        #[ink::test]
        fn add_offer_refusals() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let native = Asset::Native;
            assert_refused!(
                c,
                c.add_offer(id, LicenseKind::Perpetual, 0, native),
                Error::ZeroPrice
            );
            assert_refused!(
                c,
                c.add_offer(id, LicenseKind::TimeBound { duration_ms: 0 }, 1, native),
                Error::InvalidLicenseTerms
            );
            assert_refused!(
                c,
                c.add_offer(id, LicenseKind::Metered { units: 0 }, 1, native),
                Error::InvalidLicenseTerms
            );
            assert_refused!(
                c,
                c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Psp22(accounts().eve)),
                Error::AssetNotAllowed
            );
            assert_refused!(
                c,
                c.add_offer(99, LicenseKind::Perpetual, 1, native),
                Error::ModelNotFound
            );
            set_caller(accounts().bob);
            assert_refused!(
                c,
                c.add_offer(id, LicenseKind::Perpetual, 1, native),
                Error::NotModelOwner
            );
            set_caller(accounts().alice);
            c.deprecate(id, None).unwrap();
            assert_refused!(
                c,
                c.add_offer(id, LicenseKind::Perpetual, 1, native),
                Error::ModelNotActive
            );
        }

        #[ink::test]
        fn add_offer_stops_at_the_cap() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            for i in 0..MAX_OFFERS_PER_MODEL {
                let price = u128::from(i) + 1;
                assert_eq!(
                    c.add_offer(id, LicenseKind::Metered { units: 10 }, price, Asset::Native),
                    Ok(i)
                );
            }
            assert_refused!(
                c,
                c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Native),
                Error::TooManyOffers
            );
            // Paging walks all of them, MAX_PAGE at a time.
            let mut seen = 0;
            let mut cursor = Some(0);
            while let Some(at) = cursor {
                let page = c.offers(id, at, 0);
                assert!(page.items.len() as u32 <= MAX_PAGE);
                seen += page.items.len();
                cursor = page.next;
            }
            assert_eq!(seen, MAX_OFFERS_PER_MODEL as usize);
        }

        #[ink::test]
        fn update_offer_changes_terms() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let o = c
                .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
                .unwrap();
            c.update_offer(id, o, LicenseKind::Metered { units: 100 }, 7, Asset::Native)
                .unwrap();
            let offer = c.offer(id, o).unwrap();
            assert_eq!(
                (offer.kind, offer.price),
                (LicenseKind::Metered { units: 100 }, 7)
            );
            let e: OfferUpdated = last_event();
            assert_eq!((e.model_id, e.offer_id, e.price, e.version), (id, o, 7, 2));
            assert_eq!(offer.version, 2);
        }

        #[ink::test]
        fn update_offer_refusals() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let o = c
                .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
                .unwrap();
            let perp = LicenseKind::Perpetual;
            assert_refused!(
                c,
                c.update_offer(id, o, perp, 0, Asset::Native),
                Error::ZeroPrice
            );
            assert_refused!(
                c,
                c.update_offer(id, o, perp, 1, Asset::Psp22(accounts().eve)),
                Error::AssetNotAllowed
            );
            assert_refused!(
                c,
                c.update_offer(id, 5, perp, 1, Asset::Native),
                Error::OfferNotFound
            );
            set_caller(accounts().bob);
            assert_refused!(
                c,
                c.update_offer(id, o, perp, 1, Asset::Native),
                Error::NotModelOwner
            );
            set_caller(accounts().alice);
            c.retire_offer(id, o).unwrap();
            assert_refused!(
                c,
                c.update_offer(id, o, perp, 1, Asset::Native),
                Error::OfferRetired
            );
        }

        #[ink::test]
        fn retire_offer_is_final() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let o = c
                .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
                .unwrap();
            assert_refused!(c, c.retire_offer(id, 3), Error::OfferNotFound);
            set_caller(accounts().bob);
            assert_refused!(c, c.retire_offer(id, o), Error::NotModelOwner);
            set_caller(accounts().alice);
            c.retire_offer(id, o).unwrap();
            assert_eq!(c.offer(id, o).unwrap().status, OfferStatus::Retired);
            let e: OfferRetired = last_event();
            assert_eq!((e.model_id, e.offer_id), (id, o));
            assert_refused!(c, c.retire_offer(id, o), Error::OfferRetired);
        }

        // ------------------------------------------------------------ attestations

        #[ink::test]
        fn attest_is_valid_until_expiry() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let auditor = accounts().charlie;
            c.add_auditor(auditor).unwrap();
            set_caller(auditor);
            c.attest(id, hash(9), T0 + 1_000).unwrap();
            let e: ModelAttested = last_event();
            assert_eq!(
                (e.model_id, e.auditor, e.expires_at),
                (id, auditor, T0 + 1_000)
            );
            assert!(c.is_attestation_valid(id, auditor));
            assert_eq!(c.attestation(id, auditor).unwrap().report_hash, hash(9));
            set_now(T0 + 1_000);
            assert!(!c.is_attestation_valid(id, auditor));
            // Renewing keeps one entry per auditor.
            c.attest(id, hash(10), T0 + 5_000).unwrap();
            assert!(c.is_attestation_valid(id, auditor));
            let page = c.attestations(id, 0, 0);
            assert_eq!(page.items.len(), 1);
            assert_eq!(page.items[0].report_hash, hash(10));
            assert_eq!(c.model(id).unwrap().auditor_count, 1);
        }

        #[ink::test]
        fn removed_auditor_attestation_stops_counting() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let auditor = accounts().charlie;
            c.add_auditor(auditor).unwrap();
            set_caller(auditor);
            c.attest(id, hash(9), T0 + 1_000).unwrap();
            set_caller(accounts().alice);
            c.remove_auditor(auditor).unwrap();
            assert!(!c.is_attestation_valid(id, auditor));
        }

        #[ink::test]
        fn attest_refusals() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let auditor = accounts().charlie;
            set_caller(auditor);
            assert_refused!(c, c.attest(id, hash(9), T0 + 1), Error::NotAuditor);
            set_caller(accounts().alice);
            c.add_auditor(auditor).unwrap();
            set_caller(auditor);
            assert_refused!(c, c.attest(id, hash(9), T0), Error::ExpiryNotInFuture);
            assert_refused!(c, c.attest(77, hash(9), T0 + 1), Error::ModelNotFound);
            set_caller(accounts().alice);
            c.delist(id).unwrap();
            set_caller(auditor);
            assert_refused!(c, c.attest(id, hash(9), T0 + 1), Error::ModelDelisted);
        }

        #[ink::test]
        fn revoke_attestation_once() {
            let mut c = setup();
            let id = register(&mut c, "m", &[]);
            let auditor = accounts().charlie;
            c.add_auditor(auditor).unwrap();
            set_caller(auditor);
            assert_refused!(c, c.revoke_attestation(id), Error::AttestationNotFound);
            c.attest(id, hash(9), T0 + 1_000).unwrap();
            c.revoke_attestation(id).unwrap();
            let e: AttestationRevoked = last_event();
            assert_eq!((e.model_id, e.auditor), (id, auditor));
            assert!(!c.is_attestation_valid(id, auditor));
            assert!(c.attestation(id, auditor).unwrap().revoked);
            assert_refused!(c, c.revoke_attestation(id), Error::AttestationNotFound);
        }

        // ------------------------------------------------------------ admin

        #[ink::test]
        fn admin_manages_auditors() {
            let mut c = setup();
            let who = accounts().django;
            c.add_auditor(who).unwrap();
            assert!(c.is_auditor(who));
            let e: AuditorAdded = last_event();
            assert_eq!(e.auditor, who);
            assert_refused!(c, c.add_auditor(who), Error::AlreadyAuditor);
            c.remove_auditor(who).unwrap();
            assert!(!c.is_auditor(who));
            let e: AuditorRemoved = last_event();
            assert_eq!(e.auditor, who);
            assert_refused!(c, c.remove_auditor(who), Error::NotAuditor);
        }

        #[ink::test]
        fn admin_manages_assets() {
            let mut c = setup();
            let token = accounts().frank;
            assert!(c.is_asset_allowed(Asset::Native));
            assert!(!c.is_asset_allowed(Asset::Psp22(token)));
            c.allow_asset(token).unwrap();
            assert!(c.is_asset_allowed(Asset::Psp22(token)));
            let e: AssetAllowed = last_event();
            assert_eq!(e.token, token);
            assert_refused!(c, c.allow_asset(token), Error::AssetAlreadyAllowed);
            c.disallow_asset(token).unwrap();
            let e: AssetDisallowed = last_event();
            assert_eq!(e.token, token);
            assert_refused!(c, c.disallow_asset(token), Error::AssetNotAllowed);
        }

        #[ink::test]
        fn admin_sets_royalty_cap() {
            let mut c = setup();
            c.set_max_royalty_bps(500).unwrap();
            assert_eq!(c.max_royalty_bps(), 500);
            let e: MaxRoyaltyChanged = last_event();
            assert_eq!(e.max_royalty_bps, 500);
            assert_refused!(
                c,
                c.set_max_royalty_bps(ROYALTY_HARD_CAP_BPS + 1),
                Error::RoyaltyCapTooHigh
            );
        }

        #[ink::test]
        fn admin_hands_over_role() {
            let mut c = setup();
            let a = accounts();
            assert_refused!(c, c.propose_admin(Some(a.alice)), Error::SameAccount);
            assert_refused!(c, c.accept_admin(), Error::NotPendingAdmin);
            c.propose_admin(Some(a.bob)).unwrap();
            let e: AdminProposed = last_event();
            assert_eq!((e.admin, e.proposed), (a.alice, Some(a.bob)));
            // Proposing hands nothing over; only bob can accept.
            assert_eq!(c.admin(), a.alice);
            set_caller(a.charlie);
            assert_refused!(c, c.accept_admin(), Error::NotPendingAdmin);
            set_caller(a.bob);
            c.accept_admin().unwrap();
            set_caller(a.alice);
            assert_eq!(c.pending_admin(), None);
            let e: AdminChanged = last_event();
            assert_eq!((e.previous, e.new), (a.alice, a.bob));
            assert_eq!(c.admin(), a.bob);
            assert_refused!(c, c.add_auditor(a.eve), Error::NotAdmin);
            set_caller(a.bob);
            c.add_auditor(a.eve).unwrap();
        }

        #[ink::test]
        fn non_admin_is_refused_everywhere() {
            let mut c = setup();
            let a = accounts();
            c.add_auditor(a.django).unwrap();
            c.allow_asset(a.frank).unwrap();
            set_caller(a.bob);
            assert_refused!(c, c.add_auditor(a.eve), Error::NotAdmin);
            assert_refused!(c, c.remove_auditor(a.django), Error::NotAdmin);
            assert_refused!(c, c.allow_asset(a.eve), Error::NotAdmin);
            assert_refused!(c, c.disallow_asset(a.frank), Error::NotAdmin);
            assert_refused!(c, c.set_max_royalty_bps(1), Error::NotAdmin);
            assert_refused!(c, c.propose_admin(Some(a.bob)), Error::NotAdmin);
            assert_refused!(c, c.propose_admin(None), Error::NotAdmin);
        }

        #[ink::test]
        fn admin_proposal_can_be_withdrawn() {
            let mut c = setup();
            let a = accounts();
            c.propose_admin(Some(a.bob)).unwrap();
            c.propose_admin(None).unwrap();
            let e: AdminProposed = last_event();
            assert_eq!(e.proposed, None);
            set_caller(a.bob);
            assert_refused!(c, c.accept_admin(), Error::NotPendingAdmin);
            assert_eq!(c.admin(), a.alice);
        }

        #[ink::test]
        fn constructor_emits_registry_created() {
            let c = setup();
            let e: RegistryCreated = last_event();
            assert_eq!((e.admin, e.max_royalty_bps), (accounts().alice, 2_000));
            assert_eq!(event_count(), 1);
            assert_eq!(c.pending_admin(), None);
        }

        // ------------------------------------------------------------ licenses

        use crate::calls::chain;
        use market_types::{SettleReason, TokenError, VaultError};

        fn set_value(v: Balance) {
            test::set_value_transferred::<E>(v);
        }

        fn registry_id() -> AccountId {
            AccountId::from([0xEE; 32])
        }
        fn vault_a() -> AccountId {
            AccountId::from([0xA1; 32])
        }
        fn vault_b() -> AccountId {
            AccountId::from([0xB2; 32])
        }
        /// The allow-listed PSP22 token of `shop()`.
        fn token() -> AccountId {
            accounts().frank
        }

        /// bob's model 1 with a native offer (0, price 100), a PSP22 offer (1, 5 units
        /// for 7 tokens) and a retired offer (2); the registry runs at `registry_id()`;
        /// the caller is charlie afterwards.
        fn shop() -> (ModelRegistry, ModelId) {
            let a = accounts();
            let mut c = setup();
            test::set_callee::<E>(registry_id());
            c.allow_asset(token()).unwrap();
            set_caller(a.bob);
            let id = register(&mut c, "shop-model", &["llm"]);
            c.add_offer(id, LicenseKind::Perpetual, 100, Asset::Native)
                .unwrap();
            c.add_offer(
                id,
                LicenseKind::Metered { units: 5 },
                7,
                Asset::Psp22(token()),
            )
            .unwrap();
            c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Native)
                .unwrap();
            c.retire_offer(id, 2).unwrap();
            set_caller(a.charlie);
            (c, id)
        }

        /// `shop()` wired to vault A.
        fn open_shop() -> (ModelRegistry, ModelId) {
            let (mut c, id) = shop();
            set_caller(accounts().alice);
            c.set_vault(vault_a()).unwrap();
            set_caller(accounts().charlie);
            (c, id)
        }

        /// The caller buys offer `offer` of model `id` at its current version, paying
        /// natively or (having been minted and approved enough) in tokens.
        fn buy(c: &mut ModelRegistry, id: ModelId, offer: OfferId) -> Result<LicenseId> {
            let o = c.offer(id, offer).expect("offer");
            let buyer = ink::env::caller::<E>();
            match o.asset {
                Asset::Native => set_value(o.price),
                Asset::Psp22(t) => {
                    set_value(0);
                    chain::mint(t, buyer, o.price);
                    let allowed = chain::allowance(t, buyer, registry_id());
                    chain::set_allowance(t, buyer, registry_id(), allowed + o.price);
                }
            }
            let r = c.purchase_license(id, offer, o.version);
            set_value(0);
            r
        }

        fn escrow_of(c: &ModelRegistry, license: LicenseId) -> (AccountId, EscrowId) {
            let l = c.license(license).expect("license");
            (l.vault, l.escrow_id)
        }

        #[ink::test]
        fn purchase_refusals_happen_before_the_vault_and_change_nothing() {
            let a = accounts();
            let (mut c, id) = shop();
            set_value(100);
            assert_refused!(c, c.purchase_license(id, 0, 1), Error::VaultNotSet);
            set_caller(a.alice);
            set_value(0);
            c.set_vault(vault_a()).unwrap();
            set_caller(a.charlie);
            set_value(100);
            assert_refused!(c, c.purchase_license(99, 0, 1), Error::ModelNotFound);
            assert_refused!(c, c.purchase_license(id, 9, 1), Error::OfferNotFound);
            assert_refused!(c, c.purchase_license(id, 0, 2), Error::OfferChanged);
            set_value(1);
            assert_refused!(c, c.purchase_license(id, 2, 1), Error::OfferRetired);
            set_value(99);
            assert_refused!(c, c.purchase_license(id, 0, 1), Error::WrongPayment);
            set_value(101);
            assert_refused!(c, c.purchase_license(id, 0, 1), Error::WrongPayment);
            set_value(7);
            assert_refused!(c, c.purchase_license(id, 1, 1), Error::WrongPayment);
            set_caller(a.bob);
            set_value(100);
            assert_refused!(c, c.purchase_license(id, 0, 1), Error::CannotBuyOwnModel);
            set_value(0);
            c.deprecate(id, None).unwrap();
            set_caller(a.charlie);
            set_value(100);
            assert_refused!(c, c.purchase_license(id, 0, 1), Error::ModelNotActive);
            set_value(0);
            assert_eq!(chain::with(|ch| ch.vault_calls), 0, "no vault was called");
        }

        #[ink::test]
        fn native_purchase_opens_an_order_for_the_buyer_and_release_grants_it() {
            let a = accounts();
            let (mut c, id) = open_shop();
            let license = buy(&mut c, id, 0).unwrap();
            let e: LicensePurchased = last_event();
            assert_eq!(
                (e.license_id, e.buyer, e.vault, e.escrow_id, e.offer_version),
                (license, a.charlie, vault_a(), 1, 1)
            );
            let opened = chain::with(|ch| ch.opened.clone());
            assert_eq!(opened.len(), 1);
            let o = &opened[0];
            assert_eq!(
                (
                    o.vault,
                    o.opener,
                    o.payer,
                    o.terms.payee,
                    o.terms.amount,
                    o.value
                ),
                (vault_a(), registry_id(), a.charlie, a.bob, 100, 100)
            );
            assert_eq!((o.terms.context, o.id), (license, e.escrow_id));
            assert!(!c.has_valid_license(a.charlie, id), "not while in escrow");
            assert_eq!(c.entitlement(a.charlie, id).pending, vec![license]);
            // Only the buyer releases, through the registry.
            set_caller(a.django);
            assert_refused!(c, c.release_license(license), Error::NotLicenseHolder);
            assert_refused!(c, c.release_license(99), Error::LicenseNotFound);
            set_caller(a.charlie);
            c.release_license(license).unwrap();
            let e: LicenseRecorded = last_event();
            assert_eq!(
                (e.license_id, e.buyer, e.granted),
                (license, a.charlie, true)
            );
            assert!(c.has_valid_license(a.charlie, id));
            let l = c.license(license).unwrap();
            assert_eq!((l.granted, l.released_at), (Some(true), Some(T0)));
            assert!(c.entitlement(a.charlie, id).perpetual);
            // A second release is the vault's refusal, and changes nothing here.
            assert_refused!(
                c,
                c.release_license(license),
                Error::Vault(VaultError::EscrowNotOpen)
            );
        }

        #[ink::test]
        fn psp22_purchase_moves_the_buyers_tokens_into_the_vault_through_the_registry() {
            let a = accounts();
            let (mut c, id) = open_shop();
            // No approval of the registry: the token's own reason comes back.
            chain::mint(token(), a.charlie, 7);
            assert_refused!(
                c,
                c.purchase_license(id, 1, 1),
                Error::Token(TokenError::InsufficientAllowance)
            );
            // Approved, but django holds no tokens.
            set_caller(a.django);
            chain::set_allowance(token(), a.django, registry_id(), 7);
            assert_refused!(
                c,
                c.purchase_license(id, 1, 1),
                Error::Token(TokenError::InsufficientBalance)
            );
            // An approval of the vault itself is not enough: the vault only ever pulls
            // from its caller, so nobody else's approval can be spent.
            set_caller(a.charlie);
            chain::set_allowance(token(), a.charlie, vault_a(), 7);
            assert_refused!(
                c,
                c.purchase_license(id, 1, 1),
                Error::Token(TokenError::InsufficientAllowance)
            );
            assert_eq!(chain::balance(token(), a.charlie), 7);
            // Approving the registry works: approve + purchase, nothing more.
            chain::set_allowance(token(), a.charlie, registry_id(), 7);
            let license = c.purchase_license(id, 1, 1).unwrap();
            assert_eq!(chain::balance(token(), a.charlie), 0);
            assert_eq!(chain::balance(token(), vault_a()), 7);
            assert_eq!(chain::balance(token(), registry_id()), 0);
            assert_eq!(chain::allowance(token(), registry_id(), vault_a()), 0);
            assert_eq!(
                chain::allowance(token(), a.charlie, vault_a()),
                7,
                "untouched"
            );
            let opened = chain::with(|ch| ch.opened.clone());
            assert_eq!((opened[0].payer, opened[0].value), (a.charlie, 0));
            assert_eq!(c.license(license).unwrap().asset, Asset::Psp22(token()));
        }

        #[ink::test]
        fn a_later_purchase_never_hides_a_valid_license() {
            let a = accounts();
            let (mut c, id) = open_shop();
            let perpetual = buy(&mut c, id, 0).unwrap();
            c.release_license(perpetual).unwrap();
            assert!(c.has_valid_license(a.charlie, id));
            // The attack path of today: a second purchase becomes the "latest" one.
            let second = buy(&mut c, id, 1).unwrap();
            assert_eq!(c.entitlement(a.charlie, id).pending, vec![second]);
            assert!(c.has_valid_license(a.charlie, id), "pending second");
            let (vault, escrow) = escrow_of(&c, second);
            chain::dispute(vault, escrow);
            assert!(c.has_valid_license(a.charlie, id), "disputed second");
            chain::settle(vault, escrow, SettleReason::RefundedAfterDeadline, 0);
            assert!(c.has_valid_license(a.charlie, id), "refunded second");
            set_caller(a.eve);
            assert_eq!(c.sync_licenses(a.charlie, id), Ok(0));
            let e: LicenseRecorded = last_event();
            assert_eq!((e.license_id, e.granted), (second, false));
            assert!(c.has_valid_license(a.charlie, id), "after recording");
            let page = c.licenses_for_model(a.charlie, id, 0, 0);
            let states: Vec<LicenseState> = page.items.iter().map(|v| v.state).collect();
            assert_eq!(states, vec![LicenseState::Active, LicenseState::NotGranted]);
        }

        #[ink::test]
        fn pending_purchases_are_bounded_and_validity_costs_the_same_after_many() {
            let a = accounts();
            let (mut c, id) = open_shop();
            for _ in 0..MAX_PENDING_LICENSES {
                buy(&mut c, id, 0).unwrap();
            }
            let before = fingerprint(&c);
            set_value(100);
            assert_eq!(
                c.purchase_license(id, 0, 1),
                Err(Error::TooManyPendingLicenses)
            );
            set_value(0);
            assert_eq!(fingerprint(&c), before);
            // Settle them all (refunds); each next purchase records the settled ones.
            for n in 0..40u64 {
                let pending = c.entitlement(a.charlie, id).pending;
                for l in pending {
                    let (v, e) = escrow_of(&c, l);
                    chain::settle(v, e, SettleReason::RefundedAfterDeadline, 0);
                }
                buy(&mut c, id, 0).unwrap();
                assert!(c.entitlement(a.charlie, id).pending.len() <= 1, "round {n}");
            }
            let last = c.license_count();
            c.release_license(last).unwrap();
            chain::with(|ch| ch.vault_calls = 0);
            assert!(c.has_valid_license(a.charlie, id));
            assert!(!c.has_valid_license(a.django, id));
            let calls = chain::with(|ch| ch.vault_calls);
            assert_eq!(calls, 0, "44 licenses bought, validity read from storage");
            // With the most pending licenses, one vault read each, no more.
            set_caller(a.django);
            for _ in 0..MAX_PENDING_LICENSES {
                buy(&mut c, id, 1).unwrap();
            }
            chain::with(|ch| ch.vault_calls = 0);
            assert!(!c.has_valid_license(a.django, id));
            assert_eq!(
                chain::with(|ch| ch.vault_calls),
                MAX_PENDING_LICENSES as u32
            );
        }

        #[ink::test]
        fn licenses_keep_the_vault_they_were_paid_into() {
            let a = accounts();
            let (mut c, id) = open_shop();
            let kept = buy(&mut c, id, 0).unwrap();
            c.release_license(kept).unwrap();
            set_caller(a.django);
            let refunded = buy(&mut c, id, 0).unwrap();
            let (va, escrow) = escrow_of(&c, refunded);
            assert_eq!((va, escrow), (vault_a(), 2));
            chain::settle(va, escrow, SettleReason::RefundedAfterDeadline, 0);
            // The admin migrates new purchases to vault B.
            set_caller(a.alice);
            c.set_vault(vault_b()).unwrap();
            // The attack path: vault B has its own order 2, and it gets released.
            set_caller(a.eve);
            let unrelated = buy(&mut c, id, 0).unwrap();
            set_caller(a.django);
            let (vb, _) = escrow_of(&c, unrelated);
            assert_eq!(vb, vault_b());
            set_caller(a.eve);
            let second_in_b = buy(&mut c, id, 1).unwrap();
            assert_eq!(escrow_of(&c, second_in_b), (vault_b(), 2));
            chain::settle(vault_b(), 2, SettleReason::Released, 10_000);
            // Django's refunded license reads vault A, where order 2 was refunded.
            assert!(!c.has_valid_license(a.django, id));
            // Charlie's released license still reads valid after the migration.
            assert!(c.has_valid_license(a.charlie, id));
            // Eve's order 2 in B is the one that was released.
            assert!(c.has_valid_license(a.eve, id));
            let view = c.licenses_of(a.django, 0, 0);
            assert_eq!(view.items.len(), 1);
            assert_eq!(view.items[0].license.vault, vault_a());
            assert_eq!(view.items[0].state, LicenseState::NotGranted);
        }

        #[ink::test]
        fn the_buyer_pays_what_they_saw() {
            let a = accounts();
            let (mut c, id) = open_shop();
            // Charlie quotes the token offer (version 1, 7 tokens) and leaves a standing
            // approval of 1 000 for the registry.
            let quoted = c.offer(id, 1).unwrap();
            assert_eq!((quoted.price, quoted.version), (7, 1));
            chain::mint(token(), a.charlie, 1_000);
            chain::set_allowance(token(), a.charlie, registry_id(), 1_000);
            // The owner reprices it before the purchase lands.
            set_caller(a.bob);
            c.update_offer(id, 1, quoted.kind, 700, quoted.asset)
                .unwrap();
            // And turns the perpetual offer into a 1 ms license.
            c.update_offer(
                id,
                0,
                LicenseKind::TimeBound { duration_ms: 1 },
                100,
                Asset::Native,
            )
            .unwrap();
            assert_eq!(c.offer(id, 1).unwrap().version, 2);
            set_caller(a.charlie);
            assert_refused!(c, c.purchase_license(id, 1, 1), Error::OfferChanged);
            set_value(100);
            assert_refused!(c, c.purchase_license(id, 0, 1), Error::OfferChanged);
            set_value(0);
            assert_eq!(chain::balance(token(), a.charlie), 1_000, "nothing charged");
            assert!(chain::with(|ch| ch.opened.is_empty()));
            // Agreeing to the new version is charged the new price.
            c.purchase_license(id, 1, 2).unwrap();
            assert_eq!(chain::balance(token(), a.charlie), 300);
        }

        #[ink::test]
        fn one_rating_per_account_and_model_however_many_licenses() {
            let a = accounts();
            let (mut c, id) = open_shop();
            let first = buy(&mut c, id, 0).unwrap();
            let second = buy(&mut c, id, 1).unwrap();
            assert_refused!(c, c.rate_model(id, 5), Error::LicenseNotReleased);
            assert_refused!(c, c.rate_model(id, 0), Error::InvalidRating);
            assert_refused!(c, c.rate_model(id, 6), Error::InvalidRating);
            assert_refused!(c, c.rate_model(99, 5), Error::ModelNotFound);
            c.release_license(first).unwrap();
            c.release_license(second).unwrap();
            c.rate_model(id, 4).unwrap();
            let e: ModelRated = last_event();
            assert_eq!((e.model_id, e.rater, e.stars), (id, a.charlie, 4));
            // The attack path: a second license, a second vote.
            assert_eq!(c.entitlement(a.charlie, id).granted, 2);
            assert_refused!(c, c.rate_model(id, 5), Error::AlreadyRated);
            assert_eq!(c.rating(id), (4, 1));
            assert_eq!(c.average_rating_x100(id), Some(400));
        }

        #[ink::test]
        fn rating_counts_an_auto_released_license_not_yet_recorded() {
            let a = accounts();
            let (mut c, id) = open_shop();
            let l = buy(&mut c, id, 0).unwrap();
            let (v, e) = escrow_of(&c, l);
            chain::settle(v, e, SettleReason::AutoReleased, 10_000);
            c.rate_model(id, 5).unwrap();
            assert_eq!(c.license(l).unwrap().granted, Some(true));
            assert!(c.entitlement(a.charlie, id).pending.is_empty());
        }

        #[ink::test]
        fn metered_units_are_pooled_and_counted_by_the_owner_only() {
            let a = accounts();
            let (mut c, id) = open_shop();
            let l1 = buy(&mut c, id, 1).unwrap();
            let l2 = buy(&mut c, id, 1).unwrap();
            set_caller(a.bob);
            assert_refused!(c, c.consume_units(a.charlie, id, 1), Error::NotMetered);
            set_caller(a.charlie);
            c.release_license(l1).unwrap();
            let (v, e) = escrow_of(&c, l2);
            chain::settle(v, e, SettleReason::AutoReleased, 10_000);
            assert_refused!(c, c.consume_units(a.charlie, id, 1), Error::NotModelOwner);
            set_caller(a.bob);
            assert_refused!(c, c.consume_units(a.charlie, 99, 1), Error::ModelNotFound);
            assert_refused!(c, c.consume_units(a.charlie, id, 0), Error::ZeroUnits);
            assert_eq!(c.consume_units(a.charlie, id, 8), Ok(2));
            let e: UnitsConsumed = last_event();
            assert_eq!((e.account, e.units, e.remaining), (a.charlie, 8, 2));
            assert_refused!(c, c.consume_units(a.charlie, id, 3), Error::UnitsExhausted);
            assert_refused!(
                c,
                c.consume_units(a.charlie, id, u64::MAX),
                Error::UnitsExhausted
            );
            assert!(c.has_valid_license(a.charlie, id));
            assert_eq!(c.consume_units(a.charlie, id, 2), Ok(0));
            assert!(!c.has_valid_license(a.charlie, id));
            let states: Vec<LicenseState> = c
                .licenses_of(a.charlie, 0, 0)
                .items
                .iter()
                .map(|v| v.state)
                .collect();
            assert_eq!(states, vec![LicenseState::Expired, LicenseState::Expired]);
        }

        #[ink::test]
        fn a_seller_cannot_jam_an_entitlement_with_huge_metered_licenses() {
            let a = accounts();
            let (mut c, id) = open_shop();
            set_caller(a.bob);
            c.add_offer(
                id,
                LicenseKind::Metered { units: u64::MAX },
                3,
                Asset::Native,
            )
            .unwrap();
            set_caller(a.charlie);
            // The attack: two u64::MAX-unit licenses, both auto-released.
            for _ in 0..2 {
                let l = buy(&mut c, id, 3).unwrap();
                let (v, e) = escrow_of(&c, l);
                chain::settle(v, e, SettleReason::AutoReleased, 10_000);
            }
            assert_eq!(c.sync_licenses(a.charlie, id), Ok(0));
            assert_eq!(c.entitlement(a.charlie, id).units_bought, u64::MAX);
            // Nothing is jammed: the buyer buys, rates and is counted as before.
            buy(&mut c, id, 0).unwrap();
            c.rate_model(id, 5).unwrap();
            set_caller(a.bob);
            assert_eq!(c.consume_units(a.charlie, id, 1), Ok(u64::MAX - 1));
        }

        #[ink::test]
        fn a_dead_vault_cannot_hold_a_pending_slot_for_ever() {
            let a = accounts();
            let (mut c, id) = open_shop();
            let l = buy(&mut c, id, 0).unwrap();
            // While the vault answers, the license settles there.
            assert_refused!(c, c.drop_license(l), Error::VaultStillAnswers);
            set_caller(a.django);
            assert_refused!(c, c.drop_license(l), Error::NotLicenseHolder);
            assert_refused!(c, c.drop_license(99), Error::LicenseNotFound);
            // The vault forgets the order (removed, or replaced by other code).
            let (v, e) = escrow_of(&c, l);
            chain::with(|ch| ch.statuses.remove(&(v, e)));
            assert!(!c.has_valid_license(a.charlie, id));
            set_caller(a.charlie);
            c.drop_license(l).unwrap();
            let ev: LicenseRecorded = last_event();
            assert_eq!((ev.license_id, ev.granted), (l, false));
            assert!(c.entitlement(a.charlie, id).pending.is_empty());
            assert_eq!(c.license(l).unwrap().granted, Some(false));
            assert_refused!(c, c.drop_license(l), Error::LicenseNotPending);
        }

        #[ink::test]
        fn license_pages_cover_every_license_once() {
            let a = accounts();
            let (mut c, id) = open_shop();
            set_caller(a.bob);
            let other = register(&mut c, "other", &[]);
            c.add_offer(other, LicenseKind::Perpetual, 5, Asset::Native)
                .unwrap();
            set_caller(a.charlie);
            let mut bought = Vec::new();
            for i in 0..23u64 {
                let model = if i % 3 == 0 { other } else { id };
                let l = buy(&mut c, model, 0).unwrap();
                c.release_license(l).unwrap();
                bought.push((model, l));
            }
            let mut seen = Vec::new();
            let mut cursor = Some(0);
            while let Some(at) = cursor {
                let page = c.licenses_of(a.charlie, at, 0);
                assert!(page.items.len() as u32 <= MAX_PAGE);
                seen.extend(page.items.iter().map(|v| v.license_id));
                cursor = page.next;
            }
            assert_eq!(seen, bought.iter().map(|(_, l)| *l).collect::<Vec<_>>());
            assert_eq!(c.account_license_count(a.charlie), 23);
            let for_other: Vec<LicenseId> = c
                .licenses_for_model(a.charlie, other, 0, 0)
                .items
                .iter()
                .map(|v| v.license_id)
                .collect();
            let expected: Vec<LicenseId> = bought
                .iter()
                .filter(|(m, _)| *m == other)
                .map(|(_, l)| *l)
                .collect();
            assert_eq!(for_other, expected);
            let page = c.licenses_for_model(a.charlie, id, 0, 0);
            assert_eq!(page.items.len(), MAX_PAGE as usize);
            assert_eq!(page.next, Some(u64::from(MAX_PAGE)));
            assert!(page.items.iter().all(|v| v.state == LicenseState::Active
                && v.escrow
                    .is_some_and(|s| s.state == market_types::EscrowState::Settled)));
            assert!(c
                .licenses_of(a.charlie, u64::MAX, u32::MAX)
                .items
                .is_empty());
            assert!(c.licenses_of(a.django, 0, 0).items.is_empty());
        }

        // ------------------------------------------------------------ pages

        #[ink::test]
        fn models_pages_cover_every_id_once() {
            let mut c = setup();
            for i in 0..25 {
                register(&mut c, &format!("m{i}"), &["llm"]);
            }
            let mut all = Vec::new();
            let mut cursor = Some(0);
            let mut pages = 0;
            while let Some(at) = cursor {
                let page = c.models(at, 0);
                assert!(page.items.len() as u32 <= MAX_PAGE);
                all.extend(ids(&page));
                cursor = page.next;
                pages += 1;
            }
            assert_eq!(pages, 3);
            assert_eq!(all, (1..=25).collect::<Vec<_>>());
            // Limits above the cap are clamped; small limits honoured.
            assert_eq!(c.models(1, 1_000).items.len(), MAX_PAGE as usize);
            assert_eq!(ids(&c.models(24, 5)), vec![24, 25]);
            assert_eq!(c.models(24, 5).next, None);
            assert_eq!(c.models(3, 2).next, Some(5));
            assert!(c.models(26, 5).items.is_empty());
            assert!(c.models(u64::MAX, u32::MAX).items.is_empty());
            // The same for the tag and owner indexes.
            let by_tag = c.models_by_tag(String::from("llm"), 20, 0);
            assert_eq!(ids(&by_tag), (21..=25).collect::<Vec<_>>());
            assert_eq!(by_tag.next, None);
            assert_eq!(c.models_by_owner(accounts().alice, 0, 0).next, Some(10));
            assert_eq!(c.owner_model_count(accounts().alice), 25);
            assert!(c
                .models_by_owner(accounts().alice, u64::MAX, 1)
                .items
                .is_empty());
            assert!(c
                .models_by_tag(String::from("NOT VALID"), 0, 0)
                .items
                .is_empty());
            assert_eq!(c.tag_model_count(String::from("NOT VALID")), 0);
        }

        #[ink::test]
        fn largest_pages_stay_far_below_16_kib() {
            let mut c = setup();
            // Mappings live under the callee's account, so it is set before any write.
            test::set_callee::<E>(AccountId::from([0xEE; 32]));
            c.allow_asset(accounts().frank).unwrap();
            let big_tags: Vec<String> = (0..MAX_TAGS)
                .map(|i| format!("{}{}", "t".repeat(MAX_TAG_LEN - 1), i))
                .collect();
            c.add_auditor(accounts().alice).unwrap();
            for _ in 0..MAX_PAGE {
                let id = c
                    .register_model(
                        text(MAX_NAME_LEN),
                        text(MAX_URI_LEN),
                        hash(1),
                        v(u32::MAX, u32::MAX, u32::MAX),
                        None,
                        0,
                        big_tags.clone(),
                    )
                    .unwrap();
                c.deprecate(id, Some(1)).ok();
            }
            for _ in 0..MAX_PAGE {
                c.add_offer(
                    1,
                    LicenseKind::TimeBound {
                        duration_ms: u64::MAX,
                    },
                    u128::MAX,
                    Asset::Psp22(accounts().frank),
                )
                .unwrap();
            }
            // Every auditor slot of model 1 taken, so the attestation page is full.
            for i in 0..MAX_PAGE {
                let auditor = AccountId::from([0x40 + i as u8; 32]);
                set_caller(accounts().alice);
                c.add_auditor(auditor).unwrap();
                set_caller(auditor);
                c.attest(1, hash(3), u64::MAX).unwrap();
            }
            // A full page of licenses with the widest fields: TimeBound, u128::MAX.
            set_caller(accounts().alice);
            c.set_vault(AccountId::from([0xA1; 32])).unwrap();
            set_caller(accounts().bob);
            let buyer = accounts().bob;
            crate::calls::chain::mint(accounts().frank, buyer, u128::MAX);
            for i in 0..MAX_PAGE {
                crate::calls::chain::with(|ch| {
                    ch.allowances.insert(
                        (accounts().frank, buyer, AccountId::from([0xEE; 32])),
                        u128::MAX,
                    );
                    ch.balances.insert((accounts().frank, buyer), u128::MAX);
                    ch.balances
                        .insert((accounts().frank, AccountId::from([0xA1; 32])), 0);
                });
                let l = c.purchase_license(1, i, 1).unwrap();
                c.release_license(l).unwrap();
            }
            let models = c.models(1, MAX_PAGE).encoded_size();
            let attestations = c.attestations(1, 0, MAX_PAGE).encoded_size();
            let licenses = c.licenses_of(buyer, 0, MAX_PAGE).encoded_size();
            let for_model = c.licenses_for_model(buyer, 1, 0, MAX_PAGE).encoded_size();
            let owned = c
                .models_by_owner(accounts().alice, 0, MAX_PAGE)
                .encoded_size();
            assert_eq!(
                c.attestations(1, 0, MAX_PAGE).items.len(),
                MAX_PAGE as usize
            );
            assert_eq!(
                c.licenses_of(buyer, 0, MAX_PAGE).items.len(),
                MAX_PAGE as usize
            );
            for size in [attestations, licenses, for_model, owned] {
                assert!(size < 8 * 1024, "page of {size} bytes");
            }
            let by_tag = c
                .models_by_tag(big_tags[0].clone(), 0, MAX_PAGE)
                .encoded_size();
            let offers = c.offers(1, 0, MAX_PAGE).encoded_size();
            assert_eq!(c.models(1, MAX_PAGE).items.len(), MAX_PAGE as usize);
            assert_eq!(c.offers(1, 0, MAX_PAGE).items.len(), MAX_PAGE as usize);
            for size in [models, by_tag, offers] {
                assert!(size < 8 * 1024, "page of {size} bytes");
            }
        }
    }
}
