/**
 * Cost benchmark of the escrow vault on a local node: does a message's cost depend on
 * how many escrows exist? (scripts/bench.sh starts the node and builds; `make bench`.)
 *
 *   npx tsx scripts/bench.ts [--url ws://127.0.0.1:9977] [--out bench/results.json]
 *
 * Deploys the contracts, opens one escrow, dry-runs each message and records the weight
 * it consumes (ref_time, proof_size); then opens escrows up to 200 between the same
 * two parties (so their open-escrow indexes hold 200 entries each) and dry-runs the same
 * messages on the newest escrow. Nothing here is timed: weights are what the chain
 * charges, and a dry-run reports them exactly.
 */
import { mkdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  chainNow,
  devSigners,
  dryRun,
  send,
  type Vault,
  type Signer,
  type Estimate,
} from '../client/src/index.js';
import { ROOT } from '../client/src/node.js';
import { deploy } from './deploy.js';

const AMOUNT = 10n ** 12n; // 1 UNIT
const TARGET = 200;

type Row = [refTime: bigint, proofSize: bigint];
const cost = (e: Estimate<unknown>): Row => [e.gasConsumed.refTime, e.gasConsumed.proofSize];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const url = arg('url', 'ws://127.0.0.1:9977');
  const out = arg('out', join(ROOT, 'bench/results.json'));
  const who = await devSigners();
  const { market } = await deploy({ url, network: 'bench', fresh: true, treasury: who.Charlie.address, log: () => undefined });
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
    rows['escrow (view)'] = cost(await dryRun(vault, a, 'escrow', [newest]));
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

  const sizes: Record<string, number> = {};
  for (const name of ['market_token', 'model_registry', 'escrow']) {
    const wasm = join(ROOT, `target/ink/${name}/${name}.wasm`);
    if (existsSync(wasm)) sizes[name] = statSync(wasm).size;
  }
  const weights: Record<string, { with_small: number[]; with_large: number[] }> = {};
  for (const k of Object.keys(small)) {
    weights[k] = { with_small: small[k].map(Number), with_large: big[k].map(Number) };
  }
  const result = {
    node: url,
    escrows: { small: Number(smallN), large: Number(bigN), open_for_alice_at_large: Number(openCount) },
    weights,
    wasm_bytes: sizes,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  console.log(`\nDry-run weight of each vault message with ${smallN} and with ${bigN} escrows (${openCount} open for the same payer):\n`);
  const h = (s: string, w: number) => s.padStart(w);
  console.log(`  ${'message'.padEnd(32)} ${h(`ref_time @${smallN}`, 16)} ${h(`ref_time @${bigN}`, 16)} ${h('change', 8)}   ${h(`proof_size @${smallN}`, 16)} ${h(`@${bigN}`, 8)}`);
  for (const k of Object.keys(small)) {
    const [r1, p1] = small[k];
    const [r2, p2] = big[k];
    const change = r1 ? (Number(r2 - r1) / Number(r1)) * 100 : 0;
    const sign = change >= 0 ? '+' : '';
    console.log(`  ${k.padEnd(32)} ${h(r1.toLocaleString('en-US'), 16)} ${h(r2.toLocaleString('en-US'), 16)} ${h(`${sign}${change.toFixed(2)}%`, 8)}   ${h(p1.toLocaleString('en-US'), 16)} ${h(p2.toLocaleString('en-US'), 8)}`);
  }
  console.log('\nOptimized contract sizes:');
  for (const [name, size] of Object.entries(sizes)) console.log(`  ${name.padEnd(16)} ${size.toLocaleString('en-US').padStart(8)} bytes`);
  console.log(`\nbench: wrote ${out.replace(`${ROOT}/`, '')}`);
  await market.client.disconnect();
}

main().catch((err: unknown) => {
  console.error(`bench: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
