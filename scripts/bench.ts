/**
 * Cost benchmark of the escrow vault and the compute market on a local node: does a
 * message's cost depend on how many escrows, offers or rentals exist? (scripts/bench.sh
 * starts the node and builds; `make bench`.)
 *
 *   npx tsx scripts/bench.ts [--url ws://127.0.0.1:9977] [--out bench/results.json]
 *
 * Growth runs to GROWTH items (1,000 unless BENCH_GROWTH says otherwise).
 *
 * Vault: deploys the contracts, opens one escrow, dry-runs each message and records the
 * weight it consumes (ref_time, proof_size); then opens escrows up to GROWTH between the
 * same two parties (so their open-escrow indexes hold that many entries each) and
 * dry-runs the same messages on the newest escrow.
 *
 * Registry: with one model (one license), dry-runs registering, adding an offer,
 * purchasing, and the model, page and license views; then grows to GROWTH models of one
 * owner under one tag and 200 licenses of one buyer on one model (each bought and
 * released), and dry-runs the same on the newest model and license.
 *
 * Compute market: with one offer and one rental, dry-runs publishing, renting, starting,
 * claiming, ending early and extending, and the offer and rental views; then grows to
 * GROWTH offers of one provider in one region and GPU model (so every offer index holds
 * that many entries) and GROWTH rentals of one renter on the newest offer (so the
 * renter's, the provider's and the offer's rental lists hold that many, all still open),
 * and dry-runs the
 * same messages on the newest offer and rental. Search views scan a bounded window from a
 * cursor: each is measured from cursor 0 and from a cursor near the end of the index.
 *
 * Dispute DAO: a case heard by 3 jurors, then one heard by 100 (dev-derived accounts
 * //Juror1..//Juror100, funded with native and MMT, each staking): dry-runs of stake,
 * commit_vote, reveal_vote, execute_ruling and settle_vote (a coherent juror claiming
 * its reward), and of propose, vote and execute_proposal on a proposal 3, then 100
 * members voted on. Nothing in the DAO loops over jurors, voters or members, so each
 * message costs the same with 3 and with 100. The bench deployment hears cases in one
 * round with 30 s commit and reveal phases (room for 100 commits), votes for 30 s and
 * has a 1 s timelock.
 *
 * Per message (scripts/messages.ts): one call of each user-facing message on a fresh
 * deployment, its gas_required, storage deposit and ratio to the reference transfer, and
 * how many fit in one block of the parachain runtime (limits read from that runtime by
 * scripts/bench.sh into bench/block-limits.json; scripts/blocks.ts). Per hop
 * (scripts/hops.ts, the bench-only probe contract in bench/probe): what entering one
 * more contract, one more KiB of code and one more storage cell cost.
 *
 * Nothing here is timed: weights are what the chain charges, and a dry-run reports them
 * exactly.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  chainNow,
  commitmentOf,
  devSigners,
  dryRun,
  estimateReveal,
  revealVote,
  send,
  signerFromUri,
  tick,
  type Args,
  type ComputeMarketContractApi,
  type DevName,
  type Market,
  type Vault,
  type Signer,
  type Estimate,
} from '../client/src/index.js';
import { bundlePath, ROOT } from '../client/src/node.js';
import { deploy } from './deploy.js';
import { limitsFromJson, limitsToJson, type BlockLimits } from './blocks.js';
import { measureHops } from './hops.js';
import { fitOf, measureMessages, MESSAGE_DAO_PARAMS, MESSAGE_HOUR_MS, ratios, target, type MessageCost } from './messages.js';

const AMOUNT = 10n ** 12n; // 1 UNIT
/** How many escrows, models, offers and rentals the large state holds. */
const TARGET = Number(process.env.BENCH_GROWTH ?? 1_000);
/** How many licenses one buyer holds in the large state (two transactions each). */
const LICENSES = Math.min(TARGET, 200);

type Row = [refTime: bigint, proofSize: bigint];
const cost = (e: Estimate<unknown>): Row => [e.gasConsumed.refTime, e.gasConsumed.proofSize];

/** Weights of the same messages in a small and in a large state. */
type Rows = Record<string, Row>;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// ---- compute market ---------------------------------------------------------------
const UNIT = 10n ** 12n;
/** A rental "hour" on the bench chain (a deployment parameter): running rentals are short. */
const HOUR_MS = 2_000;
const GPU_MODEL = 'A100-80GB';
const VRAM_GB = 80;
const REGION = 'eu-west';
/** GPUs per offer: room for every rental of the run on the newest offer (at most 1,024). */
const CAPACITY = Math.min(1_024, Math.max(256, TARGET + 8));
const PRICE = UNIT / 1000n; // per GPU-hour
const MAX_HOURS = 100; // 200 s of bench time
/** A measured rental runs 50 "hours" (100 s): it does not end while it is measured. */
const RENT_HOURS = 50;
const RENT_COST = PRICE * BigInt(RENT_HOURS); // one GPU
/** Booked rentals stay startable (and open) for the whole run. */
const START_WINDOW_MS = 3_600_000n;
/** The offer version every rental names (no offer is ever updated here). */
const VERSION = 1;
/** The contract's page and scan bounds (compute_market/types.rs). */
const MAX_PAGE = 10;
const MAX_SCAN = 50;
/** Long enough for a stream to accrue before the next block is sealed. */
const ACCRUE_MS = 1_500;

