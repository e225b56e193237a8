//! Staking: stake and its checkpoints, unbonding, withdrawals, and refusals that change
//! nothing.

use super::*;

#[ink::test]
fn staking_moves_tokens_and_checkpoints_the_stake() {
    let mut dao = setup();
    let a = accounts();
    as_caller(a.charlie);
    assert_eq!(dao.stake(4_000), Ok(()));
    let block = ink::env::block_number::<E>();
    assert_eq!(dao.member(a.charlie).staked, 4_000);
    assert_eq!(balance(a.charlie), 996_000);
    // Stake counts only from the next block on.
    assert_eq!(dao.stake_at(Some(a.charlie), block), 0);
    assert_eq!(dao.stake_at(Some(a.charlie), block + 1), 4_000);
    assert_eq!(dao.stake_at(None, block + 1), 4_000);
    assert_eq!(dao.totals(), (4_000, 0, 4_000));
    assert_solvent(&dao);
}

#[ink::test]
fn stake_refusals_change_nothing() {
    let mut dao = setup();
    let a = accounts();
    as_caller(a.charlie);
    assert_refused!(dao, Error::ZeroAmount, dao.stake(0));
    assert_refused!(
        dao,
        Error::Token(market_types::TokenError::InsufficientBalance),
        dao.stake(1_000_001)
    );
    token_fails(true);
    assert_refused!(dao, Error::TokenCallFailed, dao.stake(10));
    assert_refused!(dao, Error::TokenCallFailed, dao.fund_rewards(10));
    token_fails(false);
    assert_refused!(dao, Error::ZeroAmount, dao.request_unstake(0));
    assert_refused!(dao, Error::InsufficientStake, dao.request_unstake(1));
    assert_refused!(dao, Error::NothingUnbonding, dao.withdraw_unstaked());
    assert_refused!(dao, Error::NothingToWithdraw, dao.withdraw_credit());
}

#[ink::test]
fn a_failed_payout_changes_nothing() {
    let mut dao = setup();
    let a = accounts();
    as_caller(a.charlie);
    dao.stake(3_000).unwrap();
    dao.request_unstake(3_000).unwrap();
    advance(5_000);
    token_fails(true);
    assert_refused!(dao, Error::TokenCallFailed, dao.withdraw_unstaked());
    token_fails(false);
    assert_eq!(dao.withdraw_unstaked(), Ok(3_000));
    assert_eq!(balance(a.charlie), 1_000_000);
    assert_solvent(&dao);
}

#[ink::test]
fn unstaking_waits_for_the_delay_and_for_every_vote_to_settle() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 4, 1);
    as_caller(a.charlie);
    assert_eq!(dao.request_unstake(5_000), Ok(()));
    let m = dao.member(a.charlie);
    // 10 % of 10 000 is at risk in the vote; 5 000 of the rest unbonds.
    assert_eq!(
        (m.staked, m.at_risk, m.unbonding, m.open_votes),
        (4_000, 1_000, 5_000, 1)
    );
    assert_refused!(dao, Error::InsufficientStake, dao.request_unstake(4_001));
    assert_refused!(dao, Error::StillUnbonding, dao.withdraw_unstaked());
    advance(5_000);
    // The delay passed, but the vote is not settled.
    assert_refused!(dao, Error::UnsettledVotes, dao.withdraw_unstaked());
    // The case ends without quorum (Charlie never reveals); the clock is already past
    // every phase.
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(0));
    as_caller(a.charlie);
    assert_eq!(dao.withdraw_unstaked(), Ok(5_000));
    assert_eq!(balance(a.charlie), 1_000_000 - 10_000 + 5_000);
    let m = dao.member(a.charlie);
    assert_eq!(
        (m.staked, m.at_risk, m.unbonding, m.lost),
        (4_000, 0, 0, 1_000)
    );
    assert_solvent(&dao);
}
