/**
 * The cost budgets `make test` enforces (bench/budgets.json): every contract's optimized
 * size, and every measured message's `gas_required` as a multiple of the reference
 * transfer's, in ref_time and in proof_size. Deploys a fresh marketplace on the node at
 * `--url`, measures one call of each message (scripts/messages.ts, about 40 s) and fails
 * when a figure exceeds its budget, when a measured message has no budget, or when a
 * budget names a message that was not measured. It also checks the client's guard: a call
 * over the chain's per-transaction weight limit is refused with `TooHeavy` before signing.
 *
 *   npx tsx scripts/budgets.ts --url ws://127.0.0.1:9966 [--write]
 *
 * `--write` rewrites bench/budgets.json from this run (each figure + 2 %, sizes + 1 %):
 * only after a change whose cost is explained in its commit. The per-block figures use
 * the parachain runtime's limits in bench/block-limits.json (`make bench` reads them).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFitsBlock, devSigners, maxExtrinsicWeight, TooHeavy, type Market } from '../client/src/index.js';
import { bundlePath, ROOT } from '../client/src/node.js';
import { deploy } from './deploy.js';
import { limitsFromJson } from './blocks.js';
import { fitOf, measureMessages, MESSAGE_DAO_PARAMS, MESSAGE_HOUR_MS, ratios, REFERENCE, target } from './messages.js';

const CONTRACTS = ['market_token', 'model_registry', 'escrow', 'compute_market', 'dispute_dao'] as const;
const BUDGETS = join(ROOT, 'bench/budgets.json');
const LIMITS = join(ROOT, 'bench/block-limits.json');

/** Headroom `--write` leaves over a measured figure. */
const RATIO_HEADROOM = 1.02;
const SIZE_HEADROOM = 1.01;

interface Budgets {
  note: string;
  reference: string;
  /** Optimized Wasm bytes per contract. */
  sizes: Record<string, number>;
  /** gas_required ÷ the reference's, per message: [ref_time, proof_size]. */
  ratios: Record<string, [number, number]>;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function sizes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of CONTRACTS) {
    const b = JSON.parse(readFileSync(bundlePath(name), 'utf8')) as { source: { wasm: string; build_info?: { build_mode?: string } } };
    const mode = b.source.build_info?.build_mode ?? 'unknown';
    if (mode !== 'Release') throw new Error(`${name}: the bundle is a ${mode} build; run make build first`);
    out[name] = (b.source.wasm.length - 2) / 2;
  }
  return out;
}

const up = (x: number, headroom: number) => Math.ceil(x * headroom * 100) / 100;

/**
 * The client's guard against a call too heavy for a block: it reads the chain's
 * per-transaction limit, lets a call just under it through and refuses one just over it
 * with `TooHeavy` (which `send` and the dApp's confirm panel check before signing).
 */
function checkGuard(market: Market): string[] {
  const limit = maxExtrinsicWeight(market.client);
  if (!limit) return ['the client read no per-transaction weight limit from the chain'];
  const problems: string[] = [];
  try {
    checkFitsBlock(market.registry as never, 'purchaseLicense', limit);
  } catch (err) {
    problems.push(`a call of exactly the per-transaction limit was refused: ${String(err)}`);
  }
  for (const over of [{ ...limit, refTime: limit.refTime + 1n }, { ...limit, proofSize: limit.proofSize + 1n }]) {
    try {
      checkFitsBlock(market.registry as never, 'purchaseLicense', over);
      problems.push('a call over the per-transaction limit was not refused');
    } catch (err) {
      if (!(err instanceof TooHeavy)) problems.push(`a call over the limit failed with ${String(err)}, not TooHeavy`);
    }
  }
  if (!problems.length) {
    console.log(`budgets: the client refuses a call over the chain's per-transaction limit (${limit.refTime.toLocaleString('en-US')} ref_time, ${limit.proofSize.toLocaleString('en-US')} proof_size) with TooHeavy`);
  }
  return problems;
}

