/**
 * Pure arithmetic of the GPU compute market, for screens and tests (browser-safe, no
 * chain access): what an offer locks, what a rental costs, and what a rental's vault
 * stream has accrued at a given time. Every formula is the contract's own, in bigint
 * and rounded down the way the contracts round (`contracts/compute_market/offers.rs`,
 * `rentals.rs`, `contracts/escrow/money.rs`).
 */
import type { MarketTypesVaultEscrowRecord } from './contracts/escrow/types.js';

export const BPS = 10_000n;

/** Collateral an offer locks: `price × capacity × max_hours × ratio / 10 000`. */
export function offerCollateral(pricePerGpuHour: bigint, capacity: number, maxHours: number, collateralRatioBps: number): bigint {
  return (pricePerGpuHour * BigInt(capacity) * BigInt(maxHours) * BigInt(collateralRatioBps)) / BPS;
}

/** What renting (or extending by) `hours` of `gpus` GPUs costs: `price × gpus × hours`. */
export function rentalCost(pricePerGpuHour: bigint, gpus: number, hours: number): bigint {
  return pricePerGpuHour * BigInt(gpus) * BigInt(hours);
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
}

/** The stream terms of a vault record, or undefined for an order. */
export function streamOf(record: MarketTypesVaultEscrowRecord): StreamState | undefined {
  if (record.terms.type !== 'Stream') return undefined;
  const [start, durationMs, startBy, noShowPenalty, deposit, paidOut, frozenAt] = record.terms.value;
  return { start, durationMs, startBy, noShowPenalty, deposit, paidOut, frozenAt };
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

/** When a started stream ends. */
export function streamEnd(s: StreamState): bigint | undefined {
  return s.start === undefined ? undefined : s.start + s.durationMs;
}
