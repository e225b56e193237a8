//! Unit tests of the registry, off-chain: every message, its refusals (each shown to
//! change no state and emit nothing) and its events, with the vault and PSP22 tokens
//! played by the in-memory chain of `calls.rs`.

use crate::calls;
use crate::errors::{Error, Result};
use crate::events::*;
use crate::licensing::{LicenseState, MAX_PENDING_LICENSES};
use crate::model_registry::ModelRegistry;
use crate::types::*;
use ink::env::test::{self, DefaultAccounts};
use ink::env::DefaultEnvironment as E;
use ink::primitives::{AccountId, Hash};
use ink::scale::{Decode, Encode};
use market_types::{
    Asset, Auditors, Balance, Bps, EscrowId, LicenseId, LicenseKind, ModelId, OfferId, Page,
    Timestamp,
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

/// A registry with a 20 % royalty cap, deployed by alice at T0, on an empty
/// stand-in chain.
fn setup() -> ModelRegistry {
    calls::chain::reset();
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

fn event_count() -> usize {
    test::recorded_events().count()
}

fn last_event<T: Decode>() -> T {
    let event = test::recorded_events().last().expect("an event");
    T::decode(&mut &event.data[..]).expect("event of the expected type")
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

/// Asserts a call returns the given error and leaves state and events unchanged.
macro_rules! assert_refused {
    ($c:ident, $call:expr, $err:expr) => {{
        let before = fingerprint(&$c);
        let events = event_count();
        assert_eq!($call, Err($err));
        assert_eq!(fingerprint(&$c), before, "state changed on refusal");
        assert_eq!(event_count(), events, "event emitted on refusal");
    }};
}

fn ids(page: &Page<(ModelId, Model)>) -> Vec<ModelId> {
    page.items.iter().map(|(id, _)| *id).collect()
}

// ------------------------------------------------------------ constructor

#[ink::test]
fn new_makes_deployer_admin() {
    let c = setup();
    assert_eq!(c.admin(), accounts().alice);
    assert_eq!(c.max_royalty_bps(), 2_000);
    assert_eq!(c.model_count(), 0);
    assert_eq!(c.model(1), None);
}

#[ink::test]
fn new_refuses_cap_above_hard_cap() {
    assert!(ModelRegistry::new(ROYALTY_HARD_CAP_BPS).is_ok());
    assert_eq!(
        ModelRegistry::new(ROYALTY_HARD_CAP_BPS + 1).err(),
        Some(Error::RoyaltyCapTooHigh)
    );
}

// ------------------------------------------------------------ register

#[ink::test]
fn register_stores_model_indexes_it_and_emits() {
    let mut c = setup();
    set_caller(accounts().bob);
    let id = register(&mut c, "llama-mini", &["llm", "vision"]);
    assert_eq!(id, 1);
    assert_eq!(c.model_count(), 1);
    let m = c.model(id).unwrap();
    assert_eq!(m.owner, accounts().bob);
    assert_eq!(m.name, "llama-mini");
    assert_eq!(m.version, v(1, 0, 0));
    assert_eq!(m.status, ModelStatus::Active);
    assert_eq!(m.created_at, T0);
    assert_eq!(ids(&c.models_by_owner(accounts().bob, 0, 0)), vec![1]);
    assert_eq!(ids(&c.models_by_tag(String::from("llm"), 0, 0)), vec![1]);
    assert_eq!(c.tag_model_count(String::from("vision")), 1);
    let e: ModelRegistered = last_event();
    assert_eq!((e.model_id, e.owner, e.parent), (1, accounts().bob, None));
    assert_eq!(e.name, "llama-mini");
}

#[ink::test]
fn register_child_with_royalty_records_lineage() {
    let mut c = setup();
    let parent = register(&mut c, "base", &[]);
    set_caller(accounts().bob);
    let child = c
        .register_model(
            String::from("fine-tune"),
            String::from("ipfs://child"),
            hash(2),
            v(0, 1, 0),
            Some(parent),
            2_000,
            Vec::new(),
        )
        .unwrap();
    let m = c.model(child).unwrap();
    assert_eq!((m.parent, m.royalty_bps), (Some(parent), 2_000));
    let e: ModelRegistered = last_event();
    assert_eq!((e.parent, e.royalty_bps), (Some(parent), 2_000));
}

#[ink::test]
fn register_accepts_fields_at_their_caps() {
    let mut c = setup();
    let long_tags: Vec<String> = (0..MAX_TAGS)
        .map(|i| format!("{}{}", "t".repeat(MAX_TAG_LEN - 1), i))
        .collect();
    let id = c
        .register_model(
            text(MAX_NAME_LEN),
            text(MAX_URI_LEN),
            hash(1),
            v(1, 0, 0),
            None,
            0,
            long_tags,
        )
        .unwrap();
    assert_eq!(c.model(id).unwrap().tags.len(), MAX_TAGS);
}

#[ink::test]
fn register_refuses_bad_text() {
    let mut c = setup();
    let reg = |c: &mut ModelRegistry, name: String, uri: String, t: Vec<String>| {
        c.register_model(name, uri, hash(1), v(1, 0, 0), None, 0, t)
    };
    let ok_uri = || String::from("ipfs://x");
    assert_refused!(
        c,
        reg(&mut c, text(0), ok_uri(), vec![]),
        Error::InvalidName
    );
    assert_refused!(
        c,
        reg(&mut c, text(MAX_NAME_LEN + 1), ok_uri(), vec![]),
        Error::InvalidName
    );
    assert_refused!(c, reg(&mut c, text(5), text(0), vec![]), Error::InvalidUri);
    assert_refused!(
        c,
        reg(&mut c, text(5), text(MAX_URI_LEN + 1), vec![]),
        Error::InvalidUri
    );
    assert_refused!(
        c,
        reg(
            &mut c,
            text(5),
            ok_uri(),
            tags(&["a", "b", "c", "d", "e", "f"])
        ),
        Error::TooManyTags
    );
    for bad in [
        "",
        "LLM",
        "has space",
        "émoji",
        &"t".repeat(MAX_TAG_LEN + 1),
    ] {
        assert_refused!(
            c,
            reg(&mut c, text(5), ok_uri(), tags(&["ok", bad])),
            Error::InvalidTag
        );
    }
    assert_refused!(
        c,
        reg(&mut c, text(5), ok_uri(), tags(&["llm", "llm"])),
        Error::DuplicateTag
    );
}

#[ink::test]
fn register_refuses_bad_lineage() {
    let mut c = setup();
    let parent = register(&mut c, "base", &[]);
    let reg = |c: &mut ModelRegistry, parent: Option<ModelId>, bps: Bps| {
        c.register_model(
            text(4),
            text(4),
            hash(1),
            v(1, 0, 0),
            parent,
            bps,
            Vec::new(),
        )
    };
    assert_refused!(c, reg(&mut c, None, 1), Error::RoyaltyWithoutParent);
    assert_refused!(c, reg(&mut c, Some(99), 0), Error::ParentNotFound);
    assert_refused!(c, reg(&mut c, Some(parent), 2_001), Error::RoyaltyAboveCap);
    c.delist(parent).unwrap();
    assert_refused!(c, reg(&mut c, Some(parent), 100), Error::ParentDelisted);
}

// ------------------------------------------------------------ updates

#[ink::test]
fn update_metadata_changes_uri_and_emits() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    set_now(T0 + 5);
    c.update_metadata(id, String::from("ipfs://v2")).unwrap();
    let m = c.model(id).unwrap();
    assert_eq!(
        (m.metadata_uri.as_str(), m.updated_at),
        ("ipfs://v2", T0 + 5)
    );
    let e: ModelMetadataUpdated = last_event();
    assert_eq!((e.model_id, e.metadata_uri.as_str()), (id, "ipfs://v2"));
}

#[ink::test]
fn update_metadata_refusals() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    assert_refused!(c, c.update_metadata(id, text(0)), Error::InvalidUri);
    assert_refused!(
        c,
        c.update_metadata(id, text(MAX_URI_LEN + 1)),
        Error::InvalidUri
    );
    assert_refused!(c, c.update_metadata(7, text(3)), Error::ModelNotFound);
    set_caller(accounts().bob);
    assert_refused!(c, c.update_metadata(id, text(3)), Error::NotModelOwner);
    set_caller(accounts().alice);
    c.delist(id).unwrap();
    assert_refused!(c, c.update_metadata(id, text(3)), Error::ModelDelisted);
}

#[ink::test]
fn publish_version_requires_a_higher_version() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    for lower in [v(1, 0, 0), v(0, 9, 9)] {
        assert_refused!(
            c,
            c.publish_version(id, lower, hash(2), text(3)),
            Error::VersionNotIncreasing
        );
    }
    c.publish_version(id, v(1, 0, 1), hash(2), String::from("ipfs://p"))
        .unwrap();
    c.publish_version(id, v(1, 1, 0), hash(3), String::from("ipfs://m"))
        .unwrap();
    c.publish_version(id, v(2, 0, 0), hash(4), String::from("ipfs://M"))
        .unwrap();
    let m = c.model(id).unwrap();
    assert_eq!((m.version, m.weights_hash), (v(2, 0, 0), hash(4)));
    let e: ModelVersionPublished = last_event();
    assert_eq!(
        (e.model_id, e.version, e.weights_hash),
        (id, v(2, 0, 0), hash(4))
    );
}

