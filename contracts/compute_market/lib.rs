//! # compute_market
//!
//! The GPU-compute rental market of the AI-model marketplace: providers publish GPU
//! offers backed by collateral, renters book GPU hours paid into a vault stream, and
//! every ending — started and run, stopped early, never started, disputed — is read
//! back from the vault into the provider's reputation.
//!
//! ## Overview
//! An **offer** says what a provider rents out (GPU model, VRAM, how many GPUs at once,
//! region, endpoint hash), at what price per GPU-hour, for how many hours per rental
//! (`min_hours..=max_hours`), in which asset, and how long the provider may take to
//! start a rental. Publishing it locks collateral in the escrow vault:
//! `price × capacity × max_hours × collateral_ratio_bps / 10 000` (rounded down,
//! exact), i.e. the ratio of the most the offer can ever have rented out at once. The
//! lock runs `MAX_PERIOD_MS` (366 days); afterwards the offer takes no new rentals.
//!
//! A **rental** books `gpus` GPUs for `hours` at the offer version the renter saw
//! (a changed offer is refused with `OfferChanged`, never charged). It pays
//! `price × gpus × hours` into a stream the market opens in the offer's vault for the
//! renter: it waits until the provider `start`s it (within the offer's start window),
//! then pays the provider pro rata over `hours × hour_ms`; the provider claims at the
//! vault. If the provider does not start in time, anyone may `cancel_no_show`: the
//! renter gets everything back plus `no_show_bps` of it out of the collateral. The
//! renter may `end_early` (unused time refunded) and `extend` up to `max_hours`.
//! Withdrawing a booking or ending a rental early pays the provider at least its
//! **minimum charge** — the price of its first `min_charge_hours` hours (governed, 1 at
//! deployment, at most the rental's hours), the stream's `min_payout` at the vault — so
//! booking a provider's GPUs and letting go at once is never free for the one who
//! does it. Disputes are opened at the vault directly; `settle` reads the outcome
//! back, and gives a disputed rental's GPUs back as soon as its stream is frozen. An
//! "hour" is `hour_ms`, fixed at deployment: 3 600 000 on a real network (the deploy
//! script's default), 2 000 in the demo and bench, 1 000 or 60 000 in most e2e tests.
//!
//! **Finding offers**: `offers_by_region` and `offers_by_gpu(text, cursor, limit,
//! max_price, min_vram)` examine at most `MAX_SCAN` (50) index entries per call and
//! return at most `MAX_PAGE` (10) matches with a `next` cursor that continues the scan,
//! so a page may be empty yet have a `next`; paused, retired and expired offers never
//! match. Every offer view carries the provider's reputation and volume, the GPUs free
//! now and the offer's attestation while valid. For richer search (by price, VRAM,
//! reputation) an indexer follows the offer and rental events.
//!
//! ## Roles
//! - **Provider**: publishes, updates (price, hours), pauses, resumes and retires its
//!   offers; starts rentals; claims pay at the vault.
//! - **Renter**: rents, ends early, extends; disputes at the vault.
//! - **Auditor**: an account on the model registry's auditor list (the marketplace's
//!   one list, read through `market_types::Auditors`) attests an offer's specs with a
//!   report hash and an expiry, and may revoke its attestation.
//! - **Anyone**: cancels a rental the provider did not start in time, settles a rental
//!   whose time is over or whose stream the vault settled.
//! - **Admin**: the deployer, later the DAO (two-step handover:
//!   `Administered::propose_admin`, `Administered::accept_admin`); sets the collateral
//!   ratio and no-show penalty (`MarketAdmin::set_ratios`), the longest start window,
//!   the PSP22 assets offers may use, the vault new offers lock in and the auditor
//!   list, the minimum charge of new rentals (`MarketAdmin::set_rental_rules`) and the
//!   least a rental must pay to count in reputation
//!   (`MarketAdmin::set_min_counted_value`, per asset), and may pause new offers and
//!   rentals (`Administered::set_paused`: `publish_offer` and `rent` refuse with
//!   `Paused`; rentals in flight start, run, extend, end and settle as usual, and offers
//!   can still be updated and retired). `hour_ms` is fixed at deployment: rentals in
//!   flight extend by whole hours of the length they were opened with. The admin
//!   messages implement the `Administered` and `MarketAdmin` traits of
//!   `market_types::governed`, which the DAO calls them through; the handover, the
//!   pause flag and the token allow-list are the shared `market_types::admin::Admin`,
//!   whose events (`AdminProposed`, `AdminChanged`, `PauseChanged`, `VaultChanged`,
//!   `AssetAllowanceChanged`) are the registry's too.
//!
//! ## Invariants
//! - Capacity: for every offer, `in_use` is the sum of the GPUs of its booked and
//!   running rentals, so never above `capacity`; a rental gives its GPUs back exactly
//!   once, whichever path ends it (`cancel_no_show`, `end_early`, `settle`).
//! - Collateral: an offer's collateral covers its largest exposure at the ratio in
//!   force when it was published or last updated, and the no-show penalties of its
//!   rentals not closed (`penalties_reserved ≤ collateral`); an offer with an open rental
//!   cannot be retired, so its collateral never leaves while a stream depends on it
//!   (the vault enforces the same), nor while the vault holds it for a dispute over a
//!   stream its provider refunded (`retire_offer` refuses with `CollateralHeld`).
//! - Reputation: every closed rental counts once (see [`rules::reputation`], which
//!   also says what counts as lost and as a no-show): in its outcome's counter if it
//!   paid at least the minimum counted value of its asset, else in `below_minimum`;
//!   beside the counts, each provider's distinct renters and the volume its completed
//!   rentals paid it, per asset.
//! - Lists a stranger can grow only by paying: a provider's open rentals
//!   (`rentals_of(.., Party::ProviderOpen, ..)`) hold only rentals not closed yet, so
//!   bookings withdrawn at once (each paying its minimum charge) leave it again.
//! - Every byte field is checked against its cap before anything is stored; a message
//!   that returns `Err` has changed nothing and emitted nothing; every state change
//!   emits one event.
//! - No message loops over an unbounded set: indexes are swap-remove lists
//!   (`market_types::storage::SwapIndex`), pages hold at most `MAX_PAGE` items, and a
//!   search examines at most `MAX_SCAN` index entries per call.
//!
//! ## Errors
//! One [`Error`] enum; each variant names the state that refused the call (`Paused`:
//! the admin paused new offers and rentals), and wraps the vault's or a token's own
//! refusal (`Vault(..)`, `Token(..)`). The admin messages refuse with the shared
//! `market_types::AdminError` (`NotAdmin`, `NotPendingAdmin`, `InvalidPeriod`,
//! `PeriodTooLong`, `OutOfRange`). Each message's doc says who may call it, its
//! errors and its events; the views never fail and emit nothing.
//!
//! ## Code map
//! `lib.rs`: storage, the constructor and the messages (check, plan, apply, emit) ·
//! `types.rs`, `events.rs`, `errors.rs` · pure logic in [`rules`]: [`rules::offers`]
//! (validation, collateral sizing, text keys, the bounded scan), [`rules::rentals`]
//! (cost, hours, capacity), [`rules::reputation`] · contract helpers: `listing.rs` (offers, attestations,
//! views, guards), `booking.rs` (rentals) · `calls.rs`: every call into the vault,
//! PSP22 tokens and the auditor list (in unit tests answered by the stand-ins of
//! `market_types::testing`) ·
//! `tests.rs` and `tests/`: the unit tests.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub use self::compute_market::{ComputeMarket, ComputeMarketRef};
pub use self::errors::Error;
/// Every event, for dApps and tests that decode them.
pub use self::events::*;
pub use self::types::{
    Attestation, Config, Offer, OfferId, OfferStatus, OfferView, Outcome, Party, Rental, RentalId,
    RentalStatus, Reputation, MAX_CAPACITY, MAX_COLLATERAL_RATIO_BPS, MAX_MIN_CHARGE_HOURS,
    MAX_PAGE, MAX_SCAN, MAX_TEXT_LEN,
};

