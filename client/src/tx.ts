/**
 * Every call goes through here: dry-run first, read the typed result, and only send a
 * transaction that the dry-run accepted, with the gas and storage deposit it measured.
 * A refused call never reaches the chain; its typed error comes back as `Refused`.
 */
import type { Contract, ContractCallResult, GenericContractApi, GenericContractCallResult, ContractEvent, StorageDeposit, WeightV2 } from 'dedot/contracts';
import type { IEventRecord } from 'dedot/types';
import type { Signer } from './chain.js';
import { describeError, errorName, type ContractKind } from './errors.js';
import { submit, TxDropped, type Inclusion, type Submittable } from './submit.js';

type InkApi = GenericContractApi & { metadataType: 'ink' };
type DropLast<T extends unknown[]> = T extends [...infer H, unknown?] ? H : T;

/** The declared keys of `T`, without its index signature (the generated interfaces
 * extend dedot's generic ones, whose `[method: string]` would accept any name). */
type Known<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
/** Names of everything that can be dry-run (every message, views included). */
export type QueryName<A extends InkApi> = Extract<Known<A['query']>, string>;
/** Names of messages that can also be sent as transactions. */
export type Message<A extends InkApi> = QueryName<A> & Extract<Known<A['tx']>, string>;
/** The message's own arguments, without the trailing options object. */
export type Args<A extends InkApi, M extends QueryName<A>> = A['query'][M] extends (...args: infer P) => unknown
  ? DropLast<P>
  : never;
type Data<A extends InkApi, M extends QueryName<A>> = A['query'][M] extends (...args: never[]) => Promise<GenericContractCallResult<infer D, ContractCallResult>>
  ? D
  : never;
/** `Result<T, E>` → `T`; any other return type unchanged. */
export type Unwrapped<D> = D extends { isOk: true; value: infer V } ? V : D extends { isErr: true } ? never : D;
export type Returned<A extends InkApi, M extends QueryName<A>> = Unwrapped<Data<A, M>>;

/**
 * Which contract a handle talks to, from its metadata's crate name; `admin` for the
 * registry's and the market's admin messages (`Administered::…`, `RegistryAdmin::…`,
 * `MarketAdmin::…`, dedot `administeredSetPaused`, …), which answer with `AdminError`.
 */
export function kindOf(contract: Contract<InkApi>, method = ''): ContractKind {
  if (/^(administered|registryAdmin|marketAdmin)[A-Z]/.test(method)) return 'admin';
  const name = (contract.metadata as { contract: { name: string } }).contract.name;
  if (name === 'model_registry') return 'registry';
  if (name === 'escrow') return 'vault';
  if (name === 'compute_market') return 'compute';
  if (name === 'dispute_dao') return 'dao';
  return 'token';
}

/** The contract answered the dry-run with one of its typed errors; nothing was sent. */
export class Refused extends Error {
  constructor(
    readonly kind: ContractKind,
    readonly method: string,
    readonly error: unknown,
  ) {
    super(`${method} refused: ${describeError(kind, error)} [${errorName(error)}]`);
    this.name = 'Refused';
  }
  /** `Vault(ControllerOnly)`, `OfferChanged`, …: stable for tests and logs. */
  get code(): string {
    return errorName(this.error);
  }
  /** The sentence a screen shows. */
  get plain(): string {
    return describeError(this.kind, this.error);
  }
}

/** The call could not run at all (trap, out of gas, pallet error, dropped transaction). */
export class CallFailed extends Error {
  constructor(
    readonly method: string,
    reason: string,
    /**
     * Set when the transaction was dropped (submit.ts): its nonce, whether it is still
     * unused, and its signed copies, to send it again with `nonce` and `earlierCopies`
     * so that at most one lands.
     */
    readonly dropped?: TxDropped,
  ) {
    super(`${method} failed: ${reason}`);
    this.name = 'CallFailed';
  }
}

