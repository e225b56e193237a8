#!/usr/bin/env bash
# The indexer's test against a real node and a real PostgreSQL (`make test`'s "indexer"
# stage). On a node of its own (INDEXER_TEST_PORT, default 9941, its chain kept in
# .run/indexer-test/chain so that it can be restarted) and a database of its own in the
# project's cluster (scripts/pg.sh, port INDEXER_PG_PORT, default 5544):
#
#   1. runs the demo scenario (scripts/demo.ts --network indexer-test) while the
#      processor follows it live; about a third of the way in the processor is killed
#      with SIGKILL and started again (it resumes at its cursor);
#   2. once the scenario is done and indexed, stops the node, lets the processor see it
#      gone, starts the node again on the same chain and sends new transactions: the
#      same processor reconnects and indexes them;
#   3. the truth check (indexer/check.ts truth): every entity the chain's views return
#      against the rows, field by field, and every contract event of every block
#      against the events table; the API's check (indexer/api-check.ts): every route
#      through the typed client against the chain's views; the dApp's searches through
#      the indexer in headless Chromium (tests/browser/indexer.ts; INDEXER_TEST_NO_BROWSER=1
#      leaves them out where there is no Chromium); then a corrupted row and a corrupted
#      event must make the truth check fail (it can fail);
#   4. indexes the same chain again into an empty database in one go and compares every
#      table's digest with the first database: the crash and the reconnect cost nothing
#      and duplicated nothing.
#
# Fails on any mismatch; prints what it compared and how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
begin=$(date +%s)

port=${INDEXER_TEST_PORT:-9941}
url="ws://127.0.0.1:$port"
network=indexer-test
dir=.run/indexer-test
export INDEXER_PG_PORT=${INDEXER_PG_PORT:-5544}
db_live=indexer_test
db_replay=indexer_test_replay
say() { echo "indexer-test: $*"; }
fail() {
  for f in "$dir"/processor-*.log; do
    [ -f "$f" ] && { echo "----- last lines of $f -----" >&2; tail -n 8 "$f" >&2; }
  done
  echo "indexer-test: FAILED: $*" >&2
  exit 1
}
elapsed() { echo "$(($(date +%s) - begin)) s"; }

node_bin=${CONTRACTS_NODE:-$(command -v substrate-contracts-node || true)}
[ -n "$node_bin" ] || fail "substrate-contracts-node not found (run scripts/setup.sh)"
# TypeScript through tsx as node's loader: one process, no npx start-up on every step.
run_ts() { node --import tsx "$@"; }
rpc() { # method [params-json]
  curl -s --max-time 2 -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":[${2:-}]}" "http://127.0.0.1:$port"
}

node_pid=""
proc_pid=""
demo_pid=""
api_pid=""
replay_pid=""
api_port=${INDEXER_TEST_API_PORT:-4351}
pg_was_running=0
cleanup() {
  [ -z "$proc_pid" ] || kill -KILL "$proc_pid" 2>/dev/null || true
  [ -z "$api_pid" ] || kill "$api_pid" 2>/dev/null || true
  [ -z "$replay_pid" ] || kill "$replay_pid" 2>/dev/null || true
  [ -z "$demo_pid" ] || kill -KILL -- "-$demo_pid" 2>/dev/null || true
  if [ -n "$node_pid" ]; then
    kill "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  [ "$pg_was_running" = 1 ] || bash scripts/pg.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_node() {
  if rpc system_health | grep -q result; then fail "port $port already answers RPC; set INDEXER_TEST_PORT"; fi
  setsid "$node_bin" --dev --state-pruning archive-canonical --base-path "$dir/chain" --rpc-port "$port" --port 0 --rpc-cors all \
    >>"$dir/node.log" 2>&1 </dev/null &
  node_pid=$!
  for _ in $(seq 1 120); do
    rpc system_health | grep -q result && return 0
    kill -0 "$node_pid" 2>/dev/null || fail "the node exited during start-up (log $dir/node.log)"
    sleep 0.5
  done
  fail "the node did not answer on port $port within 60 s (log $dir/node.log)"
}

# A processor following the live database: one node process (tsx as a loader, no npx
# or tsx wrapper in between), so that SIGKILL and SIGTERM reach exactly it.
start_processor() { # log file
  INDEXER_DATABASE_URL=$live_url node --import tsx indexer/main.ts process --network "$network" --url "$url" \
    >>"$1" 2>&1 </dev/null &
  proc_pid=$!
}

