//! What the market stores and returns: offers, rentals, attestations, the rows of its
//! views, the index keys, and the caps every field and page is checked against.
// The derived SCALE encoding of an enum with data-carrying variants (`OfferKey`,
// `RentalKey`) casts the variant index to `u8`, and cargo-contract runs clippy with
// `-D clippy::cast_possible_truncation`. This module writes no casts of its own.
#![allow(clippy::cast_possible_truncation)]

use ink::prelude::string::String;
use ink::primitives::{AccountId, Hash};
use market_types::storage::SwapIndex;
use market_types::{Asset, Balance, Bps, CollateralId, EscrowId, Timestamp};

/// Id of a GPU offer; ids start at 1 and are never reused.
pub type OfferId = u64;
/// Id of a rental; ids start at 1 and are never reused.
pub type RentalId = u64;

/// Longest GPU model name and region, in bytes.
pub const MAX_TEXT_LEN: usize = 32;
/// Most GPUs one offer may rent out at once.
pub const MAX_CAPACITY: u32 = 1_024;
/// Most items one page of any getter returns.
pub const MAX_PAGE: u32 = 10;
/// Most index entries one search call (`offers_by_region`, `offers_by_gpu`) examines,
/// matching or not: the cost of a search never grows with the number of offers.
pub const MAX_SCAN: u32 = 50;
/// Highest collateral ratio governance may set: 300 % of an offer's largest exposure.
pub const MAX_COLLATERAL_RATIO_BPS: Bps = 30_000;
/// Most hours of a rental governance may make its provider paid at least
/// (`set_rental_rules`): a minimum charge is for the time a provider holds its machines
/// for a booking, not a way to keep a renter's prepayment.
pub const MAX_MIN_CHARGE_HOURS: u32 = 24;

/// Whether an offer can be rented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum OfferStatus {
    /// Listed and rentable.
    Active,
    /// Listed, but takes no new rentals until the provider resumes it.
    Paused,
    /// Withdrawn by the provider, its collateral released; final.
    Retired,
}

/// A GPU offer: what a provider rents out, on which terms, and what backs it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Offer {
    pub provider: AccountId,
    /// e.g. `"H100 SXM"`, 1..=`MAX_TEXT_LEN` bytes; indexed case-insensitively.
    pub gpu_model: String,
    pub vram_gb: u16,
    /// GPUs rentable at once, 1..=`MAX_CAPACITY`.
    pub capacity: u32,
    /// e.g. `"eu-west"`, 1..=`MAX_TEXT_LEN` bytes; indexed case-insensitively.
    pub region: String,
    /// Price of one GPU for one hour, in the smallest unit of `asset`; never zero.
    pub price_per_gpu_hour: Balance,
    /// Hours one rental may book (and extend to), `1 ≤ min ≤ max`.
    pub min_hours: u32,
    pub max_hours: u32,
    pub asset: Asset,
    /// Hash of where renters reach the machines (published off-chain).
    pub endpoint_hash: Hash,
    /// How long after booking the provider has to start a rental.
    pub start_window_ms: u64,
    pub status: OfferStatus,
    /// Starts at 1 and grows with every `update_offer`; a rental names the version the
    /// renter saw, so changed terms are never charged.
    pub version: u32,
    /// The vault holding the collateral; every rental of the offer streams there.
    pub vault: AccountId,
    pub collateral_id: CollateralId,
    /// What the collateral holds as far as the market knows: what was locked, less the
    /// no-show penalties the vault paid out of it (`RentalSettled::penalty`; an
    /// arbiter's slash is not seen here, so this is at least what the vault holds).
    pub collateral: Balance,
    /// The collateral's unlock time: from then on the provider may take it back at the
    /// vault, so the offer takes no new rentals.
    pub expires_at: Timestamp,
    /// GPUs held by booked and running rentals.
    pub in_use: u32,
    /// Rentals not closed yet: their stream is not settled in the vault, or how it
    /// settled is not recorded here yet (retiring waits for them).
    pub open_rentals: u32,
    /// No-show penalties of its rentals not closed (booked, running, or ended and
    /// waiting for the vault), each owed out of the collateral if the provider does not
    /// start it or refunds its stream at the vault.
    pub penalties_reserved: Balance,
    pub created_at: Timestamp,
}

/// An auditor's statement about an offer's specs, valid until `expires_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Attestation {
    pub auditor: AccountId,
    /// Hash of the audit report (benchmarks run, hardware checked).
    pub report_hash: Hash,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Where a rental is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum RentalStatus {
    /// Paid into a waiting stream; the provider has until `start_by` to start it.
    Booked,
    /// Started; runs until `started_at + hours × hour_ms`.
    Running,
    /// Its GPUs are free again — its time is over, or its stream is frozen by a dispute
    /// — but the vault has not settled its stream yet (unclaimed pay, or the dispute):
    /// the outcome is recorded when it does.
    Ended,
    /// Finished; `outcome` says how, and it counted in the provider's reputation.
    Closed,
}

/// How a rental finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub enum Outcome {
    /// The provider never started it: refunded, with the no-show penalty.
    NoShow,
    /// The renter cancelled it before it started: refunded but for its `min_payout`,
    /// which pays the provider; counts nowhere.
    Withdrawn,
    /// The renter stopped it after it started.
    EndedEarly,
    /// It ran its time and the provider was paid in full.
    Completed,
    /// It was disputed and the provider kept all the pay.
    Disputed,
    /// It was disputed and a ruling withheld more than half of what the stream held,
    /// or its provider refunded it while disputed (the renter got everything frozen
    /// back: the provider conceded).
    Lost,
}

