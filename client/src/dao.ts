/**
 * The dispute DAO's rules a screen or script needs without asking the chain
 * (browser-safe, no Node.js modules): the ten ruling choices and their labels, the
 * commitment a juror binds a hidden vote with — computed locally so the salt never
 * leaves the juror's machine — the lengths of a case's phases and the quorum a round
 * needs. Every rule is the contract's own (`contracts/dispute_dao/jury.rs`, `types.rs`).
 *
 * And the one DAO call a client must never send blindly: `revealVote` checks that the
 * case is in its reveal phase at the current block before the choice and salt leave
 * this machine (a reveal that fails on chain still publishes them).
 */
import { blake2_256, concatU8a, decodeAddress, hexToU8a, u8aToHex } from 'dedot/utils';
import type { Signer } from './chain.js';
import type { Dao, DaoParams } from './contracts.js';
import type { DisputeDaoCaseView, DisputeDaoGovParams, DisputeDaoJuryParams, DisputeDaoPhase } from './contracts/dispute-dao/types.js';
import { dryRun, Refused, send, type CallOptions, type Estimate, type Sent } from './tx.js';

/** The fixed ruling options: the payee's share of the frozen amount, in basis points. */
export const OPTIONS_BPS = [0, 2_500, 5_000, 7_500, 10_000] as const;
/** Number of choices: each option without (0–4) and with (5–9) a collateral slash. */
export const CHOICE_COUNT = 10;

export interface ChoiceInfo {
  /** What a juror reveals: `option + 5 × slash`. */
  choice: number;
  /** The payee's share of the frozen amount, in bps (the payer gets the rest). */
  payeeBps: number;
  /** Whether the escrow's collateral is also slashed to the payer (rentals only). */
  slash: boolean;
  /** "50 % to the provider + slash". */
  label: string;
}

/** The payee's share under `choice`, in bps (`undefined`: not a choice). */
export function payeeBpsOf(choice: number): number | undefined {
  if (!Number.isInteger(choice) || choice < 0 || choice >= CHOICE_COUNT) return undefined;
  return OPTIONS_BPS[choice % 5];
}

/** Whether `choice` also slashes the escrow's collateral. */
export function slashes(choice: number): boolean {
  return Number.isInteger(choice) && choice >= 5 && choice < CHOICE_COUNT;
}

/** A choice the contract accepts: slash choices only when the escrow has collateral. */
export function isValidChoice(choice: number, slashable: boolean): boolean {
  return payeeBpsOf(choice) !== undefined && (slashable || !slashes(choice));
}

/**
 * `choiceLabel(7)` → "50 % to the provider + slash" (`payee` names the paid side:
 * "provider" for a GPU rental, "seller" for a license; `slash` wording for the part of
 * the collateral that goes to the payer).
 */
