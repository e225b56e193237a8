//! The GPU compute market on the node, with the vault and the registry's auditor list:
//! a rental followed unit by unit (publish with collateral → rent → extend → start →
//! claim → end early → retire), a no-show cancelled with its share of the collateral,
//! refusals that change nothing (capacity, retiring under an open rental, a changed
//! offer), and a rental in a 6-decimal token at 0.50 per GPU-hour, which accrues less
//! than one unit per millisecond.

use crate::fixtures::gpu::{GpuOffer, PRICE};
use crate::fixtures::{deploy_compute, deploy_market};
use crate::{E2EResult, Node};
use compute_market::{ComputeMarket, Error, Outcome, RentalBooked, RentalSettled, RentalStatus};
use escrow::{Escrow, EscrowSettled, NoShowPenaltyPaid, StreamClaimed};
use ink::primitives::{AccountId, Hash};
use ink_e2e::AccountKeyring::{Bob, Charlie, Eve};
use ink_e2e::{account_id, ContractsBackend};
use market_token::MarketToken;
use market_types::governed::{Administered, VaultArbiter};
use market_types::{Asset, EscrowVault, SettleReason};
use psp22::PSP22;

/// Seals a block (the dev node seals one per transaction), so dry-runs see the clock
/// move after a wait.
async fn tick(client: &mut impl Node, vault: AccountId) {
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
    tx!(client, &ink_e2e::alice(), v.set_fee_bps(crate::FEE_BPS)).expect("tick");
}

use crate::harness::sleep_ms;

#[e2e_macros::test]
async fn a_rental_pays_provider_and_renter_exactly<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given the market and a compute market whose hour lasts 1 s, and bob's offer of
    // 4 GPUs at 1 000 000 per GPU-hour, 1..=10 h: collateral 40 000 000, locked in the
    // vault.
    let m = deploy_market(&mut client).await;
    let compute = deploy_compute(&mut client, &m, 1_000).await;
    let mut c = ink_e2e::create_call_builder::<ComputeMarket>(compute);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let [bob, charlie] = [Bob, Charlie].map(account_id);
    let price = PRICE;
    let terms = GpuOffer {
        gpu_model: "H100 SXM",
        ..GpuOffer::h100(4, 10)
    };
    let collateral = terms.collateral();
    assert_eq!(collateral, price * 4 * 10);
    let owed_before = query!(client, v.reserves(Asset::Native)).owed;
    assert_refused!(
        client,
        &ink_e2e::bob(),
        terms.publish_call(compute),
        Error::WrongPayment,
        collateral - 1
    );
    let offer = terms
        .publish(&mut client, compute, &ink_e2e::bob())
        .await?
        .id;
    assert_eq!(
        query!(client, v.reserves(Asset::Native)).owed - owed_before,
        collateral
    );

    // When charlie rents 2 GPUs for 4 h: 8 000 000 prepaid into a waiting stream, whose
    // first hour (2 000 000) is the least bob is paid however soon charlie ends it.
    let (rental, booked) = tx_events!(
        client,
        &ink_e2e::charlie(),
        c.rent(offer, 2, 4, 1),
        RentalBooked,
        8_000_000u128
    );
    let rental = rental.expect("rent");
    assert_eq!(
        (
            booked[0].amount,
            booked[0].gpus,
            booked[0].hours,
            booked[0].min_payout
        ),
        (8_000_000, 2, 4, 2_000_000)
    );
    let escrow_id = booked[0].escrow_id;

    // Then the GPUs that are left are all another renter may take, the offer cannot be
    // retired under an open rental, and after a price change old terms are refused
    // (the booked rental keeps the price it was rented at).
    assert_refused!(
        client,
        &ink_e2e::eve(),
        c.rent(offer, 3, 1, 1),
        Error::CapacityExceeded,
        3_000_000u128
    );
    assert_refused!(
        client,
        &ink_e2e::bob(),
        c.retire_offer(offer),
        Error::RentalsOpen
    );
    tx!(
        client,
        &ink_e2e::bob(),
        c.update_offer(offer, price / 2, 1, 10)
    )
    .expect("reprice");
    assert_refused!(
        client,
        &ink_e2e::eve(),
        c.rent(offer, 1, 1, 1),
        Error::OfferChanged,
        2_000_000u128
    );

    // When charlie extends by 1 h before the start (at the price it rented at) and bob
    // starts the rental, then it runs 5 h of 1 s for 10 000 000.
    tx!(
        client,
        &ink_e2e::charlie(),
        c.extend(rental, 1),
        2_000_000u128
    )
    .expect("extend");
    tx!(
        client,
        &ink_e2e::bob(),
        c.start(rental, Hash::from([2; 32]))
    )
    .expect("start");
    let r = query!(client, c.rental(rental)).expect("rental");
    assert_eq!(
        (r.paid, r.hours, r.status),
        (10_000_000, 5, RentalStatus::Running)
    );

    // When time passes, anyone claims for bob, and charlie ends early.
    sleep_ms(1_500);
    tick(&mut client, m.vault).await;
    let (claim, claimed) = tx_events!(client, &ink_e2e::eve(), v.claim(escrow_id), StreamClaimed);
    claim.expect("claim");
    let gross = claimed[0].gross;
    assert!(gross > 0 && gross < 10_000_000, "claimed {gross}");
    let res = submit!(client, &ink_e2e::charlie(), c.end_early(rental), 0u128, 50);
    let settled: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
    let ended: Vec<RentalSettled> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("end early");

    // Then claimed + paid at the end + refunded is exactly the prepaid 10 000 000,
    // charlie's refund is its credit, the GPUs are back and bob's record shows it. (The
    // claim alone, at least 1.5 s of 2 000 per ms, already passed the 2 000 000
    // minimum charge, so the minimum adds nothing here.)
    let e = &settled[0];
    assert_eq!(e.reason, SettleReason::StoppedByPayer);
    assert!(gross >= 2_000_000, "claimed {gross}");
    assert_eq!(
        gross + e.to_payee + e.fee + e.royalties + e.refund,
        10_000_000
    );
    assert_eq!(
        query!(client, v.credit_of(charlie, Asset::Native)),
        e.refund
    );
    assert_eq!(
        query!(client, v.credit_of(bob, Asset::Native)),
        claimed[0].to_payee + e.to_payee
    );
    assert_eq!(
        (ended[0].gpus_returned, ended[0].outcome),
        (2, Some(Outcome::EndedEarly))
    );
    assert_eq!(query!(client, c.offer(offer)).expect("offer").free_gpus, 4);
    assert_eq!(query!(client, c.reputation(bob)).ended_early, 1);

    // And with nothing open, bob retires the offer: the whole collateral is his credit.
    let before = query!(client, v.credit_of(bob, Asset::Native));
    tx!(client, &ink_e2e::bob(), c.retire_offer(offer)).expect("retire");
    assert_eq!(
        query!(client, v.credit_of(bob, Asset::Native)) - before,
        collateral
    );
    Ok(())
}

