//! Rentals against hostile parties, on the node (issue 17; checklist lines 32, 33, 39):
//! a provider who refunds a disputed rental at the vault, settles it and tries to take
//! its collateral out before the jury rules "0 % + slash" no longer escapes the slash,
//! and its refund gives the renter everything frozen; and a stranger who books a
//! provider's GPUs and lets go at once pays the first hour, while the provider's list
//! of open rentals shows the real booking first, whose GPUs come back as soon as its
//! stream is frozen by a dispute.
//!
//! Each test first asserts that the attack path ran (the refund, the withdrawal), then
//! that it failed to do harm. Phases last a few seconds of wall-clock time (see
//! `fixtures/dao.rs`).

use crate::fixtures::dao::*;
use crate::fixtures::gpu::GpuOffer;
use crate::fixtures::{deploy_compute, deploy_market, fresh_account, id};
use crate::E2EResult;
use compute_market::{
    ComputeMarket, Error as MarketError, Outcome, Party, RentalBooked, RentalSettled, RentalStatus,
};
use dispute_dao::{CaseOpened, CaseStatus, DisputeDao, Phase, RulingExecuted};
use escrow::{
    CollateralHeld, CollateralHoldReleased, CollateralReleased, CollateralSlashed, Escrow,
    EscrowSettled, NoShowPenaltyPaid,
};
use ink::primitives::Hash;
use ink_e2e::ContractsBackend;
use market_types::governed::VaultArbiter;
use market_types::{Asset, EscrowState, EscrowVault, SettleReason, VaultError};

/// A slash ruling: nothing of the frozen amount to the provider, and `SLASH_BPS` of it
/// out of its collateral to the renter (`choice = option + 5 × slash`).
const ZERO_AND_SLASH: u8 = 5;

