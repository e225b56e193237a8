//! The marketplace against a hostile PSP22 token, on the node. A token that re-enters
//! the vault (`withdraw`, `release`) or the registry (`purchase_license`) from inside a
//! transfer gets nothing: the chain denies the re-entry, the token traps, and the whole
//! message reverts. Each test first shows, from the dry-run's debug buffer, that the
//! re-entry was really attempted, then that it failed and moved nothing. A token whose
//! transfers fail (an error returned, or a trap) fails the whole message too, and the
//! vault says why.

use crate::escrow::terms;
use crate::fixtures::{deploy_market, deploy_vault, listing, Market};
use crate::{wall_clock_ms, E2EResult, Node};
use escrow::{Escrow, Reserves};
use hostile_token::{HostileToken, HostileTokenRef, NORMAL, REENTER, RETURN_ERR, TRAP};
use ink::primitives::AccountId;
use ink_e2e::AccountKeyring::{Bob, Charlie};
use ink_e2e::{account_id, ContractsBackend, Keypair};
use market_types::governed::{Administered, VaultArbiter};
use market_types::{Asset, EscrowState, EscrowVault, LicenseKind, TokenError, VaultError};
use model_registry::{Error, ModelRegistry};
use psp22::PSP22;

/// What the hostile token writes to the debug buffer before each re-entry attempt.
const ATTEMPT: &str = "hostile_token: re-entry attempt";

/// Deploys the hostile token as `owner`, who holds its whole supply (1 000 000), and
/// has alice allow it in `vault`.
async fn deploy_hostile_token(
    client: &mut impl Node,
    owner: &Keypair,
    vault: AccountId,
) -> AccountId {
    let ctor = HostileTokenRef::new(1_000_000);
    let token = instantiate!(client, owner, "hostile_token", ctor);
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    tx!(client, &ink_e2e::alice(), v.set_asset_allowed(token, true)).expect("allow in vault");
    token
}

#[e2e_macros::test]
async fn reentrant_token_is_paid_once<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    // Given a vault that allows the hostile token, and bob holding some of it.
    let vault = deploy_vault(&mut client).await;
    let token = deploy_hostile_token(&mut client, &ink_e2e::bob(), vault).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let mut t = ink_e2e::create_call_builder::<HostileToken>(token);
    let asset = Asset::Psp22(token);
    let bob = account_id(Bob);
    tx!(client, &ink_e2e::bob(), t.set_vault(vault));
    tx!(client, &ink_e2e::bob(), t.approve(vault, 100_000)).expect("approve");

    // And the token contract itself is owed 9 250 by the vault (it was the payee of a
    // released 10 000 order: 2.5 % fee and 5 % royalty taken).
    let mut order = terms(asset, 10_000, wall_clock_ms() + 600_000);
    order.payee = token;
    let id = tx!(client, &ink_e2e::bob(), v.open_order(bob, order.clone())).expect("open");
    tx!(client, &ink_e2e::bob(), v.release(id)).expect("release");
    assert_eq!(query!(client, v.credit_of(token, asset)), 9_250);

    // When the token turns hostile: while the vault pulls bob's next deposit with
    // transfer_from, the token tries to withdraw its credit from inside that call.
    tx!(client, &ink_e2e::bob(), t.set_mode(REENTER)).expect("mode");
    // The attack runs...
    assert_attack_ran!(
        client,
        &ink_e2e::bob(),
        v.open_order(bob, order.clone()),
        ATTEMPT
    );
    // ...and the chain denies it (the vault never allows re-entry), which traps the
    // token, so the vault refuses the deposit and nothing changes.
    assert_refused!(
        client,
        &ink_e2e::bob(),
        v.open_order(bob, order.clone()),
        VaultError::TokenTransferFailed
    );

    // And when the token withdraws its credit itself, letting the vault call back into
    // it, its transfer hook's second withdraw is tried and denied as well: the payout
    // fails as a whole and the credit stays where it was.
    assert_attack_ran!(client, &ink_e2e::bob(), t.attack_withdraw(), ATTEMPT);
    assert_eq!(tx!(client, &ink_e2e::bob(), t.attack_withdraw()), 0);
    assert_eq!(query!(client, v.credit_of(token, asset)), 9_250);

    // Then, behaving again, the token is paid its credit exactly once.
    tx!(client, &ink_e2e::bob(), t.set_mode(NORMAL)).expect("mode");
    assert_eq!(tx!(client, &ink_e2e::bob(), t.attack_withdraw()), 9_250);
    assert_eq!(tx!(client, &ink_e2e::bob(), t.attack_withdraw()), 0);
    assert_eq!(query!(client, t.balance_of(token)), 9_250);
    let r: Reserves = query!(client, v.reserves(asset));
    // The first order's fee and royalty are all the vault still owes, and holds.
    assert_eq!((r.owed, r.holdings), (750, 750));
    assert_eq!(query!(client, v.escrow_count()), 1);
    Ok(())
}

