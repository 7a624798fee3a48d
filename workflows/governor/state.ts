// The fleet governor's state and rules, free of Temporal so that they are easy to test: who holds
// which key, who waits and why, grant times for rates and budgets, pauses and breakers. The
// workflow (governor-workflow.ts) feeds it messages and the clock, and sends what it decides.
import { formatDuration } from '../../dsl/durations';
import type {
  BreakerPolicy,
  FleetPolicy,
  GuardRequest,
  GuardsView,
  GuardVerdict,
  GuardWaitNotice,
  PauseRecord,
  PauseRequest,
  ReleaseRequest,
  RequestOutcome,
  ResumeRequest,
  RunEndedNotice,
  Settled,
} from '../../contract/guards';

interface Holder {
  run: string;
  runId: string;
  request: string;
  step: string;
  since: number;
  scope: 'run' | 'step';
}

interface Waiter {
  req: GuardRequest;
  since: number;
  deadline?: number;
  told?: { state: 'queued' | 'paused'; reason: string };
}

/** Everything the governor carries across continue-as-new: plain JSON. */
export interface GovernorState {
  policy: FleetPolicy;
  holders: Record<string, Holder[]>;
  /** Grant times per key with a rate, and the longest window any request gave it. */
  grants: Record<string, { times: number[]; windowMs: number }>;
  budgetUse: Record<string, number[]>;
  waiters: Waiter[];
  pauses: PauseRecord[];
  failures: Record<string, number[]>;
  /** Absent in the state of a governor that continued as new before requests were signals. */
  settled?: Settled[];
}

export type Outbound = { run: string; verdict: GuardVerdict } | { run: string; notice: GuardWaitNotice };

/**
 * More waiters than this and new requests are refused (route `fail`, so `onFailure` escalates):
 * the governor carries its waiters across continue-as-new, and Temporal refuses a payload over
 * 2 MB (1,000 waiters are about 0.5 MB).
 */
export const MAX_WAITERS = 3_000;
export const MAX_PAUSES = 1_000;
const WATCHED_WAITERS = 200;
/** Outcomes kept for their senders: a sender reads its own within seconds. */
export const MAX_SETTLED = 100;

export function emptyState(policy: FleetPolicy): GovernorState {
  return { policy, holders: {}, grants: {}, budgetUse: {}, waiters: [], pauses: [], failures: {}, settled: [] };
}

type Execution = { run: string; runId: string };

type Blocked = { reason: string; until?: number; route: GuardRequest['onBusy'] };

export class Governor {
  constructor(readonly state: GovernorState) {}

  setPolicy(policy: FleetPolicy): void {
    this.state.policy = policy;
  }

  /** A run asks before a write step. A request already known (sent twice) is ignored. */
  submit(req: GuardRequest, now: number): Outbound[] {
    const known = this.state.waiters.some((w) => w.req.id === req.id) || Object.values(this.state.holders).some((hs) => hs.some((h) => h.request === req.id));
    if (known) return [];
    if (this.state.waiters.length >= MAX_WAITERS) {
      return [
        { run: req.run, verdict: { request: req.id, granted: false, route: 'fail', reason: `the fleet governor already has ${MAX_WAITERS} requests waiting` } },
      ];
    }
    this.state.waiters.push({ req, since: now, ...(req.maxWaitMs !== undefined && { deadline: now + req.maxWaitMs }) });
    return [];
  }

  release(r: ReleaseRequest): void {
    for (const [key, holders] of Object.entries(this.state.holders)) {
      const left = holders.filter(
        (h) => !(h.run === r.run && (r.request === undefined || h.request === r.request) && (r.scope === undefined || h.scope === r.scope)),
      );
      if (left.length) this.state.holders[key] = left;
      else delete this.state.holders[key];
    }
  }

