//! The logic of the license messages: planning a purchase (every check, and every value
//! it will write, before the vault is called), collecting the payment, recording settled
//! orders into an entitlement, metered units, ratings and the license views. A plain
//! `impl` block outside the contract module; what a license grants is decided in
//! [`crate::rules::licensing`].

use crate::calls;
use crate::errors::{Error, Result};
use crate::events::{LicensePurchased, LicenseRecorded, ModelRated, UnitsConsumed};
use crate::model_registry::ModelRegistry;
use crate::rules::licensing;
use crate::rules::validation::check_rating;
use crate::types::{Entitlement, License, MAX_PENDING_LICENSES};
use crate::types::{LicenseView, ModelStatus, OfferStatus, MAX_PAGE};
use ink::codegen::Env;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use market_types::storage::page;
use market_types::{
    ensure, Asset, Balance, EscrowId, LicenseId, ModelId, OfferId, OrderTerms, Page, Royalty,
    Timestamp,
};

/// Licenses whose orders were seen settled, with their outcome recorded, to store.
pub(crate) type Recorded = Vec<(LicenseId, License)>;

/// Everything a purchase writes once the vault has opened its order.
pub(crate) struct Purchase {
    pub license_id: LicenseId,
    /// The new license; its `escrow_id` is set once the vault opened the order.
    pub license: License,
    /// The buyer's entitlement for the model, with the new license pending.
    pub entitlement: Entitlement,
    /// Settled licenses recorded on the way.
    pub recorded: Recorded,
    /// Position of the license in the buyer's list, and that list's new length.
    pub account_pos: u32,
    pub account_len: u32,
    /// Position of the license in the buyer's list for the model.
    pub model_pos: u32,
}

impl Purchase {
    /// The event of the purchase.
    pub(crate) fn event(&self) -> LicensePurchased {
        let l = &self.license;
        LicensePurchased {
            license_id: self.license_id,
            model_id: l.model_id,
            buyer: l.buyer,
            offer_id: l.offer_id,
            offer_version: l.offer_version,
            vault: l.vault,
            escrow_id: l.escrow_id,
            price: l.price,
            asset: l.asset,
        }
    }
}

impl ModelRegistry {
    /// Every check of `purchase_license`, in the order its doc lists them (but for
    /// `Overflow`, refused where its sum is made: the license id and the delivery
    /// deadline right after `WrongPayment`), and what it will write; plus the terms of
    /// the order to open in the vault. Reads only.
    pub(crate) fn plan_purchase(
        &self,
        buyer: AccountId,
        model_id: ModelId,
        offer_id: OfferId,
        offer_version: u32,
    ) -> Result<(Purchase, OrderTerms)> {
        let value = self.env().transferred_value();
        let now = self.env().block_timestamp();
        let model = self.models.get(model_id).ok_or(Error::ModelNotFound)?;
        ensure!(model.status == ModelStatus::Active, Error::ModelNotActive);
        let offer = self
            .offers
            .get((model_id, offer_id))
            .ok_or(Error::OfferNotFound)?;
        ensure!(offer.status == OfferStatus::Active, Error::OfferRetired);
        ensure!(offer.version == offer_version, Error::OfferChanged);
        ensure!(buyer != model.owner, Error::CannotBuyOwnModel);
        let vault = self.vault.ok_or(Error::VaultNotSet)?;
        let expected = match offer.asset {
            Asset::Native => offer.price,
            Asset::Psp22(_) => 0,
        };
        ensure!(value == expected, Error::WrongPayment);
        let license_id = self.license_count.checked_add(1).ok_or(Error::Overflow)?;
        let delivery_deadline = now
            .checked_add(self.delivery_period_ms)
            .ok_or(Error::Overflow)?;
        let royalties = match model.parent {
            // Parents are never removed, so the lookup cannot fail in practice.
            Some(parent) if model.royalty_bps > 0 => {
                let parent = self.models.get(parent).ok_or(Error::ParentNotFound)?;
                ink::prelude::vec![Royalty {
                    receiver: parent.owner,
                    bps: model.royalty_bps,
                }]
            }
            _ => Vec::new(),
        };
        // Settled purchases leave the pending list first, so a buyer is only ever held
        // up by orders that are really still open.
        let (mut entitlement, recorded) = self.refreshed(buyer, model_id);
        ensure!(
            entitlement.pending.len() < MAX_PENDING_LICENSES,
            Error::TooManyPendingLicenses
        );
        let account_pos = self.account_license_count.get(buyer).unwrap_or(0);
        let account_len = account_pos.checked_add(1).ok_or(Error::Overflow)?;
        let model_pos = entitlement.bought;
        entitlement.bought = model_pos.checked_add(1).ok_or(Error::Overflow)?;
        entitlement.pending.push(license_id);
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
        let license = License {
            buyer,
            model_id,
            offer_id,
            offer_version,
            kind: offer.kind,
            price: offer.price,
            asset: offer.asset,
            vault,
            escrow_id: 0,
            purchased_at: now,
            granted: None,
            released_at: None,
        };
        let purchase = Purchase {
            license_id,
            license,
            entitlement,
            recorded,
            account_pos,
            account_len,
            model_pos,
        };
        Ok((purchase, terms))
    }

