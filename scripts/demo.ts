/**
 * The marketplace scenario `make demo` runs (scripts/demo.sh starts a fresh node and
 * calls this). Everything goes through the typed client in client/src: each call is
 * dry-run first, refused calls come back as typed errors, and every money movement is
 * checked to the last unit.
 *
 *   npx tsx scripts/demo.ts [--url ws://127.0.0.1:9955] [--network demo]
 *
 * `--network` names the deployment file (deployments/<network>.json); the indexer's
 * test runs the scenario under its own name.
 *
 * Actors (the dev chain's well-known accounts):
 *   Alice   deployer, holds the MMT supply; admin and arbiter until she hands both roles
 *           to the dispute DAO (step 3), then funds the DAO's reward reserve
 *   Bob     author of a base model, GPU provider
 *   Dave    author of a fine-tune of Bob's model, paying Bob a 5 % royalty on each sale;
 *           juror
 *   Charlie auditor who attests the fine-tune; juror and proposer
 *   Eve     buyer of licenses (native currency, then the MMT token), GPU renter
 *   Ferdie  treasury of the vault (the platform fee); juror, outvoted
 *
 * Bob also runs GPUs: he publishes an offer on the compute market (collateral locked in
 * the vault), Eve rents two of them, Bob starts and claims, Eve ends early. On this demo
 * chain a rental "hour" lasts HOUR_MS (2 s), and the DAO's cases and proposals take
 * seconds (commit 4 s, reveal 4 s, appeal 3 s; voting 6 s, timelock 4 s): periods are
 * deployment parameters.
 *
 * The dispute DAO: Charlie, Dave and Ferdie stake MMT; Eve rents again and disputes the
 * rental at the vault, then opens a case with her evidence, paying the case fee into the
 * reward reserve (approve the DAO, open); the jurors commit hidden votes (hashed here,
 * with commitmentOf), a reveal tried during the commit phase is refused by the client
 * before anything leaves it (it would publish the vote), they reveal in the reveal
 * phase through the client's guarded `revealVote` (Ferdie against the majority),
 * and once the case is final anyone executes the ruling: the vault splits the frozen
 * stream and slashes Bob's collateral to Eve; each vote is settled (rewards, the
 * outvoted juror's penalty). Then governance: Charlie proposes a 3 % fee, the members
 * vote, an early execution is refused by the timelock, a later one goes through, and
 * the next license purchase pays the new fee to the treasury.
 *
 * Exits non-zero naming the step that failed.
 */
import { blake2_256, stringToU8a, u8aToHex } from 'dedot/utils';
import {
  chainNow,
  choiceLabel,
  commitmentOf,
  devSigners,
  dryRun,
  formatUnits,
  freeBalance,
  paidBy,
  quorumMet,
  quorumNeeded,
  randomSalt,
  Refused,
  revealVote,
  RevealOutsidePhase,
  send,
  short,
  tick,
  type DevName,
  type Market,
  type Signer,
} from '../client/src/index.js';
import { deploy, handOver, roles } from './deploy.js';

const UNIT = 10n ** 12n; // native UNIT and MMT both have 12 decimals
const DAY_MS = 86_400_000n;
/** A rental "hour" on the demo chain. */
const HOUR_MS = 2_000;
const FEE_BPS = 250n;
const ROYALTY_BPS = 500n;
/** The platform fee the DAO votes in. */
const NEW_FEE_BPS = 300n;
const BPS = 10_000n;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class StepFailed extends Error {}

function check(condition: boolean, what: string): void {
  if (!condition) throw new StepFailed(what);
}

function eq(actual: bigint, expected: bigint, what: string): void {
  if (actual !== expected) throw new StepFailed(`${what}: expected ${expected}, got ${actual}`);
}

