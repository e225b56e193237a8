/**
 * Shared pieces of the GPU compute screens: the live clock, hour and money text, the
 * reputation and attestation badges, and the loaders every compute screen uses.
 */
import { useEffect, useState } from 'react';
import { dryRun, duration, formatUnits, relativeTime, type Market } from '../../client/src/index.js';
import { streamOf, type StreamState } from '../../client/src/compute.js';
import type {
  ComputeMarketAttestation,
  ComputeMarketOfferView,
  ComputeMarketParty,
  ComputeMarketRental,
  ComputeMarketReputation,
} from '../../client/src/contracts/compute-market/types.js';
import { useApp } from './market.js';
import { amount, assetSymbol } from './util.js';

/** Wall-clock milliseconds, re-rendered every `everyMs` (the dev node stamps blocks with it). */
export function useNow(everyMs = 500): bigint {
  const [now, setNow] = useState(() => BigInt(Date.now()));
  useEffect(() => {
    const t = setInterval(() => setNow(BigInt(Date.now())), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** `4 h`, and on a network with short hours what that lasts: `4 h (8 s here)`. */
export function hoursText(hours: number, hourMs: number): string {
  const base = `${hours} h`;
  return hourMs === 3_600_000 ? base : `${base} (${duration(hours * hourMs)} here)`;
}

/** `0.5 UNIT` per GPU-hour. */
export function priceText(m: Market, v: ComputeMarketOfferView | ComputeMarketRental, native: { symbol: string; decimals: number }): string {
  const o = 'offer' in v ? v.offer : v;
  return amount(m, o.pricePerGpuHour, o.asset, native);
}

export function decimalsOf(m: Market, asset: { type: 'Native' } | { type: 'Psp22' }, native: { decimals: number }): number {
  return asset.type === 'Native' ? native.decimals : m.deployment.params.tokenDecimals;
}

/** Money of a rental or offer in its own asset, with at most 4 decimals (for counters). */
export function money(m: Market, value: bigint, asset: ComputeMarketRental['asset'], native: { symbol: string; decimals: number }, exact = true): string {
  if (exact) return amount(m, value, asset, native);
  const text = formatUnits(value, decimalsOf(m, asset, native)).replace(/(\.\d{0,4})\d*/, '$1').replace(/\.$/, '');
  return `${text} ${assetSymbol(m, asset, native.symbol)}`;
}

export function Reputation({ rep }: { rep: ComputeMarketReputation }) {
  const total = rep.completed + rep.endedEarly + rep.disputed + rep.lost + rep.noShows;
  return (
    <div className="reputation" data-testid="gpu-reputation" title="closed rentals of this provider">
      <span className="rep ok">{rep.completed} completed</span>
      <span className="rep">{rep.endedEarly} ended early</span>
      <span className={rep.disputed ? 'rep warn' : 'rep'}>{rep.disputed} disputed</span>
      <span className={rep.lost ? 'rep bad' : 'rep'}>{rep.lost} lost</span>
      <span className={rep.noShows ? 'rep bad' : 'rep'}>{rep.noShows} no-shows</span>
      {total === 0 && <span className="muted small">new provider</span>}
    </div>
  );
}

export function Attestation({ att, now }: { att?: ComputeMarketAttestation; now: bigint }) {
  if (!att) return <span className="attest none small muted" data-testid="gpu-attestation">not attested</span>;
  return (
    <span className="attest ok" data-testid="gpu-attestation" title={`report ${att.reportHash}`}>
      ✓ specs attested by <span className="mono">{att.auditor.address().slice(0, 4)}…{att.auditor.address().slice(-4)}</span> · expires {relativeTime(att.expiresAt, now)}
    </span>
  );
}

/** Status pill of a rental, with its outcome once it has one. */
export function RentalStatus({ r }: { r: ComputeMarketRental }) {
  const cls = r.outcome ? `pill-${r.outcome.toLowerCase()}` : `pill-${r.status.toLowerCase()}`;
  return (
    <span className={`pill ${cls}`} data-testid="rental-status">
      {r.status}
      {r.outcome ? ` · ${r.outcome === 'EndedEarly' ? 'ended early' : r.outcome === 'NoShow' ? 'no-show' : r.outcome}` : ''}
    </span>
  );
}

export interface RentalRow {
  id: bigint;
  rental: ComputeMarketRental;
  /** The offer it was rented from (GPU model, region). */
  offer?: ComputeMarketOfferView;
  /** The vault stream paying it. */
  stream?: StreamState;
}

/** Every rental of `account` as renter or provider (newest first), with offer and stream. */
export async function loadRentals(m: Market, account: string, party: ComputeMarketParty, max = 200): Promise<RentalRow[]> {
  const items: [bigint, ComputeMarketRental][] = [];
  let cursor: bigint | undefined = 0n;
  while (cursor !== undefined && items.length < max) {
    const page: { items: [bigint, ComputeMarketRental][]; next?: bigint } = (await dryRun(m.compute, account, 'rentalsOf', [account, party, cursor, 50])).value;
    items.push(...page.items);
    cursor = page.items.length === 0 ? undefined : page.next;
  }
  items.reverse();
  const offerIds = [...new Set(items.map(([, r]) => r.offerId))];
  const offers = new Map(await Promise.all(offerIds.map(async (id) => [id, (await dryRun(m.compute, account, 'offer', [id])).value] as const)));
  return Promise.all(
    items.map(async ([id, rental]) => {
      const rec = rental.status === 'Closed' ? undefined : (await dryRun(m.vault, account, 'escrow', [rental.escrowId])).value;
      return { id, rental, offer: offers.get(rental.offerId), stream: rec ? streamOf(rec) : undefined };
    }),
  );
}

/** A progress bar: `part / whole`. */
export function Bar({ part, whole, testid }: { part: bigint; whole: bigint; testid?: string }) {
  const pct = whole > 0n ? Number((part * 10_000n) / whole) / 100 : 0;
  return (
    <div className="bar" data-testid={testid}>
      <div className="bar-fill" style={{ width: `${Math.min(100, pct)}%` }} />
    </div>
  );
}

/** The rental's offer in a few words: `2 × A100-80GB · eu-west`. */
export function rentalWhat(row: RentalRow): string {
  const o = row.offer?.offer;
  return `${row.rental.gpus} × ${o?.gpuModel ?? `offer #${row.rental.offerId}`}${o ? ` · ${o.region}` : ''}`;
}

export function useHourMs(): number {
  return useApp().market.deployment.params.hourMs;
}
