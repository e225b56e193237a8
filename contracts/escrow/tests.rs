//! Unit tests of the vault in ink!'s off-chain environment. PSP22 calls go to the
//! test-only ledger in `mock_token` (the off-chain environment cannot call another
//! contract); the e2e suite runs the same paths against real tokens on a node.
//!
//! `attacks.rs` holds the tests written as a hostile counterparty (issue 8); `prop.rs`
//! the property test that drives random operation sequences against the reserves and
//! conservation invariants; `prop_money.rs` the property tests of the settlement planner
//! and the ledger on their own.

use crate::escrow::{Escrow, MAX_FEE_BPS, MAX_PAGE};
use crate::mock_token;
use crate::types::{EscrowTerms, Role};
use crate::{Error, EscrowSettled};
use ink::env::test;
use ink::env::DefaultEnvironment as Env;
use ink::primitives::{AccountId, Hash};
use market_types::{
    Asset, Balance, EscrowState, EscrowVault, OrderTerms, Royalty, SettleReason, StreamTerms,
    Timestamp,
};

const T0: Timestamp = 1_000_000;
const FEE_BPS: u16 = 250; // 2.5 %
const BOND_BPS: u16 = 500; // 5 %
const RULING_MS: u64 = 10_000;
const DAY: u64 = 86_400_000;
/// The smallest native deposit in `setup()`'s vault.
const MIN_NATIVE: Balance = 10;
/// The off-chain environment's existential deposit: the vault's balance never goes
/// below it (no account may hold less, except zero).
const BASE: Balance = 1_000_000;

fn vault_id() -> AccountId {
    AccountId::from([0xAA; 32])
}
fn alice() -> AccountId {
    test::default_accounts::<Env>().alice
}
fn bob() -> AccountId {
    test::default_accounts::<Env>().bob
}
fn charlie() -> AccountId {
    test::default_accounts::<Env>().charlie
}
fn django() -> AccountId {
    test::default_accounts::<Env>().django
}
fn eve() -> AccountId {
    test::default_accounts::<Env>().eve
}
fn frank() -> AccountId {
    test::default_accounts::<Env>().frank
}
fn token() -> AccountId {
    AccountId::from([0x77; 32])
}
fn psp22() -> Asset {
    Asset::Psp22(token())
}

fn set_caller(who: AccountId) {
    test::set_caller::<Env>(who);
}
fn set_time(t: Timestamp) {
    test::set_block_timestamp::<Env>(t);
}
fn vault_balance() -> Balance {
    test::get_account_balance::<Env>(vault_id()).unwrap_or(0)
}
fn balance_of(who: AccountId) -> Balance {
    test::get_account_balance::<Env>(who).unwrap_or(0)
}

/// Calls `f` as `who` sending `value`, as the chain would: the value arrives in the
/// vault's balance, and if the message fails the value goes back and the token ledger
/// is restored (the chain reverts the whole call).
fn paid<T>(
    who: AccountId,
    value: Balance,
    f: impl FnOnce() -> Result<T, Error>,
) -> Result<T, Error> {
    set_caller(who);
    let tokens = mock_token::snapshot();
    if value == 0 {
        let result = f();
        if result.is_err() {
            mock_token::restore(tokens);
        }
        return result;
    }
    let before = vault_balance();
    let Some(after) = before.checked_add(value) else {
        // No chain has this much native currency; treat it as a failed transfer.
        return Err(Error::WrongValue);
    };
    test::set_account_balance::<Env>(vault_id(), after);
    test::set_value_transferred::<Env>(value);
    let result = f();
    test::set_value_transferred::<Env>(0);
    if result.is_err() {
        test::set_account_balance::<Env>(vault_id(), before);
        mock_token::restore(tokens);
    }
    result
}

/// Calls `f` as `who` with no value (see [`paid`]).
fn as_<T>(who: AccountId, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    paid(who, 0, f)
}

