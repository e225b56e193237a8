/**
 * The dispute DAO's rules a screen or script needs without asking the chain
 * (browser-safe, no Node.js modules): the ten ruling choices and their labels, the
 * commitment a juror binds a hidden vote with — computed locally so the salt never
 * leaves the juror's machine — and the lengths of a case's phases. Every rule is the
 * contract's own (`contracts/dispute_dao/jury.rs`, `types.rs`).
 */
import { blake2_256, concatU8a, decodeAddress, hexToU8a, u8aToHex } from 'dedot/utils';
import type { DaoParams } from './contracts.js';
import type { DisputeDaoGovParams, DisputeDaoJuryParams } from './contracts/dispute-dao/types.js';

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
    rounds: j.rounds,
    penaltyBps: j.penaltyBps,
    appealBond: BigInt(j.appealBond),
    jurorReward: BigInt(j.jurorReward),
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
