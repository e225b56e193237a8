//! License purchases through the vault, on the node: the registry opens an order for
//! the buyer with the parent model's royalty; the license is granted on release; buyers
//! rate once per model; metered units are pooled. And the same flows tried by a hostile
//! seller or a buyer probing for loopholes: terms changed mid-purchase, a later
//! purchase hiding a license, a vault migration forging or hiding one.

use crate::fixtures::{deploy_market, deploy_vault, listing, Market};
use crate::E2EResult;
use escrow::Escrow;
use ink::primitives::Hash;
use ink_e2e::AccountKeyring::{Bob, Charlie, Dave, Eve, Ferdie};
use ink_e2e::{account_id, ContractsBackend};
use market_token::MarketToken;
use market_types::governed::{Administered, VaultArbiter};
use market_types::{Asset, EscrowVault, LicenseKind, TokenError, VaultError};
use model_registry::{Error, LicensePurchased, LicenseState, ModelRegistry};
use psp22::PSP22;

#[e2e_macros::test]
async fn purchases_pay_seller_royalty_and_fee_and_validate_licenses<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market deployed and wired by alice (admin, arbiter; eve treasury).
    let Market {
        vault,
        registry,
        token,
    } = deploy_market(&mut client).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(registry);
    let mut t = ink_e2e::create_call_builder::<MarketToken>(token);
    let asset = Asset::Psp22(token);
    let [bob, charlie, dave, eve] = [Bob, Charlie, Dave, Eve].map(account_id);

    // And bob's base model, dave's fine-tune of it (5 % royalty) with a native perpetual
    // offer of 1 000 000 and a metered one (5 units) for 4 000 tokens.
    let base = tx!(
        client,
        &ink_e2e::bob(),
        listing(registry, "base", 1, None, 0)
    )
    .expect("base");
    let model = tx!(
        client,
        &ink_e2e::dave(),
        listing(registry, "tuned", 2, Some(base), 500)
    )
    .expect("fine-tune");
    tx!(
        client,
        &ink_e2e::dave(),
        reg.add_offer(model, LicenseKind::Perpetual, 1_000_000, Asset::Native)
    )
    .expect("offer 0");
    tx!(
        client,
        &ink_e2e::dave(),
        reg.add_offer(model, LicenseKind::Metered { units: 5 }, 4_000, asset)
    )
    .expect("offer 1");

    // When charlie pays the wrong amount, nothing happens.
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 0, 1),
        Error::WrongPayment,
        999_999
    );

    // When charlie buys the perpetual license (offer version 1) with 1 000 000 native.
    let (license, bought) = tx_events!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 0, 1),
        LicensePurchased,
        1_000_000
    );
    let license = license.expect("purchase");
    let escrow_id = bought[0].escrow_id;
    assert_eq!(
        (bought[0].license_id, bought[0].buyer, bought[0].vault),
        (license, charlie, vault)
    );
    assert!(!query!(client, reg.has_valid_license(charlie, model)));
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.rate_model(model, 5),
        Error::LicenseNotReleased
    );

    // And dave delivers through the vault. Charlie cannot release behind the
    // registry's back (it opened the order), only through it.
    tx!(
        client,
        &ink_e2e::dave(),
        v.deliver(escrow_id, Hash::from([3; 32]))
    )
    .expect("deliver");
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        v.release(escrow_id),
        VaultError::ControllerOnly
    );
    tx!(client, &ink_e2e::charlie(), reg.release_license(license)).expect("release");

    // Then the license is valid, and seller, parent owner and treasury are credited.
    assert!(query!(client, reg.has_valid_license(charlie, model)));
    for (who, expected) in [(dave, 925_000u128), (bob, 50_000), (eve, 25_000)] {
        assert_eq!(query!(client, v.credit_of(who, Asset::Native)), expected);
    }

    // And charlie rates the model once.
    tx!(client, &ink_e2e::charlie(), reg.rate_model(model, 4)).expect("rate");
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.rate_model(model, 5),
        Error::AlreadyRated
    );
    assert_eq!(query!(client, reg.average_rating_x100(model)), Some(400));

    // When charlie buys the metered license in tokens. An approval of the vault is of
    // no use to the registry (nobody may spend an approval given to another): the
    // token's own refusal comes back, and nothing moves.
    tx!(
        client,
        &ink_e2e::alice(),
        t.transfer(charlie, 10_000, Vec::new())
    )
    .expect("fund");
    tx!(client, &ink_e2e::charlie(), t.approve(vault, 4_000)).expect("approve vault");
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 1, 1),
        Error::Token(TokenError::InsufficientAllowance)
    );
    assert_eq!(query!(client, t.balance_of(charlie)), 10_000);
    // Approving the registry — the contract charlie calls — is the whole path.
    tx!(client, &ink_e2e::charlie(), t.approve(registry, 4_000)).expect("approve");
    let (metered, bought) = tx_events!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 1, 1),
        LicensePurchased
    );
    let metered = metered.expect("purchase in tokens");
    assert_eq!(query!(client, t.balance_of(charlie)), 6_000);
    assert_eq!(query!(client, t.balance_of(registry)), 0);
    assert_eq!(
        query!(client, t.allowance(charlie, vault)),
        4_000,
        "untouched"
    );
    tx!(
        client,
        &ink_e2e::dave(),
        v.deliver(bought[0].escrow_id, Hash::from([4; 32]))
    )
    .expect("deliver");
    tx!(client, &ink_e2e::charlie(), reg.release_license(metered)).expect("release");

    // Then the gateway (dave) counts charlie's units until they run out.
    let left = tx!(
        client,
        &ink_e2e::dave(),
        reg.consume_units(charlie, model, 3)
    )
    .expect("consume");
    assert_eq!(left, 2);
    assert_refused!(
        client,
        &ink_e2e::dave(),
        reg.consume_units(charlie, model, 3),
        Error::UnitsExhausted
    );
    for (who, expected) in [(dave, 3_700u128), (bob, 200), (eve, 100)] {
        assert_eq!(query!(client, v.credit_of(who, asset)), expected);
    }
    Ok(())
}

