//! The dispute DAO on the node, without a ruling: a first round that misses its quorum
//! (one juror never reveals, the other is too small) closes its case and leaves the
//! escrow to the vault's own fallback, which anyone applies once the vault's ruling
//! deadline passes, directly or through the DAO; forfeited bonds go to the party whose
//! payment the dispute froze. (The world it starts from is in `fixtures/dao.rs`.)

use crate::fixtures::dao::*;
use crate::fixtures::id;
use crate::E2EResult;
use dispute_dao::{CaseFellBack, CaseStatus, DisputeDao, Error, Phase, VoteOutcome, VoteSettled};
use escrow::{Escrow, EscrowSettled};
use ink_e2e::ContractsBackend;
use market_token::MarketToken;
use market_types::governed::VaultArbiter;
use market_types::{Asset, EscrowState, EscrowVault, SettleReason, VaultError};
use model_registry::ModelRegistry;
use psp22::PSP22;

#[e2e_macros::test]
async fn a_missed_quorum_falls_back_to_the_vault<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market with a 15 s ruling window (set before the hand-over) and the
    // DAO as arbiter: one round of 3 s + 3 s, a 20 % quorum, 300 of reward per case and
    // a case fee of 300.
    let DaoWorld { m, dao, .. } = dao_world(
        &mut client,
        DaoSetup {
            ruling_window_ms: Some(15_000),
            ..DaoSetup::new(jury(3_000, 3_000, 1_000, 1, 500, 300))
        },
    )
    .await;
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    let reg = ink_e2e::create_call_builder::<ModelRegistry>(m.registry);
    let t = ink_e2e::create_call_builder::<MarketToken>(m.token);
    let (bob, charlie) = (ink_e2e::bob(), ink_e2e::charlie());
    let (dave, eve, ferdie) = (ink_e2e::dave(), ink_e2e::eve(), ink_e2e::ferdie());

    // And dave 1 000 and eve 100 staked (quorum: 220 of 1 100), 1 000 in the reserve.
    stake_all(&mut client, m.token, dao, &[(&dave, 1_000), (&eve, 100)]).await;
    fund_rewards(&mut client, m.token, dao, 1_000).await;
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
