/**
 * Deploys and wires the marketplace's contracts on a node, and writes
 * `deployments/<network>.json` (addresses, code hashes, blocks, parameters) plus the
 * metadata the dApp reads (`deployments/<network>/<contract>.json`).
 *
 *   npx tsx scripts/deploy.ts [--url ws://127.0.0.1:9944] [--network local]
 *                             [--treasury <address>] [--hour-ms <ms>] [--fresh] [--build]
 *                             [--keep-admin] [--guardian <address>]
 *                             [--dao-periods short|long] [--dao-param name=value …]
 *                             [--ruling-window-ms <ms>] [--wait best|finalized]
 *
 * The dispute DAO is deployed last, naming the four others. Its parameters default to
 * `short` periods on a development chain (cases of seconds: commit 4 s, reveal 4 s,
 * appeal 3 s, 2 rounds; voting 6 s, timelock 4 s) and `long` ones elsewhere (days; see
 * `daoDefaults`). `short` periods are sized from the chain's block time, read from its
 * runtime (`blockTimeMs`): on a chain with blocks of B ≥ 1 s each period is multiplied by
 * 4 × ⌈B / 1 s⌉, so the shortest phase (appeal) spans 12 blocks (a 6 s parachain: commit
 * 96 s, reveal 96 s, appeal 72 s), and a rental "hour" defaults to 30 blocks (a
 * transaction that waits for finality takes about 5).
 * Everything else defaults to a real hour; `--dao-param commitMs=5000` overrides one (any field of `DaoParams`'
 * jury or gov — `jury.quorumBps` / `gov.quorumBps` for the name both have — or
 * `unbondingMs`). They are recorded in the deployment file, and a later run reuses them.
 * Opening a case costs `caseFee` in MMT (`short`: 6 MMT, `long`: 60 MMT; the opener
 * approves the DAO for it first); a round's quorum is capped at `quorumCap` (`short`:
 * 100 MMT, `long`: 50,000 MMT) and needs `minJurors` reveals (2, 3).
 * The vault's ruling window (1 day on a development chain, the longest case plus 7
 * days elsewhere) must exceed the DAO's longest case plus a commit phase (the contract's
 * room to execute the ruling). Once everything is wired, the vault's arbiter and the registry's and
 * market's admin roles move to the DAO (the deployer proposes, the DAO accepts): from
 * then on only DAO proposals change parameters. `--keep-admin` leaves them with the
 * deployer (the demo hands them over itself after its admin steps, with `handOver`).
 *
 * Signer: DEPLOY_SURI (a secret URI or mnemonic) or DEPLOY_SURI_FILE (a file holding
 * one); without either, //Alice, which only a development chain accepts.
 *
 * Idempotent: a contract listed in the deployment file is reused when the chain still
 * holds it with the code hash of the current build; only missing or changed contracts
 * are instantiated, and each wiring step runs only if the chain does not show it done.
 * Dependency order: market_token, escrow (the vault), model_registry, compute_market
 * (which names the vault and the registry's auditor list), dispute_dao (which names all
 * four: it is redeployed whenever one of them is). Wiring that needs the admin runs
 * while the deployer still holds the roles; after the hand-over a changed contract
 * needs a DAO proposal, or `--fresh` on a development chain.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Contract, ContractDeployer } from 'dedot/contracts';
import {
  connect,
  blockTimeMs,
  CONTRACTS,
  dryRun,
  formatUnits,
  freeBalance,
  maxCaseMs,
  openMarket,
  Refused,
  send,
  signerFromUri,
  finalizeSent,
  setDefaultInclusion,
  submit,
  toGovParams,
  TxDropped,
  toJuryParams,
  type Client,
  type ContractName,
  type DaoParams,
  type DeployedContract,
  type DisputeDaoContractApi,
  type Deployment,
  type Market,
  type Signer,
  type Inclusion,
  type Submittable,
} from '../client/src/index.js';
import { loadBundle, loadMetadata, readDeployment, ROOT, writeDeployment, type Bundle } from '../client/src/node.js';
import { readFileSync } from 'node:fs';

export interface DeployOptions {
  url: string;
  network: string;
  treasury?: string;
  /**
   * Length of a rental "hour" for a new deployment (default 3 600 000 ms; with `short`
   * periods on a chain with blocks of 1 s or more, 30 blocks).
   */
  hourMs?: number;
  /** Ignore an existing deployment file and instantiate everything anew. */
  fresh?: boolean;
  /** Run `scripts/build.sh` first. */
  build?: boolean;
  /** Leave the vault's arbiter and the registry's and market's admin with the deployer. */
  keepAdmin?: boolean;
  /** The DAO's guardian (may pause and cancel proposals; nothing else). */
  guardian?: string;
  /** `short` (seconds, the default on a development chain) or `long` (days). */
  daoPeriods?: 'short' | 'long';
  /** Overrides of single DAO parameters, e.g. `{ commitMs: 5000 }`. */
  daoParams?: Record<string, string | number>;
  /** The vault's ruling window (must exceed the DAO's longest case). */
  rulingWindowMs?: number;
  /**
   * What each step waits for: `best` (a best-chain block includes it; the default) or
   * `finalized`. Either way the deployment is written only once the chain has finalized
   * a block holding every step.
   */
  wait?: Inclusion;
  log?: (line: string) => void;
}

