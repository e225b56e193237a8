/**
 * Loads a deployment (deployments/<network>.json and its metadata, served as static
 * files) and opens the shared typed client on it. One client for every call.
 */
import { createContext, useContext } from 'react';
import { connect, IndexerClient, openMarket, type Deployment, type Market, type MetadataSet, type Signer } from '../../client/src/index.js';
import { CONTRACTS } from '../../client/src/contracts.js';

export interface Chain {
  market: Market;
  /** Native token of the chain. */
  native: { symbol: string; decimals: number };
  /** `system_chainType` says Development (or the chain name looks like a dev chain). */
  isDev: boolean;
  chainName: string;
  url: string;
}

export interface AppState extends Chain {
  account?: Signer;
  /** Bumped after every sent transaction, and by Reload: screens re-read the chain. */
  version: number;
  refresh: () => void;
}

export const AppContext = createContext<AppState | undefined>(undefined);

export function useApp(): AppState {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp outside the app');
  return ctx;
}

export function params(): { network: string; rpc?: string; indexer?: string } {
  const q = new URLSearchParams(window.location.search);
  return { network: q.get('network') || 'local', rpc: q.get('rpc') || undefined, indexer: q.get('indexer') || undefined };
}

let indexerClient: IndexerClient | undefined;
/**
 * The indexer's API when the page was opened with `?indexer=<url>` (docs/indexer.md):
 * the Models and GPUs searches ask it for ids and read each entity from the chain;
 * without it they page through the contracts' own views.
 */
export function indexer(): IndexerClient | undefined {
  const url = params().indexer;
  if (!url) return undefined;
  if (!indexerClient || indexerClient.baseUrl !== url) indexerClient = new IndexerClient(url);
  return indexerClient;
}

async function fetchJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function loadChain(): Promise<Chain> {
  const { network, rpc } = params();
  const deployment = await fetchJson<Deployment>(`/${network}.json`);
  if (!deployment.contracts) throw new Error(`/${network}.json is not a deployment written by scripts/deploy.ts`);
  const metadata = {} as MetadataSet;
  await Promise.all(
    CONTRACTS.map(async (name) => {
      metadata[name] = await fetchJson<MetadataSet[typeof name]>(`/${network}/${name}.json`);
    }),
  );
  const url = rpc ?? deployment.url;
  const client = await connect(url);
  const market = openMarket(client, deployment, metadata);
  let symbol = 'UNIT';
  let decimals = 12;
  try {
    const props = (await client.chainSpec.properties()) as { tokenSymbol?: string | string[]; tokenDecimals?: number | number[] };
    const s = Array.isArray(props.tokenSymbol) ? props.tokenSymbol[0] : props.tokenSymbol;
    const d = Array.isArray(props.tokenDecimals) ? props.tokenDecimals[0] : props.tokenDecimals;
    if (s) symbol = s;
    if (typeof d === 'number') decimals = d;
  } catch {
    // keep the dev defaults
  }
  let chainType = '';
  try {
    const t = (await client.rpc.system_chainType()) as unknown;
    chainType = typeof t === 'string' ? t : ((t as { type?: string }).type ?? JSON.stringify(t));
  } catch {
    // unknown
  }
  const chainName = deployment.chain || (await client.rpc.system_chain());
  const isDev = chainType === 'Development' || /dev/i.test(chainName);
  return { market, native: { symbol, decimals }, isDev, chainName, url };
}
