//! The settlement planner: how an escrow's money is divided when it settles or a stream
//! is claimed, worked out as a value before anything is written; and when `finalize`,
//! `refund` and a dispute's fallback apply, and what they give the payee side. A message
//! checks, asks for a plan, applies it (the ledger credits, the record, the open lists,
//! the collateral link) and emits the plan's event. Pure: no storage and no environment,
//! so unit and property tests call it directly.
//!
//! The payee side of an amount pays the platform fee (the escrow's `fee_bps`, to the
//! treasury) and each royalty, all rounded down, and the payee the rest (the dust); the
//! payer gets back what is not on the payee side; a dispute's bond goes back to the
//! disputer (see [`bond_returns`]) or, forfeited, to the treasury after a ruling and to
//! the counterparty after the fallback (see [`bond_forfeited_to`]). A plan's credits
//! add up to what the escrow held plus the bond, to the unit.
//!
//! Every settlement records its reason (`SettleReason`), which its `EscrowSettled`
//! carries: `Released` (by the payer or its controller), `AutoReleased` (`finalize`
//! after the review window), `RefundedAfterDeadline` (an undelivered order, by anyone),
//! `RefundedByPayee`, `Resolved` (the arbiter's split), `DisputeExpired` (the fallback),
//! `StoppedByPayer`, `StreamCompleted` (the claim that empties an ended stream) and
//! `NotStarted` (`cancel_unstarted`).

use crate::events::{EscrowSettled, StreamClaimed};
use crate::rules::money::{
    bond_forfeited_to, bond_returns, held, share_bps, stream_end, unpaid_accrual,
};
use crate::types::{EscrowRecord, EscrowTerms};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use market_types::math::{split_release, split_ruling};
use market_types::{
    ensure, Balance, Bps, EscrowId, EscrowState, SettleReason, Settlement, Timestamp, VaultError,
    BPS_DENOMINATOR,
};

type Result<T> = core::result::Result<T, VaultError>;

/// Who gets credited how much, in the escrow's asset, in the order credits are made.
/// Zero amounts are left out.
pub type Credits = Vec<(AccountId, Balance)>;

/// How much of what an escrow holds goes to the payee side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayeeSide {
    /// This share of it, rounded down (a release: 10 000; a refund: 0; a ruling).
    Bps(Bps),
    /// Exactly this amount (what a stream accrued); its share is recorded rounded down.
    Amount(Balance),
}

impl PayeeSide {
    /// A release: everything to the payee side.
    pub const ALL: Self = Self::Bps(BPS_DENOMINATOR);
    /// A refund: everything back to the payer.
    pub const NOTHING: Self = Self::Bps(0);
}

/// A settlement worked out: apply `credits`, store `record`, emit `event`.
pub struct Plan {
    pub credits: Credits,
    /// The record settled: nothing held, its `Settlement` set.
    pub record: EscrowRecord,
    pub event: EscrowSettled,
}

/// A stream claim worked out: apply `credits`, store `record`, emit `event` and, when
/// the claim took the last unit of an ended stream, `settled`.
pub struct ClaimPlan {
    pub credits: Credits,
    pub record: EscrowRecord,
    pub event: StreamClaimed,
    pub settled: Option<EscrowSettled>,
}

/// The payee side of one amount.
struct PayeeSplit {
    to_payee: Balance,
    fee: Balance,
    /// All royalties together.
    royalties: Balance,
}

fn push(credits: &mut Credits, to: AccountId, amount: Balance) {
    if amount > 0 {
        credits.push((to, amount));
    }
}

/// Divides `gross` on the payee side and pushes its credits: the payee, the fee to
/// `treasury`, then each royalty receiver.
fn split_payee_side(
    rec: &EscrowRecord,
    gross: Balance,
    treasury: AccountId,
    credits: &mut Credits,
) -> Result<PayeeSplit> {
    let bps: Vec<Bps> = rec.royalties.iter().map(|r| r.bps).collect();
    let split = split_release(gross, rec.fee_bps, &bps).ok_or(VaultError::InvalidShares)?;
    push(credits, rec.payee, split.payee);
    push(credits, treasury, split.fee);
    let mut royalties: Balance = 0;
    for (r, amount) in rec.royalties.iter().zip(split.royalties) {
        royalties = royalties.checked_add(amount).ok_or(VaultError::Overflow)?;
        push(credits, r.receiver, amount);
    }
    Ok(PayeeSplit {
        to_payee: split.payee,
        fee: split.fee,
        royalties,
    })
}

