#!/usr/bin/env bash
# `make test`: formatting, clippy and the TypeScript type check, the release builds
# (and the client's typings, which must match what is committed), every unit test,
# every e2e test on substrate-contracts-node, the operators' cargo-contract path, the
# TypeScript scenario (`make demo`), and the dApp's browser tests in headless Chromium.
# Fails if any test fails, or if no e2e test ran (a missing node is a failure, never a
# skip). Prints how many unit and e2e tests ran.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_BROWSER=1 bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh
mkdir -p .run

node_bin=${CONTRACTS_NODE:-$(command -v substrate-contracts-node || true)}
if [ -z "$node_bin" ] || ! "$node_bin" --version >/dev/null 2>&1; then
  echo "test: FAILED: substrate-contracts-node not found; e2e tests cannot run (run scripts/setup.sh)" >&2
  exit 1
fi
export CONTRACTS_NODE=$node_bin

# Sums the "N passed" / "N failed" of every `test result:` line in a cargo test log.
count() { grep -Eo "[0-9]+ $1" "$2" | awk '{s += $1} END {print s + 0}'; }

# Lint first, so a formatting slip or a clippy warning fails in minutes, not after the
# e2e stage: rustfmt's check on everything and clippy with warnings as errors on every
# contract crate and its tests. The e2e crate is left to `make lint`: checking it pulls
# in the whole ink_e2e / subxt host stack in check mode, about 5 more minutes on a
# fresh machine for code that the e2e stage compiles (and the compiler checks) anyway.
echo "test: lint (cargo fmt --check, cargo clippy -D warnings)"
cargo fmt --all -- --check
cargo clippy --workspace --exclude e2e --all-targets -- -D warnings
echo "test: TypeScript (tsc --strict: client, scripts, browser tests, dApp)"
npx --no-install tsc -p tsconfig.json
npx --no-install tsc -p app/tsconfig.json

echo "test: unit tests (cargo test --workspace)"
cargo test --workspace 2>&1 | tee .run/unit-tests.log
unit=$(count passed .run/unit-tests.log)

# ink_e2e builds, at test time, every package of the workspace graph that has an
# `ink-as-dependency` feature, and that includes the psp22 crate itself. cargo-contract
# 5.0.3 runs clippy with `-D clippy::cast_possible_truncation` on each, and psp22 2.0.0's
# own error enum trips it. The runner caps lints to warnings for those builds only (the
# test binary's environment, not the compile of the tests; our contracts' lints are
# enforced by the release builds below).
host=$(rustc -vV | sed -n 's/^host: //p')
export "CARGO_TARGET_$(echo "$host" | tr 'a-z-' 'A-Z_')_RUNNER=env RUSTFLAGS=--cap-lints=warn"
echo "test: e2e tests on $("$node_bin" --version) (cargo test -p e2e --features e2e-tests)"
start=$(date +%s)
cargo test -p e2e --features e2e-tests 2>&1 | tee .run/e2e-tests.log
e2e=$(count passed .run/e2e-tests.log)
secs=$(( $(date +%s) - start ))

if [ "$e2e" -eq 0 ]; then
  echo "test: FAILED: no e2e test ran" >&2
  exit 1
fi

# The release builds come after the e2e stage, because ink_e2e rebuilds every contract
# into target/ink in debug mode; the stages below (and anyone deploying afterwards) get
# the release bundles. They are part of the test: they run cargo-contract's own clippy checks
# (overflow, lossy casts) and must finish without a warning. They also regenerate the
# client's typings; committed typings that differ from the contracts are a failure in a
# clean checkout (CI), and a reminder to commit them in a working copy.
unset "CARGO_TARGET_$(echo "$host" | tr 'a-z-' 'A-Z_')_RUNNER"
bash scripts/build.sh
if ! git diff --quiet -- client/src/contracts; then
  git diff --stat -- client/src/contracts
  if [ -z "$(git status --porcelain --untracked-files=no -- contracts)" ]; then
    echo "test: FAILED: client/src/contracts/ differs from the committed typings: run make build and commit them" >&2
    exit 1
  fi
  echo "test: note: the contracts changed, so did their typings in client/src/contracts/: commit both"
fi

# The operators' path: deploy and wire every contract with `cargo contract instantiate`
# and `call` alone, as the README shows, on a node of its own, checked on chain.
echo "test: the cargo-contract deployment path (scripts/operator.sh, log .run/operator.log)"
start=$(date +%s)
bash scripts/operator.sh
op_secs=$(( $(date +%s) - start ))

# The main job: the whole scenario through the typed TypeScript client.
echo "test: the marketplace scenario (make demo, log .run/demo.log)"
start=$(date +%s)
if ! DEMO_SKIP_BUILD=1 bash scripts/demo.sh >.run/demo.log 2>&1; then
  tail -n 30 .run/demo.log
  echo "test: FAILED: the scenario (make demo) failed" >&2
  exit 1
fi
demo_secs=$(( $(date +%s) - start ))

# The dApp in headless Chromium against a node with the contracts deployed.
echo "test: browser tests (scripts/browser-test.sh, screenshots in .run/browser/)"
start=$(date +%s)
bash scripts/browser-test.sh
browser_secs=$(( $(date +%s) - start ))
echo "test: OK: $unit unit tests passed, $e2e e2e tests passed on the node (e2e stage ${secs}s), cargo-contract path (${op_secs}s), scenario (${demo_secs}s), browser tests (${browser_secs}s)"