export interface CallOptions {
  /** Native value to transfer with the call (payable messages). */
  value?: bigint;
  /**
   * Extra gas limit over the dry-run's, in percent (default 10). The dry-run runs on
   * the last sealed block; a call whose path depends on the clock (a stream's claim or
   * stop) can need a little more in the next block. Unused weight is refunded, so the
   * margin costs nothing.
   */
  gasMarginPct?: number;
  /**
   * Wait until a best-chain block includes the transaction, or until that block is
   * finalized. Default: `'finalized'` on a parachain, `'best'` on the dev node
   * (client/src/submit.ts).
   */
  wait?: Inclusion;
  /** Lines about detours on the way (a pool's verdict that was not final, a resend). */
  log?: (line: string) => void;
  /** The nonce to sign with: to send again a transaction reported dropped (`CallFailed.dropped.nonce`). */
  nonce?: number;
  /** Its earlier signed copies (`CallFailed.dropped.copies`): one of them landing is this call landing. */
  earlierCopies?: string[];
}

export interface Estimate<R> {
  /** What the message returns (the `Ok` value when it returns a `Result`). */
  value: R;
  /** Weight the call used in the dry-run (what the chain charges for it). */
  gasConsumed: WeightV2;
  /** Weight limit the call needs (≥ consumed: includes temporarily used weight). */
  gasRequired: WeightV2;
  storageDeposit: StorageDeposit;
  /** Transaction fee the signer would pay (set only when `withFee`). */
  fee?: bigint;
  /**
   * Weight of the extrinsic as `send` would dispatch it: the pallet's own base weight
   * of `contracts.call` plus the gas limit (required + margin). Set only when `withFee`.
   */
  dispatchWeight?: WeightV2;
  /** Lines the contract printed in the dry-run (debug builds only). */
  debug?: string;
}

export interface Sent<R> extends Estimate<R> {
  blockNumber: number;
  blockHash: string;
  events: IEventRecord[];
  /** The block is finalized (the wait was `'finalized'`). */
  finalized: boolean;
  /** What the pool said on the way that turned out not to be final (submit.ts). */
  detours: string[];
  /** Ms from sending to inclusion in a best-chain block, and to its finality (when waited for). */
  includedMs?: number;
  finalizedMs?: number;
}

function failureText(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: string; message?: string; moduleError?: { pallet?: string; name?: string; docs?: string[] }; result?: { status?: { type?: string; value?: { error?: string } } } };
    // dedot's RejectedTxError: the pool's verdict (Invalid, Usurped, Dropped) is in its result.
    if (e.result?.status?.type) return `the transaction pool reported ${e.result.status.type}${e.result.status.value?.error ? `: ${e.result.status.value.error}` : ''}`;
    if (e.moduleError?.name) return `${e.moduleError.pallet ?? 'pallet'}.${e.moduleError.name}${e.moduleError.docs?.length ? ` (${e.moduleError.docs.join(' ')})` : ''}`;
    if (e.message) return e.message;
  }
  return String(err);
}

/**
 * Dry-runs `method` as `caller` and returns what it would return and cost. Throws
 * `Refused` with the contract's typed error, or `CallFailed` if the call cannot run.
 */
export async function dryRun<A extends InkApi, M extends QueryName<A>>(
  contract: Contract<A>,
  caller: string,
  method: M,
  args: Args<A, M>,
  options: CallOptions & { withFee?: boolean } = {},
): Promise<Estimate<Returned<A, M>>> {
  const query = contract.query[method] as unknown as (...a: unknown[]) => Promise<GenericContractCallResult<unknown, ContractCallResult>>;
  let result: GenericContractCallResult<unknown, ContractCallResult>;
  try {
    result = await query(...(args as unknown[]), { caller, value: options.value ?? 0n });
  } catch (err) {
    throw new CallFailed(String(method), failureText(err));
  }
  const data = result.data as { isErr?: boolean; err?: unknown } | unknown;
  if (data && typeof data === 'object' && 'isErr' in data && (data as { isErr?: boolean }).isErr) {
    throw new Refused(kindOf(contract as unknown as Contract<InkApi>, String(method)), String(method), (data as unknown as { err: unknown }).err);
  }
  if (result.flags.revert) throw new CallFailed(String(method), 'the contract reverted without a typed error');
  const value = (data && typeof data === 'object' && 'isOk' in data ? (data as unknown as { value: unknown }).value : data) as Returned<A, M>;
  const estimate: Estimate<Returned<A, M>> = {
    value,
    gasConsumed: result.raw.gasConsumed,
    gasRequired: result.raw.gasRequired,
    storageDeposit: result.raw.storageDeposit,
  };
  if (result.raw.debugMessage && result.raw.debugMessage !== '0x') {
    estimate.debug = new TextDecoder().decode(hexToBytes(result.raw.debugMessage));
  }
  if (options.withFee) {
    // Only messages have a transaction to price; a view's fee stays unset.
    try {
      const tx = build(contract, method as unknown as Message<A>, args as unknown as Args<A, Message<A>>, estimate, options.value, options.gasMarginPct);
      const info = await tx.paymentInfo(caller);
      estimate.fee = info.partialFee;
      estimate.dispatchWeight = info.weight;
    } catch {
      estimate.fee = undefined;
    }
  }
  return estimate;
}

