import { useState } from 'react';
import { dryRun, parseUnits } from '../../../client/src/index.js';
import type { MarketTypesAssetLike, MarketTypesLicenseKind } from '../../../client/src/contracts/model-registry/types.js';
import { step, useAction } from '../actions.js';
import { useApp } from '../market.js';
import { DAY_MS, parseVersion, randomHash, useLoad, versionText } from '../util.js';

export function ListScreen() {
  const { account } = useApp();
  if (!account) return <div className="empty">Choose an account in the header to list a model.</div>;
  return (
    <section className="two-col">
      <RegisterForm />
      <OfferForm />
    </section>
  );
}

function RegisterForm() {
  const { market, account } = useApp();
  const { run } = useAction();
  const [name, setName] = useState('');
  const [uri, setUri] = useState('ipfs://');
  const [hash, setHash] = useState<string>(() => randomHash());
  const [version, setVersion] = useState('1.0.0');
  const [parent, setParent] = useState('');
  const [royalty, setRoyalty] = useState('0');
  const [tags, setTags] = useState('');
  const [problem, setProblem] = useState<string>();

  const submit = () => {
    if (!account) return;
    setProblem(undefined);
    try {
      if (!/^0x[0-9a-fA-F]{64}$/.test(hash.trim())) throw new Error('The weights hash must be 0x followed by 64 hex digits.');
      const v = parseVersion(version);
      const p = parent.trim() ? BigInt(parent.trim()) : undefined;
      const r = Math.round(Number(royalty || '0') * 100);
      if (!Number.isFinite(r) || r < 0 || r > 10_000) throw new Error('The royalty is a percentage from 0 to 100.');
      const tagList = tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const details: [string, string][] = [
        ['Name', name],
        ['Version', versionText(v)],
        ['Metadata', uri],
        ['Lineage', p !== undefined ? `fine-tune of #${p}, royalty ${r / 100} %` : 'base model'],
        ['Tags', tagList.join(', ') || '—'],
      ];
      run({
        title: 'List a model',
        details,
        steps: [step('Register the model', market.registry, 'registry', account, 'registerModel', [name, uri, hash.trim() as `0x${string}`, v, p, r, tagList])],
        done: (res) => {
          setName('');
          setHash(randomHash());
          return `Model #${String(res[0].value)} “${name}” is listed. Add an offer so people can buy it.`;
        },
      });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <form
      className="card form"
      data-testid="register-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>List a model</h2>
      <p className="muted small">Registers the model on chain under your account. Fine-tunes name their parent and may pay it a royalty on every sale.</p>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="llama-mini-chat" data-testid="reg-name" />
      </label>
      <label>
        Metadata URI
        <input value={uri} onChange={(e) => setUri(e.target.value)} data-testid="reg-uri" />
      </label>
      <label>
        Weights hash
        <div className="row">
          <input className="mono grow" value={hash} onChange={(e) => setHash(e.target.value)} data-testid="reg-hash" />
          <button type="button" className="ghost small" onClick={() => setHash(randomHash())}>
            random
          </button>
        </div>
      </label>
      <div className="row">
        <label className="grow">
          Version
          <input value={version} onChange={(e) => setVersion(e.target.value)} data-testid="reg-version" />
        </label>
        <label className="grow">
          Parent model id <span className="muted">(optional)</span>
          <input value={parent} onChange={(e) => setParent(e.target.value.replace(/[^0-9]/g, ''))} placeholder="—" data-testid="reg-parent" />
        </label>
        <label className="grow">
          Royalty %
          <input value={royalty} onChange={(e) => setRoyalty(e.target.value)} data-testid="reg-royalty" />
        </label>
      </div>
      <label>
        Tags <span className="muted">(comma separated: a-z, 0-9, -)</span>
        <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="llm, chat" data-testid="reg-tags" />
      </label>
      {problem && <div className="error-box">{problem}</div>}
      <button className="primary" type="submit" data-testid="reg-submit">
        Review and list
      </button>
    </form>
  );
}

function OfferForm() {
  const { market, account, native, version } = useApp();
  const { run } = useAction();
  const mine = useLoad(
    () => (account ? dryRun(market.registry, account.address, 'modelsByOwner', [account.address, 0n, 50]).then((r) => r.value.items) : Promise.resolve([])),
    [account?.address, version],
  );
  const [modelId, setModelId] = useState('');
  const [kind, setKind] = useState<'Perpetual' | 'TimeBound' | 'Metered'>('Perpetual');
  const [days, setDays] = useState('30');
  const [units, setUnits] = useState('1000');
  const [price, setPrice] = useState('10');
  const [asset, setAsset] = useState<'native' | 'token'>('native');
  const [problem, setProblem] = useState<string>();
  const p = market.deployment.params;
  const chosen = modelId || (mine.data && mine.data.length > 0 ? String(mine.data[mine.data.length - 1][0]) : '');

  const submit = () => {
    if (!account) return;
    setProblem(undefined);
    try {
      if (!chosen) throw new Error('List a model first: offers belong to one of your models.');
      const k: MarketTypesLicenseKind =
        kind === 'Perpetual'
          ? { type: 'Perpetual' }
          : kind === 'TimeBound'
            ? { type: 'TimeBound', value: BigInt(Math.round(Number(days) * Number(DAY_MS))) }
            : { type: 'Metered', value: BigInt(units || '0') };
      const decimals = asset === 'native' ? native.decimals : p.tokenDecimals;
      const amount = parseUnits(price, decimals);
      const a: MarketTypesAssetLike = asset === 'native' ? { type: 'Native' } : { type: 'Psp22', value: market.token.address };
      const symbol = asset === 'native' ? native.symbol : p.tokenSymbol;
      run({
        title: 'Add an offer',
        details: [
          ['Model', `#${chosen}`],
          ['License', kind === 'Perpetual' ? 'Perpetual' : kind === 'TimeBound' ? `${days} days` : `${units} metered units`],
          ['Price', `${price} ${symbol}`],
        ],
        steps: [step('Publish the offer', market.registry, 'registry', account, 'addOffer', [BigInt(chosen), k, amount, a])],
        done: (res) => `Offer #${String(res[0].value)} is live on model #${chosen}.`,
      });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <form
      className="card form"
      data-testid="offer-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>Add an offer</h2>
      <p className="muted small">Buyers pay into escrow; you are paid (minus the {p.feeBps / 100} % platform fee and any royalty) when they release it after your delivery.</p>
      <label>
        Model
        <select value={chosen} onChange={(e) => setModelId(e.target.value)} data-testid="offer-model">
          {mine.data?.length === 0 && <option value="">You have no models yet</option>}
          {mine.data?.map(([id, m]) => (
            <option key={String(id)} value={String(id)}>
              #{String(id)} {m.name} v{versionText(m.version)}
            </option>
          ))}
        </select>
      </label>
      <label>
        License
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)} data-testid="offer-kind">
          <option value="Perpetual">Perpetual</option>
          <option value="TimeBound">Time-bound (days)</option>
          <option value="Metered">Metered (units)</option>
        </select>
      </label>
      {kind === 'TimeBound' && (
        <label>
          Days
          <input value={days} onChange={(e) => setDays(e.target.value)} data-testid="offer-days" />
        </label>
      )}
      {kind === 'Metered' && (
        <label>
          Units
          <input value={units} onChange={(e) => setUnits(e.target.value.replace(/[^0-9]/g, ''))} data-testid="offer-units" />
        </label>
      )}
      <div className="row">
        <label className="grow">
          Price
          <input value={price} onChange={(e) => setPrice(e.target.value)} data-testid="offer-price-input" />
        </label>
        <label>
          Asset
          <select value={asset} onChange={(e) => setAsset(e.target.value as typeof asset)} data-testid="offer-asset">
            <option value="native">{native.symbol}</option>
            <option value="token">{p.tokenSymbol}</option>
          </select>
        </label>
      </div>
      {problem && <div className="error-box">{problem}</div>}
      <button className="primary" type="submit" data-testid="offer-submit">
        Review and publish
      </button>
    </form>
  );
}