#[ink::test]
fn publish_version_refusals() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    assert_refused!(
        c,
        c.publish_version(id, v(2, 0, 0), hash(2), text(0)),
        Error::InvalidUri
    );
    assert_refused!(
        c,
        c.publish_version(9, v(2, 0, 0), hash(2), text(3)),
        Error::ModelNotFound
    );
    set_caller(accounts().bob);
    assert_refused!(
        c,
        c.publish_version(id, v(2, 0, 0), hash(2), text(3)),
        Error::NotModelOwner
    );
}

#[ink::test]
fn set_tags_moves_model_between_tag_indexes() {
    let mut c = setup();
    let a = register(&mut c, "a", &["llm", "vision"]);
    let b = register(&mut c, "b", &["llm"]);
    c.set_tags(a, tags(&["audio", "llm"])).unwrap();
    assert_eq!(
        ids(&c.models_by_tag(String::from("vision"), 0, 0)),
        Vec::<u64>::new()
    );
    assert_eq!(ids(&c.models_by_tag(String::from("audio"), 0, 0)), vec![a]);
    let mut llm = ids(&c.models_by_tag(String::from("llm"), 0, 0));
    llm.sort();
    assert_eq!(llm, vec![a, b]);
    assert_eq!(c.model(a).unwrap().tags, tags(&["audio", "llm"]));
    let e: ModelTagsUpdated = last_event();
    assert_eq!(e.tags, tags(&["audio", "llm"]));
}

#[ink::test]
fn set_tags_refusals() {
    let mut c = setup();
    let id = register(&mut c, "a", &["llm"]);
    assert_refused!(c, c.set_tags(id, tags(&["Bad"])), Error::InvalidTag);
    assert_refused!(c, c.set_tags(id, tags(&["x", "x"])), Error::DuplicateTag);
    assert_refused!(
        c,
        c.set_tags(id, tags(&["a", "b", "c", "d", "e", "f"])),
        Error::TooManyTags
    );
    set_caller(accounts().bob);
    assert_refused!(c, c.set_tags(id, tags(&["vision"])), Error::NotModelOwner);
    set_caller(accounts().alice);
    c.delist(id).unwrap();
    assert_refused!(c, c.set_tags(id, tags(&["vision"])), Error::ModelDelisted);
}

// ------------------------------------------------------------ lifecycle

#[ink::test]
fn deprecate_names_successor() {
    let mut c = setup();
    let old = register(&mut c, "old", &[]);
    let new = register(&mut c, "new", &[]);
    c.deprecate(old, Some(new)).unwrap();
    assert_eq!(
        c.model(old).unwrap().status,
        ModelStatus::Deprecated {
            successor: Some(new)
        }
    );
    let e: ModelDeprecated = last_event();
    assert_eq!((e.model_id, e.successor), (old, Some(new)));
    // Deprecated models can still be delisted.
    c.delist(old).unwrap();
    assert_eq!(c.model(old).unwrap().status, ModelStatus::Delisted);
}

#[ink::test]
fn deprecate_refusals() {
    let mut c = setup();
    let a = register(&mut c, "a", &[]);
    let gone = register(&mut c, "gone", &[]);
    c.delist(gone).unwrap();
    assert_refused!(c, c.deprecate(a, Some(a)), Error::InvalidSuccessor);
    assert_refused!(c, c.deprecate(a, Some(42)), Error::SuccessorNotFound);
    assert_refused!(c, c.deprecate(a, Some(gone)), Error::InvalidSuccessor);
    assert_refused!(c, c.deprecate(42, None), Error::ModelNotFound);
    assert_refused!(c, c.deprecate(gone, None), Error::ModelNotActive);
    set_caller(accounts().bob);
    assert_refused!(c, c.deprecate(a, None), Error::NotModelOwner);
    set_caller(accounts().alice);
    c.deprecate(a, None).unwrap();
    assert_refused!(c, c.deprecate(a, None), Error::ModelNotActive);
}

#[ink::test]
fn delist_leaves_tag_index_but_stays_readable() {
    let mut c = setup();
    let a = register(&mut c, "a", &["llm"]);
    let b = register(&mut c, "b", &["llm"]);
    c.delist(a).unwrap();
    assert_eq!(ids(&c.models_by_tag(String::from("llm"), 0, 0)), vec![b]);
    assert_eq!(c.model(a).unwrap().status, ModelStatus::Delisted);
    let mut mine = ids(&c.models_by_owner(accounts().alice, 0, 0));
    mine.sort();
    assert_eq!(mine, vec![a, b]);
    let e: ModelDelisted = last_event();
    assert_eq!(e.model_id, a);
}

#[ink::test]
fn delist_refusals() {
    let mut c = setup();
    let a = register(&mut c, "a", &["llm"]);
    assert_refused!(c, c.delist(5), Error::ModelNotFound);
    set_caller(accounts().bob);
    assert_refused!(c, c.delist(a), Error::NotModelOwner);
    set_caller(accounts().alice);
    c.delist(a).unwrap();
    assert_refused!(c, c.delist(a), Error::ModelDelisted);
}

#[ink::test]
fn transfer_model_moves_owner_index() {
    let mut c = setup();
    let a = register(&mut c, "a", &[]);
    let b = register(&mut c, "b", &[]);
    let d = register(&mut c, "d", &[]);
    c.transfer_model(a, accounts().bob).unwrap();
    // Nothing moved yet: bob has to accept.
    let e: ModelTransferOffered = last_event();
    assert_eq!(
        (e.model_id, e.from, e.to),
        (a, accounts().alice, accounts().bob)
    );
    assert_eq!(c.owner_model_count(accounts().bob), 0);
    assert_eq!(c.pending_transfer(a), Some(accounts().bob));
    set_caller(accounts().bob);
    c.accept_model(a).unwrap();
    set_caller(accounts().alice);
    assert_eq!(c.pending_transfer(a), None);
    // Swap-remove: the last id took the freed slot.
    assert_eq!(ids(&c.models_by_owner(accounts().alice, 0, 0)), vec![d, b]);
    assert_eq!(ids(&c.models_by_owner(accounts().bob, 0, 0)), vec![a]);
    assert_eq!(c.model(a).unwrap().owner, accounts().bob);
    let e: ModelOwnershipTransferred = last_event();
    assert_eq!(
        (e.model_id, e.from, e.to),
        (a, accounts().alice, accounts().bob)
    );
    // The old owner lost control, the new one has it.
    assert_refused!(c, c.delist(a), Error::NotModelOwner);
    set_caller(accounts().bob);
    c.delist(a).unwrap();
}

