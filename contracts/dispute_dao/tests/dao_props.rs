//! Property test: random juries — stakes, commits, reveals, unrevealed votes,
//! denunciations, bad reveals, appeals — tally exactly, end in the ruling the rules
//! give, pay the pool to the last unit in any settlement order, and conserve tokens.

use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

const JURORS: usize = 6;

fn juror(i: usize) -> AccountId {
    AccountId::from([0x10 + u8::try_from(i).unwrap(); 32])
}

/// What one juror does in one round: 0..=9 commit and reveal that choice; 10 commit and
/// never reveal; 11 sit out; 12 commit and be denounced by Frank; 13 try a wrong salt,
/// then reveal choice 4.
type Plan = Vec<(Vec<u8>, bool)>;

fn total_tokens(dao: &DisputeDao) -> Balance {
    let a = accounts();
    let mut all = vec![
        a.alice,
        a.bob,
        a.charlie,
        a.django,
        a.eve,
        a.frank,
        dao_id(),
    ];
    all.extend((0..JURORS).map(juror));
    let _ = dao;
    all.iter().map(|w| balance(*w)).sum()
}

#[derive(Clone, Copy, Debug)]
struct ModelVote {
    juror: usize,
    round: Round,
    weight: Balance,
    risk: Balance,
    revealed: Option<Choice>,
    voided: bool,
}

