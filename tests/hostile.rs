//! The vault against a hostile PSP22 token: one that re-enters the vault during a
//! transfer gets nothing extra, and one whose transfers fail (an error returned, or a
//! trap) fails the whole message and leaves everything as it was.

use crate::escrow::{deploy_vault, terms};
use crate::{wall_clock_ms, E2EResult};
use escrow::{Escrow, Reserves};
use hostile_token::{HostileToken, HostileTokenRef, NORMAL, REENTER, RETURN_ERR, TRAP};
use ink_e2e::{account_id, AccountKeyring, ContractsBackend};
use primitives::{Asset, EscrowVault, VaultError};
use psp22::PSP22;

#[ink_e2e::test]
async fn reentrant_token_is_paid_once<Client: E2EBackend>(mut client: Client) -> E2EResult<()> {
    // Given a vault that allows the hostile token, and bob holding some of it.
    let vault = deploy_vault!(client);
    let mut v = vault.call_builder::<Escrow>();
    let mut ctor = HostileTokenRef::new(1_000_000);
    let token = client
        .instantiate("hostile_token", &ink_e2e::bob(), &mut ctor)
        .submit()
        .await
        .expect("instantiate hostile_token");
    let mut t = token.call_builder::<HostileToken>();
    let asset = Asset::Psp22(token.account_id);
    let bob = account_id(AccountKeyring::Bob);
    client
        .call(
            &ink_e2e::alice(),
            &v.set_asset_allowed(token.account_id, true),
        )
        .submit()
        .await?
        .return_value()
        .expect("allow");
    client
        .call(&ink_e2e::bob(), &t.set_vault(vault.account_id))
        .submit()
        .await?;
    client
        .call(&ink_e2e::bob(), &t.approve(vault.account_id, 100_000))
        .submit()
        .await?
        .return_value()
        .expect("approve");

    // And the token contract itself is owed 9 250 by the vault (it was the payee of a
    // released 10 000 order: 2.5 % fee and 5 % royalty taken).
    let mut order = terms(asset, 10_000, wall_clock_ms() + 600_000);
    order.payee = token.account_id;
    let id = client
        .call(&ink_e2e::bob(), &v.open_order(bob, order.clone()))
        .submit()
        .await?
        .return_value()
        .expect("open");
    client
        .call(&ink_e2e::bob(), &v.release(id))
        .submit()
        .await?
        .return_value()
        .expect("release");
    let owed_to_token = client
        .call(&ink_e2e::alice(), &v.credit_of(token.account_id, asset))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(owed_to_token, 9_250);

    // When the token turns hostile: while the vault pulls bob's next deposit with
    // transfer_from, the token tries to withdraw its credit from inside that call.
    // The chain denies the re-entry (the vault never allows it), which traps the token,
    // so the vault refuses the deposit and nothing changes.
    client
        .call(&ink_e2e::bob(), &t.set_mode(REENTER))
        .submit()
        .await?
        .return_value()
        .expect("mode");
    assert_refused!(
        client,
        &ink_e2e::bob(),
        v.open_order(bob, order.clone()),
        VaultError::TokenTransferFailed
    );
    // And when the token withdraws its credit itself, letting the vault call back into
    // it, its transfer hook's second withdraw is denied as well: the payout fails as a
    // whole and the credit stays where it was.
    let paid = client
        .call(&ink_e2e::bob(), &t.attack_withdraw())
        .submit()
        .await?
        .return_value();
    assert_eq!(paid, 0);
    let still_owed = client
        .call(&ink_e2e::alice(), &v.credit_of(token.account_id, asset))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(still_owed, 9_250);

    // Then, behaving again, the token is paid its credit exactly once.
    client
        .call(&ink_e2e::bob(), &t.set_mode(NORMAL))
        .submit()
        .await?
        .return_value()
        .expect("mode");
    let paid = client
        .call(&ink_e2e::bob(), &t.attack_withdraw())
        .submit()
        .await?
        .return_value();
    assert_eq!(paid, 9_250);
    let again = client
        .call(&ink_e2e::bob(), &t.attack_withdraw())
        .submit()
        .await?
        .return_value();
    assert_eq!(again, 0);
    let held_by_token = client
        .call(&ink_e2e::bob(), &t.balance_of(token.account_id))
        .dry_run()
        .await?
        .return_value();
    assert_eq!(held_by_token, 9_250);
    let stats = client
        .call(&ink_e2e::bob(), &t.reentry_stats())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(stats.1, 0, "no re-entry ever got money");
    let r: Reserves = client
        .call(&ink_e2e::alice(), &v.reserves(asset))
        .dry_run()
        .await?
        .return_value();
    // The first order's fee and royalty are all the vault still owes, and holds.
    assert_eq!((r.owed, r.holdings), (750, 750));
    let count = client
        .call(&ink_e2e::alice(), &v.escrow_count())
        .dry_run()
        .await?
        .return_value();
    assert_eq!(count, 1);
    Ok(())
}

