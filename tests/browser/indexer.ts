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
 *   3. with an indexer that does not answer: the screens fall back to the chain and say so.
 *
 *   BROWSER_NETWORK=indexer-test INDEXER_API=http://127.0.0.1:4351 INDEXER_DIST=.run/indexer-test/dist npx tsx tests/browser/indexer.ts
 */
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { connect, dryRun, openMarket } from '../../client/src/index.js';
import { loadMetadata, readDeployment, ROOT } from '../../client/src/node.js';
import { check, Failed, NETWORK, serve, tab, tid, WAIT } from './lib.js';

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

async function main(): Promise<number> {
  const deployment = readDeployment(NETWORK);
  if (!deployment) throw new Failed(`deployments/${NETWORK}.json is missing`);
  const client = await connect(deployment.url);
  const m = openMarket(client, deployment, loadMetadata());
  const caller = deployment.deployer;
  // What the chain says should match, from its own views.
  const all = (await dryRun(m.registry, caller, 'models', [0n, 50])).value.items;
  const byName = all.filter(([, x]) => x.name.split('-').includes('chat')).map(([id]) => String(id)).sort();
  const byTag = (await dryRun(m.registry, caller, 'modelsByTag', ['llm', 0n, 50])).value.items.map(([id]) => String(id)).sort();
  check(byName.length > 0 && byTag.length > 1, `the scenario's models: ${byName.length} named chat, ${byTag.length} tagged llm`);
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
  } finally {
    await browser?.close();
    server.close();
    await client.disconnect();
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
