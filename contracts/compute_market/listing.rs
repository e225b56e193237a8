//! The contract's private helpers for offers, attestations, the views and the guards.
//! Each method named after a message in backticks does that message's checks (and,
//! for `plan_*`, returns what it will write without writing), so a message reads:
//! check, plan, call, apply, emit. A plain `impl` block outside the contract module;
//! the rules themselves live in [`crate::rules::offers`] and [`crate::rules::rentals`].

use crate::calls;
use crate::compute_market::ComputeMarket;
use crate::errors::{Error, Result};
use crate::events::{
    OfferAttestationRevoked, OfferAttested, OfferPaused, OfferPublished, OfferResumed,
    OfferRetired, OfferUpdated,
};
use crate::rules::offers::{self, check_specs, check_start_window, check_terms, Spec, Terms};
use crate::rules::rentals::free_gpus;
use crate::types::{
    Attestation, Config, Offer, OfferId, OfferKey, OfferStatus, OfferView, Rental, RentalId,
    RentalKey, MAX_PAGE,
};
use ink::codegen::Env;
use ink::primitives::{AccountId, Hash};
use ink::storage::Mapping;
use market_types::admin::{self, Admin};
use market_types::storage::Pos;
use market_types::{
    ensure, AdminError, Asset, Balance, Page, Timestamp, VaultError, MAX_PERIOD_MS,
};

/// A period the constructor is given (`hour_ms`, `max_start_window_ms`): 1 ms up to
/// The three lists a new offer joins (its provider's, GPU model's and region's), each
/// with the position it goes at.
pub(crate) type IndexSlots = [(OfferKey, Pos); 3];

/// `MAX_PERIOD_MS`, checked as `MarketAdmin::set_max_start_window` checks it, refused
/// in the market's words (`InvalidPeriod`, `PeriodTooLong`).
pub(crate) fn check_period(ms: u64) -> Result<()> {
    admin::check_period(ms).map_err(|e| match e {
        AdminError::PeriodTooLong => Error::PeriodTooLong,
        _ => Error::InvalidPeriod,
    })
}

impl ComputeMarket {
    /// A market with no offers, rentals or allowed tokens yet, open for new offers and
    /// rentals (not paused).
    pub(crate) fn empty(admin: AccountId, c: Config) -> Self {
        Self {
            admin: Admin::new(admin),
            vault: c.vault,
            auditors: c.auditors,
            hour_ms: c.hour_ms,
            collateral_ratio_bps: c.collateral_ratio_bps,
            no_show_bps: c.no_show_bps,
            max_start_window_ms: c.max_start_window_ms,
            min_charge_hours: c.min_charge_hours,
            offer_count: 0,
            offers: Mapping::default(),
            attestations: Mapping::default(),
            offer_index: Default::default(),
            rental_count: 0,
            rentals: Mapping::default(),
            rental_index: Default::default(),
            reputations: Mapping::default(),
            renters_seen: Mapping::default(),
            volumes: Mapping::default(),
            min_counted: Mapping::default(),
        }
    }

    /// Every check of `publish_offer`, in the order its doc lists them, and the offer
    /// it will store (its `collateral_id` set once the vault locked it). Reads only.
    pub(crate) fn plan_publish(
        &self,
        provider: AccountId,
        spec: Spec,
        terms: Terms,
        asset: Asset,
    ) -> Result<(OfferId, Offer, IndexSlots)> {
        self.not_paused()?;
        let (gpu_key, region_key) =
            check_specs(&spec.gpu_model, &spec.region, spec.vram_gb, spec.capacity)?;
        check_terms(&terms, self.hour_ms)?;
        check_start_window(spec.start_window_ms, self.max_start_window_ms)?;
        ensure!(self.admin.allows(asset), Error::AssetNotAllowed);
        let collateral = offers::collateral_for(
            terms.price_per_gpu_hour,
            spec.capacity,
            terms.max_hours,
            self.collateral_ratio_bps,
        )?;
        ensure!(collateral > 0, Error::ZeroCollateral);
        self.check_payment(asset, collateral)?;
        let offer_id = self.offer_count.checked_add(1).ok_or(Error::Overflow)?;
        // Each list's length is read once, here: the three lists differ (three kinds of
        // key) and the new id is in none, so `apply_publish` appends at these positions.
        let mut slots = [
            (OfferKey::Provider(provider), 0),
            (OfferKey::Gpu(gpu_key), 0),
            (OfferKey::Region(region_key), 0),
        ];
        for (key, pos) in slots.iter_mut() {
            *pos = self.offer_index.next_pos(*key).ok_or(Error::Overflow)?;
        }
        let now = self.env().block_timestamp();
        let expires_at = now.checked_add(MAX_PERIOD_MS).ok_or(Error::Overflow)?;
        let offer = Offer {
            provider,
            gpu_model: spec.gpu_model,
            vram_gb: spec.vram_gb,
            capacity: spec.capacity,
            region: spec.region,
            price_per_gpu_hour: terms.price_per_gpu_hour,
            min_hours: terms.min_hours,
            max_hours: terms.max_hours,
            asset,
            endpoint_hash: spec.endpoint_hash,
            start_window_ms: spec.start_window_ms,
            status: OfferStatus::Active,
            version: 1,
            vault: self.vault,
            collateral_id: 0,
            collateral,
            expires_at,
            in_use: 0,
            open_rentals: 0,
            penalties_reserved: 0,
            created_at: now,
        };
        Ok((offer_id, offer, slots))
    }