fn run(stakes: Vec<Balance>, fund: Balance, plan: Plan, order_seed: u64) {
    let mut dao = setup();
    let a = accounts();
    chain::with(|m| {
        for i in 0..JURORS {
            m.balances.insert(juror(i), 1_000_000);
        }
    });
    let tokens = total_tokens(&dao);
    for (i, s) in stakes.iter().enumerate() {
        as_caller(juror(i));
        dao.stake(*s).unwrap();
    }
    if fund > 0 {
        as_caller(a.alice);
        dao.fund_rewards(fund).unwrap();
    }
    advance(1);
    as_caller(a.alice);
    let case = dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    let total_stake: Balance = stakes.iter().sum();
    assert_eq!(dao.case(case).unwrap().case.total_stake, total_stake);

    let mut votes: Vec<ModelVote> = Vec::new();
    let mut rulings: Vec<Option<Choice>> = Vec::new();
    let mut appeals: Vec<(AccountId, Balance, Choice)> = Vec::new();
    for (actions, appeal) in plan.iter() {
        let round = dao.case(case).unwrap().case.round;
        let salt_of = |i: usize| salt(u8::try_from(i).unwrap() + 16 * round);
        // Commit phase.
        for (i, act) in actions.iter().enumerate() {
            if *act == 11 {
                continue;
            }
            let choice = match *act {
                c @ 0..=9 => c,
                _ => 4,
            };
            let weight = dao.weight_on_case(case, juror(i));
            let c = jury::commitment(choice, salt_of(i), juror(i), case, round);
            as_caller(juror(i));
            let got = dao.commit_vote(case, c);
            if weight == 0 {
                assert_eq!(got, Err(Error::NoVotingWeight));
                continue;
            }
            assert_eq!(got, Ok(()));
            let v = dao.vote_of(case, round, juror(i)).unwrap();
            assert_eq!(v.weight, weight);
            assert_eq!(v.risk, market_types::math::bps_of(weight, 1_000).unwrap());
            votes.push(ModelVote {
                juror: i,
                round,
                weight,
                risk: v.risk,
                revealed: None,
                voided: false,
            });
            if *act == 12 {
                as_caller(a.frank);
                assert_eq!(dao.denounce(case, juror(i), choice, salt_of(i)), Ok(()));
                votes.last_mut().unwrap().voided = true;
            }
        }
        assert_eq!(total_tokens(&dao), tokens);
        assert_solvent(&dao);
        // Reveal phase.
        to_phase(&dao, case, Phase::Reveal);
        for (i, act) in actions.iter().enumerate() {
            let Some(mv) = votes.iter_mut().find(|v| v.juror == i && v.round == round) else {
                continue;
            };
            if mv.voided || *act == 10 {
                continue;
            }
            as_caller(juror(i));
            let choice = if *act == 13 {
                // Wrong salt, and another juror's salt: neither verifies.
                assert_eq!(
                    dao.reveal_vote(case, 4, salt(0xEE)),
                    Err(Error::CommitmentMismatch)
                );
                let other = salt(u8::try_from((i + 1) % JURORS).unwrap() + 16 * round);
                assert_eq!(
                    dao.reveal_vote(case, 4, other),
                    Err(Error::CommitmentMismatch)
                );
                4
            } else {
                *act
            };
            assert_eq!(dao.reveal_vote(case, choice, salt_of(i)), Ok(()));
            mv.revealed = Some(choice);
        }
        // The round's tally equals the sum of the revealed weights.
        let mut weights = [0 as Balance; CHOICES as usize];
        for v in votes.iter().filter(|v| v.round == round) {
            if let Some(c) = v.revealed {
                weights[usize::from(c)] += v.weight;
            }
        }
        for c in 0..CHOICES {
            assert_eq!(dao.tally(case, round, c).weight, weights[usize::from(c)]);
        }
        let revealed: Balance = weights.iter().sum();
        assert_eq!(dao.round_info(case, round).revealed_weight, revealed);
        let needed =
            total_stake * u128::from((2_000 * (u32::from(round) + 1)).min(10_000)) / 10_000;
        let ruling = if revealed > 0 && revealed >= needed {
            // Most weight; a tie to the lower payee share, then to no slash.
            let best = *weights.iter().max().unwrap();
            (0..CHOICES)
                .filter(|c| weights[usize::from(*c)] == best)
                .min_by_key(|c| (c % 5, c / 5))
        } else {
            None
        };
        rulings.push(ruling);
        to_phase(&dao, case, Phase::Appeal);
        let last = usize::from(round) + 1 >= 3;
        if let (Some(r), true, false) = (ruling, *appeal, last) {
            let who = if jury::may_appeal(r, true, true) {
                a.alice
            } else {
                a.bob
            };
            let bond = dao.appeal_bond(case).unwrap();
            as_caller(who);
            assert_eq!(dao.appeal(case), Ok(()));
            appeals.push((who, bond, r));
            continue;
        }
        break;
    }
    // Final ruling per the rules: the last round's, else the previous round's.
    let final_ruling = match rulings.last().copied().flatten() {
        Some(r) => Some(r),
        None => rulings.len().checked_sub(2).and_then(|i| rulings[i]),
    };
    to_phase(&dao, case, Phase::Executable);
    assert_eq!(dao.execute_ruling(case), Ok(()));
    let c = dao.case(case).unwrap().case;
    match final_ruling {
        Some(r) => assert_eq!(
            c.status,
            CaseStatus::Ruled {
                choice: r,
                applied: true
            }
        ),
        None => assert_eq!(c.status, CaseStatus::NoQuorum),
    }
    // The pool: forfeited risk of votes not with the ruling, failed appeals, the reward.
    let live = votes.iter().filter(|v| !v.voided);
    let coherent: Vec<&ModelVote> = votes
        .iter()
        .filter(|v| !v.voided && final_ruling.is_some() && v.revealed == final_ruling)
        .collect();
    if let Some(r) = final_ruling {
        let forfeited: Balance = live.filter(|v| v.revealed != Some(r)).map(|v| v.risk).sum();
        let bonds: Balance = appeals.iter().filter(|x| x.2 == r).map(|x| x.1).sum();
        let reward = fund.min(500);
        let coherent_weight: Balance = coherent.iter().map(|v| v.weight).sum();
        let expected = if coherent_weight == 0 {
            0
        } else {
            forfeited + bonds + reward
        };
        assert_eq!((c.pool, c.coherent_weight), (expected, coherent_weight));
        for (who, bond, appealed) in &appeals {
            if *appealed != r {
                assert!(dao.member(*who).credit >= *bond);
            }
        }
    }
    assert_solvent(&dao);
    // Settle every vote in a random order; rewards add up to the pool exactly.
    let mut order: Vec<usize> = (0..votes.len()).collect();
    let mut seed = order_seed;
    for i in (1..order.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        order.swap(i, usize::try_from(seed >> 33).unwrap() % (i + 1));
    }
    let mut paid: Balance = 0;
    for k in order {
        let v = votes[k];
        let got = dao.settle_vote(case, v.round, juror(v.juror));
        if v.voided {
            assert_eq!(got, Err(Error::AlreadySettled));
            continue;
        }
        let reward = got.unwrap();
        if final_ruling.is_none() || v.revealed != final_ruling {
            assert_eq!(reward, 0);
        }
        paid += reward;
        assert_solvent(&dao);
    }
    assert_eq!(paid, c.pool, "the pool is paid out exactly");
    // Nothing is left at risk; owed is exactly stake, credits and the reserve.
    let mut everyone: Vec<AccountId> = (0..JURORS).map(juror).collect();
    everyone.extend([a.alice, a.bob, a.frank]);
    let mut stake_sum = 0;
    let mut credit_sum = 0;
    let mut per: HashMap<AccountId, Member> = HashMap::new();
    for w in &everyone {
        let m = dao.member(*w);
        assert_eq!((m.at_risk, m.open_votes), (0, 0));
        stake_sum += m.staked;
        credit_sum += m.credit;
        per.insert(*w, m);
    }
    let (total, reserve, owed) = dao.totals();
    assert_eq!(total, stake_sum);
    assert_eq!(owed, stake_sum + credit_sum + reserve);
    // Everyone withdraws their credit; tokens are conserved throughout.
    for w in &everyone {
        if per[w].credit > 0 {
            as_caller(*w);
            assert_eq!(dao.withdraw_credit(), Ok(per[w].credit));
        }
    }
    assert_solvent(&dao);
    assert_eq!(total_tokens(&dao), tokens);
}

fn plan() -> impl Strategy<Value = Plan> {
    proptest::collection::vec(
        (proptest::collection::vec(0u8..14, JURORS), any::<bool>()),
        1..=3,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn random_juries_tally_exactly_and_conserve_tokens(
        stakes in proptest::collection::vec(0u128..200_000, JURORS),
        fund in 0u128..2_000,
        plan in plan(),
        order_seed in any::<u64>(),
    ) {
        // Zero stakes are skipped (stake refuses zero); they keep the juror weightless.
        let stakes: Vec<Balance> = stakes.into_iter().map(|s| s.max(1)).collect();
        ink::env::test::run_test::<E, _>(|_| {
            run(stakes, fund, plan, order_seed);
            Ok(())
        })
        .unwrap();
    }
}
