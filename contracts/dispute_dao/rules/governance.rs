//! Proposal rules as plain functions: the state a proposal is in at a given time,
//! quorum and passing, the late-quorum extension, and whether executing an action
//! changes the DAO's own configuration or calls a governed contract.

use crate::types::{Action, Proposal, ProposalState};
use market_types::math::bps_of;
use market_types::{Balance, Timestamp};

/// For + against weight a proposal needs (never zero).
pub fn quorum_reached(p: &Proposal) -> bool {
    let cast = p.for_weight.saturating_add(p.against_weight);
    match bps_of(p.total_stake, p.quorum_bps) {
        Some(needed) => cast > 0 && cast >= needed,
        None => false,
    }
}

/// Passed: quorum, and more for than against.
pub fn passed(p: &Proposal) -> bool {
    quorum_reached(p) && p.for_weight > p.against_weight
}

/// Whether an action is critical: it moves a role (`HandOver`), lets a contract open
/// escrows (`SetController`), or redirects money (`SetTreasury`, `SetVault`). A
/// critical action waits twice the timelock, so the guardian and the members have time
/// to answer a captured vote.
pub fn is_critical(action: &Action) -> bool {
    matches!(
        action,
        Action::HandOver { .. }
            | Action::SetController { .. }
            | Action::SetTreasury { .. }
            | Action::SetVault { .. }
    )
}

/// The timelock a proposal of `action` gets: `timelock_ms`, twice that when critical.
pub fn timelock_for(action: &Action, timelock_ms: u64) -> Option<u64> {
    if is_critical(action) {
        timelock_ms.checked_mul(2)
    } else {
        Some(timelock_ms)
    }
}

/// When a passed proposal may be executed.
pub fn eta(p: &Proposal) -> Timestamp {
    p.vote_end.saturating_add(p.timelock_ms)
}

/// Until when a passed proposal may be executed: `grace_ms` after `eta` (exclusive).
pub fn expires_at(p: &Proposal) -> Timestamp {
    eta(p).saturating_add(p.grace_ms)
}

/// The proposal's state at `now`. Voting runs in `[vote_start, vote_end)`; a passed
/// proposal is executable in `[eta, eta + grace_ms)`.
pub fn state(p: &Proposal, now: Timestamp) -> ProposalState {
    if p.canceled {
        ProposalState::Canceled
    } else if p.executed {
        ProposalState::Executed
    } else if now < p.vote_start {
        ProposalState::Pending
    } else if now < p.vote_end {
        ProposalState::Active
    } else if !passed(p) {
        ProposalState::Defeated
    } else if now < eta(p) {
        ProposalState::Queued
    } else if now < expires_at(p) {
        ProposalState::Ready
    } else {
        ProposalState::Expired
    }
}

/// Adds a vote of `weight` (for or against) and applies the late-quorum rule: when this
/// vote makes quorum for the first time less than `extension_ms` before the end, voting
/// ends `extension_ms` after now instead (once). Returns the new end if it moved.
pub fn add_vote(
    p: &mut Proposal,
    support: bool,
    weight: Balance,
    now: Timestamp,
) -> Option<Option<Timestamp>> {
    let had_quorum = quorum_reached(p);
    if support {
        p.for_weight = p.for_weight.checked_add(weight)?;
    } else {
        p.against_weight = p.against_weight.checked_add(weight)?;
    }
    if had_quorum || p.extended || !quorum_reached(p) {
        return Some(None);
    }
    let late_end = now.checked_add(p.extension_ms)?;
    if late_end > p.vote_end {
        p.vote_end = late_end;
        p.extended = true;
        return Some(Some(late_end));
    }
    Some(None)
}

/// The plan of executing `action`: `true` for the DAO's own actions (jury, governance
/// and unbonding, guardian), which change its configuration; `false` for an action a
/// governed contract carries out, which the DAO calls.
pub fn is_own(action: &Action) -> bool {
    matches!(
        action,
        Action::SetJuryParams { .. } | Action::SetGovParams { .. } | Action::SetGuardian { .. }
    )
}

