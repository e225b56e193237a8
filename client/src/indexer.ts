/**
 * Typed access to the indexer's HTTP API (indexer/api.ts, docs/indexer.md): searches and
 * histories the chain's paged views cannot serve. Browser-safe (fetch only).
 *
 * Amounts (u128) and u64 values are decimal strings, accounts SS58 addresses, and every
 * `data` is the contract's own view of the entity as of `blockNumber`, in the same JSON
 * form. Lists are paged with `limit` (1–100, default 20) and `offset`, and say how many
 * rows match in all (`total`).
 */

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface IndexerStatus {
  network: string;
  genesisHash: string;
  /** Last block whose events are all in the database. */
  indexedBlock: number;
  indexedHash: string;
  /** Chain time (ms) of that block. */
  indexedTime: string;
  /** The node's finalized head, or null when the API cannot reach the node. */
  finalizedBlock: number | null;
  /** finalizedBlock − indexedBlock (null when the node is unreachable). */
  lagBlocks: number | null;
  /** Wall-clock ms since the indexed block was made (how old the index's newest fact is). */
  ageMs: number;
}

export interface ModelRow {
  id: string;
  owner: string;
  name: string;
  metadataUri: string;
  weightsHash: string;
  version: string;
  parent: string | null;
  royaltyBps: number;
  tags: string[];
  status: 'Active' | 'Deprecated' | 'Delisted';
  successor: string | null;
  offerCount: number;
  auditorCount: number;
  createdAt: string;
  updatedAt: string;
  ratingSum: string;
  ratingCount: string;
  blockNumber: string;
}

export interface LicenseOfferRow {
  modelId: string;
  offerId: number;
  kind: 'Perpetual' | 'TimeBound' | 'Metered';
  kindValue: string | null;
  price: string;
  asset: string;
  status: 'Active' | 'Retired';
  version: number;
}

export interface LicenseRow {
  id: string;
  buyer: string;
  modelId: string;
  modelName: string | null;
  offerId: number;
  offerVersion: number;
  kind: string;
  price: string;
  asset: string;
  escrowId: string;
  /** The vault escrow's state and, once settled, why. */
  escrowState: string | null;
  settleReason: string | null;
  purchasedAt: string;
  granted: boolean | null;
  releasedAt: string | null;
}

export interface GpuOfferRow {
  id: string;
  provider: string;
  gpuModel: string;
  vramGb: number;
  capacity: number;
  freeGpus: number;
  region: string;
  pricePerGpuHour: string;
  minHours: number;
  maxHours: number;
  asset: string;
  status: 'Active' | 'Paused' | 'Retired';
  version: number;
  expiresAt: string;
  volume: string;
  attested: boolean;
  attestationExpiresAt: string | null;
}

export interface RentalRow {
  id: string;
  offerId: string;
  provider: string;
  renter: string;
  escrowId: string;
  gpus: number;
  hours: number;
  paid: string;
  asset: string;
  status: 'Booked' | 'Running' | 'Ended' | 'Closed';
  outcome: string | null;
  bookedAt: string;
  startedAt: string | null;
}

export interface ProviderRecord {
  account: string;
  completed: number;
  endedEarly: number;
  disputed: number;
  lost: number;
  noShows: number;
  belowMinimum: number;
  distinctRenters: number;
  /** Volume settled per asset (`Native` or the token's address). */
  volume: Record<string, string>;
  offers: number;
  rentals: number;
}

export interface CaseRow {
  id: string;
  escrowId: string;
  payer: string;
  payee: string;
  status: 'Open' | 'Ruled' | 'NoQuorum';
  phase: string;
  phaseEnds: string;
  round: number;
  held: string;
  openedAt: string;
}

export interface VoteRow {
  caseId: string;
  round: number;
  juror: string;
  weight: string;
  /** Known once revealed. */
  choice: number | null;
  voided: boolean;
  settled: boolean;
}

/** One event as the chain emitted it, with its block. */
export interface EventRow {
  blockNumber: string;
  eventIndex: number;
  blockTime: string;
  contract: string;
  name: string;
  args: Record<string, unknown>;
  /**
   * In an account's purchases and credits: the asset its amounts are in (`Native` or
   * the token's address), from the event or the escrow, collateral or rental it names;
   * null for the DAO's events, whose amounts are in its stake token (the market token).
   */
  asset?: string | null;
}

