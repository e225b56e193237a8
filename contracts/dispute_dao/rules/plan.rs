//! What executing a case and settling its votes do with its money, worked out as values
//! before anything moves: plain functions beside [`crate::rules::jury`] (no ink! environment,
//! no storage). The contract reads their inputs, makes the vault calls a plan asks for
//! and applies it through the ledger; unit and property tests call them directly.
//!
//! Every split adds up to what it divides, to the unit:
//! - a ruling ([`ruling`]): what the case holds, `risk_held + bonds_held +
//!   reward_reserved`, is the coherent votes' risk (back into their stake as each
//!   settles) + the pool + the appeal bonds returned + what goes to the reserve;
//! - no ruling ([`fallback`]): `risk_held + reward_reserved` is the revealed votes' risk
//!   (back into their stake) + what goes to the reserve;
//! - a vote ([`vote_split`]): its risk is what returns to its stake + what it forfeits,
//!   and the rewards of every coherent vote add up to the pool whatever order they
//!   settle in ([`jury::reward`]);
//! - a denunciation ([`bounty`]): the risk is the bounty + what goes to the reserve.

use crate::errors::{Error, Result};
use crate::rules::jury;
use crate::types::{Case, Choice, Round, RoundInfo, Tally, Vote, VoteOutcome, CHOICES, MAX_ROUNDS};
use ink::primitives::AccountId;
use market_types::math::bps_of;
use market_types::{Balance, Bps, CollateralId};

/// One slot per round of a case for its appeal (every round but the last may have one).
pub const APPEAL_SLOTS: usize = MAX_ROUNDS as usize;

fn add(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_add(b).ok_or(Error::Overflow)
}

fn sub(a: Balance, b: Balance) -> Result<Balance> {
    a.checked_sub(b).ok_or(Error::Overflow)
}

/// What executing a final ruling does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RulingPlan {
    /// The payee's share of the frozen amount at the vault.
    pub payee_bps: Bps,
    /// Weight of every vote coherent with the ruling, whatever its round (their risk
    /// goes back into their stake as each settles).
    pub coherent_weight: Balance,
    /// Shared by the coherent votes: forfeited risk, bonds of appeals whose ruling
    /// stood, the reward. Zero when no vote is coherent.
    pub pool: Balance,
    /// To the reward reserve: the pool when no vote is coherent.
    pub to_reserve: Balance,
    /// Bonds back to appellants whose appeal overturned the ruling it appealed, at the
    /// index of the round appealed.
    pub returned: [Option<(AccountId, Balance)>; APPEAL_SLOTS],
    /// The collateral to slash and `slash_bps` of what the escrow held when its vault
    /// dispute opened (the base; the vault call takes at most what the collateral
    /// holds).
    pub slash: Option<(CollateralId, Balance)>,
}

impl RulingPlan {
    /// The appeal bonds returned.
    pub fn bonds_returned(&self) -> Result<Balance> {
        self.returned
            .iter()
            .flatten()
            .try_fold(0, |sum, (_, bond)| add(sum, *bond))
    }
}

/// The plan of `case`'s final ruling `choice`. `coherent`: the revealed weight and risk
/// for `choice` over every round; `round(r)`: the record of round `r`, read for each
/// round before the current one (those appealed). A plain function over a reader, as
/// [`crate::rules::checkpoints::before`] is.
///
/// Errors: `InvalidChoice`, `Overflow`.
pub fn ruling(
    case: &Case,
    choice: Choice,
    coherent: Tally,
    round: impl Fn(Round) -> RoundInfo,
) -> Result<RulingPlan> {
    let payee_bps = jury::payee_bps(choice).ok_or(Error::InvalidChoice)?;
    let mut pool = add(sub(case.risk_held, coherent.risk)?, case.reward_reserved)?;
    let mut returned = [None; APPEAL_SLOTS];
    let mut r: Round = 0;
    for slot in returned.iter_mut().take(usize::from(case.round)) {
        let info = round(r);
        if let Some((by, bond)) = info.appeal {
            if info.ruling == Some(choice) {
                pool = add(pool, bond)?;
            } else {
                *slot = Some((by, bond));
            }
        }
        r = r.saturating_add(1);
    }
    let slash = match (jury::slashes(choice), case.collateral) {
        (true, Some(cid)) => Some((
            cid,
            bps_of(case.held, case.jury.slash_bps).ok_or(Error::Overflow)?,
        )),
        _ => None,
    };
    // Nobody to share the pool: it waits in the reserve for later cases.
    let to_reserve = if coherent.weight == 0 {
        core::mem::take(&mut pool)
    } else {
        0
    };
    Ok(RulingPlan {
        payee_bps,
        coherent_weight: coherent.weight,
        pool,
        to_reserve,
        returned,
        slash,
    })
}

