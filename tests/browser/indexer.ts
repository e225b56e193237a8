/**
 * The dApp's searches through the indexer, in headless Chromium (scripts/indexer-test.sh
 * runs it after the scenario is indexed, with INDEXER_API set to a running API and
 * INDEXER_DIST to a build of the app that carries the scenario's deployment):
 *
 *   1. with ?indexer=<api>: the Models screen says it reads the indexer and that the
 *      index is up to date; a name search ("chat") and a tag search ("llm") list exactly
 *      the models the chain's views say match; the GPUs screen says it reads the indexer;
 *   2. without it: the screens say they read the contracts' paged views, and the same
 *      name search finds the same model there;
 *   3. with an indexer that does not answer: the screens fall back to the chain and say so;
 *   4. the History screen with ?indexer=: Eve (chosen in the header) has the licenses,
 *      rentals, purchases and credits the chain and the API say, each panel saying it
 *      reads the indexer, up to date; Bob's provider record (typed in) has the chain's
 *      counters; the scenario's case shows the API's timeline in chain order and the
 *      chain's number of votes; Bob typed in as the account shows his rentals as provider;
 *   5. the History screen without it: the licenses, rentals, credits, provider record and
 *      case come from the chain's views and match them; purchases and the case's timeline
 *      say they need the indexer; with an indexer that does not answer, the panels fall
 *      back to the chain and say so.
 *
 *   BROWSER_NETWORK=indexer-test INDEXER_API=http://127.0.0.1:4351 INDEXER_DIST=.run/indexer-test/dist npx tsx tests/browser/indexer.ts
 */
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { connect, devSigners, dryRun, formatUnits, IndexerClient, openMarket, type Market } from '../../client/src/index.js';
import { loadMetadata, readDeployment, ROOT } from '../../client/src/node.js';
import { as, check, Failed, NETWORK, screenshot, serve, tab, tid, WAIT } from './lib.js';

const API = process.env.INDEXER_API ?? 'http://127.0.0.1:4351';
const DIST = resolve(ROOT, process.env.INDEXER_DIST ?? '.run/indexer-test/dist');

