import { useEffect, useState } from 'react';
import { dryRun, duration, formatUnits, IndexerUnreachable, parseUnits, short, type Market } from '../../../client/src/index.js';
import type { ComputeMarketOfferView } from '../../../client/src/contracts/compute-market/types.js';
import { Attestation, money, priceText, Reputation, useNow } from '../compute.js';
import { indexer, useApp } from '../market.js';
import { SearchSource } from '../source.js';

const PAGE = 6;

type Mode = 'latest' | 'region' | 'gpu';

interface Query {
  mode: Mode;
  text: string;
  maxPrice?: bigint;
  minVram?: number;
}

interface Page {
  items: ComputeMarketOfferView[];
  next?: bigint;
}

/**
 * One page of offers. By region or GPU model the contract scans a bounded slice of its
 * index per call (a page may be empty and still have a `next`); "latest" walks offer
 * ids downwards, skipping offers that take no rentals.
 */
/**
 * A region or GPU-model search through the indexer, cheapest first (`cursor` is the
 * offset): its ids, each offer read from the chain. Undefined when no indexer is
 * configured or it does not answer.
 */
async function fromIndexer(m: Market, caller: string, q: Query, cursor: bigint | undefined): Promise<Page | undefined> {
  const api = indexer();
  const t = q.text.trim();
  if (!api || q.mode === 'latest' || !t) return undefined;
  let found;
  try {
    found = await api.gpuOffers({ ...(q.mode === 'region' ? { region: t } : { gpuModel: t }), maxPrice: q.maxPrice, minVram: q.minVram, limit: PAGE, offset: Number(cursor ?? 0n) });
  } catch (err) {
    if (err instanceof IndexerUnreachable) return undefined;
    throw err;
  }
  const items: ComputeMarketOfferView[] = [];
  for (const row of found.items) {
    const v = (await dryRun(m.compute, caller, 'offer', [BigInt(row.id)])).value;
    if (v) items.push(v);
  }
  const end = found.offset + found.items.length;
  return { items, next: end < found.total ? BigInt(end) : undefined };
}

async function loadPage(m: Market, caller: string, q: Query, cursor: bigint | undefined): Promise<Page> {
  const t = q.text.trim();
  const viaIndexer = await fromIndexer(m, caller, q, cursor);
  if (viaIndexer) return viaIndexer;
  if (q.mode === 'region' && t) return (await dryRun(m.compute, caller, 'offersByRegion', [t, cursor ?? 0n, PAGE, q.maxPrice, q.minVram])).value;
  if (q.mode === 'gpu' && t) return (await dryRun(m.compute, caller, 'offersByGpu', [t, cursor ?? 0n, PAGE, q.maxPrice, q.minVram])).value;
  let id = cursor ?? (await dryRun(m.compute, caller, 'offerCount', [])).value;
  const items: ComputeMarketOfferView[] = [];
  let scanned = 0;
  while (id > 0n && items.length < PAGE && scanned < 30) {
    const v = (await dryRun(m.compute, caller, 'offer', [id])).value;
    scanned += 1;
    id -= 1n;
    if (!v || v.offer.status !== 'Active') continue;
    if (q.maxPrice !== undefined && v.offer.pricePerGpuHour > q.maxPrice) continue;
    if (q.minVram !== undefined && v.offer.vramGb < q.minVram) continue;
    items.push(v);
  }
  return { items, next: id > 0n ? id : undefined };
}

