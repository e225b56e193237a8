//! Cases: opening one (snapshot, fee, reward), commits and reveals, denunciation, and
//! refusals that change nothing.

use super::*;

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
    assert_refused!(
        dao,
        Error::NotParty,
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    as_caller(a.alice);
    assert_refused!(dao, Error::InvalidUri, dao.open_case(ESCROW, String::new()));
    assert_refused!(
        dao,
        Error::InvalidUri,
        dao.open_case(ESCROW, "x".repeat(MAX_URI_LEN + 1))
    );
    assert_refused!(
        dao,
        Error::EscrowNotDisputed,
        dao.open_case(99, "ipfs://x".into())
    );
    edit_dispute(ESCROW, |d| d.ruling_deadline = START + 1_000);
    assert_refused!(
        dao,
        Error::RulingWindowTooShort,
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    edit_dispute(ESCROW, |d| d.ruling_deadline = START + 100_000);
    vault::set_unreadable(vault_id(), true);
    assert_refused!(
        dao,
        Error::VaultCallFailed,
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    vault::set_unreadable(vault_id(), false);
    // The case fee cannot be paid.
    set_balance(a.alice, 599);
    assert_refused!(
        dao,
        Error::Token(market_types::TokenError::InsufficientBalance),
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    set_balance(a.alice, 1_000_000);
    assert_eq!(dao.open_case(ESCROW, "ipfs://x".into()), Ok(1));
    assert_refused!(
        dao,
        Error::CaseExists,
        dao.open_case(ESCROW, "ipfs://x".into())
    );
    as_caller(a.bob);
    assert_eq!(dao.submit_evidence(1, "ipfs://bob".into()), Ok(()));
    as_caller(a.eve);
    assert_refused!(
        dao,
        Error::NotParty,
        dao.submit_evidence(1, "ipfs://eve".into())
    );
    assert_refused!(
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
    assert_refused!(dao, Error::NoVotingWeight, dao.commit_vote(1, c));
}

#[ink::test]
fn commit_and_reveal_refusals_change_nothing() {
    let mut dao = with_case();
    let a = accounts();
    // Parties cannot vote.
    as_caller(a.bob);
    assert_refused!(
        dao,
        Error::PartyCannotVote,
        dao.commit_vote(1, Hash::from([1; 32]))
    );
    assert_refused!(
        dao,
        Error::CaseNotFound,
        dao.commit_vote(9, Hash::from([1; 32]))
    );
    commit(&mut dao, a.charlie, 1, 7, 1);
    commit(&mut dao, a.django, 1, 7, 2);
    as_caller(a.charlie);
    assert_refused!(
        dao,
        Error::AlreadyVoted,
        dao.commit_vote(1, Hash::from([1; 32]))
    );
    // Revealing during the commit phase.
    assert_refused!(dao, Error::NotRevealPhase, dao.reveal_vote(1, 7, salt(1)));
    to_phase(&dao, 1, Phase::Reveal);
    as_caller(a.eve);
    assert_refused!(
        dao,
        Error::NotCommitPhase,
        dao.commit_vote(1, Hash::from([1; 32]))
    );
    assert_refused!(dao, Error::VoteNotFound, dao.reveal_vote(1, 7, salt(3)));
    as_caller(a.charlie);
    assert_refused!(
        dao,
        Error::CommitmentMismatch,
        dao.reveal_vote(1, 6, salt(1))
    );
    assert_refused!(
        dao,
        Error::CommitmentMismatch,
        dao.reveal_vote(1, 7, salt(9))
    );
    reveal(&mut dao, a.charlie, 1, 7, 1);
    assert_refused!(dao, Error::AlreadyRevealed, dao.reveal_vote(1, 7, salt(1)));
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
    assert_refused!(
        dao,
        Error::CommitmentMismatch,
        dao.reveal_vote(1, 7, salt(1))
    );
}

#[ink::test]
fn a_slash_option_needs_collateral() {
    let mut dao = staked();
    let a = accounts();
    vault::with(vault_id(), |v| {
        v.escrows.get_mut(&ESCROW).unwrap().record.collateral = None;
        v.collaterals.get_mut(&COLLATERAL).unwrap().open -= 1;
    });
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    commit(&mut dao, a.charlie, 1, 7, 1);
    to_phase(&dao, 1, Phase::Reveal);
    as_caller(a.charlie);
    assert_refused!(dao, Error::InvalidChoice, dao.reveal_vote(1, 7, salt(1)));
}

#[ink::test]
fn denouncing_a_revealed_secret_voids_the_vote_and_pays_the_denouncer() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 4, 1);
    // Frank learned Charlie's choice and salt (a bribe receipt) and proves it.
    as_caller(a.charlie);
    assert_refused!(
        dao,
        Error::SelfDenounce,
        dao.denounce(1, a.charlie, 4, salt(1))
    );
    as_caller(a.frank);
    assert_refused!(
        dao,
        Error::CommitmentMismatch,
        dao.denounce(1, a.charlie, 3, salt(1))
    );
    assert_refused!(
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
    assert_refused!(
        dao,
        Error::VoteVoided,
        dao.denounce(1, a.charlie, 4, salt(1))
    );
    to_phase(&dao, 1, Phase::Reveal);
    as_caller(a.charlie);
    assert_refused!(dao, Error::VoteVoided, dao.reveal_vote(1, 4, salt(1)));
    // After the commit phase a denunciation is too late (the reveal is public anyway).
    commit_late_refused(&mut dao);
    as_caller(a.frank);
    assert_eq!(dao.withdraw_credit(), Ok(500));
    assert_solvent(&dao);
}

fn commit_late_refused(dao: &mut DisputeDao) {
    let a = accounts();
    as_caller(a.frank);
    assert_refused!(
        *dao,
        Error::NotCommitPhase,
        dao.denounce(1, a.django, 4, salt(1))
    );
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
    assert_eq!(calls(), vec![call::resolve(ESCROW, 0)]);
}

#[ink::test]
fn a_case_must_end_with_room_to_execute_before_the_vault_deadline() {
    let mut dao = staked();
    // The longest case is 1 350 ms; with one commit phase (100 ms) of margin the vault's
    // deadline must be more than 1 450 ms away.
    edit_dispute(ESCROW, |d| d.ruling_deadline = now() + 1_450);
    as_caller(accounts().alice);
    assert_refused!(
        dao,
        Error::RulingWindowTooShort,
        dao.open_case(ESCROW, "ipfs://e".into())
    );
    edit_dispute(ESCROW, |d| d.ruling_deadline = now() + 1_451);
    assert_eq!(dao.open_case(ESCROW, "ipfs://e".into()), Ok(1));
}