/// Gives `who` exactly `amount` of the test token and lets the vault take `allowance`.
fn fund_psp22(who: AccountId, amount: Balance, allowance: Balance) {
    mock_token::set_balance(token(), who, amount);
    mock_token::approve(token(), who, vault_id(), allowance);
}
fn token_balance(who: AccountId) -> Balance {
    mock_token::balance(token(), who)
}

/// A vault with Eve as arbiter, Frank as treasury, a 2.5 % fee, a 5 % bond and a
/// minimum native deposit of [`MIN_NATIVE`]; the token ledger empty.
fn setup() -> Escrow {
    test::set_callee::<Env>(vault_id());
    test::set_account_balance::<Env>(vault_id(), BASE);
    for who in [alice(), bob(), charlie(), django()] {
        test::set_account_balance::<Env>(who, 0);
    }
    mock_token::reset();
    set_time(T0);
    set_caller(alice());
    Escrow::new(eve(), frank(), FEE_BPS, BOND_BPS, RULING_MS, MIN_NATIVE).expect("constructor")
}

/// [`setup`] with the test token allowed.
fn setup_with_token() -> Escrow {
    let mut c = setup();
    as_(eve(), || c.set_asset_allowed(token(), true)).expect("allow the test token");
    c
}

fn order_terms(amount: Balance) -> OrderTerms {
    OrderTerms {
        payee: bob(),
        asset: Asset::Native,
        amount,
        delivery_deadline: T0 + DAY,
        review_window_ms: DAY,
        royalties: vec![Royalty {
            receiver: charlie(),
            bps: 500,
        }],
        context: 42,
        collateral: None,
    }
}

fn open(c: &mut Escrow, amount: Balance) -> u64 {
    paid(alice(), amount, || {
        c.open_order(alice(), order_terms(amount))
    })
    .expect("open order")
}

fn stream_terms(rate: Balance, start: Timestamp, end: Timestamp) -> StreamTerms {
    StreamTerms {
        payee: bob(),
        asset: Asset::Native,
        rate_per_ms: rate,
        start,
        end,
        context: 7,
        collateral: None,
    }
}

fn open_stream(c: &mut Escrow, rate: Balance, start: Timestamp, end: Timestamp) -> u64 {
    let deposit = rate * Balance::from(end - start);
    paid(alice(), deposit, || {
        c.open_stream(alice(), stream_terms(rate, start, end))
    })
    .expect("open stream")
}

fn credit(c: &Escrow, who: AccountId) -> Balance {
    c.credit_of(who, Asset::Native)
}

fn owed(c: &Escrow) -> Balance {
    c.reserves(Asset::Native).owed
}

fn event_count() -> usize {
    test::recorded_events().count()
}

/// The events of type `E` emitted so far, oldest first, told apart by their signature
/// topic (an event of another type could decode as `E` without error).
fn events_of<E: ink::env::Event + ink::scale::Decode>() -> Vec<(Vec<Vec<u8>>, E)> {
    let sig = E::SIGNATURE_TOPIC.expect("not anonymous").to_vec();
    test::recorded_events()
        .filter(|e| e.topics.first() == Some(&sig))
        .map(|e| {
            let ev = <E as ink::scale::Decode>::decode(&mut &e.data[..]).expect("decodes");
            (e.topics, ev)
        })
        .collect()
}

/// The last event of type `E`, with its topics.
fn last_of<E: ink::env::Event + ink::scale::Decode>() -> (Vec<Vec<u8>>, E) {
    events_of::<E>().pop().expect("such an event")
}

fn last_settled() -> EscrowSettled {
    let e = test::recorded_events().last().expect("an event");
    <EscrowSettled as ink::scale::Decode>::decode(&mut &e.data[..]).expect("EscrowSettled")
}

/// A topic as ink! records it: the SCALE encoding zero-padded to 32 bytes, or its
/// BLAKE2-256 hash when longer.
fn topic<T: ink::scale::Encode>(value: &T) -> Vec<u8> {
    let mut t = value.encode();
    if t.len() > 32 {
        let mut hash = [0u8; 32];
        ink::env::hash_bytes::<ink::env::hash::Blake2x256>(&t, &mut hash);
        return hash.to_vec();
    }
    t.resize(32, 0);
    t
}