export interface CaseDetail extends CaseRow {
  votes: VoteRow[];
  /** The case's events and its escrow's, in chain order. */
  timeline: EventRow[];
}

export interface ProposalRow {
  id: string;
  proposer: string;
  action: string;
  state: string;
  voteStart: string;
  voteEnd: string;
  eta: string;
  expiresAt: string;
  forWeight: string;
  againstWeight: string;
}

export interface ModelQuery {
  /** Name prefix, case-insensitive. */
  prefix?: string;
  /** Full-text words in the name and tags. */
  q?: string;
  tag?: string;
  owner?: string;
  parent?: string | bigint;
  status?: string;
}

export interface GpuOfferQuery {
  region?: string;
  gpuModel?: string;
  minVram?: number;
  /** Highest price per GPU-hour, in the asset's smallest unit. */
  maxPrice?: string | bigint;
  /** Fewest free GPUs. */
  minFree?: number;
  provider?: string;
  /** Default `Active`; `any` for every status. */
  status?: string;
  /** Default `price` (cheapest first); `-price` for the dearest first. */
  sort?: 'price' | '-price';
}

export interface Paging {
  limit?: number;
  offset?: number;
}

/** The API answered with an error (`code` is stable, e.g. `BadRequest`, `NotFound`). */
export class IndexerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'IndexerError';
  }
}

/** The indexer cannot be reached at all. */
export class IndexerUnreachable extends Error {
  constructor(readonly url: string, cause: string) {
    super(`indexer unreachable at ${url}: ${cause}`);
    this.name = 'IndexerUnreachable';
  }
}

type Params = Record<string, string | number | bigint | undefined>;

export class IndexerClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async get<T>(path: string, params: Params = {}): Promise<T> {
    const url = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new IndexerUnreachable(this.baseUrl, err instanceof Error ? err.message : String(err));
    }
    const body = (await res.json().catch(() => null)) as { error?: string; message?: string } | null;
    if (!res.ok) throw new IndexerError(res.status, body?.error ?? 'HttpError', body?.message ?? `HTTP ${res.status}`);
    return body as T;
  }

  status(): Promise<IndexerStatus> {
    return this.get('status');
  }
  models(q: ModelQuery & Paging = {}): Promise<Page<ModelRow>> {
    return this.get('models', { ...q });
  }
  model(id: string | bigint): Promise<ModelRow & { offers: LicenseOfferRow[]; children: number }> {
    return this.get(`models/${id}`);
  }
  gpuOffers(q: GpuOfferQuery & Paging = {}): Promise<Page<GpuOfferRow>> {
    return this.get('gpu-offers', { ...q });
  }
  licensesOf(account: string, p: Paging = {}): Promise<Page<LicenseRow>> {
    return this.get(`accounts/${account}/licenses`, { ...p });
  }
  /** Every payment the account made: license purchases and rental bookings (events). */
  purchasesOf(account: string, p: Paging = {}): Promise<Page<EventRow>> {
    return this.get(`accounts/${account}/purchases`, { ...p });
  }
  rentalsOf(account: string, role: 'renter' | 'provider' = 'renter', p: Paging = {}): Promise<Page<RentalRow>> {
    return this.get(`accounts/${account}/rentals`, { role, ...p });
  }
  /** Vault events that credited or debited the account (settlements, claims, withdrawals, slashes). */
  creditsOf(account: string, p: Paging = {}): Promise<Page<EventRow>> {
    return this.get(`accounts/${account}/credits`, { ...p });
  }
  provider(account: string): Promise<ProviderRecord> {
    return this.get(`providers/${account}`);
  }
  cases(p: Paging & { phase?: string } = {}): Promise<Page<CaseRow>> {
    return this.get('cases', { ...p });
  }
  caseDetail(id: string | bigint): Promise<CaseDetail> {
    return this.get(`cases/${id}`);
  }
  proposals(p: Paging & { state?: string } = {}): Promise<Page<ProposalRow>> {
    return this.get('proposals', { ...p });
  }
}
