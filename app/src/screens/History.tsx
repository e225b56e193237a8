/**
 * History: an account's licenses, purchases, rentals and credits, a provider's record
 * and a dispute case's timeline. With `?indexer=<url>` each panel reads the indexer
 * (docs/indexer.md); without it, or when it does not answer, each shows what the
 * contracts' views can give, or says that the history needs the indexer.
 */
import { useState } from 'react';
import { dryRun, short, type EventRow, type LicenseRow, type RentalRow as IndexedRental } from '../../../client/src/index.js';
import { latestRentalsOf } from '../../../client/src/compute.js';
import type { ComputeMarketRental } from '../../../client/src/contracts/compute-market/types.js';
import type { ModelRegistryLicenseView } from '../../../client/src/contracts/model-registry/types.js';
import { describe, money, Panel, parseAddress, sourced, timeText, usePager } from '../history.js';
import { useApp } from '../market.js';
import { amount, useLoad } from '../util.js';
import { CaseTimeline, ProviderRecordPanel } from './Records.js';

const SIZE = 10;

export function HistoryScreen({ onCase }: { onCase: (id?: bigint) => void }) {
  const { account } = useApp();
  const [text, setText] = useState('');
  const [typed, setTyped] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const address = typed ?? account?.address;
  const show = () => {
    if (!text.trim()) {
      setTyped(undefined);
      setProblem(undefined);
      return;
    }
    const a = parseAddress(text);
    setProblem(a ? undefined : `“${text.trim()}” is not an SS58 address.`);
    if (a) setTyped(a);
  };
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>History</h2>
          <p className="muted">
            An account’s licenses, purchases, rentals and credits, a provider’s record and a dispute’s timeline. With an indexer they come from it; without one, from what the
            contracts’ views keep.
          </p>
        </div>
        <form
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            show();
          }}
        >
          <input
            placeholder={account ? `${account.name} (the header’s account)` : 'An account’s SS58 address…'}
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="history-account-input"
          />
          <button className="primary" type="submit" data-testid="history-account-go">
            Show
          </button>
        </form>
      </div>
      {problem && (
        <div className="error-box" data-testid="history-account-problem">
          {problem}
        </div>
      )}
      {!address ? (
        <div className="empty">Choose an account in the header, or type an address above, to see its history.</div>
      ) : (
        <>
          <p className="muted" data-testid="history-account" data-address={address}>
            Showing <span className="mono">{address}</span>
            {typed === undefined ? ' (the account chosen in the header)' : ''}
          </p>
          <LicensesPanel key={`l-${address}`} address={address} />
          <PurchasesPanel key={`p-${address}`} address={address} />
          <RentalsPanel key={`r-${address}`} address={address} />
          <CreditsPanel key={`c-${address}`} address={address} />
        </>
      )}
      <ProviderRecordPanel initial={address} />
      <CaseTimeline onCase={onCase} />
    </section>
  );
}

interface LicenseLine {
  id: string;
  model: string;
  kind: string;
  paid: string;
  escrow: string;
  bought: string;
}

