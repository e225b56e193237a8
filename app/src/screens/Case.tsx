import { useState } from 'react';
import { bps, dryRun, duration, estimateReveal, randomSalt, Refused, relativeTime, revealVote, short, type Estimate, type EscrowRecord, type Sent } from '../../../client/src/index.js';
import type { DisputeDaoRoundInfo, DisputeDaoVote } from '../../../client/src/contracts/dispute-dao/types.js';
import { step, useAction, type Step } from '../actions.js';
import { Bar, useNow } from '../compute.js';
import { choicesFor, escrowKind, findSecret, keepSecret, labelFor, mmt, partyOf, PhasePill, phaseCountdown, quorumMet, quorumNeeded, quorumRule, type CaseView, type EscrowKind } from '../dao.js';
import { useApp } from '../market.js';
import { amount, useLoad } from '../util.js';

/** One case: phase and countdown, rounds, tallies, the juror's vote, appeal, execution, outcome. */
export function CasePage({ caseId, onBack }: { caseId: bigint; onBack: () => void }) {
  const { market, account, version, native } = useApp();
  const now = useNow(500);
  const caller = account?.address ?? market.deployment.deployer;
  const data = useLoad(async () => {
    const v = (await dryRun(market.dao, caller, 'case', [caseId])).value;
    if (!v) return null;
    const id = v.id;
    const round = v.case.round;
    const [rec, tallies, rounds, mine] = await Promise.all([
      dryRun(market.vault, caller, 'vaultArbiterEscrow', [v.case.escrow]).then((r) => r.value),
      Promise.all(choicesFor(v).map(async (c) => [c, (await dryRun(market.dao, caller, 'tally', [id, round, c])).value.weight] as const)),
      Promise.all(Array.from({ length: round }, (_, r) => dryRun(market.dao, caller, 'roundInfo', [id, r]).then((x) => x.value))),
      account
        ? Promise.all([
            dryRun(market.dao, caller, 'weightOnCase', [id, caller]).then((r) => r.value),
            Promise.all(Array.from({ length: round + 1 }, (_, r) => dryRun(market.dao, caller, 'voteOf', [id, r, caller]).then((x) => x.value))),
          ])
        : undefined,
    ]);
    return { v, rec, tallies, rounds, weight: mine?.[0], votes: mine?.[1] ?? [], caller };
  }, [caseId, caller, version]);

  const back = (
    <button className="link" onClick={onBack} data-testid="case-back">
      ← All disputes
    </button>
  );
  if (data.error) return <section>{back}<div className="error-box">{data.error}</div></section>;
  if (data.data === null) return <section>{back}<div className="empty">There is no case #{String(caseId)}.</div></section>;
  if (!data.data) return <section>{back}<div className="empty"><span className="spinner" /> Loading case #{String(caseId)}…</div></section>;

  const { v, rec, tallies, rounds, weight, votes } = data.data;
  // For tests and for the eye: which account the page shows, and whether it is re-reading.
  const shownFor = account ? data.data.caller : '';
  const kind = escrowKind(market, rec, v.case.collateral !== undefined);
  const party = partyOf(v, account?.address);
  const held = rec ? heldOf(rec) : undefined;
  const asset = v.case.asset;
  const running = v.phase === 'Commit' || v.phase === 'Reveal' || v.phase === 'Appeal';
  const totalRevealed = v.roundInfo.revealedWeight;

  return (
    <section data-testid={`case-${v.id}`} data-for={shownFor} data-loading={data.loading ? '' : undefined}>
      {back}
      <div className="section-head">
        <div>
          <h2>
            Case #{String(v.id)} <span className="muted">· {kind.what} · escrow #{String(v.case.escrow)}</span>
          </h2>
          <p className="muted">
            {kind.payer} <span className="mono">{short(v.case.payer.address())}</span> against {kind.payee} <span className="mono">{short(v.case.payee.address())}</span>
            {party && <span className="pill pill-you">you are the {party === 'payer' ? kind.payer : kind.payee}</span>}
          </p>
        </div>
        <div className="case-status">
          <PhasePill phase={v.phase} status={v.case.status} />
          {v.phase !== 'Closed' && (
            <div className={running && now >= v.phaseEnds ? 'small warn-text' : 'small muted'} data-testid="case-countdown">
              {phaseCountdown(v, now)}
            </div>
          )}
        </div>
      </div>

      <Outcome v={v} kind={kind} rec={rec} />

      <div className="two-col">
        <div>
          <div className="card">
            <h3>
              Round {v.case.round + 1} of {v.case.jury.rounds}
            </h3>
            <PhaseTrack v={v} now={now} />
            <dl className="kv compact facts">
              {rec?.state === 'Settled' ? (
                <div>
                  <dt>Vault escrow</dt>
                  <dd data-testid="case-escrow-settled">
                    settled · {rec.settlement?.reason ?? '—'} · {bps(rec.settlement?.payeeShareBps ?? 0)} to the {kind.payee}
                  </dd>
                </div>
              ) : (
                <div>
                  <dt>Frozen in the vault</dt>
                  <dd data-testid="case-frozen">{held !== undefined ? amount(market, held, asset, native) : '—'}</dd>
                </div>
              )}
              <div>
                <dt>Stake snapshotted</dt>
                <dd>{mmt(market, v.case.totalStake)}</dd>
              </div>
              <div>
                <dt>Quorum this round</dt>
                <dd data-testid="case-quorum">
                  {mmt(market, quorumNeeded(v))} revealed <span className="muted small">({quorumRule(market, v)})</span>
                </dd>
              </div>
              <div>
                <dt>Votes</dt>
                <dd data-testid="case-votes">
                  {v.roundInfo.commits} committed · {v.roundInfo.reveals} revealed ({mmt(market, totalRevealed)})
                </dd>
              </div>
              <div>
                <dt>Stake at risk per vote</dt>
                <dd>{bps(v.case.jury.penaltyBps)} of the juror’s weight</dd>
              </div>
              {v.case.collateral !== undefined && (
                <div>
                  <dt>A slash moves</dt>
                  <dd>{bps(v.case.jury.slashBps)} of the frozen amount from the {kind.payee}’s collateral, to the {kind.payer}</dd>
                </div>
              )}
              {v.case.status.type === 'Open' && (
                <div>
                  <dt>Vault ruling deadline</dt>
                  <dd>{relativeTime(v.case.rulingDeadline, now)}</dd>
                </div>
              )}
            </dl>
          </div>
          <Tallies v={v} kind={kind} tallies={tallies} />
          {rounds.length > 0 && <EarlierRounds rounds={rounds} kind={kind} />}
        </div>
        <div>
          <YourPart v={v} kind={kind} party={party} weight={weight} votes={votes} now={now} />
          {party && v.case.status.type === 'Open' && <EvidenceCard v={v} />}
        </div>
      </div>
    </section>
  );
}

