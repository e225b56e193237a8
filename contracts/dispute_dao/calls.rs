//! Every call the DAO makes into another contract — the stake token, the escrow vault,
//! the model registry and the compute market — in one place, each reading both error
//! layers of a failed call into a typed [`Error`]. The governed contracts are called
//! through the traits of `market_types::governed` (`contract_ref!`), which they
//! implement (`VaultArbiter::resolve`, `Administered::set_paused`, …). The vault
//! answers with its `VaultError` (`Error::Vault`); the registry and the market with
//! the shared `AdminError`, which the DAO reports as `TargetRefused` (see
//! [`target_refused`]).
//!
//! The governed contracts are reached through `transport`, which on a chain is
//! `on_chain` and in unit tests the test kit's stand-ins,
//! `market_types::testing::{vault, targets}` (ink!'s off-chain environment cannot call
//! contracts): the same calls, answering the same raw results, read by the same code
//! below. Token calls go through `market_types::psp22_calls`, which its `testing`
//! feature points at the kit's PSP22 double in the same way.

use crate::types::{Action, Config, Target};
use crate::Error;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use market_types::psp22_calls::{self, CallError};
use market_types::{
    AdminError, Answer, Asset, Balance, Bps, CollateralId, EscrowId, EscrowRecord, EscrowState,
    Timestamp, VaultError,
};

// The one switch between a chain and the unit tests (the test side is at the end).
#[cfg(not(test))]
use on_chain as transport;

/// How the DAO reports a registry's or a market's refusal of an admin call: whatever
/// the [`AdminError`] (the DAO holds the role, so a refusal means a governed value out
/// of bounds or a handover not proposed), the call was refused.
pub fn target_refused(_reason: AdminError) -> Error {
    Error::TargetRefused
}

/// What the DAO reads of a disputed escrow. The dispute's fields are those of the
/// vault's open dispute, or of the dispute whose collateral hold is still on; zero
/// otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscrowFacts {
    pub payer: AccountId,
    pub payee: AccountId,
    pub asset: Asset,
    pub collateral: Option<CollateralId>,
    /// Frozen by a dispute now.
    pub disputed: bool,
    /// The payee refunded the escrow while it was disputed, and the vault still holds
    /// its collateral for the dispute's ruling (`release_hold` ends it).
    pub collateral_held: bool,
    /// The vault's ruling deadline of the dispute.
    pub ruling_deadline: Timestamp,
    /// What the escrow held when the dispute opened: the base of a slash.
    pub frozen: Balance,
    /// The block the dispute opened in: the case's weight snapshot.
    pub opened_block: u32,
}

impl EscrowFacts {
    /// What the DAO reads of the vault's record of an escrow.
    pub fn of(rec: EscrowRecord) -> Self {
        let disputed = rec.state == EscrowState::Disputed;
        let dispute = rec.dispute.filter(|d| disputed || d.collateral_held);
        EscrowFacts {
            payer: rec.payer,
            payee: rec.payee,
            asset: rec.asset,
            collateral: rec.collateral,
            disputed,
            collateral_held: dispute.is_some_and(|d| d.collateral_held),
            ruling_deadline: dispute.map(|d| d.ruling_deadline).unwrap_or(0),
            frozen: dispute.map(|d| d.frozen).unwrap_or(0),
            opened_block: dispute.map(|d| d.opened_block).unwrap_or(0),
        }
    }
}

fn vault_result<T>(r: Answer<Result<T, VaultError>>) -> Result<T, Error> {
    match r {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(e))) => Err(Error::Vault(e)),
        _ => Err(Error::VaultCallFailed),
    }
}

fn target_result<T>(r: Answer<Result<T, AdminError>>) -> Result<T, Error> {
    match r {
        Ok(Ok(Ok(v))) => Ok(v),
        Ok(Ok(Err(reason))) => Err(target_refused(reason)),
        _ => Err(Error::TargetCallFailed),
    }
}

fn token_result(r: Result<(), CallError>) -> Result<(), Error> {
    r.map_err(|e| match e {
        CallError::Refused(reason) => Error::Token(reason),
        CallError::Failed => Error::TokenCallFailed,
    })
}

/// The registry or the market, the two administered contracts.
fn admin(config: &Config, target: Target) -> Option<AccountId> {
    match target {
        Target::Registry => Some(config.registry),
        Target::Market => Some(config.market),
        Target::Vault => None,
    }
}

