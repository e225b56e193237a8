//! Cases: opening a vault dispute as a case, evidence, commit, reveal, denounce, appeal,
//! execution of the final ruling and the lazy settlement of each vote.

use crate::calls;
use crate::dispute_dao::DisputeDao;
use crate::errors::{Error, Result};
use crate::events::*;
use crate::jury::{self, Finality};
use crate::types::*;
use ink::codegen::Env;
use ink::prelude::string::String;
use ink::prelude::vec;
use ink::primitives::{AccountId, Hash};
use market_types::math::bps_of;
use market_types::{ensure, Balance, EscrowId};

fn check_uri(uri: &str) -> Result<()> {
    ensure!(
        !uri.is_empty() && uri.len() <= MAX_URI_LEN,
        Error::InvalidUri
    );
    Ok(())
}

fn add(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_add(b).ok_or(Error::Overflow)
}

fn sub(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_sub(b).ok_or(Error::Overflow)
}

impl DisputeDao {
    pub(crate) fn get_case(&self, id: CaseId) -> Result<Case> {
        self.cases.get(id).ok_or(Error::CaseNotFound)
    }

    fn open_case_of(&self, id: CaseId) -> Result<Case> {
        let case = self.get_case(id)?;
        ensure!(case.status == CaseStatus::Open, Error::CaseClosed);
        Ok(case)
    }

    /// Revealed weight per choice in a round.
    pub(crate) fn weights(&self, id: CaseId, round: Round) -> [Balance; CHOICES as usize] {
        let mut w = [0; CHOICES as usize];
        let mut c: Choice = 0;
        for slot in w.iter_mut() {
            *slot = self.tallies.get((id, round, c)).unwrap_or_default().weight;
            c = c.saturating_add(1);
        }
        w
    }

