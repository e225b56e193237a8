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
use crate::{Error, EscrowSettled, NoShowPenaltyPaid, StreamOpened, StreamStarted, StreamToppedUp};
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

/// A stream of `amount` over `duration_ms`, running from `start` (no collateral, no
/// penalty). `amount = rate × duration` gives the old per-millisecond streams.
fn stream_terms(amount: Balance, start: Timestamp, duration_ms: u64) -> StreamTerms {
    StreamTerms {
        payee: bob(),
        asset: Asset::Native,
        amount,
        duration_ms,
        start: Some(start),
        start_by: 0,
        context: 7,
        collateral: None,
        no_show_penalty: 0,
    }
}

/// A stream of `amount` over `duration_ms` that waits for `start_stream` until
/// `start_by` (no collateral, no penalty).
fn waiting_terms(amount: Balance, duration_ms: u64, start_by: Timestamp) -> StreamTerms {
    StreamTerms {
        start: None,
        start_by,
        ..stream_terms(amount, 0, duration_ms)
    }
}

fn open_stream(c: &mut Escrow, amount: Balance, start: Timestamp, duration_ms: u64) -> u64 {
    paid(alice(), amount, || {
        c.open_stream(alice(), stream_terms(amount, start, duration_ms))
    })
    .expect("open stream")
}

/// Alice opens a waiting stream paying Bob (see [`waiting_terms`]).
fn open_waiting(c: &mut Escrow, amount: Balance, duration_ms: u64, start_by: Timestamp) -> u64 {
    paid(alice(), amount, || {
        c.open_stream(alice(), waiting_terms(amount, duration_ms, start_by))
    })
    .expect("open waiting stream")
}

/// A stream's `(start, duration_ms, deposit, paid_out)`.
fn stream_of(c: &Escrow, id: u64) -> (Option<Timestamp>, u64, Balance, Balance) {
    match c.escrow(id).expect("exists").terms {
        EscrowTerms::Stream {
            start,
            duration_ms,
            deposit,
            paid_out,
            ..
        } => (start, duration_ms, deposit, paid_out),
        EscrowTerms::Order { .. } => panic!("escrow {id} is an order"),
    }
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
    let id = open_stream(&mut c, 10_000, T0 + 100, 1_000);
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
    let id = open_stream(&mut c, 3_000, T0, 1_000); // 3 per ms
    assert_refused!(c, Error::WrongValue, paid(alice(), 1, || c.top_up(id, 100)));
    assert_refused!(c, Error::NotPayer, paid(bob(), 300, || c.top_up(id, 100)));
    assert_refused!(c, Error::ZeroAmount, paid(alice(), 0, || c.top_up(id, 0)));
    paid(alice(), 300, || c.top_up(id, 100)).unwrap();
    assert_eq!(stream_of(&c, id), (Some(T0), 1_100, 3_300, 0));
    let (topics, e) = last_of::<StreamToppedUp>();
    assert_eq!(topics[1..], [topic(&id), topic(&alice()), topic(&bob())]);
    assert_eq!(
        (e.added, e.extra_ms, e.new_duration_ms, e.new_end),
        (300, 100, 1_100, Some(T0 + 1_100))
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
    let t = stream_terms(50, T0, 10);
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 49, || c.open_stream(alice(), t.clone()))
    );
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 51, || c.open_stream(alice(), t.clone()))
    );
    let mut bad = t.clone();
    bad.start = Some(T0 - 1);
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 50, || c.open_stream(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.duration_ms = 0;
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 50, || c.open_stream(alice(), bad.clone()))
    );
    let mut bad = t.clone();
    bad.amount = 0;
    assert_refused!(
        c,
        Error::ZeroAmount,
        paid(alice(), 0, || c.open_stream(alice(), bad.clone()))
    );
    // A waiting stream's latest start must be in the future.
    let mut bad = waiting_terms(50, 10, T0);
    assert_refused!(
        c,
        Error::InvalidPeriod,
        paid(alice(), 50, || c.open_stream(alice(), bad.clone()))
    );
    bad.start_by = T0 + 1;
    bad.payee = alice();
    assert_refused!(
        c,
        Error::SelfDeal,
        paid(alice(), 50, || c.open_stream(alice(), bad.clone()))
    );
    // No price overflows any more: the largest deposit a stream can take is accepted
    // at any length (see `near_max_stream_accrues_exactly`).
    let id = open_stream(&mut c, 50, T0, 10);
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
    let id = open_stream(&mut c, 10_000, T0, 1_000);
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

