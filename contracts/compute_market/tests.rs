//! Unit tests of the market, off-chain: every message, its refusals (each shown to
//! change no state and emit nothing) and its events, with the vault, PSP22 tokens and
//! the auditor list played by the test kit's stand-ins (`market_types::testing`). The
//! shared setup and helpers are here; the tests are in `tests/`.

use crate::compute_market::ComputeMarket;
use crate::errors::Result;
use crate::types::*;
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment as E;
use ink::primitives::{AccountId, Hash};
use ink::scale::{Decode, Encode};
pub(crate) use market_types::assert_refused;
use market_types::governed::{Administered, MarketAdmin};
pub(crate) use market_types::testing::event_count;
use market_types::testing::{self as kit, answered, psp22, targets, vault};
use market_types::{AdminError, Asset, Balance, Timestamp};

mod admin;
mod griefing;
mod offers;
mod pause;
mod props;
mod rentals;
mod self_dealing;
mod views;

const T0: Timestamp = 1_700_000_000_000;
/// One "hour" in the tests.
const HOUR: u64 = 1_000;
/// The offer's start window in `offer_of`.
const WINDOW: u64 = 300;
/// The price per GPU-hour of `offer_of`.
const PRICE: Balance = 10;

fn accounts() -> DefaultAccounts<E> {
    test::default_accounts::<E>()
}

/// The provider of the offers in these tests.
fn provider() -> AccountId {
    accounts().bob
}

/// The renter.
fn renter() -> AccountId {
    accounts().charlie
}

fn set_caller(who: AccountId) {
    test::set_caller::<E>(who);
}

fn set_now(ms: Timestamp) {
    test::set_block_timestamp::<E>(ms);
}

fn set_value(v: Balance) {
    test::set_value_transferred::<E>(v);
}

fn hash(byte: u8) -> Hash {
    Hash::from([byte; 32])
}

fn market_id() -> AccountId {
    AccountId::from([0xEE; 32])
}

fn vault() -> AccountId {
    AccountId::from([0xA1; 32])
}

fn vault_b() -> AccountId {
    AccountId::from([0xA2; 32])
}

/// The auditor list (the registry).
fn registry() -> AccountId {
    AccountId::from([0xB2; 32])
}

/// The allow-listed PSP22 token.
fn token() -> AccountId {
    accounts().frank
}

/// The auditor on the registry's list.
fn auditor() -> AccountId {
    accounts().eve
}

/// A market at `market_id()` deployed by alice at T0 (ratio 100 %, no-show penalty
/// 25 %, start windows up to 10 hours), with the token allowed and eve on the
/// registry's auditor list, in an emptied test kit; the caller is bob afterwards.
fn setup() -> ComputeMarket {
    kit::reset();
    set_caller(accounts().alice);
    set_now(T0);
    set_value(0);
    test::set_callee::<E>(market_id());
    let mut c =
        ComputeMarket::new(vault(), registry(), HOUR, 10_000, 2_500, 10 * HOUR).expect("valid");
    c.set_asset_allowed(token(), true).expect("admin");
    targets::set_auditor_listed(registry(), auditor(), true);
    set_caller(provider());
    c
}

/// The fields of an offer, to publish with `publish`.
#[derive(Clone)]
struct Draft {
    gpu: String,
    vram: u16,
    capacity: u32,
    region: String,
    price: Balance,
    min_hours: u32,
    max_hours: u32,
    asset: Asset,
    window: u64,
}

/// 4 × "H100" (80 GB) in "eu-west" at `PRICE`, 1 to 8 hours, native, start window
/// `WINDOW`: collateral 4 × 8 × 10 = 320 at 100 %.
fn draft() -> Draft {
    Draft {
        gpu: "H100".into(),
        vram: 80,
        capacity: 4,
        region: "eu-west".into(),
        price: PRICE,
        min_hours: 1,
        max_hours: 8,
        asset: Asset::Native,
        window: WINDOW,
    }
}

/// The caller publishes `d`, sending `value`.
fn publish_with(c: &mut ComputeMarket, d: &Draft, value: Balance) -> Result<OfferId> {
    set_value(value);
    let r = c.publish_offer(
        d.gpu.clone(),
        d.vram,
        d.capacity,
        d.region.clone(),
        d.price,
        d.min_hours,
        d.max_hours,
        d.asset,
        hash(7),
        d.window,
    );
    set_value(0);
    r
}

/// The caller publishes `d`, paying its collateral (native as value; PSP22 minted
/// and approved to the market).
fn publish(c: &mut ComputeMarket, d: &Draft) -> OfferId {
    let ratio = c.config().collateral_ratio_bps;
    let collateral = crate::rules::offers::collateral_for(d.price, d.capacity, d.max_hours, ratio)
        .expect("fits");
    let value = match d.asset {
        Asset::Native => collateral,
        Asset::Psp22(t) => {
            let who = ink::env::caller::<E>();
            psp22::mint(t, who, collateral);
            psp22::set_allowance(t, who, market_id(), collateral);
            0
        }
    };
    publish_with(c, d, value).expect("valid offer")
}

