/**
 * Shared pieces of the dispute DAO's screens: money in the stake token, the phase pill
 * and its countdown, the ruling choices worded for the escrow at hand, the loaders the
 * screens share, and the hidden votes' secrets, which stay in this browser
 * (localStorage) from commit to reveal and never leave it.
 */
import { blake2AsHex } from 'dedot/utils';
import {
  choiceLabel,
  CHOICES,
  commitmentOf,
  dryRun,
  formatUnits,
  quorumMet as roundQuorumMet,
  quorumNeeded as roundQuorumNeeded,
  relativeTime,
  type Market,
  type EscrowRecord,
} from '../../client/src/index.js';
import type { DisputeDaoCaseView, DisputeDaoPhase, DisputeDaoCaseStatus } from '../../client/src/contracts/dispute-dao/types.js';

export type CaseView = DisputeDaoCaseView;

/** `12.5 MMT`: an amount of the stake token (stake, bonds, rewards). */
export function mmt(m: Market, value: bigint, digits?: number): string {
  let text = formatUnits(value, m.deployment.params.tokenDecimals);
  if (digits !== undefined) text = text.replace(new RegExp(`(\\.\\d{0,${digits}})\\d*`), '$1').replace(/\.$/, '');
  return `${text} ${m.deployment.params.tokenSymbol}`;
}