type ComputeApi = ComputeMarketContractApi;
const hash = (byte: string): `0x${string}` => `0x${byte.repeat(32)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const endCursor = (len: number, window: number) => BigInt(Math.max(0, len - window));

interface ComputeCounts {
  offers: number;
  rentals: number;
  open_rentals_of_offer: number;
  open_streams_of_renter: number;
}

interface ComputeBench {
  small: Rows;
  large: Rows;
  json: {
    params: Record<string, number | string>;
    counts: { small: ComputeCounts; large: ComputeCounts };
    /** Items each view returned (pages: how many offers or rentals it read). */
    items: Record<string, { with_small: number; with_large: number }>;
    weights: Record<string, { with_small: number[]; with_large: number[] }>;
    seconds: number;
  };
}

// ---- model registry ---------------------------------------------------------------
interface RegistryCounts {
  models: number;
  models_of_owner: number;
  models_with_tag: number;
  licenses: number;
  licenses_of_buyer: number;
}

type RegisterArgs = [string, string, `0x${string}`, { major: number; minor: number; patch: number }, bigint | undefined, number, string[]];

interface RegistryBench {
  small: Rows;
  large: Rows;
  json: {
    counts: { small: RegistryCounts; large: RegistryCounts };
    weights: Record<string, { with_small: number[]; with_large: number[] }>;
    seconds: number;
  };
}

/**
 * The registry with 1 model and 1 license, then with TARGET models of one owner under
 * one tag and LICENSES licenses of one buyer on the first model: the owner's and the
 * tag's index lists and the buyer's license lists grow; each message is dry-run on the
 * newest model and license both times.
 */
async function benchRegistry(market: Market, who: Record<DevName, Signer>): Promise<RegistryBench> {
  const started = Date.now();
  const registry = market.registry;
  const native = { type: 'Native' as const };
  const price = UNIT;
  const bob = who.Bob;
  const eve = who.Eve;
  let registered = 0;
  const register = async () => {
    registered += 1;
    const args: RegisterArgs = [`model-${registered}`, `ipfs://model-card-${registered}`, hash('11'), { major: 1, minor: 0, patch: 0 }, undefined, 0, ['llm']];
    return (await send(registry, bob, 'registerModel', args)).value;
  };
  const first = await register();
  await send(registry, bob, 'addOffer', [first, { type: 'Perpetual' }, price, native]);
  const buy = () => send(registry, eve, 'purchaseLicense', [first, 0, 1], { value: price });
  // A buyer may hold at most 4 unsettled licenses of one model: each is released (its
  // order paid out) before the next purchase, so the lists grow and nothing waits.
  await send(registry, eve, 'releaseLicense', [(await buy()).value]);
  const counts = async (): Promise<RegistryCounts> => ({
    models: Number((await dryRun(registry, bob.address, 'modelCount', [])).value),
    models_of_owner: Number((await dryRun(registry, bob.address, 'ownerModelCount', [bob.address])).value),
    models_with_tag: Number((await dryRun(registry, bob.address, 'tagModelCount', ['llm'])).value),
    licenses: Number((await dryRun(registry, bob.address, 'licenseCount', [])).value),
    licenses_of_buyer: Number((await dryRun(registry, eve.address, 'accountLicenseCount', [eve.address])).value),
  });
  const measure = async (c: RegistryCounts): Promise<Rows> => {
    const rows: Rows = {};
    const newest = BigInt(c.models);
    const args: RegisterArgs = ['model-new', 'ipfs://model-card-new', hash('11'), { major: 1, minor: 0, patch: 0 }, undefined, 0, ['llm']];
    rows['register_model'] = cost(await dryRun(registry, bob.address, 'registerModel', args));
    rows['add_offer (native)'] = cost(await dryRun(registry, bob.address, 'addOffer', [newest, { type: 'Perpetual' }, price, native]));
    rows['purchase_license (native)'] = cost(await dryRun(registry, eve.address, 'purchaseLicense', [first, 0, 1], { value: price }));
    rows['model (view)'] = cost(await dryRun(registry, eve.address, 'model', [newest]));
    rows['has_valid_license (view)'] = cost(await dryRun(registry, eve.address, 'hasValidLicense', [eve.address, first]));
    rows['license (view)'] = cost(await dryRun(registry, eve.address, 'license', [BigInt(c.licenses)]));
    const last = (len: number) => BigInt(Math.max(0, len - 1));
    rows['models_by_owner, 1 from end (view)'] = cost(await dryRun(registry, eve.address, 'modelsByOwner', [bob.address, last(c.models_of_owner), 1]));
    rows['models_by_tag, 1 from end (view)'] = cost(await dryRun(registry, eve.address, 'modelsByTag', ['llm', last(c.models_with_tag), 1]));
    rows['licenses_of, 1 from end (view)'] = cost(await dryRun(registry, eve.address, 'licensesOf', [eve.address, last(c.licenses_of_buyer), 1]));
    return rows;
  };
  const smallCounts = await counts();
  const small = await measure(smallCounts);
  process.stdout.write(`bench: registry: registering models up to ${TARGET}, then buying and releasing licenses up to ${LICENSES} `);
  while (registered < TARGET) {
    await register();
    if (registered % 50 === 0) process.stdout.write('.');
  }
  for (let n = smallCounts.licenses; n < LICENSES; n++) {
    const id = (await buy()).value;
    await send(registry, eve, 'releaseLicense', [id]);
    if (n % 50 === 0) process.stdout.write('.');
  }
  console.log('');
  const largeCounts = await counts();
  const large = await measure(largeCounts);
  return {
    small,
    large,
    json: {
      counts: { small: smallCounts, large: largeCounts },
      weights: weightsJson(small, large),
      seconds: Math.round((Date.now() - started) / 1000),
    },
  };
}

