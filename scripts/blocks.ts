/**
 * How many calls of a message fit in one block of the chain the marketplace runs on:
 * the contracts-node's **parachain** runtime (`--chain contracts-parachain-local`), not
 * the instant-seal dev runtime the tests use. Its limits are read from the runtime
 * (`system.blockWeights`, `system.blockLength`) by `readBlockLimits`; `make bench`
 * starts that node for a minute to read them and writes bench/block-limits.json
 * (scripts/bench.sh), which the budget check in `make test` reads.
 *
 * A block's normal-class transactions share `perClass.normal.maxTotal` (75 % of the
 * block on this runtime: the rest is for operational and mandatory ones), and each
 * transaction also costs `perClass.normal.baseExtrinsic`. A collator adds a transaction
 * while the weight used so far plus the transaction's declared weight (what it was sent
 * with) fits; once it ran, the unused part of its declared weight is refunded to the
 * block. So the count lies between two bounds, both reported:
 *
 * - **sent** `⌊maxTotal / (declared + baseExtrinsic)⌋`: every call sent with its
 *   `gas_required` and charged it all (the floor a dApp can rely on);
 * - **charged** `⌊(maxTotal − declared − base) / (charged + base)⌋ + 1`: every call
 *   refunded to what it consumed (the most a collator can pack).
 *
 * Both per dimension (ref_time and proof_size); the smaller one binds.
 */
import type { Client } from '../client/src/index.js';

export interface Weight {
  refTime: bigint;
  proofSize: bigint;
}

export interface BlockLimits {
  /** Where the figures come from: node binary and runtime. */
  node: string;
  chain: string;
  specName: string;
  specVersion: number;
  /** The whole block (`maxBlock`). */
  maxBlock: Weight;
  /** What normal transactions may use together (`perClass.normal.maxTotal`). */
  normalMaxTotal: Weight;
  /** What one normal transaction may use (`perClass.normal.maxExtrinsic`). */
  normalMaxExtrinsic: Weight;
  /** The weight every transaction adds on top of its call (`perClass.normal.baseExtrinsic`). */
  baseExtrinsic: Weight;
  /** Bytes of normal transactions per block (`blockLength.max.normal`). */
  normalMaxLength: number;
}

const w = (x: { refTime: bigint; proofSize: bigint }): Weight => ({ refTime: BigInt(x.refTime), proofSize: BigInt(x.proofSize) });

/** Reads the block limits of the runtime `client` is connected to. */
export async function readBlockLimits(client: Client, node: string): Promise<BlockLimits> {
  const bw = client.consts.system.blockWeights;
  const normal = bw.perClass.normal;
  if (!normal.maxTotal || !normal.maxExtrinsic) throw new Error('the runtime sets no normal-class block limits');
  return {
    node,
    chain: await client.rpc.system_chain(),
    specName: client.runtimeVersion.specName,
    specVersion: client.runtimeVersion.specVersion,
    maxBlock: w(bw.maxBlock),
    normalMaxTotal: w(normal.maxTotal),
    normalMaxExtrinsic: w(normal.maxExtrinsic),
    baseExtrinsic: w(normal.baseExtrinsic),
    normalMaxLength: Number(client.consts.system.blockLength.max.normal),
  };
}

export type Dimension = 'ref_time' | 'proof_size';

export interface Fit {
  /** Calls per block, every one charged its declared weight. */
  sent: number;
  /** Calls per block, every one refunded to what it consumed. */
  charged: number;
  /** The dimension that binds (of `sent`). */
  binding: Dimension;
}

/**
 * How many transactions of a call fit in one block: `declared` is the weight it is
 * dispatched with, `charged` what it costs once it ran (both including the pallet's
 * own base weight of the call, without `baseExtrinsic`, which this adds).
 */
export function perBlock(limits: BlockLimits, declared: Weight, charged: Weight): Fit {
  const base = limits.baseExtrinsic;
  const total = limits.normalMaxTotal;
  const sentBy = (d: Dimension) => {
    const [t, x, b] = d === 'ref_time' ? [total.refTime, declared.refTime, base.refTime] : [total.proofSize, declared.proofSize, base.proofSize];
    return x + b === 0n ? Number.MAX_SAFE_INTEGER : Number(t / (x + b));
  };
  const chargedBy = (d: Dimension) => {
    const [t, x, c, b] =
      d === 'ref_time'
        ? [total.refTime, declared.refTime, charged.refTime, base.refTime]
        : [total.proofSize, declared.proofSize, charged.proofSize, base.proofSize];
    if (x + b > t) return 0;
    return c + b === 0n ? Number.MAX_SAFE_INTEGER : Number((t - x - b) / (c + b)) + 1;
  };
  const r = sentBy('ref_time');
  const p = sentBy('proof_size');
  return { sent: Math.min(r, p), charged: Math.min(chargedBy('ref_time'), chargedBy('proof_size')), binding: r <= p ? 'ref_time' : 'proof_size' };
}

export function limitsToJson(l: BlockLimits): Record<string, unknown> {
  return JSON.parse(JSON.stringify(l, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
}

export function limitsFromJson(j: Record<string, unknown>): BlockLimits {
  const weight = (x: unknown): Weight => {
    const o = x as { refTime: string; proofSize: string };
    return { refTime: BigInt(o.refTime), proofSize: BigInt(o.proofSize) };
  };
  return {
    node: String(j.node),
    chain: String(j.chain),
    specName: String(j.specName),
    specVersion: Number(j.specVersion),
    maxBlock: weight(j.maxBlock),
    normalMaxTotal: weight(j.normalMaxTotal),
    normalMaxExtrinsic: weight(j.normalMaxExtrinsic),
    baseExtrinsic: weight(j.baseExtrinsic),
    normalMaxLength: Number(j.normalMaxLength),
  };
}
