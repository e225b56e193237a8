//! End-to-end tests of the marketplace contracts on a real `substrate-contracts-node`.
//!
//! Run with `make test`, or after `make build` and the hostile token's debug build
//! (`cargo contract build --manifest-path tests/contracts/hostile_token/Cargo.toml`)
//! with `cargo test -p e2e --features e2e-tests`. Each test starts its own dev node (the
//! binary on PATH, or `CONTRACTS_NODE`) and deploys the bundles already built: the
//! release builds that are deployed for real, not debug builds of their own (see
//! [`harness`]).
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
        let call = $call;
        let dry = $client.call($signer, &call).value($value).dry_run().await?;
        let debug = dry.debug_message();
        let got = dry.return_value();
        let refused = format!("{:?}", got);
        assert_eq!(got, Err($expected));
        let submitted = $client.call($signer, &call).value($value).submit().await;
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

/// Submits `call` as `signer`, sending `value`, and returns the `CallResult`. A failed
/// extrinsic panics, naming the call. The building block of `tx!` and `tx_events!`.
macro_rules! submit {
    ($client:expr, $signer:expr, $call:expr, $value:expr) => {{
        let call = $call;
        match $client.call($signer, &call).value($value).submit().await {
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
        $client
            .call(&ink_e2e::alice(), &$call)
            .dry_run()
            .await?
            .return_value()
    }};
}

/// Instantiates the contract package `$name` with the constructor call `$ctor` as
/// `$signer` and returns its address. A failed instantiation panics, naming the package.
macro_rules! instantiate {
    ($client:expr, $signer:expr, $name:literal, $ctor:expr) => {{
        let mut ctor = $ctor;
        match $client
            .instantiate($name, $signer, &mut ctor)
            .submit()
            .await
        {
            Ok(contract) => contract.account_id,
            Err(e) => panic!("instantiating {} failed: {:?}", $name, e),
        }
    }};
}

mod compute;
mod dao;
mod dao_governance;
mod escrow;
mod harness;
mod hostile;
mod hostile_rentals;
mod journeys;
mod purchase;
mod registry;
mod token;

use ink::env::DefaultEnvironment;
use ink::primitives::{AccountId, Hash};
use ink::scale::Encode;
use ink_e2e::events::{ContractEmitted, EventWithTopics};
use ink_e2e::AccountKeyring::{Alice, Eve};
use ink_e2e::{CallBuilderFinal, ContractsBackend};
use market_types::governed::{Administered, VaultArbiter};
use market_types::ModelId;
use model_registry::{ModelRegistry, Version};

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
    ink_e2e::E2EBackend + ContractsBackend<DefaultEnvironment, Error: std::fmt::Debug>
{
}

impl<C> Node for C where
    C: ink_e2e::E2EBackend + ContractsBackend<DefaultEnvironment, Error: std::fmt::Debug>
{
}

/// The three marketplace contracts, deployed by alice and wired together.
pub struct Market {
    /// The escrow vault: alice arbiter, eve treasury, the registry a controller, the
    /// token allowed.
    pub vault: AccountId,
    /// The model registry: alice admin, 20 % royalty cap, paying into `vault`, the
    /// token allowed for offers.
    pub registry: AccountId,
    /// The market token "Market Token" (MKT): [`TOKEN_SUPPLY`], all alice's.
    pub token: AccountId,
}

/// Deploys a vault the way every test wants it: alice arbiter, eve treasury.
pub async fn deploy_vault(client: &mut impl Node) -> AccountId {
    let [alice, eve] = [Alice, Eve].map(ink_e2e::account_id);
    let ctor = ::escrow::EscrowRef::new(
        alice,
        eve,
        FEE_BPS,
        BOND_BPS,
        RULING_WINDOW_MS,
        MIN_NATIVE_DEPOSIT,
    );
    instantiate!(client, &ink_e2e::alice(), "escrow", ctor)
}

/// Deploys the market token on its own (see [`Market::token`]), for the tests that
/// need no registry.
pub async fn deploy_token(client: &mut impl Node) -> AccountId {
    let name = Some(String::from("Market Token"));
    let ctor = market_token::MarketTokenRef::new(TOKEN_SUPPLY, name, Some("MKT".into()), 12);
    instantiate!(client, &ink_e2e::alice(), "market_token", ctor)
}

/// Deploys token, registry and vault and wires them (see [`Market`]), in one call.
pub async fn deploy_market(client: &mut impl Node) -> Market {
    let vault = deploy_vault(client).await;
    let ctor = model_registry::ModelRegistryRef::new(ROYALTY_CAP_BPS);
    let registry = instantiate!(client, &ink_e2e::alice(), "model_registry", ctor);
    let token = deploy_token(client).await;
    let mut v = ink_e2e::create_call_builder::<::escrow::Escrow>(vault);
    let mut reg = ink_e2e::create_call_builder::<ModelRegistry>(registry);
    let alice = ink_e2e::alice();
    tx!(client, &alice, v.set_controller(registry, true)).expect("vault wiring refused");
    tx!(client, &alice, v.set_asset_allowed(token, true)).expect("vault wiring refused");
    tx!(client, &alice, reg.set_vault(vault)).expect("registry wiring refused");
    tx!(client, &alice, reg.set_asset_allowed(token, true)).expect("registry wiring refused");
    Market {
        vault,
        registry,
        token,
    }
}

/// The `register_model` call of an untagged model 1.0.0 named `name`, with its card at
/// `ipfs://<name>` and the weights hash `[weights; 32]`, deriving from `parent` and
/// paying its owner `royalty_bps`.
pub fn listing(
    registry: AccountId,
    name: &str,
    weights: u8,
    parent: Option<ModelId>,
    royalty_bps: u16,
) -> CallBuilderFinal<
    DefaultEnvironment,
    impl Encode + Clone + Sync,
    Result<ModelId, model_registry::Error>,
> {
    ink_e2e::create_call_builder::<ModelRegistry>(registry).register_model(
        name.into(),
        format!("ipfs://{name}"),
        Hash::from([weights; 32]),
        Version {
            major: 1,
            minor: 0,
            patch: 0,
        },
        parent,
        royalty_bps,
        Vec::new(),
    )
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
