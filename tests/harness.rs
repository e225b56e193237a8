//! What `#[e2e_macros::test]` runs: the test's body on the dev node of its group, with an
//! ink_e2e client that deploys the contract bundles already built, instead of building
//! them again.
//!
//! **Nodes.** A group is a theme of tests ([`group_of`]: the test file, or the theme the
//! file belongs to). The first test of a group starts the group's
//! `substrate-contracts-node` (a dev chain in a folder of its own under the system's
//! temporary folder), and every later test of the group runs on it; groups run in
//! parallel, each on its own node. A node lives as long as the test binary: an `atexit`
//! handler kills every node and deletes its folder when libtest exits (it ends with
//! `std::process::exit`, which runs the handlers, whether tests failed or not), and
//! each node is forked from one long-lived thread with `PR_SET_PDEATHSIG`, so the
//! kernel kills it if the binary dies without exiting (a signal, an abort).
//!
//! **Accounts.** Tests of a group run at the same time on one node and sign with the
//! same dev accounts (alice … ferdie). ink_e2e reads a signer's nonce at the best block,
//! so two transactions of one signer in flight at once would get the same nonce: every
//! submission (the `tx!` family, `instantiate!`, `assert_refused!`, [`crate::fixtures`])
//! holds its signer's lock on the node ([`signing`]) until it is in a block. Each test
//! deploys contract instances of its own, so what a test asserts about contract state is
//! its own; a test that asserts a native balance uses an account of its own
//! (`fixtures::fresh_account`).
//!
//! **Bundles.** The bundles are the release builds `make build` (scripts/build.sh)
//! writes to `target/ink/<contract>/<contract>.wasm`, the code that is deployed, and the
//! hostile test token, built in debug mode so that it prints its attack markers
//! (`cargo contract build --manifest-path tests/contracts/hostile_token/Cargo.toml`).
//! `make test` builds both before this stage. A bundle that is missing, or older than
//! the sources it is built from, stops the test with the command that rebuilds it, so
//! a test never runs stale code.
//!
//! `INK_BUNDLES` points at another folder laid out like `target/ink`; `CONTRACTS_NODE`
//! names the node binary (default: `substrate-contracts-node` on `PATH`);
//! `E2E_TIMINGS=<file>` appends one line per test to `<file>`: how long it waited for its
//! node, and the count and seconds of its deploys, transactions, queries, refusals and
//! waits for the clock.

use crate::E2EResult;
use ink::env::DefaultEnvironment;
use ink_e2e::tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use ink_e2e::Keypair;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::os::raw::{c_int, c_ulong};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

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

/// The group of each test file: its theme. A file not listed is a group of its own.
/// A node costs 6-20 s of CPU to start (most of it compiling the runtime), more than
/// most tests take, so a group is a theme, not a file: measured on 2 cores, one node
/// per file (12) ran the suite in 172 s, one per theme (3) in the time
/// `docs/testing.md` gives.
const THEMES: [(&str, &str); 12] = [
    ("escrow", "market"),
    ("hostile", "market"),
    ("journeys", "market"),
    ("purchase", "market"),
    ("registry", "market"),
    ("token", "market"),
    ("compute", "rentals"),
    ("hostile_rentals", "rentals"),
    ("dao_appeals", "dao"),
    ("dao_cases", "dao"),
    ("dao_fallback", "dao"),
    ("dao_governance", "dao"),
];

/// The group of the tests in module `module` (a `module_path!()`): its file's theme,
/// or the file itself.
pub fn group_of(module: &str) -> &str {
    let file = module.rsplit("::").next().unwrap_or(module);
    THEMES
        .iter()
        .find(|(f, _)| *f == file)
        .map_or(file, |(_, theme)| theme)
}

