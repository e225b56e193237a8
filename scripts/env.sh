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
