//! Models and their versions: the constructor, registration (text caps, lineage,
//! royalty), metadata updates, published versions, tags, and the lifecycle (deprecate,
//! delist, two-step ownership transfer).

use super::*;

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
        Error::InvalidName,
        reg(&mut c, text(0), ok_uri(), vec![])
    );
    assert_refused!(
        c,
        Error::InvalidName,
        reg(&mut c, text(MAX_NAME_LEN + 1), ok_uri(), vec![])
    );
    assert_refused!(c, Error::InvalidUri, reg(&mut c, text(5), text(0), vec![]));
    assert_refused!(
        c,
        Error::InvalidUri,
        reg(&mut c, text(5), text(MAX_URI_LEN + 1), vec![])
    );
    assert_refused!(
        c,
        Error::TooManyTags,
        reg(
            &mut c,
            text(5),
            ok_uri(),
            tags(&["a", "b", "c", "d", "e", "f"])
        )
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
            Error::InvalidTag,
            reg(&mut c, text(5), ok_uri(), tags(&["ok", bad]))
        );
    }
    assert_refused!(
        c,
        Error::DuplicateTag,
        reg(&mut c, text(5), ok_uri(), tags(&["llm", "llm"]))
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
    assert_refused!(c, Error::RoyaltyWithoutParent, reg(&mut c, None, 1));
    assert_refused!(c, Error::ParentNotFound, reg(&mut c, Some(99), 0));
    assert_refused!(c, Error::RoyaltyAboveCap, reg(&mut c, Some(parent), 2_001));
    c.delist(parent).unwrap();
    assert_refused!(c, Error::ParentDelisted, reg(&mut c, Some(parent), 100));
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
    assert_refused!(c, Error::InvalidUri, c.update_metadata(id, text(0)));
    assert_refused!(
        c,
        Error::InvalidUri,
        c.update_metadata(id, text(MAX_URI_LEN + 1))
    );
    assert_refused!(c, Error::ModelNotFound, c.update_metadata(7, text(3)));
    set_caller(accounts().bob);
    assert_refused!(c, Error::NotModelOwner, c.update_metadata(id, text(3)));
    set_caller(accounts().alice);
    c.delist(id).unwrap();
    assert_refused!(c, Error::ModelDelisted, c.update_metadata(id, text(3)));
}

#[ink::test]
fn publish_version_requires_a_higher_version() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    for lower in [v(1, 0, 0), v(0, 9, 9)] {
        assert_refused!(
            c,
            Error::VersionNotIncreasing,
            c.publish_version(id, lower, hash(2), text(3))
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
        Error::InvalidUri,
        c.publish_version(id, v(2, 0, 0), hash(2), text(0))
    );
    assert_refused!(
        c,
        Error::ModelNotFound,
        c.publish_version(9, v(2, 0, 0), hash(2), text(3))
    );
    set_caller(accounts().bob);
    assert_refused!(
        c,
        Error::NotModelOwner,
        c.publish_version(id, v(2, 0, 0), hash(2), text(3))
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
    assert_refused!(c, Error::InvalidTag, c.set_tags(id, tags(&["Bad"])));
    assert_refused!(c, Error::DuplicateTag, c.set_tags(id, tags(&["x", "x"])));
    assert_refused!(
        c,
        Error::TooManyTags,
        c.set_tags(id, tags(&["a", "b", "c", "d", "e", "f"]))
    );
    set_caller(accounts().bob);
    assert_refused!(c, Error::NotModelOwner, c.set_tags(id, tags(&["vision"])));
    set_caller(accounts().alice);
    c.delist(id).unwrap();
    assert_refused!(c, Error::ModelDelisted, c.set_tags(id, tags(&["vision"])));
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
    assert_refused!(c, Error::InvalidSuccessor, c.deprecate(a, Some(a)));
    assert_refused!(c, Error::SuccessorNotFound, c.deprecate(a, Some(42)));
    assert_refused!(c, Error::InvalidSuccessor, c.deprecate(a, Some(gone)));
    assert_refused!(c, Error::ModelNotFound, c.deprecate(42, None));
    assert_refused!(c, Error::ModelNotActive, c.deprecate(gone, None));
    set_caller(accounts().bob);
    assert_refused!(c, Error::NotModelOwner, c.deprecate(a, None));
    set_caller(accounts().alice);
    c.deprecate(a, None).unwrap();
    assert_refused!(c, Error::ModelNotActive, c.deprecate(a, None));
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
    assert_refused!(c, Error::ModelNotFound, c.delist(5));
    set_caller(accounts().bob);
    assert_refused!(c, Error::NotModelOwner, c.delist(a));
    set_caller(accounts().alice);
    c.delist(a).unwrap();
    assert_refused!(c, Error::ModelDelisted, c.delist(a));
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
    assert_refused!(c, Error::NotModelOwner, c.delist(a));
    set_caller(accounts().bob);
    c.delist(a).unwrap();
}

#[ink::test]
fn transfer_model_refusals() {
    let mut c = setup();
    let a = register(&mut c, "a", &[]);
    assert_refused!(c, Error::SameAccount, c.transfer_model(a, accounts().alice));
    assert_refused!(c, Error::ModelNotFound, c.transfer_model(3, accounts().bob));
    assert_refused!(c, Error::NoPendingTransfer, c.accept_model(a));
    assert_refused!(c, Error::ModelNotFound, c.accept_model(3));
    assert_refused!(c, Error::NoPendingTransfer, c.cancel_model_transfer(a));
    set_caller(accounts().bob);
    assert_refused!(c, Error::NotModelOwner, c.transfer_model(a, accounts().bob));
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
    assert_refused!(c, Error::NotPendingOwner, c.accept_model(junk));
    assert_refused!(c, Error::NotModelOwner, c.cancel_model_transfer(junk));
    // The owner may withdraw the offer; then bob cannot take it either.
    set_caller(a.alice);
    c.cancel_model_transfer(junk).unwrap();
    let e: ModelTransferCancelled = last_event();
    assert_eq!((e.model_id, e.to), (junk, a.bob));
    set_caller(a.bob);
    assert_refused!(c, Error::NoPendingTransfer, c.accept_model(junk));
    assert_eq!(c.owner_model_count(a.bob), 0);
}
