//! What the registry stores and returns: models, offers, attestations, the rows of its
//! license views, and the caps every byte field and list is checked against.
// The derived SCALE encoding of an enum with data-carrying variants (`ModelStatus`,
// `IndexKey`) casts the variant index to `u8`, and cargo-contract runs clippy with
// `-D clippy::cast_possible_truncation`. This module writes no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use ink::prelude::{string::String, vec::Vec};
use ink::primitives::{AccountId, Hash};
use market_types::storage::SwapIndex;
use market_types::{
    Asset, Balance, Bps, EscrowId, EscrowStatus, LicenseId, LicenseKind, ModelId, OfferId,
    Timestamp,
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
/// Delivery period of new purchases until the admin changes it: 7 days.
pub const DEFAULT_DELIVERY_PERIOD_MS: u64 = 7 * 86_400_000;
/// Review window of new purchases until the admin changes it: 3 days.
pub const DEFAULT_REVIEW_WINDOW_MS: u64 = 3 * 86_400_000;

/// A semantic version; ordering is semver precedence (major, then minor, then patch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
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

/// A valid tag, zero-padded to `MAX_TAG_LEN` bytes (tags never contain a zero byte).
pub(crate) type TagKey = [u8; MAX_TAG_LEN];

/// A list of model ids the registry keeps for paging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub(crate) enum IndexKey {
    /// The models an account owns.
    Owner(AccountId),
    /// The listed (not delisted) models carrying a tag.
    Tag(TagKey),
}

/// Position `n` in an account's list of licenses for one model.
pub(crate) type ModelLicenseKey = (AccountId, ModelId, u32);

/// The models of each owner and the listed models of each tag: one swap-remove list per
/// [`IndexKey`].
pub(crate) type ModelIndex = SwapIndex<IndexKey, ModelId>;

/// Most licenses one account may have waiting on open orders for one model. A buyer
/// with this many waits for one to settle (or asks `sync_licenses`) before buying more.
pub const MAX_PENDING_LICENSES: usize = 4;

/// A license bought through the escrow vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct License {
    pub buyer: AccountId,
    pub model_id: ModelId,
    pub offer_id: OfferId,
    /// The offer's version the buyer agreed to.
    pub offer_version: u32,
    pub kind: LicenseKind,
    pub price: Balance,
    pub asset: Asset,
    /// The vault the payment went to: validity is always read there, whatever vault
    /// the registry uses for new purchases later.
    pub vault: AccountId,
    /// The order in that vault holding the payment.
    pub escrow_id: EscrowId,
    pub purchased_at: Timestamp,
    /// Set once the order's outcome is recorded in the entitlement: `Some(true)` when
    /// it was released to the seller in full (the license was granted), `Some(false)`
    /// when it was refunded or split.
    pub granted: Option<bool>,
    /// When the order was released (the start of a TimeBound license), once granted.
    pub released_at: Option<Timestamp>,
}

/// Everything an account holds for one model, from the licenses recorded so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Entitlement {
    /// A perpetual license was granted.
    pub perpetual: bool,
    /// The latest end of a granted TimeBound license (exclusive); 0 if none.
    pub valid_until: Timestamp,
    /// Units of every granted Metered license, pooled.
    pub units_bought: u64,
    /// Units the model owner's gateway counted against the pool.
    pub units_used: u64,
    /// Licenses granted so far (a buyer with at least one may rate the model).
    pub granted: u32,
    /// Whether this account has rated the model (once per account and model).
    pub rated: bool,
    /// Licenses bought for this model, ever (the length of the per-model list).
    pub bought: u32,
    /// Licenses whose orders were still open when last looked at; at most
    /// [`MAX_PENDING_LICENSES`].
    pub pending: Vec<LicenseId>,
}

/// Where one license stands, for views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum LicenseState {
    /// Its order is still open (funded, delivered or disputed).
    Pending,
    /// Released to the seller in full, and usable now.
    Active,
    /// Released, but the time ran out or the account's metered units are used up.
    Expired,
    /// The order ended without paying the seller in full: nothing was granted.
    NotGranted,
}