#[e2e_macros::test]
async fn a_provider_refunding_a_disputed_rental_cannot_escape_the_slash<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market, a compute market with one-minute hours, and the DAO as the
    // vault's arbiter: one round of 4 s to commit and 4 s to reveal, a 50 % slash,
    // 1 000 of reward per case paid for by a 1 000 case fee.
    let DaoWorld { m, compute, dao } = dao_world(
        &mut client,
        DaoSetup {
            compute_hour_ms: Some(60_000),
            ..DaoSetup::new(jury(4_000, 4_000, 1_000, 1, 500, 1_000))
        },
    )
    .await;
    let compute = compute.expect("the compute market");
    let mut d = ink_e2e::create_call_builder::<DisputeDao>(dao);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let mut c = ink_e2e::create_call_builder::<ComputeMarket>(compute);
    let (bob, charlie) = (ink_e2e::bob(), ink_e2e::charlie());
    let (dave, ferdie) = (ink_e2e::dave(), ink_e2e::ferdie());

    // And dave 4 000 and ferdie 3 000 staked before any dispute; charlie holds the case
    // fee, approved to the DAO.
    stake_all(
        &mut client,
        m.token,
        dao,
        &[(&dave, 4_000), (&ferdie, 3_000)],
    )
    .await;
    fund_case_fees(&mut client, m.token, dao, &charlie, 1_000, 1).await;

    // And bob's offer of 1 GPU at 1 000 000 an hour, 1..=10 h, with 10 000 000 of
    // collateral; charlie rents it for 2 h (2 000 000, no-show penalty 200 000) and
    // bob starts it.
    // When charlie disputes at the vault (the unpaid 2 000 000 freezes) and takes it to
    // the DAO, paying the case fee.
    let disputed = disputed_rental(&mut client, m.vault, compute).await?;
    let collateral = PRICE * 10;
    assert_eq!(disputed.offer.terms.collateral(), collateral);
    let (offer, cid) = (disputed.offer.id, disputed.offer.collateral_id);
    let (rental, escrow_id) = (disputed.rental.id, disputed.rental.escrow_id);
    assert_eq!(disputed.rental.booked.no_show_penalty, 200_000);
    let bond = disputed.bond;
    assert_eq!(bond, 100_000);
    let dispute = [disputed.dispute];
    let excess = dispute[0].excess_credited;
    let frozen = query!(client, v.escrow(escrow_id))
        .expect("escrow")
        .dispute
        .expect("its dispute")
        .frozen;
    assert_eq!(frozen, PRICE * 2);
    let (case, opened) = tx_events!(
        client,
        &charlie,
        d.open_case(escrow_id, "ipfs://not-an-h100".into()),
        CaseOpened
    );
    let case = case.expect("open case");
    assert_eq!((opened[0].total_stake, opened[0].fee), (7_000, 1_000));
    assert_eq!(
        query!(client, d.case(case)).expect("case").case.held,
        frozen
    );

    // And bob, seeing the case, refunds the disputed stream at the vault (the attack).
    let res = submit!(client, &bob, v.refund(escrow_id), 0u128);
    let settled: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
    let penalties: Vec<NoShowPenaltyPaid> = crate::events_of(res.contract_emitted_events()?);
    let held: Vec<CollateralHeld> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("the provider's refund");

    // Then the refund ran: the stream is settled, and it gave charlie everything
    // frozen (none of the accrual to bob), charlie's bond, and the 200 000 no-show
    // penalty out of bob's collateral (item 2: nobody takes a contested amount without
    // a ruling).
    let s = &settled[0];
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
            escrow_id,
            SettleReason::RefundedByPayee,
            0,
            0,
            frozen,
            bond,
            0
        )
    );
    assert_eq!(
        (penalties[0].collateral, penalties[0].amount),
        (cid, 200_000)
    );
    let charlie_refunded = excess + frozen + bond + 200_000;
    assert_eq!(
        query!(client, v.credit_of(id(&charlie), Asset::Native)),
        charlie_refunded
    );
    assert_eq!(query!(client, v.credit_of(id(&bob), Asset::Native)), 0);
    let record = query!(client, v.escrow(escrow_id)).expect("escrow");
    assert_eq!(record.state, EscrowState::Settled);
    // The settlement keeps the penalty it paid: the market records that figure.
    let settlement = record.settlement.expect("the settlement");
    assert_eq!(settlement.penalty_paid, 200_000);

    // And the collateral stays locked for the dispute until its ruling deadline: the
    // vault still counts the escrow open on it.
    let deadline = dispute[0].ruling_deadline;
    assert_eq!(
        (held[0].id, held[0].collateral, held[0].until),
        (escrow_id, cid, deadline)
    );
    assert!(record.dispute.expect("the dispute").collateral_held);
    let lock = query!(client, v.collateral(cid)).expect("collateral");
    assert_eq!(
        (lock.amount, lock.open, lock.released),
        (collateral - 200_000, 1, false)
    );

    // When bob settles the rental at the market: it closes as lost (he conceded), its
    // GPU back, the penalty counted.
    let (r, ended) = tx_events!(client, &bob, c.settle(rental), RentalSettled);
    r.expect("settle");
    assert_eq!(
        (ended[0].gpus_returned, ended[0].outcome, ended[0].penalty),
        (1, Some(Outcome::Lost), 200_000)
    );
    assert_eq!(
        query!(client, c.rental(rental)).expect("rental").status,
        RentalStatus::Closed
    );

    // Then bob cannot take the collateral out: the market refuses to retire the offer
    // (the vault refuses the release: the collateral is held), ending the hold is the
    // arbiter's until the ruling deadline, and at the vault the lock is bob's only
    // after its own unlock time (the offer's expiry).
    assert_refused!(
        client,
        &bob,
        c.retire_offer(offer),
        MarketError::CollateralHeld
    );
    assert_refused!(
        client,
        &bob,
        v.release_hold(escrow_id),
        VaultError::RulingWindowOpen
    );
    assert_refused!(
        client,
        &bob,
        v.release_collateral(cid),
        VaultError::CollateralStillLocked
    );
    assert_eq!(
        query!(client, v.collateral(cid)).expect("collateral").open,
        1
    );

    // When the jury rules "0 % + slash": dave and ferdie commit and reveal choice 5.
    for (who, s) in [(&dave, 1u8), (&ferdie, 2)] {
        tx!(
            client,
            who,
            d.commit_vote(case, commitment(ZERO_AND_SLASH, salt(s), id(who), case, 0))
        )
        .expect("commit");
    }
    end_phase(&mut client, m.token, dao, case).await;
    for (who, s) in [(&dave, 1u8), (&ferdie, 2)] {
        tx!(client, who, d.reveal_vote(case, ZERO_AND_SLASH, salt(s))).expect("reveal");
    }
    end_phase(&mut client, m.token, dao, case).await;
    let view = query!(client, d.case(case)).expect("case");
    assert_eq!(
        (view.phase, view.leading),
        (Phase::Executable, Some(ZERO_AND_SLASH))
    );

    // And anyone executes the ruling.
    let res = submit!(client, &ferdie, d.execute_ruling(case), 0u128);
    let executed: Vec<RulingExecuted> = crate::events_of(res.contract_emitted_events()?);
    let slashes: Vec<CollateralSlashed> = crate::events_of(res.contract_emitted_events()?);
    let released: Vec<CollateralHoldReleased> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("execute");

    // Then the slash stands: 50 % of the 2 000 000 frozen when the dispute opened, out
    // of bob's collateral to charlie, to the unit (the split itself could no longer
    // apply: the escrow was settled), and the vault let go of the hold.
    let slash = frozen * u128::from(SLASH_BPS) / 10_000;
    assert_eq!(slash, 1_000_000);
    let e = &executed[0];
    assert_eq!(
        (
            e.case,
            e.escrow,
            e.choice,
            e.payee_bps,
            e.slashed,
            e.applied,
            e.hold_released
        ),
        (case, escrow_id, ZERO_AND_SLASH, 0, slash, false, true)
    );
    assert_eq!(
        (
            slashes[0].id,
            slashes[0].receivers.clone(),
            slashes[0].total
        ),
        (cid, vec![(id(&charlie), slash)], slash)
    );
    assert_eq!((released[0].id, released[0].collateral), (escrow_id, cid));
    assert_eq!(
        query!(client, v.credit_of(id(&charlie), Asset::Native)),
        charlie_refunded + slash
    );
    let lock = query!(client, v.collateral(cid)).expect("collateral");
    assert_eq!((lock.amount, lock.open), (collateral - 200_000 - slash, 0));
    assert!(
        !query!(client, v.escrow(escrow_id))
            .expect("escrow")
            .dispute
            .expect("the dispute")
            .collateral_held
    );
    assert_eq!(
        query!(client, d.case(case)).expect("case").case.status,
        CaseStatus::Ruled {
            choice: ZERO_AND_SLASH,
            applied: false
        }
    );
    assert_refused!(
        client,
        &bob,
        v.release_hold(escrow_id),
        VaultError::NoCollateralHold
    );

    // And now bob retires the offer: his credit is the collateral less the no-show
    // penalty his refund paid and less the slash, to the unit.
    let (r, freed) = tx_events!(client, &bob, c.retire_offer(offer), CollateralReleased);
    r.expect("retire");
    let left = collateral - 200_000 - slash;
    assert_eq!(left, 8_800_000);
    assert_eq!((freed[0].id, freed[0].amount), (cid, left));
    assert_eq!(query!(client, v.credit_of(id(&bob), Asset::Native)), left);
    Ok(())
}