  /** A run ended: it holds and waits for nothing any more; a failure counts towards its breaker. */
  runEnded(n: RunEndedNotice, now: number): void {
    this.dropRuns([n.run]);
    const breaker = n.breaker ?? this.state.policy.breaker;
    if (!n.failed || !breaker) return;
    const scope = breakerScope(n, breaker);
    const recent = within([...(this.state.failures[scope.name] ?? []), now], breaker.withinMs, now);
    this.state.failures[scope.name] = recent;
    if (recent.length < breaker.failures) return;
    delete this.state.failures[scope.name];
    const reason = `${recent.length} failed runs within ${formatDuration(breaker.withinMs)}; the last: ${clip(n.reason ?? 'failed', 300)}`;
    this.addPause({ ...scope.pause, by: 'circuit-breaker', reason }, 'circuit-breaker', now);
  }

  /** Runs that no longer run (terminated, reset, timed out, gone): their slots and places are freed. */
  dropRuns(runs: readonly string[]): void {
    const gone = new Set(runs);
    for (const run of gone) this.release({ run });
    this.state.waiters = this.state.waiters.filter((w) => !gone.has(w.req.run));
  }

  pause(p: PauseRequest, now: number): PauseRecord {
    return this.addPause(p, 'person', now);
  }

  /**
   * A person's or a worker's request, taken once: a request sent again (a client retrying) is not
   * applied again. Its outcome is kept for its sender to read (settledOf).
   */
  take(request: string, now: number, apply: () => RequestOutcome): void {
    if (this.settledOf(request)) return;
    this.state.settled = [...(this.state.settled ?? []), { request, at: new Date(now).toISOString(), ...apply() }].slice(-MAX_SETTLED);
  }

  settledOf(request: string): Settled | undefined {
    return this.state.settled?.find((s) => s.request === request);
  }

  /** Lifts the pauses of exactly this scope (a breaker's included); returns them. */
  resume(r: ResumeRequest): PauseRecord[] {
    const lifted = this.state.pauses.filter((p) => sameScope(p, r));
    this.state.pauses = this.state.pauses.filter((p) => !sameScope(p, r));
    for (const p of lifted) if (p.source === 'circuit-breaker') delete this.state.failures[breakerName(p)];
    return lifted;
  }

  /**
   * The executions the watchdog checks: every holder's, and the first waiters' (a waiter whose run
   * is gone is also dropped when its answer cannot be delivered).
   */
  watchedRuns(): Execution[] {
    const all = [...Object.values(this.state.holders).flat(), ...this.state.waiters.slice(0, WATCHED_WAITERS).map((w) => w.req)];
    const seen = new Map(all.map((e) => [`${e.run} ${e.runId}`, { run: e.run, runId: e.runId }]));
    return [...seen.values()];
  }

  /** Executions that ended without saying so (terminated, reset, timed out): what they held and asked is dropped. */
  dropExecutions(closed: readonly Execution[]): void {
    const gone = new Set(closed.map((e) => `${e.run} ${e.runId}`));
    for (const [key, holders] of Object.entries(this.state.holders)) {
      const left = holders.filter((h) => !gone.has(`${h.run} ${h.runId}`));
      if (left.length) this.state.holders[key] = left;
      else delete this.state.holders[key];
    }
    this.state.waiters = this.state.waiters.filter((w) => !gone.has(`${w.req.run} ${w.req.runId}`));
  }

  get busy(): boolean {
    return this.state.waiters.length > 0 || Object.keys(this.state.holders).length > 0;
  }

