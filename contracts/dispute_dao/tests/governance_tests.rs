//! Proposals, timelock, late quorum, the guardian, and the DAO's own parameters.

use super::*;

fn desc() -> Hash {
    Hash::from([0xDE; 32])
}

/// Moves the clock to `at` in a new block.
pub(super) fn at(t: u64) {
    test::advance_block::<E>();
    test::set_block_timestamp::<E>(t);
}

#[ink::test]
fn a_fee_change_passes_after_its_timelock_and_calls_the_vault() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.alice);
    assert_refused!(
        dao,
        Error::BelowProposalThreshold,
        dao.propose(Action::SetFee { fee_bps: 500 }, desc())
    );
    as_caller(a.charlie);
    assert_eq!(dao.propose(Action::SetFee { fee_bps: 500 }, desc()), Ok(1));
    let p = dao.proposal(1).unwrap();
    assert_eq!(p.state, ProposalState::Pending);
    assert_refused!(dao, Error::VotingClosed, dao.vote(1, true));
    at(p.proposal.vote_start);
    assert_eq!(dao.vote(1, true), Ok(()));
    assert_refused!(dao, Error::AlreadyVoted, dao.vote(1, false));
    as_caller(a.django);
    assert_eq!(dao.vote(1, false), Ok(()));
    as_caller(a.eve);
    assert_eq!(dao.vote(1, true), Ok(()));
    assert_eq!(dao.proposal(1).unwrap().proposal.for_weight, 20_000);
    assert_refused!(dao, Error::ProposalNotPassed, dao.execute_proposal(1));
    at(p.proposal.vote_end);
    assert_eq!(dao.proposal(1).unwrap().state, ProposalState::Queued);
    assert_refused!(dao, Error::VotingClosed, dao.vote(1, true));
    assert_refused!(dao, Error::TimelockNotOver, dao.execute_proposal(1));
    assert!(calls().is_empty());
    at(p.eta);
    assert_eq!(dao.proposal(1).unwrap().state, ProposalState::Ready);
    as_caller(a.bob);
    assert_eq!(dao.execute_proposal(1), Ok(()));
    assert_eq!(calls(), vec![call::action(Action::SetFee { fee_bps: 500 })]);
    assert_eq!(dao.proposal(1).unwrap().state, ProposalState::Executed);
    assert_refused!(dao, Error::ProposalFinished, dao.execute_proposal(1));
}

#[ink::test]
fn stake_added_after_a_proposal_has_no_weight_on_it() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.charlie);
    dao.propose(Action::SetFee { fee_bps: 1 }, desc()).unwrap();
    as_caller(a.frank);
    dao.stake(500_000).unwrap();
    assert_eq!(
        dao.member(a.frank).staked,
        500_000,
        "the flash stake really happened"
    );
    at(now() + 10);
    assert_eq!(dao.weight_on_proposal(1, a.frank), 0);
    assert_refused!(dao, Error::NoVotingWeight, dao.vote(1, true));
    assert_refused!(dao, Error::ProposalNotFound, dao.vote(9, true));
}

#[ink::test]
fn a_defeated_proposal_cannot_be_executed() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.charlie);
    dao.propose(Action::SetFee { fee_bps: 1 }, desc()).unwrap();
    let p = dao.proposal(1).unwrap();
    at(p.proposal.vote_start);
    dao.vote(1, true).unwrap();
    as_caller(a.django);
    dao.vote(1, false).unwrap();
    at(p.eta);
    // A tie is not a majority.
    assert_eq!(dao.proposal(1).unwrap().state, ProposalState::Defeated);
    assert_refused!(dao, Error::ProposalNotPassed, dao.execute_proposal(1));
}

#[ink::test]
fn a_late_quorum_extends_voting() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.charlie);
    dao.propose(Action::SetFee { fee_bps: 1 }, desc()).unwrap();
    let p = dao.proposal(1).unwrap().proposal;
    // Quorum is 20 % of 30 000: Charlie's 10 000 alone reaches it, 5 ms before the end.
    at(p.vote_end - 5);
    dao.vote(1, true).unwrap();
    let q = dao.proposal(1).unwrap();
    assert_eq!(q.proposal.vote_end, p.vote_end - 5 + 30);
    assert!(q.proposal.extended);
    // The others can still answer.
    at(p.vote_end + 1);
    as_caller(a.django);
    assert_eq!(dao.vote(1, false), Ok(()));
    as_caller(a.eve);
    assert_eq!(dao.vote(1, false), Ok(()));
    at(q.eta);
    assert_eq!(dao.proposal(1).unwrap().state, ProposalState::Defeated);
}

