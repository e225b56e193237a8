//! Cases: opening a vault dispute as a case, evidence, commit, reveal, denounce and
//! appeal (executing a final case and settling its votes are in `execution.rs`). Money
//! moves through the ledger only: each message checks, works out what is not money,
//! then makes one ledger operation (which runs a token call between its sums and its
//! writes) and stores the case.

use crate::calls;
use crate::dispute_dao::DisputeDao;
use crate::errors::{Error, Result};
use crate::events::*;
use crate::rules::jury::{self, Finality};
use crate::types::*;
use ink::codegen::Env;
use ink::prelude::string::String;
use ink::primitives::{AccountId, Hash};
use market_types::{ensure, Balance, EscrowId, Timestamp};

fn check_uri(uri: &str) -> Result<()> {
    ensure!(
        !uri.is_empty() && uri.len() <= MAX_URI_LEN,
        Error::InvalidUri
    );
    Ok(())
}

/// A finished round's info and revealed weight per choice, as its ruling needs them.
pub(crate) struct Tallied {
    pub info: RoundInfo,
    /// Read only when the round reached quorum; all zero otherwise, where no ruling
    /// looks at them.
    pub weights: [Balance; CHOICES as usize],
}

/// `vote`'s weight and risk added to `choice`'s tally.
fn count(tallies: &mut Tallies, choice: Choice, vote: &Vote) -> Result<()> {
    let tally = tallies
        .get_mut(usize::from(choice))
        .ok_or(Error::InvalidChoice)?;
    tally.weight = add(tally.weight, vote.weight)?;
    tally.risk = add(tally.risk, vote.risk)?;
    Ok(())
}

fn add(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_add(b).ok_or(Error::Overflow)
}

impl DisputeDao {
    pub(crate) fn get_case(&self, id: CaseId) -> Result<Case> {
        self.cases.get(id).ok_or(Error::CaseNotFound)
    }

    pub(crate) fn open_case_of(&self, id: CaseId) -> Result<Case> {
        let case = self.get_case(id)?;
        ensure!(case.status == CaseStatus::Open, Error::CaseClosed);
        Ok(case)
    }

    /// Revealed weight per choice in a round.
    pub(crate) fn weights(&self, id: CaseId, round: Round) -> [Balance; CHOICES as usize] {
        let tallies: Tallies = self.tallies.get((id, round)).unwrap_or_default();
        tallies.map(|t| t.weight)
    }

    pub(crate) fn finality_of(&self, id: CaseId, case: &Case) -> Result<Finality> {
        Ok(self.finality_read(id, case)?.0)
    }

    /// [`Self::finality_of`], with the current round's tally when it was read (after
    /// the round's reveal phase), for a caller that needs it too.
    pub(crate) fn finality_read(
        &self,
        id: CaseId,
        case: &Case,
    ) -> Result<(Finality, Option<Tallied>)> {
        let now = self.env().block_timestamp();
        // The commit and reveal phases need no reads: only a finished round's tally.
        if let Some(running) = jury::voting_phase(case, now).ok_or(Error::Overflow)? {
            return Ok((running, None));
        }
        let info = self.rounds.get((id, case.round)).unwrap_or_default();
        // Without quorum no ruling looks at the weights: they are not read.
        let weights = if jury::quorum_met(case.total_stake, &case.jury, case.round, &info) {
            self.weights(id, case.round)
        } else {
            [0; CHOICES as usize]
        };
        let finality = self.finality_given(id, case, now, &info, &weights)?;
        Ok((finality, Some(Tallied { info, weights })))
    }

    /// [`jury::finality`] at `now` for the current round's `info` and `weights`, already
    /// read; the previous round's ruling is read only when this round has none.
    fn finality_given(
        &self,
        id: CaseId,
        case: &Case,
        now: Timestamp,
        info: &RoundInfo,
        weights: &[Balance; CHOICES as usize],
    ) -> Result<Finality> {
        let previous = match jury::round_ruling(case, weights, info) {
            Some(_) => None,
            None => case
                .round
                .checked_sub(1)
                .and_then(|r| self.rounds.get((id, r)))
                .and_then(|r| r.ruling),
        };
        jury::finality(case, now, weights, info, previous).ok_or(Error::Overflow)
    }

