//! Issue 17: rentals and juries against hostile parties. Each test first asserts that
//! the attack really ran (the refund, the stake, the vote), then that it failed.

use super::governance_tests::{at, pass};
use super::*;
use market_types::VaultError;

fn desc() -> Hash {
    Hash::from([0xDE; 32])
}

/// Another escrow of Alice's (payer) and Bob's (payee), disputed at the stand-in vault
/// in the current block.
fn add_escrow(id: u64, collateral: Option<u64>) {
    add_disputed_escrow(id, collateral, ink::env::block_number::<E>());
}

fn escrow(id: u64) -> EscrowFacts {
    facts(id)
}

// ------------------------------------------------ item 1: slash rulings that stand

#[ink::test]
fn a_payee_refund_during_a_slash_case_neither_frees_the_collateral_nor_dodges_the_slash() {
    let mut dao = with_case();
    let a = accounts();
    // A collateral larger than the slash, so the amount shows its base exactly.
    set_collateral(COLLATERAL, 900_000);
    commit(&mut dao, a.charlie, 1, 5, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 5, 1);
    // "All back to the payer, and a slash" leads in public; Bob refunds the escrow at
    // the vault and tries to take his collateral back before the ruling.
    assert_eq!(dao.case(1).unwrap().leading, Some(5));
    vault::payee_refund(vault_id(), ESCROW);
    let e = escrow(ESCROW);
    assert!(
        !e.disputed && e.collateral_held,
        "the refund really happened"
    );
    assert_eq!(
        vault::owner_releases(vault_id(), COLLATERAL),
        Err(VaultError::CollateralInUse)
    );
    to_phase(&dao, 1, Phase::Executable);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    // No split is left to apply; the slash is 50 % of the 1 000 000 frozen when the
    // vault dispute opened, then the vault lets the collateral go.
    assert_eq!(
        calls(),
        vec![
            call::slash(COLLATERAL, vec![(a.alice, 500_000)]),
            call::release_hold(ESCROW)
        ]
    );
    assert_eq!(
        dao.case(1).unwrap().case.status,
        CaseStatus::Ruled {
            choice: 5,
            applied: false
        }
    );
    assert!(!escrow(ESCROW).collateral_held);
    assert_eq!(vault::owner_releases(vault_id(), COLLATERAL), Ok(400_000));
    assert_eq!(dao.settle_vote(1, 0, a.charlie), Ok(500));
    assert_solvent(&dao);
}

#[ink::test]
fn a_slash_ruling_never_reads_a_collateral_that_left_as_zero() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 5, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 5, 1);
    // Bob refunds and (at a vault without the hold) takes the collateral back.
    vault::payee_refund(vault_id(), ESCROW);
    edit_dispute(ESCROW, |d| d.collateral_held = false);
    remove_collateral(COLLATERAL);
    assert!(
        vault::with(vault_id(), |v| !v.collaterals.contains_key(&COLLATERAL)),
        "the collateral really left"
    );
    to_phase(&dao, 1, Phase::Executable);
    assert_refused!(dao, Error::CollateralUnavailable, dao.execute_ruling(1));
    assert_eq!(dao.case(1).unwrap().case.status, CaseStatus::Open);
}

#[ink::test]
fn a_refund_that_front_runs_open_case_does_not_escape_the_hearing() {
    let mut dao = staked();
    let a = accounts();
    // Bob sees the renter's dispute and refunds before Alice can open the case.
    vault::payee_refund(vault_id(), ESCROW);
    assert!(escrow(ESCROW).collateral_held, "the refund really happened");
    as_caller(a.alice);
    assert_eq!(dao.open_case(ESCROW, "ipfs://e".into()), Ok(1));
    assert_eq!(dao.case(1).unwrap().case.held, HELD);
    commit(&mut dao, a.charlie, 1, 6, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 6, 1);
    to_phase(&dao, 1, Phase::Executable);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    // The split (25 %) cannot apply any more; the slash (capped by the 400 000) does.
    assert_eq!(
        calls(),
        vec![
            call::slash(COLLATERAL, vec![(a.alice, 400_000)]),
            call::release_hold(ESCROW)
        ]
    );
    assert_eq!(
        dao.case(1).unwrap().case.status,
        CaseStatus::Ruled {
            choice: 6,
            applied: false
        }
    );
}