/** What the escrow holds (an order's amount; a stream's deposit minus what was claimed). */
function heldOf(rec: EscrowRecord): bigint {
  if (rec.terms.type === 'Order') return rec.terms.value[0];
  const [, , , , deposit, paidOut] = rec.terms.value;
  return deposit - paidOut;
}

function PhaseTrack({ v, now }: { v: CaseView; now: bigint }) {
  const j = v.case.jury;
  const m = BigInt(v.case.round + 1);
  const start = v.case.roundStart;
  const commitEnd = start + j.commitMs * m;
  const revealEnd = commitEnd + j.revealMs * m;
  const last = v.case.round + 1 >= j.rounds;
  const appealEnd = last ? revealEnd : revealEnd + j.appealMs * m;
  const stages: [string, bigint, bigint][] = [
    ['Commit', start, commitEnd],
    ['Reveal', commitEnd, revealEnd],
  ];
  if (!last) stages.push(['Appeal', revealEnd, appealEnd]);
  return (
    <div className="phase-track" data-testid="case-track">
      {stages.map(([name, from, to]) => {
        const state = v.phase === name ? 'now' : now >= to || v.phase === 'Executable' || v.phase === 'Closed' ? 'done' : 'later';
        return (
          <div key={name} className={`phase-step ${state}`}>
            <div className="phase-name">{name}</div>
            <div className="small muted">{duration(Number(to - from))}</div>
          </div>
        );
      })}
      <div className={`phase-step ${v.phase === 'Executable' ? 'now' : v.phase === 'Closed' ? 'done' : 'later'}`}>
        <div className="phase-name">Ruling</div>
        <div className="small muted">executed by anyone</div>
      </div>
    </div>
  );
}

