//! The dispute DAO on the node, as the vault's arbiter, deciding a case: a rental
//! dispute decided by three jurors with a split and a collateral slash, where a flash
//! stake, a party voting, a denounced vote and a copied commitment are all refused or
//! punished, and the jurors' rewards and forfeits are settled to the unit. (Appeals are
//! in `dao_appeals.rs`, a missed quorum and governance in `dao_governance.rs`, the
//! world they start from in `fixtures/dao.rs`.)

use crate::fixtures::dao::*;
use crate::fixtures::{fresh_account, id};
use crate::E2EResult;
use dispute_dao::{
    CaseOpened, CaseStatus, DisputeDao, Error, Phase, RulingExecuted, Tally, VoteCommitted,
    VoteDenounced, VoteOutcome, VoteSettled, Withdrawn,
};
use escrow::{CollateralSlashed, Escrow, EscrowSettled};
use ink_e2e::ContractsBackend;
use market_token::MarketToken;
use market_types::governed::VaultArbiter;
use market_types::{Asset, EscrowState, EscrowVault, SettleReason};
use psp22::PSP22;

#[e2e_macros::test]
async fn a_rental_dispute_is_decided_by_three_jurors_with_a_split_and_a_slash<
    Client: E2EBackend,
>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market, a compute market with one-minute hours, and the DAO as the
    // vault's arbiter: 8 s to commit, 6 s to reveal, 4 s to appeal, two rounds, 1 000
    // tokens of reward per case out of the reserve, and a case fee of 1 000 (the
    // reward's worth) that the opener pays into the reserve.
    let DaoWorld { m, compute, dao } = dao_world(
        &mut client,
        DaoSetup {
            unbonding_ms: 120_000,
            compute_hour_ms: Some(60_000),
            ..DaoSetup::new(jury(8_000, 6_000, 4_000, 2, 1_000, 1_000))
        },
    )
    .await;
    let compute = compute.expect("the compute market");
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    let v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let mut t = ink_e2e::create_call_builder::<MarketToken>(m.token);
    assert_eq!(query!(client, v.arbiter()), dao);
    let (alice, bob, charlie) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::charlie());
    let (dave, eve, ferdie) = (ink_e2e::dave(), ink_e2e::eve(), ink_e2e::ferdie());
    let j4 = fresh_account(&mut client).await;
    let j5 = fresh_account(&mut client).await;

    // And five members who staked before any case: dave 4 000, eve 3 000, ferdie
    // 2 000 and two more 500 each; alice funds the reward reserve with 1 000.
    let jurors = [
        (&dave, 4_000),
        (&eve, 3_000),
        (&ferdie, 2_000),
        (&j4, 500),
        (&j5, 500),
    ];
    stake_all(&mut client, m.token, dao, &jurors).await;
    fund_rewards(&mut client, m.token, dao, 1_000).await;
    assert_eq!(query!(client, d.totals()), (10_000, 1_000, 11_000));
    // And charlie holds the case fee, approved to the DAO.
    fund_case_fees(&mut client, m.token, dao, &charlie, 1_000, 1).await;

    // And charlie's running rental of bob's GPU (1 GPU, 2 h: 2 000 000 prepaid, against
    // a collateral of 10 000 000), which charlie disputes at the vault with the bond.
    let disputed = disputed_rental(&mut client, m.vault, compute).await?;
    let (cid, escrow_id) = (disputed.offer.collateral_id, disputed.rental.escrow_id);
    let (bond, excess) = (disputed.dispute.bond, disputed.dispute.excess_credited);
    assert_eq!(bond, disputed.bond);

    // When charlie opens a case with its evidence.
    let (case, opened) = tx_events!(
        client,
        &charlie,
        d.open_case(escrow_id, "ipfs://gpu-logs".into()),
        CaseOpened
    );
    let case = case.expect("open case");

    // Then the case snapshots the 10 000 staked, takes charlie's 1 000 fee into the
    // reserve and draws the reward from it, knows the collateral and the frozen
    // 2 000 000 (the base of a slash), and its commit phase runs.
    let o = &opened[0];
    assert_eq!(
        (o.case, o.escrow, o.payer, o.payee, o.total_stake, o.fee),
        (case, escrow_id, id(&charlie), id(&bob), 10_000, 1_000)
    );
    assert_eq!(query!(client, t.balance_of(id(&charlie))), 0);
    let view = query!(client, d.case(case)).expect("case");
    assert_eq!(
        (
            view.phase,
            view.case.collateral,
            view.case.held,
            view.case.reward_reserved
        ),
        (Phase::Commit, Some(cid), PRICE * 2, 1_000)
    );
    assert_eq!(query!(client, d.case_of_escrow(escrow_id)), Some(case));
    // The reserve: 1 000 funded + the 1 000 fee − the 1 000 reward (before the case
    // fee it was 0).
    assert_eq!(query!(client, d.totals()), (10_000, 1_000, 12_000));

    // When alice stakes only now (a flash stake): the stake is real, yet it weighs
    // nothing on the case, and her vote is refused.
    tx!(client, &alice, t.approve(dao, 1_000)).expect("approve");
    tx!(client, &alice, d.stake(1_000)).expect("late stake");
    assert_eq!(query!(client, d.member(id(&alice))).staked, 1_000);
    assert_eq!(query!(client, d.weight_on_case(case, id(&alice))), 0);
    assert_eq!(query!(client, d.weight_on_case(case, id(&dave))), 4_000);
    assert_refused!(
        client,
        &alice,
        d.commit_vote(case, commitment(4, salt(9), id(&alice), case, 0)),
        Error::NoVotingWeight
    );
    // And a party cannot vote on its own case.
    assert_refused!(
        client,
        &bob,
        d.commit_vote(case, commitment(4, salt(9), id(&bob), case, 0)),
        Error::PartyCannotVote
    );

    // When dave and eve commit to choice 7 (half to bob, and a slash), ferdie to 2
    // (half, no slash), the fourth juror to 4, and the fifth copies dave's commitment
    // as anyone reads it on chain. Each puts 10 % of its weight at risk.
    assert_eq!(
        query!(client, d.commitment(7, salt(1), id(&dave), case, 0)),
        commitment(7, salt(1), id(&dave), case, 0),
        "the documented commitment layout"
    );
    let votes = [
        (&dave, 7u8, 1u8, 4_000u128),
        (&eve, 7, 2, 3_000),
        (&ferdie, 2, 3, 2_000),
        (&j4, 4, 4, 500),
    ];
    for (who, choice, s, weight) in votes {
        let (r, ev) = tx_events!(
            client,
            who,
            d.commit_vote(case, commitment(choice, salt(s), id(who), case, 0)),
            VoteCommitted
        );
        r.expect("commit");
        assert_eq!(
            (ev[0].juror, ev[0].weight, ev[0].risk),
            (id(who), weight, weight / 10)
        );
    }
    let copied = query!(client, d.vote_of(case, 0, id(&dave)))
        .expect("dave's vote")
        .commitment;
    tx!(client, &j5, d.commit_vote(case, copied)).expect("copy a commitment");
    assert_refused!(
        client,
        &dave,
        d.commit_vote(case, copied),
        Error::AlreadyVoted
    );
    let m1 = query!(client, d.member(id(&dave)));
    assert_eq!((m1.staked, m1.at_risk, m1.open_votes), (3_600, 400, 1));

    // When alice learns the fourth juror's choice and salt (a bribe's receipt) and
    // denounces it: a wrong salt proves nothing, the juror cannot denounce itself, and
    // the right one voids the vote; the juror loses its whole risk (50), half of it is
    // alice's bounty and half goes to the reward reserve (so denouncing oneself through
    // a second account never refunds a vote).
    assert_refused!(
        client,
        &alice,
        d.denounce(case, id(&j4), 4, salt(5)),
        Error::CommitmentMismatch
    );
    assert_refused!(
        client,
        &j4,
        d.denounce(case, id(&j4), 4, salt(4)),
        Error::SelfDenounce
    );
    let (r, ev) = tx_events!(
        client,
        &alice,
        d.denounce(case, id(&j4), 4, salt(4)),
        VoteDenounced
    );
    r.expect("denounce");
    assert_eq!(
        (ev[0].case, ev[0].juror, ev[0].by, ev[0].round, ev[0].bounty),
        (case, id(&j4), id(&alice), 0, 25)
    );
    assert_eq!(query!(client, d.member(id(&alice))).credit, 25);
    // The case fee's 1 000 left in the reserve, plus half the forfeit (was 25).
    assert_eq!(query!(client, d.totals()).1, 1_025);
    let m4 = query!(client, d.member(id(&j4)));
    assert_eq!(
        (m4.staked, m4.at_risk, m4.lost, m4.open_votes),
        (450, 0, 50, 0)
    );
    assert_eq!(query!(client, d.round_info(case, 0)).commits, 4);

    // When the reveal phase comes, the three jurors reveal; the copier cannot reveal
    // dave's vote as its own, and the denounced vote stays void.
    end_phase(&mut client, m.token, dao, case).await;
    assert_eq!(
        query!(client, d.case(case)).expect("case").phase,
        Phase::Reveal
    );
    for (who, choice, s) in [(&dave, 7u8, 1u8), (&eve, 7, 2), (&ferdie, 2, 3)] {
        tx!(client, who, d.reveal_vote(case, choice, salt(s))).expect("reveal");
    }
    assert_refused!(
        client,
        &j5,
        d.reveal_vote(case, 7, salt(1)),
        Error::CommitmentMismatch
    );
    assert_refused!(
        client,
        &j4,
        d.reveal_vote(case, 4, salt(4)),
        Error::VoteVoided
    );
    assert_eq!(
        query!(client, d.tally(case, 0, 7)),
        Tally {
            weight: 7_000,
            risk: 700
        }
    );
    let info = query!(client, d.round_info(case, 0));
    assert_eq!((info.reveals, info.revealed_weight), (3, 9_000));
    assert_refused!(client, &ferdie, d.execute_ruling(case), Error::NotFinal);

    // Then after the reveal phase choice 7 leads and may still be appealed: not final.
    end_phase(&mut client, m.token, dao, case).await;
    let view = query!(client, d.case(case)).expect("case");
    assert_eq!((view.phase, view.leading), (Phase::Appeal, Some(7)));
    assert_refused!(client, &ferdie, d.execute_ruling(case), Error::NotFinal);

    // When nobody appeals and anyone executes the ruling.
    pass(&mut client, m.token, view.phase_ends).await;
    assert_eq!(
        query!(client, d.case(case)).expect("case").phase,
        Phase::Executable
    );
    let res = submit!(client, &ferdie, d.execute_ruling(case), 0u128);
    let executed: Vec<RulingExecuted> = crate::events_of(res.contract_emitted_events()?);
    let settled: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
    let slashes: Vec<CollateralSlashed> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("execute");

    // Then the vault split the frozen 2 000 000 half and half (bob's half pays the
    // 2.5 % fee), slashed 50 % of it (1 000 000) out of bob's collateral to charlie,
    // and returned charlie's bond (its side got at least half). The pool is the
    // forfeited risk (ferdie 200, the copier 50) plus the 1 000 reward.
    let e = &executed[0];
    assert_eq!(
        (
            e.case,
            e.escrow,
            e.choice,
            e.payee_bps,
            e.slashed,
            e.applied,
            e.pool
        ),
        (case, escrow_id, 7, 5_000, 1_000_000, true, 1_250)
    );
    assert!(
        !e.hold_released,
        "nothing was held: the escrow was still disputed"
    );
    let s = &settled[0];
    assert_eq!(
        (
            s.reason,
            s.to_payee,
            s.fee,
            s.royalties,
            s.refund,
            s.bond_returned,
            s.bond_forfeited
        ),
        (
            SettleReason::Resolved,
            975_000,
            25_000,
            0,
            1_000_000,
            bond,
            0
        )
    );
    assert_eq!(
        (
            slashes[0].id,
            slashes[0].receivers.clone(),
            slashes[0].total
        ),
        (cid, vec![(id(&charlie), 1_000_000)], 1_000_000)
    );
    assert_eq!(
        query!(client, v.credit_of(id(&bob), Asset::Native)),
        975_000
    );
    assert_eq!(
        query!(client, v.credit_of(id(&charlie), Asset::Native)),
        excess + 1_000_000 + bond + 1_000_000
    );
    assert_eq!(query!(client, v.credit_of(id(&eve), Asset::Native)), 25_000);
    assert_eq!(
        query!(client, v.collateral(cid))
            .expect("collateral")
            .amount,
        PRICE * 10 - 1_000_000
    );
    assert_eq!(
        query!(client, v.escrow_status(escrow_id))
            .expect("status")
            .state,
        EscrowState::Settled
    );
    let view = query!(client, d.case(case)).expect("case");
    assert_eq!(
        (view.phase, view.case.status),
        (
            Phase::Closed,
            CaseStatus::Ruled {
                choice: 7,
                applied: true
            }
        )
    );
    assert_refused!(client, &ferdie, d.execute_ruling(case), Error::CaseClosed);

    // When anyone settles the votes: dave's pending outcome is visible before.
    let pending = query!(client, d.votes_of(id(&dave), 0, 10)).items;
    assert_eq!(pending[0].pending, Some((VoteOutcome::Coherent, 400, 714)));
    let mut rewards = 0;
    for (who, outcome, returned, reward, forfeited) in [
        (&dave, VoteOutcome::Coherent, 400u128, 714u128, 0u128),
        (&eve, VoteOutcome::Coherent, 300, 536, 0),
        (&ferdie, VoteOutcome::Incoherent, 0, 0, 200),
        (&j5, VoteOutcome::NotRevealed, 0, 0, 50),
    ] {
        let (r, ev) = tx_events!(client, &alice, d.settle_vote(case, 0, id(who)), VoteSettled);
        assert_eq!(r, Ok(reward));
        let ev = &ev[0];
        assert_eq!(
            (ev.juror, ev.outcome, ev.returned, ev.reward, ev.forfeited),
            (id(who), outcome, returned, reward, forfeited)
        );
        rewards += reward;
    }
    assert_refused!(
        client,
        &alice,
        d.settle_vote(case, 0, id(&j4)),
        Error::AlreadySettled
    );

    // Then the coherent jurors shared the pool by weight, to the unit; the incoherent
    // and the silent lost their risk; everything the DAO owes is in its balance.
    assert_eq!(rewards, 1_250);
    let m1 = query!(client, d.member(id(&dave)));
    assert_eq!(
        (m1.staked, m1.at_risk, m1.credit, m1.earned, m1.open_votes),
        (4_000, 0, 714, 714, 0)
    );
    let m3 = query!(client, d.member(id(&ferdie)));
    assert_eq!(
        (m3.staked, m3.at_risk, m3.credit, m3.lost),
        (1_800, 0, 0, 200)
    );
    let m5 = query!(client, d.member(id(&j5)));
    assert_eq!((m5.staked, m5.lost), (450, 50));
    assert!(query!(client, d.votes_of(id(&dave), 0, 10))
        .items
        .is_empty());
    // (The reserve and what the DAO owes are 1 000 higher than before the case fee:
    // charlie's fee stays in the reserve for later cases; was (10_700, 25, 12_000).)
    let (staked, reserve, owed) = query!(client, d.totals());
    assert_eq!((staked, reserve, owed), (10_700, 1_025, 13_000));
    assert_eq!(query!(client, t.balance_of(dao)), owed);

    // And dave withdraws his reward and alice her bounty, in tokens.
    for (who, amount) in [(&dave, 714u128), (&alice, 25)] {
        let before = query!(client, t.balance_of(id(who)));
        let (r, ev) = tx_events!(client, who, d.withdraw_credit(), Withdrawn);
        assert_eq!(r, Ok(amount));
        assert_eq!(
            (ev[0].member, ev[0].amount, ev[0].unbonded),
            (id(who), amount, false)
        );
        assert_eq!(query!(client, t.balance_of(id(who))), before + amount);
    }
    assert_refused!(client, &dave, d.withdraw_credit(), Error::NothingToWithdraw);
    let owed = query!(client, d.totals()).2;
    assert_eq!(owed, 13_000 - 739);
    assert_eq!(query!(client, t.balance_of(dao)), owed);
    Ok(())
}