export interface Deployed {
  market: Market;
  deployer: Signer;
  /** Contracts reused from an earlier run. */
  reused: ContractName[];
}

const DAY_MS = 86_400_000n;
const MMT = 10n ** 12n;

/**
 * The DAO's defaults. `short`: a development chain, where a case takes seconds (longest
 * case 27 s: round 0 4 + 4 + 3 s, round 1 8 + 8 s). `long`: a real network (longest
 * case 21 days: round 0 2 + 1 + 1 d, round 1 4 + 2 + 2 d, round 2 6 + 3 d).
 *
 * Quorum: a round needs `(r + 1) × min(20 % of the snapshotted stake, quorumCap)` of
 * revealed weight from at least `minJurors` reveals, so stake that never votes cannot
 * block a hearing. `short`: a cap of 100 MMT (the demo's 600 MMT jury needs 100, not
 * 120) and 2 jurors (every hearing of the demo and the browser tests has 3). `long`: a
 * cap of 50,000 MMT and 3 jurors. Opening a case costs `caseFee` (into the reward
 * reserve, at least the reward the case draws from it, so a self-dealt case never
 * pays): the reward plus 1 MMT (`short`), 60 MMT for a 50 MMT reward (`long`).
 */
function daoDefaults(periods: 'short' | 'long', guardian: string | null, blockMs = 0): DaoParams {
  const day = Number(DAY_MS);
  const short = periods === 'short';
  const k = shortScale(blockMs);
  const jury: DaoParams['jury'] = short
    ? {
        commitMs: 4_000 * k,
        revealMs: 4_000 * k,
        appealMs: 3_000 * k,
        quorumBps: 2_000,
        quorumCap: `${100n * MMT}`,
        minJurors: 2,
        rounds: 2,
        penaltyBps: 1_000,
        slashBps: 5_000,
        appealBond: `${10n * MMT}`,
        jurorReward: `${5n * MMT}`,
        caseFee: `${6n * MMT}`,
      }
    : {
        commitMs: 2 * day,
        revealMs: day,
        appealMs: day,
        quorumBps: 2_000,
        quorumCap: `${50_000n * MMT}`,
        minJurors: 3,
        rounds: 3,
        penaltyBps: 1_000,
        slashBps: 5_000,
        appealBond: `${100n * MMT}`,
        jurorReward: `${50n * MMT}`,
        caseFee: `${60n * MMT}`,
      };
  const gov: DaoParams['gov'] = short
    ? { votingDelayMs: 0, votingPeriodMs: 6_000 * k, quorumBps: 2_000, timelockMs: 4_000 * k, graceMs: 120_000 * k, extensionMs: 2_000 * k, proposalThreshold: `${MMT}` }
    : { votingDelayMs: day, votingPeriodMs: 5 * day, quorumBps: 1_000, timelockMs: 2 * day, graceMs: 14 * day, extensionMs: day, proposalThreshold: `${1_000n * MMT}` };
  const longestCaseMs = Number(maxCaseMs(jury));
  return { jury, gov, unbondingMs: short ? 60_000 * k : 30 * day, guardian, longestCaseMs };
}

