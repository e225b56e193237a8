/**
 * Which source a screen or panel reads, and how far behind the chain the indexer is:
 * the indexer's `/status` when `?indexer=` is set, the chain's views otherwise.
 */
import { indexer, useApp } from './market.js';
import { useLoad } from './util.js';

/**
 * The source line of a search or a panel. `chain` names what it reads without the
 * indexer; `failed` is set when the panel asked the indexer and got no answer, so it
 * fell back to the chain (the line then says so even if `/status` still answers).
 */
export function Source({ label, testid, chain, failed }: { label: string; testid: string; chain: string; failed?: string }) {
  const api = indexer();
  const { version } = useApp();
  const status = useLoad(() => (api ? api.status() : Promise.resolve(undefined)), [version, api?.baseUrl]);
  if (!api) {
    return (
      <p className="muted small" data-testid={testid} data-source="chain">
        {label}: {chain} (no indexer configured: open with ?indexer=&lt;url&gt;)
      </p>
    );
  }
  const error = failed ?? status.error;
  if (error) {
    return (
      <p className="muted small" data-testid={testid} data-source="chain">
        {label}: {chain} — the indexer at {api.baseUrl} does not answer ({error})
      </p>
    );
  }
  const s = status.data;
  return (
    <p className="muted small" data-testid={testid} data-source="indexer">
      {label}: the indexer at {api.baseUrl}
      {s ? ` · indexed to block #${s.indexedBlock}, ${lagText(s.lagBlocks)}` : ' · …'}
    </p>
  );
}

function lagText(lag: number | null): string {
  if (lag === null) return 'the chain head unknown';
  if (lag === 0) return 'up to date';
  return `${lag} block${lag === 1 ? '' : 's'} behind`;
}

/** The Models and GPUs searches' source line. */
export function SearchSource() {
  return <Source label="Search source" testid="search-source" chain="the contracts' paged views" />;
}
