//! Executing a final case (the split, the slash, the pool, the fallback without quorum,
//! a vault that refuses or an escrow that left its dispute) and settling its votes.

use super::*;
use market_types::SettleReason;

#[ink::test]
fn a_split_ruling_with_a_slash_moves_exactly_the_frozen_amount_and_pays_jurors() {
    let mut dao = with_case();
    let a = accounts();
    // Charlie and Django: 50 % + slash (7); Eve: 25 % (1).
    commit(&mut dao, a.charlie, 1, 7, 1);
    commit(&mut dao, a.django, 1, 7, 2);
    commit(&mut dao, a.eve, 1, 1, 3);
    assert_refused!(dao, Error::NotFinal, dao.execute_ruling(1));
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 7, 1);
    reveal(&mut dao, a.django, 1, 7, 2);
    reveal(&mut dao, a.eve, 1, 1, 3);
    assert_eq!(dao.case(1).unwrap().leading, Some(7));
    to_phase(&dao, 1, Phase::Appeal);
    assert_refused!(dao, Error::NotFinal, dao.execute_ruling(1));
    assert_refused!(dao, Error::NotFinal, dao.settle_vote(1, 0, a.charlie));
    to_phase(&dao, 1, Phase::Executable);
    assert_eq!(dao.case(1).unwrap().phase, Phase::Executable);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    // The vault: the split, then 50 % of the frozen 1 000 000 (the slash rate), capped
    // by the 400 000 of collateral, to the payer.
    let calls = calls();
    assert_eq!(
        calls,
        vec![
            call::resolve(ESCROW, 5_000),
            call::slash(COLLATERAL, vec![(a.alice, 400_000)])
        ]
    );
    let case = dao.case(1).unwrap().case;
    assert_eq!(
        case.status,
        CaseStatus::Ruled {
            choice: 7,
            applied: true
        }
    );
    // Pool: Eve's forfeited 1 000 plus the 500 reward.
    assert_eq!((case.pool, case.coherent_weight), (1_500, 20_000));
    assert_refused!(dao, Error::CaseClosed, dao.execute_ruling(1));
    // Pending rewards read before settling.
    let pending = dao.votes_of(a.charlie, 0, MAX_PAGE).items[0].pending;
    assert_eq!(pending, Some((VoteOutcome::Coherent, 1_000, 750)));
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(750));
    assert_eq!(dao.settle_vote(1, 0, a.django), Ok(750));
    assert_eq!(dao.settle_vote(1, 0, a.eve), Ok(0));
    assert_refused!(dao, Error::AlreadySettled, dao.settle_vote(1, 0, a.eve));
    let (c, e) = (dao.member(a.charlie), dao.member(a.eve));
    assert_eq!(
        (c.staked, c.credit, c.earned, c.at_risk, c.open_votes),
        (10_000, 750, 750, 0, 0)
    );
    assert_eq!(
        (e.staked, e.credit, e.lost, e.at_risk),
        (9_000, 0, 1_000, 0)
    );
    as_caller(a.charlie);
    assert_eq!(dao.withdraw_credit(), Ok(750));
    assert_eq!(balance(a.charlie), 990_750);
    assert_solvent(&dao);
}

#[ink::test]
fn rounding_dust_goes_to_the_last_coherent_juror() {
    let mut dao = setup();
    let a = accounts();
    // Coherent weights 30 000, 30 000 and 10 000: a pool of 4 500 does not divide by 7.
    for (who, amount) in [
        (a.charlie, 30_000),
        (a.django, 30_000),
        (a.eve, 10_000),
        (a.frank, 40_000),
    ] {
        as_caller(who);
        dao.stake(amount).unwrap();
    }
    as_caller(a.alice);
    dao.fund_rewards(500).unwrap();
    advance(1);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    commit(&mut dao, a.charlie, 1, 4, 1);
    commit(&mut dao, a.django, 1, 4, 2);
    commit(&mut dao, a.eve, 1, 4, 3);
    commit(&mut dao, a.frank, 1, 0, 4);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 4, 1);
    reveal(&mut dao, a.django, 1, 4, 2);
    reveal(&mut dao, a.eve, 1, 4, 3);
    // Frank never reveals: its 4 000 at risk join the pool.
    to_phase(&dao, 1, Phase::Executable);
    dao.execute_ruling(1).unwrap();
    let pool = dao.case(1).unwrap().case.pool;
    assert_eq!(pool, 4_500);
    let r1 = dao.settle_vote(1, 0, a.eve).unwrap();
    let r2 = dao.settle_vote(1, 0, a.charlie).unwrap();
    let r3 = dao.settle_vote(1, 0, a.django).unwrap();
    assert_eq!((r1, r2), (642, 1_928));
    assert_eq!(r1 + r2 + r3, pool, "the pool is paid to the last unit");
    dao.settle_vote(1, 0, a.frank).unwrap();
    assert_eq!(dao.member(a.frank).lost, 4_000);
    assert_solvent(&dao);
}

