//! Stand-ins for the rest of what a contract calls: the governed contracts' admin side
//! (the registry and the market, as the DAO administers them), the registry's auditor
//! list (as the market reads it), and the log of every governed call a stand-in
//! accepted, the vault's arbiter calls included, in order.
//!
//! As in [`super::vault`], each call has the name and arguments of the message
//! ([`crate::governed::Administered`], [`crate::governed::RegistryAdmin`],
//! [`crate::governed::MarketAdmin`], [`crate::Auditors`]), the callee's address first,
//! and answers the raw result of a cross-contract call. A target accepts every admin
//! call and logs it, unless [`set_refusing`] makes it refuse as a contract refuses a
//! caller that is not its admin. `set_auditor` on a registry changes the auditor list
//! `is_auditor` reads there.

use crate::{AdminError, Answer, Asset, Balance, Bps, CollateralId, EscrowId};
use ink::primitives::AccountId;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// A governed message a stand-in accepted, with its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GovernedCall {
    // The vault, called by its arbiter.
    Resolve(EscrowId, Bps),
    ExpireDispute(EscrowId),
    SlashCollateral(CollateralId, Vec<(AccountId, Balance)>),
    ReleaseHold(EscrowId),
    SetFeeBps(Bps),
    SetTreasury(AccountId),
    SetDisputeParams(Bps, u64),
    SetMinDeposit(Asset, Balance),
    SetController(AccountId, bool),
    // The vault (its PSP22 allow-list) and `Administered`.
    SetAssetAllowed(AccountId, bool),
    /// `propose_arbiter` at the vault, `propose_admin` elsewhere.
    ProposeAdmin(Option<AccountId>),
    /// `accept_arbiter` at the vault, `accept_admin` elsewhere.
    AcceptAdmin,
    SetPaused(bool),
    SetVault(AccountId),
    // `RegistryAdmin`.
    SetAuditor(AccountId, bool),
    SetPurchasePeriods(u64, u64),
    SetMaxRoyaltyBps(Bps),
    // `MarketAdmin`.
    SetRatios(Bps, Bps),
    SetMaxStartWindow(u64),
    SetAuditors(AccountId),
    SetRentalRules(u32),
    SetMinCountedValue(Asset, Balance),
}

#[derive(Default)]
struct Targets {
    /// Every governed call accepted so far, with its callee, in order.
    log: Vec<(AccountId, GovernedCall)>,
    /// Targets that refuse every admin call.
    refusing: BTreeSet<AccountId>,
    /// `(registry, account)` on that registry's auditor list.
    auditors: BTreeSet<(AccountId, AccountId)>,
    /// Calls made into each target so far, accepted or not.
    calls: BTreeMap<AccountId, u32>,
}

thread_local! {
    static TARGETS: RefCell<Targets> = RefCell::new(Targets::default());
}

fn with<R>(f: impl FnOnce(&mut Targets) -> R) -> R {
    TARGETS.with(|t| f(&mut t.borrow_mut()))
}

/// Forgets every target and empties the log.
pub fn reset() {
    with(|t| *t = Targets::default());
}

/// Every governed call accepted so far, with its callee, in order.
pub fn logged() -> Vec<(AccountId, GovernedCall)> {
    with(|t| t.log.clone())
}

/// Records a governed call `callee` accepted (the vault stand-in logs its own here).
pub(crate) fn log(callee: AccountId, call: GovernedCall) {
    with(|t| t.log.push((callee, call)));
}

/// Makes `target` refuse (or accept again) every admin call.
pub fn set_refusing(target: AccountId, refusing: bool) {
    with(|t| {
        if refusing {
            t.refusing.insert(target);
        } else {
            t.refusing.remove(&target);
        }
    });
}

/// Calls made into `target` so far, accepted or not.
pub fn calls(target: AccountId) -> u32 {
    with(|t| t.calls.get(&target).copied().unwrap_or(0))
}

/// Puts `account` on `registry`'s auditor list, or takes it off.
pub fn set_auditor_listed(registry: AccountId, account: AccountId, listed: bool) {
    with(|t| {
        if listed {
            t.auditors.insert((registry, account));
        } else {
            t.auditors.remove(&(registry, account));
        }
    });
}

/// An admin call into `target`: counted, refused while it is refusing
/// (`refusal`), otherwise applied and logged.
fn admin(
    target: AccountId,
    call: GovernedCall,
    refusal: AdminError,
) -> Answer<Result<(), AdminError>> {
    with(|t| {
        let n = t.calls.entry(target).or_default();
        *n = n.saturating_add(1);
        if t.refusing.contains(&target) {
            return Ok(Ok(Err(refusal)));
        }
        if let GovernedCall::SetAuditor(account, allowed) = call {
            if allowed {
                t.auditors.insert((target, account));
            } else {
                t.auditors.remove(&(target, account));
            }
        }
        t.log.push((target, call));
        Ok(Ok(Ok(())))
    })
}

