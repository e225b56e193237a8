#!/usr/bin/env bash
# `make build`: release build of every contract with cargo-contract. Prints each
# contract's optimized size and fails on any build error or warning.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
mkdir -p .run

CONTRACTS=(market_token model_registry)
summary=()
for name in "${CONTRACTS[@]}"; do
  log=.run/build-$name.log
  echo "build: $name (cargo contract build --release)"
  if ! cargo contract build --release --manifest-path "contracts/$name/Cargo.toml" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "build: FAILED: $name (full log: $log)" >&2
    exit 1
  fi
  if grep -qE '^(warning|WARNING)' "$log"; then
    grep -E -A6 '^(warning|WARNING)' "$log" | head -n 40
    echo "build: FAILED: $name built with warnings (full log: $log)" >&2
    exit 1
  fi
  sizes=$(grep -Eo 'Original wasm size: [0-9.]+K, Optimized: [0-9.]+K' "$log" || true)
  summary+=("  $name: ${sizes:-size not reported} -> target/ink/$name/$name.contract")
done
echo "build: OK"
printf '%s\n' "${summary[@]}"
