//! Dispute DAO on the node, continued: a missed quorum and the vault's fallback, and a
//! governance fee change through its timelock, with the guardian's cancel and a
//! `SetVault` reaching the registry (the helpers live in `dao.rs`).
use crate::{deploy_market, E2EResult, BOND_BPS};
use dispute_dao::{
    Action, CaseFellBack, CaseStatus, DisputeDao, Error, GovParams, Phase, ProposalCanceled,
    ProposalCreated, ProposalExecuted, ProposalState, ProposalVoted, Target, VoteOutcome,
    VoteSettled,
};
use escrow::{Escrow, EscrowSettled, FeeChanged};
use ink::primitives::Hash;
use ink_e2e::ContractsBackend;
use market_token::MarketToken;
use market_types::governed::{Administered, VaultArbiter};
use market_types::{AdminError, Asset, EscrowState, EscrowVault, SettleReason, VaultError};
use model_registry::ModelRegistry;
use psp22::PSP22;

use crate::dao::*;

#[e2e_macros::test]
async fn a_missed_quorum_falls_back_to_the_vault<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market with a 15 s ruling window (set before the hand-over) and the
    // DAO as arbiter: one round of 3 s + 3 s, a 20 % quorum, 300 of reward per case and
    // a case fee of 300.
    let m = deploy_market(&mut client).await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    tx!(
        client,
        &ink_e2e::alice(),
        v.set_dispute_params(BOND_BPS, 15_000)
    )
    .expect("window");
    let dao = deploy_dao(
        &mut client,
        &m,
        m.registry,
        jury(3_000, 3_000, 1_000, 1, 500, 300),
        quiet_gov(),
        60_000,
        None,
    )
    .await;
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    let reg = ink_e2e::create_call_builder::<ModelRegistry>(m.registry);
    let mut t = ink_e2e::create_call_builder::<MarketToken>(m.token);
    let (alice, bob, charlie) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::charlie());
    let (dave, eve, ferdie) = (ink_e2e::dave(), ink_e2e::eve(), ink_e2e::ferdie());

    // And dave 1 000 and eve 100 staked (quorum: 220 of 1 100), 1 000 in the reserve.
    stake_all(&mut client, m.token, dao, &[(&dave, 1_000), (&eve, 100)]).await;
    tx!(client, &alice, t.approve(dao, 1_000)).expect("approve");
    tx!(client, &alice, d.fund_rewards(1_000)).expect("fund rewards");
    // And charlie holds the fees of two cases, approved to the DAO.
    fund_case_fees(&mut client, m.token, dao, &charlie, 300, 2).await;

    // And two delivered license orders of charlie's from bob, both disputed by charlie
    // and both taken to the DAO (cases A and B).
    let (model, offer) = license_offer(&mut client, &m, "speech").await;
    let (_, ea) = buy_delivered(&mut client, &m, model, offer).await;
    let (_, eb) = buy_delivered(&mut client, &m, model, offer).await;
    for e in [ea, eb] {
        tx!(client, &charlie, v.dispute(e), 50_000u128).expect("dispute");
    }

    // When on case A dave commits and never reveals, and eve (100: under the quorum)
    // reveals "everything to bob"; nobody votes on case B.
    let ca = tx!(client, &charlie, d.open_case(ea, "ipfs://late".into())).expect("open A");
    tx!(
        client,
        &dave,
        d.commit_vote(ca, commitment(4, salt(1), id(&dave), ca, 0))
    )
    .expect("commit");
    tx!(
        client,
        &eve,
        d.commit_vote(ca, commitment(4, salt(2), id(&eve), ca, 0))
    )
    .expect("commit");
    let cb = tx!(client, &charlie, d.open_case(eb, "ipfs://late".into())).expect("open B");
    // Each case paid its 300 fee into the reserve and drew its 300 reward out of it
    // (before the case fee the reserve was down to 400).
    assert_eq!(
        query!(client, d.totals()).1,
        1_000,
        "each case paid 300 and drew 300"
    );
    assert_eq!(query!(client, t.balance_of(id(&charlie))), 0);
    end_phase(&mut client, m.token, dao, ca).await;
    tx!(client, &eve, d.reveal_vote(ca, 4, salt(2))).expect("reveal");
    end_phase(&mut client, m.token, dao, ca).await;

    // Then case A is final without a ruling. Executing it before the vault's deadline
    // closes it and leaves the escrow disputed at the vault, whose own fallback is not
    // due yet.
    assert_eq!(
        query!(client, d.case(ca)).expect("case").phase,
        Phase::Executable
    );
    let (r, fell) = tx_events!(client, &ferdie, d.execute_ruling(ca), CaseFellBack);
    r.expect("execute A");
    assert_eq!(
        (fell[0].case, fell[0].escrow, fell[0].vault_fallback_applied),
        (ca, ea, false)
    );
    let view = query!(client, d.case(ca)).expect("case");
    assert_eq!(
        (view.phase, view.case.status),
        (Phase::Closed, CaseStatus::NoQuorum)
    );
    assert_eq!(
        query!(client, v.escrow_status(ea)).expect("status").state,
        EscrowState::Disputed
    );
    assert_refused!(
        client,
        &ferdie,
        v.expire_dispute(ea),
        VaultError::RulingWindowOpen
    );

    // When the votes are settled: dave's unrevealed risk is forfeited, eve gets hers
    // back (no ruling to be coherent with); the forfeit and A's reward go back to the
    // reserve for later cases.
    for (who, outcome, returned, forfeited) in [
        (&dave, VoteOutcome::NotRevealed, 0u128, 100u128),
        (&eve, VoteOutcome::NoRuling, 10, 0),
    ] {
        let (r, ev) = tx_events!(client, &ferdie, d.settle_vote(ca, 0, id(who)), VoteSettled);
        assert_eq!(r, Ok(0));
        assert_eq!(
            (ev[0].outcome, ev[0].returned, ev[0].reward, ev[0].forfeited),
            (outcome, returned, 0, forfeited)
        );
    }
    let md = query!(client, d.member(id(&dave)));
    assert_eq!(
        (md.staked, md.at_risk, md.lost, md.open_votes),
        (900, 0, 100, 0)
    );
    assert_eq!(query!(client, d.member(id(&eve))).staked, 100);
    assert_eq!(query!(client, d.totals()).1, 1_000 + 100 + 300);

    // When the vault's ruling deadline has passed, executing case B (no votes) applies
    // the vault's fallback at once, and anyone applies it to A directly at the vault.
    let deadline = query!(client, d.case(cb))
        .expect("case")
        .case
        .ruling_deadline;
    pass(&mut client, m.token, deadline).await;
    let res = submit!(client, &ferdie, d.execute_ruling(cb), 0u128);
    let fell: Vec<CaseFellBack> = crate::events_of(res.contract_emitted_events()?);
    let settled_b: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("execute B");
    assert_eq!((fell[0].case, fell[0].vault_fallback_applied), (cb, true));
    let (r, settled_a) = tx_events!(client, &ferdie, v.expire_dispute(ea), EscrowSettled);
    r.expect("vault fallback for A");

    // Then both delivered orders paid bob (less the 2.5 % fee) and charlie lost his
    // bonds (his side got nothing); nothing is pending anywhere. Nobody ruled, so each
    // forfeited bond goes to bob, whose payment the dispute froze, never to the
    // treasury (before issue 17: to the treasury, eve).
    for (e, s) in [(ea, &settled_a[0]), (eb, &settled_b[0])] {
        assert_eq!(
            (
                s.id,
                s.reason,
                s.to_payee,
                s.fee,
                s.refund,
                s.bond_returned,
                s.bond_forfeited
            ),
            (
                e,
                SettleReason::DisputeExpired,
                975_000,
                25_000,
                0,
                0,
                50_000
            )
        );
        let status = query!(client, v.escrow_status(e)).expect("status");
        assert_eq!(status.state, EscrowState::Settled);
        assert_eq!(
            status.settlement.map(|s| (s.reason, s.payee_share_bps)),
            Some((SettleReason::DisputeExpired, 10_000))
        );
    }
    // Bob: 2 × (975 000 + the 50 000 bond) (was 2 × 975 000); eve, the treasury: only
    // the 2 × 25 000 fees (was 2 × 75 000, the bonds included).
    assert_eq!(
        query!(client, v.credit_of(id(&bob), Asset::Native)),
        2 * (975_000 + 50_000)
    );
    assert_eq!(
        query!(client, v.credit_of(id(&eve), Asset::Native)),
        2 * 25_000
    );
    assert_eq!(query!(client, v.open_escrow_count(id(&charlie))), 0);
    assert!(query!(client, reg.has_valid_license(id(&charlie), model)));
    assert_eq!(
        query!(client, d.case(cb)).expect("case").phase,
        Phase::Closed
    );
    assert_refused!(client, &ferdie, d.execute_ruling(cb), Error::CaseClosed);
    assert!(query!(client, d.votes_of(id(&dave), 0, 10))
        .items
        .is_empty());
    // The reserve keeps the two 300 fees (was (1_000, 1_100, 2_100)).
    let (staked, reserve, owed) = query!(client, d.totals());
    assert_eq!((staked, reserve, owed), (1_000, 1_700, 2_700));
    assert_eq!(query!(client, t.balance_of(dao)), owed);
    Ok(())
}

