/**
 * From events to rows. An event names the entities it touched (a model id, an escrow id,
 * a juror's vote…); the indexer then reads each touched entity's view from the contract
 * *at that block* and stores it whole (`data`) with typed columns for the searches. The
 * events do not carry every field (a model's tags, an offer's free GPUs after a
 * rental, a case's round info), and re-deriving the contracts' state transitions from
 * events would duplicate their logic; a view at the block is the contract's own answer.
 *
 * Some views change with time alone (a case's phase, a proposal's state): the processor
 * refreshes the non-final ones at every block (`liveKeys`).
 */
import { Contract } from 'dedot/contracts';
import type { ISubstrateClientAt } from 'dedot';
import { AccountId32 } from 'dedot/codecs';
import type { Client, ComputeMarketContractApi, ContractName, Deployment, DisputeDaoContractApi, EscrowContractApi, MetadataSet, ModelRegistryContractApi } from '../client/src/index.js';

/** A JSON value as stored in `data` and `events.args`. */
export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/**
 * What a decoded value becomes in the database: u64/u128 (bigint) as decimal strings,
 * accounts as SS58 (prefix 42), bytes as hex, `undefined` (an empty Option) as null.
 */
export function plain(value: unknown): Plain {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (value instanceof AccountId32) return value.address(42);
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const out: { [key: string]: Plain } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = plain(v);
    return out;
  }
  throw new TypeError(`cannot store a value of type ${typeof value}`);
}

/** Every account a decoded value names (the event's accounts, for histories). */
export function accountsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (value instanceof AccountId32) out.add(value.address(42));
  else if (Array.isArray(value)) for (const v of value) accountsIn(v, out);
  else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) for (const v of Object.values(value)) accountsIn(v, out);
  return out;
}

/** An asset as one text column: `Native`, or the PSP22 token's address. */
export function assetText(asset: { type: 'Native' } | { type: 'Psp22'; value: AccountId32 }): string {
  return asset.type === 'Native' ? 'Native' : asset.value.address(42);
}

export type Key =
  | { kind: 'model'; id: bigint }
  | { kind: 'modelRating'; id: bigint }
  | { kind: 'licenseOffer'; modelId: bigint; offerId: number }
  | { kind: 'license'; id: bigint }
  | { kind: 'escrow'; id: bigint }
  | { kind: 'collateral'; id: bigint }
  | { kind: 'gpuOffer'; id: bigint }
  | { kind: 'rental'; id: bigint }
  | { kind: 'provider'; account: string }
  | { kind: 'case'; id: bigint }
  | { kind: 'vote'; caseId: bigint; round: number; juror: string }
  | { kind: 'member'; account: string }
  | { kind: 'proposal'; id: bigint };

export function keyId(k: Key): string {
  switch (k.kind) {
    case 'licenseOffer':
      return `licenseOffer:${k.modelId}:${k.offerId}`;
    case 'vote':
      return `vote:${k.caseId}:${k.round}:${k.juror}`;
    case 'provider':
    case 'member':
      return `${k.kind}:${k.account}`;
    default:
      return `${k.kind}:${k.id}`;
  }
}

/**
 * The entities a range of blocks touched, each once, with the last block whose events
 * touched it (a row's `block_number`: the same whether blocks are indexed one by one or
 * in a range).
 */
export class Touched {
  readonly keys = new Map<string, { key: Key; block: number }>();
  constructor(private readonly block = 0) {}
  add(k: Key, block = this.block): void {
    const id = keyId(k);
    const had = this.keys.get(id);
    if (!had || had.block < block) this.keys.set(id, { key: k, block });
  }
  merge(other: Touched): void {
    for (const { key, block } of other.keys.values()) this.add(key, block);
  }
}

const big = (v: unknown): bigint => {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  throw new TypeError(`expected an integer, got ${typeof v}`);
};
const acct = (v: unknown): string => {
  if (v instanceof AccountId32) return v.address(42);
  throw new TypeError('expected an account');
};

