/**
 * What every browser flow shares: the static server for app/dist, the page helpers
 * (account switch, tabs, the confirm panel's dry-run / sign / dismiss), screenshots
 * into the artifacts folder, and the assertion that names what failed.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { DevName, Market, Signer } from '../../client/src/index.js';
import { ROOT } from '../../client/src/node.js';

export const NETWORK = process.env.BROWSER_NETWORK ?? 'browser';
export const DIST = join(ROOT, 'app/dist');
export const ARTIFACTS = resolve(ROOT, process.env.BROWSER_ARTIFACTS ?? '.run/browser');
export const UNIT = 10n ** 12n;
export const WAIT = 30_000;

export class Failed extends Error {}
export function check(cond: unknown, what: string): void {
  if (!cond) throw new Failed(what);
}

// ------------------------------------------------------------------ static server

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

export function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) {
      if (extname(path)) {
        res.writeHead(404).end('not found');
        return;
      }
      file = join(root, 'index.html');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

// ------------------------------------------------------------------ page helpers

let shot = 0;
export async function screenshot(page: Page, name: string): Promise<void> {
  shot += 1;
  // The compute flow's screenshots are numbered from 20 on, the DAO flow's from 40 on.
  if (name.startsWith('gpu-') && shot < 20) shot = 20;
  if (name.startsWith('dao-') && shot < 40) shot = 40;
  await page.screenshot({ path: join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

export const tid = (id: string) => `[data-testid="${id}"]`;

export async function as(page: Page, who: Signer): Promise<void> {
  await page.selectOption(tid('account-select'), who.address);
  await page.waitForFunction((name) => document.querySelector('[data-testid="balances"]')?.textContent?.includes('UNIT') && !!name, who.name);
}

export type TabKey = 'models' | 'list' | 'licenses' | 'seller' | 'gpus' | 'rent' | 'rentals' | 'provider' | 'disputes' | 'jury' | 'governance' | 'history';

export async function tab(page: Page, key: TabKey): Promise<void> {
  await page.click(tid(`tab-${key}`));
}

/** Waits for the confirm panel's dry-run, checks fee and deposit are shown, returns them. */
export async function awaitConfirm(page: Page): Promise<{ fee: string; deposit: string }> {
  const panel = page.locator(`${tid('confirm-panel')}:not([data-phase="estimating"])`);
  await panel.waitFor({ timeout: WAIT });
  const phase = await panel.getAttribute('data-phase');
  if (phase === 'refused') {
    throw new Failed(`dry-run refused: ${await page.locator(tid('error-plain')).textContent()} [${await page.locator(tid('error-code')).textContent()}]`);
  }
  check(phase === 'confirm', `confirm panel in phase ${phase}`);
  const fee = (await page.locator(tid('confirm-fee-0')).textContent()) ?? '';
  const deposit = (await page.locator(tid('confirm-deposit-0')).textContent()) ?? '';
  check(/^\d[\d,]*(\.\d+)? UNIT$/.test(fee) && !fee.startsWith('0 '), `the panel shows a fee ("${fee}")`);
  check(/UNIT/.test(deposit), `the panel shows the storage deposit ("${deposit}")`);
  return { fee, deposit };
}

/** Signs what the panel shows and waits for the success line; returns it. */
export async function sign(page: Page): Promise<string> {
  await page.click(tid('confirm-sign'));
  const panel = page.locator(`${tid('confirm-panel')}[data-phase="done"], ${tid('confirm-panel')}[data-phase="refused"]`);
  await panel.waitFor({ timeout: WAIT });
  if ((await panel.getAttribute('data-phase')) === 'refused') {
    throw new Failed(`sending failed: ${await page.locator(tid('error-plain')).textContent()} [${await page.locator(tid('error-code')).textContent()}]`);
  }
  const receipt = (await page.locator(tid('confirm-receipt')).textContent()) ?? '';
  check(/^Block #\d+/.test(receipt), `the panel says which block holds it ("${receipt}")`);
  return (await page.locator(tid('success-box')).textContent()) ?? '';
}

export async function dismiss(page: Page): Promise<void> {
  await page.click(tid('confirm-dismiss'));
  await page.locator(tid('confirm-panel')).waitFor({ state: 'detached' });
}

export function idIn(text: string, what: string): bigint {
  const m = new RegExp(`${what} #(\\d+)`).exec(text);
  if (!m) throw new Failed(`no "${what} #" in "${text}"`);
  return BigInt(m[1]);
}

export async function nonce(m: Market, who: Signer): Promise<number> {
  return (await m.client.query.system.account(who.address)).nonce;
}

// ------------------------------------------------------------------ flows

export interface Ctx {
  page: Page;
  m: Market;
  who: Record<DevName, Signer>;
  base: string;
}

export async function open(ctx: Ctx): Promise<void> {
  await ctx.page.goto(`${ctx.base}/?network=${NETWORK}`);
  await ctx.page.locator(tid('account-select')).waitFor({ timeout: WAIT });
}
