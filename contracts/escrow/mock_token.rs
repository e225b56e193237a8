//! A PSP22 ledger for unit and property tests (compiled only under `cfg(test)`).
//!
//! ink!'s off-chain environment cannot call another contract, so the vault routes its
//! three token calls (`balance_of`, `transfer_from`, `transfer`) through small functions
//! that, in tests, land here. The ledger refuses like a real PSP22 (allowance checked
//! before balance, `InsufficientAllowance` / `InsufficientBalance`), and answers in the
//! same two error layers as a cross-contract call, so the vault's handling of both
//! layers is what the tests exercise. A token can be made hostile with [`Behaviour`].
//!
//! The ledger is thread-local (each test runs on its own thread) and is reset by the
//! tests' `setup()`. On a chain a failed message reverts the token's state too; the
//! tests' call helpers emulate that with [`snapshot`] and [`restore`].

use ink::env::ReturnErrorCode;
use ink::primitives::AccountId;
use ink::{LangError, MessageResult};
use market_types::Balance;
use psp22::PSP22Error;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// How a token answers `transfer_from` and `transfer`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Behaviour {
    /// A correct PSP22.
    #[default]
    Honest,
    /// The call traps (environment layer).
    Trap,
    /// The token cannot decode the call (`LangError`).
    LangError,
    /// The token refuses with its own `Custom` reason.
    Refuse(String),
    /// A fee-on-transfer token: the receiver gets `value` minus this much (burnt).
    Skim(Balance),
}

/// Balances and allowances of every mock token, per token address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    balances: BTreeMap<(AccountId, AccountId), Balance>,
    allowances: BTreeMap<(AccountId, AccountId, AccountId), Balance>,
    behaviour: BTreeMap<AccountId, Behaviour>,
}

thread_local! {
    static LEDGER: RefCell<Ledger> = RefCell::new(Ledger::default());
}

/// What a cross-contract call returns: the environment layer, then ink!'s `LangError`.
pub type Call<T> = Result<MessageResult<T>, ink::env::Error>;

/// Empties every ledger.
pub fn reset() {
    LEDGER.with(|l| *l.borrow_mut() = Ledger::default());
}

/// A copy of every ledger, to compare or to restore after a failed message.
pub fn snapshot() -> Ledger {
    LEDGER.with(|l| l.borrow().clone())
}

/// Puts back a snapshot (what a chain does to the token when the message reverts).
pub fn restore(ledger: Ledger) {
    LEDGER.with(|l| *l.borrow_mut() = ledger);
}

/// Sets `who`'s balance of `token` (the tests mint with it).
pub fn set_balance(token: AccountId, who: AccountId, amount: Balance) {
    LEDGER.with(|l| {
        l.borrow_mut().balances.insert((token, who), amount);
    });
}

/// `who`'s balance of `token`, read directly (not as a call).
pub fn balance(token: AccountId, who: AccountId) -> Balance {
    LEDGER.with(|l| l.borrow().balances.get(&(token, who)).copied().unwrap_or(0))
}

/// `owner` lets `spender` take up to `amount` of `token` (replaces any allowance).
pub fn approve(token: AccountId, owner: AccountId, spender: AccountId, amount: Balance) {
    LEDGER.with(|l| {
        l.borrow_mut()
            .allowances
            .insert((token, owner, spender), amount);
    });
}

/// What `spender` may still take of `owner`'s `token`.
pub fn allowance(token: AccountId, owner: AccountId, spender: AccountId) -> Balance {
    LEDGER.with(|l| {
        l.borrow()
            .allowances
            .get(&(token, owner, spender))
            .copied()
            .unwrap_or(0)
    })
}

/// Makes `token` answer transfers as `behaviour` says.
pub fn set_behaviour(token: AccountId, behaviour: Behaviour) {
    LEDGER.with(|l| {
        l.borrow_mut().behaviour.insert(token, behaviour);
    });
}

/// `PSP22::balance_of`, as a call.
pub fn balance_of(token: AccountId, who: AccountId) -> Call<Balance> {
    Ok(Ok(balance(token, who)))
}

/// `PSP22::transfer_from` called by `spender`.
pub fn transfer_from(
    token: AccountId,
    spender: AccountId,
    from: AccountId,
    to: AccountId,
    value: Balance,
) -> Call<Result<(), PSP22Error>> {
    LEDGER.with(|l| l.borrow_mut().call(token, Some(spender), from, to, value))
}

/// `PSP22::transfer` called by `sender`.
pub fn transfer(
    token: AccountId,
    sender: AccountId,
    to: AccountId,
    value: Balance,
) -> Call<Result<(), PSP22Error>> {
    LEDGER.with(|l| l.borrow_mut().call(token, None, sender, to, value))
}

impl Ledger {
    /// A transfer of `value` from `from` to `to`, spending `spender`'s allowance when
    /// one is given (and `spender != from`), as Cardinal's `PSP22Data` does.
    fn call(
        &mut self,
        token: AccountId,
        spender: Option<AccountId>,
        from: AccountId,
        to: AccountId,
        value: Balance,
    ) -> Call<Result<(), PSP22Error>> {
        let skim = match self.behaviour.get(&token).cloned().unwrap_or_default() {
            Behaviour::Honest => 0,
            Behaviour::Trap => {
                return Err(ink::env::Error::ReturnError(ReturnErrorCode::CalleeTrapped))
            }
            Behaviour::LangError => return Ok(Err(LangError::CouldNotReadInput)),
            Behaviour::Refuse(reason) => return Ok(Ok(Err(PSP22Error::Custom(reason)))),
            Behaviour::Skim(n) => n,
        };
        if from == to || value == 0 {
            return Ok(Ok(Ok(())));
        }
        let spend = spender.filter(|s| *s != from);
        let allowed = spend
            .and_then(|s| self.allowances.get(&(token, from, s)).copied())
            .unwrap_or(0);
        if spend.is_some() && allowed < value {
            return Ok(Ok(Err(PSP22Error::InsufficientAllowance)));
        }
        let have = self.balances.get(&(token, from)).copied().unwrap_or(0);
        let Some(left) = have.checked_sub(value) else {
            return Ok(Ok(Err(PSP22Error::InsufficientBalance)));
        };
        let arrives = value.saturating_sub(skim);
        let to_before = self.balances.get(&(token, to)).copied().unwrap_or(0);
        let Some(to_after) = to_before.checked_add(arrives) else {
            return Ok(Ok(Err(PSP22Error::Custom("overflow".into()))));
        };
        if let Some(s) = spend {
            self.allowances
                .insert((token, from, s), allowed.saturating_sub(value));
        }
        self.balances.insert((token, from), left);
        self.balances.insert((token, to), to_after);
        Ok(Ok(Ok(())))
    }
}
