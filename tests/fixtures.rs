//! The worlds the e2e tests start from, each deployed fresh for the test that asks
//! (tests of a group share a node, never a contract instance: every test asserts the
//! exact state of its own contracts):
//!
//! - a wired marketplace ([`deploy_market`]: token, registry and vault, wired by alice),
//!   on its own or with a compute market ([`deploy_compute`]);
//! - a GPU offer and a rental on it ([`gpu`]);
//! - a DAO as the vault's arbiter, with staked jurors, a reward reserve and a disputed
//!   escrow to take to it ([`dao`]);
//! - an account of the test's own, funded by alice ([`fresh_account`]), for what a
//!   test asserts about native balances (the dev accounts sign in every test of the
//!   group at once).

pub mod dao;
pub mod gpu;

use crate::harness::{self, Step};
use crate::TOKEN_SUPPLY;
use crate::{Node, BOND_BPS, FEE_BPS, MIN_NATIVE_DEPOSIT, ROYALTY_CAP_BPS, RULING_WINDOW_MS};
use compute_market::{ComputeMarket, ComputeMarketRef};
use escrow::Escrow;
use ink::env::DefaultEnvironment;
use ink::primitives::{AccountId, Hash};
use ink::scale::Encode;
use ink_e2e::AccountKeyring::{Alice, Eve};
use ink_e2e::{CallBuilderFinal, Keypair};
use market_types::governed::{Administered, VaultArbiter};
use market_types::ModelId;
use model_registry::{ModelRegistry, Version};

/// Native balance of each account a test creates (for its fees and payments).
pub const FUNDS: u128 = 1_000_000_000_000_000;
/// Collateral ratio of every compute market: 100 % of an offer's most expensive rental.
pub const RATIO_BPS: u16 = 10_000;
/// No-show penalty of every compute market: 10 % of the rental.
pub const NO_SHOW_BPS: u16 = 1_000;

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
    let mut v = ink_e2e::create_call_builder::<Escrow>(vault);
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

/// Deploys a compute market reading the registry's auditors and paying into the vault,
/// with `hour_ms` as its hour (collateral [`RATIO_BPS`], no-show penalty
/// [`NO_SHOW_BPS`], a ten-minute start window at most), and wires it: a controller of
/// the vault, the market token allowed.
pub async fn deploy_compute(client: &mut impl Node, m: &Market, hour_ms: u64) -> AccountId {
    let ctor = ComputeMarketRef::new(
        m.vault,
        m.registry,
        hour_ms,
        RATIO_BPS,
        NO_SHOW_BPS,
        600_000,
    );
    let compute = instantiate!(client, &ink_e2e::alice(), "compute_market", ctor);
    let mut v = ink_e2e::create_call_builder::<Escrow>(m.vault);
    let mut c = ink_e2e::create_call_builder::<ComputeMarket>(compute);
    tx!(client, &ink_e2e::alice(), v.set_controller(compute, true)).expect("controller");
    tx!(
        client,
        &ink_e2e::alice(),
        c.set_asset_allowed(m.token, true)
    )
    .expect("token");
    compute
}

/// A new account of the test's own, given [`FUNDS`] by alice.
pub async fn fresh_account(client: &mut impl Node) -> Keypair {
    let alice = ink_e2e::alice();
    let started = std::time::Instant::now();
    let signing = harness::signing(&alice).await;
    let account = client.create_and_fund_account(&alice, FUNDS).await;
    drop(signing);
    harness::record(Step::Tx, started);
    account
}

/// The account id of a key pair (a dev account or one created for the test).
pub fn id(k: &Keypair) -> AccountId {
    AccountId::from(k.public_key().0)
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
