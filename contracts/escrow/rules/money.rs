//! The vault's pure rules: parameter checks, stream accrual, what an escrow holds and
//! what a dispute would freeze, a settlement's share, where a dispute bond goes, and an
//! escrow's next deadline. No storage and no environment, so unit and property tests
//! call them directly.
//!
//! **Streams.** The payee side earns `deposit × elapsed / duration_ms`, rounded down,
//! and the whole deposit at the end ([`accrued`], through `market_types::math::pro_rata`,
//! no wide multiply): exact for any price, however far below one unit per millisecond
//! (a 6-decimal token at 0.50 per hour is 500 000 units over 3 600 000 ms). A stream
//! opened without a start **waits** (nothing accrues) until `start_stream`, by its payee
//! or, while allow-listed, the controller that opened it, at the latest at its
//! `start_by`; after that anyone may `cancel_unstarted` it: the payer gets everything
//! back plus the stream's no-show penalty out of its collateral (see `collateral.rs`).
//! `top_up` extends a running or waiting stream at the same price per millisecond: it
//! costs exactly `deposit × extra_ms / duration_ms`, and is refused with `InexactTopUp`
//! when that is not a whole number of units. A stream may carry a `min_payout` (at most
//! its amount, else `InvalidMinPayout`): when its payer stops it, also while it waits,
//! the payee side gets at least that much in all, claims included ([`stop_payout`]), so
//! a booking withdrawn or ended at once still pays for the time it held the payee's
//! machines. A payee's refund, a no-show cancellation, a ruling and a dispute's fallback
//! ignore it: a payee that never delivered must not take a short rental whole, with the
//! payer's bond, because nobody ruled.
//!
//! **Bonds.** A dispute's bond is `bond_bps` (at most 100 %) of what it freezes, rounded
//! up. After a ruling or the fallback it goes back to the disputer if the disputer's side
//! got at least half ([`bond_returns`]), and always if the payee refunds the escrow
//! during the dispute. Otherwise it is forfeited ([`bond_forfeited_to`]): after a ruling
//! to the treasury, after the fallback to the counterparty whose money the dispute
//! froze (paid for the wait: the platform never gains from a hearing that did not
//! happen). The platform fee is at most [`MAX_FEE_BPS`] (10 %).

use crate::escrow::MAX_FEE_BPS;
use crate::types::{Dispute, EscrowRecord, EscrowTerms, OpenEscrow, Role};
use ink::primitives::AccountId;
use market_types::math::pro_rata;
use market_types::{
    ensure, Balance, Bps, EscrowId, EscrowState, SettleReason, Timestamp, VaultError,
    BPS_DENOMINATOR, MAX_PERIOD_MS,
};

type Result<T> = core::result::Result<T, VaultError>;

/// The platform fee may not exceed [`MAX_FEE_BPS`].
pub(crate) fn check_fee(fee_bps: Bps) -> Result<()> {
    ensure!(fee_bps <= MAX_FEE_BPS, VaultError::FeeTooHigh);
    Ok(())
}

/// A bond of at most 100 %, and a ruling window of 1 ms up to `MAX_PERIOD_MS`.
pub(crate) fn check_dispute_params(bond_bps: Bps, ruling_window_ms: u64) -> Result<()> {
    ensure!(bond_bps <= BPS_DENOMINATOR, VaultError::InvalidShares);
    ensure!(ruling_window_ms > 0, VaultError::InvalidPeriod);
    ensure!(ruling_window_ms <= MAX_PERIOD_MS, VaultError::PeriodTooLong);
    Ok(())
}

/// Whether a settled dispute's bond goes back to the disputer (else, see
/// [`bond_forfeited_to`]). A ruling or the fallback: when the disputer's side got at
/// least half of what the escrow held (so a payer who freezes an order the payee
/// delivers anyway, or a party who disputes only to delay a payment already earned,
/// loses it). A payee's refund during the dispute: always (the payee gave in).
pub(crate) fn bond_returns(
    d: &Dispute,
    payer: AccountId,
    reason: SettleReason,
    payee_share: Bps,
) -> bool {
    let half = BPS_DENOMINATOR / 2;
    match reason {
        SettleReason::Resolved | SettleReason::DisputeExpired => {
            if d.by == payer {
                payee_share <= half
            } else {
                payee_share >= half
            }
        }
        _ => true,
    }
}

/// Who receives a forfeited bond: after a ruling, the treasury (the platform that ran
/// the hearing); after the fallback (nobody ruled), the counterparty whose money the
/// dispute froze, paid for the wait, so the platform never profits from a hearing that
/// did not happen.
pub(crate) fn bond_forfeited_to(
    d: &Dispute,
    rec: &EscrowRecord,
    reason: SettleReason,
    treasury: AccountId,
) -> AccountId {
    match reason {
        SettleReason::DisputeExpired if d.by == rec.payer => rec.payee,
        SettleReason::DisputeExpired => rec.payer,
        _ => treasury,
    }
}

/// `rec` as a row of `account`'s open escrows.
pub(crate) fn open_row(id: EscrowId, rec: &EscrowRecord, account: AccountId) -> OpenEscrow {
    OpenEscrow {
        id,
        role: if rec.payer == account {
            Role::Payer
        } else {
            Role::Payee
        },
        state: rec.state,
        asset: rec.asset,
        held: held(rec).unwrap_or(0),
        next_deadline: next_deadline(rec),
    }
}