/**
 * The compute market with 1 offer and 1 rental, then with 200 of each: every offer is
 * Dave's, in one region and GPU model; every rental is Eve's, on the newest offer, and
 * stays open, so the offer indexes, both parties' rental lists, the offer's open-rental
 * list and Eve's open streams in the vault all grow to ~200.
 */
async function benchCompute(market: Market, who: Record<DevName, Signer>): Promise<ComputeBench> {
  const started = Date.now();
  const { compute, vault } = market;
  const provider = who.Dave;
  const renter = who.Eve;
  const p = provider.address;
  const r = renter.address;
  const cfg = (await dryRun(compute, p, 'config', [])).value;
  const collateral = (PRICE * BigInt(CAPACITY) * BigInt(MAX_HOURS) * BigInt(cfg.collateralRatioBps)) / 10_000n;
  const offerArgs = (startWindowMs: bigint): Args<ComputeApi, 'publishOffer'> => [
    GPU_MODEL,
    VRAM_GB,
    CAPACITY,
    REGION,
    PRICE,
    1,
    MAX_HOURS,
    { type: 'Native' },
    hash('77'),
    startWindowMs,
  ];
  const publish = async (startWindowMs = START_WINDOW_MS) =>
    (await send(compute, provider, 'publishOffer', offerArgs(startWindowMs), { value: collateral })).value;
  const rent = async (offerId: bigint) =>
    (await send(compute, renter, 'rent', [offerId, 1, RENT_HOURS, VERSION], { value: RENT_COST })).value;
  const count = async (offerId: bigint): Promise<ComputeCounts> => {
    let open = 0;
    for (let cursor: bigint | undefined = 0n; cursor !== undefined; ) {
      const page: { items: unknown[]; next?: bigint } = (await dryRun(compute, r, 'openRentals', [offerId, cursor, MAX_PAGE])).value;
      open += page.items.length;
      cursor = page.next;
    }
    return {
      offers: Number((await dryRun(compute, r, 'offerCount', [])).value),
      rentals: Number((await dryRun(compute, r, 'rentalCount', [])).value),
      open_rentals_of_offer: open,
      open_streams_of_renter: Number((await dryRun(vault, r, 'openEscrowCount', [r])).value),
    };
  };
  const items: Record<string, number[]> = {};

  /**
   * Books the newest rental on `offerId` (the newest offer) and measures everything;
   * counts are taken once it is booked, before the no-show's offer and rental.
   */
  const measure = async (offerId: bigint): Promise<{ rows: Rows; counts: ComputeCounts }> => {
    const rows: Rows = {};
    const rentalId = await rent(offerId);
    const counts = await count(offerId);
    const offers = counts.offers; // all Dave's, all in REGION and GPU_MODEL
    const rentals = counts.rentals; // all Eve's (and Dave's as provider)
    const open = counts.open_rentals_of_offer;
    const view = async (name: string, run: () => Promise<Estimate<unknown>>, length?: (v: unknown) => number) => {
      const e = await run();
      rows[name] = cost(e);
      if (length) (items[name] ??= []).push(length(e.value));
    };
    const pageItems = (v: unknown) => (v as { items: unknown[] }).items.length;

    rows['publish_offer'] = cost(await dryRun(compute, p, 'publishOffer', offerArgs(START_WINDOW_MS), { value: collateral }));
    rows['rent'] = cost(await dryRun(compute, r, 'rent', [offerId, 1, RENT_HOURS, VERSION], { value: RENT_COST }));
    rows['start (booked rental)'] = cost(await dryRun(compute, p, 'start', [rentalId, hash('99')]));

    await view('offer (view)', () => dryRun(compute, r, 'offer', [offerId]));
    await view('offers_by_region, 10 from 0 (view)', () => dryRun(compute, r, 'offersByRegion', [REGION, 0n, 10, undefined, undefined]), pageItems);
    await view('offers_by_region, 10 from end (view)', () => dryRun(compute, r, 'offersByRegion', [REGION, endCursor(offers, 10), 10, undefined, undefined]), pageItems);
    await view('offers_by_region, 1 from 0 (view)', () => dryRun(compute, r, 'offersByRegion', [REGION, 0n, 1, undefined, undefined]), pageItems);
    // A price cap nothing meets: the page comes back empty after the longest scan.
    await view('offers_by_region, no match from 0 (view)', () => dryRun(compute, r, 'offersByRegion', [REGION, 0n, 10, 1n, undefined]), pageItems);
    await view('offers_by_region, no match from end (view)', () => dryRun(compute, r, 'offersByRegion', [REGION, endCursor(offers, MAX_SCAN), 10, 1n, undefined]), pageItems);
    await view('offers_by_gpu, 10 from 0 (view)', () => dryRun(compute, r, 'offersByGpu', [GPU_MODEL, 0n, 10, undefined, undefined]), pageItems);
    await view('offers_by_gpu, 10 from end (view)', () => dryRun(compute, r, 'offersByGpu', [GPU_MODEL, endCursor(offers, 10), 10, undefined, undefined]), pageItems);
    await view('offers_of, 1 from 0 (view)', () => dryRun(compute, r, 'offersOf', [p, 0n, 1]), pageItems);
    await view('offers_of, 1 from end (view)', () => dryRun(compute, r, 'offersOf', [p, endCursor(offers, 1), 1]), pageItems);
    await view('rental (view)', () => dryRun(compute, r, 'rental', [rentalId]));
    await view('rentals_of renter, 1 from 0 (view)', () => dryRun(compute, r, 'rentalsOf', [r, 'Renter', 0n, 1]), pageItems);
    await view('rentals_of renter, 1 from end (view)', () => dryRun(compute, r, 'rentalsOf', [r, 'Renter', endCursor(rentals, 1), 1]), pageItems);
    await view('rentals_of provider, 1 from end (view)', () => dryRun(compute, r, 'rentalsOf', [p, 'Provider', endCursor(rentals, 1), 1]), pageItems);
    await view('open_rentals, 1 from end (view)', () => dryRun(compute, r, 'openRentals', [offerId, endCursor(open, 1), 1]), pageItems);
    await view('reputation (view)', () => dryRun(compute, r, 'reputation', [p]));

    // Running: start it, let it accrue, seal a block so the dry-runs see the time move.
    await send(compute, provider, 'start', [rentalId, hash('99')]);
    const escrowId = (await dryRun(compute, r, 'rental', [rentalId])).value!.escrowId;
    await sleep(ACCRUE_MS);
    await tick(market.client, who.Alice);
    rows['claim (vault, running rental)'] = cost(await dryRun(vault, p, 'claim', [escrowId]));
    rows['end_early (running rental)'] = cost(await dryRun(compute, r, 'endEarly', [rentalId]));
    rows['extend by 1 h (running rental)'] = cost(await dryRun(compute, r, 'extend', [rentalId, 1], { value: PRICE }));

    // A no-show: an offer of Dave's with a 1 s start window, booked and left unstarted.
    const noShowOffer = await publish(1_000n);
    const noShow = await rent(noShowOffer);
    await sleep(1_200);
    await tick(market.client, who.Alice);
    rows['cancel_no_show (one more of each)'] = cost(await dryRun(compute, r, 'cancelNoShow', [noShow]));
    return { rows, counts };
  };

  await publish();
  const small = await measure(1n);

  process.stdout.write(`bench: compute market: publishing offers up to ${TARGET}, then renting up to ${TARGET} (one transaction each) `);
  let newest = 0n;
  for (let n = Number((await dryRun(compute, r, 'offerCount', [])).value); n < TARGET; n++) {
    newest = await publish();
    if (n % 25 === 0) process.stdout.write('.');
  }
  // measure() books the last one.
  for (let n = Number((await dryRun(compute, r, 'rentalCount', [])).value); n < TARGET - 1; n++) {
    await rent(newest);
    if (n % 25 === 0) process.stdout.write('.');
  }
  console.log('');
  const large = await measure(newest);

  const itemsJson: ComputeBench['json']['items'] = {};
  for (const [k, [a, b]] of Object.entries(items)) itemsJson[k] = { with_small: a, with_large: b };
  return {
    small: small.rows,
    large: large.rows,
    json: {
      params: {
        hour_ms: HOUR_MS,
        gpu_model: GPU_MODEL,
        region: REGION,
        capacity: CAPACITY,
        price_per_gpu_hour: Number(PRICE),
        max_hours: MAX_HOURS,
        rental_hours: RENT_HOURS,
        start_window_ms: Number(START_WINDOW_MS),
        max_page: MAX_PAGE,
        max_scan: MAX_SCAN,
      },
      counts: { small: small.counts, large: large.counts },
      items: itemsJson,
      weights: weightsJson(small.rows, large.rows),
      seconds: Math.round((Date.now() - started) / 1000),
    },
  };
}