  /** Grants what can be granted, in order (first come, first served per key), and says when to look again. */
  process(now: number): { out: Outbound[]; wakeAt?: number } {
    this.prune(now);
    const out: Outbound[] = [];
    const blockedKeys = new Set<string>();
    const remaining: Waiter[] = [];
    let wakeAt: number | undefined;
    const wake = (t: number | undefined) => {
      if (t !== undefined && (wakeAt === undefined || t < wakeAt)) wakeAt = t;
    };
    const refuse = (w: Waiter, route: 'skip' | 'fail', reason: string) =>
      out.push({ run: w.req.run, verdict: { request: w.req.id, granted: false, route, reason } });
    const wait = (w: Waiter, state: 'queued' | 'paused', reason: string) => {
      remaining.push(w);
      wake(w.deadline);
      if (w.told?.state === state && w.told.reason === reason) return;
      w.told = { state, reason };
      out.push({ run: w.req.run, notice: { request: w.req.id, state, reason } });
    };
    for (const w of this.state.waiters) {
      if (w.deadline !== undefined && now >= w.deadline) {
        refuse(w, w.req.onMaxWait, `waited ${formatDuration(w.req.maxWaitMs ?? 0)} (maxWait): ${w.told?.reason ?? 'busy'}`);
        continue;
      }
      const pause = this.pauseFor(w.req);
      if (pause) {
        const reason = `paused by ${pause.by}: ${pause.reason}`;
        if (w.req.onPaused === 'wait') wait(w, 'paused', reason);
        else refuse(w, w.req.onPaused, reason);
        continue;
      }
      const keys = this.keysOf(w.req);
      const ahead = keys.find((k) => blockedKeys.has(k));
      const blocked: Blocked | undefined =
        ahead !== undefined ? { reason: `behind earlier requests for ${ahead}`, route: w.req.onBusy } : this.blockedBy(w.req, now);
      if (!blocked) {
        this.grant(w.req, now);
        out.push({ run: w.req.run, verdict: { request: w.req.id, granted: true } });
        continue;
      }
      if (blocked.route !== 'queue') {
        refuse(w, blocked.route, blocked.reason);
        continue;
      }
      keys.forEach((k) => blockedKeys.add(k));
      wake(blocked.until);
      wait(w, 'queued', blocked.reason);
    }
    this.state.waiters = remaining;
    return { out, ...(wakeAt !== undefined && { wakeAt }) };
  }

  /** What `runbook guards` shows. A query: it reads the state and never changes it (queries are not replayed). */
  view(now: number): GuardsView {
    const iso = (t: number) => new Date(t).toISOString();
    const granted = Object.fromEntries(
      Object.entries(this.state.grants)
        .map(([key, g]) => [key, within(g.times, g.windowMs, now).length] as const)
        .filter(([, n]) => n > 0),
    );
    const keys = new Set([...Object.keys(this.state.holders), ...Object.keys(granted), ...this.state.waiters.flatMap((w) => w.req.claims.map((c) => c.key))]);
    return {
      policy: this.state.policy,
      pauses: this.state.pauses,
      keys: [...keys].sort().map((key) => ({
        key,
        holders: (this.state.holders[key] ?? []).map((h) => ({ run: h.run, runId: h.runId, step: h.step, since: iso(h.since), scope: h.scope })),
        waiting: this.state.waiters.filter((w) => w.req.claims.some((c) => c.key === key)).length,
        ...(granted[key] !== undefined && { grantsInWindow: granted[key] }),
      })),
      waiting: this.state.waiters.map((w) => ({
        run: w.req.run,
        runbook: w.req.runbook,
        step: w.req.step,
        since: iso(w.since),
        state: w.told?.state ?? 'queued',
        reason: w.told?.reason ?? 'arriving',
      })),
      budgets: this.state.policy.budgets.map((b) => ({
        name: b.name,
        used: within(this.state.budgetUse[b.name] ?? [], b.perMs, now).length,
        limit: b.limit,
        perMs: b.perMs,
      })),
      breakers: Object.entries(this.state.failures).map(([scope, times]) => ({ scope, failures: times.length })),
    };
  }

  // ---------- rules ----------

  private addPause(p: PauseRequest, source: PauseRecord['source'], now: number): PauseRecord {
    const record: PauseRecord = { ...scopeOf(p), by: p.by, reason: p.reason, at: new Date(now).toISOString(), source };
    this.state.pauses = [...this.state.pauses.filter((q) => !sameScope(q, p)), record].slice(-MAX_PAUSES);
    return record;
  }

  private pauseFor(req: GuardRequest): PauseRecord | undefined {
    return this.state.pauses.find(
      (p) => (p.runbook === undefined || p.runbook === req.runbook) && (p.key === undefined || req.claims.some((c) => c.key === p.key)),
    );
  }

