//! Every call the registry makes into another contract (the escrow vault and PSP22
//! tokens), in one place, each mapping both error layers of a failed call to a typed
//! [`Error`]. Under `cfg(test)` a small in-memory chain stands in for those contracts
//! (ink!'s off-chain test environment cannot call contracts), so unit tests can drive
//! purchases, releases and vault migrations end to end inside the registry.

use crate::Error;
use market_types::{Balance, EscrowId, EscrowStatus, OrderTerms};

use ink::primitives::AccountId;

pub use chain::{approve, escrow_status, open_order, release, transfer_from};

#[cfg(not(test))]
mod chain {
    use super::*;
    use ink::codegen::TraitCallBuilder;
    use market_types::psp22_calls::{self, CallError};
    use market_types::EscrowVault;

    pub fn escrow_status(vault: AccountId, id: EscrowId) -> Option<EscrowStatus> {
        let v: ink::contract_ref!(EscrowVault, ink::env::DefaultEnvironment) = vault.into();
        match v.call().escrow_status(id).try_invoke() {
            Ok(Ok(status)) => status,
            _ => None,
        }
    }

    pub fn open_order(
        vault: AccountId,
        payer: AccountId,
        terms: OrderTerms,
        value: Balance,
    ) -> Result<EscrowId, Error> {
        let mut v: ink::contract_ref!(EscrowVault, ink::env::DefaultEnvironment) = vault.into();
        match v
            .call_mut()
            .open_order(payer, terms)
            .transferred_value(value)
            .try_invoke()
        {
            Ok(Ok(Ok(id))) => Ok(id),
            Ok(Ok(Err(e))) => Err(Error::Vault(e)),
            _ => Err(Error::VaultCallFailed),
        }
    }

    pub fn release(vault: AccountId, id: EscrowId) -> Result<(), Error> {
        let mut v: ink::contract_ref!(EscrowVault, ink::env::DefaultEnvironment) = vault.into();
        match v.call_mut().release(id).try_invoke() {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(Error::Vault(e)),
            _ => Err(Error::VaultCallFailed),
        }
    }

    /// The token's own refusal becomes `Token(reason)`, a failed call `TokenCallFailed`.
    fn token_error(e: CallError) -> Error {
        match e {
            CallError::Refused(reason) => Error::Token(reason),
            CallError::Failed => Error::TokenCallFailed,
        }
    }

    pub fn transfer_from(
        token: AccountId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    ) -> Result<(), Error> {
        psp22_calls::transfer_from(token, from, to, amount).map_err(token_error)
    }

    pub fn approve(token: AccountId, spender: AccountId, amount: Balance) -> Result<(), Error> {
        psp22_calls::approve(token, spender, amount).map_err(token_error)
    }
}

#[cfg(test)]
pub mod chain {
    //! The stand-in chain: vaults that open and release orders (pulling PSP22 deposits
    //! from their caller, as the real vault does), and PSP22 balances and allowances.
    use super::*;
    use core::cell::RefCell;
    use market_types::{
        Asset, EscrowState, SettleReason, Settlement, TokenError, VaultError, BPS_DENOMINATOR,
    };
    use std::collections::HashMap;

    /// One order a mock vault opened.
    #[derive(Clone, Debug)]
    pub struct Opened {
        pub vault: AccountId,
        pub id: EscrowId,
        pub opener: AccountId,
        pub payer: AccountId,
        pub terms: OrderTerms,
        pub value: Balance,
    }

    #[derive(Default)]
    pub struct Chain {
        pub statuses: HashMap<(AccountId, EscrowId), EscrowStatus>,
        pub next_id: HashMap<AccountId, EscrowId>,
        pub opened: Vec<Opened>,
        pub balances: HashMap<(AccountId, AccountId), Balance>,
        pub allowances: HashMap<(AccountId, AccountId, AccountId), Balance>,
        /// Makes the next vault call fail with this error.
        pub vault_refuses: Option<VaultError>,
        /// Vault reads and writes made so far.
        pub vault_calls: u32,
    }

    thread_local! {
        static CHAIN: RefCell<Chain> = RefCell::new(Chain::default());
    }

    /// Runs `f` on the stand-in chain.
    pub fn with<R>(f: impl FnOnce(&mut Chain) -> R) -> R {
        CHAIN.with(|c| f(&mut c.borrow_mut()))
    }

    /// Forgets everything (each test starts from an empty chain).
    pub fn reset() {
        with(|c| *c = Chain::default());
    }

    fn me() -> AccountId {
        ink::env::account_id::<ink::env::DefaultEnvironment>()
    }

    fn now() -> u64 {
        ink::env::block_timestamp::<ink::env::DefaultEnvironment>()
    }

