//! Appeals: a flipped ruling, a failed appeal round, the last round.

use super::*;

#[ink::test]
fn an_appeal_that_flips_the_ruling_gets_its_bond_back_and_rewards_follow_the_final_ruling() {
    let mut dao = with_case();
    let a = accounts();
    // Round 0: Charlie and Django give everything to the payee (4); Eve 0.
    commit(&mut dao, a.charlie, 1, 4, 1);
    commit(&mut dao, a.django, 1, 4, 2);
    commit(&mut dao, a.eve, 1, 0, 3);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 4, 1);
    reveal(&mut dao, a.django, 1, 4, 2);
    reveal(&mut dao, a.eve, 1, 0, 3);
    // Not yet in the appeal window.
    as_caller(a.alice);
    assert_refused!(dao, Error::NotAppealPhase, dao.appeal(1));
    to_phase(&dao, 1, Phase::Appeal);
    // The payee got everything: it may not appeal; a stranger neither.
    as_caller(a.bob);
    assert_refused!(dao, Error::CannotAppeal, dao.appeal(1));
    as_caller(a.eve);
    assert_refused!(dao, Error::NotParty, dao.appeal(1));
    as_caller(a.alice);
    assert_eq!(dao.appeal_bond(1), Some(1_000));
    assert_eq!(dao.appeal(1), Ok(()));
    // The reserve (2 000), the case fee (600), the bond (1 000).
    assert_eq!(balance(a.alice), 1_000_000 - 2_000 - 600 - 1_000);
    let v = dao.case(1).unwrap();
    assert_eq!(
        (v.case.round, v.phase, v.appeal_bond),
        (1, Phase::Commit, Some(2_000))
    );
    // Round 1 lasts twice as long and needs 40 % of 30 000: Charlie changes its mind
    // and votes with Eve.
    commit(&mut dao, a.charlie, 1, 0, 4);
    commit(&mut dao, a.eve, 1, 0, 5);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 0, 4);
    reveal(&mut dao, a.eve, 1, 0, 5);
    to_phase(&dao, 1, Phase::Appeal);
    // Bob may appeal this one; nobody does.
    to_phase(&dao, 1, Phase::Executable);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(calls(), vec![call::resolve(ESCROW, 0)]);
    // The appeal succeeded: Alice's bond comes back as credit.
    assert_eq!(dao.member(a.alice).credit, 1_000);
    let case = dao.case(1).unwrap().case;
    // Coherent with 0: Eve (round 0, weight 10 000), Charlie and Eve (round 1, weights
    // 9 000 each after their round-0 risk left their stake). Pool: Charlie's and
    // Django's round-0 risk (1 000 each) and the reward (500).
    assert_eq!(
        (case.pool, case.coherent_weight),
        (2_500, 10_000 + 9_000 + 9_000)
    );
    assert_eq!(dao.settle_vote(1, 0, a.django), Ok(0));
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(0));
    let r = [
        dao.settle_vote(1, 0, a.eve).unwrap(),
        dao.settle_vote(1, 1, a.charlie).unwrap(),
        dao.settle_vote(1, 1, a.eve).unwrap(),
    ];
    assert_eq!(r.iter().sum::<Balance>(), 2_500);
    assert_eq!(dao.member(a.django).lost, 1_000);
    assert_solvent(&dao);
}

#[ink::test]
fn an_appeal_round_without_quorum_leaves_the_first_ruling_and_forfeits_the_bond() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 4, 1);
    commit(&mut dao, a.django, 1, 4, 2);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 4, 1);
    reveal(&mut dao, a.django, 1, 4, 2);
    to_phase(&dao, 1, Phase::Appeal);
    as_caller(a.alice);
    dao.appeal(1).unwrap();
    // Round 1: nobody votes. The first ruling stands; the bond joins the pool.
    to_phase(&dao, 1, Phase::Executable);
    dao.execute_ruling(1).unwrap();
    assert_eq!(calls(), vec![call::resolve(ESCROW, 10_000)]);
    let case = dao.case(1).unwrap().case;
    assert_eq!(
        case.status,
        CaseStatus::Ruled {
            choice: 4,
            applied: true
        }
    );
    assert_eq!(case.pool, 1_000 + 500);
    assert_eq!(dao.member(a.alice).credit, 0);
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(750));
    assert_eq!(dao.settle_vote(1, 0, a.django), Ok(750));
    assert_solvent(&dao);
}

#[ink::test]
fn the_last_round_has_no_appeal() {
    let mut dao = staked();
    let a = accounts();
    // 10 %, 20 %, 30 %: low enough for two jurors whose stake shrinks by their risk.
    dao.config.jury.quorum_bps = 1_000;
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    for round in 0..3u8 {
        commit(
            &mut dao,
            a.charlie,
            1,
            if round % 2 == 0 { 4 } else { 0 },
            round,
        );
        commit(
            &mut dao,
            a.django,
            1,
            if round % 2 == 0 { 4 } else { 0 },
            10 + round,
        );
        to_phase(&dao, 1, Phase::Reveal);
        reveal(
            &mut dao,
            a.charlie,
            1,
            if round % 2 == 0 { 4 } else { 0 },
            round,
        );
        reveal(
            &mut dao,
            a.django,
            1,
            if round % 2 == 0 { 4 } else { 0 },
            10 + round,
        );
        if round < 2 {
            to_phase(&dao, 1, Phase::Appeal);
            as_caller(if round % 2 == 0 { a.alice } else { a.bob });
            dao.appeal(1).unwrap();
        }
    }
    // Round 2 (the last) ended its reveal phase: final at once, no appeal window.
    to_phase(&dao, 1, Phase::Appeal);
    assert_eq!(dao.case(1).unwrap().phase, Phase::Executable);
    as_caller(a.bob);
    assert_refused!(dao, Error::NotAppealPhase, dao.appeal(1));
    dao.execute_ruling(1).unwrap();
    // Alice's appeal failed (4 stood), Bob's succeeded (0 was overturned).
    assert_eq!(dao.member(a.bob).credit, 2_000);
    // Pool: the round-1 votes for 0 (900 at risk each), Alice's bond, the reward.
    assert_eq!(dao.case(1).unwrap().case.pool, 900 + 900 + 1_000 + 500);
    assert_eq!(dao.case(1).unwrap().case.coherent_weight, 20_000 + 16_200);
    assert_solvent(&dao);
}
