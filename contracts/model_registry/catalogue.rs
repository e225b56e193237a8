//! The logic of the catalogue messages (models, offers, attestations), the guards
//! they start with, and the bodies of their paged views. Each method documented with a message's name in backticks does that
//! message's checks and writes and returns the event for the message to emit, so a
//! message reads: caller, logic, emit. A plain `impl` block outside the contract
//! module; nothing here is callable from outside the contract.

use crate::errors::{Error, Result};
use crate::events::*;
use crate::model_registry::ModelRegistry;
use crate::rules::validation::{check_name, check_tags, check_terms, check_uri, tag_key};
use crate::types::{
    Attestation, IndexKey, Model, ModelStatus, Offer, OfferStatus, TagKey, Version,
    DEFAULT_DELIVERY_PERIOD_MS, DEFAULT_REVIEW_WINDOW_MS, MAX_OFFERS_PER_MODEL, MAX_PAGE,
};
use ink::codegen::Env;
use ink::prelude::{string::String, vec::Vec};
use ink::primitives::{AccountId, Hash};
use ink::storage::Mapping;
use market_types::admin::Admin;
use market_types::storage::page;
use market_types::{ensure, Asset, Balance, Bps, LicenseKind, ModelId, OfferId, Page, Timestamp};

impl ModelRegistry {
    /// A registry with no models, licenses, auditors or tokens yet, no vault, the
    /// default purchase periods, and new listings open (not paused).
    pub(crate) fn empty(admin: AccountId, max_royalty_bps: Bps) -> Self {
        Self {
            admin: Admin::new(admin),
            pending_transfers: Mapping::default(),
            max_royalty_bps,
            model_count: 0,
            models: Mapping::default(),
            offers: Mapping::default(),
            auditors: Default::default(),
            attestations: Mapping::default(),
            model_auditors: Mapping::default(),
            index: Default::default(),
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
        }
    }