#[ink::test]
fn transfer_model_refusals() {
    let mut c = setup();
    let a = register(&mut c, "a", &[]);
    assert_refused!(c, c.transfer_model(a, accounts().alice), Error::SameAccount);
    assert_refused!(c, c.transfer_model(3, accounts().bob), Error::ModelNotFound);
    assert_refused!(c, c.accept_model(a), Error::NoPendingTransfer);
    assert_refused!(c, c.accept_model(3), Error::ModelNotFound);
    assert_refused!(c, c.cancel_model_transfer(a), Error::NoPendingTransfer);
    set_caller(accounts().bob);
    assert_refused!(c, c.transfer_model(a, accounts().bob), Error::NotModelOwner);
}

#[ink::test]
fn nobody_can_push_a_model_into_a_strangers_listings() {
    // Today's attack: alice "transfers" a model to bob, who never asked for it.
    let a = accounts();
    let mut c = setup();
    let junk = register(&mut c, "junk", &["llm"]);
    c.transfer_model(junk, a.bob).unwrap();
    // The attack ran: an offer is pending for bob...
    assert_eq!(c.pending_transfer(junk), Some(a.bob));
    // ...but bob's listings are untouched, and only bob can accept.
    assert_eq!(c.owner_model_count(a.bob), 0);
    assert_eq!(c.model(junk).unwrap().owner, a.alice);
    set_caller(a.charlie);
    assert_refused!(c, c.accept_model(junk), Error::NotPendingOwner);
    assert_refused!(c, c.cancel_model_transfer(junk), Error::NotModelOwner);
    // The owner may withdraw the offer; then bob cannot take it either.
    set_caller(a.alice);
    c.cancel_model_transfer(junk).unwrap();
    let e: ModelTransferCancelled = last_event();
    assert_eq!((e.model_id, e.to), (junk, a.bob));
    set_caller(a.bob);
    assert_refused!(c, c.accept_model(junk), Error::NoPendingTransfer);
    assert_eq!(c.owner_model_count(a.bob), 0);
}

// ------------------------------------------------------------ offers

#[ink::test]
fn add_offer_native_and_allowed_token() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let token = accounts().frank;
    c.set_asset_allowed(token, true).unwrap();
    let o0 = c
        .add_offer(id, LicenseKind::Perpetual, 1_000, Asset::Native)
        .unwrap();
    let o1 = c
        .add_offer(
            id,
            LicenseKind::TimeBound {
                duration_ms: 60_000,
            },
            5,
            Asset::Psp22(token),
        )
        .unwrap();
    assert_eq!((o0, o1), (0, 1));
    assert_eq!(c.model(id).unwrap().offer_count, 2);
    let offer = c.offer(id, o1).unwrap();
    assert_eq!(offer.asset, Asset::Psp22(token));
    assert_eq!(offer.status, OfferStatus::Active);
    let e: OfferAdded = last_event();
    assert_eq!((e.model_id, e.offer_id, e.price), (id, 1, 5));
    assert_eq!(c.offers(id, 0, 0).items.len(), 2);
}

#[ink::test]
fn add_offer_refusals() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let native = Asset::Native;
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::Perpetual, 0, native),
        Error::ZeroPrice
    );
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::TimeBound { duration_ms: 0 }, 1, native),
        Error::InvalidLicenseTerms
    );
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::Metered { units: 0 }, 1, native),
        Error::InvalidLicenseTerms
    );
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Psp22(accounts().eve)),
        Error::AssetNotAllowed
    );
    assert_refused!(
        c,
        c.add_offer(99, LicenseKind::Perpetual, 1, native),
        Error::ModelNotFound
    );
    set_caller(accounts().bob);
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::Perpetual, 1, native),
        Error::NotModelOwner
    );
    set_caller(accounts().alice);
    c.deprecate(id, None).unwrap();
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::Perpetual, 1, native),
        Error::ModelNotActive
    );
}

#[ink::test]
fn add_offer_stops_at_the_cap() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    for i in 0..MAX_OFFERS_PER_MODEL {
        let price = u128::from(i) + 1;
        assert_eq!(
            c.add_offer(id, LicenseKind::Metered { units: 10 }, price, Asset::Native),
            Ok(i)
        );
    }
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Native),
        Error::TooManyOffers
    );
    // Paging walks all of them, MAX_PAGE at a time.
    let mut seen = 0;
    let mut cursor = Some(0);
    while let Some(at) = cursor {
        let page = c.offers(id, at, 0);
        assert!(page.items.len() as u32 <= MAX_PAGE);
        seen += page.items.len();
        cursor = page.next;
    }
    assert_eq!(seen, MAX_OFFERS_PER_MODEL as usize);
}

#[ink::test]
fn update_offer_changes_terms() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let o = c
        .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
        .unwrap();
    c.update_offer(id, o, LicenseKind::Metered { units: 100 }, 7, Asset::Native)
        .unwrap();
    let offer = c.offer(id, o).unwrap();
    assert_eq!(
        (offer.kind, offer.price),
        (LicenseKind::Metered { units: 100 }, 7)
    );
    let e: OfferUpdated = last_event();
    assert_eq!((e.model_id, e.offer_id, e.price, e.version), (id, o, 7, 2));
    assert_eq!(offer.version, 2);
}

#[ink::test]
fn update_offer_refusals() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let o = c
        .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
        .unwrap();
    let perp = LicenseKind::Perpetual;
    assert_refused!(
        c,
        c.update_offer(id, o, perp, 0, Asset::Native),
        Error::ZeroPrice
    );
    assert_refused!(
        c,
        c.update_offer(id, o, perp, 1, Asset::Psp22(accounts().eve)),
        Error::AssetNotAllowed
    );
    assert_refused!(
        c,
        c.update_offer(id, 5, perp, 1, Asset::Native),
        Error::OfferNotFound
    );
    set_caller(accounts().bob);
    assert_refused!(
        c,
        c.update_offer(id, o, perp, 1, Asset::Native),
        Error::NotModelOwner
    );
    set_caller(accounts().alice);
    c.retire_offer(id, o).unwrap();
    assert_refused!(
        c,
        c.update_offer(id, o, perp, 1, Asset::Native),
        Error::OfferRetired
    );
}

#[ink::test]
fn retire_offer_is_final() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let o = c
        .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
        .unwrap();
    assert_refused!(c, c.retire_offer(id, 3), Error::OfferNotFound);
    set_caller(accounts().bob);
    assert_refused!(c, c.retire_offer(id, o), Error::NotModelOwner);
    set_caller(accounts().alice);
    c.retire_offer(id, o).unwrap();
    assert_eq!(c.offer(id, o).unwrap().status, OfferStatus::Retired);
    let e: OfferRetired = last_event();
    assert_eq!((e.model_id, e.offer_id), (id, o));
    assert_refused!(c, c.retire_offer(id, o), Error::OfferRetired);
}

// ------------------------------------------------------------ attestations

#[ink::test]
fn attest_is_valid_until_expiry() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let auditor = accounts().charlie;
    c.set_auditor(auditor, true).unwrap();
    set_caller(auditor);
    c.attest(id, hash(9), T0 + 1_000).unwrap();
    let e: ModelAttested = last_event();
    assert_eq!(
        (e.model_id, e.auditor, e.expires_at),
        (id, auditor, T0 + 1_000)
    );
    assert!(c.is_attestation_valid(id, auditor));
    assert_eq!(c.attestation(id, auditor).unwrap().report_hash, hash(9));
    set_now(T0 + 1_000);
    assert!(!c.is_attestation_valid(id, auditor));
    // Renewing keeps one entry per auditor.
    c.attest(id, hash(10), T0 + 5_000).unwrap();
    assert!(c.is_attestation_valid(id, auditor));
    let page = c.attestations(id, 0, 0);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].report_hash, hash(10));
    assert_eq!(c.model(id).unwrap().auditor_count, 1);
}

