/**
 * The marketplace through a collator outage (scripts/network-test.sh, issue 20): license
 * purchases and a GPU rental on a deployment made by scripts/deploy.ts, with a fault
 * injected between two phases, then every payout and the vault's reserves checked to
 * the unit.
 *
 *   npx tsx scripts/network-scenario.ts --url ws://127.0.0.1:9910 --network parachain \
 *     [--fault-url ws://127.0.0.1:9911] [--fault-start 'shell command'] [--fault-end 'shell command']
 *
 * network-test.sh passes `scripts/network.sh stop-node collator-bob` as the fault and
 * `start-node collator-bob` as its end, and connects to collator alice: what is sent
 * during the outage waits for alice's slots. With --fault-url, a transfer is submitted to
 * that node (collator bob) just before the fault stops it: it must be included once (it
 * reached collator alice first), or be reported dropped and sent again, never lost.
 * Every transaction goes through the client's `submit` (client/src/submit.ts): on a
 * parachain it waits for finality, and is reported with the block that included it, the
 * time to inclusion and to finality, and any detour (a pool's Invalid, a retracted
 * block); one that is really lost fails the run with the reason. Runs on a dev node too
 * (no fault given: the same checks).
 *
 * Actors: Bob sells a model license (10 UNIT, native) and rents out 2 GPUs; Eve and
 * Charlie buy licenses; Eve rents a GPU and ends early; Ferdie is the treasury (set by
 * `deploy.ts --treasury`, the default is the deployer: the run reads it from the vault).
 * Then a jury case: Charlie, Dave and Ferdie stake MMT, Eve disputes a second rental and
 * opens a case, the jurors commit and reveal, Alice executes the ruling, and every credit
 * it made, each withdrawal and the vault's reserves are checked to the unit.
 */
import { execSync } from 'node:child_process';
import { deploy } from './deploy.js';
import { blockTimeMs, commitmentOf, connect, defaultInclusion, devSigners, randomSalt, revealVote, dryRun, formatUnits, freeBalance, paidBy, send, submit, tick, type Client, type Sent, type Signer, type Submittable } from '../client/src/index.js';

const UNIT = 10n ** 12n;
const arg = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const u = (v: bigint) => formatUnits(v, 12);

class CheckFailed extends Error {}
function eq(actual: bigint, expected: bigint, what: string): void {
  if (actual !== expected) throw new CheckFailed(`${what}: expected ${expected}, got ${actual}`);
}
function check(ok: boolean, what: string): void {
  if (!ok) throw new CheckFailed(what);
}

