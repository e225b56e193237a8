/**
 * What the History screen's panels share: loading from the indexer with the chain as
 * the fallback, the panel frame with its source line, a pager, and events in words.
 */
import { useState, type ReactNode } from 'react';
import { AccountId32 } from 'dedot/codecs';
import { formatUnits, IndexerError, IndexerUnreachable, short, type EventRow, type IndexerClient, type Market } from '../../client/src/index.js';
import type { MarketTypesAssetLike } from '../../client/src/contracts/model-registry/types.js';
import { indexer } from './market.js';
import { Source } from './source.js';
import { amount } from './util.js';

/** What a panel read: the indexer's answer, or the chain's (with why, if it fell back). */
export type Sourced<I, C> = { source: 'indexer'; data: I } | { source: 'chain'; data: C; failed?: string };

/**
 * Asks the indexer when `?indexer=` is set; reads the chain when it is not, or when
 * the indexer does not answer (unreachable, or a 5xx). Other refusals are errors.
 */
export async function sourced<I, C>(fromIndexer: (api: IndexerClient) => Promise<I>, fromChain: () => Promise<C>): Promise<Sourced<I, C>> {
  const api = indexer();
  if (!api) return { source: 'chain', data: await fromChain() };
  try {
    return { source: 'indexer', data: await fromIndexer(api) };
  } catch (err) {
    const down = err instanceof IndexerUnreachable || (err instanceof IndexerError && err.status >= 500);
    if (!down) throw err;
    return { source: 'chain', data: await fromChain(), failed: err instanceof Error ? err.message : String(err) };
  }
}

/** A card with a title, its source line and its body. */
export function Panel({
  title,
  testid,
  chain,
  loaded,
  error,
  children,
}: {
  title: string;
  testid: string;
  /** What the panel reads without the indexer. */
  chain: string;
  loaded?: Sourced<unknown, unknown>;
  error?: string;
  children?: ReactNode;
}) {
  return (
    <div className="card" data-testid={testid} data-source={loaded?.source} data-ready={loaded || error ? '' : undefined}>
      <h3>{title}</h3>
      <Source label="Source" testid={`${testid}-source`} chain={chain} failed={loaded?.source === 'chain' ? loaded.failed : undefined} />
      {error && <div className="error-box">{error}</div>}
      {!loaded && !error && (
        <div className="empty small">
          <span className="spinner" /> Loading…
        </div>
      )}
      {loaded && children}
    </div>
  );
}

/** An offset pager for an indexer list of `total` rows, `size` a page. */
export function usePager(size: number): { offset: number; pager: (total: number, testid: string) => ReactNode; reset: () => void } {
  const [offset, setOffset] = useState(0);
  const pager = (total: number, testid: string) =>
    total > size ? (
      <div className="pager">
        <button className="secondary small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - size))} data-testid={`${testid}-prev`}>
          ← Newer
        </button>
        <span className="muted small">
          {offset + 1}–{Math.min(offset + size, total)} of {total}
        </span>
        <button className="secondary small" disabled={offset + size >= total} onClick={() => setOffset(offset + size)} data-testid={`${testid}-next`}>
          Older →
        </button>
      </div>
    ) : (
      <p className="muted small">{total} in all</p>
    );
  return { offset, pager, reset: () => setOffset(0) };
}

/** An asset as the indexer writes it (`Native` or the token's address). */
export function assetOf(text: string): MarketTypesAssetLike {
  return text === 'Native' ? { type: 'Native' } : { type: 'Psp22', value: text };
}

/** An amount in an asset the indexer names; in smallest units when it names none. */
export function money(m: Market, value: unknown, asset: string | null | undefined, native: { symbol: string; decimals: number }): string {
  const v = BigInt(String(value ?? 0));
  if (!asset) return `${v.toLocaleString('en-US')} (smallest units)`;
  return amount(m, v, assetOf(asset), native);
}

/** Chain time (ms) as local date and time. */
export function timeText(ms: string | bigint | number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(Number(ms)).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}

/** Normalizes a typed SS58 address (any prefix) to the chain's; undefined if it is not one. */
export function parseAddress(text: string): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  try {
    return new AccountId32(t).address(42);
  } catch {
    return undefined;
  }
}

