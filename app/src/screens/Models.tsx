import { useState } from 'react';
import { bps, chainNow, dryRun, IndexerUnreachable, Refused, relativeTime, short, type Market } from '../../../client/src/index.js';
import type { ModelRegistryModel, ModelRegistryOffer } from '../../../client/src/contracts/model-registry/types.js';
import { step, useAction } from '../actions.js';
import { indexer, useApp } from '../market.js';
import { SearchSource } from '../source.js';
import { amount, kindText, useLoad, versionText } from '../util.js';

const PAGE = 5;

type Mode = 'all' | 'name' | 'tag' | 'id';

interface Page {
  items: [bigint, ModelRegistryModel][];
  next?: bigint;
}

/**
 * A name or tag search through the indexer (`cursor` is the offset): its ids, each model
 * read from the chain. Undefined when no indexer is configured or it does not answer.
 */
async function fromIndexer(m: Market, caller: string, mode: Mode, q: string, cursor: bigint): Promise<Page | undefined> {
  const api = indexer();
  if (!api || (mode !== 'name' && mode !== 'tag') || !q) return undefined;
  let found;
  try {
    found = await api.models({ ...(mode === 'tag' ? { tag: q.toLowerCase() } : { q }), limit: PAGE, offset: Number(cursor) });
  } catch (err) {
    if (err instanceof IndexerUnreachable) return undefined;
    throw err;
  }
  const items: [bigint, ModelRegistryModel][] = [];
  for (const row of found.items) {
    const model = (await dryRun(m.registry, caller, 'model', [BigInt(row.id)])).value;
    if (model) items.push([BigInt(row.id), model]);
  }
  const end = found.offset + found.items.length;
  return { items, next: end < found.total ? BigInt(end) : undefined };
}

async function loadPage(m: Market, caller: string, mode: Mode, query: string, cursor: bigint): Promise<Page> {
  const q = query.trim();
  const viaIndexer = await fromIndexer(m, caller, mode, q, cursor);
  if (viaIndexer) return viaIndexer;
  if (mode === 'tag' && q) {
    const r = (await dryRun(m.registry, caller, 'modelsByTag', [q.toLowerCase(), cursor, PAGE])).value;
    return { items: r.items, next: r.next };
  }
  if (mode === 'id' && q) {
    const model = (await dryRun(m.registry, caller, 'model', [BigInt(q)])).value;
    return { items: model ? [[BigInt(q), model]] : [] };
  }
  if (mode === 'name' && q) {
    // Names are not indexed on chain: walk the catalogue page by page and keep matches.
    const out: [bigint, ModelRegistryModel][] = [];
    let c: bigint | undefined = cursor;
    while (c !== undefined && out.length < PAGE) {
      const r: Page = (await dryRun(m.registry, caller, 'models', [c, 20])).value;
      for (const item of r.items) {
        if (out.length < PAGE && item[1].name.toLowerCase().includes(q.toLowerCase())) out.push(item);
        if (out.length === PAGE) {
          c = item[0] + 1n;
          return { items: out, next: c };
        }
      }
      c = r.next;
    }
    return { items: out };
  }
  const r = (await dryRun(m.registry, caller, 'models', [cursor, PAGE])).value;
  return { items: r.items, next: r.next };
}

