//! # model_registry
//!
//! The catalogue of the AI-model marketplace: who offers which model, what it descends
//! from, on what terms it is licensed, and which auditors vouch for it.
//!
//! ## Roles
//! - **Model owner**: registers a model (name, metadata URI, weights content hash, semver
//!   version, optional parent with a royalty), publishes new versions, tags it, adds,
//!   updates and retires license offers, deprecates it in favour of a successor, delists
//!   it, and may hand it to a new owner.
//! - **Auditor**: an allow-listed account that attests a model (a report hash with an
//!   expiry) and may revoke its own attestation.
//! - **Admin**: manages the auditor list, the PSP22 assets offers may be priced in, and
//!   the royalty cap. The deployer is the first admin; the dispute DAO takes the role over
//!   with `set_admin`.
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
//!   and by tag, and every loop is bounded by `MAX_TAGS` or `MAX_PAGE`.
//! - Every paginated getter returns at most `MAX_PAGE` items; the largest possible page
//!   encodes to well under 16 KiB (a unit test measures it).
//!
//! ## Errors
//! One [`Error`] enum; each variant names the state that refused the call.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::model_registry::{
    license_valid, LicensePurchased, ModelRated, PurchasePeriodsChanged, UnitsConsumed,
    VaultChanged,
};
/// The events, for dApps and tests that decode them.
pub use self::model_registry::{
    AdminChanged, AssetAllowed, AssetDisallowed, AttestationRevoked, AuditorAdded, AuditorRemoved,
    MaxRoyaltyChanged, ModelAttested, ModelDelisted, ModelDeprecated, ModelMetadataUpdated,
    ModelOwnershipTransferred, ModelRegistered, ModelTagsUpdated, ModelVersionPublished,
    OfferAdded, OfferRetired, OfferUpdated,
};
pub use self::model_registry::{
    Attestation, License, Model, ModelRegistry, ModelRegistryRef, Offer, OfferStatus, Version,
    MAX_NAME_LEN, MAX_OFFERS_PER_MODEL, MAX_PAGE, MAX_TAGS, MAX_TAG_LEN, MAX_URI_LEN,
    ROYALTY_HARD_CAP_BPS,
};

pub use self::status::{Error, ModelStatus};

/// Enums with data-carrying variants live outside the contract module only to scope one
/// lint: their derived SCALE encoding casts the variant index to `u8`, and cargo-contract
/// runs clippy with `-D clippy::cast_possible_truncation`.
mod status {
    #![allow(clippy::cast_possible_truncation)]
    use crate::model_registry::MAX_TAG_LEN;
    use ink::primitives::AccountId;
    use primitives::{ModelId, VaultError};

    /// Why the registry refused a call. Nothing changed when one is returned.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
        /// A counter would overflow.
        Overflow,
        /// No escrow vault is configured yet (`set_vault`).
        VaultNotSet,
        /// The vault refused the call; its reason is inside.
        Vault(VaultError),
        /// The call to the vault failed (trapped or could not be decoded).
        VaultCallFailed,
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
        /// This license already rated its model.
        AlreadyRated,
        /// The license's order has not been released to the seller in full.
        LicenseNotReleased,
        /// The license is not valid now (not released, expired, or used up).
        LicenseNotValid,
        /// Only metered licenses count units.
        NotMetered,
        /// More units than the license has left.
        UnitsExhausted,
        /// A period or an amount of units must be above zero.
        InvalidPeriod,
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
    use crate::status::{Error, IndexKey};
    use crate::ModelStatus;
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::Mapping;
    use primitives::{page_len, Asset, Bps, LicenseKind, ModelId, OfferId, Page};
    use primitives::{
        EscrowId, EscrowState, EscrowStatus, EscrowVault, LicenseId, OrderTerms, Royalty,
        BPS_DENOMINATOR,
    };

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

    /// A license bought through the escrow vault. It is valid once its order has been
    /// released to the seller in full; see [`license_valid`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    pub struct License {
        pub buyer: AccountId,
        pub model_id: ModelId,
        pub offer_id: OfferId,
        pub kind: LicenseKind,
        pub price: Balance,
        pub asset: Asset,
        /// The vault order holding the payment.
        pub escrow_id: EscrowId,
        pub purchased_at: Timestamp,
        /// Units a Metered license has used (counted by the model owner's gateway).
        pub units_used: u64,
        /// Whether the buyer has rated the model with this license.
        pub rated: bool,
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