#[ink::test]
fn a_refunded_escrow_without_a_hold_or_past_its_deadline_is_no_case() {
    let mut dao = staked();
    let a = accounts();
    // Refunded without collateral: the payer got everything back, nothing to hear.
    add_escrow(8, None);
    vault::payee_refund(vault_id(), 8);
    assert!(!escrow(8).disputed && !escrow(8).collateral_held);
    as_caller(a.alice);
    assert_refused!(
        dao,
        Error::EscrowNotDisputed,
        dao.open_case(8, "ipfs://e".into())
    );
    // Held, but its ruling deadline has passed: anyone may end the hold at the vault.
    vault::payee_refund(vault_id(), ESCROW);
    at(START + RULING_WINDOW);
    assert_refused!(
        dao,
        Error::EscrowNotDisputed,
        dao.open_case(ESCROW, "ipfs://e".into())
    );
}

#[ink::test]
fn a_case_without_quorum_ends_the_collateral_hold() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 4, 1);
    vault::payee_refund(vault_id(), ESCROW);
    assert!(escrow(ESCROW).collateral_held, "the refund really happened");
    to_phase(&dao, 1, Phase::Executable);
    // The vault refuses (the DAO is not its arbiter yet): retried before the deadline.
    vault::set_refusing(vault_id(), true);
    assert_refused!(
        dao,
        Error::Vault(VaultError::NotArbiter),
        dao.execute_ruling(1)
    );
    vault::set_refusing(vault_id(), false);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(dao.case(1).unwrap().case.status, CaseStatus::NoQuorum);
    assert_eq!(calls(), vec![call::release_hold(ESCROW)]);
    assert!(!escrow(ESCROW).collateral_held);
}

#[ink::test]
fn a_ruling_without_a_slash_on_a_held_escrow_ends_the_hold() {
    let mut dao = with_case();
    let a = accounts();
    commit(&mut dao, a.charlie, 1, 0, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 0, 1);
    vault::payee_refund(vault_id(), ESCROW);
    to_phase(&dao, 1, Phase::Executable);
    vault::set_refusing(vault_id(), true);
    assert_refused!(
        dao,
        Error::Vault(VaultError::NotArbiter),
        dao.execute_ruling(1)
    );
    vault::set_refusing(vault_id(), false);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(calls(), vec![call::release_hold(ESCROW)]);
}

// ------------------------------------------------ item 3: quorum nobody can block