#[e2e_macros::test]
async fn a_fee_change_passes_after_its_timelock_and_the_next_purchase_uses_it<
    Client: E2EBackend,
>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market and the DAO as the vault's arbiter, ferdie its guardian:
    // proposals are voted on for 6 s from the moment they are made, need 30 % of the
    // stake, wait 4 s of timelock, and need 1 000 staked to be made.
    let m = deploy_market(&mut client).await;
    let gov = GovParams {
        voting_delay_ms: 0,
        voting_period_ms: 6_000,
        quorum_bps: 3_000,
        timelock_ms: 4_000,
        grace_ms: 60_000,
        extension_ms: 1_000,
        proposal_threshold: 1_000,
    };
    let (alice, bob, charlie) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::charlie());
    let (dave, eve, ferdie) = (ink_e2e::dave(), ink_e2e::eve(), ink_e2e::ferdie());
    let dao = deploy_dao(
        &mut client,
        &m,
        m.registry,
        jury(3_000, 3_000, 3_000, 1, 500, 0),
        gov,
        60_000,
        Some(id(&ferdie)),
    )
    .await;
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(m.registry);
    stake_all(&mut client, m.token, dao, &[(&dave, 2_000), (&eve, 1_000)]).await;

    // Then the deployer can no longer change the fee, and someone without stake cannot
    // propose.
    assert_eq!(query!(client, v.arbiter()), dao);
    assert_refused!(client, &alice, v.set_fee_bps(500), VaultError::NotArbiter);
    let five_percent = Action::SetFee { fee_bps: 500 };
    assert_refused!(
        client,
        &charlie,
        d.propose(five_percent, Hash::from([1; 32])),
        Error::BelowProposalThreshold
    );

    // When dave proposes a 5 % fee, and then that fees be paid to himself.
    let (p1, created) = tx_events!(
        client,
        &dave,
        d.propose(five_percent, Hash::from([1; 32])),
        ProposalCreated
    );
    let p1 = p1.expect("propose the fee");
    assert_eq!(
        (created[0].id, created[0].proposer, created[0].action),
        (p1, id(&dave), five_percent)
    );
    let p2 = tx!(
        client,
        &dave,
        d.propose(
            Action::SetTreasury {
                treasury: id(&dave)
            },
            Hash::from([2; 32])
        )
    )
    .expect("propose the treasury");

    // And dave and eve vote for the fee; on the treasury dave for, eve against.
    for (who, p, support, weight) in [
        (&dave, p1, true, 2_000u128),
        (&eve, p1, true, 1_000),
        (&dave, p2, true, 2_000),
        (&eve, p2, false, 1_000),
    ] {
        let (r, ev) = tx_events!(client, who, d.vote(p, support), ProposalVoted);
        r.expect("vote");
        assert_eq!(
            (ev[0].id, ev[0].voter, ev[0].support, ev[0].weight),
            (p, id(who), support, weight)
        );
    }
    assert_refused!(client, &eve, d.vote(p1, false), Error::AlreadyVoted);
    assert_eq!(query!(client, d.ballot(p2, id(&eve))), Some(false));

    // Then neither can be executed while voting runs, nor before its timelock.
    let view = query!(client, d.proposal(p1)).expect("proposal");
    assert_eq!(view.state, ProposalState::Active);
    assert_eq!(view.eta, view.proposal.vote_end + 4_000);
    assert_refused!(
        client,
        &bob,
        d.execute_proposal(p1),
        Error::ProposalNotPassed
    );
    let vote_end = query!(client, d.proposal(p2))
        .expect("proposal")
        .proposal
        .vote_end;
    pass(&mut client, m.token, vote_end).await;
    for p in [p1, p2] {
        assert_eq!(
            query!(client, d.proposal(p)).expect("proposal").state,
            ProposalState::Queued
        );
    }
    assert_refused!(client, &bob, d.execute_proposal(p1), Error::TimelockNotOver);

    // When dave tries to cancel the treasury proposal, and then ferdie, the guardian.
    assert_refused!(client, &dave, d.cancel_proposal(p2), Error::NotGuardian);
    let (r, canceled) = tx_events!(client, &ferdie, d.cancel_proposal(p2), ProposalCanceled);
    r.expect("cancel");
    assert_eq!(canceled[0].id, p2);
    assert_eq!(
        query!(client, d.proposal(p2)).expect("proposal").state,
        ProposalState::Canceled
    );

    // When the timelock is over, anyone executes the fee; the canceled one cannot be.
    pass(&mut client, m.token, view.eta).await;
    assert_eq!(
        query!(client, d.proposal(p1)).expect("proposal").state,
        ProposalState::Ready
    );
    let res = submit!(client, &bob, d.execute_proposal(p1), 0u128);
    let executed: Vec<ProposalExecuted> = crate::events_of(res.contract_emitted_events()?);
    let fee_changed: Vec<FeeChanged> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("execute the fee");
    assert_eq!((executed[0].id, executed[0].action), (p1, five_percent));
    assert_eq!(fee_changed[0].fee_bps, 500);
    assert_refused!(
        client,
        &bob,
        d.execute_proposal(p2),
        Error::ProposalFinished
    );
    assert_refused!(
        client,
        &bob,
        d.execute_proposal(p1),
        Error::ProposalFinished
    );
    assert_eq!(query!(client, v.fee_bps()), 500);
    assert_eq!(query!(client, v.treasury()), id(&eve));

    // When the registry's admin role goes to the DAO too (alice proposes, anyone makes
    // the DAO accept), alice can no longer point purchases at another vault; a passed
    // `SetVault` reaches the registry's `Administered::set_vault`, the trait the DAO
    // calls it through (here to the same vault, so the purchase below still goes
    // through it).
    tx!(client, &alice, reg.propose_admin(Some(dao))).expect("propose the DAO");
    tx!(client, &bob, d.accept_role(Target::Registry)).expect("accept the registry");
    assert_refused!(
        client,
        &alice,
        reg.set_vault(id(&alice)),
        AdminError::NotAdmin
    );
    let same_vault = Action::SetVault {
        target: Target::Registry,
        vault: m.vault,
    };
    let p3 =
        tx!(client, &dave, d.propose(same_vault, Hash::from([3; 32]))).expect("propose the vault");
    for who in [&dave, &eve] {
        tx!(client, who, d.vote(p3, true)).expect("vote");
    }
    // A `SetVault` redirects payments: it waits twice the timelock, 8 s (was 4 s).
    let view3 = query!(client, d.proposal(p3)).expect("proposal");
    assert_eq!(view3.eta, view3.proposal.vote_end + 2 * 4_000);
    let eta3 = view3.eta;
    pass(&mut client, m.token, eta3).await;
    let res = submit!(client, &bob, d.execute_proposal(p3), 0u128);
    let moved: Vec<model_registry::VaultChanged> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("execute SetVault");
    assert_eq!(moved.len(), 1, "the registry's set_vault ran");
    assert_eq!(moved[0].vault, m.vault);
    assert_eq!(query!(client, reg.vault()), Some(m.vault));

    // Then the next license purchase, once released, pays the treasury exactly 5 %.
    let (model, offer) = license_offer(&mut client, &m, "audio").await;
    let (license, _) = buy_delivered(&mut client, &m, model, offer).await;
    let (r, settled) = tx_events!(
        client,
        &charlie,
        reg.release_license(license),
        EscrowSettled
    );
    r.expect("release");
    let s = &settled[0];
    assert_eq!(
        (s.reason, s.to_payee, s.fee, s.royalties, s.refund),
        (SettleReason::Released, 950_000, 50_000, 0, 0)
    );
    assert_eq!(query!(client, v.credit_of(id(&eve), Asset::Native)), 50_000);
    assert_eq!(
        query!(client, v.credit_of(id(&bob), Asset::Native)),
        950_000
    );
    Ok(())
}