/// Everything a refusal must leave untouched, read through the public getters and the
/// token ledger.
fn fingerprint(c: &Escrow) -> String {
    let mut s = format!(
        "{} {} {:?} {:?} {:?} {} {} {:?} {:?}",
        c.escrow_count(),
        c.collateral_count(),
        c.reserves(Asset::Native),
        c.reserves(psp22()),
        c.dispute_params(),
        c.fee_bps(),
        vault_balance(),
        (c.arbiter(), c.pending_arbiter(), c.treasury()),
        (c.min_deposit(Asset::Native), c.min_deposit(psp22())),
    );
    for id in 1..=c.escrow_count() {
        s.push_str(&format!(" {:?}", c.escrow(id)));
    }
    for id in 1..=c.collateral_count() {
        s.push_str(&format!(" {:?}", c.collateral(id)));
    }
    for who in [alice(), bob(), charlie(), django(), eve(), frank()] {
        s.push_str(&format!(
            " {} {} {} {:?}",
            c.is_controller(who),
            credit(c, who),
            c.credit_of(who, psp22()),
            c.open_escrows(who, 0, 0)
        ));
    }
    s.push_str(&format!(
        " {} {:?}",
        c.is_asset_allowed(psp22()),
        mock_token::snapshot()
    ));
    s
}

/// Asserts that `$call` returns `Err($err)` and changes no state and emits no event.
macro_rules! assert_refused {
    ($c:expr, $err:expr, $call:expr) => {{
        let before = fingerprint(&$c);
        let events = event_count();
        assert_eq!($call, Err($err));
        assert_eq!(fingerprint(&$c), before, "state changed by a refused call");
        assert_eq!(event_count(), events, "event emitted by a refused call");
    }};
}

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

// ------------------------------------------------------------------ disputes

#[ink::test]
fn dispute_needs_the_bond_and_freezes() {
    let mut c = setup();
    let id = open(&mut c, 10_000);
    assert_eq!(c.required_bond(id), Some(500));
    assert_refused!(c, Error::NotParty, paid(charlie(), 500, || c.dispute(id)));
    assert_refused!(c, Error::WrongValue, paid(alice(), 499, || c.dispute(id)));
    paid(alice(), 500, || c.dispute(id)).unwrap();
    assert_eq!(owed(&c), 10_500);
    assert_eq!(c.escrow(id).unwrap().state, EscrowState::Disputed);
    assert_eq!(c.required_bond(id), None);
    // An undelivered order's fallback waits for its delivery deadline.
    assert_eq!(c.open_escrows(bob(), 0, 0).items[0].next_deadline, T0 + DAY);
    // Frozen: nothing else settles it (the payee may still deliver: see
    // `attacks::payee_delivers_a_disputed_order_and_the_fallback_pays_it`, or refund).
    assert_refused!(c, Error::EscrowNotOpen, as_(alice(), || c.release(id)));
    assert_refused!(
        c,
        Error::EscrowNotOpen,
        paid(alice(), 500, || c.dispute(id))
    );
    set_time(T0 + DAY + 1);
    assert_refused!(c, Error::EscrowNotFunded, as_(django(), || c.refund(id)));
}