/**
 * How much longer `short` periods are on a chain with blocks of `blockMs`: 1 under a
 * second (the instant-seal dev node), else 4 × ⌈blockMs / 1 s⌉, so a 3 s phase spans 12
 * blocks: longer than a transaction takes to be final on the local parachain (about 5
 * blocks), so a juror can still act in a phase after the case's opening is final.
 */
export function shortScale(blockMs: number): number {
  return blockMs >= 1_000 ? 4 * Math.ceil(blockMs / 1_000) : 1;
}

/**
 * Applies `name=value` overrides to the DAO's parameters: a field of the jury or of
 * governance (`commitMs`, `votingPeriodMs`, …; `jury.quorumBps` / `gov.quorumBps`, the
 * one name both have), or `unbondingMs`.
 */
function withOverrides(dao: DaoParams, overrides: Record<string, string | number>): DaoParams {
  const out: DaoParams = { ...dao, jury: { ...dao.jury }, gov: { ...dao.gov } };
  const jury = out.jury as unknown as Record<string, number | string>;
  const gov = out.gov as unknown as Record<string, number | string>;
  const names = [...Object.keys(jury).map((k) => (k in gov ? `jury.${k}` : k)), ...Object.keys(gov).map((k) => (k in jury ? `gov.${k}` : k)), 'unbondingMs'];
  for (const [name, raw] of Object.entries(overrides)) {
    const value = String(raw);
    if (!/^\d+$/.test(value)) throw new DeployError(`--dao-param ${name}=${value}: a whole number is needed`);
    const [group, key] = name.includes('.') ? name.split('.', 2) : [undefined, name];
    const set = (o: Record<string, number | string>) => (o[key] = typeof o[key] === 'string' ? value : Number(value));
    if (key === 'unbondingMs' && group === undefined) out.unbondingMs = Number(value);
    else if (key in jury && key in gov && group === undefined) throw new DeployError(`--dao-param ${name}: say jury.${key} or gov.${key}`);
    else if (key in jury && group !== 'gov') set(jury);
    else if (key in gov && group !== 'jury') set(gov);
    else throw new DeployError(`--dao-param ${name}: not a DAO parameter (one of ${names.join(', ')})`);
  }
  out.longestCaseMs = Number(maxCaseMs(out.jury));
  if (BigInt(out.jury.caseFee) < BigInt(out.jury.jurorReward)) {
    throw new DeployError(`the case fee (${out.jury.caseFee}) must be at least the juror reward (${out.jury.jurorReward}): raise caseFee`);
  }
  return out;
}

/**
 * The room a case needs before the vault's ruling deadline (the contract's
 * `case_room_ms`): every round at full length plus one commit phase to execute the
 * ruling. The vault's ruling window must exceed it, or every `open_case` is refused.
 */
function caseRoomMs(dao: DaoParams): number {
  return dao.longestCaseMs + dao.jury.commitMs;
}

/**
 * DAO parameters of a deployment file written before the quorum cap, the minimum of
 * jurors and the case fee existed: the missing ones come from the defaults.
 */
function withNewJuryFields(dao: DaoParams, defaults: DaoParams): DaoParams {
  const j = dao.jury as Partial<DaoParams['jury']> & DaoParams['jury'];
  return {
    ...dao,
    jury: {
      ...dao.jury,
      quorumCap: j.quorumCap ?? defaults.jury.quorumCap,
      minJurors: j.minJurors ?? defaults.jury.minJurors,
      caseFee: j.caseFee ?? (BigInt(defaults.jury.caseFee) >= BigInt(dao.jury.jurorReward) ? defaults.jury.caseFee : dao.jury.jurorReward),
    },
  };
}

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
/** The new contract's address, from the transaction's `Contracts.Instantiated` event. */
function instantiatedAddress(events: { event: unknown }[]): string | undefined {
  for (const r of events) {
    const e = r.event as { pallet: string; palletEvent: { name: string; data?: { contract?: { address(): string } } } };
    if (e.pallet === 'Contracts' && e.palletEvent.name === 'Instantiated') return e.palletEvent.data?.contract?.address();
  }
  return undefined;
}