export function GpusScreen({ onRent }: { onRent: (offerId: bigint) => void }) {
  const { market, account, version, native } = useApp();
  const caller = account?.address ?? market.deployment.deployer;
  const [mode, setMode] = useState<Mode>('region');
  const [text, setText] = useState('');
  const [maxPrice, setMaxPrice] = useState('');
  const [minVram, setMinVram] = useState('');
  const [problem, setProblem] = useState<string>();
  const [query, setQuery] = useState<Query>({ mode: 'latest', text: '' });
  const [items, setItems] = useState<ComputeMarketOfferView[]>([]);
  const [next, setNext] = useState<bigint | undefined>();
  const [pages, setPages] = useState(0);
  const [lastEmpty, setLastEmpty] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const now = useNow(5_000);

  const fetchPage = async (q: Query, cursor: bigint | undefined, append: boolean) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await loadPage(market, caller, q, cursor);
      setItems((old) => (append ? [...old, ...page.items.filter((v) => !old.some((o) => o.offerId === v.offerId))] : page.items));
      setNext(page.next);
      setPages((p) => (append ? p + 1 : 1));
      setLastEmpty(page.items.length === 0);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void fetchPage(query, undefined, false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, version]);

  const search = () => {
    setProblem(undefined);
    try {
      const q: Query = { mode: text.trim() ? mode : 'latest', text };
      if (maxPrice.trim()) q.maxPrice = parseUnits(maxPrice, native.decimals);
      if (minVram.trim()) {
        q.minVram = Number(minVram);
        if (!Number.isInteger(q.minVram) || q.minVram < 0) throw new Error('Minimum VRAM is a whole number of GB.');
      }
      setQuery(q);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };

  const scope = query.mode === 'latest' ? 'latest offers' : `${query.mode === 'region' ? 'region' : 'GPU model'} “${query.text.trim()}”`;
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>GPUs</h2>
          <p className="muted">
            Rent GPU time from providers who lock collateral for it. Pay goes into a vault stream and reaches the provider only as the hours run.
          </p>
          <SearchSource />
        </div>
      </div>
      <form
        className="card filters"
        onSubmit={(e) => {
          e.preventDefault();
          search();
        }}
      >
        <label>
          Search by
          <select value={mode} onChange={(e) => setMode(e.target.value as Mode)} data-testid="gpu-search-mode">
            <option value="region">Region</option>
            <option value="gpu">GPU model</option>
          </select>
        </label>
        <label className="grow">
          {mode === 'region' ? 'Region' : 'GPU model'}
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={mode === 'region' ? 'eu-west (empty: latest offers)' : 'A100-80GB (empty: latest offers)'} data-testid="gpu-search-input" />
        </label>
        <label>
          Max price / GPU-hour
          <input value={maxPrice} onChange={(e) => setMaxPrice(e.target.value)} placeholder="any" data-testid="gpu-max-price" />
        </label>
        <label>
          Min VRAM (GB)
          <input value={minVram} onChange={(e) => setMinVram(e.target.value.replace(/[^0-9]/g, ''))} placeholder="any" data-testid="gpu-min-vram" />
        </label>
        <button className="primary" type="submit" data-testid="gpu-search-go">
          Search
        </button>
      </form>
      {problem && <div className="error-box">{problem}</div>}
      {error && <div className="error-box">{error}</div>}
      <p className="muted small" data-testid="gpu-scope">
        {scope}
        {query.maxPrice !== undefined ? ` · ≤ ${formatUnits(query.maxPrice, native.decimals)} per GPU-hour` : ''}
        {query.minVram !== undefined ? ` · ≥ ${query.minVram} GB` : ''} · {items.length} shown{loading ? ' · loading…' : ''}
      </p>
      {!loading && items.length === 0 && next === undefined && <div className="empty" data-testid="gpu-empty">No rentable offers match.</div>}
      <div className="gpu-grid" data-testid="gpu-list">
        {items.map((v) => (
          <OfferCard key={String(v.offerId)} v={v} now={now} onRent={onRent} />
        ))}
      </div>
      <div className="pager">
        <span className="muted small" data-testid="gpu-scan-note">
          {next !== undefined && lastEmpty && pages > 0
            ? 'This slice of the index had no match, but the scan is not finished: keep scanning to look further.'
            : next !== undefined
              ? 'More offers may match further on.'
              : items.length > 0
                ? 'End of the list.'
                : ''}
        </span>
        <button className="secondary" disabled={next === undefined || loading} onClick={() => void fetchPage(query, next, true)} data-testid="gpu-load-more">
          {lastEmpty && next !== undefined ? 'Keep scanning' : 'Load more'}
        </button>
      </div>
    </section>
  );
}

function OfferCard({ v, now, onRent }: { v: ComputeMarketOfferView; now: bigint; onRent: (id: bigint) => void }) {
  const { market, account, native } = useApp();
  const o = v.offer;
  const mine = account && o.provider.eq(account.address);
  const hourMs = market.deployment.params.hourMs;
  return (
    <article className="card gpu" data-testid={`gpu-offer-${v.offerId}`}>
      <div className="card-head">
        <div>
          <h3>
            <span className="muted">#{String(v.offerId)}</span> <span data-testid="gpu-model">{o.gpuModel}</span> <span className="version">{o.vramGb} GB</span>
          </h3>
          <div className="small muted">
            <span className="tag" data-testid="gpu-region">
              {o.region}
            </span>{' '}
            by <span className="mono">{short(o.provider.address())}</span>
            {mine && <span className="pill pill-you">you</span>}
          </div>
        </div>
        <div className="card-head-right">
          <div className="price" data-testid="gpu-price">
            {priceText(market, v, native)}
            <span className="muted small"> / GPU-hour</span>
          </div>
          <span className={`pill pill-${o.status.toLowerCase()}`}>{o.status}</span>
        </div>
      </div>
      <dl className="kv compact">
        <div>
          <dt>Free GPUs</dt>
          <dd data-testid="gpu-free">
            {v.freeGpus} / {o.capacity} free
          </dd>
        </div>
        <div>
          <dt>Hours per rental</dt>
          <dd data-testid="gpu-hours">
            {o.minHours}–{o.maxHours} h{hourMs !== 3_600_000 ? <span className="muted small"> (1 h = {hourMs / 1000} s here)</span> : null}
          </dd>
        </div>
        <div>
          <dt>Starts within</dt>
          <dd>{duration(Number(o.startWindowMs))} of booking</dd>
        </div>
        <div>
          <dt>Collateral locked</dt>
          <dd>{money(market, o.collateral, o.asset, native)}</dd>
        </div>
      </dl>
      <Reputation rep={v.reputation} volume={v.volume} asset={o.asset} />
      <div className="gpu-foot">
        <Attestation att={v.attestation} now={now} />
        <button className="primary small" disabled={!account || mine || v.freeGpus === 0} onClick={() => onRent(v.offerId)} data-testid={`gpu-rent-${v.offerId}`}>
          {mine ? 'your offer' : v.freeGpus === 0 ? 'fully booked' : 'Rent…'}
        </button>
      </div>
    </article>
  );
}
