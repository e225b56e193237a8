/**
 * The dispute DAO in the browser: a GPU rental is disputed by its renter and put before
 * the jury from the Disputes tab (approve the DAO for the case fee, then open the case);
 * three dev-account jurors commit and reveal through the
 * case page (the salt stays in the browser: nothing is retyped); a party's vote is
 * refused in plain words and nothing is sent; a reveal tried through the client during
 * the commit phase, with the salt the browser kept, is refused by the client before
 * anything is sent; the ruling is executed from the page and
 * its outcome shown; a juror settles its vote and withdraws the reward; a fee change
 * proposed and voted on at the start is executed once its timelock is over.
 *
 * The browser deployment's case periods are a few seconds (scripts/browser-test.sh
 * passes them to deploy.ts), so the flow waits out each phase on the wall clock and
 * seals a block (`tick`) for the chain's clock to follow.
 */
import type { Page } from 'playwright-core';
import { dryRun, offerCollateral, quorumNeeded, revealVote, RevealOutsidePhase, send, tick, type Signer } from '../../client/src/index.js';
import { as, awaitConfirm, check, dismiss, idIn, nonce, open, screenshot, sign, tab, tid, UNIT, type Ctx } from './lib.js';

const MMT = 10n ** 12n;
const CHOICE_SLASH_25 = 6; // 25 % to the provider, with a collateral slash
const CHOICE_ALL_PROVIDER = 4; // 100 % to the provider

const text = async (page: Page, sel: string) => ((await page.locator(sel).first().textContent()) ?? '').trim();

/** Waits until the chain has sealed a block after `at` (ms), so dry-runs see the new phase. */
async function passTime(ctx: Ctx, at: bigint, marginMs = 250): Promise<void> {
  const wait = Number(at) + marginMs - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await tick(ctx.m.client, ctx.who.Alice);
}

/** Switches account on the case page and waits for its data. */
async function caseAs(page: Page, id: bigint, who: Signer): Promise<void> {
  await as(page, who);
  await page.locator(`${tid(`case-${id}`)}[data-for="${who.address}"]:not([data-loading])`).waitFor();
}

async function reload(page: Page, id: bigint): Promise<void> {
  await page.click(tid('reload'));
  await page.locator(`${tid(`case-${id}`)}:not([data-loading])`).waitFor();
}

