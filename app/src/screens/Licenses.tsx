import { useState } from 'react';
import { chainNow, dryRun, relativeTime } from '../../../client/src/index.js';
import type { ModelRegistryLicenseView } from '../../../client/src/contracts/model-registry/types.js';
import { step, useAction } from '../actions.js';
import { useApp } from '../market.js';
import { amount, kindText, useLoad } from '../util.js';

const PAGE = 10;

export function LicensesScreen() {
  const { market, account, version } = useApp();
  const [cursors, setCursors] = useState<bigint[]>([0n]);
  const cursor = cursors[cursors.length - 1];
  const data = useLoad(async () => {
    if (!account) return undefined;
    const page = (await dryRun(market.registry, account.address, 'licensesOf', [account.address, cursor, PAGE])).value;
    const ids = [...new Set(page.items.map((v) => v.license.modelId))];
    const models = new Map(
      await Promise.all(ids.map(async (id) => [id, (await dryRun(market.registry, account.address, 'model', [id])).value] as const)),
    );
    const entitlements = new Map(
      await Promise.all(ids.map(async (id) => [id, (await dryRun(market.registry, account.address, 'entitlement', [account.address, id])).value] as const)),
    );
    const deadlines = new Map(
      await Promise.all(
        page.items
          .filter((v) => v.escrow && v.escrow.state !== 'Settled')
          .map(async (v) => {
            const rec = (await dryRun(market.vault, account.address, 'vaultArbiterEscrow', [v.license.escrowId])).value;
            const terms = rec?.terms;
            // Order terms: (amount, delivery deadline, review window, delivered at, proof).
            const deadline = terms?.type === 'Order' ? (v.escrow!.state === 'Delivered' && terms.value[3] !== undefined ? terms.value[3] + terms.value[2] : terms.value[1]) : undefined;
            return [v.licenseId, deadline] as const;
          }),
      ),
    );
    return { page, models, entitlements, deadlines, now: await chainNow(market.client) };
  }, [account?.address, cursor, version]);

  if (!account) return <div className="empty">Choose an account in the header to see its licenses.</div>;
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>My licenses</h2>
          <p className="muted">Licenses bought by {account.name}. A license becomes Active when you release its escrow to the seller after delivery.</p>
        </div>
      </div>
      {data.error && <div className="error-box">{data.error}</div>}
      {data.data && data.data.page.items.length === 0 && <div className="empty">No licenses yet: buy one in Models.</div>}
      {data.data && data.data.page.items.length > 0 && (
        <div className="card">
          <table className="table" data-testid="license-table">
            <thead>
              <tr>
                <th>License</th>
                <th>Model</th>
                <th>Terms</th>
                <th className="num">Paid</th>
                <th>State</th>
                <th>Escrow</th>
                <th>Expires / deadline</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.data.page.items.map((v) => (
                <LicenseRow
                  key={String(v.licenseId)}
                  view={v}
                  modelName={data.data!.models.get(v.license.modelId)?.name ?? '?'}
                  rated={data.data!.entitlements.get(v.license.modelId)?.rated ?? false}
                  deadline={data.data!.deadlines.get(v.licenseId)}
                  now={data.data!.now}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        <button className="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Previous
        </button>
        <span className="muted small">page {cursors.length}</span>
        <button className="secondary" disabled={data.data?.page.next === undefined} onClick={() => data.data?.page.next !== undefined && setCursors([...cursors, data.data.page.next])}>
          Next →
        </button>
      </div>
    </section>
  );
}

function LicenseRow({ view, modelName, rated, deadline, now }: { view: ModelRegistryLicenseView; modelName: string; rated: boolean; deadline?: bigint; now: bigint }) {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const [stars, setStars] = useState('5');
  const l = view.license;
  const escrowState = view.escrow?.state;
  const id = view.licenseId;

  let expires = '—';
  if (view.state === 'Active' && l.kind.type === 'TimeBound' && l.releasedAt !== undefined) expires = `expires ${relativeTime(l.releasedAt + l.kind.value, now)}`;
  else if (view.state === 'Active' && l.kind.type === 'Perpetual') expires = 'never';
  else if (view.state === 'Active' && l.kind.type === 'Metered') expires = 'when units run out';
  else if (view.state === 'Expired') expires = 'expired';
  else if (view.state === 'Pending' && deadline !== undefined)
    expires = escrowState === 'Delivered' ? `auto-release ${relativeTime(deadline, now)}` : `delivery due ${relativeTime(deadline, now)}`;

  const release = () => {
    if (!account) return;
    run({
      title: `Release license #${id}`,
      details: [
        ['Model', `#${l.modelId} ${modelName}`],
        ['Pays the seller', amount(market, l.price, l.asset, native)],
        ['Escrow', `#${l.escrowId} · ${escrowState ?? '?'}`],
      ],
      steps: [step('Release the escrow to the seller', market.registry, 'registry', account, 'releaseLicense', [id])],
      done: () => `License #${id} is active.`,
    });
  };
  const rate = () => {
    if (!account) return;
    const n = Number(stars);
    run({
      title: `Rate ${modelName}`,
      details: [['Stars', stars]],
      steps: [step(`Rate ${stars} stars`, market.registry, 'registry', account, 'rateModel', [l.modelId, Number.isInteger(n) && n >= 0 && n <= 255 ? n : 0])],
      done: () => `Thanks: you rated ${modelName} ${stars} ★.`,
    });
  };

  return (
    <tr data-testid={`license-${id}`}>
      <td className="muted">#{String(id)}</td>
      <td>
        <strong>{modelName}</strong> <span className="muted small">#{String(l.modelId)}</span>
      </td>
      <td>{kindText(l.kind)}</td>
      <td className="num">{amount(market, l.price, l.asset, native)}</td>
      <td>
        <span className={`pill pill-${view.state.toLowerCase()}`} data-testid="license-state">
          {view.state}
        </span>
      </td>
      <td>
        {escrowState ? (
          <span className={`pill pill-${escrowState.toLowerCase()}`} data-testid="license-escrow">
            {escrowState}
            {view.escrow?.settlement ? ` · ${view.escrow.settlement.reason}` : ''}
          </span>
        ) : (
          '—'
        )}
      </td>
      <td className="small" data-testid="license-expires">
        {expires}
      </td>
      <td className="right nowrap">
        {view.state === 'Pending' && (escrowState === 'Funded' || escrowState === 'Delivered') && (
          <button className={escrowState === 'Delivered' ? 'primary small' : 'secondary small'} onClick={release} data-testid={`release-${id}`}>
            Release
          </button>
        )}
        {view.state !== 'Pending' && view.state !== 'NotGranted' && !rated && (
          <span className="rate">
            <input type="number" min={1} max={5} value={stars} onChange={(e) => setStars(e.target.value)} data-testid={`stars-${id}`} />
            <span className="small muted">★</span>
            <button className="secondary small" onClick={rate} data-testid={`rate-${id}`}>
              Rate
            </button>
          </span>
        )}
        {rated && view.state !== 'Pending' && <span className="small muted">rated ✓</span>}
      </td>
    </tr>
  );
}