    /// Locks a planned offer's collateral in its vault for its provider, until the
    /// offer expires. PSP22 collateral goes from the provider (on its approval of the
    /// market) straight to the vault. These calls are
    /// the message's last reads; everything is written after them.
    pub(crate) fn lock_collateral_for(&self, offer: &Offer) -> Result<u64> {
        let value = self.env().transferred_value();
        self.pull_payment(offer.asset, offer.provider, offer.vault, offer.collateral)?;
        calls::lock_collateral(
            offer.vault,
            offer.provider,
            offer.asset,
            offer.collateral,
            offer.expires_at,
            value,
        )
    }

    /// Writes a planned offer whose collateral is locked, appending it to its
    /// provider's, GPU model's and region's lists at the positions `plan_publish` read
    /// (the vault call in between cannot re-enter the market).
    pub(crate) fn apply_publish(&mut self, offer_id: OfferId, offer: &Offer, slots: IndexSlots) {
        self.offer_count = offer_id;
        self.offers.insert(offer_id, offer);
        for (key, pos) in slots {
            self.offer_index.push_new(key, pos, offer_id);
        }
    }

    /// The event of a published offer.
    pub(crate) fn published(offer_id: OfferId, o: &Offer) -> OfferPublished {
        OfferPublished {
            offer_id,
            provider: o.provider,
            gpu_model: o.gpu_model.clone(),
            vram_gb: o.vram_gb,
            capacity: o.capacity,
            region: o.region.clone(),
            price_per_gpu_hour: o.price_per_gpu_hour,
            min_hours: o.min_hours,
            max_hours: o.max_hours,
            asset: o.asset,
            endpoint_hash: o.endpoint_hash,
            start_window_ms: o.start_window_ms,
            vault: o.vault,
            collateral_id: o.collateral_id,
            collateral: o.collateral,
            expires_at: o.expires_at,
        }
    }

    /// `update_offer`: new price and hours under the next version, if the collateral
    /// still covers them at the current ratio.
    pub(crate) fn change_offer(&mut self, offer_id: OfferId, terms: Terms) -> Result<OfferUpdated> {
        let mut offer = self.live_offer(offer_id)?;
        check_terms(&terms, self.hour_ms)?;
        let needed = offers::collateral_for(
            terms.price_per_gpu_hour,
            offer.capacity,
            terms.max_hours,
            self.collateral_ratio_bps,
        )?;
        ensure!(needed <= offer.collateral, Error::CollateralShort);
        offer.version = offer.version.checked_add(1).ok_or(Error::Overflow)?;
        offer.price_per_gpu_hour = terms.price_per_gpu_hour;
        offer.min_hours = terms.min_hours;
        offer.max_hours = terms.max_hours;
        self.offers.insert(offer_id, &offer);
        Ok(OfferUpdated {
            offer_id,
            version: offer.version,
            price_per_gpu_hour: terms.price_per_gpu_hour,
            min_hours: terms.min_hours,
            max_hours: terms.max_hours,
        })
    }

    /// `pause_offer`: an active offer of the caller's is paused.
    pub(crate) fn pause(&mut self, offer_id: OfferId) -> Result<OfferPaused> {
        let mut offer = self.live_offer(offer_id)?;
        ensure!(offer.status == OfferStatus::Active, Error::OfferNotActive);
        offer.status = OfferStatus::Paused;
        self.offers.insert(offer_id, &offer);
        Ok(OfferPaused { offer_id })
    }

