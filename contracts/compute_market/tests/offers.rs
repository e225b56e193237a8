//! Offers: publishing with exact collateral, updates, pause and resume, retiring,
//! attestations.

use super::*;
use crate::errors::Error;
use crate::events::*;
use market_types::{TokenError, VaultError, MAX_PERIOD_MS};

#[ink::test]
fn publish_locks_exactly_the_sized_collateral_and_indexes_the_offer() {
    let mut c = setup();
    let id = publish(&mut c, &draft());
    assert_eq!((id, c.offer_count()), (1, 1));
    let o = offer(&c, id);
    // 10 per GPU-hour × 4 GPUs × 8 hours × 100 %.
    assert_eq!((o.collateral, o.collateral_id, o.vault), (320, 1, vault()));
    assert_eq!((o.version, o.status, o.in_use), (1, OfferStatus::Active, 0));
    assert_eq!(o.expires_at, T0 + MAX_PERIOD_MS);
    let lock = vault::lock(vault(), 1);
    assert_eq!(
        (lock.owner, lock.controller, lock.amount, lock.unlock_after),
        (provider(), market_id(), 320, T0 + MAX_PERIOD_MS)
    );
    let e: OfferPublished = last_event();
    assert_eq!((e.offer_id, e.provider, e.collateral), (1, provider(), 320));
    assert_eq!(
        (e.gpu_model.as_str(), e.region.as_str()),
        ("H100", "eu-west")
    );
    let mine = c.offers_of(provider(), 0, 0);
    assert_eq!(mine.items.len(), 1);
    let found = c.offers_by_gpu("h100".into(), 0, 0, None, None);
    assert_eq!(found.items[0].offer_id, id);
    let found = c.offers_by_region("EU-WEST".into(), 0, 0, None, None);
    assert_eq!((found.items.len(), found.next), (1, None));
}

#[ink::test]
fn collateral_follows_the_ratio_above_one_hundred_percent_exactly() {
    let mut c = setup();
    set_caller(accounts().alice);
    c.set_ratios(15_000, 2_500).unwrap();
    c.set_ratios(30_000, 2_500).unwrap();
    set_caller(provider());
    let mut d = draft();
    d.price = 7;
    d.capacity = 3;
    d.max_hours = 10;
    // 7 × 3 × 10 = 210 at 300 %.
    let id = publish(&mut c, &d);
    assert_eq!(offer(&c, id).collateral, 630);
    assert_eq!(vault::lock(vault(), 1).amount, 630);
    set_caller(accounts().alice);
    c.set_ratios(3_333, 2_500).unwrap();
    set_caller(provider());
    // floor(210 × 0.3333) = 69: sent 70 is refused, 69 accepted.
    assert_refused!(c, Error::WrongPayment, publish_with(&mut c, &d, 70));
    let id = publish_with(&mut c, &d, 69).unwrap();
    assert_eq!(offer(&c, id).collateral, 69);
}

#[ink::test]
fn publish_in_tokens_moves_the_providers_tokens_into_the_vault_through_the_market() {
    let mut c = setup();
    let mut d = draft();
    d.asset = Asset::Psp22(token());
    psp22::mint(token(), provider(), 320);
    // Not approved: the token's own refusal, and nothing moved.
    assert_refused!(
        c,
        Error::Token(TokenError::InsufficientAllowance),
        publish_with(&mut c, &d, 0)
    );
    psp22::set_allowance(token(), provider(), market_id(), 320);
    // A PSP22 offer takes no value.
    assert_refused!(c, Error::WrongPayment, publish_with(&mut c, &d, 320));
    let id = publish_with(&mut c, &d, 0).unwrap();
    assert_eq!(psp22::balance(token(), provider()), 0);
    assert_eq!(psp22::balance(token(), vault()), 320);
    assert_eq!(psp22::balance(token(), market_id()), 0);
    assert_eq!(psp22::allowance(token(), market_id(), vault()), 0);
    assert_eq!(offer(&c, id).asset, Asset::Psp22(token()));
}