#[ink::test]
fn a_first_round_without_quorum_falls_back_to_the_vault() {
    let mut dao = with_case();
    let a = accounts();
    // Charlie commits and never reveals: nothing revealed, no quorum.
    commit(&mut dao, a.charlie, 1, 4, 1);
    to_phase(&dao, 1, Phase::Executable);
    // Nobody revealed: no ruling. The vault's deadline has not passed: the case closes
    // and the escrow waits for the vault's fallback.
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(dao.case(1).unwrap().case.status, CaseStatus::NoQuorum);
    assert!(calls().is_empty());
    // Charlie's unrevealed 1 000 and the 500 reward go to the reserve (which the
    // case fee already went to).
    assert_eq!(dao.totals().1, 2_100 + 1_000 + 500);
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(0));
    assert_eq!(dao.member(a.charlie).lost, 1_000);
    assert_solvent(&dao);
}

#[ink::test]
fn a_late_fallback_applies_the_vaults_expiry() {
    let mut dao = staked();
    let a = accounts();
    // An escrow whose first round sees no reveal, executed after the vault's deadline.
    edit_dispute(ESCROW, |d| d.ruling_deadline = now() + 2_000);
    as_caller(a.bob);
    dao.open_case(ESCROW, "ipfs://b".into()).unwrap();
    commit(&mut dao, a.charlie, 1, 4, 1);
    // Before the vault's deadline the fallback would be refused there: the DAO closes
    // the case and leaves the escrow to it.
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(now() + 2_000);
    dao.execute_ruling(1).unwrap();
    assert_eq!(calls(), vec![call::expire(ESCROW)]);
    assert_eq!(dao.case(1).unwrap().case.status, CaseStatus::NoQuorum);
    assert_eq!(dao.case(1).unwrap().phase, Phase::Closed);
}

#[ink::test]
fn a_ruling_on_an_escrow_that_left_its_dispute_still_settles_the_jurors() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 4, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 4, 1);
    // The payee refunded the escrow at the vault meanwhile.
    vault::settle(vault_id(), ESCROW, SettleReason::RefundedByPayee, 0);
    to_phase(&dao, 1, Phase::Executable);
    dao.execute_ruling(1).unwrap();
    assert_eq!(
        dao.case(1).unwrap().case.status,
        CaseStatus::Ruled {
            choice: 4,
            applied: false
        }
    );
    assert!(calls().is_empty());
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(500));
    assert_solvent(&dao);
}

#[ink::test]
fn a_slash_whose_collateral_is_gone_waits_for_the_vault_deadline_instead_of_slashing_zero() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 7, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 7, 1);
    to_phase(&dao, 1, Phase::Executable);
    // The collateral is gone at the vault (released, or its read fails).
    remove_collateral(COLLATERAL);
    assert_refused!(dao, Error::CollateralUnavailable, dao.execute_ruling(1));
    vault::set_unreadable(vault_id(), true);
    assert_refused!(dao, Error::VaultCallFailed, dao.execute_ruling(1));
    vault::set_unreadable(vault_id(), false);
    // After the vault's ruling deadline the case closes with what can still apply, so
    // the jurors are not stuck.
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(START + RULING_WINDOW);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(calls(), vec![call::resolve(ESCROW, 5_000)]);
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(500));
    assert_solvent(&dao);
}

#[ink::test]
fn a_vault_refusal_is_retried_until_the_vault_deadline_then_the_case_closes() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 4, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 4, 1);
    to_phase(&dao, 1, Phase::Executable);
    // The DAO is not the vault's arbiter (yet): the execution is refused and can wait.
    vault::set_refusing(vault_id(), true);
    assert_refused!(
        dao,
        Error::Vault(market_types::VaultError::NotArbiter),
        dao.execute_ruling(1)
    );
    // After the vault's ruling deadline the case closes anyway: jurors are not stuck.
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(START + RULING_WINDOW);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(
        dao.case(1).unwrap().case.status,
        CaseStatus::Ruled {
            choice: 4,
            applied: false
        }
    );
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(500));
    assert_solvent(&dao);
}
