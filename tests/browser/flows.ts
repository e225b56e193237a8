/**
 * Browser tests of the dApp: serves the built app (app/dist) on a free port, opens it in
 * headless Chromium with ?network=browser, and drives the screens as the dev accounts.
 * Every flow asserts on what the page shows AND on chain state read through the client.
 *
 *   npx tsx tests/browser/flows.ts        (scripts/browser-test.sh sets everything up)
 *
 * Env: BROWSER_NETWORK (default browser), CHROMIUM (default /usr/bin/chromium),
 * BROWSER_ARTIFACTS (default .run/browser), BROWSER_FLOWS (comma-separated flow names to run
 * only those). Exits non-zero naming each failed flow.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { connect, devSigners, dryRun, openMarket, formatUnits, send, tick, type DevName, type Market, type MetadataSet, type Signer } from '../../client/src/index.js';
import { CONTRACTS } from '../../client/src/contracts.js';
import { readDeployment, ROOT } from '../../client/src/node.js';
import { streamOf } from '../../client/src/compute.js';
import { ARTIFACTS, as, awaitConfirm, check, dismiss, DIST, idIn, NETWORK, nonce, open, screenshot, serve, sign, tab, tid, UNIT, WAIT, type Ctx } from './lib.js';
import { flowDao } from './dao.js';
import { handOver } from '../../scripts/deploy.js';

// ------------------------------------------------------------------ flows

async function flowPurchase(ctx: Ctx): Promise<void> {
  const { page, m, who } = ctx;
  const { registry, vault } = m;
  await open(ctx);
  const name = `vision-${Date.now().toString(36)}`;

  // Bob lists a model and a native offer.
  await as(page, who.Bob);
  await tab(page, 'list');
  await page.fill(tid('reg-name'), name);
  await page.fill(tid('reg-uri'), `ipfs://bafy-${name}`);
  await page.fill(tid('reg-version'), '1.2.0');
  await page.fill(tid('reg-tags'), 'vision, browser-test');
  await page.click(tid('reg-submit'));
  await awaitConfirm(page);
  await screenshot(page, 'list-model-confirm');
  const modelId = idIn(await sign(page), 'Model');
  await dismiss(page);
  const model = (await dryRun(registry, who.Alice.address, 'model', [modelId])).value;
  check(model?.name === name && model.owner.eq(who.Bob.address), 'chain: the model is registered to Bob');

  await page.waitForFunction((id) => !!document.querySelector(`[data-testid="offer-model"] option[value="${id}"]`), String(modelId));
  await page.selectOption(tid('offer-model'), String(modelId));
  await page.selectOption(tid('offer-kind'), 'Perpetual');
  await page.fill(tid('offer-price-input'), '12.5');
  await page.selectOption(tid('offer-asset'), 'native');
  await page.click(tid('offer-submit'));
  await awaitConfirm(page);
  await sign(page);
  await screenshot(page, 'list-offer-done');
  await dismiss(page);
  const offer = (await dryRun(registry, who.Alice.address, 'offer', [modelId, 0])).value;
  check(offer?.price === 12_500_000_000_000n && offer.asset.type === 'Native', 'chain: offer 0 at 12.5 UNIT');

  // Eve finds it and buys it.
  await as(page, who.Eve);
  await tab(page, 'models');
  await page.fill(tid('search-input'), name);
  await page.click(tid('search-go'));
  const card = page.locator(tid(`model-${modelId}`));
  await card.waitFor({ timeout: WAIT });
  await card.locator(tid('offer-price')).filter({ hasText: '12.5 UNIT' }).waitFor({ timeout: WAIT });
  check((await card.locator(tid('model-status')).textContent()) === 'Active', 'page: model shows Active');
  await screenshot(page, 'models-search');
  const licensesBefore = (await dryRun(registry, who.Alice.address, 'licenseCount', [])).value;
  await page.click(tid(`buy-${modelId}-0`));
  await awaitConfirm(page);
  check((await page.locator(tid('confirm-value-0')).textContent()) === '12.5 UNIT', 'page: the panel shows the price sent');
  await screenshot(page, 'buy-confirm');
  const licenseId = idIn(await sign(page), 'License');
  await dismiss(page);
  check((await dryRun(registry, who.Alice.address, 'licenseCount', [])).value === licensesBefore + 1n, 'chain: one license sold');
  const license = (await dryRun(registry, who.Alice.address, 'license', [licenseId])).value;
  check(license?.buyer.eq(who.Eve.address) && license.modelId === modelId, 'chain: the license is Eve’s, for the model');
  check(!(await dryRun(registry, who.Eve.address, 'hasValidLicense', [who.Eve.address, modelId])).value, 'chain: not valid before release');
  const escrowId = license!.escrowId;

  await tab(page, 'licenses');
  const row = page.locator(tid(`license-${licenseId}`));
  await row.waitFor({ timeout: WAIT });
  check((await row.locator(tid('license-state')).textContent()) === 'Pending', 'page: license Pending after purchase');
  check(/delivery due in/.test((await row.locator(tid('license-expires')).textContent()) ?? ''), 'page: shows the delivery deadline');

  // Bob delivers from the seller view.
  await as(page, who.Bob);
  await tab(page, 'seller');
  const erow = page.locator(tid(`escrow-${escrowId}`));
  await erow.waitFor({ timeout: WAIT });
  check((await erow.locator(tid('escrow-state')).textContent()) === 'Funded', 'page: escrow Funded');
  await screenshot(page, 'seller-to-deliver');
  await page.click(tid(`deliver-${escrowId}`));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  check((await dryRun(vault, who.Alice.address, 'vaultArbiterEscrow', [escrowId])).value?.state === 'Delivered', 'chain: escrow Delivered');

  // Eve releases; the license is Active.
  await as(page, who.Eve);
  await tab(page, 'licenses');
  await row.locator(tid('license-escrow')).filter({ hasText: 'Delivered' }).waitFor({ timeout: WAIT });
  await page.click(tid(`release-${licenseId}`));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  await row.locator(tid('license-state')).filter({ hasText: 'Active' }).waitFor({ timeout: WAIT });
  check((await row.locator(tid('license-escrow')).textContent())?.includes('Settled'), 'page: escrow Settled');
  await screenshot(page, 'licenses-active');
  check((await dryRun(registry, who.Eve.address, 'hasValidLicense', [who.Eve.address, modelId])).value, 'chain: hasValidLicense(Eve) is true');

  // Bob sees his credit (12.5 − 2.5 % fee) and withdraws it.
  await as(page, who.Bob);
  await tab(page, 'seller');
  const native = { type: 'Native' as const };
  const credit = (await dryRun(vault, who.Alice.address, 'creditOf', [who.Bob.address, native])).value;
  check(credit >= 12_187_500_000_000n, `chain: Bob is credited at least 12.1875 UNIT (got ${credit})`);
  await page.locator(tid('credit-UNIT')).filter({ hasText: '12.1875' }).waitFor({ timeout: WAIT });
  await screenshot(page, 'seller-credits');
  await page.click(tid('withdraw-UNIT'));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  check((await dryRun(vault, who.Alice.address, 'creditOf', [who.Bob.address, native])).value === 0n, 'chain: Bob’s credit withdrawn');
}

async function flowRefused(ctx: Ctx): Promise<void> {
  const { page, m, who } = ctx;
  const { registry, vault } = m;
  // Setup through the client (independent of the other flow): Bob's model with an
  // offer; Eve holds a released license to it and has not rated it.
  const name = `refuse-${Date.now().toString(36)}`;
  const modelId = (await send(registry, who.Bob, 'registerModel', [name, 'ipfs://refused', `0x${'ab'.repeat(32)}`, { major: 0, minor: 1, patch: 0 }, undefined, 0, ['test']])).value;
  await send(registry, who.Bob, 'addOffer', [modelId, { type: 'TimeBound', value: 30n * 86_400_000n }, 3n * UNIT, { type: 'Native' }]);
  const lic = (await send(registry, who.Eve, 'purchaseLicense', [modelId, 0, 1], { value: 3n * UNIT })).value;
  const escrowId = (await dryRun(registry, who.Eve.address, 'license', [lic])).value!.escrowId;
  await send(vault, who.Bob, 'deliver', [escrowId, `0x${'cd'.repeat(32)}`]);
  await send(registry, who.Eve, 'releaseLicense', [lic]);

  await open(ctx);

  // 1. Bob tries to buy his own model: refused in the dry-run, nothing signed.
  await as(page, who.Bob);
  await tab(page, 'models');
  await page.selectOption(tid('search-mode'), 'id');
  await page.fill(tid('search-input'), String(modelId));
  await page.click(tid('search-go'));
  await page.locator(tid(`buy-${modelId}-0`)).waitFor({ timeout: WAIT });
  const before = {
    licenses: (await dryRun(registry, who.Alice.address, 'licenseCount', [])).value,
    escrows: (await dryRun(vault, who.Alice.address, 'escrowCount', [])).value,
    nonce: await nonce(m, who.Bob),
  };
  await page.click(tid(`buy-${modelId}-0`));
  await page.locator(`${tid('confirm-panel')}[data-phase="refused"]`).waitFor({ timeout: WAIT });
  const plain = await page.locator(tid('error-plain')).textContent();
  const code = await page.locator(tid('error-code')).textContent();
  check(plain === 'You own this model, so you cannot buy a license to it.', `page: plain error (got "${plain}")`);
  check(code === 'CannotBuyOwnModel', `page: error code (got "${code}")`);
  check((await page.locator(tid('confirm-sign')).count()) === 0, 'page: no sign button on a refused call');
  await screenshot(page, 'refused-own-model');
  await dismiss(page);
  check((await dryRun(registry, who.Alice.address, 'licenseCount', [])).value === before.licenses, 'chain: no license sold');
  check((await dryRun(vault, who.Alice.address, 'escrowCount', [])).value === before.escrows, 'chain: no escrow opened');
  check((await nonce(m, who.Bob)) === before.nonce, 'chain: Bob sent no transaction');

  // 2. Eve rates 6 stars: refused (InvalidRating), rating unchanged; then 5 is accepted.
  await as(page, who.Eve);
  await tab(page, 'licenses');
  const row = page.locator(tid(`license-${lic}`));
  await row.waitFor({ timeout: WAIT });
  check((await row.locator(tid('license-state')).textContent()) === 'Active', 'page: the license is Active');
  check(/expires in (29|30) d/.test((await row.locator(tid('license-expires')).textContent()) ?? ''), 'page: a 30-day license shows "expires in 29/30 d"');
  const eveNonce = await nonce(m, who.Eve);
  await page.fill(tid(`stars-${lic}`), '6');
  await page.click(tid(`rate-${lic}`));
  await page.locator(`${tid('confirm-panel')}[data-phase="refused"]`).waitFor({ timeout: WAIT });
  check((await page.locator(tid('error-code')).textContent()) === 'InvalidRating', 'page: InvalidRating code');
  check((await page.locator(tid('error-plain')).textContent()) === 'Ratings are whole stars from 1 to 5.', 'page: plain rating error');
  await screenshot(page, 'refused-rating-6');
  await dismiss(page);
  check((await dryRun(registry, who.Alice.address, 'rating', [modelId])).value[1] === 0, 'chain: no rating recorded');
  check((await nonce(m, who.Eve)) === eveNonce, 'chain: Eve sent no transaction');

  await page.fill(tid(`stars-${lic}`), '5');
  await page.click(tid(`rate-${lic}`));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  check((await dryRun(registry, who.Alice.address, 'averageRatingX100', [modelId])).value === 500, 'chain: average rating 5.00');
  await tab(page, 'models');
  await page.locator(tid(`model-${modelId}`)).locator(tid('model-rating')).filter({ hasText: '★ 5.00' }).waitFor({ timeout: WAIT });
  await screenshot(page, 'models-rated');
}

async function flowTokenFineTune(ctx: Ctx): Promise<void> {
  const { page, m, who } = ctx;
  const { registry, token } = m;
  const tag = `ft-${Date.now().toString(36)}`;
  // Setup through the client: Bob's base model, Charlie an auditor, 100 MMT for Eve.
  const base = (await send(registry, who.Bob, 'registerModel', [`base-${tag}`, 'ipfs://base', `0x${'12'.repeat(32)}`, { major: 1, minor: 0, patch: 0 }, undefined, 0, ['llm']])).value;
  if (!(await dryRun(registry, who.Alice.address, 'auditorsIsAuditor', [who.Charlie.address])).value) {
    await send(registry, who.Alice, 'registryAdminSetAuditor', [who.Charlie.address, true]);
  }
  await send(token, who.Alice, 'psp22Transfer', [who.Eve.address, 100n * UNIT, '0x']);
  const eveMmt = (await dryRun(token, who.Eve.address, 'psp22BalanceOf', [who.Eve.address])).value;

  // Dave lists a fine-tune of it in the UI (5 % royalty) with a metered MMT offer.
  await open(ctx);
  await as(page, who.Dave);
  await tab(page, 'list');
  await page.fill(tid('reg-name'), `chat-${tag}`);
  await page.fill(tid('reg-uri'), `ipfs://chat-${tag}`);
  await page.fill(tid('reg-version'), '0.3.1');
  await page.fill(tid('reg-parent'), String(base));
  await page.fill(tid('reg-royalty'), '5');
  await page.fill(tid('reg-tags'), `llm, chat, ${tag}`);
  await page.click(tid('reg-submit'));
  await awaitConfirm(page);
  const child = idIn(await sign(page), 'Model');
  await dismiss(page);
  const model = (await dryRun(registry, who.Alice.address, 'model', [child])).value;
  check(model?.parent === base && model.royaltyBps === 500, 'chain: lineage and royalty recorded');
  await page.waitForFunction((id) => !!document.querySelector(`[data-testid="offer-model"] option[value="${id}"]`), String(child));
  await page.selectOption(tid('offer-model'), String(child));
  await page.selectOption(tid('offer-kind'), 'Metered');
  await page.fill(tid('offer-units'), '1000');
  await page.fill(tid('offer-price-input'), '40');
  await page.selectOption(tid('offer-asset'), 'token');
  await page.click(tid('offer-submit'));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  const offer = (await dryRun(registry, who.Alice.address, 'offer', [child, 0])).value;
  check(offer?.asset.type === 'Psp22' && offer.price === 40n * UNIT, 'chain: offer priced 40 MMT');

  // Charlie attests it for 30 days (through the client: auditing has no screen yet).
  const now = (await m.client.query.timestamp.now()) as bigint;
  await send(registry, who.Charlie, 'attest', [child, `0x${'34'.repeat(32)}`, now + 30n * 86_400_000n]);

  // Eve finds it by tag: lineage, royalty, attestation, MMT price; buys with approve + purchase.
  await as(page, who.Eve);
  await tab(page, 'models');
  await page.selectOption(tid('search-mode'), 'tag');
  await page.fill(tid('search-input'), tag);
  await page.click(tid('search-go'));
  const card = page.locator(tid(`model-${child}`));
  await card.locator(tid('attestations')).waitFor({ timeout: WAIT });
  const lineage = (await card.locator(tid('model-lineage')).textContent()) ?? '';
  check(lineage.includes(`#${base} base-${tag}`) && lineage.includes('royalty 5 %'), `page: lineage shown ("${lineage}")`);
  const att = (await card.locator(tid('attestations')).textContent()) ?? '';
  check(/expires in 29 d/.test(att), `page: attestation "expires in 29 d" ("${att}")`);
  check((await card.locator(tid('offer-price')).textContent()) === '40 MMT', 'page: price in MMT');
  await screenshot(page, 'models-fine-tune');
  await page.click(tid(`buy-${child}-0`));
  await awaitConfirm(page);
  check((await page.locator(tid('confirm-step-1')).textContent())?.includes('dry-run after step 1'), 'page: purchase is estimated after the approval');
  await screenshot(page, 'buy-mmt-confirm');
  // Step 1 (approve) is signed; the panel then shows the purchase's own dry-run.
  await page.click(tid('confirm-sign'));
  await page.locator(`${tid('confirm-panel')}[data-phase="confirm"] ${tid('confirm-fee-1')}`).waitFor({ timeout: WAIT });
  check(/UNIT$/.test((await page.locator(tid('confirm-fee-1')).textContent()) ?? ''), 'page: the purchase shows its fee before signing');
  check((await dryRun(token, who.Eve.address, 'psp22Allowance', [who.Eve.address, registry.address])).value === 40n * UNIT, 'chain: approval in place after step 1');
  await screenshot(page, 'buy-mmt-step2');
  const licenseId = idIn(await sign(page), 'License');
  await dismiss(page);
  const license = (await dryRun(registry, who.Alice.address, 'license', [licenseId])).value;
  check(license?.buyer.eq(who.Eve.address) && license.asset.type === 'Psp22', 'chain: Eve holds a token-paid license');
  check((await dryRun(token, who.Eve.address, 'psp22BalanceOf', [who.Eve.address])).value === eveMmt - 40n * UNIT, 'chain: Eve paid 40 MMT');
  check((await dryRun(token, who.Eve.address, 'psp22Allowance', [who.Eve.address, registry.address])).value === 0n, 'chain: approval used up exactly');

  // The parent link opens the base model.
  await page.click(`${tid(`model-${child}`)} ${tid('parent-link')}`);
  await page.locator(tid(`model-${base}`)).waitFor({ timeout: WAIT });
}

async function flowCompute(ctx: Ctx): Promise<void> {
  const { page, m, who } = ctx;
  const { compute, vault } = m;
  const hourMs = m.deployment.params.hourMs;
  check(hourMs <= 5_000, `the browser deployment has short rental hours (hourMs ${hourMs}; deploy with --hour-ms 2000)`);
  const region = `eu-west-${Date.now().toString(36)}`;
  const native = { type: 'Native' as const };
  const text = async (sel: string) => ((await page.locator(sel).first().textContent()) ?? '').trim();

  // Bob publishes 4 × A100-80GB at 0.5 UNIT per GPU-hour, 1–10 h, in the provider view.
  await open(ctx);
  await as(page, who.Bob);
  await tab(page, 'provider');
  await page.fill(tid('pub-gpu'), 'A100-80GB');
  await page.fill(tid('pub-vram'), '80');
  await page.fill(tid('pub-capacity'), '4');
  await page.fill(tid('pub-region'), region);
  await page.fill(tid('pub-price'), '0.5');
  await page.selectOption(tid('pub-asset'), 'native');
  await page.fill(tid('pub-min-hours'), '1');
  await page.fill(tid('pub-max-hours'), '10');
  await page.fill(tid('pub-window'), '10');
  const lockText = await text(tid('pub-collateral'));
  check(lockText.includes('Locks 20 UNIT of collateral'), `page: the form shows the collateral it will lock ("${lockText}")`);
  await page.click(tid('pub-submit'));
  await awaitConfirm(page);
  check((await text(tid('confirm-value-0'))) === '20 UNIT', 'page: the panel sends the 20 UNIT collateral');
  await screenshot(page, 'gpu-publish-confirm');
  const offerId = idIn(await sign(page), 'Offer');
  await dismiss(page);
  const published = (await dryRun(compute, who.Alice.address, 'offer', [offerId])).value;
  check(
    published?.offer.provider.eq(who.Bob.address) && published.offer.capacity === 4 && published.offer.pricePerGpuHour === UNIT / 2n && published.offer.collateral === 20n * UNIT && published.freeGpus === 4,
    'chain: Bob’s offer of 4 GPUs at 0.5 UNIT with 20 UNIT collateral',
  );
  const offerRow = page.locator(tid(`provider-offer-${offerId}`));
  await offerRow.locator(tid('provider-offer-free')).filter({ hasText: '4 / 4' }).waitFor();
  check((await offerRow.locator(tid('provider-offer-collateral')).textContent())?.startsWith('20 UNIT'), 'page: my offers show the collateral');

  // Eve finds it by region (price cap 1 UNIT, at least 40 GB).
  await as(page, who.Eve);
  await tab(page, 'gpus');
  await page.selectOption(tid('gpu-search-mode'), 'region');
  await page.fill(tid('gpu-search-input'), region.toUpperCase());
  await page.fill(tid('gpu-max-price'), '1');
  await page.fill(tid('gpu-min-vram'), '40');
  await page.click(tid('gpu-search-go'));
  const card = page.locator(tid(`gpu-offer-${offerId}`));
  await card.waitFor();
  check((await card.locator(tid('gpu-price')).textContent()) === '0.5 UNIT / GPU-hour', 'page: price per GPU-hour with its symbol');
  check((await card.locator(tid('gpu-free')).textContent()) === '4 / 4 free', 'page: free / total GPUs');
  check((await card.locator(tid('gpu-hours')).textContent())?.startsWith('1–10 h'), 'page: min–max hours');
  const repText = (await card.locator(tid('gpu-reputation')).textContent()) ?? '';
  check(/0 completed.*0 ended early.*0 disputed.*0 lost.*0 no-shows.*0 renters.*0 UNIT earned.*0 below minimum/.test(repText), `page: provider reputation with renters, volume and rentals below the minimum ("${repText}")`);
  check((await page.locator(`${tid('gpu-list')} article`).count()) === 1, 'page: only the offer in that region');
  await screenshot(page, 'gpu-search-region');

  // Refused: 5 GPUs of the 4 free. Shown in plain words, nothing sent.
  await page.click(tid(`gpu-rent-${offerId}`));
  await page.locator(tid('rent-offer')).waitFor();
  const before = { rentals: (await dryRun(compute, who.Alice.address, 'rentalCount', [])).value, nonce: await nonce(m, who.Eve) };
  await page.fill(tid('rent-gpus'), '5');
  await page.fill(tid('rent-hours'), '8');
  await page.click(tid('rent-submit'));
  await page.locator(`${tid('confirm-panel')}[data-phase="refused"]`).waitFor();
  const plain = await text(tid('error-plain'));
  check(plain === 'Not enough of this offer’s GPUs are free right now; rent fewer or try later.', `page: CapacityExceeded in plain words (got "${plain}")`);
  check((await text(tid('error-code'))) === 'CapacityExceeded', 'page: the error code');
  check((await page.locator(tid('confirm-sign')).count()) === 0, 'page: no sign button on a refused rent');
  await screenshot(page, 'gpu-refused-capacity');
  await dismiss(page);
  check((await dryRun(compute, who.Alice.address, 'rentalCount', [])).value === before.rentals, 'chain: no rental booked');
  check((await nonce(m, who.Eve)) === before.nonce, 'chain: Eve sent no transaction');

  // Charlie books 1 GPU first (through the client): an older open rental of Bob's.
  const v1 = (await dryRun(compute, who.Alice.address, 'offer', [offerId])).value!.offer.version;
  const older = (await send(compute, who.Charlie, 'rent', [offerId, 1, 2, v1], { value: UNIT })).value;

  // Eve rents 2 GPUs for 8 h (16 s here, room for a slow machine): 8 UNIT prepaid; the
  // panel names the minimum charge (the first hour: 2 × 0.5 UNIT).
  await page.fill(tid('rent-gpus'), '2');
  check((await text(tid('rent-cost'))) === '8 UNIT', 'page: the rent form shows the amount');
  check((await text(tid('rent-min-charge'))) === '1 UNIT', 'page: the rent form shows the minimum charge');
  await page.click(tid('rent-submit'));
  await awaitConfirm(page);
  check((await text(tid('confirm-value-0'))) === '8 UNIT', 'page: the panel sends 8 UNIT');
  const rentPanel = await text(tid('confirm-panel'));
  check(rentPanel.includes('withdrawing the booking or ending it early pays the provider at least 1 UNIT for the first hour'), `page: the rent confirmation states the minimum charge ("${rentPanel}")`);
  await screenshot(page, 'gpu-rent-confirm');
  const rentalId = idIn(await sign(page), 'Rental');
  await dismiss(page);
  const booked = (await dryRun(compute, who.Alice.address, 'rental', [rentalId])).value;
  check(booked?.renter.eq(who.Eve.address) && booked.gpus === 2 && booked.hours === 8 && booked.paid === 8n * UNIT && booked.status === 'Booked', 'chain: Eve booked 2 GPUs for 8 h, 8 UNIT');
  check(booked!.minPayout === UNIT, `chain: its minimum charge is the first hour, 1 UNIT (got ${booked!.minPayout})`);
  check((await dryRun(compute, who.Alice.address, 'offer', [offerId])).value?.freeGpus === 1, 'chain: 1 GPU left free');
  const escrowId = booked!.escrowId;
  await tab(page, 'rentals');
  const rcard = page.locator(tid(`rental-${rentalId}`));
  await rcard.waitFor();
  check((await rcard.locator(tid('rental-status')).textContent()) === 'Booked', 'page: the rental is Booked');
  const startsBy = (await rcard.locator(tid('rental-starts-by')).textContent()) ?? '';
  check(/starts by .*\(in (9|10) min/.test(startsBy), `page: "starts by … (in …)" countdown ("${startsBy}")`);
  await screenshot(page, 'gpu-my-rentals-booked');

  // Bob's provider view reads his OPEN rentals (rentals_of ProviderOpen) newest first:
  // Eve's new booking leads, Charlie's older one follows.
  await as(page, who.Bob);
  await tab(page, 'provider');
  await page.locator(tid(`start-${rentalId}`)).waitFor();
  await page.locator(tid(`start-${older}`)).waitFor();
  const toStart = await page.locator(`${tid('provider-to-start')} tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
  check(toStart[0] === `provider-rental-${rentalId}` && toStart[1] === `provider-rental-${older}`, `page: the new booking is first among the open rentals (${toStart.join(', ')})`);
  await screenshot(page, 'gpu-provider-to-start');
  await page.click(tid(`start-${rentalId}`));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  const running = (await dryRun(compute, who.Alice.address, 'rental', [rentalId])).value!;
  check(running.status === 'Running' && running.startedAt !== undefined && running.accessHash !== undefined, 'chain: the rental runs, with an access hash');
  const startedAt = Number(running.startedAt);

  // Charlie withdraws his booking at once: Bob still gets its minimum charge (1 GPU × 1 h
  // = 0.5 UNIT), Charlie the rest, and it leaves Bob's open rentals.
  const withdrawn = await send(compute, who.Charlie, 'endEarly', [older]);
  const olderSettled = vault.events.EscrowSettled.find(withdrawn.events)?.data;
  check(olderSettled !== undefined && olderSettled.toPayee + olderSettled.fee + olderSettled.royalties === UNIT / 2n && olderSettled.refund === UNIT / 2n, 'chain: a withdrawn booking pays the provider its minimum charge');
  const openIds = (await dryRun(compute, who.Alice.address, 'rentalsOf', [who.Bob.address, 'ProviderOpen', 0n, 10])).value.items.map(([id]) => id);
  check(openIds.includes(rentalId) && !openIds.includes(older), `chain: Bob's open rentals hold Eve's, not the withdrawn one (${openIds.join(', ')})`);

  // About 3 s in, seal a block (the dev node's clock moves only with blocks), and Bob claims.
  const prow = page.locator(tid(`provider-rental-${rentalId}`));
  await prow.waitFor();
  await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 3_000 - Date.now())));
  await tick(m.client, who.Alice);
  await screenshot(page, 'gpu-provider-running');
  await page.click(tid(`claim-${rentalId}`));
  await awaitConfirm(page);
  const claimMsg = await sign(page);
  await dismiss(page);
  const paidOut = streamOf((await dryRun(vault, who.Alice.address, 'vaultArbiterEscrow', [escrowId])).value!)!.paidOut;
  check(paidOut > 0n, 'chain: the claim paid Bob’s side');
  const claimedText = `${formatUnits(paidOut, 12)} UNIT`;
  check(claimMsg.startsWith(`Claimed ${claimedText} from rental #${rentalId}`), `page: the claim says what it paid ("${claimMsg}" vs ${claimedText})`);
  await prow.locator(tid(`provider-claimed-${rentalId}`)).filter({ hasText: claimedText }).waitFor();
  check((await page.locator(tid(`provider-rental-${older}`)).count()) === 0, 'page: the withdrawn booking left the provider view');
  await screenshot(page, 'gpu-provider-claimed');

  // Eve ends it early in My rentals: the unused time comes back to her vault credit.
  const eveCredit = (await dryRun(vault, who.Alice.address, 'creditOf', [who.Eve.address, native])).value;
  await as(page, who.Eve);
  await tab(page, 'rentals');
  await rcard.locator(tid('rental-status')).filter({ hasText: 'Running' }).waitFor();
  const soFar = (await rcard.locator(tid('rental-paid-so-far')).textContent()) ?? '';
  check(/^[\d.]+ UNIT paid so far \/ 8 UNIT prepaid$/.test(soFar) && !soFar.startsWith('0 UNIT'), `page: live accrual ("${soFar}")`);
  check(/^ends in \d/.test((await rcard.locator(tid('rental-ends')).textContent()) ?? ''), 'page: "ends in …"');
  await screenshot(page, 'gpu-my-rentals-running');
  await page.click(tid(`end-early-${rentalId}`));
  await awaitConfirm(page);
  const endPanel = await text(tid('confirm-panel'));
  check(endPanel.includes('ending now pays the provider at least 1 UNIT for the first hour'), `page: the end-early confirmation names the minimum charge ("${endPanel}")`);
  await screenshot(page, 'gpu-end-early-confirm');
  const endMsg = await sign(page);
  await dismiss(page);
  const ended = (await dryRun(compute, who.Alice.address, 'rental', [rentalId])).value!;
  check(ended.outcome === 'EndedEarly' && ended.status === 'Closed', `chain: outcome EndedEarly (got ${ended.status}/${ended.outcome})`);
  check((await dryRun(compute, who.Alice.address, 'offer', [offerId])).value?.freeGpus === 4, 'chain: the 4 GPUs are free again');
  const block = Number(/block #(\d+)/.exec(endMsg)?.[1] ?? -1);
  check(block > 0, `page: the end names its block ("${endMsg}")`);
  const at = await m.client.at((await m.client.rpc.chain_getBlockHash(block))!);
  const records = (await at.query.system.events()) as unknown as Parameters<typeof vault.events.EscrowSettled.find>[0];
  const settled = vault.events.EscrowSettled.filter(records).find((e) => e.data.id === escrowId)?.data;
  check(settled !== undefined, 'chain: the vault settled the stream in that block');
  const endPay = settled!.toPayee + settled!.fee + settled!.royalties;
  check(paidOut + endPay + settled!.refund === 8n * UNIT, `chain: claimed + end payment + refund = prepaid (${paidOut} + ${endPay} + ${settled!.refund})`);
  check((await dryRun(vault, who.Alice.address, 'creditOf', [who.Eve.address, native])).value - eveCredit === settled!.refund, 'chain: Eve’s vault credit grew by the refund');
  check(endMsg.includes(`${formatUnits(settled!.refund, 12)} UNIT is back in your vault credit`), `page: the refund is shown ("${endMsg}")`);
  check((await dryRun(compute, who.Alice.address, 'reputation', [who.Bob.address])).value.endedEarly >= 1, 'chain: Bob’s reputation counts the early end');
  await page.locator(`${tid('rentals-closed')} ${tid(`rental-${rentalId}`)} ${tid('rental-status')}`).filter({ hasText: 'ended early' }).waitFor();
  await screenshot(page, 'gpu-my-rentals-ended');
}

// ------------------------------------------------------------------ runner

/**
 * browser-test.sh deploys with --keep-admin so the flows' one admin step (Charlie on the
 * registry's auditor list, for the fine-tune flow) runs while Alice still holds the
 * role; then the DAO takes the vault's arbiter and the registry's and market's admin
 * roles, as a real deployment does, and rules the DAO flow's dispute itself.
 */
