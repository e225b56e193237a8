import { useEffect, useMemo, useState } from 'react';
import { useWallet, useWalletSetup } from 'typink';
import { devSigners, formatUnits, freeBalance, dryRun, short, type Signer } from '../../client/src/index.js';
import type { InjectedSigner } from 'dedot/types';
import { ActionProvider } from './actions.js';
import { AppContext, loadChain, params, useApp, type AppState, type Chain } from './market.js';
import { useLoad } from './util.js';
import { ModelsScreen } from './screens/Models.js';
import { ListScreen } from './screens/List.js';
import { LicensesScreen } from './screens/Licenses.js';
import { SellerScreen } from './screens/Seller.js';
import { GpusScreen } from './screens/Gpus.js';
import { RentScreen } from './screens/Rent.js';
import { RentalsScreen } from './screens/Rentals.js';
import { ProviderScreen } from './screens/Provider.js';
import { DisputesScreen } from './screens/Disputes.js';
import { JuryScreen } from './screens/Jury.js';
import { GovernanceScreen } from './screens/Governance.js';
import { HistoryScreen } from './screens/History.js';

const TABS = [
  ['models', 'Models'],
  ['list', 'List a model'],
  ['licenses', 'My licenses'],
  ['seller', 'Seller'],
  ['gpus', 'GPUs'],
  ['rent', 'Rent'],
  ['rentals', 'My rentals'],
  ['provider', 'Provider'],
  ['disputes', 'Disputes'],
  ['jury', 'Jury'],
  ['governance', 'Governance'],
  ['history', 'History'],
] as const;
type Tab = (typeof TABS)[number][0];

