//! Offers and purchases: adding, updating and retiring offers, the purchase refusals
//! that happen before the vault is called, native and PSP22 purchases through the vault,
//! and the buyer paying only the offer version they saw.

use super::*;

// ------------------------------------------------------------ offers

#[ink::test]
fn add_offer_native_and_allowed_token() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let token = accounts().frank;
    c.set_asset_allowed(token, true).unwrap();
    let o0 = c
        .add_offer(id, LicenseKind::Perpetual, 1_000, Asset::Native)
        .unwrap();
    let o1 = c
        .add_offer(
            id,
            LicenseKind::TimeBound {
                duration_ms: 60_000,
            },
            5,
            Asset::Psp22(token),
        )
        .unwrap();
    assert_eq!((o0, o1), (0, 1));
    assert_eq!(c.model(id).unwrap().offer_count, 2);
    let offer = c.offer(id, o1).unwrap();
    assert_eq!(offer.asset, Asset::Psp22(token));
    assert_eq!(offer.status, OfferStatus::Active);
    let e: OfferAdded = last_event();
    assert_eq!((e.model_id, e.offer_id, e.price), (id, 1, 5));
    assert_eq!(c.offers(id, 0, 0).items.len(), 2);
}

#[ink::test]
fn add_offer_refusals() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let native = Asset::Native;
    assert_refused!(
        c,
        Error::ZeroPrice,
        c.add_offer(id, LicenseKind::Perpetual, 0, native)
    );
    assert_refused!(
        c,
        Error::InvalidLicenseTerms,
        c.add_offer(id, LicenseKind::TimeBound { duration_ms: 0 }, 1, native)
    );
    assert_refused!(
        c,
        Error::InvalidLicenseTerms,
        c.add_offer(id, LicenseKind::Metered { units: 0 }, 1, native)
    );
    assert_refused!(
        c,
        Error::AssetNotAllowed,
        c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Psp22(accounts().eve))
    );
    assert_refused!(
        c,
        Error::ModelNotFound,
        c.add_offer(99, LicenseKind::Perpetual, 1, native)
    );
    set_caller(accounts().bob);
    assert_refused!(
        c,
        Error::NotModelOwner,
        c.add_offer(id, LicenseKind::Perpetual, 1, native)
    );
    set_caller(accounts().alice);
    c.deprecate(id, None).unwrap();
    assert_refused!(
        c,
        Error::ModelNotActive,
        c.add_offer(id, LicenseKind::Perpetual, 1, native)
    );
}

#[ink::test]
fn add_offer_stops_at_the_cap() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    for i in 0..MAX_OFFERS_PER_MODEL {
        let price = u128::from(i) + 1;
        assert_eq!(
            c.add_offer(id, LicenseKind::Metered { units: 10 }, price, Asset::Native),
            Ok(i)
        );
    }
    assert_refused!(
        c,
        Error::TooManyOffers,
        c.add_offer(id, LicenseKind::Perpetual, 1, Asset::Native)
    );
    // Paging walks all of them, MAX_PAGE at a time.
    let mut seen = 0;
    let mut cursor = Some(0);
    while let Some(at) = cursor {
        let page = c.offers(id, at, 0);
        assert!(page.items.len() as u32 <= MAX_PAGE);
        seen += page.items.len();
        cursor = page.next;
    }
    assert_eq!(seen, MAX_OFFERS_PER_MODEL as usize);
}

#[ink::test]
fn update_offer_changes_terms() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let o = c
        .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
        .unwrap();
    c.update_offer(id, o, LicenseKind::Metered { units: 100 }, 7, Asset::Native)
        .unwrap();
    let offer = c.offer(id, o).unwrap();
    assert_eq!(
        (offer.kind, offer.price),
        (LicenseKind::Metered { units: 100 }, 7)
    );
    let e: OfferUpdated = last_event();
    assert_eq!((e.model_id, e.offer_id, e.price, e.version), (id, o, 7, 2));
    assert_eq!(offer.version, 2);
}