#[ink::test]
fn resolve_splits_and_forfeits_the_losers_bond() {
    let mut c = setup();
    let id = open(&mut c, 10_000);
    paid(alice(), 500, || c.dispute(id)).unwrap();
    assert_refused!(c, Error::NotArbiter, as_(alice(), || c.resolve(id, 0)));
    assert_refused!(
        c,
        Error::InvalidShares,
        as_(eve(), || c.resolve(id, 10_001))
    );
    // 70 % to the payee side: alice (the disputer) lost, her bond goes to the treasury.
    as_(eve(), || c.resolve(id, 7_000)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::Resolved);
    assert_eq!(
        (e.refund, e.fee, e.royalties, e.to_payee),
        (3_000, 175, 350, 6_475)
    );
    assert_eq!(e.refund + e.fee + e.royalties + e.to_payee, 10_000);
    assert_eq!((e.bond_returned, e.bond_forfeited), (0, 500));
    assert_eq!(credit(&c, frank()), 175 + 500);
    assert_eq!(credit(&c, alice()), 3_000);
    assert_eq!(owed(&c), 10_500);
    assert_refused!(c, Error::EscrowNotDisputed, as_(eve(), || c.resolve(id, 0)));

    // The payee disputes and gets at least half: its bond comes back.
    let id = open(&mut c, 1_000);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    paid(bob(), 50, || c.dispute(id)).unwrap();
    as_(eve(), || c.resolve(id, 5_000)).unwrap();
    let e = last_settled();
    assert_eq!((e.bond_returned, e.bond_forfeited, e.refund), (50, 0, 500));
}

#[ink::test]
fn delivered_order_disputable_only_during_review() {
    let mut c = setup();
    let id = open(&mut c, 1_000);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    set_time(T0 + DAY);
    assert_refused!(
        c,
        Error::ReviewWindowClosed,
        paid(alice(), 50, || c.dispute(id))
    );
    assert_eq!(c.required_bond(id), None);
}

#[ink::test]
fn unruled_dispute_expires_to_the_fallback() {
    let mut c = setup();
    // Undelivered: refunded after the delivery deadline; the payer's bond comes back.
    let id = open(&mut c, 1_000);
    paid(alice(), 50, || c.dispute(id)).unwrap();
    set_time(T0 + DAY - 1);
    assert_refused!(
        c,
        Error::RulingWindowOpen,
        as_(django(), || c.expire_dispute(id))
    );
    set_time(T0 + DAY);
    as_(django(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.refund, e.bond_returned),
        (SettleReason::DisputeExpired, 1_000, 50)
    );
    assert_eq!(credit(&c, alice()), 1_050);
    assert_refused!(
        c,
        Error::EscrowNotDisputed,
        as_(django(), || c.expire_dispute(id))
    );

    // Delivered: paid to the payee side; the payer's bond follows the outcome.
    set_time(T0);
    let id = open(&mut c, 2_000);
    as_(bob(), || c.deliver(id, Hash::from([1; 32]))).unwrap();
    paid(alice(), 100, || c.dispute(id)).unwrap();
    set_time(T0 + RULING_MS);
    as_(charlie(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.to_payee + e.fee + e.royalties, e.refund, e.bond_forfeited),
        (2_000, 0, 100)
    );
    assert_eq!(
        c.escrow(id).unwrap().settlement.unwrap().payee_share_bps,
        10_000
    );
}

// ------------------------------------------------------------------ streams

#[ink::test]
fn stream_accrues_claims_once_and_completes() {
    let mut c = setup();
    let id = open_stream(&mut c, 10, T0 + 100, T0 + 1_100); // deposit 10 000
    assert_eq!(owed(&c), 10_000);
    assert_refused!(c, Error::NothingToClaim, as_(django(), || c.claim(id)));
    set_time(T0 + 600);
    assert_eq!(c.claimable(id), 5_000);
    assert_eq!(as_(django(), || c.claim(id)), Ok(5_000));
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 5_000);
    // The same interval pays nothing twice.
    assert_refused!(c, Error::NothingToClaim, as_(django(), || c.claim(id)));
    set_time(T0 + 5_000);
    assert_eq!(as_(bob(), || c.claim(id)), Ok(5_000));
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
    assert_eq!(c.escrow(id).unwrap().state, EscrowState::Settled);
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 10_000);
    assert_eq!(credit(&c, frank()), 250);
    assert_refused!(c, Error::EscrowNotOpen, as_(bob(), || c.claim(id)));
}

