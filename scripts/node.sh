#!/usr/bin/env bash
# Local dev chain harness.
#
#   scripts/node.sh start    start substrate-contracts-node --dev in the background and wait
#                            until its RPC answers on ws://127.0.0.1:$NODE_PORT
#   scripts/node.sh stop     stop the node this script started on $NODE_PORT (and only it)
#   scripts/node.sh status   say whether it runs
#
# NODE_PORT (default 9944) picks the RPC port; the pid and log files live in $NODE_DIR
# (default .run/) as node-$NODE_PORT.pid and node-$NODE_PORT.log. Each dev node starts
# from an empty temporary chain (--tmp), so a restart forgets every deployment.
#
# NODE_CHAIN=contracts-parachain-local starts the node's parachain runtime instead of
# the instant-seal dev chain: without a relay chain it makes no blocks, but its RPC
# serves the runtime's constants (`make bench` reads its block limits there). It starts
# an embedded relay-chain client first: allow about a minute (NODE_WAIT_S, default 60;
# 180 for the parachain).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

port=${NODE_PORT:-9944}
dir=${NODE_DIR:-.run}
pidfile="$dir/node-$port.pid"
logfile="$dir/node-$port.log"
url="http://127.0.0.1:$port"

rpc_up() {
  curl -s --max-time 2 -H 'Content-Type: application/json' \
    -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' "$url" 2>/dev/null |
    grep -q '"result"'
}

running_pid() { # prints the pid if our node is alive
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  mkdir -p "$dir"
  if pid=$(running_pid); then
    echo "node: already running (pid $pid, ws://127.0.0.1:$port, log $logfile)"
    return 0
  fi
  local bin=${CONTRACTS_NODE:-$(command -v substrate-contracts-node || true)}
  if [ -z "$bin" ]; then
    echo "node: FAILED: substrate-contracts-node not found (run scripts/setup.sh)" >&2
    return 1
  fi
  if rpc_up; then
    echo "node: FAILED: port $port already answers RPC from another process; set NODE_PORT" >&2
    return 1
  fi
  # setsid: the node gets its own session, so a Ctrl-C in the caller's terminal does not
  # reach it and `stop` can kill exactly this process.
  # archive-canonical: the node keeps every finalized block's state (the default keeps
  # 256), which the indexer reads its views at (docs/indexer.md).
  local chain=(--dev --state-pruning archive-canonical) relay=() wait_s=${NODE_WAIT_S:-60}
  if [ -n "${NODE_CHAIN:-}" ]; then
    # After `--`: the embedded relay-chain client's own RPC and p2p ports, any free ones.
    chain=(--chain "$NODE_CHAIN")
    relay=(-- --rpc-port 0 --port 0)
    wait_s=${NODE_WAIT_S:-180}
  fi
  setsid "$bin" "${chain[@]}" --tmp --rpc-port "$port" --port 0 --rpc-cors all "${relay[@]}" \
    >"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local pid=$!
  for _ in $(seq 1 $((wait_s * 2))); do
    if rpc_up; then
      echo "node: started $("$bin" --version) (pid $pid, ws://127.0.0.1:$port, log $logfile)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$logfile" >&2
      rm -f "$pidfile"
      echo "node: FAILED: the node exited during start-up (log $logfile)" >&2
      return 1
    fi
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "node: FAILED: RPC did not answer on $url within $wait_s s (log $logfile)" >&2
  return 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$pidfile"
    echo "node: not running on port $port"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "node: stopped (pid $pid, port $port)"
}

status() {
  if pid=$(running_pid); then
    echo "node: running (pid $pid, ws://127.0.0.1:$port, log $logfile)"
  else
    echo "node: not running on port $port"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: scripts/node.sh start|stop|status   (NODE_PORT=$port)" >&2
    exit 2
    ;;
esac