    /// `resume_offer`: a paused offer of the caller's is active again.
    pub(crate) fn resume(&mut self, offer_id: OfferId) -> Result<OfferResumed> {
        let mut offer = self.live_offer(offer_id)?;
        ensure!(offer.status == OfferStatus::Paused, Error::OfferNotPaused);
        offer.status = OfferStatus::Active;
        self.offers.insert(offer_id, &offer);
        Ok(OfferResumed { offer_id })
    }

    /// The checks of `retire_offer`: the caller's offer, not retired, with no rental
    /// whose stream is unsettled.
    pub(crate) fn retirable(&self, offer_id: OfferId) -> Result<Offer> {
        let offer = self.live_offer(offer_id)?;
        ensure!(offer.open_rentals == 0, Error::RentalsOpen);
        Ok(offer)
    }

    /// Releases a retiring offer's collateral to the provider's vault credit; `false`
    /// when the vault no longer holds the lock (taken back by the provider after it
    /// expired): nothing is left to release, and retiring must not be blocked by it.
    /// With no rental open here, a lock the vault still counts in use is held for a
    /// dispute over a stream its provider refunded: `CollateralHeld`, nothing changed.
    pub(crate) fn release_collateral_of(&self, offer: &Offer) -> Result<bool> {
        match calls::release_collateral(offer.vault, offer.collateral_id) {
            Ok(()) => Ok(true),
            Err(Error::Vault(VaultError::CollateralNotFound)) => Ok(false),
            Err(Error::Vault(VaultError::CollateralInUse)) => Err(Error::CollateralHeld),
            Err(e) => Err(e),
        }
    }

    /// Writes a retired offer: final, out of the search indexes, no collateral left.
    pub(crate) fn apply_retire(
        &mut self,
        offer_id: OfferId,
        mut offer: Offer,
        released: bool,
    ) -> OfferRetired {
        for key in Self::search_keys(&offer) {
            self.offer_index.remove(key, offer_id);
        }
        offer.status = OfferStatus::Retired;
        offer.collateral = 0;
        self.offers.insert(offer_id, &offer);
        OfferRetired {
            offer_id,
            provider: offer.provider,
            released,
        }
    }

    /// `attest_offer`: `auditor`'s attestation of a live offer replaces any earlier one.
    pub(crate) fn attest_as(
        &mut self,
        auditor: AccountId,
        offer_id: OfferId,
        report_hash: Hash,
        expires_at: Timestamp,
    ) -> Result<OfferAttested> {
        let offer = self.offers.get(offer_id).ok_or(Error::OfferNotFound)?;
        ensure!(offer.status != OfferStatus::Retired, Error::OfferRetired);
        ensure!(auditor != offer.provider, Error::CannotAttestOwnOffer);
        let now = self.env().block_timestamp();
        ensure!(expires_at > now, Error::ExpiryNotInFuture);
        ensure!(
            calls::is_auditor(self.auditors, auditor)?,
            Error::NotAuditor
        );
        let attestation = Attestation {
            auditor,
            report_hash,
            issued_at: now,
            expires_at,
        };
        self.attestations.insert(offer_id, &attestation);
        Ok(OfferAttested {
            offer_id,
            auditor,
            report_hash,
            expires_at,
        })
    }

    /// `revoke_offer_attestation`: `auditor`'s attestation of the offer is removed.
    pub(crate) fn revoke_as(
        &mut self,
        auditor: AccountId,
        offer_id: OfferId,
    ) -> Result<OfferAttestationRevoked> {
        let attestation = self
            .attestations
            .get(offer_id)
            .filter(|a| a.auditor == auditor)
            .ok_or(Error::AttestationNotFound)?;
        self.attestations.remove(offer_id);
        Ok(OfferAttestationRevoked {
            offer_id,
            auditor: attestation.auditor,
        })
    }

    // ------------------------------------------------------------ payments

    /// Native payments need exactly `amount` as value; PSP22 ones none.
    pub(crate) fn check_payment(&self, asset: Asset, amount: Balance) -> Result<()> {
        let expected = match asset {
            Asset::Native => amount,
            Asset::Psp22(_) => 0,
        };
        ensure!(
            self.env().transferred_value() == expected,
            Error::WrongPayment
        );
        Ok(())
    }

