#!/usr/bin/env python3
"""The marketplace scenario `make demo` runs on a local node, through cargo-contract.

Usage: demo.py <ws-url>   (scripts/demo.sh starts the node, builds, and calls this)

Actors are the dev chain's well-known accounts:
  Alice   deployer and admin of the registry, holder of the market token supply
  Bob     author of a base model
  Dave    author of a fine-tune of Bob's model, paying Bob a royalty on each sale
  Charlie auditor who attests the fine-tune

Writes deployments/local.json (addresses, code hashes, url) and prints a summary read
back from the chain. Exits non-zero on the first step that fails.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chain import Chain, ChainError, fail  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = os.path.join(ROOT, "target/ink/market_token/market_token.contract")
REGISTRY = os.path.join(ROOT, "target/ink/model_registry/model_registry.contract")

ACCOUNTS = {
    "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY": "Alice",
    "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty": "Bob",
    "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y": "Charlie",
    "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy": "Dave",
}
UNIT = 10**12  # the dev chain's native unit and the demo token both have 12 decimals
DAY_MS = 86_400_000


def who(address):
    return ACCOUNTS.get(address, address)


def amount(value, symbol):
    whole, frac = divmod(int(value), UNIT)
    frac_text = f"{frac:012d}".rstrip("0")
    return f"{whole}{'.' + frac_text if frac_text else ''} {symbol}"


def step(text):
    print(f"demo: {text}", flush=True)


def main(url):
    os.makedirs(os.path.join(ROOT, ".run"), exist_ok=True)
    with open(os.path.join(ROOT, ".run/demo-calls.log"), "w") as log:
        chain = Chain(url, log)
        try:
            run(chain, url)
        except ChainError as err:
            fail(f"{err} (every command and its output: .run/demo-calls.log)")


def run(chain, url):
    step("deploying market_token (fixed supply of 1,000,000 MMT minted to Alice)")
    token = chain.instantiate(TOKEN, "new",
                              [1_000_000 * UNIT, 'Some("Model Market Token")', 'Some("MMT")', 12],
                              "//Alice")
    step("deploying model_registry (royalty cap 20 %)")
    registry = chain.instantiate(REGISTRY, "new", [2_000], "//Alice")

    step("Alice allows MMT as a payment asset and makes Charlie an auditor")
    chain.call(REGISTRY, registry, "allow_asset", [token], "//Alice")
    charlie = next(a for a, n in ACCOUNTS.items() if n == "Charlie")
    chain.call(REGISTRY, registry, "add_auditor", [charlie], "//Alice")

    step("Bob registers the base model llama-mini 1.0.0")
    base = chain.call(REGISTRY, registry, "register_model",
                      ['"llama-mini"', '"ipfs://bafybeibasemodelcard"', "0x" + "11" * 32,
                       "Version{major:1,minor:0,patch:0}", "None", 0, '["llm"]'], "//Bob")
    step("Dave registers the fine-tune llama-mini-chat 0.3.1 with a 5 % royalty to its parent")
    child = chain.call(REGISTRY, registry, "register_model",
                       ['"llama-mini-chat"', '"ipfs://bafybeichatmodelcard"', "0x" + "22" * 32,
                        "Version{major:0,minor:3,patch:1}", f"Some({base})", 500,
                        '["llm","chat"]'], "//Dave")

    step("Dave offers a perpetual license for 25 UNIT and 1,000 metered calls for 40 MMT")
    chain.call(REGISTRY, registry, "add_offer",
               [child, "Perpetual", 25 * UNIT, "Native"], "//Dave")
    chain.call(REGISTRY, registry, "add_offer",
               [child, "Metered{units:1000}", 40 * UNIT, f"Psp22({token})"], "//Dave")

    step("Charlie attests the fine-tune for 30 days")
    expires = int(time.time() * 1000) + 30 * DAY_MS
    chain.call(REGISTRY, registry, "attest", [child, "0x" + "33" * 32, expires], "//Charlie")

    # Read everything back from the chain.
    model = chain.query(REGISTRY, registry, "model", [child])
    offers = chain.query(REGISTRY, registry, "offers", [child, 0, 0])
    attestation = chain.query(REGISTRY, registry, "attestation", [child, charlie])
    valid = chain.query(REGISTRY, registry, "is_attestation_valid", [child, charlie])
    by_tag = chain.query(REGISTRY, registry, "models_by_tag", ['"llm"', 0, 0])
    symbol = chain.query(TOKEN, token, "PSP22Metadata::token_symbol") or "?"
    supply = chain.query(TOKEN, token, "PSP22::total_supply")
    if model is None or len(offers["items"]) != 2 or not valid:
        fail(f"read-back does not match what was written: {model!r} {offers!r} {valid!r}")

    deployment = {"url": url, "market_token": token, "model_registry": registry}
    os.makedirs(os.path.join(ROOT, "deployments"), exist_ok=True)
    with open(os.path.join(ROOT, "deployments/local.json"), "w") as out:
        json.dump(deployment, out, indent=2)

    v = model["version"]
    print()
    print("=" * 72)
    print(f"Model #{child} read back from {url}")
    print("=" * 72)
    print(f"  name          {model['name']}  v{v['major']}.{v['minor']}.{v['patch']}")
    print(f"  owner         {who(model['owner'])}")
    print(f"  metadata      {model['metadata_uri']}")
    print(f"  weights hash  {model['weights_hash']}")
    print(f"  lineage       fine-tune of model #{model['parent']}, "
          f"royalty {model['royalty_bps'] / 100:g} % to its owner")
    print(f"  tags          {', '.join(model['tags'])}")
    status = model["status"]
    if isinstance(status, dict):  # Deprecated { successor }
        status = f"Deprecated, successor #{status['successor']}"
    print(f"  status        {status}")
    print(f"  audit         attested by {who(charlie)} until "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(attestation['expires_at'] / 1000))}"
          f" ({'valid' if valid else 'not valid'})")
    print("  offers")
    for offer in offers["items"]:
        # cargo-contract's JSON drops the variant name of struct-like variants, so
        # Metered { units } and TimeBound { duration_ms } are told apart by their field.
        kind = offer["kind"]
        if isinstance(kind, dict) and "units" in kind:
            terms = f"metered, {kind['units']} units"
        elif isinstance(kind, dict) and "duration_ms" in kind:
            terms = f"time-bound, {kind['duration_ms'] / DAY_MS:g} days"
        else:
            terms = "perpetual"
        price = (amount(offer["price"], "UNIT") if offer["asset"] == "Native"
                 else amount(offer["price"], symbol))
        print(f"    #{offer['offer_id']}  {terms:<24} {price:>14}   {offer['status']}")
    print(f"  models tagged 'llm': {', '.join('#' + str(i) for i, _ in by_tag['items'])}")
    print(f"  market token  {symbol}, total supply {amount(supply, symbol)}")
    print(f"  contracts     market_token {token}")
    print(f"                model_registry {registry}")
    print("  (addresses saved to deployments/local.json)")
    print("=" * 72)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: demo.py <ws-url>")
    main(sys.argv[1])
