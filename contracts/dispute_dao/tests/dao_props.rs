//! Property test: random juries — stakes, commits, reveals, unrevealed votes,
//! denunciations, bad reveals, appeals, a juror unbonding part of its stake mid-case,
//! credits withdrawn mid-case, the payee refunding the escrow before or during the
//! case, a jury-parameter change passed while the case runs — tally exactly, end in the
//! ruling the rules give (a slash of the frozen-based amount even after a refund, and
//! the collateral hold ended), pay the pool to the last unit in any settlement order,
//! and conserve tokens. After every step (each message, refused ones included, and
//! each move at the vault) the ledger's invariant holds (`assert_books`: the DAO's
//! balance is `owed`, and `owed` is every stake, unbonding stake, credit, the reserve
//! and what each case holds).

use super::governance_tests::at;
use super::*;
use market_types::math::bps_of;
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

/// Everyone who may stake, vote, appeal or be credited.
fn members() -> Vec<AccountId> {
    let a = accounts();
    let mut all = vec![a.alice, a.bob, a.charlie, a.django, a.eve, a.frank];
    all.extend((0..JURORS).map(juror));
    all
}

/// Runs one step, then checks the ledger's invariant.
macro_rules! step {
    ($dao:ident, $call:expr) => {{
        let r = $call;
        assert_books(&$dao, &members());
        r
    }};
}

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

/// What else happens around the jury: the collateral's size, when the payee refunds
/// the escrow (0 never, 1 before the case opens, `2 + r` during round `r`), a jury
/// change passed during round 0, and a juror that unbonds a share (in quarters) of
/// its stake after round 0's commits.
#[derive(Clone, Debug)]
struct World {
    collateral: Balance,
    refund: u8,
    change: Option<JuryParams>,
    unstake: Option<(usize, u8)>,
}

/// Whether the stand-in vault still has escrow 7 disputed.
fn disputed() -> bool {
    facts(ESCROW).disputed
}

