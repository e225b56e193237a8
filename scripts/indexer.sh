#!/usr/bin/env bash
# `make indexer` / `make indexer-stop`: the indexer over a deployment, in the background.
#
#   scripts/indexer.sh start    PostgreSQL (scripts/pg.sh: .run/pg, port 5544), the
#                               migrations, then the processor (follows the node's
#                               finalized blocks) and the HTTP API
#   scripts/indexer.sh stop     stop the processor and the API this script started, then
#                               the cluster
#   scripts/indexer.sh status   say what runs, and the API's /status
#
# NETWORK (default local) picks deployments/<network>.json; URL (default: the one that
# file records) the node; INDEXER_API_PORT (default 4350) the API; INDEXER_PG_PORT
# (default 5544) the cluster. A database that followed another chain (a restarted dev
# node, whose genesis changes) is emptied and indexed afresh. Logs and pids in .run/:
# indexer-process.{log,pid}, indexer-api.{log,pid}. docs/indexer.md says more.
set -euo pipefail
cd "$(dirname "$0")/.."

network=${NETWORK:-local}
api_port=${INDEXER_API_PORT:-4350}
export INDEXER_PG_PORT=${INDEXER_PG_PORT:-5544}
export INDEXER_DATABASE_URL=${INDEXER_DATABASE_URL:-postgres://indexer@127.0.0.1:$INDEXER_PG_PORT/indexer}
mkdir -p .run

alive() { # name: prints the pid if that process of ours runs
  local f=.run/indexer-$1.pid
  [ -f "$f" ] || return 1
  local pid
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

launch() { # name, command...
  local name=$1
  shift
  if pid=$(alive "$name"); then
    echo "indexer: $name already running (pid $pid)"
    return 0
  fi
  setsid "$@" >".run/indexer-$name.log" 2>&1 </dev/null &
  echo $! >".run/indexer-$name.pid"
}

start() {
  [ -f "deployments/$network.json" ] || {
    echo "indexer: FAILED: deployments/$network.json is missing: make node deploy first (or set NETWORK)" >&2
    exit 1
  }
  bash scripts/pg.sh start
  npx --no-install tsx indexer/main.ts migrate
  local url_args=()
  [ -n "${URL:-}" ] && url_args=(--url "$URL")
  launch process node --import tsx indexer/main.ts process --network "$network" --reset-on-new-chain "${url_args[@]}"
  launch api node --import tsx indexer/main.ts serve --network "$network" --port "$api_port" "${url_args[@]}"
  for _ in $(seq 1 60); do
    if curl -sf "http://127.0.0.1:$api_port/status" >/dev/null 2>&1; then
      echo "indexer: API on http://127.0.0.1:$api_port ($(curl -s "http://127.0.0.1:$api_port/status"))"
      echo "indexer: logs .run/indexer-process.log, .run/indexer-api.log; stop with make indexer-stop"
      return 0
    fi
    for name in process api; do
      if ! alive "$name" >/dev/null; then
        tail -n 20 ".run/indexer-$name.log" >&2
        echo "indexer: FAILED: the $name exited (log .run/indexer-$name.log)" >&2
        exit 1
      fi
    done
    sleep 0.5
  done
  echo "indexer: FAILED: no /status on port $api_port within 30 s (logs .run/indexer-*.log)" >&2
  exit 1
}

stop_one() {
  local pid
  if pid=$(alive "$1"); then
    # SIGTERM lets the processor finish the block it is writing.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    echo "indexer: $1 stopped (pid $pid)"
  fi
  rm -f ".run/indexer-$1.pid"
}

case "${1:-}" in
  start) start ;;
  stop)
    stop_one process
    stop_one api
    bash scripts/pg.sh stop
    ;;
  status)
    for name in process api; do
      if pid=$(alive "$name"); then echo "indexer: $name running (pid $pid)"; else echo "indexer: $name not running"; fi
    done
    bash scripts/pg.sh status || true
    curl -s "http://127.0.0.1:$api_port/status" && echo
    ;;
  *)
    echo "usage: scripts/indexer.sh start|stop|status   (NETWORK=$network, INDEXER_API_PORT=$api_port)" >&2
    exit 2
    ;;
esac