    pub(crate) fn finality_of(&self, id: CaseId, case: &Case) -> Result<Finality> {
        let info = self.rounds.get((id, case.round)).unwrap_or_default();
        let previous = case
            .round
            .checked_sub(1)
            .and_then(|r| self.rounds.get((id, r)))
            .and_then(|r| r.ruling);
        jury::finality(
            case,
            self.env().block_timestamp(),
            &self.weights(id, case.round),
            &info,
            previous,
        )
        .ok_or(Error::Overflow)
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
            .stake_before(None, block)
            .saturating_sub(self.stake_before(Some(facts.payer), block))
            .saturating_sub(self.stake_before(Some(facts.payee), block));
        // The fee goes to the reserve and the reward comes out of it: a self-dealt case
        // pays at least what its jurors can take (`case_fee >= juror_reward`).
        let fee = jury.case_fee;
        let reserve = add(self.reward_reserve, fee)?;
        let reward = jury.juror_reward.min(reserve);
        let reserve = sub(reserve, reward)?;
        let owed = add(self.owed, fee)?;
        let id = self.case_count.checked_add(1).ok_or(Error::Overflow)?;
        let commit_ends = jury::phases(now, &jury, 0)
            .ok_or(Error::Overflow)?
            .commit_end;
        let case = Case {
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
            reward_reserved: reward,
            fee,
            pool: 0,
            coherent_weight: 0,
            paid_weight: 0,
            paid: 0,
        };
        if fee > 0 {
            calls::transfer_from(self.config.token, caller, self.env().account_id(), fee)?;
        }
        self.reward_reserve = reserve;
        self.owed = owed;
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
        let mut m = self.member_of(caller);
        let weight = self
            .stake_before(Some(caller), case.snapshot_block)
            .min(m.staked);
        ensure!(weight > 0, Error::NoVotingWeight);
        ensure!(self.juror_votes.has_room(caller), Error::Overflow);
        let risk = bps_of(weight, case.jury.penalty_bps).ok_or(Error::Overflow)?;
        let staked = sub(m.staked, risk)?;
        m.at_risk = add(m.at_risk, risk)?;
        m.open_votes = m.open_votes.checked_add(1).ok_or(Error::Overflow)?;
        case.risk_held = add(case.risk_held, risk)?;
        let mut info = self.rounds.get((id, case.round)).unwrap_or_default();
        info.commits = info.commits.checked_add(1).ok_or(Error::Overflow)?;
        self.set_staked(caller, &mut m, staked)?;
        self.members.insert(caller, &m);
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
        self.juror_votes.push(caller, (id, case.round));
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
        let mut tally = self
            .tallies
            .get((id, case.round, choice))
            .unwrap_or_default();
        tally.weight = add(tally.weight, vote.weight)?;
        tally.risk = add(tally.risk, vote.risk)?;
        let mut total = self.coherence.get((id, choice)).unwrap_or_default();
        total.weight = add(total.weight, vote.weight)?;
        total.risk = add(total.risk, vote.risk)?;
        let mut info = self.rounds.get((id, case.round)).unwrap_or_default();
        info.reveals = info.reveals.checked_add(1).ok_or(Error::Overflow)?;
        info.revealed_weight = add(info.revealed_weight, vote.weight)?;
        vote.revealed = Some(choice);
        self.votes.insert(key, &vote);
        self.tallies.insert((id, case.round, choice), &tally);
        self.coherence.insert((id, choice), &total);
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
        let mut m = self.member_of(juror);
        m.at_risk = sub(m.at_risk, vote.risk)?;
        m.lost = add(m.lost, vote.risk)?;
        m.open_votes = m.open_votes.checked_sub(1).ok_or(Error::Overflow)?;
        // Half the risk to the denouncer, half to the reward reserve: denouncing one's
        // own vote through a second account is never a free way out of a vote.
        let bounty = vote.risk.checked_div(2).ok_or(Error::Overflow)?;
        let to_reserve = sub(vote.risk, bounty)?;
        let mut d = self.member_of(caller);
        d.credit = add(d.credit, bounty)?;
        d.earned = add(d.earned, bounty)?;
        self.reward_reserve = add(self.reward_reserve, to_reserve)?;
        case.risk_held = sub(case.risk_held, vote.risk)?;
        let mut info = self.rounds.get((id, case.round)).unwrap_or_default();
        info.commits = info.commits.checked_sub(1).ok_or(Error::Overflow)?;
        vote.voided = true;
        vote.settled = true;
        self.members.insert(juror, &m);
        self.members.insert(caller, &d);
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
        self.in_phase(id, &case, Phase::Appeal, Error::NotAppealPhase)?;
        let caller = self.env().caller();
        ensure!(
            caller == case.payer || caller == case.payee,
            Error::NotParty
        );
        let mut info = self.rounds.get((id, case.round)).unwrap_or_default();
        let ruling = jury::round_ruling(&case, &self.weights(id, case.round), &info)
            .ok_or(Error::NotAppealPhase)?;
        ensure!(
            jury::may_appeal(ruling, caller == case.payer, case.collateral.is_some()),
            Error::CannotAppeal
        );
        let bond = jury::appeal_bond(case.jury.appeal_bond, case.round).ok_or(Error::Overflow)?;
        let owed = add(self.owed, bond)?;
        let bonds = add(case.bonds_held, bond)?;
        let new_round = case.round.checked_add(1).ok_or(Error::Overflow)?;
        calls::transfer_from(self.config.token, caller, self.env().account_id(), bond)?;
        info.ruling = Some(ruling);
        info.appeal = Some((caller, bond));
        self.rounds.insert((id, case.round), &info);
        case.bonds_held = bonds;
        case.round = new_round;
        case.round_start = self.env().block_timestamp();
        self.cases.insert(id, &case);
        self.owed = owed;
        Ok(RulingAppealed {
            case: id,
            by: caller,
            appealed: ruling,
            new_round,
            bond,
        })
    }

    pub(crate) fn do_execute(&mut self, id: CaseId) -> Result<()> {
        let case = self.open_case_of(id)?;
        match self.finality_of(id, &case)? {
            Finality::Running(..) => Err(Error::NotFinal),
            Finality::Final(Some(choice)) => self.execute_ruled(id, case, choice),
            Finality::Final(None) => self.fall_back(id, case),
        }
    }

