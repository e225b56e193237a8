/**
 * The indexer's command line (scripts/indexer.sh and `make indexer` call it):
 *
 *   npx tsx indexer/main.ts migrate                       apply the SQL migrations not yet applied
 *   npx tsx indexer/main.ts reset                         drop every table, migrate afresh
 *   npx tsx indexer/main.ts process [--url ws://…] [--network local] [--until-head] [--reset-on-new-chain]
 *   npx tsx indexer/main.ts serve [--port 4350] [--url ws://…] [--network local]
 *
 * The database is INDEXER_DATABASE_URL (default postgres://indexer@127.0.0.1:5544/indexer,
 * the cluster scripts/pg.sh starts). `process` follows the node's finalized blocks until
 * SIGINT/SIGTERM (it finishes the block it is writing); `--until-head` stops once the
 * finalized head at start-up is indexed. `serve` answers the HTTP API (docs/indexer.md).
 */
import { loadMetadata, readDeployment } from '../client/src/node.js';
import { migrate, openPool, reset } from './db.js';
import { Processor } from './processor.js';
import { serve } from './api.js';

function option(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

async function main(): Promise<number> {
  const command = process.argv[2];
  const network = option('network', process.env.INDEXER_NETWORK ?? 'local')!;
  const pool = openPool();
  try {
    switch (command) {
      case 'migrate': {
        const applied = await migrate(pool);
        console.log(`indexer: migrations ${applied.length ? `applied: ${applied.join(', ')}` : 'up to date'}`);
        return 0;
      }
      case 'reset':
        await reset(pool);
        console.log('indexer: every table dropped and migrated afresh');
        return 0;
      case 'process': {
        const deployment = readDeployment(network);
        if (!deployment) throw new Error(`deployments/${network}.json is missing: deploy first (make deploy) or pass --network`);
        const url = option('url', process.env.INDEXER_NODE_URL ?? deployment.url)!;
        await migrate(pool);
        const processor = new Processor({
          url,
          deployment,
          metadata: loadMetadata(),
          pool,
          untilHead: flag('until-head'),
          resetOnNewChain: flag('reset-on-new-chain'),
          prefetch: Number(option('prefetch', '8')),
        });
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => processor.stop());
        const timer = setInterval(() => {
          const s = processor.stats;
          if (s.blocks > 0) console.log(`indexer: ${s.blocks} blocks, ${s.events} events, ${s.rows} rows in ${((Date.now() - s.startedAt) / 1000).toFixed(0)} s`);
        }, 30_000);
        const cursor = await processor.run().finally(() => clearInterval(timer));
        const s = processor.stats;
        const secs = (Date.now() - s.startedAt) / 1000;
        console.log(`indexer: stopped at block #${cursor.blockNumber}: ${s.blocks} blocks, ${s.events} events, ${s.rows} rows in ${secs.toFixed(1)} s (${(s.events / Math.max(secs, 0.001)).toFixed(0)} events/s)`);
        return 0;
      }
      case 'serve': {
        const deployment = readDeployment(network);
        const url = option('url', process.env.INDEXER_NODE_URL ?? deployment?.url ?? 'ws://127.0.0.1:9944')!;
        await migrate(pool);
        const port = Number(option('port', process.env.INDEXER_API_PORT ?? '4350'));
        const server = await serve({ pool, port, nodeUrl: url });
        console.log(`indexer: API on http://127.0.0.1:${port} (node ${url})`);
        await new Promise<void>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => resolve()));
        });
        return 0;
      }
      default:
        console.error('usage: npx tsx indexer/main.ts migrate|reset|process|serve [--url ws://…] [--network name] [--port n]');
        return 2;
    }
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`indexer: FAILED: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    process.exit(1);
  },
);