/// How `finalize` settles `rec` at `now`: a delivered order whose review window has
/// ended, all to the payee side.
///
/// Errors: `WrongEscrowKind`, `EscrowNotDelivered`, `ReviewWindowOpen`, `Overflow`.
pub fn finalize_side(rec: &EscrowRecord, now: Timestamp) -> Result<PayeeSide> {
    let EscrowTerms::Order {
        review_window_ms,
        delivered_at,
        ..
    } = rec.terms
    else {
        return Err(VaultError::WrongEscrowKind);
    };
    ensure!(
        rec.state == EscrowState::Delivered,
        VaultError::EscrowNotDelivered
    );
    let delivered = delivered_at.ok_or(VaultError::EscrowNotDelivered)?;
    let review_ends = delivered
        .checked_add(review_window_ms)
        .ok_or(VaultError::Overflow)?;
    ensure!(now >= review_ends, VaultError::ReviewWindowOpen);
    Ok(PayeeSide::ALL)
}

/// How `refund` settles `rec` at `now`. By its payee, at any time before settlement
/// (also while disputed): an order all back, a running or waiting stream with what
/// accrued and is unpaid until now to the payee side, a disputed stream all back (what
/// it froze is contested: nobody takes it without a ruling). By anyone else: an order
/// still undelivered after its delivery deadline, all back.
///
/// Errors: `EscrowNotOpen`, `EscrowNotFunded`, `DeliveryDeadlineNotReached`, `NotPayee`
/// (a stream, by anyone but its payee), `Overflow`.
pub fn refund_side(
    rec: &EscrowRecord,
    by_payee: bool,
    now: Timestamp,
) -> Result<(PayeeSide, SettleReason)> {
    match rec.terms {
        EscrowTerms::Order { .. } if by_payee => {
            ensure!(rec.state != EscrowState::Settled, VaultError::EscrowNotOpen);
            Ok((PayeeSide::NOTHING, SettleReason::RefundedByPayee))
        }
        EscrowTerms::Order {
            delivery_deadline, ..
        } => {
            ensure!(
                rec.state == EscrowState::Funded,
                VaultError::EscrowNotFunded
            );
            ensure!(
                now > delivery_deadline,
                VaultError::DeliveryDeadlineNotReached
            );
            Ok((PayeeSide::NOTHING, SettleReason::RefundedAfterDeadline))
        }
        EscrowTerms::Stream { .. } => {
            ensure!(by_payee, VaultError::NotPayee);
            let payee_side = match rec.state {
                EscrowState::Streaming | EscrowState::Waiting => {
                    PayeeSide::Amount(unpaid_accrual(rec, now)?)
                }
                // Frozen by a dispute: the payee gives everything frozen back.
                EscrowState::Disputed => PayeeSide::NOTHING,
                _ => return Err(VaultError::EscrowNotOpen),
            };
            Ok((payee_side, SettleReason::RefundedByPayee))
        }
    }
}

/// The fallback `expire_dispute` applies to `rec` at `now`, once its ruling deadline
/// has passed: a delivered order all to the payee side, an undelivered one all back, a
/// stream what accrued until it was frozen to the payee side (its minimum payout does
/// not apply: a provider that never delivered must not take a short rental whole, and
/// the renter's bond with it, because nobody ruled).
///
/// Errors: `EscrowNotDisputed`, `RulingWindowOpen`, `Overflow`.
pub fn fallback_side(rec: &EscrowRecord, now: Timestamp) -> Result<PayeeSide> {
    let dispute = match (rec.state, rec.dispute) {
        (EscrowState::Disputed, Some(d)) => d,
        _ => return Err(VaultError::EscrowNotDisputed),
    };
    ensure!(now >= dispute.ruling_deadline, VaultError::RulingWindowOpen);
    Ok(match rec.terms {
        EscrowTerms::Order {
            delivered_at: Some(_),
            ..
        } => PayeeSide::ALL,
        EscrowTerms::Order { .. } => PayeeSide::NOTHING,
        EscrowTerms::Stream { frozen_at, .. } => {
            let frozen = frozen_at.unwrap_or(dispute.opened_at);
            PayeeSide::Amount(unpaid_accrual(rec, frozen)?)
        }
    })
}