#[ink::test]
fn near_max_stream_accrues_exactly() {
    // The largest deposit the emulated balance takes, over the longest stream: no price
    // per millisecond to overflow, and the end pays exactly the deposit.
    let mut c = setup();
    let big = u128::MAX - 2 * BASE;
    let len = market_types::MAX_PERIOD_MS;
    let id = open_stream(&mut c, big, T0, len);
    set_time(T0 + len / 2);
    let half = as_(django(), || c.claim(id)).unwrap();
    assert_eq!(half, big / 2);
    set_time(T0 + len);
    let rest = as_(django(), || c.claim(id)).unwrap();
    assert_eq!(half.checked_add(rest), Some(big));
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
}

// ------------------------------------------------------------------ waiting streams

#[ink::test]
fn waiting_stream_runs_from_when_its_payee_starts_it() {
    let mut c = setup();
    let id = open_waiting(&mut c, 10_000, 1_000, T0 + DAY);
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Waiting);
    assert!(matches!(
        rec.terms,
        EscrowTerms::Stream {
            start: None,
            duration_ms: 1_000,
            start_by,
            no_show_penalty: 0,
            deposit: 10_000,
            paid_out: 0,
            frozen_at: None,
        } if start_by == T0 + DAY
    ));
    let (topics, e) = last_of::<StreamOpened>();
    assert_eq!(topics[1..], [topic(&id), topic(&alice()), topic(&bob())]);
    assert_eq!(
        (
            e.deposit,
            e.duration_ms,
            e.start,
            e.start_by,
            e.no_show_penalty
        ),
        (10_000, 1_000, None, T0 + DAY, 0)
    );
    assert_eq!(owed(&c), 10_000);
    // Until it starts, the next deadline is its latest start.
    assert_eq!(c.open_escrows(bob(), 0, 0).items[0].next_deadline, T0 + DAY);
    assert_eq!(
        c.open_escrows(alice(), 0, 0).items[0].state,
        EscrowState::Waiting
    );
    // Only the payee starts it.
    set_time(T0 + 500);
    assert_eq!(c.claimable(id), 0);
    assert_refused!(c, Error::NotPayee, as_(alice(), || c.start_stream(id)));
    assert_refused!(c, Error::NotPayee, as_(charlie(), || c.start_stream(id)));
    as_(bob(), || c.start_stream(id)).unwrap();
    let (topics, e) = last_of::<StreamStarted>();
    assert_eq!(topics[1..], [topic(&id), topic(&alice()), topic(&bob())]);
    assert_eq!(
        (e.id, e.payer, e.payee, e.start, e.end),
        (id, alice(), bob(), T0 + 500, T0 + 1_500)
    );
    assert_eq!(c.escrow(id).unwrap().state, EscrowState::Streaming);
    assert_eq!(stream_of(&c, id), (Some(T0 + 500), 1_000, 10_000, 0));
    assert_eq!(
        c.open_escrows(bob(), 0, 0).items[0].next_deadline,
        T0 + 1_500
    );
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(bob(), || c.start_stream(id))
    );
    // It accrues from its start, not from when it opened.
    set_time(T0 + 1_000);
    assert_eq!(as_(django(), || c.claim(id)), Ok(5_000));
    // A started stream is never cancelled as a no-show, even after its latest start.
    set_time(T0 + DAY + 1);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(charlie(), || c.cancel_unstarted(id))
    );
    assert_eq!(as_(django(), || c.claim(id)), Ok(5_000));
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
    assert_refused!(c, Error::EscrowNotOpen, as_(bob(), || c.start_stream(id)));
    assert_refused!(
        c,
        Error::EscrowNotOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
}

