/**
 * The processor: follows the node's finalized blocks, decodes every event the five
 * contracts emitted, reads the entities they touched at that block and writes it all,
 * with the cursor, in one database transaction per block. A crash or a lost connection
 * leaves the database at the end of a whole block; the next run resumes after it.
 */
import type { ISubstrateClientAt } from 'dedot';
import type { IEventRecord } from 'dedot/types';
import type pg from 'pg';
import { connect, CONTRACTS, type Client, type ContractName, type Deployment, type MetadataSet } from '../client/src/index.js';
import { openMarket, type Market } from '../client/src/contracts.js';
import { accountsIn, isLiveProposal, keyId, marketAt, plain, readRows, Touched, touchedBy, type Key, type MarketAt, type Plain, type Row } from './entities.js';

/** The database follows another chain or deployment than the node and file given. */
export class ChainMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainMismatch';
  }
}

/** A finalized block does not extend the one indexed before it (never expected: finality). */
export class BrokenChain extends Error {
  constructor(readonly block: number, readonly expectedParent: string, readonly parent: string) {
    super(`block #${block}'s parent is ${parent}, but the index holds ${expectedParent} at #${block - 1}`);
    this.name = 'BrokenChain';
  }
}

/** Another process moved the cursor while this one wrote a block. */
export class CursorMoved extends Error {
  constructor(readonly block: number) {
    super(`the cursor is no longer at #${block - 1}: is another processor running on this database?`);
    this.name = 'CursorMoved';
  }
}

class StepTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer in ${ms / 1000} s`);
    this.name = 'StepTimeout';
  }
}

export interface Cursor {
  blockNumber: number;
  blockHash: string;
}

export interface ProcessorOptions {
  url: string;
  deployment: Deployment;
  metadata: MetadataSet;
  pool: pg.Pool;
  /** Stop once the finalized head at that moment is indexed (tests, benchmarks). */
  untilHead?: boolean;
  /** A database that follows another chain (a restarted dev node) is emptied first. */
  resetOnNewChain?: boolean;
  /** Blocks fetched ahead of the one being written. */
  prefetch?: number;
  log?: (line: string) => void;
}

/** One block, fetched and decoded, ready to write. */
interface Fetched {
  number: number;
  hash: string;
  parent: string;
  time: bigint;
  at: ISubstrateClientAt;
  events: EventRow[];
  accounts: [string, number][];
  rows: Row[];
  read: Set<string>;
}

interface EventRow {
  index: number;
  extrinsic: number | null;
  contract: ContractName;
  name: string;
  args: Plain;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(what, ms)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class Processor {
  private readonly addresses = new Map<string, ContractName>();
  private readonly log: (line: string) => void;
  private stopping = false;
  private wake: (() => void) | undefined;
  /** Counters for the logs and the benchmark. */
  readonly stats = { blocks: 0, events: 0, rows: 0, startedAt: Date.now() };

  constructor(private readonly opts: ProcessorOptions) {
    for (const name of CONTRACTS) this.addresses.set(opts.deployment.contracts[name].address, name);
    this.log = opts.log ?? ((line) => console.log(line));
  }

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /**
   * Runs until `stop()` (or, with `untilHead`, until the head is indexed). A lost node is
   * waited for: reconnects with a backoff from 0.5 s to 5 s, then resumes at the cursor.
   */
  async run(): Promise<Cursor> {
    let backoff = 500;
    for (;;) {
      let client: Client | undefined;
      try {
        client = await connect(this.opts.url, 10_000, 0);
        const cursor = await this.ensureCursor(client);
        this.log(`indexer: following ${this.opts.url} from block #${cursor.blockNumber + 1} (${this.opts.deployment.network})`);
        backoff = 500;
        const done = await this.follow(client, cursor);
        if (done) return done;
      } catch (err) {
        if (err instanceof ChainMismatch || err instanceof BrokenChain || err instanceof CursorMoved) throw err;
        if (this.stopping) return await this.cursor();
        this.log(`indexer: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}; reconnecting in ${(backoff / 1000).toFixed(1)} s`);
      } finally {
        await client?.disconnect().catch(() => undefined);
      }
      if (this.stopping) return await this.cursor();
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  async cursor(): Promise<Cursor> {
    const r = await this.opts.pool.query<{ block_number: string; block_hash: string }>('SELECT block_number, block_hash FROM indexer_cursor');
    if (r.rowCount === 0) return { blockNumber: -1, blockHash: '' };
    return { blockNumber: Number(r.rows[0].block_number), blockHash: r.rows[0].block_hash };
  }

  /** Checks the database follows this chain and deployment; starts a fresh cursor just before the first contract's block. */
  private async ensureCursor(client: Client): Promise<Cursor> {
    const d = this.opts.deployment;
    const genesis = client.genesisHash;
    if (genesis !== d.genesisHash) {
      throw new ChainMismatch(`the node at ${this.opts.url} has genesis ${genesis}, deployments/${d.network}.json was made on ${d.genesisHash}: deploy again or pick the right network`);
    }
    const contracts = JSON.stringify(Object.fromEntries(CONTRACTS.map((n) => [n, d.contracts[n].address])));
    const existing = await this.opts.pool.query<{ genesis_hash: string; contracts: Record<string, string> }>('SELECT genesis_hash, contracts FROM indexer_cursor');
    if (existing.rowCount && existing.rowCount > 0) {
      const row = existing.rows[0];
      // jsonb keeps its own key order: compare contract by contract.
      const same = CONTRACTS.every((n) => row.contracts[n] === d.contracts[n].address);
      if (row.genesis_hash === genesis && same) return await this.cursor();
      if (!this.opts.resetOnNewChain) {
        throw new ChainMismatch(`the database indexes genesis ${row.genesis_hash} (contracts ${JSON.stringify(row.contracts)}), not ${genesis} (${contracts}): reset it (indexer/main.ts reset) or pass --reset-on-new-chain`);
      }
      this.log('indexer: the database followed another chain or deployment: emptying it');
      const { reset } = await import('./db.js');
      await reset(this.opts.pool);
    }
    const first = Math.min(...CONTRACTS.map((n) => d.contracts[n].block));
    const before = Math.max(first - 1, 0);
    const hash = await client.rpc.chain_getBlockHash(before);
    if (!hash) throw new ChainMismatch(`the node has no block #${before}`);
    await this.opts.pool.query(
      'INSERT INTO indexer_cursor (network, genesis_hash, contracts, block_number, block_hash, block_time) VALUES ($1, $2, $3::jsonb, $4, $5, 0)',
      [d.network, genesis, contracts, before, hash],
    );
    return { blockNumber: before, blockHash: hash };
  }

  /** Indexes finalized blocks as they come; returns the cursor when done (untilHead or stop). */
  private async follow(client: Client, start: Cursor): Promise<Cursor | undefined> {
    let cursor = start;
    let head = await this.finalizedNumber(client);
    let lost: Error | undefined;
    const onLost = () => {
      lost = new Error('the node connection was lost');
      this.wake?.();
    };
    client.on('disconnected', onLost);
    const unsub = client.block.finalized((b) => {
      if (b.number > head) head = b.number;
      this.wake?.();
    });
    try {
      const market = openMarket(client, this.opts.deployment, this.opts.metadata);
      for (;;) {
        if (lost) throw lost;
        if (this.stopping) return cursor;
        if (cursor.blockNumber >= head) {
          if (this.opts.untilHead) return cursor;
          // Wait for the subscription, with a poll as a safety net (a missed notification).
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, 2_000);
          });
          this.wake = undefined;
          if (lost) throw lost;
          head = Math.max(head, await withTimeout(this.finalizedNumber(client), 10_000, 'chain_getFinalizedHead'));
          continue;
        }
        cursor = await this.catchUp(client, market, cursor, head);
      }
    } finally {
      client.off('disconnected', onLost);
      unsub();
    }
  }

  private async finalizedNumber(client: Client): Promise<number> {
    const hash = await client.rpc.chain_getFinalizedHead();
    const header = await client.rpc.chain_getHeader(hash);
    if (!header) throw new Error(`no header for the finalized block ${hash}`);
    return header.number;
  }

  /** Blocks cursor+1..head, fetched `prefetch` ahead, written one by one in order. */
  private async catchUp(client: Client, market: Market, start: Cursor, head: number): Promise<Cursor> {
    let cursor = start;
    const ahead = this.opts.prefetch ?? 8;
    const pending = new Map<number, Promise<Fetched>>();
    let next = cursor.blockNumber + 1;
    const fill = () => {
      while (next <= head && pending.size < ahead) {
        const n = next++;
        const p = withTimeout(this.fetch(client, market, n), 60_000, `block #${n}`);
        p.catch(() => undefined); // awaited below; a failure surfaces there
        pending.set(n, p);
      }
    };
    try {
      while (cursor.blockNumber < head && !this.stopping) {
        fill();
        const n = cursor.blockNumber + 1;
        const block = await pending.get(n)!;
        pending.delete(n);
        if (block.parent !== cursor.blockHash) throw new BrokenChain(n, cursor.blockHash, block.parent);
        await withTimeout(this.readLive(client, block), 60_000, `live entities at #${n}`);
        await this.write(block, cursor);
        cursor = { blockNumber: n, blockHash: block.hash };
        this.stats.blocks += 1;
        this.stats.events += block.events.length;
        this.stats.rows += block.rows.length;
      }
      return cursor;
    } finally {
      // Let fetches in flight settle before the client goes away.
      await Promise.allSettled(pending.values());
    }
  }

  private market(client: Client, at: ISubstrateClientAt, n: number): MarketAt {
    return marketAt(client, at, this.opts.deployment, this.opts.metadata, n);
  }

  /** Reads block n: its events, the entities they touched at that block. */
  private async fetch(client: Client, market: Market, n: number): Promise<Fetched> {
    const hash = await client.rpc.chain_getBlockHash(n);
    if (!hash) throw new Error(`the node has no block #${n}`);
    const header = await client.rpc.chain_getHeader(hash);
    if (!header) throw new Error(`the node has no header for #${n} (${hash})`);
    const at = await client.at(hash);
    const [records, time] = await Promise.all([at.query.system.events(), at.query.timestamp.now()]);
    const touched = new Touched();
    const events: EventRow[] = [];
    const accounts: [string, number][] = [];
    records.forEach((record, index) => {
      const contract = this.emitter(record);
      if (!contract) return;
      const extrinsic = record.phase.type === 'ApplyExtrinsic' ? record.phase.value : null;
      const handle = contract === 'market_token' ? market.token : contract === 'escrow' ? market.vault : contract === 'model_registry' ? market.registry : contract === 'compute_market' ? market.compute : market.dao;
      let decoded: { name: string; data: Record<string, unknown> };
      try {
        decoded = handle.decodeEvent(record as IEventRecord) as { name: string; data: Record<string, unknown> };
      } catch (err) {
        // Nothing is dropped: an event the metadata cannot decode is kept raw.
        const raw = (record.event as unknown as { palletEvent: { data: { data: string } } }).palletEvent.data.data;
        this.log(`indexer: block #${n} event ${index} of ${contract} does not decode (${err instanceof Error ? err.message : String(err)}); stored raw`);
        events.push({ index, extrinsic, contract, name: 'Undecoded', args: { data: raw, topics: record.topics.map(String), error: err instanceof Error ? err.message : String(err) } });
        return;
      }
      events.push({ index, extrinsic, contract, name: decoded.name, args: plain(decoded.data) });
      for (const a of accountsIn(decoded.data)) accounts.push([a, index]);
      touchedBy(contract, decoded.name, decoded.data, touched);
    });
    const read = new Set<string>();
    const rows = touched.keys.size > 0 ? await this.readAll(this.market(client, at, n), [...touched.keys.values()], read) : [];
    return { number: n, hash, parent: header.parentHash, time, at, events, accounts, rows, read };
  }

  /** Which of our contracts emitted this record, if any. */
  private emitter(record: IEventRecord): ContractName | undefined {
    const e = record.event as unknown as { pallet: string; palletEvent: { name?: string; data?: { contract?: { address(p?: number): string } } } };
    if (e.pallet !== 'Contracts' || e.palletEvent?.name !== 'ContractEmitted') return undefined;
    const address = e.palletEvent.data?.contract?.address(42);
    return address ? this.addresses.get(address) : undefined;
  }

  /** Reads keys and whatever they pull in (`more`), each once. */
  private async readAll(m: MarketAt, keys: Key[], read: Set<string>): Promise<Row[]> {
    const rows: Row[] = [];
    let queue = keys.filter((k) => !read.has(keyId(k)));
    while (queue.length > 0) {
      for (const k of queue) read.add(keyId(k));
      const more: Key[] = [];
      const batches = await Promise.all(queue.map((k) => readRows(m, k, (x) => more.push(x))));
      for (const b of batches) rows.push(...b);
      queue = [];
      for (const k of more) {
        if (!read.has(keyId(k)) && !queue.some((q) => keyId(q) === keyId(k))) queue.push(k);
      }
    }
    return rows;
  }

  /** Cases and proposals whose view moves with time alone, read again at this block. */
  private async readLive(client: Client, block: Fetched): Promise<void> {
    const [cases, proposals] = await Promise.all([
      this.opts.pool.query<{ id: string }>("SELECT id FROM cases WHERE phase <> 'Closed'"),
      this.opts.pool.query<{ id: string; state: string }>('SELECT id, state FROM proposals'),
    ]);
    const keys: Key[] = [
      ...cases.rows.map((r): Key => ({ kind: 'case', id: BigInt(r.id) })),
      ...proposals.rows.filter((r) => isLiveProposal(r.state)).map((r): Key => ({ kind: 'proposal', id: BigInt(r.id) })),
    ].filter((k) => !block.read.has(keyId(k)));
    if (keys.length === 0) return;
    block.rows.push(...(await this.readAll(this.market(client, block.at, block.number), keys, block.read)));
  }

  /** One transaction: the block's events, its rows, the cursor (which must still be at the block before). */
  private async write(block: Fetched, before: Cursor): Promise<void> {
    const db = await this.opts.pool.connect();
    try {
      await db.query('BEGIN');
      const time = block.time.toString();
      for (const e of block.events) {
        await db.query(
          'INSERT INTO events (block_number, event_index, block_hash, block_time, extrinsic_index, contract, name, args) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)',
          [block.number, e.index, block.hash, time, e.extrinsic, e.contract, e.name, JSON.stringify(e.args)],
        );
      }
      for (const [account, index] of block.accounts) {
        await db.query('INSERT INTO event_accounts (account, block_number, event_index) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [account, block.number, index]);
      }
      for (const row of block.rows) await upsert(db, row);
      const moved = await db.query(
        'UPDATE indexer_cursor SET block_number = $1, block_hash = $2, block_time = $3, updated_at = now() WHERE block_number = $4 AND block_hash = $5',
        [block.number, block.hash, time, before.blockNumber, before.blockHash],
      );
      if (moved.rowCount !== 1) throw new CursorMoved(block.number);
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  }
}

/** INSERT … ON CONFLICT DO UPDATE of one entity's row, or its DELETE when the view is empty. */
async function upsert(db: pg.PoolClient, row: Row): Promise<void> {
  const keyCols = Object.keys(row.key);
  if (row.values === null) {
    await db.query(`DELETE FROM ${row.table} WHERE ${keyCols.map((c, i) => `${c} = $${i + 1}`).join(' AND ')}`, Object.values(row.key));
    return;
  }
  const cols: string[] = [...keyCols];
  const params: unknown[] = [...Object.values(row.key)];
  const exprs: string[] = keyCols.map((_, i) => `$${i + 1}`);
  for (const [col, value] of Object.entries(row.values)) {
    cols.push(col);
    if (value && typeof value === 'object' && 'sql' in value && 'value' in value) {
      params.push((value as { value: unknown }).value);
      exprs.push((value as { sql: string }).sql.replace('$', `$${params.length}`));
    } else if (col === 'data') {
      params.push(JSON.stringify(value));
      exprs.push(`$${params.length}::jsonb`);
    } else {
      params.push(value);
      exprs.push(`$${params.length}`);
    }
  }
  const updates = cols.filter((c) => !keyCols.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  await db.query(`INSERT INTO ${row.table} (${cols.join(', ')}) VALUES (${exprs.join(', ')}) ON CONFLICT (${keyCols.join(', ')}) DO UPDATE SET ${updates.join(', ')}`, params);
}
