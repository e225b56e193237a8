//! The admin and its handovers: auditors, allowed assets, the royalty cap, the two-step
//! admin handover, refusals of non-admins, the constructor's event, the pause, and the
//! two allow-lists kept apart.

use super::*;

// ------------------------------------------------------------ admin

#[ink::test]
fn admin_manages_auditors() {
    let mut c = setup();
    let who = accounts().django;
    for allowed in [true, true, false, false, true] {
        let events = event_count();
        c.set_auditor(who, allowed).unwrap();
        assert_eq!(c.is_auditor(who), allowed);
        assert_eq!(event_count(), events + 1, "every call emits, even a repeat");
        let e: AuditorChanged = last_event();
        assert_eq!((e.auditor, e.allowed), (who, allowed));
    }
    assert!(!c.is_auditor(accounts().eve), "only the named account");
}

#[ink::test]
fn admin_manages_assets() {
    let mut c = setup();
    let token = accounts().frank;
    assert!(c.is_asset_allowed(Asset::Native));
    assert!(!c.is_asset_allowed(Asset::Psp22(token)));
    for allowed in [true, true, false, false, true] {
        let events = event_count();
        c.set_asset_allowed(token, allowed).unwrap();
        assert_eq!(c.is_asset_allowed(Asset::Psp22(token)), allowed);
        assert_eq!(event_count(), events + 1, "every call emits, even a repeat");
        let e: AssetAllowanceChanged = last_event();
        assert_eq!((e.token, e.allowed), (token, allowed));
    }
    assert!(c.is_asset_allowed(Asset::Native));
}

#[ink::test]
fn allow_lists_refuse_non_admins_and_change_nothing() {
    let mut c = setup();
    let a = accounts();
    c.set_auditor(a.django, true).unwrap();
    c.set_asset_allowed(a.frank, true).unwrap();
    // The former admin too, once the role has moved.
    c.propose_admin(Some(a.bob)).unwrap();
    set_caller(a.bob);
    c.accept_admin().unwrap();
    for caller in [a.alice, a.charlie, a.django] {
        set_caller(caller);
        for allowed in [true, false] {
            for who in [a.django, a.eve] {
                assert_refused!(c, AdminError::NotAdmin, c.set_auditor(who, allowed));
            }
            for token in [a.frank, a.eve] {
                assert_refused!(c, AdminError::NotAdmin, c.set_asset_allowed(token, allowed));
            }
        }
    }
    assert!(c.is_auditor(a.django) && !c.is_auditor(a.eve));
    assert!(c.is_asset_allowed(Asset::Psp22(a.frank)));
    assert!(!c.is_asset_allowed(Asset::Psp22(a.eve)));
}

#[ink::test]
fn admin_sets_royalty_cap() {
    let mut c = setup();
    c.set_max_royalty_bps(500).unwrap();
    assert_eq!(c.max_royalty_bps(), 500);
    let e: MaxRoyaltyChanged = last_event();
    assert_eq!(e.max_royalty_bps, 500);
    assert_refused!(
        c,
        AdminError::OutOfRange,
        c.set_max_royalty_bps(ROYALTY_HARD_CAP_BPS + 1)
    );
}

#[ink::test]
fn admin_hands_over_role() {
    let mut c = setup();
    let a = accounts();
    assert_refused!(c, AdminError::NotPendingAdmin, c.accept_admin());
    c.propose_admin(Some(a.bob)).unwrap();
    let e: AdminProposed = last_event();
    assert_eq!((e.admin, e.proposed), (a.alice, Some(a.bob)));
    // Proposing hands nothing over; only bob can accept.
    assert_eq!(c.admin(), a.alice);
    set_caller(a.charlie);
    assert_refused!(c, AdminError::NotPendingAdmin, c.accept_admin());
    set_caller(a.bob);
    c.accept_admin().unwrap();
    set_caller(a.alice);
    assert_eq!(c.pending_admin(), None);
    let e: AdminChanged = last_event();
    assert_eq!((e.previous, e.new), (a.alice, a.bob));
    assert_eq!(c.admin(), a.bob);
    assert_refused!(c, AdminError::NotAdmin, c.set_auditor(a.eve, true));
    set_caller(a.bob);
    c.set_auditor(a.eve, true).unwrap();
}