#[ink::test]
fn only_the_controller_starts_a_stream_it_opened() {
    let mut c = setup();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    as_(eve(), || c.set_controller(charlie(), true)).unwrap();
    let rental = paid(django(), 3_000, || {
        c.open_stream(alice(), waiting_terms(3_000, 1_000, T0 + DAY))
    })
    .unwrap();
    // The payee goes around the controller (which knows when the service began).
    assert_refused!(
        c,
        Error::ControllerOnly,
        as_(bob(), || c.start_stream(rental))
    );
    assert_refused!(
        c,
        Error::NotOpener,
        as_(charlie(), || c.start_stream(rental))
    );
    assert_refused!(c, Error::NotPayee, as_(alice(), || c.start_stream(rental)));
    set_time(T0 + 10);
    as_(django(), || c.start_stream(rental)).unwrap();
    assert_eq!(stream_of(&c, rental).0, Some(T0 + 10));
    // A controller has no say over a stream it did not open.
    let own = open_waiting(&mut c, 3_000, 1_000, T0 + DAY);
    assert_refused!(c, Error::NotOpener, as_(django(), || c.start_stream(own)));
    // Once governance removes the controller, the payee starts its streams itself.
    let later = paid(django(), 3_000, || {
        c.open_stream(alice(), waiting_terms(3_000, 1_000, T0 + DAY))
    })
    .unwrap();
    as_(eve(), || c.set_controller(django(), false)).unwrap();
    assert_refused!(c, Error::NotPayee, as_(django(), || c.start_stream(later)));
    as_(bob(), || c.start_stream(later)).unwrap();
    assert_eq!(c.escrow(later).unwrap().state, EscrowState::Streaming);
}

#[ink::test]
fn a_waiting_stream_starts_no_later_than_its_start_by() {
    let mut c = setup();
    let on_time = open_waiting(&mut c, 1_000, 1_000, T0 + 100);
    let late = open_waiting(&mut c, 1_000, 1_000, T0 + 100);
    set_time(T0 + 100);
    as_(bob(), || c.start_stream(on_time)).unwrap();
    assert_eq!(stream_of(&c, on_time).0, Some(T0 + 100));
    set_time(T0 + 101);
    assert_refused!(
        c,
        Error::StartWindowPassed,
        as_(bob(), || c.start_stream(late))
    );
    // Nor can it be topped up any more: it can only be cancelled (or stopped, refunded).
    assert_refused!(
        c,
        Error::StartWindowPassed,
        paid(alice(), 100, || c.top_up(late, 100))
    );
    let order = open(&mut c, 100);
    assert_refused!(
        c,
        Error::WrongEscrowKind,
        as_(bob(), || c.start_stream(order))
    );
    assert_refused!(
        c,
        Error::WrongEscrowKind,
        as_(bob(), || c.cancel_unstarted(order))
    );
    assert_refused!(c, Error::EscrowNotFound, as_(bob(), || c.start_stream(99)));
    // A stream opened with a start is started already.
    let fixed = open_stream(&mut c, 1_000, T0 + 200, 1_000);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(bob(), || c.start_stream(fixed))
    );
}

#[ink::test]
fn nothing_is_claimed_or_disputed_while_waiting() {
    let mut c = setup();
    let id = open_waiting(&mut c, 10_000, 1_000, T0 + DAY);
    set_time(T0 + 5_000);
    assert_eq!(c.claimable(id), 0);
    assert_eq!(c.required_bond(id), None);
    assert_refused!(c, Error::StreamNotStarted, as_(django(), || c.claim(id)));
    assert_refused!(
        c,
        Error::StreamNotStarted,
        paid(alice(), 500, || c.dispute(id))
    );
    assert_refused!(
        c,
        Error::StreamNotStarted,
        paid(bob(), 500, || c.dispute(id))
    );
    assert_refused!(c, Error::NotParty, paid(charlie(), 500, || c.dispute(id)));
}

#[ink::test]
fn stopping_or_refunding_a_waiting_stream_gives_everything_back() {
    let mut c = setup();
    let id = open_waiting(&mut c, 10_000, 1_000, T0 + DAY);
    set_time(T0 + 600);
    assert_refused!(c, Error::NotPayer, as_(bob(), || c.stop_stream(id)));
    as_(alice(), || c.stop_stream(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.to_payee, e.fee, e.refund),
        (SettleReason::StoppedByPayer, 0, 0, 10_000)
    );
    assert_eq!(credit(&c, alice()), 10_000);
    assert_eq!(c.open_escrow_count(bob()), 0);
    // Also after its latest start: a waiting stream has no end to stop before.
    let late = open_waiting(&mut c, 2_000, 1_000, T0 + 700);
    set_time(T0 + DAY);
    as_(alice(), || c.stop_stream(late)).unwrap();
    assert_eq!(last_settled().refund, 2_000);
    // The payee gives a waiting stream back whole too.
    let id = open_waiting(&mut c, 3_000, 1_000, T0 + 2 * DAY);
    as_(bob(), || c.refund(id)).unwrap();
    let e = last_settled();
    assert_eq!(
        (e.reason, e.to_payee, e.refund),
        (SettleReason::RefundedByPayee, 0, 3_000)
    );
    assert_eq!(credit(&c, alice()), 15_000);
    assert_eq!(credit(&c, bob()) + credit(&c, frank()), 0);
    assert_eq!(owed(&c), 15_000);
}

