import { useState } from 'react';
import { bps, dryRun, duration, relativeTime, short, type Market } from '../../../client/src/index.js';
import type { DisputeDaoAction, DisputeDaoActionLike, DisputeDaoProposalView, DisputeDaoTarget } from '../../../client/src/contracts/dispute-dao/types.js';
import { step, useAction } from '../actions.js';
import { useNow } from '../compute.js';
import { descriptionHash, keepDescription, knownDescription, mmt } from '../dao.js';
import { useApp } from '../market.js';
import { useLoad } from '../util.js';

/**
 * Governance: every parameter of the vault, the registry and the compute market changes
 * only by a proposal that members vote on with their stake, and that anyone executes
 * after its timelock.
 */
export function GovernanceScreen() {
  const { market, account, version } = useApp();
  const now = useNow(1_000);
  const caller = account?.address ?? market.deployment.deployer;
  const data = useLoad(async () => {
    const all: DisputeDaoProposalView[] = [];
    let cursor: bigint | undefined = 0n;
    while (cursor !== undefined && all.length < 200) {
      const page: { items: DisputeDaoProposalView[]; next?: bigint } = (await dryRun(market.dao, caller, 'proposals', [cursor, 10])).value;
      all.push(...page.items);
      cursor = page.items.length === 0 ? undefined : page.next;
    }
    all.reverse();
    const [config, member] = await Promise.all([
      dryRun(market.dao, caller, 'config', []).then((r) => r.value),
      account ? dryRun(market.dao, caller, 'member', [caller]).then((r) => r.value) : undefined,
    ]);
    const mine = account
      ? new Map(
          await Promise.all(
            all.map(
              async (p) =>
                [
                  p.id,
                  {
                    ballot: (await dryRun(market.dao, caller, 'ballot', [p.id, caller])).value,
                    weight: (await dryRun(market.dao, caller, 'weightOnProposal', [p.id, caller])).value,
                  },
                ] as const,
            ),
          ),
        )
      : undefined;
    return { all, config, member, mine };
  }, [caller, version]);

  const d = data.data;
  const gov = d?.config.gov;
  return (
    <section>
      <div className="section-head">
        <div>
          <h2>Governance</h2>
          <p className="muted">
            The DAO holds the vault’s arbiter role and the registry’s and compute market’s admin roles: fees, periods, allow-lists and pauses change only by a proposal that passes a
            vote of the stake, then waits out a timelock.
          </p>
        </div>
        {gov && (
          <div className="dao-totals small muted" data-testid="gov-params">
            <div>
              voting {gov.votingDelayMs > 0n ? `opens after ${duration(Number(gov.votingDelayMs))}, ` : ''}lasts {duration(Number(gov.votingPeriodMs))} · quorum {bps(gov.quorumBps)}
            </div>
            <div>
              timelock {duration(Number(gov.timelockMs))}, then {duration(Number(gov.graceMs))} to execute · proposing needs {mmt(market, gov.proposalThreshold)} staked
            </div>
          </div>
        )}
      </div>
      {data.error && <div className="error-box">{data.error}</div>}
      <div className="two-col gov">
        <ProposeForm staked={d?.member?.staked} threshold={gov?.proposalThreshold} />
        <div>
          {d && d.all.length === 0 && <div className="empty">No proposals yet.</div>}
          <div className="proposal-list" data-testid="proposal-list">
            {d?.all.map((p) => (
              <ProposalCard key={String(p.id)} p={p} now={now} mine={d.mine?.get(p.id)} guardian={d.config.guardian?.address()} />
            ))}
          </div>
        </div>
      </div>
    </section>
  );
}

const TARGET_NAMES: Record<DisputeDaoTarget, string> = { Vault: 'vault', Registry: 'model registry', Market: 'compute market' };

