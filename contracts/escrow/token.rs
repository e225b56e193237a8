//! The vault's only three calls into a PSP22 token (`balance_of`, `transfer_from`,
//! `transfer`), and how their two error layers become a `VaultError`.
//!
//! In unit tests they go to the thread-local ledger in `crate::mock_token`, because the
//! off-chain environment cannot call another contract; both answer in the same layers.

use ink::primitives::AccountId;
use market_types::psp22_calls::{self, CallError};
use market_types::{Balance, VaultError};
#[cfg(test)]
use psp22::PSP22Error;

type Result<T> = core::result::Result<T, VaultError>;

/// The token's own refusal becomes `Token(reason)`; a failure of the call itself
/// (a trap, a `LangError`, an undecodable answer) `TokenTransferFailed`.
fn vault_error(e: CallError) -> VaultError {
    match e {
        CallError::Refused(reason) => VaultError::Token(reason),
        CallError::Failed => VaultError::TokenTransferFailed,
    }
}

/// Reads a token message's raw answer (the unit tests' mock answers in the same layers).
#[cfg(test)]
pub(crate) fn token_outcome(
    r: core::result::Result<
        ink::MessageResult<core::result::Result<(), PSP22Error>>,
        ink::env::Error,
    >,
) -> Result<()> {
    psp22_calls::outcome(r).map_err(vault_error)
}

#[cfg(test)]
pub(crate) fn balance_outcome(
    r: core::result::Result<ink::MessageResult<Balance>, ink::env::Error>,
) -> Result<Balance> {
    psp22_calls::balance_outcome(r).map_err(vault_error)
}

#[cfg(not(test))]
pub(crate) fn psp22_balance_of(token: AccountId, who: AccountId) -> Result<Balance> {
    psp22_calls::balance_of(token, who).map_err(vault_error)
}

/// `spender` is the vault itself (the token sees it as the caller).
#[cfg(not(test))]
pub(crate) fn psp22_transfer_from(
    token: AccountId,
    _spender: AccountId,
    from: AccountId,
    to: AccountId,
    value: Balance,
) -> Result<()> {
    psp22_calls::transfer_from(token, from, to, value).map_err(vault_error)
}

/// `sender` is the vault itself (the token sees it as the caller).
#[cfg(not(test))]
pub(crate) fn psp22_transfer(
    token: AccountId,
    _sender: AccountId,
    to: AccountId,
    value: Balance,
) -> Result<()> {
    psp22_calls::transfer(token, to, value).map_err(vault_error)
}

#[cfg(test)]
pub(crate) fn psp22_balance_of(token: AccountId, who: AccountId) -> Result<Balance> {
    balance_outcome(crate::mock_token::balance_of(token, who))
}

#[cfg(test)]
pub(crate) fn psp22_transfer_from(
    token: AccountId,
    spender: AccountId,
    from: AccountId,
    to: AccountId,
    value: Balance,
) -> Result<()> {
    token_outcome(crate::mock_token::transfer_from(
        token, spender, from, to, value,
    ))
}

#[cfg(test)]
pub(crate) fn psp22_transfer(
    token: AccountId,
    sender: AccountId,
    to: AccountId,
    value: Balance,
) -> Result<()> {
    token_outcome(crate::mock_token::transfer(token, sender, to, value))
}
