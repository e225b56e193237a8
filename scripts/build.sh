#!/usr/bin/env bash
# `make build`: release build of every contract with cargo-contract. Prints each
# contract's optimized size and fails on any build error or warning. Then regenerates
# the TypeScript client's typings from each contract's metadata
# (`npx dedot typink` → client/src/contracts/<contract>/, committed; `make test` fails
# when they differ from what is committed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/env.sh
source scripts/env.sh
mkdir -p .run

CONTRACTS=(market_token model_registry escrow compute_market)
summary=()
for name in "${CONTRACTS[@]}"; do
  log=.run/build-$name.log
  echo "build: $name (cargo contract build --release)"
  if ! cargo contract build --release --manifest-path "contracts/$name/Cargo.toml" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "build: FAILED: $name (full log: $log)" >&2
    exit 1
  fi
  # cargo-contract colours its output; strip the escapes before looking for warnings.
  sed -i 's/\x1b\[[0-9;]*m//g' "$log"
  if grep -qE '^(warning|WARNING)' "$log"; then
    grep -E -A6 '^(warning|WARNING)' "$log" | head -n 40
    echo "build: FAILED: $name built with warnings (full log: $log)" >&2
    exit 1
  fi
  # cargo-contract prints sizes only when it re-optimizes; read the artifact instead.
  wasm=target/ink/$name/$name.wasm
  [ -f "$wasm" ] || { echo "build: FAILED: $name: $wasm missing" >&2; exit 1; }
  summary+=("$(printf '  %-16s optimized wasm %7d bytes  (target/ink/%s/%s.contract)' "$name" "$(wc -c <"$wasm")" "$name" "$name")")
done
echo "build: OK"
printf '%s\n' "${summary[@]}"

for name in "${CONTRACTS[@]}"; do
  if ! npx --no-install dedot typink -m "target/ink/$name/$name.contract" -o client/src/contracts \
    >".run/typings-$name.log" 2>&1; then
    cat ".run/typings-$name.log"
    echo "build: FAILED: typings for $name (npx dedot typink; log .run/typings-$name.log)" >&2
    exit 1
  fi
done
echo "build: typings regenerated in client/src/contracts/"
