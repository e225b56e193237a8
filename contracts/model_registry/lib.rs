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
//! - **Admin**: sets the auditor allow-list (`RegistryAdmin::set_auditor`), the PSP22
//!   tokens offers may be priced in (`Administered::set_asset_allowed`), the royalty cap
//!   (at most 50 %), the purchase periods (7 and 3 days until changed, at most 366 days)
//!   and the vault new purchases go to, and may pause new listings
//!   (`Administered::set_paused`: `register_model` and `add_offer` refuse with `Paused`;
//!   purchases, releases, updates and everything else go on). The deployer is the first
//!   admin; the role moves in two steps (`Administered::propose_admin`,
//!   `Administered::accept_admin`), so it can be handed to the dispute DAO but never to a
//!   mistyped address. The admin messages implement the `Administered` and `RegistryAdmin`
//!   traits of `market_types::governed`, which the DAO calls them through; the handover,
//!   the pause flag and the token allow-list are the shared `market_types::admin::Admin`,
//!   whose events (`AdminProposed`, `AdminChanged`, `PauseChanged`, `VaultChanged`,
//!   `AssetAllowanceChanged`) are the compute market's too.
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
//! [`MAX_PENDING_LICENSES`] still pending. `has_valid_license` is true when any license
//! is valid, at a cost of at most one vault read per pending license, however many the
//! account bought; a later purchase (pending, refunded or disputed) never hides an
//! earlier one. Settled orders are recorded by any later purchase, `release_license`,
//! `consume_units`, `rate_model`, or by anyone with `sync_licenses`. A license is
//! granted once its order is released to the seller in full; what each kind then grants,
//! and the license views: [`rules::licensing`].
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
//! - Every byte field and list is checked against its cap ([`rules::validation`]) before
//!   anything is stored; a refused message has changed nothing and emitted nothing.
//! - No message loops over an unbounded set: the owner and tag indexes are one
//!   swap-remove list per key (`market_types::storage::SwapIndex`), and every loop is
//!   bounded by `MAX_TAGS`, `MAX_PAGE` or `MAX_PENDING_LICENSES`. An account's license
//!   lists grow only by its own purchases.
//! - Every paginated getter returns at most `MAX_PAGE` = 10 items; the largest possible
//!   page stays under 8 KiB, half what a call may return (a unit test measures it).
//!
//! ## Errors
//! One [`Error`] enum; each variant names the state that refused the call (`Paused`: the
//! admin paused new listings). The admin messages refuse with the shared
//! `market_types::AdminError` (`NotAdmin`, `NotPendingAdmin`, `InvalidPeriod`,
//! `PeriodTooLong`, `OutOfRange`). Each message's doc says who may call it, its errors
//! and its events; the views (`&self` messages) may be called by anyone, never fail and
//! emit nothing.
//!
//! ## Code map
//! `lib.rs`: storage, the constructor and the messages (check, act, emit) ·
//! `types.rs`, `events.rs`, `errors.rs` · pure logic in [`rules`]:
//! [`rules::validation`] (input checks needing no storage) and [`rules::licensing`]
//! (what a license grants) · `catalogue.rs`, `purchases.rs`, `admin.rs`: the contract's private helpers
//! (guards, indexes, catalogue views; purchase planning, recording, license views; the
//! registry's own admin setters) · `calls.rs`: every call into the vault and PSP22 tokens (in unit tests
//! answered by the stand-ins of `market_types::testing`) · `tests.rs`: the unit tests.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::errors::Error;
/// Every event, for dApps and tests that decode them.
pub use self::events::*;
pub use self::model_registry::{ModelRegistry, ModelRegistryRef};
pub use self::types::{
    Attestation, LicenseView, Model, ModelStatus, Offer, OfferStatus, Version,
    DEFAULT_DELIVERY_PERIOD_MS, DEFAULT_REVIEW_WINDOW_MS, MAX_NAME_LEN, MAX_OFFERS_PER_MODEL,
    MAX_PAGE, MAX_TAGS, MAX_TAG_LEN, MAX_URI_LEN, ROYALTY_HARD_CAP_BPS,
};
pub use self::types::{Entitlement, License, LicenseState, MAX_PENDING_LICENSES};

mod admin;
mod calls;
mod catalogue;
mod errors;
mod events;
mod purchases;
pub mod rules;
#[cfg(test)]
mod tests;
mod types;

