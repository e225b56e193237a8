//! The dispute DAO on the node, appealed: a license order's case whose first round
//! rules for the seller, appealed by the buyer with a bond; the second round, longer and
//! with a higher quorum, flips the ruling, and the rewards, the forfeits and the appeal
//! bond follow the final ruling. (The world it starts from is in `fixtures/dao.rs`.)

use crate::fixtures::dao::*;
use crate::fixtures::id;
use crate::E2EResult;
use dispute_dao::{
    AppealBondReturned, DisputeDao, Error, Phase, RulingAppealed, RulingExecuted, VoteCommitted,
    VoteOutcome, VoteSettled,
};
use escrow::{Escrow, EscrowSettled};
use ink_e2e::ContractsBackend;
use market_token::MarketToken;
use market_types::{Asset, SettleReason};
use model_registry::ModelRegistry;
use psp22::PSP22;

#[e2e_macros::test]
async fn an_appeal_flips_the_ruling_and_rewards_follow_the_final_one<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market and the DAO as the vault's arbiter: round 0 lasts 4 s + 4 s with
    // a 4 s appeal window and a 20 % quorum; round 1 twice as long with 40 %; the first
    // appeal costs 500 tokens; 600 of reward per case, and a case fee of 600.
    let DaoWorld { m, dao, .. } = dao_world(
        &mut client,
        DaoSetup {
            unbonding_ms: 120_000,
            ..DaoSetup::new(jury(4_000, 4_000, 4_000, 2, 500, 600))
        },
    )
    .await;
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let reg = ink_e2e::create_call_builder::<ModelRegistry>(m.registry);
    let mut t = ink_e2e::create_call_builder::<MarketToken>(m.token);
    let (alice, bob, charlie) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::charlie());
    let (dave, eve, ferdie) = (ink_e2e::dave(), ink_e2e::eve(), ink_e2e::ferdie());

    // And dave 2 000, eve 3 000 and ferdie 3 000 staked, 600 in the reward reserve, and
    // 600 + 500 tokens for charlie's case fee and appeal, approved to the DAO.
    let jurors = [(&dave, 2_000), (&eve, 3_000), (&ferdie, 3_000)];
    stake_all(&mut client, m.token, dao, &jurors).await;
    fund_rewards(&mut client, m.token, dao, 600).await;
    fund(&mut client, m.token, id(&charlie), 600 + 500).await;
    tx!(client, &charlie, t.approve(dao, 600 + 500)).expect("approve the fee and bond");

    // And charlie's license order from bob (1 000 000), delivered, which charlie
    // disputes in its review window and takes to the DAO.
    let (model, offer) = license_offer(&mut client, &m, "vision").await;
    let (_, escrow_id) = buy_delivered(&mut client, &m, model, offer).await;
    let bond = query!(client, v.required_bond(escrow_id)).expect("a bond");
    assert_eq!(bond, 50_000);
    tx!(client, &charlie, v.dispute(escrow_id), bond).expect("dispute");
    let case = tx!(
        client,
        &charlie,
        d.open_case(escrow_id, "ipfs://not-the-weights".into())
    )
    .expect("open case");

    // When in round 0 only dave votes, for choice 4: everything to bob.
    tx!(
        client,
        &dave,
        d.commit_vote(case, commitment(4, salt(1), id(&dave), case, 0))
    )
    .expect("commit");
    end_phase(&mut client, m.token, dao, case).await;
    tx!(client, &dave, d.reveal_vote(case, 4, salt(1))).expect("reveal");
    end_phase(&mut client, m.token, dao, case).await;

    // Then the round ruled for bob and may be appealed for 500.
    let view = query!(client, d.case(case)).expect("case");
    assert_eq!(
        (view.phase, view.leading, view.appeal_bond),
        (Phase::Appeal, Some(4), Some(500))
    );
    // Bob got everything: he cannot appeal; eve is no party.
    assert_refused!(client, &bob, d.appeal(case), Error::CannotAppeal);
    assert_refused!(client, &eve, d.appeal(case), Error::NotParty);

    // When charlie appeals with the 500 bond.
    let (r, ev) = tx_events!(client, &charlie, d.appeal(case), RulingAppealed);
    r.expect("appeal");

    // Then round 1 starts at once, its next appeal would cost twice as much, and the
    // bond is in the DAO.
    assert_eq!(
        (
            ev[0].case,
            ev[0].by,
            ev[0].appealed,
            ev[0].new_round,
            ev[0].bond
        ),
        (case, id(&charlie), 4, 1, 500)
    );
    assert_eq!(query!(client, t.balance_of(id(&charlie))), 0);
    let view = query!(client, d.case(case)).expect("case");
    assert_eq!(
        (view.case.round, view.phase, view.appeal_bond),
        (1, Phase::Commit, Some(1_000))
    );
    let round0 = query!(client, d.round_info(case, 0));
    assert_eq!(
        (round0.ruling, round0.appeal),
        (Some(4), Some((id(&charlie), 500)))
    );

    // When in round 1 eve and ferdie vote 0 (everything back to charlie) and dave
    // sticks to 4, with what is left of his stake (2 000 less the 200 at risk).
    for (who, choice, s, weight) in [
        (&eve, 0u8, 2u8, 3_000u128),
        (&ferdie, 0, 3, 3_000),
        (&dave, 4, 4, 1_800),
    ] {
        let (r, ev) = tx_events!(
            client,
            who,
            d.commit_vote(case, commitment(choice, salt(s), id(who), case, 1)),
            VoteCommitted
        );
        r.expect("commit in round 1");
        assert_eq!(
            (ev[0].round, ev[0].weight, ev[0].risk),
            (1, weight, weight / 10)
        );
    }
    end_phase(&mut client, m.token, dao, case).await;
    for (who, choice, s) in [(&eve, 0u8, 2u8), (&ferdie, 0, 3), (&dave, 4, 4)] {
        tx!(client, who, d.reveal_vote(case, choice, salt(s))).expect("reveal in round 1");
    }
    assert_refused!(client, &alice, d.execute_ruling(case), Error::NotFinal);
    end_phase(&mut client, m.token, dao, case).await;

    // Then the last round has no appeal window: the case is final at once.
    let view = query!(client, d.case(case)).expect("case");
    assert_eq!((view.phase, view.leading), (Phase::Executable, Some(0)));
    assert_refused!(client, &charlie, d.appeal(case), Error::NotAppealPhase);

    // When anyone executes it.
    let res = submit!(client, &alice, d.execute_ruling(case), 0u128);
    let executed: Vec<RulingExecuted> = crate::events_of(res.contract_emitted_events()?);
    let returned: Vec<AppealBondReturned> = crate::events_of(res.contract_emitted_events()?);
    let settled: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("execute");

    // Then the vault refunds charlie in full with its dispute bond, the license is not
    // granted, charlie's appeal bond is credited back (the ruling it appealed did not
    // stand), and the pool is the incoherent risk (dave 200 + 180) plus the reward.
    assert_eq!(
        (
            executed[0].choice,
            executed[0].payee_bps,
            executed[0].slashed,
            executed[0].applied,
            executed[0].pool
        ),
        (0, 0, 0, true, 980)
    );
    let s = &settled[0];
    assert_eq!(
        (
            s.reason,
            s.to_payee,
            s.fee,
            s.refund,
            s.bond_returned,
            s.bond_forfeited
        ),
        (SettleReason::Resolved, 0, 0, PRICE, 50_000, 0)
    );
    assert_eq!(
        query!(client, v.credit_of(id(&charlie), Asset::Native)),
        PRICE + 50_000
    );
    assert_eq!(query!(client, v.credit_of(id(&bob), Asset::Native)), 0);
    assert!(!query!(client, reg.has_valid_license(id(&charlie), model)));
    assert_eq!(
        (returned[0].case, returned[0].to, returned[0].amount),
        (case, id(&charlie), 500)
    );

    // When every vote is settled: the round-0 vote for the overturned ruling and
    // dave's round-1 vote lose their risk, eve and ferdie share the pool.
    for (who, round, outcome, returned, reward, forfeited) in [
        (&dave, 0u8, VoteOutcome::Incoherent, 0u128, 0u128, 200u128),
        (&dave, 1, VoteOutcome::Incoherent, 0, 0, 180),
        (&eve, 1, VoteOutcome::Coherent, 300, 490, 0),
        (&ferdie, 1, VoteOutcome::Coherent, 300, 490, 0),
    ] {
        let (r, ev) = tx_events!(
            client,
            &bob,
            d.settle_vote(case, round, id(who)),
            VoteSettled
        );
        assert_eq!(r, Ok(reward));
        assert_eq!(
            (
                ev[0].round,
                ev[0].outcome,
                ev[0].returned,
                ev[0].reward,
                ev[0].forfeited
            ),
            (round, outcome, returned, reward, forfeited)
        );
    }

    // Then dave lost 380 of his stake, eve and ferdie have theirs back and 490 each,
    // charlie withdraws the 500 bond, and the DAO holds exactly what it owes.
    let md = query!(client, d.member(id(&dave)));
    assert_eq!(
        (md.staked, md.at_risk, md.lost, md.credit, md.open_votes),
        (1_620, 0, 380, 0, 0)
    );
    for who in [&eve, &ferdie] {
        let mj = query!(client, d.member(id(who)));
        assert_eq!(
            (mj.staked, mj.at_risk, mj.credit, mj.earned),
            (3_000, 0, 490, 490)
        );
    }
    assert_eq!(query!(client, d.member(id(&charlie))).credit, 500);
    assert_eq!(tx!(client, &charlie, d.withdraw_credit()), Ok(500));
    assert_eq!(query!(client, t.balance_of(id(&charlie))), 500);
    // The reserve keeps charlie's 600 case fee (the reward came out of it; before the
    // case fee it was (7_620, 0, 7_620 + 980)).
    let (staked, reserve, owed) = query!(client, d.totals());
    assert_eq!((staked, reserve, owed), (7_620, 600, 7_620 + 980 + 600));
    assert_eq!(query!(client, t.balance_of(dao)), owed);
    Ok(())
}