mod booking;
mod calls;
mod errors;
mod events;
mod listing;
pub mod rules;
#[cfg(test)]
mod tests;
mod types;

#[ink::contract]
mod compute_market {
    use crate::errors::Result;
    use crate::events::*;
    use crate::rules::offers::{check_ratios, text_key, Spec, Terms};
    use crate::types::{
        Attestation, Config, Offer, OfferId, OfferIndex, OfferKey, OfferView, Party, Rental,
        RentalId, RentalIndex, RentalKey, Reputation, MAX_COLLATERAL_RATIO_BPS,
        MAX_MIN_CHARGE_HOURS,
    };
    use ink::prelude::string::String;
    use ink::storage::Mapping;
    use market_types::admin::{check_period, Admin};
    use market_types::governed::{Administered, MarketAdmin};
    use market_types::{ensure, AdminError, Asset, Bps, Page};

    /// The minimum charge of a new market: a rental's first hour.
    const DEFAULT_MIN_CHARGE_HOURS: u32 = 1;

    /// Market storage. The root holds only fixed-size configuration; everything that
    /// grows lives in `Mapping`s and swap-remove indexes. Fields are `pub(crate)` for
    /// the helpers in `listing.rs` and `booking.rs`.
    #[ink(storage)]
    pub struct ComputeMarket {
        /// The governed surface: the admin and the successor it proposed, the pause
        /// flag (while set, `publish_offer` and `rent` refuse with `Paused`) and the
        /// PSP22 tokens offers may be priced in.
        pub(crate) admin: Admin,
        /// The vault new offers lock collateral in; rentals use their offer's vault.
        pub(crate) vault: AccountId,
        /// The auditor list (the model registry).
        pub(crate) auditors: AccountId,
        pub(crate) hour_ms: u64,
        pub(crate) collateral_ratio_bps: Bps,
        pub(crate) no_show_bps: Bps,
        pub(crate) max_start_window_ms: u64,
        /// Hours of a new rental its provider is paid at least (0: none).
        pub(crate) min_charge_hours: u32,
        /// Offers published so far; ids are `1..=offer_count`.
        pub(crate) offer_count: OfferId,
        pub(crate) offers: Mapping<OfferId, Offer>,
        /// At most one attestation per offer: the latest.
        pub(crate) attestations: Mapping<OfferId, Attestation>,
        /// Offers by provider, and offers not retired by region and by GPU model.
        pub(crate) offer_index: OfferIndex,
        /// Rentals so far; ids are `1..=rental_count`.
        pub(crate) rental_count: RentalId,
        pub(crate) rentals: Mapping<RentalId, Rental>,
        /// Rentals by renter and by provider, and each offer's and each provider's
        /// rentals not closed.
        pub(crate) rental_index: RentalIndex,
        pub(crate) reputations: Mapping<AccountId, Reputation>,
        /// (provider, renter) pairs with a counted rental: written once each, so a
        /// renter counts once in its provider's `distinct_renters`.
        pub(crate) renters_seen: Mapping<(AccountId, AccountId), ()>,
        /// What a provider's completed rentals paid it, per asset.
        pub(crate) volumes: Mapping<(AccountId, Asset), Balance>,
        /// The least a rental in an asset must pay to count in reputation (absent: 0).
        pub(crate) min_counted: Mapping<Asset, Balance>,
    }

