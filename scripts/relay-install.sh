#!/usr/bin/env bash
# Installs the relay-chain binaries a local network needs (`make network`): polkadot 18.0.0
# from the crates registry, whose polkadot-cli 19 matches substrate-contracts-node
# 0.42.0's, with the rococo-local chain built in (its `rococo-native` feature, on by
# default). Three binaries land in ~/.cargo/bin: polkadot, polkadot-prepare-worker and
# polkadot-execute-worker.
#
# It takes about two hours on 2 cores and ~20 GB of disk while it builds; `make test`
# never calls it. Run it in the background:
#   setsid nohup bash scripts/relay-install.sh > .run/relay-install.log 2>&1 &
# The build folder survives an interruption (RELAY_TARGET_DIR), so running it again
# resumes; it is removed after a successful install.
#
# The same traps as the contracts-node build (docs/network.md): the runtimes are built to
# Wasm by substrate-wasm-builder, which must use the pinned compiler and the crate's own
# Cargo.lock (WASM_BUILD_TOOLCHAIN, WASM_BUILD_WORKSPACE_HINT), else it resolves newer
# polkadot-sdk patch releases that no longer compile together.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

POLKADOT_VERSION=18.0.0
POLKADOT_NODE_VERSION=1.16.0 # what the crate's binaries print: polkadot-sdk's node version
BIN="${CARGO_HOME:-$HOME/.cargo}/bin"

have_relay() {
  [[ -x "$BIN/polkadot" && -x "$BIN/polkadot-prepare-worker" && -x "$BIN/polkadot-execute-worker" ]] &&
    [[ "$("$BIN/polkadot" --version 2>/dev/null)" == "polkadot $POLKADOT_NODE_VERSION"* ]]
}

if have_relay; then
  echo "relay binaries present: $("$BIN/polkadot" --version)"
  exit 0
fi

# Build dependencies from Debian: clang for librocksdb-sys, protoc for litep2p.
missing=()
command -v clang >/dev/null || missing+=(clang libclang-dev)
command -v protoc >/dev/null || missing+=(protobuf-compiler)
if ((${#missing[@]})); then
  echo "installing ${missing[*]} (Debian packages)"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
fi

bash scripts/setup.sh >/dev/null

# The crate itself, unpacked where its Cargo.lock can be named to the wasm-builder.
CACHE="${RELAY_CACHE_DIR:-$HOME/.cache/ai-model-market}"
SRC="$CACHE/polkadot-$POLKADOT_VERSION"
mkdir -p "$CACHE"
if [[ ! -f "$SRC/Cargo.lock" ]]; then
  curl -sSfL -o "$CACHE/polkadot-$POLKADOT_VERSION.crate" \
    "https://static.crates.io/crates/polkadot/polkadot-$POLKADOT_VERSION.crate"
  tar -xzf "$CACHE/polkadot-$POLKADOT_VERSION.crate" -C "$CACHE"
fi

export CARGO_TARGET_DIR="${RELAY_TARGET_DIR:-$CACHE/relay-target}"
export WASM_BUILD_TOOLCHAIN="$RUST_PIN"
export WASM_BUILD_WORKSPACE_HINT="$SRC"
export RUSTC_BOOTSTRAP=1
start=$(date +%s)
echo "building polkadot $POLKADOT_VERSION in $CARGO_TARGET_DIR (about 2 h on 2 cores); started $(date -u +%H:%M:%S) UTC"
cargo "+$RUST_PIN" install --locked --path "$SRC" --root "${CARGO_HOME:-$HOME/.cargo}"
echo "built in $(($(date +%s) - start)) s"
have_relay || { echo "relay-install: polkadot $POLKADOT_VERSION not found in $BIN after the build" >&2; exit 1; }
"$BIN/polkadot" --version
rm -rf "$CARGO_TARGET_DIR"
