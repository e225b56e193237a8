//! Every call the registry makes into another contract (the escrow vault and PSP22
//! tokens), in one place, each mapping both error layers of a failed call to a typed
//! [`Error`].
//!
//! The vault is reached through `transport`, which on a chain is `on_chain`
//! (`contract_ref!(EscrowVault)`) and in unit tests the test kit's vault stand-in,
//! `market_types::testing::vault` (ink!'s off-chain environment cannot call contracts):
//! the same calls, answering the same raw results, read by the same code below. Token
//! calls go through `market_types::psp22_calls`, which its `testing` feature points at
//! the kit's PSP22 double in the same way.

use crate::Error;
use market_types::psp22_calls::{self, CallError};
use market_types::{Answer, Balance, EscrowId, EscrowStatus, OrderTerms, VaultError};

use ink::primitives::AccountId;

// The one switch between a chain and the unit tests.
#[cfg(test)]
use market_types::testing::vault as transport;
#[cfg(not(test))]
use on_chain as transport;

/// Both error layers of a vault call: the vault's own refusal, or a call that trapped
/// or could not be decoded.
fn vault_result<T>(r: Answer<Result<T, VaultError>>) -> Result<T, Error> {
    match r {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(e))) => Err(Error::Vault(e)),
        _ => Err(Error::VaultCallFailed),
    }
}

/// The order's state at its vault; `None` when the vault does not know it or the read
/// failed.
pub fn escrow_status(vault: AccountId, id: EscrowId) -> Option<EscrowStatus> {
    match transport::escrow_status(vault, id) {
        Ok(Ok(status)) => status,
        _ => None,
    }
}

/// Opens an order for `payer`, sending `value` (native orders).
pub fn open_order(
    vault: AccountId,
    payer: AccountId,
    terms: OrderTerms,
    value: Balance,
) -> Result<EscrowId, Error> {
    vault_result(transport::open_order(vault, payer, terms, value))
}

/// Releases an order the registry opened.
pub fn release(vault: AccountId, id: EscrowId) -> Result<(), Error> {
    vault_result(transport::release(vault, id))
}

/// The token's own refusal becomes `Token(reason)`, a failed call `TokenCallFailed`.
fn token_error(e: CallError) -> Error {
    match e {
        CallError::Refused(reason) => Error::Token(reason),
        CallError::Failed => Error::TokenCallFailed,
    }
}

/// Takes `amount` of `token` from `from` to `to` on the registry's allowance.
pub fn transfer_from(
    token: AccountId,
    from: AccountId,
    to: AccountId,
    amount: Balance,
) -> Result<(), Error> {
    psp22_calls::transfer_from(token, from, to, amount).map_err(token_error)
}

/// The vault calls as a chain answers them (see the module doc).
#[cfg(not(test))]
mod on_chain {
    use super::*;
    use ink::codegen::TraitCallBuilder;
    use market_types::EscrowVault;

    type Vault = ink::contract_ref!(EscrowVault, ink::env::DefaultEnvironment);

    pub fn escrow_status(vault: AccountId, id: EscrowId) -> Answer<Option<EscrowStatus>> {
        let v: Vault = vault.into();
        v.call().escrow_status(id).try_invoke()
    }

    pub fn open_order(
        vault: AccountId,
        payer: AccountId,
        terms: OrderTerms,
        value: Balance,
    ) -> Answer<Result<EscrowId, VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut()
            .open_order(payer, terms)
            .transferred_value(value)
            .try_invoke()
    }

    pub fn release(vault: AccountId, id: EscrowId) -> Answer<Result<(), VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut().release(id).try_invoke()
    }
}