cursor() { INDEXER_PG_DB=$db_live bash scripts/pg.sh psql -tAc "SELECT coalesce((SELECT block_number FROM indexer_cursor), -1)"; }

rm -rf "$dir" "deployments/$network.json" "deployments/$network"
mkdir -p "$dir"
bash scripts/pg.sh status >/dev/null 2>&1 && pg_was_running=1
bash scripts/pg.sh start
# Two empty databases; each processor applies the migrations itself.
for db in $db_live $db_replay; do
  INDEXER_PG_DB=postgres bash scripts/pg.sh psql -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
done
live_url="postgres://indexer@127.0.0.1:$INDEXER_PG_PORT/$db_live"
replay_url="postgres://indexer@127.0.0.1:$INDEXER_PG_PORT/$db_replay"
say "PostgreSQL ready ($(elapsed))"
start_node
say "node on $url, databases $db_live and $db_replay on port $INDEXER_PG_PORT ($(elapsed))"

# 1. The scenario, indexed live, with a crash of the processor in the middle.
setsid node --import tsx scripts/demo.ts --url "$url" --network "$network" >"$dir/demo.log" 2>&1 </dev/null &
demo_pid=$!
for _ in $(seq 1 120); do
  [ -f "deployments/$network.json" ] && break
  kill -0 "$demo_pid" 2>/dev/null || { tail -n 20 "$dir/demo.log"; fail "the scenario stopped before deploying (log $dir/demo.log)"; }
  sleep 0.5
done
[ -f "deployments/$network.json" ] || fail "no deployments/$network.json after 60 s"
start_processor "$dir/processor-1.log"
sleep 10
kill -KILL "$proc_pid"
wait "$proc_pid" 2>/dev/null || true
before_kill=$(cursor)
say "processor killed (SIGKILL) at block #$before_kill while the scenario runs; starting it again ($(elapsed))"
start_processor "$dir/processor-2.log"
if ! wait "$demo_pid"; then
  demo_pid=""
  tail -n 30 "$dir/demo.log"
  fail "the scenario failed (log $dir/demo.log)"
fi
demo_pid=""
say "scenario done: $(grep -c '^demo: \[' "$dir/demo.log") steps ($(elapsed))"
INDEXER_DATABASE_URL=$live_url run_ts indexer/check.ts wait --url "$url" --network "$network" || fail "the index did not reach the head"
# (-1: killed before it wrote its first cursor; then it starts from the beginning.)
expected_from=$((before_kill < 0 ? 1 : before_kill + 1))
grep -q "from block #$expected_from " "$dir/processor-2.log" ||
  fail "the restarted processor did not resume after block #$before_kill ($(head -n 1 "$dir/processor-2.log"))"

# 2. The node goes away and comes back; the same processor carries on.
kill "$node_pid"
wait "$node_pid" 2>/dev/null || true
node_pid=""
for _ in $(seq 1 40); do
  grep -q reconnecting "$dir/processor-2.log" && break
  sleep 0.25
done
grep -q reconnecting "$dir/processor-2.log" || fail "the processor did not notice the node was gone (log $dir/processor-2.log)"
start_node
say "node stopped and started again on the same chain ($(elapsed))"
run_ts indexer/check.ts poke --url "$url" --network "$network"
INDEXER_DATABASE_URL=$live_url run_ts indexer/check.ts wait --url "$url" --network "$network" || fail "the index did not reach the head after the restart"
kill -0 "$proc_pid" 2>/dev/null || fail "the processor exited instead of reconnecting (log $dir/processor-2.log)"
say "the processor reconnected: $(grep -c reconnecting "$dir/processor-2.log") reconnection attempt(s) logged"
# The replay (step 4) indexes the same blocks into the empty database meanwhile.
INDEXER_DATABASE_URL=$replay_url node --import tsx indexer/main.ts process --network "$network" --url "$url" --until-head >"$dir/replay.log" 2>&1 &
replay_pid=$!

