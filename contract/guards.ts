// The fleet governor's messages (workflows/governor/): runs ask it before each write step, it
// answers them by signal; people pause, resume and read it through its updates and query. One
// governor per task queue: the workers on a queue are one fleet.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BusyRoute, PausedRoute } from '../dsl/guard';

export const GOVERNOR_WORKFLOW_TYPE = 'fleetGovernor';

/** The governor of a fleet: by default the workers of one task queue (RunOptions.fleet names another). */
export function governorId(fleet: string): string {
  return `runbook-governor:${fleet}`;
}

/** One slot or rate a request claims. A key is fleet-wide: runbooks that name the same key share it. */
export interface Claim {
  key: string;
  limit?: number;
  rate?: { limit: number; perMs: number };
  /** `run`: held until the run ends or waits for a person; `step`: held for one step. */
  scope: 'run' | 'step';
}

export interface GuardRequest {
  /** Unique per request; the run accepts an answer only for the request it is waiting on. */
  id: string;
  /** The run's workflow id: answers go there. */
  run: string;
  /** The run's own execution: the watchdog frees what a terminated or reset execution held. */
  runId: string;
  runbook: string;
  step: string;
  uses: string;
  /** What fleet budgets match on (docs/guards.md). */
  labels: Record<string, string>;
  claims: Claim[];
  onBusy: BusyRoute;
  maxWaitMs?: number;
  onMaxWait: 'skip' | 'fail';
  onPaused: PausedRoute;
}

export type GuardVerdict = { request: string; granted: true } | { request: string; granted: false; route: 'skip' | 'fail'; reason: string };

/** Told to a run whose request waits, and why (again when the reason changes). */
export interface GuardWaitNotice {
  request: string;
  state: 'queued' | 'paused';
  reason: string;
}

export interface ReleaseRequest {
  run: string;
  /** One request's slots; absent: any of the run's. */
  request?: string;
  /** Only slots of this scope: `step` after a write step, `run` when the run waits for a person. */
  scope?: 'run' | 'step';
}

export interface RunEndedNotice {
  run: string;
  runbook: string;
  /** The run's concurrency key, for breakers counted per key. */
  key?: string;
  failed: boolean;
  reason?: string;
  breaker?: BreakerPolicy;
}

export interface BreakerPolicy {
  failures: number;
  withinMs: number;
  per: 'runbook' | 'key';
}

export interface BudgetPolicy {
  name: string;
  /** Labels a write must have for the budget to count it (runbook, step, uses, service, namespace). */
  match: Record<string, string>;
  limit: number;
  perMs: number;
  onExceeded: BusyRoute;
}

export interface FleetPolicy {
  budgets: BudgetPolicy[];
  /** For runbooks that declare none. */
  breaker?: BreakerPolicy;
  /** How often the governor checks that holders and waiters still run (terminated, reset, timed out). */
  watchEveryMs: number;
}

export const DEFAULT_FLEET_POLICY: FleetPolicy = { budgets: [], watchEveryMs: 10_000 };

/** What a pause covers: everything (no field), a runbook, a key, or a runbook's key. */
export interface PauseScope {
  runbook?: string;
  key?: string;
}

export interface PauseRequest extends PauseScope {
  by: string;
  reason: string;
}

export interface PauseRecord extends PauseRequest {
  at: string;
  /** `circuit-breaker` for automatic pauses. */
  source: 'person' | 'circuit-breaker';
}

export interface ResumeRequest extends PauseScope {
  by: string;
}

/** A message to the governor with the name its sender reads its outcome back by (a UUID). */
export type Sent<T> = T & { request: string };

export type RequestOutcome = { paused: PauseRecord } | { resumed: PauseRecord[] } | { policy: 'installed' } | { refused: string };

/** What became of a request the governor took: kept for its last MAX_SETTLED requests. */
export type Settled = { request: string; at: string } & RequestOutcome;

export interface GuardsView {
  policy: FleetPolicy;
  pauses: PauseRecord[];
  keys: Array<{
    key: string;
    holders: Array<{ run: string; runId: string; step: string; since: string; scope: 'run' | 'step' }>;
    waiting: number;
    grantsInWindow?: number;
  }>;
  waiting: Array<{ run: string; runbook: string; step: string; since: string; state: 'queued' | 'paused'; reason: string }>;
  budgets: Array<{ name: string; used: number; limit: number; perMs: number }>;
  breakers: Array<{ scope: string; failures: number }>;
}

// Runs -> governor. Signals, not updates: Temporal allows a workflow only a few updates in flight
// (10 by default), and a storm sends the governor a thousand requests at once.
export const acquireSignal = defineSignal<[GuardRequest]>('guardAcquire');
export const releaseSignal = defineSignal<[ReleaseRequest]>('guardRelease');
export const runEndedSignal = defineSignal<[RunEndedNotice]>('guardRunEnded');
// Governor -> runs
export const verdictSignal = defineSignal<[GuardVerdict]>('guardVerdict');
export const waitNoticeSignal = defineSignal<[GuardWaitNotice]>('guardWaiting');
// People and workers -> governor. Signals too, each named by `request` so that its sender reads
// the outcome back with `guardRequest`. These were updates; an update that reached the governor in
// the same workflow task as guard signals replayed in another order than it ran (SDK 1.24, history
// in soak/findings/), and the governor failed every task after. The updates are refused now: their
// handlers stay only so that the histories holding them still replay.
export const pauseSignal = defineSignal<[Sent<PauseRequest>]>('guardPause');
export const resumeSignal = defineSignal<[Sent<ResumeRequest>]>('guardResume');
export const policySignal = defineSignal<[Sent<{ policy: FleetPolicy }>]>('guardPolicy');
export const requestQuery = defineQuery<Settled | null, [string]>('guardRequest');
/** @deprecated refused; see pauseSignal. */
export const pauseUpdate = defineUpdate<PauseRecord, [PauseRequest]>('pause');
/** @deprecated refused; see resumeSignal. */
export const resumeUpdate = defineUpdate<PauseRecord[], [ResumeRequest]>('resume');
/** @deprecated refused; see policySignal. */
export const policyUpdate = defineUpdate<void, [FleetPolicy]>('policy');
export const guardsQuery = defineQuery<GuardsView>('guards');