#[ink::test]
fn stop_refunds_unused_time_and_top_up_extends() {
    let mut c = setup();
    let id = open_stream(&mut c, 3, T0, T0 + 1_000); // deposit 3 000
    assert_refused!(c, Error::WrongValue, paid(alice(), 1, || c.top_up(id, 100)));
    assert_refused!(c, Error::NotPayer, paid(bob(), 300, || c.top_up(id, 100)));
    assert_refused!(c, Error::ZeroAmount, paid(alice(), 0, || c.top_up(id, 0)));
    paid(alice(), 300, || c.top_up(id, 100)).unwrap();
    assert!(
        matches!(c.escrow(id).unwrap().terms, EscrowTerms::Stream { end, deposit, .. } if end == T0 + 1_100 && deposit == 3_300)
    );
    set_time(T0 + 400);
    as_(django(), || c.claim(id)).unwrap(); // 1 200 to the payee side
    set_time(T0 + 500);
    assert_refused!(c, Error::NotPayer, as_(bob(), || c.stop_stream(id)));
    as_(alice(), || c.stop_stream(id)).unwrap();
    let e = last_settled();
    assert_eq!(e.reason, SettleReason::StoppedByPayer);
    assert_eq!((e.to_payee + e.fee, e.refund), (300, 3_300 - 1_500));
    assert_eq!(credit(&c, alice()), 1_800);
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 1_500);
    assert_refused!(c, Error::EscrowNotOpen, as_(alice(), || c.stop_stream(id)));
}

#[ink::test]
fn stream_refusals() {
    let mut c = setup();
    let t = stream_terms(5, T0, T0 + 10);
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 49, || c.open_stream(alice(), t.clone()))
    );
    let mut bad = t.clone();
    bad.start = T0 - 1;
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 55, || c.open_stream(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.end = bad.start;
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 0, || c.open_stream(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.rate_per_ms = 0;
    assert_refused!(
        c,
        Error::ZeroAmount,
        paid(alice(), 0, || c.open_stream(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.rate_per_ms = u128::MAX;
    assert_refused!(
        c,
        Error::Overflow,
        paid(alice(), 0, || c.open_stream(alice(), bad.clone()))
    );
    let id = open_stream(&mut c, 5, T0, T0 + 10);
    let order = open(&mut c, 100);
    assert_refused!(c, Error::WrongEscrowKind, as_(alice(), || c.release(id)));
    assert_refused!(
        c,
        Error::WrongEscrowKind,
        as_(alice(), || c.stop_stream(order))
    );
    assert_refused!(c, Error::WrongEscrowKind, as_(alice(), || c.claim(order)));
    set_time(T0 + 10);
    assert_refused!(c, Error::StreamEnded, as_(alice(), || c.stop_stream(id)));
    assert_refused!(c, Error::StreamEnded, paid(alice(), 5, || c.top_up(id, 1)));
}

#[ink::test]
fn stream_dispute_freezes_the_remainder() {
    let mut c = setup();
    let id = open_stream(&mut c, 10, T0, T0 + 1_000); // 10 000
    set_time(T0 + 200);
    as_(bob(), || c.claim(id)).unwrap(); // 2 000 paid out
    set_time(T0 + 300);
    assert_eq!(c.required_bond(id), Some(400)); // 5 % of the 8 000 left
    paid(alice(), 400, || c.dispute(id)).unwrap();
    set_time(T0 + 900);
    assert_eq!(c.claimable(id), 0);
    assert_refused!(c, Error::EscrowNotOpen, as_(bob(), || c.claim(id)));
    // Unruled: what accrued until the freeze (1 000) to the payee side, 7 000 back.
    set_time(T0 + 300 + RULING_MS);
    as_(django(), || c.expire_dispute(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.to_payee + e.fee, e.refund, e.bond_returned),
        (1_000, 7_000, 400)
    );
    assert_eq!(credit(&c, alice()), 7_400);
}

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

// The tests written as a hostile counterparty, and the property test; declared last so
// the helpers and `assert_refused!` above are in scope.
mod attacks;
mod prop;
mod prop_money;

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