# 3. The truth check, the API's check, and proof that the truth check can fail.
INDEXER_DATABASE_URL=$live_url run_ts indexer/check.ts truth --url "$url" --network "$network" | tee "$dir/truth.log"
INDEXER_DATABASE_URL=$live_url run_ts indexer/api-check.ts --url "$url" --network "$network" || fail "the API disagrees with the chain"
chromium_bin=${CHROMIUM:-/usr/bin/chromium}
if [ "${INDEXER_TEST_NO_BROWSER:-0}" = 1 ]; then
  say "the dApp's searches through the indexer left out (INDEXER_TEST_NO_BROWSER=1)"
else
  [ -x "$chromium_bin" ] || fail "no Chromium at $chromium_bin for the dApp's searches (SETUP_BROWSER=1 bash scripts/setup.sh installs it; INDEXER_TEST_NO_BROWSER=1 leaves them out)"
  # node itself, not through run_ts: $! must be the server's pid (a function put in the
  # background is a subshell of its own, and killing that leaves node running).
  INDEXER_DATABASE_URL=$live_url node --import tsx indexer/main.ts serve --network "$network" --url "$url" --port "$api_port" >"$dir/api.log" 2>&1 &
  api_pid=$!
  # A build of the dApp of its own (it carries deployments/, this test's included).
  npx --no-install vite build --config app/vite.config.ts --logLevel warn --outDir "$PWD/$dir/dist" --emptyOutDir
  for _ in $(seq 1 40); do
    curl -sf "http://127.0.0.1:$api_port/status" >/dev/null && break
    kill -0 "$api_pid" 2>/dev/null || fail "the API exited (log $dir/api.log)"
    sleep 0.25
  done
  BROWSER_NETWORK=$network INDEXER_API="http://127.0.0.1:$api_port" INDEXER_DIST="$dir/dist" CHROMIUM="$chromium_bin" BROWSER_ARTIFACTS="$dir/shots" \
    run_ts tests/browser/indexer.ts || fail "the dApp's searches through the indexer (log above; API log $dir/api.log)"
  kill "$api_pid"
  api_pid=""
fi
psql_live() { INDEXER_PG_DB=$db_live bash scripts/pg.sh psql -tAc "$1"; }
name=$(psql_live "SELECT name FROM models WHERE id = 1")
read -r ev_block ev_index ev_name <<<"$(psql_live "SELECT block_number, event_index, name FROM events ORDER BY block_number, event_index LIMIT 1" | tr '|' ' ')"
psql_live "UPDATE models SET name = 'tampered' WHERE id = 1; UPDATE events SET name = 'Tampered' WHERE block_number = $ev_block AND event_index = $ev_index" >/dev/null
if INDEXER_DATABASE_URL=$live_url run_ts indexer/check.ts truth --url "$url" --network "$network" >"$dir/truth-tampered.log" 2>&1; then
  fail "the truth check passed on a tampered database (log $dir/truth-tampered.log)"
fi
grep -q "MISMATCH models #1 name" "$dir/truth-tampered.log" && grep -q "MISMATCH event $ev_block:$ev_index: .*Tampered" "$dir/truth-tampered.log" ||
  fail "the truth check failed on the tampered database, but not on both tampered values (log $dir/truth-tampered.log)"
psql_live "UPDATE models SET name = '$name' WHERE id = 1; UPDATE events SET name = '$ev_name' WHERE block_number = $ev_block AND event_index = $ev_index" >/dev/null
say "the tampered name and event were both reported; restored"

# 4. A stop (SIGTERM ends the block in hand), then a replay from scratch: same tables.
kill -TERM "$proc_pid"
wait "$proc_pid" || fail "the processor did not exit cleanly on SIGTERM (log $dir/processor-2.log)"
proc_pid=""
grep "stopped at block" "$dir/processor-2.log" | tail -n 1
wait "$replay_pid" || fail "the replay failed (log $dir/replay.log)"
replay_pid=""
tail -n 1 "$dir/replay.log"
INDEXER_DATABASE_URL=$live_url run_ts indexer/check.ts digest >"$dir/digest-live.txt"
INDEXER_DATABASE_URL=$replay_url run_ts indexer/check.ts digest >"$dir/digest-replay.txt"
if ! diff "$dir/digest-live.txt" "$dir/digest-replay.txt"; then
  fail "the database indexed live (with a crash and a reconnect) differs from a replay (above: live <, replay >)"
fi
say "live and replayed databases identical: $(awk '{printf "%s%s %s", sep, $2, $1; sep=", "} ' "$dir/digest-live.txt" | sed 's/, [^,]* cursor$//')"
say "OK in $(elapsed)"
