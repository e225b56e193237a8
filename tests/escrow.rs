//! The escrow vault on the node: native and PSP22 orders paid out exactly, a refund
//! driven by a third party after the deadline, and a stream claimed and stopped.

use crate::fixtures::{deploy_token, deploy_vault, fresh_account, id};
use crate::harness::sleep_ms;
use crate::{wall_clock_ms, E2EResult, FEE_BPS};
use escrow::{Escrow, EscrowSettled, Reserves, StreamClaimed};
use ink::primitives::Hash;
use ink_e2e::AccountKeyring::{Bob, Charlie, Eve, Ferdie};
use ink_e2e::{account_id, ChainBackend, ContractsBackend};
use market_token::MarketToken;
use market_types::governed::VaultArbiter;
use market_types::{Asset, EscrowVault, OrderTerms, Royalty, SettleReason, StreamTerms};
use psp22::PSP22;

/// Terms of an order from the caller to charlie with a 5 % royalty to ferdie.
pub fn terms(asset: Asset, amount: u128, deadline_ms: u64) -> OrderTerms {
    OrderTerms {
        payee: account_id(Charlie),
        asset,
        amount,
        delivery_deadline: deadline_ms,
        review_window_ms: 60_000,
        royalties: vec![Royalty {
            receiver: account_id(Ferdie),
            bps: 500,
        }],
        context: 1,
        collateral: None,
    }
}

#[e2e_macros::test]
async fn native_order_release_pays_fee_and_royalty<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given a vault and an order of 1 000 000 from bob to charlie (here an account of
    // the test's own: the test reads its native balance, and the dev accounts sign in
    // other tests of the group meanwhile).
    let vault = deploy_vault(&mut client).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let payee = fresh_account(&mut client).await;
    let [bob, eve, ferdie] = [Bob, Eve, Ferdie].map(account_id);
    let charlie = id(&payee);
    let amount = 1_000_000_007u128;
    let mut order = terms(Asset::Native, amount, wall_clock_ms() + 600_000);
    order.payee = charlie;
    let id = tx!(client, &ink_e2e::bob(), v.open_order(bob, order), amount).expect("open order");

    // When charlie delivers and bob releases.
    tx!(client, &payee, v.deliver(id, Hash::from([5; 32]))).expect("deliver");
    // (Value sent to a message that is not payable is refused by the chain.)
    let signing = crate::harness::signing(&ink_e2e::bob()).await;
    let paid_to_unpayable = client
        .call(&ink_e2e::bob(), &v.release(id))
        .value(1)
        .submit()
        .await;
    drop(signing);
    assert!(paid_to_unpayable.is_err(), "release is not payable");
    let (released, settled) = tx_events!(client, &ink_e2e::bob(), v.release(id), EscrowSettled);
    released.expect("release");

    // Then fee, royalty and payout add up to the deposit, the payee taking the dust.
    let e = &settled[0];
    assert_eq!(e.reason, SettleReason::Released);
    assert_eq!((e.fee, e.royalties), (25_000_000, 50_000_000));
    assert_eq!(e.to_payee, amount - 25_000_000 - 50_000_000);
    for (who, expected) in [(charlie, e.to_payee), (eve, e.fee), (ferdie, e.royalties)] {
        assert_eq!(query!(client, v.credit_of(who, Asset::Native)), expected);
    }

    // And charlie pulls his credit: it leaves the vault once.
    let before = client.free_balance(charlie).await?;
    let paid = tx!(client, &payee, v.withdraw(Asset::Native)).expect("withdraw");
    assert_eq!(paid, e.to_payee);
    let after = client.free_balance(charlie).await?;
    assert!(after > before, "the withdrawal reached charlie");
    assert_refused!(
        client,
        &payee,
        v.withdraw(Asset::Native),
        market_types::VaultError::NothingToWithdraw
    );
    let r: Reserves = query!(client, v.reserves(Asset::Native));
    assert_eq!(r.owed, e.fee + e.royalties);
    assert!(r.holdings >= r.owed);
    Ok(())
}

#[e2e_macros::test]
async fn third_party_refunds_after_the_deadline<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given an order whose delivery deadline is 4 s away and a payee who never delivers.
    let vault = deploy_vault(&mut client).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let bob = account_id(Bob);
    let order = terms(Asset::Native, 5_000_000, wall_clock_ms() + 4_000);
    let id = tx!(client, &ink_e2e::bob(), v.open_order(bob, order), 5_000_000).expect("open order");
    assert_refused!(
        client,
        &ink_e2e::dave(),
        v.refund(id),
        market_types::VaultError::DeliveryDeadlineNotReached
    );

    // When the deadline passes (the dev node's clock is the wall clock; a transaction
    // seals a block so the chain sees the new time), dave refunds it.
    sleep_ms(5_000);
    tx!(client, &ink_e2e::alice(), v.set_fee_bps(FEE_BPS)).expect("tick");
    let (refunded, settled) = tx_events!(client, &ink_e2e::dave(), v.refund(id), EscrowSettled);
    refunded.expect("refund");

    // Then bob's whole deposit is his credit again.
    assert_eq!(settled[0].reason, SettleReason::RefundedAfterDeadline);
    assert_eq!(settled[0].refund, 5_000_000);
    assert_eq!(query!(client, v.credit_of(bob, Asset::Native)), 5_000_000);
    Ok(())
}