#[ink::test]
fn removed_auditor_attestation_stops_counting() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let auditor = accounts().charlie;
    c.set_auditor(auditor, true).unwrap();
    set_caller(auditor);
    c.attest(id, hash(9), T0 + 1_000).unwrap();
    set_caller(accounts().alice);
    c.set_auditor(auditor, false).unwrap();
    assert!(!c.is_attestation_valid(id, auditor));
}

#[ink::test]
fn attest_refusals() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let auditor = accounts().charlie;
    set_caller(auditor);
    assert_refused!(c, c.attest(id, hash(9), T0 + 1), Error::NotAuditor);
    set_caller(accounts().alice);
    c.set_auditor(auditor, true).unwrap();
    set_caller(auditor);
    assert_refused!(c, c.attest(id, hash(9), T0), Error::ExpiryNotInFuture);
    assert_refused!(c, c.attest(77, hash(9), T0 + 1), Error::ModelNotFound);
    set_caller(accounts().alice);
    c.delist(id).unwrap();
    set_caller(auditor);
    assert_refused!(c, c.attest(id, hash(9), T0 + 1), Error::ModelDelisted);
}

#[ink::test]
fn revoke_attestation_once() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let auditor = accounts().charlie;
    c.set_auditor(auditor, true).unwrap();
    set_caller(auditor);
    assert_refused!(c, c.revoke_attestation(id), Error::AttestationNotFound);
    c.attest(id, hash(9), T0 + 1_000).unwrap();
    c.revoke_attestation(id).unwrap();
    let e: AttestationRevoked = last_event();
    assert_eq!((e.model_id, e.auditor), (id, auditor));
    assert!(!c.is_attestation_valid(id, auditor));
    assert!(c.attestation(id, auditor).unwrap().revoked);
    assert_refused!(c, c.revoke_attestation(id), Error::AttestationNotFound);
}

// ------------------------------------------------------------ admin

#[ink::test]
fn admin_manages_auditors() {
    let mut c = setup();
    let who = accounts().django;
    for allowed in [true, true, false, false, true] {
        let events = event_count();
        c.set_auditor(who, allowed).unwrap();
        assert_eq!(c.is_auditor(who), allowed);
        assert_eq!(event_count(), events + 1, "every call emits, even a repeat");
        let e: AuditorChanged = last_event();
        assert_eq!((e.auditor, e.allowed), (who, allowed));
    }
    assert!(!c.is_auditor(accounts().eve), "only the named account");
}

#[ink::test]
fn admin_manages_assets() {
    let mut c = setup();
    let token = accounts().frank;
    assert!(c.is_asset_allowed(Asset::Native));
    assert!(!c.is_asset_allowed(Asset::Psp22(token)));
    for allowed in [true, true, false, false, true] {
        let events = event_count();
        c.set_asset_allowed(token, allowed).unwrap();
        assert_eq!(c.is_asset_allowed(Asset::Psp22(token)), allowed);
        assert_eq!(event_count(), events + 1, "every call emits, even a repeat");
        let e: AssetAllowanceChanged = last_event();
        assert_eq!((e.token, e.allowed), (token, allowed));
    }
    assert!(c.is_asset_allowed(Asset::Native));
}

#[ink::test]
fn allow_lists_refuse_non_admins_and_change_nothing() {
    let mut c = setup();
    let a = accounts();
    c.set_auditor(a.django, true).unwrap();
    c.set_asset_allowed(a.frank, true).unwrap();
    // The former admin too, once the role has moved.
    c.propose_admin(Some(a.bob)).unwrap();
    set_caller(a.bob);
    c.accept_admin().unwrap();
    for caller in [a.alice, a.charlie, a.django] {
        set_caller(caller);
        for allowed in [true, false] {
            for who in [a.django, a.eve] {
                assert_refused!(c, c.set_auditor(who, allowed), Error::NotAdmin);
            }
            for token in [a.frank, a.eve] {
                assert_refused!(c, c.set_asset_allowed(token, allowed), Error::NotAdmin);
            }
        }
    }
    assert!(c.is_auditor(a.django) && !c.is_auditor(a.eve));
    assert!(c.is_asset_allowed(Asset::Psp22(a.frank)));
    assert!(!c.is_asset_allowed(Asset::Psp22(a.eve)));
}

#[ink::test]
fn admin_sets_royalty_cap() {
    let mut c = setup();
    c.set_max_royalty_bps(500).unwrap();
    assert_eq!(c.max_royalty_bps(), 500);
    let e: MaxRoyaltyChanged = last_event();
    assert_eq!(e.max_royalty_bps, 500);
    assert_refused!(
        c,
        c.set_max_royalty_bps(ROYALTY_HARD_CAP_BPS + 1),
        Error::RoyaltyCapTooHigh
    );
}

#[ink::test]
fn admin_hands_over_role() {
    let mut c = setup();
    let a = accounts();
    assert_refused!(c, c.propose_admin(Some(a.alice)), Error::SameAccount);
    assert_refused!(c, c.accept_admin(), Error::NotPendingAdmin);
    c.propose_admin(Some(a.bob)).unwrap();
    let e: AdminProposed = last_event();
    assert_eq!((e.admin, e.proposed), (a.alice, Some(a.bob)));
    // Proposing hands nothing over; only bob can accept.
    assert_eq!(c.admin(), a.alice);
    set_caller(a.charlie);
    assert_refused!(c, c.accept_admin(), Error::NotPendingAdmin);
    set_caller(a.bob);
    c.accept_admin().unwrap();
    set_caller(a.alice);
    assert_eq!(c.pending_admin(), None);
    let e: AdminChanged = last_event();
    assert_eq!((e.previous, e.new), (a.alice, a.bob));
    assert_eq!(c.admin(), a.bob);
    assert_refused!(c, c.set_auditor(a.eve, true), Error::NotAdmin);
    set_caller(a.bob);
    c.set_auditor(a.eve, true).unwrap();
}

#[ink::test]
fn non_admin_is_refused_everywhere() {
    let mut c = setup();
    let a = accounts();
    c.set_auditor(a.django, true).unwrap();
    c.set_asset_allowed(a.frank, true).unwrap();
    set_caller(a.bob);
    assert_refused!(c, c.set_auditor(a.eve, true), Error::NotAdmin);
    assert_refused!(c, c.set_auditor(a.django, false), Error::NotAdmin);
    assert_refused!(c, c.set_asset_allowed(a.eve, true), Error::NotAdmin);
    assert_refused!(c, c.set_asset_allowed(a.frank, false), Error::NotAdmin);
    assert_refused!(c, c.set_max_royalty_bps(1), Error::NotAdmin);
    assert_refused!(c, c.set_paused(true), Error::NotAdmin);
    assert_refused!(c, c.propose_admin(Some(a.bob)), Error::NotAdmin);
    assert_refused!(c, c.propose_admin(None), Error::NotAdmin);
}

#[ink::test]
fn admin_proposal_can_be_withdrawn() {
    let mut c = setup();
    let a = accounts();
    c.propose_admin(Some(a.bob)).unwrap();
    c.propose_admin(None).unwrap();
    let e: AdminProposed = last_event();
    assert_eq!(e.proposed, None);
    set_caller(a.bob);
    assert_refused!(c, c.accept_admin(), Error::NotPendingAdmin);
    assert_eq!(c.admin(), a.alice);
}

#[ink::test]
fn constructor_emits_registry_created() {
    let c = setup();
    let e: RegistryCreated = last_event();
    assert_eq!((e.admin, e.max_royalty_bps), (accounts().alice, 2_000));
    assert_eq!(event_count(), 1);
    assert_eq!(c.pending_admin(), None);
}

