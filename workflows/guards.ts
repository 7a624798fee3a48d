// A run's side of the fleet guards: before each write step it asks the governor of its task queue
// (workflows/governor/) and waits for the answer, showing `queued` or `paused` meanwhile; after the
// step it gives the step's slot back; while it waits for a person it gives its run slot back; when
// it ends it tells the governor (which frees whatever is left and counts failures for breakers).
// The governor's answer arrives as a signal: only the answer to the request the run waits on counts.
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { GovernorActivities } from '../contract/activities';
import {
  acquireSignal,
  governorId,
  releaseSignal,
  runEndedSignal,
  verdictSignal,
  waitNoticeSignal,
  type Claim,
  type GuardRequest,
  type GuardVerdict,
  type GuardWaitNotice,
} from '../contract/guards';
import { safeKeyword, serviceOf } from '../contract/search-attributes';
import type { ActionStep } from '../dsl/kinds/action';
import { renderTemplate, stringify } from '../dsl/expressions';
import type { Scope } from '../dsl/expressions';
import type { CompiledRunbook } from '../dsl/compiled';
import type { GuardWait, RemediationStatus, RunInput } from '../contract/run';
import { count, observeSeconds } from './metrics';

/** What the guards need of the run they belong to (workflows/run.ts's Run). */
export interface GuardsHost {
  readonly runbook: CompiledRunbook;
  readonly input: Pick<RunInput, 'alert' | 'options'>;
  readonly inputs: Record<string, unknown>;
  scopeBase(): Scope;
  setStatus(status: RemediationStatus): void;
}

const { ensureGovernor } = proxyActivities<GovernorActivities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 10, maximumInterval: '10s' } });

/** `request` is set when the grant holds step slots to give back after the step. */
export type Gate = { granted: true; request?: string } | { granted: false; route: 'skip' | 'fail'; reason: string };

export class RunGuards {
  private seq = 0;
  private outstanding: string | undefined;
  private waitingStep = '';
  private verdict: GuardVerdict | undefined;
  private waitingNow: GuardWait | undefined;
  private holdsRunSlot: boolean;
  /** The run asked the governor for something: its end must free whatever that became. */
  private heldSomething = false;

  constructor(
    private readonly run: GuardsHost,
    /** Off for the workflow types recorded before guards existed: they replay as they ran. */
    readonly enabled: boolean,
    resumedWithRunSlot: boolean,
  ) {
    this.holdsRunSlot = resumedWithRunSlot;
    this.heldSomething = resumedWithRunSlot;
  }

  register(): void {
    if (!this.enabled) return;
    setHandler(verdictSignal, (v) => this.onVerdict(v), { description: 'Internal: the fleet governor answers a write step’s request.' });
    setHandler(waitNoticeSignal, (n) => this.onNotice(n), { description: 'Internal: the fleet governor says why a write step waits.' });
  }

  get waiting(): GuardWait | undefined {
    return this.waitingNow;
  }

  get runSlotHeld(): boolean {
    return this.holdsRunSlot;
  }

  /** Before a write step: granted (go on), or refused with the route to take. */
  async beforeWrite(step: ActionStep, scope: () => Scope): Promise<Gate> {
    if (!this.enabled) return { granted: true };
    const claims: Claim[] = [];
    const concurrency = this.run.runbook.concurrency;
    if (concurrency && !this.holdsRunSlot) claims.push(claimOf(concurrency, this.runKey()!, 'run'));
    if (step.guard) claims.push(claimOf(step.guard, guardKey(step.guard.key, scope), 'step'));
    const limits = step.guard ?? concurrency;
    const id = `${workflowInfo().runId}:${++this.seq}`;
    const request: GuardRequest = {
      id,
      run: workflowInfo().workflowId,
      runId: workflowInfo().runId,
      runbook: this.run.runbook.name,
      step: step.id,
      uses: step.uses,
      labels: this.labels(step),
      claims,
      onBusy: limits?.onBusy ?? 'queue',
      ...(limits?.maxWaitMs !== undefined && { maxWaitMs: limits.maxWaitMs }),
      onMaxWait: limits?.onMaxWait ?? 'fail',
      onPaused: concurrency?.onPaused ?? 'wait',
    };
    this.outstanding = id;
    this.waitingStep = step.id;
    this.verdict = undefined;
    // Even a request the run stops waiting for (it is cancelled) may be granted: the run's end frees it.
    this.heldSomething = true;
    try {
      // Not awaited on its own: the governor's answer often arrives in the same workflow task as
      // the confirmation that the request was delivered. A governor that does not exist yet (a
      // new fleet, or someone terminated it) is started by an activity and asked again.
      let undelivered = false;
      const handle = getExternalWorkflowHandle(governorId(this.fleet));
      handle.signal(acquireSignal, request).catch(() => (undelivered = true));
      await condition(() => this.verdict !== undefined || undelivered);
      if (this.verdict === undefined) {
        await ensureGovernor(this.fleet);
        await handle.signal(acquireSignal, request);
        await condition(() => this.verdict !== undefined);
      }
    } finally {
      this.outstanding = undefined;
      if (this.waitingNow) {
        // Set by the governor's signal while this method waited; TypeScript cannot see that.
        const verdict = this.verdict as GuardVerdict | undefined;
        const tags = { runbook: this.run.runbook.name, how: verdict === undefined ? 'cancelled' : verdict.granted ? 'granted' : 'refused' };
        count('guardWaits', tags);
        observeSeconds('guardWaitSeconds', (Date.now() - Date.parse(this.waitingNow.since)) / 1000, tags);
        this.waitingNow = undefined;
        this.run.setStatus('running');
      }
    }
    const verdict = this.verdict!;
    if (!verdict.granted) return { granted: false, route: verdict.route, reason: verdict.reason };
    if (claims.some((c) => c.scope === 'run' && c.limit !== undefined)) this.holdsRunSlot = true;
    return claims.some((c) => c.scope === 'step' && c.limit !== undefined) ? { granted: true, request: id } : { granted: true };
  }