    /// For a PSP22 `asset`, moves `amount` from `payer` (who approved the market)
    /// straight to `vault`, which counts what arrived when the market's call follows:
    /// one token call, and the vault never spends an approval given to anyone else.
    /// Native: nothing (the value is forwarded with the vault call).
    pub(crate) fn pull_payment(
        &self,
        asset: Asset,
        payer: AccountId,
        vault: AccountId,
        amount: Balance,
    ) -> Result<()> {
        if let Asset::Psp22(token) = asset {
            calls::transfer_from(token, payer, vault, amount)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------ guards

    /// Refuses anyone but the admin.
    pub(crate) fn only_admin(&self) -> core::result::Result<(), AdminError> {
        self.admin.ensure_admin(self.env().caller())
    }

    /// Refuses new offers and rentals while the admin has paused them.
    pub(crate) fn not_paused(&self) -> Result<()> {
        ensure!(!self.admin.paused(), Error::Paused);
        Ok(())
    }

    /// The offer, if it exists, the caller provides it and it is not retired.
    pub(crate) fn live_offer(&self, offer_id: OfferId) -> Result<Offer> {
        let offer = self.offers.get(offer_id).ok_or(Error::OfferNotFound)?;
        ensure!(offer.provider == self.env().caller(), Error::NotProvider);
        ensure!(offer.status != OfferStatus::Retired, Error::OfferRetired);
        Ok(offer)
    }

    /// The region and GPU-model lists an offer is in while not retired.
    fn search_keys(offer: &Offer) -> impl Iterator<Item = OfferKey> {
        // Stored texts were checked when published, so their keys exist.
        let gpu = offers::text_key(&offer.gpu_model).map(OfferKey::Gpu);
        let region = offers::text_key(&offer.region).map(OfferKey::Region);
        gpu.into_iter().chain(region)
    }

    // ------------------------------------------------------------ views

    /// One offer with its provider's reputation, its free GPUs and its attestation
    /// while valid: unexpired, and its auditor still on the list (one call to the
    /// auditor list per attested offer shown).
    pub(crate) fn offer_view(&self, offer_id: OfferId) -> Option<OfferView> {
        let offer = self.offers.get(offer_id)?;
        Some(self.view_of(offer_id, offer))
    }

    fn view_of(&self, offer_id: OfferId, offer: Offer) -> OfferView {
        let now = self.env().block_timestamp();
        let attestation = self.attestations.get(offer_id).filter(|a| {
            a.expires_at > now && calls::is_auditor(self.auditors, a.auditor) == Ok(true)
        });
        OfferView {
            offer_id,
            reputation: self.reputations.get(offer.provider).unwrap_or_default(),
            volume: self.volumes.get((offer.provider, offer.asset)).unwrap_or(0),
            free_gpus: free_gpus(&offer),
            attestation,
            offer,
        }
    }

    /// A page of one offer list, every entry shown.
    pub(crate) fn index_page(&self, key: OfferKey, cursor: u64, limit: u32) -> Page<OfferView> {
        self.offer_index
            .page(key, cursor, limit, MAX_PAGE, |id| self.offer_view(id))
    }

    /// The bounded scan behind `offers_by_region` and `offers_by_gpu` (see
    /// [`offers::scan`]): rentable offers (active, not expired) within the filters.
    pub(crate) fn search(
        &self,
        key: Option<OfferKey>,
        cursor: u64,
        limit: u32,
        max_price: Option<Balance>,
        min_vram: Option<u16>,
    ) -> Page<OfferView> {
        let Some(key) = key else {
            return Page {
                items: Default::default(),
                next: None,
            };
        };
        let now = self.env().block_timestamp();
        let len = u64::from(self.offer_index.len(key));
        offers::scan(cursor, limit, len, |i| {
            let id = self.offer_index.get(key, u32::try_from(i).ok()?)?;
            let offer = self.offers.get(id)?;
            let matches = offer.status == OfferStatus::Active
                && now < offer.expires_at
                && max_price.is_none_or(|p| offer.price_per_gpu_hour <= p)
                && min_vram.is_none_or(|v| offer.vram_gb >= v);
            matches.then(|| self.view_of(id, offer))
        })
    }

    /// A page of one rental list, with the rentals.
    pub(crate) fn rental_page(
        &self,
        key: RentalKey,
        cursor: u64,
        limit: u32,
    ) -> Page<(RentalId, Rental)> {
        self.rental_index.page(key, cursor, limit, MAX_PAGE, |id| {
            self.rentals.get(id).map(|r| (id, r))
        })
    }
}
