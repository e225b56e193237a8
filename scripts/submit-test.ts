/**
 * The client's `submit` (client/src/submit.ts) on a dev node: a transaction is never lost
 * silently, and never lands twice. Run by scripts/submit-test.sh (a stage of make test).
 *
 *   npx tsx scripts/submit-test.ts --url ws://127.0.0.1:9957
 *
 * 1. Gap filled late: Charlie signs a remark with nonce N + 1 while N is unused. The pool
 *    keeps it as future and the node's watcher stays quiet; after `lostAfterBlocks` blocks
 *    `submit` stops trusting the watcher and watches the nonce, handing the same bytes to
 *    the node each block. Then N is used (another remark), the first one lands, and
 *    `submit` finds its block: the call succeeds with its detours reported.
 * 2. Dropped, nonce unused: the same with no N ever sent. `submit` gives up after
 *    `lostAfterBlocks` more blocks with `TxDropped` (nonce still unused, its signed
 *    copies attached). The first copy still waits in the node's future queue; the gap is
 *    filled, and the transaction is sent again as `TxDropped` advises, with its nonce and
 *    its copies: whichever copy lands, the call succeeds, and only one lands (the
 *    account's nonce rises by 2, for N and N + 1).
 * 3. A used nonce: reported as used by another transaction (the node refused it as
 *    outdated); nonce 0, which dedot would quietly replace with the account's current
 *    nonce, is refused before anything is sent.
 *
 * Each case asserts that its path really ran (the detours `submit` reported) before it
 * asserts the outcome.
 */
import { connect, devSigners, submit, TxDropped, type Client, type Signer, type Submittable } from '../client/src/index.js';

const arg = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);

class CheckFailed extends Error {}
function check(ok: boolean, what: string): void {
  if (!ok) throw new CheckFailed(what);
  console.log(`submit-test: ok: ${what}`);
}

const remark = (client: Client, text: string) => client.tx.system.remarkWithEvent(`0x${Buffer.from(text).toString('hex')}`) as unknown as Submittable;
const nonceOf = async (client: Client, who: Signer) => Number((await client.query.system.account(who.address)).nonce);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes blocks on the instant-seal node (a remark from Ferdie each), one per `ms`. */
async function blocks(client: Client, ferdie: Signer, count: number, ms = 2_500): Promise<void> {
  for (let i = 0; i < count; i++) {
    await submit(client, remark(client, `tick ${Date.now()} ${i}`), ferdie, 'tick');
    await sleep(ms);
  }
}

async function main(): Promise<void> {
  const url = arg('--url') ?? 'ws://127.0.0.1:9957';
  const client = await connect(url);
  const who = await devSigners();
  const lines: string[] = [];
  const log = (l: string) => {
    lines.push(l);
    console.log(`submit-test:   ${l}`);
  };

  // 1. The gap is filled after submit stopped trusting the watcher.
  {
    const n = await nonceOf(client, who.Charlie);
    const pending = submit(client, remark(client, 'case 1: nonce N + 1'), who.Charlie, 'case 1', { nonce: n + 1, lostAfterBlocks: 3, wait: 'best', log });
    // Blocks until submit watches the nonce (the phase-1 watch polls every 2 s).
    for (let i = 0; i < 12 && !lines.some((l) => l.startsWith('case 1:') && l.includes('is watched')); i++) await blocks(client, who.Ferdie, 1);
    check(
      lines.some((l) => l.startsWith('case 1:') && l.includes('watcher said nothing in 3 blocks') && l.includes('is watched')),
      "case 1: after 3 quiet blocks submit watches the nonce instead of the node's watcher",
    );
    const gap = await submit(client, remark(client, 'case 1: nonce N'), who.Charlie, 'case 1 gap', { nonce: n, wait: 'best' });
    await blocks(client, who.Ferdie, 1);
    const r = await pending;
    check(
      r.detours.some((d) => d.startsWith('found in block')),
      `case 1: the first transaction is found in block #${r.blockNumber}, after its nonce was used`,
    );
    check(r.blockNumber >= gap.blockNumber && (await nonceOf(client, who.Charlie)) === n + 2, 'case 1: both landed, in nonce order, each once (nonce + 2)');
  }

  // 2. Never filled: reported dropped with its nonce unused; sent again with that nonce, one copy lands.
  {
    const n = await nonceOf(client, who.Dave);
    let dropped: TxDropped | undefined;
    const pending = submit(client, remark(client, 'case 2: nonce N + 1'), who.Dave, 'case 2', { nonce: n + 1, lostAfterBlocks: 2, wait: 'best', log }).catch((e: unknown) => {
      if (e instanceof TxDropped) dropped = e;
      else throw e;
    });
    for (let i = 0; i < 20 && !dropped; i++) await blocks(client, who.Ferdie, 1);
    await pending;
    check(
      lines.some((l) => l.startsWith('case 2:') && l.includes('is watched')) && lines.some((l) => l.startsWith('case 2:') && l.includes('handed to the node again')),
      'case 2: submit watched the nonce and handed the bytes to the node again',
    );
    check(
      !!dropped && dropped.nonceUnused && dropped.nonce === n + 1 && /still unused/.test(dropped.reason),
      `case 2: reported dropped, nonce ${n + 1} unused (${dropped?.reason.slice(0, 60)}…)`,
    );
    // Fill the gap, then send it again with the reported nonce: two copies with nonce N + 1 exist.
    await submit(client, remark(client, 'case 2: nonce N'), who.Dave, 'case 2 gap', { nonce: n, wait: 'best' });
    // Sent again as TxDropped advises (its nonce and its copies): whichever copy lands is
    // this transaction landing, so the call succeeds either way.
    const r = await submit(client, remark(client, 'case 2: sent again'), who.Dave, 'case 2 again', {
      nonce: dropped!.nonce,
      earlierCopies: dropped!.copies,
      wait: 'best',
      lostAfterBlocks: 3,
      log,
    });
    const again = r.detours.some((d) => d.startsWith('found'))
      ? `the earlier copy landed in #${r.blockNumber}, and the resend reports it`
      : `the resend landed in #${r.blockNumber}`;
    await blocks(client, who.Ferdie, 2);
    check((await nonceOf(client, who.Dave)) === n + 2, `case 2: exactly one transaction with nonce ${n + 1} landed (${again})`);
  }

  // 3. A used nonce: the node refuses at once. Nonce 0 too, which dedot would quietly
  //    replace with the account's current nonce (it reads the option with `||`).
  {
    await submit(client, remark(client, 'case 3: warm-up'), who.Eve, 'case 3 warm-up', { wait: 'best' });
    const n = await nonceOf(client, who.Eve);
    await submit(client, remark(client, 'case 3: first'), who.Eve, 'case 3 first', { nonce: n, wait: 'best' });
    const refusals: TxDropped[] = [];
    for (const nonce of [n, 0]) {
      try {
        await submit(client, remark(client, `case 3: nonce ${nonce} again`), who.Eve, 'case 3', { nonce, wait: 'best' });
      } catch (e) {
        if (e instanceof TxDropped) refusals.push(e);
        else throw e;
      }
    }
    check(
      refusals.length === 2 && refusals.every((r) => !r.nonceUnused && /refuse/.test(r.reason)),
      `case 3: used nonces ${n} and 0 are refused (${refusals.map((r) => r.reason.slice(0, 60)).join('; ')})`,
    );
    check((await nonceOf(client, who.Eve)) === n + 1, 'case 3: nothing else landed');
  }
  await client.disconnect();
}

main()
  .then(() => console.log('submit-test: OK'))
  .catch((err: unknown) => {
    console.error(`submit-test: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
