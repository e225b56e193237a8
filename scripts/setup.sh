#!/usr/bin/env bash
# Makes every tool this repo needs available, installing only what is missing:
#
#   rust 1.85        the toolchain rust-toolchain.toml selects, with rust-src, clippy,
#                    rustfmt and a wasm linker. `rustup toolchain install` where rustup
#                    can download; otherwise Debian's pinned rustc 1.85 packages,
#                    registered as rustup's toolchain "1.85" (../README.md, "Pinned
#                    versions").
#   cargo-contract   5.0.3, reused from PATH or ~/.cargo/bin, else `cargo install --locked`.
#   contracts node   substrate-contracts-node 0.42.0 (crate contracts-node), reused, else
#                    built from the crates registry (docs/toolchain.md).
#   node + npm deps  Node.js >= 20.19 (checked; it says how to get it), then `npm ci`
#                    against the committed package-lock.json whenever the lock changed
#                    (the typed client, deploy/demo/bench scripts, the dApp).
#   chromium         Debian's chromium for the browser tests, only with SETUP_BROWSER=1
#                    (`make test` sets it; the demo does not need a browser).
#   postgresql       Debian's postgresql for the indexer, only with SETUP_PG=1 (`make
#                    test` and `make indexer` set it), through scripts/pg.sh install; the
#                    cluster itself is the project's own (.run/pg, port 5544).
#
# Idempotent: when everything is present it only checks (about a second) and prints one
# line per tool. Run by `make test`, `make demo` and `make build`, so a new user types
# nothing else. Fails with one line naming the missing piece; build logs go to .run/setup/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

DEB_RUST_VERSION=1.85.0+dfsg3-1~deb12u3
bin="${CARGO_HOME:-$HOME/.cargo}/bin"
rustup_home="${RUSTUP_HOME:-$HOME/.rustup}"
logs=.run/setup
mkdir -p "$logs" "$bin"

say() { echo "setup: $*"; }
fail() {
  echo "setup: FAILED: $*" >&2
  exit 1
}
show_log() { # last lines of a failed build's log
  echo "----- last lines of $1 -----" >&2
  tail -n 25 "$1" >&2 || true
  echo "-----" >&2
}

