/**
 * Sends one signed transaction and follows it until it is in a block (or finalized),
 * without ever losing track of it. Every transaction of the client, the deploy script and
 * the dApp goes through here.
 *
 * Why not just `signAndSend(…).untilBestChainBlockIncluded()`: on a parachain, a
 * collator's pool can report a transaction `Invalid` (or `Dropped`) that is not dead.
 * Cumulus' lookahead collator sometimes builds on a parent older than its best block; a
 * nonce that is right at the best block is in the future there, and the block builder
 * reports the transaction invalid to its pool, which removes it (docs/network.md). The
 * same bytes may still sit in the other collator's pool and be included later. So a
 * pool's verdict is a hint, not a result: while the signer's nonce is unused, `submit`
 * hands the identical bytes to the node again (the same signature and nonce, so it can
 * land at most once; when the node has banned those bytes, as it does for 30 minutes
 * with what its block builder reported invalid, the same call signed again with the same
 * nonce), and once the nonce is used it finds the block that used it, among every copy. Only
 * when another transaction used that nonce, or the transaction stays out for
 * `lostAfterBlocks` blocks, is it reported dropped, with the pool's words.
 *
 * On a parachain a best block can also be retracted (a fork the collators abandon), so
 * `'finalized'` is the default wait there: the block is final once the relay chain
 * finalized its inclusion. A dev node seals and finalizes each block at once, so
 * `'best'` is its default.
 */
import type { IEventRecord } from 'dedot/types';
import { blockTimeMs, type Client, type Signer } from './chain.js';

/** How long `submit` waits: until a best-chain block includes it, or until that block is final. */
export type Inclusion = 'best' | 'finalized';

/** A transaction as dedot builds it (`client.tx.…(…)`, a contract's `tx.…`, a deployer's `tx.new`). */
export interface Submittable {
  sign(account: unknown, options?: Record<string, unknown>): Promise<unknown>;
  send(callback: (result: WatchedResult) => void): Promise<unknown>;
  toHex(): string;
  readonly hash: string;
}

interface WatchedResult {
  status: { type: string; value?: { blockHash?: string; blockNumber?: number; txIndex?: number; error?: string } };
  events?: IEventRecord[];
}

/** Where the transaction landed, and what it did. */
export interface Included {
  blockHash: string;
  blockNumber: number;
  txIndex: number;
  /** Its events (the records of its extrinsic index in that block). */
  events: IEventRecord[];
  /** `System.ExtrinsicFailed`'s error, when the call failed on chain (fees are still paid). */
  dispatchError?: unknown;
  /** The block is finalized (always when waiting for `'finalized'`). */
  finalized: boolean;
  /** The nonce it was signed with. */
  nonce: number;
  /** What the pool said along the way that was not final (`Invalid`, `Dropped`, a retracted block), in order. */
  detours: string[];
  /** Ms from sending to the first best-chain block that included it (when seen). */
  includedMs?: number;
  /** Ms from sending to its block's finality (when waited for). */
  finalizedMs?: number;
}

/**
 * The transaction is gone: the node refused it, its nonce went to another transaction,
 * or it stayed out too long. When `nonce` is still unused (`nonceUnused`), a copy may
 * still wait in some node's pool: send it again **with the same nonce** (`nonce` in the
 * options), so that at most one of them can ever land.
 */
export class TxDropped extends Error {
  constructor(
    readonly label: string,
    readonly reason: string,
    readonly nonce: number,
    readonly nonceUnused: boolean,
    /** Every signed copy (hex): pass them back as `earlierCopies` when sending it again. */
    readonly copies: string[] = [],
  ) {
    super(`${label}: dropped: ${reason}`);
    this.name = 'TxDropped';
  }
}

export interface SubmitOptions {
  /** Default: `'finalized'` on a parachain (the runtime has `ParachainSystem`), else `'best'`. */
  wait?: Inclusion;
  /** The nonce to sign with (default: the node's next index for the signer, pool included). */
  nonce?: number;
  /**
   * Copies of this same transaction signed earlier with `nonce` (`TxDropped.copies`):
   * if one of them lands instead of the new one, that is this transaction landing.
   */
  earlierCopies?: string[];
  /** Blocks to keep trying after the pool let the transaction go (default 20). */
  lostAfterBlocks?: number;
  /** Called with a line for each detour (the pool's verdict, a resend, a retraction). */
  log?: (line: string) => void;
  /**
   * `'immortal'` (the default on a parachain) or `'mortal'` (dedot's: valid for about
   * 12 minutes after the block it names). dedot names the finalized block when finality
   * lags at most 5 blocks, else the best block's parent; on a parachain finality often
   * lags more, and when that block is then abandoned for another fork, the transaction
   * names a block the chain does not have and every node refuses it for good
   * (`AncientBirthBlock`), so no resend can save it. An immortal one stays valid until
   * its nonce is used, which is also what makes "send it again with the same nonce" safe.
   */
  mortality?: 'immortal' | 'mortal';
}

