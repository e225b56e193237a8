#!/usr/bin/env python3
"""Registers the marketplace parachain in a relay chain spec's genesis (scripts/network.sh).

    python3 scripts/network-spec.py RELAY_PLAIN.json PARA_SPEC.json HEAD.hex CODE.hex > RELAY_PARAS.json

RELAY_PLAIN.json is `polkadot build-spec --chain rococo-local` (not raw); PARA_SPEC.json is
the parachain's spec (raw or not), from which the para id is read (`para_id`, and
`relay_chain` is checked); HEAD.hex and CODE.hex are `substrate-contracts-node
export-genesis-head` / `export-genesis-wasm` of that spec. Prints the relay spec with
the para in the `paras` pallet's genesis, as a lease-holding parachain.

The shape (polkadot-runtime-parachains 17.0.0, src/paras/mod.rs, the crate rococo-runtime
18.0.0 uses): the pallet's GenesisConfig is `paras: Vec<(ParaId, ParaGenesisArgs)>`,
ParaGenesisArgs is `{genesis_head: HeadData, validation_code: ValidationCode,
parachain: bool}` (`para_kind` is renamed `parachain`; true = lease holding), and HeadData
and ValidationCode serialize as 0x-hex strings. A polkadot 18 spec built from a genesis
preset holds the runtime's genesis as `genesis.runtimeGenesis.patch` (or `.config` for a
full config); rococo's `local_testnet` preset carries `"paras": {"paras": []}`. The para
gets a core at genesis (the coretime assigner's `assign_coretime`), so no registration
or coretime order is needed afterwards.
"""
import json
import sys


def hex_of(path):
    with open(path) as f:
        value = f.read().strip()
    if not value.startswith("0x") or len(value) < 4:
        sys.exit(f"network-spec: {path} is not a 0x-hex export")
    int(value[2:], 16)  # raises on anything but hex
    return value


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    relay_path, para_path, head_path, code_path = sys.argv[1:]
    with open(relay_path) as f:
        relay = json.load(f)
    with open(para_path) as f:
        para = json.load(f)

    para_id = para.get("para_id", para.get("paraId"))
    if not isinstance(para_id, int):
        sys.exit(f"network-spec: {para_path} names no para_id")
    relay_name = para.get("relay_chain", para.get("relayChain"))
    if relay_name not in ("rococo-local", "rococo_local_testnet", relay.get("id")):
        sys.exit(f"network-spec: {para_path} follows relay chain {relay_name!r}, not rococo-local")

    runtime_genesis = relay.get("genesis", {}).get("runtimeGenesis")
    if not isinstance(runtime_genesis, dict):
        sys.exit(f"network-spec: {relay_path} has no genesis.runtimeGenesis (a raw spec? pass the plain one)")
    genesis = runtime_genesis.get("patch", runtime_genesis.get("config"))
    if not isinstance(genesis, dict):
        sys.exit(f"network-spec: {relay_path}: genesis.runtimeGenesis has neither patch nor config")

    paras = genesis.setdefault("paras", {}).setdefault("paras", [])
    if any(entry[0] == para_id for entry in paras):
        sys.exit(f"network-spec: para {para_id} is already in {relay_path}'s genesis")
    paras.append(
        [
            para_id,
            {
                "genesis_head": hex_of(head_path),
                "validation_code": hex_of(code_path),
                "parachain": True,
            },
        ]
    )
    json.dump(relay, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