export function App() {
  const [chain, setChain] = useState<Chain>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    loadChain().then(setChain, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
  if (error) {
    return (
      <div className="boot">
        <h1>Model Market</h1>
        <div className="error-box" data-testid="boot-error">
          Could not open the marketplace on network “{params().network}”: {error}
        </div>
      </div>
    );
  }
  if (!chain) {
    return (
      <div className="boot" data-testid="booting">
        <span className="spinner" /> Connecting to the node…
      </div>
    );
  }
  return <Connected chain={chain} />;
}

function Connected({ chain }: { chain: Chain }) {
  const [version, setVersion] = useState(0);
  const [dev, setDev] = useState<Signer[]>([]);
  const [selected, setSelected] = useState<string>(() => localStorage.getItem('mm.account') ?? '');
  const [tab, setTab] = useState<Tab>(() => {
    const t = new URLSearchParams(window.location.search).get('tab');
    return (TABS.find(([k]) => k === t)?.[0] ?? 'models') as Tab;
  });
  const [rentOffer, setRentOffer] = useState<bigint | undefined>(() => {
    const o = new URLSearchParams(window.location.search).get('offer');
    return o && /^\d+$/.test(o) ? BigInt(o) : undefined;
  });
  const [caseId, setCaseId] = useState<bigint | undefined>(() => {
    const c = new URLSearchParams(window.location.search).get('case');
    return c && /^\d+$/.test(c) ? BigInt(c) : undefined;
  });
  const openCase = (id?: bigint) => {
    setCaseId(id);
    setTab('disputes');
  };
  const walletSetup = useWalletSetup();
  const { signer: walletSigner, connectedAccount } = useWallet();

  useEffect(() => {
    if (chain.isDev) void devSigners().then((s) => setDev(Object.values(s)));
  }, [chain.isDev]);

  const extension: Signer[] = useMemo(
    () => walletSetup.accounts.map((a) => ({ address: a.address, name: `${a.name ?? short(a.address)} (${a.source})` })),
    [walletSetup.accounts],
  );
  const all = [...dev, ...extension];
  let account: Signer | undefined = all.find((s) => s.address === selected);
  if (account && !account.pair) {
    // An extension account signs through the extension typink connected.
    const injected = connectedAccount?.address === account.address ? (walletSigner as unknown as InjectedSigner | undefined) : undefined;
    account = { ...account, injected };
  }

  const choose = (address: string) => {
    setSelected(address);
    localStorage.setItem('mm.account', address);
    const ext = walletSetup.accounts.find((a) => a.address === address);
    if (ext) walletSetup.setConnectedAccount(ext);
  };

  const state: AppState = { ...chain, account, version, refresh: () => setVersion((v) => v + 1) };
  return (
    <AppContext.Provider value={state}>
      <ActionProvider>
        <div className="shell">
          <header className="top">
            <div className="brand">
              <span className="logo">M</span>
              <div>
                <div className="brand-name">Model Market</div>
                <div className="brand-sub">AI models and GPU time, on chain</div>
              </div>
            </div>
            <div className="top-right">
              <NetworkBadge />
              <div className="account-picker">
                <select data-testid="account-select" value={account?.address ?? ''} onChange={(e) => choose(e.target.value)}>
                  <option value="">Choose an account…</option>
                  {dev.length > 0 && (
                    <optgroup label="Development accounts">
                      {dev.map((s) => (
                        <option key={s.address} value={s.address}>
                          {s.name} · {short(s.address)}
                        </option>
                      ))}
                    </optgroup>
                  )}
                  {extension.length > 0 && (
                    <optgroup label="Extension accounts">
                      {extension.map((s) => (
                        <option key={s.address} value={s.address}>
                          {s.name} · {short(s.address)}
                        </option>
                      ))}
                    </optgroup>
                  )}
                </select>
                <WalletButtons />
              </div>
              <Balances />
            </div>
          </header>
          <nav className="tabs">
            {TABS.map(([key, label]) => (
              <button
                key={key}
                className={tab === key ? 'tab active' : 'tab'}
                onClick={() => {
                  setTab(key);
                  if (key === 'disputes') setCaseId(undefined);
                }}
                data-testid={`tab-${key}`}
              >
                {label}
              </button>
            ))}
            <span className="grow" />
            <button className="ghost" onClick={state.refresh} data-testid="reload">
              ↻ Reload
            </button>
          </nav>
          <main className="content">
            {tab === 'models' && <ModelsScreen />}
            {tab === 'list' && <ListScreen />}
            {tab === 'licenses' && <LicensesScreen />}
            {tab === 'seller' && <SellerScreen />}
            {tab === 'gpus' && (
              <GpusScreen
                onRent={(id) => {
                  setRentOffer(id);
                  setTab('rent');
                }}
              />
            )}
            {tab === 'rent' && <RentScreen key={String(rentOffer)} offerId={rentOffer} onOffer={setRentOffer} />}
            {tab === 'rentals' && <RentalsScreen />}
            {tab === 'provider' && <ProviderScreen />}
            {tab === 'disputes' && <DisputesScreen caseId={caseId} onCase={openCase} />}
            {tab === 'jury' && <JuryScreen onCase={openCase} />}
            {tab === 'governance' && <GovernanceScreen />}
            {tab === 'history' && <HistoryScreen onCase={openCase} />}
          </main>
          <footer className="foot">
            registry {short(chain.market.registry.address)} · vault {short(chain.market.vault.address)} · {chain.market.deployment.params.tokenSymbol}{' '}
            {short(chain.market.token.address)} · compute {short(chain.market.compute.address)} · DAO {short(chain.market.dao.address)} · rental hour{' '}
            {chain.market.deployment.params.hourMs === 3_600_000 ? '1 h' : `${chain.market.deployment.params.hourMs / 1000} s`} · platform fee <LiveFee />
          </footer>
        </div>
      </ActionProvider>
    </AppContext.Provider>
  );
}

/** The vault's fee as it is now (governance changes it), not as it was deployed. */
function LiveFee() {
  const { market, version } = useApp();
  const fee = useLoad(() => dryRun(market.vault, market.deployment.deployer, 'feeBps', []).then((r) => r.value), [version]);
  return <span data-testid="footer-fee">{(fee.data ?? market.deployment.params.feeBps) / 100} %</span>;
}

function NetworkBadge() {
  const { chainName, url, isDev, market, version } = useApp();
  const block = useLoad(() => market.client.query.system.number(), [version]);
  return (
    <div className="network" data-testid="network" title={url}>
      <span className={`dot ${isDev ? 'dev' : 'live'}`} />
      <div>
        <div className="network-name">
          {market.deployment.network} · {chainName}
        </div>
        <div className="small muted">block #{block.data ?? '…'}</div>
      </div>
    </div>
  );
}

function WalletButtons() {
  const { wallets, connectWallet, connectedWalletIds, disconnect } = useWalletSetup();
  const [open, setOpen] = useState(false);
  return (
    <div className="wallets">
      <button className="ghost small" onClick={() => setOpen(!open)} data-testid="wallets-toggle">
        Wallets
      </button>
      {open && (
        <div className="menu">
          {wallets.map((w) => {
            const connected = connectedWalletIds.includes(w.id);
            return (
              <div className="menu-row" key={w.id}>
                <img src={w.logo} alt="" width={18} height={18} />
                <span className="grow">{w.name}</span>
                {!w.installed ? (
                  <a href={(w as { installUrl?: string }).installUrl} target="_blank" rel="noreferrer" className="small">
                    install
                  </a>
                ) : connected ? (
                  <button className="ghost small" onClick={() => disconnect(w.id)}>
                    disconnect
                  </button>
                ) : (
                  <button className="ghost small" onClick={() => void connectWallet(w.id)}>
                    connect
                  </button>
                )}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

function Balances() {
  const { account, market, native, version } = useApp();
  const data = useLoad(async () => {
    if (!account) return undefined;
    const [free, mmt] = await Promise.all([
      freeBalance(market.client, account.address),
      dryRun(market.token, account.address, 'psp22BalanceOf', [account.address]).then((r) => r.value),
    ]);
    return { free, mmt };
  }, [account?.address, version]);
  if (!account) return <div className="balances muted small">no account</div>;
  const p = market.deployment.params;
  return (
    <div className="balances" data-testid="balances">
      <span data-testid="balance-native">
        {data.data ? formatUnits(data.data.free, native.decimals).replace(/(\.\d{0,3})\d*/, '$1') : '…'} {native.symbol}
      </span>
      <span data-testid="balance-token">
        {data.data ? formatUnits(data.data.mmt, p.tokenDecimals).replace(/(\.\d{0,3})\d*/, '$1') : '…'} {p.tokenSymbol}
      </span>
    </div>
  );
}