/** The entities one decoded event touched. `args` are dedot's decoded event fields. */
export function touchedBy(contract: ContractName, name: string, args: Record<string, unknown>, t: Touched): void {
  const has = (k: string) => args[k] !== undefined && args[k] !== null;
  switch (contract) {
    case 'model_registry':
      // A rating moves only the model's rating totals, read on their own (a registration
      // or a tag change leaves them alone, and the catch-up skips a view per model).
      if (has('modelId')) t.add(name === 'ModelRated' ? { kind: 'modelRating', id: big(args.modelId) } : { kind: 'model', id: big(args.modelId) });
      if (has('modelId') && has('offerId')) t.add({ kind: 'licenseOffer', modelId: big(args.modelId), offerId: Number(args.offerId) });
      if (has('licenseId')) t.add({ kind: 'license', id: big(args.licenseId) });
      return;
    case 'escrow':
      // Collateral events carry the collateral's id as `id`, unless they also name an
      // escrow (then `id` is the escrow and `collateral` the collateral).
      if (name.startsWith('Collateral') && !has('collateral')) {
        t.add({ kind: 'collateral', id: big(args.id) });
      } else if (has('id')) {
        t.add({ kind: 'escrow', id: big(args.id) });
      }
      if (has('collateral') && (typeof args.collateral === 'bigint' || typeof args.collateral === 'number')) t.add({ kind: 'collateral', id: big(args.collateral) });
      return;
    case 'compute_market':
      if (has('offerId')) t.add({ kind: 'gpuOffer', id: big(args.offerId) });
      if (has('rentalId')) t.add({ kind: 'rental', id: big(args.rentalId) });
      if (has('provider')) t.add({ kind: 'provider', account: acct(args.provider) });
      return;
    case 'dispute_dao': {
      if (has('case')) t.add({ kind: 'case', id: big(args.case) });
      if (has('case') && has('juror') && has('round')) t.add({ kind: 'vote', caseId: big(args.case), round: Number(args.round), juror: acct(args.juror) });
      if (name.startsWith('Proposal') || name === 'VotingExtended') t.add({ kind: 'proposal', id: big(args.id) });
      for (const field of ['member', 'juror', 'by', 'voter', 'to', 'proposer']) {
        if (args[field] instanceof AccountId32) t.add({ kind: 'member', account: acct(args[field]) });
      }
      return;
    }
    case 'market_token':
      return;
  }
}

/**
 * A row to upsert (`values` by column), or the entity's removal when its view is empty
 * (`values` null); `update` changes those columns of an existing row only.
 */
export interface Row {
  table: string;
  key: Record<string, string | number>;
  values: Record<string, unknown> | null;
  update?: boolean;
}

/** The five contracts, reading their views at one block. */
export interface MarketAt {
  registry: Contract<ModelRegistryContractApi>;
  vault: Contract<EscrowContractApi>;
  compute: Contract<ComputeMarketContractApi>;
  dao: Contract<DisputeDaoContractApi>;
  deployment: Deployment;
  blockNumber: number;
}

/**
 * dedot's `Contract` checks that the client can also send transactions; a client pinned
 * to a block (`client.at(hash)`) cannot, so `tx` is borrowed from the live client (the
 * indexer never sends one). Queries go through the pinned client: they run at that block.
 */
export function marketAt(client: Client, at: ISubstrateClientAt, deployment: Deployment, metadata: MetadataSet, blockNumber: number): MarketAt {
  const pinned = new Proxy(at, { get: (target, prop) => (prop === 'tx' ? client.tx : Reflect.get(target, prop)) }) as unknown as Client;
  const c = deployment.contracts;
  return {
    registry: new Contract<ModelRegistryContractApi>(pinned, metadata.model_registry, c.model_registry.address),
    vault: new Contract<EscrowContractApi>(pinned, metadata.escrow, c.escrow.address),
    compute: new Contract<ComputeMarketContractApi>(pinned, metadata.compute_market, c.compute_market.address),
    dao: new Contract<DisputeDaoContractApi>(pinned, metadata.dispute_dao, c.dispute_dao.address),
    deployment,
    blockNumber,
  };
}

const TERMINAL_PROPOSAL = new Set(['Executed', 'Canceled', 'Expired', 'Defeated']);
export const isLiveProposal = (state: string) => !TERMINAL_PROPOSAL.has(state);

/**
 * Reads one entity's views at the block and returns its rows; `more` receives entities
 * whose state the same change may have moved without an event naming them (an escrow's
 * collateral and the license or rental it pays for, a rental's offer and provider).
 */