  /** After a write step: its own slots go back (the run slot stays until the run ends or waits for a person). */
  afterWrite(gate: Gate): void {
    if (!this.enabled || !gate.granted || gate.request === undefined) return;
    this.send(releaseSignal, { run: workflowInfo().workflowId, request: gate.request, scope: 'step' });
  }

  /** The run now waits for a person: it holds no slot meanwhile. */
  releaseRunSlot(): void {
    if (!this.enabled || !this.holdsRunSlot) return;
    this.holdsRunSlot = false;
    this.send(releaseSignal, { run: workflowInfo().workflowId, scope: 'run' });
  }

  /** The run ends: whatever it holds is freed, and a failure counts towards its breaker. */
  async ended(failed: boolean, reason?: string): Promise<void> {
    if (!this.enabled || (!failed && !this.heldSomething)) return;
    const concurrency = this.run.runbook.concurrency;
    const key = concurrency ? this.runKey() : undefined;
    // Awaited: a signal issued in the task that closes the run would not be sent.
    await this.sendAndWait(runEndedSignal, {
      run: workflowInfo().workflowId,
      runbook: this.run.runbook.name,
      ...(key !== undefined && { key }),
      failed,
      ...(reason !== undefined && { reason: reason.slice(0, 500) }),
      ...(concurrency?.breaker && { breaker: concurrency.breaker }),
    });
  }

  private onVerdict(v: GuardVerdict): void {
    if (this.outstanding === undefined || !validVerdict(v) || v.request !== this.outstanding) return;
    this.verdict = v.granted ? { request: v.request, granted: true } : { request: v.request, granted: false, route: v.route, reason: v.reason.slice(0, 500) };
  }

  private onNotice(n: GuardWaitNotice): void {
    if (this.outstanding === undefined || n?.request !== this.outstanding || (n.state !== 'queued' && n.state !== 'paused') || typeof n.reason !== 'string')
      return;
    this.waitingNow = { step: this.waitingStep, state: n.state, reason: n.reason.slice(0, 500), since: this.waitingNow?.since ?? new Date().toISOString() };
    this.run.setStatus(n.state);
  }

  /** The runbook's concurrency key, rendered from inputs and alert (known before any step). */
  private runKey(): string | undefined {
    const concurrency = this.run.runbook.concurrency;
    return concurrency ? guardKey(concurrency.key, () => this.run.scopeBase()) : undefined;
  }

  private labels(step: ActionStep): Record<string, string> {
    const inputs = this.run.inputs;
    const alert = this.run.input.alert;
    const service = serviceOf(inputs, alert);
    const namespace = typeof inputs.namespace === 'string' ? inputs.namespace : alert?.labels.namespace;
    return {
      runbook: this.run.runbook.name,
      step: step.id,
      uses: step.uses,
      ...(service !== undefined && { service }),
      ...(namespace !== undefined && { namespace: boundedKey(namespace) }),
    };
  }

  private get fleet(): string {
    return this.run.input.options?.fleet ?? workflowInfo().taskQueue;
  }

  /**
   * Releases are sent, not awaited: the run goes on at once. A cancelled run sends too (the
   * command is issued in a non-cancellable scope). A governor that does not exist holds nothing
   * to release, so a failed send is ignored.
   */
  private send<T>(signal: SignalDefinition<[T]>, payload: T): void {
    void this.sendAndWait(signal, payload);
  }

  /** Never rejects: a governor that is gone has nothing to free. */
  private sendAndWait<T>(signal: SignalDefinition<[T]>, payload: T): Promise<void> {
    const handle = getExternalWorkflowHandle(governorId(this.fleet));
    return CancellationScope.nonCancellable(() => handle.signal(signal, payload)).catch(() => undefined);
  }
}

function claimOf(limits: { limit?: number; rate?: { limit: number; perMs: number } }, key: string, scope: Claim['scope']): Claim {
  return { key, scope, ...(limits.limit !== undefined && { limit: limits.limit }), ...(limits.rate && { rate: limits.rate }) };
}

function guardKey(template: string, scope: () => Scope): string {
  return boundedKey(stringify(renderTemplate(template, scope())));
}

/** Keys and labels come from alert text: printable and bounded, a long one keeping its start and a hash (distinct keys stay distinct). */
const boundedKey = safeKeyword;

function validVerdict(v: unknown): v is GuardVerdict {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  if (typeof r.request !== 'string') return false;
  if (r.granted === true) return true;
  return r.granted === false && (r.route === 'skip' || r.route === 'fail') && typeof r.reason === 'string';
}
