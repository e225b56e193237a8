/**
 * The History screen's two records that are not an account's lists: a provider's
 * record (reputation, volume, offers and rentals) and a dispute case's timeline (its
 * votes and every event of the case and its escrow, in chain order).
 */
import { useState, type ReactNode } from 'react';
import { dryRun, IndexerError, short, type CaseDetail, type ProviderRecord } from '../../../client/src/index.js';
import type { ComputeMarketReputation } from '../../../client/src/contracts/compute-market/types.js';
import type { DisputeDaoCaseView } from '../../../client/src/contracts/dispute-dao/types.js';
import { PhasePill } from '../dao.js';
import { argsText, assetOf, money, Panel, parseAddress, sourced, timeText, tokenText } from '../history.js';
import { useApp } from '../market.js';
import { amount, assetSymbol, useLoad } from '../util.js';

const COUNTERS: [keyof ComputeMarketReputation, string][] = [
  ['completed', 'completed'],
  ['endedEarly', 'ended early'],
  ['disputed', 'disputed'],
  ['lost', 'lost'],
  ['noShows', 'no-shows'],
  ['belowMinimum', 'below minimum'],
  ['distinctRenters', 'renters'],
];

/** An indexer's 404 as "no such record" (null); anything else is thrown on. */
async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof IndexerError && err.status === 404) return null;
    throw err;
  }
}

/** A provider's record: `initial` (the History screen's account) or one typed in. */
export function ProviderRecordPanel({ initial }: { initial?: string }) {
  const { market, native, version } = useApp();
  const [text, setText] = useState('');
  const [typed, setTyped] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const provider = typed ?? initial;
  const data = useLoad(async () => {
    if (!provider) return undefined;
    return sourced(
      (api) => orNull<ProviderRecord>(api.provider(provider)),
      async () => {
        const assets = [{ type: 'Native' as const }, { type: 'Psp22' as const, value: market.token.address }];
        const [rep, volumes] = await Promise.all([
          dryRun(market.compute, provider, 'reputation', [provider]).then((r) => r.value),
          Promise.all(assets.map(async (a) => ({ asset: a, value: (await dryRun(market.compute, provider, 'volume', [provider, a])).value }))),
        ]);
        return { rep, volumes };
      },
    );
  }, [provider, version]);
  const d = data.data;
  const counters = d?.source === 'indexer' ? d.data : d?.source === 'chain' ? d.data.rep : undefined;
  return (
    <div data-testid="history-provider-wrap">
      <form
        className="search section-tools"
        onSubmit={(e) => {
          e.preventDefault();
          const a = parseAddress(text);
          setProblem(text.trim() && !a ? `“${text.trim()}” is not an SS58 address.` : undefined);
          setTyped(text.trim() ? a : undefined);
        }}
      >
        <input placeholder="A provider’s SS58 address (default: the account above)" value={text} onChange={(e) => setText(e.target.value)} data-testid="history-provider-input" />
        <button className="secondary" type="submit" data-testid="history-provider-go">
          Show record
        </button>
      </form>
      {problem && <div className="error-box">{problem}</div>}
      {!provider ? (
        <div className="card">
          <h3>Provider record</h3>
          <div className="empty small">Type a provider’s address to see its record.</div>
        </div>
      ) : (
        <Panel title={`Provider record · ${short(provider)}`} testid="history-provider" chain="the compute market’s reputation and volume views" loaded={d} error={data.error}>
          {d?.source === 'indexer' && d.data === null && <div className="empty small">No record: this account has never published a GPU offer.</div>}
          {counters && (
            <div className="reputation" data-testid="history-provider-counters" data-provider={provider}>
              {COUNTERS.map(([k, label]) => (
                <span key={k} className="rep" data-testid={`history-provider-${k}`} data-value={counters[k]}>
                  {counters[k]} {label}
                </span>
              ))}
            </div>
          )}
          {d?.source === 'indexer' && d.data && (
            <dl className="kv compact">
              <div>
                <dt>GPU offers published</dt>
                <dd data-testid="history-provider-offers">{d.data.offers}</dd>
              </div>
              <div>
                <dt>Rentals served</dt>
                <dd data-testid="history-provider-rentals">{d.data.rentals}</dd>
              </div>
              {Object.entries(d.data.volume).map(([asset, v]) => (
                <div key={asset}>
                  <dt>Paid by completed rentals, {assetSymbol(market, assetOf(asset), native.symbol)}</dt>
                  <dd>{money(market, v, asset, native)}</dd>
                </div>
              ))}
            </dl>
          )}
          {d?.source === 'chain' && (
            <>
              <dl className="kv compact">
                {d.data.volumes.map((v) => (
                  <div key={v.asset.type}>
                    <dt>Paid by completed rentals, {assetSymbol(market, v.asset, native.symbol)}</dt>
                    <dd>{amount(market, v.value, v.asset, native)}</dd>
                  </div>
                ))}
              </dl>
              <p className="muted small">How many offers and rentals it has is counted by the indexer; without it, see its offers in GPUs and its rentals above (as provider).</p>
            </>
          )}
        </Panel>
      )}
    </div>
  );
}

