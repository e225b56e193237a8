//! Unit tests of the DAO on ink!'s off-chain environment, with the stand-in chain of
//! `calls.rs` for the token, the vault and the governed contracts. Every refusal is
//! checked to leave the storage (a fingerprint of every view) and the events unchanged.

use crate::calls::chain::{self, Call};
use crate::calls::EscrowFacts;
use crate::dispute_dao::DisputeDao;
use crate::jury;
use crate::types::*;
use crate::Error;
use ink::env::test;
use ink::primitives::{AccountId, Hash};
use ink::scale::Encode;
use market_types::{Asset, Balance};

mod appeal_tests;
mod dao_props;
mod governance_tests;
mod hostile_tests;

pub(crate) type E = ink::env::DefaultEnvironment;

pub(crate) const ESCROW: u64 = 7;
pub(crate) const COLLATERAL: u64 = 3;
pub(crate) const HELD: Balance = 1_000_000;
pub(crate) const START: u64 = 1_000_000;
/// The block the stand-in vault opened escrow 7's dispute in (setup's block is 0).
pub(crate) const DISPUTE_BLOCK: u32 = 1;
/// The stand-in vault's ruling window of new disputes.
pub(crate) const RULING_WINDOW: u64 = 100_000;

pub(crate) fn accounts() -> test::DefaultAccounts<E> {
    test::default_accounts::<E>()
}

pub(crate) fn dao_id() -> AccountId {
    AccountId::from([0xDA; 32])
}

pub(crate) fn jury_params() -> JuryParams {
    JuryParams {
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
    }
}

pub(crate) fn gov_params() -> GovParams {
    GovParams {
        voting_delay_ms: 10,
        voting_period_ms: 100,
        quorum_bps: 2_000,
        timelock_ms: 50,
        grace_ms: 40,
        extension_ms: 30,
        proposal_threshold: 100,
    }
}

pub(crate) fn as_caller(who: AccountId) {
    test::set_caller::<E>(who);
}

pub(crate) fn now() -> u64 {
    ink::env::block_timestamp::<E>()
}

/// Moves to the next block, `ms` later.
pub(crate) fn advance(ms: u64) {
    let t = now();
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(t + ms);
}

pub(crate) fn balance(who: AccountId) -> Balance {
    chain::with(|m| m.balances.get(&who).copied().unwrap_or(0))
}

pub(crate) fn events() -> usize {
    test::recorded_events().count()
}

/// A fresh DAO (guardian: Frank), every dev account holding 1 000 000 tokens, a
/// disputed escrow 7 (payer Alice, payee Bob, 1 000 000 frozen, collateral 3 holding
/// 400 000, disputed in block `DISPUTE_BLOCK`, the next one) at the stand-in vault,
/// whose ruling window is `RULING_WINDOW`, and the clock at `START`.
pub(crate) fn setup() -> DisputeDao {
    chain::reset();
    let a = accounts();
    test::set_callee::<E>(dao_id());
    test::set_block_timestamp::<E>(START);
    chain::with(|m| {
        for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
            m.balances.insert(who, 1_000_000);
        }
        m.escrows.insert(
            ESCROW,
            EscrowFacts {
                payer: a.alice,
                payee: a.bob,
                asset: Asset::Native,
                collateral: Some(COLLATERAL),
                disputed: true,
                collateral_held: false,
                ruling_deadline: START + RULING_WINDOW,
                frozen: HELD,
                opened_block: DISPUTE_BLOCK,
            },
        );
        m.collaterals.insert(COLLATERAL, 400_000);
        m.dispute_params = (500, RULING_WINDOW);
    });
    as_caller(a.alice);
    DisputeDao::new(
        AccountId::from([0x70; 32]),
        AccountId::from([0x71; 32]),
        AccountId::from([0x72; 32]),
        AccountId::from([0x73; 32]),
        jury_params(),
        gov_params(),
        5_000,
        Some(a.frank),
    )
    .unwrap()
}