    fn execute_ruled(&mut self, id: CaseId, mut case: Case, choice: Choice) -> Result<()> {
        let payee_bps = jury::payee_bps(choice).ok_or(Error::InvalidChoice)?;
        // The pool: forfeited risk, bonds of appeals whose ruling stood, the reward.
        let coherent = self.coherence.get((id, choice)).unwrap_or_default();
        let mut pool = add(sub(case.risk_held, coherent.risk)?, case.reward_reserved)?;
        let mut returned = vec::Vec::new();
        let mut r: Round = 0;
        while r < case.round {
            let info = self.rounds.get((id, r)).unwrap_or_default();
            if let Some((by, bond)) = info.appeal {
                if info.ruling == Some(choice) {
                    pool = add(pool, bond)?;
                } else {
                    returned.push((by, bond));
                }
            }
            r = r.saturating_add(1);
        }
        // The vault: the split, then the slash (capped by what the collateral holds),
        // then the end of a collateral hold. Everything is read and checked before
        // anything moves. A refusal or a failed read before the vault's ruling deadline
        // reverts the execution, to be retried; after it, the case closes without
        // applying what failed (the vault's own fallback then decides the escrow, and
        // anyone may end a hold), so a vault that cannot take the ruling (e.g. the DAO
        // is not its arbiter) never leaves the jurors' stake stuck.
        let now = self.env().block_timestamp();
        let late = now >= case.ruling_deadline;
        let facts = match calls::escrow_facts(&self.config, case.escrow) {
            Ok(f) => f,
            Err(e) if !late => return Err(e),
            Err(_) => None,
        };
        let disputed = facts.is_some_and(|f| f.disputed);
        let held = facts.is_some_and(|f| f.collateral_held);
        // The slash stands whether or not the split could still apply: a payee that
        // refunds the escrow before the ruling does not escape it. Its base is what the
        // escrow held when the vault dispute opened. A collateral that is gone or
        // unreadable is never read as zero.
        let mut slash: Option<(market_types::CollateralId, Balance)> = None;
        if let (true, Some(cid)) = (jury::slashes(choice), case.collateral) {
            match calls::collateral_amount(&self.config, cid) {
                Ok(Some(left)) => {
                    let amount = bps_of(case.held, case.jury.slash_bps)
                        .ok_or(Error::Overflow)?
                        .min(left);
                    slash = Some((cid, amount));
                }
                Ok(None) if !late => return Err(Error::CollateralUnavailable),
                Err(e) if !late => return Err(e),
                _ => {}
            }
        }
        let mut applied = false;
        let mut slashed: Balance = 0;
        let mut hold_released = false;
        if disputed {
            match calls::resolve(&self.config, case.escrow, payee_bps) {
                Ok(()) => applied = true,
                Err(e) if !late => return Err(e),
                Err(_) => {}
            }
        }
        if let Some((cid, amount)) = slash.filter(|s| s.1 > 0) {
            match calls::slash_collateral(&self.config, cid, vec![(case.payer, amount)]) {
                Ok(()) => slashed = amount,
                Err(e) if !late => return Err(e),
                Err(_) => {}
            }
        }
        // The ruling is done with the collateral: the vault may let it go.
        if held {
            match calls::release_hold(&self.config, case.escrow) {
                Ok(()) => hold_released = true,
                Err(e) if !late => return Err(e),
                Err(_) => {}
            }
        }
        let mut events = vec::Vec::new();
        for (by, bond) in returned {
            let mut m = self.member_of(by);
            m.credit = add(m.credit, bond)?;
            self.members.insert(by, &m);
            events.push(AppealBondReturned {
                case: id,
                to: by,
                amount: bond,
            });
        }
        if coherent.weight == 0 {
            self.reward_reserve = add(self.reward_reserve, pool)?;
            pool = 0;
        }
        case.pool = pool;
        case.coherent_weight = coherent.weight;
        case.status = CaseStatus::Ruled { choice, applied };
        let mut info = self.rounds.get((id, case.round)).unwrap_or_default();
        if info.revealed_weight > 0 && info.ruling.is_none() {
            info.ruling = jury::round_ruling(&case, &self.weights(id, case.round), &info);
            self.rounds.insert((id, case.round), &info);
        }
        self.cases.insert(id, &case);
        for e in events {
            self.env().emit_event(e);
        }
        self.env().emit_event(RulingExecuted {
            case: id,
            escrow: case.escrow,
            choice,
            payee_bps,
            slashed,
            applied,
            pool,
            hold_released,
        });
        Ok(())
    }

