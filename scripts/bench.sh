#!/usr/bin/env bash
# `make bench`: cost benchmark on a local node this script starts and always stops.
# Writes bench/results.json and prints dry-run weights of the vault's messages with 1
# and with 200 existing escrows, of the compute market's messages and views with 1 and
# with 200 offers and rentals, of the dispute DAO's messages with a case of 3 and of 100
# jurors (and proposals 3 and 100 members voted on), plus every contract's optimized
# size (scripts/bench.ts, through the typed TypeScript client; about 5 minutes, most of
# it the DAO's commit, reveal and voting periods).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh
bash scripts/build.sh
export NODE_PORT=${BENCH_PORT:-9977}
trap 'bash scripts/node.sh stop' EXIT
bash scripts/node.sh start
npx --no-install tsx scripts/bench.ts --url "ws://127.0.0.1:$NODE_PORT" --out bench/results.json
