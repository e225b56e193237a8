//! The dispute DAO on the node, as the vault's arbiter: a rental dispute decided by
//! three jurors with a split and a collateral slash (flash stake, a party voting, a
//! denounced vote and a copied commitment all refused or punished), an appeal that
//! flips a ruling and moves the rewards with it, a first round without quorum that
//! leaves the escrow to the vault's own fallback, and a fee change that passes only
//! after its timelock and is paid by the next purchase.
//!
//! Phases last a few seconds of wall-clock time (the dev node stamps each block with
//! it); a test waits for the end a view reports, then seals a block (`pass`) so the
//! next dry-run sees the new time.

use crate::compute::deploy_compute;
use crate::{deploy_market, listing, E2EResult, Market, Node};
use compute_market::{ComputeMarket, RentalBooked};
use dispute_dao::{
    AppealBondReturned, CaseId, CaseOpened, CaseStatus, Choice, DisputeDao, DisputeDaoRef, Error,
    GovParams, JuryParams, Phase, Round, RulingAppealed, RulingExecuted, Tally, Target,
    VoteCommitted, VoteDenounced, VoteOutcome, VoteSettled, Withdrawn,
};
use escrow::{CollateralSlashed, Escrow, EscrowDisputed, EscrowSettled};
use ink::primitives::{AccountId, Hash};
use ink_e2e::{ChainBackend, ContractsBackend, Keypair};
use market_token::MarketToken;
use market_types::governed::VaultArbiter;
use market_types::{
    Asset, EscrowId, EscrowState, EscrowVault, LicenseId, LicenseKind, ModelId, OfferId,
    SettleReason,
};
use model_registry::ModelRegistry;
use psp22::PSP22;

/// Quorum of a first round: 20 % of the stake snapshotted when the vault dispute
/// opened (the parties' own left out).
pub(crate) const QUORUM_BPS: u16 = 2_000;
/// Most revealed weight a first round's quorum asks for: far above 20 % of any stake
/// in these tests, so their quorum stays 20 % of the snapshot (the cap never binds).
pub(crate) const QUORUM_CAP: u128 = 1_000_000_000;
/// Fewest revealed votes a quorum needs: one, as before the rule existed.
pub(crate) const MIN_JURORS: u32 = 1;
/// Share of a vote's weight at risk: 10 %.
pub(crate) const PENALTY_BPS: u16 = 1_000;
/// A slash ruling takes 50 % of the frozen amount out of the collateral.
pub(crate) const SLASH_BPS: u16 = 5_000;
/// Native balance of each account created for a test (for its fees).
pub(crate) const FUNDS: u128 = 1_000_000_000_000_000;
/// Price of every license and GPU-hour in these tests.
pub(crate) const PRICE: u128 = 1_000_000;

/// The account id of a key pair (a dev account or one created for the test).
pub(crate) fn id(k: &Keypair) -> AccountId {
    AccountId::from(k.public_key().0)
}

pub(crate) fn salt(n: u8) -> [u8; 32] {
    [n; 32]
}

/// The commitment to a vote, computed the way the DAO's documentation says a dApp
/// does it locally: blake2-256 of `choice ‖ salt ‖ juror ‖ case (u64 LE) ‖ round`.
pub(crate) fn commitment(
    choice: Choice,
    salt: [u8; 32],
    juror: AccountId,
    case: CaseId,
    round: Round,
) -> Hash {
    let mut bytes = vec![choice];
    bytes.extend_from_slice(&salt);
    bytes.extend_from_slice(juror.as_ref());
    bytes.extend_from_slice(&case.to_le_bytes());
    bytes.push(round);
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(&bytes, &mut out);
    Hash::from(out)
}

/// Jury parameters with the quorum, penalty and slash of this file; the case fee is the
/// juror reward (the least the DAO accepts: a case pays for the reward it draws).
pub(crate) fn jury(
    commit_ms: u64,
    reveal_ms: u64,
    appeal_ms: u64,
    rounds: Round,
    appeal_bond: u128,
    juror_reward: u128,
) -> JuryParams {
    JuryParams {
        commit_ms,
        reveal_ms,
        appeal_ms,
        quorum_bps: QUORUM_BPS,
        quorum_cap: QUORUM_CAP,
        min_jurors: MIN_JURORS,
        rounds,
        penalty_bps: PENALTY_BPS,
        appeal_bond,
        juror_reward,
        case_fee: juror_reward,
        slash_bps: SLASH_BPS,
    }
}

