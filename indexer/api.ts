/**
 * The indexer's HTTP API (node:http, JSON, GET only, CORS open for the dApp). Routes and
 * their answers are typed in client/src/indexer.ts; docs/indexer.md lists them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type pg from 'pg';
import type { CaseDetail, CaseRow, EventRow, GpuOfferRow, IndexerStatus, LicenseOfferRow, LicenseRow, ModelRow, Page, ProposalRow, ProviderRecord, RentalRow, VoteRow } from '../client/src/indexer.js';

/** A request the API refuses, with its HTTP status and a stable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: 'BadRequest' | 'NotFound' | 'MethodNotAllowed' | 'Unavailable',
    message: string,
  ) {
    super(message);
  }
}

const bad = (message: string) => new HttpError(400, 'BadRequest', message);

const SS58 = /^[1-9A-HJ-NP-Za-km-z]{46,48}$/;
const UINT = /^\d{1,39}$/;

class Query {
  constructor(private readonly params: URLSearchParams) {}
  text(name: string, max = 200): string | undefined {
    const v = this.params.get(name);
    if (v === null || v === '') return undefined;
    if (v.length > max) throw bad(`${name}: at most ${max} characters`);
    return v;
  }
  uint(name: string): string | undefined {
    const v = this.text(name, 39);
    if (v !== undefined && !UINT.test(v)) throw bad(`${name}: expected a non-negative integer, got "${v}"`);
    return v;
  }
  int(name: string, min: number, max: number, fallback?: number): number | undefined {
    const v = this.uint(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (n < min || n > max) throw bad(`${name}: expected ${min}..${max}, got ${v}`);
    return n;
  }
  account(name: string): string | undefined {
    const v = this.text(name, 60);
    if (v !== undefined && !SS58.test(v)) throw bad(`${name}: not an SS58 address`);
    return v;
  }
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
    const v = this.text(name, 40);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) throw bad(`${name}: one of ${allowed.join(', ')}`);
    return v as T;
  }
  paging(): { limit: number; offset: number } {
    return { limit: this.int('limit', 1, 100, 20)!, offset: this.int('offset', 0, 1_000_000, 0)! };
  }
}

/** Builds a WHERE clause with numbered parameters. */
class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...values: unknown[]): void {
    let s = sql;
    for (const v of values) {
      this.params.push(v);
      s = s.replace('?', `$${this.params.length}`);
    }
    this.parts.push(s);
  }
  param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

type Rec = Record<string, unknown>;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const modelRow = (r: Rec): ModelRow => ({
  id: String(r.id),
  owner: String(r.owner),
  name: String(r.name),
  metadataUri: String(r.metadata_uri),
  weightsHash: String(r.weights_hash),
  version: String(r.version),
  parent: str(r.parent),
  royaltyBps: Number(r.royalty_bps),
  tags: r.tags as string[],
  status: r.status as ModelRow['status'],
  successor: str(r.successor),
  offerCount: Number(r.offer_count),
  auditorCount: Number(r.auditor_count),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
  ratingSum: String(r.rating_sum),
  ratingCount: String(r.rating_count),
  blockNumber: String(r.block_number),
});

const offerRow = (r: Rec): LicenseOfferRow => ({
  modelId: String(r.model_id),
  offerId: Number(r.offer_id),
  kind: r.kind as LicenseOfferRow['kind'],
  kindValue: str(r.kind_value),
  price: String(r.price),
  asset: String(r.asset),
  status: r.status as LicenseOfferRow['status'],
  version: Number(r.version),
});

const gpuRow = (r: Rec): GpuOfferRow => ({
  id: String(r.id),
  provider: String(r.provider),
  gpuModel: String(r.gpu_model),
  vramGb: Number(r.vram_gb),
  capacity: Number(r.capacity),
  freeGpus: Number(r.free_gpus),
  region: String(r.region),
  pricePerGpuHour: String(r.price_per_gpu_hour),
  minHours: Number(r.min_hours),
  maxHours: Number(r.max_hours),
  asset: String(r.asset),
  status: r.status as GpuOfferRow['status'],
  version: Number(r.version),
  expiresAt: String(r.expires_at),
  volume: String(r.volume),
  attested: Boolean(r.attested),
  attestationExpiresAt: str(r.attestation_expires_at),
});

