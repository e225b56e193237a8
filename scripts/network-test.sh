#!/usr/bin/env bash
# The network stage of `make test` (issue 20): the marketplace on a real relay chain and
# parachain, with a collator stopped mid-scenario.
#
#   1. scripts/network.sh start: rococo-local (validators alice, bob), the marketplace
#      parachain (para 1000, collators alice, bob); waits for the first parachain block;
#   2. scripts/deploy.ts on collator alice (ws://127.0.0.1:9910), as `make deploy
#      URL=ws://127.0.0.1:9910 NETWORK=parachain` does, with a fresh deployment;
#   3. scripts/network-scenario.ts: licenses and a GPU rental; a transfer is handed to
#      collator bob, which is then stopped (blocks must keep coming from alice), the
#      scenario goes on through alice, bob is started again; every payout, withdrawal
#      and the vault's reserves are checked to the unit; then a jury decides a disputed
#      rental in phases sized from the block time, its ruling paid out to the unit;
#   4. the restarted collator has caught up with alice's best block and follows finality;
#   5. scripts/network-burst.ts: 24 purchases, then 24 rentals, from 24 accounts at once,
#      counted per parachain block and compared with make bench's per-block figures.
#
# Needs the relay binaries (scripts/relay-install.sh); scripts/test.sh runs this only when
# they are on PATH. NETWORK_SKIP_BUILD=1 skips the contracts' release build (make test has
# just made it). Logs: .run/network/ (each node), .run/network-test.log when run by make test.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
begin=$SECONDS

[ "${NETWORK_SKIP_BUILD:-0}" = 1 ] || bash scripts/build.sh
trap 'bash scripts/network.sh stop >/dev/null 2>&1 || true' EXIT
bash scripts/network.sh stop >/dev/null 2>&1 || true # a fresh network every time
bash scripts/network.sh start

FERDIE=5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL
# The periods come from the chain's block time, read from its runtime (Aura's 6 s slot):
# the DAO's short periods × 24 and a rental "hour" of 30 blocks, so a rental outlives the
# outage. Each step waits for its best-chain block; the deployment is written once a
# finalized block holds them all.
t=$SECONDS
npx --no-install tsx scripts/deploy.ts --url ws://127.0.0.1:9910 --network parachain --fresh --treasury "$FERDIE"
echo "network-test: deployed in $((SECONDS - t)) s"

t=$SECONDS
npx --no-install tsx scripts/network-scenario.ts --url ws://127.0.0.1:9910 --network parachain \
  --fault-url ws://127.0.0.1:9911 \
  --fault-start 'bash scripts/network.sh stop-node collator-bob && bash scripts/network.sh wait-blocks 2 9910' \
  --fault-end 'bash scripts/network.sh start-node collator-bob'
echo "network-test: scenario with the collator fault in $((SECONDS - t)) s"

# The restarted collator syncs: its best block reaches the best alice had when it came
# back, and its finalized block moves past where it was.
heads() { bash scripts/network.sh heads "$1" 2>/dev/null || echo "? ?"; }
read -r target _ < <(heads collator-alice)
read -r _ fin_from < <(heads collator-bob)
if ! [[ "$target" =~ ^[0-9]+$ && "$fin_from" =~ ^[0-9]+$ ]]; then
  echo "network-test: FAILED: no block numbers from the collators (logs in .run/network/)" >&2
  exit 1
fi
b='?' f='?'
for _ in $(seq 1 60); do
  read -r b f < <(heads collator-bob)
  [[ "$b" =~ ^[0-9]+$ && "$f" =~ ^[0-9]+$ && $b -ge $target && $f -gt $fin_from ]] && break
  sleep 2
done
if ! [[ "$b" =~ ^[0-9]+$ && $b -ge $target ]]; then
  echo "network-test: FAILED: collator bob is at #$b, alice was at #$target" >&2
  exit 1
fi
if ! [[ "$f" =~ ^[0-9]+$ && $f -gt $fin_from ]]; then
  echo "network-test: FAILED: collator bob's finalized block stays at #$f (was #$fin_from)" >&2
  exit 1
fi
# Throughput: 24 license purchases at once, then 24 rentals, counted per parachain block
# against make bench's per-block figures (docs/costs.md).
npx --no-install tsx scripts/network-burst.ts --url ws://127.0.0.1:9910 --network parachain --accounts 24

bash scripts/network.sh status
echo "network-test: OK in $((SECONDS - begin)) s: collator bob restarted and synced to #$b (finalized #$f)"