/** Waits until the block that included a transaction is finalized and still canonical. */
async function finalized(client: Client, sent: Sent<unknown>): Promise<number> {
  const t0 = Date.now();
  const rpc = client.rpc as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (;;) {
    const head = (await rpc.chain_getFinalizedHead()) as string;
    const header = (await rpc.chain_getHeader(head)) as { number: number | string };
    if (Number(header.number) >= sent.blockNumber) {
      const hash = (await rpc.chain_getBlockHash(sent.blockNumber)) as string;
      if (hash !== sent.blockHash) throw new CheckFailed(`block #${sent.blockNumber} ${sent.blockHash} was replaced by ${hash} before finality`);
      return (Date.now() - t0) / 1000;
    }
    if (Date.now() - t0 > 300_000) throw new CheckFailed(`block #${sent.blockNumber} not finalized after 300 s`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function main(): Promise<void> {
  const url = arg('--url') ?? 'ws://127.0.0.1:9910';
  const network = arg('--network') ?? 'parachain';
  const who = await devSigners();
  const { market: m } = await deploy({ url, network, log: () => undefined });
  const { registry, vault, compute, client } = m;
  const native = { type: 'Native' as const };
  const treasury = (await dryRun(vault, who.Alice.address, 'treasury', [])).value.address(42);
  const feeBps = BigInt((await dryRun(vault, who.Alice.address, 'feeBps', [])).value);
  const credit = async (address: string) => (await dryRun(vault, who.Alice.address, 'creditOf', [address, native])).value;
  const best = async () => Number((await client.query.system.number()));
  const blockMs = BigInt(blockTimeMs(client));
  console.log(`scenario: ${url}, ${network}, block time ${blockMs} ms (from the runtime), transactions wait for ${defaultInclusion(client)} blocks, best block #${await best()}`);

  /**
   * Sends through the client, which waits for finality on a parachain (submit.ts), and
   * reports both times; on a dev node (no wait for finality) it checks finality here.
   */
  const tx = async <R>(what: string, p: () => Promise<Sent<R>>): Promise<Sent<R>> => {
    const t0 = Date.now();
    const sent = await p();
    const incl = (sent.includedMs ?? Date.now() - t0) / 1000;
    const fin = sent.finalizedMs !== undefined ? sent.finalizedMs / 1000 - incl : await finalized(client, sent as Sent<unknown>);
    const detours = sent.detours.length ? ` (on the way: ${sent.detours.join('; ')})` : '';
    console.log(`scenario: ${what}: included in #${sent.blockNumber} after ${incl.toFixed(1)} s, finalized ${fin.toFixed(1)} s later${detours}`);
    return sent;
  };
  const credits0 = new Map<string, bigint>();
  const withdrawers = [who.Bob, who.Eve, who.Charlie, who.Ferdie, who.Alice];
  for (const a of [treasury, ...withdrawers.map((s) => s.address)]) credits0.set(a, await credit(a));
  // What the vault owed before this run (an earlier run's collateral, say): the run adds
  // one collateral lock and pays out the credits of the accounts that withdraw.
  const owed0 = (await dryRun(vault, who.Alice.address, 'reserves', [native])).value.owed;

  // Phase 1: a model with a native perpetual offer, a GPU offer with its collateral.
  const price = 10n * UNIT;
  const fee = (price * feeBps) / 10_000n;
  const model = (await tx('Bob registers a model', () => send(registry, who.Bob, 'registerModel', ['net-model', 'ipfs://net-model', `0x${'aa'.repeat(32)}`, { major: 1, minor: 0, patch: 0 }, undefined, 0, ['llm']]))).value;
  await tx('Bob offers a perpetual license for 10 UNIT', () => send(registry, who.Bob, 'addOffer', [model, { type: 'Perpetual' }, price, native]));
  const gpuPrice = UNIT / 2n;
  const collateral = gpuPrice * 2n * 4n; // 2 GPUs, at most 4 hours, ratio 100 %
  const startWindowMs = 100n * blockMs > 60_000n ? 100n * blockMs : 60_000n;
  const offerId = (await tx('Bob publishes 2 GPUs with their collateral', () => send(compute, who.Bob, 'publishOffer', ['L40S', 48, 2, 'eu-west', gpuPrice, 1, 4, native, `0x${'bb'.repeat(32)}`, startWindowMs], { value: collateral }))).value;

  const buy = async (buyer: Signer): Promise<bigint> => {
    const before = await freeBalance(client, buyer.address);
    const offer = (await dryRun(registry, buyer.address, 'offer', [model, 0])).value!;
    const bought = await tx(`${buyer.name} buys a license`, () => send(registry, buyer, 'purchaseLicense', [model, 0, offer.version], { value: price }));
    const paid = paidBy(bought.events, buyer.address);
    eq(before - (await freeBalance(client, buyer.address)), price + paid.fee + paid.storageDeposit, `${buyer.name} pays the price, the network fee and the storage deposit, nothing more`);
    return bought.value;
  };
  const settle = async (buyer: Signer, license: bigint) => {
    const escrowId = (await dryRun(registry, buyer.address, 'license', [license])).value!.escrowId;
    await tx(`Bob delivers license #${license}`, () => send(vault, who.Bob, 'deliver', [escrowId, `0x${'cc'.repeat(32)}`]));
    await tx(`${buyer.name} releases license #${license}`, () => send(registry, buyer, 'releaseLicense', [license]));
  };
  const first = await buy(who.Eve);
  await settle(who.Eve, first);

  // The fault: one collator stops; the chain goes on with the other.
  const fault = arg('--fault-start');
  const before = await best();
  // A transfer handed to the node that is about to stop (--fault-url), just before it
  // stops: either it reached the other collator and is included, or it is reported
  // dropped and sent again; the nonce makes sure it lands exactly once.
  const faultUrl = arg('--fault-url');
  const transfer = 1n * UNIT;
  const daveBefore = await freeBalance(client, who.Dave.address);
  if (faultUrl) {
    const nonce = Number((await client.query.system.account(who.Alice.address)).nonce);
    const side = await connect(faultUrl);
    const signed = await side.tx.balances.transferKeepAlive(who.Dave.address, transfer).sign(who.Alice.pair!, { nonce });
    const hash = await (side.rpc as unknown as Record<string, (...a: unknown[]) => Promise<string>>).author_submitExtrinsic(signed.toHex());
    await side.disconnect();
    console.log(`scenario: Alice's transfer of ${u(transfer)} UNIT to Dave (nonce ${nonce}) submitted to ${faultUrl} as ${hash}`);
    if (fault) {
      console.log(`scenario: fault: ${fault}`);
      execSync(fault, { stdio: 'inherit' });
    }
    // Ten blocks of the remaining collator (an instant-seal dev node makes none while
    // idle: there Ferdie seals them with remarks).
    const from = await best();
    const waitFrom = Date.now();
    let landed = false;
    while ((await best()) < from + 10 && Date.now() - waitFrom < 300_000) {
      if (Number((await client.query.system.account(who.Alice.address)).nonce) > nonce) {
        landed = true;
        break;
      }
      if (blockMs < 1_000n) await tick(client, who.Ferdie);
      else await new Promise((r) => setTimeout(r, 1_000));
    }
    if (landed) {
      console.log(`scenario: that transfer was included by the remaining collator (by block #${await best()})`);
    } else {
      console.log(`scenario: that transfer was DROPPED with the stopped node (Alice's nonce still ${nonce} after 10 blocks): sending it again through ${url}`);
      await tx('Alice sends the transfer again', async () => {
        const r = await submit(client, client.tx.balances.transferKeepAlive(who.Dave.address, transfer) as unknown as Submittable, who.Alice, 'transfer', { nonce });
        if (r.dispatchError) throw new CheckFailed(`the transfer failed: ${JSON.stringify(r.dispatchError)}`);
        return { ...r, value: undefined } as unknown as Sent<undefined>;
      });
    }
    eq((await freeBalance(client, who.Dave.address)) - daveBefore, transfer, 'Dave receives the transfer exactly once');
  } else if (fault) {
    console.log(`scenario: fault: ${fault}`);
    execSync(fault, { stdio: 'inherit' });
  }
  const t0 = Date.now();
  const second = await buy(who.Eve);
  const third = await buy(who.Charlie);
  const rentCost = gpuPrice * 2n;
  const offer = (await dryRun(compute, who.Eve.address, 'offer', [offerId])).value!;
  const rentalId = (await tx('Eve rents 1 GPU for 2 hours', () => send(compute, who.Eve, 'rent', [offerId, 1, 2, offer.offer.version], { value: rentCost }))).value;
  await tx('Bob starts the rental', () => send(compute, who.Bob, 'start', [rentalId, `0x${'dd'.repeat(32)}`]));
  const during = await best();
  console.log(`scenario: during the fault: blocks #${before} → #${during} in ${((Date.now() - t0) / 1000).toFixed(0)} s, every transaction included`);
  const recover = arg('--fault-end');
  if (recover) {
    console.log(`scenario: recovery: ${recover}`);
    execSync(recover, { stdio: 'inherit' });
  }

  // Phase 3: settle everything, then check every payout and the vault. The rental first,
  // while its hours last (each transaction here waits for finality, some 30 s).
  const ended = await tx('Eve ends the rental early', () => send(compute, who.Eve, 'endEarly', [rentalId]));
  const settled = vault.events.EscrowSettled.find(ended.events)!.data;
  await settle(who.Eve, second);
  await settle(who.Charlie, third);
  eq(settled.toPayee + settled.fee + settled.royalties + settled.refund, rentCost, 'rental: paid to Bob + fee + refund = prepaid');
  const gained = async (address: string) => (await credit(address)) - credits0.get(address)!;
  eq(await gained(treasury), 3n * fee + settled.fee, 'treasury: three license fees and the rental fee');
  eq(await gained(who.Bob.address), 3n * (price - fee) + settled.toPayee, 'Bob: three licenses less the fee, and the rental');
  eq(await gained(who.Eve.address), settled.refund, "Eve: the rental's unused part");
  for (const s of withdrawers) {
    const c = await credit(s.address);
    if (c === 0n) continue;
    const free = await freeBalance(client, s.address);
    const w = await tx(`${s.name} withdraws ${u(c)} UNIT`, () => send(vault, s, 'escrowVaultWithdraw', [native]));
    eq(w.value, c, `${s.name} withdraws the whole credit`);
    const cost = paidBy(w.events, s.address);
    eq((await freeBalance(client, s.address)) - free, c - cost.fee - cost.storageDeposit, `${s.name}'s balance rises by the credit, less the network fee, plus the storage deposit released`);
  }
  const r = (await dryRun(vault, who.Alice.address, 'reserves', [native])).value;
  const withdrawn0 = withdrawers.reduce((sum, s) => sum + credits0.get(s.address)!, 0n);
  eq(r.owed, owed0 - withdrawn0 + collateral, "the vault owes what it owed before, less the earlier credits withdrawn, plus Bob's new collateral");
  if (r.holdings < r.owed) throw new CheckFailed(`the vault holds ${r.holdings}, less than it owes (${r.owed})`);
  console.log(`scenario: vault owes ${u(r.owed)} UNIT (collateral) and holds ${u(r.holdings)}; best block #${await best()}`);

  // Phase 4: a jury decides a disputed rental, its phases sized from the block time by
  // deploy.ts (× 24 here: commit 96 s, reveal 96 s, appeal 72 s).
  await juryCase({ m, who, tx, credit, best, offerId, gpuPrice, treasury, feeBps });
  await client.disconnect();
}

interface JuryCaseContext {
  m: Awaited<ReturnType<typeof deploy>>['market'];
  who: Awaited<ReturnType<typeof devSigners>>;
  tx: <R>(what: string, p: () => Promise<Sent<R>>) => Promise<Sent<R>>;
  credit: (address: string) => Promise<bigint>;
  best: () => Promise<number>;
  offerId: bigint;
  gpuPrice: bigint;
  treasury: string;
  feeBps: bigint;
}

/**
 * Three jurors stake; Eve rents a GPU, Bob starts, Eve disputes the stream and opens a
 * case; the jurors commit and reveal at once (each phase outlasts a transaction's wait
 * for finality); the ruling (50 % to Bob, his collateral slashed) is executed, and every
 * credit it makes, each withdrawal and the vault's reserves are checked to the unit.
 */
async function juryCase(c: JuryCaseContext): Promise<void> {
  const { m, who, tx, credit, best } = c;
  const { token, vault, compute, dao, client } = m;
  const native = { type: 'Native' as const };
  const BPS = 10_000n;
  const cfg = (await dryRun(dao, who.Alice.address, 'config', [])).value;
  const phaseS = `commit ${Number(cfg.jury.commitMs) / 1000} s, reveal ${Number(cfg.jury.revealMs) / 1000} s, appeal ${Number(cfg.jury.appealMs) / 1000} s`;
  console.log(`scenario: the jury's phases: ${phaseS} (read from the DAO)`);
  const chainTime = async () => BigInt(await client.query.timestamp.now());
  const until = async (at: bigint, what: string) => {
    const t0 = Date.now();
    // A dev node makes blocks only for transactions: there Ferdie's remarks move its clock.
    const sealed = blockTimeMs(client) < 1_000;
    while ((await chainTime()) < at) {
      await new Promise((r) => setTimeout(r, sealed ? 500 : 2_000));
      if (sealed) await tick(client, who.Ferdie);
    }
    console.log(`scenario: ${what} (waited ${((Date.now() - t0) / 1000).toFixed(0)} s, block #${await best()})`);
  };
  const jurors = [
    { s: who.Charlie, stake: 300n * UNIT, choice: 7 },
    { s: who.Dave, stake: 200n * UNIT, choice: 7 },
    { s: who.Ferdie, stake: 100n * UNIT, choice: 4 },
  ];
  // Alice's MMT to the jurors and the case fee to Eve, at once with consecutive nonces;
  // each juror's approval and stake one after the other, the jurors at once.
  const n0 = Number(await (client.rpc as unknown as Record<string, (a: string) => Promise<number>>).system_accountNextIndex(who.Alice.address));
  const grants: [Signer, bigint][] = [...jurors.map((j): [Signer, bigint] => [j.s, j.stake]), [who.Eve, cfg.jury.caseFee]];
  await Promise.all(grants.map(([to, amount], i) => tx(`Alice sends ${u(amount)} MMT to ${to.name} (nonce ${n0 + i})`, () => send(token, who.Alice, 'psp22Transfer', [to.address, amount, '0x'], { nonce: n0 + i }))));
  await Promise.all(
    jurors.map(async (j) => {
      await tx(`${j.s.name} approves the DAO`, () => send(token, j.s, 'psp22Approve', [dao.address, j.stake]));
      await tx(`${j.s.name} stakes ${u(j.stake)} MMT`, () => send(dao, j.s, 'stake', [j.stake]));
    }),
  );

  const owedBefore = (await dryRun(vault, who.Alice.address, 'reserves', [native])).value.owed;
  const cost = c.gpuPrice * 2n;
  const offer = (await dryRun(compute, who.Eve.address, 'offer', [c.offerId])).value!;
  const rental = (await tx('Eve rents 1 GPU for 2 hours', () => send(compute, who.Eve, 'rent', [c.offerId, 1, 2, offer.offer.version], { value: cost }))).value;
  const escrowId = (await dryRun(compute, who.Eve.address, 'rental', [rental])).value!.escrowId;
  await tx('Bob starts it', () => send(compute, who.Bob, 'start', [rental, `0x${'ab'.repeat(32)}`]));
  const bond = (await dryRun(vault, who.Eve.address, 'requiredBond', [escrowId])).value!;
  await tx(`Eve disputes the stream (bond ${u(bond)} UNIT)`, () => send(vault, who.Eve, 'dispute', [escrowId], { value: bond }));
  await tx('Eve approves the DAO for the case fee', () => send(token, who.Eve, 'psp22Approve', [dao.address, cfg.jury.caseFee]));
  const caseId = (await tx('Eve opens a case', () => send(dao, who.Eve, 'openCase', [escrowId, 'ipfs://net-evidence']))).value;
  let view = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
  eq(view.case.totalStake, 600n * UNIT, 'the case snapshots the 600 MMT staked');
  const collateralId = view.case.collateral!;
  const lockBefore = (await dryRun(vault, who.Alice.address, 'vaultArbiterCollateral', [collateralId])).value!.amount;

  const salts = jurors.map(() => randomSalt());
  await Promise.all(jurors.map((j, i) => tx(`${j.s.name} commits a hidden vote`, () => send(dao, j.s, 'commitVote', [caseId, commitmentOf(j.choice, salts[i], j.s.address, caseId, 0)]))));
  // A commit that came after the phase would have failed on chain (CallFailed).
  view = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
  eq(BigInt((await dryRun(dao, who.Alice.address, 'roundInfo', [caseId, 0])).value.commits), 3n, 'three commits recorded');
  await until(view.phaseEnds, 'the commit phase is over');
  await Promise.all(jurors.map((j, i) => tx(`${j.s.name} reveals`, () => revealVote(dao, j.s, caseId, j.choice, salts[i]))));
  view = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
  eq(view.roundInfo.revealedWeight, 600n * UNIT, 'revealed weight: all 600 MMT');
  while (view.phase !== 'Executable') {
    await until(view.phaseEnds, `the ${view.phase.toLowerCase()} phase is over`);
    view = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
  }
  const before = { eve: await credit(who.Eve.address), bob: await credit(who.Bob.address), treasury: await credit(c.treasury) };
  const ruled = await tx('Alice executes the ruling', () => send(dao, who.Alice, 'executeRuling', [caseId]));
  const ruling = dao.events.RulingExecuted.find(ruled.events)!.data;
  const settled = vault.events.EscrowSettled.find(ruled.events)!.data;
  check(ruling.choice === 7 && ruling.payeeBps === 5_000 && ruling.applied, `the majority's ruling, 50 % to Bob and a slash, applied (choice ${ruling.choice})`);
  eq(settled.toPayee + settled.fee + settled.royalties + settled.refund, cost, 'the frozen stream: to Bob + fee + refund = what Eve prepaid');
  const payeeSide = (cost * 5_000n) / BPS;
  eq(settled.fee, (payeeSide * c.feeBps) / BPS, 'the fee, on the payee side only');
  eq(ruling.slashed, (cost * BigInt(cfg.jury.slashBps)) / BPS, "the slash, a share of the frozen amount taken from Bob's collateral");
  eq(lockBefore - (await dryRun(vault, who.Alice.address, 'vaultArbiterCollateral', [collateralId])).value!.amount, ruling.slashed, "Bob's collateral lock shrank by the slash");
  eq((await credit(who.Eve.address)) - before.eve, settled.refund + ruling.slashed + settled.bondReturned, "Eve's credit: refund + slash + her bond back");
  eq((await credit(who.Bob.address)) - before.bob, settled.toPayee, "Bob's credit: his half less the fee");
  eq((await credit(c.treasury)) - before.treasury, settled.fee, "the treasury's credit: the fee");
  eq(settled.bondReturned, bond, "Eve's bond comes back (her side got half)");
  // The treasury withdraws too when it is one of the dev accounts (Ferdie in network-test).
  const treasurer = Object.values(who).find((s) => s.address === c.treasury);
  const payees = [who.Eve, who.Bob, ...(treasurer ? [treasurer] : [])];
  for (const s of payees) {
    const cr = await credit(s.address);
    const free = await freeBalance(client, s.address);
    const w = await tx(`${s.name} withdraws ${u(cr)} UNIT`, () => send(vault, s, 'escrowVaultWithdraw', [native]));
    eq(w.value, cr, `${s.name} withdraws the whole credit`);
    const paid = paidBy(w.events, s.address);
    eq((await freeBalance(client, s.address)) - free, cr - paid.fee - paid.storageDeposit, `${s.name}'s balance rises by the credit less the network fee`);
  }
  const r = (await dryRun(vault, who.Alice.address, 'reserves', [native])).value;
  eq(r.owed, owedBefore - ruling.slashed + (treasurer ? 0n : settled.fee), 'the vault owes what it owed before the case, less the slash paid out of the collateral (plus a fee not withdrawn)');
  if (r.holdings < r.owed) throw new CheckFailed(`the vault holds ${r.holdings}, less than it owes (${r.owed})`);
  console.log(`scenario: case #${caseId} ruled and paid out to the unit; the vault owes ${u(r.owed)} UNIT and holds ${u(r.holdings)}`);
}

main()
  .then(() => console.log('scenario: OK'))
  .catch((err: unknown) => {
    console.error(`scenario: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