/// A rental of GPUs under an offer, paid into a stream in the offer's vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Rental {
    pub offer_id: OfferId,
    /// The offer version the renter agreed to.
    pub offer_version: u32,
    pub provider: AccountId,
    pub renter: AccountId,
    pub vault: AccountId,
    pub escrow_id: EscrowId,
    pub gpus: u32,
    /// Hours booked, extensions included.
    pub hours: u32,
    /// The most hours extensions may reach (the offer's, when rented).
    pub max_hours: u32,
    /// The price it was rented at.
    pub price_per_gpu_hour: Balance,
    pub asset: Asset,
    /// Everything paid into the stream, extensions included.
    pub paid: Balance,
    /// Owed to the renter out of the collateral if the provider does not start in time.
    pub no_show_penalty: Balance,
    /// The least its provider is paid in all if the renter withdraws or ends it early
    /// (not when a dispute over it falls back without a ruling: the vault then pays
    /// what accrued until the freeze): the price of `min(min_charge_hours, hours)`
    /// hours of its GPUs when booked (the stream's `min_payout`; extensions do not
    /// change it).
    pub min_payout: Balance,
    pub booked_at: Timestamp,
    /// The provider must start it by then; afterwards anyone may cancel it.
    pub start_by: Timestamp,
    pub started_at: Option<Timestamp>,
    /// Hash of the access credentials the provider handed over when starting.
    pub access_hash: Option<Hash>,
    pub status: RentalStatus,
    pub outcome: Option<Outcome>,
}

/// One offer as the views return it: the offer, its provider's reputation, the GPUs
/// free right now, and its attestation while valid (unexpired, auditor still listed).
#[derive(Clone, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct OfferView {
    pub offer_id: OfferId,
    pub offer: Offer,
    pub reputation: Reputation,
    /// What the provider's completed rentals paid it in the offer's asset (see
    /// `volume`).
    pub volume: Balance,
    pub free_gpus: u32,
    pub attestation: Option<Attestation>,
}

/// The market's parameters, as `config()` returns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub struct Config {
    /// The vault new offers lock collateral in (rentals follow their offer's vault).
    pub vault: AccountId,
    /// The auditor list (the model registry).
    pub auditors: AccountId,
    /// How long an "hour" is; fixed at deployment.
    pub hour_ms: u64,
    /// Collateral of a new (or updated) offer, in bps of its largest exposure.
    pub collateral_ratio_bps: Bps,
    /// No-show penalty of a new rental, in bps of what it paid.
    pub no_show_bps: Bps,
    /// Longest start window an offer may give itself.
    pub max_start_window_ms: u64,
    /// Hours of a new rental its provider is paid at least, however soon the renter
    /// withdraws or ends it (at most the rental's hours; 0: none). 1 at deployment.
    pub min_charge_hours: u32,
}

/// Whose rentals `rentals_of` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub enum Party {
    /// Every rental the account booked, oldest first.
    Renter,
    /// Every rental of the account's offers, oldest first (its history: anyone who
    /// rents grows it).
    Provider,
    /// The rentals of the account's offers not closed yet — booked, running, or ended
    /// and waiting for the vault — in no particular order (a closed one's place goes to
    /// the last): what a provider has to start, serve or claim. Bounded by what renters
    /// paid for: junk bookings leave it when they close.
    ProviderOpen,
}

/// The offer lists the market keeps for paging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub(crate) enum OfferKey {
    /// Every offer a provider published, retired ones included.
    Provider(AccountId),
    /// Offers not retired, by the hash of their normalized region.
    Region(Hash),
    /// Offers not retired, by the hash of their normalized GPU model.
    Gpu(Hash),
}

/// The rental lists the market keeps for paging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
pub(crate) enum RentalKey {
    /// Every rental an account booked (append-only: only the renter grows it).
    Renter(AccountId),
    /// Every rental of a provider's offers (grows only by rentals of offers it
    /// published).
    Provider(AccountId),
    /// The rentals of an offer not yet closed (swap-removed when they close).
    Open(OfferId),
    /// The rentals of a provider's offers not yet closed (swap-removed when they
    /// close).
    ProviderOpen(AccountId),
}

pub(crate) type OfferIndex = SwapIndex<OfferKey, OfferId>;
pub(crate) type RentalIndex = SwapIndex<RentalKey, RentalId>;

/// A provider's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Reputation {
    /// Rentals that ran their time and were paid in full without a dispute.
    pub completed: u32,
    /// Rentals the renter stopped after they started.
    pub ended_early: u32,
    /// Rentals disputed in the vault, whatever the ruling.
    pub disputed: u32,
    /// Disputed rentals where the provider lost part of the pay.
    pub lost: u32,
    /// Rentals the provider did not start within the start window.
    pub no_shows: u32,
    /// Closed rentals that paid less than the minimum counted value of their asset:
    /// counted here only, not in the counters above.
    pub below_minimum: u32,
    /// Renters with at least one rental counted above, each once.
    pub distinct_renters: u32,
}
