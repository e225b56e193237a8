//! The constructor's parameter checks, the arbiter-only governance messages (fee,
//! treasury, dispute parameters, minimum deposits, controllers, allowed tokens, the
//! two-step arbiter handover) and the two allow-lists kept apart.

use super::*;

// ------------------------------------------------------------------ constructor, governance

#[ink::test]
fn constructor_checks_parameters() {
    test::set_callee::<Env>(vault_id());
    assert_eq!(
        Escrow::new(eve(), frank(), MAX_FEE_BPS + 1, 0, 1, 0).err(),
        Some(Error::FeeTooHigh)
    );
    assert_eq!(
        Escrow::new(eve(), frank(), 0, 10_001, 1, 0).err(),
        Some(Error::InvalidShares)
    );
    assert_eq!(
        Escrow::new(eve(), frank(), 0, 0, 0, 0).err(),
        Some(Error::InvalidPeriod)
    );
    assert_eq!(
        Escrow::new(eve(), frank(), 0, 0, market_types::MAX_PERIOD_MS + 1, 0).err(),
        Some(Error::PeriodTooLong)
    );
    let c = Escrow::new(eve(), frank(), MAX_FEE_BPS, 10_000, 1, 7).expect("edge values");
    assert_eq!(
        (c.fee_bps(), c.dispute_params()),
        (MAX_FEE_BPS, (10_000, 1))
    );
    assert_eq!(
        (c.min_deposit(Asset::Native), c.min_deposit(psp22())),
        (7, 0)
    );
    let c = Escrow::new(eve(), frank(), 0, 0, market_types::MAX_PERIOD_MS, 0).expect("max window");
    assert_eq!(c.dispute_params().1, market_types::MAX_PERIOD_MS);
}

#[ink::test]
fn governance_is_arbiter_only_and_emits() {
    let mut c = setup();
    assert_refused!(c, Error::NotArbiter, as_(alice(), || c.set_fee_bps(1)));
    assert_refused!(
        c,
        Error::NotArbiter,
        as_(alice(), || c.set_treasury(alice()))
    );
    assert_refused!(
        c,
        Error::NotArbiter,
        as_(alice(), || c.propose_arbiter(Some(alice())))
    );
    assert_refused!(
        c,
        Error::NotArbiter,
        as_(alice(), || c.set_min_deposit(Asset::Native, 1))
    );
    assert_refused!(
        c,
        Error::NotArbiter,
        as_(alice(), || c.set_dispute_params(1, 1))
    );
    assert_refused!(
        c,
        Error::NotArbiter,
        as_(alice(), || c.set_controller(django(), true))
    );
    assert_refused!(
        c,
        Error::NotArbiter,
        as_(alice(), || c.set_asset_allowed(token(), true))
    );
    assert_refused!(
        c,
        Error::FeeTooHigh,
        as_(eve(), || c.set_fee_bps(MAX_FEE_BPS + 1))
    );
    assert_refused!(
        c,
        Error::InvalidPeriod,
        as_(eve(), || c.set_dispute_params(1, 0))
    );

    let events = event_count();
    as_(eve(), || c.set_fee_bps(100)).unwrap();
    as_(eve(), || c.set_treasury(django())).unwrap();
    as_(eve(), || c.set_dispute_params(1_000, 5)).unwrap();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    as_(eve(), || c.set_asset_allowed(token(), true)).unwrap();
    as_(eve(), || c.set_min_deposit(psp22(), 3)).unwrap();
    as_(eve(), || c.propose_arbiter(Some(frank()))).unwrap();
    as_(frank(), || c.accept_arbiter()).unwrap();
    assert_eq!(event_count(), events + 8);
    assert_eq!(c.min_deposit(psp22()), 3);
    assert_eq!(c.fee_bps(), 100);
    assert_eq!(c.treasury(), django());
    assert_eq!(c.dispute_params(), (1_000, 5));
    assert!(c.is_controller(django()));
    assert!(c.is_asset_allowed(Asset::Psp22(token())));
    assert!(c.is_asset_allowed(Asset::Native));
    assert_eq!(c.arbiter(), frank());
    assert_refused!(c, Error::NotArbiter, as_(eve(), || c.set_fee_bps(1)));
    as_(frank(), || c.set_controller(django(), false)).unwrap();
    as_(frank(), || c.set_asset_allowed(token(), false)).unwrap();
    assert!(!c.is_controller(django()));
    assert!(!c.is_asset_allowed(Asset::Psp22(token())));
}

/// The controller and token allow-lists are two `AllowList`s in one contract: each must
/// keep its own members (they once shared storage cells).
#[ink::test]
fn allow_lists_keep_their_members_apart() {
    let mut c = setup();
    as_(eve(), || c.set_asset_allowed(token(), true)).unwrap();
    assert!(c.is_asset_allowed(psp22()));
    assert!(!c.is_controller(token()));
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    assert!(c.is_controller(django()));
    assert!(!c.is_asset_allowed(Asset::Psp22(django())));
}
