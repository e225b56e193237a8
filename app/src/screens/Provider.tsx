import { useState } from 'react';
import { bps, dryRun, duration, parseUnits, Refused, relativeTime, short } from '../../../client/src/index.js';
import { accruedAt, claimableAt, latestRentalsOf, offerCollateral, streamEnd } from '../../../client/src/compute.js';
import type { ComputeMarketOfferView } from '../../../client/src/contracts/compute-market/types.js';
import type { MarketTypesAssetLike } from '../../../client/src/contracts/model-registry/types.js';
import { step, useAction } from '../actions.js';
import { Bar, hoursText, loadOpenRentals, loadRentalRows, money, priceText, RentalStatus, rentalWhat, useNow, type RentalRow } from '../compute.js';
import { useApp } from '../market.js';
import { randomHash, useLoad } from '../util.js';
import { CreditsCard } from './Seller.js';

export function ProviderScreen() {
  const { market, account, version } = useApp();
  const now = useNow(250);
  const data = useLoad(async () => {
    if (!account) return undefined;
    const me = account.address;
    const offers: ComputeMarketOfferView[] = [];
    let cursor: bigint | undefined = 0n;
    while (cursor !== undefined && offers.length < 200) {
      const page: { items: ComputeMarketOfferView[]; next?: bigint } = (await dryRun(market.compute, me, 'offersOf', [me, cursor, 50])).value;
      offers.push(...page.items);
      cursor = page.items.length === 0 ? undefined : page.next;
    }
    offers.reverse();
    // What needs the provider: its OPEN rentals (closed ones leave that list), newest first.
    const open = await loadOpenRentals(market, me);
    return { offers, rentals: open.rows, truncated: open.truncated };
  }, [account?.address, version]);

  if (!account) return <div className="empty">Choose an account in the header to provide GPUs.</div>;
  const rentals = data.data?.rentals ?? [];
  const disputed = (r: RentalRow) => r.escrowState === 'Disputed';
  const toStart = rentals.filter((r) => r.rental.status === 'Booked' && !disputed(r));
  const running = rentals.filter((r) => r.rental.status === 'Running' || r.rental.status === 'Ended' || disputed(r));
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>Provider</h2>
          <p className="muted">Publish GPU offers backed by collateral, start the rentals booked on them, and claim pay as it streams in.</p>
        </div>
      </div>
      {data.error && <div className="error-box">{data.error}</div>}
      <div className="two-col">
        <PublishForm />
        <div>
          {data.data?.truncated && (
            <div className="error-box small">You have more open rentals than this page reads at once (500): the newest may be missing. Settle ended ones to shorten the list.</div>
          )}
          <div className="card">
            <h3>Rentals to start <span className="muted small">newest first</span></h3>
            {toStart.length === 0 ? (
              <div className="empty small">Nothing booked and waiting for you.</div>
            ) : (
              <table className="table tight" data-testid="provider-to-start">
                <tbody>
                  {toStart.map((r) => (
                    <StartRow key={String(r.id)} row={r} now={now} />
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <div className="card">
            <h3>Running rentals <span className="muted small">newest first</span></h3>
            {running.length === 0 ? (
              <div className="empty small">No rental is running on your GPUs.</div>
            ) : (
              <div className="rental-list" data-testid="provider-running">
                {running.map((r) => (
                  <RunningRow key={String(r.id)} row={r} now={now} />
                ))}
              </div>
            )}
          </div>
          <HistoryCard />
          <CreditsCard note="Claimed pay (after the platform fee), pay at the end of a rental, and collateral of retired offers land here; withdraw them to your account." />
        </div>
      </div>
      <div className="card">
        <h3>My offers</h3>
        {data.data && data.data.offers.length === 0 && <div className="empty small">No offers yet: publish one above.</div>}
        {data.data && data.data.offers.length > 0 && (
          <table className="table tight" data-testid="provider-offers">
            <thead>
              <tr>
                <th>Offer</th>
                <th>GPU</th>
                <th>Region</th>
                <th className="num">Price / GPU-h</th>
                <th>Hours</th>
                <th>Free / total</th>
                <th>Open rentals</th>
                <th className="num">Collateral</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.data.offers.map((v) => (
                <OfferRow key={String(v.offerId)} v={v} now={now} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

function PublishForm() {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const config = useLoad(() => dryRun(market.compute, market.deployment.deployer, 'config', []).then((r) => r.value), []);
  const [gpu, setGpu] = useState('A100-80GB');
  const [vram, setVram] = useState('80');
  const [capacity, setCapacity] = useState('4');
  const [region, setRegion] = useState('eu-west');
  const [price, setPrice] = useState('0.5');
  const [minHours, setMinHours] = useState('1');
  const [maxHours, setMaxHours] = useState('10');
  const [asset, setAsset] = useState<'native' | 'token'>('native');
  const [windowMin, setWindowMin] = useState('10');
  const [endpoint, setEndpoint] = useState<string>(() => randomHash());
  const [problem, setProblem] = useState<string>();
  const p = market.deployment.params;
  const ratio = config.data?.collateralRatioBps ?? p.collateralRatioBps;
  const decimals = asset === 'native' ? native.decimals : p.tokenDecimals;
  const symbol = asset === 'native' ? native.symbol : p.tokenSymbol;
  const hourMs = Number(config.data?.hourMs ?? BigInt(p.hourMs));

  let collateral: bigint | undefined;
  try {
    collateral = offerCollateral(parseUnits(price, decimals), Number(capacity), Number(maxHours), ratio);
  } catch {
    collateral = undefined;
  }
  const collateralText = (v: bigint) => money(market, v, asset === 'native' ? { type: 'Native' } : ({ type: 'Psp22', value: market.token.address } as never), native);

  const submit = () => {
    if (!account) return;
    setProblem(undefined);
    try {
      const num = (t: string, what: string) => {
        const n = Number(t);
        if (!/^\d+$/.test(t.trim()) || n >= 2 ** 32) throw new Error(`${what} is a whole number.`);
        return n;
      };
      const v = num(vram, 'VRAM');
      const cap = num(capacity, 'Capacity');
      const lo = num(minHours, 'Minimum hours');
      const hi = num(maxHours, 'Maximum hours');
      const amount = parseUnits(price, decimals);
      const windowMs = BigInt(Math.round(Number(windowMin) * 60_000));
      if (!/^0x[0-9a-fA-F]{64}$/.test(endpoint.trim())) throw new Error('The endpoint hash must be 0x followed by 64 hex digits.');
      const lock = offerCollateral(amount, cap, hi, ratio);
      const a: MarketTypesAssetLike = asset === 'native' ? { type: 'Native' } : { type: 'Psp22', value: market.token.address };
      const args = [gpu.trim(), v, cap, region.trim(), amount, lo, hi, a, endpoint.trim() as `0x${string}`, windowMs] as const;
      const details: [string, string][] = [
        ['GPUs', `${cap} × ${gpu.trim()} ${v} GB in ${region.trim()}`],
        ['Price', `${price} ${symbol} per GPU-hour`],
        ['Hours per rental', `${lo}–${hi} h (1 h = ${duration(hourMs)} here)`],
        ['Start window', duration(Number(windowMs))],
        ['Collateral locked', `${collateralText(lock)} (${bps(ratio)} of price × GPUs × max hours)`],
      ];
      const title = 'Publish a GPU offer';
      const publish = (value?: bigint) => step('Publish the offer and lock its collateral', market.compute, 'compute', account, 'publishOffer', [...args], value);
      const done = (r: { value: unknown }[]) => {
        setEndpoint(randomHash());
        return `Offer #${String(r[r.length - 1].value)} is live: ${cap} × ${gpu.trim()} in ${region.trim()}, ${collateralText(lock)} collateral locked.`;
      };
      if (asset === 'native') {
        run({ title, details, steps: [publish(lock)], done });
        return;
      }
      run({
        title,
        details,
        steps: [step(`Approve the compute market for ${collateralText(lock)}`, market.token, 'token', account, 'psp22Approve', [market.compute.address, lock]), publish()],
        sequential: true,
        precheck: async () => {
          try {
            await dryRun(market.compute, account.address, 'publishOffer', [...args]);
          } catch (err) {
            if (!(err instanceof Refused && err.code.startsWith('Token(InsufficientAllowance'))) throw err;
          }
        },
        done,
      });
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <form
      className="card form"
      data-testid="publish-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>Publish GPUs</h2>
      <p className="muted small">
        Your offer locks collateral in the vault: {bps(ratio)} of price × GPUs × maximum hours. It backs the no-show penalty renters get if you do not start their rental in time, and
        comes back to your credit when you retire the offer.
      </p>
      <div className="row">
        <label className="grow">
          GPU model
          <input value={gpu} onChange={(e) => setGpu(e.target.value)} data-testid="pub-gpu" />
        </label>
        <label>
          VRAM (GB)
          <input value={vram} onChange={(e) => setVram(e.target.value.replace(/[^0-9]/g, ''))} size={5} data-testid="pub-vram" />
        </label>
        <label>
          GPUs
          <input value={capacity} onChange={(e) => setCapacity(e.target.value.replace(/[^0-9]/g, ''))} size={4} data-testid="pub-capacity" />
        </label>
      </div>
      <div className="row">
        <label className="grow">
          Region
          <input value={region} onChange={(e) => setRegion(e.target.value)} data-testid="pub-region" />
        </label>
        <label>
          Start window (min)
          <input value={windowMin} onChange={(e) => setWindowMin(e.target.value)} size={6} data-testid="pub-window" />
        </label>
      </div>
      <div className="row">
        <label className="grow">
          Price per GPU-hour
          <input value={price} onChange={(e) => setPrice(e.target.value)} data-testid="pub-price" />
        </label>
        <label>
          Asset
          <select value={asset} onChange={(e) => setAsset(e.target.value as typeof asset)} data-testid="pub-asset">
            <option value="native">{native.symbol}</option>
            <option value="token">{p.tokenSymbol}</option>
          </select>
        </label>
        <label>
          Min h
          <input value={minHours} onChange={(e) => setMinHours(e.target.value.replace(/[^0-9]/g, ''))} size={4} data-testid="pub-min-hours" />
        </label>
        <label>
          Max h
          <input value={maxHours} onChange={(e) => setMaxHours(e.target.value.replace(/[^0-9]/g, ''))} size={4} data-testid="pub-max-hours" />
        </label>
      </div>
      <label>
        Endpoint hash <span className="muted">(hash of how renters reach your machines)</span>
        <div className="row">
          <input className="mono grow" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} data-testid="pub-endpoint" />
          <button type="button" className="ghost small" onClick={() => setEndpoint(randomHash())}>
            random
          </button>
        </div>
      </label>
      <div className="collateral-box" data-testid="pub-collateral">
        Locks <strong>{collateral !== undefined ? collateralText(collateral) : '—'}</strong> of collateral
        {hourMs !== 3_600_000 && <span className="muted small"> · 1 rental hour = {duration(hourMs)} on this network</span>}
      </div>
      {problem && <div className="error-box">{problem}</div>}
      <button className="primary" type="submit" data-testid="pub-submit">
        Review and publish
      </button>
    </form>
  );
}

function OfferRow({ v, now }: { v: ComputeMarketOfferView; now: bigint }) {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const o = v.offer;
  if (!account) return null;
  const id = v.offerId;
  const act = (what: 'pauseOffer' | 'resumeOffer' | 'retireOffer', label: string, title: string, extra: [string, string][], doneText: string) =>
    run({
      title,
      details: [['Offer', `#${id} · ${o.capacity} × ${o.gpuModel} · ${o.region}`], ...extra],
      steps: [step(label, market.compute, 'compute', account, what, [id])],
      done: () => doneText,
    });
  return (
    <tr data-testid={`provider-offer-${id}`}>
      <td className="muted">
        #{String(id)} · v{o.version}
      </td>
      <td>
        {o.gpuModel} <span className="muted small">{o.vramGb} GB</span>
      </td>
      <td>{o.region}</td>
      <td className="num">{priceText(market, v, native)}</td>
      <td>
        {o.minHours}–{o.maxHours} h
      </td>
      <td data-testid="provider-offer-free">
        {v.freeGpus} / {o.capacity}
      </td>
      <td>{o.openRentals}</td>
      <td className="num wrap" data-testid="provider-offer-collateral">
        {money(market, o.collateral, o.asset, native)}
        {o.penaltiesReserved > 0n && <div className="small muted">{money(market, o.penaltiesReserved, o.asset, native)} reserved for penalties</div>}
        <div className="small muted">lock ends {relativeTime(o.expiresAt, now)}</div>
      </td>
      <td>
        <span className={`pill pill-${o.status.toLowerCase()}`} data-testid="provider-offer-status">
          {o.status}
        </span>
      </td>
      <td className="right nowrap">
        {o.status === 'Active' && (
          <button className="secondary small" onClick={() => act('pauseOffer', 'Pause the offer', `Pause offer #${id}`, [['Effect', 'no new rentals; running ones go on']], `Offer #${id} is paused.`)} data-testid={`pause-${id}`}>
            Pause
          </button>
        )}
        {o.status === 'Paused' && (
          <button className="secondary small" onClick={() => act('resumeOffer', 'Resume the offer', `Resume offer #${id}`, [], `Offer #${id} takes rentals again.`)} data-testid={`resume-${id}`}>
            Resume
          </button>
        )}
        {o.status !== 'Retired' && (
          <button
            className="ghost small"
            title={o.openRentals > 0 ? 'settle its open rentals first' : 'retire for good; the collateral returns to your credit'}
            onClick={() =>
              act(
                'retireOffer',
                'Retire the offer',
                `Retire offer #${id}`,
                [['Collateral back to your credit', money(market, o.collateral, o.asset, native)]],
                `Offer #${id} is retired; its collateral is in your vault credit.`,
              )
            }
            data-testid={`retire-${id}`}
          >
            Retire
          </button>
        )}
      </td>
    </tr>
  );
}

function StartRow({ row, now }: { row: RentalRow; now: bigint }) {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const [access, setAccess] = useState<string>(() => randomHash());
  const r = row.rental;
  const id = row.id;
  const late = now > r.startBy;
  if (!account) return null;
  const start = () =>
    run({
      title: `Start rental #${id}`,
      details: [
        ['Renter', short(r.renter.address())],
        ['Rental', `${rentalWhat(row)} · ${hoursText(r.hours, market.deployment.params.hourMs)}`],
        ['Prepaid', money(market, r.paid, r.asset, native)],
        ['Access hash', `${access.slice(0, 18)}…`],
      ],
      steps: [step('Start: the stream begins paying you', market.compute, 'compute', account, 'start', [id, access as `0x${string}`])],
      done: () => `Rental #${id} is running: pay accrues to you from now on.`,
    });
  return (
    <tr data-testid={`provider-rental-${id}`}>
      <td className="muted">#{String(id)}</td>
      <td className="wrap">
        {rentalWhat(row)}
        <div className="small muted">
          {r.hours} h · by {short(r.renter.address())}
        </div>
      </td>
      <td className={`small ${late ? 'warn-text' : ''}`} data-testid="provider-start-by">
        {late ? `start was due ${relativeTime(r.startBy, now)}` : `start ${relativeTime(r.startBy, now)}`}
      </td>
      <td>
        <input className="mono access" value={access} onChange={(e) => setAccess(e.target.value)} title="hash of the credentials you hand the renter" data-testid={`access-${id}`} />
      </td>
      <td className="right">
        <button className="primary small" onClick={start} disabled={late} data-testid={`start-${id}`}>
          Start
        </button>
      </td>
    </tr>
  );
}

function RunningRow({ row, now }: { row: RentalRow; now: bigint }) {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const r = row.rental;
  const s = row.stream;
  const id = row.id;
  if (!account || !s) return null;
  const m = (v: bigint, exact = true) => money(market, v, r.asset, native, exact);
  const accrued = accruedAt(s, now);
  const claimable = claimableAt(s, now);
  const end = streamEnd(s);
  const over = end !== undefined && now >= end;
  const claim = () =>
    run({
      title: `Claim pay of rental #${id}`,
      details: [
        ['Rental', rentalWhat(row)],
        ['Accrued so far', `≈ ${m(accrued, false)} of ${m(s.deposit)}`],
        ['Claimed before', m(s.paidOut)],
        ['Claimable now', `≈ ${m(claimable, false)} (before the ${bps(market.deployment.params.feeBps)} platform fee)`],
      ],
      steps: [step('Claim what accrued to your vault credit', market.vault, 'vault', account, 'claim', [r.escrowId])],
      done: (res) => {
        const ev = market.vault.events.StreamClaimed.find(res[0].events)?.data;
        return ev
          ? `Claimed ${m(ev.gross)} from rental #${id} (${m(ev.toPayee)} to your credit after the ${m(ev.fee)} fee).`
          : `Claimed pay of rental #${id} (block #${res[0].blockNumber}).`;
      },
    });
  const disputed = row.escrowState === 'Disputed';
  // A frozen stream gives its GPUs back at once; an ended rental closes once the vault settled it.
  const canSettle = disputed ? r.status !== 'Ended' : over || r.status === 'Ended';
  const settle = () =>
    run({
      title: `Settle rental #${id}`,
      details: [
        ['Rental', rentalWhat(row)],
        ['Effect', disputed ? 'its stream is frozen by a dispute: its GPUs come back to your offer now; it closes once the dispute is decided' : 'close the rental and record its outcome'],
      ],
      steps: [step(disputed ? 'Take the GPUs of the disputed rental back' : 'Close the rental and record its outcome', market.compute, 'compute', account, 'settle', [id])],
      done: () => (disputed ? `Rental #${id} ended: its GPUs are free again; it closes once the dispute is decided.` : `Rental #${id} is settled.`),
    });
  return (
    <div className="rental-mini" data-testid={`provider-rental-${id}`}>
      <div className="accrual-row">
        <strong>
          #{String(id)} {rentalWhat(row)}
        </strong>
        <RentalStatus r={r} escrowState={row.escrowState} />
      </div>
      {disputed && (
        <div className="small warn-text" data-testid="provider-frozen">
          {r.status === 'Ended'
            ? 'Frozen by a dispute; its GPUs are back. It closes once the dispute is ruled or its ruling deadline passes.'
            : 'Frozen by a dispute: nothing more accrues. Settle it to take its GPUs back now.'}
        </div>
      )}
      <Bar part={accrued} whole={s.deposit} testid="provider-bar" />
      <div className="accrual-row small">
        <span>
          earned <strong data-testid="provider-accrued">{m(accrued, false)}</strong> of {m(s.deposit)}
        </span>
        <span className="muted">{end !== undefined ? (over ? `ended ${relativeTime(end, now)}` : `ends ${relativeTime(end, now)}`) : ''}</span>
      </div>
      <div className="accrual-row small">
        <span>
          claimed <strong data-testid={`provider-claimed-${id}`}>{m(s.paidOut)}</strong> · claimable ≈ <span data-testid="provider-claimable">{m(claimable, false)}</span>
        </span>
        <span className="nowrap">
          <button className="primary small" onClick={claim} disabled={claimable === 0n || disputed} data-testid={`claim-${id}`}>
            Claim
          </button>{' '}
          {canSettle && (
            <button className="secondary small" onClick={settle} data-testid={`provider-settle-${id}`}>
              Settle
            </button>
          )}
        </span>
      </div>
    </div>
  );
}

/**
 * Every rental of the provider's offers, newest first, read on demand: its history,
 * which anyone who rents grows (the open rentals above are the ones that need you).
 */
function HistoryCard() {
  const { market, account, native, version } = useApp();
  const [shown, setShown] = useState(false);
  const [before, setBefore] = useState<bigint | undefined>();
  const history = useLoad(async () => {
    if (!shown || !account) return undefined;
    const page = await latestRentalsOf(market, account.address, 'Provider', { count: 10, before });
    return { rows: await loadRentalRows(market, account.address, page.items), total: page.total, next: page.next };
  }, [shown, before, account?.address, version]);
  if (!account) return null;
  return (
    <div className="card">
      <h3>
        Rental history{' '}
        {history.data && (
          <span className="muted small">
            {history.data.total.toString()} in all · newest first
          </span>
        )}
      </h3>
      {!shown ? (
        <button className="secondary small" onClick={() => setShown(true)} data-testid="provider-history-show">
          Show every rental of my offers
        </button>
      ) : (
        <>
          {history.error && <div className="error-box">{history.error}</div>}
          {history.data && history.data.rows.length === 0 && <div className="empty small">No rentals yet.</div>}
          {history.data && history.data.rows.length > 0 && (
            <table className="table tight" data-testid="provider-history">
              <tbody>
                {history.data.rows.map((row) => (
                  <tr key={String(row.id)} data-testid={`provider-history-${row.id}`}>
                    <td className="muted">#{String(row.id)}</td>
                    <td className="wrap">
                      {rentalWhat(row)}
                      <div className="small muted">
                        {row.rental.hours} h · by {short(row.rental.renter.address())}
                      </div>
                    </td>
                    <td className="num">{money(market, row.rental.paid, row.rental.asset, native)}</td>
                    <td>
                      <RentalStatus r={row.rental} escrowState={row.escrowState} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="pager">
            {before !== undefined && (
              <button className="ghost small" onClick={() => setBefore(undefined)}>
                Newest
              </button>
            )}
            <button className="secondary small" disabled={history.data?.next === undefined || history.loading} onClick={() => setBefore(history.data?.next)} data-testid="provider-history-older">
              Older
            </button>
          </div>
        </>
      )}
    </div>
  );
}