#[ink::test]
fn non_admin_is_refused_everywhere() {
    let mut c = setup();
    let a = accounts();
    c.set_auditor(a.django, true).unwrap();
    c.set_asset_allowed(a.frank, true).unwrap();
    set_caller(a.bob);
    assert_refused!(c, AdminError::NotAdmin, c.set_auditor(a.eve, true));
    assert_refused!(c, AdminError::NotAdmin, c.set_auditor(a.django, false));
    assert_refused!(c, AdminError::NotAdmin, c.set_asset_allowed(a.eve, true));
    assert_refused!(c, AdminError::NotAdmin, c.set_asset_allowed(a.frank, false));
    assert_refused!(c, AdminError::NotAdmin, c.set_max_royalty_bps(1));
    assert_refused!(c, AdminError::NotAdmin, c.set_purchase_periods(1, 1));
    assert_refused!(c, AdminError::NotAdmin, c.set_vault(a.eve));
    assert_refused!(c, AdminError::NotAdmin, c.set_paused(true));
    assert_refused!(c, AdminError::NotAdmin, c.propose_admin(Some(a.bob)));
    assert_refused!(c, AdminError::NotAdmin, c.propose_admin(None));
}

#[ink::test]
fn admin_sets_purchase_periods_within_bounds() {
    let mut c = setup();
    c.set_purchase_periods(5_000, 7_000).unwrap();
    assert_eq!(c.purchase_periods(), (5_000, 7_000));
    let e: PurchasePeriodsChanged = last_event();
    assert_eq!((e.delivery_period_ms, e.review_window_ms), (5_000, 7_000));
    let long = market_types::MAX_PERIOD_MS + 1;
    assert_refused!(c, AdminError::InvalidPeriod, c.set_purchase_periods(0, 1));
    assert_refused!(c, AdminError::InvalidPeriod, c.set_purchase_periods(1, 0));
    assert_refused!(
        c,
        AdminError::PeriodTooLong,
        c.set_purchase_periods(long, 1)
    );
    assert_refused!(
        c,
        AdminError::PeriodTooLong,
        c.set_purchase_periods(1, long)
    );
    let max = market_types::MAX_PERIOD_MS;
    c.set_purchase_periods(max, max).unwrap();
    assert_eq!(c.purchase_periods(), (max, max));
}

#[ink::test]
fn admin_sets_the_vault_of_new_purchases() {
    let mut c = setup();
    assert_eq!(c.vault(), None);
    c.set_vault(accounts().eve).unwrap();
    let e: VaultChanged = last_event();
    assert_eq!((c.vault(), e.vault), (Some(accounts().eve), accounts().eve));
}

/// Proposing the admin itself is harmless: accepting it changes nothing but the
/// proposal, and says so.
#[ink::test]
fn admin_may_propose_itself() {
    let mut c = setup();
    let a = accounts();
    c.propose_admin(Some(a.alice)).unwrap();
    c.accept_admin().unwrap();
    let e: AdminChanged = last_event();
    assert_eq!((e.previous, e.new), (a.alice, a.alice));
    assert_eq!((c.admin(), c.pending_admin()), (a.alice, None));
}

#[ink::test]
fn admin_proposal_can_be_withdrawn() {
    let mut c = setup();
    let a = accounts();
    c.propose_admin(Some(a.bob)).unwrap();
    c.propose_admin(None).unwrap();
    let e: AdminProposed = last_event();
    assert_eq!(e.proposed, None);
    set_caller(a.bob);
    assert_refused!(c, AdminError::NotPendingAdmin, c.accept_admin());
    assert_eq!(c.admin(), a.alice);
}

#[ink::test]
fn constructor_emits_registry_created() {
    let c = setup();
    let e: RegistryCreated = last_event();
    assert_eq!((e.admin, e.max_royalty_bps), (accounts().alice, 2_000));
    assert_eq!(event_count(), 1);
    assert_eq!(c.pending_admin(), None);
}

// ------------------------------------------------------------ pause

/// The `paused` of the last event, which must be a `PauseChanged` (checked by its
/// signature topic: another event can decode as a one-byte struct without error).
fn last_pause_changed() -> bool {
    let event = test::recorded_events().last().expect("an event");
    let signature = <PauseChanged as ink::env::Event>::SIGNATURE_TOPIC.expect("a signature");
    assert_eq!(
        event.topics.first().map(|t| t.as_slice()),
        Some(&signature[..]),
        "the last event is not PauseChanged"
    );
    PauseChanged::decode(&mut &event.data[..])
        .expect("a PauseChanged")
        .paused
}

/// The caller registers a child of `parent` tagged "llm" (a valid model).
fn register_child(c: &mut ModelRegistry, parent: ModelId) -> Result<ModelId> {
    c.register_model(
        String::from("fine-tune"),
        String::from("ipfs://child"),
        hash(3),
        v(1, 0, 0),
        Some(parent),
        500,
        tags(&["llm"]),
    )
}

