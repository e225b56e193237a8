//! Unit tests of the registry, off-chain: every message, its refusals (each shown to
//! change no state and emit nothing) and its events, with the vault and PSP22 tokens
//! played by the test kit's stand-ins (`market_types::testing::{vault, psp22}`).
//!
//! This file holds the shared fixtures (`setup()`, the `fingerprint` and
//! `assert_refused!`, the `shop()` with its vaults and `buy()`); the tests live in
//! `tests/`, by theme: `models.rs` (models and versions), `offers.rs` (offers and
//! purchases), `licenses.rs` (licenses and entitlements), `attestations.rs`
//! (attestations and ratings), `admin.rs` (admin, handovers and pause) and `pages.rs`;
//! `props.rs` is the property test (its model and operations in `props/`).

use crate::errors::{Error, Result};
use crate::events::*;
use crate::model_registry::ModelRegistry;
use crate::types::*;
use crate::types::{LicenseState, MAX_PENDING_LICENSES};
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment as E;
use ink::primitives::{AccountId, Hash};
use ink::scale::{Decode, Encode};
pub(crate) use market_types::assert_refused;
use market_types::governed::{Administered, RegistryAdmin};
pub(crate) use market_types::testing::event_count;
use market_types::testing::{self as kit, psp22, vault};
use market_types::{
    AdminError, Asset, Auditors, Balance, Bps, EscrowId, LicenseId, LicenseKind, ModelId, OfferId,
    Page, SettleReason, Timestamp, TokenError, VaultError,
};

const T0: Timestamp = 1_700_000_000_000;

fn accounts() -> DefaultAccounts<E> {
    test::default_accounts::<E>()
}

fn set_caller(who: AccountId) {
    test::set_caller::<E>(who);
}

fn set_now(ms: Timestamp) {
    test::set_block_timestamp::<E>(ms);
}

fn hash(byte: u8) -> Hash {
    Hash::from([byte; 32])
}

fn v(major: u32, minor: u32, patch: u32) -> Version {
    Version {
        major,
        minor,
        patch,
    }
}

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| String::from(*t)).collect()
}

fn text(len: usize) -> String {
    "x".repeat(len)
}

/// A registry with a 20 % royalty cap, deployed by alice at T0, with no vaults and no
/// tokens in the test kit.
fn setup() -> ModelRegistry {
    kit::reset();
    set_caller(accounts().alice);
    set_now(T0);
    ModelRegistry::new(2_000).expect("valid cap")
}

/// Registers a root model owned by the current caller.
fn register(c: &mut ModelRegistry, name: &str, tag_list: &[&str]) -> ModelId {
    c.register_model(
        String::from(name),
        String::from("ipfs://bafy-model-card"),
        hash(1),
        v(1, 0, 0),
        None,
        0,
        tags(tag_list),
    )
    .expect("valid model")
}

fn last_event<T: Decode>() -> T {
    let event = test::recorded_events().last().expect("an event");
    T::decode(&mut &event.data[..]).expect("event of the expected type")
}

impl market_types::testing::Fingerprint for ModelRegistry {
    fn fingerprint(&self) -> Vec<u8> {
        fingerprint(self)
    }
}