fn set(target: AccountId, call: GovernedCall) -> Answer<Result<(), AdminError>> {
    admin(target, call, AdminError::NotAdmin)
}

// ------------------------------------------------------------ Auditors

/// `Auditors::is_auditor` at `registry`.
pub fn is_auditor(registry: AccountId, account: AccountId) -> Answer<bool> {
    with(|t| {
        let n = t.calls.entry(registry).or_default();
        *n = n.saturating_add(1);
        Ok(Ok(t.auditors.contains(&(registry, account))))
    })
}

// ------------------------------------------------------------ Administered

/// `Administered::set_asset_allowed`.
pub fn set_asset_allowed(
    target: AccountId,
    token: AccountId,
    allowed: bool,
) -> Answer<Result<(), AdminError>> {
    set(target, GovernedCall::SetAssetAllowed(token, allowed))
}

/// `Administered::propose_admin`.
pub fn propose_admin(
    target: AccountId,
    new_admin: Option<AccountId>,
) -> Answer<Result<(), AdminError>> {
    set(target, GovernedCall::ProposeAdmin(new_admin))
}

/// `Administered::accept_admin` (refused `NotPendingAdmin` while refusing).
pub fn accept_admin(target: AccountId) -> Answer<Result<(), AdminError>> {
    admin(
        target,
        GovernedCall::AcceptAdmin,
        AdminError::NotPendingAdmin,
    )
}

/// `Administered::set_paused`.
pub fn set_paused(target: AccountId, paused: bool) -> Answer<Result<(), AdminError>> {
    set(target, GovernedCall::SetPaused(paused))
}

/// `Administered::set_vault`.
pub fn set_vault(target: AccountId, vault: AccountId) -> Answer<Result<(), AdminError>> {
    set(target, GovernedCall::SetVault(vault))
}

// ------------------------------------------------------------ RegistryAdmin

/// `RegistryAdmin::set_auditor`: also changes the list `is_auditor` reads.
pub fn set_auditor(
    registry: AccountId,
    auditor: AccountId,
    allowed: bool,
) -> Answer<Result<(), AdminError>> {
    set(registry, GovernedCall::SetAuditor(auditor, allowed))
}

/// `RegistryAdmin::set_purchase_periods`.
pub fn set_purchase_periods(
    registry: AccountId,
    delivery_period_ms: u64,
    review_window_ms: u64,
) -> Answer<Result<(), AdminError>> {
    let call = GovernedCall::SetPurchasePeriods(delivery_period_ms, review_window_ms);
    set(registry, call)
}

/// `RegistryAdmin::set_max_royalty_bps`.
pub fn set_max_royalty_bps(
    registry: AccountId,
    max_royalty_bps: Bps,
) -> Answer<Result<(), AdminError>> {
    set(registry, GovernedCall::SetMaxRoyaltyBps(max_royalty_bps))
}

// ------------------------------------------------------------ MarketAdmin

/// `MarketAdmin::set_ratios`.
pub fn set_ratios(
    market: AccountId,
    collateral_ratio_bps: Bps,
    no_show_bps: Bps,
) -> Answer<Result<(), AdminError>> {
    set(
        market,
        GovernedCall::SetRatios(collateral_ratio_bps, no_show_bps),
    )
}

/// `MarketAdmin::set_max_start_window`.
pub fn set_max_start_window(
    market: AccountId,
    max_start_window_ms: u64,
) -> Answer<Result<(), AdminError>> {
    set(market, GovernedCall::SetMaxStartWindow(max_start_window_ms))
}

/// `MarketAdmin::set_auditors`.
pub fn set_auditors(market: AccountId, auditors: AccountId) -> Answer<Result<(), AdminError>> {
    set(market, GovernedCall::SetAuditors(auditors))
}

/// `MarketAdmin::set_rental_rules`.
pub fn set_rental_rules(
    market: AccountId,
    min_charge_hours: u32,
) -> Answer<Result<(), AdminError>> {
    set(market, GovernedCall::SetRentalRules(min_charge_hours))
}

/// `MarketAdmin::set_min_counted_value`.
pub fn set_min_counted_value(
    market: AccountId,
    asset: Asset,
    value: Balance,
) -> Answer<Result<(), AdminError>> {
    set(market, GovernedCall::SetMinCountedValue(asset, value))
}