#[ink::test]
fn a_second_account_that_never_votes_cannot_block_quorum() {
    let mut dao = setup();
    let a = accounts();
    for who in [a.charlie, a.django, a.eve] {
        as_caller(who);
        dao.stake(10_000).unwrap();
    }
    // Bob's second account stakes before the dispute and never votes.
    as_caller(a.frank);
    dao.stake(200_000).unwrap();
    advance(1);
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    let case = dao.case(1).unwrap().case;
    assert_eq!(
        (case.total_stake, dao.weight_on_case(1, a.frank)),
        (230_000, 200_000),
        "the blocking stake counts in the quorum base"
    );
    // Everyone else, unanimous: 30 000 of 230 000, below 20 % of it (46 000), above
    // the quorum cap (15 000).
    for (who, s) in [(a.charlie, 1), (a.django, 2), (a.eve, 3)] {
        commit(&mut dao, who, 1, 0, s);
    }
    to_phase(&dao, 1, Phase::Reveal);
    for (who, s) in [(a.charlie, 1), (a.django, 2), (a.eve, 3)] {
        reveal(&mut dao, who, 1, 0, s);
    }
    to_phase(&dao, 1, Phase::Appeal);
    assert_eq!(dao.case(1).unwrap().phase, Phase::Appeal, "the round ruled");
    // The appeal's quorum still scales: round 1 needs twice the cap (30 000). The
    // same jurors, their weight less round 0's risk (27 000), fall short of it, so the
    // first ruling stands.
    as_caller(a.bob);
    assert_eq!(dao.appeal(1), Ok(()));
    for (who, s) in [(a.charlie, 4), (a.django, 5), (a.eve, 6)] {
        commit(&mut dao, who, 1, 4, s);
    }
    to_phase(&dao, 1, Phase::Reveal);
    for (who, s) in [(a.charlie, 4), (a.django, 5), (a.eve, 6)] {
        reveal(&mut dao, who, 1, 4, s);
    }
    assert_eq!(dao.round_info(1, 1).revealed_weight, 27_000);
    to_phase(&dao, 1, Phase::Executable);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(calls(), vec![call::resolve(ESCROW, 0)]);
    assert_eq!(
        dao.case(1).unwrap().case.status,
        CaseStatus::Ruled {
            choice: 0,
            applied: true
        }
    );
    assert_solvent(&dao);
}

#[ink::test]
fn a_round_needs_its_minimum_of_jurors() {
    let mut dao = staked();
    let a = accounts();
    dao.config.jury.min_jurors = 2;
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    // Charlie alone holds a third of the stake, above the 20 % quorum.
    commit(&mut dao, a.charlie, 1, 4, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.charlie, 1, 4, 1);
    to_phase(&dao, 1, Phase::Executable);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(dao.case(1).unwrap().case.status, CaseStatus::NoQuorum);
}

// ------------------------------------------------ item 4: no reward to farm

#[ink::test]
fn a_self_dealt_case_costs_its_opener_more_than_the_reward_it_unlocks() {
    let mut dao = setup();
    let a = accounts();
    // The attacker is Alice (payer), Bob (payee) and Eve (a juror with a quorum);
    // Charlie and Django hold stake and stay away; Frank funds the reserve.
    for who in [a.charlie, a.django, a.eve] {
        as_caller(who);
        dao.stake(10_000).unwrap();
    }
    as_caller(a.frank);
    dao.fund_rewards(2_000).unwrap();
    advance(1);
    let wealth = |dao: &DisputeDao| {
        let e = dao.member(a.eve);
        balance(a.alice) + balance(a.bob) + balance(a.eve) + e.staked + e.at_risk + e.credit
    };
    let (before, reserve_before) = (wealth(&dao), dao.totals().1);
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://self-dealt".into()).unwrap();
    commit(&mut dao, a.eve, 1, 4, 1);
    to_phase(&dao, 1, Phase::Reveal);
    reveal(&mut dao, a.eve, 1, 4, 1);
    to_phase(&dao, 1, Phase::Executable);
    dao.execute_ruling(1).unwrap();
    assert_eq!(
        dao.settle_vote(1, 0, a.eve),
        Ok(500),
        "the attack unlocked the reward"
    );
    as_caller(a.eve);
    assert_eq!(dao.withdraw_credit(), Ok(500));
    // It paid the 600 fee for the 500 reward, and the reserve gained what it lost.
    assert_eq!(before - wealth(&dao), 100);
    assert_eq!(dao.totals().1, reserve_before + 100);
    assert_solvent(&dao);
}

// ------------------------------------------------ item 9: the snapshot