/** What an action does, in one line. */
export function actionText(a: DisputeDaoAction, tokenSymbol: string, m: Market): string {
  const pct = (v: number) => bps(v);
  const acct = (x?: { address(): string }) => (x ? short(x.address()) : 'nobody');
  switch (a.type) {
    case 'SetFee':
      return `Platform fee → ${pct(a.value)}`;
    case 'SetTreasury':
      return `Treasury → ${acct(a.value)}`;
    case 'SetDisputeParams':
      return `Dispute bond → ${pct(a.value[0])}, ruling window → ${duration(Number(a.value[1]))}`;
    case 'SetMinDeposit':
      return `Smallest escrow in ${a.value[0].type === 'Native' ? 'the native token' : a.value[0].value.address() === m.token.address ? tokenSymbol : short(a.value[0].value.address())} → ${a.value[1]}`;
    case 'SetController':
      return `Vault controller ${acct(a.value[0])} ${a.value[1] ? 'allowed' : 'removed'}`;
    case 'SetAssetAllowed':
      return `${TARGET_NAMES[a.value[0]]}: token ${acct(a.value[1])} ${a.value[2] ? 'allowed' : 'no longer allowed'}`;
    case 'SetAuditor':
      return `Auditor ${acct(a.value[0])} ${a.value[1] ? 'allowed' : 'removed'}`;
    case 'SetPurchasePeriods':
      return `License purchases: delivery period → ${duration(Number(a.value[0]))}, review window → ${duration(Number(a.value[1]))}`;
    case 'SetMaxRoyalty':
      return `Royalty cap → ${pct(a.value)}`;
    case 'SetMarketRatios':
      return `GPU offers: collateral ratio → ${pct(a.value[0])}, no-show share → ${pct(a.value[1])}`;
    case 'SetMaxStartWindow':
      return `GPU rentals: longest start window → ${duration(Number(a.value))}`;
    case 'SetPaused':
      return `${TARGET_NAMES[a.value[0]]}: ${a.value[1] ? 'pause new listings and rentals' : 'lift the pause'}`;
    case 'SetVault':
      return `${TARGET_NAMES[a.value[0]]}: new ${a.value[0] === 'Registry' ? 'purchases' : 'offers'} pay into vault ${acct(a.value[1])}`;
    case 'SetAuditors':
      return `GPU market: read auditors from ${acct(a.value)}`;
    case 'SetJuryParams':
      return (
        `Jury: commit ${duration(Number(a.value.commitMs))}, reveal ${duration(Number(a.value.revealMs))}, ` +
        `quorum ${pct(a.value.quorumBps)} up to ${mmt(m, a.value.quorumCap)} from ≥ ${a.value.minJurors} jurors, ${a.value.rounds} rounds, ` +
        `case fee ${mmt(m, a.value.caseFee)}, reward ${mmt(m, a.value.jurorReward)}`
      );
    case 'SetGovParams':
      return `Governance: voting ${duration(Number(a.value[0].votingPeriodMs))}, quorum ${pct(a.value[0].quorumBps)}, timelock ${duration(Number(a.value[0].timelockMs))}`;
    case 'SetGuardian':
      return `Guardian → ${acct(a.value)}`;
    case 'HandOver':
      return `Hand the ${TARGET_NAMES[a.value[0]]}’s admin role to ${acct(a.value[1])}`;
    case 'SetRentalRules':
      return `GPU rentals: the provider is paid at least ${a.value} hour${a.value === 1 ? '' : 's'} of a rental ended or withdrawn early`;
    case 'SetMinCountedValue': {
      const [asset, value] = a.value;
      const least =
        asset.type === 'Native' ? `${value} (smallest unit) of the native token` : asset.value.address() === m.token.address ? mmt(m, value) : `${value} (smallest unit) of token ${short(asset.value.address())}`;
      return `GPU reputation: a rental counts only if it pays at least ${least}`;
    }
  }
}


/**
 * Critical actions wait twice the timelock (the contract's `is_critical`): who holds a
 * role, who may open escrows, where fees and payments go.
 */
export function isCritical(a: DisputeDaoAction): boolean {
  return a.type === 'HandOver' || a.type === 'SetController' || a.type === 'SetTreasury' || a.type === 'SetVault';
}

/** The guardian may cancel any proposal but one that replaces the guardian or lifts a pause. */
export function guardianMayCancel(a: DisputeDaoAction): boolean {
  return a.type !== 'SetGuardian' && !(a.type === 'SetPaused' && !a.value[1]);
}

