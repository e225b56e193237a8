/**
 * The indexer's checks against the chain (scripts/indexer-test.sh runs them):
 *
 *   npx tsx indexer/check.ts truth  --url ws://… --network name
 *       Every model, license offer, license, escrow, collateral, GPU offer, rental,
 *       provider, case, vote, DAO member and proposal the chain's views return at the
 *       indexed block, against the database's rows: each typed column, then every field
 *       of `data`; rows the chain does not have are failures too. Then every
 *       ContractEmitted event of the five contracts in blocks 1..cursor against the
 *       `events` table (none missed, none extra, none twice). Exits 1 on any mismatch.
 *   npx tsx indexer/check.ts digest
 *       One hash per table (rows in key order): two databases that indexed the same
 *       chain to the same block must print the same lines.
 *   npx tsx indexer/check.ts poke --url ws://… --network name
 *       Registers one model and rates nothing: a few blocks with events after a restart.
 *   npx tsx indexer/check.ts wait --url ws://…
 *       Waits (up to 120 s) until the database's cursor reaches the node's finalized head.
 */
import { createHash } from 'node:crypto';
import { devSigners, connect, send, CONTRACTS, type Client, type ContractName, type Deployment } from '../client/src/index.js';
import { openMarket } from '../client/src/contracts.js';
import { loadMetadata, readDeployment } from '../client/src/node.js';
import { openPool } from './db.js';
import { assetText, marketAt, plain, type MarketAt, type Plain } from './entities.js';
import type pg from 'pg';

class Mismatch extends Error {}

