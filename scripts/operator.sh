#!/usr/bin/env bash
# The operators' path, tested: deploys and wires every contract with cargo-contract alone
# (`cargo contract instantiate` / `call`), exactly as docs/deploying.md shows, on a
# node of its own, then checks on chain that the wiring took and that a purchase made
# through it holds the buyer's money in the vault; then deploys
# the dispute DAO, hands it the vault's arbiter role and the registry's and market's
# admin roles, checks that the deployer lost them, and runs one governance round (stake,
# propose a fee, vote, wait out voting and the timelock, execute) that changes the fee.
#
#   bash scripts/operator.sh        (run by `make test`; needs the contracts built; builds
#                                    the DAO's bundle when it is missing)
#
# OPERATOR_PORT (default 9956) is the node's RPC port. INK_BUNDLES (default target/ink)
# is where the .contract bundles are read from, as for the TypeScript scripts
# (client/src/node.ts). Every command and its output: .run/operator.log. JSON answers
# are read with node (already needed by the client).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
mkdir -p .run
log=.run/operator.log
: >"$log"
export NODE_PORT=${OPERATOR_PORT:-9956}
URL="ws://127.0.0.1:$NODE_PORT"

fail() {
  echo "operator: FAILED: $*" >&2
  echo "----- last lines of $log -----" >&2
  tail -n 20 "$log" >&2
  exit 1
}

BUNDLES=${INK_BUNDLES:-target/ink}
TOKEN_C=$BUNDLES/market_token/market_token.contract
REG_C=$BUNDLES/model_registry/model_registry.contract
VAULT_C=$BUNDLES/escrow/escrow.contract
GPU_C=$BUNDLES/compute_market/compute_market.contract
DAO_C=$BUNDLES/dispute_dao/dispute_dao.contract
for c in $TOKEN_C $REG_C $VAULT_C $GPU_C; do [ -f "$c" ] || fail "$c missing: run make build"; done
# cargo-contract builds into target/ink: only a missing bundle there is built here.
if [ ! -f $DAO_C ] && [ "$BUNDLES" != target/ink ]; then
  fail "$DAO_C missing (INK_BUNDLES=$BUNDLES): build the contracts into it first"
fi
if [ ! -f $DAO_C ]; then
  echo "operator: building the DAO's bundle (cargo contract build --release)"
  echo "\$ cargo contract build --release --manifest-path contracts/dispute_dao/Cargo.toml" >>"$log"
  cargo contract build --release --manifest-path contracts/dispute_dao/Cargo.toml >>"$log" 2>&1 ||
    fail "cargo contract build of contracts/dispute_dao"
  [ -f $DAO_C ] || fail "$DAO_C missing after its build"
fi

trap 'bash scripts/node.sh stop >/dev/null' EXIT
bash scripts/node.sh start >/dev/null
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
# Every unsigned integer in a dry-run's decoded value, in order (`Ok((500, 300000))` → 500 300000).
uints() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.stringify(JSON.parse(s).data).match(/"UInt":\s*\d+/g)||[];process.stdout.write(m.map(x=>x.replace(/\D/g,"")).join(" "))})'; }
bool_value() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=/"Bool":\s*(true|false)/.exec(JSON.stringify(JSON.parse(s).data));process.stdout.write(m?m[1]:"none")})'; }
# The first account (or other literal) in a dry-run's decoded value (`Ok(5Grw…)` → 5Grw…).
literal() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=/"Literal":\s*"([^"]*)"/.exec(JSON.stringify(JSON.parse(s).data));process.stdout.write(m?m[1]:"none")})'; }
# The error a reverted dry-run returned (`Ok(Err(NotArbiter))` → NotArbiter), else "none".
refusal() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const m=/"ident":"Err","values":\[\{"Tuple":\{"ident":"(\w+)"/.exec(JSON.stringify(j.data));process.stdout.write(j.reverted&&m?m[1]:"none")})'; }
# The first struct field named $1 in a dry-run's decoded value: a number, an account, a
# bool or an enum variant's name (`field state` → Queued), else its JSON; "none" if absent.
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const n=process.argv[1];let f;const walk=v=>{if(f===undefined&&v&&typeof v==="object"){if(v.Map&&n in v.Map)f=v.Map[n];else Object.values(v).forEach(walk)}};walk(JSON.parse(s).data);const o=f===undefined?"none":f.UInt??f.Literal??f.Bool??(f.Tuple&&f.Tuple.ident)??JSON.stringify(f);process.stdout.write(String(o))})' "$1"; }