function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * The storage deposit limit a transaction is sent with: what the dry-run charged, plus
 * room for two more small storage items. The dry-run runs with the last block's number,
 * the transaction in the next block, and a contract that keeps one record per block
 * (the DAO's stake checkpoints) overwrites that block's record in the dry-run but adds a
 * new one in the transaction. Unused room is never charged.
 */
function storageLimit(contract: Contract<InkApi>, deposit: StorageDeposit): bigint {
  const charged = deposit.type === 'Charge' ? deposit.value : 0n;
  let room = 0n;
  try {
    const c = (contract.client as unknown as { consts: { contracts: { depositPerItem: bigint; depositPerByte: bigint } } }).consts.contracts;
    room = 2n * (c.depositPerItem + SPARE_ITEM_BYTES * c.depositPerByte);
  } catch {
    room = 0n;
  }
  return charged + room;
}

/** Key and value bytes of one spare storage item (a checkpoint or a ballot is far smaller). */
const SPARE_ITEM_BYTES = 128n;

/**
 * A call that needs more weight than one extrinsic may use in a block of this chain
 * (its runtime's `BlockWeights`, normal class, `max_extrinsic`). It could never be
 * included, so `send` refuses it before signing anything.
 */
export class TooHeavy extends Error {
  constructor(
    readonly method: string,
    readonly needed: WeightV2,
    readonly limit: WeightV2,
  ) {
    const over = needed.refTime > limit.refTime ? 'ref_time' : 'proof_size';
    const n = over === 'ref_time' ? needed.refTime : needed.proofSize;
    const l = over === 'ref_time' ? limit.refTime : limit.proofSize;
    super(`${method} would not fit in a block: it needs ${n.toLocaleString('en-US')} ${over}, a transaction may use at most ${l.toLocaleString('en-US')}`);
    this.name = 'TooHeavy';
  }
}

/**
 * The most weight one normal transaction may use in a block of the chain `client` is
 * connected to, read from its runtime (`system.blockWeights`); undefined when the
 * runtime sets no per-extrinsic limit.
 */
export function maxExtrinsicWeight(client: unknown): WeightV2 | undefined {
  try {
    const bw = (client as { consts: { system: { blockWeights: { perClass: { normal: { maxExtrinsic?: WeightV2 } } } } } }).consts.system.blockWeights;
    return bw.perClass.normal.maxExtrinsic ?? undefined;
  } catch {
    return undefined;
  }
}

/** Throws `TooHeavy` when `needed` exceeds what one transaction may use in a block. */
export function checkFitsBlock(contract: Contract<InkApi>, method: string, needed: WeightV2): void {
  const limit = maxExtrinsicWeight(contract.client);
  if (limit && (needed.refTime > limit.refTime || needed.proofSize > limit.proofSize)) {
    throw new TooHeavy(method, needed, limit);
  }
}

function withMargin(w: WeightV2, pct: number): WeightV2 {
  const m = BigInt(Math.max(0, Math.round(pct)));
  return { refTime: w.refTime + (w.refTime * m) / 100n, proofSize: w.proofSize + (w.proofSize * m) / 100n };
}

function build<A extends InkApi, M extends Message<A>>(
  contract: Contract<A>,
  method: M,
  args: Args<A, M>,
  est: Estimate<unknown>,
  value?: bigint,
  gasMarginPct = 10,
) {
  const tx = contract.tx[method] as unknown as (...a: unknown[]) => ReturnType<Contract<A>['tx'][M]>;
  return tx(...(args as unknown[]), {
    value: value ?? 0n,
    gasLimit: withMargin(est.gasRequired, gasMarginPct),
    storageDepositLimit: storageLimit(contract as unknown as Contract<InkApi>, est.storageDeposit),
  }) as unknown as import('dedot/contracts').ContractSubmittableExtrinsic;
}

/**
 * Dry-runs, then signs and sends `method`, and waits for its block (on a parachain, for
 * that block's finality: `options.wait`). Returns the dry-run's value (what the
 * transaction returned when nothing ran in between), the block, and the events. Throws
 * `Refused` before sending anything when the dry-run returns an error, `CallFailed` when
 * the extrinsic fails on chain or is dropped (never silently lost: submit.ts).
 */
export async function send<A extends InkApi, M extends Message<A>>(
  contract: Contract<A>,
  signer: Signer,
  method: M,
  args: Args<A, M>,
  options: CallOptions = {},
): Promise<Sent<Returned<A, M>>> {
  const est = await dryRun(contract, signer.address, method, args, options);
  checkFitsBlock(contract as unknown as Contract<InkApi>, String(method), withMargin(est.gasRequired, options.gasMarginPct ?? 10));
  const tx = build(contract, method, args, est, options.value, options.gasMarginPct);
  let result;
  try {
    result = await submit(contract.client as never, tx as unknown as Submittable, signer, String(method), { wait: options.wait, log: options.log, nonce: options.nonce, earlierCopies: options.earlierCopies });
  } catch (err) {
    throw new CallFailed(String(method), err instanceof TxDropped ? err.reason : failureText(err), err instanceof TxDropped ? err : undefined);
  }
  if (result.dispatchError) {
    throw new CallFailed(String(method), dispatchText(contract as unknown as Contract<InkApi>, result.dispatchError));
  }
  return {
    ...est,
    blockNumber: result.blockNumber,
    blockHash: result.blockHash,
    events: result.events,
    finalized: result.finalized,
    detours: result.detours,
    includedMs: result.includedMs,
    finalizedMs: result.finalizedMs,
  };
}

function dispatchText(contract: Contract<InkApi>, err: unknown): string {
  const e = err as { type: string; value?: unknown };
  if (e.type === 'Module') {
    try {
      const meta = contract.client.registry.findErrorMeta(e as never);
      if (meta) return `${meta.pallet}.${meta.name}`;
    } catch {
      // fall through to the raw shape
    }
  }
  return JSON.stringify(err, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Events `contract` emitted in a transaction's records, decoded with its metadata. */
export function eventsOf<A extends InkApi>(contract: Contract<A>, records: IEventRecord[]): ContractEvent[] {
  return contract.decodeEvents(records);
}

/** What a transaction cost its signer, read from its events (exact, not estimated). */
export interface Paid {
  /** Transaction fee plus tip (TransactionPayment.TransactionFeePaid). */
  fee: bigint;
  /** Storage deposit held from the signer, minus deposits released back to it. */
  storageDeposit: bigint;
}

export function paidBy(records: IEventRecord[], address: string): Paid {
  let fee = 0n;
  let storageDeposit = 0n;
  for (const r of records) {
    const e = r.event as unknown as { pallet: string; palletEvent: { name: string; data?: Record<string, unknown> } };
    const d = e.palletEvent.data ?? {};
    const from = (d.from ?? d.who) as { address?: () => string } | undefined;
    const to = d.to as { address?: () => string } | undefined;
    if (e.pallet === 'TransactionPayment' && e.palletEvent.name === 'TransactionFeePaid' && from?.address?.() === address) {
      fee += ((d.actualFee as bigint) ?? 0n) + ((d.tip as bigint) ?? 0n);
    } else if (e.pallet === 'Contracts' && e.palletEvent.name === 'StorageDepositTransferredAndHeld' && from?.address?.() === address) {
      storageDeposit += d.amount as bigint;
    } else if (e.pallet === 'Contracts' && e.palletEvent.name === 'StorageDepositTransferredAndReleased' && to?.address?.() === address) {
      storageDeposit -= d.amount as bigint;
    }
  }
  return { fee, storageDeposit };
}