function Tallies({ v, kind, tallies }: { v: CaseView; kind: EscrowKind; tallies: (readonly [number, bigint])[] }) {
  const { market } = useApp();
  const total = v.roundInfo.revealedWeight;
  return (
    <div className="card">
      <h3>Tally</h3>
      {total === 0n ? (
        <div className="empty small" data-testid="case-tally-hidden">
          {v.phase === 'Commit' ? 'Votes are hidden until the reveal phase.' : 'No vote revealed in this round.'}
        </div>
      ) : (
        <>
          <p className="small muted">
            {v.case.status.type !== 'Open' ? 'Final tally. ' : ''}
            {quorumMet(v)
              ? 'Quorum reached.'
              : `Quorum not reached${v.case.status.type === 'Open' ? ' yet' : ''} (${mmt(market, quorumNeeded(v))} from ${v.case.jury.minJurors} juror${v.case.jury.minJurors === 1 ? '' : 's'} needed).`}{' '}
            {v.case.status.type === 'Open' ? 'Leading' : 'Most votes'}: <strong data-testid="case-leading">{v.leading !== undefined ? labelFor(v.leading, kind) : '—'}</strong>
          </p>
          <table className="table tight" data-testid="case-tally">
            <tbody>
              {tallies
                .filter(([, w]) => w > 0n)
                .map(([c, w]) => (
                  <tr key={c} className={c === v.leading ? 'leading' : ''} data-testid={`tally-${c}`}>
                    <td>{labelFor(c, kind)}</td>
                    <td style={{ width: '40%' }}>
                      <Bar part={w} whole={total} />
                    </td>
                    <td className="num">{mmt(market, w)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function EarlierRounds({ rounds, kind }: { rounds: DisputeDaoRoundInfo[]; kind: EscrowKind }) {
  const { market } = useApp();
  return (
    <div className="card">
      <h3>Earlier rounds</h3>
      <table className="table tight">
        <tbody>
          {rounds.map((r, i) => (
            <tr key={i}>
              <td>Round {i + 1}</td>
              <td className="small">
                {r.commits} committed · {r.reveals} revealed
              </td>
              <td>{r.ruling !== undefined ? labelFor(r.ruling, kind) : 'no quorum'}</td>
              <td className="small muted">{r.appeal ? `appealed by ${short(r.appeal[0].address())} (${mmt(market, r.appeal[1])} bond)` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Outcome({ v, kind, rec }: { v: CaseView; kind: EscrowKind; rec?: EscrowRecord }) {
  const s = v.case.status;
  if (s.type === 'Open') return null;
  if (s.type === 'NoQuorum') {
    return (
      <div className="outcome warn" data-testid="case-outcome">
        <strong>No ruling:</strong> the first round missed its quorum. The vault’s own fallback decides the escrow
        {rec?.settlement ? ` — settled (${rec.settlement.reason}).` : ' once its ruling deadline passes (anyone may apply it at the vault).'} A disputer’s forfeited bond then goes to the other
        party, whose money was frozen, never to the treasury.
      </div>
    );
  }
  const [choice, applied] = s.value;
  return (
    <div className="outcome" data-testid="case-outcome">
      <div className="outcome-title">
        Ruled: <strong data-testid="case-ruling">{labelFor(choice, kind)}</strong>
      </div>
      <div className="small">
        {applied
          ? `Executed at the vault: the ${kind.payee} gets ${bps(rec?.settlement?.payeeShareBps ?? 0)} of what was frozen, the ${kind.payer} the rest${choice >= 5 ? `, and the ${kind.payee}’s collateral was slashed to the ${kind.payer}` : ''}.`
          : `The ${kind.payee} had refunded the escrow during the dispute (everything frozen went back to the ${kind.payer})${choice >= 5 ? `; the slash still applied to the collateral the vault held for the case` : ''}. Jurors settle their votes all the same.`}{' '}
        Jurors settle their votes in the Jury tab.
      </div>
    </div>
  );
}

function YourPart({
  v,
  kind,
  party,
  weight,
  votes,
  now,
}: {
  v: CaseView;
  kind: EscrowKind;
  party?: 'payer' | 'payee';
  weight?: bigint;
  votes: (DisputeDaoVote | undefined)[];
  now: bigint;
}) {
  const { market, account, native } = useApp();
  const { run } = useAction();
  const choices = choicesFor(v);
  // Defaults to an even split without a slash: a juror picks deliberately from there.
  const [choice, setChoice] = useState<number>(2);
  const [manual, setManual] = useState({ choice: '0', salt: '' });
  if (!account) return <div className="card empty small">Choose an account to vote, appeal or add evidence.</div>;
  const me = account.address;
  const id = v.id;
  const round = v.case.round;
  const vote = votes[round];
  const secret = vote ? findSecret(me, id, round, vote.commitment) : undefined;
  const pendingSettle = votes.map((vt, r) => [r, vt] as const).filter(([, vt]) => vt && !vt.settled && !vt.voided) as [number, DisputeDaoVote][];

  const commit = () => {
    // A fresh salt per attempt; the secret is kept under its commitment before anything is sent.
    const salt = randomSalt();
    const commitment = keepSecret(me, id, round, { choice, salt });
    run({
      title: `Commit your vote on case #${id}`,
      details: [
        ['Your choice', `${labelFor(choice, kind)} (hidden until you reveal)`],
        ['Weight', weight !== undefined ? mmt(market, weight) : '—'],
        ['At risk', weight !== undefined ? `${mmt(market, (weight * BigInt(v.case.jury.penaltyBps)) / 10_000n)} (${bps(v.case.jury.penaltyBps)}; back with a reward if you vote with the final ruling)` : '—'],
        ['Salt', 'generated and kept in this browser for the reveal'],
      ],
      steps: [step('Commit the hidden vote', market.dao, 'dao', account, 'commitVote', [id, commitment])],
      done: () => `Vote committed on case #${id}. Come back in the reveal phase (${relativeTime(v.phaseEnds, now)}) to reveal it: nothing to retype.`,
    });
  };
  // The client's guarded reveal: both the estimate and the send read the case's phase at
  // the current block first, and refuse (NotRevealPhase, naming the phase) before the
  // choice and salt leave this browser — a reveal that fails on chain still publishes
  // them, and anyone could then denounce the vote.
  const revealStep = (c: number, salt: `0x${string}`): Step => ({
    label: 'Reveal the vote',
    call: 'dao.revealVote',
    estimate: () => estimateReveal(market.dao, me, id, c, salt, { withFee: true }) as Promise<Estimate<unknown>>,
    execute: () => revealVote(market.dao, account, id, c, salt) as Promise<Sent<unknown>>,
  });
  const reveal = (c: number, salt: `0x${string}`) =>
    run({
      title: `Reveal your vote on case #${id}`,
      details: [
        ['Your choice', labelFor(c, kind)],
        ['Weight', vote ? mmt(market, vote.weight) : '—'],
      ],
      steps: [revealStep(c, salt)],
      done: () => `Vote revealed on case #${id}: ${labelFor(c, kind)}.`,
    });
  const appeal = () => {
    const bond = v.appealBond ?? 0n;
    const title = `Appeal the ruling of case #${id}`;
    const details: [string, string][] = [
      ['Ruling appealed', v.leading !== undefined ? labelFor(v.leading, kind) : '—'],
      ['Bond', `${mmt(market, bond)} (back if the final ruling changes; to the jurors if it stands)`],
      ['Next round', `${v.case.round + 2} of ${v.case.jury.rounds}: longer phases, a higher quorum`],
    ];
    const appealStep = step('Appeal and post the bond', market.dao, 'dao', account, 'appeal', [id]);
    run(async () => {
      const allowance = (await dryRun(market.token, me, 'psp22Allowance', [me, market.dao.address])).value;
      if (allowance >= bond) return { title, details: [...details, ['Approval', 'already in place']], steps: [appealStep], done: () => `Case #${id} goes to round ${v.case.round + 2}.` };
      return {
        title,
        details,
        steps: [step(`Approve the DAO for the ${mmt(market, bond)} bond`, market.token, 'token', account, 'psp22Approve', [market.dao.address, bond]), appealStep],
        sequential: true,
        precheck: async () => {
          try {
            await dryRun(market.dao, me, 'appeal', [id]);
          } catch (err) {
            if (!(err instanceof Refused && err.code.startsWith('Token(InsufficientAllowance'))) throw err;
          }
        },
        done: () => `Case #${id} goes to round ${v.case.round + 2}.`,
      };
    });
  };
  const execute = () =>
    run({
      title: `Execute the ruling of case #${id}`,
      details: [
        ['Ruling', quorumMet(v) && v.leading !== undefined ? labelFor(v.leading, kind) : 'as final (the last round with quorum, or the vault’s fallback)'],
        ['At the vault', 'splits the frozen amount (and slashes, if ruled); fixes the jurors’ pool'],
      ],
      steps: [step('Execute the final ruling', market.dao, 'dao', account, 'executeRuling', [id])],
      done: (res) => {
        const ex = market.dao.events.RulingExecuted.find(res[0].events)?.data;
        if (ex) {
          return `Case #${id} ruled: ${labelFor(ex.choice, kind)}${ex.slashed > 0n ? `; ${amount(market, ex.slashed, v.case.asset, native)} of collateral slashed to the ${kind.payer}` : ''}${ex.holdReleased ? `; the vault let go of the ${kind.payee}’s collateral it held for the case` : ''}. Jurors’ pool: ${mmt(market, ex.pool)}.`;
        }
        const fell = market.dao.events.CaseFellBack.find(res[0].events)?.data;
        return `Case #${id} closed without a ruling: the vault’s fallback decides the escrow${fell?.vaultFallbackApplied ? ' (applied now)' : ''}${fell?.holdReleased ? `, and the ${kind.payee}’s collateral it held is free again` : ''}.`;
      },
    });
  const settle = (r: number) =>
    run({
      title: `Settle your round ${r + 1} vote on case #${id}`,
      steps: [step('Settle the vote', market.dao, 'dao', account, 'settleVote', [id, r, me])],
      done: (res) => {
        const s = market.dao.events.VoteSettled.find(res[0].events)?.data;
        return s ? `Vote settled (${s.outcome}): ${mmt(market, s.returned)} back in your stake, ${mmt(market, s.reward)} reward credited, ${mmt(market, s.forfeited)} forfeited.` : 'Vote settled.';
      },
    });

  return (
    <div className="card" data-testid="case-you">
      <h3>Your part</h3>
      {party && (
        <p className="small muted" data-testid="case-party-note">
          {v.case.status.type === 'Open'
            ? `You are the ${party === 'payer' ? kind.payer : kind.payee}: you cannot vote on your own case, but you can add evidence and appeal a ruling that does not fully favour you.`
            : `You were the ${party === 'payer' ? kind.payer : kind.payee} in this case; the vault has paid out by its outcome (withdraw your vault credit in Seller → Credits).`}
        </p>
      )}
      {!party && weight !== undefined && !vote && v.case.status.type === 'Open' && (
        <p className="small" data-testid="case-weight">
          Your vote weight here: <strong>{mmt(market, weight)}</strong>
          {weight === 0n && <span className="muted"> (no stake before the case opened)</span>}
        </p>
      )}

      {v.phase === 'Commit' && !vote && (
        <div className="vote-box" data-testid="commit-box">
          <label>
            Your ruling
            <select value={choice} onChange={(e) => setChoice(Number(e.target.value))} data-testid="commit-choice">
              {choices.map((c) => (
                <option key={c} value={c}>
                  {labelFor(c, kind)}
                </option>
              ))}
            </select>
          </label>
          <button className="primary" onClick={commit} data-testid="commit-vote">
            Commit hidden vote
          </button>
          <p className="small muted">A random salt hides your choice until the reveal; this browser keeps it, so revealing needs no retyping.</p>
        </div>
      )}
      {vote && vote.revealed === undefined && !vote.voided && (
        <div className="vote-box" data-testid="my-vote">
          <div>
            You committed a hidden vote with weight {mmt(market, vote.weight)} ({mmt(market, vote.risk)} at risk).
            {secret && <span className="muted"> This browser kept it: {labelFor(secret.choice, kind)}.</span>}
          </div>
          {v.phase === 'Reveal' && secret && (
            <button className="primary" onClick={() => reveal(secret.choice, secret.salt)} data-testid="reveal-vote">
              Reveal: {labelFor(secret.choice, kind)}
            </button>
          )}
          {v.phase === 'Commit' && <p className="small muted">Reveal it in the reveal phase, {relativeTime(v.phaseEnds, now)}.</p>}
          {v.phase === 'Reveal' && !secret && (
            <div className="manual-reveal" data-testid="manual-reveal">
              <p className="small warn-text">This browser does not hold the salt of this vote: enter the choice and salt you committed with.</p>
              <div className="row">
                <select value={manual.choice} onChange={(e) => setManual({ ...manual, choice: e.target.value })}>
                  {choices.map((c) => (
                    <option key={c} value={c}>
                      {labelFor(c, kind)}
                    </option>
                  ))}
                </select>
                <input className="mono grow" placeholder="0x… salt" value={manual.salt} onChange={(e) => setManual({ ...manual, salt: e.target.value.trim() })} />
                <button className="primary small" disabled={!/^0x[0-9a-fA-F]{64}$/.test(manual.salt)} onClick={() => reveal(Number(manual.choice), manual.salt as `0x${string}`)}>
                  Reveal
                </button>
              </div>
            </div>
          )}
        </div>
      )}
      {vote?.revealed !== undefined && (
        <div className="vote-box" data-testid="my-vote">
          <div>
            You revealed <strong>{labelFor(vote.revealed, kind)}</strong> with weight {mmt(market, vote.weight)}.
          </div>
        </div>
      )}
      {vote?.voided && <div className="error-box small">Your vote in this round was denounced and is void.</div>}

      {v.phase === 'Appeal' && (
        <div className="vote-box">
          <div className="small">
            The round ruled <strong>{v.leading !== undefined ? labelFor(v.leading, kind) : '—'}</strong>. A party it does not fully favour may appeal until{' '}
            {new Date(Number(v.phaseEnds)).toLocaleTimeString()} ({relativeTime(v.phaseEnds, now)}).
          </div>
          {party && (
            <button className="secondary" onClick={appeal} data-testid="appeal">
              Appeal · bond {mmt(market, v.appealBond ?? 0n)}
            </button>
          )}
        </div>
      )}
      {v.phase === 'Executable' && (
        <div className="vote-box">
          <div className="small">The case is final. Anyone may execute the ruling at the vault.</div>
          <button className="primary" onClick={execute} data-testid="execute-ruling">
            Execute ruling
          </button>
        </div>
      )}
      {v.case.status.type !== 'Open' &&
        pendingSettle.map(([r]) => (
          <div className="vote-box" key={r}>
            <div className="small">Your round {r + 1} vote is not settled yet.</div>
            <button className="secondary small" onClick={() => settle(r)} data-testid={`case-settle-${r}`}>
              Settle it
            </button>
          </div>
        ))}
    </div>
  );
}

function EvidenceCard({ v }: { v: CaseView }) {
  const { market, account } = useApp();
  const { run } = useAction();
  const [uri, setUri] = useState('');
  if (!account) return null;
  const submit = () =>
    run({
      title: `Add evidence to case #${v.id}`,
      details: [['Evidence', uri.trim() || '—']],
      steps: [step('Submit the evidence link', market.dao, 'dao', account, 'submitEvidence', [v.id, uri.trim()])],
      done: () => {
        setUri('');
        return `Evidence added to case #${v.id}: jurors see it in the case’s events.`;
      },
    });
  return (
    <div className="card">
      <h3>Evidence</h3>
      <p className="small muted">Link a document (IPFS, https, …) that supports your side; it is recorded on chain as an event of the case (at most 128 bytes).</p>
      <div className="row">
        <input className="grow" placeholder="ipfs://…" value={uri} onChange={(e) => setUri(e.target.value)} data-testid="evidence-uri" />
        <button className="secondary" onClick={submit} data-testid="evidence-submit">
          Add evidence
        </button>
      </div>
    </div>
  );
}
