import { connect } from '../client/src/index.js';
import { loadMetadata, readDeployment } from '../client/src/node.js';
import { marketAt, readRows, type Key } from './entities.js';
const d = readDeployment('indexer-bench')!;
const client = await connect('ws://127.0.0.1:9942', 15000, 0);
const meta = loadMetadata();
const h = process.argv[2] === 'head' ? await client.rpc.chain_getFinalizedHead() : await client.rpc.chain_getBlockHash(Number(process.argv[2]));
const m = marketAt(client, await client.at(h!), d, meta, 83);
const kinds: [string, (i: bigint) => Key][] = [['gpuOffer', (i) => ({ kind: 'gpuOffer', id: i })], ['collateral', (i) => ({ kind: 'collateral', id: i })], ['model', (i) => ({ kind: 'model', id: i })], ['provider', () => ({ kind: 'provider', account: d.deployer })]];
for (const [label, mk] of kinds) {
  let t = performance.now();
  for (let i = 1n; i <= 10n; i++) await readRows(m, mk(i), () => undefined);
  const seq = (performance.now() - t) / 10;
  t = performance.now();
  await Promise.all(Array.from({ length: 50 }, (_, i) => readRows(m, mk(BigInt(i + 1)), () => undefined)));
  console.log(label, 'sequential ms', seq.toFixed(1), 'parallel 50 total ms', (performance.now() - t).toFixed(0));
}
await client.disconnect();
