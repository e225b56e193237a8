//! The constructor and governance: parameters, allow-lists, addresses, the two-step
//! admin handover.

use super::*;
use crate::errors::Error;
use crate::events::*;
use market_types::MAX_PERIOD_MS;

#[ink::test]
fn new_sets_the_config_and_emits() {
    let c = setup();
    let cfg = c.config();
    assert_eq!(
        (cfg.vault, cfg.auditors, cfg.hour_ms),
        (vault(), registry(), HOUR)
    );
    assert_eq!(
        (
            cfg.collateral_ratio_bps,
            cfg.no_show_bps,
            cfg.max_start_window_ms
        ),
        (10_000, 2_500, 10 * HOUR)
    );
    assert_eq!(cfg.min_charge_hours, 1, "the first hour, by default");
    assert_eq!((c.admin(), c.pending_admin()), (accounts().alice, None));
    let created = events_of::<MarketCreated>();
    assert_eq!(created.len(), 1);
    let e = &created[0];
    assert_eq!(
        (e.admin, e.vault, e.hour_ms, e.min_charge_hours),
        (accounts().alice, vault(), HOUR, 1)
    );
}

#[ink::test]
fn new_refuses_bad_parameters() {
    let new = |hour, ratio, no_show, window| {
        ComputeMarket::new(vault(), registry(), hour, ratio, no_show, window).err()
    };
    assert_eq!(new(0, 10_000, 0, 1), Some(Error::InvalidPeriod));
    assert_eq!(
        new(MAX_PERIOD_MS + 1, 10_000, 0, 1),
        Some(Error::PeriodTooLong)
    );
    assert_eq!(new(1, 10_000, 0, 0), Some(Error::InvalidPeriod));
    assert_eq!(
        new(1, 10_000, 0, MAX_PERIOD_MS + 1),
        Some(Error::PeriodTooLong)
    );
    assert_eq!(new(1, 0, 0, 1), Some(Error::InvalidCollateralRatio));
    assert_eq!(
        new(1, MAX_COLLATERAL_RATIO_BPS + 1, 0, 1),
        Some(Error::InvalidCollateralRatio)
    );
    assert_eq!(new(1, 5_000, 5_001, 1), Some(Error::InvalidNoShowBps));
    assert_eq!(new(1, 30_000, 10_001, 1), Some(Error::InvalidNoShowBps));
    assert_eq!(
        new(1, MAX_COLLATERAL_RATIO_BPS, 10_000, MAX_PERIOD_MS),
        None
    );
}

#[ink::test]
fn admin_sets_parameters_within_bounds() {
    let mut c = setup();
    set_caller(accounts().alice);
    c.set_ratios(20_000, 10_000).unwrap();
    let e: RatiosChanged = last_event();
    assert_eq!((e.collateral_ratio_bps, e.no_show_bps), (20_000, 10_000));
    assert_refused!(c, AdminError::OutOfRange, c.set_ratios(30_001, 0));
    assert_refused!(c, AdminError::OutOfRange, c.set_ratios(0, 0));
    assert_refused!(c, AdminError::OutOfRange, c.set_ratios(9_000, 9_001));
    c.set_max_start_window(5).unwrap();
    let e: MaxStartWindowChanged = last_event();
    assert_eq!(e.max_start_window_ms, 5);
    assert_refused!(c, AdminError::InvalidPeriod, c.set_max_start_window(0));
    assert_refused!(
        c,
        AdminError::PeriodTooLong,
        c.set_max_start_window(MAX_PERIOD_MS + 1)
    );
    c.set_auditors(accounts().django).unwrap();
    let e: AuditorsChanged = last_event();
    assert_eq!(e.auditors, accounts().django);
    c.set_asset_allowed(token(), false).unwrap();
    let e: AssetAllowanceChanged = last_event();
    assert_eq!((e.token, e.allowed), (token(), false));
    assert!(!c.is_asset_allowed(Asset::Psp22(token())));
    assert!(c.is_asset_allowed(Asset::Native));
    let cfg = c.config();
    assert_eq!(
        (
            cfg.collateral_ratio_bps,
            cfg.no_show_bps,
            cfg.max_start_window_ms,
            cfg.auditors
        ),
        (20_000, 10_000, 5, accounts().django)
    );
}