async function source(page: Page): Promise<{ kind: string; text: string }> {
  const el = page.locator(tid('search-source')).first();
  await el.waitFor();
  // The indexer's status loads after the first paint: wait for its block number.
  if ((await el.getAttribute('data-source')) === 'indexer') await page.waitForFunction(() => /block #\d+/.test(document.querySelector('[data-testid="search-source"]')?.textContent ?? ''));
  return { kind: (await el.getAttribute('data-source')) ?? '', text: (await el.textContent()) ?? '' };
}

/**
 * Searches `text` in `mode` on the Models screen and waits (up to WAIT) for the list to
 * show exactly `expected` ids; fails naming what it showed last.
 */
async function search(page: Page, mode: 'all' | 'tag', text: string, expected: string[], what: string): Promise<void> {
  await page.selectOption(tid('search-mode'), mode);
  await page.fill(tid('search-input'), text);
  await page.click(tid('search-go'));
  const want = JSON.stringify(expected);
  const deadline = Date.now() + WAIT;
  let shown = '';
  while (Date.now() < deadline) {
    const ids = await page.locator(`${tid('model-list')} article`).evaluateAll((els) => els.map((e) => (e.getAttribute('data-testid') ?? '').replace('model-', '')));
    shown = JSON.stringify(ids.sort());
    if (shown === want) return;
    await page.waitForTimeout(200);
  }
  throw new Failed(`${what}: the list shows ${shown}, the chain's views say ${want}`);
}


/** Polls `read` until it returns `want` (up to WAIT); fails naming what it read last. */
async function until(page: Page, read: () => Promise<string>, want: string, what: string): Promise<void> {
  const deadline = Date.now() + WAIT;
  let got = '';
  while (Date.now() < deadline) {
    got = await read().catch((err: unknown) => `(${err instanceof Error ? err.message : String(err)})`);
    if (got === want) return;
    await page.waitForTimeout(200);
  }
  throw new Failed(`${what}: the screen shows ${got}, expected ${want}`);
}

/** A History panel's source once it has loaded: `indexer` or `chain`, and its line. */
async function panelSource(page: Page, panel: string): Promise<{ kind: string; text: string }> {
  const el = page.locator(`${tid(panel)}[data-ready]`);
  await el.waitFor();
  const kind = (await el.getAttribute('data-source')) ?? '';
  const line = page.locator(tid(`${panel}-source`));
  if (kind === 'indexer') await page.waitForFunction((id) => /block #\d+/.test(document.querySelector(`[data-testid="${id}-source"]`)?.textContent ?? ''), panel);
  return { kind, text: (await line.textContent()) ?? '' };
}

/** The ids of a History table's rows (`data-testid` = prefix + id), sorted. */
async function rowIds(page: Page, table: string, prefix: string): Promise<string> {
  const ids = await page.locator(`${tid(table)} tbody tr`).evaluateAll((els, p) => els.map((e) => (e.getAttribute('data-testid') ?? '').replace(p, '')), prefix);
  return JSON.stringify(ids.sort((a, b) => Number(a) - Number(b)));
}

/** A History event table's rows as `block:index`, in the order shown. */
async function eventsShown(page: Page, table: string): Promise<string> {
  return JSON.stringify(await page.locator(`${tid(table)} tbody tr`).evaluateAll((els) => els.map((e) => e.getAttribute('data-at'))));
}

const sortedIds = (ids: (bigint | string)[]) => JSON.stringify(ids.map(String).sort((a, b) => Number(a) - Number(b)));

/** What the History screen must show, from the chain's views and the API. */
interface Expected {
  eve: string;
  bob: string;
  licenses: string;
  /** Each of Eve's licenses' escrow state, by id. */
  escrows: Map<string, string>;
  rentals: string;
  bobServed: string;
  reputation: string;
  credit: bigint;
  caseId: bigint;
  commits: number;
}

async function expected(m: Market, caller: string): Promise<Expected> {
  const who = await devSigners();
  const eve = who.Eve.address;
  const bob = who.Bob.address;
  const lic = (await dryRun(m.registry, caller, 'licensesOf', [eve, 0n, 10])).value.items;
  const rentals = (await dryRun(m.compute, caller, 'rentalsOf', [eve, 'Renter', 0n, 10])).value.items;
  const served = (await dryRun(m.compute, caller, 'rentalsOf', [bob, 'Provider', 0n, 10])).value.items;
  const rep = (await dryRun(m.compute, caller, 'reputation', [bob])).value;
  const cases = (await dryRun(m.dao, caller, 'cases', [0n, 10])).value.items;
  check(lic.length > 0 && rentals.length > 0 && served.length > 0 && cases.length > 0, `the scenario's history: ${lic.length} licenses and ${rentals.length} rentals of Eve, ${served.length} rentals served by Bob, ${cases.length} cases`);
  const c = cases[0];
  return {
    eve,
    bob,
    licenses: sortedIds(lic.map((l) => l.licenseId)),
    escrows: new Map(lic.map((l) => [String(l.licenseId), l.escrow?.state ?? '—'])),
    rentals: sortedIds(rentals.map(([id]) => id)),
    bobServed: sortedIds(served.map(([id]) => id)),
    reputation: JSON.stringify([rep.completed, rep.endedEarly, rep.disputed, rep.lost, rep.noShows, rep.belowMinimum, rep.distinctRenters]),
    credit: (await dryRun(m.vault, caller, 'creditOf', [eve, { type: 'Native' }])).value,
    caseId: c.id,
    commits: (await dryRun(m.dao, caller, 'roundInfo', [c.id, 0])).value.commits,
  };
}

async function reputationShown(page: Page): Promise<string> {
  const keys = ['completed', 'endedEarly', 'disputed', 'lost', 'noShows', 'belowMinimum', 'distinctRenters'];
  const values = await Promise.all(keys.map((k) => page.locator(tid(`history-provider-${k}`)).getAttribute('data-value', { timeout: 2_000 })));
  return JSON.stringify(values.map(Number));
}

async function showCase(page: Page, id: bigint): Promise<void> {
  await page.fill(tid('history-case-input'), String(id));
  await page.click(tid('history-case-go'));
}

async function showProvider(page: Page, address: string): Promise<void> {
  await page.fill(tid('history-provider-input'), address);
  await page.click(tid('history-provider-go'));
}

async function main(): Promise<number> {
  const deployment = readDeployment(NETWORK);
  if (!deployment) throw new Failed(`deployments/${NETWORK}.json is missing`);
  // No "no new block" watchdog: the dev node seals nothing while the browser only reads.
  const client = await connect(deployment.url, 15_000, 0);
  const m = openMarket(client, deployment, loadMetadata());
  const caller = deployment.deployer;
  // What the chain says should match, from its own views.
  const all = (await dryRun(m.registry, caller, 'models', [0n, 50])).value.items;
  const byName = all.filter(([, x]) => x.name.split('-').includes('chat')).map(([id]) => String(id)).sort();
  const byTag = (await dryRun(m.registry, caller, 'modelsByTag', ['llm', 0n, 50])).value.items.map(([id]) => String(id)).sort();
  check(byName.length > 0 && byTag.length > 1, `the scenario's models: ${byName.length} named chat, ${byTag.length} tagged llm`);
  const want = await expected(m, caller);
  const api = new IndexerClient(API);
  const who = await devSigners();
  const server = await serve(DIST);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  const started = Date.now();
  let checks = 0;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const run = async (query: string, body: (page: Page) => Promise<void>) => {
      const context = await browser!.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      await page.goto(`${base}/?network=${NETWORK}${query}`);
      await page.locator(tid('account-select')).waitFor();
      await body(page);
      await context.close();
    };

    await run(`&indexer=${encodeURIComponent(API)}`, async (page) => {
      await tab(page, 'models');
      const s = await source(page);
      check(s.kind === 'indexer' && s.text.includes('up to date'), `Models reads the indexer, up to date: "${s.text}"`);
      await search(page, 'all', 'chat', byName, 'name "chat" through the indexer');
      await search(page, 'tag', 'llm', byTag, 'tag "llm" through the indexer');
      await tab(page, 'gpus');
      const g = await source(page);
      check(g.kind === 'indexer', `GPUs reads the indexer: "${g.text}"`);
      checks += 4;
    });

    await run('', async (page) => {
      await tab(page, 'models');
      const s = await source(page);
      check(s.kind === 'chain' && s.text.includes('no indexer configured'), `without ?indexer, Models reads the chain: "${s.text}"`);
      await search(page, 'all', 'chat', byName, 'name "chat" on the chain');
      checks += 2;
    });

    await run(`&indexer=${encodeURIComponent('http://127.0.0.1:9')}`, async (page) => {
      await tab(page, 'models');
      await page.waitForFunction(() => document.querySelector('[data-testid="search-source"]')?.textContent?.includes('does not answer'));
      const s = await source(page);
      check(s.kind === 'chain', `an indexer that does not answer: Models falls back to the chain: "${s.text}"`);
      await search(page, 'all', 'chat', byName, 'name "chat" with the indexer down');
      checks += 2;
    });

    // The History screen through the indexer, for Eve chosen in the header.
    await run(`&indexer=${encodeURIComponent(API)}`, async (page) => {
      await as(page, who.Eve);
      await tab(page, 'history');
      await page.locator(`${tid('history-account')}[data-address="${want.eve}"]`).waitFor();
      for (const panel of ['history-licenses', 'history-purchases', 'history-rentals', 'history-credits']) {
        const s = await panelSource(page, panel);
        check(s.kind === 'indexer' && s.text.includes('up to date'), `History ${panel} reads the indexer, up to date: "${s.text}"`);
      }
      checks += 1;
      await until(page, () => rowIds(page, 'history-licenses-table', 'history-license-'), want.licenses, "Eve's licenses through the indexer");
      const escrows = await page.locator(`${tid('history-licenses-table')} tbody tr`).evaluateAll((els) =>
        els.map((e) => [(e.getAttribute('data-testid') ?? '').replace('history-license-', ''), e.querySelector('[data-testid="history-license-escrow"]')?.textContent ?? '']),
      );
      for (const [id, text] of escrows) check(text.split(' · ')[0] === want.escrows.get(id), `license #${id}'s escrow: the screen says "${text}", the chain ${want.escrows.get(id)}`);
      checks += 1;
      const purchases = await api.purchasesOf(want.eve, { limit: 10 });
      check(purchases.total > 0, "Eve's purchases in the API");
      await until(page, () => eventsShown(page, 'history-purchases-table'), JSON.stringify(purchases.items.map((e) => `${e.blockNumber}:${e.eventIndex}`)), "Eve's purchases through the indexer");
      const amounts = await page.locator(`${tid('history-purchases-table')} tbody tr td.num`).allTextContents();
      check(amounts.every((a) => /\d (UNIT|MMT)$/.test(a)), `each purchase's amount in its asset: ${JSON.stringify(amounts)}`);
      checks += 1;
      await until(page, () => rowIds(page, 'history-rentals-table', 'history-rental-'), want.rentals, "Eve's rentals through the indexer");
      checks += 1;
      const credits = await api.creditsOf(want.eve, { limit: 10 });
      check(credits.total > 0, "Eve's credits in the API");
      await until(page, () => eventsShown(page, 'history-credits-table'), JSON.stringify(credits.items.map((e) => `${e.blockNumber}:${e.eventIndex}`)), "Eve's credits through the indexer");
      checks += 1;
      // Bob's record, typed in.
      await showProvider(page, want.bob);
      await page.locator(`${tid('history-provider-counters')}[data-provider="${want.bob}"]`).waitFor();
      check((await panelSource(page, 'history-provider')).kind === 'indexer', "Bob's record reads the indexer");
      await until(page, () => reputationShown(page), want.reputation, "Bob's provider record through the indexer");
      const record = await api.provider(want.bob);
      check((await page.locator(tid('history-provider-offers')).textContent()) === String(record.offers), `Bob's offers: the API says ${record.offers}`);
      checks += 1;
      // The scenario's case: the API's timeline, in chain order, and the chain's votes.
      await showCase(page, want.caseId);
      const detail = await api.caseDetail(want.caseId);
      const at = detail.timeline.map((e) => `${e.blockNumber}:${e.eventIndex}`);
      const inOrder = [...detail.timeline].sort((a, b) => Number(a.blockNumber) - Number(b.blockNumber) || a.eventIndex - b.eventIndex).map((e) => `${e.blockNumber}:${e.eventIndex}`);
      check(JSON.stringify(at) === JSON.stringify(inOrder) && detail.timeline.some((e) => e.name === 'CaseOpened'), `case #${want.caseId}'s timeline in the API is in chain order with CaseOpened`);
      await until(page, () => page.locator(`${tid('history-case-timeline')} tbody tr`).evaluateAll((els) => JSON.stringify(els.map((e) => e.getAttribute('data-at')))), JSON.stringify(at), `case #${want.caseId}'s timeline`);
      await until(page, async () => String(await page.locator(tid('history-case-vote')).count()), String(want.commits), `case #${want.caseId}'s votes of round 1`);
      checks += 1;
      await screenshot(page, 'history-indexer');
      // Another account, typed in: Bob's rentals as provider.
      await page.fill(tid('history-account-input'), want.bob);
      await page.click(tid('history-account-go'));
      await page.locator(`${tid('history-account')}[data-address="${want.bob}"]`).waitFor();
      await page.selectOption(tid('history-rentals-role'), 'provider');
      await until(page, () => rowIds(page, 'history-rentals-table', 'history-rental-'), want.bobServed, "Bob's rentals as provider, typed in");
      checks += 1;
    });

    // The History screen without an indexer: what the chain's views give.
    await run('', async (page) => {
      await as(page, who.Eve);
      await tab(page, 'history');
      const s = await panelSource(page, 'history-licenses');
      check(s.kind === 'chain' && s.text.includes('no indexer configured'), `without ?indexer, History reads the chain: "${s.text}"`);
      await until(page, () => rowIds(page, 'history-licenses-table', 'history-license-'), want.licenses, "Eve's licenses on the chain");
      await until(page, () => rowIds(page, 'history-rentals-table', 'history-rental-'), want.rentals, "Eve's rentals on the chain");
      checks += 1;
      await page.locator(tid('history-purchases-needs-indexer')).waitFor();
      await page.locator(tid('history-credits-needs-indexer')).waitFor();
      const credit = (await page.locator(`${tid('history-credit-Native')} dd`).textContent()) ?? '';
      check(credit === `${formatUnits(want.credit, 12)} UNIT`, `Eve's native vault credit: the screen says "${credit}", the chain ${want.credit}`);
      checks += 1;
      await showProvider(page, want.bob);
      await page.locator(`${tid('history-provider-counters')}[data-provider="${want.bob}"]`).waitFor();
      await until(page, () => reputationShown(page), want.reputation, "Bob's provider record on the chain");
      await showCase(page, want.caseId);
      await page.locator(tid('history-case-needs-indexer')).waitFor();
      check((await page.locator(tid('history-case-event')).count()) === 0, 'no timeline without the indexer');
      checks += 1;
      await screenshot(page, 'history-chain');
    });

    // An indexer that does not answer: the panels fall back to the chain and say so.
    await run(`&indexer=${encodeURIComponent('http://127.0.0.1:9')}`, async (page) => {
      await as(page, who.Eve);
      await tab(page, 'history');
      const s = await panelSource(page, 'history-licenses');
      check(s.kind === 'chain' && s.text.includes('does not answer'), `an indexer that does not answer: History falls back to the chain: "${s.text}"`);
      await until(page, () => rowIds(page, 'history-licenses-table', 'history-license-'), want.licenses, "Eve's licenses with the indexer down");
      await page.locator(tid('history-purchases-needs-indexer')).waitFor();
      checks += 1;
    });
  } finally {
    await browser?.close();
    server.close();
    await client.disconnect().catch(() => undefined);
  }
  console.log(`browser-indexer: ${checks} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`browser-indexer: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
