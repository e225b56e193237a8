/**
 * Reads the block limits of the runtime at `--url` and writes them to `--out`
 * (bench/block-limits.json): scripts/bench.sh runs it against the contracts-node's
 * parachain runtime (`--chain contracts-parachain-local`), whose limits bound how many
 * calls fit in a block (scripts/blocks.ts).
 *
 *   npx tsx scripts/block-limits.ts --url ws://127.0.0.1:9979 --node "substrate-contracts-node 0.42.0" --out bench/block-limits.json
 */
import { writeFileSync } from 'node:fs';
import { connect } from '../client/src/index.js';
import { limitsToJson, readBlockLimits } from './blocks.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const client = await connect(arg('url', 'ws://127.0.0.1:9979'), 120_000);
  const limits = await readBlockLimits(client, arg('node', 'substrate-contracts-node'));
  await client.disconnect();
  const out = arg('out', 'bench/block-limits.json');
  writeFileSync(out, `${JSON.stringify(limitsToJson(limits), null, 2)}\n`);
  const t = limits.normalMaxTotal;
  console.log(
    `block-limits: ${limits.specName} v${limits.specVersion} (${limits.chain}): normal transactions share ${t.refTime.toLocaleString('en-US')} ref_time ` +
      `and ${t.proofSize.toLocaleString('en-US')} proof_size per block; wrote ${out}`,
  );
}

main().catch((err: unknown) => {
  console.error(`block-limits: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