/// Runs one e2e test: connects a client that knows every bundle to the node of the
/// test's group (starting the node if this is the group's first test), and awaits
/// `test` with it.
pub fn run<F, Fut>(module: &str, name: &str, test: F) -> E2EResult<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = E2EResult<()>>,
{
    ink_e2e::LOG_PREFIX.with(|prefix| *prefix.borrow_mut() = format!("test: {name}"));
    ink_e2e::INIT.call_once(ink_e2e::tracing_subscriber::fmt::init);
    let bundles = bundles();
    let group = group_of(module);
    let started = Instant::now();
    let node = node(group)?;
    STATS.with(|s| *s.borrow_mut() = Stats::default());
    record(Step::Node, started);
    CURRENT.with(|c| c.set(Some(node)));
    let outcome = ink_e2e::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let rpc = ink_e2e::RpcClient::from_url(&node.url)
                .await
                .map_err(|e| format!("connecting to the {group} node failed: {e:?}"))?;
            let client = Client::new(rpc, bundles).await?;
            test(client).await
        });
    CURRENT.with(|c| c.set(None));
    report(group, name, started.elapsed());
    outcome
}

/// Holds `signer`'s lock on the current test's node: no other test of the group submits
/// a transaction signed by `signer` until the guard is dropped. Take it around every
/// submission (the macros and fixtures do).
pub async fn signing(signer: &Keypair) -> OwnedMutexGuard<()> {
    let node = CURRENT
        .with(Cell::get)
        .expect("signing outside an e2e test");
    let lock = node
        .signers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(signer.public_key().0)
        .or_default()
        .clone();
    lock.lock_owned().await
}

/// Sleeps `ms` milliseconds of wall-clock time (the dev node's clock), counted as a
/// wait in the test's timings.
pub fn sleep_ms(ms: u64) {
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(ms));
    record(Step::Wait, started);
}

/// A running node of a group.
struct Node {
    /// Its RPC endpoint, `ws://127.0.0.1:<port>`.
    url: String,
    /// One lock per account that signs on it (see [`signing`]).
    signers: Mutex<HashMap<[u8; 32], Arc<AsyncMutex<()>>>>,
}

thread_local! {
    /// The node of the test running on this thread.
    static CURRENT: Cell<Option<&'static Node>> = const { Cell::new(None) };
}

type Started = OnceLock<Result<Node, String>>;

/// The node of `group`, started on first use. Tests of other groups start theirs at
/// the same time; tests of this group wait for the first one's.
fn node(group: &str) -> Result<&'static Node, String> {
    static GROUPS: OnceLock<Mutex<HashMap<String, &'static Started>>> = OnceLock::new();
    let cell: &'static Started = GROUPS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(group.to_owned())
        .or_insert_with(|| Box::leak(Box::default()));
    cell.get_or_init(|| start_node(group))
        .as_ref()
        .map_err(Clone::clone)
}

/// The nodes started so far, with their chain folders, for [`stop_nodes`].
static CHILDREN: Mutex<Vec<(Child, PathBuf)>> = Mutex::new(Vec::new());

extern "C" {
    fn atexit(callback: extern "C" fn()) -> c_int;
    fn prctl(option: c_int, ...) -> c_int;
}
const PR_SET_PDEATHSIG: c_int = 1;
const SIGKILL: c_ulong = 9;

/// Kills every node and deletes its folder; runs when the test binary exits.
extern "C" fn stop_nodes() {
    let Ok(mut children) = CHILDREN.try_lock() else {
        return; // Another thread is starting a node: PR_SET_PDEATHSIG ends them all.
    };
    for (child, base) in children.iter_mut() {
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(base);
    }
}

/// Forks `cmd` on the one thread that lives as long as the binary: PR_SET_PDEATHSIG
/// fires when the thread that forked a child ends, and libtest's test threads end after
/// each test.
fn spawn_on_keeper(cmd: Command) -> std::io::Result<Child> {
    type Request = (Command, mpsc::Sender<std::io::Result<Child>>);
    static KEEPER: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    let keeper = KEEPER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("e2e-node-keeper".into())
            .spawn(move || {
                // The sender is in a static, never dropped: this loop never ends.
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("starting the node keeper thread");
        // SAFETY: `stop_nodes` is an `extern "C" fn()` that never unwinds.
        unsafe { atexit(stop_nodes) };
        Mutex::new(tx)
    });
    let (reply, child) = mpsc::channel();
    keeper
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((cmd, reply))
        .expect("the node keeper thread is alive");
    child.recv().expect("the node keeper thread replies")
}