#[e2e_macros::test]
async fn reentry_into_release_or_a_purchase_is_tried_and_denied<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market, and a hostile token allowed in the vault and the registry.
    let Market {
        vault, registry, ..
    } = deploy_market(&mut client).await;
    let token = deploy_hostile_token(&mut client, &ink_e2e::alice(), vault).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(registry);
    let mut t = ink_e2e::create_call_builder::<HostileToken>(token);
    let asset = Asset::Psp22(token);
    let [bob, charlie] = [Bob, Charlie].map(account_id);
    tx!(
        client,
        &ink_e2e::alice(),
        reg.set_asset_allowed(token, true)
    )
    .expect("allow offers");
    tx!(client, &ink_e2e::alice(), t.set_vault(vault));
    for who in [bob, charlie] {
        tx!(
            client,
            &ink_e2e::alice(),
            t.transfer(who, 50_000, Vec::new())
        )
        .expect("fund");
    }

    // And bob's open order X, funded in the token.
    tx!(client, &ink_e2e::bob(), t.approve(vault, 50_000)).expect("approve");
    let order = terms(asset, 4_000, wall_clock_ms() + 600_000);
    let x = tx!(client, &ink_e2e::bob(), v.open_order(bob, order.clone())).expect("open X");

    // When the token re-enters `release(X)` while the vault pulls bob's next deposit.
    tx!(client, &ink_e2e::alice(), t.set_target_release(x));
    tx!(client, &ink_e2e::alice(), t.set_mode(REENTER)).expect("mode");
    // Then the attack runs, is denied, and X is still open.
    assert_attack_ran!(
        client,
        &ink_e2e::bob(),
        v.open_order(bob, order.clone()),
        format!("{ATTEMPT} 1 into target 1")
    );
    assert_refused!(
        client,
        &ink_e2e::bob(),
        v.open_order(bob, order.clone()),
        VaultError::TokenTransferFailed
    );
    let status = query!(client, v.escrow_status(x)).expect("X");
    assert_eq!(status.state, EscrowState::Funded);
    assert_eq!(query!(client, v.escrow_count()), 1);

    // When dave sells a license priced in the token, and the token re-enters
    // `purchase_license` while the registry collects charlie's payment.
    let model = tx!(client, &ink_e2e::dave(), listing(registry, "m", 2, None, 0)).expect("model");
    tx!(
        client,
        &ink_e2e::dave(),
        reg.add_offer(model, LicenseKind::Perpetual, 1_000, asset)
    )
    .expect("offer");
    tx!(client, &ink_e2e::charlie(), t.approve(registry, 10_000)).expect("approve");
    tx!(
        client,
        &ink_e2e::alice(),
        t.set_target_purchase(registry, model, 0, 1)
    );
    // Then the attack runs, is denied (the registry never allows re-entry), and the
    // purchase as a whole is refused: no license, no order, no tokens moved.
    assert_attack_ran!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 0, 1),
        format!("{ATTEMPT} 1 into target 2")
    );
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 0, 1),
        Error::TokenCallFailed
    );
    assert_eq!(query!(client, reg.license_count()), 0);
    assert_eq!(query!(client, t.balance_of(charlie)), 50_000);

    // And the same purchase with the token behaving goes through (the re-entry was the
    // only thing wrong with it).
    tx!(client, &ink_e2e::alice(), t.set_mode(NORMAL)).expect("mode");
    let license = tx!(
        client,
        &ink_e2e::charlie(),
        reg.purchase_license(model, 0, 1)
    )
    .expect("purchase");
    assert_eq!(license, 1);
    assert_eq!(query!(client, t.balance_of(charlie)), 49_000);
    Ok(())
}

#[e2e_macros::test]
async fn failing_token_fails_the_whole_message<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given a vault that allows the hostile token, bob's approval, and one released
    // order that left charlie a credit of 3 700.
    let vault = deploy_vault(&mut client).await;
    let token = deploy_hostile_token(&mut client, &ink_e2e::bob(), vault).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    let mut t = ink_e2e::create_call_builder::<HostileToken>(token);
    let asset = Asset::Psp22(token);
    let [bob, charlie] = [Bob, Charlie].map(account_id);
    tx!(client, &ink_e2e::bob(), t.approve(vault, 100_000)).expect("approve");
    let order = terms(asset, 4_000, wall_clock_ms() + 600_000);
    let id = tx!(client, &ink_e2e::bob(), v.open_order(bob, order.clone())).expect("open");
    tx!(client, &ink_e2e::bob(), v.release(id)).expect("release");

    // When the token's transfers fail, every message that moves it is refused and
    // changes nothing: with the token's own reason when it returns an error, with
    // TokenTransferFailed when the call itself fails (a trap).
    let refused = TokenError::Custom("hostile_token: refused".into());
    for (mode, expected) in [
        (RETURN_ERR, VaultError::Token(refused)),
        (TRAP, VaultError::TokenTransferFailed),
    ] {
        tx!(client, &ink_e2e::bob(), t.set_mode(mode)).expect("mode");
        assert_refused!(
            client,
            &ink_e2e::bob(),
            v.open_order(bob, order.clone()),
            expected.clone()
        );
        assert_refused!(
            client,
            &ink_e2e::charlie(),
            v.withdraw(asset),
            expected.clone()
        );
        assert_eq!(query!(client, v.escrow_count()), 1);
        assert_eq!(query!(client, v.credit_of(charlie, asset)), 3_700);
    }

    // Then, once the token behaves again, the credit is still there to withdraw.
    tx!(client, &ink_e2e::bob(), t.set_mode(NORMAL)).expect("mode");
    assert_eq!(
        tx!(client, &ink_e2e::charlie(), v.withdraw(asset)).expect("withdraw"),
        3_700
    );
    Ok(())
}
