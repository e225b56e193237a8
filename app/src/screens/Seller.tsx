import { useState } from 'react';
import { chainNow, dryRun, relativeTime, short } from '../../../client/src/index.js';
import type { EscrowOpenEscrow } from '../../../client/src/contracts/escrow/types.js';
import type { MarketTypesAssetLike } from '../../../client/src/contracts/model-registry/types.js';
import { step, useAction } from '../actions.js';
import { useApp } from '../market.js';
import { amount, randomHash, useLoad } from '../util.js';

export function SellerScreen() {
  const { market, account, version } = useApp();
  const data = useLoad(async () => {
    if (!account) return undefined;
    const me = account.address;
    const open: EscrowOpenEscrow[] = [];
    let cursor: bigint | undefined = 0n;
    while (cursor !== undefined && open.length < 200) {
      const page: { items: EscrowOpenEscrow[]; next?: bigint } = (await dryRun(market.vault, me, 'openEscrows', [me, cursor, 50])).value;
      open.push(...page.items);
      cursor = page.next;
    }
    const toDeliver = open.filter((e) => e.role === 'Payee');
    const payers = new Map(
      await Promise.all(toDeliver.map(async (e) => [e.id, (await dryRun(market.vault, me, 'vaultArbiterEscrow', [e.id])).value?.payer.address()] as const)),
    );
    return { toDeliver, payers, now: await chainNow(market.client) };
  }, [account?.address, version]);

  if (!account) return <div className="empty">Choose an account in the header to see what you sell.</div>;

  return (
    <section>
      <div className="section-head">
        <div>
          <h2>Seller</h2>
          <p className="muted">Orders waiting for your delivery, and what the vault owes you.</p>
        </div>
      </div>
      {data.error && <div className="error-box">{data.error}</div>}
      <div className="card">
        <h3>Escrows to deliver</h3>
        {data.data && data.data.toDeliver.length === 0 && <div className="empty">Nothing to deliver right now.</div>}
        {data.data && data.data.toDeliver.length > 0 && (
          <table className="table" data-testid="escrow-table">
            <thead>
              <tr>
                <th>Escrow</th>
                <th>Buyer</th>
                <th className="num">Held</th>
                <th>State</th>
                <th>Next deadline</th>
                <th>Proof hash</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.data.toDeliver.map((e) => (
                <EscrowRow key={String(e.id)} e={e} payer={data.data!.payers.get(e.id)} now={data.data!.now} />
              ))}
            </tbody>
          </table>
        )}
      </div>
      <CreditsCard note="Sales, rental pay, refunds and returned collateral settle into credits in the vault; withdraw them to your account." />
    </section>
  );
}

/** What the vault owes the account, per asset, with Withdraw (Seller and Provider views). */
export function CreditsCard({ note }: { note: string }) {
  const { market, account, version, native } = useApp();
  const { run } = useAction();
  const credits = useLoad(async () => {
    if (!account) return [];
    const me = account.address;
    const assets: [string, MarketTypesAssetLike][] = [
      [native.symbol, { type: 'Native' }],
      [market.deployment.params.tokenSymbol, { type: 'Psp22', value: market.token.address }],
    ];
    return Promise.all(assets.map(async ([sym, a]) => ({ sym, asset: a, value: (await dryRun(market.vault, me, 'creditOf', [me, a])).value })));
  }, [account?.address, version]);
  if (!account) return null;
  const withdraw = (sym: string, asset: MarketTypesAssetLike, value: bigint) =>
    run({
      title: `Withdraw ${sym}`,
      details: [['Credit', amount(market, value, asset, native)]],
      steps: [step(`Withdraw your ${sym} credit`, market.vault, 'vault', account, 'escrowVaultWithdraw', [asset])],
      done: (r) => `Withdrew ${amount(market, r[0].value as bigint, asset, native)}.`,
    });
  return (
    <div className="card">
      <h3>Credits</h3>
      <p className="muted small">{note}</p>
      <div className="credits">
        {credits.data?.map((c) => (
          <div className="credit" key={c.sym} data-testid={`credit-${c.sym}`}>
            <div className="credit-amount">{amount(market, c.value, c.asset, native)}</div>
            <button className="primary small" disabled={c.value === 0n} onClick={() => withdraw(c.sym, c.asset, c.value)} data-testid={`withdraw-${c.sym}`}>
              Withdraw
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}

function EscrowRow({ e, payer, now }: { e: EscrowOpenEscrow; payer?: string; now: bigint }) {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const [proof, setProof] = useState<string>(() => randomHash());
  const deliver = () => {
    if (!account) return;
    run({
      title: `Deliver escrow #${e.id}`,
      details: [
        ['Buyer', payer ? short(payer) : '?'],
        ['Held', amount(market, e.held, e.asset, native)],
        ['Proof', `${proof.slice(0, 18)}…`],
      ],
      steps: [step('Mark delivered with proof', market.vault, 'vault', account, 'deliver', [e.id, proof as `0x${string}`])],
      done: () => `Escrow #${e.id} is delivered; the buyer can release it now.`,
    });
  };
  return (
    <tr data-testid={`escrow-${e.id}`}>
      <td className="muted">#{String(e.id)}</td>
      <td className="mono">{payer ? short(payer) : '…'}</td>
      <td className="num">{amount(market, e.held, e.asset, native)}</td>
      <td>
        <span className={`pill pill-${e.state.toLowerCase()}`} data-testid="escrow-state">
          {e.state}
        </span>
      </td>
      <td className="small">{e.nextDeadline > 0n ? relativeTime(e.nextDeadline, now) : '—'}</td>
      <td>
        <input className="mono proof" value={proof} onChange={(ev) => setProof(ev.target.value)} disabled={e.state !== 'Funded'} data-testid={`proof-${e.id}`} />
      </td>
      <td className="right">
        {e.state === 'Funded' ? (
          <button className="primary small" onClick={deliver} data-testid={`deliver-${e.id}`}>
            Deliver
          </button>
        ) : (
          <span className="small muted">waiting for buyer</span>
        )}
      </td>
    </tr>
  );
}
