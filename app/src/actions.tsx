/**
 * Every action on chain goes through one confirm panel: dry-run first (with the fee),
 * show value, fee and storage deposit, and only sign when the user confirms. A refused
 * dry-run shows the contract's typed error in plain words and nothing is sent.
 */
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import type { Contract, GenericContractApi } from 'dedot/contracts';
import {
  CallFailed,
  checkFitsBlock,
  dryRun,
  formatUnits,
  Refused,
  send,
  TooHeavy,
  type Args,
  type Estimate,
  type Message,
  type Sent,
  type Signer,
} from '../../client/src/index.js';
import { useApp } from './market.js';

type InkApi = GenericContractApi & { metadataType: 'ink' };

/** One transaction of an action: how to estimate it, and how to send it. */
export interface Step {
  label: string;
  /** `registry.purchaseLicense`: shown small in the panel. */
  call: string;
  value?: bigint;
  estimate: () => Promise<Estimate<unknown>>;
  execute: () => Promise<Sent<unknown>>;
}

export function step<A extends InkApi, M extends Message<A>>(
  label: string,
  contract: Contract<A>,
  contractName: string,
  signer: Signer,
  method: M,
  args: Args<A, M>,
  value?: bigint,
): Step {
  return {
    label,
    call: `${contractName}.${String(method)}`,
    value,
    // A call too heavy for one block of this chain is stopped here, in plain words,
    // before the panel offers to sign it.
    estimate: async () => {
      const e = await dryRun(contract, signer.address, method, args, { value, withFee: true });
      checkFitsBlock(contract as never, String(method), e.dispatchWeight ?? e.gasRequired);
      return e as Estimate<unknown>;
    },
    execute: () => send(contract, signer, method, args, { value }) as Promise<Sent<unknown>>,
  };
}

export interface ActionRequest {
  title: string;
  /** Extra lines for the panel (price, terms, …). */
  details?: [string, string][];
  steps: Step[];
  /**
   * Steps after the first are estimated only after the ones before are sent (for
   * example a purchase that needs the approval before it can be dry-run).
   */
  sequential?: boolean;
  /** Extra dry-run before the panel opens (throws `Refused` to stop the action). */
  precheck?: () => Promise<void>;
  /** Runs after the last step was included; returns the success line. */
  done?: (results: Sent<unknown>[]) => string | Promise<string>;
}

interface ErrorInfo {
  plain: string;
  code: string;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'estimating'; req: ActionRequest }
  | { kind: 'confirm'; req: ActionRequest; estimates: (Estimate<unknown> | undefined)[]; from: number; results: Sent<unknown>[] }
  | { kind: 'sending'; req: ActionRequest; estimates: (Estimate<unknown> | undefined)[]; at: number }
  | { kind: 'refused'; req: ActionRequest; error: ErrorInfo }
  | { kind: 'done'; req: ActionRequest; message: string; receipt: string };

interface ActionApi {
  /** Opens the panel; a function is awaited first (to read the chain before choosing steps). */
  run: (req: ActionRequest | (() => Promise<ActionRequest>)) => void;
  busy: boolean;
}

const ActionContext = createContext<ActionApi>({ run: () => undefined, busy: false });
export const useAction = () => useContext(ActionContext);

function toError(err: unknown): ErrorInfo {
  if (err instanceof Refused) return { plain: err.plain, code: err.code };
  if (err instanceof CallFailed) return { plain: `The call could not run: ${err.message}`, code: 'CallFailed' };
  if (err instanceof TooHeavy) return { plain: `This transaction is too heavy for one block of this chain: ${err.message}`, code: 'TooHeavy' };
  return { plain: err instanceof Error ? err.message : String(err), code: 'Error' };
}

/**
 * Where the last transaction landed, as a wallet says it: its block, and whether that
 * block is final (on a parachain `send` waits for finality: client/src/submit.ts).
 */
function receiptOf(sent: Sent<unknown> | undefined): string {
  if (!sent) return '';
  const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(1));
  if (sent.finalized) return `Block #${sent.blockNumber}, final: included after ${s(sent.includedMs)} s, finalized after ${s(sent.finalizedMs)} s.`;
  return `Block #${sent.blockNumber} of the best chain.`;
}