    /// Moves the buyer's payment into the vault through an order the registry opens for
    /// the buyer, and returns the order's id. PSP22 tokens go from the buyer straight
    /// to the vault on the buyer's approval of the registry (the contract the buyer
    /// calls), and the vault counts what arrived: one token call, and no contract
    /// spends an approval given to another.
    ///
    /// These calls are the purchase's last reads: no other contract may re-enter the
    /// registry meanwhile (ink! denies re-entry unless asked), and everything is
    /// written after them.
    pub(crate) fn collect_payment(
        &self,
        license: &License,
        terms: OrderTerms,
        value: Balance,
    ) -> Result<EscrowId> {
        if let Asset::Psp22(token) = license.asset {
            calls::transfer_from(token, license.buyer, license.vault, license.price)?;
        }
        calls::open_order(license.vault, license.buyer, terms, value)
    }

    /// Writes a planned purchase whose order is open.
    pub(crate) fn apply_purchase(&mut self, p: &Purchase) {
        let buyer = p.license.buyer;
        let model_id = p.license.model_id;
        self.store_recorded(&p.recorded);
        self.licenses.insert(p.license_id, &p.license);
        self.entitlements.insert((buyer, model_id), &p.entitlement);
        self.account_licenses
            .insert((buyer, p.account_pos), &p.license_id);
        self.account_license_count.insert(buyer, &p.account_len);
        self.model_licenses
            .insert((buyer, model_id, p.model_pos), &p.license_id);
        self.license_count = p.license_id;
    }

    /// `consume_units` once the caller is known to own the model: records settled
    /// licenses, then counts `units` (not zero) against the account's metered pool.
    pub(crate) fn consume(
        &mut self,
        account: AccountId,
        model_id: ModelId,
        units: u64,
    ) -> Result<UnitsConsumed> {
        let (mut ent, recorded) = self.refreshed(account, model_id);
        ensure!(ent.units_bought != 0, Error::NotMetered);
        let used = ent
            .units_used
            .checked_add(units)
            .ok_or(Error::UnitsExhausted)?;
        let remaining = ent
            .units_bought
            .checked_sub(used)
            .ok_or(Error::UnitsExhausted)?;
        ent.units_used = used;
        self.commit_refreshed(account, model_id, &ent, &recorded);
        Ok(UnitsConsumed {
            model_id,
            account,
            units,
            remaining,
        })
    }

    /// `rate_model`: records settled licenses, then counts `rater`'s stars, once, if one
    /// of its licenses for the model was granted.
    pub(crate) fn rate(
        &mut self,
        rater: AccountId,
        model_id: ModelId,
        stars: u8,
    ) -> Result<ModelRated> {
        check_rating(stars)?;
        ensure!(self.models.contains(model_id), Error::ModelNotFound);
        let (mut ent, recorded) = self.refreshed(rater, model_id);
        ensure!(!ent.rated, Error::AlreadyRated);
        ensure!(ent.granted != 0, Error::LicenseNotReleased);
        let mut totals = self.ratings.get(model_id).unwrap_or_default();
        totals.sum = totals
            .sum
            .checked_add(u64::from(stars))
            .ok_or(Error::Overflow)?;
        totals.count = totals.count.checked_add(1).ok_or(Error::Overflow)?;
        ent.rated = true;
        self.ratings.insert(model_id, &totals);
        self.commit_refreshed(rater, model_id, &ent, &recorded);
        Ok(ModelRated {
            model_id,
            rater,
            stars,
        })
    }