function ProposalCard({
  p,
  now,
  mine,
  guardian,
}: {
  p: DisputeDaoProposalView;
  now: bigint;
  mine?: { ballot?: boolean; weight: bigint };
  guardian?: string;
}) {
  const { market, account } = useApp();
  const { run } = useAction();
  const pr = p.proposal;
  const sym = market.deployment.params.tokenSymbol;
  const what = actionText(pr.action, sym, market);
  const text = knownDescription(pr.description);
  const quorum = (pr.totalStake * BigInt(pr.quorumBps)) / 10_000n;
  const cast = pr.forWeight + pr.againstWeight;
  let timing = '';
  switch (p.state) {
    case 'Pending':
      timing = `voting opens ${relativeTime(pr.voteStart, now)}`;
      break;
    case 'Active':
      timing = `voting ends ${relativeTime(pr.voteEnd, now)}${pr.extended ? ' (extended: quorum came late)' : ''}`;
      break;
    case 'Queued':
      timing = now < p.eta ? `passed · executable ${relativeTime(p.eta, now)}` : 'passed · timelock over: executable with the next block';
      break;
    case 'Ready':
      timing = `passed · executable since ${relativeTime(p.eta, now).replace(' ago', '')} · expires ${relativeTime(p.expiresAt, now)}`;
      break;
    case 'Expired':
      timing = 'passed, but not executed in time: expired';
      break;
    case 'Defeated':
      timing = cast === 0n || cast < quorum ? 'defeated: quorum not reached' : 'defeated: not more for than against';
      break;
    case 'Executed':
      timing = 'executed';
      break;
    case 'Canceled':
      timing = 'canceled by the guardian';
      break;
  }
  if (!account) return null;
  const vote = (support: boolean) =>
    run({
      title: `Vote ${support ? 'for' : 'against'} proposal #${p.id}`,
      details: [
        ['Proposal', what],
        ['Your weight', mine ? mmt(market, mine.weight) : '—'],
      ],
      steps: [step(`Vote ${support ? 'for' : 'against'}`, market.dao, 'dao', account, 'vote', [p.id, support])],
      done: () => `You voted ${support ? 'for' : 'against'} proposal #${p.id}.`,
    });
  const execute = () =>
    run({
      title: `Execute proposal #${p.id}`,
      details: [['Does', what]],
      steps: [step('Execute the proposal', market.dao, 'dao', account, 'executeProposal', [p.id])],
      done: () => `Proposal #${p.id} executed: ${what}.`,
    });
  const cancel = () =>
    run({
      title: `Cancel proposal #${p.id}`,
      details: [['Proposal', what]],
      steps: [step('Cancel as the guardian', market.dao, 'dao', account, 'cancelProposal', [p.id])],
      done: () => `Proposal #${p.id} canceled.`,
    });
  return (
    <article className="card proposal" data-testid={`proposal-${p.id}`}>
      <div className="card-head">
        <div>
          <h3>
            <span className="muted">#{String(p.id)}</span> <span data-testid="proposal-action">{what}</span>
          </h3>
          <div className="small muted">
            by <span className="mono">{short(pr.proposer.address())}</span> · {text ? <span data-testid="proposal-text">“{text}”</span> : <span className="mono">text {pr.description.slice(0, 10)}…</span>}
          </div>
        </div>
        <span className={`pill pill-gov-${p.state.toLowerCase()}`} data-testid="proposal-state">
          {p.state}
        </span>
      </div>
      <div className="small" data-testid="proposal-timing">
        {timing}
      </div>
      {isCritical(pr.action) && (
        <div className="small muted" data-testid="proposal-critical">
          critical: waits twice the timelock ({duration(Number(pr.timelockMs))}); the guardian may cancel it until then
        </div>
      )}
      <div className="votes-row">
        <VoteBar forWeight={pr.forWeight} againstWeight={pr.againstWeight} total={pr.totalStake} quorum={quorum} />
        <span className="small nowrap" data-testid="proposal-weights">
          for {mmt(market, pr.forWeight, 2)} · against {mmt(market, pr.againstWeight, 2)} · quorum {mmt(market, quorum, 2)}
        </span>
      </div>
      <div className="actions">
        {mine?.ballot !== undefined && <span className="pill pill-you">you voted {mine.ballot ? 'for' : 'against'}</span>}
        {p.state === 'Active' && mine?.ballot === undefined && (
          <>
            <button className="primary small" onClick={() => vote(true)} data-testid={`vote-for-${p.id}`}>
              Vote for{mine ? ` · ${mmt(market, mine.weight, 2)}` : ''}
            </button>
            <button className="secondary small" onClick={() => vote(false)} data-testid={`vote-against-${p.id}`}>
              Vote against
            </button>
          </>
        )}
        {(p.state === 'Ready' || p.state === 'Queued') && (
          <button className={p.state === 'Ready' ? 'primary small' : 'secondary small'} onClick={execute} data-testid={`execute-proposal-${p.id}`}>
            Execute{p.state === 'Queued' && now < p.eta ? ` · ${relativeTime(p.eta, now)}` : ''}
          </button>
        )}
        {guardian === account.address && !pr.executed && !pr.canceled && guardianMayCancel(pr.action) && (
          <button className="ghost small" onClick={cancel} data-testid={`cancel-proposal-${p.id}`}>
            Cancel (guardian)
          </button>
        )}
      </div>
    </article>
  );
}