    fn in_phase(&self, id: CaseId, case: &Case, phase: Phase, err: Error) -> Result<()> {
        match self.finality_of(id, case)? {
            Finality::Running(p, _) if p == phase => Ok(()),
            _ => Err(err),
        }
    }

    pub(crate) fn do_open_case(
        &mut self,
        escrow: EscrowId,
        uri: String,
    ) -> Result<(CaseId, CaseOpened, EvidenceSubmitted)> {
        check_uri(&uri)?;
        ensure!(!self.case_of_escrow.contains(escrow), Error::CaseExists);
        let now = self.env().block_timestamp();
        // A payee's refund of the disputed escrow keeps its collateral held for the
        // dispute's ruling: such an escrow can still become a case (only a slash can
        // apply to it), so a provider cannot front-run the renter's case with a refund
        // and escape any hearing.
        let facts = calls::escrow_facts(&self.config, escrow)?
            .filter(|f| f.disputed || (f.collateral_held && now < f.ruling_deadline))
            .ok_or(Error::EscrowNotDisputed)?;
        let caller = self.env().caller();
        ensure!(
            caller == facts.payer || caller == facts.payee,
            Error::NotParty
        );
        let jury = self.config.jury;
        // Every round, plus one commit phase of margin to execute the ruling, must end
        // before the vault's ruling deadline (after it anyone may apply the vault's
        // fallback instead).
        let room = jury::case_room_ms(&jury).ok_or(Error::Overflow)?;
        ensure!(
            now.checked_add(room)
                .is_some_and(|end| end < facts.ruling_deadline),
            Error::RulingWindowTooShort
        );
        // Weights are stakes before the block the vault dispute opened in: stake added
        // for a side after the dispute was public weighs nothing.
        let block = facts.opened_block;
        // The parties cannot vote, so their stake does not count towards quorum.
        let total_stake = self
            .ledger
            .stake_before(None, block)
            .saturating_sub(self.ledger.stake_before(Some(facts.payer), block))
            .saturating_sub(self.ledger.stake_before(Some(facts.payee), block));
        let fee = jury.case_fee;
        let mut case = Case {
            escrow,
            payer: facts.payer,
            payee: facts.payee,
            asset: facts.asset,
            collateral: facts.collateral,
            held: facts.frozen,
            opened_at: now,
            snapshot_block: block,
            total_stake,
            ruling_deadline: facts.ruling_deadline,
            jury,
            round: 0,
            round_start: now,
            status: CaseStatus::Open,
            risk_held: 0,
            bonds_held: 0,
            reward_reserved: 0,
            fee,
            pool: 0,
            coherent_weight: 0,
            paid_weight: 0,
            paid: 0,
        };
        let id = self.case_count.checked_add(1).ok_or(Error::Overflow)?;
        let commit_ends = jury::phases(now, &jury, 0)
            .ok_or(Error::Overflow)?
            .commit_end;
        // The fee goes to the reserve and the reward comes out of it: a self-dealt case
        // pays at least what its jurors can take (`case_fee >= juror_reward`).
        let (dao, token) = (self.env().account_id(), self.config.token);
        self.ledger.open_case(&mut case, || match fee {
            0 => Ok(()),
            _ => calls::transfer_from(token, caller, dao, fee),
        })?;
        self.case_count = id;
        self.cases.insert(id, &case);
        self.case_of_escrow.insert(escrow, &id);
        Ok((
            id,
            CaseOpened {
                case: id,
                escrow,
                payer: facts.payer,
                payee: facts.payee,
                total_stake,
                commit_ends,
                fee,
            },
            EvidenceSubmitted {
                case: id,
                by: caller,
                uri,
            },
        ))
    }

