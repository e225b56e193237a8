/**
 * Shared pieces of the GPU compute screens: the live clock, hour and money text, the
 * minimum charge in words, the reputation and attestation badges, and the loaders
 * every compute screen uses (a provider's open rentals newest first, the newest of a
 * history list, each with its offer and vault stream).
 */
import { useEffect, useState } from 'react';
import { dryRun, duration, formatUnits, relativeTime, type Market } from '../../client/src/index.js';
import { firstHoursText, latestRentalsOf, minChargeHoursOf, openRentalsOf, streamOf, type RentalEntry, type StreamState } from '../../client/src/compute.js';
import type {
  ComputeMarketAttestation,
  ComputeMarketOfferView,
  ComputeMarketRental,
  ComputeMarketReputation,
} from '../../client/src/contracts/compute-market/types.js';
import type { MarketTypesVaultEscrowState } from '../../client/src/contracts/escrow/types.js';
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

/**
 * A provider's reputation: each closed rental in one counter, and beside them how many
 * renters those came from, what its completed rentals paid it (`volume`, in the
 * offer's asset) and the rentals that paid less than the minimum counted value (counted
 * in no counter: tiny rentals cannot farm "completed").
 */
export function Reputation({ rep, volume, asset }: { rep: ComputeMarketReputation; volume?: bigint; asset?: ComputeMarketRental['asset'] }) {
  const { market, native } = useApp();
  const total = rep.completed + rep.endedEarly + rep.disputed + rep.lost + rep.noShows;
  return (
    <div className="reputation" data-testid="gpu-reputation" title="closed rentals of this provider">
      <span className="rep ok">{rep.completed} completed</span>
      <span className="rep">{rep.endedEarly} ended early</span>
      <span className={rep.disputed ? 'rep warn' : 'rep'}>{rep.disputed} disputed</span>
      <span className={rep.lost ? 'rep bad' : 'rep'}>{rep.lost} lost</span>
      <span className={rep.noShows ? 'rep bad' : 'rep'}>{rep.noShows} no-shows</span>
      <span className="rep" data-testid="gpu-renters" title="different renters behind the counted rentals">
        {rep.distinctRenters} renter{rep.distinctRenters === 1 ? '' : 's'}
      </span>
      {volume !== undefined && asset && (
        <span className="rep" data-testid="gpu-volume" title="what this provider’s completed rentals paid it, in this offer’s asset">
          {money(market, volume, asset, native, false)} earned
        </span>
      )}
      <span className={rep.belowMinimum ? 'rep warn' : 'rep'} data-testid="gpu-below-minimum" title="closed rentals that paid less than the minimum counted value: not counted above">
        {rep.belowMinimum} below minimum
      </span>
      {total === 0 && <span className="muted small">new provider</span>}
    </div>
  );
}

/**
 * The minimum charge in words: `ending now pays the provider at least 1 UNIT for the
 * first hour` (the rental's `min_payout`), or that there is none.
 */
export function minChargeText(m: Market, r: Pick<ComputeMarketRental, 'minPayout' | 'pricePerGpuHour' | 'gpus' | 'asset'>, native: { symbol: string; decimals: number }, verb = 'ending now'): string {
  if (r.minPayout === 0n) return `no minimum charge: ${verb} pays the provider only the time used`;
  return `${verb} pays the provider at least ${money(m, r.minPayout, r.asset, native)} for ${firstHoursText(minChargeHoursOf(r))}`;
}

export function Attestation({ att, now }: { att?: ComputeMarketAttestation; now: bigint }) {
  if (!att) return <span className="attest none small muted" data-testid="gpu-attestation">not attested</span>;
  return (
    <span className="attest ok" data-testid="gpu-attestation" title={`report ${att.reportHash}`}>
      ✓ specs attested by <span className="mono">{att.auditor.address().slice(0, 4)}…{att.auditor.address().slice(-4)}</span> · expires {relativeTime(att.expiresAt, now)}
    </span>
  );
}

/** Status pill of a rental, with its outcome once it has one, and a frozen stream. */
export function RentalStatus({ r, escrowState }: { r: ComputeMarketRental; escrowState?: MarketTypesVaultEscrowState }) {
  const cls = r.outcome ? `pill-${r.outcome.toLowerCase()}` : `pill-${r.status.toLowerCase()}`;
  return (
    <span className="nowrap">
      <span className={`pill ${cls}`} data-testid="rental-status">
        {r.status}
        {r.outcome ? ` · ${r.outcome === 'EndedEarly' ? 'ended early' : r.outcome === 'NoShow' ? 'no-show' : r.outcome}` : ''}
      </span>
      {escrowState === 'Disputed' && (
        <>
          {' '}
          <span className="pill pill-disputed" data-testid="rental-disputed" title="the renter or provider disputed its vault stream: payment is frozen until the dispute is ruled">
            stream disputed
          </span>
        </>
      )}
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
  /** The state of that stream at the vault (`Disputed`: frozen). */
  escrowState?: MarketTypesVaultEscrowState;
}

/** Rentals with their offers and (unless closed) their vault streams, in the order given. */
export async function loadRentalRows(m: Market, caller: string, items: RentalEntry[]): Promise<RentalRow[]> {
  const offerIds = [...new Set(items.map(([, r]) => r.offerId))];
  const offers = new Map(await Promise.all(offerIds.map(async (id) => [id, (await dryRun(m.compute, caller, 'offer', [id])).value] as const)));
  return Promise.all(
    items.map(async ([id, rental]) => {
      const rec = rental.status === 'Closed' ? undefined : (await dryRun(m.vault, caller, 'vaultArbiterEscrow', [rental.escrowId])).value;
      return { id, rental, offer: offers.get(rental.offerId), stream: rec ? streamOf(rec) : undefined, escrowState: rec?.state };
    }),
  );
}

/**
 * The newest `max` rentals of `account` as renter or provider (its whole history:
 * anyone who rents grows a provider's), newest first, with offer and stream.
 */
export async function loadRentals(m: Market, account: string, party: 'Renter' | 'Provider', max = 50): Promise<RentalRow[]> {
  const page = await latestRentalsOf(m, account, party, { count: max });
  return loadRentalRows(m, account, page.items);
}

/**
 * A provider's open rentals (booked, running, or ended and waiting for the vault),
 * newest first, with offer and stream: what it has to start, serve or claim. Closed
 * rentals leave this list, so junk bookings withdrawn at once never push a new one out
 * of sight.
 */
export async function loadOpenRentals(m: Market, provider: string): Promise<{ rows: RentalRow[]; truncated: boolean }> {
  const open = await openRentalsOf(m, provider);
  return { rows: await loadRentalRows(m, provider, open.items), truncated: open.truncated };
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