const POLL_MS = 1_000;
/** Wall-clock time per block of `lostAfterBlocks`, for chains that make no block while idle. */
const MIN_BLOCK_WAIT_MS = 6_000;
/** How long `'finalized'` waits for finality once the transaction is in a block. */
const FINALITY_LIMIT_MS = 600_000;
/** Re-signings at most (each may ask a browser wallet again). */
const MAX_RESIGN = 2;
/** How long a used nonce may go without word from the watcher before phase 2 looks for it. */
const QUIET_MS = 10_000;

let chosen: Inclusion | undefined;

/**
 * Sets the wait for every later `submit` without its own `wait` (a script's `--wait`);
 * `undefined` goes back to choosing by chain. Returns the setting it replaced.
 */
export function setDefaultInclusion(wait: Inclusion | undefined): Inclusion | undefined {
  const was = chosen;
  chosen = wait;
  return was;
}

/**
 * The wait `submit` uses when not told: the one `setDefaultInclusion` set, else
 * `'finalized'` on a parachain runtime and `'best'` on anything else (the dev node).
 */
export function defaultInclusion(client: Client): Inclusion {
  if (chosen) return chosen;
  return onParachain(client) ? 'finalized' : 'best';
}

/** The runtime is a parachain's (it has `ParachainSystem`): its best blocks can be abandoned. */
export function onParachain(client: Client): boolean {
  try {
    const pallets = (client.metadata as unknown as { latest: { pallets: { name: string }[] } }).latest.pallets;
    return pallets.some((p) => p.name === 'ParachainSystem');
  } catch {
    return false;
  }
}

type Rpc = Record<string, (...a: unknown[]) => Promise<unknown>>;

interface Header {
  number: number | string;
}

