//! Every event the market emits. Each state change emits one; `#[ink(topic)]` marks the
//! ids and accounts a dApp filters by (at most three per event). An indexer that wants
//! richer search than the bounded `offers_by_*` scans (by price, VRAM, reputation)
//! builds it from `OfferPublished`, `OfferUpdated`, `OfferPaused`, `OfferResumed`,
//! `OfferRetired` and the rental events.

use crate::types::{OfferId, Outcome, RentalId};
use ink::prelude::string::String;
use ink::primitives::{AccountId, Hash};
use market_types::{Asset, Balance, Bps, CollateralId, EscrowId, Timestamp};

/// The market was deployed.
#[ink::event]
pub struct MarketCreated {
    #[ink(topic)]
    pub admin: AccountId,
    pub vault: AccountId,
    pub auditors: AccountId,
    pub hour_ms: u64,
    pub collateral_ratio_bps: Bps,
    pub no_show_bps: Bps,
    pub max_start_window_ms: u64,
    pub min_charge_hours: u32,
}

/// A provider published an offer and its collateral was locked in the vault.
#[ink::event]
pub struct OfferPublished {
    #[ink(topic)]
    pub offer_id: OfferId,
    #[ink(topic)]
    pub provider: AccountId,
    pub gpu_model: String,
    pub vram_gb: u16,
    pub capacity: u32,
    pub region: String,
    pub price_per_gpu_hour: Balance,
    pub min_hours: u32,
    pub max_hours: u32,
    pub asset: Asset,
    pub endpoint_hash: Hash,
    pub start_window_ms: u64,
    pub vault: AccountId,
    pub collateral_id: CollateralId,
    pub collateral: Balance,
    pub expires_at: Timestamp,
}

/// An offer's price or hours changed; rentals must name the new `version`.
#[ink::event]
pub struct OfferUpdated {
    #[ink(topic)]
    pub offer_id: OfferId,
    pub version: u32,
    pub price_per_gpu_hour: Balance,
    pub min_hours: u32,
    pub max_hours: u32,
}

/// An offer stopped taking new rentals until resumed.
#[ink::event]
pub struct OfferPaused {
    #[ink(topic)]
    pub offer_id: OfferId,
}

/// A paused offer takes rentals again.
#[ink::event]
pub struct OfferResumed {
    #[ink(topic)]
    pub offer_id: OfferId,
}

/// An offer was retired for good and its collateral went back to the provider's
/// credit in the vault (`released: false` when the vault no longer held it).
#[ink::event]
pub struct OfferRetired {
    #[ink(topic)]
    pub offer_id: OfferId,
    #[ink(topic)]
    pub provider: AccountId,
    pub released: bool,
}

/// An auditor attested an offer's specs (replacing any earlier attestation).
#[ink::event]
pub struct OfferAttested {
    #[ink(topic)]
    pub offer_id: OfferId,
    #[ink(topic)]
    pub auditor: AccountId,
    pub report_hash: Hash,
    pub expires_at: Timestamp,
}

/// An auditor withdrew its attestation of an offer.
#[ink::event]
pub struct OfferAttestationRevoked {
    #[ink(topic)]
    pub offer_id: OfferId,
    #[ink(topic)]
    pub auditor: AccountId,
}

/// A renter booked GPUs; the payment waits in the vault's stream `escrow_id` until the
/// provider starts it (by `start_by`). Withdrawing or ending it early pays the provider
/// at least `min_payout`.
#[ink::event]
pub struct RentalBooked {
    #[ink(topic)]
    pub rental_id: RentalId,
    #[ink(topic)]
    pub renter: AccountId,
    #[ink(topic)]
    pub provider: AccountId,
    pub offer_id: OfferId,
    pub offer_version: u32,
    pub gpus: u32,
    pub hours: u32,
    pub amount: Balance,
    pub asset: Asset,
    pub escrow_id: EscrowId,
    pub start_by: Timestamp,
    pub no_show_penalty: Balance,
    pub min_payout: Balance,
}

/// The provider started a rental; its stream runs until `ends_at`.
#[ink::event]
pub struct RentalStarted {
    #[ink(topic)]
    pub rental_id: RentalId,
    #[ink(topic)]
    pub renter: AccountId,
    #[ink(topic)]
    pub provider: AccountId,
    pub access_hash: Hash,
    pub started_at: Timestamp,
    pub ends_at: Timestamp,
}

/// The renter extended a rental by `extra_hours`, paying `added` more.
#[ink::event]
pub struct RentalExtended {
    #[ink(topic)]
    pub rental_id: RentalId,
    #[ink(topic)]
    pub renter: AccountId,
    #[ink(topic)]
    pub provider: AccountId,
    pub extra_hours: u32,
    pub hours: u32,
    pub added: Balance,
}

/// A rental ended: its GPUs came back (`gpus_returned`) and, once its stream settled,
/// its `outcome` was recorded (`None`: not yet, see `RentalStatus::Ended`). `counted`:
/// it counted in its outcome's reputation counter (it paid at least the minimum
/// counted value of its asset and was not withdrawn; a rental below the minimum counts
/// in `below_minimum` only). `penalty` is what the provider's collateral paid the
/// renter for a no-show (or a provider's refund), as the vault paid it (its answer to
/// `cancel_no_show`, or `Settlement::penalty_paid` for a stream the vault settled by
/// itself): less than the rental's penalty when a slash or open disputes left less of
/// the collateral free.
#[ink::event]
pub struct RentalSettled {
    #[ink(topic)]
    pub rental_id: RentalId,
    #[ink(topic)]
    pub renter: AccountId,
    #[ink(topic)]
    pub provider: AccountId,
    pub gpus_returned: u32,
    pub outcome: Option<Outcome>,
    pub penalty: Balance,
    pub counted: bool,
}

/// The governed surface's events, shared with the other contracts
/// (`market_types::events`): `AdminProposed`, `AdminChanged` (the admin handover),
/// `PauseChanged` (new offers and rentals paused or resumed), `VaultChanged` (new offers
/// lock in another vault) and `AssetAllowanceChanged`.
pub use market_types::events::{
    AdminChanged, AdminProposed, AssetAllowanceChanged, PauseChanged, VaultChanged,
};

/// The admin changed the collateral ratio and no-show penalty of new offers and
/// rentals.
#[ink::event]
pub struct RatiosChanged {
    pub collateral_ratio_bps: Bps,
    pub no_show_bps: Bps,
}

/// The admin changed the longest start window offers may give themselves.
#[ink::event]
pub struct MaxStartWindowChanged {
    pub max_start_window_ms: u64,
}

/// The admin set the hours of a new rental its provider is paid at least, however
/// soon the renter withdraws or ends it (0: none).
#[ink::event]
pub struct RentalRulesChanged {
    pub min_charge_hours: u32,
}

/// The admin set the least a rental in `asset` must pay to count in its provider's
/// reputation (0: every rental counts).
#[ink::event]
pub struct MinCountedValueChanged {
    pub asset: Asset,
    pub value: Balance,
}

/// The admin pointed the market at another auditor list.
#[ink::event]
pub struct AuditorsChanged {
    #[ink(topic)]
    pub auditors: AccountId,
}