#[e2e_macros::test]
async fn a_no_show_refunds_the_renter_with_a_share_of_the_collateral<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given bob's offer with a 1 s start window and charlie's rental of 1 GPU for 2 h
    // (2 000 000; the no-show penalty is 10 % of it).
    let m = deploy_market(&mut client).await;
    let compute = deploy_compute(&mut client, &m, 1_000).await;
    let mut c = ink_e2e::create_call_builder::<ComputeMarket>(compute);
    let v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let charlie = account_id(Charlie);
    let price = PRICE;
    let a100 = GpuOffer {
        gpu_model: "A100",
        vram_gb: 40,
        region: "us-east",
        start_window_ms: 1_000,
        ..GpuOffer::h100(2, 4)
    };
    let published = a100.publish(&mut client, compute, &ink_e2e::bob()).await?;
    let (offer, cid) = (published.id, published.collateral_id);
    let booking = published
        .rent(&mut client, &ink_e2e::charlie(), 1, 2)
        .await?;
    let (rental, booked) = (booking.id, [booking.booked]);

    // When the window is still open, nobody can call it a no-show.
    assert_refused!(
        client,
        &ink_e2e::eve(),
        c.cancel_no_show(rental),
        Error::StartWindowOpen
    );

    // When it passes without a start, anyone cancels: the vault refunds charlie in full
    // and pays the penalty out of bob's collateral.
    sleep_ms(1_500);
    tick(&mut client, m.vault).await;
    assert_refused!(
        client,
        &ink_e2e::bob(),
        c.start(rental, Hash::from([2; 32])),
        Error::StartWindowPassed
    );
    let res = submit!(client, &ink_e2e::eve(), c.cancel_no_show(rental), 0u128);
    let penalties: Vec<NoShowPenaltyPaid> = crate::events_of(res.contract_emitted_events()?);
    let settled: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("cancel");

    // Then charlie has 2 000 000 + 200 000 to withdraw, bob's collateral is 200 000
    // smaller, the GPU is free again, and bob's record shows a no-show.
    assert_eq!(
        (penalties[0].id, penalties[0].amount),
        (booked[0].escrow_id, 200_000)
    );
    assert_eq!(
        (settled[0].reason, settled[0].refund),
        (SettleReason::NotStarted, 2_000_000)
    );
    assert_eq!(
        query!(client, v.credit_of(charlie, Asset::Native)),
        2_200_000
    );
    assert_eq!(
        query!(client, v.collateral(cid))
            .expect("collateral")
            .amount,
        price * 8 - 200_000
    );
    assert_eq!(query!(client, c.offer(offer)).expect("offer").free_gpus, 2);
    assert_eq!(query!(client, c.reputation(account_id(Bob))).no_shows, 1);
    // And the penalty is paid once.
    assert_refused!(
        client,
        &ink_e2e::eve(),
        c.cancel_no_show(rental),
        Error::RentalNotBooked
    );
    Ok(())
}

