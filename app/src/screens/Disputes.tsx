import { useState } from 'react';
import { bps, chainNow, dryRun, Refused, relativeTime, short, type EscrowRecord } from '../../../client/src/index.js';
import type { EscrowOpenEscrow } from '../../../client/src/contracts/escrow/types.js';
import { step, useAction } from '../actions.js';
import { useNow } from '../compute.js';
import { escrowKind, labelFor, loadCases, mmt, partyOf, PhasePill, phaseCountdown, type CaseView } from '../dao.js';
import { useApp } from '../market.js';
import { amount, useLoad } from '../util.js';
import { CasePage } from './Case.js';

/**
 * Disputes: a party's open escrows (dispute one at the vault with its bond, then open a
 * case at the DAO with evidence), and every case with its phase. A case opens its page.
 */
export function DisputesScreen({ caseId, onCase }: { caseId?: bigint; onCase: (id?: bigint) => void }) {
  if (caseId !== undefined) return <CasePage caseId={caseId} onBack={() => onCase(undefined)} />;
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>Disputes</h2>
          <p className="muted">
            A buyer or renter (or the seller or provider) who disagrees freezes the escrow at the vault with a bond, then puts the dispute before the DAO’s jury with evidence.
            Staked jurors vote in secret, reveal, and the ruling splits what the escrow holds.
          </p>
        </div>
      </div>
      <MyEscrows onCase={onCase} />
      <CaseList onCase={onCase} />
    </section>
  );
}

interface EscrowRow {
  e: EscrowOpenEscrow;
  rec?: EscrowRecord;
  bond?: bigint;
  caseId?: bigint;
}