    impl ComputeMarket {
        /// Creates an empty market whose admin is the caller (the deployer).
        ///
        /// `vault`: the escrow vault (which must list the market as a controller);
        /// `auditors`: the auditor list (the model registry); `hour_ms`: how long an
        /// "hour" is (3 600 000 on a real network, seconds on a test node), fixed;
        /// `collateral_ratio_bps`: collateral per unit of an offer's largest exposure,
        /// 1..=`MAX_COLLATERAL_RATIO_BPS` (300 %); `no_show_bps`: the no-show penalty,
        /// at most 100 % and at most the ratio; `max_start_window_ms`: the longest start
        /// window an offer may give itself, 1..=`MAX_PERIOD_MS`. The minimum charge
        /// starts at 1 hour (`set_rental_rules` changes it) and every rental counts in
        /// reputation (`set_min_counted_value`).
        ///
        /// Errors: `InvalidPeriod` (a zero period), `PeriodTooLong`,
        /// `InvalidCollateralRatio`, `InvalidNoShowBps`. Emits: `MarketCreated`.
        #[ink(constructor)]
        pub fn new(
            vault: AccountId,
            auditors: AccountId,
            hour_ms: u64,
            collateral_ratio_bps: Bps,
            no_show_bps: Bps,
            max_start_window_ms: u64,
        ) -> Result<Self> {
            crate::listing::check_period(hour_ms)?;
            crate::listing::check_period(max_start_window_ms)?;
            check_ratios(collateral_ratio_bps, no_show_bps, MAX_COLLATERAL_RATIO_BPS)?;
            let admin = Self::env().caller();
            let market = Self::empty(
                admin,
                Config {
                    vault,
                    auditors,
                    hour_ms,
                    collateral_ratio_bps,
                    no_show_bps,
                    max_start_window_ms,
                    min_charge_hours: DEFAULT_MIN_CHARGE_HOURS,
                },
            );
            Self::env().emit_event(MarketCreated {
                admin,
                vault,
                auditors,
                hour_ms,
                collateral_ratio_bps,
                no_show_bps,
                max_start_window_ms,
                min_charge_hours: DEFAULT_MIN_CHARGE_HOURS,
            });
            Ok(market)
        }

        // ------------------------------------------------------------ offers