/// Governance the case tests never use: a minute of voting, a minute of timelock.
pub(crate) fn quiet_gov() -> GovParams {
    GovParams {
        voting_delay_ms: 0,
        voting_period_ms: 60_000,
        quorum_bps: 3_000,
        timelock_ms: 60_000,
        grace_ms: 60_000,
        extension_ms: 0,
        proposal_threshold: 1,
    }
}

/// Deploys the DAO over the market (`market`: the compute market it administers) and
/// hands it the vault's arbiter role in two steps: alice proposes it, anyone (bob)
/// makes the DAO accept. Do the vault's wiring first: afterwards only proposals can.
pub(crate) async fn deploy_dao(
    client: &mut impl Node,
    m: &Market,
    market: AccountId,
    jury: JuryParams,
    gov: GovParams,
    unbonding_ms: u64,
    guardian: Option<AccountId>,
) -> AccountId {
    let ctor = DisputeDaoRef::new(
        m.token,
        m.vault,
        m.registry,
        market,
        jury,
        gov,
        unbonding_ms,
        guardian,
    );
    let dao = instantiate!(client, &ink_e2e::alice(), "dispute_dao", ctor);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    tx!(client, &ink_e2e::alice(), v.propose_arbiter(Some(dao))).expect("propose arbiter");
    tx!(client, &ink_e2e::bob(), d.accept_role(Target::Vault)).expect("accept arbiter");
    dao
}

/// Alice sends `amount` market tokens to `to`.
pub(crate) async fn fund(client: &mut impl Node, token: AccountId, to: AccountId, amount: u128) {
    let mut t = ink_e2e::create_call_builder::<MarketToken>(token);
    tx!(
        client,
        &ink_e2e::alice(),
        t.transfer(to, amount, Vec::new())
    )
    .expect("fund");
}

/// Alice sends each member its amount of market tokens, which it approves to the DAO
/// and stakes.
pub(crate) async fn stake_all(
    client: &mut impl Node,
    token: AccountId,
    dao: AccountId,
    members: &[(&Keypair, u128)],
) {
    let mut t = ink_e2e::create_call_builder::<MarketToken>(token);
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    for &(who, amount) in members {
        fund(client, token, id(who), amount).await;
        tx!(client, who, t.approve(dao, amount)).expect("approve the DAO");
        tx!(client, who, d.stake(amount)).expect("stake");
    }
}

/// Alice sends `opener` the case fee of `cases` cases (`fee` each), which it approves
/// to the DAO: `open_case` pulls the fee from the opener.
pub(crate) async fn fund_case_fees(
    client: &mut impl Node,
    token: AccountId,
    dao: AccountId,
    opener: &Keypair,
    fee: u128,
    cases: u128,
) {
    let mut t = ink_e2e::create_call_builder::<MarketToken>(token);
    fund(client, token, id(opener), fee * cases).await;
    tx!(client, opener, t.approve(dao, fee * cases)).expect("approve the case fees");
}

/// Seals a block (a harmless approval by alice), so dry-runs see the clock move.
pub(crate) async fn tick(client: &mut impl Node, token: AccountId) {
    let mut t = ink_e2e::create_call_builder::<MarketToken>(token);
    tx!(client, &ink_e2e::alice(), t.approve(token, 0)).expect("tick");
}

/// Waits until the wall clock is past the block time `at`, then seals a block.
pub(crate) async fn pass(client: &mut impl Node, token: AccountId, at: u64) {
    let target = at + 300;
    let now = crate::wall_clock_ms();
    if target > now {
        std::thread::sleep(std::time::Duration::from_millis(target - now));
    }
    tick(client, token).await;
}

/// Waits for the end of `case`'s current phase, as the DAO reports it, and seals a
/// block after it.
pub(crate) async fn end_phase(
    client: &mut impl Node,
    token: AccountId,
    dao: AccountId,
    case: CaseId,
) {
    let d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    let view = client
        .call(&ink_e2e::alice(), &d.case(case))
        .dry_run()
        .await
        .expect("case view")
        .return_value()
        .expect("the case");
    pass(client, token, view.phase_ends).await;
}

