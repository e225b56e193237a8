/**
 * The GPU compute market for screens, scripts and tests (browser-safe, no Node.js
 * modules). First the pure arithmetic: what an offer locks, what a rental costs and the
 * least it pays its provider, and what a rental's vault stream has accrued or would pay
 * if stopped at a given time. Every formula is the contract's own, in bigint and
 * rounded down the way the contracts round (`contracts/compute_market/offers.rs`,
 * `rentals.rs`, `contracts/escrow/money.rs`). Then the paged reads of a rental list
 * (`rentals_of`): a provider's open rentals newest first, and the newest rentals of a
 * renter's or provider's history.
 */
import type { Market } from './contracts.js';
import type { ComputeMarketParty, ComputeMarketRental, MarketTypesAssetLike } from './contracts/compute-market/types.js';
import type { MarketTypesVaultEscrowRecord } from './contracts/escrow/types.js';
import { dryRun } from './tx.js';

export const BPS = 10_000n;

/** Collateral an offer locks: `price × capacity × max_hours × ratio / 10 000`. */
export function offerCollateral(pricePerGpuHour: bigint, capacity: number, maxHours: number, collateralRatioBps: number): bigint {
  return (pricePerGpuHour * BigInt(capacity) * BigInt(maxHours) * BigInt(collateralRatioBps)) / BPS;
}

/** What renting (or extending by) `hours` of `gpus` GPUs costs: `price × gpus × hours`. */
export function rentalCost(pricePerGpuHour: bigint, gpus: number, hours: number): bigint {
  return pricePerGpuHour * BigInt(gpus) * BigInt(hours);
}

/**
 * A new rental's minimum charge (its stream's `min_payout`): the price of its first
 * `min(minChargeHours, hours)` hours, what its provider is paid at least however soon
 * the renter withdraws or ends it (`rentals::min_payout`; `Config.minChargeHours`).
 */
export function minPayoutOf(pricePerGpuHour: bigint, gpus: number, hours: number, minChargeHours: number): bigint {
  return rentalCost(pricePerGpuHour, gpus, Math.min(hours, minChargeHours));
}

/**
 * How many hours a rental's `minPayout` stands for (`min(min_charge_hours, hours)` when
 * it was booked): `minPayout / (price × gpus)`; 0 for a free rental.
 */
export function minChargeHoursOf(r: Pick<ComputeMarketRental, 'minPayout' | 'pricePerGpuHour' | 'gpus'>): number {
  const perHour = r.pricePerGpuHour * BigInt(r.gpus);
  return perHour === 0n ? 0 : Number(r.minPayout / perHour);
}

/** `"the first hour"`, `"the first 3 hours"`: how a minimum charge reads. */
export function firstHoursText(hours: number): string {
  return hours === 1 ? 'the first hour' : `the first ${hours} hours`;
}

/** The fields of a vault stream (`EscrowTerms::Stream`), by name. */
export interface StreamState {
  /** When accrual began (undefined while the stream waits for its start). */
  start?: bigint;
  durationMs: bigint;
  startBy: bigint;
  noShowPenalty: bigint;
  /** Everything prepaid, top-ups included. */
  deposit: bigint;
  /** Gross already paid to the payee side by claims. */
  paidOut: bigint;
  /** When a dispute froze accrual. */
  frozenAt?: bigint;
  /**
   * The least the payee side is paid in all (claims included) when the payer stops the
   * stream, started or not, or a dispute over it falls back without a ruling.
   */
  minPayout: bigint;
}

/** The stream terms of a vault record, or undefined for an order. */
export function streamOf(record: MarketTypesVaultEscrowRecord): StreamState | undefined {
  if (record.terms.type !== 'Stream') return undefined;
  const [start, durationMs, startBy, noShowPenalty, deposit, paidOut, frozenAt, minPayout] = record.terms.value;
  return { start, durationMs, startBy, noShowPenalty, deposit, paidOut, frozenAt, minPayout };
}

/** Gross accrued at `now`: `deposit × (min(now, end, frozen) − start) / duration`, rounded down. */
export function accruedAt(s: StreamState, nowMs: bigint): bigint {
  if (s.start === undefined || s.durationMs === 0n) return 0n;
  let until = nowMs;
  if (s.frozenAt !== undefined && s.frozenAt < until) until = s.frozenAt;
  let elapsed = until > s.start ? until - s.start : 0n;
  if (elapsed > s.durationMs) elapsed = s.durationMs;
  return (s.deposit * elapsed) / s.durationMs;
}

/** What a claim at `now` would pay the payee side (gross): accrued minus claimed. */
export function claimableAt(s: StreamState, nowMs: bigint): bigint {
  const a = accruedAt(s, nowMs);
  return a > s.paidOut ? a - s.paidOut : 0n;
}

/** What the stream still holds: its deposit less what claims paid. */
export function heldBy(s: StreamState): bigint {
  return s.deposit > s.paidOut ? s.deposit - s.paidOut : 0n;
}

/**
 * What stopping the stream at `now` pays the payee side (gross; the vault's
 * `stop_payout`): what accrued and is unpaid, but at least what `minPayout` still lacks
 * after the claims, and at most what it holds. The payer gets `heldBy(s)` less this.
 */
export function stopPayoutAt(s: StreamState, nowMs: bigint): bigint {
  const unpaid = claimableAt(s, nowMs);
  const floor = s.minPayout > s.paidOut ? s.minPayout - s.paidOut : 0n;
  const pay = unpaid > floor ? unpaid : floor;
  const held = heldBy(s);
  return pay < held ? pay : held;
}