const licenseRow = (r: Rec): LicenseRow => ({
  id: String(r.id),
  buyer: String(r.buyer),
  modelId: String(r.model_id),
  modelName: str(r.model_name),
  offerId: Number(r.offer_id),
  offerVersion: Number(r.offer_version),
  kind: String(r.kind),
  price: String(r.price),
  asset: String(r.asset),
  escrowId: String(r.escrow_id),
  escrowState: str(r.escrow_state),
  settleReason: str(r.settle_reason),
  purchasedAt: String(r.purchased_at),
  granted: r.granted === null ? null : Boolean(r.granted),
  releasedAt: str(r.released_at),
});

const rentalRow = (r: Rec): RentalRow => ({
  id: String(r.id),
  offerId: String(r.offer_id),
  provider: String(r.provider),
  renter: String(r.renter),
  escrowId: String(r.escrow_id),
  gpus: Number(r.gpus),
  hours: Number(r.hours),
  paid: String(r.paid),
  asset: String(r.asset),
  status: r.status as RentalRow['status'],
  outcome: str(r.outcome),
  bookedAt: String(r.booked_at),
  startedAt: str(r.started_at),
});

const caseRow = (r: Rec): CaseRow => ({
  id: String(r.id),
  escrowId: String(r.escrow_id),
  payer: String(r.payer),
  payee: String(r.payee),
  status: r.status as CaseRow['status'],
  phase: String(r.phase),
  phaseEnds: String(r.phase_ends),
  round: Number(r.round),
  held: String(r.held),
  openedAt: String(r.opened_at),
});

const voteRow = (r: Rec): VoteRow => ({
  caseId: String(r.case_id),
  round: Number(r.round),
  juror: String(r.juror),
  weight: String(r.weight),
  choice: r.choice === null ? null : Number(r.choice),
  voided: Boolean(r.voided),
  settled: Boolean(r.settled),
});

const eventRow = (r: Rec): EventRow => ({
  blockNumber: String(r.block_number),
  eventIndex: Number(r.event_index),
  blockTime: String(r.block_time),
  contract: String(r.contract),
  name: String(r.name),
  args: r.args as Record<string, unknown>,
});

const proposalRow = (r: Rec): ProposalRow => {
  const p = (r.data as { proposal: { forWeight: string; againstWeight: string } }).proposal;
  return {
    id: String(r.id),
    proposer: String(r.proposer),
    action: String(r.action),
    state: String(r.state),
    voteStart: String(r.vote_start),
    voteEnd: String(r.vote_end),
    eta: String(r.eta),
    expiresAt: String(r.expires_at),
    forWeight: p.forWeight,
    againstWeight: p.againstWeight,
  };
};

/** Vault and DAO events that move an account's credit (docs/indexer.md). */
const CREDIT_EVENTS = ['EscrowSettled', 'StreamClaimed', 'Withdrawn', 'NoShowPenaltyPaid', 'CollateralSlashed', 'CollateralReleased', 'AppealBondReturned', 'VoteSettled', 'VoteDenounced'];
const PURCHASE_EVENTS = ['LicensePurchased', 'RentalBooked', 'RentalExtended'];

export interface ApiOptions {
  pool: pg.Pool;
  port: number;
  host?: string;
  /** The node whose finalized head /status compares with (ws:// or http://). */
  nodeUrl: string;
}

export class Api {
  constructor(private readonly o: ApiOptions) {}

  private async page<T>(sql: string, params: unknown[], p: { limit: number; offset: number }, map: (r: Rec) => T): Promise<Page<T>> {
    const res = await this.o.pool.query(`SELECT *, count(*) OVER () AS total_rows FROM (${sql}) sub LIMIT ${p.limit} OFFSET ${p.offset}`, params);
    let total = res.rows.length ? Number(res.rows[0].total_rows) : 0;
    if (res.rows.length === 0 && p.offset > 0) {
      total = Number((await this.o.pool.query(`SELECT count(*) AS n FROM (${sql}) sub`, params)).rows[0].n);
    }
    return { items: res.rows.map(map), total, limit: p.limit, offset: p.offset };
  }