/// Takes `amount` of `token` from `from` to `to` on the DAO's allowance.
pub fn transfer_from(
    token: AccountId,
    from: AccountId,
    to: AccountId,
    amount: Balance,
) -> Result<(), Error> {
    token_result(psp22_calls::transfer_from(token, from, to, amount))
}

/// Pays `amount` of the DAO's `token` to `to`.
pub fn transfer(token: AccountId, to: AccountId, amount: Balance) -> Result<(), Error> {
    token_result(psp22_calls::transfer(token, to, amount))
}

/// `Ok(None)`: the vault has no such escrow; `Err`: the read failed.
pub fn escrow_facts(config: &Config, id: EscrowId) -> Result<Option<EscrowFacts>, Error> {
    match transport::escrow(config.vault, id) {
        Ok(Ok(Some(rec))) => Ok(Some(EscrowFacts::of(rec))),
        Ok(Ok(None)) => Ok(None),
        _ => Err(Error::VaultCallFailed),
    }
}

/// What a collateral still holds: `Ok(None)` when it is gone or released, `Err` when
/// the read failed.
pub fn collateral_amount(config: &Config, id: CollateralId) -> Result<Option<Balance>, Error> {
    match transport::collateral(config.vault, id) {
        Ok(Ok(Some(c))) if !c.released => Ok(Some(c.amount)),
        Ok(Ok(_)) => Ok(None),
        _ => Err(Error::VaultCallFailed),
    }
}

/// `(bond_bps, ruling_window_ms)` of the vault's new disputes.
pub fn dispute_params(config: &Config) -> Result<(Bps, u64), Error> {
    match transport::dispute_params(config.vault) {
        Ok(Ok(params)) => Ok(params),
        _ => Err(Error::VaultCallFailed),
    }
}

/// Ends the collateral hold of an escrow its payee refunded while disputed.
pub fn release_hold(config: &Config, id: EscrowId) -> Result<(), Error> {
    vault_result(transport::release_hold(config.vault, id))
}

/// Rules on a disputed escrow: `payee_bps` of it to the payee side.
pub fn resolve(config: &Config, id: EscrowId, payee_bps: Bps) -> Result<(), Error> {
    vault_result(transport::resolve(config.vault, id, payee_bps))
}

/// Slashes collateral to named receivers.
pub fn slash_collateral(
    config: &Config,
    id: CollateralId,
    receivers: Vec<(AccountId, Balance)>,
) -> Result<(), Error> {
    vault_result(transport::slash_collateral(config.vault, id, receivers))
}

/// Applies the fallback of a dispute whose ruling deadline passed.
pub fn expire_dispute(config: &Config, id: EscrowId) -> Result<(), Error> {
    vault_result(transport::expire_dispute(config.vault, id))
}

/// Pauses (or resumes) the registry or the market; the vault has no pause.
pub fn set_paused(config: &Config, target: Target, paused: bool) -> Result<(), Error> {
    let a = admin(config, target).ok_or(Error::InvalidParams)?;
    target_result(transport::set_paused(a, paused))
}

/// Takes the admin (or the vault's arbiter) role proposed to the DAO.
pub fn accept_role(config: &Config, target: Target) -> Result<(), Error> {
    match admin(config, target) {
        Some(a) => target_result(transport::accept_admin(a)),
        None => vault_result(transport::accept_arbiter(config.vault)),
    }
}