/// bob's offer `draft()`, published; the caller is charlie (the renter) afterwards.
fn shop() -> (ComputeMarket, OfferId) {
    let mut c = setup();
    let id = publish(&mut c, &draft());
    set_caller(renter());
    (c, id)
}

/// The caller rents `gpus` × `hours` of `offer` at its current version, paying
/// natively or (minted and approved) in tokens.
fn rent(c: &mut ComputeMarket, offer: OfferId, gpus: u32, hours: u32) -> Result<RentalId> {
    let o = c.offer(offer).expect("offer").offer;
    let amount = o.price_per_gpu_hour * Balance::from(gpus) * Balance::from(hours);
    let who = ink::env::caller::<E>();
    match o.asset {
        Asset::Native => set_value(amount),
        Asset::Psp22(t) => {
            psp22::mint(t, who, amount);
            let allowed = psp22::allowance(t, who, market_id());
            psp22::set_allowance(t, who, market_id(), allowed + amount);
        }
    }
    let r = c.rent(offer, gpus, hours, o.version);
    set_value(0);
    r
}

/// bob starts `rental` now; the caller is restored.
fn start(c: &mut ComputeMarket, rental: RentalId) {
    let before = ink::env::caller::<E>();
    set_caller(provider());
    c.start(rental, hash(9)).expect("startable");
    set_caller(before);
}

fn rental(c: &ComputeMarket, id: RentalId) -> Rental {
    c.rental(id).expect("rental")
}

fn offer(c: &ComputeMarket, id: OfferId) -> Offer {
    c.offer(id).expect("offer").offer
}

/// Whether `event` is a `T`, by its signature topic (another event type could decode
/// as a `T` without error).
fn is_event<T: ink::env::Event>(event: &test::EmittedEvent) -> bool {
    let signature = T::SIGNATURE_TOPIC.expect("events have a signature");
    event.topics.first().map(|t| t.as_slice()) == Some(&signature[..])
}

/// The last event emitted, which must be a `T`.
fn last_event<T: Decode + ink::env::Event>() -> T {
    let event = test::recorded_events().last().expect("an event");
    assert!(is_event::<T>(&event), "the last event is of another type");
    T::decode(&mut &event.data[..]).expect("event of the expected type")
}

/// Every `T` emitted so far, in order.
fn events_of<T: Decode + ink::env::Event>() -> Vec<T> {
    test::recorded_events()
        .filter(is_event::<T>)
        .map(|e| T::decode(&mut &e.data[..]).expect("event of the expected type"))
        .collect()
}

impl market_types::testing::Fingerprint for ComputeMarket {
    fn fingerprint(&self) -> Vec<u8> {
        fingerprint(self)
    }
}

/// Everything a caller can observe, encoded, so a refusal can be shown to have
/// changed nothing.
fn fingerprint(c: &ComputeMarket) -> Vec<u8> {
    let a = accounts();
    let mut out = Vec::new();
    (c.config(), c.admin(), c.pending_admin(), c.paused()).encode_to(&mut out);
    (c.offer_count(), c.rental_count()).encode_to(&mut out);
    for id in 0..=c.offer_count().saturating_add(1) {
        c.offer(id).encode_to(&mut out);
        c.attestation(id).encode_to(&mut out);
        c.open_rentals(id, 0, MAX_PAGE).encode_to(&mut out);
    }
    for id in 0..=c.rental_count().saturating_add(1) {
        c.rental(id).encode_to(&mut out);
    }
    for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
        c.offers_of(who, 0, MAX_PAGE).encode_to(&mut out);
        c.rentals_of(who, Party::Renter, 0, MAX_PAGE)
            .encode_to(&mut out);
        c.rentals_of(who, Party::Provider, 0, MAX_PAGE)
            .encode_to(&mut out);
        c.rentals_of(who, Party::ProviderOpen, 0, MAX_PAGE)
            .encode_to(&mut out);
        c.reputation(who).encode_to(&mut out);
        for asset in [Asset::Native, Asset::Psp22(token())] {
            c.volume(who, asset).encode_to(&mut out);
        }
        c.is_asset_allowed(Asset::Psp22(who)).encode_to(&mut out);
    }
    for asset in [Asset::Native, Asset::Psp22(token())] {
        c.min_counted_value(asset).encode_to(&mut out);
    }
    for text in ["eu-west", "us-east", "H100", "a100"] {
        c.offers_by_region(text.into(), 0, MAX_PAGE, None, None)
            .encode_to(&mut out);
        c.offers_by_gpu(text.into(), 0, MAX_PAGE, None, None)
            .encode_to(&mut out);
    }
    out
}

/// Vault calls made so far.
fn vault_calls() -> u32 {
    vault::all_calls()
}
