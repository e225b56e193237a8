//! The vault's only three calls into a PSP22 token (`balance_of`, `transfer_from`,
//! `transfer`), and how their two error layers become a `VaultError`.
//!
//! In unit tests they go to the thread-local ledger in `crate::mock_token`, because the
//! off-chain environment cannot call another contract; both answer in the same layers.

use ink::primitives::AccountId;
use market_types::{Balance, VaultError};
use psp22::PSP22Error;

type Result<T> = core::result::Result<T, VaultError>;

/// The token's own refusal becomes `Token(reason)`; a failure of the call itself
/// (a trap, a `LangError`, an undecodable answer) `TokenTransferFailed`.
pub(crate) fn token_outcome(
    r: core::result::Result<
        ink::MessageResult<core::result::Result<(), PSP22Error>>,
        ink::env::Error,
    >,
) -> Result<()> {
    match r {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(e))) => Err(VaultError::Token(e.into())),
        _ => Err(VaultError::TokenTransferFailed),
    }
}

pub(crate) fn balance_outcome(
    r: core::result::Result<ink::MessageResult<Balance>, ink::env::Error>,
) -> Result<Balance> {
    match r {
        Ok(Ok(balance)) => Ok(balance),
        _ => Err(VaultError::TokenTransferFailed),
    }
}

#[cfg(not(test))]
pub(crate) fn psp22_balance_of(token: AccountId, who: AccountId) -> Result<Balance> {
    use ink::codegen::TraitCallBuilder;
    use psp22::PSP22;
    let t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
    balance_outcome(t.call().balance_of(who).try_invoke())
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
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::vec::Vec;
    use psp22::PSP22;
    let mut t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
    token_outcome(
        t.call_mut()
            .transfer_from(from, to, value, Vec::new())
            .try_invoke(),
    )
}

/// `sender` is the vault itself (the token sees it as the caller).
#[cfg(not(test))]
pub(crate) fn psp22_transfer(
    token: AccountId,
    _sender: AccountId,
    to: AccountId,
    value: Balance,
) -> Result<()> {
    use ink::codegen::TraitCallBuilder;
    use ink::prelude::vec::Vec;
    use psp22::PSP22;
    let mut t: ink::contract_ref!(PSP22, ink::env::DefaultEnvironment) = token.into();
    token_outcome(t.call_mut().transfer(to, value, Vec::new()).try_invoke())
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