/** Parses a whole or decimal amount of the stake token. */
export function parseMmt(m: Market, text: string): bigint {
  const t = text.trim().replace(/,/g, '');
  const match = /^(\d+)(?:\.(\d*))?$/.exec(t);
  const decimals = m.deployment.params.tokenDecimals;
  if (!match) throw new Error(`Not an amount: "${text}".`);
  const frac = match[2] ?? '';
  if (frac.length > decimals) throw new Error(`At most ${decimals} decimals.`);
  return BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/** Which party an account is in a case. */
export function partyOf(v: CaseView, address?: string): 'payer' | 'payee' | undefined {
  if (!address) return undefined;
  if (v.case.payer.address() === address) return 'payer';
  if (v.case.payee.address() === address) return 'payee';
  return undefined;
}

/** What the escrow paid for, in words the parties use. */
export interface EscrowKind {
  /** "GPU rental" or "license order". */
  what: string;
  /** The paid side: "provider" or "seller". */
  payee: string;
  /** The paying side: "renter" or "buyer". */
  payer: string;
}

export function escrowKind(m: Market, rec?: EscrowRecord, hasCollateral = false): EscrowKind {
  const opener = rec?.opener.address();
  if (opener === m.compute.address || (!rec && hasCollateral)) return { what: 'GPU rental', payee: 'provider', payer: 'renter' };
  if (opener === m.registry.address || rec?.terms.type === 'Order') return { what: 'license order', payee: 'seller', payer: 'buyer' };
  return { what: rec?.terms.type === 'Stream' ? 'stream' : 'escrow', payee: 'payee', payer: 'payer' };
}

/** The choices a case accepts (slash choices only when its escrow has collateral). */
export function choicesFor(v: CaseView): number[] {
  return CHOICES.filter((c) => !c.slash || v.case.collateral !== undefined).map((c) => c.choice);
}

/** `25 % to the provider + slash`, worded for the case's escrow. */
export function labelFor(choice: number, kind: EscrowKind): string {
  return choiceLabel(choice, kind.payee);
}

export function PhasePill({ phase, status }: { phase: DisputeDaoPhase; status?: DisputeDaoCaseStatus }) {
  let text: string = phase;
  let cls = phase.toLowerCase();
  if (phase === 'Closed' && status?.type === 'Ruled') {
    text = 'Ruled';
    cls = 'ruled';
  } else if (phase === 'Closed' && status?.type === 'NoQuorum') {
    text = 'No quorum';
    cls = 'noquorum';
  }
  return (
    <span className={`pill pill-phase-${cls}`} data-testid="case-phase">
      {text}
    </span>
  );
}

/** "ends in 12 s" for a running phase; "ended 2 s ago · moves on with the next block" after it. */
export function phaseCountdown(v: CaseView, now: bigint): string {
  if (v.phase === 'Executable') return 'final: anyone may execute the ruling';
  if (v.phase === 'Closed') return 'closed';
  const verb = v.phase === 'Commit' ? 'commits close' : v.phase === 'Reveal' ? 'reveals close' : 'appeals close';
  if (now < v.phaseEnds) return `${verb} ${relativeTime(v.phaseEnds, now)}`;
  return `${verb.replace('close', 'closed')} ${relativeTime(v.phaseEnds, now)} · the next block moves the case on`;
}

/**
 * Revealed weight the case's current round needs (the contract's rule, client/src/dao.ts):
 * `(round + 1) × min(quorum share of the snapshot, quorum cap)`, at most the snapshot.
 */
export function quorumNeeded(v: CaseView): bigint {
  return roundQuorumNeeded(v.case.totalStake, v.case.jury, v.case.round);
}

/** The current round has its quorum: that weight revealed, by at least the minimum of jurors. */
export function quorumMet(v: CaseView): boolean {
  return roundQuorumMet(v.case.totalStake, v.case.jury, v.case.round, v.roundInfo);
}

/** "min(20 % of the stake, 100 MMT) × 2 from ≥ 2 jurors": how the round's quorum is made. */
export function quorumRule(m: Market, v: CaseView): string {
  const j = v.case.jury;
  const share = `${(j.quorumBps / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;
  const times = v.case.round > 0 ? ` × ${v.case.round + 1}` : '';
  return `min(${share} of the stake, ${mmt(m, j.quorumCap)})${times}, from ≥ ${j.minJurors} juror${j.minJurors === 1 ? '' : 's'}`;
}

/** Every case (newest first), up to `max`. */
export async function loadCases(m: Market, caller: string, max = 200): Promise<CaseView[]> {
  const out: CaseView[] = [];
  let cursor: bigint | undefined = 0n;
  while (cursor !== undefined && out.length < max) {
    const page: { items: CaseView[]; next?: bigint } = (await dryRun(m.dao, caller, 'cases', [cursor, 10])).value;
    out.push(...page.items);
    cursor = page.items.length === 0 ? undefined : page.next;
  }
  return out.reverse();
}

// ------------------------------------------------------------------ hidden votes

/** What a juror must keep from commit to reveal. */
export interface VoteSecret {
  choice: number;
  salt: `0x${string}`;
}

function secretKey(account: string, caseId: bigint, round: number): string {
  return `mm.vote.${account}.${caseId}.${round}`;
}

/**
 * Keeps a vote's choice and salt in this browser, under its commitment: a second
 * (refused) commit never overwrites the secret of the vote the chain holds, and the
 * reveal picks the secret whose commitment the chain recorded.
 */
export function keepSecret(account: string, caseId: bigint, round: number, secret: VoteSecret): `0x${string}` {
  const commitment = commitmentOf(secret.choice, secret.salt, account, caseId, round);
  const key = secretKey(account, caseId, round);
  const all = readSecrets(key);
  all[commitment] = secret;
  localStorage.setItem(key, JSON.stringify(all));
  return commitment;
}

/** The secret matching the commitment the chain holds for this vote, if this browser kept it. */
export function findSecret(account: string, caseId: bigint, round: number, commitment: string): VoteSecret | undefined {
  const s = readSecrets(secretKey(account, caseId, round))[commitment.toLowerCase()];
  if (!s) return undefined;
  // Never trust storage blindly: the secret must hash to the commitment on chain.
  return commitmentOf(s.choice, s.salt, account, caseId, round) === commitment.toLowerCase() ? s : undefined;
}

function readSecrets(key: string): Record<string, VoteSecret> {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as Record<string, VoteSecret>) : {};
  } catch {
    return {};
  }
}

// ------------------------------------------------------------------ proposal texts

/** blake2-256 of a proposal's text: what `propose` stores as its description. */
export function descriptionHash(text: string): `0x${string}` {
  return blake2AsHex(text);
}

/** Proposal texts stay off chain; this browser remembers the ones it proposed or was given. */
export function keepDescription(hash: string, text: string): void {
  localStorage.setItem(`mm.proposal.${hash.toLowerCase()}`, text);
}

export function knownDescription(hash: string): string | undefined {
  return localStorage.getItem(`mm.proposal.${hash.toLowerCase()}`) ?? undefined;
}
