//! Governance: proposals, votes, execution after the timelock, the guardian's cancel.

use crate::calls;
use crate::dispute_dao::DisputeDao;
use crate::errors::{Error, Result};
use crate::events::{
    ParamsChanged, ProposalCanceled, ProposalCreated, ProposalExecuted, ProposalVoted,
    VotingExtended,
};
use crate::rules::governance::{self, check_gov};
use crate::rules::jury::{check_jury, check_window};
use crate::types::*;
use ink::codegen::Env;
use ink::primitives::Hash;
use market_types::ensure;

impl DisputeDao {
    /// Checks an action against the current parameters when it is proposed and again
    /// when it is executed (what it is checked against may have changed in between):
    /// the DAO's parameters must be usable, an action must name a contract that has
    /// the setting, and the jury's longest case (plus a commit phase to execute it)
    /// must stay shorter than the vault's ruling window, whichever of the two changes
    /// — or no dispute could become a case.
    fn check_own_action(&self, action: &Action) -> Result<()> {
        match action {
            // Only the registry and the market have a pause and a vault to point at.
            Action::SetPaused {
                target: Target::Vault,
                ..
            }
            | Action::SetVault {
                target: Target::Vault,
                ..
            } => Err(Error::InvalidParams),
            Action::SetJuryParams { jury } => {
                let longest = check_jury(jury)?;
                check_gov(&self.config.gov, self.config.unbonding_ms, longest)?;
                let (_, ruling_window_ms) = calls::dispute_params(&self.config)?;
                check_window(jury, ruling_window_ms)
            }
            Action::SetGovParams { gov, unbonding_ms } => {
                let longest = check_jury(&self.config.jury)?;
                check_gov(gov, *unbonding_ms, longest)
            }
            Action::SetDisputeParams {
                ruling_window_ms, ..
            } => check_window(&self.config.jury, *ruling_window_ms),
            _ => Ok(()),
        }
    }

    pub(crate) fn do_propose(
        &mut self,
        action: Action,
        description: Hash,
    ) -> Result<(ProposalId, ProposalCreated)> {
        let caller = self.env().caller();
        let staked = self.ledger.member(caller).staked;
        let gov = self.config.gov;
        ensure!(
            staked > 0 && staked >= gov.proposal_threshold,
            Error::BelowProposalThreshold
        );
        self.check_own_action(&action)?;
        let now = self.env().block_timestamp();
        let vote_start = now
            .checked_add(gov.voting_delay_ms)
            .ok_or(Error::Overflow)?;
        let vote_end = vote_start
            .checked_add(gov.voting_period_ms)
            .ok_or(Error::Overflow)?;
        let block = self.env().block_number();
        let id = self.proposal_count.checked_add(1).ok_or(Error::Overflow)?;
        let proposal = Proposal {
            proposer: caller,
            action,
            description,
            snapshot_block: block,
            total_stake: self.ledger.stake_before(None, block),
            vote_start,
            vote_end,
            quorum_bps: gov.quorum_bps,
            timelock_ms: governance::timelock_for(&action, gov.timelock_ms)
                .ok_or(Error::Overflow)?,
            grace_ms: gov.grace_ms,
            extension_ms: gov.extension_ms,
            for_weight: 0,
            against_weight: 0,
            extended: false,
            executed: false,
            canceled: false,
        };
        self.proposal_count = id;
        self.proposals.insert(id, &proposal);
        Ok((
            id,
            ProposalCreated {
                id,
                proposer: caller,
                action,
                description,
                vote_start,
                vote_end,
            },
        ))
    }

    pub(crate) fn do_vote(&mut self, id: ProposalId, support: bool) -> Result<()> {
        let mut p = self.proposals.get(id).ok_or(Error::ProposalNotFound)?;
        let now = self.env().block_timestamp();
        ensure!(
            governance::state(&p, now) == ProposalState::Active,
            Error::VotingClosed
        );
        let caller = self.env().caller();
        ensure!(!self.ballots.contains((id, caller)), Error::AlreadyVoted);
        let weight = self.ledger.stake_before(Some(caller), p.snapshot_block);
        ensure!(weight > 0, Error::NoVotingWeight);
        let extended = governance::add_vote(&mut p, support, weight, now).ok_or(Error::Overflow)?;
        self.proposals.insert(id, &p);
        self.ballots.insert((id, caller), &support);
        self.env().emit_event(ProposalVoted {
            id,
            voter: caller,
            support,
            weight,
        });
        if let Some(vote_end) = extended {
            self.env().emit_event(VotingExtended { id, vote_end });
        }
        Ok(())
    }

    pub(crate) fn do_execute_proposal(&mut self, id: ProposalId) -> Result<()> {
        let mut p = self.proposals.get(id).ok_or(Error::ProposalNotFound)?;
        match governance::state(&p, self.env().block_timestamp()) {
            ProposalState::Ready => {}
            ProposalState::Queued => return Err(Error::TimelockNotOver),
            ProposalState::Executed | ProposalState::Canceled => {
                return Err(Error::ProposalFinished)
            }
            ProposalState::Expired => return Err(Error::ProposalExpired),
            _ => return Err(Error::ProposalNotPassed),
        }
        // The checks of the proposal again, against the parameters now in force.
        self.check_own_action(&p.action)?;
        // The plan: the DAO's own parameters change here, any other action is a call
        // into the contract that has the setting. The call comes before the record: a
        // refusal by the governed contract returns before anything is written (the DAO
        // never allows re-entry, so the target cannot call back in between).
        let own = governance::is_own(&p.action);
        if !own {
            calls::apply_action(&self.config, &p.action)?;
        }
        match p.action {
            Action::SetJuryParams { jury } => self.config.jury = jury,
            Action::SetGovParams { gov, unbonding_ms } => {
                self.config.gov = gov;
                self.config.unbonding_ms = unbonding_ms;
            }
            Action::SetGuardian { guardian } => self.config.guardian = guardian,
            _ => {}
        }
        p.executed = true;
        self.proposals.insert(id, &p);
        if own {
            self.env().emit_event(ParamsChanged {
                jury: self.config.jury,
                gov: self.config.gov,
                unbonding_ms: self.config.unbonding_ms,
                guardian: self.config.guardian,
            });
        }
        self.env().emit_event(ProposalExecuted {
            id,
            action: p.action,
        });
        Ok(())
    }

    pub(crate) fn do_cancel(&mut self, id: ProposalId) -> Result<ProposalCanceled> {
        crate::ensure_guardian(self.config.guardian, self.env().caller())?;
        let mut p = self.proposals.get(id).ok_or(Error::ProposalNotFound)?;
        ensure!(!p.executed && !p.canceled, Error::ProposalFinished);
        // The guardian's veto never reaches the DAO's remedies against the guardian
        // itself: replacing it, lifting a pause. It may stop a hand-over (a captured
        // vote giving the arbiter or an admin role to an outside account): the DAO can
        // always replace the guardian first, so that entrenches nobody.
        ensure!(
            !matches!(
                p.action,
                Action::SetGuardian { .. } | Action::SetPaused { paused: false, .. }
            ),
            Error::GuardianCannotCancel
        );
        p.canceled = true;
        self.proposals.insert(id, &p);
        Ok(ProposalCanceled { id })
    }

    pub(crate) fn proposal_view(&self, id: ProposalId) -> Option<ProposalView> {
        let proposal = self.proposals.get(id)?;
        Some(ProposalView {
            id,
            proposal,
            state: governance::state(&proposal, self.env().block_timestamp()),
            eta: governance::eta(&proposal),
            expires_at: governance::expires_at(&proposal),
        })
    }
}