/// `setup()` with Charlie, Django and Eve staking 10 000 each, the reserve funded with
/// 2 000 by Alice, in an earlier block than anything opened afterwards.
pub(crate) fn staked() -> DisputeDao {
    let mut dao = setup();
    let a = accounts();
    for who in [a.charlie, a.django, a.eve] {
        as_caller(who);
        dao.stake(10_000).unwrap();
    }
    as_caller(a.alice);
    dao.fund_rewards(2_000).unwrap();
    advance(1);
    dao
}

/// `staked()` with case 1 opened by Alice on escrow 7.
pub(crate) fn with_case() -> DisputeDao {
    let mut dao = staked();
    as_caller(accounts().alice);
    assert_eq!(dao.open_case(ESCROW, "ipfs://evidence".into()), Ok(1));
    dao
}

pub(crate) fn salt(n: u8) -> [u8; 32] {
    [n; 32]
}

pub(crate) fn commit(dao: &mut DisputeDao, who: AccountId, case: CaseId, choice: Choice, s: u8) {
    let round = dao.case(case).unwrap().case.round;
    as_caller(who);
    let c = jury::commitment(choice, salt(s), who, case, round);
    assert_eq!(dao.commit_vote(case, c), Ok(()));
}

pub(crate) fn reveal(dao: &mut DisputeDao, who: AccountId, case: CaseId, choice: Choice, s: u8) {
    as_caller(who);
    assert_eq!(dao.reveal_vote(case, choice, salt(s)), Ok(()));
}

/// Moves the clock to the start of `phase` of the case's current round.
pub(crate) fn to_phase(dao: &DisputeDao, case: CaseId, phase: Phase) {
    let c = dao.case(case).unwrap().case;
    let p = jury::phases(c.round_start, &c.jury, c.round).unwrap();
    let at = match phase {
        Phase::Commit => c.round_start,
        Phase::Reveal => p.commit_end,
        Phase::Appeal => p.reveal_end,
        _ => p.appeal_end,
    };
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(at);
}

/// Every view of the DAO, encoded: equal fingerprints mean equal state.
pub(crate) fn fingerprint(dao: &DisputeDao) -> Vec<u8> {
    let a = accounts();
    let mut out = Vec::new();
    (dao.config(), dao.totals()).encode_to(&mut out);
    dao.cases(0, MAX_PAGE).encode_to(&mut out);
    dao.proposals(0, MAX_PAGE).encode_to(&mut out);
    dao.case_of_escrow(ESCROW).encode_to(&mut out);
    let block = ink::env::block_number::<E>().saturating_add(1);
    for who in [a.alice, a.bob, a.charlie, a.django, a.eve, a.frank] {
        dao.member(who).encode_to(&mut out);
        dao.stake_at(Some(who), block).encode_to(&mut out);
        dao.votes_of(who, 0, MAX_PAGE).encode_to(&mut out);
        balance(who).encode_to(&mut out);
        for case in 1..3 {
            for round in 0..3 {
                dao.vote_of(case, round, who).encode_to(&mut out);
            }
        }
        for id in 1..3 {
            dao.ballot(id, who).encode_to(&mut out);
        }
    }
    for case in 1..3 {
        for round in 0..3 {
            dao.round_info(case, round).encode_to(&mut out);
            for choice in 0..CHOICES {
                dao.tally(case, round, choice).encode_to(&mut out);
            }
        }
    }
    dao.stake_at(None, block).encode_to(&mut out);
    balance(dao_id()).encode_to(&mut out);
    chain::with(|m| format!("{:?}{:?}", m.calls, m.escrows)).encode_to(&mut out);
    out
}

/// Asserts that `f` returns `Err(expected)` and changes no state and emits nothing.
macro_rules! refused {
    ($dao:expr, $expected:expr, $call:expr) => {{
        let before = crate::tests::fingerprint(&$dao);
        let events = crate::tests::events();
        let got = $call;
        assert_eq!(got, Err($expected));
        assert_eq!(crate::tests::fingerprint(&$dao), before, "state changed");
        assert_eq!(crate::tests::events(), events, "an event was emitted");
    }};
}
pub(crate) use refused;

