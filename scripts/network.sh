#!/usr/bin/env bash
# A local multi-node network for the marketplace (`make network`, issue 20): a
# `rococo-local` relay chain with two validators and the marketplace parachain
# (substrate-contracts-node's `contracts-parachain-local`, para 1000) with two collators.
# No docker, no zombienet: plain processes, like scripts/node.sh.
#
#   scripts/network.sh start               build the chain specs, start the four nodes, wait
#                                          until the parachain makes blocks (prints how long)
#   scripts/network.sh stop                stop every node this script started (idempotent)
#   scripts/network.sh status              each node, its pid, best and finalized block
#   scripts/network.sh stop-node NAME      stop one node (NAME: alice, bob, collator-alice,
#   scripts/network.sh start-node NAME     collator-bob) and start it again on its data
#   scripts/network.sh wait-blocks N [PORT]  wait until the chain on PORT (default 9910) is
#                                          N blocks past where it was
#   scripts/network.sh heads NAME          the node's best and finalized block numbers
#   scripts/network.sh install             build the relay binaries in the background (make relay)
#
# Everything lives in $NETWORK_DIR (default .run/network/): the chain specs, each node's
# base path, log (<name>.log) and pid (<name>.pid). `start` begins a fresh network every
# time (the old chains are deleted), as `make node` does.
#
# Fixed ports (docs/network.md):
#   validator alice   RPC 9900  p2p 30400        validator bob   RPC 9901  p2p 30401
#   collator alice    RPC 9910  p2p 30410        collator bob    RPC 9911  p2p 30412
#     its relay node  RPC 9920  p2p 30411          its relay node RPC 9921  p2p 30413
# Every node has a fixed node key (below), so its peer id is known before it starts and
# the bootnodes can be named up front; a restarted node keeps its identity.
#
# Needs polkadot 18.0.0 with polkadot-prepare-worker and polkadot-execute-worker beside it
# (scripts/relay-install.sh builds them: about 2 h on 2 cores) and
# substrate-contracts-node 0.42.0 (scripts/setup.sh). NETWORK_WAIT_S (default 600) bounds
# the wait for the first parachain block; NETWORK_LOG adds a log filter to every node's
# own side (e.g. NETWORK_LOG=txpool=debug).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

dir=${NETWORK_DIR:-.run/network}
POLKADOT_VERSION=18.0.0
# What that crate's binaries answer to --version: polkadot-sdk's node version, not the
# crate's (the workers must match the node exactly).
POLKADOT_NODE_VERSION=1.16.0
NODES=(alice bob collator-alice collator-bob)

say() { echo "network: $*"; }
fail() {
  echo "network: FAILED: $*" >&2
  exit 1
}

rpc() { # <port> <method> [params-json]: prints the JSON-RPC answer's result, or fails
  local answer
  answer=$(curl -s --max-time 5 -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$1") || return 1
  python3 -c 'import json,sys
a = json.loads(sys.argv[1])
if "result" not in a: sys.exit(1)
print(json.dumps(a["result"]) if not isinstance(a["result"], str) else a["result"])' "$answer"
}

block_number() { # <port> [finalized]: the best (or finalized) block number, or fails
  local header
  if [ "${2:-}" = finalized ]; then
    header=$(rpc "$1" chain_getHeader "[\"$(rpc "$1" chain_getFinalizedHead)\"]") || return 1
  else
    header=$(rpc "$1" chain_getHeader) || return 1
  fi
  python3 -c 'import json,sys; print(int(json.loads(sys.argv[1])["number"], 16))' "$header"
}

# Each node's ports and fixed ed25519 node key (a test network's keys: public on purpose).
rpc_port() { case $1 in alice) echo 9900 ;; bob) echo 9901 ;; collator-alice) echo 9910 ;; collator-bob) echo 9911 ;; esac }
p2p_port() { case $1 in alice) echo 30400 ;; bob) echo 30401 ;; collator-alice) echo 30410 ;; collator-bob) echo 30412 ;; esac }
node_key() { # <name> [relay]: the node's key, or its embedded relay node's
  local n
  case $1 in alice) n=1 ;; bob) n=2 ;; collator-alice) n=17 ;; collator-bob) n=18 ;; esac
  [ "${2:-}" = relay ] && n=$((n + 16))
  printf '%064x' "$n"
}

