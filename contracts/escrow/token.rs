//! The vault's only three calls into a PSP22 token (`balance_of`, `transfer_from`,
//! `transfer`), and how their two error layers become a `VaultError`.
//!
//! The calls go through `market_types::psp22_calls`; in unit tests (its `testing`
//! feature) they reach the test kit's PSP22 double (`market_types::testing::psp22`)
//! instead of a token, which answers in the same two layers, so the mapping below is
//! what the tests of refusing and failing tokens exercise.

use ink::primitives::AccountId;
use market_types::psp22_calls::{self, CallError};
use market_types::{Balance, VaultError};

type Result<T> = core::result::Result<T, VaultError>;

/// The token's own refusal becomes `Token(reason)`; a failure of the call itself
/// (a trap, a `LangError`, an undecodable answer) `TokenTransferFailed`.
fn vault_error(e: CallError) -> VaultError {
    match e {
        CallError::Refused(reason) => VaultError::Token(reason),
        CallError::Failed => VaultError::TokenTransferFailed,
    }
}

pub(crate) fn psp22_balance_of(token: AccountId, who: AccountId) -> Result<Balance> {
    psp22_calls::balance_of(token, who).map_err(vault_error)
}

/// Spends the vault's allowance (the token sees the vault as the caller).
pub(crate) fn psp22_transfer_from(
    token: AccountId,
    from: AccountId,
    to: AccountId,
    value: Balance,
) -> Result<()> {
    psp22_calls::transfer_from(token, from, to, value).map_err(vault_error)
}

/// From the vault's own balance (the token sees the vault as the caller).
pub(crate) fn psp22_transfer(token: AccountId, to: AccountId, value: Balance) -> Result<()> {
    psp22_calls::transfer(token, to, value).map_err(vault_error)
}