/// The DAO's token balance equals what it owes, and `owed` equals every component.
pub(crate) fn assert_solvent(dao: &DisputeDao) {
    let (_, _, owed) = dao.totals();
    assert_eq!(balance(dao_id()), owed, "DAO balance != owed");
}

// ------------------------------------------------------------------ staking

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
    refused!(dao, Error::ZeroAmount, dao.stake(0));
    refused!(
        dao,
        Error::Token(market_types::TokenError::InsufficientBalance),
        dao.stake(1_000_001)
    );
    chain::with(|m| m.token_fails = true);
    refused!(dao, Error::TokenCallFailed, dao.stake(10));
    refused!(dao, Error::TokenCallFailed, dao.fund_rewards(10));
    chain::with(|m| m.token_fails = false);
    refused!(dao, Error::ZeroAmount, dao.request_unstake(0));
    refused!(dao, Error::InsufficientStake, dao.request_unstake(1));
    refused!(dao, Error::NothingUnbonding, dao.withdraw_unstaked());
    refused!(dao, Error::NothingToWithdraw, dao.withdraw_credit());
}

#[ink::test]
fn a_failed_payout_changes_nothing() {
    let mut dao = setup();
    let a = accounts();
    as_caller(a.charlie);
    dao.stake(3_000).unwrap();
    dao.request_unstake(3_000).unwrap();
    advance(5_000);
    chain::with(|m| m.token_fails = true);
    refused!(dao, Error::TokenCallFailed, dao.withdraw_unstaked());
    chain::with(|m| m.token_fails = false);
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
    refused!(dao, Error::InsufficientStake, dao.request_unstake(4_001));
    refused!(dao, Error::StillUnbonding, dao.withdraw_unstaked());
    advance(5_000);
    // The delay passed, but the vote is not settled.
    refused!(dao, Error::UnsettledVotes, dao.withdraw_unstaked());
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

// ------------------------------------------------------------------ cases

#[ink::test]
fn opening_a_case_snapshots_stake_takes_the_fee_and_draws_the_reward() {
    let dao = with_case();
    let v = dao.case(1).unwrap();
    assert_eq!(v.case.total_stake, 30_000);
    assert_eq!(v.case.snapshot_block, DISPUTE_BLOCK);
    assert_eq!(v.case.held, HELD);
    assert_eq!((v.case.reward_reserved, v.case.fee), (500, 600));
    assert_eq!(v.phase, Phase::Commit);
    assert_eq!(v.phase_ends, v.case.opened_at + 100);
    // Alice paid the reserve 2 000 and the case fee 600; the reward left it.
    assert_eq!(balance(accounts().alice), 1_000_000 - 2_000 - 600);
    assert_eq!(dao.totals().1, 2_000 + 600 - 500);
    assert_eq!(dao.case_of_escrow(ESCROW), Some(1));
    assert_solvent(&dao);
}

#[ink::test]
fn open_case_refusals_change_nothing() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.charlie);
    refused!(
        dao,
        Error::NotParty,
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    as_caller(a.alice);
    refused!(dao, Error::InvalidUri, dao.open_case(ESCROW, String::new()));
    refused!(
        dao,
        Error::InvalidUri,
        dao.open_case(ESCROW, "x".repeat(MAX_URI_LEN + 1))
    );
    refused!(
        dao,
        Error::EscrowNotDisputed,
        dao.open_case(99, "ipfs://x".into())
    );
    chain::with(|m| m.escrows.get_mut(&ESCROW).unwrap().ruling_deadline = START + 1_000);
    refused!(
        dao,
        Error::RulingWindowTooShort,
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    chain::with(|m| m.escrows.get_mut(&ESCROW).unwrap().ruling_deadline = START + 100_000);
    chain::with(|m| m.vault_unreadable = true);
    refused!(
        dao,
        Error::VaultCallFailed,
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    chain::with(|m| m.vault_unreadable = false);
    // The case fee cannot be paid.
    chain::with(|m| m.balances.insert(a.alice, 599));
    refused!(
        dao,
        Error::Token(market_types::TokenError::InsufficientBalance),
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    chain::with(|m| m.balances.insert(a.alice, 1_000_000));
    assert_eq!(dao.open_case(ESCROW, "ipfs://x".into()), Ok(1));
    refused!(
        dao,
        Error::CaseExists,
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    as_caller(a.bob);
    assert_eq!(dao.submit_evidence(1, "ipfs://bob".into()), Ok(()));
    as_caller(a.eve);
    refused!(
        dao,
        Error::NotParty,
        dao.submit_evidence(1, "ipfs://eve".into())
    );
    refused!(
        dao,
        Error::CaseNotFound,
        dao.submit_evidence(9, "ipfs://eve".into())
    );
}

#[ink::test]
fn stake_added_after_a_case_opened_has_no_weight_on_it() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    // Frank stakes in the very block the case opened, then in a later one.
    as_caller(a.frank);
    dao.stake(50_000).unwrap();
    advance(1);
    dao.stake(50_000).unwrap();
    assert_eq!(
        dao.member(a.frank).staked,
        100_000,
        "the flash stake really happened"
    );
    assert_eq!(dao.weight_on_case(1, a.frank), 0);
    assert_eq!(dao.weight_on_case(1, a.charlie), 10_000);
    let c = jury::commitment(4, salt(1), a.frank, 1, 0);
    refused!(dao, Error::NoVotingWeight, dao.commit_vote(1, c));
}

#[ink::test]
fn commit_and_reveal_refusals_change_nothing() {
    let mut dao = with_case();
    let a = accounts();
    // Parties cannot vote.
    as_caller(a.bob);
    refused!(
        dao,
        Error::PartyCannotVote,
        dao.commit_vote(1, Hash::from([1; 32]))
    );
    refused!(
        dao,
        Error::CaseNotFound,
        dao.commit_vote(9, Hash::from([1; 32]))
    );
    commit(&mut dao, a.charlie, 1, 7, 1);
    commit(&mut dao, a.django, 1, 7, 2);
    as_caller(a.charlie);
    refused!(
        dao,
        Error::AlreadyVoted,
        dao.commit_vote(1, Hash::from([1; 32]))
    );
    // Revealing during the commit phase.
    refused!(dao, Error::NotRevealPhase, dao.reveal_vote(1, 7, salt(1)));
    to_phase(&dao, 1, Phase::Reveal);
    as_caller(a.eve);
    refused!(
        dao,
        Error::NotCommitPhase,
        dao.commit_vote(1, Hash::from([1; 32]))
    );
    refused!(dao, Error::VoteNotFound, dao.reveal_vote(1, 7, salt(3)));
    as_caller(a.charlie);
    refused!(
        dao,
        Error::CommitmentMismatch,
        dao.reveal_vote(1, 6, salt(1))
    );
    refused!(
        dao,
        Error::CommitmentMismatch,
        dao.reveal_vote(1, 7, salt(9))
    );
    reveal(&mut dao, a.charlie, 1, 7, 1);
    refused!(dao, Error::AlreadyRevealed, dao.reveal_vote(1, 7, salt(1)));
}

#[ink::test]
fn a_copied_commitment_does_not_verify_for_the_copier() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 7, 1);
    // Django copies Charlie's commitment and later knows (or guesses) the choice and salt.
    let charlies = dao.vote_of(1, 0, a.charlie).unwrap().commitment;
    as_caller(a.django);
    dao.commit_vote(1, charlies).unwrap();
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 7, 1);
    as_caller(a.django);
    refused!(
        dao,
        Error::CommitmentMismatch,
        dao.reveal_vote(1, 7, salt(1))
    );
}

