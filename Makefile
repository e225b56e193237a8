# The README's commands. Every target that needs tools runs scripts/setup.sh first, so a
# fresh machine needs nothing but `make`.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: help demo test build lint bench node node-stop setup clean

## help: list the targets, one line each
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  make /; s/: /\t/' | expand -t 24

## demo: full marketplace scenario on a local node it starts and stops itself
demo:
	bash scripts/demo.sh

## test: fmt and clippy, release builds, unit tests, e2e tests on the node, the cargo-contract scenario
test:
	bash scripts/test.sh

## build: release builds of every contract with cargo-contract, printing sizes
build:
	bash scripts/build.sh

## bench: dry-run weights of the vault's messages with 1 and 200 escrows, contract sizes
bench:
	bash scripts/bench.sh

## lint: formatting check and clippy with warnings as errors
lint:
	bash scripts/setup.sh
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --features e2e/e2e-tests -- -D warnings

## node: start a dev node in the background on ws://127.0.0.1:9944
node:
	bash scripts/setup.sh
	bash scripts/node.sh start

## node-stop: stop the node `make node` started
node-stop:
	bash scripts/node.sh stop

## setup: install the pinned toolchain, cargo-contract and the node if missing
setup:
	bash scripts/setup.sh

## clean: remove build outputs, node logs and the local deployment file
clean:
	cargo clean
	rm -rf .run deployments/local.json