        /// Publishes a GPU offer owned by the caller and locks its collateral in the
        /// vault: `price × capacity × max_hours × collateral_ratio_bps / 10 000`.
        /// Native: send exactly that as value. PSP22: send nothing, and approve **the
        /// market** for it beforehand (it moves the tokens into the vault).
        ///
        /// Who: anyone, while new offers are not paused. Requirements: GPU model and
        /// region 1..=`MAX_TEXT_LEN` bytes of ASCII letters, digits, space, `-`, `_`,
        /// `.`; VRAM above zero; capacity 1..=`MAX_CAPACITY`; price above zero;
        /// `1 ≤ min_hours ≤ max_hours` and `max_hours × hour_ms ≤ MAX_PERIOD_MS`; a
        /// start window of 1 ms up to the market's maximum; an allowed asset.
        /// Errors: `Paused`, `InvalidGpuModel`, `InvalidRegion`, `InvalidVram`,
        /// `InvalidCapacity`, `ZeroPrice`, `InvalidHours`, `PeriodTooLong`,
        /// `InvalidStartWindow`, `AssetNotAllowed`, `ZeroCollateral`, `WrongPayment`,
        /// `Overflow`, `Token(..)`, `TokenCallFailed`, `Vault(..)`, `VaultCallFailed`.
        /// Emits: `OfferPublished`.
        #[ink(message, payable)]
        #[allow(clippy::too_many_arguments)]
        pub fn publish_offer(
            &mut self,
            gpu_model: String,
            vram_gb: u16,
            capacity: u32,
            region: String,
            price_per_gpu_hour: Balance,
            min_hours: u32,
            max_hours: u32,
            asset: Asset,
            endpoint_hash: Hash,
            start_window_ms: u64,
        ) -> Result<OfferId> {
            let provider = self.env().caller();
            let spec = Spec {
                gpu_model,
                vram_gb,
                capacity,
                region,
                endpoint_hash,
                start_window_ms,
            };
            let terms = Terms {
                price_per_gpu_hour,
                min_hours,
                max_hours,
            };
            let (offer_id, mut offer, slots) = self.plan_publish(provider, spec, terms, asset)?;
            offer.collateral_id = self.lock_collateral_for(&offer)?;
            self.apply_publish(offer_id, &offer, slots);
            self.env().emit_event(Self::published(offer_id, &offer));
            Ok(offer_id)
        }