/** When a started stream ends. */
export function streamEnd(s: StreamState): bigint | undefined {
  return s.start === undefined ? undefined : s.start + s.durationMs;
}

// ------------------------------------------------------------------ rental lists

/** The contract's page size for `rentals_of` (`MAX_PAGE`): a larger limit is capped to it. */
export const RENTAL_PAGE = 10;

/** One entry of a rental list: the rental id and the rental. */
export type RentalEntry = [bigint, ComputeMarketRental];

/** One page of `rentals_of(account, party, cursor, limit)`, as `caller`. */
export async function rentalsPage(m: Market, caller: string, account: string, party: ComputeMarketParty, cursor: bigint, limit = RENTAL_PAGE): Promise<{ items: RentalEntry[]; next?: bigint }> {
  return (await dryRun(m.compute, caller, 'rentalsOf', [account, party, cursor, limit])).value;
}

/**
 * How many entries a rental list holds. The contract has no length view: pages are
 * positions, and a position past the end answers an empty page without `next`. One
 * full page answers it for a short list; past that, a probe doubles until it passes the
 * end and then bisects (about 2 log₂ n reads of one entry each).
 */
export async function rentalsLength(m: Market, caller: string, account: string, party: ComputeMarketParty): Promise<bigint> {
  const first = await rentalsPage(m, caller, account, party, 0n);
  if (first.next === undefined) return BigInt(first.items.length);
  const inside = async (pos: bigint) => (await rentalsPage(m, caller, account, party, pos, 1)).items.length > 0;
  let lo = first.next; // a position inside (`next` is below the length)
  let hi = first.next * 2n;
  while (await inside(hi)) {
    lo = hi;
    hi *= 2n;
  }
  // lo is inside, hi is past the end.
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (await inside(mid)) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Positions `[from, to)` of a rental list, read page by page in parallel. */
export async function rentalsRange(m: Market, caller: string, account: string, party: ComputeMarketParty, from: bigint, to: bigint): Promise<RentalEntry[]> {
  const starts: bigint[] = [];
  for (let c = from; c < to; c += BigInt(RENTAL_PAGE)) starts.push(c);
  const pages = await Promise.all(
    starts.map((c) => {
      const n = to - c < BigInt(RENTAL_PAGE) ? Number(to - c) : RENTAL_PAGE;
      return rentalsPage(m, caller, account, party, c, n);
    }),
  );
  return pages.flatMap((p) => p.items);
}

/** Newest first, each rental once (a list read while it changes may repeat one). */
function newestFirst(items: RentalEntry[]): RentalEntry[] {
  const byId = new Map<bigint, ComputeMarketRental>();
  for (const [id, r] of items) byId.set(id, r);
  return [...byId.entries()].sort(([a], [b]) => (a > b ? -1 : a < b ? 1 : 0));
}

/**
 * A provider's open rentals (`Party::ProviderOpen`: booked, running, or ended and
 * waiting for the vault), newest first. The contract keeps that list unordered (a
 * closed rental's place goes to the last), so every page is read (at least `max`
 * entries, if it holds that many) and sorted by rental id, highest first;
 * `truncated` says some were left unread.
 */
export async function openRentalsOf(
  m: Market,
  provider: string,
  options: { caller?: string; max?: number } = {},
): Promise<{ items: RentalEntry[]; truncated: boolean }> {
  const caller = options.caller ?? provider;
  const max = options.max ?? 500;
  const items: RentalEntry[] = [];
  let cursor: bigint | undefined = 0n;
  while (cursor !== undefined && items.length < max) {
    const page: { items: RentalEntry[]; next?: bigint } = await rentalsPage(m, caller, provider, 'ProviderOpen', cursor);
    items.push(...page.items);
    cursor = page.items.length === 0 ? undefined : page.next;
  }
  return { items: newestFirst(items), truncated: cursor !== undefined };
}

/**
 * The newest `count` rentals of a history list (`Renter`, `Provider`: oldest first on
 * chain), newest first, ending before position `before` (default: the end). `next` is
 * the position to pass as `before` for the older ones (undefined: none left).
 */
export async function latestRentalsOf(
  m: Market,
  account: string,
  party: Exclude<ComputeMarketParty, 'ProviderOpen'>,
  options: { caller?: string; count?: number; before?: bigint } = {},
): Promise<{ items: RentalEntry[]; total: bigint; next?: bigint }> {
  const caller = options.caller ?? account;
  const total = await rentalsLength(m, caller, account, party);
  const end = options.before !== undefined && options.before < total ? options.before : total;
  const count = BigInt(options.count ?? 50);
  const from = end > count ? end - count : 0n;
  const items = newestFirst(await rentalsRange(m, caller, account, party, from, end));
  return { items, total, next: from > 0n ? from : undefined };
}

/**
 * A provider's standing beside its reputation counters: what its completed rentals
 * paid it in `asset` (`volume`), and the least a rental in `asset` must pay to count
 * in reputation (`min_counted_value`; 0: every rental counts).
 */
export async function providerVolume(
  m: Market,
  caller: string,
  provider: string,
  asset: MarketTypesAssetLike,
): Promise<{ volume: bigint; minCounted: bigint }> {
  const [volume, minCounted] = await Promise.all([
    dryRun(m.compute, caller, 'volume', [provider, asset]).then((r) => r.value),
    dryRun(m.compute, caller, 'minCountedValue', [asset]).then((r) => r.value),
  ]);
  return { volume, minCounted };
}