export function choiceLabel(choice: number, payee = 'provider'): string {
  const share = payeeBpsOf(choice);
  if (share === undefined) return `not a choice (${choice})`;
  const pct = `${(share / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;
  return `${pct} to the ${payee}${slashes(choice) ? ' + slash' : ''}`;
}

/** Every choice, in order (0–4 without a slash, 5–9 with one). */
export const CHOICES: readonly ChoiceInfo[] = Array.from({ length: CHOICE_COUNT }, (_, choice) => ({
  choice,
  payeeBps: OPTIONS_BPS[choice % 5],
  slash: choice >= 5,
  label: choiceLabel(choice),
}));

/** A fresh 32-byte salt (`0x…`), from the platform's cryptographic RNG. Keep it until the reveal. */
export function randomSalt(): `0x${string}` {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return u8aToHex(bytes);
}

function saltBytes(salt: string | Uint8Array): Uint8Array {
  const bytes = typeof salt === 'string' ? hexToU8a(salt) : salt;
  if (bytes.length !== 32) throw new Error(`a salt is 32 bytes, got ${bytes.length}`);
  return bytes;
}

/**
 * The commitment `commit_vote` takes: blake2-256 of the SCALE encoding of
 * `(choice: u8, salt: [u8; 32], juror: AccountId, case: u64, round: u8)`, i.e. the bytes
 * `choice ‖ salt ‖ juror public key ‖ case (8 bytes, little-endian) ‖ round` — exactly
 * what the contract's `commitment` view returns. `juror` is an SS58 address or a
 * 32-byte public key.
 */
export function commitmentOf(
  choice: number,
  salt: string | Uint8Array,
  juror: string | Uint8Array,
  caseId: bigint | number,
  round: number,
): `0x${string}` {
  if (!Number.isInteger(choice) || choice < 0 || choice > 255) throw new Error(`a choice is a u8, got ${choice}`);
  if (!Number.isInteger(round) || round < 0 || round > 255) throw new Error(`a round is a u8, got ${round}`);
  const id = BigInt(caseId);
  if (id < 0n || id >= 1n << 64n) throw new Error(`a case id is a u64, got ${caseId}`);
  const account = typeof juror === 'string' ? decodeAddress(juror) : juror;
  if (account.length !== 32) throw new Error(`a juror is a 32-byte account, got ${account.length} bytes`);
  const caseBytes = new Uint8Array(8);
  new DataView(caseBytes.buffer).setBigUint64(0, id, true);
  return u8aToHex(blake2_256(concatU8a(Uint8Array.of(choice), saltBytes(salt), account, caseBytes, Uint8Array.of(round))));
}

/** The phase lengths a case is heard with (the contract's `JuryParams`, ms as numbers or bigints). */
export interface JuryTiming {
  commitMs: bigint | number;
  revealMs: bigint | number;
  appealMs: bigint | number;
  rounds: number;
}

/** Ends of round `round`'s phases for a round starting at `start` (the last round has no appeal window). */
export function roundPhases(start: bigint, jury: JuryTiming, round: number): { commitEnd: bigint; revealEnd: bigint; appealEnd: bigint } {
  const m = BigInt(round + 1);
  const commitEnd = start + BigInt(jury.commitMs) * m;
  const revealEnd = commitEnd + BigInt(jury.revealMs) * m;
  const appealEnd = round + 1 >= jury.rounds ? revealEnd : revealEnd + BigInt(jury.appealMs) * m;
  return { commitEnd, revealEnd, appealEnd };
}

/**
 * The longest a case can last (every round at full length, each appealed at the last
 * moment): the vault's ruling window must exceed it, and the unbonding delay too.
 */
export function maxCaseMs(jury: JuryTiming): bigint {
  let total = 0n;
  for (let r = 0; r < jury.rounds; r++) total += roundPhases(0n, jury, r).appealEnd;
  return total;
}

/** What the quorum of a round depends on (the contract's `JuryParams`, amounts as bigints or decimal strings). */
export interface JuryQuorum {
  quorumBps: number;
  quorumCap: bigint | string;
  minJurors: number;
}

/**
 * Revealed weight round `round` of a case needs (the contract's `quorum_needed`):
 * `(round + 1) × min(quorum_bps of total, quorum_cap)`, at most `total` — the stake
 * snapshotted when the vault dispute opened, the parties' own left out. The cap keeps
 * stake that never votes from blocking a hearing; each appeal asks for more.
 */
export function quorumNeeded(total: bigint, jury: JuryQuorum, round: number): bigint {
  const base = (total * BigInt(jury.quorumBps)) / 10_000n;
  const cap = BigInt(jury.quorumCap);
  const needed = (base < cap ? base : cap) * BigInt(round + 1);
  return needed < total ? needed : total;
}

/**
 * Whether a round's reveals make quorum (the contract's `quorum_met`): some revealed
 * weight, at least `quorumNeeded`, from at least `minJurors` reveals.
 */
export function quorumMet(total: bigint, jury: JuryQuorum, round: number, revealed: { revealedWeight: bigint; reveals: number }): boolean {
  return revealed.revealedWeight > 0n && revealed.revealedWeight >= quorumNeeded(total, jury, round) && revealed.reveals >= jury.minJurors;
}

/** The bond an appeal of round `round` needs: `base × 2^round`. */
export function appealBondOf(base: bigint, round: number): bigint {
  return base << BigInt(round);
}

/** The jury parameters of a deployment file as the contract takes them. */
export function toJuryParams(j: DaoParams['jury']): DisputeDaoJuryParams {
  return {
    commitMs: BigInt(j.commitMs),
    revealMs: BigInt(j.revealMs),
    appealMs: BigInt(j.appealMs),
    quorumBps: j.quorumBps,
    quorumCap: BigInt(j.quorumCap),
    minJurors: j.minJurors,
    rounds: j.rounds,
    penaltyBps: j.penaltyBps,
    appealBond: BigInt(j.appealBond),
    jurorReward: BigInt(j.jurorReward),
    caseFee: BigInt(j.caseFee),
    slashBps: j.slashBps,
  };
}

/** The governance parameters of a deployment file as the contract takes them. */
export function toGovParams(g: DaoParams['gov']): DisputeDaoGovParams {
  return {
    votingDelayMs: BigInt(g.votingDelayMs),
    votingPeriodMs: BigInt(g.votingPeriodMs),
    quorumBps: g.quorumBps,
    timelockMs: BigInt(g.timelockMs),
    graceMs: BigInt(g.graceMs),
    extensionMs: BigInt(g.extensionMs),
    proposalThreshold: BigInt(g.proposalThreshold),
  };
}

// ------------------------------------------------------------------ reveals

/**
 * The client refused to reveal a vote: the case is not in its reveal phase at the
 * current block (or has no such case). Nothing was sent — not the transaction, not even
 * a dry-run — so the choice and salt never left this machine. A reveal sent early would
 * fail on chain with `NotRevealPhase` but still publish them in the failed
 * transaction, and anyone could then `denounce` the vote and take its stake at risk.
 *
 * A `Refused` (code `NotRevealPhase`), so screens and scripts show it like a refused
 * dry-run; `phase` names where the case stands.
 */
export class RevealOutsidePhase extends Refused {
  constructor(
    readonly caseId: bigint,
    /** Where the case's current round stands at the block read. */
    readonly phase: DisputeDaoPhase,
    /** The chain's time at that block (ms). */
    readonly at: bigint,
    /** When the current phase ends (ms; 0 once the case is final or closed). */
    readonly phaseEnds: bigint,
  ) {
    super('dao', 'revealVote', { type: 'NotRevealPhase' });
    this.name = 'RevealOutsidePhase';
    this.message = `revealVote refused by the client: ${this.plain} [NotRevealPhase(${phase})]`;
  }
  override get code(): string {
    return 'NotRevealPhase';
  }
  override get plain(): string {
    const id = `case #${this.caseId}`;
    const keep = 'Nothing was sent: your choice and salt have not left this machine.';
    switch (this.phase) {
      case 'Commit': {
        const s = this.phaseEnds > this.at ? Math.ceil(Number(this.phaseEnds - this.at) / 1000) : 0;
        return `Too early to reveal: ${id} is still in its commit phase at the current block (reveals open ${s > 0 ? `in ${s} s` : 'with the next block'}). ${keep} A reveal sent now would fail but publish your vote, and anyone could denounce it.`;
      }
      case 'Appeal':
        return `Too late to reveal: ${id}’s reveal phase is over (it is in its appeal window). ${keep}`;
      case 'Executable':
        return `Too late to reveal: ${id} is final and waits for its ruling to be executed. ${keep}`;
      case 'Closed':
        return `Too late to reveal: ${id} is closed. ${keep}`;
      case 'Reveal':
        return `${id} is in its reveal phase.`;
    }
  }
}

