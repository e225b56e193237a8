//! Collateral: locked by a controller, linked to an order, slashed by the arbiter and
//! released, with the refusals of each step.

use super::*;

// ------------------------------------------------------------------ collateral

#[ink::test]
fn collateral_lock_link_slash_release() {
    let mut c = setup();
    assert_refused!(
        c,
        Error::NotController,
        paid(django(), 1_000, || c.lock_collateral(
            bob(),
            Asset::Native,
            1_000,
            T0 + DAY
        ))
    );
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    assert_refused!(
        c,
        Error::ZeroAmount,
        paid(django(), 0, || c.lock_collateral(
            bob(),
            Asset::Native,
            0,
            T0 + DAY
        ))
    );
    assert_refused!(
        c,
        Error::WrongValue,
        paid(django(), 999, || c.lock_collateral(
            bob(),
            Asset::Native,
            1_000,
            T0 + DAY
        ))
    );
    let cid = paid(django(), 1_000, || {
        c.lock_collateral(bob(), Asset::Native, 1_000, T0 + DAY)
    })
    .unwrap();
    assert_eq!(owed(&c), 1_000);

    // An escrow opened by the controller against it keeps it locked.
    let mut t = order_terms(100);
    t.collateral = Some(cid);
    assert_refused!(
        c,
        Error::NotCollateralController,
        paid(alice(), 100, || c.open_order(alice(), t.clone()))
    );
    let id = paid(django(), 100, || c.open_order(alice(), t.clone())).unwrap();
    assert_eq!(c.collateral(cid).unwrap().open, 1);
    assert_refused!(
        c,
        Error::CollateralInUse,
        as_(django(), || c.release_collateral(cid))
    );

    // Slashing: arbiter only, never more than is locked.
    assert_refused!(
        c,
        Error::NotArbiter,
        as_(django(), || c.slash_collateral(cid, vec![(alice(), 1)]))
    );
    assert_refused!(
        c,
        Error::SlashExceedsCollateral,
        as_(eve(), || c.slash_collateral(
            cid,
            vec![(alice(), 600), (charlie(), 401)]
        ))
    );
    assert_refused!(
        c,
        Error::TooManyReceivers,
        as_(eve(), || c.slash_collateral(cid, vec![]))
    );
    assert_refused!(
        c,
        Error::ZeroAmount,
        as_(eve(), || c.slash_collateral(cid, vec![(alice(), 0)]))
    );
    as_(eve(), || {
        c.slash_collateral(cid, vec![(alice(), 600), (charlie(), 100)])
    })
    .unwrap();
    assert_eq!(c.collateral(cid).unwrap().amount, 300);
    assert_eq!((credit(&c, alice()), credit(&c, charlie())), (600, 100));

    // Settled escrow (released by the controller that opened it) → the owner takes
    // the rest after the unlock time.
    as_(django(), || c.release(id)).unwrap();
    assert_eq!(c.collateral(cid).unwrap().open, 0);
    assert_refused!(
        c,
        Error::CollateralStillLocked,
        as_(bob(), || c.release_collateral(cid))
    );
    assert_refused!(
        c,
        Error::NotCollateralController,
        as_(charlie(), || c.release_collateral(cid))
    );
    assert_refused!(
        c,
        Error::InvalidPeriod,
        as_(django(), || c.extend_collateral(cid, T0))
    );
    as_(django(), || c.extend_collateral(cid, T0 + 2 * DAY)).unwrap();
    set_time(T0 + 2 * DAY);
    as_(bob(), || c.release_collateral(cid)).unwrap();
    let col = c.collateral(cid).unwrap();
    assert!(col.released && col.amount == 0);
    assert_eq!(credit(&c, bob()), 300 + 93); // rest of the collateral + the order's payout
    assert_refused!(
        c,
        Error::CollateralNotFound,
        as_(django(), || c.release_collateral(cid))
    );
}
