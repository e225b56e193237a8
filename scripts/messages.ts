/**
 * What one call of each user-facing message costs, against the reference every other
 * figure is a multiple of: the market token's `PSP22::transfer` to an account that
 * already holds tokens. Shared by `make bench` (scripts/bench.ts, which adds the
 * per-block figures) and the budget check `make test` runs (scripts/budgets.ts).
 *
 * Each figure is a dry-run's `gas_required` (the weight limit the transaction must be
 * sent with, ≥ what it consumes) and its storage deposit, on a fresh deployment where
 * each message runs in its common state: a first purchase of a model, a first rental of
 * an offer, a case of three jurors. The states the bench grows to 200 or 1,000 items
 * are scripts/bench.ts's business; this measures one call of each message.
 *
 * `contracts` names every contract the message enters (the target issue's rule: a
 * message that enters at most two may cost 3× the reference, one that must enter three
 * or more 4×, a view 1×); read from the contracts' calls.rs, where every cross-contract
 * call lives.
 */
import {
  chainNow,
  commitmentOf,
  dryRun,
  estimateReveal,
  revealVote,
  send,
  tick,
  type Estimate,
  type Market,
  type DevName,
  type Signer,
} from '../client/src/index.js';
import { perBlock, type BlockLimits, type Fit } from './blocks.js';

/** A message's place in the budget rules. */
export type Kind = 'message' | 'view';

export interface MessageCost {
  /** `contract::message (the state it runs in)`. */
  name: string;
  kind: Kind;
  /** The contracts the call enters, the first being the one called. */
  contracts: string[];
  /** gas_required: the weight limit the call needs. */
  refTime: bigint;
  proofSize: bigint;
  /** gas_consumed: what the chain charges once it ran. */
  consumedRefTime: bigint;
  consumedProofSize: bigint;
  /** Storage deposit charged (negative: refunded). */
  deposit: bigint;
  /**
   * The extrinsic's weight sent with exactly `gas_required`: the pallet's base weight
   * of `contracts.call` plus the gas limit (what a block must have room for).
   */
  dispatchRefTime: bigint;
  dispatchProofSize: bigint;
}

export const REFERENCE = 'market_token::PSP22::transfer (to a holder)';

/** A message's gas_required ÷ the reference's: [ref_time, proof_size]. */
export function ratios(reference: MessageCost, r: MessageCost): [number, number] {
  return [Number(r.refTime) / Number(reference.refTime), Number(r.proofSize) / Number(reference.proofSize)];
}

/**
 * How many calls of `r` fit in one block under `limits` (scripts/blocks.ts): declared
 * with its dispatch weight, charged that weight less what it did not consume.
 */
export function fitOf(limits: BlockLimits, r: MessageCost): Fit {
  return perBlock(limits, { refTime: r.dispatchRefTime, proofSize: r.dispatchProofSize }, {
    refTime: r.dispatchRefTime - r.refTime + r.consumedRefTime,
    proofSize: r.dispatchProofSize - r.proofSize + r.consumedProofSize,
  });
}

/** The target the cost issue sets: a view 1×, a message entering ≤ 2 contracts 3×, more 4×. */
export function target(r: MessageCost): number {
  if (r.kind === 'view') return 1;
  return r.contracts.length <= 2 ? 3 : 4;
}

