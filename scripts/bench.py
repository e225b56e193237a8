#!/usr/bin/env python3
"""Cost benchmark of the escrow vault on a local node: does a message's cost depend on
how many escrows exist?

Usage: bench.py <ws-url> <output.json>   (scripts/bench.sh starts the node and builds)

Deploys the vault, opens one escrow, dry-runs each message and records the weight it
would consume (ref_time, proof_size); then opens 199 more escrows between the same two
parties (so their open-escrow indexes hold 200 entries each) and dry-runs the same
messages on the newest escrow. Nothing here is timed: weights are what the chain
charges, and a dry-run reports them exactly.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chain import Chain, ChainError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAULT = os.path.join(ROOT, "target/ink/escrow/escrow.contract")
ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
CHARLIE = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"
AMOUNT = 1_000_000_000_000  # 1 UNIT
TARGET = 200


def order_terms(deadline):
    return (f"OrderTerms{{payee:{BOB},asset:Native,amount:{AMOUNT},"
            f"delivery_deadline:{deadline},review_window_ms:60000,"
            f"royalties:[Royalty{{receiver:{CHARLIE},bps:500}}],context:0,collateral:None}}")


def measure(chain, vault, newest, deadline):
    """Dry-run weights of the vault's messages against escrow `newest`."""
    rows = {}
    rows["open_order (native)"] = chain.cost(VAULT, vault, "EscrowVault::open_order",
                                             [ALICE, order_terms(deadline)], "//Alice", AMOUNT)
    rows["deliver"] = chain.cost(VAULT, vault, "deliver", [newest, "0x" + "11" * 32], "//Bob")
    rows["release"] = chain.cost(VAULT, vault, "EscrowVault::release", [newest], "//Alice")
    bond = chain.query(VAULT, vault, "required_bond", [newest])
    rows["dispute"] = chain.cost(VAULT, vault, "dispute", [newest], "//Alice", bond)
    rows["escrow (view)"] = chain.cost(VAULT, vault, "escrow", [newest])
    # A page of one, so both runs read the same amount: the cost per page must not
    # depend on how long the party's list is.
    rows["open_escrows, page of 1 (view)"] = chain.cost(VAULT, vault, "open_escrows",
                                                        [ALICE, 0, 1])
    rows["reserves (view)"] = chain.cost(VAULT, vault, "reserves", ["Native"])
    return rows


def main(url, out_path):
    chain = Chain(url)
    deadline = int(time.time() * 1000) + 86_400_000
    vault = chain.instantiate(VAULT, "new", [ALICE, CHARLIE, 250, 500, 60_000, 1_000], "//Alice")
    chain.submit(VAULT, vault, "EscrowVault::open_order", [ALICE, order_terms(deadline)],
                 "//Alice", AMOUNT)
    small_n = chain.query(VAULT, vault, "escrow_count")
    small = measure(chain, vault, small_n, deadline)
    # withdraw needs a credit: release a second escrow, so Bob has one.
    chain.submit(VAULT, vault, "EscrowVault::open_order", [ALICE, order_terms(deadline)],
                 "//Alice", AMOUNT)
    chain.submit(VAULT, vault, "EscrowVault::release", [2], "//Alice")
    small["withdraw (measured with 2)"] = chain.cost(VAULT, vault, "EscrowVault::withdraw",
                                                     ["Native"], "//Bob")

    print(f"bench: opening escrows up to {TARGET} (one transaction each)...", flush=True)
    for _ in range(2, TARGET):
        chain.submit(VAULT, vault, "EscrowVault::open_order", [ALICE, order_terms(deadline)],
                     "//Alice", AMOUNT)
    big_n = chain.query(VAULT, vault, "escrow_count")
    big = measure(chain, vault, big_n, deadline)
    big["withdraw (measured with 2)"] = chain.cost(VAULT, vault, "EscrowVault::withdraw",
                                                   ["Native"], "//Bob")
    open_count = chain.query(VAULT, vault, "open_escrow_count", [ALICE])

    sizes = {}
    for name in ("market_token", "model_registry", "escrow"):
        wasm = os.path.join(ROOT, f"target/ink/{name}/{name}.wasm")
        if os.path.exists(wasm):
            sizes[name] = os.path.getsize(wasm)

    result = {
        "node": url,
        "escrows": {"small": small_n, "large": big_n, "open_for_alice_at_large": open_count},
        "weights": {k: {"with_small": list(small[k]), "with_large": list(big[k])}
                    for k in small},
        "wasm_bytes": sizes,
    }
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=2)

    print(f"\nDry-run weight of each vault message with {small_n} and with {big_n} escrows "
          f"({open_count} open for the same payer):\n")
    print(f"  {'message':<32} {'ref_time @' + str(small_n):>16} {'ref_time @' + str(big_n):>16}"
          f" {'change':>8}   {'proof_size @' + str(small_n):>16} {'@' + str(big_n):>8}")
    for k in small:
        (r1, p1), (r2, p2) = small[k], big[k]
        change = (r2 - r1) / r1 * 100 if r1 else 0.0
        print(f"  {k:<32} {r1:>16,} {r2:>16,} {change:>+7.2f}%   {p1:>16,} {p2:>8,}")
    print("\nOptimized contract sizes:")
    for name, size in sizes.items():
        print(f"  {name:<16} {size:>8,} bytes")
    print(f"\nbench: wrote {out_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: bench.py <ws-url> <output.json>", file=sys.stderr)
        sys.exit(2)
    try:
        main(sys.argv[1], sys.argv[2])
    except ChainError as err:
        print(f"bench: FAILED: {err}", file=sys.stderr)
        sys.exit(1)