#[ink::test]
fn update_offer_refusals() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let o = c
        .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
        .unwrap();
    let perp = LicenseKind::Perpetual;
    assert_refused!(
        c,
        Error::ZeroPrice,
        c.update_offer(id, o, perp, 0, Asset::Native)
    );
    assert_refused!(
        c,
        Error::AssetNotAllowed,
        c.update_offer(id, o, perp, 1, Asset::Psp22(accounts().eve))
    );
    assert_refused!(
        c,
        Error::OfferNotFound,
        c.update_offer(id, 5, perp, 1, Asset::Native)
    );
    set_caller(accounts().bob);
    assert_refused!(
        c,
        Error::NotModelOwner,
        c.update_offer(id, o, perp, 1, Asset::Native)
    );
    set_caller(accounts().alice);
    c.retire_offer(id, o).unwrap();
    assert_refused!(
        c,
        Error::OfferRetired,
        c.update_offer(id, o, perp, 1, Asset::Native)
    );
}

#[ink::test]
fn retire_offer_is_final() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let o = c
        .add_offer(id, LicenseKind::Perpetual, 10, Asset::Native)
        .unwrap();
    assert_refused!(c, Error::OfferNotFound, c.retire_offer(id, 3));
    set_caller(accounts().bob);
    assert_refused!(c, Error::NotModelOwner, c.retire_offer(id, o));
    set_caller(accounts().alice);
    c.retire_offer(id, o).unwrap();
    assert_eq!(c.offer(id, o).unwrap().status, OfferStatus::Retired);
    let e: OfferRetired = last_event();
    assert_eq!((e.model_id, e.offer_id), (id, o));
    assert_refused!(c, Error::OfferRetired, c.retire_offer(id, o));
}

// ------------------------------------------------------------ purchases

#[ink::test]
fn purchase_refusals_happen_before_the_vault_and_change_nothing() {
    let a = accounts();
    let (mut c, id) = shop();
    set_value(100);
    assert_refused!(c, Error::VaultNotSet, c.purchase_license(id, 0, 1));
    set_caller(a.alice);
    set_value(0);
    c.set_vault(vault_a()).unwrap();
    set_caller(a.charlie);
    set_value(100);
    assert_refused!(c, Error::ModelNotFound, c.purchase_license(99, 0, 1));
    assert_refused!(c, Error::OfferNotFound, c.purchase_license(id, 9, 1));
    assert_refused!(c, Error::OfferChanged, c.purchase_license(id, 0, 2));
    set_value(1);
    assert_refused!(c, Error::OfferRetired, c.purchase_license(id, 2, 1));
    set_value(99);
    assert_refused!(c, Error::WrongPayment, c.purchase_license(id, 0, 1));
    set_value(101);
    assert_refused!(c, Error::WrongPayment, c.purchase_license(id, 0, 1));
    set_value(7);
    assert_refused!(c, Error::WrongPayment, c.purchase_license(id, 1, 1));
    set_caller(a.bob);
    set_value(100);
    assert_refused!(c, Error::CannotBuyOwnModel, c.purchase_license(id, 0, 1));
    set_value(0);
    c.deprecate(id, None).unwrap();
    set_caller(a.charlie);
    set_value(100);
    assert_refused!(c, Error::ModelNotActive, c.purchase_license(id, 0, 1));
    set_value(0);
    assert_eq!(vault::all_calls(), 0, "no vault was called");
}

#[ink::test]
fn native_purchase_opens_an_order_for_the_buyer_and_release_grants_it() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let license = buy(&mut c, id, 0).unwrap();
    let e: LicensePurchased = last_event();
    assert_eq!(
        (e.license_id, e.buyer, e.vault, e.escrow_id, e.offer_version),
        (license, a.charlie, vault_a(), 1, 1)
    );
    assert_eq!(vault::with(vault_a(), |v| v.escrows.len()), 1);
    let opened = vault::escrow_of(vault_a(), e.escrow_id);
    let o = &opened.record;
    assert_eq!(
        (o.opener, o.payer, o.payee, opened.held(), opened.sent),
        (registry_id(), a.charlie, a.bob, 100, 100)
    );
    assert_eq!((o.context, e.escrow_id), (license, 1));
    assert!(!c.has_valid_license(a.charlie, id), "not while in escrow");
    assert_eq!(c.entitlement(a.charlie, id).pending, vec![license]);
    // Only the buyer releases, through the registry.
    set_caller(a.django);
    assert_refused!(c, Error::NotLicenseHolder, c.release_license(license));
    assert_refused!(c, Error::LicenseNotFound, c.release_license(99));
    set_caller(a.charlie);
    c.release_license(license).unwrap();
    let e: LicenseRecorded = last_event();
    assert_eq!(
        (e.license_id, e.buyer, e.granted),
        (license, a.charlie, true)
    );
    assert!(c.has_valid_license(a.charlie, id));
    let l = c.license(license).unwrap();
    assert_eq!((l.granted, l.released_at), (Some(true), Some(T0)));
    assert!(c.entitlement(a.charlie, id).perpetual);
    // A second release is the vault's refusal, and changes nothing here.
    assert_refused!(
        c,
        Error::Vault(VaultError::EscrowNotOpen),
        c.release_license(license)
    );
}