/// Settles escrow `id` for `reason` at `now`: of what it holds, `payee` to the payee
/// side and the rest back to the payer; a dispute's bond back to the disputer, or where
/// [`bond_forfeited_to`] says. A payee's refund of a disputed escrow with collateral
/// marks the collateral held for the dispute (`Dispute::collateral_held`: `apply` keeps
/// it counted as in use). The caller has checked that the escrow may settle this way.
///
/// Errors: `InvalidShares` (a split above 100 %, or fee and royalties above it),
/// `Overflow` (an amount above what the escrow holds).
pub fn plan(
    id: EscrowId,
    mut rec: EscrowRecord,
    payee: PayeeSide,
    reason: SettleReason,
    treasury: AccountId,
    now: Timestamp,
) -> Result<Plan> {
    let held = held(&rec)?;
    let (payee_side, share) = match payee {
        PayeeSide::Bps(bps) => {
            let (side, _) = split_ruling(held, bps).ok_or(VaultError::InvalidShares)?;
            (side, bps)
        }
        PayeeSide::Amount(side) => (side, share_bps(side, held)),
    };
    let refund = held.checked_sub(payee_side).ok_or(VaultError::Overflow)?;
    let mut credits = Credits::new();
    let (mut bond_returned, mut bond_forfeited) = (0, 0);
    if let Some(d) = rec.dispute {
        if bond_returns(&d, rec.payer, reason, share) {
            push(&mut credits, d.by, d.bond);
            bond_returned = d.bond;
        } else {
            push(
                &mut credits,
                bond_forfeited_to(&d, &rec, reason, treasury),
                d.bond,
            );
            bond_forfeited = d.bond;
        }
    }
    let holds = rec.state == EscrowState::Disputed
        && reason == SettleReason::RefundedByPayee
        && rec.collateral.is_some();
    if let (true, Some(d)) = (holds, rec.dispute.as_mut()) {
        d.collateral_held = true;
    }
    let split = split_payee_side(&rec, payee_side, treasury, &mut credits)?;
    push(&mut credits, rec.payer, refund);
    match &mut rec.terms {
        EscrowTerms::Order { amount, .. } => *amount = 0,
        EscrowTerms::Stream {
            paid_out, deposit, ..
        } => *paid_out = *deposit,
    }
    rec.state = EscrowState::Settled;
    rec.settlement = Some(Settlement {
        reason,
        at: now,
        payee_share_bps: share,
        penalty_paid: 0,
    });
    let event = EscrowSettled {
        id,
        payer: rec.payer,
        payee: rec.payee,
        reason,
        to_payee: split.to_payee,
        fee: split.fee,
        royalties: split.royalties,
        refund,
        bond_returned,
        bond_forfeited,
    };
    Ok(Plan {
        credits,
        record: rec,
        event,
    })
}

