#!/usr/bin/env bash
# `make demo`: the marketplace scenario on a local node this script starts and always
# stops (also on failure or Ctrl-C). Builds the contracts, deploys them with
# `cargo contract instantiate`, drives the scenario with `cargo contract call`
# (scripts/demo.py), and prints what it reads back from the chain.
#
# DEMO_PORT (default 9955) is the node's RPC port, so the demo never touches a node
# started by `make node` on 9944.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh
command -v python3 >/dev/null 2>&1 || {
  echo "demo: FAILED: python3 is needed to drive cargo-contract" >&2
  exit 1
}

# `make test` has just built the contracts and sets DEMO_SKIP_BUILD=1.
[ "${DEMO_SKIP_BUILD:-0}" = 1 ] || bash scripts/build.sh

export NODE_PORT=${DEMO_PORT:-9955}
trap 'bash scripts/node.sh stop' EXIT
bash scripts/node.sh start
python3 scripts/demo.py "ws://127.0.0.1:$NODE_PORT"
echo "demo: OK"
