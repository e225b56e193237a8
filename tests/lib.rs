//! End-to-end tests of the marketplace contracts on a real `substrate-contracts-node`.
//!
//! Run with `make test`, or after `make build` and the hostile token's debug build
//! (`cargo contract build --manifest-path tests/contracts/hostile_token/Cargo.toml`)
//! with `cargo test -p e2e --features e2e-tests`. The tests of a group (a file, or a
//! theme of files) share one dev node (the binary on PATH, or `CONTRACTS_NODE`) that the
//! group's first test starts; each test deploys contract instances of its own from the
//! bundles already built: the release builds that are deployed for real, not debug
//! builds of their own (see [`harness`]). The worlds the tests start from (a wired
//! market, a GPU offer, a rental, a DAO with staked jurors and a disputed escrow) are in
//! [`fixtures`].
//!
//! Without the `e2e-tests` feature this crate is empty: the feature is the switch, and
//! `scripts/test.sh` always sets it and fails if no e2e test ran.
#![cfg(all(test, feature = "e2e-tests"))]

/// Asserts that a call is refused with the typed error `$expected`, on the node, twice:
/// its dry-run returns `Err($expected)` (the variant, decoded), and submitting it as an
/// extrinsic fails (an ink! message that returns `Err` reverts, so nothing it wrote is
/// kept and none of its events are deposited). Evaluates to the dry-run's debug buffer.
macro_rules! assert_refused {
    ($client:expr, $signer:expr, $call:expr, $expected:expr) => {
        assert_refused!($client, $signer, $call, $expected, 0u128)
    };
    ($client:expr, $signer:expr, $call:expr, $expected:expr, $value:expr) => {{
        let (call, signer) = ($call, $signer);
        let started = std::time::Instant::now();
        let dry = $client.call(signer, &call).value($value).dry_run().await?;
        let debug = dry.debug_message();
        let got = dry.return_value();
        let refused = format!("{:?}", got);
        assert_eq!(got, Err($expected));
        let signing = $crate::harness::signing(signer).await;
        let submitted = $client.call(signer, &call).value($value).submit().await;
        drop(signing);
        $crate::harness::record($crate::harness::Step::Refused, started);
        assert!(
            submitted.is_err(),
            "a call refused with {refused} must fail on chain"
        );
        debug
    }};
}

/// Asserts that an attack really runs: a dry-run of `call` as `signer` writes `marker`
/// to the debug buffer (the hostile token prints it before each re-entry attempt). Run
/// it before `assert_refused!`, so a test shows the attack path ran before it shows the
/// attack failed.
macro_rules! assert_attack_ran {
    ($client:expr, $signer:expr, $call:expr, $marker:expr) => {{
        let dry = $client.call($signer, &$call).dry_run().await?;
        let debug = dry.debug_message();
        assert!(debug.contains(&$marker), "attack did not run: {debug:?}");
    }};
}

/// Submits `call` as `signer`, sending `value` (and, if given, `margin` % more gas than
/// the dry-run measured), and returns the `CallResult`. A failed extrinsic panics,
/// naming the call. Holds the signer's lock on the node while the transaction is in
/// flight (see [`harness::signing`]). The building block of `tx!` and `tx_events!`.
macro_rules! submit {
    ($client:expr, $signer:expr, $call:expr, $value:expr) => {
        submit!($client, $signer, $call, $value, 0)
    };
    ($client:expr, $signer:expr, $call:expr, $value:expr, $margin:expr) => {{
        let (call, signer) = ($call, $signer);
        let started = std::time::Instant::now();
        let signing = $crate::harness::signing(signer).await;
        let res = $client
            .call(signer, &call)
            .value($value)
            .extra_gas_portion($margin)
            .submit()
            .await;
        drop(signing);
        $crate::harness::record($crate::harness::Step::Tx, started);
        match res {
            Ok(res) => res,
            Err(e) => panic!("`{}` failed on the node: {:?}", stringify!($call), e),
        }
    }};
}

/// Submits `call` as `signer` (sending `value`, if given) and returns its decoded return
/// value (for a message returning `Result`, the `Result`). A failed extrinsic panics,
/// naming the call.
macro_rules! tx {
    ($client:expr, $signer:expr, $call:expr) => {
        tx!($client, $signer, $call, 0u128)
    };
    ($client:expr, $signer:expr, $call:expr, $value:expr) => {{
        let res = submit!($client, $signer, $call, $value);
        res.return_value()
    }};
}