  /** The keys and budgets a request waits on, for first come, first served. */
  private keysOf(req: GuardRequest): string[] {
    return [...req.claims.map((c) => c.key), ...this.budgetsOf(req).map((b) => `budget ${b.name}`)];
  }

  private budgetsOf(req: GuardRequest) {
    return this.state.policy.budgets.filter((b) => Object.entries(b.match).every(([label, value]) => req.labels[label] === value));
  }

  private blockedBy(req: GuardRequest, now: number): Blocked | undefined {
    for (const c of req.claims) {
      // A run never waits on itself (its run slot and a step guard on the same key).
      const others = (this.state.holders[c.key] ?? []).filter((h) => h.run !== req.run);
      if (c.limit !== undefined && others.length >= c.limit) {
        return { reason: `${c.key} is at its limit (${others.length} of ${c.limit} held)`, route: req.onBusy };
      }
      if (c.rate) {
        const times = within(this.state.grants[c.key]?.times ?? [], c.rate.perMs, now);
        if (times.length >= c.rate.limit) {
          return {
            reason: `${c.key} is at its rate (${c.rate.limit} per ${formatDuration(c.rate.perMs)})`,
            until: times[times.length - c.rate.limit]! + c.rate.perMs,
            route: req.onBusy,
          };
        }
      }
    }
    for (const b of this.budgetsOf(req)) {
      const times = within(this.state.budgetUse[b.name] ?? [], b.perMs, now);
      if (times.length >= b.limit) {
        return {
          reason: `fleet budget ${b.name} is spent (${b.limit} writes per ${formatDuration(b.perMs)})`,
          until: times[times.length - b.limit]! + b.perMs,
          route: b.onExceeded,
        };
      }
    }
    return undefined;
  }

  private grant(req: GuardRequest, now: number): void {
    for (const c of req.claims) {
      if (c.limit !== undefined)
        (this.state.holders[c.key] ??= []).push({ run: req.run, runId: req.runId, request: req.id, step: req.step, since: now, scope: c.scope });
      if (c.rate) {
        const g = (this.state.grants[c.key] ??= { times: [], windowMs: c.rate.perMs });
        g.times.push(now);
        g.windowMs = Math.max(g.windowMs, c.rate.perMs);
      }
    }
    for (const b of this.budgetsOf(req)) (this.state.budgetUse[b.name] ??= []).push(now);
  }

  /** Forgets grant times no window can count any more. */
  private prune(now: number): void {
    for (const [key, g] of Object.entries(this.state.grants)) {
      g.times = within(g.times, g.windowMs, now);
      if (g.times.length === 0) delete this.state.grants[key];
    }
    const budgets = new Map(this.state.policy.budgets.map((b) => [b.name, b.perMs]));
    for (const [name, times] of Object.entries(this.state.budgetUse)) {
      const per = budgets.get(name);
      const kept = per === undefined ? [] : within(times, per, now);
      if (kept.length) this.state.budgetUse[name] = kept;
      else delete this.state.budgetUse[name];
    }
  }
}

/** The times inside a sliding window of `ms` ending now. */
function within(times: readonly number[], ms: number, now: number): number[] {
  return times.filter((t) => t > now - ms);
}

function scopeOf(s: { runbook?: string; key?: string }): { runbook?: string; key?: string } {
  return { ...(s.runbook !== undefined && { runbook: s.runbook }), ...(s.key !== undefined && { key: s.key }) };
}

function sameScope(a: { runbook?: string; key?: string }, b: { runbook?: string; key?: string }): boolean {
  return a.runbook === b.runbook && a.key === b.key;
}

function breakerScope(n: RunEndedNotice, breaker: BreakerPolicy): { name: string; pause: { runbook: string; key?: string } } {
  const pause = breaker.per === 'key' && n.key !== undefined ? { runbook: n.runbook, key: n.key } : { runbook: n.runbook };
  return { name: breakerName(pause), pause };
}

function breakerName(s: { runbook?: string; key?: string }): string {
  return s.key !== undefined ? `${s.runbook} ${s.key}` : (s.runbook ?? '');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
