//! model_registry on the node: the listing journey and its refusals.

use crate::fixtures::{deploy_market, Market};
use crate::{wall_clock_ms, E2EResult};
use ink::primitives::Hash;
use ink_e2e::AccountKeyring::{Bob, Charlie};
use ink_e2e::{account_id, ContractsBackend};
use market_types::governed::RegistryAdmin;
use market_types::{AdminError, Asset, LicenseKind};
use model_registry::{
    Error, ModelRegistry, ModelStatus, Version, MAX_NAME_LEN, MAX_PAGE, MAX_URI_LEN,
};
use model_registry::{ModelAttested, ModelDeprecated, ModelRegistered, OfferAdded};

fn v(major: u32, minor: u32, patch: u32) -> Version {
    Version {
        major,
        minor,
        patch,
    }
}

#[e2e_macros::test]
async fn register_offer_attest_deprecate_paginate<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market: a registry (20 % royalty cap) and a market token it allows, both
    // by alice.
    let Market {
        registry, token, ..
    } = deploy_market(&mut client).await;
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(registry);
    let [bob, charlie] = [Bob, Charlie].map(account_id);

    // When bob registers a base model and a fine-tune of it with a 5 % royalty.
    let (base, registered) = tx_events!(
        client,
        &ink_e2e::bob(),
        reg.register_model(
            String::from("llama-mini"),
            String::from("ipfs://bafybase"),
            Hash::from([1; 32]),
            v(1, 0, 0),
            None,
            0,
            vec![String::from("llm")],
        ),
        ModelRegistered
    );
    let base_id = base.expect("register base");
    assert_eq!(registered.len(), 1);
    assert_eq!(
        (registered[0].model_id, registered[0].owner),
        (base_id, bob)
    );
    let child_id = tx!(
        client,
        &ink_e2e::bob(),
        reg.register_model(
            String::from("llama-mini-chat"),
            String::from("ipfs://bafychat"),
            Hash::from([2; 32]),
            v(0, 1, 0),
            Some(base_id),
            500,
            vec![String::from("llm"), String::from("chat")],
        )
    )
    .expect("register child");
    assert_eq!((base_id, child_id), (1, 2));

    // And publishes a native perpetual offer and a metered one in the token.
    let perpetual = reg.add_offer(child_id, LicenseKind::Perpetual, 5_000, Asset::Native);
    let (offer, added) = tx_events!(client, &ink_e2e::bob(), perpetual, OfferAdded);
    assert_eq!(offer, Ok(0));
    assert_eq!(
        (added[0].model_id, added[0].offer_id, added[0].price),
        (child_id, 0, 5_000)
    );
    let metered = LicenseKind::Metered { units: 1_000 };
    let offer = tx!(
        client,
        &ink_e2e::bob(),
        reg.add_offer(child_id, metered, 250, Asset::Psp22(token))
    );
    assert_eq!(offer, Ok(1));

    // And alice makes charlie an auditor, who attests the fine-tune for an hour.
    tx!(client, &ink_e2e::alice(), reg.set_auditor(charlie, true)).expect("add auditor");
    let expires_at = wall_clock_ms() + 3_600_000;
    let (attest, attested) = tx_events!(
        client,
        &ink_e2e::charlie(),
        reg.attest(child_id, Hash::from([9; 32]), expires_at),
        ModelAttested
    );
    assert_eq!(attest, Ok(()));
    assert_eq!(
        (attested[0].model_id, attested[0].auditor),
        (child_id, charlie)
    );
    assert!(query!(client, reg.is_attestation_valid(child_id, charlie)));

    // And deprecates the base model in favour of the fine-tune.
    let (deprecate, deprecated) = tx_events!(
        client,
        &ink_e2e::bob(),
        reg.deprecate(base_id, Some(child_id)),
        ModelDeprecated
    );
    assert_eq!(deprecate, Ok(()));
    assert_eq!(deprecated[0].successor, Some(child_id));

    // Then everything reads back from the chain.
    let child = query!(client, reg.model(child_id)).expect("child model");
    assert_eq!(
        (child.parent, child.royalty_bps, child.offer_count),
        (Some(base_id), 500, 2)
    );
    let base_model = query!(client, reg.model(base_id)).expect("base model");
    assert_eq!(
        base_model.status,
        ModelStatus::Deprecated {
            successor: Some(child_id)
        }
    );
    let offers = query!(client, reg.offers(child_id, 0, 0));
    assert_eq!(offers.items.len(), 2);
    assert_eq!(offers.items[1].asset, Asset::Psp22(token));

    // And pages split the owner's models: 12 more make 14, so pages of 10 and 4.
    for i in 0..12u8 {
        tx!(
            client,
            &ink_e2e::bob(),
            reg.register_model(
                format!("variant-{i}"),
                String::from("ipfs://bafyvariant"),
                Hash::from([i; 32]),
                v(1, 0, 0),
                None,
                0,
                vec![String::from("llm")],
            )
        )
        .expect("register variant");
    }
    let first = query!(client, reg.models_by_owner(bob, 0, 0));
    assert_eq!(first.items.len(), MAX_PAGE as usize);
    let next = first.next.expect("a second page");
    let second = query!(client, reg.models_by_owner(bob, next, 0));
    assert_eq!(second.items.len(), 4);
    assert_eq!(second.next, None);
    let by_tag = query!(client, reg.models_by_tag(String::from("llm"), 10, 3));
    assert_eq!(by_tag.items.len(), 3);
    assert_eq!(by_tag.next, Some(13));
    let chat = query!(client, reg.models_by_tag(String::from("chat"), 0, 0));
    assert_eq!(
        chat.items.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![child_id]
    );
    Ok(())
}