#[e2e_macros::test]
async fn a_six_decimal_token_at_half_a_unit_per_gpu_hour_accrues_exactly<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given a 6-decimal stablecoin and a compute market with real hours: 0.50 per
    // GPU-hour is 500 000 units an hour, 0.139 units a millisecond.
    let m = deploy_market(&mut client).await;
    let usd = instantiate!(
        client,
        &ink_e2e::alice(),
        "market_token",
        market_token::MarketTokenRef::new(
            1_000_000_000_000,
            Some("Test USD".into()),
            Some("TUSD".into()),
            6
        )
    );
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    tx!(client, &ink_e2e::alice(), v.set_asset_allowed(usd, true)).expect("vault allows");
    let compute = deploy_compute(&mut client, &m, 3_600_000).await;
    let mut c = ink_e2e::create_call_builder::<ComputeMarket>(compute);
    tx!(client, &ink_e2e::alice(), c.set_asset_allowed(usd, true)).expect("market allows");
    let mut t = ink_e2e::create_call_builder::<MarketToken>(usd);
    let [bob, charlie, eve] = [Bob, Charlie, Eve].map(account_id);
    let asset = Asset::Psp22(usd);
    let supply_holders = [
        account_id(ink_e2e::AccountKeyring::Alice),
        bob,
        charlie,
        eve,
        m.vault,
        compute,
    ];
    for who in [bob, charlie] {
        tx!(
            client,
            &ink_e2e::alice(),
            t.transfer(who, 10_000_000, Vec::new())
        )
        .expect("fund");
    }

    // When bob publishes 1 GPU at 500 000 per hour for 1..=2 h (collateral 1 000 000,
    // approved to the market) and charlie rents it for 1 h (500 000, approved).
    tx!(client, &ink_e2e::bob(), t.approve(compute, 1_000_000)).expect("approve");
    let l4 = GpuOffer {
        gpu_model: "L4",
        vram_gb: 24,
        price: 500_000,
        asset,
        ..GpuOffer::h100(1, 2)
    };
    assert_eq!(l4.collateral(), 1_000_000);
    let offer = l4.publish(&mut client, compute, &ink_e2e::bob()).await?;
    tx!(client, &ink_e2e::charlie(), t.approve(compute, 500_000)).expect("approve");
    let booking = offer.rent(&mut client, &ink_e2e::charlie(), 1, 1).await?;
    booking.start(&mut client, &ink_e2e::bob()).await;
    let (rental, escrow_id) = (booking.id, booking.escrow_id);
    let booked = [booking.booked];
    let started = query!(client, c.rental(rental))
        .expect("rental")
        .started_at
        .expect("started");

    // Then after two seconds the accrual is floor(500 000 × elapsed / 3 600 000): a
    // few hundred units, never a rate rounded to zero per millisecond.
    sleep_ms(2_000);
    tick(&mut client, m.vault).await;
    let (claim, claimed) = tx_events!(client, &ink_e2e::eve(), v.claim(escrow_id), StreamClaimed);
    claim.expect("claim");
    let now = crate::wall_clock_ms();
    let bound = 500_000u128 * u128::from(now - started) / 3_600_000;
    let gross = claimed[0].gross;
    assert!(
        gross >= 250 && gross <= bound,
        "accrued {gross}, at most {bound}"
    );

    // And ending early splits the 500 000 to the unit; after withdrawals every token is
    // with a person or still in the vault's collateral, none lost. The rental's minimum
    // charge is its first hour, here all of it (500 000): ending it early still pays
    // bob everything, and nothing comes back to charlie (before the minimum charge,
    // charlie got back what had not accrued).
    let res = submit!(client, &ink_e2e::charlie(), c.end_early(rental), 0u128, 50);
    let settled: Vec<EscrowSettled> = crate::events_of(res.contract_emitted_events()?);
    res.return_value().expect("end early");
    let e = &settled[0];
    assert_eq!(booked[0].min_payout, 500_000);
    assert_eq!(gross + e.to_payee + e.fee + e.royalties + e.refund, 500_000);
    assert_eq!(e.refund, 0);
    assert_eq!(e.to_payee + e.fee, 500_000 - gross);
    // Charlie has nothing to withdraw now (before the minimum charge it withdrew its
    // refund); bob and eve (the treasury) withdraw theirs.
    assert_refused!(
        client,
        &ink_e2e::charlie(),
        v.withdraw(asset),
        escrow::Error::NothingToWithdraw
    );
    for who in [ink_e2e::bob(), ink_e2e::eve()] {
        tx!(client, &who, v.withdraw(asset)).expect("withdraw");
    }
    let charlie_has = query!(client, t.balance_of(charlie));
    assert_eq!(charlie_has, 10_000_000 - 500_000 + e.refund);
    let mut total = 0u128;
    for who in supply_holders {
        total += query!(client, t.balance_of(who));
    }
    assert_eq!(total, 1_000_000_000_000);
    assert_eq!(
        query!(client, t.balance_of(m.vault)),
        1_000_000,
        "only the collateral remains"
    );
    Ok(())
}

