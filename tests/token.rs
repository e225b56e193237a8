//! market_token on the node: fixed supply, transfer, approve and transfer_from.

use crate::{events_of, E2EResult};
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};
use market_token::{MarketToken, MarketTokenRef};
use psp22::{PSP22Error, PSP22Metadata, Transfer, PSP22};

const SUPPLY: u128 = 1_000_000_000_000;

#[ink_e2e::test]
async fn token_transfer_and_approve<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    // Given a token deployed by alice with the whole supply.
    let mut constructor = MarketTokenRef::new(
        SUPPLY,
        Some(String::from("Market Token")),
        Some(String::from("MKT")),
        12,
    );
    let token = client
        .instantiate("market_token", &ink_e2e::alice(), &mut constructor)
        .submit()
        .await
        .expect("instantiate market_token");
    let mut call = token.call_builder::<MarketToken>();
    let alice = account_id(AccountKeyring::Alice);
    let bob = account_id(AccountKeyring::Bob);
    let charlie = account_id(AccountKeyring::Charlie);

    let symbol = client
        .call(&ink_e2e::alice(), &call.token_symbol())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(symbol.as_deref(), Some("MKT"));
    let supply = client
        .call(&ink_e2e::alice(), &call.total_supply())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(supply, SUPPLY);

    // When alice transfers 1000 to bob.
    let res = client
        .call(&ink_e2e::alice(), &call.transfer(bob, 1_000, Vec::new()))
        .submit()
        .await?;
    let transfers: Vec<Transfer> = events_of(res.contract_emitted_events()?);
    assert_eq!(res.return_value(), Ok(()));
    assert_eq!(transfers.len(), 1);
    assert_eq!(
        (transfers[0].from, transfers[0].to, transfers[0].value),
        (Some(alice), Some(bob), 1_000)
    );

    // And bob approves charlie for 300, who moves 200 of it to himself.
    client
        .call(&ink_e2e::bob(), &call.approve(charlie, 300))
        .submit()
        .await?;
    let res = client
        .call(
            &ink_e2e::charlie(),
            &call.transfer_from(bob, charlie, 200, Vec::new()),
        )
        .submit()
        .await?;
    assert_eq!(res.return_value(), Ok(()));

    // Then balances and the remaining allowance add up.
    let balance = |who| call.balance_of(who);
    let bob_balance = client
        .call(&ink_e2e::alice(), &balance(bob))
        .dry_run()
        .await?
        .return_value();
    let charlie_balance = client
        .call(&ink_e2e::alice(), &balance(charlie))
        .dry_run()
        .await?
        .return_value();
    let alice_balance = client
        .call(&ink_e2e::alice(), &balance(alice))
        .dry_run()
        .await?
        .return_value();
    assert_eq!((bob_balance, charlie_balance), (800, 200));
    assert_eq!(alice_balance, SUPPLY - 1_000);
    let allowance = client
        .call(&ink_e2e::alice(), &call.allowance(bob, charlie))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(allowance, 100);

    // A transfer_from beyond the allowance is refused on chain and moves nothing.
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        call.transfer_from(bob, charlie, 101, Vec::new()),
        PSP22Error::InsufficientAllowance
    );
    let bob_after = client
        .call(&ink_e2e::alice(), &call.balance_of(bob))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(bob_after, 800);

    // So is a transfer beyond the balance.
    assert_refused!(
        client,
        &ink_e2e::bob(),
        call.transfer(alice, 801, Vec::new()),
        PSP22Error::InsufficientBalance
    );
    let balances = (
        client
            .call(&ink_e2e::alice(), &call.balance_of(bob))
            .dry_run()
            .await?
            .return_value(),
        client
            .call(&ink_e2e::alice(), &call.balance_of(alice))
            .dry_run()
            .await?
            .return_value(),
    );
    assert_eq!(balances, (800, SUPPLY - 1_000));
    Ok(())
}
