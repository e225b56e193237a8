/**
 * What entering one more contract costs, apart from anything a message does there, and
 * what a contract's code size adds to every call into it: the bench-only probe
 * (bench/probe, `cost_probe`) calls a message of another contract 0, 1 or 2 times, and
 * a trivial view (one that reads the contract's root storage and answers) of each
 * marketplace contract once. `make bench` (scripts/bench.ts) writes the figures to
 * bench/results.json; docs/costs.md shows them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Contract } from 'dedot/contracts';
import type { Market, Signer } from '../client/src/index.js';
import { ROOT } from '../client/src/node.js';
import { instantiate } from './deploy.js';

export interface HopRow {
  name: string;
  /** Bytes of optimized Wasm of the contract entered (0: none). */
  codeBytes: number;
  refTime: bigint;
  proofSize: bigint;
}

export interface Hops {
  rows: HopRow[];
  /** One more call into a contract that does nothing (the probe's `noop`). */
  perHop: { refTime: bigint; proofSize: bigint };
  /** Least-squares slope over the marketplace contracts: what 1 KiB of code adds to a call into it. */
  perKiB: { refTime: number; proofSize: number };
  /** One more storage cell (a `Mapping` entry of 16 bytes) read, and overwritten. */
  perRead: { refTime: bigint; proofSize: bigint };
  perWrite: { refTime: bigint; proofSize: bigint };
  /** One more storage cell read whose value is 1,024 bytes (a record rather than a number). */
  perReadKiB: { refTime: bigint; proofSize: bigint };
}

type Bundle = { source: { wasm: string; hash: string }; spec: { messages: { label: string; selector: string }[] } };

function bundle(name: string): Bundle {
  return JSON.parse(readFileSync(join(ROOT, `target/ink/${name}/${name}.contract`), 'utf8')) as Bundle;
}

const size = (b: Bundle) => (b.source.wasm.length - 2) / 2;

function selector(b: Bundle, label: string): `0x${string}` {
  const m = b.spec.messages.find((x) => x.label === label);
  if (!m) throw new Error(`no message ${label}`);
  return m.selector as `0x${string}`;
}

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export async function measureHops(market: Market, signer: Signer): Promise<Hops> {
  const client = market.client;
  const probeBundle = bundle('cost_probe');
  const a = await instantiate(client, signer, probeBundle as never, [], () => undefined);
  const b = await instantiate(client, signer, probeBundle as never, [], () => undefined);
  const probe = new Contract(client, probeBundle as never, a.address);
  const query = async (method: string, args: unknown[]) => {
    const q = probe.query[method] as unknown as (...x: unknown[]) => Promise<{ raw: { gasRequired: { refTime: bigint; proofSize: bigint } }; data: unknown }>;
    const r = await q(...args, { caller: signer.address });
    return { refTime: r.raw.gasRequired.refTime, proofSize: r.raw.gasRequired.proofSize, data: r.data };
  };
  const rows: HopRow[] = [];
  const noop = selector(probeBundle, 'noop');
  const probeSize = size(probeBundle);
  const direct = await query('noop', []);
  rows.push({ name: 'probe.noop (enters 1 contract)', codeBytes: probeSize, ...direct });
  const enter = async (name: string, target: string, sel: `0x${string}`, times: number, codeBytes: number) => {
    const r = await query('enter', [target, sel, times]);
    if (Number(r.data) !== times) throw new Error(`${name}: ${String(r.data)} of ${times} calls returned`);
    rows.push({ name, codeBytes, refTime: r.refTime, proofSize: r.proofSize });
    return r;
  };
  await enter('probe.enter, 0 calls', b.address, noop, 0, 0);
  const one = await enter('probe.enter, 1 call of probe.noop', b.address, noop, 1, probeSize);
  const two = await enter('probe.enter, 2 calls of probe.noop', b.address, noop, 2, probeSize);
  const views: [string, string, string][] = [
    ['market_token', market.token.address, 'PSP22::total_supply'],
    ['model_registry', market.registry.address, 'admin'],
    ['escrow', market.vault.address, 'arbiter'],
    ['compute_market', market.compute.address, 'admin'],
    ['dispute_dao', market.dao.address, 'totals'],
  ];
  const xs: number[] = [];
  const rt: number[] = [];
  const ps: number[] = [];
  for (const [name, address, label] of views) {
    const bb = bundle(name);
    const r = await enter(`probe.enter, 1 call of ${name}.${label}`, address, selector(bb, label), 1, size(bb));
    xs.push(size(bb) / 1024);
    rt.push(Number(r.refTime));
    ps.push(Number(r.proofSize));
  }
  // Storage: four cells written first, then 1 or 3 of them read, or overwritten.
  const est = await query('touch', [0, 4]);
  const tx = probe.tx.touch as unknown as (...x: unknown[]) => { signAndSend(a: unknown): { untilBestChainBlockIncluded(): Promise<unknown> } };
  await tx(0, 4, { gasLimit: { refTime: est.refTime * 2n, proofSize: est.proofSize * 2n } })
    .signAndSend(signer.pair ?? signer.address)
    .untilBestChainBlockIncluded();
  const touch = async (reads: number, writes: number) => {
    const r = await query('touch', [reads, writes]);
    rows.push({ name: `probe.touch: ${reads} cells read, ${writes} overwritten`, codeBytes: probeSize, refTime: r.refTime, proofSize: r.proofSize });
    return r;
  };
  await touch(0, 0);
  const r1 = await touch(1, 0);
  const r3 = await touch(3, 0);
  const w1 = await touch(0, 1);
  const w3 = await touch(0, 3);
  // The same reads of 1,024-byte values.
  const blobEst = await query('touchBlobs', [0, 3, 1024]);
  const blobTx = probe.tx.touchBlobs as unknown as (...x: unknown[]) => { signAndSend(a: unknown): { untilBestChainBlockIncluded(): Promise<unknown> } };
  await blobTx(0, 3, 1024, { gasLimit: { refTime: blobEst.refTime * 2n, proofSize: blobEst.proofSize * 2n } })
    .signAndSend(signer.pair ?? signer.address)
    .untilBestChainBlockIncluded();
  const blob = async (reads: number) => {
    const r = await query('touchBlobs', [reads, 0, 0]);
    if (Number(r.data) !== reads * 1024) throw new Error(`touch_blobs read ${String(r.data)} bytes, expected ${reads * 1024}`);
    rows.push({ name: `probe.touch_blobs: ${reads} cells of 1,024 bytes read`, codeBytes: probeSize, refTime: r.refTime, proofSize: r.proofSize });
    return r;
  };
  const b1 = await blob(1);
  const b3 = await blob(3);
  return {
    perReadKiB: { refTime: (b3.refTime - b1.refTime) / 2n, proofSize: (b3.proofSize - b1.proofSize) / 2n },
    rows,
    perRead: { refTime: (r3.refTime - r1.refTime) / 2n, proofSize: (r3.proofSize - r1.proofSize) / 2n },
    perWrite: { refTime: (w3.refTime - w1.refTime) / 2n, proofSize: (w3.proofSize - w1.proofSize) / 2n },
    perHop: { refTime: two.refTime - one.refTime, proofSize: two.proofSize - one.proofSize },
    perKiB: { refTime: Math.round(slope(xs, rt)), proofSize: Math.round(slope(xs, ps)) },
  };
}
