//! Every event the registry emits. Each state change emits one; `#[ink(topic)]` marks
//! the ids and accounts a dApp filters by. Field types are spelled as they were inside
//! the contract module, so every signature topic is unchanged.

use crate::types::Version;
use ink::prelude::{string::String, vec::Vec};
use ink::primitives::{AccountId, Hash};
use market_types::{
    Asset, Balance, Bps, EscrowId, LicenseId, LicenseKind, ModelId, OfferId, Timestamp,
};

/// A model was registered.
#[ink::event]
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
#[ink::event]
pub struct ModelMetadataUpdated {
    #[ink(topic)]
    pub model_id: ModelId,
    pub metadata_uri: String,
}

/// A new version of a model's weights was published.
#[ink::event]
pub struct ModelVersionPublished {
    #[ink(topic)]
    pub model_id: ModelId,
    pub version: Version,
    pub weights_hash: Hash,
    pub metadata_uri: String,
}

/// A model's tags were replaced.
#[ink::event]
pub struct ModelTagsUpdated {
    #[ink(topic)]
    pub model_id: ModelId,
    pub tags: Vec<String>,
}

/// A model was deprecated.
#[ink::event]
pub struct ModelDeprecated {
    #[ink(topic)]
    pub model_id: ModelId,
    #[ink(topic)]
    pub successor: Option<ModelId>,
}

/// A model was delisted, for good.
#[ink::event]
pub struct ModelDelisted {
    #[ink(topic)]
    pub model_id: ModelId,
}

/// The registry was deployed.
#[ink::event]
pub struct RegistryCreated {
    #[ink(topic)]
    pub admin: AccountId,
    pub max_royalty_bps: Bps,
}

/// A model's owner offered it to `to`; it moves when `to` accepts.
#[ink::event]
pub struct ModelTransferOffered {
    #[ink(topic)]
    pub model_id: ModelId,
    #[ink(topic)]
    pub from: AccountId,
    #[ink(topic)]
    pub to: AccountId,
}

/// A pending transfer of a model was cancelled by its owner.
#[ink::event]
pub struct ModelTransferCancelled {
    #[ink(topic)]
    pub model_id: ModelId,
    #[ink(topic)]
    pub to: AccountId,
}

/// A model changed hands (its new owner accepted it).
#[ink::event]
pub struct ModelOwnershipTransferred {
    #[ink(topic)]
    pub model_id: ModelId,
    #[ink(topic)]
    pub from: AccountId,
    #[ink(topic)]
    pub to: AccountId,
}

/// A license offer was published.
#[ink::event]
pub struct OfferAdded {
    #[ink(topic)]
    pub model_id: ModelId,
    pub offer_id: OfferId,
    pub kind: LicenseKind,
    pub price: Balance,
    pub asset: Asset,
}

/// A license offer's terms changed; purchases must name the new `version`.
#[ink::event]
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
#[ink::event]
pub struct OfferRetired {
    #[ink(topic)]
    pub model_id: ModelId,
    pub offer_id: OfferId,
}

/// An auditor attested a model (or renewed its attestation).
#[ink::event]
pub struct ModelAttested {
    #[ink(topic)]
    pub model_id: ModelId,
    #[ink(topic)]
    pub auditor: AccountId,
    pub report_hash: Hash,
    pub expires_at: Timestamp,
}

/// An auditor withdrew its attestation.
#[ink::event]
pub struct AttestationRevoked {
    #[ink(topic)]
    pub model_id: ModelId,
    #[ink(topic)]
    pub auditor: AccountId,
}

/// The admin set whether `auditor` is on the auditor allow-list (emitted even when
/// nothing changed). An account taken off it no longer has its attestations count.
#[ink::event]
pub struct AuditorChanged {
    #[ink(topic)]
    pub auditor: AccountId,
    pub allowed: bool,
}

/// The governed surface's events, shared with the other contracts
/// (`market_types::events`): `AdminProposed`, `AdminChanged` (the admin handover),
/// `PauseChanged` (new listings paused or resumed), `VaultChanged` (new purchases go to
/// another vault) and `AssetAllowanceChanged`.
pub use market_types::events::{
    AdminChanged, AdminProposed, AssetAllowanceChanged, PauseChanged, VaultChanged,
};

/// The royalty cap for new models changed.
#[ink::event]
pub struct MaxRoyaltyChanged {
    pub max_royalty_bps: Bps,
}

/// The admin changed the delivery period and review window of new purchases.
#[ink::event]
pub struct PurchasePeriodsChanged {
    pub delivery_period_ms: u64,
    pub review_window_ms: u64,
}

/// A buyer paid for a license; the money waits in the vault's order `escrow_id`.
#[ink::event]
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
#[ink::event]
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
#[ink::event]
pub struct UnitsConsumed {
    #[ink(topic)]
    pub model_id: ModelId,
    #[ink(topic)]
    pub account: AccountId,
    pub units: u64,
    pub remaining: u64,
}

/// An account rated a model (once per account and model).
#[ink::event]
pub struct ModelRated {
    #[ink(topic)]
    pub model_id: ModelId,
    #[ink(topic)]
    pub rater: AccountId,
    pub stars: u8,
}
