//! Every call the DAO makes into another contract — the stake token, the escrow vault,
//! the model registry and the compute market — in one place, each reading both error
//! layers of a failed call into a typed [`Error`]. The governed contracts are called
//! through the traits of `market_types::governed` (`contract_ref!`), which they
//! implement (`VaultArbiter::resolve`, `Administered::set_paused`, …). The vault
//! answers with its `VaultError` (`Error::Vault`); the registry and the market with
//! the shared `AdminError`, which the DAO reports as `TargetRefused` (see
//! [`target_refused`]). Under `cfg(test)` an in-memory stand-in replaces them (ink!'s
//! off-chain test environment cannot call contracts) and refuses the same way.

use crate::types::{Action, Config, Target};
use crate::Error;
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use market_types::{AdminError, Asset, Balance, CollateralId, EscrowId, Timestamp};

pub use chain::{
    accept_role, apply_action, collateral_amount, dispute_params, escrow_facts, expire_dispute,
    release_hold, resolve, set_paused, slash_collateral, transfer, transfer_from,
};

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

#[cfg(not(test))]
mod chain {
    use super::*;
    use ink::codegen::TraitCallBuilder;
    use market_types::governed::{Administered, MarketAdmin, RegistryAdmin, VaultArbiter};
    use market_types::psp22_calls::{self, CallError};
    use market_types::{EscrowState, VaultError};

    type Env = ink::env::DefaultEnvironment;
    type Vault = ink::contract_ref!(VaultArbiter, Env);
    type Admin = ink::contract_ref!(Administered, Env);
    type Registry = ink::contract_ref!(RegistryAdmin, Env);
    type Market = ink::contract_ref!(MarketAdmin, Env);

    type Raw<T, E> =
        core::result::Result<ink::MessageResult<core::result::Result<T, E>>, ink::env::Error>;

    fn vault_result<T>(r: Raw<T, VaultError>) -> Result<T, Error> {
        match r {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(Error::Vault(e)),
            _ => Err(Error::VaultCallFailed),
        }
    }