#[ink::test]
fn publish_refusals_happen_before_the_vault_and_change_nothing() {
    let mut c = setup();
    let ok = draft();
    let with = |f: &dyn Fn(&mut Draft)| {
        let mut d = ok.clone();
        f(&mut d);
        d
    };
    let cases: Vec<(Draft, Error)> = vec![
        (with(&|d| d.gpu = String::new()), Error::InvalidGpuModel),
        (
            with(&|d| d.gpu = "x".repeat(MAX_TEXT_LEN + 1)),
            Error::InvalidGpuModel,
        ),
        (
            with(&|d| d.gpu = "h100;drop".into()),
            Error::InvalidGpuModel,
        ),
        (with(&|d| d.region = String::new()), Error::InvalidRegion),
        (with(&|d| d.region = "région".into()), Error::InvalidRegion),
        (with(&|d| d.vram = 0), Error::InvalidVram),
        (with(&|d| d.capacity = 0), Error::InvalidCapacity),
        (
            with(&|d| d.capacity = MAX_CAPACITY + 1),
            Error::InvalidCapacity,
        ),
        (with(&|d| d.price = 0), Error::ZeroPrice),
        (with(&|d| d.min_hours = 0), Error::InvalidHours),
        (with(&|d| d.min_hours = 9), Error::InvalidHours),
        (
            with(&|d| d.max_hours = u32::try_from(MAX_PERIOD_MS / HOUR + 1).unwrap()),
            Error::PeriodTooLong,
        ),
        (with(&|d| d.window = 0), Error::InvalidStartWindow),
        (
            with(&|d| d.window = 10 * HOUR + 1),
            Error::InvalidStartWindow,
        ),
        (
            with(&|d| d.asset = Asset::Psp22(accounts().django)),
            Error::AssetNotAllowed,
        ),
        (with(&|d| d.price = u128::MAX), Error::Overflow),
    ];
    for (d, err) in cases {
        assert_refused!(c, err, publish_with(&mut c, &d, 320));
    }
    assert_refused!(c, Error::WrongPayment, publish_with(&mut c, &ok, 319));
    assert_refused!(c, Error::WrongPayment, publish_with(&mut c, &ok, 321));
    set_caller(accounts().alice);
    c.set_ratios(1, 0).unwrap();
    set_caller(provider());
    // 320 × 1 / 10 000 rounds down to nothing.
    assert_refused!(c, Error::ZeroCollateral, publish_with(&mut c, &ok, 0));
    assert_eq!(vault_calls(), 0, "no vault was called");
    // The vault's own refusal comes back whole.
    set_caller(accounts().alice);
    c.set_ratios(10_000, 0).unwrap();
    set_caller(provider());
    vault::refuse_next(vault(), VaultError::NotController);
    assert_refused!(
        c,
        Error::Vault(VaultError::NotController),
        publish_with(&mut c, &ok, 320)
    );
}

#[ink::test]
fn update_offer_bumps_the_version_within_the_collateral() {
    let mut c = setup();
    let id = publish(&mut c, &draft());
    // Same exposure, other shape: 20 × 4 GPUs × 4 hours = 320.
    c.update_offer(id, 20, 2, 4).unwrap();
    let o = offer(&c, id);
    assert_eq!(
        (o.version, o.price_per_gpu_hour, o.min_hours, o.max_hours),
        (2, 20, 2, 4)
    );
    let e: OfferUpdated = last_event();
    assert_eq!((e.offer_id, e.version, e.price_per_gpu_hour), (id, 2, 20));
    // 21 × 4 × 4 = 336 > 320.
    assert_refused!(c, Error::CollateralShort, c.update_offer(id, 21, 2, 4));
    assert_refused!(c, Error::CollateralShort, c.update_offer(id, 20, 2, 5));
    assert_refused!(c, Error::ZeroPrice, c.update_offer(id, 0, 2, 4));
    assert_refused!(c, Error::InvalidHours, c.update_offer(id, 20, 5, 4));
    assert_refused!(c, Error::OfferNotFound, c.update_offer(99, 20, 2, 4));
    // A higher ratio applies to the next update.
    set_caller(accounts().alice);
    c.set_ratios(20_000, 2_500).unwrap();
    set_caller(provider());
    assert_refused!(c, Error::CollateralShort, c.update_offer(id, 20, 2, 4));
    c.update_offer(id, 10, 1, 4).unwrap();
    set_caller(renter());
    assert_refused!(c, Error::NotProvider, c.update_offer(id, 10, 1, 4));
}

#[ink::test]
fn pause_and_resume_gate_new_rentals() {
    let (mut c, id) = shop();
    assert_refused!(c, Error::NotProvider, c.pause_offer(id));
    set_caller(provider());
    assert_refused!(c, Error::OfferNotPaused, c.resume_offer(id));
    c.pause_offer(id).unwrap();
    let e: OfferPaused = last_event();
    assert_eq!(e.offer_id, id);
    assert_refused!(c, Error::OfferNotActive, c.pause_offer(id));
    set_caller(renter());
    set_value(10);
    assert_refused!(c, Error::OfferNotActive, c.rent(id, 1, 1, 1));
    set_value(0);
    assert!(c
        .offers_by_region("eu-west".into(), 0, 0, None, None)
        .items
        .is_empty());
    set_caller(provider());
    c.resume_offer(id).unwrap();
    let e: OfferResumed = last_event();
    assert_eq!(e.offer_id, id);
    assert_eq!(offer(&c, id).version, 1, "pausing changes no terms");
    set_caller(renter());
    rent(&mut c, id, 1, 1).unwrap();
}