function LicensesPanel({ address }: { address: string }) {
  const { market, native, version } = useApp();
  const { offset, pager } = usePager(SIZE);
  const [cursors, setCursors] = useState<bigint[]>([0n]);
  const cursor = cursors[cursors.length - 1];
  const data = useLoad(
    () =>
      sourced(
        (api) => api.licensesOf(address, { limit: SIZE, offset }),
        async () => {
          const page: { items: ModelRegistryLicenseView[]; next?: bigint } = (await dryRun(market.registry, address, 'licensesOf', [address, cursor, SIZE])).value;
          const ids = [...new Set(page.items.map((v) => v.license.modelId))];
          const names = new Map(await Promise.all(ids.map(async (id) => [id, (await dryRun(market.registry, address, 'model', [id])).value?.name ?? '?'] as const)));
          return { page, names };
        },
      ),
    [address, offset, cursor, version],
  );
  const d = data.data;
  let lines: LicenseLine[] = [];
  if (d?.source === 'indexer') {
    lines = d.data.items.map((l: LicenseRow) => ({
      id: l.id,
      model: `#${l.modelId} ${l.modelName ?? '?'}`,
      kind: l.kind,
      paid: money(market, l.price, l.asset, native),
      escrow: `${l.escrowState ?? '—'}${l.settleReason ? ` · ${l.settleReason}` : ''}`,
      bought: timeText(l.purchasedAt),
    }));
  } else if (d?.source === 'chain') {
    lines = d.data.page.items.map((v) => ({
      id: String(v.licenseId),
      model: `#${v.license.modelId} ${d.data.names.get(v.license.modelId) ?? '?'}`,
      kind: v.license.kind.type,
      paid: amount(market, v.license.price, v.license.asset, native),
      escrow: `${v.escrow?.state ?? '—'}${v.escrow?.settlement ? ` · ${v.escrow.settlement.reason}` : ''}`,
      bought: timeText(v.license.purchasedAt),
    }));
  }
  return (
    <Panel title="Licenses" testid="history-licenses" chain="the registry’s licenses_of pages" loaded={d} error={data.error}>
      {lines.length === 0 ? (
        <div className="empty small">No licenses bought by this account.</div>
      ) : (
        <table className="table tight" data-testid="history-licenses-table">
          <thead>
            <tr>
              <th>License</th>
              <th>Model</th>
              <th>Terms</th>
              <th className="num">Paid</th>
              <th>Escrow</th>
              <th>Bought</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.id} data-testid={`history-license-${l.id}`}>
                <td className="muted">#{l.id}</td>
                <td>{l.model}</td>
                <td>{l.kind}</td>
                <td className="num">{l.paid}</td>
                <td data-testid="history-license-escrow">{l.escrow}</td>
                <td className="small">{l.bought}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d?.source === 'indexer' && pager(d.data.total, 'history-licenses')}
      {d?.source === 'chain' && (cursors.length > 1 || d.data.page.next !== undefined) && (
        <div className="pager">
          <button className="secondary small" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
            ← Previous
          </button>
          <span className="muted small">page {cursors.length}</span>
          <button
            className="secondary small"
            disabled={d.data.page.next === undefined}
            onClick={() => d.data.page.next !== undefined && setCursors([...cursors, d.data.page.next])}
          >
            Next →
          </button>
        </div>
      )}
    </Panel>
  );
}