/// Starts the node of `group` and waits until its RPC server listens.
fn start_node(group: &str) -> Result<Node, String> {
    let program =
        std::env::var("CONTRACTS_NODE").unwrap_or_else(|_| "substrate-contracts-node".into());
    static SWEEP: std::sync::Once = std::sync::Once::new();
    SWEEP.call_once(sweep_chain_folders);
    let base = std::env::temp_dir().join(format!("e2e-node-{}-{group}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let mut cmd = Command::new(&program);
    cmd.env("RUST_LOG", "info")
        .args(["--dev", "--port=0", "--rpc-port=0", "--base-path"])
        .arg(&base)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| match prctl(PR_SET_PDEATHSIG, SIGKILL) {
            0 => Ok(()),
            _ => Err(std::io::Error::last_os_error()),
        });
    }
    let mut child =
        spawn_on_keeper(cmd).map_err(|e| format!("spawning {program} for {group}: {e}"))?;
    let stderr = child.stderr.take().expect("stderr is piped");
    CHILDREN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((child, base));
    let mut lines = BufReader::new(stderr).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| rpc_port(&line))
        .ok_or_else(|| format!("the {group} node exited before its RPC server started"))?;
    // Keep reading its log, so the node never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok(Node {
        url: format!("ws://127.0.0.1:{port}"),
        signers: Mutex::default(),
    })
}

/// Deletes the chain folders a test binary that died without exiting left behind
/// (`e2e-node-<pid>-<group>`, its process gone; PR_SET_PDEATHSIG ended its nodes).
fn sweep_chain_folders() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("e2e-node-")) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or_default();
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The port in the node's "Running JSON-RPC server: addr=127.0.0.1:<port>,…" line.
fn rpc_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once("Running JSON-RPC server: addr=127.0.0.1:")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What a test's time goes to, for `E2E_TIMINGS`.
#[derive(Clone, Copy)]
pub enum Step {
    /// Waiting for the group's node (its start, for the group's first test).
    Node,
    /// Contract instantiations.
    Deploy,
    /// Submitted transactions (with their gas-estimating dry-runs).
    Tx,
    /// Read-only dry-runs.
    Query,
    /// `assert_refused!`: a dry-run and a failing submission.
    Refused,
    /// Sleeping for the node's clock to pass a time.
    Wait,
}

#[derive(Default, Clone, Copy)]
struct Stats([(u32, Duration); 6]);

thread_local! {
    static STATS: RefCell<Stats> = RefCell::default();
}

/// Counts a `step` that began at `since` in the current test's timings.
pub fn record(step: Step, since: Instant) {
    STATS.with(|s| {
        let entry = &mut s.borrow_mut().0[step as usize];
        entry.0 += 1;
        entry.1 += since.elapsed();
    });
}

/// Appends the test's timings to the file `E2E_TIMINGS` names, if it does.
fn report(group: &str, name: &str, total: Duration) {
    use std::io::Write;
    let Some(path) = std::env::var_os("E2E_TIMINGS") else {
        return;
    };
    let Stats(s) = STATS.with(|s| *s.borrow());
    let mut line = format!("{group}::{name} total={:.2}", total.as_secs_f64());
    let names = ["node", "deploy", "tx", "query", "refused", "wait"];
    for (label, (count, time)) in names.iter().zip(s) {
        line += &format!(" {label}={count}/{:.2}", time.as_secs_f64());
    }
    line.push('\n');
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut file) = file {
        let _ = file.write_all(line.as_bytes());
    }
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