/// What closing a case without a ruling does: revealed votes get their risk back,
/// unrevealed risk and the reward go to the reserve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FallbackPlan {
    /// Risk of the revealed votes: back into their stake as each settles.
    pub revealed_risk: Balance,
    pub to_reserve: Balance,
}

/// The plan of closing `case` without a ruling; `revealed(c)`: the risk revealed for
/// choice `c` over every round, read for each choice.
///
/// Errors: `Overflow`.
pub fn fallback(case: &Case, revealed: impl Fn(Choice) -> Balance) -> Result<FallbackPlan> {
    let mut revealed_risk: Balance = 0;
    let mut c: Choice = 0;
    while c < CHOICES {
        revealed_risk = add(revealed_risk, revealed(c))?;
        c = c.saturating_add(1);
    }
    let to_reserve = add(sub(case.risk_held, revealed_risk)?, case.reward_reserved)?;
    Ok(FallbackPlan {
        revealed_risk,
        to_reserve,
    })
}

/// How one vote settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteSplit {
    pub outcome: VoteOutcome,
    /// Back into the juror's active stake.
    pub returned: Balance,
    /// Out of the case's pool, to the juror's credit.
    pub reward: Balance,
    /// The rest of the vote's risk: in the pool, or in the reserve.
    pub forfeited: Balance,
}

/// How `vote` settles now, in `case` (closed).
///
/// Errors: `NotFinal` (the case is open), `Overflow`.
pub fn vote_split(case: &Case, vote: &Vote) -> Result<VoteSplit> {
    let (outcome, returned, reward) = jury::settlement(case, vote).ok_or(Error::NotFinal)?;
    Ok(VoteSplit {
        outcome,
        returned,
        reward,
        forfeited: sub(vote.risk, returned)?,
    })
}