export function ModelsScreen() {
  const { market, account, version } = useApp();
  const caller = account?.address ?? market.deployment.deployer;
  const [mode, setMode] = useState<Mode>('all');
  const [text, setText] = useState('');
  const [query, setQuery] = useState<{ mode: Mode; text: string }>({ mode: 'all', text: '' });
  const [cursors, setCursors] = useState<bigint[]>([0n]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => loadPage(market, caller, query.mode, query.text, cursor), [query, cursor, version]);
  const total = useLoad(() => dryRun(market.registry, caller, 'modelCount', []).then((r) => r.value), [version]);

  const search = (m: Mode, t: string) => {
    setQuery({ mode: t.trim() ? m : 'all', text: t });
    setCursors([0n]);
  };
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>Models</h2>
          <p className="muted">{total.data !== undefined ? `${total.data} model${total.data === 1n ? '' : 's'} registered` : 'Loading the catalogue…'}</p>
          <SearchSource />
        </div>
        <form
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            search(mode === 'all' ? 'name' : mode, text);
          }}
        >
          <select value={mode} onChange={(e) => setMode(e.target.value as Mode)} data-testid="search-mode">
            <option value="all">Name</option>
            <option value="tag">Tag</option>
            <option value="id">Id</option>
          </select>
          <input placeholder="Search models…" value={text} onChange={(e) => setText(e.target.value)} data-testid="search-input" />
          <button className="primary" type="submit" data-testid="search-go">
            Search
          </button>
          {query.mode !== 'all' && (
            <button
              type="button"
              className="ghost"
              onClick={() => {
                setText('');
                search('all', '');
              }}
            >
              Clear
            </button>
          )}
        </form>
      </div>
      {page.error && <div className="error-box">{page.error}</div>}
      {page.data && page.data.items.length === 0 && <div className="empty">No models match.</div>}
      <div className="cards" data-testid="model-list">
        {page.data?.items.map(([id, model]) => (
          <ModelCard key={String(id)} id={id} model={model} onShow={(pid) => search('id', String(pid))} />
        ))}
      </div>
      <div className="pager">
        <button className="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))} data-testid="page-prev">
          ← Previous
        </button>
        <span className="muted small">page {cursors.length}{page.loading ? ' · loading…' : ''}</span>
        <button
          className="secondary"
          disabled={page.data?.next === undefined}
          onClick={() => page.data?.next !== undefined && setCursors([...cursors, page.data.next])}
          data-testid="page-next"
        >
          Next →
        </button>
      </div>
    </section>
  );
}

