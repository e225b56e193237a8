//! Executing a final case and settling its votes. Each reads as check → plan (the pure
//! [`crate::rules::plan`]) → the vault calls the plan asks for → apply (one ledger operation,
//! then the records) → events.

use crate::calls;
use crate::cases::Tallied;
use crate::dispute_dao::DisputeDao;
use crate::errors::{Error, Result};
use crate::events::{AppealBondReturned, CaseFellBack, RulingExecuted, VoteSettled};
use crate::rules::jury::{self, Finality};
use crate::rules::plan::{self, RulingPlan};
use crate::types::*;
use ink::codegen::Env;
use ink::prelude::vec;
use ink::primitives::AccountId;
use market_types::{ensure, Balance};

/// What the vault took of a ruling.
struct AtVault {
    /// The split applied (the escrow was still disputed).
    applied: bool,
    slashed: Balance,
    hold_released: bool,
}

impl DisputeDao {
    pub(crate) fn do_execute(&mut self, id: CaseId) -> Result<()> {
        let case = self.open_case_of(id)?;
        match self.finality_read(id, &case)? {
            // A final case's tally is always read (see `finality_read`).
            (Finality::Final(Some(choice)), Some(tally)) => {
                self.execute_ruled(id, case, choice, tally)
            }
            (Finality::Final(None), _) => self.fall_back(id, case),
            _ => Err(Error::NotFinal),
        }
    }

    fn execute_ruled(
        &mut self,
        id: CaseId,
        mut case: Case,
        choice: Choice,
        tally: Tallied,
    ) -> Result<()> {
        // Plan: the pool (forfeited risk, bonds of appeals whose ruling stood, the
        // reward), the bonds to return, the slash.
        let coherent = self
            .coherence
            .get(id)
            .and_then(|t| t.get(usize::from(choice)).copied())
            .unwrap_or_default();
        let plan = plan::ruling(&case, choice, coherent, |r| {
            self.rounds.get((id, r)).unwrap_or_default()
        })?;
        // Calls.
        let at = self.rule_at_vault(&case, &plan)?;
        // Apply: the books, then the case and the last round's ruling.
        self.ledger.close_ruled(&mut case, &plan)?;
        case.status = CaseStatus::Ruled {
            choice,
            applied: at.applied,
        };
        // The last round's ruling, read with the finality above (nothing wrote it
        // since); stored only when it changes.
        let mut info = tally.info;
        if info.revealed_weight > 0 && info.ruling.is_none() {
            info.ruling = jury::round_ruling(&case, &tally.weights, &info);
            if info.ruling.is_some() {
                self.rounds.insert((id, case.round), &info);
            }
        }
        self.cases.insert(id, &case);
        // Events.
        for returned in plan.returned {
            let Some((to, amount)) = returned else {
                continue;
            };
            self.env().emit_event(AppealBondReturned {
                case: id,
                to,
                amount,
            });
        }
        self.env().emit_event(RulingExecuted {
            case: id,
            escrow: case.escrow,
            choice,
            payee_bps: plan.payee_bps,
            slashed: at.slashed,
            applied: at.applied,
            pool: plan.pool,
            hold_released: at.hold_released,
        });
        Ok(())
    }

    /// The ruling at the vault: the split, then the slash (capped by what the
    /// collateral holds), then the end of a collateral hold. Everything is read and
    /// checked before anything moves. A refusal or a failed read before the vault's
    /// ruling deadline reverts the execution, to be retried; after it, the case closes
    /// without applying what failed (the vault's own fallback then decides the escrow,
    /// and anyone may end a hold), so a vault that cannot take the ruling (e.g. the DAO
    /// is not its arbiter) never leaves the jurors' stake stuck.
    fn rule_at_vault(&self, case: &Case, plan: &RulingPlan) -> Result<AtVault> {
        let late = self.env().block_timestamp() >= case.ruling_deadline;
        let facts = match calls::escrow_facts(&self.config, case.escrow) {
            Ok(f) => f,
            Err(e) if !late => return Err(e),
            Err(_) => None,
        };
        let disputed = facts.is_some_and(|f| f.disputed);
        let held = facts.is_some_and(|f| f.collateral_held);
        // The slash stands whether or not the split could still apply: a payee that
        // refunds the escrow before the ruling does not escape it. A collateral that is
        // gone or unreadable is never read as zero.
        let mut slash = None;
        if let Some((cid, base)) = plan.slash {
            match calls::collateral_amount(&self.config, cid) {
                Ok(Some(left)) => slash = Some((cid, base.min(left))),
                Ok(None) if !late => return Err(Error::CollateralUnavailable),
                Err(e) if !late => return Err(e),
                _ => {}
            }
        }
        let mut at = AtVault {
            applied: false,
            slashed: 0,
            hold_released: false,
        };
        if disputed {
            match calls::resolve(&self.config, case.escrow, plan.payee_bps) {
                Ok(()) => at.applied = true,
                Err(e) if !late => return Err(e),
                Err(_) => {}
            }
        }
        if let Some((cid, amount)) = slash.filter(|s| s.1 > 0) {
            match calls::slash_collateral(&self.config, cid, vec![(case.payer, amount)]) {
                Ok(()) => at.slashed = amount,
                Err(e) if !late => return Err(e),
                Err(_) => {}
            }
        }
        // The ruling is done with the collateral: the vault may let it go.
        if held {
            match calls::release_hold(&self.config, case.escrow) {
                Ok(()) => at.hold_released = true,
                Err(e) if !late => return Err(e),
                Err(_) => {}
            }
        }
        Ok(at)
    }

    fn fall_back(&mut self, id: CaseId, mut case: Case) -> Result<()> {
        // Plan: no ruling, so revealed votes get their risk back; unrevealed risk and
        // the reward go to the reserve for later cases.
        let totals = self.coherence.get(id).unwrap_or_default();
        let plan = plan::fallback(&case, |c| totals.get(usize::from(c)).map_or(0, |t| t.risk))?;
        // Calls: the vault's fallback, when due (if it fails, anyone applies it at the
        // vault); a collateral the vault held for a ruling goes free.
        let now = self.env().block_timestamp();
        let late = now >= case.ruling_deadline;
        let facts = match calls::escrow_facts(&self.config, case.escrow) {
            Ok(f) => f,
            Err(e) if !late => return Err(e),
            Err(_) => None,
        };
        let due = facts.is_some_and(|f| f.disputed && now >= f.ruling_deadline);
        let applied = due && calls::expire_dispute(&self.config, case.escrow).is_ok();
        // A refusal before the ruling deadline reverts, as for a ruling; after it anyone
        // may end the hold at the vault.
        let mut hold_released = false;
        if facts.is_some_and(|f| f.collateral_held) {
            match calls::release_hold(&self.config, case.escrow) {
                Ok(()) => hold_released = true,
                Err(e) if !late => return Err(e),
                Err(_) => {}
            }
        }
        // Apply, then the event.
        self.ledger.close_unruled(plan.to_reserve)?;
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
        // Plan (no calls), apply; the message emits the event.
        let split = plan::vote_split(&case, &vote)?;
        let block = self.env().block_number();
        self.ledger.settle(juror, &mut case, &vote, &split, block)?;
        vote.settled = true;
        self.votes.insert(key, &vote);
        self.juror_votes.remove(juror, (id, round));
        self.cases.insert(id, &case);
        Ok((
            split.reward,
            VoteSettled {
                case: id,
                juror,
                round,
                outcome: split.outcome,
                returned: split.returned,
                reward: split.reward,
                forfeited: split.forfeited,
            },
        ))
    }
}
