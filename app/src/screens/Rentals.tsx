import { useState } from 'react';
import { relativeTime } from '../../../client/src/index.js';
import { accruedAt, claimableAt, heldBy, rentalCost, stopPayoutAt, streamEnd } from '../../../client/src/compute.js';
import { step, useAction } from '../actions.js';
import { Bar, hoursText, loadRentals, minChargeText, money, RentalStatus, rentalWhat, useNow, type RentalRow } from '../compute.js';
import { useApp } from '../market.js';
import { useLoad } from '../util.js';

export function RentalsScreen() {
  const { market, account, version, native } = useApp();
  const data = useLoad(async () => (account ? loadRentals(market, account.address, 'Renter') : undefined), [account?.address, version]);
  const now = useNow(250);
  if (!account) return <div className="empty">Choose an account in the header to see its rentals.</div>;
  const rows = data.data ?? [];
  const open = rows.filter((r) => r.rental.status !== 'Closed');
  const closed = rows.filter((r) => r.rental.status === 'Closed');
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>My rentals</h2>
          <p className="muted">
            GPU time rented by {account.name} (the newest 50). What you prepaid streams to the provider only while the rental runs; ending early credits the rest back to you in the
            vault (withdraw it in Seller → Credits), less the provider’s minimum charge if the rental has not run that long yet.
          </p>
        </div>
      </div>
      {data.error && <div className="error-box">{data.error}</div>}
      {data.data && rows.length === 0 && <div className="empty">No rentals yet: find GPUs in the GPUs tab.</div>}
      {open.length > 0 && (
        <div className="rental-list" data-testid="rentals-open">
          {open.map((r) => (
            <RenterCard key={String(r.id)} row={r} now={now} />
          ))}
        </div>
      )}
      {closed.length > 0 && (
        <div className="card">
          <h3>Closed</h3>
          <table className="table" data-testid="rentals-closed">
            <thead>
              <tr>
                <th>Rental</th>
                <th>GPUs</th>
                <th>Hours</th>
                <th className="num">Prepaid</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {closed.map((r) => (
                <tr key={String(r.id)} data-testid={`rental-${r.id}`}>
                  <td className="muted">#{String(r.id)}</td>
                  <td>{rentalWhat(r)}</td>
                  <td>{r.rental.hours} h</td>
                  <td className="num">{money(market, r.rental.paid, r.rental.asset, native)}</td>
                  <td>
                    <RentalStatus r={r.rental} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RenterCard({ row, now }: { row: RentalRow; now: bigint }) {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const [extra, setExtra] = useState('1');
  const r = row.rental;
  const s = row.stream;
  const hourMs = market.deployment.params.hourMs;
  const end = s ? streamEnd(s) : undefined;
  const accrued = s ? accruedAt(s, now) : 0n;
  const prepaid = s?.deposit ?? r.paid;
  const booked = r.status === 'Booked';
  const running = r.status === 'Running';
  const windowPassed = booked && now > r.startBy;
  const over = end !== undefined && now >= end;
  const m = (v: bigint, exact = true) => money(market, v, r.asset, native, exact);

  if (!account) return null;
  const id = row.id;
  const disputed = row.escrowState === 'Disputed';
  const endEarly = () => {
    // What stopping now pays the provider (the vault's rule: what accrued, but at least the
    // minimum charge) and gives back; the transaction lands a moment later, so "≈".
    const toProvider = s ? stopPayoutAt(s, now) : r.minPayout;
    const held = s ? heldBy(s) : prepaid;
    const back = held > toProvider ? held - toProvider : 0n;
    run({
      title: running ? `End rental #${id} early` : `Withdraw booking #${id}`,
      details: [
        ['Rental', `${rentalWhat(row)} · ${hoursText(r.hours, hourMs)}`],
        ['Prepaid', m(prepaid)],
        ['Paid so far', running ? `≈ ${m(accrued, false)}` : 'nothing (not started)'],
        ['Minimum charge', minChargeText(market, r, native)],
        ['More to the provider', `${running ? '≈ ' : ''}${m(toProvider, !running)}${toProvider > (s ? claimableAt(s, now) : 0n) ? ' (its minimum charge)' : ''}`],
        ['Back to you', `${running ? '≈ ' : ''}${m(back, !running)}, to your vault credit`],
      ],
      steps: [step(running ? 'End the rental and take back the unused time' : 'Withdraw the booking', market.compute, 'compute', account, 'endEarly', [id])],
      done: (res) => {
        const settled = market.vault.events.EscrowSettled.find(res[0].events)?.data;
        if (!settled) return `Rental #${id} ended (block #${res[0].blockNumber}).`;
        const paidEnd = settled.toPayee + settled.fee + settled.royalties;
        return `Rental #${id} ${running ? 'ended early' : 'withdrawn'} in block #${res[0].blockNumber}: the provider gets ${m(paidEnd)} more, ${m(settled.refund)} is back in your vault credit.`;
      },
    });
  };
  const extendBy = () => {
    const n = Number(extra);
    const cost = rentalCost(r.pricePerGpuHour, r.gpus, Number.isInteger(n) ? n : 0);
    run({
      title: `Extend rental #${id}`,
      details: [
        ['Rental', rentalWhat(row)],
        ['Now', hoursText(r.hours, hourMs)],
        ['Adds', hoursText(n, hourMs)],
        ['Most allowed', `${r.maxHours} h`],
        ['Amount', m(cost)],
      ],
      steps: [step(`Add ${n} h`, market.compute, 'compute', account, 'extend', [id, Number.isInteger(n) && n >= 0 ? n : 0], r.asset.type === 'Native' ? cost : undefined)],
      done: () => `Rental #${id} now runs ${hoursText(r.hours + n, hourMs)}.`,
    });
  };
  const cancel = () =>
    run({
      title: `Cancel rental #${id} (no-show)`,
      details: [
        ['Rental', rentalWhat(row)],
        ['Start was due', relativeTime(r.startBy, now)],
        ['Refund', m(prepaid)],
        ['Penalty to you', m(r.noShowPenalty)],
      ],
      steps: [step('Cancel: the provider did not start it in time', market.compute, 'compute', account, 'cancelNoShow', [id])],
      done: () => `Rental #${id} cancelled: ${m(prepaid + r.noShowPenalty)} is in your vault credit.`,
    });
  const settle = () =>
    run({
      title: `Settle rental #${id}`,
      details: [
        ['Rental', rentalWhat(row)],
        [
          'Effect',
          disputed && r.status !== 'Ended'
            ? 'its stream is frozen by a dispute: the GPUs go back to the provider now, and the rental closes once the dispute is decided'
            : 'close the rental and record its outcome in the provider’s reputation',
        ],
      ],
      steps: [step(disputed && r.status !== 'Ended' ? 'Give the GPUs of the disputed rental back' : 'Close the rental and record its outcome', market.compute, 'compute', account, 'settle', [id])],
      done: () => (disputed && r.status !== 'Ended' ? `Rental #${id} ended: its GPUs are free again; it closes once the dispute is decided.` : `Rental #${id} is settled.`),
    });

  return (
    <article className="card rental" data-testid={`rental-${id}`}>
      <div className="card-head">
        <div>
          <h3>
            <span className="muted">#{String(id)}</span> {rentalWhat(row)}
          </h3>
          <div className="small muted">
            {hoursText(r.hours, hourMs)} at {m(r.pricePerGpuHour)} / GPU-hour · offer #{String(r.offerId)} · stream #{String(r.escrowId)}
          </div>
        </div>
        <RentalStatus r={r} escrowState={row.escrowState} />
      </div>
      {disputed && (
        <p className="warn-text" data-testid="rental-frozen">
          {r.status === 'Ended'
            ? 'Its stream is frozen by a dispute and its GPUs are back with the provider; the rental closes once the dispute is ruled (or its ruling deadline passes).'
            : 'Its stream is frozen by a dispute: nothing more accrues. Anyone may settle it now to give the GPUs back; it closes once the dispute is decided.'}
        </p>
      )}
      {booked && !disputed && (
        <p className={windowPassed ? 'warn-text' : ''} data-testid="rental-starts-by">
          {windowPassed
            ? `The provider did not start it in time (due ${relativeTime(r.startBy, now)}): cancel it for a full refund plus ${m(r.noShowPenalty)}.`
            : `Waiting for the provider: starts by ${new Date(Number(r.startBy)).toLocaleTimeString()} (${relativeTime(r.startBy, now)}).`}
        </p>
      )}
      {(running || r.status === 'Ended') && s && (
        <div className="accrual" data-testid="rental-accrual">
          <Bar part={accrued} whole={prepaid} testid="rental-bar" />
          <div className="accrual-row">
            <span data-testid="rental-paid-so-far">
              <strong>{m(accrued, false)}</strong> paid so far / {m(prepaid)} prepaid
            </span>
            <span className="muted" data-testid="rental-ends">
              {end !== undefined ? (over ? `ended ${relativeTime(end, now)}` : `ends ${relativeTime(end, now)}`) : ''}
            </span>
          </div>
        </div>
      )}
      <div className="actions">
        {(running || booked) && !disputed && !over && !windowPassed && (
          <button className="secondary small" onClick={endEarly} data-testid={`end-early-${id}`}>
            {running ? 'End early' : 'Withdraw booking'}
          </button>
        )}
        {(running || booked) && !disputed && !over && !windowPassed && r.hours < r.maxHours && (
          <span className="rate">
            <input value={extra} onChange={(e) => setExtra(e.target.value.replace(/[^0-9]/g, ''))} data-testid={`extend-hours-${id}`} />
            <span className="small muted">h</span>
            <button className="secondary small" onClick={extendBy} data-testid={`extend-${id}`}>
              Extend
            </button>
          </span>
        )}
        {windowPassed && !disputed && (
          <button className="primary small" onClick={cancel} data-testid={`cancel-no-show-${id}`}>
            Cancel no-show
          </button>
        )}
        {(((running || booked) && disputed) || (running && over && !disputed) || (r.status === 'Ended' && !disputed)) && (
          <button className="primary small" onClick={settle} data-testid={`settle-${id}`}>
            Settle
          </button>
        )}
      </div>
    </article>
  );
}