    /// Whether any of `account`'s licenses for `model_id` is usable now (see
    /// `has_valid_license`).
    pub(crate) fn any_valid_license(&self, account: AccountId, model_id: ModelId) -> bool {
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

    /// The license, if it exists and the caller bought it.
    pub(crate) fn held_license(&self, license_id: LicenseId) -> Result<License> {
        let license = self
            .licenses
            .get(license_id)
            .ok_or(Error::LicenseNotFound)?;
        ensure!(
            self.env().caller() == license.buyer,
            Error::NotLicenseHolder
        );
        Ok(license)
    }

    /// Records the outcome of a pending license's order (released in full at
    /// `released_at`, or not granted) into its buyer's entitlement, stores both and
    /// emits `LicenseRecorded`.
    pub(crate) fn record_outcome(
        &mut self,
        license_id: LicenseId,
        mut license: License,
        released_at: Option<Timestamp>,
    ) {
        let key = (license.buyer, license.model_id);
        let mut ent = self.entitlements.get(key).unwrap_or_default();
        ent.record(license_id, &mut license, released_at);
        self.licenses.insert(license_id, &license);
        self.entitlements.insert(key, &ent);
        self.emit_recorded(&[(license_id, license)]);
    }

    /// `account`'s entitlement for `model_id` with every pending license whose
    /// order has settled recorded into it (not stored; the caller stores it with
    /// the returned licenses). At most `MAX_PENDING_LICENSES` vault reads.
    pub(crate) fn refreshed(
        &self,
        account: AccountId,
        model_id: ModelId,
    ) -> (Entitlement, Recorded) {
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

    /// Stores a refreshed entitlement and the licenses recorded into it, and emits
    /// `LicenseRecorded` for each of them.
    pub(crate) fn commit_refreshed(
        &mut self,
        account: AccountId,
        model_id: ModelId,
        ent: &Entitlement,
        recorded: &[(LicenseId, License)],
    ) {
        self.store_recorded(recorded);
        self.entitlements.insert((account, model_id), ent);
        self.emit_recorded(recorded);
    }

    fn store_recorded(&mut self, recorded: &[(LicenseId, License)]) {
        for (id, license) in recorded {
            self.licenses.insert(*id, license);
        }
    }

    /// Emits `LicenseRecorded` for each license whose outcome was just recorded.
    pub(crate) fn emit_recorded(&self, recorded: &[(LicenseId, License)]) {
        for (id, license) in recorded {
            self.env().emit_event(LicenseRecorded {
                license_id: *id,
                model_id: license.model_id,
                buyer: license.buyer,
                granted: license.granted == Some(true),
            });
        }
    }

    /// `licenses_of`: a page of every license `account` bought, oldest first.
    pub(crate) fn account_license_page(
        &self,
        account: AccountId,
        cursor: u64,
        limit: u32,
    ) -> Page<LicenseView> {
        let len = self.account_license_count.get(account).unwrap_or(0);
        self.license_page(len, cursor, limit, |pos| {
            self.account_licenses.get((account, pos))
        })
    }

    /// `licenses_for_model`: a page of `account`'s licenses for `model_id`, oldest first.
    pub(crate) fn model_license_page(
        &self,
        account: AccountId,
        model_id: ModelId,
        cursor: u64,
        limit: u32,
    ) -> Page<LicenseView> {
        let len = self
            .entitlements
            .get((account, model_id))
            .map_or(0, |e| e.bought);
        self.license_page(len, cursor, limit, |pos| {
            self.model_licenses.get((account, model_id, pos))
        })
    }

    /// A page of licenses from a list of `len`, whose id at each position `id_at` reads.
    pub(crate) fn license_page(
        &self,
        len: u32,
        cursor: u64,
        limit: u32,
        id_at: impl Fn(u32) -> Option<LicenseId>,
    ) -> Page<LicenseView> {
        page(cursor, limit, MAX_PAGE, u64::from(len), |i| {
            self.license_view(id_at(u32::try_from(i).ok()?)?)
        })
    }

    /// One license with where it stands and its order's status, read from the vault it
    /// was paid into.
    pub(crate) fn license_view(&self, license_id: LicenseId) -> Option<LicenseView> {
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
}