    pub(crate) fn do_submit_evidence(
        &mut self,
        id: CaseId,
        uri: String,
    ) -> Result<EvidenceSubmitted> {
        let case = self.open_case_of(id)?;
        let caller = self.env().caller();
        ensure!(
            caller == case.payer || caller == case.payee,
            Error::NotParty
        );
        check_uri(&uri)?;
        Ok(EvidenceSubmitted {
            case: id,
            by: caller,
            uri,
        })
    }

    pub(crate) fn do_commit(&mut self, id: CaseId, commitment: Hash) -> Result<VoteCommitted> {
        let mut case = self.open_case_of(id)?;
        self.in_phase(id, &case, Phase::Commit, Error::NotCommitPhase)?;
        let caller = self.env().caller();
        ensure!(
            caller != case.payer && caller != case.payee,
            Error::PartyCannotVote
        );
        let key = (id, case.round, caller);
        ensure!(!self.votes.contains(key), Error::AlreadyVoted);
        // No vote in this round, so the round is not in the juror's list either.
        let pos = self.juror_votes.next_pos(caller).ok_or(Error::Overflow)?;
        let mut info = self.rounds.get((id, case.round)).unwrap_or_default();
        info.commits = info.commits.checked_add(1).ok_or(Error::Overflow)?;
        let block = self.env().block_number();
        let (weight, risk) = self.ledger.lock_risk(caller, &mut case, block)?;
        self.votes.insert(
            key,
            &Vote {
                commitment,
                weight,
                risk,
                revealed: None,
                voided: false,
                settled: false,
            },
        );
        self.juror_votes.push_new(caller, pos, (id, case.round));
        self.rounds.insert((id, case.round), &info);
        self.cases.insert(id, &case);
        Ok(VoteCommitted {
            case: id,
            juror: caller,
            round: case.round,
            weight,
            risk,
        })
    }

    pub(crate) fn do_reveal(
        &mut self,
        id: CaseId,
        choice: Choice,
        salt: [u8; 32],
    ) -> Result<VoteRevealed> {
        let case = self.open_case_of(id)?;
        self.in_phase(id, &case, Phase::Reveal, Error::NotRevealPhase)?;
        let caller = self.env().caller();
        let key = (id, case.round, caller);
        let mut vote = self.votes.get(key).ok_or(Error::VoteNotFound)?;
        ensure!(!vote.voided, Error::VoteVoided);
        ensure!(vote.revealed.is_none(), Error::AlreadyRevealed);
        ensure!(
            jury::commitment(choice, salt, caller, id, case.round) == vote.commitment,
            Error::CommitmentMismatch
        );
        ensure!(
            jury::valid_choice(choice, case.collateral.is_some()),
            Error::InvalidChoice
        );
        let mut tallies = self.tallies.get((id, case.round)).unwrap_or_default();
        count(&mut tallies, choice, &vote)?;
        let mut totals = self.coherence.get(id).unwrap_or_default();
        count(&mut totals, choice, &vote)?;
        let mut info = self.rounds.get((id, case.round)).unwrap_or_default();
        info.reveals = info.reveals.checked_add(1).ok_or(Error::Overflow)?;
        info.revealed_weight = add(info.revealed_weight, vote.weight)?;
        vote.revealed = Some(choice);
        self.votes.insert(key, &vote);
        self.tallies.insert((id, case.round), &tallies);
        self.coherence.insert(id, &totals);
        self.rounds.insert((id, case.round), &info);
        Ok(VoteRevealed {
            case: id,
            juror: caller,
            round: case.round,
            choice,
            weight: vote.weight,
        })
    }