/**
 * Reads case `caseId` at the current block and returns its view if its current round
 * is in the reveal phase. Throws `RevealOutsidePhase` (naming the phase) otherwise, and
 * `Refused` (`CaseNotFound`) for no such case; nothing about the vote is sent.
 */
export async function checkRevealPhase(dao: Dao, caller: string, caseId: bigint): Promise<DisputeDaoCaseView> {
  // The contract's own phase, at the block a dry-run sees (the best block): the one a
  // reveal sent now would be checked after, never before.
  const [view, at] = await Promise.all([dryRun(dao, caller, 'case', [caseId]).then((r) => r.value), dao.client.query.timestamp.now()]);
  if (!view) throw new Refused('dao', 'revealVote', { type: 'CaseNotFound' });
  if (view.phase !== 'Reveal') throw new RevealOutsidePhase(caseId, view.phase, at, view.phaseEnds);
  return view;
}

/**
 * Dry-runs `reveal_vote` only once the case is in its reveal phase at the current block
 * (`checkRevealPhase` first): the estimate a confirm panel shows. Throws
 * `RevealOutsidePhase` before anything leaves this machine.
 */
export async function estimateReveal(
  dao: Dao,
  caller: string,
  caseId: bigint,
  choice: number,
  salt: `0x${string}`,
  options: CallOptions & { withFee?: boolean } = {},
): Promise<Estimate<[]>> {
  await checkRevealPhase(dao, caller, caseId);
  return await dryRun(dao, caller, 'revealVote', [caseId, choice, salt], options);
}

/**
 * Reveals `signer`'s vote on case `caseId` — but only when the case is in its reveal
 * phase at the current block: otherwise throws `RevealOutsidePhase` (naming the phase)
 * and sends nothing, not even the dry-run. Then, like every call, dry-run and send.
 * The only way the client sends a reveal (scripts and the dApp use it).
 */
export async function revealVote(dao: Dao, signer: Signer, caseId: bigint, choice: number, salt: `0x${string}`, options: CallOptions = {}): Promise<Sent<[]>> {
  await checkRevealPhase(dao, signer.address, caseId);
  return await send(dao, signer, 'revealVote', [caseId, choice, salt], options);
}