    fn target_result<T>(r: Raw<T, AdminError>) -> Result<T, Error> {
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

    fn vault(config: &Config) -> Vault {
        config.vault.into()
    }

    /// The registry or the market as an administered contract.
    fn admin(config: &Config, target: Target) -> Option<Admin> {
        match target {
            Target::Registry => Some(config.registry.into()),
            Target::Market => Some(config.market.into()),
            Target::Vault => None,
        }
    }

    pub fn transfer_from(
        token: AccountId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    ) -> Result<(), Error> {
        token_result(psp22_calls::transfer_from(token, from, to, amount))
    }

    pub fn transfer(token: AccountId, to: AccountId, amount: Balance) -> Result<(), Error> {
        token_result(psp22_calls::transfer(token, to, amount))
    }

    /// `Ok(None)`: the vault has no such escrow; `Err`: the read failed.
    pub fn escrow_facts(config: &Config, id: EscrowId) -> Result<Option<EscrowFacts>, Error> {
        let rec = match vault(config).call().escrow(id).try_invoke() {
            Ok(Ok(Some(rec))) => rec,
            Ok(Ok(None)) => return Ok(None),
            _ => return Err(Error::VaultCallFailed),
        };
        let disputed = rec.state == EscrowState::Disputed;
        let dispute = rec.dispute.filter(|d| disputed || d.collateral_held);
        Ok(Some(EscrowFacts {
            payer: rec.payer,
            payee: rec.payee,
            asset: rec.asset,
            collateral: rec.collateral,
            disputed,
            collateral_held: dispute.is_some_and(|d| d.collateral_held),
            ruling_deadline: dispute.map(|d| d.ruling_deadline).unwrap_or(0),
            frozen: dispute.map(|d| d.frozen).unwrap_or(0),
            opened_block: dispute.map(|d| d.opened_block).unwrap_or(0),
        }))
    }

    /// What a collateral still holds: `Ok(None)` when it is gone or released, `Err`
    /// when the read failed.
    pub fn collateral_amount(config: &Config, id: CollateralId) -> Result<Option<Balance>, Error> {
        match vault(config).call().collateral(id).try_invoke() {
            Ok(Ok(Some(c))) if !c.released => Ok(Some(c.amount)),
            Ok(Ok(_)) => Ok(None),
            _ => Err(Error::VaultCallFailed),
        }
    }

    /// `(bond_bps, ruling_window_ms)` of the vault's new disputes.
    pub fn dispute_params(config: &Config) -> Result<(market_types::Bps, u64), Error> {
        match vault(config).call().dispute_params().try_invoke() {
            Ok(Ok(params)) => Ok(params),
            _ => Err(Error::VaultCallFailed),
        }
    }

    pub fn release_hold(config: &Config, id: EscrowId) -> Result<(), Error> {
        vault_result(vault(config).call_mut().release_hold(id).try_invoke())
    }

    pub fn resolve(
        config: &Config,
        id: EscrowId,
        payee_bps: market_types::Bps,
    ) -> Result<(), Error> {
        vault_result(vault(config).call_mut().resolve(id, payee_bps).try_invoke())
    }

    pub fn slash_collateral(
        config: &Config,
        id: CollateralId,
        receivers: Vec<(AccountId, Balance)>,
    ) -> Result<(), Error> {
        vault_result(
            vault(config)
                .call_mut()
                .slash_collateral(id, receivers)
                .try_invoke(),
        )
    }

    pub fn expire_dispute(config: &Config, id: EscrowId) -> Result<(), Error> {
        vault_result(vault(config).call_mut().expire_dispute(id).try_invoke())
    }

    pub fn set_paused(config: &Config, target: Target, paused: bool) -> Result<(), Error> {
        let mut a = admin(config, target).ok_or(Error::InvalidParams)?;
        target_result(a.call_mut().set_paused(paused).try_invoke())
    }

    pub fn accept_role(config: &Config, target: Target) -> Result<(), Error> {
        match admin(config, target) {
            Some(mut a) => target_result(a.call_mut().accept_admin().try_invoke()),
            None => vault_result(vault(config).call_mut().accept_arbiter().try_invoke()),
        }
    }

    /// Executes an action that lives in another contract. The DAO's own actions
    /// (jury, governance, guardian) are applied by the contract itself.
    pub fn apply_action(config: &Config, action: &Action) -> Result<(), Error> {
        let mut v = vault(config);
        let mut r: Registry = config.registry.into();
        let mut m: Market = config.market.into();
        match *action {
            Action::SetFee { fee_bps } => {
                vault_result(v.call_mut().set_fee_bps(fee_bps).try_invoke())
            }
            Action::SetTreasury { treasury } => {
                vault_result(v.call_mut().set_treasury(treasury).try_invoke())
            }
            Action::SetDisputeParams {
                bond_bps,
                ruling_window_ms,
            } => vault_result(
                v.call_mut()
                    .set_dispute_params(bond_bps, ruling_window_ms)
                    .try_invoke(),
            ),
            Action::SetMinDeposit { asset, amount } => {
                vault_result(v.call_mut().set_min_deposit(asset, amount).try_invoke())
            }
            Action::SetController {
                controller,
                allowed,
            } => vault_result(
                v.call_mut()
                    .set_controller(controller, allowed)
                    .try_invoke(),
            ),
            Action::SetAssetAllowed {
                target,
                token,
                allowed,
            } => match admin(config, target) {
                Some(mut a) => {
                    target_result(a.call_mut().set_asset_allowed(token, allowed).try_invoke())
                }
                None => vault_result(v.call_mut().set_asset_allowed(token, allowed).try_invoke()),
            },
            Action::SetAuditor { auditor, allowed } => {
                target_result(r.call_mut().set_auditor(auditor, allowed).try_invoke())
            }
            Action::SetPurchasePeriods {
                delivery_period_ms,
                review_window_ms,
            } => target_result(
                r.call_mut()
                    .set_purchase_periods(delivery_period_ms, review_window_ms)
                    .try_invoke(),
            ),
            Action::SetMaxRoyalty { max_royalty_bps } => target_result(
                r.call_mut()
                    .set_max_royalty_bps(max_royalty_bps)
                    .try_invoke(),
            ),
            Action::SetMarketRatios {
                collateral_ratio_bps,
                no_show_bps,
            } => target_result(
                m.call_mut()
                    .set_ratios(collateral_ratio_bps, no_show_bps)
                    .try_invoke(),
            ),
            Action::SetMaxStartWindow {
                max_start_window_ms,
            } => target_result(
                m.call_mut()
                    .set_max_start_window(max_start_window_ms)
                    .try_invoke(),
            ),
            Action::SetPaused { target, paused } => set_paused(config, target, paused),
            Action::SetVault {
                target,
                vault: new_vault,
            } => {
                let mut a = admin(config, target).ok_or(Error::InvalidParams)?;
                target_result(a.call_mut().set_vault(new_vault).try_invoke())
            }
            Action::SetAuditors { auditors } => {
                target_result(m.call_mut().set_auditors(auditors).try_invoke())
            }
            Action::SetRentalRules { min_charge_hours } => {
                target_result(m.call_mut().set_rental_rules(min_charge_hours).try_invoke())
            }
            Action::SetMinCountedValue { asset, value } => target_result(
                m.call_mut()
                    .set_min_counted_value(asset, value)
                    .try_invoke(),
            ),
            Action::HandOver { target, successor } => match admin(config, target) {
                Some(mut a) => target_result(a.call_mut().propose_admin(successor).try_invoke()),
                None => vault_result(v.call_mut().propose_arbiter(successor).try_invoke()),
            },
            Action::SetJuryParams { .. }
            | Action::SetGovParams { .. }
            | Action::SetGuardian { .. } => Err(Error::InvalidParams),
        }
    }
}

#[cfg(test)]
pub mod chain {
    //! The stand-in chain: one PSP22 ledger (balances only; a transfer beyond a
    //! balance is refused as the token would), vault escrows and collateral that the
    //! tests set up, and a log of every call into the vault and the governed contracts.
    use super::*;
    use core::cell::RefCell;
    use market_types::{TokenError, VaultError};
    use std::collections::HashMap;

