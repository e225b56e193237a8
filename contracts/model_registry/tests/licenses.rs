//! Licenses and entitlements: validity that a later purchase cannot hide, the bound on
//! pending purchases, licenses that keep their vault, pooled metered units, a dead vault's
//! pending slot, and the license pages.

use super::*;

// ------------------------------------------------------------ licenses

#[ink::test]
fn a_later_purchase_never_hides_a_valid_license() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let perpetual = buy(&mut c, id, 0).unwrap();
    c.release_license(perpetual).unwrap();
    assert!(c.has_valid_license(a.charlie, id));
    // The attack path of today: a second purchase becomes the "latest" one.
    let second = buy(&mut c, id, 1).unwrap();
    assert_eq!(c.entitlement(a.charlie, id).pending, vec![second]);
    assert!(c.has_valid_license(a.charlie, id), "pending second");
    let (vault, escrow) = escrow_of(&c, second);
    vault::dispute(vault, escrow);
    assert!(c.has_valid_license(a.charlie, id), "disputed second");
    vault::settle(vault, escrow, SettleReason::RefundedAfterDeadline, 0);
    assert!(c.has_valid_license(a.charlie, id), "refunded second");
    set_caller(a.eve);
    assert_eq!(c.sync_licenses(a.charlie, id), Ok(0));
    let e: LicenseRecorded = last_event();
    assert_eq!((e.license_id, e.granted), (second, false));
    assert!(c.has_valid_license(a.charlie, id), "after recording");
    let page = c.licenses_for_model(a.charlie, id, 0, 0);
    let states: Vec<LicenseState> = page.items.iter().map(|v| v.state).collect();
    assert_eq!(states, vec![LicenseState::Active, LicenseState::NotGranted]);
}

#[ink::test]
fn pending_purchases_are_bounded_and_validity_costs_the_same_after_many() {
    let a = accounts();
    let (mut c, id) = open_shop();
    for _ in 0..MAX_PENDING_LICENSES {
        buy(&mut c, id, 0).unwrap();
    }
    let before = fingerprint(&c);
    set_value(100);
    assert_eq!(
        c.purchase_license(id, 0, 1),
        Err(Error::TooManyPendingLicenses)
    );
    set_value(0);
    assert_eq!(fingerprint(&c), before);
    // Settle them all (refunds); each next purchase records the settled ones.
    for n in 0..40u64 {
        let pending = c.entitlement(a.charlie, id).pending;
        for l in pending {
            let (v, e) = escrow_of(&c, l);
            vault::settle(v, e, SettleReason::RefundedAfterDeadline, 0);
        }
        buy(&mut c, id, 0).unwrap();
        assert!(c.entitlement(a.charlie, id).pending.len() <= 1, "round {n}");
    }
    let last = c.license_count();
    c.release_license(last).unwrap();
    vault::reset_calls();
    assert!(c.has_valid_license(a.charlie, id));
    assert!(!c.has_valid_license(a.django, id));
    let calls = vault::all_calls();
    assert_eq!(calls, 0, "44 licenses bought, validity read from storage");
    // With the most pending licenses, one vault read each, no more.
    set_caller(a.django);
    for _ in 0..MAX_PENDING_LICENSES {
        buy(&mut c, id, 1).unwrap();
    }
    vault::reset_calls();
    assert!(!c.has_valid_license(a.django, id));
    assert_eq!(vault::all_calls(), MAX_PENDING_LICENSES as u32);
}

#[ink::test]
fn licenses_keep_the_vault_they_were_paid_into() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let kept = buy(&mut c, id, 0).unwrap();
    c.release_license(kept).unwrap();
    set_caller(a.django);
    let refunded = buy(&mut c, id, 0).unwrap();
    let (va, escrow) = escrow_of(&c, refunded);
    assert_eq!((va, escrow), (vault_a(), 2));
    vault::settle(va, escrow, SettleReason::RefundedAfterDeadline, 0);
    // The admin migrates new purchases to vault B.
    set_caller(a.alice);
    c.set_vault(vault_b()).unwrap();
    // The attack path: vault B has its own order 2, and it gets released.
    set_caller(a.eve);
    let unrelated = buy(&mut c, id, 0).unwrap();
    set_caller(a.django);
    let (vb, _) = escrow_of(&c, unrelated);
    assert_eq!(vb, vault_b());
    set_caller(a.eve);
    let second_in_b = buy(&mut c, id, 1).unwrap();
    assert_eq!(escrow_of(&c, second_in_b), (vault_b(), 2));
    vault::settle(vault_b(), 2, SettleReason::Released, 10_000);
    // Django's refunded license reads vault A, where order 2 was refunded.
    assert!(!c.has_valid_license(a.django, id));
    // Charlie's released license still reads valid after the migration.
    assert!(c.has_valid_license(a.charlie, id));
    // Eve's order 2 in B is the one that was released.
    assert!(c.has_valid_license(a.eve, id));
    let view = c.licenses_of(a.django, 0, 0);
    assert_eq!(view.items.len(), 1);
    assert_eq!(view.items[0].license.vault, vault_a());
    assert_eq!(view.items[0].state, LicenseState::NotGranted);
}

