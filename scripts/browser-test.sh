#!/usr/bin/env bash
# Browser tests of the dApp against a fresh dev node:
#   start a node on ${BROWSER_PORT:-9966}, deploy the contracts as network "browser"
#   (rental hour = 2 s; DAO cases of seconds; the admin roles stay with the deployer
#   until the flows' setup hands them to the DAO),
#   build the app (app/dist, which carries deployments/ as its public files), and run
#   tests/browser/flows.ts in headless Chromium. Screenshots land in .run/browser/.
# Assumes the contracts are built (target/ink/); `make test` builds them first.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${BROWSER_PORT:-9966}
url="ws://127.0.0.1:$port"
started=$(date +%s)

for f in market_token escrow model_registry compute_market dispute_dao; do
  if [ ! -f "target/ink/$f/$f.contract" ]; then
    echo "browser-test: FAILED: target/ink/$f/$f.contract is missing (build the contracts first: make build)" >&2
    exit 1
  fi
done
chromium_bin=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium_bin" ]; then
  echo "browser-test: FAILED: $chromium_bin not found (apt-get install -y chromium, or set CHROMIUM)" >&2
  exit 1
fi

stop_node() { NODE_PORT=$port bash scripts/node.sh stop >/dev/null 2>&1 || true; }
trap stop_node EXIT
NODE_PORT=$port bash scripts/node.sh start

# A rental "hour" lasts 2 s here, so the compute flows run in seconds. A case's first
# round: 12 s to commit and 8 s to reveal (three jurors switching accounts in the UI take
# about 3 s each time: room for a machine 3-4 times slower), 4 s to appeal; the unbonding
# delay must outlast the longest case (two rounds). Proposals: 10 s of voting (they run
# while the case does), then a 3 s timelock.
npx tsx scripts/deploy.ts --url "$url" --network browser --fresh --hour-ms 2000 --keep-admin \
  --dao-param commitMs=12000 --dao-param revealMs=8000 --dao-param appealMs=4000 \
  --dao-param unbondingMs=300000 --dao-param votingPeriodMs=10000 --dao-param timelockMs=3000
npx vite build --config app/vite.config.ts --logLevel warn
rm -rf .run/browser
if CHROMIUM="$chromium_bin" npx tsx tests/browser/flows.ts; then
  echo "browser-test: OK in $(( $(date +%s) - started )) s (screenshots in .run/browser/)"
else
  echo "browser-test: FAILED after $(( $(date +%s) - started )) s (see above; screenshots in .run/browser/)"
  exit 1
fi