#[ink::test]
fn stake_added_after_the_vault_dispute_opened_weighs_nothing() {
    let mut dao = setup();
    let a = accounts();
    for who in [a.charlie, a.django, a.eve] {
        as_caller(who);
        dao.stake(10_000).unwrap();
    }
    advance(1);
    assert_eq!(ink::env::block_number::<E>(), DISPUTE_BLOCK);
    // Bob's ally sees the dispute and stakes, in its block and the next, before Alice
    // opens the case.
    as_caller(a.frank);
    dao.stake(50_000).unwrap();
    advance(1);
    dao.stake(50_000).unwrap();
    advance(1);
    assert_eq!(
        dao.stake_at(Some(a.frank), ink::env::block_number::<E>()),
        100_000,
        "the ally's stake predates the case"
    );
    as_caller(a.alice);
    dao.open_case(ESCROW, "ipfs://e".into()).unwrap();
    let case = dao.case(1).unwrap().case;
    assert_eq!(
        (case.snapshot_block, case.total_stake),
        (DISPUTE_BLOCK, 30_000)
    );
    assert_eq!(dao.weight_on_case(1, a.frank), 0);
    as_caller(a.frank);
    let c = jury::commitment(4, salt(1), a.frank, 1, 0);
    assert_refused!(dao, Error::NoVotingWeight, dao.commit_vote(1, c));
}

// ------------------------------------------------ item 5: hearable disputes

#[ink::test]
fn a_jury_change_that_outgrows_the_vaults_ruling_window_is_refused_when_proposed_and_executed() {
    let mut dao = staked();
    let a = accounts();
    let longer = JuryParams {
        commit_ms: 200,
        ..jury_params()
    };
    assert_eq!(jury::case_room_ms(&longer), Some(2_150));
    // At a vault whose disputes get 2 000 ms, no case with these periods could open.
    vault::with(vault_id(), |v| v.dispute_params = (500, 2_000));
    as_caller(a.charlie);
    assert_refused!(
        dao,
        Error::InvalidParams,
        dao.propose(Action::SetJuryParams { jury: longer }, desc())
    );
    vault::with(vault_id(), |v| v.dispute_params = (500, RULING_WINDOW));
    assert_eq!(
        dao.propose(Action::SetJuryParams { jury: longer }, desc()),
        Ok(1)
    );
    // A 2 000 ms window is fine for the jury in force now (1 450 ms a case).
    let window = Action::SetDisputeParams {
        bond_bps: 500,
        ruling_window_ms: 2_000,
    };
    assert_eq!(dao.propose(window, desc()), Ok(2));
    let p = dao.proposal(1).unwrap();
    at(p.proposal.vote_start);
    for who in [a.charlie, a.django, a.eve] {
        as_caller(who);
        dao.vote(1, true).unwrap();
        dao.vote(2, true).unwrap();
    }
    at(p.eta);
    // The vault's window shrank meanwhile: the jury change is refused at execution.
    vault::with(vault_id(), |v| v.dispute_params = (500, 2_000));
    assert_refused!(dao, Error::InvalidParams, dao.execute_proposal(1));
    vault::with(vault_id(), |v| v.dispute_params = (500, RULING_WINDOW));
    assert_eq!(dao.execute_proposal(1), Ok(()));
    assert_eq!(dao.config().jury, longer);
    // The window passed against the old jury; against the one in force it is refused.
    assert_refused!(dao, Error::InvalidParams, dao.execute_proposal(2));
    assert!(calls().is_empty(), "nothing reached the vault");
    // Disputes stay hearable.
    as_caller(a.alice);
    assert_eq!(dao.open_case(ESCROW, "ipfs://e".into()), Ok(1));
}