#[e2e_macros::test]
async fn hostile_seller_cannot_swap_terms_hide_or_forge_a_license<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market, and dave's model with a perpetual offer (0) and a 1-hour one (1).
    let Market {
        vault, registry, ..
    } = deploy_market(&mut client).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(registry);
    let [charlie, ferdie] = [Charlie, Ferdie].map(account_id);
    let model = tx!(client, &ink_e2e::dave(), listing(registry, "m", 2, None, 0)).expect("model");
    tx!(
        client,
        &ink_e2e::dave(),
        reg.add_offer(model, LicenseKind::Perpetual, 1_000_000, Asset::Native)
    )
    .expect("offer 0");
    let hour = LicenseKind::TimeBound {
        duration_ms: 3_600_000,
    };
    tx!(
        client,
        &ink_e2e::dave(),
        reg.add_offer(model, hour, 500_000, Asset::Native)
    )
    .expect("offer 1");

    // And charlie holds a granted perpetual license.
    let first = tx!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 0, 1),
        1_000_000
    )
    .expect("buy");
    tx!(client, &ink_e2e::charlie(), reg.release_license(first)).expect("release");
    assert!(query!(client, reg.has_valid_license(charlie, model)));

    // When dave changes offer 1 between charlie's quote (version 1) and his purchase,
    // the purchase is refused and no order is opened.
    let quoted = query!(client, reg.offer(model, 1)).expect("offer");
    assert_eq!(quoted.version, 1);
    tx!(
        client,
        &ink_e2e::dave(),
        reg.update_offer(
            model,
            1,
            LicenseKind::TimeBound { duration_ms: 1 },
            500_000,
            Asset::Native
        )
    )
    .expect("update");
    let orders = query!(client, v.escrow_count());
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 1, quoted.version),
        Error::OfferChanged,
        500_000
    );
    assert_eq!(query!(client, v.escrow_count()), orders);

    // When charlie then buys a second license (at version 2), which dave refunds:
    // the second purchase is the latest, pending and then refunded...
    let second = tx!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 1, 2),
        500_000
    )
    .expect("second");
    let escrow = query!(client, reg.license(second))
        .expect("license")
        .escrow_id;
    assert!(
        query!(client, reg.has_valid_license(charlie, model)),
        "pending"
    );
    tx!(client, &ink_e2e::dave(), v.refund(escrow)).expect("seller refunds");
    // ...and never hides the perpetual one.
    assert!(
        query!(client, reg.has_valid_license(charlie, model)),
        "refunded"
    );
    let page = query!(client, reg.licenses_for_model(charlie, model, 0, 0));
    let states: Vec<LicenseState> = page.items.iter().map(|l| l.state).collect();
    assert_eq!(states, vec![LicenseState::Active, LicenseState::NotGranted]);

    // When the admin migrates new purchases to a second vault, where ferdie's first
    // order gets the same id as charlie's released order in the first vault.
    let vault_b = deploy_vault(&mut client).await;
    let mut vb = ink_e2e::create_call_builder::<Escrow>(vault_b);
    tx!(client, &ink_e2e::alice(), vb.set_controller(registry, true)).expect("controller");
    tx!(client, &ink_e2e::alice(), reg.set_vault(vault_b)).expect("migrate");
    let ferdies = tx!(
        client,
        &ink_e2e::ferdie(),
        reg.purchase_license(model, 0, 1),
        1_000_000
    )
    .expect("ferdie buys in vault B");
    let l = query!(client, reg.license(ferdies)).expect("license");
    let charlies = query!(client, reg.license(first)).expect("license");
    // The attack setup is real: same escrow id, released in vault A.
    assert_eq!((l.vault, l.escrow_id), (vault_b, charlies.escrow_id));
    assert_eq!(charlies.vault, vault);

    // Then ferdie's license is not forged valid by vault A's release, and charlie's
    // stays valid after the migration.
    assert!(!query!(client, reg.has_valid_license(ferdie, model)));
    assert!(query!(client, reg.has_valid_license(charlie, model)));
    let rows = query!(client, reg.licenses_of(ferdie, 0, 0));
    assert_eq!(rows.items.len(), 1);
    assert_eq!(rows.items[0].state, LicenseState::Pending);
    Ok(())
}