/// Charlie buys bob's license `offer` of `model` and bob delivers it:
/// `(license, escrow)`.
pub(crate) async fn buy_delivered(
    client: &mut impl Node,
    m: &Market,
    model: ModelId,
    offer: OfferId,
) -> (LicenseId, EscrowId) {
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(m.registry);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let charlie = ink_e2e::charlie();
    let license = tx!(
        client,
        &charlie,
        reg.purchase_license(model, offer, 1),
        PRICE
    )
    .expect("purchase");
    let escrow = client
        .call(&charlie, &reg.license(license))
        .dry_run()
        .await
        .expect("license view")
        .return_value()
        .expect("the license")
        .escrow_id;
    tx!(
        client,
        &ink_e2e::bob(),
        v.deliver(escrow, Hash::from([3; 32]))
    )
    .expect("deliver");
    (license, escrow)
}

/// Bob lists a model with a perpetual native license at [`PRICE`]: `(model, offer)`.
pub(crate) async fn license_offer(
    client: &mut impl Node,
    m: &Market,
    name: &str,
) -> (ModelId, OfferId) {
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(m.registry);
    let model = tx!(
        client,
        &ink_e2e::bob(),
        listing(m.registry, name, 1, None, 0)
    )
    .expect("list");
    let offer = tx!(
        client,
        &ink_e2e::bob(),
        reg.add_offer(model, LicenseKind::Perpetual, PRICE, Asset::Native)
    )
    .expect("offer");
    (model, offer)
}

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
    let m = deploy_market(&mut client).await;
    let compute = deploy_compute(&mut client, &m, 60_000).await;
    let dao = deploy_dao(
        &mut client,
        &m,
        compute,
        jury(8_000, 6_000, 4_000, 2, 1_000, 1_000),
        quiet_gov(),
        120_000,
        None,
    )
    .await;
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let mut c = ink_e2e::create_call_builder::<ComputeMarket>(compute);
    let mut t = ink_e2e::create_call_builder::<MarketToken>(m.token);
    assert_eq!(query!(client, v.arbiter()), dao);
    let (alice, bob, charlie) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::charlie());
    let (dave, eve, ferdie) = (ink_e2e::dave(), ink_e2e::eve(), ink_e2e::ferdie());
    let j4 = client.create_and_fund_account(&alice, FUNDS).await;
    let j5 = client.create_and_fund_account(&alice, FUNDS).await;

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
    tx!(client, &alice, t.approve(dao, 2_000)).expect("approve");
    tx!(client, &alice, d.fund_rewards(1_000)).expect("fund rewards");
    assert_eq!(query!(client, d.totals()), (10_000, 1_000, 11_000));
    // And charlie holds the case fee, approved to the DAO.
    fund_case_fees(&mut client, m.token, dao, &charlie, 1_000, 1).await;

    // And charlie's running rental of bob's GPU (1 GPU, 2 h: 2 000 000 prepaid, against
    // a collateral of 10 000 000), which charlie disputes at the vault with the bond.
    let offer = tx!(
        client,
        &bob,
        c.publish_offer(
            "H100".into(),
            80,
            1,
            "eu-west".into(),
            PRICE,
            1,
            10,
            Asset::Native,
            Hash::from([1; 32]),
            60_000
        ),
        PRICE * 10
    )
    .expect("publish");
    let cid = query!(client, c.offer(offer))
        .expect("offer")
        .offer
        .collateral_id;
    let (rental, booked) = tx_events!(
        client,
        &charlie,
        c.rent(offer, 1, 2, 1),
        RentalBooked,
        PRICE * 2
    );
    let rental = rental.expect("rent");
    let escrow_id = booked[0].escrow_id;
    tx!(client, &bob, c.start(rental, Hash::from([2; 32]))).expect("start");
    let bond = query!(client, v.required_bond(escrow_id)).expect("a bond");
    let (disputed, dispute) =
        tx_events!(client, &charlie, v.dispute(escrow_id), EscrowDisputed, bond);
    disputed.expect("dispute");
    let (bond, excess) = (dispute[0].bond, dispute[0].excess_credited);

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

#[e2e_macros::test]
async fn an_appeal_flips_the_ruling_and_rewards_follow_the_final_one<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market and the DAO as the vault's arbiter: round 0 lasts 4 s + 4 s with
    // a 4 s appeal window and a 20 % quorum; round 1 twice as long with 40 %; the first
    // appeal costs 500 tokens; 600 of reward per case, and a case fee of 600.
    let m = deploy_market(&mut client).await;
    let dao = deploy_dao(
        &mut client,
        &m,
        m.registry,
        jury(4_000, 4_000, 4_000, 2, 500, 600),
        quiet_gov(),
        120_000,
        None,
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
    tx!(client, &alice, t.approve(dao, 600)).expect("approve");
    tx!(client, &alice, d.fund_rewards(600)).expect("fund rewards");
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
