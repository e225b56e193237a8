//! Test drivers: what the vault's other parties do directly at the vault (a payee's
//! claim or refund, a payer's dispute, an owner taking its collateral back), and a
//! settlement as a test needs it. They panic on a misuse, as a broken test should.

use super::*;

/// Test driver: the payee claims everything accrued on a running stream; a stream
/// past its end settles (`StreamCompleted`).
///
/// # Panics
/// If the escrow is not a running stream.
pub fn claim(vault: AccountId, id: EscrowId) {
    with(vault, |v| {
        let e = v.escrows.get(&id).cloned().expect("no such escrow");
        assert_eq!(
            e.record.state,
            EscrowState::Streaming,
            "claim needs a running stream"
        );
        let mut s = e.stream();
        let due = accrued(&s, now()).saturating_sub(s.paid_out);
        if end_of(&s).is_some_and(|end| now() >= end) {
            v.settle(id, due, SettleReason::StreamCompleted);
        } else {
            v.add_credit(e.record.asset, e.record.payee, due);
            s.paid_out = s.paid_out.saturating_add(due);
            if let Some(e) = v.escrows.get_mut(&id) {
                e.set_stream(s);
            }
        }
    });
}

/// Test driver: the payer disputes an open order or a running stream (accrual stops);
/// the dispute's ruling deadline is the vault's ruling window from now.
///
/// # Panics
/// If the escrow is neither.
pub fn dispute(vault: AccountId, id: EscrowId) {
    with(vault, |v| {
        let ruling_window = v.dispute_params.1;
        let e = v.escrows.get_mut(&id).expect("no such escrow");
        assert!(
            matches!(
                e.record.state,
                EscrowState::Funded | EscrowState::Delivered | EscrowState::Streaming
            ),
            "only an open order or a running stream"
        );
        if e.is_stream() {
            let mut s = e.stream();
            s.frozen_at = Some(now());
            e.set_stream(s);
        }
        e.record.dispute = Some(Dispute {
            by: e.record.payer,
            bond: 0,
            opened_at: now(),
            ruling_deadline: now().saturating_add(ruling_window),
            delivered_during: false,
            frozen: e.held(),
            opened_block: ink::env::block_number::<Env>(),
            collateral_held: false,
        });
        e.record.state = EscrowState::Disputed;
    });
}

/// Test driver: the escrow settles as `reason` says, `payee_share_bps` of what it
/// holds to the payee (e.g. a refund after the delivery deadline, an auto-release).
pub fn settle(vault: AccountId, id: EscrowId, reason: SettleReason, payee_share_bps: Bps) {
    with(vault, |v| {
        let held = v.escrows.get(&id).map_or(0, Escrow::held);
        let to_payee =
            pro_rata(held, payee_share_bps.into(), BPS_DENOMINATOR.into()).unwrap_or(held);
        v.settle(id, to_payee, reason);
    });
}

/// Test driver: the payee refunds an open escrow, as the vault does: a running
/// stream's accrued part to the payee (nothing of a disputed one: everything frozen
/// goes back), the rest back, and a stream's no-show penalty out of its collateral to
/// the payer. A disputed escrow's collateral stays in use (held, counted in `open`)
/// until `release_hold`. Returns the penalty paid.
///
/// # Panics
/// If the escrow is settled.
pub fn payee_refund(vault: AccountId, id: EscrowId) -> Balance {
    with(vault, |v| {
        let e = v.escrows.get(&id).cloned().expect("no such escrow");
        assert_ne!(e.record.state, EscrowState::Settled, "an open escrow");
        let held = e.record.state == EscrowState::Disputed && e.record.collateral.is_some();
        let due = if e.record.state == EscrowState::Streaming {
            let s = e.stream();
            accrued(&s, now()).saturating_sub(s.paid_out)
        } else {
            0
        };
        let penalty = if e.is_stream() {
            e.stream().no_show_penalty
        } else {
            0
        };
        let paid = v.pay_penalty(&e, penalty);
        v.settle(id, due, SettleReason::RefundedByPayee);
        v.record_penalty(id, paid);
        if held {
            if let Some(l) = e
                .record
                .collateral
                .and_then(|cid| v.collaterals.get_mut(&cid))
            {
                l.open = l.open.saturating_add(1);
            }
            if let Some(d) = v
                .escrows
                .get_mut(&id)
                .and_then(|e| e.record.dispute.as_mut())
            {
                d.collateral_held = true;
            }
        }
        paid
    })
}

/// Test driver: the owner takes its collateral back itself, which the vault allows
/// after its unlock time when no escrow is open or held on it. Returns the amount.
pub fn owner_releases(vault: AccountId, id: CollateralId) -> Result<Balance, VaultError> {
    with(vault, |v| {
        let l = *v.live_lock(id)?;
        if l.open > 0 {
            return Err(VaultError::CollateralInUse);
        }
        if now() < l.unlock_after {
            return Err(VaultError::CollateralStillLocked);
        }
        v.add_credit(l.asset, l.owner, l.amount);
        let lock = v.live_lock(id)?;
        lock.amount = 0;
        lock.released = true;
        Ok(l.amount)
    })
}
