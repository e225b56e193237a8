//! The dispute DAO on the node, governing: a fee change passes only after its
//! timelock and is paid by the next purchase, the guardian cancels a proposal that
//! would redirect the fees, and a passed `SetVault` reaches the registry once the
//! registry's admin role is the DAO's. (The world it starts from is in
//! `fixtures/dao.rs`.)

use crate::fixtures::dao::*;
use crate::fixtures::id;
use crate::E2EResult;
use dispute_dao::{
    Action, DisputeDao, Error, GovParams, ProposalCanceled, ProposalCreated, ProposalExecuted,
    ProposalState, ProposalVoted, Target,
};
use escrow::{Escrow, EscrowSettled, FeeChanged};
use ink::primitives::Hash;
use ink_e2e::ContractsBackend;
use market_types::governed::{Administered, VaultArbiter};
use market_types::{AdminError, Asset, SettleReason, VaultError};
use model_registry::ModelRegistry;

#[e2e_macros::test]
async fn a_fee_change_passes_after_its_timelock_and_the_next_purchase_uses_it<
    Client: E2EBackend,
>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market and the DAO as the vault's arbiter, ferdie its guardian:
    // proposals are voted on for 6 s from the moment they are made, need 30 % of the
    // stake, wait 4 s of timelock, and need 1 000 staked to be made.
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
    let DaoWorld { m, dao, .. } = dao_world(
        &mut client,
        DaoSetup {
            gov,
            guardian: Some(id(&ferdie)),
            ..DaoSetup::new(jury(3_000, 3_000, 3_000, 1, 500, 0))
        },
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