    fn fall_back(&mut self, id: CaseId, mut case: Case) -> Result<()> {
        let now = self.env().block_timestamp();
        let late = now >= case.ruling_deadline;
        let facts = match calls::escrow_facts(&self.config, case.escrow) {
            Ok(f) => f,
            Err(e) if !late => return Err(e),
            Err(_) => None,
        };
        // The vault's fallback, when due; if it fails, anyone applies it at the vault.
        let due = facts.is_some_and(|f| f.disputed && now >= f.ruling_deadline);
        let applied = due && calls::expire_dispute(&self.config, case.escrow).is_ok();
        // No ruling will come: a collateral the vault held for one goes free (a
        // refusal before the ruling deadline reverts, as for a ruling; after it anyone
        // may end the hold at the vault).
        let mut hold_released = false;
        if facts.is_some_and(|f| f.collateral_held) {
            match calls::release_hold(&self.config, case.escrow) {
                Ok(()) => hold_released = true,
                Err(e) if !late => return Err(e),
                Err(_) => {}
            }
        }
        // No ruling: revealed votes get their risk back; unrevealed risk and the
        // reward go to the reserve for later cases.
        let mut revealed_risk: Balance = 0;
        let mut c: Choice = 0;
        while c < CHOICES {
            revealed_risk = add(
                revealed_risk,
                self.coherence.get((id, c)).unwrap_or_default().risk,
            )?;
            c = c.saturating_add(1);
        }
        let to_reserve = add(sub(case.risk_held, revealed_risk)?, case.reward_reserved)?;
        self.reward_reserve = add(self.reward_reserve, to_reserve)?;
        case.status = CaseStatus::NoQuorum;
        self.cases.insert(id, &case);
        self.env().emit_event(CaseFellBack {
            case: id,
            escrow: case.escrow,
            vault_fallback_applied: applied,
            hold_released,
        });
        Ok(())
    }

    pub(crate) fn do_settle(
        &mut self,
        id: CaseId,
        round: Round,
        juror: AccountId,
    ) -> Result<(Balance, VoteSettled)> {
        let mut case = self.get_case(id)?;
        let key = (id, round, juror);
        let mut vote = self.votes.get(key).ok_or(Error::VoteNotFound)?;
        ensure!(!vote.settled, Error::AlreadySettled);
        let (outcome, returned, reward) = jury::settlement(&case, &vote).ok_or(Error::NotFinal)?;
        let forfeited = sub(vote.risk, returned)?;
        let mut m = self.member_of(juror);
        m.at_risk = sub(m.at_risk, vote.risk)?;
        m.open_votes = m.open_votes.checked_sub(1).ok_or(Error::Overflow)?;
        m.credit = add(m.credit, reward)?;
        m.earned = add(m.earned, reward)?;
        m.lost = add(m.lost, forfeited)?;
        if outcome == VoteOutcome::Coherent {
            case.paid_weight = add(case.paid_weight, vote.weight)?;
            case.paid = add(case.paid, reward)?;
        }
        if returned > 0 {
            let staked = add(m.staked, returned)?;
            self.set_staked(juror, &mut m, staked)?;
        }
        vote.settled = true;
        self.members.insert(juror, &m);
        self.votes.insert(key, &vote);
        self.juror_votes.remove(juror, (id, round));
        self.cases.insert(id, &case);
        Ok((
            reward,
            VoteSettled {
                case: id,
                juror,
                round,
                outcome,
                returned,
                reward,
                forfeited,
            },
        ))
    }

    pub(crate) fn case_view(&self, id: CaseId) -> Option<CaseView> {
        let case = self.cases.get(id)?;
        let round_info = self.rounds.get((id, case.round)).unwrap_or_default();
        let weights = self.weights(id, case.round);
        let (phase, phase_ends) = match case.status {
            CaseStatus::Open => match self.finality_of(id, &case).ok()? {
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