const UNIT = 10n ** 12n;
const hash = (byte: string): `0x${string}` => `0x${byte.repeat(32)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The DAO parameters the measured case runs under (a deployment option): short phases. */
export const MESSAGE_DAO_PARAMS = { commitMs: 6_000, revealMs: 6_000, appealMs: 1_000, rounds: 1 };
/** A rental "hour" of the measuring deployment. */
export const MESSAGE_HOUR_MS = 2_000;

function row(name: string, kind: Kind, contracts: string[], e: Estimate<unknown>): MessageCost {
  const d = e.storageDeposit as { type: 'Charge' | 'Refund'; value: bigint };
  return {
    name,
    kind,
    contracts,
    refTime: e.gasRequired.refTime,
    proofSize: e.gasRequired.proofSize,
    consumedRefTime: e.gasConsumed.refTime,
    consumedProofSize: e.gasConsumed.proofSize,
    deposit: d.type === 'Charge' ? d.value : -d.value,
    dispatchRefTime: e.dispatchWeight?.refTime ?? e.gasRequired.refTime,
    dispatchProofSize: e.dispatchWeight?.proofSize ?? e.gasRequired.proofSize,
  };
}

/** A string of `n` ASCII letters: a field at its cap. */
const text = (n: number, c = 'x') => c.repeat(n);

/** Every measuring dry-run also prices the extrinsic as sent with exactly `gas_required`. */
const M = { withFee: true, gasMarginPct: 0 };

/**
 * Measures the reference transfer and every message in the table, on `market` (a fresh
 * deployment made with `hourMs: MESSAGE_HOUR_MS` and `daoParams: MESSAGE_DAO_PARAMS`).
 * Sends the transactions that set up each state; measures with dry-runs. `progress`
 * gets one line per phase.
 */
export async function measureMessages(
  market: Market,
  who: Record<DevName, Signer>,
  progress: (line: string) => void = () => undefined,
): Promise<{ reference: MessageCost; rows: MessageCost[] }> {
  const { registry, token, vault, compute, dao, client } = market;
  const rows: MessageCost[] = [];
  const take = (name: string, kind: Kind, contracts: string[], e: Estimate<unknown>) => rows.push(row(name, kind, contracts, e));
  const native = { type: 'Native' as const };
  const mmt = { type: 'Psp22' as const, value: token.address };
  const { Alice: alice, Bob: bob, Charlie: charlie, Dave: dave, Eve: eve, Ferdie: ferdie } = who;

  // ---- the reference: a PSP22 transfer to an account that already holds tokens -----
  progress('reference transfer');
  await send(token, alice, 'psp22Transfer', [bob.address, 10n * UNIT, '0x']);
  await send(token, alice, 'psp22Transfer', [eve.address, 1_000n * UNIT, '0x']);
  const reference = row(REFERENCE, 'message', ['market_token'], await dryRun(token, alice.address, 'psp22Transfer', [bob.address, UNIT, '0x'], M));

  // ---- the registry: a model at every cap, two offers, purchases and a release ------
  progress('registry: register, offers, purchases');
  const tags = Array.from({ length: 5 }, (_, i) => text(32, String.fromCharCode(97 + i)));
  const modelArgs = [text(64), `ipfs://${text(121)}`, hash('11'), { major: 1, minor: 0, patch: 0 }, undefined, 0, tags] as const;
  take('model_registry::register_model (every field at its cap)', 'message', ['model_registry'], await dryRun(registry, dave.address, 'registerModel', [...modelArgs], M));
  const model = (await send(registry, dave, 'registerModel', [...modelArgs])).value;
  await send(registry, dave, 'addOffer', [model, { type: 'Perpetual' }, 25n * UNIT, native]);
  await send(registry, dave, 'addOffer', [model, { type: 'Perpetual' }, 40n * UNIT, mmt]);
  take('model_registry::purchase_license (native)', 'message', ['model_registry', 'escrow'], await dryRun(registry, eve.address, 'purchaseLicense', [model, 0, 1], { ...M, value: 25n * UNIT }));
  await send(token, eve, 'psp22Approve', [registry.address, 40n * UNIT]);
  take('model_registry::purchase_license (PSP22)', 'message', ['model_registry', 'market_token', 'escrow'], await dryRun(registry, eve.address, 'purchaseLicense', [model, 1, 1], M));
  const license = (await send(registry, eve, 'purchaseLicense', [model, 0, 1], { value: 25n * UNIT })).value;
  const escrowId = (await dryRun(registry, eve.address, 'license', [license])).value!.escrowId;
  await send(vault, dave, 'deliver', [escrowId, hash('44')]);
  take('model_registry::release_license (native, delivered)', 'message', ['model_registry', 'escrow'], await dryRun(registry, eve.address, 'releaseLicense', [license], M));
  await send(registry, eve, 'releaseLicense', [license]);
  take('model_registry::model (view)', 'view', ['model_registry'], await dryRun(registry, eve.address, 'model', [model], M));
  take('model_registry::has_valid_license (view)', 'view', ['model_registry'], await dryRun(registry, eve.address, 'hasValidLicense', [eve.address, model], M));

  // ---- the compute market: an offer, a rental, an early end, a no-show --------------
  progress('compute market: offer, rent, end early, no-show');
  const cfg = (await dryRun(compute, bob.address, 'config', [])).value;
  const price = UNIT / 1000n;
  const capacity = 8;
  const maxHours = 100;
  const collateral = (price * BigInt(capacity) * BigInt(maxHours) * BigInt(cfg.collateralRatioBps)) / 10_000n;
  const offerArgs = (startWindowMs: bigint) =>
    ['A100-80GB', 80, capacity, 'eu-west', price, 1, maxHours, native, hash('77'), startWindowMs] as [
      string, number, number, string, bigint, number, number, typeof native, `0x${string}`, bigint,
    ];
  take('compute_market::publish_offer (native collateral)', 'message', ['compute_market', 'escrow'], await dryRun(compute, bob.address, 'publishOffer', offerArgs(3_600_000n), { ...M, value: collateral }));
  const offer = (await send(compute, bob, 'publishOffer', offerArgs(3_600_000n), { value: collateral })).value;
  const hours = 50;
  const rentCost = price * BigInt(hours);
  take('compute_market::rent (1 GPU)', 'message', ['compute_market', 'escrow'], await dryRun(compute, eve.address, 'rent', [offer, 1, hours, 1], { ...M, value: rentCost }));
  const rental = (await send(compute, eve, 'rent', [offer, 1, hours, 1], { value: rentCost })).value;
  take('compute_market::start (booked rental)', 'message', ['compute_market', 'escrow'], await dryRun(compute, bob.address, 'start', [rental, hash('99')], M));
  await send(compute, bob, 'start', [rental, hash('99')]);
  await sleep(1_500);
  await tick(client, alice);
  take('compute_market::end_early (running rental)', 'message', ['compute_market', 'escrow'], await dryRun(compute, eve.address, 'endEarly', [rental], M));
  take('compute_market::offer (view)', 'view', ['compute_market'], await dryRun(compute, eve.address, 'offer', [offer], M));
  take('compute_market::rental (view)', 'view', ['compute_market'], await dryRun(compute, eve.address, 'rental', [rental], M));
  const shortOffer = (await send(compute, bob, 'publishOffer', offerArgs(1_000n), { value: collateral })).value;
  const noShow = (await send(compute, eve, 'rent', [shortOffer, 1, hours, 1], { value: rentCost })).value;
  await sleep(1_200);
  await tick(client, alice);
  take('compute_market::cancel_no_show', 'message', ['compute_market', 'escrow'], await dryRun(compute, eve.address, 'cancelNoShow', [noShow], M));

  // ---- the DAO: three jurors, a case on a disputed order, votes and the ruling ------
  progress('DAO: stake, case, commit, reveal, ruling');
  const stake = 100n * UNIT;
  const jurors = [charlie, ferdie, bob];
  for (const j of jurors) {
    await send(token, alice, 'psp22Transfer', [j.address, stake, '0x']);
    await send(token, j, 'psp22Approve', [dao.address, stake]);
  }
  take('dispute_dao::stake (a first stake)', 'message', ['dispute_dao', 'market_token'], await dryRun(dao, charlie.address, 'stake', [stake], M));
  for (const j of jurors) await send(dao, j, 'stake', [stake]);
  const deadline = (await chainNow(client)) + 86_400_000n;
  const terms = {
    payee: dave.address,
    asset: native,
    amount: UNIT,
    deliveryDeadline: deadline,
    reviewWindowMs: 60_000n,
    royalties: [],
    context: 0n,
    collateral: undefined,
  };
  const order = (await send(vault, alice, 'escrowVaultOpenOrder', [alice.address, terms], { value: UNIT })).value;
  const bond = (await dryRun(vault, alice.address, 'requiredBond', [order])).value!;
  take('escrow::dispute (an order)', 'message', ['escrow'], await dryRun(vault, alice.address, 'dispute', [order], { ...M, value: bond }));
  await send(vault, alice, 'dispute', [order], { value: bond });
  const daoCfg = (await dryRun(dao, alice.address, 'config', [])).value;
  await send(token, alice, 'psp22Approve', [dao.address, daoCfg.jury.caseFee]);
  take('dispute_dao::open_case', 'message', ['dispute_dao', 'escrow', 'market_token'], await dryRun(dao, alice.address, 'openCase', [order, 'ipfs://evidence'], M));
  const caseId = (await send(dao, alice, 'openCase', [order, 'ipfs://evidence'])).value;
  const salt = (i: number): `0x${string}` => `0x${(i + 1).toString(16).padStart(64, '0')}`;
  const choice = 4;
  const commitment = (i: number) => commitmentOf(choice, salt(i), jurors[i].address, caseId, 0);
  take('dispute_dao::commit_vote', 'message', ['dispute_dao'], await dryRun(dao, jurors[0].address, 'commitVote', [caseId, commitment(0)], M));
  for (let i = 0; i < jurors.length; i++) await send(dao, jurors[i], 'commitVote', [caseId, commitment(i)]);
  const until = async (at: bigint) => {
    for (;;) {
      const now = await chainNow(client);
      if (now >= at) return;
      await sleep(Math.min(1_000, Number(at - now) + 50));
      await tick(client, alice);
    }
  };
  await until((await dryRun(dao, alice.address, 'case', [caseId])).value!.phaseEnds);
  take('dispute_dao::reveal_vote', 'message', ['dispute_dao'], await estimateReveal(dao, jurors[0].address, caseId, choice, salt(0), M));
  for (let i = 0; i < jurors.length; i++) await revealVote(dao, jurors[i], caseId, choice, salt(i));
  await until((await dryRun(dao, alice.address, 'case', [caseId])).value!.phaseEnds);
  take('dispute_dao::execute_ruling', 'message', ['dispute_dao', 'escrow'], await dryRun(dao, alice.address, 'executeRuling', [caseId], M));
  await send(dao, alice, 'executeRuling', [caseId]);
  take('dispute_dao::settle_vote (coherent: reward)', 'message', ['dispute_dao'], await dryRun(dao, alice.address, 'settleVote', [caseId, 0, jurors[0].address], M));
  take('dispute_dao::case (view)', 'view', ['dispute_dao'], await dryRun(dao, alice.address, 'case', [caseId], M));
  take('escrow::escrow (view)', 'view', ['escrow'], await dryRun(vault, alice.address, 'vaultArbiterEscrow', [order], M));
  // A payee's credit from the released license: withdrawing pays it out.
  take('escrow::withdraw (native credit)', 'message', ['escrow'], await dryRun(vault, dave.address, 'escrowVaultWithdraw', [native], M));
  return { reference, rows };
}
