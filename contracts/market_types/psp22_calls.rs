//! The calls into PSP22 tokens that the marketplace's contracts make, and the one way
//! their two error layers are read: the token's own refusal comes back as
//! [`CallError::Refused`] with its reason, and a failure of the call itself — the token
//! trapped, answered with a `LangError`, or answered something that does not decode —
//! as [`CallError::Failed`]. Each contract maps the two to its own `Error` (`Token(..)`
//! and its `…CallFailed` variant), so every token refusal reads the same everywhere.
//!
//! The caller of each call is the contract making it (the token sees the contract as
//! `caller()`). Off-chain unit tests cannot call another contract: contracts swap these
//! for their stand-ins there and read the stand-ins' answers with [`outcome`].

use crate::{Balance, TokenError};
use ink::codegen::TraitCallBuilder;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use psp22::{PSP22Error, PSP22};

type Env = ink::env::DefaultEnvironment;

/// How a call into a token failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The token refused, for this reason.
    Refused(TokenError),
    /// The call itself failed (trap, `LangError`, undecodable answer).
    Failed,
}

/// Reads a token message's raw answer: both error layers and the token's own result.
pub fn outcome(
    raw: Result<ink::MessageResult<Result<(), PSP22Error>>, ink::env::Error>,
) -> Result<(), CallError> {
    match raw {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(CallError::Refused(e.into())),
        _ => Err(CallError::Failed),
    }
}

/// Reads a `balance_of` answer (a view: only the call can fail).
pub fn balance_outcome(
    raw: Result<ink::MessageResult<Balance>, ink::env::Error>,
) -> Result<Balance, CallError> {
    match raw {
        Ok(Ok(balance)) => Ok(balance),
        _ => Err(CallError::Failed),
    }
}

/// `token.transfer_from(from, to, value)`, spending the calling contract's allowance.
pub fn transfer_from(
    token: AccountId,
    from: AccountId,
    to: AccountId,
    value: Balance,
) -> Result<(), CallError> {
    let mut t: ink::contract_ref!(PSP22, Env) = token.into();
    outcome(
        t.call_mut()
            .transfer_from(from, to, value, Vec::new())
            .try_invoke(),
    )
}

/// `token.transfer(to, value)` from the calling contract's own balance.
pub fn transfer(token: AccountId, to: AccountId, value: Balance) -> Result<(), CallError> {
    let mut t: ink::contract_ref!(PSP22, Env) = token.into();
    outcome(t.call_mut().transfer(to, value, Vec::new()).try_invoke())
}

/// `token.approve(spender, value)`: the calling contract lets `spender` take `value`.
pub fn approve(token: AccountId, spender: AccountId, value: Balance) -> Result<(), CallError> {
    let mut t: ink::contract_ref!(PSP22, Env) = token.into();
    outcome(t.call_mut().approve(spender, value).try_invoke())
}

/// `token.balance_of(who)`.
pub fn balance_of(token: AccountId, who: AccountId) -> Result<Balance, CallError> {
    let t: ink::contract_ref!(PSP22, Env) = token.into();
    balance_outcome(t.call().balance_of(who).try_invoke())
}