#[e2e_macros::test]
async fn a_disputed_rental_is_ruled_and_counts_against_the_provider<Client: E2EBackend>(
    mut client: Client,
) -> E2EResult<()> {
    // Given charlie's running rental of bob's GPU: 1 GPU for 10 h of 1 s, 10 000 000.
    let m = deploy_market(&mut client).await;
    let compute = deploy_compute(&mut client, &m, 1_000).await;
    let mut c = ink_e2e::create_call_builder::<ComputeMarket>(compute);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let [bob, charlie] = [Bob, Charlie].map(account_id);
    let price = PRICE;
    let published = GpuOffer::h100(1, 10)
        .publish(&mut client, compute, &ink_e2e::bob())
        .await?;
    let (offer, cid) = (published.id, published.collateral_id);
    let booking = published
        .rent(&mut client, &ink_e2e::charlie(), 1, 10)
        .await?;
    let (rental, escrow_id) = (booking.id, booking.escrow_id);
    booking.start(&mut client, &ink_e2e::bob()).await;

    // When the GPU is not what was promised, charlie disputes at the vault with the
    // bond: the unclaimed rest freezes, so nobody can claim it while it is disputed.
    sleep_ms(1_000);
    tick(&mut client, m.vault).await;
    let bond = query!(client, v.required_bond(escrow_id)).expect("a bond");
    tx!(client, &ink_e2e::charlie(), v.dispute(escrow_id), bond).expect("dispute");
    assert_refused!(
        client,
        &ink_e2e::bob(),
        v.claim(escrow_id),
        escrow::Error::EscrowNotOpen
    );
    // The market does not close a rental the vault has not settled, but a frozen
    // stream pays nothing more until it is ruled: anyone's `settle` gives the GPU back
    // at once, and the rental waits for the vault as `Ended` (before issue 17 this was
    // refused with `RentalNotOver`, and the GPU stayed held until the lease's end).
    let (freed, ended) = tx_events!(client, &ink_e2e::eve(), c.settle(rental), RentalSettled);
    freed.expect("settle a frozen rental");
    assert_eq!(
        (ended[0].gpus_returned, ended[0].outcome, ended[0].penalty),
        (1, None, 0)
    );
    assert_eq!(
        query!(client, c.rental(rental)).expect("rental").status,
        RentalStatus::Ended
    );
    assert_eq!(query!(client, c.offer(offer)).expect("offer").free_gpus, 1);

    // When the arbiter rules 20 % to bob and slashes 3 000 000 of his collateral to
    // charlie.
    let (ruled, settled) = tx_events!(
        client,
        &ink_e2e::alice(),
        v.resolve(escrow_id, 2_000),
        EscrowSettled
    );
    ruled.expect("resolve");
    tx!(
        client,
        &ink_e2e::alice(),
        v.slash_collateral(cid, vec![(charlie, 3_000_000)])
    )
    .expect("slash");

    // Then the split adds up, charlie has the refund, its bond and the slash, and once
    // anyone settles the rental again it closes (its GPU came back already) and bob's
    // record shows a lost dispute.
    let e = &settled[0];
    assert_eq!(e.reason, SettleReason::Resolved);
    assert_eq!(e.to_payee + e.fee + e.royalties + e.refund, price * 10);
    assert_eq!(
        query!(client, v.credit_of(charlie, Asset::Native)),
        e.refund + e.bond_returned + 3_000_000
    );
    let (done, ended) = tx_events!(client, &ink_e2e::eve(), c.settle(rental), RentalSettled);
    done.expect("settle");
    assert_eq!(
        (ended[0].gpus_returned, ended[0].outcome),
        (0, Some(Outcome::Lost))
    );
    assert_eq!(
        query!(client, c.rental(rental)).expect("rental").status,
        RentalStatus::Closed
    );
    let rep = query!(client, c.reputation(bob));
    assert_eq!((rep.disputed, rep.lost), (1, 1));
    assert_eq!(query!(client, c.offer(offer)).expect("offer").free_gpus, 1);
    assert_eq!(
        query!(client, v.collateral(cid))
            .expect("collateral")
            .amount,
        price * 10 - 3_000_000
    );
    Ok(())
}