// ------------------------------------------------------------ licenses

use crate::calls::chain;
use market_types::{SettleReason, TokenError, VaultError};

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
            chain::mint(t, buyer, o.price);
            let allowed = chain::allowance(t, buyer, registry_id());
            chain::set_allowance(t, buyer, registry_id(), allowed + o.price);
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

#[ink::test]
fn purchase_refusals_happen_before_the_vault_and_change_nothing() {
    let a = accounts();
    let (mut c, id) = shop();
    set_value(100);
    assert_refused!(c, c.purchase_license(id, 0, 1), Error::VaultNotSet);
    set_caller(a.alice);
    set_value(0);
    c.set_vault(vault_a()).unwrap();
    set_caller(a.charlie);
    set_value(100);
    assert_refused!(c, c.purchase_license(99, 0, 1), Error::ModelNotFound);
    assert_refused!(c, c.purchase_license(id, 9, 1), Error::OfferNotFound);
    assert_refused!(c, c.purchase_license(id, 0, 2), Error::OfferChanged);
    set_value(1);
    assert_refused!(c, c.purchase_license(id, 2, 1), Error::OfferRetired);
    set_value(99);
    assert_refused!(c, c.purchase_license(id, 0, 1), Error::WrongPayment);
    set_value(101);
    assert_refused!(c, c.purchase_license(id, 0, 1), Error::WrongPayment);
    set_value(7);
    assert_refused!(c, c.purchase_license(id, 1, 1), Error::WrongPayment);
    set_caller(a.bob);
    set_value(100);
    assert_refused!(c, c.purchase_license(id, 0, 1), Error::CannotBuyOwnModel);
    set_value(0);
    c.deprecate(id, None).unwrap();
    set_caller(a.charlie);
    set_value(100);
    assert_refused!(c, c.purchase_license(id, 0, 1), Error::ModelNotActive);
    set_value(0);
    assert_eq!(chain::with(|ch| ch.vault_calls), 0, "no vault was called");
}

#[ink::test]
fn native_purchase_opens_an_order_for_the_buyer_and_release_grants_it() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let license = buy(&mut c, id, 0).unwrap();
    let e: LicensePurchased = last_event();
    assert_eq!(
        (e.license_id, e.buyer, e.vault, e.escrow_id, e.offer_version),
        (license, a.charlie, vault_a(), 1, 1)
    );
    let opened = chain::with(|ch| ch.opened.clone());
    assert_eq!(opened.len(), 1);
    let o = &opened[0];
    assert_eq!(
        (
            o.vault,
            o.opener,
            o.payer,
            o.terms.payee,
            o.terms.amount,
            o.value
        ),
        (vault_a(), registry_id(), a.charlie, a.bob, 100, 100)
    );
    assert_eq!((o.terms.context, o.id), (license, e.escrow_id));
    assert!(!c.has_valid_license(a.charlie, id), "not while in escrow");
    assert_eq!(c.entitlement(a.charlie, id).pending, vec![license]);
    // Only the buyer releases, through the registry.
    set_caller(a.django);
    assert_refused!(c, c.release_license(license), Error::NotLicenseHolder);
    assert_refused!(c, c.release_license(99), Error::LicenseNotFound);
    set_caller(a.charlie);
    c.release_license(license).unwrap();
    let e: LicenseRecorded = last_event();
    assert_eq!(
        (e.license_id, e.buyer, e.granted),
        (license, a.charlie, true)
    );
    assert!(c.has_valid_license(a.charlie, id));
    let l = c.license(license).unwrap();
    assert_eq!((l.granted, l.released_at), (Some(true), Some(T0)));
    assert!(c.entitlement(a.charlie, id).perpetual);
    // A second release is the vault's refusal, and changes nothing here.
    assert_refused!(
        c,
        c.release_license(license),
        Error::Vault(VaultError::EscrowNotOpen)
    );
}

#[ink::test]
fn psp22_purchase_moves_the_buyers_tokens_into_the_vault_through_the_registry() {
    let a = accounts();
    let (mut c, id) = open_shop();
    // No approval of the registry: the token's own reason comes back.
    chain::mint(token(), a.charlie, 7);
    assert_refused!(
        c,
        c.purchase_license(id, 1, 1),
        Error::Token(TokenError::InsufficientAllowance)
    );
    // Approved, but django holds no tokens.
    set_caller(a.django);
    chain::set_allowance(token(), a.django, registry_id(), 7);
    assert_refused!(
        c,
        c.purchase_license(id, 1, 1),
        Error::Token(TokenError::InsufficientBalance)
    );
    // An approval of the vault itself is not enough: the vault only ever pulls
    // from its caller, so nobody else's approval can be spent.
    set_caller(a.charlie);
    chain::set_allowance(token(), a.charlie, vault_a(), 7);
    assert_refused!(
        c,
        c.purchase_license(id, 1, 1),
        Error::Token(TokenError::InsufficientAllowance)
    );
    assert_eq!(chain::balance(token(), a.charlie), 7);
    // Approving the registry works: approve + purchase, nothing more.
    chain::set_allowance(token(), a.charlie, registry_id(), 7);
    let license = c.purchase_license(id, 1, 1).unwrap();
    assert_eq!(chain::balance(token(), a.charlie), 0);
    assert_eq!(chain::balance(token(), vault_a()), 7);
    assert_eq!(chain::balance(token(), registry_id()), 0);
    assert_eq!(chain::allowance(token(), registry_id(), vault_a()), 0);
    assert_eq!(
        chain::allowance(token(), a.charlie, vault_a()),
        7,
        "untouched"
    );
    let opened = chain::with(|ch| ch.opened.clone());
    assert_eq!((opened[0].payer, opened[0].value), (a.charlie, 0));
    assert_eq!(c.license(license).unwrap().asset, Asset::Psp22(token()));
}

#[ink::test]
fn a_later_purchase_never_hides_a_valid_license() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let perpetual = buy(&mut c, id, 0).unwrap();
    c.release_license(perpetual).unwrap();
    assert!(c.has_valid_license(a.charlie, id));
    // The attack path of today: a second purchase becomes the "latest" one.
    let second = buy(&mut c, id, 1).unwrap();
    assert_eq!(c.entitlement(a.charlie, id).pending, vec![second]);
    assert!(c.has_valid_license(a.charlie, id), "pending second");
    let (vault, escrow) = escrow_of(&c, second);
    chain::dispute(vault, escrow);
    assert!(c.has_valid_license(a.charlie, id), "disputed second");
    chain::settle(vault, escrow, SettleReason::RefundedAfterDeadline, 0);
    assert!(c.has_valid_license(a.charlie, id), "refunded second");
    set_caller(a.eve);
    assert_eq!(c.sync_licenses(a.charlie, id), Ok(0));
    let e: LicenseRecorded = last_event();
    assert_eq!((e.license_id, e.granted), (second, false));
    assert!(c.has_valid_license(a.charlie, id), "after recording");
    let page = c.licenses_for_model(a.charlie, id, 0, 0);
    let states: Vec<LicenseState> = page.items.iter().map(|v| v.state).collect();
    assert_eq!(states, vec![LicenseState::Active, LicenseState::NotGranted]);
}