async function adminThenHandOver(m: Market, who: Record<DevName, Signer>): Promise<void> {
  const { registry } = m;
  if (!(await dryRun(registry, who.Alice.address, 'auditorsIsAuditor', [who.Charlie.address])).value) {
    if ((await dryRun(registry, who.Alice.address, 'admin', [])).value?.address() === who.Alice.address) {
      await send(registry, who.Alice, 'registryAdminSetAuditor', [who.Charlie.address, true]);
    }
  }
  await handOver(m, who.Alice, (l) => console.log(`browser: setup: ${l}`));
}

async function main(): Promise<number> {
  const deployment = readDeployment(NETWORK);
  if (!deployment) throw new Error(`deployments/${NETWORK}.json is missing: deploy first`);
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('app/dist is missing: build the app first');
  check(existsSync(join(DIST, `${NETWORK}.json`)), `app/dist/${NETWORK}.json is missing: build the app after deploying`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const metadata = {} as MetadataSet;
  for (const n of CONTRACTS) metadata[n] = JSON.parse(readFileSync(join(ROOT, 'deployments', NETWORK, `${n}.json`), 'utf8'));
  const client = await connect(deployment.url);
  const m = openMarket(client, deployment, metadata);
  const who = await devSigners();
  await adminThenHandOver(m, who);
  const server = await serve(DIST);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  const failed: string[] = [];
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const flows: [string, (ctx: Ctx) => Promise<void>][] = [
      ['list-buy-deliver-release', flowPurchase],
      ['refused-calls-send-nothing', flowRefused],
      ['fine-tune-mmt-purchase', flowTokenFineTune],
      ['rent-claim-end-early', flowCompute],
      ['dispute-commit-reveal-ruling', flowDao],
    ].filter(([name]) => !process.env.BROWSER_FLOWS || process.env.BROWSER_FLOWS.split(',').includes(name as string)) as [string, (ctx: Ctx) => Promise<void>][];
    for (const [name, flow] of flows) {
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const started = Date.now();
      try {
        await flow({ page, m, who, base });
        console.log(`browser: ok     ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (err) {
        failed.push(name);
        console.log(`browser: FAILED ${name}: ${err instanceof Error ? err.message : String(err)}`);
        if (errors.length) console.log(`         page errors: ${errors.join(' | ')}`);
        await page.screenshot({ path: join(ARTIFACTS, `FAILED-${name}.png`), fullPage: true }).catch(() => undefined);
      }
      await context.close();
    }
  } finally {
    await browser?.close();
    server.close();
    await client.disconnect();
  }
  if (failed.length) {
    console.log(`browser: FAILED flows: ${failed.join(', ')} (screenshots in ${ARTIFACTS})`);
    return 1;
  }
  console.log(`browser: all flows passed (screenshots in ${ARTIFACTS})`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`browser: FAILED to run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
