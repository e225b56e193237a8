/**
 * Which source a search reads, and how far behind the chain the indexer is: the
 * indexer's `/status` when `?indexer=` is set, the chain's paged views otherwise.
 */
import { indexer, useApp } from './market.js';
import { useLoad } from './util.js';

export function SearchSource() {
  const api = indexer();
  const { version } = useApp();
  const status = useLoad(() => (api ? api.status() : Promise.resolve(undefined)), [version, api?.baseUrl]);
  if (!api) {
    return (
      <p className="muted small" data-testid="search-source" data-source="chain">
        Search source: the contracts' paged views (no indexer configured: open with ?indexer=&lt;url&gt;)
      </p>
    );
  }
  if (status.error) {
    return (
      <p className="muted small" data-testid="search-source" data-source="chain">
        Search source: the contracts' paged views — the indexer at {api.baseUrl} does not answer ({status.error})
      </p>
    );
  }
  const s = status.data;
  return (
    <p className="muted small" data-testid="search-source" data-source="indexer">
      Search source: the indexer at {api.baseUrl}
      {s ? ` · indexed to block #${s.indexedBlock}, ${s.lagBlocks === null ? 'the chain head unknown' : s.lagBlocks === 0 ? 'up to date' : `${s.lagBlocks} block${s.lagBlocks === 1 ? '' : 's'} behind`}` : ' · …'}
    </p>
  );
}