C=(-x --skip-confirm)
ALICE=5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY
BOB=5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty
CHARLIE=5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y
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
# The governed setters are trait messages (the DAO calls them through the traits of
# market_types::governed): cargo-contract names them by their metadata label,
# `Trait::message` (VaultArbiter::…, Administered::…), as it does PSP22::transfer.
cc call $VAULT_C --contract "$VAULT" --message VaultArbiter::set_controller --args "$REGISTRY" true --suri //Alice "${C[@]}" >/dev/null
cc call $VAULT_C --contract "$VAULT" --message VaultArbiter::set_asset_allowed --args "$TOKEN" true --suri //Alice "${C[@]}" >/dev/null
cc call $REG_C --contract "$REGISTRY" --message Administered::set_vault --args "$VAULT" --suri //Alice "${C[@]}" >/dev/null
cc call $REG_C --contract "$REGISTRY" --message Administered::set_asset_allowed --args "$TOKEN" true --suri //Alice "${C[@]}" >/dev/null
cc call $VAULT_C --contract "$VAULT" --message VaultArbiter::set_controller --args "$GPU" true --suri //Alice "${C[@]}" >/dev/null
cc call $GPU_C --contract "$GPU" --message Administered::set_asset_allowed --args "$TOKEN" true --suri //Alice "${C[@]}" >/dev/null

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