/** The events of an account's history list, newest first (purchases or credits). */
function EventTable({ rows, address, testid }: { rows: EventRow[]; address: string; testid: string }) {
  const { market, native } = useApp();
  return (
    <table className="table tight" data-testid={`${testid}-table`}>
      <thead>
        <tr>
          <th>Block</th>
          <th>When</th>
          <th>Event</th>
          <th>What</th>
          <th className="num">Amount</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e) => {
          const t = describe(market, e, native, address);
          return (
            <tr key={`${e.blockNumber}:${e.eventIndex}`} data-testid={`${testid}-row`} data-event={e.name} data-at={`${e.blockNumber}:${e.eventIndex}`}>
              <td className="muted">#{e.blockNumber}</td>
              <td className="small">{timeText(e.blockTime)}</td>
              <td>{e.name}</td>
              <td className="wrap">{t.what}</td>
              <td className="num">{t.amount ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function PurchasesPanel({ address }: { address: string }) {
  const { version } = useApp();
  const { offset, pager } = usePager(SIZE);
  const data = useLoad(
    () =>
      sourced(
        (api) => api.purchasesOf(address, { limit: SIZE, offset }),
        async () => null,
      ),
    [address, offset, version],
  );
  const d = data.data;
  return (
    <Panel title="Purchases" testid="history-purchases" chain="no view lists payments" loaded={d} error={data.error}>
      {d?.source === 'indexer' &&
        (d.data.items.length === 0 ? (
          <div className="empty small">No purchases by this account.</div>
        ) : (
          <EventTable rows={d.data.items} address={address} testid="history-purchases" />
        ))}
      {d?.source === 'indexer' && pager(d.data.total, 'history-purchases')}
      {d?.source === 'chain' && (
        <div className="empty small" data-testid="history-purchases-needs-indexer">
          The purchase history needs the indexer: the contracts keep no list of payments. The licenses above and the rentals below each show what they cost (a rental’s extensions
          are in its prepaid total).
        </div>
      )}
    </Panel>
  );
}

interface RentalLine {
  id: string;
  offer: string;
  other: string;
  size: string;
  paid: string;
  status: string;
  booked: string;
}

function RentalsPanel({ address }: { address: string }) {
  const { market, native, version } = useApp();
  const [role, setRole] = useState<'renter' | 'provider'>('renter');
  const { offset, pager, reset } = usePager(SIZE);
  const data = useLoad(
    () =>
      sourced(
        (api) => api.rentalsOf(address, role, { limit: SIZE, offset }),
        () => latestRentalsOf(market, address, role === 'renter' ? 'Renter' : 'Provider', { count: 50 }),
      ),
    [address, role, offset, version],
  );
  const d = data.data;
  const line = (id: string, r: Pick<IndexedRental, 'offerId' | 'gpus' | 'hours' | 'status' | 'outcome'> & { other: string; paid: string; booked: string }): RentalLine => ({
    id,
    offer: `#${r.offerId}`,
    other: short(r.other),
    size: `${r.gpus} GPU × ${r.hours} h`,
    paid: r.paid,
    status: `${r.status}${r.outcome ? ` · ${r.outcome}` : ''}`,
    booked: r.booked,
  });
  let lines: RentalLine[] = [];
  if (d?.source === 'indexer') {
    lines = d.data.items.map((r) =>
      line(r.id, { ...r, other: role === 'renter' ? r.provider : r.renter, paid: money(market, r.paid, r.asset, native), booked: timeText(r.bookedAt) }),
    );
  } else if (d?.source === 'chain') {
    lines = d.data.items.map(([id, r]: [bigint, ComputeMarketRental]) =>
      line(String(id), {
        offerId: String(r.offerId),
        gpus: r.gpus,
        hours: r.hours,
        status: r.status,
        outcome: r.outcome ?? null,
        other: (role === 'renter' ? r.provider : r.renter).address(42),
        paid: amount(market, r.paid, r.asset, native),
        booked: timeText(r.bookedAt),
      }),
    );
  }
  return (
    <Panel title="Rentals" testid="history-rentals" chain="the compute market’s rentals_of pages (the newest 50)" loaded={d} error={data.error}>
      <div className="pager">
        <span className="muted small">
          As{' '}
          <select
            value={role}
            onChange={(e) => {
              setRole(e.target.value as 'renter' | 'provider');
              reset();
            }}
            data-testid="history-rentals-role"
          >
            <option value="renter">renter</option>
            <option value="provider">provider</option>
          </select>
        </span>
      </div>
      {lines.length === 0 ? (
        <div className="empty small">No rentals with this account as {role}.</div>
      ) : (
        <table className="table tight" data-testid="history-rentals-table">
          <thead>
            <tr>
              <th>Rental</th>
              <th>Offer</th>
              <th>{role === 'renter' ? 'Provider' : 'Renter'}</th>
              <th>Size</th>
              <th className="num">Prepaid</th>
              <th>Status</th>
              <th>Booked</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.id} data-testid={`history-rental-${l.id}`}>
                <td className="muted">#{l.id}</td>
                <td>{l.offer}</td>
                <td className="mono">{l.other}</td>
                <td>{l.size}</td>
                <td className="num">{l.paid}</td>
                <td data-testid="history-rental-status">{l.status}</td>
                <td className="small">{l.booked}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d?.source === 'indexer' && pager(d.data.total, 'history-rentals')}
    </Panel>
  );
}

function CreditsPanel({ address }: { address: string }) {
  const { market, native, version } = useApp();
  const { offset, pager } = usePager(SIZE);
  const data = useLoad(
    () =>
      sourced(
        (api) => api.creditsOf(address, { limit: SIZE, offset }),
        async () => {
          const assets = [{ type: 'Native' as const }, { type: 'Psp22' as const, value: market.token.address }];
          return Promise.all(assets.map(async (a) => ({ asset: a, value: (await dryRun(market.vault, address, 'creditOf', [address, a])).value })));
        },
      ),
    [address, offset, version],
  );
  const d = data.data;
  return (
    <Panel title="Credits" testid="history-credits" chain="the vault’s credit_of (the credit now, not its history)" loaded={d} error={data.error}>
      {d?.source === 'indexer' &&
        (d.data.items.length === 0 ? (
          <div className="empty small">Nothing credited to or debited from this account yet.</div>
        ) : (
          <EventTable rows={d.data.items} address={address} testid="history-credits" />
        ))}
      {d?.source === 'indexer' && pager(d.data.total, 'history-credits')}
      {d?.source === 'chain' && (
        <>
          <p className="small" data-testid="history-credits-needs-indexer">
            The history of credits (settlements, claims, withdrawals, penalties, slashes, the DAO’s rewards) needs the indexer. The vault’s views give the credit now:
          </p>
          <dl className="kv compact">
            {d.data.map((c) => (
              <div key={c.asset.type} data-testid={`history-credit-${c.asset.type}`}>
                <dt>Vault credit, {c.asset.type === 'Native' ? native.symbol : market.deployment.params.tokenSymbol}</dt>
                <dd>{amount(market, c.value, c.asset, native)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </Panel>
  );
}