#[e2e_macros::test]
async fn bad_input_returns_typed_errors_and_changes_nothing<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given a registry (10 % royalty cap) with one model owned by bob.
    let Market { registry, .. } = deploy_market(&mut client).await;
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(registry);
    tx!(client, &ink_e2e::alice(), reg.set_max_royalty_bps(1_000)).expect("royalty cap");
    let mut register = |name: String, uri: String, parent, royalty| {
        reg.register_model(
            name,
            uri,
            Hash::from([7; 32]),
            v(1, 0, 0),
            parent,
            royalty,
            Vec::new(),
        )
    };
    let base = register(String::from("base"), String::from("ipfs://b"), None, 0);
    let id = tx!(client, &ink_e2e::bob(), base).expect("register");

    // When each bad call is submitted on chain, it returns its own error variant.
    let cases = [
        (
            register(
                "n".repeat(MAX_NAME_LEN + 1),
                String::from("ipfs://b"),
                None,
                0,
            ),
            Error::InvalidName,
        ),
        (
            register(String::from("ok"), "u".repeat(MAX_URI_LEN + 1), None, 0),
            Error::InvalidUri,
        ),
        (
            register(
                String::from("ok"),
                String::from("ipfs://b"),
                Some(id),
                1_001,
            ),
            Error::RoyaltyAboveCap,
        ),
        (
            register(String::from("ok"), String::from("ipfs://b"), Some(999), 0),
            Error::ParentNotFound,
        ),
    ];
    for (call, expected) in cases {
        assert_refused!(client, &ink_e2e::charlie(), call, expected);
    }
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.delist(id),
        Error::NotModelOwner
    );
    assert_refused!(
        client,
        &ink_e2e::bob(),
        reg.update_metadata(999, String::from("ipfs://x")),
        Error::ModelNotFound
    );
    assert_refused!(
        client,
        &ink_e2e::bob(),
        reg.add_offer(id, LicenseKind::Perpetual, 0, Asset::Native),
        Error::ZeroPrice
    );
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.set_auditor(account_id(Charlie), true),
        AdminError::NotAdmin
    );

    // Then the chain holds exactly what it held before.
    assert_eq!(query!(client, reg.model_count()), 1);
    let model = query!(client, reg.model(id)).expect("model");
    assert_eq!(model.status, ModelStatus::Active);
    assert_eq!(model.offer_count, 0);
    assert_eq!(model.metadata_uri, "ipfs://b");
    Ok(())
}