#[ink::test]
fn pending_purchases_are_bounded_and_validity_costs_the_same_after_many() {
    let a = accounts();
    let (mut c, id) = open_shop();
    for _ in 0..MAX_PENDING_LICENSES {
        buy(&mut c, id, 0).unwrap();
    }
    let before = fingerprint(&c);
    set_value(100);
    assert_eq!(
        c.purchase_license(id, 0, 1),
        Err(Error::TooManyPendingLicenses)
    );
    set_value(0);
    assert_eq!(fingerprint(&c), before);
    // Settle them all (refunds); each next purchase records the settled ones.
    for n in 0..40u64 {
        let pending = c.entitlement(a.charlie, id).pending;
        for l in pending {
            let (v, e) = escrow_of(&c, l);
            chain::settle(v, e, SettleReason::RefundedAfterDeadline, 0);
        }
        buy(&mut c, id, 0).unwrap();
        assert!(c.entitlement(a.charlie, id).pending.len() <= 1, "round {n}");
    }
    let last = c.license_count();
    c.release_license(last).unwrap();
    chain::with(|ch| ch.vault_calls = 0);
    assert!(c.has_valid_license(a.charlie, id));
    assert!(!c.has_valid_license(a.django, id));
    let calls = chain::with(|ch| ch.vault_calls);
    assert_eq!(calls, 0, "44 licenses bought, validity read from storage");
    // With the most pending licenses, one vault read each, no more.
    set_caller(a.django);
    for _ in 0..MAX_PENDING_LICENSES {
        buy(&mut c, id, 1).unwrap();
    }
    chain::with(|ch| ch.vault_calls = 0);
    assert!(!c.has_valid_license(a.django, id));
    assert_eq!(
        chain::with(|ch| ch.vault_calls),
        MAX_PENDING_LICENSES as u32
    );
}

#[ink::test]
fn licenses_keep_the_vault_they_were_paid_into() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let kept = buy(&mut c, id, 0).unwrap();
    c.release_license(kept).unwrap();
    set_caller(a.django);
    let refunded = buy(&mut c, id, 0).unwrap();
    let (va, escrow) = escrow_of(&c, refunded);
    assert_eq!((va, escrow), (vault_a(), 2));
    chain::settle(va, escrow, SettleReason::RefundedAfterDeadline, 0);
    // The admin migrates new purchases to vault B.
    set_caller(a.alice);
    c.set_vault(vault_b()).unwrap();
    // The attack path: vault B has its own order 2, and it gets released.
    set_caller(a.eve);
    let unrelated = buy(&mut c, id, 0).unwrap();
    set_caller(a.django);
    let (vb, _) = escrow_of(&c, unrelated);
    assert_eq!(vb, vault_b());
    set_caller(a.eve);
    let second_in_b = buy(&mut c, id, 1).unwrap();
    assert_eq!(escrow_of(&c, second_in_b), (vault_b(), 2));
    chain::settle(vault_b(), 2, SettleReason::Released, 10_000);
    // Django's refunded license reads vault A, where order 2 was refunded.
    assert!(!c.has_valid_license(a.django, id));
    // Charlie's released license still reads valid after the migration.
    assert!(c.has_valid_license(a.charlie, id));
    // Eve's order 2 in B is the one that was released.
    assert!(c.has_valid_license(a.eve, id));
    let view = c.licenses_of(a.django, 0, 0);
    assert_eq!(view.items.len(), 1);
    assert_eq!(view.items[0].license.vault, vault_a());
    assert_eq!(view.items[0].state, LicenseState::NotGranted);
}

#[ink::test]
fn the_buyer_pays_what_they_saw() {
    let a = accounts();
    let (mut c, id) = open_shop();
    // Charlie quotes the token offer (version 1, 7 tokens) and leaves a standing
    // approval of 1 000 for the registry.
    let quoted = c.offer(id, 1).unwrap();
    assert_eq!((quoted.price, quoted.version), (7, 1));
    chain::mint(token(), a.charlie, 1_000);
    chain::set_allowance(token(), a.charlie, registry_id(), 1_000);
    // The owner reprices it before the purchase lands.
    set_caller(a.bob);
    c.update_offer(id, 1, quoted.kind, 700, quoted.asset)
        .unwrap();
    // And turns the perpetual offer into a 1 ms license.
    c.update_offer(
        id,
        0,
        LicenseKind::TimeBound { duration_ms: 1 },
        100,
        Asset::Native,
    )
    .unwrap();
    assert_eq!(c.offer(id, 1).unwrap().version, 2);
    set_caller(a.charlie);
    assert_refused!(c, c.purchase_license(id, 1, 1), Error::OfferChanged);
    set_value(100);
    assert_refused!(c, c.purchase_license(id, 0, 1), Error::OfferChanged);
    set_value(0);
    assert_eq!(chain::balance(token(), a.charlie), 1_000, "nothing charged");
    assert!(chain::with(|ch| ch.opened.is_empty()));
    // Agreeing to the new version is charged the new price.
    c.purchase_license(id, 1, 2).unwrap();
    assert_eq!(chain::balance(token(), a.charlie), 300);
}

#[ink::test]
fn one_rating_per_account_and_model_however_many_licenses() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let first = buy(&mut c, id, 0).unwrap();
    let second = buy(&mut c, id, 1).unwrap();
    assert_refused!(c, c.rate_model(id, 5), Error::LicenseNotReleased);
    assert_refused!(c, c.rate_model(id, 0), Error::InvalidRating);
    assert_refused!(c, c.rate_model(id, 6), Error::InvalidRating);
    assert_refused!(c, c.rate_model(99, 5), Error::ModelNotFound);
    c.release_license(first).unwrap();
    c.release_license(second).unwrap();
    c.rate_model(id, 4).unwrap();
    let e: ModelRated = last_event();
    assert_eq!((e.model_id, e.rater, e.stars), (id, a.charlie, 4));
    // The attack path: a second license, a second vote.
    assert_eq!(c.entitlement(a.charlie, id).granted, 2);
    assert_refused!(c, c.rate_model(id, 5), Error::AlreadyRated);
    assert_eq!(c.rating(id), (4, 1));
    assert_eq!(c.average_rating_x100(id), Some(400));
}

#[ink::test]
fn rating_counts_an_auto_released_license_not_yet_recorded() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let l = buy(&mut c, id, 0).unwrap();
    let (v, e) = escrow_of(&c, l);
    chain::settle(v, e, SettleReason::AutoReleased, 10_000);
    c.rate_model(id, 5).unwrap();
    assert_eq!(c.license(l).unwrap().granted, Some(true));
    assert!(c.entitlement(a.charlie, id).pending.is_empty());
}

#[ink::test]
fn metered_units_are_pooled_and_counted_by_the_owner_only() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let l1 = buy(&mut c, id, 1).unwrap();
    let l2 = buy(&mut c, id, 1).unwrap();
    set_caller(a.bob);
    assert_refused!(c, c.consume_units(a.charlie, id, 1), Error::NotMetered);
    set_caller(a.charlie);
    c.release_license(l1).unwrap();
    let (v, e) = escrow_of(&c, l2);
    chain::settle(v, e, SettleReason::AutoReleased, 10_000);
    assert_refused!(c, c.consume_units(a.charlie, id, 1), Error::NotModelOwner);
    set_caller(a.bob);
    assert_refused!(c, c.consume_units(a.charlie, 99, 1), Error::ModelNotFound);
    assert_refused!(c, c.consume_units(a.charlie, id, 0), Error::ZeroUnits);
    assert_eq!(c.consume_units(a.charlie, id, 8), Ok(2));
    let e: UnitsConsumed = last_event();
    assert_eq!((e.account, e.units, e.remaining), (a.charlie, 8, 2));
    assert_refused!(c, c.consume_units(a.charlie, id, 3), Error::UnitsExhausted);
    assert_refused!(
        c,
        c.consume_units(a.charlie, id, u64::MAX),
        Error::UnitsExhausted
    );
    assert!(c.has_valid_license(a.charlie, id));
    assert_eq!(c.consume_units(a.charlie, id, 2), Ok(0));
    assert!(!c.has_valid_license(a.charlie, id));
    let states: Vec<LicenseState> = c
        .licenses_of(a.charlie, 0, 0)
        .items
        .iter()
        .map(|v| v.state)
        .collect();
    assert_eq!(states, vec![LicenseState::Expired, LicenseState::Expired]);
}

