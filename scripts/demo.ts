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
 * Exits non-zero naming the step that failed. Compute rentals and DAO rulings join the
 * scenario with their contracts (issues 10 and 11).
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
  type DevName,
  type Market,
  type Signer,
} from '../client/src/index.js';
import { deploy } from './deploy.js';

const UNIT = 10n ** 12n; // native UNIT and MMT both have 12 decimals
const DAY_MS = 86_400_000n;
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
  const TOTAL = 12;
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
  await step('deploy and wire market_token, escrow, model_registry', async () => {
    const d = await deploy({ url, network: 'demo', fresh: true, treasury: who.Ferdie.address, log: (l) => deployLines.push(l) });
    for (const s of Object.values(who)) startBalances.set(s.address, await freeBalance(d.market.client, s.address));
    m = d.market;
    return deployLines.filter((l) => l.includes('instantiated')).join('\n         ');
  });
  const { registry, vault, token } = m;
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

  await step('everyone withdraws their credits (pull payments)', async () => {
    const lines: string[] = [];
    for (const name of ['Dave', 'Bob', 'Ferdie'] as const) {
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
      Bob: 'base-model author (royalty)',
      Charlie: 'auditor',
      Dave: 'fine-tune author (seller)',
      Eve: 'buyer',
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
