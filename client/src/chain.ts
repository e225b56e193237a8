/**
 * Connection to a node and the accounts that sign: shared by the deploy script, the demo,
 * the benchmark and the dApp (browser-safe: no Node.js modules here).
 */
import { DedotClient, WsProvider } from 'dedot';
import type { InjectedSigner } from 'dedot/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { submit, type Submittable } from './submit.js';

export type Client = DedotClient;

/** Who signs a transaction: a key pair (dev accounts, a seed) or a browser extension. */
export interface Signer {
  /** SS58 address (generic prefix 42). */
  address: string;
  /** Human name for logs and screens, e.g. "Alice". */
  name: string;
  pair?: KeyringPair;
  injected?: InjectedSigner;
}

export class NodeUnreachable extends Error {
  constructor(readonly url: string, cause: string) {
    super(`node unreachable at ${url}: ${cause}`);
    this.name = 'NodeUnreachable';
  }
}

/**
 * Connects over the legacy JSON-RPC API. The dev node seals a block per transaction
 * ("instant seal"), and the new JSON-RPC `transaction_v1_broadcast` never gets a
 * transaction into such a block; the legacy `author_submitAndWatchExtrinsic` does.
 *
 * `stalingDetectionMs`: dedot drops a connection that sees no new block for that long
 * and reconnects. Off by default (0): a dev node seals nothing while idle, a parachain
 * with a collator down can go more than 30 s (dedot's default) without a block, and with
 * no retries allowed here dedot's reconnect leaves the client wedged (seen on the local
 * parachain: docs/network.md). A dropped socket still fails every call.
 */
export async function connect(url: string, timeoutMs = 15_000, stalingDetectionMs = 0): Promise<Client> {
  await probe(url, timeoutMs);
  const provider = new WsProvider({ endpoint: url, retryDelayMs: 0, maxRetryAttempts: 0 });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NodeUnreachable(url, `no answer in ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const client = DedotClient.legacy({ provider, stalingDetectionTimeout: stalingDetectionMs });
    return await Promise.race([client, timeout]);
  } catch (err) {
    if (err instanceof NodeUnreachable) throw err;
    throw new NodeUnreachable(url, err instanceof Error && err.message ? err.message : 'the connection failed');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * In Node.js, asks the node's HTTP endpoint (same port as its WebSocket) for its health
 * first, so an unreachable node gives one clear line instead of reconnect noise.
 */
async function probe(url: string, timeoutMs: number): Promise<void> {
  const inNode = typeof globalThis.process !== 'undefined' && !!globalThis.process.versions?.node;
  if (!inNode) return;
  const http = url.replace(/^ws(s?):/, 'http$1:');
  try {
    const res = await fetch(http, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new NodeUnreachable(url, cause === 'ECONNREFUSED' ? 'connection refused (is a node running there?)' : err instanceof Error ? err.message : String(err));
  }
}

/** The dev chain's well-known accounts, in the order the demo introduces them. */
export const DEV_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const;
export type DevName = (typeof DEV_NAMES)[number];

let keyring: Keyring | undefined;
async function ring(): Promise<Keyring> {
  if (!keyring) {
    await cryptoWaitReady();
    keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  }
  return keyring;
}

/** A signer from a secret URI: a dev name (`//Alice`), a mnemonic, or a hex seed. */
export async function signerFromUri(uri: string, name?: string): Promise<Signer> {
  const pair = (await ring()).addFromUri(uri);
  return { address: pair.address, name: name ?? (uri.startsWith('//') ? uri.slice(2) : short(pair.address)), pair };
}

/** All six dev accounts by name. */
export async function devSigners(): Promise<Record<DevName, Signer>> {
  const out = {} as Record<DevName, Signer>;
  for (const n of DEV_NAMES) out[n] = await signerFromUri(`//${n}`, n);
  return out;
}

/** `5Grw…utQY`: enough to tell accounts apart on a screen. */
export function short(address: string): string {
  return address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}

/** Free native balance of an account. */
export async function freeBalance(client: Client, address: string): Promise<bigint> {
  const info = await client.query.system.account(address);
  return info.data.free;
}

/** The chain's clock: the timestamp (ms) of the best block. */
export async function chainNow(client: Client): Promise<bigint> {
  return await client.query.timestamp.now();
}

/**
 * The chain's target block time in ms, read from its runtime: Aura's slot duration where
 * the runtime has Aura (a parachain: 6,000 ms for the contracts-node parachain runtime),
 * else twice `timestamp.minimumPeriod`. An instant-seal dev node answers a few ms: it
 * makes a block per transaction, not on a clock.
 */
export function blockTimeMs(client: Client): number {
  const c = client.consts as unknown as { aura?: { slotDuration?: bigint }; timestamp: { minimumPeriod: bigint } };
  try {
    const slot = c.aura?.slotDuration;
    if (slot !== undefined && slot > 0n) return Number(slot);
  } catch {
    // no Aura in this runtime
  }
  return Number(2n * c.timestamp.minimumPeriod);
}

/**
 * Seals a block by sending a `system.remark`. The dev node seals only when a
 * transaction arrives, and a dry-run sees the last block's time: after waiting for a
 * stream to accrue, tick first so the next dry-run sees the clock move.
 */
export async function tick(client: Client, signer: Signer): Promise<void> {
  await submit(client, client.tx.system.remark('0x') as unknown as Submittable, signer, 'tick');
}
