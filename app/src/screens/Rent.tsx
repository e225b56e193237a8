import { useState } from 'react';
import { dryRun, duration, Refused, short } from '../../../client/src/index.js';
import { minPayoutOf, rentalCost } from '../../../client/src/compute.js';
import { step, useAction } from '../actions.js';
import { Attestation, hoursText, minChargeText, money, priceText, Reputation, useNow } from '../compute.js';
import { useApp } from '../market.js';
import { useLoad } from '../util.js';

export function RentScreen({ offerId, onOffer }: { offerId?: bigint; onOffer: (id?: bigint) => void }) {
  const { market, account, native, version } = useApp();
  const { run } = useAction();
  const caller = account?.address ?? market.deployment.deployer;
  const [idText, setIdText] = useState(offerId !== undefined ? String(offerId) : '');
  const [gpus, setGpus] = useState('1');
  const [hours, setHours] = useState('');
  const [problem, setProblem] = useState<string>();
  const now = useNow(5_000);
  const view = useLoad(async () => (offerId === undefined ? undefined : (await dryRun(market.compute, caller, 'offer', [offerId])).value ?? null), [offerId, version]);
  // The minimum charge of new rentals is governed (`MarketAdmin::set_rental_rules`): read it live.
  const config = useLoad(() => dryRun(market.compute, caller, 'config', []).then((r) => r.value), [version]);
  const hourMs = market.deployment.params.hourMs;

  if (!account) return <div className="empty">Choose an account in the header to rent GPUs.</div>;
  const v = view.data ?? undefined;
  const o = v?.offer;
  const h = hours.trim() === '' && o ? o.minHours : Number(hours);
  const g = Number(gpus);
  const valid = Number.isInteger(g) && g >= 0 && g < 2 ** 32 && Number.isInteger(h) && h >= 0 && h < 2 ** 32;
  const cost = o && valid ? rentalCost(o.pricePerGpuHour, g, h) : undefined;
  const minCharge = o && valid && config.data ? minPayoutOf(o.pricePerGpuHour, g, h, config.data.minChargeHours) : undefined;

  const rent = () => {
    setProblem(undefined);
    if (!v || !o) return;
    if (!valid) {
      setProblem('GPUs and hours are whole numbers.');
      return;
    }
    const total = rentalCost(o.pricePerGpuHour, g, h);
    const totalText = money(market, total, o.asset, native);
    const title = `Rent ${o.gpuModel} from offer #${v.offerId}`;
    const rentStep = (value?: bigint) => step('Book the GPUs (prepaid into a vault stream)', market.compute, 'compute', account, 'rent', [v.offerId, g, h, o.version], value);
    const done = (r: { value: unknown }[]) => {
      return `Rental #${String(r[r.length - 1].value)} booked: ${g} × ${o.gpuModel} for ${hoursText(h, hourMs)}, ${totalText} prepaid. See it in My rentals.`;
    };
    run(async () => {
      // The minimum charge as the contract will compute it now (governance may have changed it).
      const { minChargeHours } = (await dryRun(market.compute, account.address, 'config', [])).value;
      const minPayout = minPayoutOf(o.pricePerGpuHour, g, h, minChargeHours);
      const details: [string, string][] = [
        ['Offer', `#${v.offerId} · ${o.gpuModel} ${o.vramGb} GB · ${o.region}`],
        ['Provider', short(o.provider.address())],
        ['Rent', `${g} GPU${g === 1 ? '' : 's'} × ${hoursText(h, hourMs)}`],
        ['Price', `${priceText(market, v, native)} per GPU-hour`],
        ['Amount', totalText],
        ['Minimum charge', minChargeText(market, { minPayout, pricePerGpuHour: o.pricePerGpuHour, gpus: g, asset: o.asset }, native, 'withdrawing the booking or ending it early')],
        ['Starts', `the provider has ${duration(Number(o.startWindowMs))} to start it, or you get it all back plus a penalty`],
      ];
      if (o.asset.type === 'Native') return { title, details, steps: [rentStep(total)], done };
      const allowance = (await dryRun(market.token, account.address, 'psp22Allowance', [account.address, market.compute.address])).value;
      if (allowance >= total) return { title, details: [...details, ['Approval', 'already in place']], steps: [rentStep()], done };
      return {
        title,
        details,
        steps: [step(`Approve the compute market for ${totalText}`, market.token, 'token', account, 'psp22Approve', [market.compute.address, total]), rentStep()],
        sequential: true,
        // Every refusal but the missing allowance shows before anything is signed.
        precheck: async () => {
          try {
            await dryRun(market.compute, account.address, 'rent', [v.offerId, g, h, o.version]);
          } catch (err) {
            if (!(err instanceof Refused && err.code.startsWith('Token(InsufficientAllowance'))) throw err;
          }
        },
        done,
      };
    });
  };

  return (
    <section className="two-col">
      <form
        className="card form"
        data-testid="rent-form"
        onSubmit={(e) => {
          e.preventDefault();
          rent();
        }}
      >
        <h2>Rent GPUs</h2>
        <p className="muted small">
          You prepay price × GPUs × hours into a vault stream. The provider is paid pro rata once it starts the rental; end early and the unused time comes back to your vault credit
          — but withdrawing or ending early always pays the provider its minimum charge{config.data && config.data.minChargeHours > 0 ? ` (${config.data.minChargeHours === 1 ? 'the first hour' : `the first ${config.data.minChargeHours} hours`})` : ''}.
        </p>
        <label>
          Offer id
          <div className="row">
            <input className="grow" value={idText} onChange={(e) => setIdText(e.target.value.replace(/[^0-9]/g, ''))} placeholder="pick one in GPUs" data-testid="rent-offer-id" />
            <button type="button" className="secondary" onClick={() => onOffer(idText ? BigInt(idText) : undefined)} data-testid="rent-offer-load">
              Load
            </button>
          </div>
        </label>
        <div className="row">
          <label className="grow">
            GPUs {v && <span className="muted">({v.freeGpus} of {o!.capacity} free)</span>}
            <input value={gpus} onChange={(e) => setGpus(e.target.value.replace(/[^0-9]/g, ''))} data-testid="rent-gpus" />
          </label>
          <label className="grow">
            Hours {o && <span className="muted">({o.minHours}–{o.maxHours})</span>}
            <input value={hours} onChange={(e) => setHours(e.target.value.replace(/[^0-9]/g, ''))} placeholder={o ? String(o.minHours) : ''} data-testid="rent-hours" />
          </label>
        </div>
        <dl className="kv">
          <div>
            <dt>Amount to prepay</dt>
            <dd data-testid="rent-cost">{cost !== undefined && o ? money(market, cost, o.asset, native) : '—'}</dd>
          </div>
          <div>
            <dt>Minimum charge</dt>
            <dd data-testid="rent-min-charge">{minCharge !== undefined && o ? money(market, minCharge, o.asset, native) : '—'}</dd>
          </div>
          <div>
            <dt>Runs for</dt>
            <dd>{valid && o ? duration(h * hourMs) : '—'}</dd>
          </div>
        </dl>
        {problem && <div className="error-box">{problem}</div>}
        <button className="primary" type="submit" disabled={!v} data-testid="rent-submit">
          Review and rent
        </button>
      </form>
      <div>
        {offerId === undefined && <div className="empty">Pick an offer in GPUs, or type its id.</div>}
        {view.data === null && <div className="error-box">There is no offer #{String(offerId)}.</div>}
        {v && o && (
          <div className="card" data-testid="rent-offer">
            <h3>
              <span className="muted">#{String(v.offerId)}</span> {o.gpuModel} <span className="version">{o.vramGb} GB</span>
            </h3>
            <div className="small muted">
              <span className="tag">{o.region}</span> by <span className="mono">{short(o.provider.address())}</span> · version {o.version} ·{' '}
              <span className={`pill pill-${o.status.toLowerCase()}`}>{o.status}</span>
            </div>
            <dl className="kv">
              <div>
                <dt>Price</dt>
                <dd>{priceText(market, v, native)} / GPU-hour</dd>
              </div>
              <div>
                <dt>Free GPUs</dt>
                <dd data-testid="rent-free">
                  {v.freeGpus} / {o.capacity}
                </dd>
              </div>
              <div>
                <dt>Hours per rental</dt>
                <dd>
                  {o.minHours}–{o.maxHours} h
                </dd>
              </div>
              <div>
                <dt>Collateral behind it</dt>
                <dd>{money(market, o.collateral, o.asset, native)}</dd>
              </div>
            </dl>
            <Reputation rep={v.reputation} volume={v.volume} asset={o.asset} />
            <div style={{ marginTop: 8 }}>
              <Attestation att={v.attestation} now={now} />
            </div>
          </div>
        )}
      </div>
    </section>
  );
}
