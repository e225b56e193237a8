#!/usr/bin/env bash
# `make budgets` (and a stage of `make test`): every contract's optimized size and every
# user-facing message's cost, as a multiple of the reference transfer, checked against
# the committed budgets in bench/budgets.json, on a fresh node this script starts and
# always stops (scripts/budgets.ts; about 30 s after the build). Fails when a figure
# exceeds its budget. `BUDGETS_WRITE=1` rewrites the budgets from this run instead
# (commit them with the reason).
#
# BUDGET_PORT (default 9978) is the node's RPC port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh

# `make test` has just built the contracts and sets BUDGETS_SKIP_BUILD=1.
[ "${BUDGETS_SKIP_BUILD:-0}" = 1 ] || bash scripts/build.sh

export NODE_PORT=${BUDGET_PORT:-9978}
trap 'bash scripts/node.sh stop >/dev/null' EXIT
bash scripts/node.sh start
write=()
[ "${BUDGETS_WRITE:-0}" = 1 ] && write=(--write)
npx --no-install tsx scripts/budgets.ts --url "ws://127.0.0.1:$NODE_PORT" "${write[@]}"
