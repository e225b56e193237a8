# The README's commands. Every target that needs tools runs scripts/setup.sh first, so a
# fresh machine needs nothing but `make`.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: help demo test build lint bench budgets costs deploy app node node-stop indexer indexer-stop indexer-bench setup clean
.PHONY: network network-stop relay fuzz

# `make deploy` / `make app` defaults: the node `make node` starts.
URL ?= ws://127.0.0.1:9944
NETWORK ?= local

## help: list the targets, one line each
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  make /; s/: /\t/' | expand -t 24

## demo: the whole marketplace scenario (TypeScript client) on a fresh node it starts and stops
demo:
	bash scripts/demo.sh

## test: lint + tsc, release builds, unit and e2e tests, cargo-contract path, cost budgets, client submit, scenario, indexer, browser tests; the network where the relay binaries are installed
test:
	bash scripts/test.sh

## fuzz: the contracts' property tests ROUNDS times (default 20) from fresh random seeds; a failure prints the seeds that replay it
fuzz:
	bash scripts/fuzz.sh

## build: release builds of every contract with cargo-contract (sizes), then the client's typings
build:
	bash scripts/build.sh

## bench: dry-run weights: growth (1 vs 1,000 escrows, models, offers, rentals; 200 licenses; 3 vs 100 voters), per message and per parachain block, per hop; sizes
bench:
	bash scripts/bench.sh

## budgets: check every message's cost and every contract's size against bench/budgets.json (part of make test)
budgets:
	bash scripts/budgets.sh

## costs: rewrite docs/costs.md from bench/results.json (after make bench)
costs:
	bash scripts/setup.sh
	npx --no-install tsx scripts/costs.ts

## lint: formatting check, clippy with warnings as errors, tsc --strict
lint:
	bash scripts/setup.sh
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --features e2e/e2e-tests -- -D warnings
	npx --no-install tsc -p tsconfig.json
	npx --no-install tsc -p app/tsconfig.json

## deploy: build, deploy and wire every contract on URL (deployments/NETWORK.json); idempotent
deploy:
	bash scripts/setup.sh
	bash scripts/build.sh
	npx --no-install tsx scripts/deploy.ts --url $(URL) --network $(NETWORK)

## app: serve the dApp on http://127.0.0.1:5173 for the NETWORK deployment (after make node deploy)
app:
	bash scripts/setup.sh
	npx --no-install vite --config app/vite.config.ts --host 127.0.0.1 --port 5173

## node: start a dev node in the background on ws://127.0.0.1:9944
node:
	bash scripts/setup.sh
	bash scripts/node.sh start

## node-stop: stop the node `make node` started
node-stop:
	bash scripts/node.sh stop

## indexer: PostgreSQL (.run/pg, port 5544), migrations, the event processor and the API on :4350 for NETWORK
indexer:
	SETUP_PG=1 bash scripts/setup.sh
	NETWORK=$(NETWORK) bash scripts/indexer.sh start

## indexer-stop: stop the processor, the API and the PostgreSQL cluster `make indexer` started
indexer-stop:
	bash scripts/indexer.sh stop

## indexer-bench: seed 10,000 models and 10,000 GPU offers on a fresh node, time the catch-up and five searches, against the on-chain views
indexer-bench:
	bash scripts/indexer-bench.sh

## network: a local relay chain (2 validators) and the marketplace parachain (2 collators, ws://127.0.0.1:9910); docs/network.md
network:
	bash scripts/setup.sh
	bash scripts/network.sh start

## network-stop: stop every node `make network` started
network-stop:
	bash scripts/network.sh stop

## relay: build the relay-chain binaries `make network` needs, in the background (about 2 h on 2 cores)
relay:
	bash scripts/network.sh install

## setup: install the pinned toolchain, cargo-contract and the node if missing
setup:
	bash scripts/setup.sh

## clean: remove build outputs, node logs and the dev chains' deployment files
clean:
	cargo clean
	rm -rf .run app/dist deployments/local* deployments/demo* deployments/browser* deployments/bench* deployments/budgets*
