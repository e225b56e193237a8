import { useEffect, useState } from 'react';
import { formatUnits, type Market } from '../../client/src/index.js';
import { AccountId32 } from 'dedot/codecs';
import type { MarketTypesAssetLike as MarketTypesAsset, MarketTypesLicenseKind, ModelRegistryVersion } from '../../client/src/contracts/model-registry/types.js';

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
}

/** Runs `load` whenever `deps` change; keeps the previous data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load()
      .then((data) => live && setState({ data, loading: false }))
      .catch((err: unknown) => live && setState({ error: err instanceof Error ? err.message : String(err), loading: false }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

export const DAY_MS = 86_400_000n;

export function assetSymbol(m: Market, asset: MarketTypesAsset, nativeSymbol: string): string {
  if (asset.type === 'Native') return nativeSymbol;
  const a = new AccountId32(asset.value);
  return a.eq(m.token.address) ? m.deployment.params.tokenSymbol : `PSP22 ${a.address().slice(0, 6)}…`;
}

export function amount(m: Market, value: bigint, asset: MarketTypesAsset, native: { symbol: string; decimals: number }): string {
  const decimals = asset.type === 'Native' ? native.decimals : m.deployment.params.tokenDecimals;
  return `${formatUnits(value, decimals)} ${assetSymbol(m, asset, native.symbol)}`;
}

export function kindText(kind: MarketTypesLicenseKind): string {
  switch (kind.type) {
    case 'Perpetual':
      return 'Perpetual';
    case 'TimeBound': {
      const days = Number(kind.value) / 86_400_000;
      return `Time-bound · ${days >= 1 ? `${Number.isInteger(days) ? days : days.toFixed(1)} d` : `${Math.round(Number(kind.value) / 3_600_000)} h`}`;
    }
    case 'Metered':
      return `Metered · ${kind.value.toLocaleString('en-US')} units`;
  }
}

export function versionText(v: ModelRegistryVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function parseVersion(text: string): ModelRegistryVersion {
  const m = /^\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(text);
  if (!m) throw new Error('Version must look like 1.0.0');
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function randomHash(): `0x${string}` {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return `0x${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}