#[ink::test]
fn metered_units_are_pooled_and_counted_by_the_owner_only() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let l1 = buy(&mut c, id, 1).unwrap();
    let l2 = buy(&mut c, id, 1).unwrap();
    set_caller(a.bob);
    assert_refused!(c, Error::NotMetered, c.consume_units(a.charlie, id, 1));
    set_caller(a.charlie);
    c.release_license(l1).unwrap();
    let (v, e) = escrow_of(&c, l2);
    vault::settle(v, e, SettleReason::AutoReleased, 10_000);
    assert_refused!(c, Error::NotModelOwner, c.consume_units(a.charlie, id, 1));
    set_caller(a.bob);
    assert_refused!(c, Error::ModelNotFound, c.consume_units(a.charlie, 99, 1));
    assert_refused!(c, Error::ZeroUnits, c.consume_units(a.charlie, id, 0));
    assert_eq!(c.consume_units(a.charlie, id, 8), Ok(2));
    let e: UnitsConsumed = last_event();
    assert_eq!((e.account, e.units, e.remaining), (a.charlie, 8, 2));
    assert_refused!(c, Error::UnitsExhausted, c.consume_units(a.charlie, id, 3));
    assert_refused!(
        c,
        Error::UnitsExhausted,
        c.consume_units(a.charlie, id, u64::MAX)
    );
    assert!(c.has_valid_license(a.charlie, id));
    assert_eq!(c.consume_units(a.charlie, id, 2), Ok(0));
    assert!(!c.has_valid_license(a.charlie, id));
    let states: Vec<LicenseState> = c
        .licenses_of(a.charlie, 0, 0)
        .items
        .iter()
        .map(|v| v.state)
        .collect();
    assert_eq!(states, vec![LicenseState::Expired, LicenseState::Expired]);
}

#[ink::test]
fn a_seller_cannot_jam_an_entitlement_with_huge_metered_licenses() {
    let a = accounts();
    let (mut c, id) = open_shop();
    set_caller(a.bob);
    c.add_offer(
        id,
        LicenseKind::Metered { units: u64::MAX },
        3,
        Asset::Native,
    )
    .unwrap();
    set_caller(a.charlie);
    // The attack: two u64::MAX-unit licenses, both auto-released.
    for _ in 0..2 {
        let l = buy(&mut c, id, 3).unwrap();
        let (v, e) = escrow_of(&c, l);
        vault::settle(v, e, SettleReason::AutoReleased, 10_000);
    }
    assert_eq!(c.sync_licenses(a.charlie, id), Ok(0));
    assert_eq!(c.entitlement(a.charlie, id).units_bought, u64::MAX);
    // Nothing is jammed: the buyer buys, rates and is counted as before.
    buy(&mut c, id, 0).unwrap();
    c.rate_model(id, 5).unwrap();
    set_caller(a.bob);
    assert_eq!(c.consume_units(a.charlie, id, 1), Ok(u64::MAX - 1));
}

#[ink::test]
fn a_dead_vault_cannot_hold_a_pending_slot_for_ever() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let l = buy(&mut c, id, 0).unwrap();
    // While the vault answers, the license settles there.
    assert_refused!(c, Error::VaultStillAnswers, c.drop_license(l));
    set_caller(a.django);
    assert_refused!(c, Error::NotLicenseHolder, c.drop_license(l));
    assert_refused!(c, Error::LicenseNotFound, c.drop_license(99));
    // The vault forgets the order (removed, or replaced by other code).
    let (v, e) = escrow_of(&c, l);
    vault::forget(v, e);
    assert!(!c.has_valid_license(a.charlie, id));
    set_caller(a.charlie);
    c.drop_license(l).unwrap();
    let ev: LicenseRecorded = last_event();
    assert_eq!((ev.license_id, ev.granted), (l, false));
    assert!(c.entitlement(a.charlie, id).pending.is_empty());
    assert_eq!(c.license(l).unwrap().granted, Some(false));
    assert_refused!(c, Error::LicenseNotPending, c.drop_license(l));
}

#[ink::test]
fn license_pages_cover_every_license_once() {
    let a = accounts();
    let (mut c, id) = open_shop();
    set_caller(a.bob);
    let other = register(&mut c, "other", &[]);
    c.add_offer(other, LicenseKind::Perpetual, 5, Asset::Native)
        .unwrap();
    set_caller(a.charlie);
    let mut bought = Vec::new();
    for i in 0..23u64 {
        let model = if i % 3 == 0 { other } else { id };
        let l = buy(&mut c, model, 0).unwrap();
        c.release_license(l).unwrap();
        bought.push((model, l));
    }
    let mut seen = Vec::new();
    let mut cursor = Some(0);
    while let Some(at) = cursor {
        let page = c.licenses_of(a.charlie, at, 0);
        assert!(page.items.len() as u32 <= MAX_PAGE);
        seen.extend(page.items.iter().map(|v| v.license_id));
        cursor = page.next;
    }
    assert_eq!(seen, bought.iter().map(|(_, l)| *l).collect::<Vec<_>>());
    assert_eq!(c.account_license_count(a.charlie), 23);
    let for_other: Vec<LicenseId> = c
        .licenses_for_model(a.charlie, other, 0, 0)
        .items
        .iter()
        .map(|v| v.license_id)
        .collect();
    let expected: Vec<LicenseId> = bought
        .iter()
        .filter(|(m, _)| *m == other)
        .map(|(_, l)| *l)
        .collect();
    assert_eq!(for_other, expected);
    let page = c.licenses_for_model(a.charlie, id, 0, 0);
    assert_eq!(page.items.len(), MAX_PAGE as usize);
    assert_eq!(page.next, Some(u64::from(MAX_PAGE)));
    assert!(page.items.iter().all(|v| v.state == LicenseState::Active
        && v.escrow
            .is_some_and(|s| s.state == market_types::EscrowState::Settled)));
    assert!(c
        .licenses_of(a.charlie, u64::MAX, u32::MAX)
        .items
        .is_empty());
    assert!(c.licenses_of(a.django, 0, 0).items.is_empty());
}