export async function instantiate(
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
  const ctorTx = deployer.tx.new as unknown as (...a: unknown[]) => Submittable;
  let result;
  try {
    result = await submit(client, ctorTx(...args, { gasLimit: dry.raw.gasRequired, storageDepositLimit: deposit, salt }), signer, `instantiate ${name}`, { log });
  } catch (err) {
    throw new DeployError(`${name}: instantiation ${err instanceof TxDropped ? err.message : `failed: ${String(err)}`}`);
  }
  if (result.dispatchError) {
    const e = result.dispatchError as { type: string };
    const meta = e.type === 'Module' ? client.registry.findErrorMeta(e as never) : undefined;
    throw new DeployError(`${name}: instantiation failed: ${meta ? `${meta.pallet}.${meta.name}` : JSON.stringify(e)}`);
  }
  const address = instantiatedAddress(result.events);
  if (!address) throw new DeployError(`${name}: block #${result.blockNumber} has no Contracts.Instantiated event for this transaction`);
  const block = result.blockNumber;
  log(`${name.padEnd(15)} instantiated at ${address} in block #${block} (code ${short(codeHash)}${onChain ? ', code already on chain' : ''})`);
  return { address, codeHash, block };
}

export async function deploy(opts: DeployOptions): Promise<Deployed> {
  const was = setDefaultInclusion(opts.wait ?? 'best');
  try {
    return await deployWith(opts);
  } finally {
    setDefaultInclusion(was);
  }
}

