//! Unit tests of the vault in ink!'s off-chain environment. PSP22 calls go to the test
//! kit's PSP22 double, `market_types::testing::psp22` (the off-chain environment cannot
//! call another contract); the e2e suite runs the same paths against real tokens on a
//! node.
//!
//! This file holds the shared fixtures (accounts, `setup()`, the `paid`/`as_` callers,
//! event decoding, the storage `fingerprint` and `assert_refused!`); the tests live in
//! `tests/`, by theme: `admin.rs` (constructor and governance), `orders.rs` (orders,
//! pages and money edges), `disputes.rs`, `streams.rs` (fixed-start streams and exact
//! low prices), `waiting_streams.rs` (waiting streams and no-show penalties) and
//! `collateral.rs`. `attacks.rs` holds the tests written as a hostile counterparty
//! (issue 8), in `attacks/authority.rs` and `attacks/settlement.rs`; `prop.rs` the
//! property test that drives random operation sequences against the reserves and
//! conservation invariants (its operations, model and step in `prop/`); `prop_money.rs`
//! the property tests of the settlement planner and the ledger on their own.

use crate::escrow::{Escrow, MAX_FEE_BPS, MAX_PAGE};
use crate::types::{EscrowTerms, Role};
use crate::{Error, EscrowSettled, NoShowPenaltyPaid, StreamOpened, StreamStarted, StreamToppedUp};
use ink::env::test;
use ink::env::DefaultEnvironment as Env;
use ink::primitives::{AccountId, Hash};
pub(crate) use market_types::assert_refused;
pub(crate) use market_types::testing::event_count;
use market_types::testing::psp22;
use market_types::{
    governed::VaultArbiter, Asset, Balance, EscrowState, EscrowVault, OrderTerms, Royalty,
    SettleReason, StreamTerms, Timestamp,
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
    let tokens = psp22::snapshot();
    if value == 0 {
        let result = f();
        if result.is_err() {
            psp22::restore(tokens);
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
        psp22::restore(tokens);
    }
    result
}

/// Calls `f` as `who` with no value (see [`paid`]).
fn as_<T>(who: AccountId, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    paid(who, 0, f)
}

/// Gives `who` exactly `amount` of the test token and lets the vault take `allowance`.
fn fund_psp22(who: AccountId, amount: Balance, allowance: Balance) {
    psp22::set_balance(token(), who, amount);
    psp22::set_allowance(token(), who, vault_id(), allowance);
}
/// `who` gets `amount` of the test token and sends it to the vault, as a controller
/// does with its buyer's payment before opening for it.
fn prefund(who: AccountId, amount: Balance) {
    psp22::mint(token(), who, amount);
    let sent = psp22::transfer_as(token(), None, who, vault_id(), amount);
    assert_eq!(sent, Ok(Ok(Ok(()))), "the transfer");
}
fn token_balance(who: AccountId) -> Balance {
    psp22::balance(token(), who)
}

/// A vault with Eve as arbiter, Frank as treasury, a 2.5 % fee, a 5 % bond and a
/// minimum native deposit of [`MIN_NATIVE`]; the token ledger empty.
fn setup() -> Escrow {
    test::set_callee::<Env>(vault_id());
    test::set_account_balance::<Env>(vault_id(), BASE);
    for who in [alice(), bob(), charlie(), django()] {
        test::set_account_balance::<Env>(who, 0);
    }
    psp22::reset();
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
        min_payout: 0,
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

impl market_types::testing::Fingerprint for Escrow {
    fn fingerprint(&self) -> Vec<u8> {
        fingerprint(self).into_bytes()
    }
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
        psp22::snapshot()
    ));
    s
}

// The tests by theme, those written as a hostile counterparty, and the property tests;
// declared last so the helpers and `assert_refused!` above are in scope.
mod admin;
mod attacks;
mod collateral;
mod disputes;
mod orders;
mod prop;
mod prop_money;
mod streams;
mod waiting_streams;
