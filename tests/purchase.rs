//! License purchases through the vault: the registry opens an order for the buyer with
//! the parent model's royalty; the license becomes valid on release; buyers rate once;
//! metered licenses count units.

use crate::{events_of, E2EResult};
use escrow::Escrow;
use ink::primitives::Hash;
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};
use market_token::{MarketToken, MarketTokenRef};
use model_registry::{Error, LicensePurchased, ModelRegistry, ModelRegistryRef, Version};
use primitives::{Asset, EscrowVault, LicenseKind, VaultError};
use psp22::PSP22;

fn v1() -> Version {
    Version {
        major: 1,
        minor: 0,
        patch: 0,
    }
}

#[ink_e2e::test]
async fn purchases_pay_seller_royalty_and_fee_and_validate_licenses<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given a token, a registry and a vault wired together by alice (admin, arbiter).
    let vault = crate::escrow::deploy_vault!(client);
    let mut v = vault.call_builder::<Escrow>();
    let mut ctor = ModelRegistryRef::new(2_000);
    let registry = client
        .instantiate("model_registry", &ink_e2e::alice(), &mut ctor)
        .submit()
        .await
        .expect("instantiate model_registry");
    let mut reg = registry.call_builder::<ModelRegistry>();
    let mut ctor = MarketTokenRef::new(1_000_000, None, None, 12);
    let token = client
        .instantiate("market_token", &ink_e2e::alice(), &mut ctor)
        .submit()
        .await
        .expect("instantiate market_token");
    let mut t = token.call_builder::<MarketToken>();
    let asset = Asset::Psp22(token.account_id);
    let (bob, charlie, dave, eve) = (
        account_id(AccountKeyring::Bob),
        account_id(AccountKeyring::Charlie),
        account_id(AccountKeyring::Dave),
        account_id(AccountKeyring::Eve),
    );
    for call in [
        v.set_controller(registry.account_id, true),
        v.set_asset_allowed(token.account_id, true),
    ] {
        client
            .call(&ink_e2e::alice(), &call)
            .submit()
            .await?
            .return_value()
            .expect("vault setup");
    }
    client
        .call(&ink_e2e::alice(), &reg.set_vault(vault.account_id))
        .submit()
        .await?
        .return_value()
        .expect("set vault");
    client
        .call(&ink_e2e::alice(), &reg.allow_asset(token.account_id))
        .submit()
        .await?
        .return_value()
        .expect("allow token");

    // And bob's base model, dave's fine-tune of it (5 % royalty) with a native perpetual
    // offer of 1 000 000 and a metered one (5 units) for 4 000 tokens.
    let base = client
        .call(
            &ink_e2e::bob(),
            &reg.register_model(
                "base".into(),
                "ipfs://base".into(),
                Hash::from([1; 32]),
                v1(),
                None,
                0,
                Vec::new(),
            ),
        )
        .submit()
        .await?
        .return_value()
        .expect("base");
    let model = client
        .call(
            &ink_e2e::dave(),
            &reg.register_model(
                "tuned".into(),
                "ipfs://tuned".into(),
                Hash::from([2; 32]),
                v1(),
                Some(base),
                500,
                Vec::new(),
            ),
        )
        .submit()
        .await?
        .return_value()
        .expect("fine-tune");
    for call in [
        reg.add_offer(model, LicenseKind::Perpetual, 1_000_000, Asset::Native),
        reg.add_offer(model, LicenseKind::Metered { units: 5 }, 4_000, asset),
    ] {
        client
            .call(&ink_e2e::dave(), &call)
            .submit()
            .await?
            .return_value()
            .expect("offer");
    }

    // When charlie pays the wrong amount, nothing happens.
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 0),
        Error::WrongPayment
    );

    // When charlie buys the perpetual license with 1 000 000 native.
    let res = client
        .call(&ink_e2e::charlie(), &reg.purchase_license(model, 0))
        .value(1_000_000)
        .submit()
        .await?;
    let bought: Vec<LicensePurchased> = events_of(res.contract_emitted_events()?);
    let license = res.return_value().expect("purchase");
    let escrow_id = bought[0].escrow_id;
    assert_eq!((bought[0].license_id, bought[0].buyer), (license, charlie));
    let valid = client
        .call(&ink_e2e::alice(), &reg.has_valid_license(charlie, model))
        .dry_run()
        .await?
        .return_value();
    assert!(!valid, "not valid while the money waits in escrow");
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.rate_model(license, 5),
        Error::LicenseNotReleased
    );

    // And dave delivers and charlie releases, through the vault.
    client
        .call(&ink_e2e::dave(), &v.deliver(escrow_id, Hash::from([3; 32])))
        .submit()
        .await?
        .return_value()
        .expect("deliver");
    client
        .call(&ink_e2e::charlie(), &v.release(escrow_id))
        .submit()
        .await?
        .return_value()
        .expect("release");

    // Then the license is valid, and seller, parent owner and treasury are credited.
    let valid = client
        .call(&ink_e2e::alice(), &reg.has_valid_license(charlie, model))
        .dry_run()
        .await?
        .return_value();
    assert!(valid);
    for (who, expected) in [(dave, 925_000u128), (bob, 50_000), (eve, 25_000)] {
        let credit = client
            .call(&ink_e2e::alice(), &v.credit_of(who, Asset::Native))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(credit, expected);
    }

    // And charlie rates the model once.
    client
        .call(&ink_e2e::charlie(), &reg.rate_model(license, 4))
        .submit()
        .await?
        .return_value()
        .expect("rate");
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.rate_model(license, 5),
        Error::AlreadyRated
    );
    let avg = client
        .call(&ink_e2e::alice(), &reg.average_rating_x100(model))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(avg, Some(400));

    // When charlie buys the metered license in tokens, approving the vault first.
    client
        .call(&ink_e2e::alice(), &t.transfer(charlie, 10_000, Vec::new()))
        .submit()
        .await?
        .return_value()
        .expect("fund charlie");
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 1),
        Error::Vault(VaultError::TokenTransferFailed)
    );
    client
        .call(&ink_e2e::charlie(), &t.approve(vault.account_id, 4_000))
        .submit()
        .await?
        .return_value()
        .expect("approve");
    let res = client
        .call(&ink_e2e::charlie(), &reg.purchase_license(model, 1))
        .submit()
        .await?;
    let bought: Vec<LicensePurchased> = events_of(res.contract_emitted_events()?);
    let metered = res.return_value().expect("purchase in tokens");
    client
        .call(
            &ink_e2e::dave(),
            &v.deliver(bought[0].escrow_id, Hash::from([4; 32])),
        )
        .submit()
        .await?
        .return_value()
        .expect("deliver");
    client
        .call(&ink_e2e::charlie(), &v.release(bought[0].escrow_id))
        .submit()
        .await?
        .return_value()
        .expect("release");

    // Then the gateway (dave) counts units until they run out.
    let left = client
        .call(&ink_e2e::dave(), &reg.consume_units(metered, 3))
        .submit()
        .await?
        .return_value()
        .expect("consume");
    assert_eq!(left, 2);
    assert_refused!(
        client,
        &ink_e2e::dave(),
        reg.consume_units(metered, 3),
        Error::UnitsExhausted
    );
    for (who, expected) in [(dave, 3_700u128), (bob, 200), (eve, 100)] {
        let credit = client
            .call(&ink_e2e::alice(), &v.credit_of(who, asset))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(credit, expected);
    }
    Ok(())
}