/// Executes an action that lives in another contract. The DAO's own actions
/// (jury, governance, guardian) are applied by the contract itself.
pub fn apply_action(config: &Config, action: &Action) -> Result<(), Error> {
    let v = config.vault;
    let r = config.registry;
    let m = config.market;
    match *action {
        Action::SetFee { fee_bps } => vault_result(transport::set_fee_bps(v, fee_bps)),
        Action::SetTreasury { treasury } => vault_result(transport::set_treasury(v, treasury)),
        Action::SetDisputeParams {
            bond_bps,
            ruling_window_ms,
        } => vault_result(transport::set_dispute_params(v, bond_bps, ruling_window_ms)),
        Action::SetMinDeposit { asset, amount } => {
            vault_result(transport::set_min_deposit(v, asset, amount))
        }
        Action::SetController {
            controller,
            allowed,
        } => vault_result(transport::set_controller(v, controller, allowed)),
        Action::SetAssetAllowed {
            target,
            token,
            allowed,
        } => match admin(config, target) {
            Some(a) => target_result(transport::set_asset_allowed_at(a, token, allowed)),
            None => vault_result(transport::set_asset_allowed(v, token, allowed)),
        },
        Action::SetAuditor { auditor, allowed } => {
            target_result(transport::set_auditor(r, auditor, allowed))
        }
        Action::SetPurchasePeriods {
            delivery_period_ms,
            review_window_ms,
        } => target_result(transport::set_purchase_periods(
            r,
            delivery_period_ms,
            review_window_ms,
        )),
        Action::SetMaxRoyalty { max_royalty_bps } => {
            target_result(transport::set_max_royalty_bps(r, max_royalty_bps))
        }
        Action::SetMarketRatios {
            collateral_ratio_bps,
            no_show_bps,
        } => target_result(transport::set_ratios(m, collateral_ratio_bps, no_show_bps)),
        Action::SetMaxStartWindow {
            max_start_window_ms,
        } => target_result(transport::set_max_start_window(m, max_start_window_ms)),
        Action::SetPaused { target, paused } => set_paused(config, target, paused),
        Action::SetVault {
            target,
            vault: new_vault,
        } => {
            let a = admin(config, target).ok_or(Error::InvalidParams)?;
            target_result(transport::set_vault(a, new_vault))
        }
        Action::SetAuditors { auditors } => target_result(transport::set_auditors(m, auditors)),
        Action::SetRentalRules { min_charge_hours } => {
            target_result(transport::set_rental_rules(m, min_charge_hours))
        }
        Action::SetMinCountedValue { asset, value } => {
            target_result(transport::set_min_counted_value(m, asset, value))
        }
        Action::HandOver { target, successor } => match admin(config, target) {
            Some(a) => target_result(transport::propose_admin(a, successor)),
            None => vault_result(transport::propose_arbiter(v, successor)),
        },
        Action::SetJuryParams { .. } | Action::SetGovParams { .. } | Action::SetGuardian { .. } => {
            Err(Error::InvalidParams)
        }
    }
}

/// The calls into the vault and the governed contracts as a chain answers them (see
/// the module doc).
#[cfg(not(test))]
mod on_chain {
    use super::*;
    use ink::codegen::TraitCallBuilder;
    use market_types::governed::{Administered, MarketAdmin, RegistryAdmin, VaultArbiter};
    use market_types::Collateral;

    type Env = ink::env::DefaultEnvironment;
    type Vault = ink::contract_ref!(VaultArbiter, Env);
    type Admin = ink::contract_ref!(Administered, Env);
    type Registry = ink::contract_ref!(RegistryAdmin, Env);
    type Market = ink::contract_ref!(MarketAdmin, Env);

    type VaultAnswer = Answer<Result<(), VaultError>>;
    type AdminAnswer = Answer<Result<(), AdminError>>;

    pub fn escrow(vault: AccountId, id: EscrowId) -> Answer<Option<EscrowRecord>> {
        let v: Vault = vault.into();
        v.call().escrow(id).try_invoke()
    }

    pub fn collateral(vault: AccountId, id: CollateralId) -> Answer<Option<Collateral>> {
        let v: Vault = vault.into();
        v.call().collateral(id).try_invoke()
    }

    pub fn dispute_params(vault: AccountId) -> Answer<(Bps, u64)> {
        let v: Vault = vault.into();
        v.call().dispute_params().try_invoke()
    }

