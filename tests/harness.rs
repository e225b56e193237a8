//! What `#[e2e_macros::test]` runs: a dev node of the test's own and an ink_e2e client
//! that deploys the contract bundles already built, instead of building them again.
//!
//! The bundles are the release builds `make build` (scripts/build.sh) writes to
//! `target/ink/<contract>/<contract>.wasm`, the code that is deployed, and the hostile
//! test token, built in debug mode so that it prints its attack markers
//! (`cargo contract build --manifest-path tests/contracts/hostile_token/Cargo.toml`).
//! `make test` builds both before this stage. A bundle that is missing, or older than
//! the sources it is built from, stops the test with the command that rebuilds it, so
//! a test never runs stale code.
//!
//! `INK_BUNDLES` points at another folder laid out like `target/ink`; `CONTRACTS_NODE`
//! names the node binary (default: `substrate-contracts-node` on `PATH`).

use crate::E2EResult;
use ink::env::DefaultEnvironment;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The client every e2e test gets.
pub type Client = ink_e2e::Client<ink_e2e::PolkadotConfig, DefaultEnvironment>;

/// Each bundle the tests deploy, with the source folders (from the workspace root) it
/// is built from.
const BUNDLES: [(&str, &[&str]); 6] = [
    ("market_token", &["contracts/market_token"]),
    (
        "model_registry",
        &["contracts/model_registry", "contracts/market_types"],
    ),
    ("escrow", &["contracts/escrow", "contracts/market_types"]),
    (
        "compute_market",
        &["contracts/compute_market", "contracts/market_types"],
    ),
    (
        "dispute_dao",
        &["contracts/dispute_dao", "contracts/market_types"],
    ),
    (
        "hostile_token",
        &[
            "tests/contracts/hostile_token",
            "contracts/model_registry",
            "contracts/market_types",
        ],
    ),
];

/// Runs one e2e test: starts a dev node, connects a client that knows every bundle,
/// and awaits `test` with it. The node stops when the test ends.
pub fn run<F, Fut>(name: &str, test: F) -> E2EResult<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = E2EResult<()>>,
{
    ink_e2e::LOG_PREFIX.with(|prefix| *prefix.borrow_mut() = format!("test: {name}"));
    ink_e2e::INIT.call_once(ink_e2e::tracing_subscriber::fmt::init);
    let bundles = bundles();
    ink_e2e::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let node =
                ink_e2e::TestNodeProcess::<ink_e2e::PolkadotConfig>::build_with_env_or_default()
                    .spawn()
                    .await
                    .map_err(|e| format!("spawning substrate-contracts-node failed: {e:?}"))?;
            let client = Client::new(node.rpc(), bundles).await?;
            let outcome = test(client).await;
            drop(node);
            outcome
        })
}

/// The workspace root: the e2e crate lives in `<root>/tests`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the e2e crate lives in the workspace")
        .to_path_buf()
}

/// The `.wasm` of every bundle, checked present and newer than its sources; panics with
/// the command that rebuilds it otherwise.
fn bundles() -> Vec<PathBuf> {
    let root = workspace_root();
    let dir = std::env::var_os("INK_BUNDLES")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(|t| PathBuf::from(t).join("ink")))
        .unwrap_or_else(|| root.join("target/ink"));
    BUNDLES
        .iter()
        .map(|(name, sources)| {
            let wasm = dir.join(name).join(format!("{name}.wasm"));
            let rebuild = if *name == "hostile_token" {
                "cargo contract build --manifest-path tests/contracts/hostile_token/Cargo.toml"
            } else {
                "make build"
            };
            let built = std::fs::metadata(&wasm)
                .and_then(|m| m.modified())
                .unwrap_or_else(|_| panic!("{} is missing: run `{rebuild}` first", wasm.display()));
            let newest = sources
                .iter()
                .filter_map(|s| newest_source(&root.join(s)))
                .max();
            if newest.is_some_and(|n| n > built) {
                panic!(
                    "{} is older than its sources: run `{rebuild}` first",
                    wasm.display()
                );
            }
            wasm
        })
        .collect()
}

/// The newest modification time of a `.rs` or `Cargo.toml` file under `dir`, unit
/// tests (`tests.rs`, `tests/`) left out: they are not in the bundle.
fn newest_source(dir: &Path) -> Option<SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.file_stem().is_some_and(|s| s == "tests") {
            continue;
        }
        let time = if path.is_dir() {
            newest_source(&path)
        } else if path.extension().is_some_and(|e| e == "rs")
            || path.file_name().is_some_and(|n| n == "Cargo.toml")
        {
            entry.metadata().and_then(|m| m.modified()).ok()
        } else {
            None
        };
        newest = newest.max(time);
    }
    newest
}