#[ink::test]
fn a_jury_change_under_an_open_case_leaves_it_as_it_opened() {
    let mut dao = with_case();
    let a = accounts();
    let opened = dao.case(1).unwrap().case;
    commit(&mut dao, a.charlie, 1, 4, 1);
    let new = JuryParams {
        commit_ms: 200,
        min_jurors: 2,
        quorum_cap: 5_000,
        case_fee: 700,
        ..jury_params()
    };
    assert_eq!(pass(&mut dao, Action::SetJuryParams { jury: new }), Ok(()));
    assert_eq!(dao.config().jury, new);
    // Case 1 keeps its parameters and deadlines.
    let v = dao.case(1).unwrap();
    assert_eq!(v.case.jury, jury_params());
    assert_eq!(
        (v.phase, v.phase_ends),
        (Phase::Reveal, opened.opened_at + 200)
    );
    // One juror: enough under the case's own minimum (1), not under the new one (2).
    reveal(&mut dao, a.charlie, 1, 4, 1);
    to_phase(&dao, 1, Phase::Executable);
    assert_eq!(dao.execute_ruling(1), Ok(()));
    assert_eq!(
        dao.case(1).unwrap().case.status,
        CaseStatus::Ruled {
            choice: 4,
            applied: true
        }
    );
    // A case opened now takes the new parameters and fee.
    add_escrow(8, None);
    let alice_before = balance(a.alice);
    as_caller(a.alice);
    assert_eq!(dao.open_case(8, "ipfs://e".into()), Ok(2));
    let v2 = dao.case(2).unwrap();
    assert_eq!((v2.case.jury, v2.case.fee), (new, 700));
    assert_eq!(v2.phase_ends, now() + 200);
    assert_eq!(balance(a.alice), alice_before - 700);
    assert_solvent(&dao);
}

// ------------------------------------------------ item 6: the guardian and hand-overs

#[ink::test]
fn the_guardian_can_stop_a_captured_hand_over_which_waits_twice_the_timelock() {
    let mut dao = staked();
    let a = accounts();
    let outsider = AccountId::from([0x99; 32]);
    // A third of the stake, the others absent, hands the arbiter role out.
    as_caller(a.charlie);
    let hand_over = Action::HandOver {
        target: Target::Vault,
        successor: Some(outsider),
    };
    assert_eq!(dao.propose(hand_over, desc()), Ok(1));
    assert_eq!(dao.propose(Action::SetFee { fee_bps: 300 }, desc()), Ok(2));
    let (p, f) = (dao.proposal(1).unwrap(), dao.proposal(2).unwrap());
    at(p.proposal.vote_start);
    dao.vote(1, true).unwrap();
    dao.vote(2, true).unwrap();
    at(p.proposal.vote_end);
    assert_eq!(
        dao.proposal(1).unwrap().state,
        ProposalState::Queued,
        "the captured vote passed"
    );
    // A critical action waits twice the timelock; a fee change the usual one.
    let timelock = gov_params().timelock_ms;
    assert_eq!(p.eta, p.proposal.vote_end + 2 * timelock);
    assert_eq!(f.eta, f.proposal.vote_end + timelock);
    at(f.eta);
    assert_refused!(dao, Error::TimelockNotOver, dao.execute_proposal(1));
    as_caller(a.frank);
    assert_eq!(dao.cancel_proposal(1), Ok(()));
    at(p.eta);
    assert_refused!(dao, Error::ProposalFinished, dao.execute_proposal(1));
    assert!(calls().is_empty(), "the role never left");
    // It still cannot veto its own replacement.
    as_caller(a.charlie);
    let id = dao
        .propose(Action::SetGuardian { guardian: None }, desc())
        .unwrap();
    as_caller(a.frank);
    assert_refused!(dao, Error::GuardianCannotCancel, dao.cancel_proposal(id));
}

// ------------------------------------------------ the market's new settings

#[ink::test]
fn rental_rules_and_the_least_counted_rental_reach_the_market() {
    let mut dao = staked();
    let actions = [
        Action::SetRentalRules {
            min_charge_hours: 1,
        },
        Action::SetMinCountedValue {
            asset: Asset::Native,
            value: 10_000,
        },
    ];
    for action in actions {
        assert_eq!(pass(&mut dao, action), Ok(()));
    }
    assert_eq!(
        calls(),
        actions.iter().map(|x| call::action(*x)).collect::<Vec<_>>()
    );
}