/// Like `tx!`, and also returns the events of type `$event` the call emitted (see
/// [`events_of`]): `(return value, events)`.
macro_rules! tx_events {
    ($client:expr, $signer:expr, $call:expr, $event:ty) => {
        tx_events!($client, $signer, $call, $event, 0u128)
    };
    ($client:expr, $signer:expr, $call:expr, $event:ty, $value:expr) => {{
        let res = submit!($client, $signer, $call, $value);
        let events: Vec<$event> = $crate::events_of(res.contract_emitted_events()?);
        (res.return_value(), events)
    }};
}

/// Dry-runs a read-only `call` (as alice) and returns its decoded return value.
macro_rules! query {
    ($client:expr, $call:expr) => {{
        let started = std::time::Instant::now();
        let value = $client
            .call(&ink_e2e::alice(), &$call)
            .dry_run()
            .await?
            .return_value();
        $crate::harness::record($crate::harness::Step::Query, started);
        value
    }};
}

/// Instantiates the contract package `$name` with the constructor call `$ctor` as
/// `$signer` and returns its address. A failed instantiation panics, naming the package.
/// Holds the signer's lock on the node meanwhile (see [`harness::signing`]).
macro_rules! instantiate {
    ($client:expr, $signer:expr, $name:literal, $ctor:expr) => {{
        let (mut ctor, signer) = ($ctor, $signer);
        let started = std::time::Instant::now();
        let signing = $crate::harness::signing(signer).await;
        let res = $client.instantiate($name, signer, &mut ctor).submit().await;
        drop(signing);
        $crate::harness::record($crate::harness::Step::Deploy, started);
        match res {
            Ok(contract) => contract.account_id,
            Err(e) => panic!("instantiating {} failed: {:?}", $name, e),
        }
    }};
}

mod compute;
mod dao_appeals;
mod dao_cases;
mod dao_fallback;
mod dao_governance;
mod escrow;
mod fixtures;
mod harness;
mod hostile;
mod hostile_rentals;
mod journeys;
mod purchase;
mod registry;
mod token;

use ink::env::DefaultEnvironment;
use ink_e2e::events::{ContractEmitted, EventWithTopics};
use ink_e2e::{ChainBackend, ContractsBackend};

/// Platform fee of every deployed vault: 2.5 %.
pub const FEE_BPS: u16 = 250;
/// Dispute bond of every deployed vault: 5 % of what is at stake.
pub const BOND_BPS: u16 = 500;
/// Ruling window of every deployed vault: one minute.
pub const RULING_WINDOW_MS: u64 = 60_000;
/// Smallest native order or stream the vault accepts (spam floor).
pub const MIN_NATIVE_DEPOSIT: u128 = 1_000;
/// Royalty cap of every deployed registry: 20 %.
pub const ROYALTY_CAP_BPS: u16 = 2_000;
/// Supply of every deployed market token, all minted to alice: 10¹² units (12 decimals).
pub const TOKEN_SUPPLY: u128 = 1_000_000_000_000;

/// What the fixtures run on: a node client (the one `#[e2e_macros::test]` hands each test)
/// whose errors can be printed.
pub trait Node:
    ink_e2e::E2EBackend
    + ContractsBackend<DefaultEnvironment, Error: std::fmt::Debug>
    + ChainBackend<Balance = u128>
{
}

impl<C> Node for C where
    C: ink_e2e::E2EBackend
        + ContractsBackend<DefaultEnvironment, Error: std::fmt::Debug>
        + ChainBackend<Balance = u128>
{
}

/// Error type of every e2e test.
pub type E2EResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The `ContractEmitted` events of a call that are of type `T`, recognised by their
/// signature topic (ink! 5 puts it first), so events of other types that happen to
/// decode as `T` are never mistaken for it.
fn events_of<T: ink::scale::Decode + ink::env::Event>(
    events: Vec<EventWithTopics<ContractEmitted<ink::env::DefaultEnvironment>>>,
) -> Vec<T> {
    events
        .into_iter()
        .filter(|e| {
            T::SIGNATURE_TOPIC.is_some() && e.topics.first().map(|t| t.0) == T::SIGNATURE_TOPIC
        })
        .filter_map(|e| T::decode(&mut &e.event.data[..]).ok())
        .collect()
}

/// Milliseconds since the Unix epoch, the clock the dev node stamps blocks with.
fn wall_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