// ---- dispute DAO ------------------------------------------------------------------
/** Jurors of the large case (and members voting on the large proposal). */
const JURORS = 100;
/** Jurors of the small case. */
const FEW = 3;
/** The bench deployment's DAO periods: one round, commit and reveal long enough for 100 votes. */
const DAO_PARAMS = {
  commitMs: 30_000,
  revealMs: 30_000,
  appealMs: 1_000,
  rounds: 1,
  votingDelayMs: 0,
  votingPeriodMs: 30_000,
  timelockMs: 1_000,
  extensionMs: 1_000,
  unbondingMs: 120_000,
};
const STAKE = 100n * UNIT;
/** Concurrent transactions from different accounts (each seals its own block). */
const PARALLEL = 20;

async function inParallel<T>(items: T[], limit: number, run: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await run(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface DaoBench {
  small: Rows;
  large: Rows;
  json: {
    params: Record<string, number>;
    voters: { small: number; large: number };
    /** Members with stake when each round ran (the jurors so far). */
    members: { small: number; large: number };
    weights: Record<string, { with_small: number[]; with_large: number[] }>;
    seconds: number;
  };
}

/**
 * Opens a disputed vault order of Alice's (payee Bob) and a case on it, has `jurors`
 * commit (all choice 4 but the last, choice 0) and reveal, executes the ruling and
 * measures along the way; a proposal (SetFee) is made and voted on by the same jurors
 * while the case runs, and its execution is measured after the timelock.
 */
async function daoRound(market: Market, who: Record<DevName, Signer>, jurors: Signer[], fresh: Signer, ticker: Signer): Promise<Rows> {
  const { dao, vault, token } = market;
  const rows: Rows = {};
  const a = who.Alice;
  const until = async (at: bigint) => {
    for (;;) {
      const now = await chainNow(market.client);
      if (now >= at) return;
      await sleep(Math.min(1_000, Number(at - now) + 50));
      await tick(market.client, ticker);
    }
  };
  // Staking as one more member (`fresh` has approved the DAO but not staked yet).
  rows['stake (a new member)'] = cost(await dryRun(dao, fresh.address, 'stake', [STAKE]));
  rows['stake (a member adding to its stake)'] = cost(await dryRun(dao, jurors[0].address, 'stake', [UNIT]));

  // A disputed order and its case.
  const deadline = (await chainNow(market.client)) + 86_400_000n;
  const terms = {
    payee: who.Bob.address,
    asset: { type: 'Native' as const },
    amount: AMOUNT,
    deliveryDeadline: deadline,
    reviewWindowMs: 60_000n,
    royalties: [],
    context: 0n,
    collateral: undefined,
  };
  const escrowId = (await send(vault, a, 'escrowVaultOpenOrder', [a.address, terms], { value: AMOUNT })).value;
  const bond = (await dryRun(vault, a.address, 'requiredBond', [escrowId])).value!;
  await send(vault, a, 'dispute', [escrowId], { value: bond });
  // Opening a case costs the case fee, which the DAO pulls: approve it first.
  const caseFee = (await dryRun(dao, a.address, 'config', [])).value.jury.caseFee;
  await send(token, a, 'psp22Approve', [dao.address, caseFee]);
  rows['open_case'] = cost(await dryRun(dao, a.address, 'openCase', [escrowId, 'ipfs://bench-evidence']));
  const caseId = (await send(dao, a, 'openCase', [escrowId, 'ipfs://bench-evidence'])).value;
  const propose = [{ type: 'SetFee' as const, value: 260 }, `0x${'ee'.repeat(32)}`] as const;
  rows['propose'] = cost(await dryRun(dao, jurors[0].address, 'propose', [...propose]));
  const proposalId = (await send(dao, jurors[0], 'propose', [...propose])).value;

  const choice = (i: number) => (i === jurors.length - 1 ? 0 : 4);
  const salt = (i: number): `0x${string}` => `0x${(i + 1).toString(16).padStart(64, '0')}`;
  const commitment = (i: number) => commitmentOf(choice(i), salt(i), jurors[i].address, caseId, 0);
  // Measure the last juror's commit and vote before anyone else's land, then again after
  // everyone else's: the cost is the same either way.
  const last = jurors.length - 1;
  rows['commit_vote (first)'] = cost(await dryRun(dao, jurors[last].address, 'commitVote', [caseId, commitment(last)]));
  rows['vote (first)'] = cost(await dryRun(dao, jurors[last].address, 'vote', [proposalId, true]));
  await inParallel(jurors.slice(0, last), PARALLEL, (j, i) => send(dao, j, 'commitVote', [caseId, commitment(i)]));
  await inParallel(jurors.slice(0, last), PARALLEL, (j) => send(dao, j, 'vote', [proposalId, true]));
  rows['commit_vote (last)'] = cost(await dryRun(dao, jurors[last].address, 'commitVote', [caseId, commitment(last)]));
  rows['vote (last)'] = cost(await dryRun(dao, jurors[last].address, 'vote', [proposalId, false]));
  await send(dao, jurors[last], 'commitVote', [caseId, commitment(last)]);
  await send(dao, jurors[last], 'vote', [proposalId, false]);
  const committed = (await dryRun(dao, a.address, 'case', [caseId])).value!;
  if (committed.roundInfo.commits !== jurors.length) throw new Error(`case #${caseId}: ${committed.roundInfo.commits} commits, expected ${jurors.length} (commit phase too short?)`);

  await until(committed.phaseEnds);
  // Reveals go through the client's guarded revealVote (the case's phase at the current
  // block is read first); the measured dry-run runs once the phase is Reveal.
  await inParallel(jurors.slice(0, last), PARALLEL, (j, i) => revealVote(dao, j, caseId, choice(i), salt(i)));
  rows['reveal_vote (last)'] = cost(await estimateReveal(dao, jurors[last].address, caseId, choice(last), salt(last)));
  await revealVote(dao, jurors[last], caseId, choice(last), salt(last));
  const revealed = (await dryRun(dao, a.address, 'case', [caseId])).value!;
  if (revealed.roundInfo.reveals !== jurors.length) throw new Error(`case #${caseId}: ${revealed.roundInfo.reveals} reveals, expected ${jurors.length}`);

  await until(revealed.phaseEnds);
  rows['execute_ruling'] = cost(await dryRun(dao, a.address, 'executeRuling', [caseId]));
  await send(dao, a, 'executeRuling', [caseId]);
  rows['settle_vote (coherent: reward)'] = cost(await dryRun(dao, a.address, 'settleVote', [caseId, 0, jurors[0].address]));
  rows['settle_vote (incoherent: penalty)'] = cost(await dryRun(dao, a.address, 'settleVote', [caseId, 0, jurors[last].address]));
  const pending = (await dryRun(dao, jurors[0].address, 'votesOf', [jurors[0].address, 0n, 10])).value.items.find((v) => v.case === caseId)?.pending;
  if (!pending || pending[0] !== 'Coherent' || pending[2] === 0n) throw new Error(`case #${caseId}: the first juror should be owed a reward`);
  rows['case (view)'] = cost(await dryRun(dao, a.address, 'case', [caseId]));
  rows['member (view)'] = cost(await dryRun(dao, a.address, 'member', [jurors[0].address]));
  rows['totals (view)'] = cost(await dryRun(dao, a.address, 'totals', []));

  const p = (await dryRun(dao, a.address, 'proposal', [proposalId])).value!;
  await until(p.eta);
  rows['execute_proposal (SetFee)'] = cost(await dryRun(dao, a.address, 'executeProposal', [proposalId]));
  return rows;
}

/** Funds `signers` with native currency and MMT from Alice, and has each approve the DAO (and stake, unless `stake` is false). */
async function enrol(market: Market, alice: Signer, signers: Signer[], stake: boolean): Promise<void> {
  const { dao, token, client } = market;
  for (const s of signers) {
    await client.tx.balances.transferKeepAlive(s.address, 10n * UNIT).signAndSend(alice.pair!).untilBestChainBlockIncluded();
    await send(token, alice, 'psp22Transfer', [s.address, STAKE + UNIT, '0x']);
  }
  await inParallel(signers, PARALLEL, async (s) => {
    await send(token, s, 'psp22Approve', [dao.address, STAKE + UNIT]);
    if (stake) await send(dao, s, 'stake', [STAKE]);
  });
}

/** The DAO with a case of 3 jurors and a proposal 3 members voted on, then the same with 100. */
async function benchDao(market: Market, who: Record<DevName, Signer>): Promise<DaoBench> {
  const started = Date.now();
  const jurors: Signer[] = [];
  for (let i = 1; i <= JURORS + 1; i++) jurors.push(await signerFromUri(`//Juror${i}`, `Juror${i}`));
  const fresh = jurors.pop()!; // approves, never stakes: measures a first stake
  await enrol(market, who.Alice, jurors.slice(0, FEW), true);
  await enrol(market, who.Alice, [fresh], false);
  process.stdout.write(`bench: DAO: a case and a proposal with ${FEW} jurors `);
  const small = await daoRound(market, who, jurors.slice(0, FEW), fresh, who.Ferdie);
  console.log('');
  process.stdout.write(`bench: DAO: enrolling ${JURORS - FEW} more jurors (funding, approve, stake) `);
  await enrol(market, who.Alice, jurors.slice(FEW), true);
  console.log('');
  process.stdout.write(`bench: DAO: a case and a proposal with ${JURORS} jurors `);
  const large = await daoRound(market, who, jurors, fresh, who.Ferdie);
  console.log('');
  return {
    small,
    large,
    json: {
      params: DAO_PARAMS,
      voters: { small: FEW, large: JURORS },
      members: { small: FEW, large: JURORS },
      weights: weightsJson(small, large),
      seconds: Math.round((Date.now() - started) / 1000),
    },
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const url = arg('url', 'ws://127.0.0.1:9977');
  const out = arg('out', join(ROOT, 'bench/results.json'));
  const sizes: Record<string, number> = {};
  // Read before deploying, from the files deploy reads. Weights and sizes depend on the
  // build: a debug build (what e2e tests leave in target/ink) is larger and costs more
  // than the release build `make bench` makes first.
  const modes: Record<string, string> = {};
  for (const name of ['market_token', 'model_registry', 'escrow', 'compute_market', 'dispute_dao'] as const) {
    const bundle = bundlePath(name);
    if (!existsSync(bundle)) continue;
    const b = JSON.parse(readFileSync(bundle, 'utf8')) as { source: { wasm: string; build_info?: { build_mode?: string } } };
    sizes[name] = (b.source.wasm.length - 2) / 2;
    modes[name] = b.source.build_info?.build_mode ?? 'unknown';
  }
  const who = await devSigners();
  const { market } = await deploy({
    url,
    network: 'bench',
    fresh: true,
    treasury: who.Charlie.address,
    hourMs: HOUR_MS,
    daoPeriods: 'short',
    daoParams: DAO_PARAMS,
    log: () => undefined,
  });
  const vault: Vault = market.vault;
  const deadline = (await chainNow(market.client)) + 86_400_000n;
  const terms = {
    payee: who.Bob.address,
    asset: { type: 'Native' as const },
    amount: AMOUNT,
    deliveryDeadline: deadline,
    reviewWindowMs: 60_000n,
    royalties: [{ receiver: who.Charlie.address, bps: 500 }],
    context: 0n,
    collateral: undefined,
  };
  const open = (s: Signer) => send(vault, s, 'escrowVaultOpenOrder', [s.address, terms], { value: AMOUNT });

  const measure = async (newest: bigint): Promise<Record<string, Row>> => {
    const rows: Record<string, Row> = {};
    const a = who.Alice.address;
    rows['open_order (native)'] = cost(await dryRun(vault, a, 'escrowVaultOpenOrder', [a, terms], { value: AMOUNT }));
    rows['deliver'] = cost(await dryRun(vault, who.Bob.address, 'deliver', [newest, `0x${'11'.repeat(32)}`]));
    rows['release'] = cost(await dryRun(vault, a, 'escrowVaultRelease', [newest]));
    const bond = (await dryRun(vault, a, 'requiredBond', [newest])).value;
    rows['dispute'] = cost(await dryRun(vault, a, 'dispute', [newest], { value: typeof bond === 'bigint' ? bond : 0n }));
    rows['escrow (view)'] = cost(await dryRun(vault, a, 'vaultArbiterEscrow', [newest]));
    // A page of one, so both runs read the same amount: the cost per page must not
    // depend on how long the party's list is.
    rows['open_escrows, page of 1 (view)'] = cost(await dryRun(vault, a, 'openEscrows', [a, 0n, 1]));
    rows['reserves (view)'] = cost(await dryRun(vault, a, 'reserves', [{ type: 'Native' }]));
    return rows;
  };

  await open(who.Alice);
  const smallN = (await dryRun(vault, who.Alice.address, 'escrowCount', [])).value;
  const small = await measure(smallN);
  // withdraw needs a credit: release a second escrow, so Bob has one.
  await open(who.Alice);
  await send(vault, who.Alice, 'escrowVaultRelease', [2n]);
  small['withdraw (measured with 2)'] = cost(await dryRun(vault, who.Bob.address, 'escrowVaultWithdraw', [{ type: 'Native' }]));

  process.stdout.write(`bench: opening escrows up to ${TARGET} (one transaction each) `);
  for (let i = 2; i < TARGET; i++) {
    await open(who.Alice);
    if (i % 25 === 0) process.stdout.write('.');
  }
  console.log('');
  const bigN = (await dryRun(vault, who.Alice.address, 'escrowCount', [])).value;
  const big = await measure(bigN);
  big['withdraw (measured with 2)'] = cost(await dryRun(vault, who.Bob.address, 'escrowVaultWithdraw', [{ type: 'Native' }]));
  const openCount = (await dryRun(vault, who.Alice.address, 'openEscrowCount', [who.Alice.address])).value;

  const registryBench = await benchRegistry(market, who);
  const computeBench = await benchCompute(market, who);
  const daoBench = await benchDao(market, who);
  await market.client.disconnect();

  // One call of each message, and the hop probe, on a deployment of their own.
  console.log('bench: one call of each message, and the hop probe, on a fresh deployment');
  const limits = limitsFromJson(JSON.parse(readFileSync(arg('limits', join(ROOT, 'bench/block-limits.json')), 'utf8')) as Record<string, unknown>);
  const { market: fresh } = await deploy({
    url,
    network: 'bench-messages',
    fresh: true,
    treasury: who.Ferdie.address,
    hourMs: MESSAGE_HOUR_MS,
    daoPeriods: 'short',
    daoParams: MESSAGE_DAO_PARAMS,
    log: () => undefined,
  });
  const messages = await measureMessages(fresh, who);
  const hops = await measureHops(fresh, who.Alice);
  await fresh.client.disconnect();
  const messagesJson = messagesToJson(limits, messages.reference, messages.rows);

  const seconds = (Date.now() - started) / 1000;
  const result = {
    node: url,
    escrows: { small: Number(smallN), large: Number(bigN), open_for_alice_at_large: Number(openCount) },
    weights: weightsJson(small, big),
    registry: registryBench.json,
    compute: computeBench.json,
    dao: daoBench.json,
    block_limits: limitsToJson(limits),
    messages: messagesJson,
    hops: JSON.parse(JSON.stringify(hops, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))) as unknown,
    // Where the code size goes (scripts/twiggy.sh, run by bench.sh before this).
    ...(existsSync(join(ROOT, 'bench/twiggy.json')) ? { twiggy: JSON.parse(readFileSync(join(ROOT, 'bench/twiggy.json'), 'utf8')) as unknown } : {}),
    wasm_bytes: sizes,
    build_mode: modes,
    run_seconds: Math.round(seconds),
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  console.log(`\nDry-run weight of each vault message with ${smallN} and with ${bigN} escrows (${openCount} open for the same payer):\n`);
  printTable(small, big, Number(smallN), Number(bigN));
  const rc = registryBench.json.counts;
  console.log(
    `\nDry-run weight of each registry message with ${rc.small.models} model and ${rc.small.licenses} license, and with ` +
      `${rc.large.models} models (one owner, one tag) and ${rc.large.licenses} licenses (one buyer, one model):\n`,
  );
  printTable(registryBench.small, registryBench.large, rc.small.models, rc.large.models);
  const c = computeBench.json.counts;
  console.log(
    `\nDry-run weight of each compute-market message with ${c.small.offers} offer and ${c.small.rentals} rental, and with ` +
      `${c.large.offers} offers (one provider, region and GPU model) and ${c.large.rentals} rentals (one renter, ` +
      `${c.large.open_rentals_of_offer} open on the newest offer); "end" cursors are len − page (len − ${MAX_SCAN} for a full scan):\n`,
  );
  const items = computeBench.json.items;
  printTable(computeBench.small, computeBench.large, c.small.offers, c.large.offers, (k) =>
    items[k] ? `${items[k].with_small} → ${items[k].with_large} items` : '',
  );
  console.log(
    `\n  A page's cost follows the index entries it examines (at most ${MAX_SCAN}) and the items it returns (at most ${MAX_PAGE}),\n` +
      `  not the length of the index: with ${TARGET}, a page from the end costs what the same page from 0 costs.`,
  );
  console.log(
    `\nDry-run weight of each DAO message with a case of ${FEW} and of ${JURORS} jurors, and a proposal ${FEW} and ${JURORS} members voted on ` +
      `(${daoBench.json.members.small} and ${daoBench.json.members.large} members staked); "first"/"last": before any other juror's vote, after all of them:\n`,
  );
  printTable(daoBench.small, daoBench.large, FEW, JURORS);
  console.log(
    '\n  No DAO message loops over jurors, voters or members: execute_ruling fixes the pool from per-choice totals, and each\n' +
      '  vote settles on its own. open_case and propose read the total stake before a block (the vault dispute\'s, the\n' +
      '  proposal\'s) by a binary search over the stake history (one checkpoint per block that changed it: 3 in the first\n' +
      '  run, 103 in the second), so they grow with its logarithm only.',
  );
  console.log(
    `\nOne call of each message: gas_required as a multiple of the reference (${messagesJson.reference.name}: ` +
      `${messages.reference.refTime.toLocaleString('en-US')} ref_time, ${messages.reference.proofSize.toLocaleString('en-US')} proof_size), and how many ` +
      `fit in one block of ${limits.specName} (normal class: ${limits.normalMaxTotal.refTime.toLocaleString('en-US')} ref_time, ${limits.normalMaxTotal.proofSize.toLocaleString('en-US')} proof_size):\n`,
  );
  const mw = Math.max(...messagesJson.rows.map((r) => r.name.length));
  console.log(`  ${'message'.padEnd(mw)}  ${'×ref'.padStart(6)} ${'×proof'.padStart(7)}  target  ${'per block'.padStart(9)}  binding`);
  for (const r of [messagesJson.reference, ...messagesJson.rows]) {
    const fit = r.per_block ? `${r.per_block.sent}–${r.per_block.charged}`.padStart(9) + `  ${r.per_block.binding}` : '';
    console.log(`  ${r.name.padEnd(mw)}  ${r.x_ref_time.toFixed(2).padStart(6)} ${r.x_proof_size.toFixed(2).padStart(7)}  ${(r.target ? `≤ ${r.target}×` : '').padEnd(6)}  ${fit}`.trimEnd());
  }
  console.log(
    `\nOne more contract entered: +${hops.perHop.refTime.toLocaleString('en-US')} ref_time, +${hops.perHop.proofSize.toLocaleString('en-US')} proof_size; ` +
      `1 KiB more code in a contract called: +${hops.perKiB.refTime.toLocaleString('en-US')} ref_time, +${hops.perKiB.proofSize.toLocaleString('en-US')} proof_size; ` +
      `one more storage cell read: +${hops.perRead.proofSize.toLocaleString('en-US')} proof_size, written: +${hops.perWrite.proofSize.toLocaleString('en-US')}`,
  );
  const debug = Object.entries(modes).filter(([, m]) => m !== 'Release');
  console.log(debug.length ? `\nContract sizes (NOT release builds: ${debug.map(([n, m]) => `${n} ${m}`).join(', ')}; weights above are theirs):` : '\nOptimized contract sizes:');
  for (const [name, size] of Object.entries(sizes)) console.log(`  ${name.padEnd(16)} ${size.toLocaleString('en-US').padStart(8)} bytes`);
  console.log(`\nbench: wrote ${out.replace(`${ROOT}/`, '')} (${seconds.toFixed(0)} s)`);
}

interface MessageJson {
  name: string;
  kind: string;
  contracts: string[];
  gas_required: [number, number];
  gas_consumed: [number, number];
  dispatch_weight: [number, number];
  storage_deposit: number;
  x_ref_time: number;
  x_proof_size: number;
  /** The cost issue's target (× the reference); none for the reference itself. */
  target?: number;
  per_block?: { sent: number; charged: number; binding: string };
}

/** Each message's figures, its ratios to the reference and how many fit in one block. */
function messagesToJson(limits: BlockLimits, reference: MessageCost, rows: MessageCost[]): { reference: MessageJson; rows: MessageJson[] } {
  const one = (r: MessageCost, isReference: boolean): MessageJson => {
    const [xr, xp] = ratios(reference, r);
    const fit = r.kind === 'message' ? fitOf(limits, r) : undefined;
    return {
      name: r.name,
      kind: r.kind,
      contracts: r.contracts,
      gas_required: [Number(r.refTime), Number(r.proofSize)],
      gas_consumed: [Number(r.consumedRefTime), Number(r.consumedProofSize)],
      dispatch_weight: [Number(r.dispatchRefTime), Number(r.dispatchProofSize)],
      storage_deposit: Number(r.deposit),
      x_ref_time: Math.round(xr * 100) / 100,
      x_proof_size: Math.round(xp * 100) / 100,
      ...(isReference ? {} : { target: target(r) }),
      ...(fit ? { per_block: fit } : {}),
    };
  };
  return { reference: one(reference, true), rows: rows.map((r) => one(r, false)) };
}

function weightsJson(small: Rows, big: Rows): Record<string, { with_small: number[]; with_large: number[] }> {
  const weights: Record<string, { with_small: number[]; with_large: number[] }> = {};
  for (const k of Object.keys(small)) {
    weights[k] = { with_small: small[k].map(Number), with_large: big[k].map(Number) };
  }
  return weights;
}

function printTable(small: Rows, big: Rows, smallN: number, bigN: number, note: (k: string) => string = () => ''): void {
  const h = (s: string, w: number) => s.padStart(w);
  const width = Math.max(32, ...Object.keys(small).map((k) => k.length));
  console.log(`  ${'message'.padEnd(width)} ${h(`ref_time @${smallN}`, 16)} ${h(`ref_time @${bigN}`, 16)} ${h('change', 9)}   ${h(`proof_size @${smallN}`, 16)} ${h(`@${bigN}`, 9)}`);
  for (const k of Object.keys(small)) {
    const [r1, p1] = small[k];
    const [r2, p2] = big[k];
    const change = r1 ? (Number(r2 - r1) / Number(r1)) * 100 : 0;
    const sign = change >= 0 ? '+' : '';
    console.log(`  ${k.padEnd(width)} ${h(r1.toLocaleString('en-US'), 16)} ${h(r2.toLocaleString('en-US'), 16)} ${h(`${sign}${change.toFixed(2)}%`, 9)}   ${h(p1.toLocaleString('en-US'), 16)} ${h(p2.toLocaleString('en-US'), 9)}   ${note(k)}`.trimEnd());
  }
}

main().catch((err: unknown) => {
  console.error(`bench: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