const u = (v: bigint) => formatUnits(v, 12);
const bpsText = (v: bigint) => `${(Number(v) / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;

async function main(): Promise<void> {
  const url = process.argv.includes('--url') ? process.argv[process.argv.indexOf('--url') + 1] : 'ws://127.0.0.1:9955';
  const network = process.argv.includes('--network') ? process.argv[process.argv.indexOf('--network') + 1] : 'demo';
  const who = await devSigners();
  const names = new Map<string, DevName>(Object.entries(who).map(([n, s]) => [s.address, n as DevName]));
  let m!: Market;
  let n = 0;
  const TOTAL = 29;
  const step = async (title: string, body: () => Promise<string | void>) => {
    n += 1;
    const started = Date.now();
    process.stdout.write(`demo: [${String(n).padStart(2)}/${TOTAL}] ${title} ... `);
    try {
      const note = await body();
      console.log(`ok (${((Date.now() - started) / 1000).toFixed(1)} s)${note ? `\n         ${note}` : ''}`);
    } catch (err) {
      console.log('FAILED');
      throw new Error(`step ${n} "${title}": ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const deployLines: string[] = [];
  const startBalances = new Map<string, bigint>();
  await step('deploy and wire market_token, escrow, model_registry, compute_market, dispute_dao', async () => {
    // keepAdmin: Alice's admin steps come first; step 3 hands the roles to the DAO.
    const d = await deploy({ url, network, fresh: true, treasury: who.Ferdie.address, hourMs: HOUR_MS, keepAdmin: true, log: (l) => deployLines.push(l) });
    for (const s of Object.values(who)) startBalances.set(s.address, await freeBalance(d.market.client, s.address));
    m = d.market;
    return deployLines.filter((l) => l.includes('instantiated')).join('\n         ');
  });
  const { registry, vault, token, compute, dao } = m;
  const mmt = { type: 'Psp22' as const, value: token.address };
  const native = { type: 'Native' as const };
  const mmtOf = async (s: Signer) => (await dryRun(token, s.address, 'psp22BalanceOf', [s.address])).value;
  const creditOf = async (s: Signer, asset: typeof native | typeof mmt = native) => (await dryRun(vault, s.address, 'creditOf', [s.address, asset])).value;
  const member = async (s: Signer) => (await dryRun(dao, s.address, 'member', [s.address])).value;
  const nonce = async (s: Signer) => (await m.client.query.system.account(s.address)).nonce;
  /** Seals blocks until the chain's clock (the best block's time) reaches `at`. */
  const untilChainTime = async (at: bigint) => {
    for (;;) {
      const now = await chainNow(m.client);
      if (now >= at) return;
      await sleep(Math.min(1_000, Number(at - now) + 50));
      await tick(m.client, who.Alice);
    }
  };
  /** Expects `call` to be refused with `code` before anything is signed. */
  const refusedWith = async (code: string, signer: Signer, call: () => Promise<unknown>): Promise<Refused> => {
    const before = await nonce(signer);
    const res = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    check(res instanceof Refused && res.code === code, `expected ${code}, got ${res instanceof Error ? res.message : 'success'}`);
    check((await nonce(signer)) === before, `${signer.name} sent nothing (nonce unchanged)`);
    return res as Refused;
  };

  await step('Alice makes Charlie an auditor; demo periods: 1 day to deliver, 1 h to review', async () => {
    await send(registry, who.Alice, 'registryAdminSetAuditor', [who.Charlie.address, true]);
    await send(registry, who.Alice, 'registryAdminSetPurchasePeriods', [DAY_MS, 3_600_000n]);
  });

  await step("Alice hands the vault's arbiter and the registry's and market's admin to the DAO (propose, then the DAO accepts)", async () => {
    await handOver(m, who.Alice, () => undefined);
    const now = await roles(m, who.Alice.address);
    for (const [target, r] of Object.entries(now)) check(r.holder === dao.address && r.pending === undefined, `${target}: the DAO holds the role`);
    const refused = await refusedWith('NotAdmin', who.Alice, () => send(registry, who.Alice, 'registryAdminSetAuditor', [who.Eve.address, true]));
    return `DAO ${short(dao.address)} is the vault's arbiter and the registry's and market's admin; Alice's RegistryAdmin::set_auditor now: "${refused.plain}"`;
  });

  let base = 0n;
  let child = 0n;
  await step('Bob lists llama-mini 1.0.0; Dave lists the fine-tune llama-mini-chat 0.3.1 (5 % royalty to Bob)', async () => {
    base = (await send(registry, who.Bob, 'registerModel', ['llama-mini', 'ipfs://bafybeibasemodelcard', `0x${'11'.repeat(32)}`, { major: 1, minor: 0, patch: 0 }, undefined, 0, ['llm']])).value;
    child = (await send(registry, who.Dave, 'registerModel', ['llama-mini-chat', 'ipfs://bafybeichatmodelcard', `0x${'22'.repeat(32)}`, { major: 0, minor: 3, patch: 1 }, base, Number(ROYALTY_BPS), ['llm', 'chat']])).value;
    const model = (await dryRun(registry, who.Alice.address, 'model', [child])).value;
    check(model !== undefined && model.parent === base && model.royaltyBps === Number(ROYALTY_BPS), 'fine-tune lineage reads back');
    return `model #${base} (Bob) ← fine-tune #${child} (Dave)`;
  });

  await step('Dave offers a perpetual license for 25 UNIT and 1,000 metered calls for 40 MMT; Charlie attests for 30 days', async () => {
    await send(registry, who.Dave, 'addOffer', [child, { type: 'Perpetual' }, 25n * UNIT, native]);
    await send(registry, who.Dave, 'addOffer', [child, { type: 'Metered', value: 1_000n }, 40n * UNIT, mmt]);
    const expires = (await chainNow(m.client)) + 30n * DAY_MS;
    await send(registry, who.Charlie, 'attest', [child, `0x${'33'.repeat(32)}`, expires]);
    check((await dryRun(registry, who.Alice.address, 'isAttestationValid', [child, who.Charlie.address])).value, 'attestation valid');
  });

  await step('a stale offer version is refused before anything is signed (OfferChanged)', async () => {
    try {
      await send(registry, who.Eve, 'purchaseLicense', [child, 0, 99], { value: 25n * UNIT });
    } catch (err) {
      check(err instanceof Refused && err.code === 'OfferChanged', `expected OfferChanged, got ${String(err)}`);
      return `"${(err as Refused).plain}"`;
    }
    throw new StepFailed('a purchase at a wrong offer version went through');
  });

  const price = 25n * UNIT;
  const fee = (price * FEE_BPS) / 10_000n;
  const royalty = (price * ROYALTY_BPS) / 10_000n;
  let nativeLicense = 0n;
  await step('Eve buys the perpetual license for 25 UNIT; Dave delivers; Eve releases it', async () => {
    const before = await freeBalance(m.client, who.Eve.address);
    const offer = (await dryRun(registry, who.Eve.address, 'offer', [child, 0])).value;
    check(offer !== undefined, 'offer 0 exists');
    const bought = await send(registry, who.Eve, 'purchaseLicense', [child, 0, offer!.version], { value: price });
    nativeLicense = bought.value;
    const paid = paidBy(bought.events, who.Eve.address);
    eq(before - (await freeBalance(m.client, who.Eve.address)), price + paid.fee + paid.storageDeposit, "Eve pays the price, the fee and the storage deposit, nothing more");
    check(!(await dryRun(registry, who.Eve.address, 'hasValidLicense', [who.Eve.address, child])).value, 'not valid before release');
    const lic = (await dryRun(registry, who.Eve.address, 'license', [nativeLicense])).value!;
    await send(vault, who.Dave, 'deliver', [lic.escrowId, `0x${'44'.repeat(32)}`]);
    await send(registry, who.Eve, 'releaseLicense', [nativeLicense]);
    check((await dryRun(registry, who.Eve.address, 'hasValidLicense', [who.Eve.address, child])).value, 'valid after release');
    eq((await dryRun(vault, who.Alice.address, 'creditOf', [who.Ferdie.address, native])).value, fee, 'treasury fee 2.5 %');
    eq((await dryRun(vault, who.Alice.address, 'creditOf', [who.Bob.address, native])).value, royalty, 'royalty 5 % to Bob');
    eq((await dryRun(vault, who.Alice.address, 'creditOf', [who.Dave.address, native])).value, price - fee - royalty, 'seller gets the rest');
    return `license #${nativeLicense}: Dave ${u(price - fee - royalty)} + Bob ${u(royalty)} + treasury ${u(fee)} = ${u(price)} UNIT`;
  });

  const tprice = 40n * UNIT;
  await step('Alice sends Eve 100 MMT; Eve approves the registry and buys 1,000 metered calls for 40 MMT; released', async () => {
    await send(token, who.Alice, 'psp22Transfer', [who.Eve.address, 100n * UNIT, '0x']);
    await send(token, who.Eve, 'psp22Approve', [registry.address, tprice]);
    const offer = (await dryRun(registry, who.Eve.address, 'offer', [child, 1])).value!;
    const lic = (await send(registry, who.Eve, 'purchaseLicense', [child, 1, offer.version])).value;
    eq((await dryRun(token, who.Eve.address, 'psp22BalanceOf', [who.Eve.address])).value, 60n * UNIT, "Eve's MMT after paying");
    eq((await dryRun(token, who.Eve.address, 'psp22Allowance', [who.Eve.address, registry.address])).value, 0n, 'approval used up exactly');
    const escrowId = (await dryRun(registry, who.Eve.address, 'license', [lic])).value!.escrowId;
    await send(vault, who.Dave, 'deliver', [escrowId, `0x${'55'.repeat(32)}`]);
    await send(registry, who.Eve, 'releaseLicense', [lic]);
    const tfee = (tprice * FEE_BPS) / 10_000n;
    const troy = (tprice * ROYALTY_BPS) / 10_000n;
    eq((await dryRun(vault, who.Alice.address, 'creditOf', [who.Dave.address, mmt])).value, tprice - tfee - troy, "Dave's MMT credit");
    return `license #${lic}`;
  });

  await step("Dave's gateway counts 120 of Eve's calls; Eve rates the model 5 stars", async () => {
    const left = (await send(registry, who.Dave, 'consumeUnits', [who.Eve.address, child, 120n])).value;
    eq(left, 880n, 'calls left');
    await send(registry, who.Eve, 'rateModel', [child, 5]);
    eq(BigInt((await dryRun(registry, who.Eve.address, 'averageRatingX100', [child])).value ?? 0), 500n, 'average rating ×100');
  });

  await step('Dave publishes weights 0.4.0 and reprices the perpetual offer; a buyer holding version 1 is refused', async () => {
    await send(registry, who.Dave, 'publishVersion', [child, { major: 0, minor: 4, patch: 0 }, `0x${'66'.repeat(32)}`, 'ipfs://bafybeichatmodelcard-v040']);
    await send(registry, who.Dave, 'updateOffer', [child, 0, { type: 'Perpetual' }, 30n * UNIT, native]);
    const res = await dryRun(registry, who.Bob.address, 'purchaseLicense', [child, 0, 1], { value: 25n * UNIT }).catch((e: unknown) => e);
    check(res instanceof Refused && res.code === 'OfferChanged', 'old terms refused after a price change');
  });

  // ---- GPU compute ----------------------------------------------------------------
  const gpuPrice = UNIT / 2n; // 0.5 UNIT per GPU-hour
  const capacity = 4;
  const maxHours = 10;
  const collateral = gpuPrice * BigInt(capacity) * BigInt(maxHours); // ratio 100 %
  let offerId = 0n;
  await step(`Bob publishes 4 × A100-80GB in eu-west at 0.5 UNIT per GPU-hour; ${u(collateral)} UNIT collateral locked; Charlie attests the specs`, async () => {
    const before = (await dryRun(vault, who.Alice.address, 'reserves', [native])).value.owed;
    offerId = (await send(compute, who.Bob, 'publishOffer', ['A100-80GB', 80, capacity, 'eu-west', gpuPrice, 1, maxHours, native, `0x${'77'.repeat(32)}`, 60_000n], { value: collateral })).value;
    const after = (await dryRun(vault, who.Alice.address, 'reserves', [native])).value.owed;
    eq(after - before, collateral, 'the vault holds the collateral');
    const expires = (await chainNow(m.client)) + 30n * DAY_MS;
    await send(compute, who.Charlie, 'attestOffer', [offerId, `0x${'88'.repeat(32)}`, expires]);
    const view = (await dryRun(compute, who.Eve.address, 'offer', [offerId])).value;
    check(view !== undefined && view.freeGpus === capacity && view.attestation !== undefined, 'offer view with free GPUs and attestation');
    const found = (await dryRun(compute, who.Eve.address, 'offersByRegion', ['eu-west', 0n, 10, UNIT, 40])).value;
    check(found.items.some((v) => v.offerId === offerId), 'found by region under 1 UNIT/h with ≥ 40 GB');
    return `offer #${offerId}: collateral ${u(collateral)} UNIT = price × capacity × max hours × 100 %`;
  });

  await step('Eve asks for 5 GPUs: refused before signing (CapacityExceeded)', async () => {
    const res = await dryRun(compute, who.Eve.address, 'rent', [offerId, 5, 2, 1], { value: gpuPrice * 10n }).catch((e: unknown) => e);
    check(res instanceof Refused && res.code === 'CapacityExceeded', `expected CapacityExceeded, got ${String(res)}`);
    return `"${(res as Refused).plain}"`;
  });

  let rentalId = 0n;
  let escrowId = 0n;
  const rentCost = gpuPrice * 2n * 4n;
  await step('Eve rents 2 GPUs for 4 h (4 UNIT prepaid into the vault); Bob starts the rental', async () => {
    const offer = (await dryRun(compute, who.Eve.address, 'offer', [offerId])).value!;
    rentalId = (await send(compute, who.Eve, 'rent', [offerId, 2, 4, offer.offer.version], { value: rentCost })).value;
    const rental = (await dryRun(compute, who.Eve.address, 'rental', [rentalId])).value!;
    escrowId = rental.escrowId;
    eq(rental.paid, rentCost, 'prepaid price × GPUs × hours');
    check((await dryRun(compute, who.Eve.address, 'offer', [offerId])).value!.freeGpus === capacity - 2, '2 GPUs in use');
    await send(compute, who.Bob, 'start', [rentalId, `0x${'99'.repeat(32)}`]);
    return `rental #${rentalId}, stream #${escrowId}: accrues 0.5 UNIT per GPU-hour for 8 s`;
  });

  let claimed = 0n;
  await step('3 s later Bob claims what accrued; Eve ends the rental early and gets the unused time back', async () => {
    await new Promise((r) => setTimeout(r, 3_000));
    // The dev node seals a block per transaction and a dry-run sees the last block's
    // time: seal one first so the claim's dry-run sees what accrued.
    await tick(m.client, who.Alice);
    const claim = await send(vault, who.Bob, 'claim', [escrowId]);
    const rental = (await dryRun(compute, who.Eve.address, 'rental', [rentalId])).value!;
    const claimedEvent = vault.events.StreamClaimed.find(claim.events);
    check(claimedEvent !== undefined, 'StreamClaimed emitted');
    claimed = claimedEvent!.data.gross;
    const at = await chainNow(m.client);
    const elapsed = at - rental.startedAt!;
    eq(claimed, (rentCost * elapsed) / (4n * BigInt(HOUR_MS)), 'claimed = prepaid × elapsed / duration');
    const evePaid = await freeBalance(m.client, who.Eve.address);
    const stop = await send(compute, who.Eve, 'endEarly', [rentalId]);
    const settled = vault.events.EscrowSettled.find(stop.events)!.data;
    eq(claimed + settled.toPayee + settled.fee + settled.royalties + settled.refund, rentCost, 'claimed + paid at the end + refund = prepaid');
    eq((await dryRun(vault, who.Eve.address, 'creditOf', [who.Eve.address, native])).value, settled.refund, "Eve's refund is credited");
    check((await dryRun(compute, who.Eve.address, 'offer', [offerId])).value!.freeGpus === capacity, 'GPUs back');
    const rep = (await dryRun(compute, who.Eve.address, 'reputation', [who.Bob.address])).value;
    void evePaid;
    const fees = claimedEvent!.data.fee + settled.fee;
    return `Bob earned ${u(claimed + settled.toPayee + settled.fee)} UNIT for ~3.3 s of 2 GPUs (platform fee ${u(fees)} of it), Eve gets ${u(settled.refund)} UNIT back; Bob's reputation: ${rep.endedEarly} ended early`;
  });

  // ---- the dispute DAO: a jury rules on a GPU rental ----------------------------------
  const MMT = UNIT; // 12 decimals too
  const jurors = [
    { s: who.Charlie, stake: 300n * MMT, choice: 7 },
    { s: who.Dave, stake: 200n * MMT, choice: 7 },
    { s: who.Ferdie, stake: 100n * MMT, choice: 4 },
  ];
  const reserveFunding = 50n * MMT;
  const cfg = (await dryRun(dao, who.Alice.address, 'config', [])).value;
  await step(`Charlie, Dave and Ferdie stake 300, 200 and 100 MMT in the DAO; Alice funds the jurors' reward reserve with ${u(reserveFunding)} MMT`, async () => {
    for (const j of jurors) {
      await send(token, who.Alice, 'psp22Transfer', [j.s.address, j.stake, '0x']);
      await send(token, j.s, 'psp22Approve', [dao.address, j.stake]);
      await send(dao, j.s, 'stake', [j.stake]);
      eq((await member(j.s)).staked, j.stake, `${j.s.name}'s stake`);
    }
    await send(token, who.Alice, 'psp22Approve', [dao.address, reserveFunding]);
    await send(dao, who.Alice, 'fundRewards', [reserveFunding]);
    const [staked, reserve, owed] = (await dryRun(dao, who.Alice.address, 'totals', [])).value;
    eq(staked, 600n * MMT, 'total staked');
    eq(reserve, reserveFunding, 'reward reserve');
    eq(owed, staked + reserve, 'the DAO owes the stakes and the reserve');
    eq((await dryRun(token, dao.address, 'psp22BalanceOf', [dao.address])).value, owed, "the DAO's MMT balance");
    const j = cfg.jury;
    return (
      `jury: commit ${Number(j.commitMs) / 1000} s, reveal ${Number(j.revealMs) / 1000} s, appeal ${Number(j.appealMs) / 1000} s, ${j.rounds} rounds, ` +
      `quorum ${Number(j.quorumBps) / 100} % of the stake but at most ${u(j.quorumCap)} MMT, from ≥ ${j.minJurors} jurors; ${Number(j.penaltyBps) / 100} % of a vote's weight at risk; ` +
      `a case costs its opener ${u(j.caseFee)} MMT and draws a ${u(j.jurorReward)} MMT reward`
    );
  });

  let disputedRental = 0n;
  let disputedEscrow = 0n;
  let caseId = 0n;
  let bond = 0n;
  const disputedCost = gpuPrice * 2n * 4n;
  await step('Eve rents 2 GPUs again and Bob starts; the GPUs do not answer: Eve disputes the stream at the vault (bond), approves the DAO for the case fee and opens a case with her evidence', async () => {
    const offer = (await dryRun(compute, who.Eve.address, 'offer', [offerId])).value!;
    disputedRental = (await send(compute, who.Eve, 'rent', [offerId, 2, 4, offer.offer.version], { value: disputedCost })).value;
    disputedEscrow = (await dryRun(compute, who.Eve.address, 'rental', [disputedRental])).value!.escrowId;
    await send(compute, who.Bob, 'start', [disputedRental, `0x${'aa'.repeat(32)}`]);
    bond = (await dryRun(vault, who.Eve.address, 'requiredBond', [disputedEscrow])).value!;
    eq(bond, (disputedCost * 500n + BPS - 1n) / BPS, 'bond = 5 % of what the stream holds, rounded up');
    await send(vault, who.Eve, 'dispute', [disputedEscrow], { value: bond });
    check((await dryRun(vault, who.Eve.address, 'vaultArbiterEscrow', [disputedEscrow])).value!.state === 'Disputed', 'the stream is frozen');
    // Opening a case costs the case fee in MMT, pulled by the DAO: without the approval
    // the dry-run refuses it and nothing is sent.
    const fee = cfg.jury.caseFee;
    await refusedWith('Token(InsufficientAllowance)', who.Eve, () => send(dao, who.Eve, 'openCase', [disputedEscrow, 'ipfs://bafybeievidence-gpus-unreachable']));
    const eveMmt = await mmtOf(who.Eve);
    const reserveBefore = (await dryRun(dao, who.Alice.address, 'totals', []))
      .value[1];
    await send(token, who.Eve, 'psp22Approve', [dao.address, fee]);
    const opened = await send(dao, who.Eve, 'openCase', [disputedEscrow, 'ipfs://bafybeievidence-gpus-unreachable']);
    caseId = opened.value;
    const event = dao.events.CaseOpened.find(opened.events)?.data;
    check(event !== undefined && event.fee === fee, 'CaseOpened names the fee Eve paid');
    eq(eveMmt - (await mmtOf(who.Eve)), fee, 'Eve pays the case fee in MMT, nothing more');
    eq((await dryRun(token, who.Eve.address, 'psp22Allowance', [who.Eve.address, dao.address])).value, 0n, 'approval used up exactly');
    const view = (await dryRun(dao, who.Eve.address, 'case', [caseId])).value!;
    check(view.phase === 'Commit', `case in its commit phase (${view.phase})`);
    eq(view.case.totalStake, 600n * MMT, 'the case snapshots 600 MMT of stake (before the block the vault dispute opened in)');
    eq(view.case.rewardReserved, cfg.jury.jurorReward, 'the case draws its reward from the reserve');
    eq(view.case.fee, fee, 'the case records its fee');
    const reserveAfter = (await dryRun(dao, who.Alice.address, 'totals', [])).value[1];
    eq(reserveAfter, reserveBefore + fee - cfg.jury.jurorReward, 'reserve + fee − reward');
    check(view.case.collateral !== undefined, "the case sees Bob's collateral (slash choices allowed)");
    return (
      `rental #${disputedRental} → stream #${disputedEscrow} frozen, bond ${u(bond)} UNIT; case #${caseId} opened by Eve (payer) against Bob (payee)\n` +
      `         case fee ${u(fee)} MMT into the reward reserve, reward ${u(cfg.jury.jurorReward)} MMT out of it: reserve ${u(reserveBefore)} → ${u(reserveAfter)} MMT`
    );
  });

  const salts = new Map<string, `0x${string}`>();
  await step('the jurors commit hidden votes (hash computed here with commitmentOf); Eve, a party, cannot vote', async () => {
    const lines: string[] = [];
    for (const j of jurors) {
      const salt = randomSalt();
      salts.set(j.s.address, salt);
      const commitment = commitmentOf(j.choice, salt, j.s.address, caseId, 0);
      const onChain = (await dryRun(dao, j.s.address, 'commitment', [j.choice, salt, j.s.address, caseId, 0])).value;
      check(onChain === commitment, `${j.s.name}: the local hash equals the contract's (${commitment} vs ${onChain})`);
      const weight = (await dryRun(dao, j.s.address, 'weightOnCase', [caseId, j.s.address])).value;
      eq(weight, j.stake, `${j.s.name}'s weight on the case`);
      await send(dao, j.s, 'commitVote', [caseId, commitment]);
      const risk = (j.stake * BigInt(cfg.jury.penaltyBps)) / BPS;
      const mem = await member(j.s);
      eq(mem.atRisk, risk, `${j.s.name}: ${cfg.jury.penaltyBps / 100} % of the weight at risk`);
      eq(mem.staked, j.stake - risk, `${j.s.name}: the risk left the stake`);
      lines.push(`${j.s.name} ${commitment.slice(0, 12)}… (${u(risk)} MMT at risk)`);
    }
    const refused = await refusedWith('PartyCannotVote', who.Eve, () => send(dao, who.Eve, 'commitVote', [caseId, `0x${'00'.repeat(32)}`]));
    return `${lines.join(', ')}\n         Eve: "${refused.plain}"`;
  });

  await step('Charlie tries to reveal during the commit phase: the client refuses before anything leaves it (a failed reveal would publish his vote)', async () => {
    const charlie = jurors[0];
    const before = await nonce(charlie.s);
    const res = await revealVote(dao, charlie.s, caseId, charlie.choice, salts.get(charlie.s.address)!).then(
      () => undefined,
      (e: unknown) => e,
    );
    check(res instanceof RevealOutsidePhase && res.phase === 'Commit' && res.code === 'NotRevealPhase', `refused by the client in the commit phase (got ${res instanceof Error ? res.message : 'success'})`);
    eq(BigInt(await nonce(charlie.s)), BigInt(before), 'Charlie sent nothing (nonce unchanged)');
    const vote = (await dryRun(dao, who.Alice.address, 'voteOf', [caseId, 0, charlie.s.address])).value!;
    check(vote.revealed === undefined && !vote.voided, 'his vote is still hidden, and nobody could denounce it');
    eq(BigInt((await dryRun(dao, who.Alice.address, 'roundInfo', [caseId, 0])).value.reveals), 0n, 'no reveal recorded');
    return `"${(res as RevealOutsidePhase).plain}"`;
  });

  await step('the commit phase ends; the jurors reveal: Charlie and Dave "50 % to the provider + slash", Ferdie "100 % to the provider"', async () => {
    const view = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
    await untilChainTime(view.phaseEnds);
    // The client's revealVote reads the case's phase at the current block first.
    for (const j of jurors) await revealVote(dao, j.s, caseId, j.choice, salts.get(j.s.address)!);
    const after = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
    check(after.phase === 'Reveal', `reveal phase (${after.phase})`);
    eq(after.roundInfo.revealedWeight, 600n * MMT, 'revealed weight');
    check(after.leading === 7, `leading choice 7 (${after.leading})`);
    eq((await dryRun(dao, who.Alice.address, 'tally', [caseId, 0, 7])).value.weight, 500n * MMT, 'weight for choice 7');
    eq((await dryRun(dao, who.Alice.address, 'tally', [caseId, 0, 4])).value.weight, 100n * MMT, 'weight for choice 4');
    const needed = quorumNeeded(after.case.totalStake, after.case.jury, 0);
    eq(needed, 100n * MMT, 'quorum: min(20 % of 600, the 100 MMT cap)');
    check(quorumMet(after.case.totalStake, after.case.jury, 0, after.roundInfo), `quorum met: 600 MMT from 3 ≥ ${cfg.jury.minJurors} jurors`);
    return (
      `tally: "${choiceLabel(7)}" 500 MMT, "${choiceLabel(4)}" 100 MMT; quorum min(${Number(cfg.jury.quorumBps) / 100} % of 600, cap ${u(cfg.jury.quorumCap)}) = ${u(needed)} MMT ` +
      `from ≥ ${cfg.jury.minJurors} jurors: 600 MMT revealed by 3`
    );
  });

  let slashed = 0n;
  let pool = 0n;
  await step('the reveal phase and the appeal window pass with no appeal; the case is final and anyone executes the ruling (Alice does)', async () => {
    let view = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
    while (view.phase !== 'Executable') {
      check(view.phase === 'Reveal' || view.phase === 'Appeal', `waiting through ${view.phase}`);
      await untilChainTime(view.phaseEnds);
      view = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
    }
    const collateralId = view.case.collateral!;
    const lockBefore = (await dryRun(vault, who.Alice.address, 'vaultArbiterCollateral', [collateralId])).value!.amount;
    const before = { eve: await creditOf(who.Eve), bob: await creditOf(who.Bob), ferdie: await creditOf(who.Ferdie) };
    const sent = await send(dao, who.Alice, 'executeRuling', [caseId]);
    const ruled = dao.events.RulingExecuted.find(sent.events)?.data;
    check(ruled !== undefined, 'RulingExecuted emitted');
    check(ruled!.choice === 7 && ruled!.payeeBps === 5_000 && ruled!.applied && !ruled!.holdReleased, 'ruling 7 applied at the vault (no collateral hold to end)');
    const settled = vault.events.EscrowSettled.find(sent.events)?.data;
    check(settled !== undefined && settled.reason === 'Resolved', 'the vault settled the stream as Resolved');
    // The frozen stream held everything Eve prepaid (Bob had claimed nothing).
    const payeeSide = (disputedCost * 5_000n) / BPS;
    const fee = (payeeSide * FEE_BPS) / BPS;
    slashed = (disputedCost * BigInt(cfg.jury.slashBps)) / BPS;
    eq(ruled!.slashed, slashed, `slash = ${cfg.jury.slashBps / 100} % of the frozen amount`);
    eq(settled!.toPayee, payeeSide - fee, 'Bob gets half, less the 2.5 % fee');
    eq(settled!.fee, fee, 'treasury fee on the payee side');
    eq(settled!.refund, disputedCost - payeeSide, 'Eve gets the other half back');
    eq(settled!.bondReturned, bond, "Eve's bond comes back (her side got at least half)");
    eq((await creditOf(who.Eve)) - before.eve, settled!.refund + slashed + bond, "Eve's vault credit: refund + slash + bond");
    eq((await creditOf(who.Bob)) - before.bob, payeeSide - fee, "Bob's vault credit");
    eq((await creditOf(who.Ferdie)) - before.ferdie, fee, "treasury's vault credit");
    eq(lockBefore - (await dryRun(vault, who.Alice.address, 'vaultArbiterCollateral', [collateralId])).value!.amount, slashed, "Bob's collateral lock shrank by the slash");
    pool = ruled!.pool;
    const forfeited = (100n * MMT * BigInt(cfg.jury.penaltyBps)) / BPS;
    eq(pool, forfeited + cfg.jury.jurorReward, "jurors' pool = Ferdie's forfeited risk + the case's reward");
    return (
      `ruling: choice 7 = "${choiceLabel(7)}"\n` +
      `         stream #${disputedEscrow} (${u(disputedCost)} UNIT frozen): Bob +${u(payeeSide - fee)} UNIT, treasury +${u(fee)}, Eve +${u(settled!.refund)} refund\n` +
      `         collateral #${collateralId}: ${u(slashed)} UNIT slashed to Eve (lock ${u(lockBefore)} → ${u(lockBefore - slashed)}); Eve's bond ${u(bond)} UNIT back\n` +
      `         jurors' pool ${u(pool)} MMT (Ferdie's forfeited ${u(forfeited)} + reward ${u(cfg.jury.jurorReward)})`
    );
  });

  await step("each vote is settled (anyone may call settle_vote): Charlie and Dave share the pool by weight, Ferdie's risk is lost", async () => {
    const lines: string[] = [];
    const coherentWeight = 500n * MMT;
    let paid = 0n;
    for (const j of jurors) {
      const risk = (j.stake * BigInt(cfg.jury.penaltyBps)) / BPS;
      const pending = (await dryRun(dao, j.s.address, 'votesOf', [j.s.address, 0n, 10])).value.items.find((v) => v.case === caseId)?.pending;
      check(pending !== undefined, `${j.s.name}'s vote shows its pending outcome`);
      const sent = await send(dao, who.Alice, 'settleVote', [caseId, 0, j.s.address]);
      const ev = dao.events.VoteSettled.find(sent.events)!.data;
      const mem = await member(j.s);
      if (j.choice === 7) {
        // The last coherent vote takes what rounding left: the pool is paid exactly.
        const expected = j.s === who.Dave ? pool - paid : (pool * j.stake) / coherentWeight;
        paid += expected;
        check(ev.outcome === 'Coherent', `${j.s.name} coherent`);
        eq(ev.reward, expected, `${j.s.name}'s reward = pool × weight / coherent weight`);
        eq(ev.returned, risk, `${j.s.name}'s risk returns`);
        eq(mem.staked, j.stake, `${j.s.name}'s stake is whole again`);
        eq(mem.credit, expected, `${j.s.name}'s DAO credit`);
        check(pending![0] === 'Coherent' && pending![2] === expected, `${j.s.name}: votes_of showed the reward before settling`);
        lines.push(`${j.s.name} coherent: ${u(risk)} MMT back into the stake + ${u(expected)} MMT reward`);
      } else {
        check(ev.outcome === 'Incoherent', `${j.s.name} incoherent`);
        eq(ev.forfeited, risk, `${j.s.name} forfeits the risk`);
        eq(mem.staked, j.stake - risk, `${j.s.name}'s stake after the penalty`);
        eq(mem.lost, risk, `${j.s.name}'s realised penalty`);
        lines.push(`${j.s.name} outvoted: loses ${u(risk)} MMT of stake (${u(mem.staked)} MMT left)`);
      }
    }
    eq(paid, pool, 'the pool is paid out exactly');
    return lines.join('\n         ');
  });

  await step("Bob settles the disputed rental and retires the offer: the collateral, less the slash, returns to his vault credit", async () => {
    await send(compute, who.Bob, 'settle', [disputedRental]);
    check((await dryRun(compute, who.Bob.address, 'offer', [offerId])).value!.freeGpus === capacity, 'GPUs back after the ruling');
    const rep = (await dryRun(compute, who.Bob.address, 'reputation', [who.Bob.address])).value;
    const before = (await dryRun(vault, who.Bob.address, 'creditOf', [who.Bob.address, native])).value;
    await send(compute, who.Bob, 'retireOffer', [offerId]);
    const after = (await dryRun(vault, who.Bob.address, 'creditOf', [who.Bob.address, native])).value;
    eq(after - before, collateral - slashed, 'collateral credited back, less the slash');
    return `${u(collateral - slashed)} of ${u(collateral)} UNIT back; Bob's reputation: ${rep.endedEarly} ended early, ${rep.disputed} disputed, ${rep.lost} lost`;
  });

  // ---- governance: the DAO changes the platform fee ----------------------------------
  let proposalId = 0n;
  await step(`Charlie proposes raising the platform fee from ${bpsText(FEE_BPS)} to ${bpsText(NEW_FEE_BPS)}; Alice, no longer the arbiter, cannot set it herself`, async () => {
    const refused = await refusedWith('NotArbiter', who.Alice, () => send(vault, who.Alice, 'vaultArbiterSetFeeBps', [Number(NEW_FEE_BPS)]));
    const text = `Raise the platform fee to ${bpsText(NEW_FEE_BPS)} to fund the jurors' reward reserve.`;
    const description = u8aToHex(blake2_256(stringToU8a(text)));
    proposalId = (await send(dao, who.Charlie, 'propose', [{ type: 'SetFee', value: Number(NEW_FEE_BPS) }, description])).value;
    const p = (await dryRun(dao, who.Alice.address, 'proposal', [proposalId])).value!;
    check(p.state === 'Active' || p.state === 'Pending', `proposal open (${p.state})`);
    return `proposal #${proposalId} "${text}" (description hash ${description.slice(0, 12)}…); Alice's VaultArbiter::set_fee_bps: "${refused.plain}"`;
  });

  await step('Charlie and Dave vote for, Ferdie against; voting ends, and executing before the timelock is refused (TimelockNotOver, nothing sent)', async () => {
    await send(dao, who.Charlie, 'vote', [proposalId, true]);
    await send(dao, who.Dave, 'vote', [proposalId, true]);
    await send(dao, who.Ferdie, 'vote', [proposalId, false]);
    let p = (await dryRun(dao, who.Alice.address, 'proposal', [proposalId])).value!;
    eq(p.proposal.forWeight, 500n * MMT, 'weight for');
    eq(p.proposal.againstWeight, 90n * MMT, 'weight against (Ferdie after his penalty)');
    await untilChainTime(p.proposal.voteEnd);
    p = (await dryRun(dao, who.Alice.address, 'proposal', [proposalId])).value!;
    check(p.state === 'Queued', `passed and queued (${p.state})`);
    const refused = await refusedWith('TimelockNotOver', who.Eve, () => send(dao, who.Eve, 'executeProposal', [proposalId]));
    eq(BigInt((await dryRun(vault, who.Alice.address, 'feeBps', [])).value), FEE_BPS, 'the fee is unchanged');
    return `for 500 MMT, against 90 MMT of ${u(p.proposal.totalStake)} staked (quorum ${Number(p.proposal.quorumBps) / 100} %); executable ${Number(p.eta - (await chainNow(m.client))) / 1000} s from now: "${refused.plain}"`;
  });

  await step('after the timelock anyone executes the proposal (Eve does): the vault charges the new fee', async () => {
    const p = (await dryRun(dao, who.Alice.address, 'proposal', [proposalId])).value!;
    await untilChainTime(p.eta);
    const sent = await send(dao, who.Eve, 'executeProposal', [proposalId]);
    check(dao.events.ProposalExecuted.find(sent.events) !== undefined, 'ProposalExecuted emitted');
    check((await dryRun(dao, who.Alice.address, 'proposal', [proposalId])).value!.state === 'Executed', 'proposal executed');
    eq(BigInt((await dryRun(vault, who.Alice.address, 'feeBps', [])).value), NEW_FEE_BPS, "the vault's fee");
    return `proposal #${proposalId} executed: the vault's fee for new escrows ${bpsText(FEE_BPS)} → ${bpsText(NEW_FEE_BPS)}`;
  });

  await step(`Eve buys Dave's perpetual license at its new price (30 UNIT); Dave delivers, Eve releases: the treasury gets exactly ${bpsText(NEW_FEE_BPS)}`, async () => {
    const offer = (await dryRun(registry, who.Eve.address, 'offer', [child, 0])).value!;
    const p = offer.price;
    eq(p, 30n * UNIT, 'the repriced offer');
    const before = { ferdie: await creditOf(who.Ferdie), bob: await creditOf(who.Bob), dave: await creditOf(who.Dave) };
    const lic = (await send(registry, who.Eve, 'purchaseLicense', [child, 0, offer.version], { value: p })).value;
    const escrowId = (await dryRun(registry, who.Eve.address, 'license', [lic])).value!.escrowId;
    await send(vault, who.Dave, 'deliver', [escrowId, `0x${'bb'.repeat(32)}`]);
    await send(registry, who.Eve, 'releaseLicense', [lic]);
    const fee = (p * NEW_FEE_BPS) / BPS;
    const roy = (p * ROYALTY_BPS) / BPS;
    eq((await creditOf(who.Ferdie)) - before.ferdie, fee, `treasury fee ${bpsText(NEW_FEE_BPS)}`);
    eq((await creditOf(who.Bob)) - before.bob, roy, 'royalty 5 % to Bob');
    eq((await creditOf(who.Dave)) - before.dave, p - fee - roy, 'Dave gets the rest');
    return `license #${lic}: treasury ${u(fee)} UNIT (was ${u((p * FEE_BPS) / BPS)} at ${bpsText(FEE_BPS)}), Bob ${u(roy)}, Dave ${u(p - fee - roy)}`;
  });

  await step('everyone withdraws their credits (pull payments)', async () => {
    const lines: string[] = [];
    for (const name of ['Dave', 'Bob', 'Ferdie', 'Eve'] as const) {
      for (const [asset, sym] of [[native, 'UNIT'], [mmt, 'MMT']] as const) {
        const credit = (await dryRun(vault, who[name].address, 'creditOf', [who[name].address, asset])).value;
        if (credit === 0n) continue;
        const got = (await send(vault, who[name], 'escrowVaultWithdraw', [asset])).value;
        eq(got, credit, `${name} withdraws the full ${sym} credit`);
        lines.push(`${name} ${u(got)} ${sym}`);
      }
    }
    for (const name of ['Charlie', 'Dave'] as const) {
      const credit = (await member(who[name])).credit;
      const balance = await mmtOf(who[name]);
      const got = (await send(dao, who[name], 'withdrawCredit', [])).value;
      eq(got, credit, `${name} withdraws the full DAO credit`);
      eq((await mmtOf(who[name])) - balance, credit, `${name}'s reward arrives in MMT`);
      lines.push(`${name} ${u(got)} MMT (DAO reward)`);
    }
    return lines.join(', ');
  });

  await step("the vault owes nothing, per asset; the DAO owes exactly its MMT balance (stakes + reward reserve, the case fee in it)", async () => {
    for (const asset of [native, mmt]) {
      const r = (await dryRun(vault, who.Alice.address, 'reserves', [asset])).value;
      check(r.holdings >= r.owed, `holdings ≥ owed for ${asset.type}`);
      eq(r.owed, 0n, `nothing owed in ${asset.type} after all withdrawals`);
    }
    const [staked, reserve, owed] = (await dryRun(dao, who.Alice.address, 'totals', [])).value;
    const balance = (await dryRun(token, dao.address, 'psp22BalanceOf', [dao.address])).value;
    eq(owed, balance, "the DAO's owed equals its MMT balance");
    eq(owed, staked + reserve, 'owed = stakes + reserve (no credit, risk or bond left)');
    eq(staked, 590n * MMT, 'stakes: 300 + 200 + 90');
    eq(reserve, reserveFunding + cfg.jury.caseFee - cfg.jury.jurorReward, "reserve + Eve's case fee − the reward the case drew");
    return `DAO owes ${u(owed)} MMT = staked ${u(staked)} + reserve ${u(reserve)}, and holds ${u(balance)} MMT`;
  });

  await step('final balances', async () => {
    console.log('');
    const rows: string[] = [];
    const line = '─'.repeat(94);
    rows.push(line, `${'account'.padEnd(9)}${'role'.padEnd(29)}${'UNIT (free)'.padStart(24)}${'Δ UNIT'.padStart(10)}${'MMT'.padStart(10)}${'staked'.padStart(12)}`, line);
    const roleOf: Record<DevName, string> = {
      Alice: 'deployer, MMT issuer',
      Bob: 'model author, GPU provider',
      Charlie: 'auditor, juror, proposer',
      Dave: 'fine-tune seller, juror',
      Eve: 'buyer, GPU renter',
      Ferdie: 'treasury, juror (outvoted)',
    };
    for (const [name, s] of Object.entries(who) as [DevName, Signer][]) {
      const free = await freeBalance(m.client, s.address);
      const bal = (await dryRun(token, s.address, 'psp22BalanceOf', [s.address])).value;
      const delta = free - (startBalances.get(s.address) ?? free);
      const d = `${delta >= 0n ? '+' : '-'}${formatUnits(delta < 0n ? -delta : delta, 12).replace(/(\.\d{3})\d+$/, '$1')}`;
      const staked = (await member(s)).staked;
      rows.push(`${name.padEnd(9)}${roleOf[name].padEnd(29)}${u(free).padStart(24)}${d.padStart(10)}${u(bal).padStart(10)}${u(staked).padStart(12)}`);
    }
    rows.push(line, 'Δ UNIT: change since the contracts were deployed (fees and storage deposits included)', line);
    for (const [asset, sym] of [[native, 'UNIT'], [mmt, 'MMT']] as const) {
      const r = (await dryRun(vault, who.Alice.address, 'reserves', [asset])).value;
      rows.push(`vault ${short(vault.address)} ${sym.padEnd(5)} holds ${u(r.holdings)}, owes ${u(r.owed)}`);
    }
    const [staked, reserve, owed] = (await dryRun(dao, who.Alice.address, 'totals', [])).value;
    const daoBalance = (await dryRun(token, dao.address, 'psp22BalanceOf', [dao.address])).value;
    rows.push(`DAO   ${short(dao.address)} MMT   holds ${u(daoBalance)}, owes ${u(owed)} (staked ${u(staked)}, reward reserve ${u(reserve)})`);
    rows.push(`fee ${bpsText(BigInt((await dryRun(vault, who.Alice.address, 'feeBps', [])).value))} (set by DAO proposal #${proposalId}); arbiter and admins: the DAO`);
    rows.push(line);
    rows.push(`contracts: market_token ${token.address}`);
    rows.push(`           model_registry ${registry.address}`);
    rows.push(`           escrow ${vault.address}`);
    rows.push(`           compute_market ${compute.address}`);
    rows.push(`           dispute_dao ${dao.address}`);
    rows.push(`(addresses and metadata in deployments/${network}.json and deployments/${network}/)`);
    console.log(rows.map((r) => `  ${r}`).join('\n'));
    void names;
  });
  await m.client.disconnect();
}

main()
  .then(() => console.log('demo: OK'))
  .catch((err: unknown) => {
    console.error(`demo: FAILED at ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
