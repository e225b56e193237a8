/**
 * Deploys and wires the marketplace's contracts on a node, and writes
 * `deployments/<network>.json` (addresses, code hashes, blocks, parameters) plus the
 * metadata the dApp reads (`deployments/<network>/<contract>.json`).
 *
 *   npx tsx scripts/deploy.ts [--url ws://127.0.0.1:9944] [--network local]
 *                             [--treasury <address>] [--hour-ms <ms>] [--fresh] [--build]
 *
 * Signer: DEPLOY_SURI (a secret URI or mnemonic) or DEPLOY_SURI_FILE (a file holding
 * one); without either, //Alice, which only a development chain accepts.
 *
 * Idempotent: a contract listed in the deployment file is reused when the chain still
 * holds it with the code hash of the current build; only missing or changed contracts
 * are instantiated, and each wiring step runs only if the chain does not show it done.
 * Dependency order: market_token, escrow (the vault), model_registry, compute_market
 * (which names the vault and the registry's auditor list).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ContractDeployer } from 'dedot/contracts';
import {
  connect,
  CONTRACTS,
  dryRun,
  formatUnits,
  freeBalance,
  openMarket,
  send,
  signerFromUri,
  type Client,
  type ContractName,
  type DeployedContract,
  type Deployment,
  type Market,
  type Signer,
} from '../client/src/index.js';
import { loadBundle, loadMetadata, readDeployment, ROOT, writeDeployment, type Bundle } from '../client/src/node.js';
import { readFileSync } from 'node:fs';

export interface DeployOptions {
  url: string;
  network: string;
  treasury?: string;
  /** Length of a rental "hour" for a new deployment (default 3 600 000 ms). */
  hourMs?: number;
  /** Ignore an existing deployment file and instantiate everything anew. */
  fresh?: boolean;
  /** Run `scripts/build.sh` first. */
  build?: boolean;
  log?: (line: string) => void;
}

export interface Deployed {
  market: Market;
  deployer: Signer;
  /** Contracts reused from an earlier run. */
  reused: ContractName[];
}

const DAY_MS = 86_400_000n;

export class DeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployError';
  }
}

async function deployerSigner(): Promise<Signer> {
  if (process.env.DEPLOY_SURI) return signerFromUri(process.env.DEPLOY_SURI, 'deployer');
  if (process.env.DEPLOY_SURI_FILE) {
    return signerFromUri(readFileSync(process.env.DEPLOY_SURI_FILE, 'utf8').trim(), 'deployer');
  }
  return signerFromUri('//Alice', 'Alice');
}

function short(hash: string): string {
  return `${hash.slice(0, 10)}…`;
}

async function codeHashAt(client: Client, address: string): Promise<string | undefined> {
  const info = await client.query.contracts.contractInfoOf(address);
  return info?.codeHash;
}

/** Instantiates one contract (uploading its code if the chain lacks it). */
async function instantiate(
  client: Client,
  signer: Signer,
  bundle: Bundle,
  args: unknown[],
  log: (l: string) => void,
): Promise<DeployedContract> {
  const name = (bundle as unknown as { contract: { name: string } }).contract.name;
  const codeHash = bundle.source.hash as `0x${string}`;
  const onChain = await client.query.contracts.codeInfoOf(codeHash);
  const deployer = new ContractDeployer(client, bundle, onChain !== undefined ? codeHash : bundle.source.wasm);
  const salt = `0x${randomBytes(32).toString('hex')}`;
  const ctorQuery = deployer.query.new as unknown as (...a: unknown[]) => Promise<{
    raw: { gasRequired: { refTime: bigint; proofSize: bigint }; storageDeposit: { type: string; value: bigint } };
    flags: { revert: boolean };
    data: unknown;
  }>;
  const dry = await ctorQuery(...args, { caller: signer.address, salt });
  if (dry.flags.revert) {
    throw new DeployError(`${name}: the constructor refuses these arguments: ${JSON.stringify(dry.data)}`);
  }
  const free = await freeBalance(client, signer.address);
  const deposit = dry.raw.storageDeposit.type === 'Charge' ? dry.raw.storageDeposit.value : 0n;
  if (free <= deposit) {
    throw new DeployError(
      `signer ${signer.address} has ${free} (smallest unit) but instantiating ${name} needs a storage deposit of ${deposit}: fund it first`,
    );
  }
  const ctorTx = deployer.tx.new as unknown as (...a: unknown[]) => {
    signAndSend(a: unknown): { untilBestChainBlockIncluded(): Promise<{
      dispatchError?: unknown;
      status: { type: string; value?: { blockNumber: number } };
      contractAddress(): Promise<string>;
    }> };
  };
  const result = await ctorTx(...args, {
    gasLimit: dry.raw.gasRequired,
    storageDepositLimit: deposit,
    salt,
  })
    .signAndSend(signer.pair ?? signer.address)
    .untilBestChainBlockIncluded();
  if (result.dispatchError) {
    const e = result.dispatchError as { type: string };
    const meta = e.type === 'Module' ? client.registry.findErrorMeta(e as never) : undefined;
    throw new DeployError(`${name}: instantiation failed: ${meta ? `${meta.pallet}.${meta.name}` : JSON.stringify(e)}`);
  }
  const address = await result.contractAddress();
  const block = result.status.value?.blockNumber ?? -1;
  log(`${name.padEnd(15)} instantiated at ${address} in block #${block} (code ${short(codeHash)}${onChain ? ', code already on chain' : ''})`);
  return { address, codeHash, block };
}

