#!/usr/bin/env bash
# Where each contract's code size goes: builds every contract as `make build` does but
# keeping the Wasm name section (`--keep-debug-symbols`, in target/twiggy/ so the
# deployed bundles stay untouched), and runs `twiggy top` (crates registry; installed
# here when missing) on each. Writes bench/twiggy.json, which `make bench` folds into
# bench/results.json and docs/costs.md shows. Part of `make bench`; about 6 minutes on 2
# cores the first time (a build folder of its own), 1 minute after.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
TWIGGY_VERSION=0.7.0
if ! twiggy --version 2>/dev/null | grep -q "$TWIGGY_VERSION"; then
  echo "twiggy: installing twiggy $TWIGGY_VERSION (cargo install --locked; about 2 minutes)"
  cargo install --locked --quiet twiggy --version "$TWIGGY_VERSION"
fi
export CARGO_TARGET_DIR=$PWD/target/twiggy
share_contract_builds
out=bench/twiggy.json
tmp=$(mktemp)
echo '{' >"$tmp"
first=1
for c in market_token model_registry escrow compute_market dispute_dao; do
  echo "twiggy: $c (cargo contract build --release --keep-debug-symbols)"
  cargo contract build --release --keep-debug-symbols --quiet --manifest-path "contracts/$c/Cargo.toml" >/dev/null
  wasm="$CARGO_TARGET_DIR/ink/$c/$c.wasm"
  [ $first = 1 ] || echo ',' >>"$tmp"
  first=0
  printf '"%s": {"bytes": %d, "top": ' "$c" "$(stat -c %s "$wasm")" >>"$tmp"
  twiggy top -n 15 --format json "$wasm" >>"$tmp"
  echo '}' >>"$tmp"
done
echo '}' >>"$tmp"
python3 -m json.tool "$tmp" >"$out"
rm -f "$tmp"
echo "twiggy: wrote $out"
