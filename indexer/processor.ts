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
import { reset } from './db.js';
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

/**
 * The node no longer has the state of a block to index (it keeps only the last 256
 * blocks' state by default): the indexer needs a node that keeps every finalized block's
 * state, `--state-pruning archive-canonical` (or `archive`).
 */
export class StatePruned extends Error {
  constructor(readonly url: string, cause: string) {
    super(`the node at ${url} has discarded the state of a block to index (${cause}): run it with --state-pruning archive-canonical`);
    this.name = 'StatePruned';
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

/** One block, fetched and decoded: its events and the entities they touched. */
interface Fetched {
  number: number;
  hash: string;
  parent: string;
  time: bigint;
  events: EventRow[];
  accounts: [string, number][];
  touched: Touched;
}

/** Consecutive blocks written in one transaction, their entities read at the last one. */
interface Range {
  blocks: Fetched[];
  end: Fetched;
  rows: Row[];
}

/**
 * A range holds at most this many blocks, or stops at the block that passes this many
 * events (memory: about 1 KB an event). Large enough that a catch-up usually ends its
 * range at the head, where views are cheap.
 */
const RANGE_BLOCKS = 10_000;
const RANGE_EVENTS = 100_000;
/** The longest one view may take before the connection is given up as stuck. */
const VIEW_TIMEOUT_MS = 30_000;
/** Views in flight at once. */
const VIEW_CONCURRENCY = 32;

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

/** `f` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await f(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class Processor {
  private readonly addresses = new Map<string, ContractName>();
  private readonly log: (line: string) => void;
  private stopping = false;
  private wake: (() => void) | undefined;
  /** Counters for the logs and the benchmark. */
  readonly stats = { blocks: 0, events: 0, rows: 0, startedAt: Date.now(), ms: { block: 0, views: 0, waited: 0, write: 0 } };

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
        const message = err instanceof Error ? err.message : String(err);
        if (/State already discarded|UnknownBlock|state.*(pruned|not available)/i.test(message)) throw new StatePruned(this.opts.url, message);
        if (this.stopping) return await this.cursor();
        this.log(`indexer: ${err instanceof Error ? `${err.name}: ${message}` : message}; reconnecting in ${(backoff / 1000).toFixed(1)} s`);
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
      if (row.genesis_hash === genesis && same) {
        // Every dev chain has the same genesis, and a fresh one gets the same contract
        // addresses: the indexed block must still be this chain's block.
        const cursor = await this.cursor();
        const hash = await client.rpc.chain_getBlockHash(cursor.blockNumber);
        if (hash === cursor.blockHash) return cursor;
        if (!this.opts.resetOnNewChain) {
          throw new ChainMismatch(`the database indexed block #${cursor.blockNumber} ${cursor.blockHash}, which the node at ${this.opts.url} does not have (${hash ?? 'no such block'}): a new chain; reset the database (indexer/main.ts reset) or pass --reset-on-new-chain`);
        }
      } else if (!this.opts.resetOnNewChain) {
        throw new ChainMismatch(`the database indexes genesis ${row.genesis_hash} (contracts ${JSON.stringify(row.contracts)}), not ${genesis} (${contracts}): reset it (indexer/main.ts reset) or pass --reset-on-new-chain`);
      }
      this.log('indexer: the database followed another chain or deployment: emptying it');
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

  /**
   * Blocks cursor+1..head. Each block's events are fetched `prefetch` blocks ahead; the
   * blocks are written in ranges, one transaction each: a range's events, the entities
   * they touched read once at the range's last block, and the cursor at that block. When
   * following the chain a range is the one new block; after a pause (a restart, a lost
   * node) it is everything up to the head, up to RANGE_BLOCKS blocks or RANGE_EVENTS
   * events. Views at the chain's head are about ten times cheaper than at an older block
   * (the node caches the head's state), and an entity touched a hundred times is read
   * once. Either way the database is at the end of a whole block after each commit.
   */
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
        const blocks: Fetched[] = [];
        let events = 0;
        let parent = cursor.blockHash;
        const t0 = performance.now();
        while (cursor.blockNumber + blocks.length < head && blocks.length < RANGE_BLOCKS && events < RANGE_EVENTS && !this.stopping) {
          fill();
          const n = cursor.blockNumber + blocks.length + 1;
          const block = await pending.get(n)!;
          pending.delete(n);
          if (block.parent !== parent) throw new BrokenChain(n, parent, block.parent);
          parent = block.hash;
          blocks.push(block);
          events += block.events.length;
        }
        if (blocks.length === 0) break;
        const end = blocks[blocks.length - 1];
        const touched = new Touched();
        for (const b of blocks) touched.merge(b.touched);
        const t1 = performance.now();
        const big = blocks.length > 1;
        if (big) this.log(`indexer: blocks #${blocks[0].number}..#${end.number}: ${events} events fetched in ${((t1 - t0) / 1000).toFixed(1)} s; reading ${touched.keys.size} entities at #${end.number}`);
        const m = this.market(client, await client.at(end.hash as `0x${string}`), end.number);
        const rows = await this.readRange(m, touched);
        const t2 = performance.now();
        await this.write({ blocks, end, rows }, cursor);
        if (big) this.log(`indexer: blocks #${blocks[0].number}..#${end.number}: ${rows.length} rows read in ${((t2 - t1) / 1000).toFixed(1)} s, written in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
        this.stats.ms.waited += t1 - t0;
        this.stats.ms.views += t2 - t1;
        this.stats.ms.write += performance.now() - t2;
        cursor = { blockNumber: end.number, blockHash: end.hash };
        this.stats.blocks += blocks.length;
        this.stats.events += events;
        this.stats.rows += rows.length;
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

  /** Reads block n: its events, and which entities they touched. */
  private async fetch(client: Client, market: Market, n: number): Promise<Fetched> {
    const started = performance.now();
    const hash = await client.rpc.chain_getBlockHash(n);
    if (!hash) throw new Error(`the node has no block #${n}`);
    const header = await client.rpc.chain_getHeader(hash);
    if (!header) throw new Error(`the node has no header for #${n} (${hash})`);
    const at = await client.at(hash);
    const [records, time] = await Promise.all([at.query.system.events(), at.query.timestamp.now()]);
    const touched = new Touched(n);
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
    this.stats.ms.block += performance.now() - started;
    return { number: n, hash, parent: header.parentHash, time, events, accounts, touched };
  }

  /** Which of our contracts emitted this record, if any. */
  private emitter(record: IEventRecord): ContractName | undefined {
    const e = record.event as unknown as { pallet: string; palletEvent: { name?: string; data?: { contract?: { address(p?: number): string } } } };
    if (e.pallet !== 'Contracts' || e.palletEvent?.name !== 'ContractEmitted') return undefined;
    const address = e.palletEvent.data?.contract?.address(42);
    return address ? this.addresses.get(address) : undefined;
  }

  /**
   * The rows of every entity the range touched, and of whatever those pull in (`more`:
   * the touching entity's block passes on), each read once at the range's last block;
   * then the cases and proposals whose view moves with time alone, read again there
   * (their `block_number`, the last block whose events touched them, stays).
   */
  private async readRange(m: MarketAt, touched: Touched): Promise<Row[]> {
    const byKey = new Map<string, { block: number; rows: Row[] }>();
    let queue = [...touched.keys.values()];
    while (queue.length > 0) {
      const more = new Touched();
      const read = await mapLimit(queue, VIEW_CONCURRENCY, ({ key, block }) => withTimeout(readRows(m, key, (x) => more.add(x, block)), VIEW_TIMEOUT_MS, `${keyId(key)} at #${m.blockNumber}`));
      queue.forEach(({ key, block }, i) => byKey.set(keyId(key), { block, rows: read[i] }));
      queue = [];
      for (const { key, block } of more.keys.values()) {
        const had = byKey.get(keyId(key));
        if (!had) queue.push({ key, block });
        else if (had.block < block) had.block = block; // read already, at the same block: only its block moves
      }
    }
    const [cases, proposals] = await Promise.all([
      this.opts.pool.query<{ id: string }>("SELECT id FROM cases WHERE phase <> 'Closed'"),
      this.opts.pool.query<{ id: string; state: string }>('SELECT id, state FROM proposals'),
    ]);
    const live: Key[] = [
      ...cases.rows.map((r): Key => ({ kind: 'case', id: BigInt(r.id) })),
      ...proposals.rows.filter((r) => isLiveProposal(r.state)).map((r): Key => ({ kind: 'proposal', id: BigInt(r.id) })),
    ].filter((k) => !byKey.has(keyId(k)));
    const liveRows = await mapLimit(live, VIEW_CONCURRENCY, (k) => withTimeout(readRows(m, k, () => undefined), VIEW_TIMEOUT_MS, `${keyId(k)} at #${m.blockNumber}`));
    const rows: Row[] = [];
    for (const { block, rows: rs } of byKey.values()) {
      for (const r of rs) rows.push(r.values && 'block_number' in r.values ? { ...r, values: { ...r.values, block_number: block } } : r);
    }
    for (const rs of liveRows) {
      for (const r of rs) {
        if (!r.values) continue;
        const { block_number: _b, ...values } = r.values;
        rows.push({ ...r, values, update: true });
      }
    }
    return rows;
  }

  /** One transaction: the range's events, its rows, the cursor (which must still be where the range began). */
  private async write(range: Range, before: Cursor): Promise<void> {
    const db = await this.opts.pool.connect();
    try {
      await db.query('BEGIN');
      const events: unknown[][] = [];
      const accounts: unknown[][] = [];
      for (const b of range.blocks) {
        const time = b.time.toString();
        for (const e of b.events) events.push([b.number, e.index, b.hash, time, e.extrinsic, e.contract, e.name, JSON.stringify(e.args)]);
        for (const [a, i] of b.accounts) accounts.push([a, b.number, i]);
      }
      await insertMany(db, 'events (block_number, event_index, block_hash, block_time, extrinsic_index, contract, name, args)', events, '');
      await insertMany(db, 'event_accounts (account, block_number, event_index)', accounts, 'ON CONFLICT DO NOTHING');
      await writeRows(db, range.rows);
      const block = range.end;
      const time = block.time.toString();
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

/** Rows of a multi-row INSERT, at most this many a statement (pg's 65,535 parameters). */
const CHUNK = 500;

/** One multi-row INSERT per CHUNK rows; `tail` follows VALUES (an ON CONFLICT clause). */
async function insertMany(db: pg.PoolClient, into: string, rows: unknown[][], tail: string): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const params: unknown[] = [];
    const tuples = chunk.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
    await db.query(`INSERT INTO ${into} VALUES ${tuples.join(', ')} ${tail}`, params);
  }
}

/** A column's SQL expression for parameter `$n`: jsonb for `data`, `{ sql, value }` as given. */
function columnValue(col: string, value: unknown, params: unknown[]): string {
  if (value && typeof value === 'object' && 'sql' in value && 'value' in value) {
    params.push((value as { value: unknown }).value);
    return (value as { sql: string }).sql.replace('$', `$${params.length}`);
  }
  params.push(col === 'data' ? JSON.stringify(value) : value);
  return col === 'data' ? `$${params.length}::jsonb` : `$${params.length}`;
}

/**
 * A block's rows: upserts (INSERT … ON CONFLICT DO UPDATE), grouped by table into
 * multi-row statements; then deletions (an entity whose view became empty); then
 * partial updates (a model's rating totals), which need the row the upserts made.
 */
async function writeRows(db: pg.PoolClient, rows: Row[]): Promise<void> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    if (row.values === null || row.update) continue;
    const sig = `${row.table}(${Object.keys(row.key).join(',')};${Object.keys(row.values).join(',')})`;
    groups.set(sig, [...(groups.get(sig) ?? []), row]);
  }
  for (const group of groups.values()) {
    const first = group[0];
    const keyCols = Object.keys(first.key);
    const cols = [...keyCols, ...Object.keys(first.values!)];
    for (let i = 0; i < group.length; i += CHUNK) {
      const params: unknown[] = [];
      const tuples = group.slice(i, i + CHUNK).map((row) => {
        const exprs = keyCols.map((c) => columnValue(c, row.key[c], params));
        for (const [col, value] of Object.entries(row.values!)) exprs.push(columnValue(col, value, params));
        return `(${exprs.join(', ')})`;
      });
      const updates = cols.filter((c) => !keyCols.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
      await db.query(`INSERT INTO ${first.table} (${cols.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (${keyCols.join(', ')}) DO UPDATE SET ${updates.join(', ')}`, params);
    }
  }
  for (const row of rows) {
    const keyCols = Object.keys(row.key);
    if (row.values === null) {
      await db.query(`DELETE FROM ${row.table} WHERE ${keyCols.map((c, i) => `${c} = $${i + 1}`).join(' AND ')}`, Object.values(row.key));
    } else if (row.update) {
      const params: unknown[] = [];
      const sets = Object.entries(row.values).map(([col, value]) => `${col} = ${columnValue(col, value, params)}`);
      const where = keyCols.map((c) => `${c} = ${columnValue(c, row.key[c], params)}`);
      const done = await db.query(`UPDATE ${row.table} SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`, params);
      if (done.rowCount !== 1) throw new Error(`${row.table} ${JSON.stringify(row.key)}: no row to update (its creation was never indexed)`);
    }
  }
}
