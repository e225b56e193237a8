#!/usr/bin/env python3
"""The marketplace scenario `make demo` runs on a local node, through cargo-contract.

Usage: demo.py <ws-url>   (scripts/demo.sh starts the node, builds, and calls this)

Actors are the dev chain's well-known accounts:
  Alice   deployer and admin of the registry, holder of the market token supply
  Bob     author of a base model
  Dave    author of a fine-tune of Bob's model, paying Bob a royalty on each sale
  Charlie auditor who attests the fine-tune
  Eve     buyer of two licenses (one paid in native currency, one in the token)
  Ferdie  treasury of the escrow vault (receives the 2.5 % platform fee)

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
VAULT = os.path.join(ROOT, "target/ink/escrow/escrow.contract")
REGISTRY = os.path.join(ROOT, "target/ink/model_registry/model_registry.contract")

ACCOUNTS = {
    "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY": "Alice",
    "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty": "Bob",
    "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y": "Charlie",
    "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy": "Dave",
    "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw": "Eve",
    "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL": "Ferdie",
}
UNIT = 10**12  # the dev chain's native unit and the demo token both have 12 decimals
DAY_MS = 86_400_000


def addr(name):
    return next(a for a, n in ACCOUNTS.items() if n == name)


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
    chain.call(REGISTRY, registry, "set_asset_allowed", [token, "true"], "//Alice")
    charlie = addr("Charlie")
    chain.call(REGISTRY, registry, "set_auditor", [charlie, "true"], "//Alice")

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

    purchases = buy_licenses(chain, token, registry, child, symbol)

    deployment = {"url": url, "market_token": token, "model_registry": registry,
                  "escrow": purchases["vault"]}
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
    print(f"                escrow         {purchases['vault']}")
    print("  (addresses saved to deployments/local.json)")
    print("=" * 72)
    print_purchases(purchases, symbol)


def buy_licenses(chain, token, registry, model_id, symbol):
    """Eve buys both of the fine-tune's licenses through the escrow vault."""
    step("deploying escrow (arbiter Alice, treasury Ferdie, fee 2.5 %, dispute bond 5 %, "
         "smallest native escrow 0.001 UNIT)")
    vault = chain.instantiate(VAULT, "new",
                              [addr("Alice"), addr("Ferdie"), 250, 500, DAY_MS, UNIT // 1000],
                              "//Alice")
    step("wiring: the vault lists the registry as controller and allows MMT; "
         "the registry pays into the vault")
    chain.call(VAULT, vault, "set_controller", [registry, "true"], "//Alice")
    chain.call(VAULT, vault, "set_asset_allowed", [token, "true"], "//Alice")
    chain.call(REGISTRY, registry, "set_vault", [vault], "//Alice")

    bought = []
    step("Eve buys the perpetual license (offer version 1) for 25 UNIT; the money waits "
         "in escrow")
    version = chain.query(REGISTRY, registry, "offer", [model_id, 0])["version"]
    lic = chain.call(REGISTRY, registry, "purchase_license", [model_id, 0, version], "//Eve",
                     25 * UNIT)
    bought.append(lic)
    valid_before = chain.query(REGISTRY, registry, "has_valid_license", [addr("Eve"), model_id])
    escrow_id = chain.query(REGISTRY, registry, "license", [lic])["escrow_id"]
    step(f"Dave delivers (escrow #{escrow_id}), Eve accepts it: release_license")
    chain.call(VAULT, vault, "deliver", [escrow_id, "0x" + "44" * 32], "//Dave")
    chain.call(REGISTRY, registry, "release_license", [lic], "//Eve")
    valid_after = chain.query(REGISTRY, registry, "has_valid_license", [addr("Eve"), model_id])
    if valid_before or not valid_after:
        fail(f"license validity wrong: before release {valid_before}, after {valid_after}")

    step(f"Alice sends Eve 100 {symbol}; Eve approves the registry for 40 {symbol} and buys "
         "1,000 metered calls")
    chain.call(TOKEN, token, "PSP22::transfer", [addr("Eve"), 100 * UNIT, "[]"], "//Alice")
    chain.call(TOKEN, token, "PSP22::approve", [registry, 40 * UNIT], "//Eve")
    version = chain.query(REGISTRY, registry, "offer", [model_id, 1])["version"]
    lic2 = chain.call(REGISTRY, registry, "purchase_license", [model_id, 1, version], "//Eve")
    bought.append(lic2)
    escrow2 = chain.query(REGISTRY, registry, "license", [lic2])["escrow_id"]
    chain.call(VAULT, vault, "deliver", [escrow2, "0x" + "55" * 32], "//Dave")
    chain.call(REGISTRY, registry, "release_license", [lic2], "//Eve")
    step("Dave's gateway counts 120 of Eve's calls; Eve rates the model 5 stars")
    left = chain.call(REGISTRY, registry, "consume_units", [addr("Eve"), model_id, 120],
                      "//Dave")
    chain.call(REGISTRY, registry, "rate_model", [model_id, 5], "//Eve")

    credits = {}
    for asset, label in (("Native", "UNIT"), (f"Psp22({token})", symbol)):
        for name in ("Dave", "Bob", "Ferdie"):
            credits[(name, label)] = chain.query(VAULT, vault, "credit_of", [addr(name), asset])
    step("Dave withdraws his native credit from the vault")
    withdrawn = chain.call(VAULT, vault, "EscrowVault::withdraw", ["Native"], "//Dave")
    reserves = chain.query(VAULT, vault, "reserves", ["Native"])
    token_reserves = chain.query(VAULT, vault, "reserves", [f"Psp22({token})"])
    return {
        "vault": vault, "licenses": bought, "credits": credits, "withdrawn": withdrawn,
        "units_left": left, "rating": chain.query(REGISTRY, registry, "average_rating_x100",
                                                  [model_id]),
        "reserves": reserves, "token_reserves": token_reserves, "model": model_id,
    }


def print_purchases(p, symbol):
    print(f"Purchases of model #{p['model']} through the escrow vault")
    print("=" * 72)
    print(f"  licenses      #{p['licenses'][0]} perpetual (25 UNIT), "
          f"#{p['licenses'][1]} metered (40 {symbol}); both valid after release")
    print("  who received what (credited by the vault, pulled with withdraw):")
    roles = {"Dave": "seller", "Bob": "parent-model royalty 5 %", "Ferdie": "platform fee 2.5 %"}
    for (name, label), value in p["credits"].items():
        print(f"    {name:<7} {roles[name]:<26} {amount(value, label):>16}")
    print(f"  Dave withdrew {amount(p['withdrawn'], 'UNIT')} to his account")
    print(f"  metered license: {p['units_left']} calls left; rating "
          f"{(p['rating'] or 0) / 100:g} / 5")
    r, t = p["reserves"], p["token_reserves"]
    print(f"  vault reserves: UNIT owed {amount(r['owed'], 'UNIT')}, held "
          f"{amount(r['holdings'], 'UNIT')}; "
          f"{symbol} owed {amount(t['owed'], symbol)}, held {amount(t['holdings'], symbol)}")
    print("=" * 72)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: demo.py <ws-url>")
    main(sys.argv[1])