/// Claims what running stream `id` accrued since the last claim to the payee side at
/// `now`; once the stream has ended and paid out its whole deposit, it settles
/// (`StreamCompleted`).
///
/// Errors: `WrongEscrowKind` (an order), `EscrowNotOpen` (disputed or settled),
/// `NothingToClaim`, `InvalidShares`, `Overflow`.
pub fn plan_claim(
    id: EscrowId,
    mut rec: EscrowRecord,
    treasury: AccountId,
    now: Timestamp,
) -> Result<ClaimPlan> {
    let EscrowTerms::Stream {
        start,
        duration_ms,
        deposit,
        paid_out,
        ..
    } = rec.terms
    else {
        return Err(VaultError::WrongEscrowKind);
    };
    ensure!(
        rec.state != EscrowState::Waiting,
        VaultError::StreamNotStarted
    );
    ensure!(
        rec.state == EscrowState::Streaming,
        VaultError::EscrowNotOpen
    );
    let end = stream_end(start, duration_ms).ok_or(VaultError::StreamNotStarted)?;
    let gross = unpaid_accrual(&rec, now)?;
    ensure!(gross > 0, VaultError::NothingToClaim);
    let new_paid = paid_out.checked_add(gross).ok_or(VaultError::Overflow)?;
    let mut credits = Credits::new();
    let split = split_payee_side(&rec, gross, treasury, &mut credits)?;
    if let EscrowTerms::Stream { paid_out, .. } = &mut rec.terms {
        *paid_out = new_paid;
    }
    let completed = now >= end && new_paid == deposit;
    let event = StreamClaimed {
        id,
        gross,
        to_payee: split.to_payee,
        fee: split.fee,
        royalties: split.royalties,
    };
    let (record, settled) = if completed {
        // Nothing is left to divide: the settlement only closes the record.
        let last = plan(
            id,
            rec,
            PayeeSide::ALL,
            SettleReason::StreamCompleted,
            treasury,
            now,
        )?;
        (last.record, Some(last.event))
    } else {
        (rec, None)
    };
    Ok(ClaimPlan {
        credits,
        record,
        event,
        settled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Dispute;
    use market_types::{Asset, Royalty};

    fn account(b: u8) -> AccountId {
        AccountId::from([b; 32])
    }
    const PAYER: u8 = 1;
    const PAYEE: u8 = 2;
    const ROYALTY: u8 = 3;
    const TREASURY: u8 = 9;

    fn order(amount: Balance) -> EscrowRecord {
        EscrowRecord {
            payer: account(PAYER),
            payee: account(PAYEE),
            asset: Asset::Native,
            opener: account(PAYER),
            context: 0,
            collateral: None,
            fee_bps: 250,
            royalties: vec![Royalty {
                receiver: account(ROYALTY),
                bps: 500,
            }],
            state: EscrowState::Funded,
            terms: EscrowTerms::Order {
                amount,
                delivery_deadline: 10,
                review_window_ms: 10,
                delivered_at: None,
                proof: None,
            },
            dispute: None,
            settlement: None,
            opened_at: 0,
        }
    }

    fn total(credits: &Credits) -> Option<Balance> {
        credits
            .iter()
            .try_fold(0u128, |s, (_, a)| s.checked_add(*a))
    }

    #[test]
    fn release_pays_fee_royalty_and_the_dust_to_the_payee() {
        let p = plan(
            7,
            order(10_001),
            PayeeSide::ALL,
            SettleReason::Released,
            account(TREASURY),
            50,
        )
        .unwrap();
        // 2.5 % fee and 5 % royalty rounded down; the payee takes the rest.
        assert_eq!(
            p.credits,
            vec![
                (account(PAYEE), 9_251),
                (account(TREASURY), 250),
                (account(ROYALTY), 500)
            ]
        );
        let e = &p.event;
        assert_eq!((e.id, e.to_payee, e.fee, e.royalties), (7, 9_251, 250, 500));
        assert_eq!((e.refund, e.bond_returned, e.bond_forfeited), (0, 0, 0));
        assert_eq!(p.record.state, EscrowState::Settled);
        assert_eq!(held(&p.record), Ok(0));
        assert_eq!(
            p.record.settlement,
            Some(Settlement {
                reason: SettleReason::Released,
                at: 50,
                payee_share_bps: BPS_DENOMINATOR,
                penalty_paid: 0,
            })
        );
    }

    #[test]
    fn ruling_against_the_disputing_payer_forfeits_its_bond() {
        let mut rec = order(1_000);
        rec.state = EscrowState::Disputed;
        rec.dispute = Some(Dispute {
            by: account(PAYER),
            bond: 50,
            opened_at: 1,
            ruling_deadline: 2,
            delivered_during: false,
            frozen: 1_000,
            opened_block: 1,
            collateral_held: false,
        });
        let p = plan(
            1,
            rec.clone(),
            PayeeSide::Bps(6_000),
            SettleReason::Resolved,
            account(TREASURY),
            3,
        )
        .unwrap();
        assert_eq!(p.credits.first(), Some(&(account(TREASURY), 50)));
        assert_eq!((p.event.bond_returned, p.event.bond_forfeited), (0, 50));
        assert_eq!(p.event.refund, 400);
        // Half is enough for the disputer to get it back.
        let p = plan(
            1,
            rec,
            PayeeSide::Bps(5_000),
            SettleReason::Resolved,
            account(TREASURY),
            3,
        )
        .unwrap();
        assert_eq!(p.credits.first(), Some(&(account(PAYER), 50)));
        assert_eq!(total(&p.credits), Some(1_050));
    }

    #[test]
    fn refusals_name_the_broken_rule() {
        let treasury = account(TREASURY);
        let r = |side| plan(1, order(100), side, SettleReason::Resolved, treasury, 0);
        assert_eq!(
            r(PayeeSide::Bps(10_001)).err(),
            Some(VaultError::InvalidShares)
        );
        assert_eq!(r(PayeeSide::Amount(101)).err(), Some(VaultError::Overflow));
        assert_eq!(
            plan_claim(1, order(100), treasury, 0).err(),
            Some(VaultError::WrongEscrowKind)
        );
    }
}
