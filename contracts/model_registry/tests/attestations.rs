//! Attestations and ratings: auditors' attestations until expiry or revocation, and one
//! rating per account and model, counted once a license is released.

use super::*;

// ------------------------------------------------------------ attestations

#[ink::test]
fn attest_is_valid_until_expiry() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let auditor = accounts().charlie;
    c.set_auditor(auditor, true).unwrap();
    set_caller(auditor);
    c.attest(id, hash(9), T0 + 1_000).unwrap();
    let e: ModelAttested = last_event();
    assert_eq!(
        (e.model_id, e.auditor, e.expires_at),
        (id, auditor, T0 + 1_000)
    );
    assert!(c.is_attestation_valid(id, auditor));
    assert_eq!(c.attestation(id, auditor).unwrap().report_hash, hash(9));
    set_now(T0 + 1_000);
    assert!(!c.is_attestation_valid(id, auditor));
    // Renewing keeps one entry per auditor.
    c.attest(id, hash(10), T0 + 5_000).unwrap();
    assert!(c.is_attestation_valid(id, auditor));
    let page = c.attestations(id, 0, 0);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].report_hash, hash(10));
    assert_eq!(c.model(id).unwrap().auditor_count, 1);
}

#[ink::test]
fn removed_auditor_attestation_stops_counting() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let auditor = accounts().charlie;
    c.set_auditor(auditor, true).unwrap();
    set_caller(auditor);
    c.attest(id, hash(9), T0 + 1_000).unwrap();
    set_caller(accounts().alice);
    c.set_auditor(auditor, false).unwrap();
    assert!(!c.is_attestation_valid(id, auditor));
}

#[ink::test]
fn attest_refusals() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let auditor = accounts().charlie;
    set_caller(auditor);
    assert_refused!(c, Error::NotAuditor, c.attest(id, hash(9), T0 + 1));
    set_caller(accounts().alice);
    c.set_auditor(auditor, true).unwrap();
    set_caller(auditor);
    assert_refused!(c, Error::ExpiryNotInFuture, c.attest(id, hash(9), T0));
    assert_refused!(c, Error::ModelNotFound, c.attest(77, hash(9), T0 + 1));
    set_caller(accounts().alice);
    c.delist(id).unwrap();
    set_caller(auditor);
    assert_refused!(c, Error::ModelDelisted, c.attest(id, hash(9), T0 + 1));
}

#[ink::test]
fn revoke_attestation_once() {
    let mut c = setup();
    let id = register(&mut c, "m", &[]);
    let auditor = accounts().charlie;
    c.set_auditor(auditor, true).unwrap();
    set_caller(auditor);
    assert_refused!(c, Error::AttestationNotFound, c.revoke_attestation(id));
    c.attest(id, hash(9), T0 + 1_000).unwrap();
    c.revoke_attestation(id).unwrap();
    let e: AttestationRevoked = last_event();
    assert_eq!((e.model_id, e.auditor), (id, auditor));
    assert!(!c.is_attestation_valid(id, auditor));
    assert!(c.attestation(id, auditor).unwrap().revoked);
    assert_refused!(c, Error::AttestationNotFound, c.revoke_attestation(id));
}

// ------------------------------------------------------------ ratings

#[ink::test]
fn one_rating_per_account_and_model_however_many_licenses() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let first = buy(&mut c, id, 0).unwrap();
    let second = buy(&mut c, id, 1).unwrap();
    assert_refused!(c, Error::LicenseNotReleased, c.rate_model(id, 5));
    assert_refused!(c, Error::InvalidRating, c.rate_model(id, 0));
    assert_refused!(c, Error::InvalidRating, c.rate_model(id, 6));
    assert_refused!(c, Error::ModelNotFound, c.rate_model(99, 5));
    c.release_license(first).unwrap();
    c.release_license(second).unwrap();
    c.rate_model(id, 4).unwrap();
    let e: ModelRated = last_event();
    assert_eq!((e.model_id, e.rater, e.stars), (id, a.charlie, 4));
    // The attack path: a second license, a second vote.
    assert_eq!(c.entitlement(a.charlie, id).granted, 2);
    assert_refused!(c, Error::AlreadyRated, c.rate_model(id, 5));
    assert_eq!(c.rating(id), (4, 1));
    assert_eq!(c.average_rating_x100(id), Some(400));
}

#[ink::test]
fn rating_counts_an_auto_released_license_not_yet_recorded() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let l = buy(&mut c, id, 0).unwrap();
    let (v, e) = escrow_of(&c, l);
    vault::settle(v, e, SettleReason::AutoReleased, 10_000);
    c.rate_model(id, 5).unwrap();
    assert_eq!(c.license(l).unwrap().granted, Some(true));
    assert!(c.entitlement(a.charlie, id).pending.is_empty());
}