    /// A call the DAO made into the vault or a governed contract.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Call {
        Resolve(EscrowId, market_types::Bps),
        Slash(CollateralId, Vec<(AccountId, Balance)>),
        Expire(EscrowId),
        ReleaseHold(EscrowId),
        Paused(Target, bool),
        Accept(Target),
        Action(Action),
    }

    #[derive(Default)]
    pub struct Mock {
        pub balances: HashMap<AccountId, Balance>,
        pub escrows: HashMap<EscrowId, EscrowFacts>,
        pub collaterals: HashMap<CollateralId, Balance>,
        pub calls: Vec<Call>,
        /// The governed contracts refuse every call.
        pub refuse: bool,
        /// The token call fails at the environment layer.
        pub token_fails: bool,
        /// The vault refuses every call as if the DAO were not its arbiter.
        pub vault_refuses: bool,
        /// Every read at the vault fails (trap, undecodable answer).
        pub vault_unreadable: bool,
        /// The vault's `(bond_bps, ruling_window_ms)` of new disputes.
        pub dispute_params: (market_types::Bps, u64),
    }

    thread_local! {
        pub static MOCK: RefCell<Mock> = RefCell::new(Mock::default());
    }

    pub fn with<T>(f: impl FnOnce(&mut Mock) -> T) -> T {
        MOCK.with(|m| f(&mut m.borrow_mut()))
    }

    /// The vault's refusal of a caller that is not its arbiter: the shared admin
    /// component's `NotAdmin`, in the vault's words (`NotArbiter`).
    fn not_arbiter() -> Error {
        Error::Vault(VaultError::from(AdminError::NotAdmin))
    }

    /// An escrow the DAO acts on as the vault's arbiter: refused as the vault would
    /// when the DAO is not its arbiter (`vault_refuses`) or the escrow does not exist.
    fn arbiter_escrow(m: &mut Mock, id: EscrowId) -> Result<&mut EscrowFacts, Error> {
        if m.vault_refuses {
            return Err(not_arbiter());
        }
        m.escrows
            .get_mut(&id)
            .ok_or(Error::Vault(VaultError::EscrowNotFound))
    }

    pub fn reset() {
        with(|m| *m = Mock::default());
    }

    fn move_tokens(from: AccountId, to: AccountId, amount: Balance) -> Result<(), Error> {
        with(|m| {
            if m.token_fails {
                return Err(Error::TokenCallFailed);
            }
            let have = m.balances.get(&from).copied().unwrap_or(0);
            let left = have
                .checked_sub(amount)
                .ok_or(Error::Token(TokenError::InsufficientBalance))?;
            m.balances.insert(from, left);
            let to_have = m.balances.get(&to).copied().unwrap_or(0);
            m.balances
                .insert(to, to_have.checked_add(amount).ok_or(Error::Overflow)?);
            Ok(())
        })
    }

    pub fn transfer_from(
        _token: AccountId,
        from: AccountId,
        to: AccountId,
        amount: Balance,
    ) -> Result<(), Error> {
        move_tokens(from, to, amount)
    }

    pub fn transfer(_token: AccountId, to: AccountId, amount: Balance) -> Result<(), Error> {
        move_tokens(
            ink::env::account_id::<ink::env::DefaultEnvironment>(),
            to,
            amount,
        )
    }

    pub fn escrow_facts(_config: &Config, id: EscrowId) -> Result<Option<EscrowFacts>, Error> {
        with(|m| {
            if m.vault_unreadable {
                return Err(Error::VaultCallFailed);
            }
            Ok(m.escrows.get(&id).copied())
        })
    }

    pub fn collateral_amount(_config: &Config, id: CollateralId) -> Result<Option<Balance>, Error> {
        with(|m| {
            if m.vault_unreadable {
                return Err(Error::VaultCallFailed);
            }
            Ok(m.collaterals.get(&id).copied())
        })
    }