#[ink_e2e::test]
async fn failing_token_fails_the_whole_message<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given a vault that allows the hostile token, bob's approval, and one released
    // order that left charlie a credit of 3 700.
    let vault = deploy_vault!(client);
    let mut v = vault.call_builder::<Escrow>();
    let mut ctor = HostileTokenRef::new(1_000_000);
    let token = client
        .instantiate("hostile_token", &ink_e2e::bob(), &mut ctor)
        .submit()
        .await
        .expect("instantiate hostile_token");
    let mut t = token.call_builder::<HostileToken>();
    let asset = Asset::Psp22(token.account_id);
    let (bob, charlie) = (
        account_id(AccountKeyring::Bob),
        account_id(AccountKeyring::Charlie),
    );
    client
        .call(
            &ink_e2e::alice(),
            &v.set_asset_allowed(token.account_id, true),
        )
        .submit()
        .await?
        .return_value()
        .expect("allow");
    client
        .call(&ink_e2e::bob(), &t.approve(vault.account_id, 100_000))
        .submit()
        .await?
        .return_value()
        .expect("approve");
    let order = terms(asset, 4_000, wall_clock_ms() + 600_000);
    let id = client
        .call(&ink_e2e::bob(), &v.open_order(bob, order.clone()))
        .submit()
        .await?
        .return_value()
        .expect("open");
    client
        .call(&ink_e2e::bob(), &v.release(id))
        .submit()
        .await?
        .return_value()
        .expect("release");

    // When the token's transfers fail, at either error layer, every message that moves
    // it is refused with TokenTransferFailed and changes nothing.
    for mode in [RETURN_ERR, TRAP] {
        client
            .call(&ink_e2e::bob(), &t.set_mode(mode))
            .submit()
            .await?
            .return_value()
            .expect("mode");
        assert_refused!(
            client,
            &ink_e2e::bob(),
            v.open_order(bob, order.clone()),
            VaultError::TokenTransferFailed
        );
        assert_refused!(
            client,
            &ink_e2e::charlie(),
            v.withdraw(asset),
            VaultError::TokenTransferFailed
        );
        let count = client
            .call(&ink_e2e::alice(), &v.escrow_count())
            .dry_run()
            .await?
            .return_value();
        assert_eq!(count, 1);
        let credit = client
            .call(&ink_e2e::alice(), &v.credit_of(charlie, asset))
            .dry_run()
            .await?
            .return_value();
        assert_eq!(credit, 3_700);
    }

    // Then, once the token behaves again, the credit is still there to withdraw.
    client
        .call(&ink_e2e::bob(), &t.set_mode(NORMAL))
        .submit()
        .await?
        .return_value()
        .expect("mode");
    let paid = client
        .call(&ink_e2e::charlie(), &v.withdraw(asset))
        .submit()
        .await?
        .return_value()
        .expect("withdraw");
    assert_eq!(paid, 3_700);
    Ok(())
}