#[ink::test]
fn a_slash_option_needs_collateral() {
    let mut dao = staked();
    let a = accounts();
    chain::with(|m| m.escrows.get_mut(&ESCROW).unwrap().collateral = None);
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    commit(&mut dao, a.charlie, 1, 7, 1);
    to_phase(&dao, 1, Phase::Reveal);
    as_caller(a.charlie);
    refused!(dao, Error::InvalidChoice, dao.reveal_vote(1, 7, salt(1)));
}

#[ink::test]
fn a_split_ruling_with_a_slash_moves_exactly_the_frozen_amount_and_pays_jurors() {
    let mut dao = with_case();
    let a = accounts();
    // Charlie and Django: 50 % + slash (7); Eve: 25 % (1).
    commit(&mut dao, a.charlie, 1, 7, 1);
    commit(&mut dao, a.django, 1, 7, 2);
    commit(&mut dao, a.eve, 1, 1, 3);
    refused!(dao, Error::NotFinal, dao.execute_ruling(1));
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 7, 1);
    reveal(&mut dao, a.django, 1, 7, 2);
    reveal(&mut dao, a.eve, 1, 1, 3);
    assert_eq!(dao.case(1).unwrap().leading, Some(7));
    to_phase(&dao, 1, Phase::Appeal);
    refused!(dao, Error::NotFinal, dao.execute_ruling(1));
    refused!(dao, Error::NotFinal, dao.settle_vote(1, 0, a.charlie));
    to_phase(&dao, 1, Phase::Executable);
    assert_eq!(dao.case(1).unwrap().phase, Phase::Executable);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    // The vault: the split, then 50 % of the frozen 1 000 000 (the slash rate), capped
    // by the 400 000 of collateral, to the payer.
    let calls = chain::with(|m| m.calls.clone());
    assert_eq!(
        calls,
        vec![
            Call::Resolve(ESCROW, 5_000),
            Call::Slash(COLLATERAL, vec![(a.alice, 400_000)])
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
    refused!(dao, Error::CaseClosed, dao.execute_ruling(1));
    // Pending rewards read before settling.
    let pending = dao.votes_of(a.charlie, 0, MAX_PAGE).items[0].pending;
    assert_eq!(pending, Some((VoteOutcome::Coherent, 1_000, 750)));
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(750));
    assert_eq!(dao.settle_vote(1, 0, a.django), Ok(750));
    assert_eq!(dao.settle_vote(1, 0, a.eve), Ok(0));
    refused!(dao, Error::AlreadySettled, dao.settle_vote(1, 0, a.eve));
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
fn denouncing_a_revealed_secret_voids_the_vote_and_pays_the_denouncer() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 4, 1);
    // Frank learned Charlie's choice and salt (a bribe receipt) and proves it.
    as_caller(a.charlie);
    refused!(
        dao,
        Error::SelfDenounce,
        dao.denounce(1, a.charlie, 4, salt(1))
    );
    as_caller(a.frank);
    refused!(
        dao,
        Error::CommitmentMismatch,
        dao.denounce(1, a.charlie, 3, salt(1))
    );
    refused!(
        dao,
        Error::VoteNotFound,
        dao.denounce(1, a.django, 4, salt(1))
    );
    let reserve = dao.totals().1;
    assert_eq!(dao.denounce(1, a.charlie, 4, salt(1)), Ok(()));
    // Half the 1 000 at risk to Frank, half to the reserve: a juror denouncing itself
    // through a second account loses half its risk, so it is no way out of a vote.
    assert_eq!(dao.member(a.frank).credit, 500);
    assert_eq!(dao.totals().1, reserve + 500);
    let c = dao.member(a.charlie);
    assert_eq!(
        (c.staked, c.at_risk, c.lost, c.open_votes),
        (9_000, 0, 1_000, 0)
    );
    assert!(dao.vote_of(1, 0, a.charlie).unwrap().voided);
    refused!(
        dao,
        Error::VoteVoided,
        dao.denounce(1, a.charlie, 4, salt(1))
    );
    to_phase(&dao, 1, Phase::Reveal);
    as_caller(a.charlie);
    refused!(dao, Error::VoteVoided, dao.reveal_vote(1, 4, salt(1)));
    // After the commit phase a denunciation is too late (the reveal is public anyway).
    commit_late_refused(&mut dao);
    as_caller(a.frank);
    assert_eq!(dao.withdraw_credit(), Ok(500));
    assert_solvent(&dao);
}