function ModelCard({ id, model, onShow }: { id: bigint; model: ModelRegistryModel; onShow: (id: bigint) => void }) {
  const { market, account, native, version } = useApp();
  const { run } = useAction();
  const caller = account?.address ?? market.deployment.deployer;
  const info = useLoad(async () => {
    const [offers, attestations, avg, rating, now, parent] = await Promise.all([
      dryRun(market.registry, caller, 'offers', [id, 0n, 20]).then((r) => r.value.items),
      dryRun(market.registry, caller, 'attestations', [id, 0n, 10]).then((r) => r.value.items),
      dryRun(market.registry, caller, 'averageRatingX100', [id]).then((r) => r.value),
      dryRun(market.registry, caller, 'rating', [id]).then((r) => r.value),
      chainNow(market.client),
      model.parent !== undefined ? dryRun(market.registry, caller, 'model', [model.parent]).then((r) => r.value) : Promise.resolve(undefined),
    ]);
    const valid = await Promise.all(attestations.map((a) => dryRun(market.registry, caller, 'isAttestationValid', [id, a.auditor]).then((r) => r.value)));
    return { offers, attestations, valid, avg, count: rating[1], now, parent };
  }, [id, version]);

  const buy = (offer: ModelRegistryOffer) => {
    if (!account) return;
    const price = amount(market, offer.price, offer.asset, native);
    const details: [string, string][] = [
      ['Model', `#${id} ${model.name} ${versionText(model.version)}`],
      ['License', kindText(offer.kind)],
      ['Price', price],
      ['Payment', 'held in escrow until you release it'],
    ];
    const purchase = (value?: bigint) =>
      step('Buy the license', market.registry, 'registry', account, 'purchaseLicense', [id, offer.offerId, offer.version], value);
    const done = (r: { value: unknown }[]) => `License #${String(r[r.length - 1].value)} bought: it is pending until the seller delivers and you release it.`;
    const title = `Buy a license to ${model.name}`;
    if (offer.asset.type === 'Native') {
      run({ title, details, steps: [purchase(offer.price)], done });
      return;
    }
    run(async () => {
      const allowance = (await dryRun(market.token, account.address, 'psp22Allowance', [account.address, market.registry.address])).value;
      if (allowance >= offer.price) {
        // Already approved: the purchase itself can be dry-run now.
        return { title, details: [...details, ['Approval', 'already in place']], steps: [purchase()], done };
      }
      return {
        title,
        details,
        steps: [step(`Approve the registry for ${price}`, market.token, 'token', account, 'psp22Approve', [market.registry.address, offer.price]), purchase()],
        // The purchase can be dry-run only once the approval is in; an own-model or
        // stale offer is still caught up front: every other refusal comes first.
        sequential: true,
        precheck: async () => {
          try {
            await dryRun(market.registry, account.address, 'purchaseLicense', [id, offer.offerId, offer.version]);
          } catch (err) {
            if (!(err instanceof Refused && err.code.startsWith('Token(InsufficientAllowance'))) throw err;
          }
        },
        done,
      };
    });
  };

  const status = model.status.type;
  return (
    <article className="card model" data-testid={`model-${id}`}>
      <div className="card-head">
        <div>
          <h3>
            <span className="muted">#{String(id)}</span> <span data-testid="model-name">{model.name}</span>{' '}
            <span className="version">v{versionText(model.version)}</span>
          </h3>
          <div className="small muted">
            by <span className="mono" title={model.owner.address()}>{short(model.owner.address())}</span>
            {account && model.owner.eq(account.address) && <span className="pill pill-you">you</span>} ·{' '}
            <a href={model.metadataUri} target="_blank" rel="noreferrer" className="mono">
              {model.metadataUri}
            </a>
          </div>
        </div>
        <div className="card-head-right">
          <span className={`pill pill-${status.toLowerCase()}`} data-testid="model-status">
            {status}
          </span>
          <span className="rating" data-testid="model-rating" title="average rating">
            {info.data?.avg !== undefined && info.data.avg !== null ? `★ ${(info.data.avg / 100).toFixed(2)}` : '☆ no ratings'}
            {info.data && info.data.count > 0 && <span className="muted small"> ({info.data.count})</span>}
          </span>
        </div>
      </div>
      <div className="meta-row">
        {model.tags.map((t) => (
          <span className="tag" key={t}>
            {t}
          </span>
        ))}
        {model.parent !== undefined ? (
          <span className="lineage" data-testid="model-lineage">
            ↳ fine-tune of{' '}
            <button className="link" onClick={() => onShow(model.parent!)} data-testid="parent-link">
              #{String(model.parent)} {info.data?.parent?.name ?? ''}
            </button>{' '}
            · royalty {bps(model.royaltyBps)}
          </span>
        ) : (
          <span className="lineage muted">base model</span>
        )}
        <span className="small muted mono" title="weights hash">
          weights {model.weightsHash.slice(0, 10)}…
        </span>
      </div>
      {info.data && info.data.attestations.length > 0 && (
        <div className="attestations" data-testid="attestations">
          {info.data.attestations.map((a, i) => (
            <span key={a.auditor.raw} className={`attest ${info.data!.valid[i] ? 'ok' : 'bad'}`}>
              ✓ audited by <span className="mono">{short(a.auditor.address())}</span> ·{' '}
              {a.revoked ? 'revoked' : `expires ${relativeTime(a.expiresAt, info.data!.now)}`}
            </span>
          ))}
        </div>
      )}
      <table className="table offers">
        <thead>
          <tr>
            <th>Offer</th>
            <th>License</th>
            <th className="num">Price</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {info.data?.offers.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No offers yet.
              </td>
            </tr>
          )}
          {info.data?.offers.map((o) => (
            <tr key={o.offerId} data-testid={`offer-${id}-${o.offerId}`}>
              <td className="muted">#{o.offerId} · v{o.version}</td>
              <td>{kindText(o.kind)}</td>
              <td className="num strong" data-testid="offer-price">
                {amount(market, o.price, o.asset, native)}
              </td>
              <td>
                <span className={`pill pill-${o.status.toLowerCase()}`}>{o.status}</span>
              </td>
              <td className="right">
                <button className="primary small" disabled={!account || o.status !== 'Active' || status !== 'Active'} onClick={() => buy(o)} data-testid={`buy-${id}-${o.offerId}`}>
                  Buy
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