async function deployWith(opts: DeployOptions): Promise<Deployed> {
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
  const nonce0 = Number((await client.query.system.account(signer.address)).nonce);
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
  const devChain = /development|local|dev/i.test(chain);
  const periods = opts.daoPeriods ?? (devChain ? 'short' : 'long');
  const blockMs = blockTimeMs(client);
  if (periods === 'short' && shortScale(blockMs) > 1) {
    log(`block time ${blockMs} ms (from the runtime): short periods × ${shortScale(blockMs)}, a rental hour of 30 blocks (${(30 * blockMs) / 1000} s) unless --hour-ms`);
  }
  // A deployment file from before the DAO has no DAO parameters: they are added (and
  // one from before the case fee gets the new jury fields).
  const defaults = withOverrides(daoDefaults(periods, opts.guardian ?? null, blockMs), opts.daoParams ?? {});
  const dao = previous?.params.dao ? withNewJuryFields(previous.params.dao, defaults) : defaults;
  if (previous?.params.dao && (opts.guardian || opts.daoPeriods || Object.keys(opts.daoParams ?? {}).length)) {
    log(`DAO parameters: those of deployments/${opts.network}.json (the DAO there was instantiated with them; --fresh for new ones)`);
  }
  // Above the room a case needs (its longest run plus a commit phase to execute it; a
  // party has the rest of the window to open the case): 1 day on a development chain,
  // the longest case plus 7 days elsewhere.
  const room = caseRoomMs(dao);
  const defaultWindow = periods === 'short' ? Number(DAY_MS) : dao.longestCaseMs + 7 * Number(DAY_MS);
  const params: Deployment['params'] = previous?.params
    ? {
        ...previous.params,
        dao,
        // A deployment from before the DAO may have a shorter window: the wiring raises it.
        rulingWindowMs: previous.params.rulingWindowMs > room ? previous.params.rulingWindowMs : defaultWindow,
      }
    : {
        treasury,
        arbiter: signer.address,
        feeBps: 250,
        bondBps: 500,
        rulingWindowMs: opts.rulingWindowMs ?? defaultWindow,
        maxRoyaltyBps: 2_000,
        tokenSymbol: 'MMT',
        tokenDecimals: 12,
        hourMs: opts.hourMs ?? (periods === 'short' && shortScale(blockMs) > 1 ? 30 * blockMs : 3_600_000),
        collateralRatioBps: 10_000,
        noShowBps: 1_000,
        maxStartWindowMs: Number(DAY_MS),
        dao,
      };
  if (previous?.params && opts.rulingWindowMs !== undefined) params.rulingWindowMs = opts.rulingWindowMs;
  if (params.rulingWindowMs <= room) {
    throw new DeployError(
      `the vault's ruling window (${params.rulingWindowMs} ms) must exceed the DAO's longest case plus a commit phase (${room} ms): raise --ruling-window-ms or shorten the DAO's periods`,
    );
  }
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
      case 'dispute_dao':
        return [
          contracts.market_token.address,
          contracts.escrow.address,
          contracts.model_registry.address,
          contracts.compute_market.address,
          toJuryParams(params.dao.jury),
          toGovParams(params.dao.gov),
          BigInt(params.dao.unbondingMs),
          params.dao.guardian ?? undefined,
        ];
    }
  };

  const reused: ContractName[] = [];
  for (const name of CONTRACTS) {
    const old = previous?.contracts[name];
    if (old && (await codeHashAt(client, old.address)) === bundles[name].source.hash && (await stillNames(client, metadata, name, old.address, contracts))) {
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
  if (opts.keepAdmin) {
    log('roles: the deployer keeps the vault\'s arbiter and the registry\'s and market\'s admin (--keep-admin)');
  } else {
    await handOver(market, signer, log);
  }
  // A parachain's best blocks can still be abandoned for another fork: the deployment
  // is written once the finalized chain holds every step the deployer sent (its nonce
  // there reaches its nonce at the best block; instant on the dev node).
  const t = Date.now();
  const nonceEnd = Number((await client.query.system.account(signer.address)).nonce);
  const fin = await finalizeSent(client, signer.address, nonceEnd);
  if (fin.nonce === nonce0) log('finalized: nothing was sent (everything was in place)');
  else log(`finalized: block #${fin.blockNumber} holds every step (nonce ${fin.nonce}; ${((Date.now() - t) / 1000).toFixed(1)} s after the last step)`);
  const path = writeDeployment(deployment, metadata);
  log(`wrote ${path.replace(`${ROOT}/`, '')} and the metadata the dApp reads (deployments/${opts.network}/)`);
  return { market, deployer: signer, reused };
}

/**
 * Whether the DAO at `address` still names the contracts of this deployment (its token,
 * vault, registry and market are fixed when it is instantiated). Other contracts have
 * setters for what they name, which the wiring steps use.
 */
async function stillNames(
  client: Client,
  metadata: ReturnType<typeof loadMetadata>,
  name: ContractName,
  address: string,
  contracts: Record<ContractName, DeployedContract>,
): Promise<boolean> {
  if (name !== 'dispute_dao') return true;
  const dao = new Contract<DisputeDaoContractApi>(client, metadata.dispute_dao, address);
  const cfg = (await dryRun(dao, address, 'config', [])).value;
  return (
    cfg.token.address() === contracts.market_token.address &&
    cfg.vault.address() === contracts.escrow.address &&
    cfg.registry.address() === contracts.model_registry.address &&
    cfg.market.address() === contracts.compute_market.address
  );
}

/** A wiring step the deployer cannot take because the role has moved (to the DAO). */
function roleMoved(what: string, err: unknown): never {
  const code = err instanceof Refused ? err.code : '';
  throw new DeployError(
    `wiring: ${what}: refused (${code || String(err)}): the role is no longer the deployer's (the DAO holds it after the hand-over), ` +
      'so this change needs a DAO proposal; on a development chain, redeploy with --fresh',
  );
}

/** Each step runs only when the chain does not already show it done. */
async function wire(m: Market, signer: Signer, log: (l: string) => void): Promise<void> {
  const { token, registry, vault, compute } = m;
  const longest = BigInt(caseRoomMs(m.deployment.params.dao));
  const window = BigInt(m.deployment.params.rulingWindowMs);
  const tokenAsset = { type: 'Psp22' as const, value: token.address };
  const steps: [string, () => Promise<boolean>, () => Promise<unknown>][] = [
    [
      'vault lists the registry as a controller',
      async () => (await dryRun(vault, signer.address, 'isController', [registry.address])).value,
      () => send(vault, signer, 'vaultArbiterSetController', [registry.address, true]),
    ],
    [
      'vault accepts the market token',
      async () => (await dryRun(vault, signer.address, 'isAssetAllowed', [tokenAsset])).value,
      () => send(vault, signer, 'vaultArbiterSetAssetAllowed', [token.address, true]),
    ],
    [
      'registry pays into the vault',
      async () => (await dryRun(registry, signer.address, 'vault', [])).value?.address() === vault.address,
      () => send(registry, signer, 'administeredSetVault', [vault.address]),
    ],
    [
      'registry accepts the market token',
      async () => (await dryRun(registry, signer.address, 'isAssetAllowed', [tokenAsset])).value,
      () => send(registry, signer, 'administeredSetAssetAllowed', [token.address, true]),
    ],
    [
      'vault lists the compute market as a controller',
      async () => (await dryRun(vault, signer.address, 'isController', [compute.address])).value,
      () => send(vault, signer, 'vaultArbiterSetController', [compute.address, true]),
    ],
    [
      'compute market pays into the vault',
      async () => (await dryRun(compute, signer.address, 'config', [])).value.vault.address() === vault.address,
      () => send(compute, signer, 'administeredSetVault', [vault.address]),
    ],
    [
      "compute market reads the registry's auditors",
      async () => (await dryRun(compute, signer.address, 'config', [])).value.auditors.address() === registry.address,
      () => send(compute, signer, 'marketAdminSetAuditors', [registry.address]),
    ],
    [
      'compute market accepts the market token',
      async () => (await dryRun(compute, signer.address, 'isAssetAllowed', [tokenAsset])).value,
      () => send(compute, signer, 'administeredSetAssetAllowed', [token.address, true]),
    ],
    [
      `vault's ruling window outlasts the DAO's longest case plus a commit phase (${longest} ms)`,
      async () => (await dryRun(vault, signer.address, 'vaultArbiterDisputeParams', [])).value[1] > longest,
      async () => {
        const [bondBps] = (await dryRun(vault, signer.address, 'vaultArbiterDisputeParams', [])).value;
        return send(vault, signer, 'vaultArbiterSetDisputeParams', [bondBps, window]);
      },
    ],
  ];
  for (const [what, done, run] of steps) {
    if (await done()) {
      log(`wiring: ${what} (already)`);
    } else {
      const sent = await run().catch((err: unknown) => (err instanceof Refused && /NotArbiter|NotAdmin/.test(err.code) ? roleMoved(what, err) : Promise.reject(err)));
      if (!(await done())) throw new DeployError(`wiring did not take: ${what}`);
      log(`wiring: ${what}${detoursOf(sent)}`);
    }
  }
}

/** ` (on the way: …)` when a transaction's pool verdicts were not final (client/src/submit.ts). */
function detoursOf(sent: unknown): string {
  const d = (sent as { detours?: string[] } | undefined)?.detours;
  return d?.length ? ` (on the way: ${d.join('; ')})` : '';
}

/** Who holds each governed role now, and who was proposed for it. */
export async function roles(m: Market, caller: string): Promise<Record<'Vault' | 'Registry' | 'Market', { holder: string; pending?: string }>> {
  const { vault, registry, compute } = m;
  const addr = (a: { address(): string } | undefined) => a?.address();
  return {
    Vault: { holder: addr((await dryRun(vault, caller, 'arbiter', [])).value)!, pending: addr((await dryRun(vault, caller, 'pendingArbiter', [])).value) },
    Registry: { holder: addr((await dryRun(registry, caller, 'admin', [])).value)!, pending: addr((await dryRun(registry, caller, 'pendingAdmin', [])).value) },
    Market: { holder: addr((await dryRun(compute, caller, 'admin', [])).value)!, pending: addr((await dryRun(compute, caller, 'pendingAdmin', [])).value) },
  };
}

/**
 * Hands the vault's arbiter and the registry's and market's admin roles to the DAO,
 * two-step: the deployer proposes the DAO, then the DAO's `accept_role` takes the role
 * (anyone may call it; the deployer does). Each role is skipped when the DAO already
 * holds it; a role held by anyone else than the deployer is an error.
 */
export async function handOver(m: Market, signer: Signer, log: (l: string) => void): Promise<void> {
  const { vault, registry, compute, dao } = m;
  const names = { Vault: "vault's arbiter", Registry: "registry's admin", Market: "compute market's admin" } as const;
  const now = await roles(m, signer.address);
  for (const target of ['Vault', 'Registry', 'Market'] as const) {
    const what = `hand-over: the ${names[target]} to the DAO`;
    const { holder, pending } = now[target];
    if (holder === dao.address) {
      log(`${what} (already)`);
      continue;
    }
    if (holder !== signer.address) {
      throw new DeployError(`${what}: the role is held by ${holder}, neither the deployer nor this DAO (an earlier DAO? hand it over by its proposal, or --fresh)`);
    }
    let proposed: unknown;
    if (pending !== dao.address) {
      if (target === 'Vault') proposed = await send(vault, signer, 'vaultArbiterProposeArbiter', [dao.address]);
      else if (target === 'Registry') proposed = await send(registry, signer, 'administeredProposeAdmin', [dao.address]);
      else proposed = await send(compute, signer, 'administeredProposeAdmin', [dao.address]);
    }
    const accepted = await send(dao, signer, 'acceptRole', [target]);
    if ((await roles(m, signer.address))[target].holder !== dao.address) throw new DeployError(`${what} did not take`);
    log(`${what}${detoursOf(proposed)}${detoursOf(accepted)}`);
  }
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function waitArg(): Inclusion | undefined {
  const w = arg('wait');
  if (w !== undefined && w !== 'best' && w !== 'finalized') throw new DeployError(`--wait ${w}: best or finalized`);
  return w;
}

function periodsArg(): 'short' | 'long' | undefined {
  const p = arg('dao-periods');
  if (p !== undefined && p !== 'short' && p !== 'long') throw new DeployError(`--dao-periods ${p}: short or long`);
  return p;
}

/** Every `--dao-param name=value`. */
function daoParamArgs(): Record<string, string> {
  const out: Record<string, string> = {};
  process.argv.forEach((a, i) => {
    if (a !== '--dao-param') return;
    const [k, v] = (process.argv[i + 1] ?? '').split('=');
    if (!k || v === undefined) throw new DeployError(`--dao-param needs name=value, got "${process.argv[i + 1] ?? ''}"`);
    out[k] = v;
  });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const fail = (err: unknown) => {
    console.error(`deploy: FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  };
  Promise.resolve()
    .then(() =>
      deploy({
        url: arg('url', process.env.NODE_URL ?? 'ws://127.0.0.1:9944')!,
        network: arg('network', 'local')!,
        treasury: arg('treasury'),
        hourMs: arg('hour-ms') ? Number(arg('hour-ms')) : undefined,
        fresh: process.argv.includes('--fresh'),
        build: process.argv.includes('--build'),
        keepAdmin: process.argv.includes('--keep-admin'),
        guardian: arg('guardian'),
        daoPeriods: periodsArg(),
        daoParams: daoParamArgs(),
        rulingWindowMs: arg('ruling-window-ms') ? Number(arg('ruling-window-ms')) : undefined,
        wait: waitArg(),
      }),
    )
    .then(async ({ market, reused }) => {
      console.log(`deploy: OK in ${((Date.now() - started) / 1000).toFixed(1)} s (${reused.length} of ${CONTRACTS.length} reused)`);
      await market.client.disconnect();
    })
    .catch(fail);
}