#[ink::test]
fn a_seller_cannot_jam_an_entitlement_with_huge_metered_licenses() {
    let a = accounts();
    let (mut c, id) = open_shop();
    set_caller(a.bob);
    c.add_offer(
        id,
        LicenseKind::Metered { units: u64::MAX },
        3,
        Asset::Native,
    )
    .unwrap();
    set_caller(a.charlie);
    // The attack: two u64::MAX-unit licenses, both auto-released.
    for _ in 0..2 {
        let l = buy(&mut c, id, 3).unwrap();
        let (v, e) = escrow_of(&c, l);
        chain::settle(v, e, SettleReason::AutoReleased, 10_000);
    }
    assert_eq!(c.sync_licenses(a.charlie, id), Ok(0));
    assert_eq!(c.entitlement(a.charlie, id).units_bought, u64::MAX);
    // Nothing is jammed: the buyer buys, rates and is counted as before.
    buy(&mut c, id, 0).unwrap();
    c.rate_model(id, 5).unwrap();
    set_caller(a.bob);
    assert_eq!(c.consume_units(a.charlie, id, 1), Ok(u64::MAX - 1));
}

#[ink::test]
fn a_dead_vault_cannot_hold_a_pending_slot_for_ever() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let l = buy(&mut c, id, 0).unwrap();
    // While the vault answers, the license settles there.
    assert_refused!(c, c.drop_license(l), Error::VaultStillAnswers);
    set_caller(a.django);
    assert_refused!(c, c.drop_license(l), Error::NotLicenseHolder);
    assert_refused!(c, c.drop_license(99), Error::LicenseNotFound);
    // The vault forgets the order (removed, or replaced by other code).
    let (v, e) = escrow_of(&c, l);
    chain::with(|ch| ch.statuses.remove(&(v, e)));
    assert!(!c.has_valid_license(a.charlie, id));
    set_caller(a.charlie);
    c.drop_license(l).unwrap();
    let ev: LicenseRecorded = last_event();
    assert_eq!((ev.license_id, ev.granted), (l, false));
    assert!(c.entitlement(a.charlie, id).pending.is_empty());
    assert_eq!(c.license(l).unwrap().granted, Some(false));
    assert_refused!(c, c.drop_license(l), Error::LicenseNotPending);
}

#[ink::test]
fn license_pages_cover_every_license_once() {
    let a = accounts();
    let (mut c, id) = open_shop();
    set_caller(a.bob);
    let other = register(&mut c, "other", &[]);
    c.add_offer(other, LicenseKind::Perpetual, 5, Asset::Native)
        .unwrap();
    set_caller(a.charlie);
    let mut bought = Vec::new();
    for i in 0..23u64 {
        let model = if i % 3 == 0 { other } else { id };
        let l = buy(&mut c, model, 0).unwrap();
        c.release_license(l).unwrap();
        bought.push((model, l));
    }
    let mut seen = Vec::new();
    let mut cursor = Some(0);
    while let Some(at) = cursor {
        let page = c.licenses_of(a.charlie, at, 0);
        assert!(page.items.len() as u32 <= MAX_PAGE);
        seen.extend(page.items.iter().map(|v| v.license_id));
        cursor = page.next;
    }
    assert_eq!(seen, bought.iter().map(|(_, l)| *l).collect::<Vec<_>>());
    assert_eq!(c.account_license_count(a.charlie), 23);
    let for_other: Vec<LicenseId> = c
        .licenses_for_model(a.charlie, other, 0, 0)
        .items
        .iter()
        .map(|v| v.license_id)
        .collect();
    let expected: Vec<LicenseId> = bought
        .iter()
        .filter(|(m, _)| *m == other)
        .map(|(_, l)| *l)
        .collect();
    assert_eq!(for_other, expected);
    let page = c.licenses_for_model(a.charlie, id, 0, 0);
    assert_eq!(page.items.len(), MAX_PAGE as usize);
    assert_eq!(page.next, Some(u64::from(MAX_PAGE)));
    assert!(page.items.iter().all(|v| v.state == LicenseState::Active
        && v.escrow
            .is_some_and(|s| s.state == market_types::EscrowState::Settled)));
    assert!(c
        .licenses_of(a.charlie, u64::MAX, u32::MAX)
        .items
        .is_empty());
    assert!(c.licenses_of(a.django, 0, 0).items.is_empty());
}

// ------------------------------------------------------------ pause

/// The `paused` of the last event, which must be a `PauseChanged` (checked by its
/// signature topic: another event can decode as a one-byte struct without error).
fn last_pause_changed() -> bool {
    let event = test::recorded_events().last().expect("an event");
    let signature = <PauseChanged as ink::env::Event>::SIGNATURE_TOPIC.expect("a signature");
    assert_eq!(
        event.topics.first().map(|t| t.as_slice()),
        Some(&signature[..]),
        "the last event is not PauseChanged"
    );
    PauseChanged::decode(&mut &event.data[..])
        .expect("a PauseChanged")
        .paused
}

/// The caller registers a child of `parent` tagged "llm" (a valid model).
fn register_child(c: &mut ModelRegistry, parent: ModelId) -> Result<ModelId> {
    c.register_model(
        String::from("fine-tune"),
        String::from("ipfs://child"),
        hash(3),
        v(1, 0, 0),
        Some(parent),
        500,
        tags(&["llm"]),
    )
}

#[ink::test]
fn only_the_admin_pauses_and_every_call_emits() {
    let a = accounts();
    let mut c = setup();
    assert!(!c.paused(), "a new registry takes listings");
    for paused in [true, true, false, false, true] {
        let events = event_count();
        c.set_paused(paused).unwrap();
        assert_eq!(c.paused(), paused);
        assert_eq!(event_count(), events + 1, "every call emits, even a repeat");
        assert_eq!(last_pause_changed(), paused);
    }
    // Paused now. Nobody else resumes or pauses; the former admin neither, once the
    // role has moved.
    c.propose_admin(Some(a.bob)).unwrap();
    set_caller(a.bob);
    c.accept_admin().unwrap();
    for caller in [a.alice, a.charlie, a.django] {
        set_caller(caller);
        assert_refused!(c, c.set_paused(false), Error::NotAdmin);
        assert_refused!(c, c.set_paused(true), Error::NotAdmin);
    }
    assert!(c.paused());
    set_caller(a.bob);
    c.set_paused(false).unwrap();
    assert!(!c.paused());
}

#[ink::test]
fn a_paused_registry_refuses_new_listings_and_changes_nothing() {
    let a = accounts();
    let (mut c, id) = open_shop();
    set_caller(a.alice);
    c.set_paused(true).unwrap();
    for who in [a.bob, a.charlie] {
        set_caller(who);
        assert_refused!(c, register_child(&mut c, id), Error::Paused);
    }
    // The pause is checked first: an invalid model is refused as paused too.
    assert_refused!(
        c,
        c.register_model(text(0), text(0), hash(1), v(1, 0, 0), None, 0, vec![]),
        Error::Paused
    );
    set_caller(a.bob);
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::Perpetual, 50, Asset::Native),
        Error::Paused
    );
    assert_refused!(
        c,
        c.add_offer(id, LicenseKind::Perpetual, 0, Asset::Native),
        Error::Paused
    );
    assert_eq!((c.model_count(), c.model(id).unwrap().offer_count), (1, 3));
    // Resuming lets the same calls through.
    set_caller(a.alice);
    c.set_paused(false).unwrap();
    assert!(!last_pause_changed());
    set_caller(a.bob);
    let child = register_child(&mut c, id).unwrap();
    assert_eq!(child, 2);
    let e: ModelRegistered = last_event();
    assert_eq!((e.model_id, e.parent), (child, Some(id)));
    let offer = c
        .add_offer(id, LicenseKind::Perpetual, 50, Asset::Native)
        .unwrap();
    assert_eq!(offer, 3);
    assert_eq!(c.offer(id, offer).unwrap().price, 50);
}

