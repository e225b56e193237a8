/**
 * The API's check (scripts/indexer-test.sh): starts the HTTP API on a free port over the
 * database, calls every route through the typed client (client/src/indexer.ts) and
 * compares each answer with what the chain's own views say at the indexed block:
 *
 *   npx tsx indexer/api-check.ts --url ws://… --network name
 *
 * Exits 1 on any difference, listing them all.
 */
import type { AddressInfo } from 'node:net';
import { connect, devSigners, IndexerClient, IndexerError, type Page } from '../client/src/index.js';
import { loadMetadata, readDeployment } from '../client/src/node.js';
import { serve } from './api.js';
import { openPool } from './db.js';
import { marketAt } from './entities.js';
import type { ComputeMarketOfferView } from '../client/src/contracts/compute-market/types.js';

function option(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const problems: string[] = [];
let checks = 0;
function same(what: string, actual: unknown, expected: unknown): void {
  checks += 1;
  const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  const a = json(actual);
  const e = json(expected);
  if (a !== e) problems.push(`${what}: API ${a}, chain ${e}`);
}
const ids = (p: Page<{ id: string }>) => p.items.map((i) => i.id);
const sorted = (xs: string[]) => [...xs].sort((a, b) => Number(BigInt(a) - BigInt(b)));

async function refused(what: string, call: () => Promise<unknown>, status: number, code: string): Promise<void> {
  checks += 1;
  try {
    await call();
    problems.push(`${what}: answered, expected ${status} ${code}`);
  } catch (err) {
    if (!(err instanceof IndexerError) || err.status !== status || err.code !== code) {
      problems.push(`${what}: expected ${status} ${code}, got ${err instanceof IndexerError ? `${err.status} ${err.code}` : String(err)}`);
    }
  }
}

async function main(): Promise<void> {
  const network = option('network', 'local')!;
  const deployment = readDeployment(network);
  if (!deployment) throw new Error(`deployments/${network}.json is missing`);
  const url = option('url', deployment.url)!;
  const pool = openPool();
  const client = await connect(url, 15_000, 0);
  const server = await serve({ pool, port: 0, nodeUrl: url });
  const api = new IndexerClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const started = Date.now();
  try {
    const status = await api.status();
    same('status lag', status.lagBlocks, 0);
    same('status genesis', status.genesisHash, deployment.genesisHash);
    const hash = await client.rpc.chain_getBlockHash(status.indexedBlock);
    same('status hash', status.indexedHash, hash);
    const m = marketAt(client, await client.at(hash!), deployment, loadMetadata(), status.indexedBlock);
    const caller = { caller: deployment.deployer };
    const who = await devSigners();

    // Models: every model from the chain, then each search against a filter of that list.
    const all = (await m.registry.query.models(0n, 50, caller)).data.items;
    const named = (pred: (name: string, tags: string[], owner: string, parent: bigint | undefined) => boolean) =>
      all.filter(([, x]) => pred(x.name, x.tags, x.owner.address(42), x.parent)).map(([id]) => id.toString());
    same('models?prefix=LLAMA', sorted(ids(await api.models({ prefix: 'LLAMA' }))), named((n) => n.toLowerCase().startsWith('llama')));
    same('models?q=chat', ids(await api.models({ q: 'chat' })), named((n, tags) => n.split(/[-\s]/).includes('chat') || tags.includes('chat')));
    same('models?tag=llm', ids(await api.models({ tag: 'llm' })), (await m.registry.query.modelsByTag('llm', 0n, 50, caller)).data.items.map(([id]) => id.toString()));
    same('models?owner=Bob', ids(await api.models({ owner: who.Bob.address })), (await m.registry.query.modelsByOwner(who.Bob.address, 0n, 50, caller)).data.items.map(([id]) => id.toString()));
    const base = all[0][0];
    same(`models?parent=${base}`, ids(await api.models({ parent: base })), named((_n, _t, _o, p) => p === base));
    const paged = await api.models({ tag: 'llm', limit: 1, offset: 1 });
    same('models?tag=llm&limit=1&offset=1', { ids: ids(paged), total: paged.total }, { ids: named((_n, t) => t.includes('llm')).slice(1, 2), total: named((_n, t) => t.includes('llm')).length });
    same('models?prefix=%_ (LIKE characters are literal)', ids(await api.models({ prefix: '%_' })), []);
    const detail = await api.model(base);
    const onChain = (await m.registry.query.model(base, caller)).data!;
    same(`models/${base}`, [detail.name, detail.owner, detail.tags, detail.offers.length], [onChain.name, onChain.owner.address(42), onChain.tags, onChain.offerCount]);

    // GPU offers: every offer from the chain, filtered the same way.
    const offerCount = (await m.compute.query.offerCount(caller)).data;
    const offers: ComputeMarketOfferView[] = [];
    for (let id = 1n; id <= offerCount; id++) {
      const v = (await m.compute.query.offer(id, caller)).data;
      if (v) offers.push(v);
    }
    const gpuIds = (pred: (o: (typeof offers)[number]) => boolean) =>
      offers.filter(pred).sort((a, b) => (a.offer.pricePerGpuHour < b.offer.pricePerGpuHour ? -1 : a.offer.pricePerGpuHour > b.offer.pricePerGpuHour ? 1 : Number(a.offerId - b.offerId))).map((o) => o.offerId.toString());
    const region = offers[0]?.offer.region ?? 'eu-west';
    const price = offers[0]?.offer.pricePerGpuHour ?? 0n;
    same(`gpu-offers?region=${region}&status=any`, ids(await api.gpuOffers({ region, status: 'any' })), gpuIds((o) => o.offer.region === region));
    same('gpu-offers (Active)', ids(await api.gpuOffers({})), gpuIds((o) => o.offer.status === 'Active'));
    same('gpu-offers?minVram=81&status=any', ids(await api.gpuOffers({ minVram: 81, status: 'any' })), gpuIds((o) => o.offer.vramGb >= 81));
    same(`gpu-offers?maxPrice=${price - 1n}&status=any`, ids(await api.gpuOffers({ maxPrice: price - 1n, status: 'any' })), gpuIds((o) => o.offer.pricePerGpuHour <= price - 1n));
    same('gpu-offers?gpuModel&minFree&status=any', ids(await api.gpuOffers({ gpuModel: offers[0]?.offer.gpuModel, minFree: 1, status: 'any' })), gpuIds((o) => o.offer.gpuModel === offers[0]?.offer.gpuModel && o.freeGpus >= 1));

    // An account's licenses, purchases, rentals and credits.
    const eve = who.Eve.address;
    const lic = (await m.registry.query.licensesOf(eve, 0n, 50, caller)).data.items;
    const apiLic = await api.licensesOf(eve);
    same('accounts/Eve/licenses', sorted(apiLic.items.map((l) => l.id)), sorted(lic.map((l) => l.licenseId.toString())));
    for (const l of lic) {
      const row = apiLic.items.find((x) => x.id === l.licenseId.toString());
      same(`license ${l.licenseId} escrow state`, row?.escrowState ?? null, l.escrow?.state ?? null);
    }
    const rentals = (await m.compute.query.rentalsOf(eve, 'Renter', 0n, 50, caller)).data.items;
    const apiRentals = await api.rentalsOf(eve, 'renter');
    same('accounts/Eve/rentals', sorted(ids(apiRentals)), sorted(rentals.map(([id]) => id.toString())));
    same('accounts/Eve/rentals status', apiRentals.items.map((r) => r.status), apiRentals.items.map((r) => rentals.find(([id]) => id.toString() === r.id)?.[1].status));
    const purchases = await api.purchasesOf(eve, { limit: 100 });
    same('accounts/Eve/purchases LicensePurchased', purchases.items.filter((e) => e.name === 'LicensePurchased').length, lic.length);
    same('accounts/Eve/purchases RentalBooked', purchases.items.filter((e) => e.name === 'RentalBooked').length, rentals.length);
    // The asset of each purchase's amount: the license's or the rental's, on chain.
    const assetOf = (a: { type: 'Native' } | { type: 'Psp22'; value: { address: (p: number) => string } }) => (a.type === 'Native' ? 'Native' : a.value.address(42));
    same(
      'accounts/Eve/purchases assets',
      purchases.items.map((e) => e.asset),
      purchases.items.map((e) => {
        if (e.name === 'LicensePurchased') {
          const l = lic.find((x) => x.licenseId.toString() === String(e.args.licenseId));
          return l ? assetOf(l.license.asset) : 'no such license';
        }
        const r = rentals.find(([id]) => id.toString() === String(e.args.rentalId));
        return r ? assetOf(r[1].asset) : 'no such rental';
      }),
    );
    const credits = await api.creditsOf(eve, { limit: 100 });
    same(
      'accounts/Eve/credits assets (the vault\'s known, the DAO\'s in its stake token)',
      credits.items.map((e) => (e.contract === 'dispute_dao' ? e.asset === null : typeof e.asset === 'string' && e.asset.length > 0)),
      credits.items.map(() => true),
    );
    checks += 1;
    if (credits.total === 0 || credits.items.some((e) => !JSON.stringify(e.args).includes(eve))) problems.push(`accounts/Eve/credits: ${credits.total} events, each must name Eve`);
    const order = credits.items.map((e) => BigInt(e.blockNumber) * 1000n + BigInt(e.eventIndex));
    same('accounts/Eve/credits newest first', order, [...order].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));

    // A provider's record.
    const rep = (await m.compute.query.reputation(who.Bob.address, caller)).data;
    const prov = await api.provider(who.Bob.address);
    same('providers/Bob', [prov.completed, prov.endedEarly, prov.disputed, prov.lost, prov.noShows, prov.belowMinimum, prov.distinctRenters], [rep.completed, rep.endedEarly, rep.disputed, rep.lost, rep.noShows, rep.belowMinimum, rep.distinctRenters]);
    same('providers/Bob offers', prov.offers, offers.filter((o) => o.offer.provider.address(42) === who.Bob.address).length);

    // Cases: the list, then one case's votes and timeline.
    const cases = (await m.dao.query.cases(0n, 50, caller)).data.items;
    same('cases', sorted(ids(await api.cases())), sorted(cases.map((c) => c.id.toString())));
    for (const c of cases) {
      const d = await api.caseDetail(c.id);
      same(`cases/${c.id} phase`, d.phase, c.phase);
      same(`cases/${c.id} votes of round 0`, d.votes.filter((v) => v.round === 0).length, (await m.dao.query.roundInfo(c.id, 0, caller)).data.commits);
      const names = d.timeline.map((e) => e.name);
      const at = d.timeline.map((e) => BigInt(e.blockNumber) * 1000n + BigInt(e.eventIndex));
      same(`cases/${c.id} timeline in chain order`, at, [...at].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      checks += 1;
      for (const n of ['EscrowDisputed', 'CaseOpened', 'VoteCommitted', 'VoteRevealed']) {
        if (!names.includes(n)) problems.push(`cases/${c.id} timeline has no ${n}: ${names.join(', ')}`);
      }
    }

    // Proposals.
    const props = (await m.dao.query.proposals(0n, 50, caller)).data.items;
    const apiProps = await api.proposals();
    same('proposals', apiProps.items.map((p) => [p.id, p.state, p.action, p.forWeight]), [...props].reverse().map((p) => [p.id.toString(), p.state, p.proposal.action.type, p.proposal.forWeight.toString()]));

    // Refusals: typed, with the right status.
    await refused('a malformed account', () => api.licensesOf('not-an-address'), 400, 'BadRequest');
    await refused('a model that does not exist', () => api.model(999_999n), 404, 'NotFound');
    await refused('minVram out of range', () => api.gpuOffers({ minVram: 70_000 }), 400, 'BadRequest');
    await refused('limit 0', () => api.models({ limit: 0 }), 400, 'BadRequest');
    await refused('an unknown sort', () => api.gpuOffers({ sort: 'name' as 'price' }), 400, 'BadRequest');

    console.log(`api: ${checks} checks of 14 routes against the chain's views at block #${status.indexedBlock} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (problems.length) {
      for (const p of problems) console.log(`api: MISMATCH ${p}`);
      throw new Error(`${problems.length} of ${checks} API checks failed`);
    }
    console.log('api: OK');
  } finally {
    server.close();
    await client.disconnect();
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`api: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