export function ActionProvider({ children }: { children: ReactNode }) {
  const { native, refresh } = useApp();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });

  const run = useCallback((request: ActionRequest | (() => Promise<ActionRequest>)) => {
    const pending: ActionRequest = typeof request === 'function' ? { title: 'Preparing…', steps: [] } : request;
    setPhase({ kind: 'estimating', req: pending });
    (typeof request === 'function' ? request() : Promise.resolve(request))
      .then(async (req) => {
        setPhase({ kind: 'estimating', req });
        try {
          if (req.precheck) await req.precheck();
          const toEstimate = req.sequential ? req.steps.slice(0, 1) : req.steps;
          const estimates = await Promise.all(toEstimate.map((s) => s.estimate()));
          setPhase({ kind: 'confirm', req, estimates: req.steps.map((_, i) => estimates[i]), from: 0, results: [] });
        } catch (err) {
          setPhase({ kind: 'refused', req, error: toError(err) });
        }
      })
      .catch((err: unknown) => setPhase({ kind: 'refused', req: pending, error: toError(err) }));
  }, []);

  const confirm = async () => {
    if (phase.kind !== 'confirm') return;
    const { req, from } = phase;
    const estimates = [...phase.estimates];
    const results = [...phase.results];
    try {
      for (let i = from; i < req.steps.length; i++) {
        if (!estimates[i]) {
          // Dry-run the next step now that the ones before it are in, and show it
          // before it is signed.
          setPhase({ kind: 'sending', req, estimates: [...estimates], at: i });
          estimates[i] = await req.steps[i].estimate();
          setPhase({ kind: 'confirm', req, estimates: [...estimates], from: i, results });
          return;
        }
        setPhase({ kind: 'sending', req, estimates: [...estimates], at: i });
        results.push(await req.steps[i].execute());
        if (i < req.steps.length - 1) refresh();
      }
      const message = req.done ? await req.done(results) : `Included in block #${results[results.length - 1]?.blockNumber}.`;
      setPhase({ kind: 'done', req, message, receipt: receiptOf(results[results.length - 1]) });
    } catch (err) {
      setPhase({ kind: 'refused', req, error: toError(err) });
    } finally {
      refresh();
    }
  };

  const close = () => setPhase({ kind: 'idle' });
  const fmt = (v: bigint) => `${formatUnits(v, native.decimals)} ${native.symbol}`;

  return (
    <ActionContext.Provider value={{ run, busy: phase.kind === 'estimating' || phase.kind === 'sending' }}>
      {children}
      {phase.kind !== 'idle' && (
        <div className="overlay" onClick={phase.kind === 'sending' ? undefined : close}>
          <div className="panel" data-testid="confirm-panel" data-phase={phase.kind} onClick={(e) => e.stopPropagation()}>
            <div className="panel-head">
              <h3 data-testid="confirm-title">{phase.req.title}</h3>
              {phase.kind !== 'sending' && (
                <button className="icon" onClick={close} aria-label="close" data-testid="confirm-close">
                  ×
                </button>
              )}
            </div>
            {phase.req.details && (
              <dl className="kv">
                {phase.req.details.map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            )}
            {phase.kind === 'estimating' && <p className="muted" data-testid="confirm-estimating"><span className="spinner" /> Dry-running on the node…</p>}
            {(phase.kind === 'confirm' || phase.kind === 'sending') && (
              <div className="steps">
                {phase.req.steps.map((s, i) => {
                  const est = phase.estimates[i];
                  const state = phase.kind === 'sending' ? (i < phase.at ? 'sent' : i === phase.at ? 'signing' : 'waiting') : i < phase.from ? 'sent' : est ? 'ready' : 'next';
                  return (
                    <div className="step" key={i} data-testid={`confirm-step-${i}`}>
                      <div className="step-head">
                        <span className="step-n">{i + 1}</span>
                        <strong>{s.label}</strong>
                        <code className="small">{s.call}</code>
                        <span className={`pill pill-${state}`}>{state}</span>
                      </div>
                      <dl className="kv">
                        {s.value !== undefined && s.value > 0n && (
                          <div>
                            <dt>Sent with the call</dt>
                            <dd data-testid={`confirm-value-${i}`}>{fmt(s.value)}</dd>
                          </div>
                        )}
                        {est ? (
                          <>
                            <div>
                              <dt>Network fee</dt>
                              <dd data-testid={`confirm-fee-${i}`}>{est.fee !== undefined ? fmt(est.fee) : '—'}</dd>
                            </div>
                            <div>
                              <dt>Storage deposit</dt>
                              <dd data-testid={`confirm-deposit-${i}`}>
                                {est.storageDeposit.type === 'Charge' ? fmt(est.storageDeposit.value) : `${fmt(est.storageDeposit.value)} refunded`}
                              </dd>
                            </div>
                          </>
                        ) : (
                          <div>
                            <dt>Estimate</dt>
                            <dd className="muted">dry-run after step {i}</dd>
                          </div>
                        )}
                      </dl>
                    </div>
                  );
                })}
              </div>
            )}
            {phase.kind === 'refused' && (
              <div className="error-box" data-testid="error-box" role="alert">
                <strong>Not sent.</strong> <span data-testid="error-plain">{phase.error.plain}</span>
                <div className="small mono" data-testid="error-code">{phase.error.code}</div>
              </div>
            )}
            {phase.kind === 'done' && (
              <div className="ok-box" data-testid="success-box">
                {phase.message}
                <div className="small muted" data-testid="confirm-receipt">
                  {phase.receipt}
                </div>
              </div>
            )}
            <div className="panel-actions">
              {phase.kind === 'confirm' && (
                <>
                  <button className="secondary" onClick={close} data-testid="confirm-cancel">
                    Cancel
                  </button>
                  <button className="primary" onClick={() => void confirm()} data-testid="confirm-sign">
                    {phase.req.steps.length === 1
                      ? 'Sign and send'
                      : phase.req.steps.slice(phase.from).every((_, j) => phase.estimates[phase.from + j])
                        ? `Sign ${phase.req.steps.length - phase.from > 1 ? `${phase.req.steps.length - phase.from} transactions` : `step ${phase.from + 1}`}`
                        : `Sign step ${phase.from + 1}`}
                  </button>
                </>
              )}
              {phase.kind === 'sending' && <span className="muted"><span className="spinner" /> Waiting for the block (and its finality on a parachain)…</span>}
              {(phase.kind === 'refused' || phase.kind === 'done') && (
                <button className="secondary" onClick={close} data-testid="confirm-dismiss">
                  Close
                </button>
              )}
            </div>
          </div>
        </div>
      )}
    </ActionContext.Provider>
  );
}
