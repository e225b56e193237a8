//! The jury's rules as plain functions, with no ink! environment: the phases of a round,
//! the commitment a juror binds its vote with, quorum and the ruling a round reaches,
//! who may appeal and for what bond, and how a final ruling settles each vote. The
//! contract calls these; unit and property tests hit them directly.

use crate::types::{
    Case, Choice, JuryParams, Phase, Round, RoundInfo, Vote, VoteOutcome, CHOICES, OPTIONS,
};
use ink::primitives::{AccountId, Hash};
use market_types::math::{bps_of, mul_div_floor};
use market_types::{Balance, Bps, Timestamp, BPS_DENOMINATOR, MAX_PERIOD_MS};

/// The ends of a round's phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phases {
    pub commit_end: Timestamp,
    pub reveal_end: Timestamp,
    /// Equal to `reveal_end` in the last round (no appeal).
    pub appeal_end: Timestamp,
}

/// Round `round` starting at `start` lasts `(round + 1)` times the first round's
/// phases; the last round has no appeal window.
pub fn phases(start: Timestamp, jury: &JuryParams, round: Round) -> Option<Phases> {
    let m = u64::from(round).checked_add(1)?;
    let commit_end = start.checked_add(jury.commit_ms.checked_mul(m)?)?;
    let reveal_end = commit_end.checked_add(jury.reveal_ms.checked_mul(m)?)?;
    let appeal_end = if is_last(jury, round) {
        reveal_end
    } else {
        reveal_end.checked_add(jury.appeal_ms.checked_mul(m)?)?
    };
    Some(Phases {
        commit_end,
        reveal_end,
        appeal_end,
    })
}

/// Whether `round` is the last a case with these parameters may have.
pub fn is_last(jury: &JuryParams, round: Round) -> bool {
    u16::from(round).saturating_add(1) >= u16::from(jury.rounds)
}

/// The longest a case can last: every round at its full length, each appealed at the
/// last moment of its window.
pub fn max_case_ms(jury: &JuryParams) -> Option<u64> {
    let mut total: u64 = 0;
    let mut r: Round = 0;
    while r < jury.rounds {
        let p = phases(0, jury, r)?;
        total = total.checked_add(p.appeal_end)?;
        r = r.checked_add(1)?;
    }
    Some(total)
}

/// The room a case needs before the vault's ruling deadline: every round at its full
/// length plus one commit phase of margin to execute the ruling.
pub fn case_room_ms(jury: &JuryParams) -> Option<u64> {
    max_case_ms(jury)?.checked_add(jury.commit_ms)
}

/// Whether cases with these parameters fit a vault ruling window of `ruling_window_ms`
/// (a dispute opened and made a case in the same block must still end, with room to
/// execute, before its ruling deadline). `InvalidParams` otherwise.
pub fn check_window(jury: &JuryParams, ruling_window_ms: u64) -> Result<(), crate::Error> {
    let room = case_room_ms(jury).ok_or(crate::Error::Overflow)?;
    if ruling_window_ms > room {
        Ok(())
    } else {
        Err(crate::Error::InvalidParams)
    }
}

/// Whether the parameters are usable: non-zero phases, shares within 100 %, rounds in
/// `1..=MAX_ROUNDS`, a quorum cap and a minimum of jurors above zero, a case fee at
/// least the juror reward, and a longest case within `MAX_PERIOD_MS`.
pub fn check_jury(jury: &JuryParams) -> Result<u64, crate::Error> {
    use crate::Error::{InvalidParams, PeriodTooLong};
    if jury.commit_ms == 0
        || jury.reveal_ms == 0
        || jury.appeal_ms == 0
        || jury.quorum_bps == 0
        || jury.quorum_bps > BPS_DENOMINATOR
        || jury.quorum_cap == 0
        || jury.min_jurors == 0
        || jury.case_fee < jury.juror_reward
        || jury.penalty_bps > BPS_DENOMINATOR
        || jury.slash_bps > BPS_DENOMINATOR
        || jury.rounds == 0
        || jury.rounds > crate::types::MAX_ROUNDS
        || jury.appeal_bond == 0
    {
        return Err(InvalidParams);
    }
    // The bond of the last appeal must be representable.
    appeal_bond(jury.appeal_bond, jury.rounds.saturating_sub(1)).ok_or(InvalidParams)?;
    let longest = max_case_ms(jury).ok_or(PeriodTooLong)?;
    if longest > MAX_PERIOD_MS {
        return Err(PeriodTooLong);
    }
    Ok(longest)
}