fn run(stakes: Vec<Balance>, fund: Balance, plan: Plan, order_seed: u64, world: World) {
    let mut dao = setup();
    let a = accounts();
    for i in 0..JURORS {
        set_balance(juror(i), 1_000_000);
        psp22::set_allowance(token_id(), juror(i), dao_id(), Balance::MAX);
    }
    set_collateral(COLLATERAL, world.collateral);
    let tokens = total_tokens(&dao);
    for (i, s) in stakes.iter().enumerate() {
        as_caller(juror(i));
        step!(dao, dao.stake(*s)).unwrap();
    }
    if fund > 0 {
        as_caller(a.alice);
        step!(dao, dao.fund_rewards(fund)).unwrap();
    }
    advance(1);
    // Frank stakes in the dispute's block, to pass a jury change later: no weight on
    // the case, and not in its quorum base.
    if world.change.is_some() {
        as_caller(a.frank);
        step!(dao, dao.stake(900_000)).unwrap();
    }
    let mut refunded = false;
    if world.refund == 1 {
        step!(dao, vault::payee_refund(vault_id(), ESCROW));
        refunded = true;
    }
    let reserve = dao.totals().1;
    as_caller(a.alice);
    let case = step!(dao, dao.open_case(ESCROW, "ipfs://e".into())).unwrap();
    let total_stake: Balance = stakes.iter().sum();
    let opened = dao.case(case).unwrap().case;
    assert_eq!(opened.total_stake, total_stake);
    // The fee (600) went to the reserve, the reward (500) came out of it.
    assert_eq!(opened.reward_reserved, 500);
    assert_eq!(dao.totals().1, reserve + 600 - 500);
    let mut second_case: Option<CaseId> = None;
    let mut unbonded: Option<(usize, Balance)> = None;

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
            let got = step!(dao, dao.commit_vote(case, c));
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
                assert_eq!(
                    step!(dao, dao.denounce(case, juror(i), choice, salt_of(i))),
                    Ok(())
                );
                votes.last_mut().unwrap().voided = true;
            }
        }
        assert_eq!(total_tokens(&dao), tokens);
        // Frank takes his bounties as they come.
        if dao.member(a.frank).credit > 0 {
            as_caller(a.frank);
            let credit = dao.member(a.frank).credit;
            assert_eq!(step!(dao, dao.withdraw_credit()), Ok(credit));
        }
        // A juror unbonds part of what its votes left of its stake: its later votes
        // weigh that much less.
        if let (Some((i, quarters)), 0) = (world.unstake, round) {
            let free = dao.member(juror(i)).staked;
            let amount = free / 4 * Balance::from(quarters);
            as_caller(juror(i));
            let got = step!(dao, dao.request_unstake(amount));
            if amount == 0 {
                assert_eq!(got, Err(Error::ZeroAmount));
            } else {
                assert_eq!(got, Ok(()));
                unbonded = Some((i, amount));
            }
            let refused = step!(dao, dao.withdraw_unstaked());
            let expected = if amount == 0 {
                Error::NothingUnbonding
            } else {
                Error::StillUnbonding
            };
            assert_eq!(refused, Err(expected));
        }
        // Frank proposes a jury change now and votes for it; it is executed during
        // this round's reveal phase.
        let proposal = match (world.change, round) {
            (Some(jury), 0) => {
                at(now() + 1);
                as_caller(a.frank);
                let id = step!(
                    dao,
                    dao.propose(Action::SetJuryParams { jury }, Hash::from([1; 32]))
                )
                .unwrap();
                let p = dao.proposal(id).unwrap();
                at(p.proposal.vote_start);
                assert_eq!(step!(dao, dao.vote(id, true)), Ok(()));
                Some((id, p.eta, jury))
            }
            _ => None,
        };
        if world.refund == 2 + round && disputed() {
            step!(dao, vault::payee_refund(vault_id(), ESCROW));
            refunded = true;
        }
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
                    step!(dao, dao.reveal_vote(case, 4, salt(0xEE))),
                    Err(Error::CommitmentMismatch)
                );
                let other = salt(u8::try_from((i + 1) % JURORS).unwrap() + 16 * round);
                assert_eq!(
                    step!(dao, dao.reveal_vote(case, 4, other)),
                    Err(Error::CommitmentMismatch)
                );
                4
            } else {
                *act
            };
            assert_eq!(
                step!(dao, dao.reveal_vote(case, choice, salt_of(i))),
                Ok(())
            );
            mv.revealed = Some(choice);
        }
        if let Some((id, eta, jury)) = proposal {
            // Still in the reveal phase of round 0.
            at(eta);
            assert_eq!(dao.case(case).unwrap().phase, Phase::Reveal);
            assert_eq!(step!(dao, dao.execute_proposal(id)), Ok(()));
            assert_eq!(dao.config().jury, jury);
            // The running case keeps what it opened with; a new one takes the change.
            assert_eq!(dao.case(case).unwrap().case.jury, jury_params());
            assert_eq!(dao.case(case).unwrap().case.round_start, opened.round_start);
            add_disputed_escrow(8, Some(COLLATERAL), ink::env::block_number::<E>());
            as_caller(a.alice);
            let id2 = step!(dao, dao.open_case(8, "ipfs://second".into())).unwrap();
            let c2 = dao.case(id2).unwrap().case;
            assert_eq!(
                (c2.jury, c2.fee, c2.reward_reserved),
                (jury, jury.case_fee, jury.juror_reward)
            );
            second_case = Some(id2);
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
        // (r + 1) × min(20 % of the stake, the 15 000 cap), at most all of it, from at
        // least one reveal (the case's own parameters, whatever changed since).
        let needed =
            ((total_stake * 2_000 / 10_000).min(15_000) * (u128::from(round) + 1)).min(total_stake);
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
            assert_eq!(step!(dao, dao.appeal(case)), Ok(()));
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
    let calls_before = calls().len();
    assert_eq!(step!(dao, dao.execute_ruling(case)), Ok(()));
    let c = dao.case(case).unwrap().case;
    match final_ruling {
        Some(r) => assert_eq!(
            c.status,
            CaseStatus::Ruled {
                choice: r,
                applied: !refunded
            }
        ),
        None => assert_eq!(c.status, CaseStatus::NoQuorum),
    }
    // At the vault: the split while disputed, the slash (50 % of the frozen 1 000 000,
    // at most the collateral) even after a refund, then the end of the hold.
    let mut expected = Vec::new();
    if let Some(r) = final_ruling {
        if !refunded {
            expected.push(call::resolve(ESCROW, jury::payee_bps(r).unwrap()));
        }
        let slash = bps_of(HELD, 5_000).unwrap().min(world.collateral);
        if jury::slashes(r) && slash > 0 {
            expected.push(call::slash(COLLATERAL, vec![(a.alice, slash)]));
        }
    }
    if refunded {
        expected.push(call::release_hold(ESCROW));
    }
    assert_eq!(calls()[calls_before..].to_vec(), expected);
    assert!(!facts(ESCROW).collateral_held);
    // The pool: forfeited risk of votes not with the ruling, failed appeals, the reward.
    let live = votes.iter().filter(|v| !v.voided);
    let coherent: Vec<&ModelVote> = votes
        .iter()
        .filter(|v| !v.voided && final_ruling.is_some() && v.revealed == final_ruling)
        .collect();
    if let Some(r) = final_ruling {
        let forfeited: Balance = live.filter(|v| v.revealed != Some(r)).map(|v| v.risk).sum();
        let bonds: Balance = appeals.iter().filter(|x| x.2 == r).map(|x| x.1).sum();
        // The fee refilled the reserve first: the reward is always whole.
        let reward = 500;
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
        let got = step!(dao, dao.settle_vote(case, v.round, juror(v.juror)));
        if v.voided {
            assert_eq!(got, Err(Error::AlreadySettled));
            continue;
        }
        let reward = got.unwrap();
        if final_ruling.is_none() || v.revealed != final_ruling {
            assert_eq!(reward, 0);
        }
        paid += reward;
    }
    assert_eq!(paid, c.pool, "the pool is paid out exactly");
    // Nothing is left at risk; owed is exactly stake, credits and the reserve.
    let mut everyone: Vec<AccountId> = (0..JURORS).map(juror).collect();
    everyone.extend([a.alice, a.bob, a.frank]);
    let mut stake_sum = 0;
    let mut other_sum = 0;
    let mut per: HashMap<AccountId, Member> = HashMap::new();
    for w in &everyone {
        let m = dao.member(*w);
        assert_eq!((m.at_risk, m.open_votes), (0, 0));
        stake_sum += m.staked;
        other_sum += m.credit + m.unbonding;
        per.insert(*w, m);
    }
    let (total, reserve, owed) = dao.totals();
    assert_eq!(total, stake_sum);
    // A second case still open holds its reward.
    let held_by_second = second_case.map_or(0, |id| dao.case(id).unwrap().case.reward_reserved);
    assert_eq!(owed, stake_sum + other_sum + reserve + held_by_second);
    // Everyone withdraws their credit, and the unbonded stake once the delay passed;
    // tokens are conserved throughout.
    for w in &everyone {
        if per[w].credit > 0 {
            as_caller(*w);
            assert_eq!(step!(dao, dao.withdraw_credit()), Ok(per[w].credit));
        }
    }
    if let Some((i, amount)) = unbonded {
        assert_eq!(per[&juror(i)].unbonding, amount);
        at(now() + 5_000);
        as_caller(juror(i));
        assert_eq!(step!(dao, dao.withdraw_unstaked()), Ok(amount));
    }
    assert_eq!(total_tokens(&dao), tokens);
}