async function main(): Promise<void> {
  const url = arg('url', 'ws://127.0.0.1:9966');
  const write = process.argv.includes('--write');
  const measuredSizes = sizes();
  const who = await devSigners();
  const { market } = await deploy({
    url,
    network: 'budgets',
    fresh: true,
    treasury: who.Ferdie.address,
    hourMs: MESSAGE_HOUR_MS,
    daoPeriods: 'short',
    daoParams: MESSAGE_DAO_PARAMS,
    log: () => undefined,
  });
  const { reference, rows } = await measureMessages(market, who, (l) => console.log(`budgets: measuring ${l}`));
  const guard = checkGuard(market);
  await market.client.disconnect();
  const limits = existsSync(LIMITS) ? limitsFromJson(JSON.parse(readFileSync(LIMITS, 'utf8')) as Record<string, unknown>) : undefined;

  if (write) {
    const budgets: Budgets = {
      note:
        'Written by `npx tsx scripts/budgets.ts --write` (measured + 2 %, sizes + 1 %); `make test` fails when a figure exceeds its budget. ' +
        'Ratios: gas_required ÷ the reference transfer\'s, [ref_time, proof_size]. Raise a budget only with the reason in the commit.',
      reference: REFERENCE,
      sizes: Object.fromEntries(Object.entries(measuredSizes).map(([k, v]) => [k, Math.ceil(v * SIZE_HEADROOM)])),
      ratios: Object.fromEntries(rows.map((r) => {
        const [rt, ps] = ratios(reference, r);
        return [r.name, [up(rt, RATIO_HEADROOM), up(ps, RATIO_HEADROOM)]];
      })),
    };
    writeFileSync(BUDGETS, `${JSON.stringify(budgets, null, 2)}\n`);
    console.log(`budgets: wrote ${BUDGETS.replace(`${ROOT}/`, '')}`);
  }

  const budgets = JSON.parse(readFileSync(BUDGETS, 'utf8')) as Budgets;
  const failures: string[] = [];
  if (budgets.reference !== REFERENCE) failures.push(`the budgets are relative to "${budgets.reference}", the measurement to "${REFERENCE}"`);
  console.log(`\nreference: ${REFERENCE}: ${reference.refTime.toLocaleString('en-US')} ref_time, ${reference.proofSize.toLocaleString('en-US')} proof_size (gas_required)`);
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`\n  ${'message'.padEnd(w)}  ${'×ref_time'.padStart(9)} ${'budget'.padStart(7)}  ${'×proof'.padStart(7)} ${'budget'.padStart(7)}  target  ${limits ? 'per block' : ''}`);
  for (const r of rows) {
    const [rt, ps] = ratios(reference, r);
    const b = budgets.ratios[r.name];
    let fit = '';
    if (limits && r.kind === 'message') {
      const f = fitOf(limits, r);
      fit = `${f.sent} (${f.binding})`;
    }
    const t = target(r);
    const miss = rt > t || ps > t ? ' MISSED' : '';
    console.log(
      `  ${r.name.padEnd(w)}  ${rt.toFixed(2).padStart(9)} ${(b ? b[0].toFixed(2) : '—').padStart(7)}  ${ps.toFixed(2).padStart(7)} ${(b ? b[1].toFixed(2) : '—').padStart(7)}  ${`≤ ${t}×${miss}`.padEnd(6)}  ${fit}`.trimEnd(),
    );
    if (!b) failures.push(`${r.name}: no budget in bench/budgets.json`);
    else {
      if (rt > b[0]) failures.push(`${r.name}: ref_time ${rt.toFixed(3)}× the reference, budget ${b[0]}×`);
      if (ps > b[1]) failures.push(`${r.name}: proof_size ${ps.toFixed(3)}× the reference, budget ${b[1]}×`);
    }
  }
  for (const name of Object.keys(budgets.ratios)) {
    if (!rows.some((r) => r.name === name)) failures.push(`${name}: has a budget but was not measured`);
  }
  console.log('\n  contract          bytes   budget');
  for (const [name, size] of Object.entries(measuredSizes)) {
    const b = budgets.sizes[name];
    console.log(`  ${name.padEnd(16)} ${size.toLocaleString('en-US').padStart(7)} ${(b ? b.toLocaleString('en-US') : '—').padStart(8)}`);
    if (b === undefined) failures.push(`${name}: no size budget`);
    else if (size > b) failures.push(`${name}: ${size} bytes, budget ${b}`);
  }
  failures.push(...guard);
  if (failures.length) {
    console.error(`\nbudgets: FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`\nbudgets: OK: ${rows.length} messages and ${Object.keys(measuredSizes).length} sizes within bench/budgets.json`);
}

main().catch((err: unknown) => {
  console.error(`budgets: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