    /// Settles an order the way the vault would, with `payee_share_bps` to the seller.
    pub fn settle(vault: AccountId, id: EscrowId, reason: SettleReason, payee_share_bps: u16) {
        with(|c| {
            c.statuses.insert(
                (vault, id),
                EscrowStatus {
                    state: EscrowState::Settled,
                    settlement: Some(Settlement {
                        reason,
                        at: now(),
                        payee_share_bps,
                    }),
                },
            )
        });
    }

    /// Marks an order disputed.
    pub fn dispute(vault: AccountId, id: EscrowId) {
        with(|c| {
            c.statuses.insert(
                (vault, id),
                EscrowStatus {
                    state: EscrowState::Disputed,
                    settlement: None,
                },
            )
        });
    }

    pub fn mint(token: AccountId, to: AccountId, amount: Balance) {
        with(|c| *c.balances.entry((token, to)).or_default() += amount);
    }

    pub fn balance(token: AccountId, of: AccountId) -> Balance {
        with(|c| c.balances.get(&(token, of)).copied().unwrap_or(0))
    }

    pub fn set_allowance(token: AccountId, owner: AccountId, spender: AccountId, amount: Balance) {
        with(|c| c.allowances.insert((token, owner, spender), amount));
    }

    pub fn allowance(token: AccountId, owner: AccountId, spender: AccountId) -> Balance {
        with(|c| {
            c.allowances
                .get(&(token, owner, spender))
                .copied()
                .unwrap_or(0)
        })
    }

    fn pull(
        c: &mut Chain,
        token: AccountId,
        spender: AccountId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    ) -> Result<(), TokenError> {
        let allowed = c
            .allowances
            .get(&(token, from, spender))
            .copied()
            .unwrap_or(0);
        if allowed < amount {
            return Err(TokenError::InsufficientAllowance);
        }
        let held = c.balances.get(&(token, from)).copied().unwrap_or(0);
        if held < amount {
            return Err(TokenError::InsufficientBalance);
        }
        c.allowances
            .insert((token, from, spender), allowed - amount);
        c.balances.insert((token, from), held - amount);
        *c.balances.entry((token, to)).or_default() += amount;
        Ok(())
    }

    pub fn escrow_status(vault: AccountId, id: EscrowId) -> Option<EscrowStatus> {
        with(|c| {
            c.vault_calls += 1;
            c.statuses.get(&(vault, id)).copied()
        })
    }

    pub fn open_order(
        vault: AccountId,
        payer: AccountId,
        terms: OrderTerms,
        value: Balance,
    ) -> Result<EscrowId, Error> {
        let opener = me();
        with(|c| {
            c.vault_calls += 1;
            if let Some(e) = c.vault_refuses.take() {
                return Err(Error::Vault(e));
            }
            match terms.asset {
                Asset::Native if value != terms.amount => {
                    return Err(Error::Vault(VaultError::WrongValue))
                }
                Asset::Native => {}
                Asset::Psp22(token) => {
                    // The vault pulls from its caller, the registry.
                    pull(c, token, vault, opener, vault, terms.amount)
                        .map_err(|e| Error::Vault(VaultError::Token(e)))?;
                }
            }
            let id = c.next_id.get(&vault).copied().unwrap_or(0) + 1;
            c.next_id.insert(vault, id);
            c.statuses.insert(
                (vault, id),
                EscrowStatus {
                    state: EscrowState::Funded,
                    settlement: None,
                },
            );
            c.opened.push(Opened {
                vault,
                id,
                opener,
                payer,
                terms,
                value,
            });
            Ok(id)
        })
    }

    pub fn release(vault: AccountId, id: EscrowId) -> Result<(), Error> {
        let open = with(|c| {
            c.vault_calls += 1;
            if let Some(e) = c.vault_refuses.take() {
                return Err(Error::Vault(e));
            }
            match c.statuses.get(&(vault, id)) {
                None => Err(Error::Vault(VaultError::EscrowNotFound)),
                Some(s) if s.state == EscrowState::Settled => {
                    Err(Error::Vault(VaultError::EscrowNotOpen))
                }
                Some(_) => Ok(()),
            }
        });
        open?;
        settle(vault, id, SettleReason::Released, BPS_DENOMINATOR);
        Ok(())
    }

    pub fn transfer_from(
        token: AccountId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    ) -> Result<(), Error> {
        let spender = me();
        with(|c| pull(c, token, spender, from, to, amount)).map_err(Error::Token)
    }

    pub fn approve(token: AccountId, spender: AccountId, amount: Balance) -> Result<(), Error> {
        let owner = me();
        set_allowance(token, owner, spender, amount);
        Ok(())
    }
}