const who = (v: unknown, me?: string) => (typeof v === 'string' && v === me ? 'you' : typeof v === 'string' ? short(v) : '?');
const enumText = (v: unknown): string => (typeof v === 'string' ? v : v && typeof v === 'object' && 'type' in v ? String((v as { type: unknown }).type) : String(v));

/**
 * An event in a few words, and the amount it moved (in the event's asset; the DAO's
 * amounts are in its stake token, the market token).
 */
export function describe(m: Market, e: EventRow, native: { symbol: string; decimals: number }, me?: string): { what: string; amount?: string } {
  const a = e.args;
  const asset = e.asset ?? (e.contract === 'dispute_dao' ? new AccountId32(m.token.address).address(42) : null);
  const $ = (v: unknown) => money(m, v, asset, native);
  switch (e.name) {
    case 'LicensePurchased':
      return { what: `License #${a.licenseId} of model #${a.modelId} (offer #${a.offerId}), escrow #${a.escrowId}`, amount: $(a.price) };
    case 'RentalBooked':
      return { what: `Rental #${a.rentalId}: ${a.gpus} GPU × ${a.hours} h on offer #${a.offerId} of ${who(a.provider, me)}`, amount: $(a.amount) };
    case 'RentalExtended':
      return { what: `Rental #${a.rentalId} extended by ${a.extraHours} h (now ${a.hours} h)`, amount: $(a.added) };
    case 'EscrowSettled': {
      const payee = a.payee === me;
      return {
        what: `Escrow #${a.id} settled (${enumText(a.reason)}): ${payee ? 'to you as payee' : `refund to ${who(a.payer, me)}`}`,
        amount: payee ? $(a.toPayee) : $(BigInt(String(a.refund ?? 0)) + BigInt(String(a.bondReturned ?? 0))),
      };
    }
    case 'StreamClaimed':
      return { what: `Stream #${a.id} claimed (gross ${$(a.gross)})`, amount: $(a.toPayee) };
    case 'Withdrawn':
      return e.contract === 'dispute_dao'
        ? { what: `Stake withdrawn${a.unbonded ? ' after unbonding' : ''}`, amount: $(a.amount) }
        : { what: 'Vault credit withdrawn', amount: $(a.amount) };
    case 'NoShowPenaltyPaid':
      return { what: `No-show penalty for escrow #${a.id}, from collateral #${a.collateral}`, amount: $(a.amount) };
    case 'CollateralSlashed':
      return { what: `Collateral #${a.id} of ${who(a.owner, me)} slashed`, amount: $(a.total) };
    case 'CollateralReleased':
      return { what: `Collateral #${a.id} released`, amount: a.amount === undefined ? undefined : $(a.amount) };
    case 'AppealBondReturned':
      return { what: `Appeal bond of case #${a.case} returned`, amount: $(a.amount) };
    case 'VoteSettled':
      return { what: `Vote on case #${a.case}, round ${Number(a.round) + 1}: ${enumText(a.outcome)}; reward ${$(a.reward)}, forfeited ${$(a.forfeited)}`, amount: $(a.returned) };
    case 'VoteDenounced':
      return { what: `Vote of ${who(a.juror, me)} on case #${a.case} denounced by ${who(a.by, me)}`, amount: $(a.bounty) };
    default:
      return { what: argsText(a, me) };
  }
}

/** An event's fields in one line: ids and numbers as they are, accounts shortened. */
export function argsText(args: Record<string, unknown>, me?: string): string {
  const part = (v: unknown): string => {
    if (typeof v === 'string' && /^[1-9A-HJ-NP-Za-km-z]{46,48}$/.test(v)) return who(v, me);
    if (typeof v === 'string' && v.startsWith('0x') && v.length > 18) return `${v.slice(0, 10)}…`;
    if (Array.isArray(v)) return `[${v.map(part).join(', ')}]`;
    if (v && typeof v === 'object')
      return 'type' in v ? enumText(v) + ('value' in v ? ` ${part((v as { value: unknown }).value)}` : '') : `{${argsText(v as Record<string, unknown>, me)}}`;
    return String(v);
  };
  return Object.entries(args)
    .map(([k, v]) => `${k} ${part(v)}`)
    .join(' · ');
}

/** `1.5 UNIT` from a decimal string in the market token. */
export function tokenText(m: Market, value: string): string {
  return `${formatUnits(BigInt(value), m.deployment.params.tokenDecimals)} ${m.deployment.params.tokenSymbol}`;
}