    pub fn release_hold(vault: AccountId, id: EscrowId) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().release_hold(id).try_invoke()
    }

    pub fn resolve(vault: AccountId, id: EscrowId, payee_bps: Bps) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().resolve(id, payee_bps).try_invoke()
    }

    pub fn slash_collateral(
        vault: AccountId,
        id: CollateralId,
        receivers: Vec<(AccountId, Balance)>,
    ) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().slash_collateral(id, receivers).try_invoke()
    }

    pub fn expire_dispute(vault: AccountId, id: EscrowId) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().expire_dispute(id).try_invoke()
    }

    pub fn set_fee_bps(vault: AccountId, fee_bps: Bps) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().set_fee_bps(fee_bps).try_invoke()
    }

    pub fn set_treasury(vault: AccountId, treasury: AccountId) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().set_treasury(treasury).try_invoke()
    }

    pub fn set_dispute_params(
        vault: AccountId,
        bond_bps: Bps,
        ruling_window_ms: u64,
    ) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut()
            .set_dispute_params(bond_bps, ruling_window_ms)
            .try_invoke()
    }

    pub fn set_min_deposit(vault: AccountId, asset: Asset, amount: Balance) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().set_min_deposit(asset, amount).try_invoke()
    }

    pub fn set_controller(vault: AccountId, controller: AccountId, allowed: bool) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut()
            .set_controller(controller, allowed)
            .try_invoke()
    }

    pub fn set_asset_allowed(vault: AccountId, token: AccountId, allowed: bool) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().set_asset_allowed(token, allowed).try_invoke()
    }

    pub fn propose_arbiter(vault: AccountId, successor: Option<AccountId>) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().propose_arbiter(successor).try_invoke()
    }

    pub fn accept_arbiter(vault: AccountId) -> VaultAnswer {
        let mut v: Vault = vault.into();
        v.call_mut().accept_arbiter().try_invoke()
    }

    /// `Administered::set_asset_allowed` (the vault's own is `set_asset_allowed`).
    pub fn set_asset_allowed_at(target: AccountId, token: AccountId, allowed: bool) -> AdminAnswer {
        let mut a: Admin = target.into();
        a.call_mut().set_asset_allowed(token, allowed).try_invoke()
    }

    pub fn propose_admin(target: AccountId, successor: Option<AccountId>) -> AdminAnswer {
        let mut a: Admin = target.into();
        a.call_mut().propose_admin(successor).try_invoke()
    }

    pub fn accept_admin(target: AccountId) -> AdminAnswer {
        let mut a: Admin = target.into();
        a.call_mut().accept_admin().try_invoke()
    }

    pub fn set_paused(target: AccountId, paused: bool) -> AdminAnswer {
        let mut a: Admin = target.into();
        a.call_mut().set_paused(paused).try_invoke()
    }

    pub fn set_vault(target: AccountId, vault: AccountId) -> AdminAnswer {
        let mut a: Admin = target.into();
        a.call_mut().set_vault(vault).try_invoke()
    }

    pub fn set_auditor(registry: AccountId, auditor: AccountId, allowed: bool) -> AdminAnswer {
        let mut r: Registry = registry.into();
        r.call_mut().set_auditor(auditor, allowed).try_invoke()
    }

    pub fn set_purchase_periods(
        registry: AccountId,
        delivery_period_ms: u64,
        review_window_ms: u64,
    ) -> AdminAnswer {
        let mut r: Registry = registry.into();
        r.call_mut()
            .set_purchase_periods(delivery_period_ms, review_window_ms)
            .try_invoke()
    }

    pub fn set_max_royalty_bps(registry: AccountId, max_royalty_bps: Bps) -> AdminAnswer {
        let mut r: Registry = registry.into();
        r.call_mut()
            .set_max_royalty_bps(max_royalty_bps)
            .try_invoke()
    }

    pub fn set_ratios(
        market: AccountId,
        collateral_ratio_bps: Bps,
        no_show_bps: Bps,
    ) -> AdminAnswer {
        let mut m: Market = market.into();
        m.call_mut()
            .set_ratios(collateral_ratio_bps, no_show_bps)
            .try_invoke()
    }

    pub fn set_max_start_window(market: AccountId, max_start_window_ms: u64) -> AdminAnswer {
        let mut m: Market = market.into();
        m.call_mut()
            .set_max_start_window(max_start_window_ms)
            .try_invoke()
    }

    pub fn set_auditors(market: AccountId, auditors: AccountId) -> AdminAnswer {
        let mut m: Market = market.into();
        m.call_mut().set_auditors(auditors).try_invoke()
    }

    pub fn set_rental_rules(market: AccountId, min_charge_hours: u32) -> AdminAnswer {
        let mut m: Market = market.into();
        m.call_mut().set_rental_rules(min_charge_hours).try_invoke()
    }

    pub fn set_min_counted_value(market: AccountId, asset: Asset, value: Balance) -> AdminAnswer {
        let mut m: Market = market.into();
        m.call_mut()
            .set_min_counted_value(asset, value)
            .try_invoke()
    }
}

/// The same calls, answered by the test kit's stand-ins (the administered contracts'
/// `set_asset_allowed` under the name `on_chain` gives it).
#[cfg(test)]
mod transport {
    pub use market_types::testing::targets::set_asset_allowed as set_asset_allowed_at;
    pub use market_types::testing::targets::{
        accept_admin, propose_admin, set_auditor, set_auditors, set_max_royalty_bps,
        set_max_start_window, set_min_counted_value, set_paused, set_purchase_periods, set_ratios,
        set_rental_rules, set_vault,
    };
    pub use market_types::testing::vault::*;
}
