//! Journeys: the cross-contract steps of the `make demo` scenario, on the node, asserted
//! on exact balances and on the events each contract emitted. Every unit that enters
//! the vault is followed out of it: buyer → vault (purchase through the registry) →
//! credits (release: seller, parent-model owner, treasury) → accounts (withdrawals),
//! until the vault holds what it held before and owes nothing.

use crate::fixtures::{deploy_market, listing, Market};
use crate::{E2EResult, Node, TOKEN_SUPPLY};
use escrow::{Escrow, EscrowSettled, OrderOpened, Withdrawn};
use ink::primitives::{AccountId, Hash};
use ink_e2e::AccountKeyring::{Alice, Bob, Charlie, Dave, Eve};
use ink_e2e::{account_id, ChainBackend, ContractsBackend};
use market_token::MarketToken;
use market_types::{Asset, EscrowVault, LicenseKind, SettleReason};
use model_registry::{LicensePurchased, ModelRegistry};
use psp22::PSP22;

/// Price of the native license; the token license costs `TOKEN_PRICE`.
const PRICE: u128 = 1_000_000;
const TOKEN_PRICE: u128 = 4_000;

/// Splits of a price at the suite's 2.5 % fee and the fine-tune's 5 % royalty:
/// (seller, royalty, fee), adding up to the price.
fn split(price: u128) -> (u128, u128, u128) {
    let fee = price * 250 / 10_000;
    let royalty = price * 500 / 10_000;
    (price - fee - royalty, royalty, fee)
}

/// `who`'s token balance, read with a dry-run.
async fn balance(client: &mut impl Node, token: AccountId, who: AccountId) -> u128 {
    let t = ink_e2e::create_call_builder::<MarketToken>(token);
    match client
        .call(&ink_e2e::alice(), &t.balance_of(who))
        .dry_run()
        .await
    {
        Ok(res) => res.return_value(),
        Err(e) => panic!("balance_of({who:?}) failed on the node: {e:?}"),
    }
}