#[ink::test]
fn retire_releases_the_collateral_to_the_providers_credit_and_is_final() {
    let mut c = setup();
    let id = publish(&mut c, &draft());
    set_caller(renter());
    assert_refused!(c, Error::NotProvider, c.retire_offer(id));
    set_caller(provider());
    c.retire_offer(id).unwrap();
    let e: OfferRetired = last_event();
    assert_eq!((e.offer_id, e.provider, e.released), (id, provider(), true));
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 320);
    assert!(vault::lock(vault(), 1).released);
    let o = offer(&c, id);
    assert_eq!((o.status, o.collateral), (OfferStatus::Retired, 0));
    assert!(c
        .offers_by_gpu("h100".into(), 0, 0, None, None)
        .items
        .is_empty());
    assert_eq!(
        c.offers_of(provider(), 0, 0).items.len(),
        1,
        "history stays"
    );
    assert_refused!(c, Error::OfferRetired, c.retire_offer(id));
    assert_refused!(c, Error::OfferRetired, c.update_offer(id, 1, 1, 1));
    assert_refused!(c, Error::OfferRetired, c.pause_offer(id));
    assert_refused!(c, Error::OfferRetired, c.resume_offer(id));
    set_caller(renter());
    set_value(10);
    assert_refused!(c, Error::OfferNotActive, c.rent(id, 1, 1, 1));
    set_value(0);
}

#[ink::test]
fn retire_is_refused_while_any_rental_is_open() {
    let (mut c, id) = shop();
    let booked = rent(&mut c, id, 1, 1).unwrap();
    let running = rent(&mut c, id, 1, 2).unwrap();
    start(&mut c, running);
    set_caller(provider());
    assert_refused!(c, Error::RentalsOpen, c.retire_offer(id));
    // The booked one withdrawn, the running one over but its pay unclaimed: Ended,
    // its stream still open in the vault, so still refused.
    set_caller(renter());
    c.end_early(booked).unwrap();
    set_now(T0 + 2 * HOUR);
    c.settle(running).unwrap();
    assert_eq!(rental(&c, running).status, RentalStatus::Ended);
    set_caller(provider());
    assert_refused!(c, Error::RentalsOpen, c.retire_offer(id));
    assert_eq!(c.open_rentals(id, 0, 0).items.len(), 1);
    // The provider claims; the vault settles the stream; settle records it.
    vault::claim(vault(), rental(&c, running).escrow_id);
    c.settle(running).unwrap();
    assert!(c.open_rentals(id, 0, 0).items.is_empty());
    c.retire_offer(id).unwrap();
    assert_eq!(
        vault::credit(vault(), Asset::Native, provider()),
        320 + 20 + 10,
        "collateral back, the pay claimed, and the withdrawn booking's first hour"
    );
}

#[ink::test]
fn an_expired_offer_takes_no_rentals_and_retires_even_if_the_lock_was_taken_back() {
    let (mut c, id) = shop();
    set_now(T0 + MAX_PERIOD_MS);
    set_value(10);
    assert_refused!(c, Error::OfferExpired, c.rent(id, 1, 1, 1));
    set_value(0);
    assert!(c
        .offers_by_gpu("h100".into(), 0, 0, None, None)
        .items
        .is_empty());
    vault::owner_releases(vault(), 1).expect("the owner takes it back");
    set_caller(provider());
    c.retire_offer(id).unwrap();
    let e: OfferRetired = last_event();
    assert!(!e.released);
    assert_eq!(
        vault::credit(vault(), Asset::Native, provider()),
        320,
        "once"
    );
}

#[ink::test]
fn auditors_attest_offers_until_expiry() {
    let mut c = setup();
    let id = publish(&mut c, &draft());
    let later = T0 + 5 * HOUR;
    assert_refused!(
        c,
        Error::CannotAttestOwnOffer,
        c.attest_offer(id, hash(3), later)
    );
    set_caller(accounts().django);
    assert_refused!(c, Error::NotAuditor, c.attest_offer(id, hash(3), later));
    set_caller(auditor());
    assert_refused!(c, Error::OfferNotFound, c.attest_offer(99, hash(3), later));
    assert_refused!(c, Error::ExpiryNotInFuture, c.attest_offer(id, hash(3), T0));
    c.attest_offer(id, hash(3), later).unwrap();
    let e: OfferAttested = last_event();
    assert_eq!(
        (e.offer_id, e.auditor, e.expires_at),
        (id, auditor(), later)
    );
    let a = c.offer(id).unwrap().attestation.expect("valid");
    assert_eq!(
        (a.auditor, a.report_hash, a.issued_at),
        (auditor(), hash(3), T0)
    );
    // Off the list: no longer shown, still readable.
    targets::set_auditor_listed(registry(), auditor(), false);
    assert_eq!(c.offer(id).unwrap().attestation, None);
    assert!(c.attestation(id).is_some());
    targets::set_auditor_listed(registry(), auditor(), true);
    set_now(later);
    assert_eq!(c.offer(id).unwrap().attestation, None, "expired");
    set_now(T0);
    // Only its auditor revokes it.
    set_caller(accounts().django);
    assert_refused!(
        c,
        Error::AttestationNotFound,
        c.revoke_offer_attestation(id)
    );
    set_caller(auditor());
    c.revoke_offer_attestation(id).unwrap();
    let e: OfferAttestationRevoked = last_event();
    assert_eq!((e.offer_id, e.auditor), (id, auditor()));
    assert_eq!(c.attestation(id), None);
    assert_refused!(
        c,
        Error::AttestationNotFound,
        c.revoke_offer_attestation(id)
    );
    set_caller(provider());
    c.retire_offer(id).unwrap();
    set_caller(auditor());
    assert_refused!(c, Error::OfferRetired, c.attest_offer(id, hash(3), later));
}
