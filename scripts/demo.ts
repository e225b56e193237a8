/**
 * The marketplace scenario `make demo` runs (scripts/demo.sh starts a fresh node and
 * calls this). Everything goes through the typed client in client/src: each call is
 * dry-run first, refused calls come back as typed errors, and every money movement is
 * checked to the last unit.
 *
 *   npx tsx scripts/demo.ts [--url ws://127.0.0.1:9955]
 *
 * Actors (the dev chain's well-known accounts):
 *   Alice   deployer and admin of the registry, arbiter of the vault, holds the MMT supply
 *   Bob     author of a base model
 *   Dave    author of a fine-tune of Bob's model, paying Bob a 5 % royalty on each sale
 *   Charlie auditor who attests the fine-tune
 *   Eve     buyer of two licenses (native currency, then the MMT token)
 *   Ferdie  treasury of the vault (the 2.5 % platform fee)
 *
 * Bob also runs GPUs: he publishes an offer on the compute market (collateral locked in
 * the vault), Eve rents two of them, Bob starts and claims, Eve ends early. On this demo
 * chain a rental "hour" lasts HOUR_MS (2 s): periods are deployment parameters.
 *
 * Exits non-zero naming the step that failed. DAO rulings join the scenario with the
 * dispute DAO (issue 11).
 */
import {
  chainNow,
  devSigners,
  dryRun,
  formatUnits,
  freeBalance,
  paidBy,
  Refused,
  send,
  short,
  tick,
  type DevName,
  type Market,
  type Signer,
} from '../client/src/index.js';
import { deploy } from './deploy.js';

const UNIT = 10n ** 12n; // native UNIT and MMT both have 12 decimals
const DAY_MS = 86_400_000n;
/** A rental "hour" on the demo chain. */
const HOUR_MS = 2_000;
const FEE_BPS = 250n;
const ROYALTY_BPS = 500n;

class StepFailed extends Error {}

function check(condition: boolean, what: string): void {
  if (!condition) throw new StepFailed(what);
}

function eq(actual: bigint, expected: bigint, what: string): void {
  if (actual !== expected) throw new StepFailed(`${what}: expected ${expected}, got ${actual}`);
}

const u = (v: bigint) => formatUnits(v, 12);

async function main(): Promise<void> {
  const url = process.argv.includes('--url') ? process.argv[process.argv.indexOf('--url') + 1] : 'ws://127.0.0.1:9955';
  const who = await devSigners();
  const names = new Map<string, DevName>(Object.entries(who).map(([n, s]) => [s.address, n as DevName]));
  let m!: Market;
  let n = 0;
  const TOTAL = 17;
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
  await step('deploy and wire market_token, escrow, model_registry, compute_market', async () => {
    const d = await deploy({ url, network: 'demo', fresh: true, treasury: who.Ferdie.address, hourMs: HOUR_MS, log: (l) => deployLines.push(l) });
    for (const s of Object.values(who)) startBalances.set(s.address, await freeBalance(d.market.client, s.address));
    m = d.market;
    return deployLines.filter((l) => l.includes('instantiated')).join('\n         ');
  });
  const { registry, vault, token, compute } = m;
  const mmt = { type: 'Psp22' as const, value: token.address };
  const native = { type: 'Native' as const };

  await step('Alice makes Charlie an auditor; demo periods: 1 day to deliver, 1 h to review', async () => {
    await send(registry, who.Alice, 'setAuditor', [who.Charlie.address, true]);
    await send(registry, who.Alice, 'setPurchasePeriods', [DAY_MS, 3_600_000n]);
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

  await step('Bob retires the offer: the collateral returns to his vault credit', async () => {
    const before = (await dryRun(vault, who.Bob.address, 'creditOf', [who.Bob.address, native])).value;
    await send(compute, who.Bob, 'retireOffer', [offerId]);
    const after = (await dryRun(vault, who.Bob.address, 'creditOf', [who.Bob.address, native])).value;
    eq(after - before, collateral, 'collateral credited back whole');
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
    return lines.join(', ');
  });

  await step('the vault owes nothing and holds exactly what it owes, per asset', async () => {
    for (const asset of [native, mmt]) {
      const r = (await dryRun(vault, who.Alice.address, 'reserves', [asset])).value;
      check(r.holdings >= r.owed, `holdings ≥ owed for ${asset.type}`);
      eq(r.owed, 0n, `nothing owed in ${asset.type} after all withdrawals`);
    }
  });

  await step('final balances', async () => {
    console.log('');
    const rows: string[] = [];
    const line = '─'.repeat(82);
    rows.push(line, `${'account'.padEnd(9)}${'role'.padEnd(29)}${'UNIT (free)'.padStart(24)}${'Δ UNIT'.padStart(10)}${'MMT'.padStart(10)}`, line);
    const roles: Record<DevName, string> = {
      Alice: 'admin, arbiter, MMT issuer',
      Bob: 'model author, GPU provider',
      Charlie: 'auditor',
      Dave: 'fine-tune author (seller)',
      Eve: 'buyer, GPU renter',
      Ferdie: 'treasury (platform fee)',
    };
    for (const [name, s] of Object.entries(who) as [DevName, Signer][]) {
      const free = await freeBalance(m.client, s.address);
      const bal = (await dryRun(token, s.address, 'psp22BalanceOf', [s.address])).value;
      const delta = free - (startBalances.get(s.address) ?? free);
      const d = `${delta >= 0n ? '+' : '-'}${formatUnits(delta < 0n ? -delta : delta, 12).replace(/(\.\d{3})\d+$/, '$1')}`;
      rows.push(`${name.padEnd(9)}${roles[name].padEnd(29)}${u(free).padStart(24)}${d.padStart(10)}${u(bal).padStart(10)}`);
    }
    rows.push(line, 'Δ UNIT: change since the contracts were deployed (fees and storage deposits included)', line);
    for (const [asset, sym] of [[native, 'UNIT'], [mmt, 'MMT']] as const) {
      const r = (await dryRun(vault, who.Alice.address, 'reserves', [asset])).value;
      rows.push(`vault ${short(vault.address)} ${sym.padEnd(5)} holds ${u(r.holdings)}, owes ${u(r.owed)}`);
    }
    rows.push(line);
    rows.push(`contracts: market_token ${token.address}`);
    rows.push(`           model_registry ${registry.address}`);
    rows.push(`           escrow ${vault.address}`);
    rows.push(`           compute_market ${compute.address}`);
    rows.push('(addresses and metadata in deployments/demo.json and deployments/demo/)');
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