    /// A model changed hands.
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

    /// A license offer's terms changed.
    #[ink(event)]
    pub struct OfferUpdated {
        #[ink(topic)]
        pub model_id: ModelId,
        pub offer_id: OfferId,
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

    /// The admin role moved.
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
        pub escrow_id: EscrowId,
        pub price: Balance,
        pub asset: Asset,
    }

    /// The model owner counted units used by a metered license.
    #[ink(event)]
    pub struct UnitsConsumed {
        #[ink(topic)]
        pub license_id: LicenseId,
        pub units: u64,
        pub remaining: u64,
    }

    /// A buyer rated a model.
    #[ink(event)]
    pub struct ModelRated {
        #[ink(topic)]
        pub model_id: ModelId,
        #[ink(topic)]
        pub rater: AccountId,
        pub license_id: LicenseId,
        pub stars: u8,
    }

    // ---------------------------------------------------------------- errors

    /// The registry's result type.
    pub type Result<T> = core::result::Result<T, Error>;

    // ---------------------------------------------------------------- storage

    /// Registry storage. The root holds only a few fixed-size fields; everything that
    /// grows lives in `Mapping`s, one entry per id.
    #[ink(storage)]
    pub struct ModelRegistry {
        admin: AccountId,
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
        /// The latest license an account bought for a model.
        latest_license: Mapping<(AccountId, ModelId), LicenseId>,
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
            Ok(Self {
                admin: Self::env().caller(),
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
                latest_license: Mapping::default(),
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

        /// Hands a model (and its future sales and royalties) to `new_owner`.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `SameAccount`, `Overflow`. Emits: `ModelOwnershipTransferred`.
        #[ink(message)]
        pub fn transfer_model(&mut self, model_id: ModelId, new_owner: AccountId) -> Result<()> {
            let mut model = self.owned_model(model_id)?;
            let from = model.owner;
            if new_owner == from {
                return Err(Error::SameAccount);
            }
            self.check_index_room(IndexKey::Owner(new_owner))?;
            self.index_remove(IndexKey::Owner(from), model_id);
            self.index_push(IndexKey::Owner(new_owner), model_id);
            model.owner = new_owner;
            self.touch_and_store(model_id, &mut model);
            self.env().emit_event(ModelOwnershipTransferred {
                model_id,
                from,
                to: new_owner,
            });
            Ok(())
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

        /// Changes the terms, price or asset of an active offer. Purchases already made
        /// keep the terms they were bought under.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`, `OfferNotFound`, `OfferRetired`, `InvalidLicenseTerms`,
        /// `ZeroPrice`, `AssetNotAllowed`. Emits: `OfferUpdated`.
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
            offer.kind = kind;
            offer.price = price;
            offer.asset = asset;
            self.offers.insert((model_id, offer_id), &offer);
            self.env().emit_event(OfferUpdated {
                model_id,
                offer_id,
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

        /// Buys a license to `model_id` under offer `offer_id`. The price goes into an
        /// escrow order in the vault (payee: the model owner; royalty: the parent model's
        /// owner at `royalty_bps`, if any); the license becomes valid when that order is
        /// released to the seller (see [`license_valid`]).
        ///
        /// Native offers: send exactly the price. PSP22 offers: send nothing, and approve
        /// the **vault** (not the registry) for the price beforehand; the vault pulls it.
        ///
        /// Errors: `ModelNotFound`, `ModelNotActive`, `OfferNotFound`, `OfferRetired`,
        /// `CannotBuyOwnModel`, `VaultNotSet`, `WrongPayment`, `ParentNotFound`,
        /// `Overflow`, `Vault(..)` (the vault's own refusal), `VaultCallFailed`.
        /// Emits `LicensePurchased`.
        #[ink(message, payable)]
        pub fn purchase_license(
            &mut self,
            model_id: ModelId,
            offer_id: OfferId,
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
            // The vault call is the last step before this message writes anything.
            let mut v: ink::contract_ref!(EscrowVault) = vault.into();
            let escrow_id = match v
                .call_mut()
                .open_order(buyer, terms)
                .transferred_value(value)
                .try_invoke()
            {
                Ok(Ok(Ok(id))) => id,
                Ok(Ok(Err(e))) => return Err(Error::Vault(e)),
                _ => return Err(Error::VaultCallFailed),
            };
            let license = License {
                buyer,
                model_id,
                offer_id,
                kind: offer.kind,
                price: offer.price,
                asset: offer.asset,
                escrow_id,
                purchased_at: now,
                units_used: 0,
                rated: false,
            };
            self.licenses.insert(license_id, &license);
            self.latest_license.insert((buyer, model_id), &license_id);
            self.license_count = license_id;
            self.env().emit_event(LicensePurchased {
                license_id,
                model_id,
                buyer,
                offer_id,
                escrow_id,
                price: offer.price,
                asset: offer.asset,
            });
            Ok(license_id)
        }

        /// Whether `account`'s latest license for `model_id` is valid now: its order was
        /// released to the seller in full, and it has not expired (TimeBound) or been
        /// used up (Metered). Reads the order's state from the vault; `false` if that
        /// read fails.
        #[ink(message)]
        pub fn has_valid_license(&self, account: AccountId, model_id: ModelId) -> bool {
            let Some(license) = self
                .latest_license
                .get((account, model_id))
                .and_then(|id| self.licenses.get(id))
            else {
                return false;
            };
            license_valid(
                &license,
                self.escrow_status(license.escrow_id),
                self.env().block_timestamp(),
            )
        }

        /// Counts `units` used by a metered license and returns how many are left. Only
        /// the model's current owner (who runs the inference gateway) may count.
        ///
        /// Errors: `LicenseNotFound`, `ModelNotFound`, `NotModelOwner`, `InvalidPeriod`
        /// (zero units), `NotMetered`, `LicenseNotValid`, `UnitsExhausted`.
        /// Emits `UnitsConsumed`.
        #[ink(message)]
        pub fn consume_units(&mut self, license_id: LicenseId, units: u64) -> Result<u64> {
            let mut license = self
                .licenses
                .get(license_id)
                .ok_or(Error::LicenseNotFound)?;
            let model = self
                .models
                .get(license.model_id)
                .ok_or(Error::ModelNotFound)?;
            if self.env().caller() != model.owner {
                return Err(Error::NotModelOwner);
            }
            if units == 0 {
                return Err(Error::InvalidPeriod);
            }
            let LicenseKind::Metered { units: total } = license.kind else {
                return Err(Error::NotMetered);
            };
            if !license_valid(
                &license,
                self.escrow_status(license.escrow_id),
                self.env().block_timestamp(),
            ) {
                return Err(Error::LicenseNotValid);
            }
            let used = license
                .units_used
                .checked_add(units)
                .ok_or(Error::UnitsExhausted)?;
            let remaining = total.checked_sub(used).ok_or(Error::UnitsExhausted)?;
            license.units_used = used;
            self.licenses.insert(license_id, &license);
            self.env().emit_event(UnitsConsumed {
                license_id,
                units,
                remaining,
            });
            Ok(remaining)
        }

        /// Rates the license's model with 1 to 5 stars, once per license. Only the buyer,
        /// and only once the order was released to the seller in full.
        ///
        /// Errors: `LicenseNotFound`, `NotLicenseHolder`, `InvalidRating`,
        /// `AlreadyRated`, `LicenseNotReleased`, `Overflow`. Emits `ModelRated`.
        #[ink(message)]
        pub fn rate_model(&mut self, license_id: LicenseId, stars: u8) -> Result<()> {
            let mut license = self
                .licenses
                .get(license_id)
                .ok_or(Error::LicenseNotFound)?;
            let rater = self.env().caller();
            if rater != license.buyer {
                return Err(Error::NotLicenseHolder);
            }
            if !(1..=5).contains(&stars) {
                return Err(Error::InvalidRating);
            }
            if license.rated {
                return Err(Error::AlreadyRated);
            }
            if !released_in_full(self.escrow_status(license.escrow_id)) {
                return Err(Error::LicenseNotReleased);
            }
            let mut totals = self.ratings.get(license.model_id).unwrap_or_default();
            totals.sum = totals
                .sum
                .checked_add(u64::from(stars))
                .ok_or(Error::Overflow)?;
            totals.count = totals.count.checked_add(1).ok_or(Error::Overflow)?;
            license.rated = true;
            self.ratings.insert(license.model_id, &totals);
            self.licenses.insert(license_id, &license);
            self.env().emit_event(ModelRated {
                model_id: license.model_id,
                rater,
                license_id,
                stars,
            });
            Ok(())
        }

        #[ink(message)]
        pub fn license(&self, license_id: LicenseId) -> Option<License> {
            self.licenses.get(license_id)
        }

        /// The latest license `account` bought for `model_id`.
        #[ink(message)]
        pub fn license_of(&self, account: AccountId, model_id: ModelId) -> Option<LicenseId> {
            self.latest_license.get((account, model_id))
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

        /// The vault purchases are paid into, if set.
        #[ink(message)]
        pub fn vault(&self) -> Option<AccountId> {
            self.vault
        }

        /// `(delivery_period_ms, review_window_ms)` of new purchases.
        #[ink(message)]
        pub fn purchase_periods(&self) -> (u64, u64) {
            (self.delivery_period_ms, self.review_window_ms)
        }

        /// Points the registry at the escrow vault (admin only). The vault must also list
        /// the registry as a controller.
        ///
        /// Errors: `NotAdmin`. Emits `VaultChanged`.
        #[ink(message)]
        pub fn set_vault(&mut self, vault: AccountId) -> Result<()> {
            self.only_admin()?;
            self.vault = Some(vault);
            self.env().emit_event(VaultChanged { vault });
            Ok(())
        }

        /// Sets the delivery period and review window of new purchases (admin only).
        ///
        /// Errors: `NotAdmin`, `InvalidPeriod` (zero). Emits `PurchasePeriodsChanged`.
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
            self.delivery_period_ms = delivery_period_ms;
            self.review_window_ms = review_window_ms;
            self.env().emit_event(PurchasePeriodsChanged {
                delivery_period_ms,
                review_window_ms,
            });
            Ok(())
        }

        /// The vault's view of an order; `None` if there is no vault or the read fails.
        fn escrow_status(&self, escrow_id: EscrowId) -> Option<EscrowStatus> {
            let vault = self.vault?;
            let v: ink::contract_ref!(EscrowVault) = vault.into();
            match v.call().escrow_status(escrow_id).try_invoke() {
                Ok(Ok(status)) => status,
                _ => None,
            }
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

        /// Hands the admin role to `new_admin` (the dispute DAO, once deployed).
        ///
        /// Who: the admin. Errors: `NotAdmin`, `SameAccount`. Emits: `AdminChanged`.
        #[ink(message)]
        pub fn set_admin(&mut self, new_admin: AccountId) -> Result<()> {
            self.only_admin()?;
            let previous = self.admin;
            if new_admin == previous {
                return Err(Error::SameAccount);
            }
            self.admin = new_admin;
            self.env().emit_event(AdminChanged {
                previous,
                new: new_admin,
            });
            Ok(())
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

    // ---------------------------------------------------------------- licenses

    /// Whether the seller was paid the whole order: settled with a 100 % payee share (a
    /// release, an auto-release after review, or a ruling entirely for the seller).
    fn released_in_full(status: Option<EscrowStatus>) -> bool {
        matches!(
            status,
            Some(EscrowStatus {
                state: EscrowState::Settled,
                settlement: Some(s),
            }) if s.payee_share_bps == BPS_DENOMINATOR
        )
    }

    /// A license is valid when its order was released to the seller in full and, for a
    /// TimeBound license, less than `duration_ms` has passed since that release; for a
    /// Metered one, while units are left.
    pub fn license_valid(license: &License, status: Option<EscrowStatus>, now: Timestamp) -> bool {
        if !released_in_full(status) {
            return false;
        }
        let released_at = status.and_then(|s| s.settlement).map(|s| s.at).unwrap_or(0);
        match license.kind {
            LicenseKind::Perpetual => true,
            LicenseKind::TimeBound { duration_ms } => now < released_at.saturating_add(duration_ms),
            LicenseKind::Metered { units } => license.units_used < units,
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

        /// A registry with a 20 % royalty cap, deployed by alice at T0.
        fn setup() -> ModelRegistry {
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
            for id in 1..=c.license_count().saturating_add(2) {
                c.license(id).encode_to(&mut out);
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
            set_caller(accounts().bob);
            assert_refused!(c, c.transfer_model(a, accounts().bob), Error::NotModelOwner);
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
            assert_eq!((e.model_id, e.offer_id, e.price), (id, o, 7));
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
            assert_refused!(c, c.set_admin(a.alice), Error::SameAccount);
            c.set_admin(a.bob).unwrap();
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
            assert_refused!(c, c.set_admin(a.bob), Error::NotAdmin);
        }

        // ------------------------------------------------------------ licenses

        fn set_value(v: Balance) {
            test::set_value_transferred::<E>(v);
        }

        /// bob's model 1 with a native offer (0, price 100), a PSP22 offer (1, price 7)
        /// and a retired offer (2); the caller is charlie afterwards.
        fn shop() -> (ModelRegistry, ModelId) {
            let a = accounts();
            let mut c = setup();
            c.allow_asset(a.frank).unwrap();
            set_caller(a.bob);
            let id = register(&mut c, "shop-model", &["llm"]);
            c.add_offer(id, LicenseKind::Perpetual, 100, Asset::Native)
                .unwrap();
            c.add_offer(
                id,
                LicenseKind::Metered { units: 5 },
                7,
                Asset::Psp22(a.frank),
            )
            .unwrap();
            c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Native)
                .unwrap();
            c.retire_offer(id, 2).unwrap();
            set_caller(a.charlie);
            (c, id)
        }

        #[ink::test]
        fn purchase_refusals_happen_before_the_vault_and_change_nothing() {
            let a = accounts();
            let (mut c, id) = shop();
            set_value(100);
            assert_refused!(c, c.purchase_license(id, 0), Error::VaultNotSet);
            set_caller(a.alice);
            set_value(0);
            c.set_vault(a.django).unwrap();
            set_caller(a.charlie);
            set_value(100);
            assert_refused!(c, c.purchase_license(99, 0), Error::ModelNotFound);
            assert_refused!(c, c.purchase_license(id, 9), Error::OfferNotFound);
            set_value(1);
            assert_refused!(c, c.purchase_license(id, 2), Error::OfferRetired);
            set_value(99);
            assert_refused!(c, c.purchase_license(id, 0), Error::WrongPayment);
            set_value(101);
            assert_refused!(c, c.purchase_license(id, 0), Error::WrongPayment);
            set_value(7);
            assert_refused!(c, c.purchase_license(id, 1), Error::WrongPayment);
            set_caller(a.bob);
            set_value(100);
            assert_refused!(c, c.purchase_license(id, 0), Error::CannotBuyOwnModel);
            set_value(0);
            c.deprecate(id, None).unwrap();
            set_caller(a.charlie);
            set_value(100);
            assert_refused!(c, c.purchase_license(id, 0), Error::ModelNotActive);
            set_value(0);
        }

        #[ink::test]
        fn admin_sets_vault_and_purchase_periods() {
            let a = accounts();
            let mut c = setup();
            assert_eq!(
                c.purchase_periods(),
                (DEFAULT_DELIVERY_PERIOD_MS, DEFAULT_REVIEW_WINDOW_MS)
            );
            set_caller(a.bob);
            assert_refused!(c, c.set_vault(a.bob), Error::NotAdmin);
            assert_refused!(c, c.set_purchase_periods(1, 1), Error::NotAdmin);
            set_caller(a.alice);
            assert_refused!(c, c.set_purchase_periods(0, 1), Error::InvalidPeriod);
            assert_refused!(c, c.set_purchase_periods(1, 0), Error::InvalidPeriod);
            c.set_vault(a.django).unwrap();
            let e: VaultChanged = last_event();
            assert_eq!(e.vault, a.django);
            c.set_purchase_periods(4_000, 5_000).unwrap();
            let e: PurchasePeriodsChanged = last_event();
            assert_eq!((e.delivery_period_ms, e.review_window_ms), (4_000, 5_000));
            assert_eq!(
                (c.vault(), c.purchase_periods()),
                (Some(a.django), (4_000, 5_000))
            );
        }

        fn license(kind: LicenseKind, units_used: u64) -> License {
            License {
                buyer: accounts().charlie,
                model_id: 1,
                offer_id: 0,
                kind,
                price: 100,
                asset: Asset::Native,
                escrow_id: 1,
                purchased_at: T0,
                units_used,
                rated: false,
            }
        }

        fn settled(share: Bps, at: Timestamp) -> Option<EscrowStatus> {
            Some(EscrowStatus {
                state: EscrowState::Settled,
                settlement: Some(primitives::Settlement {
                    reason: primitives::SettleReason::Released,
                    at,
                    payee_share_bps: share,
                }),
            })
        }

        #[ink::test]
        fn license_valid_needs_a_full_release_then_checks_kind() {
            let p = license(LicenseKind::Perpetual, 0);
            assert!(!license_valid(&p, None, T0));
            let open = Some(EscrowStatus {
                state: EscrowState::Funded,
                settlement: None,
            });
            assert!(!license_valid(&p, open, T0));
            assert!(!license_valid(&p, settled(0, T0), T0));
            assert!(!license_valid(&p, settled(9_999, T0), T0));
            assert!(license_valid(&p, settled(10_000, T0), T0 + 1_000_000));
            let t = license(LicenseKind::TimeBound { duration_ms: 1_000 }, 0);
            assert!(license_valid(&t, settled(10_000, T0), T0 + 999));
            assert!(!license_valid(&t, settled(10_000, T0), T0 + 1_000));
            let m = license(LicenseKind::Metered { units: 5 }, 4);
            assert!(license_valid(&m, settled(10_000, T0), T0));
            let used_up = license(LicenseKind::Metered { units: 5 }, 5);
            assert!(!license_valid(&used_up, settled(10_000, T0), T0));
        }

        #[ink::test]
        fn rating_and_metering_refusals_change_nothing() {
            let a = accounts();
            let (mut c, id) = shop();
            assert_eq!(id, 1);
            c.licenses.insert(1, &license(LicenseKind::Perpetual, 0));
            c.licenses
                .insert(2, &license(LicenseKind::Metered { units: 5 }, 0));
            let mut rated = license(LicenseKind::Perpetual, 0);
            rated.rated = true;
            c.licenses.insert(3, &rated);
            c.license_count = 3;
            set_caller(a.django);
            assert_refused!(c, c.rate_model(1, 5), Error::NotLicenseHolder);
            set_caller(a.charlie);
            assert_refused!(c, c.rate_model(9, 5), Error::LicenseNotFound);
            assert_refused!(c, c.rate_model(1, 0), Error::InvalidRating);
            assert_refused!(c, c.rate_model(1, 6), Error::InvalidRating);
            assert_refused!(c, c.rate_model(3, 5), Error::AlreadyRated);
            // No vault answers, so the order cannot be shown released.
            assert_refused!(c, c.rate_model(1, 5), Error::LicenseNotReleased);

            assert_refused!(c, c.consume_units(2, 1), Error::NotModelOwner);
            set_caller(a.bob);
            assert_refused!(c, c.consume_units(9, 1), Error::LicenseNotFound);
            assert_refused!(c, c.consume_units(2, 0), Error::InvalidPeriod);
            assert_refused!(c, c.consume_units(1, 1), Error::NotMetered);
            assert_refused!(c, c.consume_units(2, 1), Error::LicenseNotValid);
            assert!(!c.has_valid_license(a.charlie, id));
            assert_eq!(c.average_rating_x100(id), None);
            assert_eq!(c.rating(id), (0, 0));
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
            c.attest(1, hash(3), u64::MAX).unwrap();
            let models = c.models(1, MAX_PAGE).encoded_size();
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