#[ink::test]
fn the_guardian_cancels_and_pauses_but_nothing_else() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.charlie);
    dao.propose(Action::SetFee { fee_bps: 9 }, desc()).unwrap();
    let p = dao.proposal(1).unwrap();
    at(p.proposal.vote_start);
    dao.vote(1, true).unwrap();
    at(p.proposal.vote_end);
    assert_eq!(dao.proposal(1).unwrap().state, ProposalState::Queued);
    as_caller(a.charlie);
    assert_refused!(dao, Error::NotGuardian, dao.cancel_proposal(1));
    assert_refused!(
        dao,
        Error::NotGuardian,
        dao.guardian_pause(Target::Market, true)
    );
    as_caller(a.frank);
    assert_eq!(dao.cancel_proposal(1), Ok(()));
    // It cannot veto its own replacement or the lifting of a pause.
    as_caller(a.charlie);
    for action in [
        Action::SetGuardian { guardian: None },
        Action::SetPaused {
            target: Target::Market,
            paused: false,
        },
    ] {
        let id = dao.propose(action, desc()).unwrap();
        as_caller(a.frank);
        assert_refused!(dao, Error::GuardianCannotCancel, dao.cancel_proposal(id));
        as_caller(a.charlie);
    }
    as_caller(a.frank);
    assert_refused!(dao, Error::ProposalFinished, dao.cancel_proposal(1));
    at(p.eta);
    assert_refused!(dao, Error::ProposalFinished, dao.execute_proposal(1));
    assert_eq!(dao.guardian_pause(Target::Market, true), Ok(()));
    assert_eq!(dao.guardian_pause(Target::Registry, true), Ok(()));
    assert_refused!(
        dao,
        Error::InvalidParams,
        dao.guardian_pause(Target::Vault, true)
    );
    assert_eq!(
        calls(),
        vec![
            call::paused(Target::Market, true),
            call::paused(Target::Registry, true)
        ]
    );
    // The guardian holds no stake: it cannot even propose.
    assert_refused!(
        dao,
        Error::BelowProposalThreshold,
        dao.propose(Action::SetFee { fee_bps: 0 }, desc())
    );
}

/// Passes `action` with Charlie, Django and Eve and executes it.
pub(super) fn pass(dao: &mut DisputeDao, action: Action) -> Result<(), Error> {
    let a = accounts();
    as_caller(a.charlie);
    let id = dao.propose(action, desc())?;
    let p = dao.proposal(id).unwrap();
    at(p.proposal.vote_start);
    for who in [a.charlie, a.django, a.eve] {
        as_caller(who);
        dao.vote(id, true)?;
    }
    at(p.eta);
    dao.execute_proposal(id)
}

#[ink::test]
fn the_dao_governs_its_own_parameters_but_not_into_a_broken_state() {
    let mut dao = staked();
    let a = accounts();
    let jury = JuryParams {
        commit_ms: 200,
        ..jury_params()
    };
    assert_eq!(pass(&mut dao, Action::SetJuryParams { jury }), Ok(()));
    assert_eq!(dao.config().jury, jury);
    assert_eq!(
        pass(
            &mut dao,
            Action::SetGuardian {
                guardian: Some(a.eve)
            }
        ),
        Ok(())
    );
    assert_eq!(dao.config().guardian, Some(a.eve));
    // An unbonding delay not longer than the longest case is refused when proposed.
    as_caller(a.charlie);
    // A vault ruling window too short for a whole case is refused when proposed.
    assert_refused!(
        dao,
        Error::InvalidParams,
        dao.propose(
            Action::SetDisputeParams {
                bond_bps: 500,
                ruling_window_ms: 1_000
            },
            desc()
        )
    );
    assert_refused!(
        dao,
        Error::InvalidParams,
        dao.propose(
            Action::SetGovParams {
                gov: gov_params(),
                unbonding_ms: 100
            },
            desc()
        )
    );
    assert_refused!(
        dao,
        Error::InvalidParams,
        dao.propose(
            Action::SetJuryParams {
                jury: JuryParams { rounds: 9, ..jury }
            },
            desc()
        )
    );
    assert_eq!(
        pass(
            &mut dao,
            Action::SetGovParams {
                gov: GovParams {
                    timelock_ms: 99,
                    ..gov_params()
                },
                unbonding_ms: 9_000
            }
        ),
        Ok(())
    );
    assert_eq!(
        (dao.config().gov.timelock_ms, dao.config().unbonding_ms),
        (99, 9_000)
    );
}