#[ink::test]
fn psp22_purchase_moves_the_buyers_tokens_straight_into_the_vault() {
    let a = accounts();
    let (mut c, id) = open_shop();
    // No approval of the registry: the token's own reason comes back.
    psp22::mint(token(), a.charlie, 7);
    assert_refused!(
        c,
        Error::Token(TokenError::InsufficientAllowance),
        c.purchase_license(id, 1, 1)
    );
    // Approved, but django holds no tokens.
    set_caller(a.django);
    psp22::set_allowance(token(), a.django, registry_id(), 7);
    assert_refused!(
        c,
        Error::Token(TokenError::InsufficientBalance),
        c.purchase_license(id, 1, 1)
    );
    // An approval of the vault itself is not enough: the vault never pulls for a
    // controller, so nobody else's approval can be spent.
    set_caller(a.charlie);
    psp22::set_allowance(token(), a.charlie, vault_a(), 7);
    assert_refused!(
        c,
        Error::Token(TokenError::InsufficientAllowance),
        c.purchase_license(id, 1, 1)
    );
    assert_eq!(psp22::balance(token(), a.charlie), 7);
    // Approving the registry works: approve + purchase, nothing more. The tokens go
    // from the buyer to the vault in one transfer; the registry holds and approves
    // nothing on the way.
    psp22::set_allowance(token(), a.charlie, registry_id(), 7);
    let license = c.purchase_license(id, 1, 1).unwrap();
    assert_eq!(psp22::balance(token(), a.charlie), 0);
    assert_eq!(psp22::balance(token(), vault_a()), 7);
    assert_eq!(psp22::balance(token(), registry_id()), 0);
    assert_eq!(psp22::allowance(token(), registry_id(), vault_a()), 0);
    assert_eq!(
        psp22::allowance(token(), a.charlie, vault_a()),
        7,
        "untouched"
    );
    let opened = vault::escrow_of(vault_a(), 1);
    assert_eq!((opened.record.payer, opened.sent), (a.charlie, 0));
    assert_eq!(c.license(license).unwrap().asset, Asset::Psp22(token()));
}

#[ink::test]
fn the_buyer_pays_what_they_saw() {
    let a = accounts();
    let (mut c, id) = open_shop();
    // Charlie quotes the token offer (version 1, 7 tokens) and leaves a standing
    // approval of 1 000 for the registry.
    let quoted = c.offer(id, 1).unwrap();
    assert_eq!((quoted.price, quoted.version), (7, 1));
    psp22::mint(token(), a.charlie, 1_000);
    psp22::set_allowance(token(), a.charlie, registry_id(), 1_000);
    // The owner reprices it before the purchase lands.
    set_caller(a.bob);
    c.update_offer(id, 1, quoted.kind, 700, quoted.asset)
        .unwrap();
    // And turns the perpetual offer into a 1 ms license.
    c.update_offer(
        id,
        0,
        LicenseKind::TimeBound { duration_ms: 1 },
        100,
        Asset::Native,
    )
    .unwrap();
    assert_eq!(c.offer(id, 1).unwrap().version, 2);
    set_caller(a.charlie);
    assert_refused!(c, Error::OfferChanged, c.purchase_license(id, 1, 1));
    set_value(100);
    assert_refused!(c, Error::OfferChanged, c.purchase_license(id, 0, 1));
    set_value(0);
    assert_eq!(psp22::balance(token(), a.charlie), 1_000, "nothing charged");
    assert_eq!(vault::with(vault_a(), |v| v.escrow_count), 0);
    // Agreeing to the new version is charged the new price.
    c.purchase_license(id, 1, 2).unwrap();
    assert_eq!(psp22::balance(token(), a.charlie), 300);
}