        /// Changes an offer's price and hours and bumps its version; rentals already
        /// booked keep their terms, and a rental naming the old version is refused
        /// (`OfferChanged`). The collateral locked must cover the new terms at the
        /// current ratio.
        ///
        /// Who: the provider. Errors: `OfferNotFound`, `NotProvider`, `OfferRetired`,
        /// `ZeroPrice`, `InvalidHours`, `PeriodTooLong`, `CollateralShort`, `Overflow`.
        /// Emits: `OfferUpdated`.
        #[ink(message)]
        pub fn update_offer(
            &mut self,
            offer_id: OfferId,
            price_per_gpu_hour: Balance,
            min_hours: u32,
            max_hours: u32,
        ) -> Result<()> {
            let terms = Terms {
                price_per_gpu_hour,
                min_hours,
                max_hours,
            };
            let event = self.change_offer(offer_id, terms)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Stops an active offer from taking new rentals (rentals under way go on).
        ///
        /// Who: the provider. Errors: `OfferNotFound`, `NotProvider`, `OfferRetired`,
        /// `OfferNotActive`. Emits: `OfferPaused`.
        #[ink(message)]
        pub fn pause_offer(&mut self, offer_id: OfferId) -> Result<()> {
            let event = self.pause(offer_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Lets a paused offer take rentals again.
        ///
        /// Who: the provider. Errors: `OfferNotFound`, `NotProvider`, `OfferRetired`,
        /// `OfferNotPaused`. Emits: `OfferResumed`.
        #[ink(message)]
        pub fn resume_offer(&mut self, offer_id: OfferId) -> Result<()> {
            let event = self.resume(offer_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Retires an offer for good: it leaves the search indexes and its collateral
        /// goes back to the provider's credit in the vault (withdraw it there). If the
        /// vault no longer holds the lock (the provider took it back after it expired),
        /// the offer is retired all the same.
        ///
        /// Who: the provider. Errors: `OfferNotFound`, `NotProvider`, `OfferRetired`,
        /// `RentalsOpen` (a rental's stream is not settled yet: settle it first),
        /// `CollateralHeld` (the vault holds the collateral for a dispute over a
        /// stream the provider refunded: retire once it is ruled, expired or its hold
        /// released), `Vault(..)`, `VaultCallFailed`. Emits: `OfferRetired`.
        #[ink(message)]
        pub fn retire_offer(&mut self, offer_id: OfferId) -> Result<()> {
            let offer = self.retirable(offer_id)?;
            let released = self.release_collateral_of(&offer)?;
            let event = self.apply_retire(offer_id, offer, released);
            self.env().emit_event(event);
            Ok(())
        }

        /// Attests an offer's specs until `expires_at`, replacing any earlier
        /// attestation of it.
        ///
        /// Who: an account on the registry's auditor list, not the provider.
        /// Errors: `OfferNotFound`, `OfferRetired`, `CannotAttestOwnOffer`,
        /// `ExpiryNotInFuture`, `NotAuditor`, `AuditorsCallFailed`.
        /// Emits: `OfferAttested`.
        #[ink(message)]
        pub fn attest_offer(
            &mut self,
            offer_id: OfferId,
            report_hash: Hash,
            expires_at: Timestamp,
        ) -> Result<()> {
            let auditor = self.env().caller();
            let event = self.attest_as(auditor, offer_id, report_hash, expires_at)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Withdraws the caller's attestation of an offer.
        ///
        /// Who: the auditor that made it. Errors: `AttestationNotFound`.
        /// Emits: `OfferAttestationRevoked`.
        #[ink(message)]
        pub fn revoke_offer_attestation(&mut self, offer_id: OfferId) -> Result<()> {
            let auditor = self.env().caller();
            let event = self.revoke_as(auditor, offer_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        // ------------------------------------------------------------ rentals

        /// Rents `gpus` GPUs of an offer for `hours`, at the offer version the renter
        /// saw. Pays `price × gpus × hours` into a vault stream for the caller that
        /// waits for the provider's `start` until `now + start_window_ms`, backed by the
        /// offer's collateral with a no-show penalty of `no_show_bps` of the amount,
        /// and a minimum payout to the provider of the price of the first
        /// `min(min_charge_hours, hours)` hours (paid if the renter withdraws or ends
        /// it early; not when a dispute over it falls back without a ruling, which pays
        /// what accrued until the freeze). Native: send exactly the amount. PSP22: send
        /// nothing, and approve **the market** for the amount beforehand.
        ///
        /// Who: anyone but the provider, while new rentals are not paused.
        /// Errors: `Paused`, `OfferNotFound`, `OfferNotActive`, `OfferExpired`,
        /// `OfferChanged`, `CannotRentOwnOffer`, `ZeroGpus`, `HoursOutOfRange`,
        /// `CapacityExceeded`, `CollateralShort`, `WrongPayment`, `Overflow`,
        /// `Token(..)`, `TokenCallFailed`, `Vault(..)`, `VaultCallFailed`.
        /// Emits: `RentalBooked`.
        #[ink(message, payable)]
        pub fn rent(
            &mut self,
            offer_id: OfferId,
            gpus: u32,
            hours: u32,
            offer_version: u32,
        ) -> Result<RentalId> {
            let renter = self.env().caller();
            let mut plan = self.plan_rent(renter, offer_id, gpus, hours, offer_version)?;
            plan.rental.escrow_id = self.open_stream_for(&plan)?;
            self.apply_rent(&plan);
            self.env().emit_event(plan.event());
            Ok(plan.rental_id)
        }

        /// Starts a booked rental: its stream runs `hours × hour_ms` from now.
        /// `access_hash` records what the provider handed the renter (e.g. the hash of
        /// encrypted credentials).
        ///
        /// Who: the provider, before the rental's `start_by`.
        /// Errors: `RentalNotFound`, `NotProvider`, `RentalNotBooked`,
        /// `StartWindowPassed`, `Overflow`, `Vault(..)`, `VaultCallFailed`.
        /// Emits: `RentalStarted`.
        #[ink(message)]
        pub fn start(&mut self, rental_id: RentalId, access_hash: Hash) -> Result<()> {
            let event = self.start_rental(rental_id, access_hash)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Cancels a rental the provider did not start by its `start_by`: the renter
        /// is refunded in full plus the no-show penalty out of the collateral (the
        /// vault pays both), the GPUs come back, and the provider's `no_shows` grows.
        /// If the stream was already cancelled at the vault, this only records it.
        ///
        /// Who: anyone (as at the vault). Errors: `RentalNotFound`, `RentalNotBooked`,
        /// `StartWindowOpen`, `Vault(..)`, `VaultCallFailed`.
        /// Emits: `RentalSettled` (`NoShow`).
        #[ink(message)]
        pub fn cancel_no_show(&mut self, rental_id: RentalId) -> Result<()> {
            let event = self.cancel_rental(rental_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Stops a rental before its end: what accrued goes to the provider — at least
        /// the rental's `min_payout` (its minimum charge), booked or running — the rest
        /// back to the renter, the GPUs come back. A running rental counts as
        /// `EndedEarly`; a booked one (not started yet) as `Withdrawn`.
        ///
        /// Who: the renter. Errors: `RentalNotFound`, `NotRenter`, `RentalNotActive`,
        /// `StartWindowPassed` (a no-show: cancel it instead), `RentalOver`,
        /// `Overflow`, `Vault(..)`, `VaultCallFailed`. Emits: `RentalSettled`.
        #[ink(message)]
        pub fn end_early(&mut self, rental_id: RentalId) -> Result<()> {
            let event = self.stop_rental(rental_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Extends a booked or running rental by `extra_hours`, to at most the
        /// `max_hours` it was rented under, paying `price × gpus × extra_hours` at the
        /// price it was rented at (native: as value; PSP22: approve the market).
        ///
        /// Who: the renter. Errors: `RentalNotFound`, `NotRenter`, `RentalNotActive`,
        /// `StartWindowPassed`, `RentalOver`, `ZeroHours`, `HoursOutOfRange`,
        /// `WrongPayment`, `Overflow`, `Token(..)`, `TokenCallFailed`, `Vault(..)`,
        /// `VaultCallFailed`. Emits: `RentalExtended`.
        #[ink(message, payable)]
        pub fn extend(&mut self, rental_id: RentalId, extra_hours: u32) -> Result<()> {
            let event = self.extend_rental(rental_id, extra_hours)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Ends a rental whose time is over, whose stream a dispute froze, or whose
        /// stream the vault settled (a claim after the end, a ruling, a cancellation
        /// or refund made at the vault): its GPUs come back (once), and once the stream
        /// is settled its outcome counts in the provider's reputation. A rental whose
        /// stream is disputed at the vault, or a running one whose time is over but
        /// whose stream is not settled yet (pay unclaimed), becomes `Ended`; settle it
        /// again once the vault has settled it.
        ///
        /// Who: anyone. Errors: `RentalNotFound`, `RentalClosed`, `RentalNotStarted`,
        /// `RentalNotOver`, `OutcomePending`, `Overflow`. Emits: `RentalSettled`.
        #[ink(message)]
        pub fn settle(&mut self, rental_id: RentalId) -> Result<()> {
            let event = self.settle_rental(rental_id)?;
            self.env().emit_event(event);
            Ok(())
        }

        // ------------------------------------------------------------ views

        /// One offer with its provider's reputation, free GPUs and valid attestation.
        #[ink(message)]
        pub fn offer(&self, offer_id: OfferId) -> Option<OfferView> {
            self.offer_view(offer_id)
        }

        /// How many offers were ever published (ids `1..=offer_count`).
        #[ink(message)]
        pub fn offer_count(&self) -> OfferId {
            self.offer_count
        }

        /// A provider's offers (retired ones included), from position `cursor`, at most
        /// `limit` (capped at `MAX_PAGE`; 0 means `MAX_PAGE`).
        #[ink(message)]
        pub fn offers_of(&self, provider: AccountId, cursor: u64, limit: u32) -> Page<OfferView> {
            self.index_page(OfferKey::Provider(provider), cursor, limit)
        }

        /// Rentable offers in `region` (case-insensitive), optionally at most
        /// `max_price` per GPU-hour and with at least `min_vram` GB.
        ///
        /// A bounded scan: each call examines at most `MAX_SCAN` entries of the
        /// region's list from position `cursor` and returns at most `limit` matches;
        /// pass `next` to continue (a page may be empty and still have a `next`).
        /// Paused, retired and expired offers never match. For richer search (sorting
        /// by price or reputation, several regions at once) a dApp should follow the
        /// offer and rental events with an indexer. An invalid region matches nothing.
        #[ink(message)]
        pub fn offers_by_region(
            &self,
            region: String,
            cursor: u64,
            limit: u32,
            max_price: Option<Balance>,
            min_vram: Option<u16>,
        ) -> Page<OfferView> {
            let key = text_key(&region).map(OfferKey::Region);
            self.search(key, cursor, limit, max_price, min_vram)
        }

        /// Rentable offers of `gpu_model` (case-insensitive); as `offers_by_region`,
        /// with the same scan bound.
        #[ink(message)]
        pub fn offers_by_gpu(
            &self,
            gpu_model: String,
            cursor: u64,
            limit: u32,
            max_price: Option<Balance>,
            min_vram: Option<u16>,
        ) -> Page<OfferView> {
            let key = text_key(&gpu_model).map(OfferKey::Gpu);
            self.search(key, cursor, limit, max_price, min_vram)
        }

        /// One rental by id.
        #[ink(message)]
        pub fn rental(&self, rental_id: RentalId) -> Option<Rental> {
            self.rentals.get(rental_id)
        }

        /// How many rentals were ever booked (ids `1..=rental_count`).
        #[ink(message)]
        pub fn rental_count(&self) -> RentalId {
            self.rental_count
        }

        /// The rentals `account` booked (`Party::Renter`) or served
        /// (`Party::Provider`), oldest first, or those of its offers not closed yet
        /// (`Party::ProviderOpen`: booked, running, or ended and waiting for the vault;
        /// in no particular order — sort by id for newest first), from position
        /// `cursor`, at most `limit` (capped at `MAX_PAGE`; 0 means `MAX_PAGE`).
        #[ink(message)]
        pub fn rentals_of(
            &self,
            account: AccountId,
            party: Party,
            cursor: u64,
            limit: u32,
        ) -> Page<(RentalId, Rental)> {
            let key = match party {
                Party::Renter => RentalKey::Renter(account),
                Party::Provider => RentalKey::Provider(account),
                Party::ProviderOpen => RentalKey::ProviderOpen(account),
            };
            self.rental_page(key, cursor, limit)
        }

        /// The rentals of an offer not closed yet (what `retire_offer` waits for), from
        /// position `cursor`, at most `limit`.
        #[ink(message)]
        pub fn open_rentals(
            &self,
            offer_id: OfferId,
            cursor: u64,
            limit: u32,
        ) -> Page<(RentalId, Rental)> {
            self.rental_page(RentalKey::Open(offer_id), cursor, limit)
        }

        /// A provider's reputation counters.
        #[ink(message)]
        pub fn reputation(&self, provider: AccountId) -> Reputation {
            self.reputations.get(provider).unwrap_or_default()
        }

        /// What a provider's completed rentals in `asset` paid in all (extensions
        /// included, whatever the minimum counted value).
        #[ink(message)]
        pub fn volume(&self, provider: AccountId, asset: Asset) -> Balance {
            self.volumes.get((provider, asset)).unwrap_or(0)
        }

        /// The least a rental in `asset` must pay to count in its provider's
        /// reputation (0: every rental counts).
        #[ink(message)]
        pub fn min_counted_value(&self, asset: Asset) -> Balance {
            self.min_counted.get(asset).unwrap_or(0)
        }

        /// An offer's latest attestation, valid or not (`offer` shows it only while
        /// valid).
        #[ink(message)]
        pub fn attestation(&self, offer_id: OfferId) -> Option<Attestation> {
            self.attestations.get(offer_id)
        }

        /// The market's parameters.
        #[ink(message)]
        pub fn config(&self) -> Config {
            Config {
                vault: self.vault,
                auditors: self.auditors,
                hour_ms: self.hour_ms,
                collateral_ratio_bps: self.collateral_ratio_bps,
                no_show_bps: self.no_show_bps,
                max_start_window_ms: self.max_start_window_ms,
                min_charge_hours: self.min_charge_hours,
            }
        }

        /// Whether offers may be priced in `asset` (native always may).
        #[ink(message)]
        pub fn is_asset_allowed(&self, asset: Asset) -> bool {
            self.admin.allows(asset)
        }

        /// Whether new offers and rentals (`publish_offer`, `rent`) are paused.
        #[ink(message)]
        pub fn paused(&self) -> bool {
            self.admin.paused()
        }

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
    }

    /// The admin surface the market shares with the model registry, which the DAO
    /// calls through this trait. A refused call changed nothing and emitted nothing.
    impl Administered for ComputeMarket {
        /// Lets the PSP22 `token` price new offers (`allowed`), or stops it. Offers
        /// already priced in it keep their asset. Setting what is already set changes
        /// nothing and still emits.
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

        /// Pauses (`true`) or resumes (`false`) new offers and rentals: while paused,
        /// `publish_offer` and `rent` refuse with `Paused`. Rentals in flight go on
        /// (`start`, `extend`, `end_early`, `cancel_no_show`, `settle`, claims at the
        /// vault), and providers may still update, pause, resume and retire offers.
        /// Setting what is already set changes nothing and still emits.
        ///
        /// Who: the admin (the DAO's guardian, once the DAO holds the role).
        /// Errors: `NotAdmin`. Emits: `PauseChanged`.
        #[ink(message)]
        fn set_paused(&mut self, paused: bool) -> core::result::Result<(), AdminError> {
            let event = self.admin.set_paused(self.env().caller(), paused)?;
            self.env().emit_event(event);
            Ok(())
        }

        /// Points new offers at another escrow vault (which must list the market as a
        /// controller). Offers already published, and their rentals, stay with the
        /// vault holding their collateral.
        ///
        /// Who: the admin. Errors: `NotAdmin`. Emits: `VaultChanged`.
        #[ink(message)]
        fn set_vault(&mut self, vault: AccountId) -> core::result::Result<(), AdminError> {
            self.only_admin()?;
            self.vault = vault;
            self.env().emit_event(VaultChanged { vault });
            Ok(())
        }
    }

    /// The market's own admin setters (the DAO calls them through this trait).
    impl MarketAdmin for ComputeMarket {
        /// Sets the collateral ratio of offers published or updated from now on, and the
        /// no-show penalty of rentals booked from now on.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `OutOfRange` (a ratio outside
        /// 1..=`MAX_COLLATERAL_RATIO_BPS`, a penalty above 100 % or above the ratio).
        /// Emits: `RatiosChanged`.
        #[ink(message)]
        fn set_ratios(
            &mut self,
            collateral_ratio_bps: Bps,
            no_show_bps: Bps,
        ) -> core::result::Result<(), AdminError> {
            self.only_admin()?;
            check_ratios(collateral_ratio_bps, no_show_bps, MAX_COLLATERAL_RATIO_BPS)
                .map_err(|_| AdminError::OutOfRange)?;
            self.collateral_ratio_bps = collateral_ratio_bps;
            self.no_show_bps = no_show_bps;
            self.env().emit_event(RatiosChanged {
                collateral_ratio_bps,
                no_show_bps,
            });
            Ok(())
        }

        /// Sets the longest start window offers published from now on may give
        /// themselves (published offers keep theirs).
        ///
        /// Who: the admin. Errors: `NotAdmin`, `InvalidPeriod`, `PeriodTooLong`.
        /// Emits: `MaxStartWindowChanged`.
        #[ink(message)]
        fn set_max_start_window(
            &mut self,
            max_start_window_ms: u64,
        ) -> core::result::Result<(), AdminError> {
            self.only_admin()?;
            check_period(max_start_window_ms)?;
            self.max_start_window_ms = max_start_window_ms;
            self.env().emit_event(MaxStartWindowChanged {
                max_start_window_ms,
            });
            Ok(())
        }

        /// Points the market at another auditor list.
        ///
        /// Who: the admin. Errors: `NotAdmin`. Emits: `AuditorsChanged`.
        #[ink(message)]
        fn set_auditors(&mut self, auditors: AccountId) -> core::result::Result<(), AdminError> {
            self.only_admin()?;
            self.auditors = auditors;
            self.env().emit_event(AuditorsChanged { auditors });
            Ok(())
        }

        /// Sets the minimum charge of rentals booked from now on: withdrawing or ending
        /// one early pays its provider at least the price of its first
        /// `min_charge_hours` hours (all of them for a shorter rental; 0: nothing); a
        /// dispute over it that falls back without a ruling pays only what accrued
        /// until the freeze. Rentals already booked keep theirs.
        ///
        /// Who: the admin. Errors: `NotAdmin`, `OutOfRange` (above
        /// `MAX_MIN_CHARGE_HOURS`). Emits: `RentalRulesChanged`.
        #[ink(message)]
        fn set_rental_rules(
            &mut self,
            min_charge_hours: u32,
        ) -> core::result::Result<(), AdminError> {
            self.only_admin()?;
            ensure!(
                min_charge_hours <= MAX_MIN_CHARGE_HOURS,
                AdminError::OutOfRange
            );
            self.min_charge_hours = min_charge_hours;
            self.env()
                .emit_event(RentalRulesChanged { min_charge_hours });
            Ok(())
        }

        /// Sets the least a rental in `asset` must pay (extensions included) to count
        /// in its provider's reputation, from the next rental that closes on; one that
        /// pays less counts in `below_minimum` only. 0 (the default) counts every
        /// rental. Setting what is already set changes nothing and still emits.
        ///
        /// Who: the admin. Errors: `NotAdmin`. Emits: `MinCountedValueChanged`.
        #[ink(message)]
        fn set_min_counted_value(
            &mut self,
            asset: Asset,
            value: Balance,
        ) -> core::result::Result<(), AdminError> {
            self.only_admin()?;
            if value == 0 {
                self.min_counted.remove(asset);
            } else {
                self.min_counted.insert(asset, &value);
            }
            self.env()
                .emit_event(MinCountedValueChanged { asset, value });
            Ok(())
        }
    }
}