    pub(crate) fn do_denounce(
        &mut self,
        id: CaseId,
        juror: AccountId,
        choice: Choice,
        salt: [u8; 32],
    ) -> Result<VoteDenounced> {
        let mut case = self.open_case_of(id)?;
        self.in_phase(id, &case, Phase::Commit, Error::NotCommitPhase)?;
        let caller = self.env().caller();
        let key = (id, case.round, juror);
        let mut vote = self.votes.get(key).ok_or(Error::VoteNotFound)?;
        ensure!(caller != juror, Error::SelfDenounce);
        ensure!(!vote.voided, Error::VoteVoided);
        ensure!(
            jury::commitment(choice, salt, juror, id, case.round) == vote.commitment,
            Error::CommitmentMismatch
        );
        // Half the risk to the denouncer, half to the reward reserve: denouncing one's
        // own vote through a second account is never a free way out of a vote.
        let mut info = self.rounds.get((id, case.round)).unwrap_or_default();
        info.commits = info.commits.checked_sub(1).ok_or(Error::Overflow)?;
        let bounty = self.ledger.denounce(juror, caller, &mut case, vote.risk)?;
        vote.voided = true;
        vote.settled = true;
        self.votes.insert(key, &vote);
        self.juror_votes.remove(juror, (id, case.round));
        self.rounds.insert((id, case.round), &info);
        self.cases.insert(id, &case);
        Ok(VoteDenounced {
            case: id,
            juror,
            by: caller,
            round: case.round,
            bounty,
        })
    }

    pub(crate) fn do_appeal(&mut self, id: CaseId) -> Result<RulingAppealed> {
        let mut case = self.open_case_of(id)?;
        // The appeal phase follows the reveal phase: the round's tally is read.
        let tally = match self.finality_read(id, &case)? {
            (Finality::Running(Phase::Appeal, _), Some(tally)) => tally,
            _ => return Err(Error::NotAppealPhase),
        };
        let caller = self.env().caller();
        ensure!(
            caller == case.payer || caller == case.payee,
            Error::NotParty
        );
        let mut info = tally.info;
        let ruling =
            jury::round_ruling(&case, &tally.weights, &info).ok_or(Error::NotAppealPhase)?;
        ensure!(
            jury::may_appeal(ruling, caller == case.payer, case.collateral.is_some()),
            Error::CannotAppeal
        );
        let bond = jury::appeal_bond(case.jury.appeal_bond, case.round).ok_or(Error::Overflow)?;
        let new_round = case.round.checked_add(1).ok_or(Error::Overflow)?;
        let (dao, token) = (self.env().account_id(), self.config.token);
        self.ledger.post_bond(&mut case, bond, || {
            calls::transfer_from(token, caller, dao, bond)
        })?;
        info.ruling = Some(ruling);
        info.appeal = Some((caller, bond));
        self.rounds.insert((id, case.round), &info);
        case.round = new_round;
        case.round_start = self.env().block_timestamp();
        self.cases.insert(id, &case);
        Ok(RulingAppealed {
            case: id,
            by: caller,
            appealed: ruling,
            new_round,
            bond,
        })
    }

    pub(crate) fn case_view(&self, id: CaseId) -> Option<CaseView> {
        let case = self.cases.get(id)?;
        let round_info = self.rounds.get((id, case.round)).unwrap_or_default();
        let weights = self.weights(id, case.round);
        let now = self.env().block_timestamp();
        let (phase, phase_ends) = match case.status {
            CaseStatus::Open => match self
                .finality_given(id, &case, now, &round_info, &weights)
                .ok()?
            {
                Finality::Running(p, end) => (p, end),
                Finality::Final(_) => (Phase::Executable, 0),
            },
            _ => (Phase::Closed, 0),
        };
        Some(CaseView {
            id,
            case,
            phase,
            phase_ends,
            round_info,
            leading: jury::plurality(&weights),
            appeal_bond: jury::appeal_bond(case.jury.appeal_bond, case.round),
        })
    }

    pub(crate) fn vote_view(
        &self,
        case_id: CaseId,
        round: Round,
        juror: AccountId,
    ) -> Option<VoteView> {
        let vote = self.votes.get((case_id, round, juror))?;
        let case = self.cases.get(case_id)?;
        Some(VoteView {
            case: case_id,
            round,
            vote,
            pending: jury::settlement(&case, &vote),
        })
    }
}