/// What a juror commits to: blake2-256 of `(choice, salt, juror, case, round)`,
/// SCALE-encoded (one byte, 32 bytes, 32 bytes, 8 bytes little-endian, one byte). The
/// juror and the case are inside, so a commitment copied from another juror, case or
/// round never verifies for the copier.
pub fn commitment(
    choice: Choice,
    salt: [u8; 32],
    juror: AccountId,
    case: u64,
    round: Round,
) -> Hash {
    let mut out = [0u8; 32];
    ink::env::hash_encoded::<ink::env::hash::Blake2x256, _>(
        &(choice, salt, juror, case, round),
        &mut out,
    );
    Hash::from(out)
}

/// The payee's share of the frozen amount under `choice` (`None`: not a choice).
pub fn payee_bps(choice: Choice) -> Option<Bps> {
    if choice >= CHOICES {
        return None;
    }
    OPTIONS.get(usize::from(choice.checked_rem(5)?)).copied()
}

/// Whether `choice` also slashes the escrow's collateral.
pub fn slashes(choice: Choice) -> bool {
    (5..CHOICES).contains(&choice)
}

/// A choice is valid if it is one of the options; slash options only when the escrow
/// has collateral.
pub fn valid_choice(choice: Choice, slashable: bool) -> bool {
    choice < CHOICES && (slashable || !slashes(choice))
}

/// Revealed weight round `round` needs: `(round + 1) × min(quorum_bps of total,
/// quorum_cap)`, at most `total` (the stake snapshotted when the case opened, the
/// parties' own left out).
///
/// Why a cap: a share of the snapshotted stake alone lets stake that never takes part
/// block every hearing — a party's second account stakes before the snapshot and
/// never votes. With the cap, that stake raises the quorum at most to `quorum_cap`
/// (times the round), which the jurors who do take part can always reach; an appeal
/// still asks for more weight each round. What the cap gives up: a party that funds
/// `quorum_cap` of stake through sybil jurors (and `min_jurors` accounts) can decide a
/// first round nobody else votes in — at the risk of losing its stake at risk if
/// others vote, and an appeal asks it for twice as much.
pub fn quorum_needed(total: Balance, jury: &JuryParams, round: Round) -> Option<Balance> {
    let base = bps_of(total, jury.quorum_bps)?.min(jury.quorum_cap);
    let rounds = Balance::from(round).checked_add(1)?;
    Some(base.saturating_mul(rounds).min(total))
}

/// Whether a round's reveals make quorum: at least [`quorum_needed`] revealed weight
/// (never zero) from at least `min_jurors` revealed votes.
pub fn quorum_met(total: Balance, jury: &JuryParams, round: Round, info: &RoundInfo) -> bool {
    match quorum_needed(total, jury, round) {
        Some(needed) => {
            info.revealed_weight > 0
                && info.revealed_weight >= needed
                && info.reveals >= jury.min_jurors
        }
        None => false,
    }
}

/// The choice with the most revealed weight; a tie goes to the choice that gives the
/// payee less, then to the one without a slash (the milder ruling for each side in
/// turn). `None` when nothing was revealed.
pub fn plurality(weights: &[Balance; CHOICES as usize]) -> Option<Choice> {
    // (weight, then the tie order: lower payee share first, then no slash)
    let rank = |c: Choice| (payee_bps(c).unwrap_or(0), slashes(c));
    let mut best: Option<(Choice, Balance)> = None;
    let mut c: Choice = 0;
    for w in weights.iter() {
        let better = match best {
            None => *w > 0,
            Some((bc, bw)) => *w > bw || (*w == bw && rank(c) < rank(bc)),
        };
        if better {
            best = Some((c, *w));
        }
        c = c.saturating_add(1);
    }
    best.map(|(c, _)| c)
}