#[e2e_macros::test]
async fn license_journeys_account_for_every_unit_in_both_assets<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market (alice admin and arbiter, eve treasury), bob's base model and
    // dave's fine-tune of it with a 5 % royalty, offered natively and in the token.
    let Market {
        vault,
        registry,
        token,
    } = deploy_market(&mut client).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(registry);
    let mut t = ink_e2e::create_call_builder::<MarketToken>(token);
    let [alice, bob, charlie, dave, eve] = [Alice, Bob, Charlie, Dave, Eve].map(account_id);
    let tokens = Asset::Psp22(token);
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
    let native_offer = LicenseKind::Perpetual;
    tx!(
        client,
        &ink_e2e::dave(),
        reg.add_offer(model, native_offer, PRICE, Asset::Native)
    )
    .expect("native offer");
    tx!(
        client,
        &ink_e2e::dave(),
        reg.add_offer(model, LicenseKind::Perpetual, TOKEN_PRICE, tokens)
    )
    .expect("token offer");

    // ---- native journey --------------------------------------------------------
    let vault_before = client.free_balance(vault).await?;

    // When charlie buys through the registry, the registry's and the vault's events
    // name the same escrow, and the vault's balance grows by exactly the price.
    let res = submit!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 0, 1),
        PRICE
    );
    let bought: Vec<LicensePurchased> = crate::events_of(res.contract_emitted_events()?);
    let opened: Vec<OrderOpened> = crate::events_of(res.contract_emitted_events()?);
    let license = res.return_value().expect("purchase");
    assert_eq!((bought.len(), opened.len()), (1, 1));
    let escrow_id = bought[0].escrow_id;
    assert_eq!(bought[0].license_id, license);
    assert_eq!(
        (
            opened[0].id,
            opened[0].payer,
            opened[0].payee,
            opened[0].opener
        ),
        (escrow_id, charlie, dave, registry)
    );
    assert_eq!((opened[0].asset, opened[0].amount), (Asset::Native, PRICE));
    assert_eq!(client.free_balance(vault).await? - vault_before, PRICE);

    // And dave delivers, charlie releases through the registry: one settlement whose
    // parts add up to the price.
    tx!(
        client,
        &ink_e2e::dave(),
        v.deliver(escrow_id, Hash::from([7; 32]))
    )
    .expect("deliver");
    let (released, settled) = tx_events!(
        client,
        &ink_e2e::charlie(),
        reg.release_license(license),
        EscrowSettled
    );
    released.expect("release");
    let (to_seller, royalty, fee) = split(PRICE);
    assert_eq!(settled.len(), 1);
    let s = &settled[0];
    assert_eq!((s.id, s.reason), (escrow_id, SettleReason::Released));
    assert_eq!(
        (s.to_payee, s.royalties, s.fee, s.refund),
        (to_seller, royalty, fee, 0)
    );
    assert_eq!(s.to_payee + s.royalties + s.fee + s.refund, PRICE);

    // Then each party withdraws exactly its credit, and the vault is back where it was.
    for (signer, who, expected) in [
        (ink_e2e::dave(), dave, to_seller),
        (ink_e2e::bob(), bob, royalty),
        (ink_e2e::eve(), eve, fee),
    ] {
        let (got, events) = tx_events!(client, &signer, v.withdraw(Asset::Native), Withdrawn);
        assert_eq!(got.expect("withdraw"), expected);
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].account, events[0].asset, events[0].amount),
            (who, Asset::Native, expected)
        );
    }
    assert_eq!(client.free_balance(vault).await?, vault_before);
    let reserves = query!(client, v.reserves(Asset::Native));
    assert_eq!((reserves.owed, reserves.holdings), (0, 0));
    assert!(query!(client, reg.has_valid_license(charlie, model)));

    // ---- token journey -----------------------------------------------------------
    // Given charlie holds 10 000 tokens and approves the registry for the price.
    tx!(
        client,
        &ink_e2e::alice(),
        t.transfer(charlie, 10_000, Vec::new())
    )
    .expect("fund");
    tx!(
        client,
        &ink_e2e::charlie(),
        t.approve(registry, TOKEN_PRICE)
    )
    .expect("approve");

    // When charlie buys, the tokens go from charlie to the vault, not one elsewhere.
    let res = submit!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 1, 1),
        0u128
    );
    let opened: Vec<OrderOpened> = crate::events_of(res.contract_emitted_events()?);
    let token_license = res.return_value().expect("purchase in tokens");
    assert_eq!((opened[0].asset, opened[0].amount), (tokens, TOKEN_PRICE));
    assert_eq!(
        balance(&mut client, token, charlie).await,
        10_000 - TOKEN_PRICE
    );
    assert_eq!(balance(&mut client, token, vault).await, TOKEN_PRICE);
    assert_eq!(balance(&mut client, token, registry).await, 0);
    assert_eq!(query!(client, t.allowance(charlie, registry)), 0);

    // And after delivery and release, the split is the token price's.
    tx!(
        client,
        &ink_e2e::dave(),
        v.deliver(opened[0].id, Hash::from([8; 32]))
    )
    .expect("deliver");
    let (released, settled) = tx_events!(
        client,
        &ink_e2e::charlie(),
        reg.release_license(token_license),
        EscrowSettled
    );
    released.expect("release");
    let (to_seller, royalty, fee) = split(TOKEN_PRICE);
    assert_eq!(
        (settled[0].to_payee, settled[0].royalties, settled[0].fee),
        (to_seller, royalty, fee)
    );

    // Then withdrawals move exactly the credits, the vault ends with no tokens, and the
    // supply is where it started: every unit is with a person.
    for (signer, who, expected) in [
        (ink_e2e::dave(), dave, to_seller),
        (ink_e2e::bob(), bob, royalty),
        (ink_e2e::eve(), eve, fee),
    ] {
        let got = tx!(client, &signer, v.withdraw(tokens)).expect("withdraw");
        assert_eq!(got, expected);
        assert_eq!(balance(&mut client, token, who).await, expected);
    }
    assert_eq!(balance(&mut client, token, vault).await, 0);
    let reserves = query!(client, v.reserves(tokens));
    assert_eq!((reserves.owed, reserves.holdings), (0, 0));
    let mut total = 0;
    for who in [alice, bob, charlie, dave, eve, vault, registry] {
        total += balance(&mut client, token, who).await;
    }
    assert_eq!(total, TOKEN_SUPPLY);
    Ok(())
}