export async function deploy(opts: DeployOptions): Promise<Deployed> {
  const log = opts.log ?? ((l: string) => console.log(`deploy: ${l}`));
  if (opts.build) {
    log('building the contracts (scripts/build.sh)');
    const b = spawnSync('bash', ['scripts/build.sh'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new DeployError('the contracts did not build (see above)');
  }
  const bundles = Object.fromEntries(CONTRACTS.map((n) => [n, loadBundle(n)])) as Record<ContractName, Bundle>;
  const metadata = loadMetadata();

  const client = await connect(opts.url);
  const chain = await client.rpc.system_chain();
  const genesisHash = client.genesisHash;
  const props = await client.chainSpec.properties();
  const nativeDecimals = Number(Array.isArray(props.tokenDecimals) ? props.tokenDecimals[0] : (props.tokenDecimals ?? 12));
  const nativeSymbol = String(Array.isArray(props.tokenSymbol) ? props.tokenSymbol[0] : (props.tokenSymbol ?? 'UNIT'));
  const unit = 10n ** BigInt(nativeDecimals);
  log(`connected to ${chain} at ${opts.url} (genesis ${short(genesisHash)})`);

  const signer = await deployerSigner();
  if (!process.env.DEPLOY_SURI && !process.env.DEPLOY_SURI_FILE && !/development|local|dev/i.test(chain)) {
    throw new DeployError(`${chain} is not a development chain: set DEPLOY_SURI or DEPLOY_SURI_FILE to the deployer's secret`);
  }
  const free = await freeBalance(client, signer.address);
  if (free === 0n) throw new DeployError(`signer ${signer.address} has no funds on ${chain}`);
  log(`deployer ${signer.name} ${signer.address}, free ${formatUnits(free, nativeDecimals)} ${nativeSymbol}`);

  const previous = opts.fresh ? undefined : readDeployment(opts.network);
  if (previous && previous.genesisHash !== genesisHash) {
    throw new DeployError(
      `deployments/${opts.network}.json was written for chain ${previous.chain} (genesis ${short(previous.genesisHash)}), ` +
        `but ${opts.url} is ${chain} (genesis ${short(genesisHash)}): wrong node, or pass --fresh`,
    );
  }

  const treasury = opts.treasury ?? signer.address;
  const params: Deployment['params'] = previous?.params ?? {
    treasury,
    arbiter: signer.address,
    feeBps: 250,
    bondBps: 500,
    rulingWindowMs: Number(DAY_MS),
    maxRoyaltyBps: 2_000,
    tokenSymbol: 'MMT',
    tokenDecimals: 12,
    hourMs: opts.hourMs ?? 3_600_000,
    collateralRatioBps: 10_000,
    noShowBps: 1_000,
    maxStartWindowMs: Number(DAY_MS),
  };
  const contracts = {} as Record<ContractName, DeployedContract>;
  // Arguments are built when their turn comes: later contracts name earlier ones.
  const ctorArgs = (name: ContractName): unknown[] => {
    switch (name) {
      case 'market_token':
        return [1_000_000n * 10n ** BigInt(params.tokenDecimals), 'Model Market Token', params.tokenSymbol, params.tokenDecimals];
      case 'escrow':
        return [params.arbiter, params.treasury, params.feeBps, params.bondBps, BigInt(params.rulingWindowMs), unit / 1000n];
      case 'model_registry':
        return [params.maxRoyaltyBps];
      case 'compute_market':
        return [
          contracts.escrow.address,
          contracts.model_registry.address,
          BigInt(params.hourMs),
          params.collateralRatioBps,
          params.noShowBps,
          BigInt(params.maxStartWindowMs),
        ];
    }
  };

  const reused: ContractName[] = [];
  for (const name of CONTRACTS) {
    const old = previous?.contracts[name];
    if (old && (await codeHashAt(client, old.address)) === bundles[name].source.hash) {
      contracts[name] = old;
      reused.push(name);
      log(`${name.padEnd(15)} reused at ${old.address} (same code ${short(old.codeHash)})`);
      continue;
    }
    contracts[name] = await instantiate(client, signer, bundles[name], ctorArgs(name), log);
  }

  const deployment: Deployment = {
    network: opts.network,
    url: opts.url,
    genesisHash,
    chain,
    deployer: signer.address,
    deployedAt: previous && reused.length === CONTRACTS.length ? previous.deployedAt : new Date().toISOString(),
    contracts,
    params,
  };
  const market = openMarket(client, deployment, metadata);
  await wire(market, signer, log);
  const path = writeDeployment(deployment, metadata);
  log(`wrote ${path.replace(`${ROOT}/`, '')} and the metadata the dApp reads (deployments/${opts.network}/)`);
  return { market, deployer: signer, reused };
}

/** Each step runs only when the chain does not already show it done. */
async function wire(m: Market, signer: Signer, log: (l: string) => void): Promise<void> {
  const { token, registry, vault, compute } = m;
  const tokenAsset = { type: 'Psp22' as const, value: token.address };
  const steps: [string, () => Promise<boolean>, () => Promise<unknown>][] = [
    [
      'vault lists the registry as a controller',
      async () => (await dryRun(vault, signer.address, 'isController', [registry.address])).value,
      () => send(vault, signer, 'setController', [registry.address, true]),
    ],
    [
      'vault accepts the market token',
      async () => (await dryRun(vault, signer.address, 'isAssetAllowed', [tokenAsset])).value,
      () => send(vault, signer, 'setAssetAllowed', [token.address, true]),
    ],
    [
      'registry pays into the vault',
      async () => (await dryRun(registry, signer.address, 'vault', [])).value?.address() === vault.address,
      () => send(registry, signer, 'setVault', [vault.address]),
    ],
    [
      'registry accepts the market token',
      async () => (await dryRun(registry, signer.address, 'isAssetAllowed', [tokenAsset])).value,
      () => send(registry, signer, 'setAssetAllowed', [token.address, true]),
    ],
    [
      'vault lists the compute market as a controller',
      async () => (await dryRun(vault, signer.address, 'isController', [compute.address])).value,
      () => send(vault, signer, 'setController', [compute.address, true]),
    ],
    [
      'compute market pays into the vault',
      async () => (await dryRun(compute, signer.address, 'config', [])).value.vault.address() === vault.address,
      () => send(compute, signer, 'setVault', [vault.address]),
    ],
    [
      "compute market reads the registry's auditors",
      async () => (await dryRun(compute, signer.address, 'config', [])).value.auditors.address() === registry.address,
      () => send(compute, signer, 'setAuditors', [registry.address]),
    ],
    [
      'compute market accepts the market token',
      async () => (await dryRun(compute, signer.address, 'isAssetAllowed', [tokenAsset])).value,
      () => send(compute, signer, 'setAssetAllowed', [token.address, true]),
    ],
  ];
  for (const [what, done, run] of steps) {
    if (await done()) {
      log(`wiring: ${what} (already)`);
    } else {
      await run();
      if (!(await done())) throw new DeployError(`wiring did not take: ${what}`);
      log(`wiring: ${what}`);
    }
  }
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  deploy({
    url: arg('url', process.env.NODE_URL ?? 'ws://127.0.0.1:9944')!,
    network: arg('network', 'local')!,
    treasury: arg('treasury'),
    hourMs: arg('hour-ms') ? Number(arg('hour-ms')) : undefined,
    fresh: process.argv.includes('--fresh'),
    build: process.argv.includes('--build'),
  })
    .then(async ({ market, reused }) => {
      console.log(`deploy: OK in ${((Date.now() - started) / 1000).toFixed(1)} s (${reused.length} of ${CONTRACTS.length} reused)`);
      await market.client.disconnect();
    })
    .catch((err: unknown) => {
      console.error(`deploy: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
