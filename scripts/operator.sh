#!/usr/bin/env bash
# The operators' path, tested: deploys and wires every contract with cargo-contract alone
# (`cargo contract instantiate` / `call`), exactly as README.md "Deploying with
# cargo-contract" shows, on a node of its own, then checks on chain that the wiring took
# and that a purchase made through it holds the buyer's money in the vault.
#
#   bash scripts/operator.sh        (run by `make test`; needs the contracts built)
#
# OPERATOR_PORT (default 9956) is the node's RPC port. Every command and its output:
# .run/operator.log. JSON answers are read with node (already needed by the client).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
mkdir -p .run
log=.run/operator.log
: >"$log"
export NODE_PORT=${OPERATOR_PORT:-9956}
URL="ws://127.0.0.1:$NODE_PORT"
trap 'bash scripts/node.sh stop >/dev/null' EXIT
bash scripts/node.sh start >/dev/null

fail() {
  echo "operator: FAILED: $*" >&2
  echo "----- last lines of $log -----" >&2
  tail -n 20 "$log" >&2
  exit 1
}
# Runs one cargo-contract command (logged); prints its JSON answer.
cc() {
  echo "\$ cargo contract $*" >>"$log"
  local out
  if ! out=$(cargo contract "$@" --url "$URL" --output-json 2>>"$log"); then
    fail "cargo contract $1 ${*:2:4} ..."
  fi
  echo "$out" >>"$log"
  printf '%s' "$out"
}
# Reads a field of the JSON on stdin: `json contract`.
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(typeof v==="string"?v:JSON.stringify(v))})' "$1"; }
# The first unsigned integer in a dry-run's decoded value (`Ok(Some(7))` → 7).
first_uint() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=/"UInt":\s*(\d+)/.exec(JSON.stringify(JSON.parse(s).data));process.stdout.write(m?m[1]:"none")})'; }
bool_value() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=/"Bool":\s*(true|false)/.exec(JSON.stringify(JSON.parse(s).data));process.stdout.write(m?m[1]:"none")})'; }

TOKEN_C=target/ink/market_token/market_token.contract
REG_C=target/ink/model_registry/model_registry.contract
VAULT_C=target/ink/escrow/escrow.contract
GPU_C=target/ink/compute_market/compute_market.contract
for c in $TOKEN_C $REG_C $VAULT_C $GPU_C; do [ -f "$c" ] || fail "$c missing: run make build"; done
C=(-x --skip-confirm)
ALICE=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
EVE=5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw
FERDIE=5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL

