#!/usr/bin/env bash
# `make bench`: cost benchmark on a local node this script starts and always stops.
# Writes bench/results.json and prints dry-run weights of the vault's messages with 1
# and with 1,000 existing escrows, of the registry's with 1 and 1,000 models (and 200
# licenses of one buyer), of the compute market's messages and views with 1 and with 1,000 offers and
# rentals (BENCH_GROWTH sets the 1,000), of the dispute DAO's messages with a case of 3 and of 100
# jurors (and proposals 3 and 100 members voted on), one call of each user-facing
# message against the reference transfer with how many fit in one parachain block, what
# one more contract hop, KiB of code and storage cell cost (the probe in bench/probe),
# plus every contract's optimized size (scripts/bench.ts, through the typed TypeScript
# client; about 35 minutes with 1,000, most of it the ~4,500 transactions that grow the
# state, one block each).
#
# The block limits come from the contracts-node's parachain runtime itself: this starts
# it (`--chain contracts-parachain-local`, no relay chain: it serves its constants but
# makes no blocks) on BENCH_PARA_PORT (default 9979) and writes bench/block-limits.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh
bash scripts/build.sh
bash scripts/twiggy.sh
share_contract_builds
cargo contract build --release --quiet --manifest-path bench/probe/Cargo.toml

para_port=${BENCH_PARA_PORT:-9979}
export NODE_PORT=${BENCH_PORT:-9977}
trap 'bash scripts/node.sh stop; NODE_PORT=$para_port bash scripts/node.sh stop >/dev/null' EXIT
NODE_PORT=$para_port NODE_CHAIN=contracts-parachain-local bash scripts/node.sh start
npx --no-install tsx scripts/block-limits.ts --url "ws://127.0.0.1:$para_port" \
  --node "$(substrate-contracts-node --version) --chain contracts-parachain-local" --out bench/block-limits.json
NODE_PORT=$para_port bash scripts/node.sh stop
bash scripts/node.sh start
npx --no-install tsx scripts/bench.ts --url "ws://127.0.0.1:$NODE_PORT" --out bench/results.json