#[ink::test]
fn non_admins_are_refused_everywhere() {
    let mut c = setup();
    for who in [provider(), renter(), auditor()] {
        set_caller(who);
        assert_refused!(c, AdminError::NotAdmin, c.set_ratios(10_000, 0));
        assert_refused!(c, AdminError::NotAdmin, c.set_max_start_window(1));
        assert_refused!(c, AdminError::NotAdmin, c.set_asset_allowed(who, true));
        assert_refused!(c, AdminError::NotAdmin, c.set_vault(who));
        assert_refused!(c, AdminError::NotAdmin, c.set_auditors(who));
        assert_refused!(c, AdminError::NotAdmin, c.set_paused(true));
        assert_refused!(c, AdminError::NotAdmin, c.set_rental_rules(0));
        assert_refused!(
            c,
            AdminError::NotAdmin,
            c.set_min_counted_value(Asset::Native, 5)
        );
        assert_refused!(c, AdminError::NotAdmin, c.propose_admin(Some(who)));
        assert_refused!(c, AdminError::NotPendingAdmin, c.accept_admin());
    }
}

#[ink::test]
fn admin_role_moves_in_two_steps() {
    let a = accounts();
    let mut c = setup();
    set_caller(a.alice);
    c.propose_admin(Some(a.django)).unwrap();
    let e: AdminProposed = last_event();
    assert_eq!((e.admin, e.proposed), (a.alice, Some(a.django)));
    assert_eq!((c.admin(), c.pending_admin()), (a.alice, Some(a.django)));
    set_caller(a.eve);
    assert_refused!(c, AdminError::NotPendingAdmin, c.accept_admin());
    set_caller(a.alice);
    c.propose_admin(None).unwrap();
    set_caller(a.django);
    assert_refused!(c, AdminError::NotPendingAdmin, c.accept_admin());
    set_caller(a.alice);
    c.propose_admin(Some(a.django)).unwrap();
    set_caller(a.django);
    c.accept_admin().unwrap();
    let e: AdminChanged = last_event();
    assert_eq!((e.previous, e.new), (a.alice, a.django));
    assert_eq!((c.admin(), c.pending_admin()), (a.django, None));
    c.set_ratios(10_000, 0).unwrap();
    set_caller(a.alice);
    assert_refused!(c, AdminError::NotAdmin, c.set_ratios(10_000, 0));
}

#[ink::test]
fn a_new_vault_serves_new_offers_while_old_offers_keep_theirs() {
    let (mut c, old) = shop();
    set_caller(accounts().alice);
    c.set_vault(vault_b()).unwrap();
    let e: VaultChanged = last_event();
    assert_eq!(e.vault, vault_b());
    set_caller(provider());
    let new = publish(&mut c, &draft());
    assert_eq!(
        (offer(&c, old).vault, offer(&c, new).vault),
        (vault(), vault_b())
    );
    assert_eq!(vault::lock(vault_b(), 1).amount, 320);
    set_caller(renter());
    let r_old = rent(&mut c, old, 1, 1).unwrap();
    let r_new = rent(&mut c, new, 1, 1).unwrap();
    assert_eq!(rental(&c, r_old).vault, vault());
    assert_eq!(rental(&c, r_new).vault, vault_b());
    assert_eq!(vault::escrow_of(vault(), 1).record.collateral, Some(1));
    assert_eq!(vault::escrow_of(vault_b(), 1).record.collateral, Some(1));
}

#[ink::test]
fn the_minimum_charge_is_governed_and_applies_to_rentals_booked_after() {
    let (mut c, id) = shop();
    let before = rent(&mut c, id, 2, 4).unwrap();
    assert_eq!(rental(&c, before).min_payout, 20);
    set_caller(accounts().alice);
    assert_refused!(
        c,
        AdminError::OutOfRange,
        c.set_rental_rules(MAX_MIN_CHARGE_HOURS + 1)
    );
    c.set_rental_rules(3).unwrap();
    let e: RentalRulesChanged = last_event();
    assert_eq!(e.min_charge_hours, 3);
    assert_eq!(c.config().min_charge_hours, 3);
    set_caller(renter());
    let three = rent(&mut c, id, 1, 5).unwrap();
    assert_eq!(rental(&c, three).min_payout, 30);
    assert_eq!(vault::escrow_of(vault(), 2).stream().min_payout, 30);
    // The booked rental keeps its own.
    assert_eq!(rental(&c, before).min_payout, 20);
    set_caller(accounts().alice);
    c.set_rental_rules(0).unwrap();
    c.set_rental_rules(MAX_MIN_CHARGE_HOURS).unwrap();
    c.set_rental_rules(0).unwrap();
    set_caller(renter());
    let free = rent(&mut c, id, 1, 1).unwrap();
    assert_eq!(rental(&c, free).min_payout, 0);
    // No minimum: withdrawing gives everything back, as before.
    c.end_early(free).unwrap();
    assert_eq!(vault::credit(vault(), Asset::Native, renter()), 10);
    assert_eq!(vault::credit(vault(), Asset::Native, provider()), 0);
}