#[ink::test]
fn only_the_admin_pauses_and_every_call_emits() {
    let a = accounts();
    let mut c = setup();
    assert!(!c.paused(), "a new registry takes listings");
    for paused in [true, true, false, false, true] {
        let events = event_count();
        c.set_paused(paused).unwrap();
        assert_eq!(c.paused(), paused);
        assert_eq!(event_count(), events + 1, "every call emits, even a repeat");
        assert_eq!(last_pause_changed(), paused);
    }
    // Paused now. Nobody else resumes or pauses; the former admin neither, once the
    // role has moved.
    c.propose_admin(Some(a.bob)).unwrap();
    set_caller(a.bob);
    c.accept_admin().unwrap();
    for caller in [a.alice, a.charlie, a.django] {
        set_caller(caller);
        assert_refused!(c, AdminError::NotAdmin, c.set_paused(false));
        assert_refused!(c, AdminError::NotAdmin, c.set_paused(true));
    }
    assert!(c.paused());
    set_caller(a.bob);
    c.set_paused(false).unwrap();
    assert!(!c.paused());
}

#[ink::test]
fn a_paused_registry_refuses_new_listings_and_changes_nothing() {
    let a = accounts();
    let (mut c, id) = open_shop();
    set_caller(a.alice);
    c.set_paused(true).unwrap();
    for who in [a.bob, a.charlie] {
        set_caller(who);
        assert_refused!(c, Error::Paused, register_child(&mut c, id));
    }
    // The pause is checked first: an invalid model is refused as paused too.
    assert_refused!(
        c,
        Error::Paused,
        c.register_model(text(0), text(0), hash(1), v(1, 0, 0), None, 0, vec![])
    );
    set_caller(a.bob);
    assert_refused!(
        c,
        Error::Paused,
        c.add_offer(id, LicenseKind::Perpetual, 50, Asset::Native)
    );
    assert_refused!(
        c,
        Error::Paused,
        c.add_offer(id, LicenseKind::Perpetual, 0, Asset::Native)
    );
    assert_eq!((c.model_count(), c.model(id).unwrap().offer_count), (1, 3));
    // Resuming lets the same calls through.
    set_caller(a.alice);
    c.set_paused(false).unwrap();
    assert!(!last_pause_changed());
    set_caller(a.bob);
    let child = register_child(&mut c, id).unwrap();
    assert_eq!(child, 2);
    let e: ModelRegistered = last_event();
    assert_eq!((e.model_id, e.parent), (child, Some(id)));
    let offer = c
        .add_offer(id, LicenseKind::Perpetual, 50, Asset::Native)
        .unwrap();
    assert_eq!(offer, 3);
    assert_eq!(c.offer(id, offer).unwrap().price, 50);
}

#[ink::test]
fn purchases_releases_and_updates_go_on_while_paused() {
    let a = accounts();
    let (mut c, id) = open_shop();
    let earlier = buy(&mut c, id, 0).unwrap();
    set_caller(a.alice);
    c.set_paused(true).unwrap();
    // Buyers buy, release and rate.
    set_caller(a.charlie);
    c.release_license(earlier).unwrap();
    assert!(c.has_valid_license(a.charlie, id));
    let metered = buy(&mut c, id, 1).unwrap();
    let e: LicensePurchased = last_event();
    assert_eq!((e.license_id, e.buyer, e.price), (metered, a.charlie, 7));
    c.release_license(metered).unwrap();
    c.rate_model(id, 5).unwrap();
    assert_eq!(c.rating(id), (5, 1));
    // The owner updates, retires and counts what is already listed and sold.
    set_caller(a.bob);
    assert_eq!(c.consume_units(a.charlie, id, 2), Ok(3));
    c.update_offer(id, 0, LicenseKind::Perpetual, 120, Asset::Native)
        .unwrap();
    assert_eq!(c.offer(id, 0).unwrap().version, 2);
    c.retire_offer(id, 1).unwrap();
    c.update_metadata(id, String::from("ipfs://card-v2"))
        .unwrap();
    c.publish_version(id, v(1, 1, 0), hash(4), String::from("ipfs://card-v2"))
        .unwrap();
    assert_eq!(c.model(id).unwrap().version, v(1, 1, 0));
    // The updated offer sells at its new version while still paused.
    set_caller(a.django);
    let later = buy(&mut c, id, 0).unwrap();
    assert_eq!(c.license(later).unwrap().price, 120);
    assert!(c.paused());
}

/// The auditor and token allow-lists are two `AllowList`s in one contract: each must
/// keep its own members (they once shared storage cells).
#[ink::test]
fn allow_lists_keep_their_members_apart() {
    let mut c = setup();
    let a = accounts();
    c.set_auditor(a.frank, true).unwrap();
    assert!(c.is_auditor(a.frank));
    assert!(!c.is_asset_allowed(Asset::Psp22(a.frank)));
    c.set_asset_allowed(a.eve, true).unwrap();
    assert!(c.is_asset_allowed(Asset::Psp22(a.eve)));
    assert!(!c.is_auditor(a.eve));
}