  async route(method: string, url: URL): Promise<unknown> {
    if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'only GET');
    const q = new Query(url.searchParams);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [a, b, c] = parts;
    if (parts.length === 1 && a === 'status') return await this.status();
    if (a === 'models' && parts.length === 1) return await this.models(q);
    if (a === 'models' && parts.length === 2) return await this.model(idOf(b));
    if (a === 'gpu-offers' && parts.length === 1) return await this.gpuOffers(q);
    if (a === 'accounts' && parts.length === 3) {
      const account = accountOf(b);
      if (c === 'licenses') return await this.licenses(account, q);
      if (c === 'purchases') return await this.accountEvents(account, PURCHASE_EVENTS, q, true);
      if (c === 'rentals') return await this.rentals(account, q);
      if (c === 'credits') return await this.accountEvents(account, CREDIT_EVENTS, q, false);
    }
    if (a === 'providers' && parts.length === 2) return await this.provider(accountOf(b));
    if (a === 'cases' && parts.length === 1) return await this.cases(q);
    if (a === 'cases' && parts.length === 2) return await this.caseDetail(idOf(b));
    if (a === 'proposals' && parts.length === 1) return await this.proposals(q);
    throw new HttpError(404, 'NotFound', `no route ${url.pathname}`);
  }

  async status(): Promise<IndexerStatus> {
    const r = await this.o.pool.query('SELECT network, genesis_hash, block_number, block_hash, block_time FROM indexer_cursor');
    if (r.rowCount === 0) throw new HttpError(503, 'Unavailable', 'the indexer has not started on this database yet');
    const row = r.rows[0] as Rec;
    const finalized = await finalizedHead(this.o.nodeUrl).catch(() => null);
    const indexed = Number(row.block_number);
    return {
      network: String(row.network),
      genesisHash: String(row.genesis_hash),
      indexedBlock: indexed,
      indexedHash: String(row.block_hash),
      indexedTime: String(row.block_time),
      finalizedBlock: finalized,
      lagBlocks: finalized === null ? null : Math.max(finalized - indexed, 0),
      ageMs: Math.max(Date.now() - Number(row.block_time), 0),
    };
  }

  async models(q: Query): Promise<Page<ModelRow>> {
    const w = new Where();
    const prefix = q.text('prefix', 64);
    const text = q.text('q', 200);
    const tag = q.text('tag', 64);
    const owner = q.account('owner');
    const parent = q.uint('parent');
    const status = q.oneOf('status', ['Active', 'Deprecated', 'Delisted'] as const);
    if (prefix) w.add("lower(name) LIKE ? ESCAPE '\\'", `${prefix.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    let order = 'id';
    if (text) {
      const tsq = w.param(text);
      w.parts.push(`search @@ plainto_tsquery('simple', ${tsq})`);
      order = `ts_rank(search, plainto_tsquery('simple', ${tsq})) DESC, id`;
    }
    if (tag) w.add('tags @> ARRAY[?]::text[]', tag);
    if (owner) w.add('owner = ?', owner);
    if (parent) w.add('parent = ?', parent);
    if (status) w.add('status = ?', status);
    return await this.page(`SELECT * FROM models ${w.sql} ORDER BY ${order}`, w.params, q.paging(), modelRow);
  }

  async model(id: string): Promise<ModelRow & { offers: LicenseOfferRow[]; children: number }> {
    const r = await this.o.pool.query('SELECT * FROM models WHERE id = $1', [id]);
    if (r.rowCount === 0) throw new HttpError(404, 'NotFound', `no model ${id}`);
    const offers = await this.o.pool.query('SELECT * FROM license_offers WHERE model_id = $1 ORDER BY offer_id', [id]);
    const children = await this.o.pool.query('SELECT count(*) AS n FROM models WHERE parent = $1', [id]);
    return { ...modelRow(r.rows[0]), offers: offers.rows.map(offerRow), children: Number(children.rows[0].n) };
  }

  async gpuOffers(q: Query): Promise<Page<GpuOfferRow>> {
    const w = new Where();
    const region = q.text('region', 64);
    const gpu = q.text('gpuModel', 64);
    const minVram = q.int('minVram', 0, 65_535);
    const maxPrice = q.uint('maxPrice');
    const minFree = q.int('minFree', 0, 4_294_967_295);
    const provider = q.account('provider');
    const status = q.oneOf('status', ['Active', 'Paused', 'Retired', 'any'] as const, 'Active');
    const sort = q.oneOf('sort', ['price', '-price'] as const, 'price');
    if (region) w.add('region = ?', region);
    if (gpu) w.add('gpu_model = ?', gpu);
    if (minVram !== undefined) w.add('vram_gb >= ?', minVram);
    if (maxPrice !== undefined) w.add('price_per_gpu_hour <= ?', maxPrice);
    if (minFree !== undefined) w.add('free_gpus >= ?', minFree);
    if (provider) w.add('provider = ?', provider);
    if (status !== 'any') w.add('status = ?', status);
    const dir = sort === '-price' ? 'DESC' : 'ASC';
    return await this.page(`SELECT * FROM gpu_offers ${w.sql} ORDER BY price_per_gpu_hour ${dir}, id`, w.params, q.paging(), gpuRow);
  }

  async licenses(account: string, q: Query): Promise<Page<LicenseRow>> {
    return await this.page(
      `SELECT l.*, m.name AS model_name, e.state AS escrow_state, e.settle_reason
         FROM licenses l LEFT JOIN models m ON m.id = l.model_id LEFT JOIN escrows e ON e.id = l.escrow_id
        WHERE l.buyer = $1 ORDER BY l.id DESC`,
      [account],
      q.paging(),
      licenseRow,
    );
  }

  async rentals(account: string, q: Query): Promise<Page<RentalRow>> {
    const role = q.oneOf('role', ['renter', 'provider'] as const, 'renter');
    return await this.page(`SELECT * FROM rentals WHERE ${role === 'provider' ? 'provider' : 'renter'} = $1 ORDER BY id DESC`, [account], q.paging(), rentalRow);
  }

  /**
   * Events of `names` that name the account (`payerOnly`: as the buyer or renter), each
   * with the asset its amounts are in: the event's own, or that of the escrow,
   * collateral or rental it names (null for the DAO's, which are in its stake token).
   */
  async accountEvents(account: string, names: string[], q: Query, payerOnly: boolean): Promise<Page<EventRow>> {
    const who = payerOnly ? "AND (e.args ->> 'buyer' = $1 OR e.args ->> 'renter' = $1)" : '';
    return await this.page(
      `SELECT e.*, COALESCE(
                CASE e.args -> 'asset' ->> 'type' WHEN 'Native' THEN 'Native' WHEN 'Psp22' THEN e.args -> 'asset' ->> 'value' END,
                CASE WHEN e.contract = 'escrow' AND e.name LIKE 'Collateral%' THEN (SELECT c.asset FROM collaterals c WHERE c.id = (e.args ->> 'id')::bigint)
                     WHEN e.contract = 'escrow' AND e.args ? 'id' THEN (SELECT x.asset FROM escrows x WHERE x.id = (e.args ->> 'id')::bigint) END,
                CASE WHEN e.args ? 'rentalId' THEN (SELECT r.asset FROM rentals r WHERE r.id = (e.args ->> 'rentalId')::bigint) END
              ) AS asset
         FROM event_accounts a JOIN events e USING (block_number, event_index)
        WHERE a.account = $1 AND e.name = ANY($2) ${who} ORDER BY e.block_number DESC, e.event_index DESC`,
      [account, names],
      q.paging(),
      (r) => ({ ...eventRow(r), asset: str(r.asset) }),
    );
  }

  async provider(account: string): Promise<ProviderRecord> {
    const r = await this.o.pool.query('SELECT * FROM providers WHERE account = $1', [account]);
    if (r.rowCount === 0) throw new HttpError(404, 'NotFound', `no provider ${account}`);
    const p = r.rows[0] as Rec;
    const counts = await this.o.pool.query(
      'SELECT (SELECT count(*) FROM gpu_offers WHERE provider = $1) AS offers, (SELECT count(*) FROM rentals WHERE provider = $1) AS rentals',
      [account],
    );
    return {
      account,
      completed: Number(p.completed),
      endedEarly: Number(p.ended_early),
      disputed: Number(p.disputed),
      lost: Number(p.lost),
      noShows: Number(p.no_shows),
      belowMinimum: Number(p.below_minimum),
      distinctRenters: Number(p.distinct_renters),
      volume: (p.data as { volume: Record<string, string> }).volume,
      offers: Number(counts.rows[0].offers),
      rentals: Number(counts.rows[0].rentals),
    };
  }

  async cases(q: Query): Promise<Page<CaseRow>> {
    const phase = q.oneOf('phase', ['Commit', 'Reveal', 'Appeal', 'Executable', 'Closed'] as const);
    const w = new Where();
    if (phase) w.add('phase = ?', phase);
    return await this.page(`SELECT * FROM cases ${w.sql} ORDER BY id DESC`, w.params, q.paging(), caseRow);
  }

  async caseDetail(id: string): Promise<CaseDetail> {
    const r = await this.o.pool.query('SELECT * FROM cases WHERE id = $1', [id]);
    if (r.rowCount === 0) throw new HttpError(404, 'NotFound', `no case ${id}`);
    const row = caseRow(r.rows[0]);
    const [votes, timeline] = await Promise.all([
      this.o.pool.query('SELECT * FROM votes WHERE case_id = $1 ORDER BY round, juror', [id]),
      this.o.pool.query(
        `SELECT * FROM events
          WHERE (contract = 'dispute_dao' AND args ? 'case' AND args ->> 'case' = $1)
             OR (contract = 'escrow' AND args ->> 'id' = $2 AND name NOT LIKE 'Collateral%')
          ORDER BY block_number, event_index`,
        [id, row.escrowId],
      ),
    ]);
    return { ...row, votes: votes.rows.map(voteRow), timeline: timeline.rows.map(eventRow) };
  }

  async proposals(q: Query): Promise<Page<ProposalRow>> {
    const state = q.oneOf('state', ['Pending', 'Active', 'Defeated', 'Queued', 'Ready', 'Executed', 'Canceled', 'Expired'] as const);
    const w = new Where();
    if (state) w.add('state = ?', state);
    return await this.page(`SELECT * FROM proposals ${w.sql} ORDER BY id DESC`, w.params, q.paging(), proposalRow);
  }
}

function idOf(v: string | undefined): string {
  if (!v || !UINT.test(v)) throw bad(`expected an id, got "${v ?? ''}"`);
  return v;
}

function accountOf(v: string | undefined): string {
  if (!v || !SS58.test(v)) throw bad(`expected an SS58 address, got "${v ?? ''}"`);
  return v;
}

/** The node's finalized block number, over its HTTP JSON-RPC (same port as its WebSocket). */
async function finalizedHead(nodeUrl: string): Promise<number> {
  const http = nodeUrl.replace(/^ws(s?):/, 'http$1:');
  const rpc = async (method: string, params: unknown[]) => {
    const res = await fetch(http, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await res.json()) as { result?: unknown };
    if (body.result === undefined) throw new Error(`${method}: no result`);
    return body.result;
  };
  const hash = await rpc('chain_getFinalizedHead', []);
  const header = (await rpc('chain_getHeader', [hash])) as { number: string };
  return Number.parseInt(header.number, 16);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'access-control-allow-origin': '*',
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function serve(o: ApiOptions): Promise<Server> {
  const api = new Api(o);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET', 'access-control-max-age': '86400' });
      res.end();
      return;
    }
    api.route(req.method ?? 'GET', url).then(
      (body) => send(res, 200, body),
      (err: unknown) => {
        if (err instanceof HttpError) {
          send(res, err.status, { error: err.code, message: err.message });
        } else {
          console.error(`indexer api: ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}`);
          send(res, 500, { error: 'Internal', message: err instanceof Error ? err.message : String(err) });
        }
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve(server));
  });
}