/// The next moment something can happen without the other party (see
/// `OpenEscrow::next_deadline`).
pub(crate) fn next_deadline(rec: &EscrowRecord) -> Timestamp {
    if let Some(d) = rec.dispute {
        return d.ruling_deadline;
    }
    match rec.terms {
        EscrowTerms::Order {
            delivery_deadline,
            review_window_ms,
            delivered_at,
            ..
        } => match delivered_at {
            Some(at) => at.saturating_add(review_window_ms),
            None => delivery_deadline,
        },
        EscrowTerms::Stream {
            start,
            duration_ms,
            start_by,
            ..
        } => stream_end(start, duration_ms).unwrap_or(start_by),
    }
}

/// When a started stream ends (`None` while it waits for its start).
pub(crate) fn stream_end(start: Option<Timestamp>, duration_ms: u64) -> Option<Timestamp> {
    start.map(|s| s.saturating_add(duration_ms))
}

/// Gross amount a stream of `deposit` over `duration_ms` has accrued at `until`:
/// `deposit × (min(until, end) − start) / duration_ms`, rounded down, exact for any
/// price (see `market_types::math::pro_rata`); zero before it starts or while it waits.
pub(crate) fn accrued(
    deposit: Balance,
    start: Option<Timestamp>,
    duration_ms: u64,
    until: Timestamp,
) -> Result<Balance> {
    let Some(start) = start else {
        return Ok(0);
    };
    let elapsed = until.saturating_sub(start).min(duration_ms);
    pro_rata(deposit, elapsed, duration_ms).ok_or(VaultError::Overflow)
}

/// What stream `rec` accrued until `until` and has not paid out yet.
pub(crate) fn unpaid_accrual(rec: &EscrowRecord, until: Timestamp) -> Result<Balance> {
    match rec.terms {
        EscrowTerms::Stream {
            start,
            duration_ms,
            deposit,
            paid_out,
            ..
        } => accrued(deposit, start, duration_ms, until)?
            .checked_sub(paid_out)
            .ok_or(VaultError::Overflow),
        EscrowTerms::Order { .. } => Err(VaultError::WrongEscrowKind),
    }
}

/// What the payee side gets when its payer stops stream `rec` at `until`: what accrued
/// and is unpaid, but at least what its `min_payout` still lacks after the claims, and
/// at most what it holds.
pub(crate) fn stop_payout(rec: &EscrowRecord, until: Timestamp) -> Result<Balance> {
    let EscrowTerms::Stream {
        paid_out,
        min_payout,
        ..
    } = rec.terms
    else {
        return Err(VaultError::WrongEscrowKind);
    };
    let accrued = unpaid_accrual(rec, until)?;
    let floor = min_payout.saturating_sub(paid_out);
    Ok(accrued.max(floor).min(held(rec)?))
}

/// What a dispute at `now` would freeze: an order's deposit (while undelivered and
/// before its deadline, or in its review window), or a running stream's unpaid rest.
pub(crate) fn disputable(rec: &EscrowRecord, now: Timestamp) -> Result<Balance> {
    match rec.terms {
        EscrowTerms::Order {
            amount,
            delivered_at,
            review_window_ms,
            delivery_deadline,
            ..
        } => match rec.state {
            // Past the deadline anyone may refund it; a dispute would only stall.
            EscrowState::Funded if now > delivery_deadline => {
                Err(VaultError::DeliveryDeadlinePassed)
            }
            EscrowState::Funded => Ok(amount),
            EscrowState::Delivered => {
                let delivered = delivered_at.ok_or(VaultError::EscrowNotOpen)?;
                let ends = delivered
                    .checked_add(review_window_ms)
                    .ok_or(VaultError::Overflow)?;
                ensure!(now < ends, VaultError::ReviewWindowClosed);
                Ok(amount)
            }
            _ => Err(VaultError::EscrowNotOpen),
        },
        EscrowTerms::Stream {
            deposit, paid_out, ..
        } => {
            // Nothing accrues before the start: the payer stops it, or anyone cancels
            // it once its latest start has passed.
            ensure!(
                rec.state != EscrowState::Waiting,
                VaultError::StreamNotStarted
            );
            ensure!(
                rec.state == EscrowState::Streaming,
                VaultError::EscrowNotOpen
            );
            let rest = deposit.checked_sub(paid_out).ok_or(VaultError::Overflow)?;
            ensure!(rest > 0, VaultError::StreamEnded);
            Ok(rest)
        }
    }
}

/// What an open escrow still holds (its bond excluded).
pub(crate) fn held(rec: &EscrowRecord) -> Result<Balance> {
    match rec.terms {
        EscrowTerms::Order { amount, .. } => Ok(amount),
        EscrowTerms::Stream {
            deposit, paid_out, ..
        } => deposit.checked_sub(paid_out).ok_or(VaultError::Overflow),
    }
}

/// `part / whole` in basis points, rounded down (10 000 when `whole` is zero).
pub(crate) fn share_bps(part: Balance, whole: Balance) -> Bps {
    if whole == 0 || part >= whole {
        return BPS_DENOMINATOR;
    }
    let d = Balance::from(BPS_DENOMINATOR);
    let bps = match part.checked_mul(d) {
        Some(p) => p.checked_div(whole),
        // part × 10 000 overflows only for huge parts; whole ≥ part is then huge
        // too, and dividing it first loses less than one bps.
        None => whole.checked_div(d).and_then(|w| part.checked_div(w)),
    };
    bps.and_then(|b| Bps::try_from(b).ok())
        .unwrap_or(BPS_DENOMINATOR)
        .min(BPS_DENOMINATOR)
}
