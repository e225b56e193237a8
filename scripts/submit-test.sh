#!/usr/bin/env bash
# A stage of `make test`: the client's `submit` never loses a transaction silently and
# never lands one twice (scripts/submit-test.ts), on a dev node of its own (port
# SUBMIT_TEST_PORT, default 9957), which it always stops. About 40 s.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
export NODE_PORT=${SUBMIT_TEST_PORT:-9957}
trap 'bash scripts/node.sh stop >/dev/null' EXIT
bash scripts/node.sh start
npx --no-install tsx scripts/submit-test.ts --url "ws://127.0.0.1:$NODE_PORT"