function option(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Counts what was compared, and keeps every difference (all are printed, not only the first). */
class Tally {
  rows = new Map<string, number>();
  fields = 0;
  diffs: string[] = [];
  row(table: string): void {
    this.rows.set(table, (this.rows.get(table) ?? 0) + 1);
  }
  diff(what: string): void {
    this.diffs.push(what);
  }
}

/** A column's value as text, the same for what pg returns and what the view says. */
function text(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return JSON.stringify(v.map(text));
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Field-by-field comparison of two JSON values, naming each differing path. */
function compareJson(t: Tally, where: string, expected: Plain, actual: unknown, path = ''): void {
  if (expected === null || typeof expected !== 'object') {
    t.fields += 1;
    if (text(expected) !== text(actual) || typeof actual !== typeof expected && !(expected === null && actual === null)) {
      t.diff(`${where} data${path}: chain ${JSON.stringify(expected)}, index ${JSON.stringify(actual)}`);
    }
    return;
  }
  if (actual === null || typeof actual !== 'object') {
    t.diff(`${where} data${path}: chain ${JSON.stringify(expected)}, index ${JSON.stringify(actual)}`);
    return;
  }
  const a = actual as Record<string, unknown>;
  const keys = new Set([...Object.keys(expected), ...Object.keys(a)]);
  for (const k of keys) {
    const e = (expected as Record<string, Plain>)[k];
    compareJson(t, where, e === undefined ? null : e, a[k] === undefined ? (e === undefined ? null : undefined) : a[k], `${path}.${k}`);
  }
}

/**
 * Compares one entity: `view` undefined means the chain has none. `columns` are the typed
 * columns the row must hold, written here from the view independently of the indexer.
 */
function compareRow(t: Tally, table: string, label: string, row: Record<string, unknown> | undefined, columns: Record<string, unknown> | undefined, data: Plain | undefined): void {
  if (!columns && !row) return; // neither side has it (the ids just past each end)
  t.row(table);
  const where = `${table} ${label}`;
  if (!columns) {
    if (row) t.diff(`${where}: in the index, not on chain`);
    return;
  }
  if (!row) {
    t.diff(`${where}: on chain, missing from the index`);
    return;
  }
  for (const [col, value] of Object.entries(columns)) {
    t.fields += 1;
    if (text(value) !== text(row[col])) t.diff(`${where} ${col}: chain ${text(value)}, index ${text(row[col])}`);
  }
  compareJson(t, where, data ?? null, row.data);
}

async function rowsBy(pool: pg.Pool, table: string, key: (r: Record<string, unknown>) => string): Promise<Map<string, Record<string, unknown>>> {
  const res = await pool.query(`SELECT * FROM ${table}`);
  return new Map(res.rows.map((r: Record<string, unknown>) => [key(r), r]));
}

async function truth(url: string, deployment: Deployment): Promise<void> {
  const pool = openPool();
  const client = await connect(url);
  try {
    const cur = await pool.query<{ block_number: string; block_hash: string }>('SELECT block_number, block_hash FROM indexer_cursor');
    if (cur.rowCount === 0) throw new Mismatch('the database has no cursor: the indexer never ran on it');
    const blockNumber = Number(cur.rows[0].block_number);
    const hash = cur.rows[0].block_hash as `0x${string}`;
    if ((await client.rpc.chain_getBlockHash(blockNumber)) !== hash) throw new Mismatch(`the index's block #${blockNumber} ${hash} is not the chain's`);
    const m = marketAt(client, await client.at(hash), deployment, loadMetadata(), blockNumber);
    const t = new Tally();
    const started = Date.now();
    await compareEntities(pool, m, t);
    await compareEvents(pool, client, deployment, blockNumber, t);
    const counts = [...t.rows.entries()].map(([k, v]) => `${v} ${k}`).join(', ');
    console.log(`truth: at block #${blockNumber}: compared ${counts}; ${t.fields} fields in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (t.diffs.length > 0) {
      for (const d of t.diffs.slice(0, 50)) console.log(`truth: MISMATCH ${d}`);
      throw new Mismatch(`${t.diffs.length} mismatches between the chain and the index`);
    }
    console.log('truth: OK: the index matches the chain field by field');
  } finally {
    await client.disconnect();
    await pool.end();
  }
}

const idKey = (r: Record<string, unknown>) => String(r.id);
const ss58 = (a: { address(p?: number): string }) => a.address(42);
const range = (n: bigint) => Array.from({ length: Number(n) + 2 }, (_, i) => BigInt(i)); // 0..n+1: an off-by-one shows

async function compareEntities(pool: pg.Pool, m: MarketAt, t: Tally): Promise<void> {
  const caller = { caller: m.deployment.deployer };
  const token = m.deployment.contracts.market_token.address;

  // Models and their license offers.
  const models = await rowsBy(pool, 'models', idKey);
  const offers = await rowsBy(pool, 'license_offers', (r) => `${r.model_id}:${r.offer_id}`);
  const seenOffers = new Set<string>();
  for (const id of range((await m.registry.query.modelCount(caller)).data)) {
    const [v, rating] = await Promise.all([m.registry.query.model(id, caller), m.registry.query.rating(id, caller)]);
    const x = v.data;
    compareRow(t, 'models', `#${id}`, models.get(String(id)), x && {
      owner: ss58(x.owner), name: x.name, metadata_uri: x.metadataUri, weights_hash: x.weightsHash,
      version: `${x.version.major}.${x.version.minor}.${x.version.patch}`, parent: x.parent ?? null, royalty_bps: x.royaltyBps,
      tags: x.tags, status: x.status.type, successor: x.status.type === 'Deprecated' ? (x.status.value ?? null) : null,
      offer_count: x.offerCount, auditor_count: x.auditorCount, created_at: x.createdAt, updated_at: x.updatedAt,
      rating_sum: rating.data[0], rating_count: rating.data[1],
    }, x && plain(x));
    models.delete(String(id));
    if (!x) continue;
    for (let o = 0; o <= x.offerCount; o++) {
      const ov = (await m.registry.query.offer(id, o, caller)).data;
      const k = `${id}:${o}`;
      seenOffers.add(k);
      compareRow(t, 'license_offers', k, offers.get(k), ov && {
        kind: ov.kind.type, kind_value: ov.kind.type === 'Perpetual' ? null : ov.kind.value, price: ov.price,
        asset: assetText(ov.asset), status: ov.status, version: ov.version,
      }, ov && plain(ov));
    }
  }
  for (const id of models.keys()) t.diff(`models #${id}: in the index, not on chain`);
  for (const k of offers.keys()) if (!seenOffers.has(k)) t.diff(`license_offers ${k}: in the index, not on chain`);

  // Licenses.
  const licenses = await rowsBy(pool, 'licenses', idKey);
  for (const id of range((await m.registry.query.licenseCount(caller)).data)) {
    const x = (await m.registry.query.license(id, caller)).data;
    compareRow(t, 'licenses', `#${id}`, licenses.get(String(id)), x && {
      buyer: ss58(x.buyer), model_id: x.modelId, offer_id: x.offerId, offer_version: x.offerVersion, kind: x.kind.type,
      price: x.price, asset: assetText(x.asset), escrow_id: x.escrowId, purchased_at: x.purchasedAt,
      granted: x.granted ?? null, released_at: x.releasedAt ?? null,
    }, x && plain(x));
    licenses.delete(String(id));
  }
  for (const id of licenses.keys()) t.diff(`licenses #${id}: in the index, not on chain`);

  // Escrows and collaterals.
  const escrows = await rowsBy(pool, 'escrows', idKey);
  for (const id of range((await m.vault.query.escrowCount(caller)).data)) {
    const x = (await m.vault.query.vaultArbiterEscrow(id, caller)).data;
    compareRow(t, 'escrows', `#${id}`, escrows.get(String(id)), x && {
      payer: ss58(x.payer), payee: ss58(x.payee), opener: ss58(x.opener), asset: assetText(x.asset), kind: x.terms.type,
      state: x.state, context: x.context, collateral: x.collateral ?? null, settle_reason: x.settlement?.reason ?? null,
      settled_at: x.settlement?.at ?? null, opened_at: x.openedAt,
    }, x && plain(x));
    escrows.delete(String(id));
  }
  for (const id of escrows.keys()) t.diff(`escrows #${id}: in the index, not on chain`);
  const collaterals = await rowsBy(pool, 'collaterals', idKey);
  for (const id of range((await m.vault.query.collateralCount(caller)).data)) {
    const x = (await m.vault.query.vaultArbiterCollateral(id, caller)).data;
    compareRow(t, 'collaterals', `#${id}`, collaterals.get(String(id)), x && {
      owner: ss58(x.owner), asset: assetText(x.asset), amount: x.amount, at_stake: x.atStake, open: x.open, released: x.released,
    }, x && plain(x));
    collaterals.delete(String(id));
  }
  for (const id of collaterals.keys()) t.diff(`collaterals #${id}: in the index, not on chain`);

  // GPU offers, rentals, providers.
  const gpu = await rowsBy(pool, 'gpu_offers', idKey);
  const providers = new Set<string>();
  for (const id of range((await m.compute.query.offerCount(caller)).data)) {
    const v = (await m.compute.query.offer(id, caller)).data;
    if (v) providers.add(ss58(v.offer.provider));
    const own = v && (({ reputation: _r, volume: _v, ...rest }) => rest)(v);
    compareRow(t, 'gpu_offers', `#${id}`, gpu.get(String(id)), v && {
      provider: ss58(v.offer.provider), gpu_model: v.offer.gpuModel, vram_gb: v.offer.vramGb, capacity: v.offer.capacity,
      free_gpus: v.freeGpus, region: v.offer.region, price_per_gpu_hour: v.offer.pricePerGpuHour, min_hours: v.offer.minHours,
      max_hours: v.offer.maxHours, asset: assetText(v.offer.asset), status: v.offer.status, version: v.offer.version,
      expires_at: v.offer.expiresAt, volume: v.volume, attested: v.attestation !== undefined,
      attestation_expires_at: v.attestation?.expiresAt ?? null,
    }, own && plain(own));
    gpu.delete(String(id));
  }
  for (const id of gpu.keys()) t.diff(`gpu_offers #${id}: in the index, not on chain`);
  const rentals = await rowsBy(pool, 'rentals', idKey);
  for (const id of range((await m.compute.query.rentalCount(caller)).data)) {
    const x = (await m.compute.query.rental(id, caller)).data;
    compareRow(t, 'rentals', `#${id}`, rentals.get(String(id)), x && {
      offer_id: x.offerId, provider: ss58(x.provider), renter: ss58(x.renter), escrow_id: x.escrowId, gpus: x.gpus,
      hours: x.hours, paid: x.paid, asset: assetText(x.asset), status: x.status, outcome: x.outcome ?? null,
      booked_at: x.bookedAt, started_at: x.startedAt ?? null,
    }, x && plain(x));
    rentals.delete(String(id));
  }
  for (const id of rentals.keys()) t.diff(`rentals #${id}: in the index, not on chain`);
  const provRows = await rowsBy(pool, 'providers', (r) => String(r.account));
  for (const p of new Set([...providers, ...provRows.keys()])) {
    const r = (await m.compute.query.reputation(p, caller)).data;
    const native = (await m.compute.query.volume(p, { type: 'Native' }, caller)).data;
    const psp22 = (await m.compute.query.volume(p, { type: 'Psp22', value: token }, caller)).data;
    compareRow(t, 'providers', p, provRows.get(p), {
      completed: r.completed, ended_early: r.endedEarly, disputed: r.disputed, lost: r.lost, no_shows: r.noShows,
      below_minimum: r.belowMinimum, distinct_renters: r.distinctRenters,
    }, { reputation: plain(r), volume: { Native: native.toString(), [token]: psp22.toString() } });
  }

  // Cases, votes, members, proposals.
  const cases = await rowsBy(pool, 'cases', idKey);
  const votes = await rowsBy(pool, 'votes', (r) => `${r.case_id}:${r.round}:${r.juror}`);
  const memberRows = await rowsBy(pool, 'members', (r) => String(r.account));
  const jurors = new Set<string>([...Object.values(await devSigners()).map((s) => s.address), ...memberRows.keys()]);
  const seenVotes = new Set<string>();
  let cursor = 0n;
  for (;;) {
    const page = (await m.dao.query.cases(cursor, 50, caller)).data;
    for (const v of page.items) {
      compareRow(t, 'cases', `#${v.id}`, cases.get(String(v.id)), {
        escrow_id: v.case.escrow, payer: ss58(v.case.payer), payee: ss58(v.case.payee), status: v.case.status.type,
        phase: v.phase, phase_ends: v.phaseEnds, round: v.case.round, held: v.case.held, opened_at: v.case.openedAt,
      }, plain(v));
      cases.delete(String(v.id));
      for (let round = 0; round <= v.case.round; round++) {
        for (const juror of jurors) {
          const x = (await m.dao.query.voteOf(v.id, round, juror, caller)).data;
          const k = `${v.id}:${round}:${juror}`;
          seenVotes.add(k);
          if (!x && !votes.has(k)) continue;
          compareRow(t, 'votes', k, votes.get(k), x && { weight: x.weight, choice: x.revealed ?? null, voided: x.voided, settled: x.settled }, x && plain(x));
        }
      }
    }
    if (page.next === undefined) break;
    cursor = page.next;
  }
  for (const id of cases.keys()) t.diff(`cases #${id}: in the index, not on chain`);
  for (const k of votes.keys()) if (!seenVotes.has(k)) t.diff(`votes ${k}: in the index, not on chain`);
  for (const a of jurors) {
    const x = (await m.dao.query.member(a, caller)).data;
    const zero = Object.values(x).every((v) => v === 0n || v === 0);
    if (zero && !memberRows.has(a)) continue;
    compareRow(t, 'members', a, memberRows.get(a), { staked: x.staked, at_risk: x.atRisk, credit: x.credit }, plain(x));
  }
  const proposals = await rowsBy(pool, 'proposals', idKey);
  cursor = 0n;
  for (;;) {
    const page = (await m.dao.query.proposals(cursor, 50, caller)).data;
    for (const v of page.items) {
      compareRow(t, 'proposals', `#${v.id}`, proposals.get(String(v.id)), {
        proposer: ss58(v.proposal.proposer), action: v.proposal.action.type, state: v.state, vote_start: v.proposal.voteStart,
        vote_end: v.proposal.voteEnd, eta: v.eta, expires_at: v.expiresAt,
      }, plain(v));
      proposals.delete(String(v.id));
    }
    if (page.next === undefined) break;
    cursor = page.next;
  }
  for (const id of proposals.keys()) t.diff(`proposals #${id}: in the index, not on chain`);
}

/** Every ContractEmitted of the five contracts in blocks 1..head, against `events`. */
async function compareEvents(pool: pg.Pool, client: Client, d: Deployment, head: number, t: Tally): Promise<void> {
  const ours = new Map<string, ContractName>(CONTRACTS.map((n) => [d.contracts[n].address, n]));
  const market = openMarket(client, d, loadMetadata());
  const handles = { market_token: market.token, escrow: market.vault, model_registry: market.registry, compute_market: market.compute, dispute_dao: market.dao };
  const indexed = await pool.query<{ block_number: string; event_index: number; contract: string; name: string }>(
    'SELECT block_number, event_index, contract, name FROM events ORDER BY block_number, event_index',
  );
  const rows = new Map(indexed.rows.map((r) => [`${r.block_number}:${r.event_index}`, r]));
  let onChain = 0;
  for (let n = 1; n <= head; n++) {
    const hash = await client.rpc.chain_getBlockHash(n);
    const records = await (await client.at(hash!)).query.system.events();
    records.forEach((record, index) => {
      const e = record.event as unknown as { pallet: string; palletEvent: { name?: string; data?: { contract?: { address(p?: number): string } } } };
      if (e.pallet !== 'Contracts' || e.palletEvent?.name !== 'ContractEmitted') return;
      const contract = ours.get(e.palletEvent.data?.contract?.address(42) ?? '');
      if (!contract) return;
      onChain += 1;
      const key = `${n}:${index}`;
      const row = rows.get(key);
      const name = handles[contract].decodeEvent(record).name;
      t.fields += 2;
      if (!row) t.diff(`event ${key} (${contract} ${name}): on chain, missing from the index`);
      else if (row.contract !== contract || row.name !== name) t.diff(`event ${key}: chain ${contract} ${name}, index ${row.contract} ${row.name}`);
      rows.delete(key);
    });
  }
  for (const key of rows.keys()) t.diff(`event ${key}: in the index, not on chain`);
  t.rows.set('events', onChain);
}

/** One line per table: row count and a hash of every row in key order. */
async function digest(): Promise<void> {
  const pool = openPool();
  try {
    const tables = ['events', 'event_accounts', 'models', 'license_offers', 'licenses', 'escrows', 'collaterals', 'gpu_offers', 'rentals', 'providers', 'cases', 'votes', 'members', 'proposals'];
    for (const table of tables) {
      const res = await pool.query(`SELECT t::text AS line FROM ${table} t ORDER BY 1`);
      const h = createHash('sha256');
      for (const r of res.rows as { line: string }[]) h.update(`${r.line}\n`);
      console.log(`${table} ${res.rowCount} ${h.digest('hex').slice(0, 16)}`);
    }
    const cur = await pool.query('SELECT block_number, block_hash FROM indexer_cursor');
    console.log(`cursor ${cur.rows[0]?.block_number} ${cur.rows[0]?.block_hash}`);
  } finally {
    await pool.end();
  }
}

async function poke(url: string, deployment: Deployment): Promise<void> {
  const client = await connect(url);
  try {
    const m = openMarket(client, deployment, loadMetadata());
    const who = await devSigners();
    const id = (await send(m.registry, who.Bob, 'registerModel', ['whisper-after-restart', 'ipfs://bafybeirestart', `0x${'55'.repeat(32)}`, { major: 2, minor: 1, patch: 0 }, undefined, 0, ['speech', 'asr']])).value;
    await send(m.registry, who.Bob, 'setTags', [id, ['speech', 'asr', 'multilingual']]);
    console.log(`poke: registered model #${id} and changed its tags`);
  } finally {
    await client.disconnect();
  }
}

async function wait(url: string): Promise<void> {
  const pool = openPool();
  const client = await connect(url, 15_000, 0);
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const fin = await client.rpc.chain_getHeader(await client.rpc.chain_getFinalizedHead());
      const cur = await pool.query<{ block_number: string }>('SELECT block_number FROM indexer_cursor').catch(() => ({ rows: [] as { block_number: string }[] }));
      const at = cur.rows.length ? Number(cur.rows[0].block_number) : -1;
      if (fin && at >= fin.number) {
        console.log(`wait: indexed up to the finalized head #${at}`);
        return;
      }
      if (Date.now() > deadline) throw new Mismatch(`the index is at #${at}, the finalized head at #${fin?.number}, after 120 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await client.disconnect();
    await pool.end();
  }
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'digest') return await digest();
  const network = option('network', 'local')!;
  const deployment = readDeployment(network);
  if (!deployment) throw new Error(`deployments/${network}.json is missing`);
  const url = option('url', deployment.url)!;
  if (command === 'truth') return await truth(url, deployment);
  if (command === 'poke') return await poke(url, deployment);
  if (command === 'wait') return await wait(url);
  throw new Error('usage: npx tsx indexer/check.ts truth|digest|poke|wait [--url ws://…] [--network name]');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`check: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
