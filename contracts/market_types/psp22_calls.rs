//! The calls into PSP22 tokens that the marketplace's contracts make, and the one way
//! their two error layers are read: the token's own refusal comes back as
//! [`CallError::Refused`] with its reason, and a failure of the call itself — the token
//! trapped, answered with a `LangError`, or answered something that does not decode —
//! as [`CallError::Failed`]. Each contract maps the two to its own `Error` (`Token(..)`
//! and its `…CallFailed` variant), so every token refusal reads the same everywhere.
//!
//! The caller of each call is the contract making it (the token sees the contract as
//! `caller()`). Off-chain unit tests cannot call another contract: with the `testing`
//! feature (dev-dependencies only) the raw calls go to the test kit's PSP22 double
//! (`market_types::testing::psp22`), which answers in the same two layers, so a unit
//! test of a refusing or failing token runs through this module's reading of them.

use crate::{Answer, Balance, TokenError};
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
pub fn outcome(raw: Answer<Result<(), PSP22Error>>) -> Result<(), CallError> {
    match raw {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(CallError::Refused(e.into())),
        _ => Err(CallError::Failed),
    }
}

/// Reads a `balance_of` answer (a view: only the call can fail).
pub fn balance_outcome(raw: Answer<Balance>) -> Result<Balance, CallError> {
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
    outcome(transport::transfer_from(token, from, to, value))
}

/// `token.transfer(to, value)` from the calling contract's own balance.
pub fn transfer(token: AccountId, to: AccountId, value: Balance) -> Result<(), CallError> {
    outcome(transport::transfer(token, to, value))
}

/// `token.approve(spender, value)`: the calling contract lets `spender` take `value`.
pub fn approve(token: AccountId, spender: AccountId, value: Balance) -> Result<(), CallError> {
    outcome(transport::approve(token, spender, value))
}

/// `token.balance_of(who)`.
pub fn balance_of(token: AccountId, who: AccountId) -> Result<Balance, CallError> {
    balance_outcome(transport::balance_of(token, who))
}

// The one switch between a chain and the unit tests: the same calls, answered by the
// token contract or by the test kit's PSP22 double, read by the same `outcome`.
#[cfg(feature = "testing")]
use crate::testing::psp22 as transport;
#[cfg(not(feature = "testing"))]
use on_chain as transport;

/// The raw calls into a token contract, answering both error layers unread; use the
/// functions above, which read them (and which the `testing` feature points at the test
/// kit's double instead).
pub mod on_chain {
    use super::*;

    /// `PSP22::transfer_from`, the calling contract as spender.
    pub fn transfer_from(
        token: AccountId,
        from: AccountId,
        to: AccountId,
        value: Balance,
    ) -> Answer<Result<(), PSP22Error>> {
        let mut t: ink::contract_ref!(PSP22, Env) = token.into();
        t.call_mut()
            .transfer_from(from, to, value, Vec::new())
            .try_invoke()
    }

    /// `PSP22::transfer` from the calling contract.
    pub fn transfer(
        token: AccountId,
        to: AccountId,
        value: Balance,
    ) -> Answer<Result<(), PSP22Error>> {
        let mut t: ink::contract_ref!(PSP22, Env) = token.into();
        t.call_mut().transfer(to, value, Vec::new()).try_invoke()
    }

    /// `PSP22::approve` by the calling contract.
    pub fn approve(
        token: AccountId,
        spender: AccountId,
        value: Balance,
    ) -> Answer<Result<(), PSP22Error>> {
        let mut t: ink::contract_ref!(PSP22, Env) = token.into();
        t.call_mut().approve(spender, value).try_invoke()
    }

    /// `PSP22::balance_of`.
    pub fn balance_of(token: AccountId, who: AccountId) -> Answer<Balance> {
        let t: ink::contract_ref!(PSP22, Env) = token.into();
        t.call().balance_of(who).try_invoke()
    }
}
