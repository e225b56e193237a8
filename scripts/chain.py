"""Thin driver of `cargo contract` for the demo and benchmark scripts.

Every chain interaction goes through the cargo-contract CLI (the tool a user deploys
with), asking for `--output-json`, and this module turns its answers into plain Python:
SCALE values decoded by cargo-contract arrive as a JSON tree of `Map`, `Tuple`, `Seq`,
`UInt`, `String`, `Literal` and `Hex` nodes; `plain()` flattens that tree, unwrapping
`Ok(..)` and `Some(..)`.
"""

import json
import subprocess
import sys


class ChainError(RuntimeError):
    """A cargo-contract command failed or a message returned an error."""


def plain(value):
    """Converts cargo-contract's JSON value tree to dicts, lists, ints and strings."""
    if not isinstance(value, dict) or len(value) != 1:
        return value
    (kind, inner), = value.items()
    if kind == "Map":
        return {k: plain(v) for k, v in inner.items()}
    if kind == "Tuple":
        ident, values = inner.get("ident"), [plain(v) for v in inner.get("values", [])]
        if ident in ("Ok", "Some") and len(values) == 1:
            return values[0]
        if ident == "None":
            return None
        if ident == "Err":
            return {"Err": values[0] if len(values) == 1 else values}
        if ident is None:
            return values
        if not values:
            return ident
        return {ident: values[0] if len(values) == 1 else values}
    if kind == "Seq":
        return [plain(v) for v in inner["elems"]]
    if kind == "Hex":
        return "0x" + inner["s"]
    if kind in ("UInt", "Int", "String", "Literal", "Bool", "Char"):
        return inner
    if kind == "Unit":
        return None
    return value


def _reason(proc):
    """The first line of what cargo-contract said went wrong (it may answer in JSON)."""
    text = proc.stderr.strip() or proc.stdout.strip()
    try:
        err, _ = json.JSONDecoder().raw_decode(text)
        if isinstance(err, dict) and len(err) == 1:
            (kind, body), = err.items()
            text = f"{kind}: {body.get('error', body) if isinstance(body, dict) else body}"
    except json.JSONDecodeError:
        pass
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else f"exit code {proc.returncode}"


class Chain:
    """Deploys and calls contracts on one node with cargo-contract."""

    def __init__(self, url, log=None):
        self.url = url
        self.log = log  # file object receiving every command and its raw output

    def _run(self, args):
        cmd = ["cargo", "contract", *args, "--url", self.url, "--output-json"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if self.log:
            self.log.write("$ " + " ".join(cmd) + "\n" + proc.stdout + proc.stderr + "\n")
            self.log.flush()
        if proc.returncode != 0:
            raise ChainError(f"`cargo contract {args[0]}` failed: {_reason(proc)}")
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError as err:
            raise ChainError(f"`cargo contract {args[0]}` printed no JSON: {err}") from err

    @staticmethod
    def _args(values):
        return ["--args", *[str(v) for v in values]] if values else []

    def instantiate(self, bundle, constructor, args, suri, value=0):
        """Uploads and instantiates; returns the new contract's address."""
        out = self._run(["instantiate", bundle, "--constructor", constructor,
                         *self._args(args), "--suri", suri, "--value", str(value),
                         "--execute", "--skip-confirm"])
        return out["contract"]

    def query(self, bundle, contract, message, args=(), suri="//Alice", value=0):
        """Dry-runs a message and returns its decoded return value (Ok/Some unwrapped).

        Raises ChainError when the message reverts, which is what an ink! message that
        returns `Err(..)` does; the error names the variant.
        """
        out = self._run(["call", bundle, "--contract", contract, "--message", message,
                         *self._args(args), "--suri", suri, "--value", str(value)])
        data = plain(out.get("data"))
        if out.get("reverted"):
            raise ChainError(f"{message} refused: {data}")
        return data

    def cost(self, bundle, contract, message, args=(), suri="//Alice", value=0):
        """Dry-runs a message and returns (ref_time, proof_size) it would consume."""
        out = self._run(["call", bundle, "--contract", contract, "--message", message,
                         *self._args(args), "--suri", suri, "--value", str(value)])
        if out.get("reverted"):
            raise ChainError(f"{message} reverted: {plain(out.get('data'))}")
        gas = out["gas_consumed"]
        return gas["ref_time"], gas["proof_size"]

    def submit(self, bundle, contract, message, args=(), suri="//Alice", value=0):
        """Submits a message without reading its return value (cargo-contract still
        dry-runs it first and refuses to submit a call that would revert)."""
        self._run(["call", bundle, "--contract", contract, "--message", message,
                   *self._args(args), "--suri", suri, "--value", str(value),
                   "--execute", "--skip-confirm"])

    def call(self, bundle, contract, message, args=(), suri="//Alice", value=0):
        """Dry-runs, then submits a message; fails if the dry-run returns an error.

        Returns the dry-run's decoded return value (what the submitted call returned, as
        nothing else ran in between on a dev node that seals one block per extrinsic).
        """
        result = self.query(bundle, contract, message, args, suri, value)
        self._run(["call", bundle, "--contract", contract, "--message", message,
                   *self._args(args), "--suri", suri, "--value", str(value),
                   "--execute", "--skip-confirm"])
        return result


def fail(message):
    print(f"demo: FAILED: {message}", file=sys.stderr)
    sys.exit(1)
