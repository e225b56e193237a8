#!/usr/bin/env bash
# `make demo`: the marketplace scenario on a fresh local node this script starts and
# always stops (also on failure or Ctrl-C). Builds the contracts, then runs
# scripts/demo.ts: deploy and wire through the typed TypeScript client, the scenario
# step by step (licenses, GPU rentals, a dispute the DAO's jury decides, a fee change by
# DAO proposal), and a final table of every account's balances, the vault's reserves
# and the DAO's stake. About 40 s after the build.
#
# DEMO_PORT (default 9955) is the node's RPC port, so the demo never touches a node
# started by `make node` on 9944. The deployment lands in deployments/demo.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh

# `make test` has just built the contracts and sets DEMO_SKIP_BUILD=1.
[ "${DEMO_SKIP_BUILD:-0}" = 1 ] || bash scripts/build.sh

export NODE_PORT=${DEMO_PORT:-9955}
trap 'bash scripts/node.sh stop' EXIT
bash scripts/node.sh start
npx --no-install tsx scripts/demo.ts --url "ws://127.0.0.1:$NODE_PORT"