echo "operator: 1. instantiate the token, the registry, the vault and the compute market"
TOKEN=$(cc instantiate $TOKEN_C --constructor new \
  --args 1000000000000000000 'Some("Model Market Token")' 'Some("MMT")' 12 --suri //Alice "${C[@]}" | json contract)
REGISTRY=$(cc instantiate $REG_C --constructor new --args 2000 --suri //Alice "${C[@]}" | json contract)
VAULT=$(cc instantiate $VAULT_C --constructor new \
  --args $ALICE $FERDIE 250 500 86400000 1000000000 --suri //Alice "${C[@]}" | json contract)
# The compute market names the vault and the registry (its auditor list); an "hour"
# of 3 600 000 ms, collateral 100 % of an offer's largest exposure, no-show penalty 10 %,
# start windows up to a day.
GPU=$(cc instantiate $GPU_C --constructor new \
  --args "$VAULT" "$REGISTRY" 3600000 10000 1000 86400000 --suri //Alice "${C[@]}" | json contract)
for a in "$TOKEN" "$REGISTRY" "$VAULT" "$GPU"; do [[ $a == 5* ]] || fail "an instantiation printed no address"; done

echo "operator: 2. wire them"
cc call $VAULT_C --contract "$VAULT" --message set_controller --args "$REGISTRY" true --suri //Alice "${C[@]}" >/dev/null
cc call $VAULT_C --contract "$VAULT" --message set_asset_allowed --args "$TOKEN" true --suri //Alice "${C[@]}" >/dev/null
cc call $REG_C --contract "$REGISTRY" --message set_vault --args "$VAULT" --suri //Alice "${C[@]}" >/dev/null
cc call $REG_C --contract "$REGISTRY" --message set_asset_allowed --args "$TOKEN" true --suri //Alice "${C[@]}" >/dev/null
cc call $VAULT_C --contract "$VAULT" --message set_controller --args "$GPU" true --suri //Alice "${C[@]}" >/dev/null
cc call $GPU_C --contract "$GPU" --message set_asset_allowed --args "$TOKEN" true --suri //Alice "${C[@]}" >/dev/null

echo "operator: 3. Bob lists a model and an offer; Eve buys it at offer version 1"
cc call $REG_C --contract "$REGISTRY" --message register_model \
  --args '"my-model"' '"ipfs://bafy..."' "0x$(printf '11%.0s' {1..32})" \
  'Version{major:1,minor:0,patch:0}' None 0 '["llm"]' --suri //Bob "${C[@]}" >/dev/null
cc call $REG_C --contract "$REGISTRY" --message add_offer --args 1 Perpetual 25000000000000 Native --suri //Bob "${C[@]}" >/dev/null
cc call $REG_C --contract "$REGISTRY" --message purchase_license --args 1 0 1 --value 25000000000000 --suri //Eve "${C[@]}" >/dev/null

echo "operator: 4. Bob offers 4 GPUs (collateral 40 UNIT); Eve rents 2 for 4 h (8 UNIT)"
cc call $GPU_C --contract "$GPU" --message publish_offer \
  --args '"H100 SXM"' 80 4 '"eu-west"' 1000000000000 1 10 Native "0x$(printf '22%.0s' {1..32})" 600000 \
  --value 40000000000000 --suri //Bob "${C[@]}" >/dev/null
cc call $GPU_C --contract "$GPU" --message rent --args 1 2 4 1 --value 8000000000000 --suri //Eve "${C[@]}" >/dev/null

echo "operator: 5. check on chain"
[ "$(cc call $VAULT_C --contract "$VAULT" --message is_controller --args "$REGISTRY" --suri //Alice | bool_value)" = true ] ||
  fail "the vault does not list the registry as controller"
[ "$(cc call $REG_C --contract "$REGISTRY" --message is_asset_allowed --args "Psp22($TOKEN)" --suri //Alice | bool_value)" = true ] ||
  fail "the registry does not accept the token"
[ "$(cc call $REG_C --contract "$REGISTRY" --message license_count --suri //Alice | first_uint)" = 1 ] ||
  fail "the purchase did not record a license"
[ "$(cc call $VAULT_C --contract "$VAULT" --message escrow_count --suri //Alice | first_uint)" = 2 ] ||
  fail "the purchase and the rental did not open one escrow each"
[ "$(cc call $VAULT_C --contract "$VAULT" --message is_controller --args "$GPU" --suri //Alice | bool_value)" = true ] ||
  fail "the vault does not list the compute market as controller"
[ "$(cc call $GPU_C --contract "$GPU" --message rental_count --suri //Alice | first_uint)" = 1 ] ||
  fail "the rental was not recorded"
owed=$(cc call $VAULT_C --contract "$VAULT" --message reserves --args Native --suri //Alice | first_uint)
[ "$owed" = 73000000000000 ] || fail "the vault owes $owed, not 25 (license) + 40 (collateral) + 8 (rental) UNIT"
[ "$(cc call $REG_C --contract "$REGISTRY" --message has_valid_license --args $EVE 1 --suri //Alice | bool_value)" = false ] ||
  fail "a license is valid before its escrow was released"
echo "operator: OK (token $TOKEN, registry $REGISTRY, vault $VAULT, compute market $GPU)"
