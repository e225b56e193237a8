//! The vault as its arbiter (the DAO) calls it: `VaultArbiter`'s reads, rulings,
//! fallbacks, slashes and holds, and the governed setters, each logged in
//! [`crate::testing::targets`] when accepted.

use super::*;

/// `VaultArbiter::escrow`.
pub fn escrow(vault: AccountId, id: EscrowId) -> Answer<Option<EscrowRecord>> {
    read(vault, |v| v.escrows.get(&id).map(|e| e.record.clone()))
}

/// `VaultArbiter::collateral`.
pub fn collateral(vault: AccountId, id: CollateralId) -> Answer<Option<Collateral>> {
    read(vault, |v| v.collaterals.get(&id).copied())
}

/// `VaultArbiter::dispute_params`.
pub fn dispute_params(vault: AccountId) -> Answer<(Bps, u64)> {
    read(vault, |v| v.dispute_params)
}

/// A disputed escrow's dispute, or `EscrowNotDisputed`.
fn disputed(e: &Escrow) -> Result<Dispute, VaultError> {
    match e.record.dispute {
        Some(d) if e.record.state == EscrowState::Disputed => Ok(d),
        _ => Err(VaultError::EscrowNotDisputed),
    }
}

/// `VaultArbiter::resolve`: `payee_bps` of what a disputed escrow holds to the payee.
pub fn resolve(vault: AccountId, id: EscrowId, payee_bps: Bps) -> Answer<Result<(), VaultError>> {
    arbiter(vault, GovernedCall::Resolve(id, payee_bps), |v| {
        if payee_bps > BPS_DENOMINATOR {
            return Err(VaultError::InvalidShares);
        }
        let e = v.escrow(id)?;
        disputed(&e)?;
        let to_payee = pro_rata(e.held(), payee_bps.into(), BPS_DENOMINATOR.into())
            .ok_or(VaultError::Overflow)?;
        v.settle(id, to_payee, SettleReason::Resolved);
        Ok(())
    })
}

/// `VaultArbiter::expire_dispute` (anyone, once the ruling deadline has passed): a
/// stream pays what accrued until its freeze, an order goes back to its payer unless
/// it was delivered.
pub fn expire_dispute(vault: AccountId, id: EscrowId) -> Answer<Result<(), VaultError>> {
    write(vault, |v| {
        let e = v.escrow(id)?;
        let d = disputed(&e)?;
        if now() < d.ruling_deadline {
            return Err(VaultError::RulingWindowOpen);
        }
        let to_payee = match e.record.terms {
            EscrowTerms::Stream { .. } => {
                let s = e.stream();
                accrued(&s, s.frozen_at.unwrap_or(now())).saturating_sub(s.paid_out)
            }
            EscrowTerms::Order { delivered_at, .. } => {
                if delivered_at.is_some() || d.delivered_during {
                    e.held()
                } else {
                    0
                }
            }
        };
        v.settle(id, to_payee, SettleReason::DisputeExpired);
        targets::log(vault, GovernedCall::ExpireDispute(id));
        Ok(())
    })
}

/// `VaultArbiter::slash_collateral`: collateral to named receivers (as credits).
pub fn slash_collateral(
    vault: AccountId,
    id: CollateralId,
    receivers: Vec<(AccountId, Balance)>,
) -> Answer<Result<(), VaultError>> {
    let call = GovernedCall::SlashCollateral(id, receivers.clone());
    arbiter(vault, call, |v| {
        let total = receivers
            .iter()
            .try_fold(0, |sum: Balance, r| sum.checked_add(r.1))
            .ok_or(VaultError::Overflow)?;
        let l = v.live_lock(id)?;
        l.amount = l
            .amount
            .checked_sub(total)
            .ok_or(VaultError::SlashExceedsCollateral)?;
        let asset = l.asset;
        for (to, amount) in receivers {
            v.add_credit(asset, to, amount);
        }
        Ok(())
    })
}

/// `VaultArbiter::release_hold`: ends the collateral hold of an escrow its payee
/// refunded while disputed; the arbiter, or anyone after the ruling deadline.
pub fn release_hold(vault: AccountId, id: EscrowId) -> Answer<Result<(), VaultError>> {
    write(vault, |v| {
        let e = v.escrow(id)?;
        let d = match e.record.dispute {
            Some(d) if d.collateral_held => d,
            _ => return Err(VaultError::NoCollateralHold),
        };
        if v.refusing && now() < d.ruling_deadline {
            return Err(VaultError::NotArbiter);
        }
        if let Some(l) = e
            .record
            .collateral
            .and_then(|cid| v.collaterals.get_mut(&cid))
        {
            l.open = l.open.saturating_sub(1);
        }
        if let Some(d) = v.escrow_mut(id)?.record.dispute.as_mut() {
            d.collateral_held = false;
        }
        targets::log(vault, GovernedCall::ReleaseHold(id));
        Ok(())
    })
}

/// `VaultArbiter::set_fee_bps`.
pub fn set_fee_bps(vault: AccountId, fee_bps: Bps) -> Answer<Result<(), VaultError>> {
    arbiter(vault, GovernedCall::SetFeeBps(fee_bps), |_| Ok(()))
}

/// `VaultArbiter::set_treasury`.
pub fn set_treasury(vault: AccountId, treasury: AccountId) -> Answer<Result<(), VaultError>> {
    arbiter(vault, GovernedCall::SetTreasury(treasury), |_| Ok(()))
}

/// `VaultArbiter::set_dispute_params`: new disputes take them.
pub fn set_dispute_params(
    vault: AccountId,
    bond_bps: Bps,
    ruling_window_ms: u64,
) -> Answer<Result<(), VaultError>> {
    let call = GovernedCall::SetDisputeParams(bond_bps, ruling_window_ms);
    arbiter(vault, call, |v| {
        v.dispute_params = (bond_bps, ruling_window_ms);
        Ok(())
    })
}

/// `VaultArbiter::set_min_deposit`.
pub fn set_min_deposit(
    vault: AccountId,
    asset: Asset,
    amount: Balance,
) -> Answer<Result<(), VaultError>> {
    arbiter(
        vault,
        GovernedCall::SetMinDeposit(asset, amount),
        |_| Ok(()),
    )
}

/// `VaultArbiter::set_controller`.
pub fn set_controller(
    vault: AccountId,
    controller: AccountId,
    allowed: bool,
) -> Answer<Result<(), VaultError>> {
    let call = GovernedCall::SetController(controller, allowed);
    arbiter(vault, call, |_| Ok(()))
}

/// `VaultArbiter::set_asset_allowed`.
pub fn set_asset_allowed(
    vault: AccountId,
    token: AccountId,
    allowed: bool,
) -> Answer<Result<(), VaultError>> {
    let call = GovernedCall::SetAssetAllowed(token, allowed);
    arbiter(vault, call, |_| Ok(()))
}

/// `VaultArbiter::propose_arbiter`.
pub fn propose_arbiter(
    vault: AccountId,
    candidate: Option<AccountId>,
) -> Answer<Result<(), VaultError>> {
    arbiter(vault, GovernedCall::ProposeAdmin(candidate), |_| Ok(()))
}

/// `VaultArbiter::accept_arbiter`: refused (`NotPendingArbiter`) while the vault is
/// refusing.
pub fn accept_arbiter(vault: AccountId) -> Answer<Result<(), VaultError>> {
    write(vault, |v| {
        if v.refusing {
            return Err(VaultError::NotPendingArbiter);
        }
        targets::log(vault, GovernedCall::AcceptAdmin);
        Ok(())
    })
}
