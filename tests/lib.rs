//! End-to-end tests of the marketplace contracts on a real `substrate-contracts-node`.
//!
//! Run with `make test` (or `cargo test -p e2e --features e2e-tests`). Each test starts
//! its own dev node (the binary on PATH, or `CONTRACTS_NODE`), or reuses the one at
//! `CONTRACTS_NODE_URL`. The suite is a single test binary so that ink_e2e builds every
//! contract of the workspace once per run.
//!
//! Without the `e2e-tests` feature this crate is empty: the feature is the switch, and
//! `scripts/test.sh` always sets it and fails if no e2e test ran.
#![cfg(all(test, feature = "e2e-tests"))]

/// Asserts that a call is refused with the typed error `$expected`, on the node, twice:
/// its dry-run returns `Err($expected)` (the variant, decoded), and submitting it as an
/// extrinsic fails (an ink! message that returns `Err` reverts, so nothing it wrote is
/// kept and none of its events are deposited).
macro_rules! assert_refused {
    ($client:expr, $signer:expr, $call:expr, $expected:expr) => {
        assert_refused!($client, $signer, $call, $expected, 0u128)
    };
    ($client:expr, $signer:expr, $call:expr, $expected:expr, $value:expr) => {{
        let call = $call;
        let dry = $client.call($signer, &call).value($value).dry_run().await?;
        let got = dry.return_value();
        let refused = format!("{:?}", got);
        assert_eq!(got, Err($expected));
        let submitted = $client.call($signer, &call).value($value).submit().await;
        assert!(
            submitted.is_err(),
            "a call refused with {refused} must fail on chain"
        );
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
        let call = $call;
        match $client.call($signer, &call).value($value).submit().await {
            Ok(res) => res.return_value(),
            Err(e) => panic!("`{}` failed on the node: {:?}", stringify!($call), e),
        }
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

mod escrow;
mod hostile;
mod purchase;
mod registry;
mod token;

use ink::primitives::AccountId;
use ink_e2e::events::{ContractEmitted, EventWithTopics};

/// Platform fee of every deployed vault: 2.5 %.
pub const FEE_BPS: u16 = 250;
/// Dispute bond of every deployed vault: 5 % of what is at stake.
pub const BOND_BPS: u16 = 500;
/// Ruling window of every deployed vault: one minute.
pub const RULING_WINDOW_MS: u64 = 60_000;
/// Smallest native order or stream the vault accepts (spam floor).
pub const MIN_NATIVE_DEPOSIT: u128 = 1_000;

/// The three marketplace contracts, deployed by alice and wired together.
pub struct Market {
    /// The escrow vault: alice arbiter, eve treasury, the registry a controller, the
    /// token allowed.
    pub vault: AccountId,
    /// The model registry: alice admin, 20 % royalty cap, paying into `vault`, the
    /// token allowed for offers.
    pub registry: AccountId,
    /// The market token: 10¹² units (12 decimals), all alice's.
    pub token: AccountId,
}

/// Deploys a vault the way every test wants it: alice arbiter, eve treasury.
pub async fn deploy_vault<C: ink_e2e::E2EBackend>(client: &mut C) -> AccountId {
    let mut ctor = ::escrow::EscrowRef::new(
        ink_e2e::account_id(ink_e2e::AccountKeyring::Alice),
        ink_e2e::account_id(ink_e2e::AccountKeyring::Eve),
        FEE_BPS,
        BOND_BPS,
        RULING_WINDOW_MS,
        MIN_NATIVE_DEPOSIT,
    );
    client
        .instantiate("escrow", &ink_e2e::alice(), &mut ctor)
        .submit()
        .await
        .unwrap_or_else(|_| panic!("instantiate escrow failed"))
        .account_id
}

/// Deploys token, registry and vault and wires them (see [`Market`]), in one call.
pub async fn deploy_market<C: ink_e2e::E2EBackend>(client: &mut C) -> Market {
    let vault = deploy_vault(client).await;
    let mut ctor = model_registry::ModelRegistryRef::new(2_000);
    let registry = client
        .instantiate("model_registry", &ink_e2e::alice(), &mut ctor)
        .submit()
        .await
        .unwrap_or_else(|_| panic!("instantiate model_registry failed"))
        .account_id;
    let mut ctor = market_token::MarketTokenRef::new(1_000_000_000_000, None, None, 12);
    let token = client
        .instantiate("market_token", &ink_e2e::alice(), &mut ctor)
        .submit()
        .await
        .unwrap_or_else(|_| panic!("instantiate market_token failed"))
        .account_id;
    let mut v = ink_e2e::create_call_builder::<::escrow::Escrow>(vault);
    let mut reg = ink_e2e::create_call_builder::<model_registry::ModelRegistry>(registry);
    for call in [
        v.set_controller(registry, true),
        v.set_asset_allowed(token, true),
    ] {
        client
            .call(&ink_e2e::alice(), &call)
            .submit()
            .await
            .unwrap_or_else(|_| panic!("vault wiring failed"))
            .return_value()
            .expect("vault wiring refused");
    }
    for call in [reg.set_vault(vault), reg.allow_asset(token)] {
        client
            .call(&ink_e2e::alice(), &call)
            .submit()
            .await
            .unwrap_or_else(|_| panic!("registry wiring failed"))
            .return_value()
            .expect("registry wiring refused");
    }
    Market {
        vault,
        registry,
        token,
    }
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