/// Whether the payer (`is_payer`) or the payee may appeal `ruling`: any party the
/// ruling did not fully favour.
pub fn may_appeal(ruling: Choice, is_payer: bool, slashable: bool) -> bool {
    let share = payee_bps(ruling).unwrap_or(0);
    let fully_favoured = if is_payer {
        share == 0 && (slashes(ruling) || !slashable)
    } else {
        share == BPS_DENOMINATOR && !slashes(ruling)
    };
    !fully_favoured
}

/// The bond to appeal round `round`: `base × 2^round`.
pub fn appeal_bond(base: Balance, round: Round) -> Option<Balance> {
    base.checked_mul(1u128.checked_shl(u32::from(round))?)
}

/// Where a case stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finality {
    /// A phase of the current round runs until the given time.
    Running(Phase, Timestamp),
    /// Final: the ruling (`None`: the first round missed quorum, no ruling).
    Final(Option<Choice>),
}

/// The current round's outcome: its ruling if it met quorum.
pub fn round_ruling(
    case: &Case,
    weights: &[Balance; CHOICES as usize],
    info: &RoundInfo,
) -> Option<Choice> {
    if quorum_met(case.total_stake, &case.jury, case.round, info) {
        plurality(weights)
    } else {
        None
    }
}

/// [`finality`] while the round's commit or reveal phase runs at `now` (`Some`), which
/// needs neither its tally nor its votes; `None` after them. `None` outside: overflow.
pub fn voting_phase(case: &Case, now: Timestamp) -> Option<Option<Finality>> {
    let p = phases(case.round_start, &case.jury, case.round)?;
    Some(if now < p.commit_end {
        Some(Finality::Running(Phase::Commit, p.commit_end))
    } else if now < p.reveal_end {
        Some(Finality::Running(Phase::Reveal, p.reveal_end))
    } else {
        None
    })
}

/// Whether the case is final at `now`, and with which ruling. A round that misses quorum
/// leaves the previous round's ruling standing (`previous`), or no ruling at all in the
/// first round.
pub fn finality(
    case: &Case,
    now: Timestamp,
    weights: &[Balance; CHOICES as usize],
    info: &RoundInfo,
    previous: Option<Choice>,
) -> Option<Finality> {
    if let Some(running) = voting_phase(case, now)? {
        return Some(running);
    }
    let p = phases(case.round_start, &case.jury, case.round)?;
    Some(match round_ruling(case, weights, info) {
        Some(_) if now < p.appeal_end => Finality::Running(Phase::Appeal, p.appeal_end),
        Some(c) => Finality::Final(Some(c)),
        None => Finality::Final(previous),
    })
}

/// How settling `vote` ends once the case's final ruling is `ruling`.
pub fn outcome(vote: &Vote, ruling: Option<Choice>) -> VoteOutcome {
    match (vote.revealed, ruling) {
        (None, _) => VoteOutcome::NotRevealed,
        (Some(_), None) => VoteOutcome::NoRuling,
        (Some(c), Some(r)) if c == r => VoteOutcome::Coherent,
        (Some(_), Some(_)) => VoteOutcome::Incoherent,
    }
}

/// A coherent vote's share of the pool: `pool × weight / coherent_weight`, rounded down,
/// except that the vote completing the coherent weight takes whatever is left, so the
/// pool is paid out exactly whatever order jurors settle in.
pub fn reward(case: &Case, weight: Balance) -> Option<Balance> {
    let after = case.paid_weight.checked_add(weight)?;
    if after >= case.coherent_weight {
        case.pool.checked_sub(case.paid)
    } else {
        mul_div_floor(case.pool, weight, case.coherent_weight)
    }
}