    /// `register_model`: unless paused, checks the fields and the lineage, gives the
    /// model the next id, indexes it under its owner and tags, and stores it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn register(
        &mut self,
        owner: AccountId,
        name: String,
        metadata_uri: String,
        weights_hash: Hash,
        version: Version,
        parent: Option<ModelId>,
        royalty_bps: Bps,
        tags: Vec<String>,
    ) -> Result<ModelRegistered> {
        self.not_paused()?;
        check_name(&name)?;
        check_uri(&metadata_uri)?;
        let tag_keys = check_tags(&tags)?;
        self.check_lineage(parent, royalty_bps)?;
        let model_id = self.model_count.checked_add(1).ok_or(Error::Overflow)?;
        // Every list is checked for room before any of them is written; each length is
        // read once, here. The new id is in no list, and the owner's and the (distinct,
        // `check_tags`) tags' lists are different lists, so each push goes at the
        // position read here without the duplicate check of `push`.
        let owner_pos = self
            .index
            .next_pos(IndexKey::Owner(owner))
            .ok_or(Error::Overflow)?;
        let mut tag_pos = Vec::with_capacity(tag_keys.len());
        for key in &tag_keys {
            tag_pos.push(
                self.index
                    .next_pos(IndexKey::Tag(*key))
                    .ok_or(Error::Overflow)?,
            );
        }
        let now = self.env().block_timestamp();
        let event = ModelRegistered {
            model_id,
            owner,
            parent,
            royalty_bps,
            name: name.clone(),
            metadata_uri: metadata_uri.clone(),
            weights_hash,
            version,
        };
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
        self.model_count = model_id;
        self.index
            .push_new(IndexKey::Owner(owner), owner_pos, model_id);
        for (key, pos) in tag_keys.iter().zip(tag_pos) {
            self.index.push_new(IndexKey::Tag(*key), pos, model_id);
        }
        self.models.insert(model_id, &model);
        Ok(event)
    }

    /// `update_metadata`: a live model the caller owns points at a new model card.
    pub(crate) fn set_metadata(
        &mut self,
        model_id: ModelId,
        metadata_uri: String,
    ) -> Result<ModelMetadataUpdated> {
        let mut model = self.owned_live_model(model_id)?;
        check_uri(&metadata_uri)?;
        model.metadata_uri = metadata_uri.clone();
        self.touch_and_store(model_id, &mut model);
        Ok(ModelMetadataUpdated {
            model_id,
            metadata_uri,
        })
    }

    /// `publish_version`: a live model the caller owns gets new weights under a higher
    /// version.
    pub(crate) fn new_version(
        &mut self,
        model_id: ModelId,
        version: Version,
        weights_hash: Hash,
        metadata_uri: String,
    ) -> Result<ModelVersionPublished> {
        let mut model = self.owned_live_model(model_id)?;
        check_uri(&metadata_uri)?;
        ensure!(version > model.version, Error::VersionNotIncreasing);
        model.version = version;
        model.weights_hash = weights_hash;
        model.metadata_uri = metadata_uri.clone();
        self.touch_and_store(model_id, &mut model);
        Ok(ModelVersionPublished {
            model_id,
            version,
            weights_hash,
            metadata_uri,
        })
    }

    /// `set_tags`: a live model the caller owns gets new tags, and moves between the
    /// tag lists accordingly.
    pub(crate) fn replace_tags(
        &mut self,
        model_id: ModelId,
        tags: Vec<String>,
    ) -> Result<ModelTagsUpdated> {
        let mut model = self.owned_live_model(model_id)?;
        let new_keys = check_tags(&tags)?;
        self.retag(model_id, &model.tags, &new_keys)?;
        model.tags = tags.clone();
        self.touch_and_store(model_id, &mut model);
        Ok(ModelTagsUpdated { model_id, tags })
    }

    /// `deprecate`: an active model the caller owns is marked superseded.
    pub(crate) fn supersede(
        &mut self,
        model_id: ModelId,
        successor: Option<ModelId>,
    ) -> Result<ModelDeprecated> {
        let mut model = self.owned_active_model(model_id)?;
        self.check_successor(model_id, successor)?;
        model.status = ModelStatus::Deprecated { successor };
        self.touch_and_store(model_id, &mut model);
        Ok(ModelDeprecated {
            model_id,
            successor,
        })
    }

    /// `delist`: a live model the caller owns leaves the tag lists for good.
    pub(crate) fn withdraw(&mut self, model_id: ModelId) -> Result<ModelDelisted> {
        let mut model = self.owned_live_model(model_id)?;
        self.retag(model_id, &model.tags, &[])?;
        model.status = ModelStatus::Delisted;
        self.touch_and_store(model_id, &mut model);
        Ok(ModelDelisted { model_id })
    }

    /// `transfer_model`: the caller's model is offered to `new_owner`.
    pub(crate) fn offer_model(
        &mut self,
        model_id: ModelId,
        new_owner: AccountId,
    ) -> Result<ModelTransferOffered> {
        let model = self.owned_model(model_id)?;
        ensure!(new_owner != model.owner, Error::SameAccount);
        self.pending_transfers.insert(model_id, &new_owner);
        Ok(ModelTransferOffered {
            model_id,
            from: model.owner,
            to: new_owner,
        })
    }

    /// `cancel_model_transfer`: the pending offer of the caller's model is withdrawn.
    pub(crate) fn unoffer_model(&mut self, model_id: ModelId) -> Result<ModelTransferCancelled> {
        self.owned_model(model_id)?;
        let to = self
            .pending_transfers
            .take(model_id)
            .ok_or(Error::NoPendingTransfer)?;
        Ok(ModelTransferCancelled { model_id, to })
    }

    /// `accept_model`: moves a model offered to `caller` into its listings.
    pub(crate) fn take_model(
        &mut self,
        caller: AccountId,
        model_id: ModelId,
    ) -> Result<ModelOwnershipTransferred> {
        let mut model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
        let to = self
            .pending_transfers
            .get(model_id)
            .ok_or(Error::NoPendingTransfer)?;
        ensure!(caller == to, Error::NotPendingOwner);
        let from = model.owner;
        self.check_index_room(IndexKey::Owner(to))?;
        self.pending_transfers.remove(model_id);
        self.index.remove(IndexKey::Owner(from), model_id);
        self.index.push(IndexKey::Owner(to), model_id);
        model.owner = to;
        self.touch_and_store(model_id, &mut model);
        Ok(ModelOwnershipTransferred { model_id, from, to })
    }

    /// `add_offer`: unless paused, publishes an offer of an active model the caller
    /// owns.
    pub(crate) fn new_offer(
        &mut self,
        model_id: ModelId,
        kind: LicenseKind,
        price: Balance,
        asset: Asset,
    ) -> Result<OfferAdded> {
        self.not_paused()?;
        let mut model = self.owned_active_model(model_id)?;
        check_terms(kind, price, self.is_asset_allowed(asset))?;
        let offer_id = model.offer_count;
        ensure!(offer_id < MAX_OFFERS_PER_MODEL, Error::TooManyOffers);
        model.offer_count = offer_id.checked_add(1).ok_or(Error::Overflow)?;
        let offer = Offer {
            model_id,
            offer_id,
            kind,
            price,
            asset,
            status: OfferStatus::Active,
            version: 1,
        };
        self.offers.insert((model_id, offer_id), &offer);
        self.touch_and_store(model_id, &mut model);
        Ok(OfferAdded {
            model_id,
            offer_id,
            kind,
            price,
            asset,
        })
    }

    /// `update_offer`: new terms for an active offer of a live model the caller owns,
    /// under the next version.
    pub(crate) fn change_offer(
        &mut self,
        model_id: ModelId,
        offer_id: OfferId,
        kind: LicenseKind,
        price: Balance,
        asset: Asset,
    ) -> Result<OfferUpdated> {
        self.owned_live_model(model_id)?;
        let mut offer = self.active_offer(model_id, offer_id)?;
        check_terms(kind, price, self.is_asset_allowed(asset))?;
        offer.version = offer.version.checked_add(1).ok_or(Error::Overflow)?;
        offer.kind = kind;
        offer.price = price;
        offer.asset = asset;
        self.offers.insert((model_id, offer_id), &offer);
        Ok(OfferUpdated {
            model_id,
            offer_id,
            version: offer.version,
            kind,
            price,
            asset,
        })
    }

    /// `retire_offer`: an active offer of the caller's model is retired for good.
    pub(crate) fn retire(&mut self, model_id: ModelId, offer_id: OfferId) -> Result<OfferRetired> {
        self.owned_model(model_id)?;
        let mut offer = self.active_offer(model_id, offer_id)?;
        offer.status = OfferStatus::Retired;
        self.offers.insert((model_id, offer_id), &offer);
        Ok(OfferRetired { model_id, offer_id })
    }

    /// `attest`: stores `auditor`'s attestation of a live model, appending the auditor
    /// to the model's list the first time.
    pub(crate) fn attest_as(
        &mut self,
        auditor: AccountId,
        model_id: ModelId,
        report_hash: Hash,
        expires_at: Timestamp,
    ) -> Result<ModelAttested> {
        ensure!(self.auditors.contains(auditor), Error::NotAuditor);
        let mut model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
        ensure!(model.status != ModelStatus::Delisted, Error::ModelDelisted);
        let now = self.env().block_timestamp();
        ensure!(expires_at > now, Error::ExpiryNotInFuture);
        if !self.attestations.contains((model_id, auditor)) {
            let slot = model.auditor_count;
            model.auditor_count = slot.checked_add(1).ok_or(Error::Overflow)?;
            self.model_auditors.insert((model_id, slot), &auditor);
            self.models.insert(model_id, &model);
        }
        let attestation = Attestation {
            model_id,
            auditor,
            report_hash,
            issued_at: now,
            expires_at,
            revoked: false,
        };
        self.attestations.insert((model_id, auditor), &attestation);
        Ok(ModelAttested {
            model_id,
            auditor,
            report_hash,
            expires_at,
        })
    }

    /// `revoke_attestation`: `auditor`'s live attestation of a model is revoked.
    pub(crate) fn revoke_as(
        &mut self,
        auditor: AccountId,
        model_id: ModelId,
    ) -> Result<AttestationRevoked> {
        let mut attestation = self
            .attestations
            .get((model_id, auditor))
            .filter(|a| !a.revoked)
            .ok_or(Error::AttestationNotFound)?;
        attestation.revoked = true;
        self.attestations.insert((model_id, auditor), &attestation);
        Ok(AttestationRevoked { model_id, auditor })
    }

    /// Refuses new listings while the admin has paused them.
    pub(crate) fn not_paused(&self) -> Result<()> {
        ensure!(!self.admin.paused(), Error::Paused);
        Ok(())
    }

    /// The model, if it exists and the caller owns it.
    pub(crate) fn owned_model(&self, model_id: ModelId) -> Result<Model> {
        let model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
        ensure!(model.owner == self.env().caller(), Error::NotModelOwner);
        Ok(model)
    }

    /// The model, if it exists, the caller owns it and it is not delisted.
    pub(crate) fn owned_live_model(&self, model_id: ModelId) -> Result<Model> {
        let model = self.owned_model(model_id)?;
        ensure!(model.status != ModelStatus::Delisted, Error::ModelDelisted);
        Ok(model)
    }

    /// The model, if it exists, the caller owns it and it is `Active`.
    pub(crate) fn owned_active_model(&self, model_id: ModelId) -> Result<Model> {
        let model = self.owned_model(model_id)?;
        ensure!(model.status == ModelStatus::Active, Error::ModelNotActive);
        Ok(model)
    }

    /// The offer, if it exists and is not retired.
    pub(crate) fn active_offer(&self, model_id: ModelId, offer_id: OfferId) -> Result<Offer> {
        let offer = self
            .offers
            .get((model_id, offer_id))
            .ok_or(Error::OfferNotFound)?;
        ensure!(offer.status == OfferStatus::Active, Error::OfferRetired);
        Ok(offer)
    }

    /// A new model's lineage: a parent, if named, exists and is not delisted, and the
    /// royalty is at most the current cap; without a parent, no royalty.
    pub(crate) fn check_lineage(&self, parent: Option<ModelId>, royalty_bps: Bps) -> Result<()> {
        let Some(parent_id) = parent else {
            ensure!(royalty_bps == 0, Error::RoyaltyWithoutParent);
            return Ok(());
        };
        let parent_model = self.models.get(parent_id).ok_or(Error::ParentNotFound)?;
        ensure!(
            parent_model.status != ModelStatus::Delisted,
            Error::ParentDelisted
        );
        ensure!(royalty_bps <= self.max_royalty_bps, Error::RoyaltyAboveCap);
        Ok(())
    }

    /// A successor, if named, is another model that exists and is not delisted.
    pub(crate) fn check_successor(
        &self,
        model_id: ModelId,
        successor: Option<ModelId>,
    ) -> Result<()> {
        let Some(successor_id) = successor else {
            return Ok(());
        };
        ensure!(successor_id != model_id, Error::InvalidSuccessor);
        let next = self
            .models
            .get(successor_id)
            .ok_or(Error::SuccessorNotFound)?;
        ensure!(
            next.status != ModelStatus::Delisted,
            Error::InvalidSuccessor
        );
        Ok(())
    }

    /// Stamps the model's `updated_at` and stores it.
    pub(crate) fn touch_and_store(&mut self, model_id: ModelId, model: &mut Model) {
        model.updated_at = self.env().block_timestamp();
        self.models.insert(model_id, model);
    }

    /// Fails with `Overflow` if one more model would overflow the list's length. Every
    /// list a message grows is checked before any of them is written.
    pub(crate) fn check_index_room(&self, key: IndexKey) -> Result<()> {
        ensure!(self.index.has_room(key), Error::Overflow);
        Ok(())
    }

    /// Moves a model from the tag lists of its `old_tags` to those of `new_keys`
    /// (checked tags), touching only the tags that changed.
    ///
    /// Errors: `Overflow` (a new tag's list is full), before anything is written.
    pub(crate) fn retag(
        &mut self,
        model_id: ModelId,
        old_tags: &[String],
        new_keys: &[TagKey],
    ) -> Result<()> {
        let old_keys: Vec<TagKey> = old_tags.iter().filter_map(|t| tag_key(t)).collect();
        let added: Vec<TagKey> = new_keys
            .iter()
            .filter(|k| !old_keys.contains(k))
            .copied()
            .collect();
        for key in &added {
            self.check_index_room(IndexKey::Tag(*key))?;
        }
        for key in old_keys.iter().filter(|k| !new_keys.contains(k)) {
            self.index.remove(IndexKey::Tag(*key), model_id);
        }
        for key in &added {
            self.index.push(IndexKey::Tag(*key), model_id);
        }
        Ok(())
    }

    /// A page of the models in one index list, with their records.
    pub(crate) fn index_page(
        &self,
        key: IndexKey,
        cursor: u64,
        limit: u32,
    ) -> Page<(ModelId, Model)> {
        self.index.page(key, cursor, limit, MAX_PAGE, |id| {
            self.models.get(id).map(|m| (id, m))
        })
    }

    /// `models`: a page of models by id, from id `cursor` (0 reads as 1).
    pub(crate) fn model_page(&self, cursor: u64, limit: u32) -> Page<(ModelId, Model)> {
        // Position `i` of the list is id `i`; id 0 is never used.
        let len = self.model_count.saturating_add(1);
        page(cursor.max(1), limit, MAX_PAGE, len, |id| {
            self.models.get(id).map(|m| (id, m))
        })
    }

    /// `models_by_tag`: a page of the tag's list; an invalid tag matches nothing.
    pub(crate) fn tag_page(&self, tag: &str, cursor: u64, limit: u32) -> Page<(ModelId, Model)> {
        match tag_key(tag) {
            Some(key) => self.index_page(IndexKey::Tag(key), cursor, limit),
            None => Page {
                items: Vec::new(),
                next: None,
            },
        }
    }

    /// `offers`: a page of a model's offers by id.
    pub(crate) fn offer_page(&self, model_id: ModelId, cursor: u64, limit: u32) -> Page<Offer> {
        let count = self.models.get(model_id).map_or(0, |m| m.offer_count);
        page(cursor, limit, MAX_PAGE, u64::from(count), |i| {
            let offer_id = OfferId::try_from(i).ok()?;
            self.offers.get((model_id, offer_id))
        })
    }

    /// `is_attestation_valid`: attested, not revoked, not expired, and the auditor
    /// still on the allow-list.
    pub(crate) fn attestation_live(&self, model_id: ModelId, auditor: AccountId) -> bool {
        let now = self.env().block_timestamp();
        self.auditors.contains(auditor)
            && self
                .attestations
                .get((model_id, auditor))
                .is_some_and(|a| !a.revoked && a.expires_at > now)
    }

    /// `attestations`: a page of a model's attestations, one per auditor that ever
    /// attested it, in the order they first did.
    pub(crate) fn attestation_page(
        &self,
        model_id: ModelId,
        cursor: u64,
        limit: u32,
    ) -> Page<Attestation> {
        let count = self.models.get(model_id).map_or(0, |m| m.auditor_count);
        page(cursor, limit, MAX_PAGE, u64::from(count), |i| {
            let slot = u32::try_from(i).ok()?;
            let auditor = self.model_auditors.get((model_id, slot))?;
            self.attestations.get((model_id, auditor))
        })
    }
}