/// Everything a caller can observe, encoded, so a refusal can be shown to have
/// changed nothing.
fn fingerprint(c: &ModelRegistry) -> Vec<u8> {
    let a = accounts();
    let mut out = Vec::new();
    (c.admin(), c.max_royalty_bps(), c.model_count(), c.paused()).encode_to(&mut out);
    for id in 1..=c.model_count().saturating_add(1) {
        c.model(id).encode_to(&mut out);
        for page in [0, MAX_PAGE as u64, 2 * MAX_PAGE as u64, 3 * MAX_PAGE as u64] {
            c.offers(id, page, MAX_PAGE).encode_to(&mut out);
        }
        c.attestations(id, 0, MAX_PAGE).encode_to(&mut out);
    }
    for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
        c.models_by_owner(who, 0, MAX_PAGE).encode_to(&mut out);
        c.is_auditor(who).encode_to(&mut out);
        c.is_asset_allowed(Asset::Psp22(who)).encode_to(&mut out);
    }
    for tag in ["llm", "vision", "audio", "speech", "new-tag"] {
        c.models_by_tag(String::from(tag), 0, MAX_PAGE)
            .encode_to(&mut out);
    }
    (c.vault(), c.purchase_periods(), c.license_count()).encode_to(&mut out);
    c.pending_admin().encode_to(&mut out);
    for id in 1..=c.license_count().saturating_add(2) {
        c.license(id).encode_to(&mut out);
    }
    for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
        c.account_license_count(who).encode_to(&mut out);
        for id in 1..=c.model_count().saturating_add(1) {
            c.entitlement(who, id).encode_to(&mut out);
        }
    }
    for id in 1..=c.model_count().saturating_add(1) {
        c.pending_transfer(id).encode_to(&mut out);
    }
    for id in 1..=c.model_count().saturating_add(1) {
        c.rating(id).encode_to(&mut out);
    }
    out
}

fn ids(page: &Page<(ModelId, Model)>) -> Vec<ModelId> {
    page.items.iter().map(|(id, _)| *id).collect()
}

// ------------------------------------------------------------ shop, vaults, buyers

fn set_value(v: Balance) {
    test::set_value_transferred::<E>(v);
}

fn registry_id() -> AccountId {
    AccountId::from([0xEE; 32])
}
fn vault_a() -> AccountId {
    AccountId::from([0xA1; 32])
}
fn vault_b() -> AccountId {
    AccountId::from([0xB2; 32])
}
/// The allow-listed PSP22 token of `shop()`.
fn token() -> AccountId {
    accounts().frank
}

/// bob's model 1 with a native offer (0, price 100), a PSP22 offer (1, 5 units
/// for 7 tokens) and a retired offer (2); the registry runs at `registry_id()`;
/// the caller is charlie afterwards.
fn shop() -> (ModelRegistry, ModelId) {
    let a = accounts();
    let mut c = setup();
    test::set_callee::<E>(registry_id());
    c.set_asset_allowed(token(), true).unwrap();
    set_caller(a.bob);
    let id = register(&mut c, "shop-model", &["llm"]);
    c.add_offer(id, LicenseKind::Perpetual, 100, Asset::Native)
        .unwrap();
    c.add_offer(
        id,
        LicenseKind::Metered { units: 5 },
        7,
        Asset::Psp22(token()),
    )
    .unwrap();
    c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Native)
        .unwrap();
    c.retire_offer(id, 2).unwrap();
    set_caller(a.charlie);
    (c, id)
}

/// `shop()` wired to vault A.
fn open_shop() -> (ModelRegistry, ModelId) {
    let (mut c, id) = shop();
    set_caller(accounts().alice);
    c.set_vault(vault_a()).unwrap();
    set_caller(accounts().charlie);
    (c, id)
}

/// The caller buys offer `offer` of model `id` at its current version, paying
/// natively or (having been minted and approved enough) in tokens.
fn buy(c: &mut ModelRegistry, id: ModelId, offer: OfferId) -> Result<LicenseId> {
    let o = c.offer(id, offer).expect("offer");
    let buyer = ink::env::caller::<E>();
    match o.asset {
        Asset::Native => set_value(o.price),
        Asset::Psp22(t) => {
            set_value(0);
            psp22::mint(t, buyer, o.price);
            let allowed = psp22::allowance(t, buyer, registry_id());
            psp22::set_allowance(t, buyer, registry_id(), allowed + o.price);
        }
    }
    let r = c.purchase_license(id, offer, o.version);
    set_value(0);
    r
}

fn escrow_of(c: &ModelRegistry, license: LicenseId) -> (AccountId, EscrowId) {
    let l = c.license(license).expect("license");
    (l.vault, l.escrow_id)
}

// The tests by theme; declared last so the helpers and `assert_refused!` above are in
// scope.
mod admin;
mod attestations;
mod licenses;
mod models;
mod offers;
mod pages;
mod props;