export async function flowDao(ctx: Ctx): Promise<void> {
  const { page, m, who } = ctx;
  const { dao, vault, compute, token } = m;
  const jury = (await dryRun(dao, who.Alice.address, 'config', [])).value.jury;
  check(jury.commitMs <= 60_000n && jury.revealMs <= 60_000n, `the browser deployment has short case periods (commit ${jury.commitMs} ms; see browser-test.sh)`);
  const native = { type: 'Native' as const };
  const feeBefore = (await dryRun(vault, who.Alice.address, 'feeBps', [])).value;

  // Setup through the client: MMT for the jurors, Dave and Ferdie stake 100 each, the
  // reward reserve gets 20 MMT; Bob's GPU offer, rented and started by Eve.
  for (const j of [who.Charlie, who.Dave, who.Ferdie]) await send(token, who.Alice, 'psp22Transfer', [j.address, 500n * MMT, '0x']);
  // Eve pays the case fee in MMT; she has not approved the DAO, so opening takes two steps.
  await send(token, who.Alice, 'psp22Transfer', [who.Eve.address, jury.caseFee, '0x']);
  check((await dryRun(token, who.Eve.address, 'psp22Allowance', [who.Eve.address, dao.address])).value < jury.caseFee, 'chain: Eve has not approved the DAO for the case fee');
  const stakeOf = async (j: Signer, amount: bigint) => {
    await send(token, j, 'psp22Approve', [dao.address, amount]);
    await send(dao, j, 'stake', [amount]);
  };
  const fund = async () => {
    await send(token, who.Alice, 'psp22Approve', [dao.address, 20n * MMT]);
    await send(dao, who.Alice, 'fundRewards', [20n * MMT]);
  };
  const rental = async () => {
    const price = UNIT / 2n;
    const collateral = offerCollateral(price, 2, 100, m.deployment.params.collateralRatioBps);
    const offerId = (await send(compute, who.Bob, 'publishOffer', ['H100', 80, 2, `dao-${Date.now().toString(36)}`, price, 1, 100, native, `0x${'5a'.repeat(32)}`, 600_000n], { value: collateral })).value;
    const version = (await dryRun(compute, who.Eve.address, 'offer', [offerId])).value!.offer.version;
    const rentalId = (await send(compute, who.Eve, 'rent', [offerId, 1, 60, version], { value: price * 60n })).value;
    await send(compute, who.Bob, 'start', [rentalId, `0x${'5b'.repeat(32)}`]);
    return (await dryRun(compute, who.Alice.address, 'rental', [rentalId])).value!.escrowId;
  };
  const [escrowId] = await Promise.all([rental(), stakeOf(who.Dave, 100n * MMT), stakeOf(who.Ferdie, 100n * MMT), fund()]);
  check((await dryRun(vault, who.Alice.address, 'vaultArbiterEscrow', [escrowId])).value?.state === 'Streaming', 'chain: the rental streams');

  // 1. Charlie stakes 100 MMT in the Jury tab: approve, then stake (dry-run after the approval).
  await open(ctx);
  await as(page, who.Charlie);
  await tab(page, 'jury');
  await page.locator(tid('juror-staked')).filter({ hasText: '0 MMT' }).waitFor();
  await page.fill(tid('stake-amount'), '100');
  await page.click(tid('stake-submit'));
  await awaitConfirm(page);
  check((await text(page, tid('confirm-step-1'))).includes('dry-run after step 1'), 'page: the stake is estimated after the approval');
  await page.click(tid('confirm-sign'));
  await page.locator(`${tid('confirm-panel')}[data-phase="confirm"] ${tid('confirm-fee-1')}`).waitFor();
  await sign(page);
  await dismiss(page);
  check((await dryRun(dao, who.Alice.address, 'member', [who.Charlie.address])).value.staked === 100n * MMT, 'chain: Charlie staked 100 MMT');
  await page.locator(tid('juror-staked')).filter({ hasText: '100 MMT' }).waitFor();
  await screenshot(page, 'dao-jury-staked');

  // 2. Charlie proposes a 3 % platform fee and votes for it (it runs while the case does).
  await tab(page, 'governance');
  await page.selectOption(tid('propose-kind'), 'SetFee');
  await page.fill(tid('propose-a'), '3');
  await page.fill(tid('propose-text'), 'Raise the platform fee to 3 % to fund juror rewards.');
  await page.click(tid('propose-submit'));
  await awaitConfirm(page);
  const proposalId = idIn(await sign(page), 'Proposal');
  await dismiss(page);
  const card = page.locator(tid(`proposal-${proposalId}`));
  await card.locator(tid('proposal-state')).filter({ hasText: 'Active' }).waitFor();
  await page.click(tid(`vote-for-${proposalId}`));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  check((await dryRun(dao, who.Alice.address, 'ballot', [proposalId, who.Charlie.address])).value === true, 'chain: Charlie voted for the proposal');
  await card.getByText('you voted for').waitFor();
  check((await text(page, `${tid(`proposal-${proposalId}`)} ${tid('proposal-action')}`)) === 'Platform fee → 3 %', 'page: the proposal says what it does');
  check(/^voting ends in \d/.test(await text(page, `${tid(`proposal-${proposalId}`)} ${tid('proposal-timing')}`)), 'page: "voting ends in …"');
  await screenshot(page, 'dao-proposal-voted');

  // 3. Eve disputes her rental at the vault (the bond is shown and sent), then opens a case.
  await as(page, who.Eve);
  await tab(page, 'disputes');
  const row = page.locator(tid(`dispute-escrow-${escrowId}`));
  await row.waitFor();
  const bond = (await dryRun(vault, who.Eve.address, 'requiredBond', [escrowId])).value;
  check(bond !== undefined && bond > 0n, 'chain: the rental can be disputed');
  await page.click(tid(`dispute-${escrowId}`));
  await awaitConfirm(page);
  const sent = await text(page, tid('confirm-value-0'));
  check(/^[\d.]+ UNIT$/.test(sent), `page: the panel sends the bond ("${sent}")`);
  await screenshot(page, 'dao-dispute-confirm');
  await sign(page);
  await dismiss(page);
  check((await dryRun(vault, who.Alice.address, 'vaultArbiterEscrow', [escrowId])).value?.state === 'Disputed', 'chain: the escrow is disputed');
  await row.locator(tid('dispute-escrow-state')).filter({ hasText: 'Disputed' }).waitFor();
  // Opening the case: approve the DAO for the case fee, then open (dry-run after the approval).
  const eveMmt = (await dryRun(token, who.Eve.address, 'psp22BalanceOf', [who.Eve.address])).value;
  const reserveBefore = (await dryRun(dao, who.Alice.address, 'totals', [])).value[1];
  await page.fill(tid(`evidence-${escrowId}`), 'ipfs://bafy-gpu-never-reachable');
  await page.click(tid(`open-case-${escrowId}`));
  await awaitConfirm(page);
  check((await text(page, tid('confirm-step-0'))).includes(`Approve the DAO for the ${Number(jury.caseFee / MMT)} MMT case fee`), 'page: step 1 approves the case fee');
  check((await text(page, tid('confirm-step-1'))).includes('dry-run after step 1'), 'page: the opening is estimated after the approval');
  await screenshot(page, 'dao-open-case-confirm');
  await page.click(tid('confirm-sign'));
  await page.locator(`${tid('confirm-panel')}[data-phase="confirm"] ${tid('confirm-fee-1')}`).waitFor();
  const caseId = idIn(await sign(page), 'Case');
  await dismiss(page);
  check((await dryRun(dao, who.Alice.address, 'caseOfEscrow', [escrowId])).value === caseId, 'chain: the case is the escrow’s');
  const opened = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
  check(opened.phase === 'Commit' && opened.case.totalStake === 300n * MMT, `chain: commit phase, 300 MMT snapshotted (got ${opened.phase}, ${opened.case.totalStake})`);
  check(opened.case.fee === jury.caseFee, 'chain: the case records the fee Eve paid');
  check(eveMmt - (await dryRun(token, who.Eve.address, 'psp22BalanceOf', [who.Eve.address])).value === jury.caseFee, 'chain: Eve paid the case fee, nothing more');
  const reserveAfter = (await dryRun(dao, who.Alice.address, 'totals', [])).value[1];
  check(reserveAfter === reserveBefore + jury.caseFee - jury.jurorReward, `chain: reserve + fee − reward (${reserveBefore} → ${reserveAfter})`);
  const commitEnd = opened.phaseEnds;
  const caseRow = page.locator(tid(`case-row-${caseId}`));
  await caseRow.locator(tid('case-phase')).filter({ hasText: 'Commit' }).waitFor();
  await page.locator(tid(`escrow-case-${escrowId}`)).waitFor();
  await screenshot(page, 'dao-disputes-list');

  // 4. Refused: Eve, a party, tries to vote. Plain words, nothing sent.
  await page.click(tid(`escrow-case-${escrowId}`));
  await page.locator(`${tid(`case-${caseId}`)}[data-for="${who.Eve.address}"]`).waitFor();
  check((await text(page, tid('case-countdown'))).startsWith('commits close in'), 'page: the commit countdown');
  const eveNonce = await nonce(m, who.Eve);
  await page.click(tid('commit-vote'));
  await page.locator(`${tid('confirm-panel')}[data-phase="refused"]`).waitFor();
  const plain = await text(page, tid('error-plain'));
  check(plain === 'A party to this case cannot be a juror on it.', `page: PartyCannotVote in plain words (got "${plain}")`);
  check((await text(page, tid('error-code'))) === 'PartyCannotVote', 'page: the error code');
  check((await page.locator(tid('confirm-sign')).count()) === 0, 'page: no sign button on a refused vote');
  await screenshot(page, 'dao-refused-party-vote');
  await dismiss(page);
  check((await nonce(m, who.Eve)) === eveNonce, 'chain: Eve sent nothing');
  check((await dryRun(dao, who.Alice.address, 'roundInfo', [caseId, 0])).value.commits === 0, 'chain: no vote recorded');

  // 5. Three jurors commit through the case page: two for "25 % + slash", one for "100 %".
  const votes: [Signer, number][] = [
    [who.Charlie, CHOICE_SLASH_25],
    [who.Dave, CHOICE_SLASH_25],
    [who.Ferdie, CHOICE_ALL_PROVIDER],
  ];
  for (const [j, choice] of votes) {
    await caseAs(page, caseId, j);
    await page.selectOption(tid('commit-choice'), String(choice));
    await page.click(tid('commit-vote'));
    await awaitConfirm(page);
    await sign(page);
    await dismiss(page);
    await page.locator(tid('my-vote')).waitFor();
    if (j === who.Charlie) await screenshot(page, 'dao-committed');
  }
  const committed = (await dryRun(dao, who.Alice.address, 'roundInfo', [caseId, 0])).value;
  check(committed.commits === 3 && committed.reveals === 0, `chain: 3 hidden votes (got ${committed.commits})`);
  const charlieVote = (await dryRun(dao, who.Alice.address, 'voteOf', [caseId, 0, who.Charlie.address])).value!;
  check(charlieVote.weight === 100n * MMT && charlieVote.risk === 10n * MMT && charlieVote.revealed === undefined, 'chain: Charlie’s vote weighs 100 MMT, 10 MMT at risk, hidden');
  check(Date.now() < Number(commitEnd), `the commits fit in the commit phase (${Number(commitEnd) - Date.now()} ms to spare)`);
  console.log(`browser:        dao: commits done with ${((Number(commitEnd) - Date.now()) / 1000).toFixed(1)} s of the commit phase to spare`);
  const quorum = quorumNeeded(opened.case.totalStake, opened.case.jury, 0);
  check(quorum === 60n * MMT, `the quorum: min(20 % of 300 MMT, the cap) = 60 MMT (got ${quorum})`);
  check((await text(page, tid('case-quorum'))).startsWith('60 MMT revealed'), `page: the quorum this round ("${await text(page, tid('case-quorum'))}")`);

  // An early reveal, refused by the client: Charlie's choice and salt as this browser
  // kept them, sent through the client's revealVote while the case is still in its
  // commit phase. The client reads the phase at the current block and throws before
  // anything is sent (a failed reveal on chain would publish the vote for anyone to
  // denounce).
  const kept = await page.evaluate((key) => localStorage.getItem(key), `mm.vote.${who.Charlie.address}.${caseId}.0`);
  const secret = kept ? (JSON.parse(kept) as Record<string, { choice: number; salt: `0x${string}` }>)[charlieVote.commitment.toLowerCase()] : undefined;
  check(secret !== undefined && secret.choice === CHOICE_SLASH_25, 'browser: Charlie’s choice and salt are kept under his commitment');
  const charlieNonce = await nonce(m, who.Charlie);
  const early = await revealVote(dao, who.Charlie, caseId, secret!.choice, secret!.salt).then(
    () => undefined,
    (e: unknown) => e,
  );
  check(early instanceof RevealOutsidePhase && early.phase === 'Commit' && early.code === 'NotRevealPhase', `client: an early reveal is refused naming the commit phase (got ${early instanceof Error ? early.message : 'success'})`);
  check((await nonce(m, who.Charlie)) === charlieNonce, 'chain: Charlie sent nothing');
  const stillHidden = (await dryRun(dao, who.Alice.address, 'voteOf', [caseId, 0, who.Charlie.address])).value!;
  check(stillHidden.revealed === undefined && !stillHidden.voided, 'chain: Charlie’s vote is still hidden');
  console.log(`browser:        dao: early reveal refused by the client: "${(early as RevealOutsidePhase).plain}"`);

  // 6. Reveal phase: each juror reveals with one click (choice and salt from the browser).
  await passTime(ctx, commitEnd);
  await reload(page, caseId);
  await page.locator(tid('case-phase')).filter({ hasText: 'Reveal' }).waitFor();
  for (const [j, choice] of votes) {
    await caseAs(page, caseId, j);
    const label = choice === CHOICE_SLASH_25 ? 'Reveal: 25 % to the provider + slash' : 'Reveal: 100 % to the provider';
    await page.locator(tid('reveal-vote')).filter({ hasText: label }).waitFor();
    if (j === who.Charlie) await screenshot(page, 'dao-reveal');
    await page.click(tid('reveal-vote'));
    await awaitConfirm(page);
    await sign(page);
    await dismiss(page);
    await page.locator(tid('my-vote')).filter({ hasText: 'You revealed' }).waitFor();
  }
  const revealed = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
  check(revealed.roundInfo.reveals === 3 && revealed.leading === CHOICE_SLASH_25, `chain: 3 reveals, "25 % + slash" leads (got ${revealed.leading})`);
  check((await dryRun(dao, who.Alice.address, 'tally', [caseId, 0, CHOICE_SLASH_25])).value.weight === 200n * MMT, 'chain: 200 MMT for 25 % + slash');
  check(Date.now() < Number(revealed.phaseEnds), 'the reveals fit in the reveal phase');
  console.log(`browser:        dao: reveals done with ${((Number(revealed.phaseEnds) - Date.now()) / 1000).toFixed(1)} s of the reveal phase to spare`);
  await page.locator(tid('case-leading')).filter({ hasText: '25 % to the provider + slash' }).waitFor();
  check((await text(page, tid('tally-6'))).includes('200 MMT') && (await text(page, tid('tally-4'))).includes('100 MMT'), 'page: the tally by choice');
  await screenshot(page, 'dao-tally');

  // 7. Eve adds evidence while the jury reveals; in the appeal window she (not fully
  // favoured by the ruling) sees the appeal button with its bond.
  await caseAs(page, caseId, who.Eve);
  await page.fill(tid('evidence-uri'), 'ipfs://bafy-provider-logs-show-no-access');
  await page.click(tid('evidence-submit'));
  await awaitConfirm(page);
  check((await sign(page)).startsWith(`Evidence added to case #${caseId}`), 'page: evidence added');
  await dismiss(page);
  await passTime(ctx, revealed.phaseEnds);
  await reload(page, caseId);
  await page.locator(tid('case-phase')).filter({ hasText: 'Appeal' }).waitFor();
  const appeal = await text(page, tid('appeal'));
  check(appeal === `Appeal · bond ${Number(jury.appealBond / MMT)} MMT`, `page: the appeal button shows the bond ("${appeal}")`);
  await screenshot(page, 'dao-appeal-window');
  const appealEnd = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!.phaseEnds;

  // 8. Final: the ruling is executed from the page; the outcome is shown.
  await passTime(ctx, appealEnd);
  await reload(page, caseId);
  await page.locator(tid('case-phase')).filter({ hasText: 'Executable' }).waitFor();
  await page.click(tid('execute-ruling'));
  await awaitConfirm(page);
  const ruled = await sign(page);
  await dismiss(page);
  check(ruled.startsWith(`Case #${caseId} ruled: 25 % to the provider + slash;`) && ruled.includes('of collateral slashed to the renter'), `page: the ruling's message ("${ruled}")`);
  const closed = (await dryRun(dao, who.Alice.address, 'case', [caseId])).value!;
  check(closed.case.status.type === 'Ruled' && closed.case.status.value[0] === CHOICE_SLASH_25 && closed.case.status.value[1], 'chain: ruled 25 % + slash, applied at the vault');
  const settledEscrow = (await dryRun(vault, who.Alice.address, 'vaultArbiterEscrow', [escrowId])).value!;
  check(settledEscrow.state === 'Settled' && settledEscrow.settlement?.reason === 'Resolved' && settledEscrow.settlement.payeeShareBps === 2_500, 'chain: the vault resolved the rental 25 % to the provider');
  await page.locator(tid('case-ruling')).filter({ hasText: '25 % to the provider + slash' }).waitFor();
  check((await text(page, tid('case-phase'))) === 'Ruled', 'page: the case shows Ruled');
  await screenshot(page, 'dao-ruled');

  // 9. Charlie settles the vote (with the ruling: risk back plus a reward) and withdraws the reward.
  await as(page, who.Charlie);
  await tab(page, 'jury');
  const vrow = page.locator(tid(`juror-vote-row-${caseId}`));
  await vrow.locator(tid('juror-vote-outcome')).filter({ hasText: 'with the ruling' }).waitFor();
  const pending = (await dryRun(dao, who.Alice.address, 'votesOf', [who.Charlie.address, 0n, 10])).value.items.find((v) => v.case === caseId)!.pending!;
  check(pending[0] === 'Coherent' && pending[1] === 10n * MMT && pending[2] > 0n, 'chain: Charlie’s vote is coherent, risk back and a reward');
  await screenshot(page, 'dao-jury-to-settle');
  await page.click(tid(`settle-${caseId}-0`));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  const member = (await dryRun(dao, who.Alice.address, 'member', [who.Charlie.address])).value;
  check(member.staked === 100n * MMT && member.atRisk === 0n && member.credit === pending[2] && member.earned === pending[2], 'chain: stake back to 100 MMT, the reward credited and earned');
  const ferdie = (await dryRun(dao, who.Alice.address, 'votesOf', [who.Ferdie.address, 0n, 10])).value.items.find((v) => v.case === caseId)!.pending!;
  check(ferdie[0] === 'Incoherent' && ferdie[1] === 0n && ferdie[2] === 0n, 'chain: Ferdie voted against the ruling and forfeits his risk');
  await page.locator(tid('juror-earned')).filter({ hasText: /[1-9]/ }).waitFor();
  const mmtBefore = (await dryRun(token, who.Charlie.address, 'psp22BalanceOf', [who.Charlie.address])).value;
  await page.click(tid('withdraw-credit'));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  check((await dryRun(token, who.Charlie.address, 'psp22BalanceOf', [who.Charlie.address])).value === mmtBefore + pending[2], 'chain: the reward reached Charlie’s wallet');
  await page.locator(tid('juror-credit')).filter({ hasText: '0 MMT' }).waitFor();
  await screenshot(page, 'dao-jury-settled');

  // 10. The fee proposal passed while the case ran; anyone executes it after the timelock.
  await tab(page, 'governance');
  await card.locator(tid('proposal-state')).filter({ hasText: /Ready|Queued/ }).waitFor();
  const eta = (await dryRun(dao, who.Alice.address, 'proposal', [proposalId])).value!.eta;
  if (Date.now() < Number(eta) + 250) await passTime(ctx, eta);
  await page.click(tid('reload'));
  await card.locator(tid('proposal-state')).filter({ hasText: 'Ready' }).waitFor();
  await page.click(tid(`execute-proposal-${proposalId}`));
  await awaitConfirm(page);
  await sign(page);
  await dismiss(page);
  await card.locator(tid('proposal-state')).filter({ hasText: 'Executed' }).waitFor();
  check((await dryRun(vault, who.Alice.address, 'feeBps', [])).value === 300 && feeBefore !== 300, 'chain: the vault’s fee is 3 % by the DAO’s proposal');
  await page.locator(tid('footer-fee')).filter({ hasText: '3 %' }).waitFor();
  await screenshot(page, 'dao-proposal-executed');
}