/// What settling `vote` gives back now: `(outcome, stake returned, reward)`.
pub fn settlement(case: &Case, vote: &Vote) -> Option<(VoteOutcome, Balance, Balance)> {
    let ruling = match case.status {
        crate::types::CaseStatus::Open => return None,
        crate::types::CaseStatus::Ruled { choice, .. } => Some(choice),
        crate::types::CaseStatus::NoQuorum => None,
    };
    let o = outcome(vote, ruling);
    Some(match o {
        VoteOutcome::Coherent => (o, vote.risk, reward(case, vote.weight)?),
        VoteOutcome::NoRuling => (o, vote.risk, 0),
        VoteOutcome::Incoherent | VoteOutcome::NotRevealed => (o, 0, 0),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn jury() -> JuryParams {
        JuryParams {
            commit_ms: 100,
            reveal_ms: 50,
            appeal_ms: 20,
            quorum_bps: 2_000,
            quorum_cap: 1_000_000,
            min_jurors: 1,
            rounds: 3,
            penalty_bps: 1_000,
            appeal_bond: 1_000,
            juror_reward: 500,
            case_fee: 500,
            slash_bps: 5_000,
        }
    }

    #[test]
    fn rounds_get_longer_and_the_last_has_no_appeal() {
        let j = jury();
        assert_eq!(
            phases(1_000, &j, 0),
            Some(Phases {
                commit_end: 1_100,
                reveal_end: 1_150,
                appeal_end: 1_170
            })
        );
        assert_eq!(
            phases(0, &j, 1),
            Some(Phases {
                commit_end: 200,
                reveal_end: 300,
                appeal_end: 340
            })
        );
        assert_eq!(
            phases(0, &j, 2),
            Some(Phases {
                commit_end: 300,
                reveal_end: 450,
                appeal_end: 450
            })
        );
        assert_eq!(max_case_ms(&j), Some(170 + 340 + 450));
        assert_eq!(check_jury(&j), Ok(960));
        assert_eq!(phases(u64::MAX, &j, 0), None);
    }

    #[test]
    fn bad_parameters_are_refused() {
        for bad in [
            JuryParams {
                commit_ms: 0,
                ..jury()
            },
            JuryParams {
                quorum_bps: 10_001,
                ..jury()
            },
            JuryParams {
                rounds: 0,
                ..jury()
            },
            JuryParams {
                rounds: 5,
                ..jury()
            },
            JuryParams {
                penalty_bps: 10_001,
                ..jury()
            },
            JuryParams {
                appeal_bond: 0,
                ..jury()
            },
            JuryParams {
                appeal_bond: u128::MAX,
                ..jury()
            },
            JuryParams {
                quorum_cap: 0,
                ..jury()
            },
            JuryParams {
                min_jurors: 0,
                ..jury()
            },
            JuryParams {
                case_fee: 499,
                ..jury()
            },
        ] {
            assert_eq!(
                check_jury(&bad),
                Err(crate::Error::InvalidParams),
                "{bad:?}"
            );
        }
        let long = JuryParams {
            commit_ms: MAX_PERIOD_MS,
            ..jury()
        };
        assert_eq!(check_jury(&long), Err(crate::Error::PeriodTooLong));
    }

    #[test]
    fn choices_map_to_splits_and_slashes() {
        assert_eq!(payee_bps(0), Some(0));
        assert_eq!(payee_bps(4), Some(10_000));
        assert_eq!(payee_bps(7), Some(5_000));
        assert_eq!(payee_bps(10), None);
        assert!(!slashes(4) && slashes(5) && slashes(9) && !slashes(10));
        assert!(valid_choice(9, true) && !valid_choice(9, false) && valid_choice(4, false));
        assert!(!valid_choice(10, true));
    }

    #[test]
    fn plurality_breaks_ties_towards_the_lower_choice() {
        let mut w = [0u128; 10];
        assert_eq!(plurality(&w), None);
        w[3] = 5;
        w[6] = 5;
        // 75 % (3) ties with 25 % and a slash (6): the lower payee share.
        assert_eq!(plurality(&w), Some(6));
        w[6] = 6;
        assert_eq!(plurality(&w), Some(6));
        // All to the payee (4) ties with all to the payer plus a slash (5): the payer's.
        let mut w = [0u128; 10];
        w[4] = 7;
        w[5] = 7;
        assert_eq!(plurality(&w), Some(5));
        // 25 % with a slash (6) ties with 50 % (2): the lower payee share wins.
        let mut w = [0u128; 10];
        w[2] = 3;
        w[6] = 3;
        assert_eq!(plurality(&w), Some(6));
        // Same share, with and without a slash: no slash.
        let mut w = [0u128; 10];
        w[7] = 3;
        w[2] = 3;
        assert_eq!(plurality(&w), Some(2));
    }

    fn revealed(weight: Balance, reveals: u32) -> RoundInfo {
        RoundInfo {
            revealed_weight: weight,
            reveals,
            ..RoundInfo::default()
        }
    }

    #[test]
    fn quorum_grows_with_each_round() {
        let j = jury();
        assert!(quorum_met(1_000, &j, 0, &revealed(200, 1)));
        assert!(!quorum_met(1_000, &j, 0, &revealed(199, 1)));
        assert!(!quorum_met(1_000, &j, 1, &revealed(399, 1)));
        assert!(quorum_met(1_000, &j, 1, &revealed(400, 1)));
        let high = JuryParams {
            quorum_bps: 6_000,
            ..j
        };
        // 3 × 60 % is capped at 100 %.
        assert!(quorum_met(1_000, &high, 2, &revealed(1_000, 1)));
        assert!(!quorum_met(1_000, &high, 2, &revealed(999, 1)));
        assert!(!quorum_met(0, &j, 0, &revealed(0, 0)));
    }

    #[test]
    fn stake_that_never_votes_raises_quorum_only_up_to_the_cap() {
        let j = JuryParams {
            quorum_cap: 15_000,
            ..jury()
        };
        // 30 000 of jurors, and 200 000 of a party's second account that never votes.
        assert_eq!(quorum_needed(30_000, &j, 0), Some(6_000));
        assert_eq!(quorum_needed(230_000, &j, 0), Some(15_000));
        assert!(quorum_met(230_000, &j, 0, &revealed(30_000, 3)));
        // An appeal still asks for more: twice, three times the cap.
        assert_eq!(quorum_needed(230_000, &j, 1), Some(30_000));
        assert_eq!(quorum_needed(230_000, &j, 2), Some(45_000));
        assert!(!quorum_met(230_000, &j, 1, &revealed(29_999, 3)));
        // Never more than all the stake.
        assert_eq!(quorum_needed(20_000, &j, 2), Some(12_000));
        assert_eq!(quorum_needed(10_000, &j, 3), Some(8_000));
        let all = JuryParams {
            quorum_bps: 6_000,
            ..j
        };
        assert_eq!(quorum_needed(10_000, &all, 1), Some(10_000));
    }

    #[test]
    fn quorum_needs_the_minimum_of_jurors() {
        let j = JuryParams {
            min_jurors: 2,
            ..jury()
        };
        assert!(!quorum_met(1_000, &j, 0, &revealed(1_000, 1)));
        assert!(quorum_met(1_000, &j, 0, &revealed(400, 2)));
    }

    #[test]
    fn a_case_must_fit_the_vaults_ruling_window() {
        let j = jury();
        // The longest case (960 ms) plus a commit phase (100 ms).
        assert_eq!(case_room_ms(&j), Some(1_060));
        assert_eq!(check_window(&j, 1_060), Err(crate::Error::InvalidParams));
        assert_eq!(check_window(&j, 1_061), Ok(()));
    }

    #[test]
    fn only_a_party_not_fully_favoured_may_appeal() {
        // All to the payee, no slash: the payer may, the payee may not.
        assert!(may_appeal(4, true, true) && !may_appeal(4, false, true));
        // All to the payer and a slash: only the payee.
        assert!(!may_appeal(5, true, true) && may_appeal(5, false, true));
        // All to the payer, no collateral to slash: the payer got everything.
        assert!(!may_appeal(0, true, false) && may_appeal(0, true, true));
        // A split: both.
        assert!(may_appeal(2, true, false) && may_appeal(2, false, false));
        assert_eq!(appeal_bond(1_000, 0), Some(1_000));
        assert_eq!(appeal_bond(1_000, 2), Some(4_000));
        assert_eq!(appeal_bond(u128::MAX, 1), None);
    }

    #[test]
    fn a_commitment_binds_the_juror_case_and_round() {
        let a = AccountId::from([1; 32]);
        let b = AccountId::from([2; 32]);
        let c = commitment(3, [9; 32], a, 7, 0);
        assert_eq!(c, commitment(3, [9; 32], a, 7, 0));
        assert_ne!(c, commitment(3, [9; 32], b, 7, 0));
        assert_ne!(c, commitment(3, [9; 32], a, 8, 0));
        assert_ne!(c, commitment(3, [9; 32], a, 7, 1));
        assert_ne!(c, commitment(4, [9; 32], a, 7, 0));
        assert_ne!(c, commitment(3, [8; 32], a, 7, 0));
    }
}
