//! The one PSP22 double: every token of every contract's unit tests, in a thread-local
//! ledger (each `#[ink::test]` runs on its own thread) of balances and allowances per
//! token.
//!
//! With the `testing` feature, [`crate::psp22_calls`] sends its calls here instead of
//! to a token contract (ink!'s off-chain environment cannot call one): [`balance_of`],
//! [`transfer_from`], [`transfer`] and [`approve`] take the arguments of the token's
//! messages, act as the token would for the calling contract (`ink::env::account_id()`,
//! the callee of the test) and answer the raw result of a cross-contract call, so the
//! product's reading of both error layers ([`crate::psp22_calls::outcome`]) is what a
//! test of a refusing or failing token exercises.
//!
//! A token refuses like Cardinal's `PSP22Data` (allowance checked before balance:
//! `InsufficientAllowance`, then `InsufficientBalance`) and can be made to answer
//! otherwise with [`set_behaviour`]: refuse with its own `PSP22Error` (the inner layer),
//! fail the call (the outer layer: a trap or an undecodable call), or skim a fee off
//! every transfer. On a chain a failed message reverts the token's state too; tests
//! that need it emulate that with [`snapshot`] and [`restore`].

use crate::{Answer, Balance, TokenError};
use ink::env::ReturnErrorCode;
use ink::primitives::AccountId;
use ink::scale::{Decode, Encode};
use ink::LangError;
use psp22::PSP22Error;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// How a token answers `transfer_from`, `transfer` and `approve` (`balance_of`, a view,
/// always answers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Behaviour {
    /// A correct PSP22.
    #[default]
    Honest,
    /// The token refuses with this error of its own (the inner error layer), answered
    /// as the `PSP22Error` it encodes the same as (see [`Behaviour::refuse`]), with
    /// any text whole, however long.
    Refuse(TokenError),
    /// The call traps (the environment layer).
    Trap,
    /// The token cannot decode the call (ink!'s `LangError`).
    LangError,
    /// A fee-on-transfer token: the receiver gets `value` less this much (burnt).
    Skim(Balance),
}

impl Behaviour {
    /// The token refuses with `error`, any text kept whole (the contract under test
    /// must cut it).
    pub fn refuse(error: PSP22Error) -> Self {
        Behaviour::Refuse(
            TokenError::decode(&mut &error.encode()[..])
                .expect("a PSP22Error decodes as a TokenError"),
        )
    }
}

/// The `PSP22Error` that `error` was read from (the two encode the same).
fn psp22_error(error: &TokenError) -> PSP22Error {
    PSP22Error::decode(&mut &error.encode()[..]).expect("TokenError encodes as a PSP22Error")
}

/// Balances, allowances and behaviours of every token, per token address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    balances: BTreeMap<(AccountId, AccountId), Balance>,
    allowances: BTreeMap<(AccountId, AccountId, AccountId), Balance>,
    behaviour: BTreeMap<AccountId, Behaviour>,
}

thread_local! {
    static LEDGER: RefCell<Ledger> = RefCell::new(Ledger::default());
}

fn with<R>(f: impl FnOnce(&mut Ledger) -> R) -> R {
    LEDGER.with(|l| f(&mut l.borrow_mut()))
}

fn me() -> AccountId {
    ink::env::account_id::<ink::env::DefaultEnvironment>()
}

// ------------------------------------------------------------ test set-up and reads

/// Empties every ledger and makes every token honest again.
pub fn reset() {
    with(|l| *l = Ledger::default());
}

/// A copy of every ledger, to compare or to restore after a failed message.
pub fn snapshot() -> Ledger {
    with(|l| l.clone())
}

/// Puts back a snapshot (what a chain does to the token when the message reverts).
pub fn restore(ledger: Ledger) {
    with(|l| *l = ledger);
}

/// Sets `who`'s balance of `token`.
pub fn set_balance(token: AccountId, who: AccountId, amount: Balance) {
    with(|l| l.balances.insert((token, who), amount));
}

/// Adds `amount` to `who`'s balance of `token`.
///
/// # Panics
/// If the balance would overflow (a broken test).
pub fn mint(token: AccountId, who: AccountId, amount: Balance) {
    let minted = balance(token, who)
        .checked_add(amount)
        .expect("minted beyond u128");
    set_balance(token, who, minted);
}