#[ink::test]
fn a_waiting_stream_can_be_topped_up_until_its_start_by() {
    let mut c = setup();
    let id = open_waiting(&mut c, 3_000, 1_000, T0 + DAY);
    assert_refused!(c, Error::NotPayer, paid(bob(), 300, || c.top_up(id, 100)));
    paid(alice(), 300, || c.top_up(id, 100)).unwrap();
    assert_eq!(stream_of(&c, id), (None, 1_100, 3_300, 0));
    let (_, e) = last_of::<StreamToppedUp>();
    assert_eq!(
        (e.added, e.extra_ms, e.new_duration_ms, e.new_end),
        (300, 100, 1_100, None)
    );
    set_time(T0 + DAY);
    paid(alice(), 300, || c.top_up(id, 100)).unwrap();
    as_(bob(), || c.start_stream(id)).unwrap();
    let (_, e) = last_of::<StreamStarted>();
    assert_eq!((e.start, e.end), (T0 + DAY, T0 + DAY + 1_200));
    set_time(T0 + DAY + 1_200);
    assert_eq!(as_(django(), || c.claim(id)), Ok(3_600));
}

#[ink::test]
fn cancel_unstarted_waits_for_start_by_then_anyone_refunds_the_payer() {
    let mut c = setup();
    let id = open_waiting(&mut c, 10_000, 1_000, T0 + DAY);
    assert_refused!(
        c,
        Error::StartWindowOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
    // The payee may still start it at its latest start.
    set_time(T0 + DAY);
    assert_refused!(
        c,
        Error::StartWindowOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
    set_time(T0 + DAY + 1);
    let events = event_count();
    assert_eq!(as_(charlie(), || c.cancel_unstarted(id)), Ok(0));
    // No penalty: only the settlement is emitted.
    assert_eq!(event_count(), events + 1);
    let e = last_settled();
    assert_eq!(
        (e.reason, e.to_payee, e.fee, e.royalties, e.refund),
        (SettleReason::NotStarted, 0, 0, 0, 10_000)
    );
    let rec = c.escrow(id).unwrap();
    assert_eq!(rec.state, EscrowState::Settled);
    let s = rec.settlement.unwrap();
    assert_eq!(
        (s.reason, s.payee_share_bps, s.at),
        (SettleReason::NotStarted, 0, T0 + DAY + 1)
    );
    assert_eq!(credit(&c, alice()), 10_000);
    assert_eq!(
        (c.open_escrow_count(alice()), c.open_escrow_count(bob())),
        (0, 0)
    );
    assert_refused!(
        c,
        Error::EscrowNotOpen,
        as_(charlie(), || c.cancel_unstarted(id))
    );
    assert_refused!(
        c,
        Error::EscrowNotFound,
        as_(charlie(), || c.cancel_unstarted(99))
    );
    // A stream opened with a start can never be cancelled as a no-show.
    let fixed = open_stream(&mut c, 1_000, T0 + DAY + 10, 1_000);
    set_time(T0 + 3 * DAY);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(charlie(), || c.cancel_unstarted(fixed))
    );
}

/// Django (a controller) locks `amount` of collateral for Bob and opens, for Alice, a
/// waiting stream of 10 000 over 1 000 ms that must start by `T0 + DAY`, with `penalty`
/// out of that collateral. Returns `(collateral, stream)`.
fn open_with_penalty(c: &mut Escrow, amount: Balance, penalty: Balance) -> (u64, u64) {
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let cid = paid(django(), amount, || {
        c.lock_collateral(bob(), Asset::Native, amount, T0 + DAY)
    })
    .unwrap();
    let mut t = waiting_terms(10_000, 1_000, T0 + DAY);
    t.collateral = Some(cid);
    t.no_show_penalty = penalty;
    let id = paid(django(), 10_000, || c.open_stream(alice(), t)).unwrap();
    (cid, id)
}

#[ink::test]
fn a_no_show_pays_its_penalty_out_of_the_collateral() {
    let mut c = setup();
    let (cid, id) = open_with_penalty(&mut c, 1_000, 400);
    let (_, e) = last_of::<StreamOpened>();
    assert_eq!((e.no_show_penalty, e.opener), (400, django()));
    assert!(matches!(
        c.escrow(id).unwrap().terms,
        EscrowTerms::Stream {
            no_show_penalty: 400,
            ..
        }
    ));
    assert_eq!(c.collateral(cid).unwrap().open, 1);
    set_time(T0 + DAY + 1);
    let events = event_count();
    assert_eq!(as_(charlie(), || c.cancel_unstarted(id)), Ok(400));
    assert_eq!(event_count(), events + 2);
    // The settlement first, then the penalty.
    let e = <EscrowSettled as ink::scale::Decode>::decode(
        &mut &test::recorded_events().nth(events).unwrap().data[..],
    )
    .unwrap();
    assert_eq!((e.reason, e.refund), (SettleReason::NotStarted, 10_000));
    let (topics, p) = last_of::<NoShowPenaltyPaid>();
    assert_eq!(topics[1..], [topic(&id), topic(&cid), topic(&alice())]);
    assert_eq!(
        (p.id, p.collateral, p.payer, p.amount),
        (id, cid, alice(), 400)
    );
    // The payer gets the deposit and the penalty; the collateral shrank by exactly it.
    assert_eq!(credit(&c, alice()), 10_400);
    let col = c.collateral(cid).unwrap();
    assert_eq!((col.amount, col.open, col.released), (600, 0, false));
    assert_eq!(owed(&c), 11_000);
    // The rest of the collateral is still its owner's to take back.
    as_(bob(), || c.release_collateral(cid)).unwrap();
    assert_eq!(credit(&c, bob()), 600);
    assert_eq!(owed(&c), 11_000);
    assert_eq!(as_(alice(), || c.withdraw(Asset::Native)), Ok(10_400));
    assert_eq!(as_(bob(), || c.withdraw(Asset::Native)), Ok(600));
    assert_eq!(owed(&c), 0);
    assert_eq!(vault_balance(), BASE);
}

#[ink::test]
fn a_started_stream_pays_no_penalty_and_keeps_its_collateral() {
    let mut c = setup();
    let (cid, id) = open_with_penalty(&mut c, 1_000, 1_000);
    assert_refused!(
        c,
        Error::CollateralInUse,
        as_(django(), || c.release_collateral(cid))
    );
    set_time(T0 + DAY);
    as_(django(), || c.start_stream(id)).unwrap();
    set_time(T0 + 2 * DAY);
    assert_refused!(
        c,
        Error::StreamAlreadyStarted,
        as_(alice(), || c.cancel_unstarted(id))
    );
    as_(django(), || c.claim(id)).unwrap();
    assert_eq!(c.collateral(cid).unwrap().amount, 1_000);
    as_(bob(), || c.release_collateral(cid)).unwrap();
    assert_eq!(credit(&c, bob()), 1_000 + 10_000 - 250);
}

#[ink::test]
fn the_penalty_is_capped_by_what_the_collateral_still_holds() {
    let mut c = setup();
    let (cid, id) = open_with_penalty(&mut c, 1_000, 800);
    // The arbiter slashes the collateral below the penalty while the stream waits.
    as_(eve(), || c.slash_collateral(cid, vec![(charlie(), 500)])).unwrap();
    set_time(T0 + DAY + 1);
    assert_eq!(as_(django(), || c.cancel_unstarted(id)), Ok(500));
    assert_eq!(last_of::<NoShowPenaltyPaid>().1.amount, 500);
    assert_eq!(credit(&c, alice()), 10_500);
    let col = c.collateral(cid).unwrap();
    assert_eq!((col.amount, col.open), (0, 0));
    as_(django(), || c.release_collateral(cid)).unwrap();
    assert!(c.collateral(cid).unwrap().released);
    assert_eq!(credit(&c, bob()), 0);

    // Slashed to nothing: the stream is still cancelled, and no penalty is reported.
    set_time(T0);
    let (cid, id) = open_with_penalty(&mut c, 300, 300);
    as_(eve(), || c.slash_collateral(cid, vec![(charlie(), 300)])).unwrap();
    set_time(T0 + DAY + 1);
    let penalties = events_of::<NoShowPenaltyPaid>().len();
    assert_eq!(as_(django(), || c.cancel_unstarted(id)), Ok(0));
    assert_eq!(events_of::<NoShowPenaltyPaid>().len(), penalties);
    assert_eq!(last_settled().refund, 10_000);
    assert_eq!(credit(&c, alice()), 20_500);
    assert_eq!(credit(&c, charlie()), 800);
}

#[ink::test]
fn a_penalty_needs_a_waiting_stream_and_enough_collateral() {
    let mut c = setup();
    as_(eve(), || c.set_controller(django(), true)).unwrap();
    let cid = paid(django(), 1_000, || {
        c.lock_collateral(bob(), Asset::Native, 1_000, T0 + DAY)
    })
    .unwrap();
    let mut t = waiting_terms(10_000, 1_000, T0 + DAY);
    t.no_show_penalty = 1;
    // No collateral to pay it from.
    assert_refused!(
        c,
        Error::InvalidPenalty,
        paid(django(), 10_000, || c.open_stream(alice(), t.clone()))
    );
    // More than the collateral holds.
    t.collateral = Some(cid);
    t.no_show_penalty = 1_001;
    assert_refused!(
        c,
        Error::InvalidPenalty,
        paid(django(), 10_000, || c.open_stream(alice(), t.clone()))
    );
    // A stream with a start cannot be a no-show.
    let mut fixed = t.clone();
    fixed.start = Some(T0 + 10);
    fixed.no_show_penalty = 1;
    assert_refused!(
        c,
        Error::InvalidPenalty,
        paid(django(), 10_000, || c.open_stream(alice(), fixed.clone()))
    );
    // Only the collateral's controller links it (the payer gets no penalty out of a
    // lock it does not control).
    assert_refused!(
        c,
        Error::NotCollateralController,
        paid(alice(), 10_000, || c.open_stream(alice(), t.clone()))
    );
    // Up to all of it.
    t.no_show_penalty = 1_000;
    paid(django(), 10_000, || c.open_stream(alice(), t.clone())).unwrap();
    assert_eq!(c.collateral(cid).unwrap().open, 1);
}

// ------------------------------------------------------------------ exact low prices

/// 0.50 an hour in a 6-decimal token: 500 000 units over 3 600 000 ms, far below one
/// unit per millisecond (the old per-ms rate could not express it).
const HALF_PER_HOUR: Balance = 500_000;
const HOUR: u64 = 3_600_000;

#[ink::test]
fn a_low_price_accrues_exactly_and_sums_to_the_deposit() {
    let mut c = setup_with_token();
    fund_psp22(alice(), HALF_PER_HOUR, HALF_PER_HOUR);
    let mut t = stream_terms(HALF_PER_HOUR, T0, HOUR);
    t.asset = psp22();
    let id = as_(alice(), || c.open_stream(alice(), t)).unwrap();
    assert_eq!(token_balance(vault_id()), HALF_PER_HOUR);
    // A millisecond earns less than a unit: nothing to claim yet.
    set_time(T0 + 1);
    assert_refused!(c, Error::NothingToClaim, as_(django(), || c.claim(id)));
    // floor(500 000 × elapsed / 3 600 000), cumulatively.
    let mut total = 0;
    for (at, gross) in [
        (36_000, 5_000),
        (1_000_007, 133_889),
        (2_500_001, 208_333),
        (HOUR - 1, 152_777),
    ] {
        set_time(T0 + at);
        assert_eq!(c.claimable(id), gross, "at {at}");
        assert_eq!(as_(django(), || c.claim(id)), Ok(gross), "at {at}");
        total += gross;
        assert_eq!(stream_of(&c, id).3, total);
        assert_refused!(c, Error::NothingToClaim, as_(django(), || c.claim(id)));
    }
    assert_eq!(total, 499_999);
    // The end pays exactly the rest, and the stream completes.
    set_time(T0 + HOUR + 5);
    assert_eq!(as_(django(), || c.claim(id)), Ok(1));
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
    let payee_side = c.credit_of(bob(), psp22()) + c.credit_of(frank(), psp22());
    assert_eq!(payee_side, HALF_PER_HOUR);
    // Each claim's fee is rounded down: 125 + 3 347 + 5 208 + 3 819 + 0.
    assert_eq!(c.credit_of(frank(), psp22()), 12_499);
    assert_eq!(
        as_(bob(), || c.withdraw(psp22())).unwrap() + as_(frank(), || c.withdraw(psp22())).unwrap(),
        HALF_PER_HOUR
    );
    assert_eq!(token_balance(vault_id()), 0);
}

#[ink::test]
fn stopping_a_low_price_stream_splits_it_exactly() {
    let mut c = setup_with_token();
    fund_psp22(alice(), HALF_PER_HOUR, HALF_PER_HOUR);
    let mut t = stream_terms(HALF_PER_HOUR, T0, HOUR);
    t.asset = psp22();
    let id = as_(alice(), || c.open_stream(alice(), t)).unwrap();
    set_time(T0 + 36_000);
    assert_eq!(as_(django(), || c.claim(id)), Ok(5_000));
    set_time(T0 + 1_234_567);
    as_(alice(), || c.stop_stream(id)).unwrap();
    let e = last_settled();
    // floor(500 000 × 1 234 567 / 3 600 000) = 171 467 earned, 5 000 of it claimed.
    assert_eq!(e.to_payee + e.fee, 171_467 - 5_000);
    assert_eq!(e.refund, HALF_PER_HOUR - 171_467);
    assert_eq!(5_000 + e.to_payee + e.fee + e.refund, HALF_PER_HOUR);
    assert_eq!(c.credit_of(alice(), psp22()), 328_533);
    assert_eq!(
        c.credit_of(bob(), psp22()) + c.credit_of(frank(), psp22()),
        171_467
    );
}

#[ink::test]
fn top_ups_keep_the_price_exact_or_are_refused() {
    let mut c = setup();
    let id = open_stream(&mut c, HALF_PER_HOUR, T0, HOUR);
    // 500 000 × 1 / 3 600 000 and × 1 000 / 3 600 000 are not whole units.
    assert_refused!(c, Error::InexactTopUp, paid(alice(), 1, || c.top_up(id, 1)));
    assert_refused!(
        c,
        Error::InexactTopUp,
        paid(alice(), 139, || c.top_up(id, 1_000))
    );
    assert_refused!(
        c,
        Error::InexactTopUp,
        paid(alice(), 0, || c.top_up(id, 1_000))
    );
    // Part-way through, what accrued stays what it was.
    set_time(T0 + 1_000_007);
    assert_eq!(as_(django(), || c.claim(id)), Ok(138_889));
    set_time(T0 + 2_500_001);
    let before = c.claimable(id);
    assert_eq!(before, 208_333);
    // 7 200 ms at 0.50 an hour is 1 000 units; an hour, 500 000.
    assert_refused!(
        c,
        Error::WrongValue,
        paid(alice(), 999, || c.top_up(id, 7_200))
    );
    paid(alice(), 1_000, || c.top_up(id, 7_200)).unwrap();
    assert_eq!(c.claimable(id), before);
    paid(alice(), HALF_PER_HOUR, || c.top_up(id, HOUR)).unwrap();
    assert_eq!(c.claimable(id), before);
    assert_eq!(
        stream_of(&c, id),
        (
            Some(T0),
            2 * HOUR + 7_200,
            2 * HALF_PER_HOUR + 1_000,
            138_889
        )
    );
    let (_, e) = last_of::<StreamToppedUp>();
    assert_eq!(
        (e.added, e.extra_ms, e.new_duration_ms, e.new_end),
        (
            HALF_PER_HOUR,
            HOUR,
            2 * HOUR + 7_200,
            Some(T0 + 2 * HOUR + 7_200)
        )
    );
    // Still 0.50 an hour: at one hour past the old end, exactly 500 000 more accrued.
    set_time(T0 + 2 * HOUR);
    assert_eq!(c.claimable(id), 1_000_000 - 138_889);
    // At the new end the claims add up to the whole deposit.
    set_time(T0 + 2 * HOUR + 7_200);
    assert_eq!(
        as_(django(), || c.claim(id)),
        Ok(2 * HALF_PER_HOUR + 1_000 - 138_889)
    );
    assert_eq!(last_settled().reason, SettleReason::StreamCompleted);
    assert_eq!(
        credit(&c, bob()) + credit(&c, frank()),
        2 * HALF_PER_HOUR + 1_000
    );
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