# ------------------------------------------------------------------ system packages
as_root=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then as_root="sudo -n"; fi
can_apt() { command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$as_root" ]; }; }
apt_updated=0
apt_install() { # packages...; returns non-zero when apt is unusable or a package is missing
  can_apt || return 1
  if [ "$apt_updated" = 0 ]; then
    $as_root apt-get update -qq >"$logs/apt-update.log" 2>&1 || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends "$@" \
    >>"$logs/apt-install.log" 2>&1
}

# ------------------------------------------------------------------ rust 1.85
host="$(uname -m)-unknown-linux-gnu"
toolchain_dir="$rustup_home/toolchains/$RUST_PIN-$host"
rust_missing=""

rust_ok() { # sets rust_missing to what is absent
  local version sysroot
  if ! version=$(rustc --version 2>/dev/null) || [[ $version != "rustc $RUST_PIN."* ]]; then
    rust_missing="rustc $RUST_PIN"
    return 1
  fi
  sysroot=$(rustc --print sysroot)
  if [ ! -d "$sysroot/lib/rustlib/src/rust/library/core" ]; then
    rust_missing="rust-src (library source) for rustc $RUST_PIN"
    return 1
  fi
  if ! cargo clippy --version >/dev/null 2>&1; then
    rust_missing="clippy for rustc $RUST_PIN"
    return 1
  fi
  if ! cargo fmt --version >/dev/null 2>&1; then
    rust_missing="rustfmt for rustc $RUST_PIN"
    return 1
  fi
  if [ ! -x "$sysroot/lib/rustlib/$host/bin/rust-lld" ] && [ ! -x "$sysroot/lib/rustlib/$host/bin/gcc-ld/ld.lld" ]; then
    rust_missing="rust-lld (the wasm linker) for rustc $RUST_PIN"
    return 1
  fi
  return 0
}

rust_via_rustup() {
  [ -L "$toolchain_dir" ] && return 1 # a linked Debian toolchain: repair that instead
  say "rust $RUST_PIN: installing with rustup (log $logs/rustup.log)"
  timeout "${SETUP_RUSTUP_TIMEOUT:-900}" rustup toolchain install "$RUST_PIN" --profile minimal \
    --component rust-src,clippy,rustfmt --target wasm32-unknown-unknown >"$logs/rustup.log" 2>&1
}

rust_via_debian() {
  can_apt || return 1
  $as_root apt-get update -qq >"$logs/apt-update.log" 2>&1 || return 1
  apt_updated=1
  if ! apt-cache policy rustc-web 2>/dev/null | grep -qF "$DEB_RUST_VERSION"; then
    say "rust $RUST_PIN: apt does not offer rustc-web $DEB_RUST_VERSION"
    return 1
  fi
  say "rust $RUST_PIN: installing Debian's pinned rustc-web $DEB_RUST_VERSION packages (log $logs/apt-install.log)"
  local v=$DEB_RUST_VERSION
  apt_install rustc-web="$v" cargo-web="$v" libstd-rust-web-dev="$v" libstd-rust-web-1.85="$v" \
    rust-web-src="$v" rust-web-clippy="$v" rustfmt-web="$v" lld-19 libpcre3 xz-utils || return 1
  # Debian's sysroot is /usr; wasm linking needs rust-lld inside it.
  $as_root mkdir -p "/usr/lib/rustlib/$host/bin"
  $as_root ln -sf /usr/lib/llvm-19/bin/lld "/usr/lib/rustlib/$host/bin/rust-lld"
  # Register it under rustup's name for 1.85, so rust-toolchain.toml selects it.
  if [ -e "$toolchain_dir" ] && [ ! -L "$toolchain_dir" ]; then
    say "rust $RUST_PIN: $toolchain_dir exists and is not a link; leaving it"
    return 1
  fi
  mkdir -p "$rustup_home/toolchains"
  ln -sfn /usr "$toolchain_dir"
}

if ! command -v rustup >/dev/null 2>&1 && ! rust_ok; then
  fail "rustup not found and no working rustc $RUST_PIN ($rust_missing); install rustup (https://rustup.rs) and rerun"
fi
if rust_ok; then
  say "rust $RUST_PIN: ok ($(rustc --version), rust-src, clippy, rustfmt, rust-lld)"
else
  say "rust $RUST_PIN: missing $rust_missing"
  if [ "${SETUP_RUST_VIA:-}" != debian ] && rust_via_rustup && rust_ok; then
    say "rust $RUST_PIN: installed by rustup ($(rustc --version))"
  elif rust_via_debian && rust_ok; then
    say "rust $RUST_PIN: installed from Debian packages ($(rustc --version))"
  else
    fail "rust $RUST_PIN: could not install $rust_missing: rustup could not download it (log $logs/rustup.log) and Debian's rustc-web $DEB_RUST_VERSION packages were not available (log $logs/apt-install.log)"
  fi
fi

# ------------------------------------------------------------------ host tools
find_tool() { # name, version -> prints the path of a binary answering that version
  local cand
  for cand in "$bin/$1" "$(command -v "$1" 2>/dev/null || true)"; do
    if [ -n "$cand" ] && [ -x "$cand" ] && "$cand" --version 2>/dev/null | grep -q " $2"; then
      echo "$cand"
      return 0
    fi
  done
  return 1
}

need_cxx() {
  command -v c++ >/dev/null 2>&1 && return 0
  apt_install g++ || fail "a C++ compiler (g++) is needed to build $1; install g++ and rerun"
}

if path=$(find_tool cargo-contract "$CARGO_CONTRACT_VERSION"); then
  say "cargo-contract $CARGO_CONTRACT_VERSION: ok ($path)"
else
  need_cxx cargo-contract
  log="$logs/cargo-contract.log"
  say "cargo-contract $CARGO_CONTRACT_VERSION: not found; building it from crates.io with"
  say "  cargo install --locked. This is a one-time build of 15-40 minutes on 2 cores (it"
  say "  compiles binaryen's C++ for wasm-opt). Log: $log"
  if ! cargo install cargo-contract --version "$CARGO_CONTRACT_VERSION" --locked --force >"$log" 2>&1; then
    show_log "$log"
    fail "cargo-contract $CARGO_CONTRACT_VERSION: cargo install failed (log $log)"
  fi
  path=$(find_tool cargo-contract "$CARGO_CONTRACT_VERSION") ||
    fail "cargo-contract $CARGO_CONTRACT_VERSION: installed but does not answer --version"
  say "cargo-contract $CARGO_CONTRACT_VERSION: installed ($path)"
fi

# The node's runtimes are compiled to wasm by substrate-wasm-builder, which needs a
# precompiled wasm32 std in the toolchain (Debian ships none: build it from rust-src).
wasm_std() {
  local sysroot dest
  sysroot=$(rustc --print sysroot)
  dest="$sysroot/lib/rustlib/wasm32-unknown-unknown/lib"
  if compgen -G "$dest/libcore-*.rlib" >/dev/null; then return 0; fi
  if [ ! -L "$toolchain_dir" ] && rustup target add wasm32-unknown-unknown --toolchain "$RUST_PIN" \
    >"$logs/wasm-std.log" 2>&1; then
    return 0
  fi
  say "contracts node: building a wasm32 std from rust-src for rustc $RUST_PIN"
  local crate="$PWD/$logs/wasm-std"
  mkdir -p "$crate/src"
  printf '[package]\nname = "wasm_std_probe"\nversion = "0.0.0"\nedition = "2021"\n[lib]\npath = "src/lib.rs"\n[workspace]\n' >"$crate/Cargo.toml"
  echo '#![no_std]' >"$crate/src/lib.rs"
  (cd "$crate" && RUSTC_BOOTSTRAP=1 cargo build --release --target wasm32-unknown-unknown -Zbuild-std) \
    >"$logs/wasm-std.log" 2>&1 || return 1
  $as_root mkdir -p "$dest"
  find "$crate/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' ! -name 'libwasm_std_probe*' \
    -exec $as_root cp {} "$dest/" \;
  compgen -G "$dest/libcore-*.rlib" >/dev/null
}

if path=$(find_tool substrate-contracts-node "$CONTRACTS_NODE_VERSION"); then
  say "substrate-contracts-node $CONTRACTS_NODE_VERSION: ok ($path)"
else
  need_cxx substrate-contracts-node
  if ! command -v protoc >/dev/null 2>&1 || ! command -v clang >/dev/null 2>&1 ||
    ! compgen -G "/usr/lib/llvm-*/lib/libclang*.so*" >/dev/null; then
    apt_install clang libclang-dev protobuf-compiler ||
      fail "substrate-contracts-node: building it needs clang, libclang-dev and protobuf-compiler; install them and rerun"
  fi
  wasm_std || fail "substrate-contracts-node: could not provide a wasm32 std for rustc $RUST_PIN (log $logs/wasm-std.log)"
  src="$PWD/$logs/contracts-node-$CONTRACTS_NODE_VERSION"
  if [ ! -f "$src/Cargo.lock" ]; then
    curl -sSfL --retry 3 "https://static.crates.io/crates/contracts-node/contracts-node-$CONTRACTS_NODE_VERSION.crate" |
      tar -xz -C "$logs" ||
      fail "substrate-contracts-node: could not download crate contracts-node $CONTRACTS_NODE_VERSION from static.crates.io"
  fi
  log="$logs/contracts-node.log"
  say "substrate-contracts-node $CONTRACTS_NODE_VERSION: not found; building crate contracts-node"
  say "  from crates.io with its own Cargo.lock. This is a one-time build of about two hours"
  say "  on 2 cores (a whole Substrate node plus its wasm runtimes). Log: $log"
  # The runtimes' wasm build must use the pinned compiler and the crate's own lock file
  # (newer polkadot-sdk patch releases do not compile together); docs/toolchain.md.
  if ! (cd "$src" && WASM_BUILD_TOOLCHAIN="$RUST_PIN" WASM_BUILD_WORKSPACE_HINT="$src" RUSTC_BOOTSTRAP=1 \
    cargo build --release --locked) >"$log" 2>&1; then
    show_log "$log"
    fail "substrate-contracts-node $CONTRACTS_NODE_VERSION: build failed (log $log)"
  fi
  cp -f "$src/target/release/substrate-contracts-node" "$bin/substrate-contracts-node"
  path=$(find_tool substrate-contracts-node "$CONTRACTS_NODE_VERSION") ||
    fail "substrate-contracts-node: built but does not answer --version $CONTRACTS_NODE_VERSION"
  say "substrate-contracts-node $CONTRACTS_NODE_VERSION: installed ($path)"
fi

# ------------------------------------------------------------------ node.js and npm deps
NODE_MIN=20.19
node_ok() {
  local v
  v=$(node --version 2>/dev/null) || return 1
  v=${v#v}
  [ "$(printf '%s\n%s\n' "$NODE_MIN" "$v" | sort -V | head -n1)" = "$NODE_MIN" ]
}
if ! node_ok; then
  fail "Node.js >= $NODE_MIN is needed (found: $(node --version 2>/dev/null || echo none)); install Node 20.19+ or 22 LTS (https://nodejs.org, or nvm: nvm install 22) and rerun"
fi
command -v npm >/dev/null 2>&1 || fail "npm is missing next to Node.js $(node --version)"
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.package-lock.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
  say "npm packages: ok (node $(node --version), package-lock.json unchanged)"
else
  say "npm packages: npm ci (node $(node --version); log $logs/npm-ci.log)"
  if ! npm ci --no-audit --no-fund >"$logs/npm-ci.log" 2>&1; then
    show_log "$logs/npm-ci.log"
    fail "npm ci failed (log $logs/npm-ci.log)"
  fi
  echo "$lock_sum" >"$stamp"
  say "npm packages: installed"
fi

# ------------------------------------------------------------------ chromium (browser tests)
if [ "${SETUP_BROWSER:-0}" = 1 ]; then
  browser=${CHROMIUM_PATH:-/usr/bin/chromium}
  if [ -x "$browser" ]; then
    say "chromium: ok ($("$browser" --version 2>/dev/null | head -n1))"
  else
    say "chromium: installing Debian's chromium (log $logs/apt-install.log)"
    apt_install chromium || fail "chromium is needed for the browser tests: apt-get install chromium (or set CHROMIUM_PATH)"
    say "chromium: installed ($("$browser" --version 2>/dev/null | head -n1))"
  fi
fi

# ------------------------------------------------------------------ postgresql (the indexer)
if [ "${SETUP_PG:-0}" = 1 ]; then
  bash scripts/pg.sh install | sed 's/^pg: /setup: /'
fi
