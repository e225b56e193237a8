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
share_contract_builds

CONTRACTS=(market_token model_registry escrow compute_market dispute_dao)
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
  # cargo-contract leaves a bundle it finds fresh untouched, even when a source's
  # modification time moved without its content (a checkout, a merge): mark the bundle
  # as built now, from the sources as they are, so the e2e harness's staleness check
  # (tests/harness.rs) compares against this build.
  touch "target/ink/$name/$name".{wasm,contract,json}
  # cargo-contract prints sizes only when it re-optimizes; read the artifact instead.
  wasm=target/ink/$name/$name.wasm
  [ -f "$wasm" ] || { echo "build: FAILED: $name: $wasm missing" >&2; exit 1; }
  summary+=("$(printf '  %-16s optimized wasm %7d bytes  (target/ink/%s/%s.contract)' "$name" "$(wc -c <"$wasm")" "$name" "$name")")
done
echo "build: OK"
printf '%s\n' "${summary[@]}"

# dedot's generator writes message arguments as TypeScript parameters (camel-cased), so
# an argument named after a reserved word (the DAO's `case`) would not parse. The
# typings are generated from a copy of the metadata where such a label gets a suffix
# (`case` → `caseId`, any other → `<label>Arg`); labels are not part of the ABI:
# arguments are encoded by position.
sanitize_labels() { # <bundle> <copy>
  node -e '
    const fs = require("fs");
    const reserved = new Set("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await".split(" "));
    const b = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    for (const kind of ["constructors", "messages"])
      for (const m of b.spec[kind]) for (const a of m.args) if (reserved.has(a.label)) a.label = a.label === "case" ? "case_id" : `${a.label}_arg`;
    fs.writeFileSync(process.argv[2], JSON.stringify(b));
  ' "$1" "$2"
}

for name in "${CONTRACTS[@]}"; do
  sanitize_labels "target/ink/$name/$name.contract" ".run/typings-$name.contract"
  if ! npx --no-install dedot typink -m ".run/typings-$name.contract" -o client/src/contracts \
    >".run/typings-$name.log" 2>&1; then
    cat ".run/typings-$name.log"
    echo "build: FAILED: typings for $name (npx dedot typink; log .run/typings-$name.log)" >&2
    exit 1
  fi
done
echo "build: typings regenerated in client/src/contracts/"
