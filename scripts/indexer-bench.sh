#!/usr/bin/env bash
# `make indexer-bench`: the indexer at scale (docs/indexer.md, "Measured"). On a fresh
# node of its own (INDEXER_BENCH_PORT, default 9942) and an empty database
# (indexer_bench in the project's cluster, scripts/pg.sh): seeds INDEXER_BENCH_MODELS
# models and INDEXER_BENCH_OFFERS GPU offers (default 10,000 each), indexes the chain
# from its first block, times five searches through the API, and answers the same five
# from the chain's paged views, counting the calls and timing them (indexer/bench.ts;
# INDEXER_BENCH_RUNS API runs and INDEXER_BENCH_CHAIN_RUNS on-chain runs each).
# Results in .run/indexer-bench.json; the node is stopped at the end, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_PG=1 bash scripts/setup.sh
export NODE_PORT=${INDEXER_BENCH_PORT:-9942}
export INDEXER_PG_PORT=${INDEXER_PG_PORT:-5544}
trap 'bash scripts/node.sh stop' EXIT
bash scripts/pg.sh start
INDEXER_PG_DB=postgres bash scripts/pg.sh psql -c "DROP DATABASE IF EXISTS indexer_bench" -c "CREATE DATABASE indexer_bench"
bash scripts/node.sh start
INDEXER_DATABASE_URL="postgres://indexer@127.0.0.1:$INDEXER_PG_PORT/indexer_bench" \
  node --import tsx indexer/bench.ts --url "ws://127.0.0.1:$NODE_PORT" \
  --models "${INDEXER_BENCH_MODELS:-10000}" --offers "${INDEXER_BENCH_OFFERS:-10000}" --runs "${INDEXER_BENCH_RUNS:-200}" \
  --chain-runs "${INDEXER_BENCH_CHAIN_RUNS:-3}"