    pub fn dispute_params(_config: &Config) -> Result<(market_types::Bps, u64), Error> {
        with(|m| {
            if m.vault_unreadable {
                return Err(Error::VaultCallFailed);
            }
            Ok(m.dispute_params)
        })
    }

    /// The arbiter ends the hold of a collateral whose escrow its payee refunded while
    /// disputed (the vault refuses `NoCollateralHold` when there is none).
    pub fn release_hold(_config: &Config, id: EscrowId) -> Result<(), Error> {
        with(|m| {
            let e = arbiter_escrow(m, id)?;
            if !e.collateral_held {
                return Err(Error::Vault(VaultError::NoCollateralHold));
            }
            e.collateral_held = false;
            m.calls.push(Call::ReleaseHold(id));
            Ok(())
        })
    }

    /// Test driver, not a DAO call: the payee refunds a disputed escrow at the vault.
    /// Everything frozen goes back to the payer; the escrow leaves its dispute and, if
    /// it has collateral, the vault keeps it locked for the dispute's ruling.
    pub fn payee_refunds(id: EscrowId) {
        with(|m| {
            let e = m.escrows.get_mut(&id).expect("no such escrow");
            assert!(
                e.disputed,
                "only a disputed escrow is refunded during a case"
            );
            e.disputed = false;
            e.collateral_held = e.collateral.is_some();
        })
    }

    /// Test driver, not a DAO call: the collateral's owner takes it back, which the
    /// vault allows only when no escrow is open, disputed or held on it.
    pub fn owner_releases_collateral(id: CollateralId) -> Result<Balance, VaultError> {
        with(|m| {
            let in_use = m
                .escrows
                .values()
                .any(|e| e.collateral == Some(id) && (e.disputed || e.collateral_held));
            if in_use {
                return Err(VaultError::CollateralInUse);
            }
            m.collaterals
                .remove(&id)
                .ok_or(VaultError::CollateralNotFound)
        })
    }

    pub fn resolve(_config: &Config, id: EscrowId, bps: market_types::Bps) -> Result<(), Error> {
        with(|m| {
            let e = arbiter_escrow(m, id)?;
            if !e.disputed {
                return Err(Error::Vault(VaultError::EscrowNotDisputed));
            }
            e.disputed = false;
            m.calls.push(Call::Resolve(id, bps));
            Ok(())
        })
    }

    pub fn slash_collateral(
        _config: &Config,
        id: CollateralId,
        receivers: Vec<(AccountId, Balance)>,
    ) -> Result<(), Error> {
        with(|m| {
            if m.vault_refuses {
                return Err(not_arbiter());
            }
            let total: Balance = receivers.iter().map(|r| r.1).sum();
            let c = m
                .collaterals
                .get_mut(&id)
                .ok_or(Error::Vault(VaultError::CollateralNotFound))?;
            *c = c
                .checked_sub(total)
                .ok_or(Error::Vault(VaultError::SlashExceedsCollateral))?;
            m.calls.push(Call::Slash(id, receivers));
            Ok(())
        })
    }

    pub fn expire_dispute(_config: &Config, id: EscrowId) -> Result<(), Error> {
        let now = ink::env::block_timestamp::<ink::env::DefaultEnvironment>();
        with(|m| {
            let e = m
                .escrows
                .get_mut(&id)
                .ok_or(Error::Vault(VaultError::EscrowNotFound))?;
            if !e.disputed {
                return Err(Error::Vault(VaultError::EscrowNotDisputed));
            }
            if now < e.ruling_deadline {
                return Err(Error::Vault(VaultError::RulingWindowOpen));
            }
            e.disputed = false;
            m.calls.push(Call::Expire(id));
            Ok(())
        })
    }

    /// A call into the registry or the market: refused (`refuse`) as a governed
    /// contract refuses a caller that is not its admin.
    fn governed(call: Call) -> Result<(), Error> {
        with(|m| {
            if m.refuse {
                return Err(target_refused(AdminError::NotAdmin));
            }
            m.calls.push(call);
            Ok(())
        })
    }

    pub fn set_paused(_config: &Config, target: Target, paused: bool) -> Result<(), Error> {
        if target == Target::Vault {
            return Err(Error::InvalidParams);
        }
        governed(Call::Paused(target, paused))
    }

    pub fn accept_role(_config: &Config, target: Target) -> Result<(), Error> {
        governed(Call::Accept(target))
    }

    pub fn apply_action(_config: &Config, action: &Action) -> Result<(), Error> {
        if matches!(
            action,
            Action::SetJuryParams { .. }
                | Action::SetGovParams { .. }
                | Action::SetGuardian { .. }
                | Action::SetVault {
                    target: Target::Vault,
                    ..
                }
        ) {
            return Err(Error::InvalidParams);
        }
        governed(Call::Action(*action))
    }
}
