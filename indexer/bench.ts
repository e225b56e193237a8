/**
 * The indexer's scale benchmark (scripts/indexer-bench.sh runs it on a fresh node and an
 * empty database):
 *
 *   npx tsx indexer/bench.ts --url ws://… [--models 10000] [--offers 10000] [--runs 200] [--chain-runs 3]
 *
 * 1. deploys the contracts (deployments/indexer-bench.json) and seeds MODELS models and
 *    OFFERS GPU offers through `utility.batchAll` (50 contract calls an extrinsic, six
 *    dev accounts sending at once): names from model families, sizes and variants, 1–3
 *    tags; offers over 8 regions, 6 GPU models, random VRAM, capacity and price;
 * 2. indexes the chain from its first block into the empty database (--until-head) and
 *    measures the catch-up: blocks, events and rows per second;
 * 3. serves the API and measures five searches, RUNS times each over HTTP (the dApp's
 *    view of them): p50, p99 and the largest latency;
 * 4. answers the same five searches from the chain's paged views alone
 *    (indexer/onchain.ts), CHAIN_RUNS times each (--chain-runs, default 3): the calls
 *    and the median time, and fails unless they give the API's answer.
 *
 * Writes .run/indexer-bench.json and prints a table; docs/indexer.md quotes the numbers.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect, devSigners, dryRun, IndexerClient, openMarket, type Page, type Paging, type Signer } from '../client/src/index.js';
import { loadMetadata, ROOT, readDeployment } from '../client/src/node.js';
import { deploy } from '../scripts/deploy.js';
import { serve } from './api.js';
import { openPool, reset } from './db.js';
import { cheapestFree, modelsByPrefix, modelsByTagAndOwner, modelsByWords, offersUnder, type ChainAnswer } from './onchain.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const UNIT = 10n ** 12n;
const BATCH = 50;
const FAMILIES = ['llama', 'mistral', 'whisper', 'sdxl', 'bert', 'qwen', 'gemma', 'falcon', 'phi', 'mixtral'];
const SIZES = ['1b', '3b', '7b', '13b', '34b', '70b'];
const VARIANTS = ['base', 'chat', 'instruct', 'code', 'vision', 'int8'];
const TAGS = ['llm', 'chat', 'code', 'vision', 'speech', 'asr', 'embedding', 'diffusion', 'quantized', 'gguf', 'lora', 'multilingual'];
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south', 'ap-northeast', 'sa-east', 'af-south'];
const GPUS: [string, number[]][] = [
  ['A100', [40, 80]],
  ['H100', [80, 94]],
  ['L40S', [48]],
  ['RTX4090', [24]],
  ['A10G', [24]],
  ['MI300X', [192]],
];

/** A seeded random source, so two runs seed the same chain. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Deploys the contracts and seeds models and GPU offers (phase 1). */
async function seedChain(url: string, models: number, offers: number, r: () => number, senders: Signer[]): Promise<Record<string, number>> {
  const who = await devSigners();
  const t0 = Date.now();
  const { market: m } = await deploy({ url, network: 'indexer-bench', fresh: true, log: () => undefined });
  const client = m.client;
  console.log(`bench: deployed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // One dry-run per message for its gas; every seeded call of that kind gets twice that.
  const margin = (w: { refTime: bigint; proofSize: bigint }) => ({ refTime: w.refTime * 2n, proofSize: w.proofSize * 2n });
  const modelArgs = (i: number) => {
    const name = `${pick(r, FAMILIES)}-${pick(r, SIZES)}-${pick(r, VARIANTS)}-${String(i).padStart(5, '0')}`;
    const tags = [...new Set([pick(r, TAGS), pick(r, TAGS), pick(r, TAGS)].slice(0, 1 + Math.floor(r() * 3)))];
    return [name, `ipfs://bafybench${i}`, `0x${i.toString(16).padStart(64, '0')}`, { major: 1, minor: i % 10, patch: 0 }, undefined, 0, tags] as const;
  };
  const probeModel = await dryRun(m.registry, who.Alice.address, 'registerModel', [...modelArgs(0)]);
  const cfg = (await dryRun(m.compute, who.Alice.address, 'config', [])).value;
  const offerArgs = () => {
    const [gpu, vrams] = pick(r, GPUS);
    const capacity = 1 + Math.floor(r() * 8);
    const price = (UNIT / 100n) * BigInt(1 + Math.floor(r() * 200)); // 0.01–2 UNIT per GPU-hour
    const maxHours = 4;
    const collateral = (price * BigInt(capacity) * BigInt(maxHours) * BigInt(cfg.collateralRatioBps)) / 10_000n;
    return { args: [gpu, pick(r, vrams), capacity, pick(r, REGIONS), price, 1, maxHours, { type: 'Native' as const }, `0x${'77'.repeat(32)}`, 600_000n] as const, collateral };
  };
  const probe = offerArgs();
  const probeOffer = await dryRun(m.compute, who.Alice.address, 'publishOffer', [...probe.args], { value: probe.collateral });

  /** Sends `count` calls, BATCH per extrinsic, spread over the six senders. */
  const seed = async (what: string, count: number, call: (i: number) => { call: unknown }) => {
    const started = Date.now();
    const batches: { call: unknown }[][] = [];
    for (let i = 0; i < count; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) batch.push(call(j + 1));
      batches.push(batch);
    }
    let next = 0;
    await Promise.all(
      senders.map(async (s) => {
        for (let b = next++; b < batches.length; b = next++) {
          const tx = client.tx.utility.batchAll(batches[b].map((c) => c.call) as never);
          const res = await tx.signAndSend(s.pair!).untilBestChainBlockIncluded();
          const failed = res.events.find((e) => e.event.pallet === 'System' && e.event.palletEvent.name === 'ExtrinsicFailed');
          if (failed) throw new Error(`${what}: batch ${b} failed: ${JSON.stringify(failed.event.palletEvent, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
        }
      }),
    );
    const secs = (Date.now() - started) / 1000;
    console.log(`bench: seeded ${count} ${what} in ${batches.length} extrinsics, ${secs.toFixed(0)} s`);
    return secs;
  };
  const seedModels = await seed('models', models, (i) =>
    m.registry.tx.registerModel(...modelArgs(i), { gasLimit: margin(probeModel.gasRequired), storageDepositLimit: probeModel.storageDeposit.value * 2n }),
  );
  const seedOffers = await seed('GPU offers', offers, () => {
    const o = offerArgs();
    return m.compute.tx.publishOffer(...o.args, { value: o.collateral, gasLimit: margin(probeOffer.gasRequired), storageDepositLimit: probeOffer.storageDeposit.value * 2n });
  });
  // dedot may still be working through the seeding's block notifications, or its
  // watchdog may have dropped the idle connection already: nothing to report either way.
  await client.disconnect().catch(() => undefined);
  return { models, offers, seed_models_s: +seedModels.toFixed(1), seed_offers_s: +seedOffers.toFixed(1) };
}

async function main(): Promise<void> {
  const url = option('url', 'ws://127.0.0.1:9942');
  const models = Number(option('models', '10000'));
  const offers = Number(option('offers', '10000'));
  const runs = Number(option('runs', '200'));
  const chainRuns = Number(option('chain-runs', '3'));
  const phase = option('phase', 'all');
  const r = rng(21);
  const who = await devSigners();
  const senders: Signer[] = [who.Alice, who.Bob, who.Charlie, who.Dave, who.Eve, who.Ferdie];

  let seeded: Record<string, number> = {};
  if (phase === 'all') seeded = await seedChain(url, models, offers, r, senders);
  const deployment = readDeployment('indexer-bench');
  if (!deployment) throw new Error('deployments/indexer-bench.json is missing: run the whole benchmark first');

  // The catch-up: from the first block into an empty database, by the processor's own
  // command (a process of its own, as in production).
  const pool = openPool();
  let catchUp: Record<string, unknown> = {};
  if (phase === 'all') {
    await reset(pool);
    const c0 = Date.now();
    const run = spawnSync('node', ['--import', 'tsx', 'indexer/main.ts', 'process', '--network', 'indexer-bench', '--url', url, '--until-head'], { cwd: ROOT, encoding: 'utf8', env: process.env });
    const secs = (Date.now() - c0) / 1000;
    console.log(run.stdout.trimEnd().replace(/^/gm, 'bench: | '));
    if (run.status !== 0) throw new Error(`the catch-up failed: ${run.stderr}`);
    const done = /stopped at block #(\d+): (\d+) blocks, (\d+) events, (\d+) rows in ([\d.]+) s/.exec(run.stdout);
    const range = /(\d+) events fetched in ([\d.]+) s; reading (\d+) entities[\s\S]*?(\d+) rows read in ([\d.]+) s, written in ([\d.]+) s/.exec(run.stdout);
    if (!done) throw new Error(`no summary in the processor's output: ${run.stdout}`);
    const events = Number(done[3]);
    catchUp = {
      blocks: Number(done[2]),
      events,
      rows: Number(done[4]),
      seconds_process: +secs.toFixed(1),
      seconds_processor: Number(done[5]),
      events_per_s: Math.round(events / Number(done[5])),
      ...(range ? { fetch_events_s: Number(range[2]), read_views_s: Number(range[5]), write_s: Number(range[6]), views_per_s: Math.round(Number(range[4]) / Number(range[5])) } : {}),
    };
    console.log(`bench: catch-up ${JSON.stringify(catchUp)}`);
  }
  const sizes = (await pool.query("SELECT relname AS t, n_live_tup AS n FROM pg_stat_user_tables WHERE relname IN ('models', 'gpu_offers', 'events')")).rows;

  // Five searches through the API, over HTTP; then the same answers from the chain's
  // paged views (indexer/onchain.ts), which must be the same ids in the same order.
  const server = await serve({ pool, port: 0, nodeUrl: url });
  const head = (await pool.query<{ block_number: string }>('SELECT block_number FROM indexer_cursor')).rows[0]?.block_number;
  const api = new IndexerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const client = await connect(url, 15_000, 0);
  const m = openMarket(client, deployment, loadMetadata());
  const caller = deployment.deployer;
  const bob = who.Bob.address;
  interface Search {
    name: string;
    /** The API's first page (what the dApp asks for). */
    run: (p: Paging) => Promise<Page<{ id: string }>>;
    limit: number;
    /** `rank`: the API orders by relevance, so the answers are compared as sets. */
    order: 'listed' | 'rank';
    chain: () => Promise<ChainAnswer>;
  }
  const searches: Search[] = [
    { name: 'models by name prefix ("llama-7b")', limit: 20, order: 'listed', run: (p) => api.models({ prefix: 'llama-7b', ...p }), chain: () => modelsByPrefix(m, caller, 'llama-7b', 20) },
    { name: 'models by full text ("mistral instruct")', limit: 20, order: 'rank', run: (p) => api.models({ q: 'mistral instruct', ...p }), chain: () => modelsByWords(m, caller, 'mistral instruct', 20) },
    { name: 'models by tag and owner (vision, Bob)', limit: 20, order: 'listed', run: (p) => api.models({ tag: 'vision', owner: bob, ...p }), chain: () => modelsByTagAndOwner(m, caller, 'vision', bob, 20) },
    {
      name: 'cheapest free A100 in eu-west with 80 GB',
      limit: 10,
      order: 'listed',
      run: (p) => api.gpuOffers({ region: 'eu-west', gpuModel: 'A100', minVram: 80, minFree: 1, ...p }),
      chain: () => cheapestFree(m, caller, 'eu-west', 'A100', 80, 10),
    },
    {
      name: 'GPU offers ≥ 48 GB under 0.5 UNIT/h, by price',
      limit: 20,
      order: 'listed',
      run: (p) => api.gpuOffers({ minVram: 48, maxPrice: UNIT / 2n, ...p }),
      chain: () => offersUnder(m, caller, REGIONS, UNIT / 2n, 48, 20),
    },
  ];
  const results = [];
  const mismatches: string[] = [];
  for (const s of searches) {
    const first = await s.run({ limit: s.limit }); // warm the plan cache; not counted
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = performance.now();
      await s.run({ limit: s.limit });
      times.push(performance.now() - a);
    }
    times.sort((x, y) => x - y);
    // Every id the API matches, page by page (not timed), to compare with the chain's.
    const every: string[] = [];
    for (let offset = 0; offset < first.total; offset += 100) every.push(...(await s.run({ limit: 100, offset })).items.map((i) => i.id));
    const chainMs: number[] = [];
    let answer: ChainAnswer | undefined;
    for (let i = 0; i < chainRuns; i++) {
      const a = performance.now();
      answer = await s.chain();
      chainMs.push(performance.now() - a);
    }
    chainMs.sort((x, y) => x - y);
    const key = (ids: string[]) => JSON.stringify(s.order === 'rank' ? [...ids].sort() : ids);
    if (key(answer!.ids) !== key(every)) mismatches.push(`${s.name}: the API answers ${every.length} ids, the chain ${answer!.ids.length}, not the same ${s.order === 'rank' ? 'set' : 'list'}`);
    const row = {
      search: s.name,
      matches: first.total,
      p50_ms: +percentile(times, 50).toFixed(2),
      p99_ms: +percentile(times, 99).toFixed(2),
      max_ms: +times[times.length - 1].toFixed(2),
      chain_calls: answer!.calls,
      chain_first_page_calls: answer!.firstPageCalls,
      chain_ms: Math.round(percentile(chainMs, 50)),
      chain_same_answer: key(answer!.ids) === key(every),
    };
    results.push(row);
    console.log(
      `bench: ${s.name}: ${row.matches} matches; indexer p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms, max ${row.max_ms} ms (${runs} runs); ` +
        `on chain ${row.chain_calls} calls (first page after ${row.chain_first_page_calls}), ${row.chain_ms} ms (median of ${chainRuns}), ${row.chain_same_answer ? 'the same answer' : 'A DIFFERENT ANSWER'}`,
    );
  }
  await client.disconnect();
  server.close();
  await pool.end();

  const out = {
    at: new Date().toISOString(),
    seeded: { ...seeded, indexed_head: Number(head) },
    catch_up: catchUp,
    tables: Object.fromEntries(sizes.map((x: { t: string; n: string }) => [x.t, Number(x.n)])),
    chain_runs: chainRuns,
    searches: results,
  };
  writeFileSync(join(ROOT, `.run/indexer-bench${phase === 'all' ? '' : `-${phase}`}.json`), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`bench: results in .run/indexer-bench${phase === 'all' ? '' : `-${phase}`}.json`);
  printTable(results);
  if (mismatches.length) throw new Error(`the chain's views and the API disagree:\n  ${mismatches.join('\n  ')}`);
}

/** The table docs/indexer.md quotes. */
function printTable(rows: { search: string; matches: number; p50_ms: number; p99_ms: number; chain_calls: number; chain_first_page_calls: number; chain_ms: number }[]): void {
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`);
  console.log('| search | matches | indexer p50 | indexer p99 | on-chain calls (first page) | on-chain time |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.search} | ${r.matches.toLocaleString('en-US')} | ${r.p50_ms} ms | ${r.p99_ms} ms | ${r.chain_calls.toLocaleString('en-US')} (${r.chain_first_page_calls.toLocaleString('en-US')}) | ${ms(r.chain_ms)} |`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: FAILED: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
