# Sourced by every script: the environment each cargo command in this repo runs in.
# shellcheck shell=bash

# Pinned tool versions (README.md "Pinned versions" says why).
RUST_PIN=1.85
CARGO_CONTRACT_VERSION=5.0.3
CONTRACTS_NODE_VERSION=0.42.0

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# cargo-contract (and ink_e2e, which builds contracts through it) copies each contract
# into a temporary workspace that sees neither .cargo/config.toml nor Cargo.lock, and
# re-resolves its dependencies there. This makes that resolution pick versions that
# rustc 1.85 can build, as .cargo/config.toml does for the rest of the workspace.
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback
# The same temporary copy does not see rust-toolchain.toml either; the `cargo` proxy
# passes the chosen toolchain on, and this makes sure of it when a binary is called
# directly.
export RUSTUP_TOOLCHAIN="${RUSTUP_TOOLCHAIN:-$RUST_PIN}"

# cargo-contract builds each contract in a target directory of its own
# (target/ink/<contract>/), so by default every contract compiles ink!, its
# dependencies and Rust's core library again, for Wasm and for the host program that
# writes its metadata: about 110 s per contract on 2 cores, and ink_e2e builds all six
# packages again. Pointing each contract's two build folders at one shared pair lets
# cargo reuse what another contract already compiled (cargo locks the shared folder, so
# builds still run one at a time): measured 278 s for the first contract, then 51-54 s
# for each next one. The bundles (`<contract>.wasm`, `.contract`, `.json`) stay in
# target/ink/<contract>/. Call before any `cargo contract build` or e2e run.
share_contract_builds() {
  local ink="${CARGO_TARGET_DIR:-target}/ink" manifest name dir sub
  mkdir -p "$ink/.shared/host" "$ink/.shared/wasm32-unknown-unknown"
  # ink_e2e also builds the psp22 crate, which has the same feature.
  local names=(psp22)
  for manifest in contracts/*/Cargo.toml tests/contracts/*/Cargo.toml bench/probe/Cargo.toml; do
    grep -q '^ink-as-dependency' "$manifest" && names+=("$(basename "$(dirname "$manifest")")")
  done
  for name in "${names[@]}"; do
    dir="$ink/$name"
    mkdir -p "$dir"
    for sub in release:host wasm32-unknown-unknown:wasm32-unknown-unknown; do
      # A folder left by a build before this change is only a cache: replace it.
      if [ -d "$dir/${sub%%:*}" ] && [ ! -L "$dir/${sub%%:*}" ]; then
        rm -rf "${dir:?}/${sub%%:*}"
      fi
      ln -sfn "../.shared/${sub#*:}" "$dir/${sub%%:*}"
    done
  done
}