/** Signs `tx` as `signer` and follows it until it is included (or finalized). */
export async function submit(client: Client, tx: Submittable, signer: Signer, label: string, options: SubmitOptions = {}): Promise<Included> {
  const rpc = client.rpc as unknown as Rpc;
  const wait = options.wait ?? defaultInclusion(client);
  const lostAfter = options.lostAfterBlocks ?? 20;
  const nonce = options.nonce ?? Number(await rpc.system_accountNextIndex(signer.address));
  if (nonce === 0 && Number((await client.query.system.account(signer.address)).nonce) > 0) {
    // dedot signs `nonce: 0` with the account's current nonce instead (it reads the
    // option with `||`): refuse here what the node would refuse.
    throw new TxDropped(label, 'the node would refuse it: nonce 0 is already used', 0, false);
  }
  const account = signer.pair ?? signer.address;
  const immortal = (options.mortality ?? (onParachain(client) ? 'immortal' : 'mortal')) === 'immortal';
  const signOptions: Record<string, unknown> = { nonce, ...(immortal ? { mortality: { type: 'Immortal' } } : {}), ...(signer.injected ? { signer: signer.injected } : {}) };
  await tx.sign(account, signOptions);
  // Every signed copy of this transaction (all with this nonce, so at most one can land):
  // a node bans the bytes its block builder reported invalid (for 30 minutes by
  // default), so phase 2 may sign the same call again.
  const hexes = [tx.toHex(), ...(options.earlierCopies ?? [])];
  const limitMs = lostAfter * Math.max(MIN_BLOCK_WAIT_MS, blockTimeMs(client));
  const detours: string[] = [];
  const note = (line: string) => {
    detours.push(line);
    options.log?.(`${label}: ${line}`);
  };
  // The first block that could hold it: the one after the finalized head, not after the
  // best block (a collator may build on a parent older than the best: it did here).
  // Earlier copies may have landed before this call: look 256 blocks further back for them.
  const startBlock = Math.max(0, (await finalizedNumber(rpc)) + 1 - (options.earlierCopies?.length ? 256 : 0));
  const sentBest = await bestNumber(rpc);
  const sentAt = Date.now();
  let includedMs: number | undefined;
  const timed = (r: Included): Included => {
    r.includedMs = includedMs ?? Date.now() - sentAt;
    if (r.finalized) r.finalizedMs = Date.now() - sentAt;
    return r;
  };

  // Phase 1: the node's own watcher. It settles the common case; a pool's `Invalid` or
  // `Drop` hands over to phase 2 instead of failing.
  let unsub: (() => Promise<unknown>) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const watched = await new Promise<{ kind: 'done'; result: Included } | { kind: 'lost'; why: string }>((resolve, reject) => {
    let settled = false;
    const finish = (v: { kind: 'done'; result: Included } | { kind: 'lost'; why: string }) => {
      if (!settled) {
        settled = true;
        resolve(v);
      }
    };
    tx.send((r) => {
      const s = r.status;
      if (s.type === 'BestChainBlockIncluded') includedMs ??= Date.now() - sentAt;
      if (s.type === 'NoLongerInBestChain') {
        note('its block left the best chain; still waiting');
      } else if ((s.type === 'BestChainBlockIncluded' && wait === 'best') || s.type === 'Finalized') {
        finish({ kind: 'done', result: included(s.value!.blockHash!, s.value!.blockNumber!, s.value!.txIndex!, r.events ?? [], s.type === 'Finalized', nonce, detours) });
      } else if (s.type === 'Invalid' || s.type === 'Drop') {
        finish({ kind: 'lost', why: `the pool reported ${s.type}${s.value?.error ? ` (${s.value.error})` : ''}` });
      }
    })
      .then((u) => {
        unsub = typeof u === 'function' ? (u as () => Promise<unknown>) : undefined;
        // Phase 1 may have ended before the subscription was made: end it now.
        if (settled && unsub) unsub().catch(() => undefined);
      })
      .catch((err: unknown) => {
        const text = errText(err);
        // Another transaction with this nonce waits in the pool (an earlier copy of this
        // one, sent again with its nonce): whichever lands, phase 2 sees it.
        if (/too low priority|1014/.test(text)) finish({ kind: 'lost', why: `the pool holds another transaction with nonce ${nonce}` });
        // Its nonce is used: by an earlier copy of it (phase 2 finds which), or by another.
        else if (/outdated|stale/i.test(text)) finish({ kind: 'lost', why: `the node refused it: ${text}` });
        // The node judged it invalid (a bad signature, no funds): final.
        else if (/^(1010|1011)\b/.test(text)) {
          if (!settled) {
            settled = true;
            reject(new TxDropped(label, `the node refused it: ${text}`, nonce, false, hexes));
          }
        }
        // Anything else (a dropped connection, a timeout) says nothing about the
        // transaction, which the node may well have: phase 2 finds out.
        else finish({ kind: 'lost', why: `the submission got no answer (${text})` });
      });
    // A watcher that goes quiet (its node stopped, a lost notification) must not hang
    // the caller: once the nonce is used, or the transaction stays out for `lostAfter`
    // blocks, phase 2 takes over.
    let usedSince: number | undefined;
    let busy = false;
    timer = setInterval(() => {
      if (busy || settled) return;
      busy = true;
      (async () => {
        const best = await bestNumber(rpc);
        const used = Number((await client.query.system.account(signer.address)).nonce) > nonce;
        if (used) usedSince ??= Date.now();
        if (used && Date.now() - usedSince! > (wait === 'best' ? QUIET_MS : 6 * QUIET_MS))
          finish({ kind: 'lost', why: "the node's watcher said nothing after its nonce was used" });
        else if (!used && best - sentBest >= lostAfter) finish({ kind: 'lost', why: `the node's watcher said nothing in ${lostAfter} blocks` });
        else if (!used && Date.now() - sentAt > limitMs) finish({ kind: 'lost', why: `the node's watcher said nothing in ${Math.round(limitMs / 1000)} s` });
      })()
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, 2 * POLL_MS);
  }).finally(() => clearInterval(timer));
  if (watched.kind === 'done') {
    unsub?.().catch(() => undefined);
    return timed(watched.result);
  }
  unsub?.().catch(() => undefined);

  // Phase 2: the pool let it go. Watch the signer's nonce at the best block.
  note(`${watched.why}; its nonce ${nonce} is watched`);
  let lostAt = await bestNumber(rpc);
  let lostSince = Date.now();
  let lastResent = lostAt;
  let holding = 0;
  let resigned = 0;
  const resign = async (why: string, best: number) => {
    if (resigned >= MAX_RESIGN) return;
    // dedot signs `nonce: 0` with the account's current nonce instead: never re-sign
    // nonce 0 once it is used (the next round finds the copy that used it).
    if (nonce === 0 && Number((await client.query.system.account(signer.address)).nonce) > 0) return;
    resigned++;
    try {
      await tx.sign(account, signOptions);
      const hex = tx.toHex();
      if (hexes.includes(hex)) return note(`${why}; signing again gave the same bytes`);
      hexes.unshift(hex);
      await rpc.author_submitExtrinsic(hex);
      note(`${why}: signed again with nonce ${nonce} and handed to the node at block #${best}`);
    } catch (err) {
      note(`${why}; the copy signed again with nonce ${nonce} did not go out: ${errText(err)}`);
    }
  };
  for (;;) {
    try {
      // One best block for both questions: its number, and the nonce in its state.
      const head = (await rpc.chain_getBlockHash()) as string;
      const best = Number(((await rpc.chain_getHeader(head)) as Header).number);
      const at = await client.at(head as `0x${string}`);
      const used = Number((await at.query.system.account(signer.address)).nonce) > nonce;
      if (used) {
        const found = await findInChain(client, rpc, hexes, startBlock, head);
        if (!found) throw new TxDropped(label, `its nonce ${nonce} was used by another transaction of ${signer.address} (${watched.why})`, nonce, false, hexes);
        note(`found in block #${found.blockNumber} by its nonce`);
        includedMs ??= Date.now() - sentAt;
        if (wait === 'best') return timed({ ...found, nonce, detours });
        const final = await untilFinal(rpc, found.blockHash, found.blockNumber, label);
        if (final) return timed({ ...found, finalized: true, nonce, detours });
        note(`block #${found.blockNumber} was not finalized (another fork won); looking again`);
        lostAt = best;
        lostSince = Date.now();
        continue;
      }
      if (best - lostAt >= lostAfter || Date.now() - lostSince > limitMs) {
        throw new TxDropped(
          label,
          `not included in ${best - lostAt} blocks (${Math.round((Date.now() - lostSince) / 1000)} s) after ${watched.why}; nothing was charged, and its nonce ${nonce} is still unused: ` +
            `send it again with nonce ${nonce} and these copies (TxDropped.copies), so that at most one lands`,
          nonce,
          true,
          hexes,
        );
      }
      if (best > lastResent) {
        lastResent = best;
        try {
          await rpc.author_submitExtrinsic(hexes[0]);
          holding = 0;
          note(`handed to the node again at block #${best}`);
        } catch (err) {
          const text = errText(err);
          if (/already imported|1013/i.test(text)) {
            // An RPC node may hold it while the collators have banned it: after five
            // blocks of that, a copy signed again.
            if (++holding >= 5) await resign(`the node held it for ${holding} blocks`, best);
            else note(`handed to the node again at block #${best}: it still holds it`);
          } else if (/too low priority|1014/i.test(text)) note(`handed to the node again at block #${best}: it holds another transaction with nonce ${nonce}`);
          // The node will not take these bytes again for a while (it bans what its block
          // builder reported invalid): the same call signed again with the same nonce.
          else if (/banned|1012/i.test(text)) await resign('the node bans the first copy for a while', best);
          // Stale: the nonce was used meanwhile (the next round finds where).
          else if (!/outdated|stale/i.test(text)) note(`the node refused the resend: ${text}`);
        }
      }
    } catch (err) {
      if (err instanceof TxDropped || err instanceof NotFinalized) throw err;
      // The node did not answer (a reconnect, a timeout): ask again next round, within the limit.
      note(`no answer from the node while watching: ${errText(err)}`);
      if (Date.now() - lostSince > limitMs)
        throw new TxDropped(label, `the node did not answer for ${Math.round(limitMs / 1000)} s while its nonce ${nonce} was watched`, nonce, true, hexes);
    }
    await sleep(POLL_MS);
  }
}

/** The transaction is in block `blockNumber`, which the chain did not finalize in time. */
export class NotFinalized extends Error {
  constructor(
    readonly label: string,
    readonly blockNumber: number,
    readonly waitedMs: number,
  ) {
    super(`${label}: in block #${blockNumber}, not finalized after ${Math.round(waitedMs / 1000)} s`);
    this.name = 'NotFinalized';
  }
}

function included(blockHash: string, blockNumber: number, txIndex: number, events: IEventRecord[], finalized: boolean, nonce: number, detours: string[]): Included {
  return { blockHash, blockNumber, txIndex, events, dispatchError: failure(events), finalized, nonce, detours };
}

/** `System.ExtrinsicFailed`'s dispatch error among a transaction's events. */
function failure(events: IEventRecord[]): unknown {
  for (const r of events) {
    const e = r.event as unknown as { pallet: string; palletEvent: { name: string; data?: { dispatchError?: unknown } } };
    if (e.pallet === 'System' && e.palletEvent.name === 'ExtrinsicFailed') return e.palletEvent.data?.dispatchError;
  }
  return undefined;
}

async function finalizedNumber(rpc: Rpc): Promise<number> {
  const head = (await rpc.chain_getFinalizedHead()) as string;
  return Number(((await rpc.chain_getHeader(head)) as Header).number);
}

async function bestNumber(rpc: Rpc): Promise<number> {
  const h = (await rpc.chain_getHeader()) as Header;
  return Number(h.number);
}

/**
 * Looks for any of the extrinsics `hexes` in block `head` and its ancestors down to
 * height `from` (following parent hashes, so a reorg while scanning cannot mix forks).
 */
async function findInChain(client: Client, rpc: Rpc, hexes: string[], from: number, head: string): Promise<Omit<Included, 'nonce' | 'detours'> | undefined> {
  let hash = head;
  for (;;) {
    const block = (await rpc.chain_getBlock(hash)) as { block: { header: { number: number | string; parentHash: string }; extrinsics: string[] } };
    const n = Number(block.block.header.number);
    if (n < from) return undefined;
    const txIndex = block.block.extrinsics.findIndex((x) => hexes.includes(x));
    if (txIndex >= 0) {
      const at = await client.at(hash as `0x${string}`);
      const all = (await at.query.system.events()) as unknown as IEventRecord[];
      const events = all.filter((r) => {
        const p = r.phase as unknown as { type: string; value?: number };
        return p.type === 'ApplyExtrinsic' && p.value === txIndex;
      });
      return { blockHash: hash, blockNumber: n, txIndex, events, dispatchError: failure(events), finalized: false };
    }
    if (n === 0) return undefined;
    hash = block.block.header.parentHash;
  }
}

/**
 * Waits until the finalized chain holds every transaction `address` has in the best
 * chain: its nonce at the finalized head reaches its nonce at the best block. For a
 * sender that sent nothing else meanwhile (a deploy), that is "every step is final",
 * whichever blocks the steps ended up in after a fork. `atLeast`: the nonce the sender
 * saw used after its last transaction. Returns the finalized block, or throws
 * `NotFinalized` after `limitMs`.
 */
export async function finalizeSent(client: Client, address: string, atLeast = 0, limitMs = FINALITY_LIMIT_MS): Promise<{ blockNumber: number; blockHash: string; nonce: number }> {
  const rpc = client.rpc as unknown as Rpc;
  const t0 = Date.now();
  const nonceAt = async (hash: string) => Number((await (await client.at(hash as `0x${string}`)).query.system.account(address)).nonce);
  for (;;) {
    const best = (await rpc.chain_getBlockHash()) as string;
    const head = (await rpc.chain_getFinalizedHead()) as string;
    // Never less than what the sender saw used: a fork that drops a step lowers the
    // best block's nonce, and must not pass for "final".
    const want = Math.max(atLeast, await nonceAt(best));
    const have = await nonceAt(head);
    if (have >= want) return { blockHash: head, blockNumber: Number(((await rpc.chain_getHeader(head)) as Header).number), nonce: have };
    if (Date.now() - t0 > limitMs) throw new NotFinalized(`the transactions of ${address}`, Number(((await rpc.chain_getHeader(best)) as Header).number), Date.now() - t0);
    await sleep(POLL_MS);
  }
}

/**
 * Waits until the chain finalizes height `number`; true when the finalized block there
 * is `hash`, false when another block was finalized at that height.
 */
async function untilFinal(rpc: Rpc, hash: string, number: number, label = 'transaction'): Promise<boolean> {
  const t0 = Date.now();
  for (;;) {
    if (Date.now() - t0 > FINALITY_LIMIT_MS) throw new NotFinalized(label, number, Date.now() - t0);
    const head = (await rpc.chain_getFinalizedHead()) as string;
    const h = (await rpc.chain_getHeader(head)) as Header;
    if (Number(h.number) >= number) {
      const canonical = (await rpc.chain_getBlockHash(number)) as string | null;
      return canonical === hash;
    }
    await sleep(POLL_MS);
  }
}

function errText(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { message?: string; code?: number; data?: unknown };
    return [e.code, e.message, e.data === undefined ? undefined : String(e.data)].filter((x) => x !== undefined).join(' ');
  }
  return String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