#[ink::contract]
mod model_registry {
    use crate::calls;
    use crate::errors::{Error, Result};
    use crate::events::*;
    use crate::rules::validation::{check_royalty_cap, tag_key};
    use crate::types::{
        Attestation, IndexKey, LicenseView, Model, ModelIndex, ModelLicenseKey, Offer,
        RatingTotals, Version,
    };
    use crate::types::{Entitlement, License};
    use ink::prelude::{string::String, vec::Vec};
    use ink::storage::Mapping;
    use market_types::admin::Admin;
    use market_types::governed::{Administered, RegistryAdmin};
    use market_types::storage::AllowList;
    use market_types::{
        ensure, AdminError, Asset, Auditors, Bps, LicenseId, LicenseKind, ModelId, OfferId, Page,
    };

    /// Registry storage. The root holds only a few fixed-size fields; everything that
    /// grows lives in `Mapping`s, one entry per id. Fields are `pub(crate)` for the
    /// helpers in `catalogue.rs`, `purchases.rs` and `admin.rs`.
    #[ink(storage)]
    pub struct ModelRegistry {
        /// The governed surface: the admin and the successor it proposed, the pause
        /// flag (while set, `register_model` and `add_offer` refuse with `Paused`) and
        /// the PSP22 tokens offers may be priced in.
        pub(crate) admin: Admin,
        /// Models offered to a new owner, until it accepts or the owner cancels.
        pub(crate) pending_transfers: Mapping<ModelId, AccountId>,
        pub(crate) max_royalty_bps: Bps,
        /// Models registered so far; ids are `1..=model_count`.
        pub(crate) model_count: ModelId,
        pub(crate) models: Mapping<ModelId, Model>,
        pub(crate) offers: Mapping<(ModelId, OfferId), Offer>,
        pub(crate) auditors: AllowList,
        pub(crate) attestations: Mapping<(ModelId, AccountId), Attestation>,
        /// Append-only list of the auditors that ever attested a model, for paging.
        pub(crate) model_auditors: Mapping<(ModelId, u32), AccountId>,
        /// The models of each owner and the listed models of each tag.
        pub(crate) index: ModelIndex,
        /// The escrow vault purchases are paid into.
        pub(crate) vault: Option<AccountId>,
        /// New purchases: how long the seller has to deliver, and the buyer to review.
        pub(crate) delivery_period_ms: u64,
        pub(crate) review_window_ms: u64,
        pub(crate) license_count: LicenseId,
        pub(crate) licenses: Mapping<LicenseId, License>,
        /// Per account and model: the union of its recorded licenses, its pending ones.
        pub(crate) entitlements: Mapping<(AccountId, ModelId), Entitlement>,
        /// Per account: every license id it bought, in order (append-only; only the
        /// account itself can grow it, by buying).
        pub(crate) account_license_count: Mapping<AccountId, u32>,
        pub(crate) account_licenses: Mapping<(AccountId, u32), LicenseId>,
        /// Per account and model: the same, for one model (length in the entitlement).
        pub(crate) model_licenses: Mapping<ModelLicenseKey, LicenseId>,
        pub(crate) ratings: Mapping<ModelId, RatingTotals>,
    }

    impl ModelRegistry {
        /// Creates an empty registry whose admin is the caller (the deployer).
        ///
        /// Errors: `RoyaltyCapTooHigh` if `max_royalty_bps` > `ROYALTY_HARD_CAP_BPS`.
        /// Emits: `RegistryCreated`.
        #[ink(constructor)]
        pub fn new(max_royalty_bps: Bps) -> Result<Self> {
            check_royalty_cap(max_royalty_bps).map_err(|_| Error::RoyaltyCapTooHigh)?;
            let admin = Self::env().caller();
            Self::env().emit_event(RegistryCreated {
                admin,
                max_royalty_bps,
            });
            Ok(Self::empty(admin, max_royalty_bps))
        }

        // ------------------------------------------------------------ models

        /// Registers a model owned by the caller and returns its id.
        ///
        /// Who: anyone, while new listings are not paused. Requirements: name
        /// 1..=`MAX_NAME_LEN` bytes, URI 1..=`MAX_URI_LEN` bytes, valid tags; a parent,
        /// if named, exists and is not delisted; `royalty_bps` ≤ the current cap and
        /// zero without a parent.
        /// Errors: `Paused`, `InvalidName`, `InvalidUri`, `TooManyTags`, `InvalidTag`,
        /// `DuplicateTag`, `ParentNotFound`, `ParentDelisted`, `RoyaltyAboveCap`,
        /// `RoyaltyWithoutParent`, `Overflow`. Emits: `ModelRegistered`.
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
            let owner = self.env().caller();
            let event = self.register(
                owner,
                name,
                metadata_uri,
                weights_hash,
                version,
                parent,
                royalty_bps,
                tags,
            )?;
            let model_id = event.model_id;
            self.env().emit_event(event);
            Ok(model_id)
        }

