/**
 * Node.js-only helpers for the scripts: contract bundles from `target/ink`, deployment
 * files under `deployments/`. The dApp fetches the same files over HTTP instead.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LooseContractMetadata } from 'dedot/contracts';
import { CONTRACTS, type ContractName, type Deployment, type MetadataSet } from './contracts.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A `.contract` bundle: metadata plus `source.wasm` and `source.hash`. */
export interface Bundle extends LooseContractMetadata {
  source: { hash: string; wasm: string; language: string; compiler: string };
}

/**
 * `target/ink/<name>/<name>.contract`, or the same under `$INK_BUNDLES` (bundles built
 * elsewhere, e.g. a CI artifact).
 */
export function bundlePath(name: ContractName): string {
  return join(process.env.INK_BUNDLES ?? join(ROOT, 'target/ink'), name, `${name}.contract`);
}

export function loadBundle(name: ContractName): Bundle {
  const path = bundlePath(name);
  if (!existsSync(path)) throw new Error(`${path} is missing: build the contracts first (make build)`);
  return JSON.parse(readFileSync(path, 'utf8')) as Bundle;
}

/** Metadata without the Wasm (what the dApp and the handles need). */
export function loadMetadata(): MetadataSet {
  const out = {} as MetadataSet;
  for (const name of CONTRACTS) {
    const bundle = loadBundle(name);
    const { source, ...rest } = bundle;
    out[name] = { ...rest, source: { hash: source.hash, language: source.language, compiler: source.compiler } };
  }
  return out;
}

export function deploymentPath(network: string): string {
  return join(ROOT, 'deployments', `${network}.json`);
}

export function readDeployment(network: string): Deployment | undefined {
  const path = deploymentPath(network);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Deployment) : undefined;
}

/** Writes `deployments/<network>.json` and `deployments/<network>/<contract>.json` (metadata). */
export function writeDeployment(deployment: Deployment, metadata: MetadataSet): string {
  const path = deploymentPath(deployment.network);
  mkdirSync(join(ROOT, 'deployments', deployment.network), { recursive: true });
  writeFileSync(path, `${JSON.stringify(deployment, null, 2)}\n`);
  for (const name of CONTRACTS) {
    writeFileSync(join(ROOT, 'deployments', deployment.network, `${name}.json`), JSON.stringify(metadata[name]));
  }
  return path;
}