/** For (green) and against (red) as shares of the snapshotted stake, with the quorum marked. */
function VoteBar({ forWeight, againstWeight, total, quorum }: { forWeight: bigint; againstWeight: bigint; total: bigint; quorum: bigint }) {
  const pct = (v: bigint) => (total > 0n ? Math.min(100, Number((v * 10_000n) / total) / 100) : 0);
  return (
    <div className="vote-bar grow" data-testid="proposal-bar" title="for and against, as shares of the stake snapshotted at the proposal; the mark is the quorum">
      <div className="vote-for" style={{ width: `${pct(forWeight)}%` }} />
      <div className="vote-against" style={{ width: `${pct(againstWeight)}%` }} />
      <div className="vote-quorum" style={{ left: `${pct(quorum)}%` }} />
    </div>
  );
}

type Kind = 'SetFee' | 'SetDisputeParams' | 'SetMaxRoyalty' | 'SetPurchasePeriods' | 'SetMarketRatios' | 'SetPaused';

const KINDS: [Kind, string][] = [
  ['SetFee', 'Platform fee (vault)'],
  ['SetDisputeParams', 'Dispute bond and ruling window (vault)'],
  ['SetMaxRoyalty', 'Royalty cap (registry)'],
  ['SetPurchasePeriods', 'License delivery and review periods (registry)'],
  ['SetMarketRatios', 'GPU collateral ratio and no-show share (compute market)'],
  ['SetPaused', 'Pause or resume listings / rentals'],
];