fn commit_late_refused(dao: &mut DisputeDao) {
    let a = accounts();
    as_caller(a.frank);
    refused!(
        *dao,
        Error::NotCommitPhase,
        dao.denounce(1, a.django, 4, salt(1))
    );
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
    assert!(chain::with(|m| m.calls.is_empty()));
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
    chain::with(|m| {
        m.escrows.get_mut(&ESCROW).unwrap().ruling_deadline = now() + 2_000;
    });
    as_caller(a.bob);
    dao.open_case(ESCROW, "ipfs://b".into()).unwrap();
    commit(&mut dao, a.charlie, 1, 4, 1);
    // Before the vault's deadline the fallback would be refused there: the DAO closes
    // the case and leaves the escrow to it.
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(now() + 2_000);
    dao.execute_ruling(1).unwrap();
    assert_eq!(chain::with(|m| m.calls.clone()), vec![Call::Expire(ESCROW)]);
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
    chain::with(|m| m.escrows.get_mut(&ESCROW).unwrap().disputed = false);
    to_phase(&dao, 1, Phase::Executable);
    dao.execute_ruling(1).unwrap();
    assert_eq!(
        dao.case(1).unwrap().case.status,
        CaseStatus::Ruled {
            choice: 4,
            applied: false
        }
    );
    assert!(chain::with(|m| m.calls.is_empty()));
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
    chain::with(|m| {
        m.collaterals.remove(&COLLATERAL);
    });
    refused!(dao, Error::CollateralUnavailable, dao.execute_ruling(1));
    chain::with(|m| m.vault_unreadable = true);
    refused!(dao, Error::VaultCallFailed, dao.execute_ruling(1));
    chain::with(|m| m.vault_unreadable = false);
    // After the vault's ruling deadline the case closes with what can still apply, so
    // the jurors are not stuck.
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(START + RULING_WINDOW);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(
        chain::with(|m| m.calls.clone()),
        vec![Call::Resolve(ESCROW, 5_000)]
    );
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(500));
    assert_solvent(&dao);
}