#[ink::test]
fn handovers_and_governed_calls_go_through_typed_actions() {
    let mut dao = staked();
    let a = accounts();
    let actions = [
        Action::SetTreasury { treasury: a.bob },
        Action::SetAuditor {
            auditor: a.eve,
            allowed: true,
        },
        Action::SetMarketRatios {
            collateral_ratio_bps: 10_000,
            no_show_bps: 500,
        },
        Action::SetPaused {
            target: Target::Registry,
            paused: false,
        },
        Action::SetVault {
            target: Target::Market,
            vault: a.frank,
        },
        Action::SetAuditors { auditors: a.frank },
        Action::HandOver {
            target: Target::Vault,
            successor: Some(a.bob),
        },
    ];
    for action in actions {
        assert_eq!(pass(&mut dao, action), Ok(()));
    }
    let logged: Vec<Call> = actions.iter().map(|x| call::action(*x)).collect();
    assert_eq!(calls(), logged);
    // A governed contract's refusal changes nothing: the proposal stays ready.
    // The vault answers in its own words, the registry and the market as refused.
    refuse_all(true);
    let not_arbiter = Error::Vault(market_types::VaultError::NotArbiter);
    assert_eq!(
        pass(&mut dao, Action::SetFee { fee_bps: 20_000 }),
        Err(not_arbiter.clone())
    );
    let id = dao.proposals(0, MAX_PAGE).items.len() as u64;
    assert_eq!(dao.proposal(id).unwrap().state, ProposalState::Ready);
    assert_refused!(dao, not_arbiter, dao.execute_proposal(id));
    assert_eq!(
        dao.accept_role(Target::Vault),
        Err(Error::Vault(market_types::VaultError::NotPendingArbiter))
    );
    assert_eq!(dao.accept_role(Target::Registry), Err(Error::TargetRefused));
    refuse_all(false);
    assert_eq!(dao.accept_role(Target::Vault), Ok(()));
    assert_eq!(dao.execute_proposal(id), Ok(()));
}

#[ink::test]
fn a_passed_proposal_expires_when_nobody_executes_it_in_its_grace() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.charlie);
    dao.propose(Action::SetFee { fee_bps: 7 }, desc()).unwrap();
    let p = dao.proposal(1).unwrap();
    at(p.proposal.vote_start);
    dao.vote(1, true).unwrap();
    // Snapshotted at proposal time: a later governance change never moves it.
    assert_eq!(p.proposal.grace_ms, gov_params().grace_ms);
    assert_eq!(p.expires_at, p.eta + gov_params().grace_ms);
    at(p.expires_at - 1);
    assert_eq!(dao.proposal(1).unwrap().state, ProposalState::Ready);
    at(p.expires_at);
    assert_eq!(dao.proposal(1).unwrap().state, ProposalState::Expired);
    as_caller(a.bob);
    assert_refused!(dao, Error::ProposalExpired, dao.execute_proposal(1));
    assert!(calls().is_empty(), "no call reached the vault");
}

#[ink::test]
fn actions_that_name_a_contract_without_the_setting_are_refused_at_proposal() {
    let mut dao = staked();
    let a = accounts();
    as_caller(a.charlie);
    assert_refused!(
        dao,
        Error::InvalidParams,
        dao.propose(
            Action::SetVault {
                target: Target::Vault,
                vault: a.frank
            },
            desc()
        )
    );
    assert_refused!(
        dao,
        Error::InvalidParams,
        dao.propose(
            Action::SetPaused {
                target: Target::Vault,
                paused: true
            },
            desc()
        )
    );
    // A zero grace would make every proposal expire the moment it became executable.
    assert_refused!(
        dao,
        Error::InvalidParams,
        dao.propose(
            Action::SetGovParams {
                gov: GovParams {
                    grace_ms: 0,
                    ..gov_params()
                },
                unbonding_ms: 9_000
            },
            desc()
        )
    );
    // The same actions naming the registry are fine.
    assert_eq!(
        dao.propose(
            Action::SetVault {
                target: Target::Registry,
                vault: a.frank
            },
            desc()
        ),
        Ok(1)
    );
}
