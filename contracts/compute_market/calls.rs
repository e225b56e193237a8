//! Every call the market makes into another contract — the escrow vault, PSP22 tokens
//! and the auditor list (the model registry) — in one place, each mapping both error
//! layers of a failed call to a typed [`Error`].
//!
//! The vault and the auditor list are reached through `transport`, which on a chain is
//! `on_chain` (`contract_ref!` of `EscrowVault`, `VaultArbiter` and `Auditors`) and in
//! unit tests the test kit's stand-ins, `market_types::testing::{vault, targets}`
//! (ink!'s off-chain environment cannot call contracts): the same calls, answering the
//! same raw results, read by the same code below. Token calls go through
//! `market_types::psp22_calls`, which its `testing` feature points at the kit's PSP22
//! double in the same way.

use crate::Error;
use market_types::psp22_calls::{self, CallError};
use market_types::{
    Answer, Asset, Balance, CollateralId, EscrowId, EscrowStatus, StreamTerms, Timestamp,
    VaultError,
};

use ink::primitives::AccountId;

// The one switch between a chain and the unit tests (the test side is at the end).
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

/// The escrow's state at its vault; `None` when the vault does not know it or the read
/// failed.
pub fn escrow_status(vault: AccountId, id: EscrowId) -> Option<EscrowStatus> {
    match transport::escrow_status(vault, id) {
        Ok(Ok(status)) => status,
        _ => None,
    }
}

/// Whether escrow `id` was ever disputed (its record keeps the dispute once settled).
/// Read through the arbiter's interface, whose `escrow` is the vault's inherent view; a
/// failed read counts as not disputed, so settling never fails on it.
pub fn was_disputed(vault: AccountId, id: EscrowId) -> bool {
    match transport::escrow(vault, id) {
        Ok(Ok(Some(record))) => record.dispute.is_some(),
        _ => false,
    }
}

/// Opens a stream for `payer`, sending `value` (native streams).
pub fn open_stream(
    vault: AccountId,
    payer: AccountId,
    terms: StreamTerms,
    value: Balance,
) -> Result<EscrowId, Error> {
    vault_result(transport::open_stream(vault, payer, terms, value))
}

/// Starts a waiting stream the market opened.
pub fn start_stream(vault: AccountId, id: EscrowId) -> Result<(), Error> {
    vault_result(transport::start_stream(vault, id))
}

/// Stops a stream the market opened.
pub fn stop_stream(vault: AccountId, id: EscrowId) -> Result<(), Error> {
    vault_result(transport::stop_stream(vault, id))
}

/// Extends a stream the market opened by `extra_ms`, sending `value` (native streams).
pub fn top_up(vault: AccountId, id: EscrowId, extra_ms: u64, value: Balance) -> Result<(), Error> {
    vault_result(transport::top_up(vault, id, extra_ms, value))
}

/// Cancels a stream nobody started in time; the no-show penalty it paid.
pub fn cancel_unstarted(vault: AccountId, id: EscrowId) -> Result<Balance, Error> {
    vault_result(transport::cancel_unstarted(vault, id))
}

/// Locks `amount` of collateral for `owner`, the market as its controller, sending
/// `value` (native collateral).
pub fn lock_collateral(
    vault: AccountId,
    owner: AccountId,
    asset: Asset,
    amount: Balance,
    unlock_after: Timestamp,
    value: Balance,
) -> Result<CollateralId, Error> {
    vault_result(transport::lock_collateral(
        vault,
        owner,
        asset,
        amount,
        unlock_after,
        value,
    ))
}

/// Gives collateral the market locked back to its owner.
pub fn release_collateral(vault: AccountId, id: CollateralId) -> Result<(), Error> {
    vault_result(transport::release_collateral(vault, id))
}

/// Whether `account` is on the auditor list at `auditors`.
pub fn is_auditor(auditors: AccountId, account: AccountId) -> Result<bool, Error> {
    match transport::is_auditor(auditors, account) {
        Ok(Ok(yes)) => Ok(yes),
        _ => Err(Error::AuditorsCallFailed),
    }
}

/// The token's own refusal becomes `Token(reason)`, a failed call `TokenCallFailed`.
fn token_error(e: CallError) -> Error {
    match e {
        CallError::Refused(reason) => Error::Token(reason),
        CallError::Failed => Error::TokenCallFailed,
    }
}

/// Takes `amount` of `token` from `from` to `to` on the market's allowance.
pub fn transfer_from(
    token: AccountId,
    from: AccountId,
    to: AccountId,
    amount: Balance,
) -> Result<(), Error> {
    psp22_calls::transfer_from(token, from, to, amount).map_err(token_error)
}

/// The vault and auditor-list calls as a chain answers them (see the module doc).
#[cfg(not(test))]
mod on_chain {
    use super::*;
    use ink::codegen::TraitCallBuilder;
    use market_types::governed::VaultArbiter;
    use market_types::{Auditors, EscrowRecord, EscrowVault};

    type Env = ink::env::DefaultEnvironment;
    type Vault = ink::contract_ref!(EscrowVault, Env);

    pub fn escrow_status(vault: AccountId, id: EscrowId) -> Answer<Option<EscrowStatus>> {
        let v: Vault = vault.into();
        v.call().escrow_status(id).try_invoke()
    }

    pub fn escrow(vault: AccountId, id: EscrowId) -> Answer<Option<EscrowRecord>> {
        let v: ink::contract_ref!(VaultArbiter, Env) = vault.into();
        v.call().escrow(id).try_invoke()
    }

    pub fn open_stream(
        vault: AccountId,
        payer: AccountId,
        terms: StreamTerms,
        value: Balance,
    ) -> Answer<Result<EscrowId, VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut()
            .open_stream(payer, terms)
            .transferred_value(value)
            .try_invoke()
    }

    pub fn start_stream(vault: AccountId, id: EscrowId) -> Answer<Result<(), VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut().start_stream(id).try_invoke()
    }

    pub fn stop_stream(vault: AccountId, id: EscrowId) -> Answer<Result<(), VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut().stop_stream(id).try_invoke()
    }

    pub fn top_up(
        vault: AccountId,
        id: EscrowId,
        extra_ms: u64,
        value: Balance,
    ) -> Answer<Result<(), VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut()
            .top_up(id, extra_ms)
            .transferred_value(value)
            .try_invoke()
    }

    pub fn cancel_unstarted(vault: AccountId, id: EscrowId) -> Answer<Result<Balance, VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut().cancel_unstarted(id).try_invoke()
    }

    pub fn lock_collateral(
        vault: AccountId,
        owner: AccountId,
        asset: Asset,
        amount: Balance,
        unlock_after: Timestamp,
        value: Balance,
    ) -> Answer<Result<CollateralId, VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut()
            .lock_collateral(owner, asset, amount, unlock_after)
            .transferred_value(value)
            .try_invoke()
    }

    pub fn release_collateral(
        vault: AccountId,
        id: CollateralId,
    ) -> Answer<Result<(), VaultError>> {
        let mut v: Vault = vault.into();
        v.call_mut().release_collateral(id).try_invoke()
    }

    pub fn is_auditor(auditors: AccountId, account: AccountId) -> Answer<bool> {
        let a: ink::contract_ref!(Auditors, Env) = auditors.into();
        a.call().is_auditor(account).try_invoke()
    }
}

/// The same calls, answered by the test kit's stand-ins.
#[cfg(test)]
mod transport {
    pub use market_types::testing::targets::is_auditor;
    pub use market_types::testing::vault::*;
}