fn plan() -> impl Strategy<Value = Plan> {
    proptest::collection::vec(
        (
            // Unrevealed votes and absent jurors weighted up, so rounds miss quorum too.
            proptest::collection::vec(
                prop_oneof![4 => 0u8..14, 1 => Just(10u8), 1 => Just(11u8)],
                JURORS,
            ),
            any::<bool>(),
        ),
        1..=3,
    )
}

/// Jury parameters governance may pass: each usable, and a longest case shorter than
/// the unbonding delay (5 000 ms) and the vault's ruling window.
fn new_jury() -> impl Strategy<Value = JuryParams> {
    (
        (50u64..300, 50u64..300, 10u64..100, 1u8..=3),
        (500u16..5_000, 1u128..100_000, 1u32..4, 0u16..3_000),
        (1u128..5_000, 0u128..1_000, 0u128..1_000, 0u16..=10_000),
    )
        .prop_map(
            |(
                (commit_ms, reveal_ms, appeal_ms, rounds),
                (quorum_bps, quorum_cap, min_jurors, penalty_bps),
                (appeal_bond, juror_reward, extra_fee, slash_bps),
            )| JuryParams {
                commit_ms,
                reveal_ms,
                appeal_ms,
                quorum_bps,
                quorum_cap,
                min_jurors,
                rounds,
                penalty_bps,
                appeal_bond,
                juror_reward,
                case_fee: juror_reward + extra_fee,
                slash_bps,
            },
        )
}

fn world() -> impl Strategy<Value = World> {
    (
        1u128..1_000_000,
        0u8..=4,
        proptest::option::of(new_jury()),
        proptest::option::of((0..JURORS, 0u8..=4)),
    )
        .prop_map(|(collateral, refund, change, unstake)| World {
            collateral,
            refund,
            change,
            unstake,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn random_juries_tally_exactly_and_conserve_tokens(
        // Large stakes (the quorum cap binds) and small ones (the share does, and
        // rounds miss quorum more often).
        stakes in proptest::collection::vec(prop_oneof![0u128..200_000, 0u128..3_000], JURORS),
        fund in 0u128..2_000,
        plan in plan(),
        order_seed in any::<u64>(),
        world in world(),
    ) {
        // Zero stakes are skipped (stake refuses zero); they keep the juror weightless.
        let stakes: Vec<Balance> = stakes.into_iter().map(|s| s.max(1)).collect();
        ink::env::test::run_test::<E, _>(|_| {
            run(stakes, fund, plan, order_seed, world);
            Ok(())
        })
        .unwrap();
    }
}