/// A denounced vote's `risk`: `(bounty, to_reserve)`, half (rounded down) to the
/// denouncer and the rest to the reserve, so denouncing one's own vote through a
/// second account is never a free way out of it.
///
/// Errors: `Overflow` (never: kept for the checked-arithmetic rule).
pub fn bounty(risk: Balance) -> Result<(Balance, Balance)> {
    let bounty = risk.checked_div(2).ok_or(Error::Overflow)?;
    Ok((bounty, sub(risk, bounty)?))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::types::{CaseStatus, JuryParams};
    use market_types::Asset;
    use proptest::prelude::*;

    pub(crate) fn account(b: u8) -> AccountId {
        AccountId::from([b; 32])
    }

    /// A case on escrow 7 (payer 1, payee 2, collateral 3) holding these amounts.
    pub(crate) fn case(risk_held: Balance, bonds_held: Balance, reward: Balance) -> Case {
        Case {
            escrow: 7,
            payer: account(1),
            payee: account(2),
            asset: Asset::Native,
            collateral: Some(3),
            held: 1_000_000,
            opened_at: 0,
            snapshot_block: 1,
            total_stake: 30_000,
            ruling_deadline: 100_000,
            jury: JuryParams {
                commit_ms: 100,
                reveal_ms: 100,
                appeal_ms: 50,
                quorum_bps: 2_000,
                quorum_cap: 15_000,
                min_jurors: 1,
                rounds: 3,
                penalty_bps: 1_000,
                appeal_bond: 1_000,
                juror_reward: 500,
                case_fee: 600,
                slash_bps: 5_000,
            },
            round: 0,
            round_start: 0,
            status: CaseStatus::Open,
            risk_held,
            bonds_held,
            reward_reserved: reward,
            fee: 600,
            pool: 0,
            coherent_weight: 0,
            paid_weight: 0,
            paid: 0,
        }
    }

    /// Reads rounds out of a list (the rounds past it are empty).
    pub(crate) fn reader(rounds: &[RoundInfo]) -> impl Fn(Round) -> RoundInfo + '_ {
        |r| rounds.get(usize::from(r)).copied().unwrap_or_default()
    }

    fn appealed(ruling: Choice, by: u8, bond: Balance) -> RoundInfo {
        RoundInfo {
            ruling: Some(ruling),
            appeal: Some((account(by), bond)),
            ..RoundInfo::default()
        }
    }

    /// What the case holds when executed, accounted for to the unit.
    fn assert_adds_up(c: &Case, coherent: Tally, p: &RulingPlan) {
        let held = c.risk_held + c.bonds_held + c.reward_reserved;
        let parts = coherent.risk + p.pool + p.bonds_returned().unwrap() + p.to_reserve;
        assert_eq!(parts, held, "{p:?}");
    }

    #[test]
    fn a_ruling_pools_forfeited_risk_failed_appeals_and_the_reward() {
        // Round 0 ruled 4, appealed by 1 (bond 1 000); round 1 ruled 0, appealed by 2
        // (bond 2 000); the final ruling is 4: the first appeal failed, the second
        // overturned 0.
        let mut c = case(3_000, 3_000, 500);
        c.round = 2;
        let rounds = [appealed(4, 1, 1_000), appealed(0, 2, 2_000)];
        let coherent = Tally {
            weight: 20_000,
            risk: 2_000,
        };
        let p = ruling(&c, 4, coherent, reader(&rounds)).unwrap();
        assert_eq!(p.payee_bps, 10_000);
        assert_eq!(p.pool, 1_000 + 1_000 + 500);
        // One slot per round: round 1's appeal is returned.
        assert_eq!(p.returned, [None, Some((account(2), 2_000)), None, None]);
        assert_eq!((p.to_reserve, p.slash), (0, None));
        assert_adds_up(&c, coherent, &p);
    }

    #[test]
    fn a_ruling_nobody_voted_for_sends_the_pool_to_the_reserve() {
        let mut c = case(1_000, 1_000, 500);
        c.round = 1;
        let rounds = [appealed(2, 1, 1_000)];
        let coherent = Tally::default();
        let p = ruling(&c, 2, coherent, reader(&rounds)).unwrap();
        assert_eq!((p.pool, p.to_reserve), (0, 2_500));
        assert_adds_up(&c, coherent, &p);
    }

    #[test]
    fn a_slash_ruling_plans_slash_bps_of_what_the_dispute_froze() {
        let c = case(1_000, 0, 500);
        let coherent = Tally {
            weight: 10_000,
            risk: 1_000,
        };
        let p = ruling(&c, 7, coherent, reader(&[])).unwrap();
        assert_eq!((p.payee_bps, p.slash), (5_000, Some((3, 500_000))));
        let no_collateral = Case {
            collateral: None,
            ..c
        };
        assert_eq!(
            ruling(&no_collateral, 7, coherent, reader(&[]))
                .unwrap()
                .slash,
            None
        );
        assert_eq!(
            ruling(&c, 10, coherent, reader(&[])),
            Err(Error::InvalidChoice),
            "not a choice"
        );
        // More coherent risk than the case holds is refused, never wrapped.
        let too_much = Tally {
            weight: 1,
            risk: 1_001,
        };
        assert_eq!(ruling(&c, 7, too_much, reader(&[])), Err(Error::Overflow));
    }

    #[test]
    fn no_ruling_returns_revealed_risk_and_reserves_the_rest() {
        let c = case(3_000, 0, 500);
        let mut revealed = [Tally::default(); 10];
        revealed[2].risk = 1_000;
        revealed[9].risk = 500;
        let p = fallback(&c, |ch| revealed[usize::from(ch)].risk).unwrap();
        assert_eq!(p.revealed_risk, 1_500);
        assert_eq!(p.to_reserve, 1_500 + 500);
        assert_eq!(
            p.revealed_risk + p.to_reserve,
            c.risk_held + c.reward_reserved
        );
        revealed[0].risk = 1_501;
        assert_eq!(
            fallback(&c, |ch| revealed[usize::from(ch)].risk),
            Err(Error::Overflow)
        );
    }

    #[test]
    fn a_bounty_splits_the_risk_to_the_unit() {
        assert_eq!(bounty(1_001), Ok((500, 501)));
        assert_eq!(bounty(0), Ok((0, 0)));
        assert_eq!(bounty(u128::MAX), Ok((u128::MAX / 2, u128::MAX / 2 + 1)));
    }

    #[test]
    fn a_vote_of_an_open_case_does_not_settle() {
        let vote = Vote {
            commitment: Default::default(),
            weight: 10,
            risk: 1,
            revealed: Some(4),
            voided: false,
            settled: false,
        };
        assert_eq!(vote_split(&case(1, 0, 0), &vote), Err(Error::NotFinal));
    }

    /// A case's votes (choice, 10 for unrevealed; weight; penalty in bps), its appeals
    /// (the ruling appealed; the bond), its reward and its final ruling.
    type Jury = (Vec<(u8, u128, u16)>, Vec<(u8, u128)>, u128, u8);

    /// Any amounts (each small enough that a case's sums fit).
    fn jury_votes() -> impl Strategy<Value = Jury> {
        (
            proptest::collection::vec((0u8..=10, 1u128..=u128::MAX >> 8, 0u16..=10_000), 1..12),
            proptest::collection::vec((0u8..10, 0u128..=u128::MAX >> 8), 0..APPEAL_SLOTS),
            0u128..=u128::MAX >> 8,
            0u8..10,
        )
    }

    proptest! {
        /// For any votes and appeals, the ruling's parts add up to what the case holds,
        /// each vote's risk to what returns and what is forfeited, and the rewards, in
        /// any settlement order, to the pool.
        #[test]
        fn every_split_adds_up_to_the_unit(
            (votes, appeals, reward, choice) in jury_votes(),
            order in any::<u64>(),
        ) {
            let risks: Vec<u128> = votes
                .iter()
                .map(|(_, w, bps)| bps_of(*w, *bps).unwrap())
                .collect();
            let mut c = case(risks.iter().sum(), appeals.iter().map(|a| a.1).sum(), reward);
            c.round = u8::try_from(appeals.len()).unwrap();
            let rounds: Vec<RoundInfo> = appeals
                .iter()
                .enumerate()
                .map(|(i, (r, bond))| appealed(*r, u8::try_from(i % 2 + 1).unwrap(), *bond))
                .collect();
            let mut coherent = Tally::default();
            for ((ch, w, _), risk) in votes.iter().zip(&risks) {
                if *ch == choice {
                    coherent.weight += w;
                    coherent.risk += risk;
                }
            }
            let p = ruling(&c, choice, coherent, reader(&rounds)).unwrap();
            assert_adds_up(&c, coherent, &p);
            c.pool = p.pool;
            c.coherent_weight = p.coherent_weight;
            c.status = CaseStatus::Ruled { choice, applied: true };
            // Settle in a shuffled order.
            let mut idx: Vec<usize> = (0..votes.len()).collect();
            let mut seed = order;
            for i in (1..idx.len()).rev() {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                idx.swap(i, usize::try_from(seed >> 33).unwrap() % (i + 1));
            }
            let mut returned = 0;
            for i in idx {
                let (ch, weight, _) = votes[i];
                let vote = Vote {
                    commitment: Default::default(),
                    weight,
                    risk: risks[i],
                    revealed: (ch < 10).then_some(ch),
                    voided: false,
                    settled: false,
                };
                let s = vote_split(&c, &vote).unwrap();
                prop_assert_eq!(s.returned + s.forfeited, vote.risk);
                returned += s.returned;
                if s.outcome == VoteOutcome::Coherent {
                    c.paid_weight += weight;
                    c.paid += s.reward;
                } else {
                    prop_assert_eq!(s.reward, 0);
                }
            }
            prop_assert_eq!(c.paid, p.pool, "the pool is paid to the last unit");
            prop_assert_eq!(returned, coherent.risk);
        }
    }
}
