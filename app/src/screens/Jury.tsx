import { useState } from 'react';
import { dryRun, duration, Refused, relativeTime } from '../../../client/src/index.js';
import type { DisputeDaoVoteView } from '../../../client/src/contracts/dispute-dao/types.js';
import { step, useAction } from '../actions.js';
import { useNow } from '../compute.js';
import { escrowKind, labelFor, loadCases, mmt, parseMmt, partyOf, PhasePill, phaseCountdown, type CaseView } from '../dao.js';
import { useApp } from '../market.js';
import { useLoad } from '../util.js';

/**
 * The juror's view: stake and what it earned or lost, staking and unstaking, the DAO
 * credit, each vote not settled yet with what settling it gives now, and the cases
 * waiting for the juror's vote.
 */
export function JuryScreen({ onCase }: { onCase: (id: bigint) => void }) {
  const { market, account, version } = useApp();
  const now = useNow(1_000);
  const data = useLoad(async () => {
    const caller = account?.address ?? market.deployment.deployer;
    const [config, totals] = await Promise.all([dryRun(market.dao, caller, 'config', []).then((r) => r.value), dryRun(market.dao, caller, 'totals', []).then((r) => r.value)]);
    if (!account) return { config, totals };
    const me = account.address;
    const votes: DisputeDaoVoteView[] = [];
    let cursor: bigint | undefined = 0n;
    while (cursor !== undefined && votes.length < 200) {
      const page: { items: DisputeDaoVoteView[]; next?: bigint } = (await dryRun(market.dao, me, 'votesOf', [me, cursor, 10])).value;
      votes.push(...page.items);
      cursor = page.items.length === 0 ? undefined : page.next;
    }
    const [member, balance, recent] = await Promise.all([
      dryRun(market.dao, me, 'member', [me]).then((r) => r.value),
      dryRun(market.token, me, 'psp22BalanceOf', [me]).then((r) => r.value),
      loadCases(market, me, 50),
    ]);
    const open = recent.filter((c) => (c.phase === 'Commit' || c.phase === 'Reveal') && !partyOf(c, me));
    // The cases of the open votes (for wording their choices: rentals have a provider).
    const known = new Map(recent.map((c) => [c.id, c] as const));
    const caseOf = new Map(
      await Promise.all(
        [...new Set(votes.map((v) => v.case))].map(async (id) => [id, known.get(id) ?? (await dryRun(market.dao, me, 'case', [id])).value] as const),
      ),
    );
    // Open cases where this juror has weight and still has something to do.
    const toVote = (
      await Promise.all(
        open.map(async (c) => {
          const [weight, vote] = await Promise.all([
            dryRun(market.dao, me, 'weightOnCase', [c.id, me]).then((r) => r.value),
            dryRun(market.dao, me, 'voteOf', [c.id, c.case.round, me]).then((r) => r.value),
          ]);
          const todo = c.phase === 'Commit' ? !vote : !!vote && vote.revealed === undefined && !vote.voided;
          return weight > 0n && todo ? { c, weight } : undefined;
        }),
      )
    ).filter((x): x is { c: CaseView; weight: bigint } => !!x);
    return { config, totals, member, balance, votes, toVote, caseOf };
  }, [account?.address, version]);

  const d = data.data;
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>Jury</h2>
          <p className="muted">
            Stake {market.deployment.params.tokenSymbol} to sit on juries and vote on proposals. Each vote puts a share of your stake at risk: voting with the final ruling returns it
            with a reward; voting against it, or not revealing, forfeits it to the jurors who did.
          </p>
        </div>
        {d && (
          <div className="dao-totals small muted" data-testid="dao-totals">
            <div>
              <strong>{mmt(market, d.totals[0], 2)}</strong> staked in the DAO
            </div>
            <div>
              <strong>{mmt(market, d.totals[1], 2)}</strong> reward reserve · {mmt(market, d.config.jury.jurorReward)} per case
            </div>
            <div data-testid="dao-case-fee">
              opening a case costs {mmt(market, d.config.jury.caseFee)} (into the reserve) · quorum min({(d.config.jury.quorumBps / 100).toLocaleString('en-US')} %, {mmt(market, d.config.jury.quorumCap)}) from ≥{' '}
              {d.config.jury.minJurors} jurors
            </div>
          </div>
        )}
      </div>
      {data.error && <div className="error-box">{data.error}</div>}
      {!account && <div className="empty">Choose an account in the header to stake and vote.</div>}
      {account && d && 'member' in d && d.member && (
        <>
          <div className="stat-grid" data-testid="juror-stats">
            <Stat label="Staked" value={mmt(market, d.member.staked)} testid="juror-staked" hint="weighs on cases and proposals opened later" />
            <Stat label="At risk" value={mmt(market, d.member.atRisk)} testid="juror-at-risk" hint={`${d.member.openVotes} open vote${d.member.openVotes === 1 ? '' : 's'}`} />
            <Stat
              label="Unbonding"
              value={mmt(market, d.member.unbonding)}
              testid="juror-unbonding"
              hint={d.member.unbonding > 0n ? (now >= d.member.unbondAt ? 'unlocked: withdraw it' : `unlocks ${relativeTime(d.member.unbondAt, now)}`) : `unbonding takes ${duration(Number(d.config.unbondingMs))}`}
            />
            <Stat label="Credit" value={mmt(market, d.member.credit)} testid="juror-credit" hint="rewards, returned bonds, bounties" />
            <Stat label="Earned" value={mmt(market, d.member.earned)} testid="juror-earned" hint="realised yield, all time" good />
            <Stat label="Lost" value={mmt(market, d.member.lost)} testid="juror-lost" hint="forfeited risk, all time" bad={d.member.lost > 0n} />
          </div>
          <div className="two-col jury">
            <StakeCard balance={d.balance} staked={d.member.staked} unbonding={d.member.unbonding} unbondAt={d.member.unbondAt} credit={d.member.credit} openVotes={d.member.openVotes} now={now} />
            <div>
              <div className="card">
                <h3>Cases waiting for your vote</h3>
                {d.toVote.length === 0 ? (
                  <div className="empty small">Nothing to vote on right now.</div>
                ) : (
                  <table className="table tight" data-testid="juror-to-vote">
                    <tbody>
                      {d.toVote.map(({ c, weight }) => (
                        <tr key={String(c.id)}>
                          <td>
                            <strong>Case #{String(c.id)}</strong>
                          </td>
                          <td>
                            <PhasePill phase={c.phase} />
                          </td>
                          <td className="small">{phaseCountdown(c, now)}</td>
                          <td className="num small">{mmt(market, weight)}</td>
                          <td className="right">
                            <button className="primary small" onClick={() => onCase(c.id)} data-testid={`juror-vote-${c.id}`}>
                              {c.phase === 'Commit' ? 'Vote' : 'Reveal'} →
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
              <VotesCard votes={d.votes} caseOf={d.caseOf} onCase={onCase} />
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function Stat({ label, value, hint, testid, good, bad }: { label: string; value: string; hint?: string; testid: string; good?: boolean; bad?: boolean }) {
  return (
    <div className={`stat${good ? ' good' : ''}${bad ? ' bad' : ''}`} data-testid={testid}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="small muted">{hint}</div>}
    </div>
  );
}

function StakeCard({
  balance,
  staked,
  unbonding,
  unbondAt,
  credit,
  openVotes,
  now,
}: {
  balance: bigint;
  staked: bigint;
  unbonding: bigint;
  unbondAt: bigint;
  credit: bigint;
  openVotes: number;
  now: bigint;
}) {
  const { market, account } = useApp();
  const { run } = useAction();
  const [stakeText, setStakeText] = useState('100');
  const [unstakeText, setUnstakeText] = useState('');
  const [problem, setProblem] = useState<string>();
  if (!account) return null;
  const me = account.address;
  const sym = market.deployment.params.tokenSymbol;

  const stake = () => {
    setProblem(undefined);
    let value: bigint;
    try {
      value = parseMmt(market, stakeText);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
      return;
    }
    const title = `Stake ${mmt(market, value)}`;
    const details: [string, string][] = [
      ['Stake', mmt(market, value)],
      ['Your balance', mmt(market, balance)],
      ['Counts for', 'cases and proposals opened from the next block on'],
    ];
    const stakeStep = step('Stake', market.dao, 'dao', account, 'stake', [value]);
    const done = () => `Staked ${mmt(market, value)}: you sit on juries and vote on proposals opened from now on.`;
    run(async () => {
      const allowance = (await dryRun(market.token, me, 'psp22Allowance', [me, market.dao.address])).value;
      if (allowance >= value) return { title, details: [...details, ['Approval', 'already in place']], steps: [stakeStep], done };
      return {
        title,
        details,
        steps: [step(`Approve the DAO for ${mmt(market, value)}`, market.token, 'token', account, 'psp22Approve', [market.dao.address, value]), stakeStep],
        sequential: true,
        precheck: async () => {
          try {
            await dryRun(market.dao, me, 'stake', [value]);
          } catch (err) {
            if (!(err instanceof Refused && err.code.startsWith('Token(InsufficientAllowance'))) throw err;
          }
        },
        done,
      };
    });
  };
  const unstake = () => {
    setProblem(undefined);
    let value: bigint;
    try {
      value = parseMmt(market, unstakeText || '0');
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
      return;
    }
    run({
      title: `Unstake ${mmt(market, value)}`,
      details: [
        ['Unstake', mmt(market, value)],
        ['Stops counting', 'at once, for new cases and proposals'],
        ['Withdrawable', 'after the unbonding delay, once every vote of yours is settled (the delay restarts for everything unbonding)'],
      ],
      steps: [step('Request the unstake', market.dao, 'dao', account, 'requestUnstake', [value])],
      done: () => {
        setUnstakeText('');
        return `${mmt(market, value)} is unbonding.`;
      },
    });
  };
  const withdrawUnstaked = () =>
    run({
      title: 'Withdraw unbonded stake',
      details: [['Unbonded', mmt(market, unbonding)]],
      steps: [step('Withdraw the unbonded stake', market.dao, 'dao', account, 'withdrawUnstaked', [])],
      done: (r) => `Withdrew ${mmt(market, r[0].value as bigint)} to your account.`,
    });
  const withdrawCredit = () =>
    run({
      title: 'Withdraw DAO credit',
      details: [['Credit', mmt(market, credit)]],
      steps: [step('Withdraw rewards, returned bonds and bounties', market.dao, 'dao', account, 'withdrawCredit', [])],
      done: (r) => `Withdrew ${mmt(market, r[0].value as bigint)} of credit to your account.`,
    });

  return (
    <div className="card form" data-testid="stake-card">
      <h3>Your stake</h3>
      <p className="small muted">
        Wallet: {mmt(market, balance)}. Staking needs an approval of the DAO first (one extra step when the allowance is short).
      </p>
      <div className="row">
        <label className="grow">
          Stake ({sym})
          <input value={stakeText} onChange={(e) => setStakeText(e.target.value)} data-testid="stake-amount" />
        </label>
        <button className="primary" onClick={stake} data-testid="stake-submit">
          Stake
        </button>
      </div>
      <div className="row">
        <label className="grow">
          Unstake ({sym}) <span className="muted">of {mmt(market, staked)} active</span>
          <input value={unstakeText} onChange={(e) => setUnstakeText(e.target.value)} placeholder="0" data-testid="unstake-amount" />
        </label>
        <button className="secondary" onClick={unstake} data-testid="unstake-submit">
          Request unstake
        </button>
      </div>
      {problem && <div className="error-box">{problem}</div>}
      <div className="row stake-actions">
        <button className="secondary" disabled={unbonding === 0n} onClick={withdrawUnstaked} data-testid="withdraw-unstaked">
          Withdraw unbonded{unbonding > 0n ? ` · ${now >= unbondAt ? 'ready' : `unlocks ${relativeTime(unbondAt, now)}`}` : ''}
        </button>
        <button className="primary" disabled={credit === 0n} onClick={withdrawCredit} data-testid="withdraw-credit">
          Withdraw credit · {mmt(market, credit)}
        </button>
      </div>
      {openVotes > 0 && unbonding > 0n && <p className="small warn-text">Settle your {openVotes} open vote{openVotes === 1 ? '' : 's'} before withdrawing.</p>}
    </div>
  );
}

function VotesCard({ votes, caseOf, onCase }: { votes: DisputeDaoVoteView[]; caseOf: Map<bigint, CaseView | undefined>; onCase: (id: bigint) => void }) {
  const { market, account } = useApp();
  const { run } = useAction();
  if (!account) return null;
  const settle = (v: DisputeDaoVoteView) =>
    run({
      title: `Settle your vote on case #${v.case}`,
      details: v.pending
        ? [
            ['Outcome', outcomeText(v.pending[0])],
            ['Back into your stake', mmt(market, v.pending[1])],
            ['Reward (credit)', mmt(market, v.pending[2])],
            ['Forfeited', mmt(market, v.vote.risk - v.pending[1])],
          ]
        : [],
      steps: [step('Settle the vote', market.dao, 'dao', account, 'settleVote', [v.case, v.round, account.address])],
      done: (res) => {
        const s = market.dao.events.VoteSettled.find(res[0].events)?.data;
        return s
          ? `Vote on case #${v.case} settled (${outcomeText(s.outcome)}): ${mmt(market, s.returned)} back in your stake, ${mmt(market, s.reward)} credited, ${mmt(market, s.forfeited)} forfeited.`
          : `Vote on case #${v.case} settled.`;
      },
    });
  return (
    <div className="card">
      <h3>Your votes not settled yet</h3>
      <p className="small muted">Once a case is executed, each vote settles on its own (anyone may settle it for you): the reward and the stake at risk move only then.</p>
      {votes.length === 0 ? (
        <div className="empty small">No open votes.</div>
      ) : (
        <table className="table tight" data-testid="juror-votes">
          <thead>
            <tr>
              <th>Case</th>
              <th>Vote</th>
              <th className="num">At risk</th>
              <th>Outcome</th>
              <th className="num">Back</th>
              <th className="num">Reward</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {votes.map((v) => (
              <tr key={`${v.case}-${v.round}`} data-testid={`juror-vote-row-${v.case}`}>
                <td>
                  <button className="link" onClick={() => onCase(v.case)}>
                    #{String(v.case)}
                  </button>{' '}
                  <span className="muted small">round {v.round + 1}</span>
                </td>
                <td className="small">{v.vote.revealed !== undefined ? labelFor(v.vote.revealed, escrowKind(market, undefined, caseOf.get(v.case)?.case.collateral !== undefined)) : 'hidden'}</td>
                <td className="num">{mmt(market, v.vote.risk)}</td>
                <td data-testid="juror-vote-outcome">
                  {v.pending ? <span className={`pill pill-outcome-${v.pending[0].toLowerCase()}`}>{outcomeText(v.pending[0])}</span> : <span className="small muted">case not final</span>}
                </td>
                <td className="num">{v.pending ? mmt(market, v.pending[1]) : '—'}</td>
                <td className="num" data-testid="juror-vote-reward">
                  {v.pending ? mmt(market, v.pending[2]) : '—'}
                </td>
                <td className="right">
                  <button className="primary small" disabled={!v.pending} onClick={() => settle(v)} data-testid={`settle-${v.case}-${v.round}`}>
                    Settle
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function outcomeText(o: 'Coherent' | 'Incoherent' | 'NotRevealed' | 'NoRuling'): string {
  switch (o) {
    case 'Coherent':
      return 'with the ruling';
    case 'Incoherent':
      return 'against the ruling';
    case 'NotRevealed':
      return 'not revealed';
    case 'NoRuling':
      return 'no ruling';
  }
}