#[e2e_macros::test]
async fn a_stranger_pays_the_first_hour_and_a_frozen_rental_frees_its_gpus<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given bob's offer of 2 GPUs at 1 000 000 an hour (one-minute hours), 1..=10 h,
    // and the market's default minimum charge: a rental's first hour.
    let m = deploy_market(&mut client).await;
    let compute = deploy_compute(&mut client, &m, 60_000).await;
    let mut c = ink_e2e::create_call_builder::<ComputeMarket>(compute);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let (alice, bob, charlie) = (ink_e2e::alice(), ink_e2e::bob(), ink_e2e::charlie());
    let stranger = fresh_account(&mut client).await;
    assert_eq!(query!(client, c.config()).min_charge_hours, 1);
    let a100 = GpuOffer {
        gpu_model: "A100",
        vram_gb: 40,
        region: "us-east",
        ..GpuOffer::h100(2, 10)
    };
    assert_eq!(a100.collateral(), PRICE * 2 * 10);
    let published = a100.publish(&mut client, compute, &bob).await?;
    let offer = published.id;

    // When a stranger books both GPUs for 3 h (6 000 000) and withdraws at once, twice
    // (the attack: grow bob's lists and hold his machines for free).
    let mut junk = Vec::new();
    for _ in 0..2 {
        let booking = published.rent(&mut client, &stranger, 2, 3).await?;
        let rental = booking.id;
        assert_eq!(booking.booked.amount, PRICE * 6);
        assert_eq!(booking.booked.min_payout, PRICE * 2);
        let res = submit!(client, &stranger, c.end_early(rental), 0u128);
        let settled: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
        let ended: Vec<RentalSettled> = crate::events_of(res.contract_emitted_events()?);
        res.return_value().expect("the stranger withdraws");

        // Then the withdrawal ran, and it paid bob the first hour of both GPUs
        // (2 000 000, of which the 2.5 % fee) and gave the stranger the rest back.
        let s = &settled[0];
        assert_eq!(
            (s.reason, s.to_payee, s.fee, s.refund),
            (SettleReason::StoppedByPayer, 1_950_000, 50_000, 4_000_000)
        );
        assert_eq!(
            (ended[0].gpus_returned, ended[0].outcome),
            (2, Some(Outcome::Withdrawn))
        );
        junk.push(rental);
    }
    assert_eq!(
        query!(client, v.credit_of(id(&bob), Asset::Native)),
        2 * 1_950_000
    );
    assert_eq!(
        query!(client, v.credit_of(id(&stranger), Asset::Native)),
        2 * 4_000_000
    );

    // When charlie books 1 GPU for 2 h: the real booking.
    let (r, _) = tx_events!(
        client,
        &charlie,
        c.rent(offer, 1, 2, 1),
        RentalBooked,
        PRICE * 2
    );
    let real = r.expect("charlie's booking");

    // Then bob's history lists the junk first, but his open rentals show only the real
    // booking: the withdrawn ones left that list when they closed.
    let history = query!(client, c.rentals_of(id(&bob), Party::Provider, 0, 10)).items;
    let ids: Vec<u64> = history.iter().map(|(r, _)| *r).collect();
    assert_eq!(ids, vec![junk[0], junk[1], real]);
    let open = query!(client, c.rentals_of(id(&bob), Party::ProviderOpen, 0, 10)).items;
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].0, open[0].1.renter, open[0].1.status),
        (real, id(&charlie), RentalStatus::Booked)
    );
    // Withdrawn bookings count nowhere in bob's reputation.
    assert_eq!(
        query!(client, c.reputation(id(&bob))),
        compute_market::Reputation::default()
    );

    // When bob starts it and charlie disputes at once at the vault.
    tx!(client, &bob, c.start(real, Hash::from([2; 32]))).expect("start");
    let escrow_id = query!(client, c.rental(real)).expect("rental").escrow_id;
    let bond = query!(client, v.required_bond(escrow_id)).expect("a bond");
    tx!(client, &charlie, v.dispute(escrow_id), bond).expect("dispute");
    assert_eq!(query!(client, c.offer(offer)).expect("offer").free_gpus, 1);

    // Then anyone's settle gives the GPU back while the dispute waits at the vault,
    // and the rental stays on bob's open list until the vault settles it.
    let (r, ended) = tx_events!(client, &alice, c.settle(real), RentalSettled);
    r.expect("settle a frozen rental");
    assert_eq!((ended[0].gpus_returned, ended[0].outcome), (1, None));
    assert_eq!(query!(client, c.offer(offer)).expect("offer").free_gpus, 2);
    let open = query!(client, c.rentals_of(id(&bob), Party::ProviderOpen, 0, 10)).items;
    assert_eq!(
        open.iter().map(|(r, x)| (*r, x.status)).collect::<Vec<_>>(),
        vec![(real, RentalStatus::Ended)]
    );
    Ok(())
}