echo "operator: 6. instantiate the dispute DAO and hand it the vault, the registry and the market"
# Periods short enough for a test (a real deployment uses days): each round has a 4 s
# commit phase, a 4 s reveal phase and a 4 s appeal window, round r lasting (r + 1) times
# as long; 3 rounds, so the longest case lasts 12 + 24 + 24 = 60 s. A round's quorum:
# 20 % of the stake snapshotted for the case, but at most 100 MMT (times the round), from
# at least 2 reveals. Opening a case costs its opener 2 MMT (approve the DAO first) into
# the reward reserve, which pays the case's 1 MMT juror reward. Proposals: voting
# opens at once and lasts 8 s, quorum 20 % of the stake, timelock 4 s, no late-quorum
# extension, 1 MMT staked to propose. Unbonding 120 s (more than the longest case).
# Guardian: Charlie (may pause listings and rentals and cancel proposals, nothing else).
JURY='JuryParams{commit_ms:4000,reveal_ms:4000,appeal_ms:4000,quorum_bps:2000,quorum_cap:100000000000000,min_jurors:2,rounds:3,penalty_bps:1000,appeal_bond:10000000000000,juror_reward:1000000000000,case_fee:2000000000000,slash_bps:5000}'
GOV='GovParams{voting_delay_ms:0,voting_period_ms:8000,quorum_bps:2000,timelock_ms:4000,grace_ms:60000,extension_ms:0,proposal_threshold:1000000000000}'
DAO=$(cc instantiate $DAO_C --constructor new \
  --args "$TOKEN" "$VAULT" "$REGISTRY" "$GPU" "$JURY" "$GOV" 120000 "Some($CHARLIE)" \
  --suri //Alice "${C[@]}" | json contract)
[[ $DAO == 5* ]] || fail "the DAO's instantiation printed no address"
# While Alice still holds the roles: a ruling window (5 min) longer than the longest case
# plus a commit phase to execute its ruling (64 s), else no dispute could become a case.
cc call $VAULT_C --contract "$VAULT" --message VaultArbiter::set_dispute_params --args 500 300000 --suri //Alice "${C[@]}" >/dev/null
cc call $VAULT_C --contract "$VAULT" --message VaultArbiter::propose_arbiter --args "Some($DAO)" --suri //Alice "${C[@]}" >/dev/null
cc call $REG_C --contract "$REGISTRY" --message Administered::propose_admin --args "Some($DAO)" --suri //Alice "${C[@]}" >/dev/null
cc call $GPU_C --contract "$GPU" --message Administered::propose_admin --args "Some($DAO)" --suri //Alice "${C[@]}" >/dev/null
for target in Vault Registry Market; do
  cc call $DAO_C --contract "$DAO" --message accept_role --args $target --suri //Alice "${C[@]}" >/dev/null
done

echo "operator: 7. check on chain that the DAO holds every role and Alice none, and its jury parameters"
[ "$(cc call $VAULT_C --contract "$VAULT" --message arbiter --suri //Alice | literal)" = "$DAO" ] ||
  fail "the vault's arbiter is not the DAO"
[ "$(cc call $REG_C --contract "$REGISTRY" --message admin --suri //Alice | literal)" = "$DAO" ] ||
  fail "the registry's admin is not the DAO"
[ "$(cc call $GPU_C --contract "$GPU" --message admin --suri //Alice | literal)" = "$DAO" ] ||
  fail "the compute market's admin is not the DAO"
[ "$(cc call $VAULT_C --contract "$VAULT" --message VaultArbiter::dispute_params --suri //Alice | uints)" = "500 300000" ] ||
  fail "the vault's dispute parameters are not (5 %, 5 min)"
config=$(cc call $DAO_C --contract "$DAO" --message config --suri //Alice)
jury_read="$(field quorum_cap <<<"$config") $(field min_jurors <<<"$config") $(field case_fee <<<"$config") $(field juror_reward <<<"$config")"
[ "$jury_read" = "100000000000000 2 2000000000000 1000000000000" ] ||
  fail "the DAO's quorum cap, minimum of jurors, case fee and reward read $jury_read, not 100 MMT, 2, 2 MMT, 1 MMT"
# A dry-run (no -x) shows the refusal without submitting anything.
refused=$(cc call $VAULT_C --contract "$VAULT" --message VaultArbiter::set_fee_bps --args 300 --suri //Alice | refusal)
[ "$refused" = NotArbiter ] || fail "Alice's set_fee_bps was not refused with NotArbiter (got: $refused)"

echo "operator: 8. governance: Alice and Bob stake, Alice proposes a 3 % fee, both vote, Eve executes"
cc call $TOKEN_C --contract "$TOKEN" --message PSP22::transfer --args $BOB 500000000000000 '[]' --suri //Alice "${C[@]}" >/dev/null
cc call $TOKEN_C --contract "$TOKEN" --message PSP22::approve --args "$DAO" 1010000000000000 --suri //Alice "${C[@]}" >/dev/null
cc call $DAO_C --contract "$DAO" --message stake --args 1000000000000000 --suri //Alice "${C[@]}" >/dev/null
cc call $TOKEN_C --contract "$TOKEN" --message PSP22::approve --args "$DAO" 500000000000000 --suri //Bob "${C[@]}" >/dev/null
cc call $DAO_C --contract "$DAO" --message stake --args 500000000000000 --suri //Bob "${C[@]}" >/dev/null
# Votes weigh the stake held before the proposal's block; cargo-contract returns once a
# call is in a block, so the proposal (a later call) lands in a later block than the stakes.
cc call $DAO_C --contract "$DAO" --message propose \
  --args 'SetFee{fee_bps:300}' "0x$(printf '33%.0s' {1..32})" --suri //Alice "${C[@]}" >/dev/null
cc call $DAO_C --contract "$DAO" --message vote --args 1 true --suri //Alice "${C[@]}" >/dev/null
cc call $DAO_C --contract "$DAO" --message vote --args 1 true --suri //Bob "${C[@]}" >/dev/null
view=$(cc call $DAO_C --contract "$DAO" --message proposal --args 1 --suri //Alice)
for_weight=$(field for_weight <<<"$view")
[ "$for_weight" = 1500000000000000 ] || fail "the proposal counts $for_weight for, not Alice's 1 000 + Bob's 500 MMT"
eta=$(field eta <<<"$view")
[[ $eta =~ ^[0-9]+$ ]] || fail "the proposal shows no eta"
# Wait out voting and the timelock on the wall clock (the dev node's clock), then make a
# block: the dev node makes none while idle, and cargo-contract dry-runs every call (also
# before submitting it) at the last block's time, which still sees voting open
# (`execute_proposal` would be refused with ProposalNotPassed).
wait_ms=$((eta - $(date +%s%3N) + 500))
[ $wait_ms -le 0 ] || sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"
# That block: Alice funds the jurors' reward reserve with 10 MMT.
cc call $DAO_C --contract "$DAO" --message fund_rewards --args 10000000000000 --suri //Alice "${C[@]}" >/dev/null
[ "$(cc call $DAO_C --contract "$DAO" --message proposal --args 1 --suri //Alice | field state)" = Ready ] ||
  fail "the proposal is not Ready after its timelock"
cc call $DAO_C --contract "$DAO" --message execute_proposal --args 1 --suri //Eve "${C[@]}" >/dev/null
[ "$(cc call $VAULT_C --contract "$VAULT" --message fee_bps --suri //Alice | first_uint)" = 300 ] ||
  fail "the executed proposal did not set the vault's fee to 3 %"
[ "$(cc call $DAO_C --contract "$DAO" --message proposal --args 1 --suri //Alice | field state)" = Executed ] ||
  fail "the proposal is not Executed"
echo "operator: OK (token $TOKEN, registry $REGISTRY, vault $VAULT, compute market $GPU, DAO $DAO)"