/** A dispute case by id: the indexer's timeline, or the DAO's view of it now. */
export function CaseTimeline({ onCase }: { onCase: (id?: bigint) => void }) {
  const { market, version } = useApp();
  const [text, setText] = useState('');
  const [caseId, setCaseId] = useState<bigint>();
  const caller = market.deployment.deployer;
  const data = useLoad(async () => {
    if (caseId === undefined) return undefined;
    return sourced(
      (api) => orNull<CaseDetail>(api.caseDetail(caseId)),
      async () => {
        const v: DisputeDaoCaseView | undefined = (await dryRun(market.dao, caller, 'case', [caseId])).value;
        return v ?? null;
      },
    );
  }, [caseId, version]);
  const d = data.data;
  return (
    <div>
      <form
        className="search section-tools"
        onSubmit={(e) => {
          e.preventDefault();
          setCaseId(/^\d+$/.test(text.trim()) ? BigInt(text.trim()) : undefined);
        }}
      >
        <input placeholder="A dispute case’s id" value={text} onChange={(e) => setText(e.target.value.replace(/[^0-9]/g, ''))} data-testid="history-case-input" />
        <button className="secondary" type="submit" data-testid="history-case-go">
          Show timeline
        </button>
      </form>
      {caseId === undefined ? (
        <div className="card">
          <h3>Case timeline</h3>
          <div className="empty small">Type a case id to see its timeline.</div>
        </div>
      ) : (
        <Panel title={`Case #${caseId} timeline`} testid="history-case" chain="the DAO’s case view (the case now, not its events)" loaded={d} error={data.error}>
          {d?.data === null && <div className="empty small">There is no case #{String(caseId)}.</div>}
          {d?.source === 'indexer' && d.data && <IndexedCase c={d.data} />}
          {d?.source === 'chain' && d.data && (
            <>
              <CaseFacts
                phase={<PhasePill phase={d.data.phase} status={d.data.case.status} />}
                escrow={String(d.data.case.escrow)}
                payer={d.data.case.payer.address(42)}
                payee={d.data.case.payee.address(42)}
                round={d.data.case.round}
                opened={d.data.case.openedAt}
              />
              <p className="small" data-testid="history-case-needs-indexer">
                The timeline of the case’s events needs the indexer: the DAO’s view gives the case as it is now ({d.data.roundInfo.commits} votes committed,{' '}
                {d.data.roundInfo.reveals} revealed this round).
              </p>
            </>
          )}
          {d?.data && (
            <button className="link" onClick={() => onCase(caseId)} data-testid="history-case-open">
              Open case #{String(caseId)} in Disputes →
            </button>
          )}
        </Panel>
      )}
    </div>
  );
}

function CaseFacts({ phase, escrow, payer, payee, round, opened }: { phase: ReactNode; escrow: string; payer: string; payee: string; round: number; opened: string | bigint }) {
  return (
    <dl className="kv compact" data-testid="history-case-facts">
      <div>
        <dt>Phase</dt>
        <dd>{phase}</dd>
      </div>
      <div>
        <dt>Escrow</dt>
        <dd>#{escrow}</dd>
      </div>
      <div>
        <dt>Payer · payee</dt>
        <dd className="mono">
          {short(payer)} · {short(payee)}
        </dd>
      </div>
      <div>
        <dt>Round</dt>
        <dd>{round + 1}</dd>
      </div>
      <div>
        <dt>Opened</dt>
        <dd>{timeText(opened)}</dd>
      </div>
    </dl>
  );
}

function IndexedCase({ c }: { c: CaseDetail }) {
  const { market } = useApp();
  return (
    <>
      <CaseFacts
        phase={
          <span className={`pill pill-phase-${c.phase.toLowerCase()}`} data-testid="case-phase">
            {c.status === 'Open' ? c.phase : c.status}
          </span>
        }
        escrow={c.escrowId}
        payer={c.payer}
        payee={c.payee}
        round={c.round}
        opened={c.openedAt}
      />
      <h4>Votes</h4>
      {c.votes.length === 0 ? (
        <div className="empty small">No votes yet.</div>
      ) : (
        <table className="table tight" data-testid="history-case-votes">
          <thead>
            <tr>
              <th>Round</th>
              <th>Juror</th>
              <th className="num">Weight</th>
              <th>Choice</th>
              <th>Settled</th>
            </tr>
          </thead>
          <tbody>
            {c.votes.map((v) => (
              <tr key={`${v.round}-${v.juror}`} data-testid="history-case-vote">
                <td>{v.round + 1}</td>
                <td className="mono">{short(v.juror)}</td>
                <td className="num">{tokenText(market, v.weight)}</td>
                <td>
                  {v.choice === null ? 'not revealed' : v.choice}
                  {v.voided ? ' · voided' : ''}
                </td>
                <td>{v.settled ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Timeline</h4>
      <table className="table tight" data-testid="history-case-timeline">
        <thead>
          <tr>
            <th>Block</th>
            <th>When</th>
            <th>Contract</th>
            <th>Event</th>
            <th>Fields</th>
          </tr>
        </thead>
        <tbody>
          {c.timeline.map((e) => (
            <tr key={`${e.blockNumber}:${e.eventIndex}`} data-testid="history-case-event" data-event={e.name} data-at={`${e.blockNumber}:${e.eventIndex}`}>
              <td className="muted">#{e.blockNumber}</td>
              <td className="small">{timeText(e.blockTime)}</td>
              <td className="small">{e.contract}</td>
              <td>{e.name}</td>
              <td className="wrap small">{argsText(e.args)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