/// Whether governance parameters and the unbonding delay are usable, given the longest
/// possible case (`longest_case_ms`): voting period, timelock and grace above zero, quorum
/// `1..=10 000`, every period within `MAX_PERIOD_MS`, and an unbonding delay longer
/// than the longest case (so stake under a vote cannot leave before the case ends).
pub fn check_gov(
    gov: &crate::types::GovParams,
    unbonding_ms: u64,
    longest_case_ms: u64,
) -> Result<(), crate::Error> {
    use crate::Error::{InvalidParams, PeriodTooLong};
    use market_types::{BPS_DENOMINATOR, MAX_PERIOD_MS};
    if gov.voting_period_ms == 0
        || gov.timelock_ms == 0
        || gov.grace_ms == 0
        || gov.quorum_bps == 0
        || gov.quorum_bps > BPS_DENOMINATOR
        || unbonding_ms <= longest_case_ms
    {
        return Err(InvalidParams);
    }
    for period in [
        gov.voting_delay_ms,
        gov.voting_period_ms,
        gov.timelock_ms,
        gov.grace_ms,
        gov.extension_ms,
        unbonding_ms,
    ] {
        if period > MAX_PERIOD_MS {
            return Err(PeriodTooLong);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::primitives::{AccountId, Hash};

    fn proposal() -> Proposal {
        Proposal {
            proposer: AccountId::from([1; 32]),
            action: Action::SetFee { fee_bps: 100 },
            description: Hash::from([0; 32]),
            snapshot_block: 1,
            total_stake: 1_000,
            vote_start: 100,
            vote_end: 200,
            quorum_bps: 3_000,
            timelock_ms: 50,
            grace_ms: 30,
            extension_ms: 40,
            for_weight: 0,
            against_weight: 0,
            extended: false,
            executed: false,
            canceled: false,
        }
    }

    #[test]
    fn a_proposal_moves_through_its_states() {
        let mut p = proposal();
        assert_eq!(state(&p, 99), ProposalState::Pending);
        assert_eq!(state(&p, 100), ProposalState::Active);
        assert_eq!(state(&p, 200), ProposalState::Defeated);
        assert_eq!(add_vote(&mut p, true, 300, 120), Some(None));
        assert_eq!(state(&p, 200), ProposalState::Queued);
        assert_eq!(state(&p, 249), ProposalState::Queued);
        assert_eq!(state(&p, 250), ProposalState::Ready);
        assert_eq!(state(&p, 279), ProposalState::Ready);
        assert_eq!(expires_at(&p), 280);
        assert_eq!(state(&p, 280), ProposalState::Expired);
        p.executed = true;
        assert_eq!(state(&p, 250), ProposalState::Executed);
        p.canceled = true;
        assert_eq!(state(&p, 250), ProposalState::Canceled);
    }

    #[test]
    fn more_against_or_no_quorum_defeats() {
        let mut p = proposal();
        add_vote(&mut p, true, 200, 120);
        assert_eq!(state(&p, 300), ProposalState::Defeated);
        add_vote(&mut p, false, 200, 120);
        assert!(quorum_reached(&p));
        assert_eq!(state(&p, 300), ProposalState::Defeated);
    }

    #[test]
    fn only_the_daos_own_actions_are_applied_without_a_call() {
        let jury = crate::rules::jury::tests::jury();
        assert!(is_own(&Action::SetJuryParams { jury }));
        assert!(is_own(&Action::SetGuardian { guardian: None }));
        let gov = crate::types::GovParams {
            voting_delay_ms: 10,
            voting_period_ms: 100,
            quorum_bps: 2_000,
            timelock_ms: 50,
            grace_ms: 40,
            extension_ms: 30,
            proposal_threshold: 100,
        };
        assert!(is_own(&Action::SetGovParams {
            gov,
            unbonding_ms: 9_000
        }));
        assert!(!is_own(&Action::SetFee { fee_bps: 1 }));
        assert!(!is_own(&Action::HandOver {
            target: crate::types::Target::Vault,
            successor: None
        }));
        assert!(!is_own(&Action::SetPaused {
            target: crate::types::Target::Market,
            paused: true
        }));
    }

    #[test]
    fn a_late_quorum_extends_voting_once() {
        let mut p = proposal();
        add_vote(&mut p, true, 100, 150);
        // Quorum reached at 190, 10 ms before the end: voting now ends at 230.
        assert_eq!(add_vote(&mut p, true, 250, 190), Some(Some(230)));
        assert_eq!(state(&p, 200), ProposalState::Active);
        // Later votes do not extend again.
        assert_eq!(add_vote(&mut p, false, 10, 225), Some(None));
        assert_eq!(p.vote_end, 230);
        assert_eq!(state(&p, 230), ProposalState::Queued);
        // Quorum reached early: no extension.
        let mut q = proposal();
        assert_eq!(add_vote(&mut q, true, 400, 110), Some(None));
        assert_eq!(q.vote_end, 200);
    }
}