export async function readRows(m: MarketAt, k: Key, more: (k: Key) => void): Promise<Row[]> {
  const caller = { caller: m.deployment.deployer };
  const block = m.blockNumber;
  const c = m.deployment.contracts;
  switch (k.kind) {
    case 'model': {
      const v = (await m.registry.query.model(k.id, caller)).data;
      const key = { id: k.id.toString() };
      if (!v) return [{ table: 'models', key, values: null }];
      const version = `${v.version.major}.${v.version.minor}.${v.version.patch}`;
      return [
        {
          table: 'models',
          key,
          values: {
            owner: acct(v.owner),
            name: v.name,
            metadata_uri: v.metadataUri,
            weights_hash: v.weightsHash,
            version,
            parent: v.parent?.toString() ?? null,
            royalty_bps: v.royaltyBps,
            tags: v.tags,
            status: v.status.type,
            successor: v.status.type === 'Deprecated' ? (v.status.value?.toString() ?? null) : null,
            offer_count: v.offerCount,
            auditor_count: v.auditorCount,
            created_at: v.createdAt.toString(),
            updated_at: v.updatedAt.toString(),
            search: { sql: "to_tsvector('simple', $)", value: `${v.name} ${v.tags.join(' ')}` },
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
    case 'modelRating': {
      const [sum, count] = (await m.registry.query.rating(k.id, caller)).data;
      return [{ table: 'models', key: { id: k.id.toString() }, values: { rating_sum: sum.toString(), rating_count: count.toString() }, update: true }];
    }
    case 'licenseOffer': {
      const v = (await m.registry.query.offer(k.modelId, k.offerId, caller)).data;
      const key = { model_id: k.modelId.toString(), offer_id: k.offerId };
      if (!v) return [{ table: 'license_offers', key, values: null }];
      return [
        {
          table: 'license_offers',
          key,
          values: {
            kind: v.kind.type,
            kind_value: v.kind.type === 'Perpetual' ? null : v.kind.value.toString(),
            price: v.price.toString(),
            asset: assetText(v.asset),
            status: v.status,
            version: v.version,
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
    case 'license': {
      const v = (await m.registry.query.license(k.id, caller)).data;
      const key = { id: k.id.toString() };
      if (!v) return [{ table: 'licenses', key, values: null }];
      return [
        {
          table: 'licenses',
          key,
          values: {
            buyer: acct(v.buyer),
            model_id: v.modelId.toString(),
            offer_id: v.offerId,
            offer_version: v.offerVersion,
            kind: v.kind.type,
            price: v.price.toString(),
            asset: assetText(v.asset),
            escrow_id: v.escrowId.toString(),
            purchased_at: v.purchasedAt.toString(),
            granted: v.granted ?? null,
            released_at: v.releasedAt?.toString() ?? null,
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
    case 'escrow': {
      const v = (await m.vault.query.vaultArbiterEscrow(k.id, caller)).data;
      const key = { id: k.id.toString() };
      if (!v) return [{ table: 'escrows', key, values: null }];
      if (v.collateral !== undefined) more({ kind: 'collateral', id: v.collateral });
      const opener = acct(v.opener);
      if (opener === c.model_registry.address) more({ kind: 'license', id: v.context });
      if (opener === c.compute_market.address) more({ kind: 'rental', id: v.context });
      return [
        {
          table: 'escrows',
          key,
          values: {
            payer: acct(v.payer),
            payee: acct(v.payee),
            opener,
            asset: assetText(v.asset),
            kind: v.terms.type,
            state: v.state,
            context: v.context.toString(),
            collateral: v.collateral?.toString() ?? null,
            settle_reason: v.settlement?.reason ?? null,
            settled_at: v.settlement?.at.toString() ?? null,
            opened_at: v.openedAt.toString(),
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
    case 'collateral': {
      const v = (await m.vault.query.vaultArbiterCollateral(k.id, caller)).data;
      const key = { id: k.id.toString() };
      if (!v) return [{ table: 'collaterals', key, values: null }];
      return [
        {
          table: 'collaterals',
          key,
          values: {
            owner: acct(v.owner),
            asset: assetText(v.asset),
            amount: v.amount.toString(),
            at_stake: v.atStake.toString(),
            open: v.open,
            released: v.released,
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
    case 'gpuOffer': {
      const view = (await m.compute.query.offer(k.id, caller)).data;
      const key = { id: k.id.toString() };
      if (!view) return [{ table: 'gpu_offers', key, values: null }];
      const o = view.offer;
      more({ kind: 'provider', account: acct(o.provider) });
      // The provider's reputation and volume live in `providers` (they change with any of
      // the provider's rentals, not only this offer's).
      const { reputation: _r, volume: _v, ...own } = view;
      return [
        {
          table: 'gpu_offers',
          key,
          values: {
            provider: acct(o.provider),
            gpu_model: o.gpuModel,
            vram_gb: o.vramGb,
            capacity: o.capacity,
            free_gpus: view.freeGpus,
            region: o.region,
            price_per_gpu_hour: o.pricePerGpuHour.toString(),
            min_hours: o.minHours,
            max_hours: o.maxHours,
            asset: assetText(o.asset),
            status: o.status,
            version: o.version,
            expires_at: o.expiresAt.toString(),
            volume: view.volume.toString(),
            attested: view.attestation !== undefined,
            attestation_expires_at: view.attestation?.expiresAt.toString() ?? null,
            data: plain(own),
            block_number: block,
          },
        },
      ];
    }
    case 'rental': {
      const v = (await m.compute.query.rental(k.id, caller)).data;
      const key = { id: k.id.toString() };
      if (!v) return [{ table: 'rentals', key, values: null }];
      more({ kind: 'gpuOffer', id: v.offerId });
      more({ kind: 'provider', account: acct(v.provider) });
      more({ kind: 'escrow', id: v.escrowId });
      return [
        {
          table: 'rentals',
          key,
          values: {
            offer_id: v.offerId.toString(),
            provider: acct(v.provider),
            renter: acct(v.renter),
            escrow_id: v.escrowId.toString(),
            gpus: v.gpus,
            hours: v.hours,
            paid: v.paid.toString(),
            asset: assetText(v.asset),
            status: v.status,
            outcome: v.outcome ?? null,
            booked_at: v.bookedAt.toString(),
            started_at: v.startedAt?.toString() ?? null,
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
    case 'provider': {
      const token = { type: 'Psp22' as const, value: c.market_token.address };
      const [rep, native, psp22] = await Promise.all([
        m.compute.query.reputation(k.account, caller),
        m.compute.query.volume(k.account, { type: 'Native' }, caller),
        m.compute.query.volume(k.account, token, caller),
      ]);
      const r = rep.data;
      return [
        {
          table: 'providers',
          key: { account: k.account },
          values: {
            completed: r.completed,
            ended_early: r.endedEarly,
            disputed: r.disputed,
            lost: r.lost,
            no_shows: r.noShows,
            below_minimum: r.belowMinimum,
            distinct_renters: r.distinctRenters,
            data: { reputation: plain(r), volume: { Native: native.data.toString(), [c.market_token.address]: psp22.data.toString() } },
            block_number: block,
          },
        },
      ];
    }
    case 'case': {
      const v = (await m.dao.query.case(k.id, caller)).data;
      const key = { id: k.id.toString() };
      if (!v) return [{ table: 'cases', key, values: null }];
      return [
        {
          table: 'cases',
          key,
          values: {
            escrow_id: v.case.escrow.toString(),
            payer: acct(v.case.payer),
            payee: acct(v.case.payee),
            status: v.case.status.type,
            phase: v.phase,
            phase_ends: v.phaseEnds.toString(),
            round: v.case.round,
            held: v.case.held.toString(),
            opened_at: v.case.openedAt.toString(),
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
    case 'vote': {
      const v = (await m.dao.query.voteOf(k.caseId, k.round, k.juror, caller)).data;
      const key = { case_id: k.caseId.toString(), round: k.round, juror: k.juror };
      if (!v) return [{ table: 'votes', key, values: null }];
      return [
        {
          table: 'votes',
          key,
          values: {
            weight: v.weight.toString(),
            choice: v.revealed ?? null,
            voided: v.voided,
            settled: v.settled,
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
    case 'member': {
      const v = (await m.dao.query.member(k.account, caller)).data;
      return [
        {
          table: 'members',
          key: { account: k.account },
          values: { staked: v.staked.toString(), at_risk: v.atRisk.toString(), credit: v.credit.toString(), data: plain(v), block_number: block },
        },
      ];
    }
    case 'proposal': {
      const v = (await m.dao.query.proposal(k.id, caller)).data;
      const key = { id: k.id.toString() };
      if (!v) return [{ table: 'proposals', key, values: null }];
      return [
        {
          table: 'proposals',
          key,
          values: {
            proposer: acct(v.proposal.proposer),
            action: v.proposal.action.type,
            state: v.state,
            vote_start: v.proposal.voteStart.toString(),
            vote_end: v.proposal.voteEnd.toString(),
            eta: v.eta.toString(),
            expires_at: v.expiresAt.toString(),
            data: plain(v),
            block_number: block,
          },
        },
      ];
    }
  }
}
