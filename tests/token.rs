//! market_token on the node: fixed supply, transfer, approve and transfer_from.

use crate::fixtures::deploy_token;
use crate::{E2EResult, TOKEN_SUPPLY};
use ink_e2e::AccountKeyring::{Alice, Bob, Charlie};
use ink_e2e::{account_id, ContractsBackend};
use market_token::MarketToken;
use psp22::{PSP22Error, PSP22Metadata, Transfer, PSP22};

#[e2e_macros::test]
async fn token_transfer_and_approve<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    // Given a token deployed by alice with the whole supply.
    let token = deploy_token(&mut client).await;
    let mut call = ink_e2e::create_call_builder::<MarketToken>(token);
    let [alice, bob, charlie] = [Alice, Bob, Charlie].map(account_id);

    let symbol = query!(client, call.token_symbol());
    assert_eq!(symbol.as_deref(), Some("MKT"));
    assert_eq!(query!(client, call.total_supply()), TOKEN_SUPPLY);

    // When alice transfers 1000 to bob.
    let (sent, transfers) = tx_events!(
        client,
        &ink_e2e::alice(),
        call.transfer(bob, 1_000, Vec::new()),
        Transfer
    );
    assert_eq!(sent, Ok(()));
    assert_eq!(transfers.len(), 1);
    assert_eq!(
        (transfers[0].from, transfers[0].to, transfers[0].value),
        (Some(alice), Some(bob), 1_000)
    );

    // And bob approves charlie for 300, who moves 200 of it to himself.
    tx!(client, &ink_e2e::bob(), call.approve(charlie, 300)).expect("approve");
    let moved = tx!(
        client,
        &ink_e2e::charlie(),
        call.transfer_from(bob, charlie, 200, Vec::new())
    );
    assert_eq!(moved, Ok(()));

    // Then balances and the remaining allowance add up.
    let bob_balance = query!(client, call.balance_of(bob));
    let charlie_balance = query!(client, call.balance_of(charlie));
    assert_eq!((bob_balance, charlie_balance), (800, 200));
    assert_eq!(query!(client, call.balance_of(alice)), TOKEN_SUPPLY - 1_000);
    assert_eq!(query!(client, call.allowance(bob, charlie)), 100);

    // A transfer_from beyond the allowance is refused on chain and moves nothing.
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        call.transfer_from(bob, charlie, 101, Vec::new()),
        PSP22Error::InsufficientAllowance
    );
    assert_eq!(query!(client, call.balance_of(bob)), 800);

    // So is a transfer beyond the balance.
    assert_refused!(
        client,
        &ink_e2e::bob(),
        call.transfer(alice, 801, Vec::new()),
        PSP22Error::InsufficientBalance
    );
    let balances = (
        query!(client, call.balance_of(bob)),
        query!(client, call.balance_of(alice)),
    );
    assert_eq!(balances, (800, TOKEN_SUPPLY - 1_000));
    Ok(())
}
