//! Orders: opening (and every refusal), release with its fee, royalty and dust,
//! withdrawal of credits, delivery, finalization after the review window and refunds;
//! then the `open_escrows` pages and the money edges near `u128::MAX`.

use super::*;

// ------------------------------------------------------------------ orders

#[ink::test]
fn open_order_holds_the_deposit_and_indexes_both_parties() {
    let mut c = setup();
    let events = event_count();
    let id = open(&mut c, 10_000);
    assert_eq!(id, 1);
    assert_eq!(event_count(), events + 1);
    let rec = c.escrow(id).unwrap();
    assert_eq!(
        (rec.payer, rec.payee, rec.opener),
        (alice(), bob(), alice())
    );
    assert_eq!(rec.state, EscrowState::Funded);
    assert_eq!(rec.fee_bps, FEE_BPS);
    assert_eq!(owed(&c), 10_000);
    assert_eq!(vault_balance(), BASE + 10_000);
    let page = c.open_escrows(bob(), 0, 0);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].role, Role::Payee);
    assert_eq!(page.items[0].next_deadline, T0 + DAY);
    assert_eq!(c.open_escrows(alice(), 0, 0).items[0].role, Role::Payer);
}

#[ink::test]
fn open_order_refusals_change_nothing() {
    let mut c = setup();
    open(&mut c, 500);
    let t = order_terms(1_000);
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 999, || c.open_order(alice(), t.clone()))
    );
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 1_001, || c.open_order(alice(), t.clone()))
    );
    assert_refused!(
        c,
        Error::NotController,
        paid(charlie(), 1_000, || c.open_order(alice(), t.clone()))
    );
    let mut bad = t.clone();
    bad.payee = alice();
    assert_refused!(
        c,
        Error::SelfDeal,
        paid(alice(), 1_000, || c.open_order(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.amount = 0;
    assert_refused!(
        c,
        Error::ZeroAmount,
        paid(alice(), 0, || c.open_order(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.delivery_deadline = T0;
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 1_000, || c.open_order(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.review_window_ms = u64::MAX;
    assert_refused!(
        c,
        Error::PeriodTooLong,
        paid(alice(), 1_000, || c.open_order(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.amount = MIN_NATIVE - 1;
    assert_refused!(
        c,
        Error::BelowMinDeposit,
        paid(alice(), MIN_NATIVE - 1, || c
            .open_order(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.royalties = vec![
        Royalty {
            receiver: charlie(),
            bps: 1
        };
        5
    ];
    assert_refused!(
        c,
        Error::TooManyReceivers,
        paid(alice(), 1_000, || c.open_order(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.royalties = vec![Royalty {
        receiver: charlie(),
        bps: 10_000 - FEE_BPS + 1,
    }];
    assert_refused!(
        c,
        Error::InvalidShares,
        paid(alice(), 1_000, || c.open_order(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.asset = Asset::Psp22(token());
    assert_refused!(
        c,
        Error::AssetNotAllowed,
        paid(alice(), 0, || c.open_order(alice(), bad.clone()))
    );
    as_(eve(), || c.set_asset_allowed(token(), true)).unwrap();
    // PSP22 orders take no native value; the check comes before any token call.
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 1_000, || c.open_order(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.collateral = Some(9);
    assert_refused!(
        c,
        Error::CollateralNotFound,
        paid(alice(), 1_000, || c.open_order(alice(), bad.clone()))
    );
}

#[ink::test]
fn release_pays_fee_and_royalty_and_payee_takes_dust() {
    let mut c = setup();
    let id = open(&mut c, 10_001);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    as_(alice(), || c.release(id)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::Released);
    // fee 2.5 % of 10 001 = 250, royalty 5 % = 500, payee the rest with the dust.
    assert_eq!(
        (e.fee, e.royalties, e.to_payee, e.refund),
        (250, 500, 9_251, 0)
    );
    assert_eq!(e.fee + e.royalties + e.to_payee + e.refund, 10_001);
    assert_eq!(credit(&c, frank()), 250);
    assert_eq!(credit(&c, charlie()), 500);
    assert_eq!(credit(&c, bob()), 9_251);
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Settled);
    let s = rec.settlement.unwrap();
    assert_eq!(
        (s.reason, s.payee_share_bps, s.at),
        (SettleReason::Released, 10_000, T0)
    );
    assert_eq!(c.open_escrow_count(alice()), 0);
    assert_eq!(c.open_escrow_count(bob()), 0);
    // Still owed until withdrawn.
    assert_eq!(owed(&c), 10_001);

    // A second settlement of any kind is refused and moves nothing.
    assert_refused!(c, Error::EscrowNotOpen, as_(alice(), || c.release(id)));
    assert_refused!(c, Error::EscrowNotOpen, as_(bob(), || c.refund(id)));
    assert_refused!(
        c,
        Error::EscrowNotDelivered,
        as_(django(), || c.finalize(id))
    );
    assert_refused!(
        c,
        Error::EscrowNotDisputed,
        as_(eve(), || c.resolve(id, 5_000))
    );
    assert_refused!(c, Error::EscrowNotOpen, paid(alice(), 1, || c.dispute(id)));
}

#[ink::test]
fn withdraw_pays_the_credit_once() {
    let mut c = setup();
    let id = open(&mut c, 10_000);
    as_(alice(), || c.release(id)).unwrap();
    assert_eq!(as_(bob(), || c.withdraw(Asset::Native)), Ok(9_250));
    assert_eq!(balance_of(bob()), 9_250);
    assert_eq!(owed(&c), 750);
    assert_refused!(
        c,
        Error::NothingToWithdraw,
        as_(bob(), || c.withdraw(Asset::Native))
    );
    assert_eq!(as_(frank(), || c.withdraw(Asset::Native)), Ok(250));
    assert_eq!(as_(charlie(), || c.withdraw(Asset::Native)), Ok(500));
    assert_eq!(owed(&c), 0);
    assert_eq!(vault_balance(), BASE);
}

#[ink::test]
fn only_payer_or_its_controller_releases() {
    let mut c = setup();
    let id = open(&mut c, 1_000);
    assert_refused!(c, Error::NotPayer, as_(bob(), || c.release(id)));
    assert_refused!(c, Error::NotPayer, as_(django(), || c.release(id)));
    assert_refused!(c, Error::EscrowNotFound, as_(alice(), || c.release(99)));
    // A controller opens for alice and may then act for her on that escrow.
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let id2 = paid(django(), 1_000, || {
        c.open_order(alice(), order_terms(1_000))
    })
    .unwrap();
    assert_eq!(c.escrow(id2).unwrap().opener, django());
    // A controller is no payer of an escrow it did not open.
    assert_refused!(c, Error::NotOpener, as_(django(), || c.release(id)));
    as_(django(), || c.release(id2)).unwrap();
    assert_eq!(last_settled().reason, SettleReason::Released);
}

#[ink::test]
fn deliver_rules() {
    let mut c = setup();
    let id = open(&mut c, 1_000);
    let proof = Hash::from([3; 32]);
    assert_refused!(c, Error::NotPayee, as_(alice(), || c.deliver(id, proof)));
    set_time(T0 + DAY + 1);
    assert_refused!(
        c,
        Error::DeliveryDeadlinePassed,
        as_(bob(), || c.deliver(id, proof))
    );
    set_time(T0 + DAY);
    as_(bob(), || c.deliver(id, proof)).unwrap();
    assert_refused!(
        c,
        Error::EscrowNotFunded,
        as_(bob(), || c.deliver(id, proof))
    );
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Delivered);
    assert!(
        matches!(rec.terms, EscrowTerms::Order { delivered_at: Some(t), proof: Some(p), .. } if t == T0 + DAY && p == proof)
    );
    assert_eq!(
        c.open_escrows(alice(), 0, 0).items[0].next_deadline,
        T0 + 2 * DAY
    );
}

#[ink::test]
fn anyone_finalizes_after_the_review_window() {
    let mut c = setup();
    let id = open(&mut c, 1_000);
    assert_refused!(
        c,
        Error::EscrowNotDelivered,
        as_(django(), || c.finalize(id))
    );
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    set_time(T0 + DAY - 1);
    assert_refused!(c, Error::ReviewWindowOpen, as_(django(), || c.finalize(id)));
    set_time(T0 + DAY);
    as_(django(), || c.finalize(id)).unwrap();
    assert_eq!(last_settled().reason, SettleReason::AutoReleased);
    assert_eq!(
        credit(&c, bob()) + credit(&c, frank()) + credit(&c, charlie()),
        1_000
    );
}

#[ink::test]
fn refunds_after_deadline_by_anyone_or_by_payee_any_time() {
    let mut c = setup();
    let id = open(&mut c, 1_000);
    assert_refused!(
        c,
        Error::DeliveryDeadlineNotReached,
        as_(django(), || c.refund(id))
    );
    set_time(T0 + DAY + 1);
    as_(django(), || c.refund(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.refund, e.to_payee, e.fee),
        (SettleReason::RefundedAfterDeadline, 1_000, 0, 0)
    );
    assert_eq!(credit(&c, alice()), 1_000);

    set_time(T0);
    let id = open(&mut c, 500);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    assert_refused!(c, Error::EscrowNotFunded, as_(alice(), || c.refund(id)));
    as_(bob(), || c.refund(id)).unwrap();
    assert_eq!(last_settled().reason, SettleReason::RefundedByPayee);
    assert_eq!(credit(&c, alice()), 1_500);
    assert_eq!(c.escrow(id).unwrap().settlement.unwrap().payee_share_bps, 0);
}

// ------------------------------------------------------------------ views, money edges

#[ink::test]
fn open_escrows_pages_and_swap_removes() {
    let mut c = setup();
    for _ in 0..12 {
        open(&mut c, 10);
    }
    let first = c.open_escrows(bob(), 0, 0);
    assert_eq!(first.items.len(), MAX_PAGE as usize);
    assert_eq!(first.next, Some(10));
    let second = c.open_escrows(bob(), 10, 50);
    assert_eq!(
        second.items.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![11, 12]
    );
    assert_eq!(second.next, None);
    as_(alice(), || c.release(3)).unwrap();
    let ids: Vec<u64> = c
        .open_escrows(bob(), 0, 11)
        .items
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(ids, vec![1, 2, 12, 4, 5, 6, 7, 8, 9, 10]);
    assert_eq!(c.open_escrow_count(bob()), 11);
    assert_eq!(c.open_escrows(bob(), 100, 5).items.len(), 0);
}

#[ink::test]
fn largest_open_escrows_page_stays_far_below_16_kib() {
    // The widest row: a PSP22 asset (33 bytes), an amount near u128::MAX, a far deadline.
    let mut c = setup_with_token();
    fund_psp22(alice(), u128::MAX, u128::MAX);
    for _ in 0..MAX_PAGE {
        let mut terms = order_terms(u128::MAX / 16);
        terms.asset = psp22();
        terms.delivery_deadline = T0 + market_types::MAX_PERIOD_MS;
        as_(alice(), || c.open_order(alice(), terms)).expect("open");
    }
    let page = c.open_escrows(bob(), 0, MAX_PAGE);
    assert_eq!(page.items.len(), MAX_PAGE as usize);
    let size = ink::scale::Encode::encoded_size(&page);
    assert!(size < 8 * 1024, "page of {size} bytes");
    println!("largest open_escrows page: {size} bytes");
}

#[ink::test]
fn near_max_amounts_split_exactly_and_overflow_is_refused() {
    let mut c = setup();
    let big = u128::MAX - 2 * BASE;
    let id = open(&mut c, big);
    as_(alice(), || c.release(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        e.fee
            .checked_add(e.royalties)
            .and_then(|x| x.checked_add(e.to_payee)),
        Some(big)
    );
    // Owed cannot exceed u128::MAX: a second deposit is refused, nothing changes.
    // (The emulated balance is reset so that the value itself can still arrive.)
    test::set_account_balance::<Env>(vault_id(), BASE);
    let before = fingerprint(&c);
    let x = 2 * BASE + 1;
    assert_eq!(
        paid(alice(), x, || c.open_order(alice(), order_terms(x))),
        Err(Error::Overflow)
    );
    assert_eq!(fingerprint(&c), before);
}