#[ink::test]
fn purchases_releases_and_updates_go_on_while_paused() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let earlier = buy(&mut c, id, 0).unwrap();
    set_caller(a.alice);
    c.set_paused(true).unwrap();
    // Buyers buy, release and rate.
    set_caller(a.charlie);
    c.release_license(earlier).unwrap();
    assert!(c.has_valid_license(a.charlie, id));
    let metered = buy(&mut c, id, 1).unwrap();
    let e: LicensePurchased = last_event();
    assert_eq!((e.license_id, e.buyer, e.price), (metered, a.charlie, 7));
    c.release_license(metered).unwrap();
    c.rate_model(id, 5).unwrap();
    assert_eq!(c.rating(id), (5, 1));
    // The owner updates, retires and counts what is already listed and sold.
    set_caller(a.bob);
    assert_eq!(c.consume_units(a.charlie, id, 2), Ok(3));
    c.update_offer(id, 0, LicenseKind::Perpetual, 120, Asset::Native)
        .unwrap();
    assert_eq!(c.offer(id, 0).unwrap().version, 2);
    c.retire_offer(id, 1).unwrap();
    c.update_metadata(id, String::from("ipfs://card-v2"))
        .unwrap();
    c.publish_version(id, v(1, 1, 0), hash(4), String::from("ipfs://card-v2"))
        .unwrap();
    assert_eq!(c.model(id).unwrap().version, v(1, 1, 0));
    // The updated offer sells at its new version while still paused.
    set_caller(a.django);
    let later = buy(&mut c, id, 0).unwrap();
    assert_eq!(c.license(later).unwrap().price, 120);
    assert!(c.paused());
}

// ------------------------------------------------------------ pages

#[ink::test]
fn models_pages_cover_every_id_once() {
    let mut c = setup();
    for i in 0..25 {
        register(&mut c, &format!("m{i}"), &["llm"]);
    }
    let mut all = Vec::new();
    let mut cursor = Some(0);
    let mut pages = 0;
    while let Some(at) = cursor {
        let page = c.models(at, 0);
        assert!(page.items.len() as u32 <= MAX_PAGE);
        all.extend(ids(&page));
        cursor = page.next;
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(all, (1..=25).collect::<Vec<_>>());
    // Limits above the cap are clamped; small limits honoured.
    assert_eq!(c.models(1, 1_000).items.len(), MAX_PAGE as usize);
    assert_eq!(ids(&c.models(24, 5)), vec![24, 25]);
    assert_eq!(c.models(24, 5).next, None);
    assert_eq!(c.models(3, 2).next, Some(5));
    assert!(c.models(26, 5).items.is_empty());
    assert!(c.models(u64::MAX, u32::MAX).items.is_empty());
    // The same for the tag and owner indexes.
    let by_tag = c.models_by_tag(String::from("llm"), 20, 0);
    assert_eq!(ids(&by_tag), (21..=25).collect::<Vec<_>>());
    assert_eq!(by_tag.next, None);
    assert_eq!(c.models_by_owner(accounts().alice, 0, 0).next, Some(10));
    assert_eq!(c.owner_model_count(accounts().alice), 25);
    assert!(c
        .models_by_owner(accounts().alice, u64::MAX, 1)
        .items
        .is_empty());
    assert!(c
        .models_by_tag(String::from("NOT VALID"), 0, 0)
        .items
        .is_empty());
    assert_eq!(c.tag_model_count(String::from("NOT VALID")), 0);
}

#[ink::test]
fn largest_pages_stay_far_below_16_kib() {
    let mut c = setup();
    // Mappings live under the callee's account, so it is set before any write.
    test::set_callee::<E>(AccountId::from([0xEE; 32]));
    c.set_asset_allowed(accounts().frank, true).unwrap();
    let big_tags: Vec<String> = (0..MAX_TAGS)
        .map(|i| format!("{}{}", "t".repeat(MAX_TAG_LEN - 1), i))
        .collect();
    c.set_auditor(accounts().alice, true).unwrap();
    for _ in 0..MAX_PAGE {
        let id = c
            .register_model(
                text(MAX_NAME_LEN),
                text(MAX_URI_LEN),
                hash(1),
                v(u32::MAX, u32::MAX, u32::MAX),
                None,
                0,
                big_tags.clone(),
            )
            .unwrap();
        c.deprecate(id, Some(1)).ok();
    }
    for _ in 0..MAX_PAGE {
        c.add_offer(
            1,
            LicenseKind::TimeBound {
                duration_ms: u64::MAX,
            },
            u128::MAX,
            Asset::Psp22(accounts().frank),
        )
        .unwrap();
    }
    // Every auditor slot of model 1 taken, so the attestation page is full.
    for i in 0..MAX_PAGE {
        let auditor = AccountId::from([0x40 + i as u8; 32]);
        set_caller(accounts().alice);
        c.set_auditor(auditor, true).unwrap();
        set_caller(auditor);
        c.attest(1, hash(3), u64::MAX).unwrap();
    }
    // A full page of licenses with the widest fields: TimeBound, u128::MAX.
    set_caller(accounts().alice);
    c.set_vault(AccountId::from([0xA1; 32])).unwrap();
    set_caller(accounts().bob);
    let buyer = accounts().bob;
    crate::calls::chain::mint(accounts().frank, buyer, u128::MAX);
    for i in 0..MAX_PAGE {
        crate::calls::chain::with(|ch| {
            ch.allowances.insert(
                (accounts().frank, buyer, AccountId::from([0xEE; 32])),
                u128::MAX,
            );
            ch.balances.insert((accounts().frank, buyer), u128::MAX);
            ch.balances
                .insert((accounts().frank, AccountId::from([0xA1; 32])), 0);
        });
        let l = c.purchase_license(1, i, 1).unwrap();
        c.release_license(l).unwrap();
    }
    let models = c.models(1, MAX_PAGE).encoded_size();
    let attestations = c.attestations(1, 0, MAX_PAGE).encoded_size();
    let licenses = c.licenses_of(buyer, 0, MAX_PAGE).encoded_size();
    let for_model = c.licenses_for_model(buyer, 1, 0, MAX_PAGE).encoded_size();
    let owned = c
        .models_by_owner(accounts().alice, 0, MAX_PAGE)
        .encoded_size();
    assert_eq!(
        c.attestations(1, 0, MAX_PAGE).items.len(),
        MAX_PAGE as usize
    );
    assert_eq!(
        c.licenses_of(buyer, 0, MAX_PAGE).items.len(),
        MAX_PAGE as usize
    );
    for size in [attestations, licenses, for_model, owned] {
        assert!(size < 8 * 1024, "page of {size} bytes");
    }
    let by_tag = c
        .models_by_tag(big_tags[0].clone(), 0, MAX_PAGE)
        .encoded_size();
    let offers = c.offers(1, 0, MAX_PAGE).encoded_size();
    assert_eq!(c.models(1, MAX_PAGE).items.len(), MAX_PAGE as usize);
    assert_eq!(c.offers(1, 0, MAX_PAGE).items.len(), MAX_PAGE as usize);
    for size in [models, by_tag, offers] {
        assert!(size < 8 * 1024, "page of {size} bytes");
    }
}

/// The auditor and token allow-lists are two `AllowList`s in one contract: each must
/// keep its own members (they once shared storage cells).
#[ink::test]
fn allow_lists_keep_their_members_apart() {
    let mut c = setup();
    let a = accounts();
    c.set_auditor(a.frank, true).unwrap();
    assert!(c.is_auditor(a.frank));
    assert!(!c.is_asset_allowed(Asset::Psp22(a.frank)));
    c.set_asset_allowed(a.eve, true).unwrap();
    assert!(c.is_asset_allowed(Asset::Psp22(a.eve)));
    assert!(!c.is_auditor(a.eve));
}