#[e2e_macros::test]
async fn stream_claim_then_stop_refunds_the_rest<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given a 60 s stream from bob to charlie at 1 000 per ms.
    let vault = deploy_vault(&mut client).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let bob = account_id(Bob);
    let start = wall_clock_ms() + 1_000;
    let rate = 1_000u128;
    let deposit = rate * 60_000;
    let t = StreamTerms {
        payee: account_id(Charlie),
        asset: Asset::Native,
        amount: deposit,
        duration_ms: 60_000,
        start: Some(start),
        start_by: start,
        context: 9,
        collateral: None,
        no_show_penalty: 0,
        min_payout: 0,
    };
    let id = tx!(client, &ink_e2e::bob(), v.open_stream(bob, t), deposit).expect("open stream");

    // When time passes, anyone claims for charlie, and bob stops the stream.
    // (A transaction seals a block, so the claim's dry-run sees the new time and
    // estimates the gas of the path that really runs.)
    sleep_ms(4_000);
    tx!(client, &ink_e2e::alice(), v.set_fee_bps(FEE_BPS)).expect("tick");
    let (claim, claimed) = tx_events!(client, &ink_e2e::dave(), v.claim(id), StreamClaimed);
    // The return value is the dry-run's, one block earlier; the event is what ran.
    claim.expect("claim");
    let gross = claimed[0].gross;
    assert!(gross > 0 && gross < deposit);
    assert_eq!(
        claimed[0].to_payee + claimed[0].fee + claimed[0].royalties,
        gross
    );
    // The dry-run runs one block earlier, when nothing had accrued since the claim, so
    // it skips the payee's credit write that the real call makes: add a margin.
    let res = submit!(client, &ink_e2e::bob(), v.stop_stream(id), 0u128, 50);
    let settled: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("stop");

    // Then claimed + paid at stop + refunded is exactly the deposit.
    let e = &settled[0];
    assert_eq!(e.reason, SettleReason::StoppedByPayer);
    assert!(e.refund > 0);
    assert_eq!(gross + e.to_payee + e.fee + e.royalties + e.refund, deposit);
    assert_eq!(query!(client, v.credit_of(bob, Asset::Native)), e.refund);
    Ok(())
}

#[e2e_macros::test]
async fn psp22_order_pulls_after_approval_and_pays_in_the_token<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given a vault, the market token (not yet allowed in it), and bob holding 10 000 of
    // the token.
    let vault = deploy_vault(&mut client).await;
    let token = deploy_token(&mut client).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let mut t = ink_e2e::create_call_builder::<MarketToken>(token);
    let asset = Asset::Psp22(token);
    let [bob, charlie] = [Bob, Charlie].map(account_id);
    tx!(
        client,
        &ink_e2e::alice(),
        t.transfer(bob, 10_000, Vec::new())
    )
    .expect("fund bob");
    let order = || terms(asset, 4_000, wall_clock_ms() + 600_000);
    assert_refused!(
        client,
        &ink_e2e::bob(),
        v.open_order(bob, order()),
        market_types::VaultError::AssetNotAllowed
    );
    tx!(client, &ink_e2e::alice(), v.set_asset_allowed(token, true)).expect("allow token");

    // Without an approval the pull fails and nothing is opened.
    assert_refused!(
        client,
        &ink_e2e::bob(),
        v.open_order(bob, order()),
        market_types::VaultError::Token(market_types::TokenError::InsufficientAllowance)
    );

    // When bob approves the vault and opens a 4 000 order, then releases it.
    tx!(client, &ink_e2e::bob(), t.approve(vault, 4_000)).expect("approve");
    let id = tx!(client, &ink_e2e::bob(), v.open_order(bob, order())).expect("open order");
    let r: Reserves = query!(client, v.reserves(asset));
    assert_eq!((r.owed, r.holdings), (4_000, 4_000));
    tx!(client, &ink_e2e::bob(), v.release(id)).expect("release");

    // Then charlie withdraws his share in the token: 4 000 − 2.5 % − 5 %.
    let paid = tx!(client, &ink_e2e::charlie(), v.withdraw(asset)).expect("withdraw");
    assert_eq!(paid, 3_700);
    assert_eq!(query!(client, t.balance_of(charlie)), 3_700);
    let r: Reserves = query!(client, v.reserves(asset));
    assert_eq!((r.owed, r.holdings), (300, 300));
    Ok(())
}