peer_id() { # <hex ed25519 secret>: the libp2p peer id a node with this --node-key has
  node -e '
    const c = require("crypto");
    const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(process.argv[1], "hex")]);
    const pub = c.createPublicKey(c.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }))
      .export({ format: "der", type: "spki" }).subarray(-32);
    // identity multihash of the protobuf-encoded public key, base58btc
    let n = BigInt("0x" + Buffer.concat([Buffer.from([0, 0x24, 8, 1, 0x12, 0x20]), pub]).toString("hex"));
    const A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let s = "";
    while (n > 0n) { s = A[Number(n % 58n)] + s; n /= 58n; }
    console.log("1" + s); // the leading 0x00 byte
  ' "$1"
}

relay_bootnodes() { # <name>: the validators other than <name>, one --bootnodes=… a line
  local v
  for v in alice bob; do
    [ "$v" = "$1" ] || echo "--bootnodes=/ip4/127.0.0.1/tcp/$(p2p_port "$v")/p2p/$(peer_id "$(node_key "$v")")"
  done
}

running_pid() { # <name>: prints the pid if the node is alive
  local f="$dir/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

have_relay() {
  local b
  for b in polkadot polkadot-prepare-worker polkadot-execute-worker; do
    command -v "$b" >/dev/null || return 1
  done
  [[ "$(polkadot --version 2>/dev/null)" == "polkadot $POLKADOT_NODE_VERSION"* ]]
}

check_binaries() {
  have_relay || fail "polkadot $POLKADOT_VERSION with polkadot-prepare-worker and polkadot-execute-worker is not on PATH: run make relay (builds them in the background, about 2 h on 2 cores), then make network again"
  command -v substrate-contracts-node >/dev/null || fail "substrate-contracts-node not found (run scripts/setup.sh)"
}

# The relay chain spec with the parachain in its genesis, and the parachain's own spec.
build_specs() {
  local t0=$SECONDS
  local log="$dir/build-spec.log"
  {
    substrate-contracts-node build-spec --chain contracts-parachain-local --raw --disable-default-bootnode \
      >"$dir/para-raw.json" &&
      substrate-contracts-node export-genesis-head --chain "$dir/para-raw.json" "$dir/para-head.hex" &&
      substrate-contracts-node export-genesis-wasm --chain "$dir/para-raw.json" "$dir/para-code.hex" &&
      polkadot build-spec --chain rococo-local --disable-default-bootnode >"$dir/relay-plain.json"
  } 2>"$log" || fail "building the chain specs (log $log)"
  python3 scripts/network-spec.py "$dir/relay-plain.json" "$dir/para-raw.json" "$dir/para-head.hex" \
    "$dir/para-code.hex" >"$dir/relay-paras.json" || fail "registering the para in the relay genesis (above)"
  polkadot build-spec --chain "$dir/relay-paras.json" --raw --disable-default-bootnode \
    >"$dir/relay-raw.json" 2>>"$log" || fail "converting the relay spec to raw (log $log)"
  say "chain specs in $dir/ ($((SECONDS - t0)) s): relay-raw.json (rococo-local with para 1000 in its genesis), para-raw.json"
}

launch() { # <name>: starts one node on its data in $dir/<name>/
  local name=$1 cmd boot
  if [ -n "$(running_pid "$name" || true)" ]; then
    say "$name already runs (pid $(running_pid "$name"))"
    return 0
  fi
  local common=(--base-path "$dir/$name" --rpc-port "$(rpc_port "$name")" --port "$(p2p_port "$name")"
    --node-key "$(node_key "$name")" --rpc-cors all --no-prometheus --no-telemetry --no-mdns
    --no-hardware-benchmarks --allow-private-ip ${NETWORK_LOG:+"-l$NETWORK_LOG"})
  case $name in
    alice | bob)
      mapfile -t boot < <(relay_bootnodes "$name")
      # --insecure-validator-i-know-what-i-do: a local test network, where the PVF
      # workers' sandbox (landlock, seccomp, namespaces) may be unavailable (containers).
      cmd=(polkadot --chain "$dir/relay-raw.json" "--$name" --validator --insecure-validator-i-know-what-i-do
        "${common[@]}" "${boot[@]}")
      ;;
    collator-alice | collator-bob)
      local other=collator-alice key=${name#collator-}
      [ "$name" = collator-alice ] && other=collator-bob
      mapfile -t boot < <(relay_bootnodes none)
      # Para side, then (after --) the embedded relay-chain full node that follows the relay.
      cmd=(substrate-contracts-node --chain "$dir/para-raw.json" --collator "--$key" --force-authoring
        "${common[@]}"
        "--bootnodes=/ip4/127.0.0.1/tcp/$(p2p_port "$other")/p2p/$(peer_id "$(node_key "$other")")"
        -- --chain "$dir/relay-raw.json"
        --rpc-port $(($(rpc_port "$name") + 10)) --port $(($(p2p_port "$name") + 1))
        --node-key "$(node_key "$name" relay)" --no-prometheus --no-telemetry --no-mdns --allow-private-ip
        "${boot[@]}")
      ;;
    *) fail "unknown node $name (one of: ${NODES[*]})" ;;
  esac
  # setsid: the node gets its own session, so a Ctrl-C in the caller's terminal does not
  # reach it, and `stop` ends exactly these processes.
  setsid "${cmd[@]}" >>"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
  echo "${cmd[*]}" >"$dir/$name.cmd"
}