        /// Points a model at a new metadata URI (a revised model card).
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`, `InvalidUri`. Emits: `ModelMetadataUpdated`.
        #[ink(message)]
        pub fn update_metadata(&mut self, model_id: ModelId, metadata_uri: String) -> Result<()> {
            let event = self.set_metadata(model_id, metadata_uri)?;
            self.env().emit_event(event);
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
            let event = self.new_version(model_id, version, weights_hash, metadata_uri)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Replaces a model's tags (and so its entries in the tag index).
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`, `TooManyTags`, `InvalidTag`, `DuplicateTag`, `Overflow`.
        /// Emits: `ModelTagsUpdated`.
        #[ink(message)]
        pub fn set_tags(&mut self, model_id: ModelId, tags: Vec<String>) -> Result<()> {
            let event = self.replace_tags(model_id, tags)?;
            self.env().emit_event(event);
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
            let event = self.supersede(model_id, successor)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Withdraws a model for good. It stays readable by id and under its owner, but
        /// leaves the tag index and can no longer change or sell.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `ModelDelisted`. Emits: `ModelDelisted`.
        #[ink(message)]
        pub fn delist(&mut self, model_id: ModelId) -> Result<()> {
            let event = self.withdraw(model_id)?;
            self.env().emit_event(event);
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
            let event = self.offer_model(model_id, new_owner)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Takes over a model offered to the caller with `transfer_model`.
        ///
        /// Who: the account it was offered to. Errors: `ModelNotFound`,
        /// `NoPendingTransfer`, `NotPendingOwner`, `Overflow`.
        /// Emits: `ModelOwnershipTransferred`.
        #[ink(message)]
        pub fn accept_model(&mut self, model_id: ModelId) -> Result<()> {
            let caller = self.env().caller();
            let event = self.take_model(caller, model_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Withdraws a pending transfer offer.
        ///
        /// Who: the model owner. Errors: `ModelNotFound`, `NotModelOwner`,
        /// `NoPendingTransfer`. Emits: `ModelTransferCancelled`.
        #[ink(message)]
        pub fn cancel_model_transfer(&mut self, model_id: ModelId) -> Result<()> {
            let event = self.unoffer_model(model_id)?;
            self.env().emit_event(event);
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
        /// Who: the model owner, while new listings are not paused. Requirements: valid
        /// terms, a non-zero price, the asset native or an allow-listed PSP22, fewer
        /// than `MAX_OFFERS_PER_MODEL` offers so far. Errors: `Paused`, `ModelNotFound`,
        /// `NotModelOwner`, `ModelNotActive`, `InvalidLicenseTerms`, `ZeroPrice`,
        /// `AssetNotAllowed`, `TooManyOffers`. Emits: `OfferAdded`.
        #[ink(message)]
        pub fn add_offer(
            &mut self,
            model_id: ModelId,
            kind: LicenseKind,
            price: Balance,
            asset: Asset,
        ) -> Result<OfferId> {
            let event = self.new_offer(model_id, kind, price, asset)?;
            let offer_id = event.offer_id;
            self.env().emit_event(event);
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
            let event = self.change_offer(model_id, offer_id, kind, price, asset)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Retires an offer for good; it stays readable.
        ///
        /// Who: the model owner (also for delisted models, to tidy up).
        /// Errors: `ModelNotFound`, `NotModelOwner`, `OfferNotFound`, `OfferRetired`.
        /// Emits: `OfferRetired`.
        #[ink(message)]
        pub fn retire_offer(&mut self, model_id: ModelId, offer_id: OfferId) -> Result<()> {
            let event = self.retire(model_id, offer_id)?;
            self.env().emit_event(event);
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
            let event = self.attest_as(auditor, model_id, report_hash, expires_at)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Withdraws the caller's attestation of a model before it expires.
        ///
        /// Who: the auditor that made it (even if since taken off the allow-list).
        /// Errors: `AttestationNotFound` (none, or already revoked).
        /// Emits: `AttestationRevoked`.
        #[ink(message)]
        pub fn revoke_attestation(&mut self, model_id: ModelId) -> Result<()> {
            let auditor = self.env().caller();
            let event = self.revoke_as(auditor, model_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        // ------------------------------------------------------------ licenses

        /// Buys a license to `model_id` under offer `offer_id`, at the offer's version
        /// `offer_version` — the terms the buyer saw; a changed offer is refused
        /// (`OfferChanged`), never charged. The price goes into an escrow order in the
        /// vault (payee: the model owner; royalty: the parent model's owner at
        /// `royalty_bps`, if any); the license is granted when that order is released to
        /// the seller in full. Native offers: send exactly the price. PSP22 offers: send
        /// nothing, and approve **the registry** for the price beforehand. At most
        /// `MAX_PENDING_LICENSES` of an account's licenses for one model may wait on
        /// open orders; settled ones are recorded here first.
        ///
        /// Who: anyone but the model's owner.
        /// Errors: `ModelNotFound`, `ModelNotActive`, `OfferNotFound`, `OfferRetired`,
        /// `OfferChanged`, `CannotBuyOwnModel`, `VaultNotSet`, `WrongPayment`,
        /// `ParentNotFound` (never in practice: parents are never removed),
        /// `TooManyPendingLicenses`, `Overflow`, `Token(..)` (the token's own refusal,
        /// e.g. `InsufficientAllowance`), `TokenCallFailed`, `Vault(..)` (the vault's
        /// own refusal), `VaultCallFailed`.
        /// Emits `LicensePurchased` (and `LicenseRecorded` for settled ones recorded).
        #[ink(message, payable)]
        pub fn purchase_license(
            &mut self,
            model_id: ModelId,
            offer_id: OfferId,
            offer_version: u32,
        ) -> Result<LicenseId> {
            let buyer = self.env().caller();
            let (mut p, terms) = self.plan_purchase(buyer, model_id, offer_id, offer_version)?;
            let value = self.env().transferred_value();
            p.license.escrow_id = self.collect_payment(&p.license, terms, value)?;
            self.apply_purchase(&p);
            self.emit_recorded(&p.recorded);
            self.env().emit_event(p.event());
            Ok(p.license_id)
        }

        /// Releases a license's order to the seller (the vault lets the registry move an
        /// order it opened only when the buyer asks, here), and records the license as
        /// granted at once.
        ///
        /// Who: the license's buyer. Errors: `LicenseNotFound`, `NotLicenseHolder`,
        /// `Vault(..)` (e.g. `EscrowNotOpen` for a settled or disputed order),
        /// `VaultCallFailed`. Emits `LicenseRecorded` (the vault emits `EscrowSettled`).
        #[ink(message)]
        pub fn release_license(&mut self, license_id: LicenseId) -> Result<()> {
            let license = self.held_license(license_id)?;
            calls::release(license.vault, license.escrow_id)?;
            let now = self.env().block_timestamp();
            self.record_outcome(license_id, license, Some(now));
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
                self.commit_refreshed(account, model_id, &ent, &recorded);
            }
            u32::try_from(ent.pending.len()).map_err(|_| Error::Overflow)
        }

        /// Gives up a pending license whose vault no longer answers for its order (the
        /// vault was removed or replaced by code that does not know it), so a dead
        /// vault cannot hold one of the buyer's `MAX_PENDING_LICENSES` slots for ever.
        /// The license is recorded as not granted. Only while the vault's answer is
        /// "no such order".
        ///
        /// Who: the license's buyer. Errors: `LicenseNotFound`, `NotLicenseHolder`,
        /// `LicenseNotPending`, `VaultStillAnswers`. Emits `LicenseRecorded`
        /// (`granted: false`).
        #[ink(message)]
        pub fn drop_license(&mut self, license_id: LicenseId) -> Result<()> {
            let license = self.held_license(license_id)?;
            ensure!(license.granted.is_none(), Error::LicenseNotPending);
            ensure!(
                calls::escrow_status(license.vault, license.escrow_id).is_none(),
                Error::VaultStillAnswers
            );
            self.record_outcome(license_id, license, None);
            Ok(())
        }

        /// Whether `account` may use `model_id` now: any license it bought for the
        /// model is valid — granted perpetual, a granted TimeBound not yet over, metered
        /// units left — including licenses whose orders were released but not yet
        /// recorded. Costs one vault read per pending license (at most
        /// `MAX_PENDING_LICENSES`), whatever the account bought before.
        #[ink(message)]
        pub fn has_valid_license(&self, account: AccountId, model_id: ModelId) -> bool {
            self.any_valid_license(account, model_id)
        }

        /// Counts `units` against `account`'s metered units for `model_id` (every
        /// granted metered license of the account adds to one pool) and returns how
        /// many are left. Settled licenses are recorded first.
        ///
        /// Who: the model's current owner (who runs the inference gateway).
        /// Errors: `ModelNotFound`, `NotModelOwner`, `ZeroUnits`, `NotMetered` (no
        /// granted metered license), `UnitsExhausted`.
        /// Emits `UnitsConsumed` (and `LicenseRecorded`).
        #[ink(message)]
        pub fn consume_units(
            &mut self,
            account: AccountId,
            model_id: ModelId,
            units: u64,
        ) -> Result<u64> {
            self.owned_model(model_id)?;
            ensure!(units != 0, Error::ZeroUnits);
            let event = self.consume(account, model_id, units)?;
            let remaining = event.remaining;
            self.env().emit_event(event);
            Ok(remaining)
        }

        /// Rates a model with 1 to 5 stars: once per account and model, however many
        /// licenses the account holds, and only once one of them was granted.
        ///
        /// Who: an account holding a granted license to the model.
        /// Errors: `InvalidRating`, `ModelNotFound`, `AlreadyRated`,
        /// `LicenseNotReleased`, `Overflow`. Emits `ModelRated` (and `LicenseRecorded`).
        #[ink(message)]
        pub fn rate_model(&mut self, model_id: ModelId, stars: u8) -> Result<()> {
            let rater = self.env().caller();
            let event = self.rate(rater, model_id, stars)?;
            self.env().emit_event(event);
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
            self.account_license_page(account, cursor, limit)
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
            self.model_license_page(account, model_id, cursor, limit)
        }

        /// How many licenses were ever sold (ids `1..=license_count`).
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

        // ------------------------------------------------------------ views

        /// The admin account.
        #[ink(message)]
        pub fn admin(&self) -> AccountId {
            self.admin.admin()
        }

        /// The account proposed as the next admin, until it accepts.
        #[ink(message)]
        pub fn pending_admin(&self) -> Option<AccountId> {
            self.admin.pending()
        }

        /// The royalty cap for new models, in basis points.
        #[ink(message)]
        pub fn max_royalty_bps(&self) -> Bps {
            self.max_royalty_bps
        }

        /// Whether new listings (`register_model`, `add_offer`) are paused.
        #[ink(message)]
        pub fn paused(&self) -> bool {
            self.admin.paused()
        }

        /// How many models were ever registered (ids `1..=model_count`).
        #[ink(message)]
        pub fn model_count(&self) -> u64 {
            self.model_count
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
            self.model_page(cursor, limit)
        }

        /// How many models `owner` holds.
        #[ink(message)]
        pub fn owner_model_count(&self, owner: AccountId) -> u32 {
            self.index.len(IndexKey::Owner(owner))
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
            tag_key(&tag).map_or(0, |key| self.index.len(IndexKey::Tag(key)))
        }

        /// Listed models carrying `tag`, from position `cursor`, at most `limit`, in
        /// the same order as `models_by_owner`. An invalid tag matches nothing.
        #[ink(message)]
        pub fn models_by_tag(
            &self,
            tag: String,
            cursor: u64,
            limit: u32,
        ) -> Page<(ModelId, Model)> {
            self.tag_page(&tag, cursor, limit)
        }

        /// One offer of a model.
        #[ink(message)]
        pub fn offer(&self, model_id: ModelId, offer_id: OfferId) -> Option<Offer> {
            self.offers.get((model_id, offer_id))
        }

        /// Offers of a model by id, from offer id `cursor`, at most `limit`.
        #[ink(message)]
        pub fn offers(&self, model_id: ModelId, cursor: u64, limit: u32) -> Page<Offer> {
            self.offer_page(model_id, cursor, limit)
        }

        /// Whether offers may be priced in `asset` (native always may).
        #[ink(message)]
        pub fn is_asset_allowed(&self, asset: Asset) -> bool {
            self.admin.allows(asset)
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
            self.attestation_live(model_id, auditor)
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
            self.attestation_page(model_id, cursor, limit)
        }
    }

    /// The admin surface the registry shares with the compute market, which the DAO
    /// calls through this trait. A refused call changed nothing and emitted nothing.
    impl Administered for ModelRegistry {
        /// Lets the PSP22 `token` price new and updated offers (`allowed`), or stops it
        /// (offers already priced in it keep their price and can still be bought).
        /// Setting what is already set changes nothing and still emits.
        ///
        /// Who: the admin. Errors: `NotAdmin`. Emits: `AssetAllowanceChanged`.
        #[ink(message)]
        fn set_asset_allowed(
            &mut self,
            token: AccountId,
            allowed: bool,
        ) -> core::result::Result<(), AdminError> {
            let caller = self.env().caller();
            let event = self.admin.set_asset_allowed(caller, token, allowed)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Proposes `new_admin` as the next admin (the dispute DAO, once deployed); the
        /// role moves only when that account calls `accept_admin`. `None` withdraws the
        /// proposal; a new proposal replaces the last.
        ///
        /// Who: the admin. Errors: `NotAdmin`. Emits: `AdminProposed`.
        #[ink(message)]
        fn propose_admin(
            &mut self,
            new_admin: Option<AccountId>,
        ) -> core::result::Result<(), AdminError> {
            let event = self.admin.propose(self.env().caller(), new_admin)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Takes the admin role proposed to the caller.
        ///
        /// Who: the proposed account. Errors: `NotPendingAdmin`. Emits: `AdminChanged`.
        #[ink(message)]
        fn accept_admin(&mut self) -> core::result::Result<(), AdminError> {
            let event = self.admin.accept(self.env().caller())?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Pauses (`true`) or resumes (`false`) new listings: while paused,
        /// `register_model` and `add_offer` refuse with `Paused`; purchases, releases,
        /// updates, retirements and views go on. Setting what is already set changes
        /// nothing and still emits.
        ///
        /// Who: the admin (the DAO's guardian, once the DAO holds the role).
        /// Errors: `NotAdmin`. Emits: `PauseChanged`.
        #[ink(message)]
        fn set_paused(&mut self, paused: bool) -> core::result::Result<(), AdminError> {
            let event = self.admin.set_paused(self.env().caller(), paused)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Points new purchases at an escrow vault. Licenses already bought keep the
        /// vault they were paid into, so a migration hides or forges nothing. The vault
        /// must also list the registry as a controller.
        ///
        /// Who: the admin. Errors: `NotAdmin`. Emits: `VaultChanged`.
        #[ink(message)]
        fn set_vault(&mut self, vault: AccountId) -> core::result::Result<(), AdminError> {
            let event = self.do_set_vault(vault)?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    /// The registry's own admin setters (the DAO calls them through this trait).
    impl RegistryAdmin for ModelRegistry {
        /// Puts `auditor` on the auditor allow-list (`allowed`) or takes it off. Setting
        /// what is already set changes nothing and still emits. An auditor taken off the
        /// list no longer has its attestations count as valid; they stay readable, and
        /// it may still revoke them.
        ///
        /// Who: the admin. Errors: `NotAdmin`. Emits: `AuditorChanged`.
        #[ink(message)]
        fn set_auditor(
            &mut self,
            auditor: AccountId,
            allowed: bool,
        ) -> core::result::Result<(), AdminError> {
            let event = self.do_set_auditor(auditor, allowed)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Sets the delivery period and review window of new purchases, each above zero
        /// and at most `MAX_PERIOD_MS`.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `InvalidPeriod` (zero), `PeriodTooLong`.
        /// Emits `PurchasePeriodsChanged`.
        #[ink(message)]
        fn set_purchase_periods(
            &mut self,
            delivery_period_ms: u64,
            review_window_ms: u64,
        ) -> core::result::Result<(), AdminError> {
            let event = self.do_set_purchase_periods(delivery_period_ms, review_window_ms)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Sets the royalty cap for models registered from now on.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `OutOfRange` (above
        /// `ROYALTY_HARD_CAP_BPS`). Emits: `MaxRoyaltyChanged`.
        #[ink(message)]
        fn set_max_royalty_bps(
            &mut self,
            max_royalty_bps: Bps,
        ) -> core::result::Result<(), AdminError> {
            let event = self.do_set_max_royalty_bps(max_royalty_bps)?;
            self.env().emit_event(event);
            Ok(())
        }
    }

    impl Auditors for ModelRegistry {
        /// Whether `account` is on the auditor allow-list: the marketplace's one list,
        /// which the compute market reads too.
        #[ink(message)]
        fn is_auditor(&self, account: AccountId) -> bool {
            self.auditors.contains(account)
        }
    }
}
