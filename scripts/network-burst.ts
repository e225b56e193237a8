/**
 * Throughput on the parachain (scripts/network-test.sh, issue 20): a burst of license
 * purchases, then a burst of GPU rentals, each from many accounts at once, on a
 * deployment made by scripts/deploy.ts; counts how many of each landed in each block and
 * compares the fullest block with the per-block figures of `make bench`
 * (bench/results.json, docs/costs.md: how many calls fit one block of the parachain
 * runtime by weight).
 *
 *   npx tsx scripts/network-burst.ts --url ws://127.0.0.1:9910 --network parachain [--accounts 24]
 *
 * The accounts are //burst//0, //burst//1, …, funded by Alice first. On an instant-seal
 * dev node each transaction gets a block of its own, so only a parachain measures
 * anything; the dev node checks the mechanics.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploy } from './deploy.js';
import { ROOT } from '../client/src/node.js';
import { devSigners, dryRun, formatUnits, send, signerFromUri, submit, type Sent, type Signer, type Submittable } from '../client/src/index.js';

const UNIT = 10n ** 12n;
const arg = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);

/** `per_block` of a row of bench/results.json: calls that fit a block as sent / as charged. */
function benchPerBlock(name: string): { sent: number; charged: number } | undefined {
  const results = JSON.parse(readFileSync(join(ROOT, 'bench/results.json'), 'utf8')) as {
    messages: { rows: { name: string; per_block?: { sent: number; charged: number } }[] };
  };
  return results.messages.rows.find((r) => r.name === name)?.per_block;
}

/** Blocks from first to last, each with how many of `sent` it holds (empty blocks too). */
function histogram(sent: Sent<unknown>[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const s of sent) counts.set(s.blockNumber, (counts.get(s.blockNumber) ?? 0) + 1);
  const blocks = [...counts.keys()];
  const out: [number, number][] = [];
  for (let b = Math.min(...blocks); b <= Math.max(...blocks); b++) out.push([b, counts.get(b) ?? 0]);
  return out;
}

function report(what: string, bench: string, sent: Sent<unknown>[], seconds: number): void {
  const h = histogram(sent);
  const fullest = Math.max(...h.map(([, n]) => n));
  const fit = benchPerBlock(bench);
  console.log(`burst: ${sent.length} ${what} in ${h.length} blocks (#${h[0][0]}–#${h[h.length - 1][0]}), ${seconds.toFixed(1)} s: ${h.map(([b, n]) => `#${b}: ${n}`).join(', ')}`);
  const verdict = !fit ? `no figure for "${bench}" in bench/results.json` : fullest > fit.charged ? `more than make bench's ${fit.sent} (as sent) to ${fit.charged} (as charged): its per-block figure is pessimistic` : fullest === fit.sent || fullest === fit.charged ? `the per-block figure of make bench (${fit.sent}–${fit.charged}) reached` : `below make bench's ${fit.sent}–${fit.charged} per block (the burst did not fill a block)`;
  console.log(`burst: fullest block ${fullest}: ${verdict}`);
}

async function main(): Promise<void> {
  const url = arg('--url') ?? 'ws://127.0.0.1:9910';
  const network = arg('--network') ?? 'parachain';
  const n = Number(arg('--accounts') ?? 24);
  const who = await devSigners();
  const { market: m } = await deploy({ url, network, log: () => undefined });
  const { registry, compute, client } = m;
  const native = { type: 'Native' as const };
  const accounts: Signer[] = [];
  for (let i = 0; i < n; i++) accounts.push(await signerFromUri(`//burst//${i}`, `burst${i}`));

  // Fund every account in one go: Alice's transfers with consecutive nonces.
  const fund = 100n * UNIT;
  const nonce = Number((await client.query.system.account(who.Alice.address)).nonce);
  await Promise.all(
    accounts.map(async (a, i) => {
      const r = await submit(client, client.tx.balances.transferKeepAlive(a.address, fund) as unknown as Submittable, who.Alice, `fund ${a.name}`, { nonce: nonce + i });
      if (r.dispatchError) throw new Error(`funding ${a.name} failed: ${JSON.stringify(r.dispatchError)}`);
    }),
  );
  console.log(`burst: ${n} accounts funded with ${formatUnits(fund, 12)} UNIT each`);

  const price = UNIT;
  const model = (await send(registry, who.Bob, 'registerModel', ['burst-model', 'ipfs://burst', `0x${'ee'.repeat(32)}`, { major: 1, minor: 0, patch: 0 }, undefined, 0, ['llm']])).value;
  await send(registry, who.Bob, 'addOffer', [model, { type: 'Perpetual' }, price, native]);
  const offer = (await dryRun(registry, who.Bob.address, 'offer', [model, 0])).value!;
  const gpuPrice = UNIT / 10n;
  const offerId = (await send(compute, who.Bob, 'publishOffer', ['H100', 80, n, 'eu-west', gpuPrice, 1, 1, native, `0x${'ef'.repeat(32)}`, 3_600_000n], { value: gpuPrice * BigInt(n) })).value;
  const version = (await dryRun(compute, who.Bob.address, 'offer', [offerId])).value!.offer.version;

  let t0 = Date.now();
  const bought = await Promise.all(accounts.map((a) => send(registry, a, 'purchaseLicense', [model, 0, offer.version], { value: price })));
  report('license purchases (native)', 'model_registry::purchase_license (native)', bought as Sent<unknown>[], (Date.now() - t0) / 1000);

  t0 = Date.now();
  const rented = await Promise.all(accounts.map((a) => send(compute, a, 'rent', [offerId, 1, 1, version], { value: gpuPrice })));
  report('GPU rentals (1 GPU, 1 hour)', 'compute_market::rent (1 GPU)', rented as Sent<unknown>[], (Date.now() - t0) / 1000);
  await client.disconnect();
}

main()
  .then(() => console.log('burst: OK'))
  .catch((err: unknown) => {
    console.error(`burst: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