wait_rpc() { # <name> <seconds>
  local name=$1 port
  port=$(rpc_port "$name")
  for _ in $(seq 1 "$2"); do
    rpc "$port" system_health >/dev/null 2>&1 && return 0
    if [ -z "$(running_pid "$name" || true)" ]; then
      tail -n 20 "$dir/$name.log" >&2
      fail "$name exited during start-up (log $dir/$name.log)"
    fi
    sleep 1
  done
  fail "$name: RPC did not answer on port $port within $2 s (log $dir/$name.log)"
}

wait_blocks() { # <count> [port] [seconds]: until the chain on port is count blocks further
  local count=$1 port=${2:-9910} limit=${3:-${NETWORK_WAIT_S:-600}} from now t0=$SECONDS
  from=$(block_number "$port") || fail "no RPC on port $port"
  while :; do
    now=$(block_number "$port" || echo "$from")
    [ "$now" -ge $((from + count)) ] && break
    [ $((SECONDS - t0)) -ge "$limit" ] && fail "port $port: block $now after $limit s, expected $((from + count))"
    sleep 2
  done
  say "port $port: block $now ($count more in $((SECONDS - t0)) s)"
}

start() {
  mkdir -p "$dir"
  local name alive=()
  for name in "${NODES[@]}"; do
    [ -n "$(running_pid "$name" || true)" ] && alive+=("$name")
  done
  if ((${#alive[@]})); then
    say "already running (${alive[*]}); scripts/network.sh stop first for a fresh network"
    status
    return 0
  fi
  check_binaries
  local port
  for port in 9900 9901 9910 9911 9920 9921; do
    rpc "$port" system_health >/dev/null 2>&1 && fail "port $port already answers RPC from another process"
  done
  local t0=$SECONDS
  # A start that fails half-way stops the nodes it started (their logs stay).
  trap 'echo "network: start failed: stopping its nodes (logs in $dir/)" >&2; stop >/dev/null' EXIT
  # Only what this script writes there (NETWORK_DIR may name any folder).
  rm -rf "${NODES[@]/#/$dir/}" "$dir"/*.json "$dir"/*.hex "$dir"/*.log "$dir"/*.cmd
  build_specs
  launch alice
  launch bob
  wait_rpc alice 180
  wait_rpc bob 180
  say "relay chain: validators alice (ws://127.0.0.1:9900) and bob (ws://127.0.0.1:9901) up after $((SECONDS - t0)) s"
  launch collator-alice
  launch collator-bob
  wait_rpc collator-alice 300
  wait_rpc collator-bob 300
  say "parachain: collators alice (ws://127.0.0.1:9910) and bob (ws://127.0.0.1:9911) up after $((SECONDS - t0)) s"
  # The first parachain block: the para is registered at the relay's genesis, so its
  # collators build on it as soon as the relay chain backs their candidates.
  local limit=${NETWORK_WAIT_S:-600} best=0
  while [ "$best" -lt 1 ]; do
    best=$(block_number 9910 || echo 0)
    [ "$best" -ge 1 ] && break
    if [ $((SECONDS - t0)) -ge "$limit" ]; then
      status || true
      fail "no parachain block after $limit s (logs in $dir/)"
    fi
    sleep 2
  done
  say "parachain block #$best after $((SECONDS - t0)) s; relay at #$(block_number 9900), finalized #$(block_number 9900 finalized)"
  trap - EXIT
  say "ready: relay ws://127.0.0.1:9900, parachain ws://127.0.0.1:9910 (logs and data in $dir/)"
}

stop_node() { # <name>
  local name=$1 pid
  if ! pid=$(running_pid "$name"); then
    rm -f "$dir/$name.pid"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/$name.pid"
  say "stopped $name (pid $pid)"
}

stop() {
  local name
  for name in "${NODES[@]}"; do stop_node "$name"; done
  say "not running"
}

status() {
  local name pid port up=0
  for name in "${NODES[@]}"; do
    port=$(rpc_port "$name")
    if pid=$(running_pid "$name"); then
      up=$((up + 1))
      printf 'network: %-15s pid %-7s ws://127.0.0.1:%s  best #%s  finalized #%s  peers %s\n' "$name" "$pid" "$port" \
        "$(block_number "$port" || echo '?')" "$(block_number "$port" finalized || echo '?')" \
        "$(rpc "$port" system_health | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"])' 2>/dev/null || echo '?')"
    else
      printf 'network: %-15s not running\n' "$name"
    fi
  done
  [ "$up" -gt 0 ]
}

# `make relay`: the relay binaries built in the background, once (a second call while the
# build runs only says so). Not part of `start`: a 2-hour, ~20 GB build is started on
# purpose, never as a side effect.
install() {
  if have_relay; then
    say "relay binaries present: $(polkadot --version)"
    return 0
  fi
  mkdir -p .run
  local pid
  if pid=$(cat .run/relay-install.pid 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
    say "the relay build already runs (pid $pid); follow it in .run/relay-install.log"
    return 0
  fi
  setsid nohup bash scripts/relay-install.sh >.run/relay-install.log 2>&1 </dev/null &
  echo $! >.run/relay-install.pid
  say "building polkadot $POLKADOT_VERSION in the background (pid $!): about 2 h on 2 cores and ~20 GB of disk; follow .run/relay-install.log, then make network"
}

case "${1:-}" in
  start) start ;;
  install) install ;;
  stop) stop ;;
  status) status ;;
  stop-node) stop_node "${2:?usage: stop-node NAME}" ;;
  start-node)
    launch "${2:?usage: start-node NAME}"
    wait_rpc "$2" 300
    say "$2 up again (ws://127.0.0.1:$(rpc_port "$2"))"
    ;;
  wait-blocks) wait_blocks "${2:?usage: wait-blocks N [PORT]}" "${3:-9910}" ;;
  heads) # <name>: its best and finalized block numbers, on one line
    port=$(rpc_port "${2:?usage: heads NAME}")
    echo "$(block_number "$port") $(block_number "$port" finalized)"
    ;;
  *)
    echo "usage: scripts/network.sh start|stop|status|stop-node NAME|start-node NAME|wait-blocks N [PORT]|heads NAME|install" >&2
    exit 2
    ;;
esac