/// `who`'s balance of `token`, read directly (not as a call).
pub fn balance(token: AccountId, who: AccountId) -> Balance {
    with(|l| l.balance(token, who))
}

/// `owner` lets `spender` take up to `amount` of `token` (replaces any allowance), as
/// if `owner` had called `approve` itself.
pub fn set_allowance(token: AccountId, owner: AccountId, spender: AccountId, amount: Balance) {
    with(|l| l.allowances.insert((token, owner, spender), amount));
}

/// What `spender` may still take of `owner`'s `token`.
pub fn allowance(token: AccountId, owner: AccountId, spender: AccountId) -> Balance {
    with(|l| {
        l.allowances
            .get(&(token, owner, spender))
            .copied()
            .unwrap_or(0)
    })
}

/// Makes `token` answer as `behaviour` says from now on.
pub fn set_behaviour(token: AccountId, behaviour: Behaviour) {
    with(|l| l.behaviour.insert(token, behaviour));
}

// ------------------------------------------------------------ the token's messages

/// `PSP22::balance_of(who)`, as a call.
pub fn balance_of(token: AccountId, who: AccountId) -> Answer<Balance> {
    Ok(Ok(balance(token, who)))
}

/// `PSP22::transfer_from(from, to, value)` called by the contract under test.
pub fn transfer_from(
    token: AccountId,
    from: AccountId,
    to: AccountId,
    value: Balance,
) -> Answer<Result<(), PSP22Error>> {
    transfer_as(token, Some(me()), from, to, value)
}

/// `PSP22::transfer(to, value)` called by the contract under test.
pub fn transfer(token: AccountId, to: AccountId, value: Balance) -> Answer<Result<(), PSP22Error>> {
    transfer_as(token, None, me(), to, value)
}

/// `PSP22::approve(spender, value)` called by the contract under test.
pub fn approve(
    token: AccountId,
    spender: AccountId,
    value: Balance,
) -> Answer<Result<(), PSP22Error>> {
    with(|l| {
        if let Err(answer) = l.answer(token) {
            return answer;
        }
        l.allowances.insert((token, me(), spender), value);
        Ok(Ok(Ok(())))
    })
}

/// A transfer of `value` of `token` from `from` to `to`, spending `spender`'s
/// allowance when one is given and it is not `from` itself: what `transfer_from`
/// (`spender`: its caller) and `transfer` (`None`, `from`: its caller) do. Tests move
/// tokens with it.
pub fn transfer_as(
    token: AccountId,
    spender: Option<AccountId>,
    from: AccountId,
    to: AccountId,
    value: Balance,
) -> Answer<Result<(), PSP22Error>> {
    with(|l| l.transfer(token, spender, from, to, value))
}

impl Ledger {
    fn balance(&self, token: AccountId, who: AccountId) -> Balance {
        self.balances.get(&(token, who)).copied().unwrap_or(0)
    }

    /// `Err` with the failed call or the token's refusal, when its behaviour says so;
    /// otherwise what an honest token would skim (nothing) or this one skims.
    fn answer(&self, token: AccountId) -> Result<Balance, Answer<Result<(), PSP22Error>>> {
        match self.behaviour.get(&token).cloned().unwrap_or_default() {
            Behaviour::Honest => Ok(0),
            Behaviour::Skim(fee) => Ok(fee),
            Behaviour::Refuse(e) => Err(Ok(Ok(Err(psp22_error(&e))))),
            Behaviour::Trap => Err(Err(ink::env::Error::ReturnError(
                ReturnErrorCode::CalleeTrapped,
            ))),
            Behaviour::LangError => Err(Ok(Err(LangError::CouldNotReadInput))),
        }
    }

    fn transfer(
        &mut self,
        token: AccountId,
        spender: Option<AccountId>,
        from: AccountId,
        to: AccountId,
        value: Balance,
    ) -> Answer<Result<(), PSP22Error>> {
        let skim = match self.answer(token) {
            Ok(skim) => skim,
            Err(answer) => return answer,
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
        let Some(left) = self.balance(token, from).checked_sub(value) else {
            return Ok(Ok(Err(PSP22Error::InsufficientBalance)));
        };
        let arrives = value.saturating_sub(skim);
        let Some(to_after) = self.balance(token, to).checked_add(arrives) else {
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