#[ink::test]
fn parameter_changes_do_not_move_a_running_case() {
    let mut dao = with_case();
    let before = dao.case(1).unwrap();
    // Governance doubles every period for new cases.
    dao.config.jury.commit_ms = 10_000;
    let after = dao.case(1).unwrap();
    assert_eq!(before.phase_ends, after.phase_ends);
    assert_eq!(after.case.jury, jury_params());
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
    chain::with(|m| m.vault_refuses = true);
    refused!(
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

#[ink::test]
fn the_parties_stake_does_not_count_towards_quorum() {
    let mut dao = setup();
    let a = accounts();
    for who in [a.charlie, a.django, a.eve] {
        as_caller(who);
        dao.stake(10_000).unwrap();
    }
    // The payee stakes a lot before the dispute, to make quorum unreachable.
    as_caller(a.bob);
    dao.stake(200_000).unwrap();
    assert_eq!(
        dao.member(a.bob).staked,
        200_000,
        "the party's stake really happened"
    );
    advance(1);
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    assert_eq!(dao.case(1).unwrap().case.total_stake, 30_000);
    // Two of the three jurors (20 000 of 30 000) decide.
    commit(&mut dao, a.charlie, 1, 0, 1);
    commit(&mut dao, a.django, 1, 0, 2);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 0, 1);
    reveal(&mut dao, a.django, 1, 0, 2);
    to_phase(&dao, 1, Phase::Executable);
    dao.execute_ruling(1).unwrap();
    assert_eq!(
        chain::with(|m| m.calls.clone()),
        vec![Call::Resolve(ESCROW, 0)]
    );
}

#[ink::test]
fn a_case_must_end_with_room_to_execute_before_the_vault_deadline() {
    let mut dao = staked();
    // The longest case is 1 350 ms; with one commit phase (100 ms) of margin the vault's
    // deadline must be more than 1 450 ms away.
    chain::with(|m| m.escrows.get_mut(&ESCROW).unwrap().ruling_deadline = now() + 1_450);
    as_caller(accounts().alice);
    refused!(
        dao,
        Error::RulingWindowTooShort,
        dao.open_case(ESCROW, "ipfs://e".into())
    );
    chain::with(|m| m.escrows.get_mut(&ESCROW).unwrap().ruling_deadline = now() + 1_451);
    assert_eq!(dao.open_case(ESCROW, "ipfs://e".into()), Ok(1));
}