function MyEscrows({ onCase }: { onCase: (id?: bigint) => void }) {
  const { market, account, version } = useApp();
  const now = useNow(1_000);
  const data = useLoad(async () => {
    if (!account) return undefined;
    const me = account.address;
    const open: EscrowOpenEscrow[] = [];
    let cursor: bigint | undefined = 0n;
    while (cursor !== undefined && open.length < 200) {
      const page: { items: EscrowOpenEscrow[]; next?: bigint } = (await dryRun(market.vault, me, 'openEscrows', [me, cursor, 50])).value;
      open.push(...page.items);
      cursor = page.items.length === 0 ? undefined : page.next;
    }
    open.reverse();
    const rows: EscrowRow[] = await Promise.all(
      open.map(async (e) => {
        const [rec, bond, caseId] = await Promise.all([
          dryRun(market.vault, me, 'vaultArbiterEscrow', [e.id]).then((r) => r.value),
          dryRun(market.vault, me, 'requiredBond', [e.id]).then((r) => r.value),
          dryRun(market.dao, me, 'caseOfEscrow', [e.id]).then((r) => r.value),
        ]);
        return { e, rec, bond, caseId };
      }),
    );
    return { rows, chainNow: await chainNow(market.client) };
  }, [account?.address, version]);

  if (!account) return <div className="empty">Choose an account in the header to see the escrows you are a party to.</div>;
  return (
    <div className="card">
      <h3>Your open escrows</h3>
      <p className="muted small">License orders and GPU rentals you pay or are paid by, while the vault holds their money.</p>
      {data.error && <div className="error-box">{data.error}</div>}
      {data.data && data.data.rows.length === 0 && <div className="empty small">No open escrows: nothing to dispute.</div>}
      {data.data && data.data.rows.length > 0 && (
        <table className="table tight" data-testid="dispute-escrows">
          <thead>
            <tr>
              <th>Escrow</th>
              <th>What</th>
              <th>You</th>
              <th>Other side</th>
              <th className="num">Held</th>
              <th>State</th>
              <th>Next deadline</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.data.rows.map((r) => (
              <EscrowLine key={String(r.e.id)} row={r} now={now} onCase={onCase} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function EscrowLine({ row, now, onCase }: { row: EscrowRow; now: bigint; onCase: (id?: bigint) => void }) {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const [uri, setUri] = useState('');
  const { e, rec, bond, caseId } = row;
  const kind = escrowKind(market, rec);
  const me = account?.address;
  const other = rec ? (e.role === 'Payer' ? rec.payee : rec.payer).address() : undefined;
  const held = amount(market, e.held, e.asset, native);
  if (!account || !me) return null;

  const dispute = () => {
    if (bond === undefined) return;
    const bondText = amount(market, bond, e.asset, native);
    const title = `Dispute escrow #${e.id}`;
    const details: [string, string][] = [
      ['Escrow', `#${e.id} · ${kind.what}${rec ? ` #${rec.context}` : ''}`],
      ['Held', `${held} (frozen until the ruling)`],
      ['Bond', `${bondText} (${bps(market.deployment.params.bondBps)} of what is at stake; back to you if your side gets at least half)`],
      ['Then', 'open a case for the DAO’s jury with your evidence'],
    ];
    const disputeStep = (value?: bigint) => step('Freeze the escrow and post the bond', market.vault, 'vault', account, 'dispute', [e.id], value);
    const done = () => `Escrow #${e.id} is disputed and frozen (${bondText} bond). Open a case for the jury next.`;
    if (e.asset.type === 'Native') {
      run({ title, details, steps: [disputeStep(bond)], done });
      return;
    }
    run({
      title,
      details,
      steps: [step(`Approve the vault for the ${bondText} bond`, market.token, 'token', account, 'psp22Approve', [market.vault.address, bond]), disputeStep()],
      sequential: true,
      precheck: async () => {
        try {
          await dryRun(market.vault, me, 'dispute', [e.id]);
        } catch (err) {
          if (!(err instanceof Refused && err.code.startsWith('Token(InsufficientAllowance'))) throw err;
        }
      },
      done,
    });
  };

  // Opening a case costs the DAO's case fee in its stake token (into the jurors' reward
  // reserve), which the DAO pulls: approve it first when the allowance is short, then
  // open — each step dry-run before it is signed (the opening once the approval is in).
  const openCase = () => {
    const evidence = uri.trim();
    const title = `Open a case for escrow #${e.id}`;
    const openStep = step('Open the case with your evidence', market.dao, 'dao', account, 'openCase', [e.id, evidence]);
    const done = (r: { value: unknown }[]) => {
      setUri('');
      return `Case #${String(r[r.length - 1].value)} is open: jurors commit their votes now.`;
    };
    run(async () => {
      const [jury, allowance, balance] = await Promise.all([
        dryRun(market.dao, me, 'config', []).then((c) => c.value.jury),
        dryRun(market.token, me, 'psp22Allowance', [me, market.dao.address]).then((r) => r.value),
        dryRun(market.token, me, 'psp22BalanceOf', [me]).then((r) => r.value),
      ]);
      const fee = jury.caseFee;
      const details: [string, string][] = [
        ['Escrow', `#${e.id} · ${kind.what} · ${held} frozen`],
        ['Evidence', evidence || '—'],
        ['Case fee', `${mmt(market, fee)} (you hold ${mmt(market, balance)}); it goes to the jurors’ reward reserve, which pays this case’s ${mmt(market, jury.jurorReward)} reward`],
        ['Jury', 'staked members vote in secret, then reveal; the ruling splits the frozen amount'],
      ];
      if (fee === 0n || allowance >= fee) {
        return { title, details: [...details, ['Approval', fee === 0n ? 'none needed' : 'already in place']], steps: [openStep], done };
      }
      return {
        title,
        details,
        steps: [step(`Approve the DAO for the ${mmt(market, fee)} case fee`, market.token, 'token', account, 'psp22Approve', [market.dao.address, fee]), openStep],
        sequential: true,
        // Everything but the fee's allowance must already hold: a refusal for another
        // reason (not a party, no dispute, a ruling deadline too close) stops here.
        precheck: async () => {
          try {
            await dryRun(market.dao, me, 'openCase', [e.id, evidence]);
          } catch (err) {
            if (!(err instanceof Refused && err.code.startsWith('Token(InsufficientAllowance'))) throw err;
          }
        },
        done,
      };
    });
  };

  const disputed = e.state === 'Disputed';
  return (
    <tr data-testid={`dispute-escrow-${e.id}`}>
      <td className="muted">#{String(e.id)}</td>
      <td>
        {kind.what}
        {rec && <span className="muted small"> #{String(rec.context)}</span>}
      </td>
      <td>
        <span className="pill pill-you">{e.role === 'Payer' ? kind.payer : kind.payee}</span>
      </td>
      <td className="mono">{other ? short(other) : '…'}</td>
      <td className="num">{held}</td>
      <td>
        <span className={`pill pill-${e.state.toLowerCase()}`} data-testid="dispute-escrow-state">
          {e.state}
        </span>
      </td>
      <td className="small">{disputed && rec?.dispute ? `ruling due ${relativeTime(rec.dispute.rulingDeadline, now)}` : e.nextDeadline > 0n ? relativeTime(e.nextDeadline, now) : '—'}</td>
      <td className="right">
        {caseId !== undefined ? (
          <button className="secondary small" onClick={() => onCase(caseId)} data-testid={`escrow-case-${e.id}`}>
            Case #{String(caseId)} →
          </button>
        ) : disputed ? (
          <span className="rate">
            <input className="evidence" placeholder="ipfs://… evidence" value={uri} onChange={(ev) => setUri(ev.target.value)} data-testid={`evidence-${e.id}`} />
            <button className="primary small" onClick={openCase} data-testid={`open-case-${e.id}`}>
              Open case
            </button>
          </span>
        ) : bond !== undefined ? (
          <button className="secondary small" onClick={dispute} data-testid={`dispute-${e.id}`}>
            Dispute · bond {amount(market, bond, e.asset, native)}
          </button>
        ) : (
          <span className="small muted">cannot be disputed now</span>
        )}
      </td>
    </tr>
  );
}

function CaseList({ onCase }: { onCase: (id?: bigint) => void }) {
  const { market, account, version } = useApp();
  const now = useNow(1_000);
  const caller = account?.address ?? market.deployment.deployer;
  const data = useLoad(() => loadCases(market, caller), [caller, version]);
  const cases = data.data ?? [];
  return (
    <div className="card">
      <h3>Cases</h3>
      {data.error && <div className="error-box">{data.error}</div>}
      {data.data && cases.length === 0 && <div className="empty small">No case has been opened yet.</div>}
      {cases.length > 0 && (
        <table className="table tight" data-testid="case-list">
          <thead>
            <tr>
              <th>Case</th>
              <th>Escrow</th>
              <th>Parties</th>
              <th>Round</th>
              <th>Phase</th>
              <th>Expires</th>
              <th>Votes</th>
              <th>Leading / ruling</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {cases.map((v) => (
              <CaseRow key={String(v.id)} v={v} now={now} onCase={onCase} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function CaseRow({ v, now, onCase }: { v: CaseView; now: bigint; onCase: (id?: bigint) => void }) {
  const { market, account } = useApp();
  const kind = escrowKind(market, undefined, v.case.collateral !== undefined);
  const party = partyOf(v, account?.address);
  const status = v.case.status;
  const ruling =
    status.type === 'Ruled' ? labelFor(status.value[0], kind) : status.type === 'NoQuorum' ? 'no quorum' : v.leading !== undefined ? `${labelFor(v.leading, kind)} (leading)` : '—';
  return (
    <tr data-testid={`case-row-${v.id}`}>
      <td>
        <strong>#{String(v.id)}</strong>
      </td>
      <td className="muted">#{String(v.case.escrow)}</td>
      <td>
        <span className="mono small">
          {short(v.case.payer.address())} ⇄ {short(v.case.payee.address())}
        </span>
        {party && <span className="pill pill-you">you: {party === 'payer' ? kind.payer : kind.payee}</span>}
      </td>
      <td>
        {v.case.round + 1} / {v.case.jury.rounds}
      </td>
      <td>
        <PhasePill phase={v.phase} status={status} />
      </td>
      <td className="small">{v.phase === 'Commit' || v.phase === 'Reveal' || v.phase === 'Appeal' ? phaseCountdown(v, now) : '—'}</td>
      <td className="small">
        {v.roundInfo.commits} committed · {v.roundInfo.reveals} revealed
      </td>
      <td className="small" data-testid="case-row-ruling">
        {ruling}
      </td>
      <td className="right">
        <button className="secondary small" onClick={() => onCase(v.id)} data-testid={`open-case-page-${v.id}`}>
          Open →
        </button>
      </td>
    </tr>
  );
}