function ProposeForm({ staked, threshold }: { staked?: bigint; threshold?: bigint }) {
  const { market, account, version } = useApp();
  const { run } = useAction();
  const current = useLoad(async () => {
    const c = market.deployment.deployer;
    const [fee, dispute, royalty, periods, cfg] = await Promise.all([
      dryRun(market.vault, c, 'feeBps', []).then((r) => r.value),
      dryRun(market.vault, c, 'vaultArbiterDisputeParams', []).then((r) => r.value),
      dryRun(market.registry, c, 'maxRoyaltyBps', []).then((r) => r.value),
      dryRun(market.registry, c, 'purchasePeriods', []).then((r) => r.value),
      dryRun(market.compute, c, 'config', []).then((r) => r.value),
    ]);
    return { fee, dispute, royalty, periods, cfg };
  }, [version]);
  const [kind, setKind] = useState<Kind>('SetFee');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [target, setTarget] = useState<'Registry' | 'Market'>('Market');
  const [paused, setPaused] = useState(true);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const cur = current.data;

  // What the fields show before the user types: the value in force now.
  const placeholders: Record<Kind, [string, string?]> = {
    SetFee: [cur ? String(cur.fee / 100) : '2.5'],
    SetDisputeParams: [cur ? String(cur.dispute[0] / 100) : '5', cur ? String(Number(cur.dispute[1]) / 3_600_000) : '24'],
    SetMaxRoyalty: [cur ? String(cur.royalty / 100) : '20'],
    SetPurchasePeriods: [cur ? String(Number(cur.periods[0]) / 86_400_000) : '7', cur ? String(Number(cur.periods[1]) / 86_400_000) : '3'],
    SetMarketRatios: [cur ? String(cur.cfg.collateralRatioBps / 100) : '100', cur ? String(cur.cfg.noShowBps / 100) : '10'],
    SetPaused: [''],
  };
  const labels: Record<Kind, [string, string?]> = {
    SetFee: ['Fee (%)'],
    SetDisputeParams: ['Bond (% of what is at stake)', 'Ruling window (hours)'],
    SetMaxRoyalty: ['Royalty cap (%)'],
    SetPurchasePeriods: ['Delivery period (days)', 'Review window (days)'],
    SetMarketRatios: ['Collateral ratio (%)', 'No-show share (%)'],
    SetPaused: [''],
  };

  const pctToBps = (t: string, what: string): number => {
    const v = Number((t || '').trim());
    if (!/^\d+(\.\d{1,2})?$/.test((t || '').trim()) || v > 655.35) throw new Error(`${what}: a percentage with at most 2 decimals.`);
    return Math.round(v * 100);
  };
  const msOf = (t: string, unitMs: number, what: string): bigint => {
    const v = Number((t || '').trim());
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${what}: a positive number.`);
    return BigInt(Math.round(v * unitMs));
  };

  const build = (): DisputeDaoActionLike => {
    const va = a.trim() || placeholders[kind][0];
    const vb = b.trim() || placeholders[kind][1] || '';
    switch (kind) {
      case 'SetFee':
        return { type: 'SetFee', value: pctToBps(va, 'Fee') };
      case 'SetDisputeParams':
        return { type: 'SetDisputeParams', value: [pctToBps(va, 'Bond'), msOf(vb, 3_600_000, 'Ruling window')] };
      case 'SetMaxRoyalty':
        return { type: 'SetMaxRoyalty', value: pctToBps(va, 'Royalty cap') };
      case 'SetPurchasePeriods':
        return { type: 'SetPurchasePeriods', value: [msOf(va, 86_400_000, 'Delivery period'), msOf(vb, 86_400_000, 'Review window')] };
      case 'SetMarketRatios':
        return { type: 'SetMarketRatios', value: [pctToBps(va, 'Collateral ratio'), pctToBps(vb, 'No-show share')] };
      case 'SetPaused':
        return { type: 'SetPaused', value: [target, paused] };
    }
  };

  const submit = () => {
    setProblem(undefined);
    if (!account) return;
    let action: DisputeDaoActionLike;
    try {
      action = build();
      if (!text.trim()) throw new Error('Say in a sentence why: members vote on the text as well as the action.');
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
      return;
    }
    const description = text.trim();
    const hash = descriptionHash(description);
    const shown = actionText(action as DisputeDaoAction, market.deployment.params.tokenSymbol, market);
    run({
      title: 'Make a proposal',
      details: [
        ['Action', shown],
        ['Text', description.length > 60 ? `${description.slice(0, 60)}…` : description],
        ['Text hash', `${hash.slice(0, 18)}… (the text stays off chain)`],
      ],
      steps: [step('Propose', market.dao, 'dao', account, 'propose', [action, hash])],
      done: (r) => {
        keepDescription(hash, description);
        setText('');
        setA('');
        setB('');
        return `Proposal #${String(r[0].value)} is up for a vote: ${shown}.`;
      },
    });
  };

  const [la, lb] = labels[kind];
  const [pa, pb] = placeholders[kind];
  return (
    <form
      className="card form"
      data-testid="propose-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3>Propose a change</h3>
      <p className="small muted">
        You need {threshold !== undefined ? mmt(market, threshold) : '…'} staked to propose
        {staked !== undefined ? `; you have ${mmt(market, staked)}` : ''}. Empty fields keep the value in force now.
      </p>
      <label>
        What
        <select
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as Kind);
            setA('');
            setB('');
          }}
          data-testid="propose-kind"
        >
          {KINDS.map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </select>
      </label>
      {kind === 'SetPaused' ? (
        <div className="row">
          <label className="grow">
            Where
            <select value={target} onChange={(e) => setTarget(e.target.value as 'Registry' | 'Market')} data-testid="propose-target">
              <option value="Market">Compute market (new offers and rentals)</option>
              <option value="Registry">Model registry (new listings and offers)</option>
            </select>
          </label>
          <label>
            Pause
            <select value={paused ? 'yes' : 'no'} onChange={(e) => setPaused(e.target.value === 'yes')} data-testid="propose-paused">
              <option value="yes">pause</option>
              <option value="no">lift the pause</option>
            </select>
          </label>
        </div>
      ) : (
        <div className="row">
          <label className="grow">
            {la}
            <input value={a} placeholder={pa} onChange={(e) => setA(e.target.value)} data-testid="propose-a" />
          </label>
          {lb && (
            <label className="grow">
              {lb}
              <input value={b} placeholder={pb} onChange={(e) => setB(e.target.value)} data-testid="propose-b" />
            </label>
          )}
        </div>
      )}
      <label>
        Why (the proposal’s text)
        <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} placeholder="Fees fund the jurors’ rewards; …" data-testid="propose-text" />
      </label>
      {problem && <div className="error-box">{problem}</div>}
      <div className="row">
        <span className="grow" />
        <button className="primary" type="submit" data-testid="propose-submit" disabled={!account}>
          Propose
        </button>
      </div>
    </form>
  );
}
