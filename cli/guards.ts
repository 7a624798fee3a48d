// `runbook pause`, `runbook resume` and `runbook guards`: the kill switch and the fleet's state,
// through the governor of the task queue (workflows/governor/). The same signals and queries are
// the API: any Temporal client can send them (docs/guards.md).
import type { Client } from '@temporalio/client';
import { governorId, guardsQuery, pauseSignal, resumeSignal, type GuardsView, type PauseRecord, type PauseScope } from '../contract/guards';
import { formatDuration } from '../dsl/durations';
import { ensureGovernor } from '../activities/governor/activities';
import { loadFleetPolicy } from '../activities/governor/policy';
import { askGovernor } from '../activities/governor/requests';

export interface ScopeOptions {
  all?: boolean;
  runbook?: string;
  key?: string;
}

/** Exactly one way to say what is covered: --all, or --runbook and/or --key. */
export function scopeOf(opts: ScopeOptions): PauseScope | string {
  const narrowed = opts.runbook !== undefined || opts.key !== undefined;
  if (Boolean(opts.all) === narrowed) return 'give --all, or --runbook NAME and/or --key KEY';
  return { ...(opts.runbook !== undefined && { runbook: opts.runbook }), ...(opts.key !== undefined && { key: opts.key }) };
}

/**
 * The pause is in force when this returns: the governor grants nothing it covers from then on. A
 * governor that never ran is started by it: the pause must hold for the first write.
 */
export async function pauseFleet(client: Client, taskQueue: string, scope: PauseScope, by: string, reason: string): Promise<PauseRecord> {
  const outcome = await askGovernor(client, taskQueue, pauseSignal, { ...scope, by, reason }, { policy: loadFleetPolicy() });
  if (!('paused' in outcome)) throw new Error(`the fleet governor answered a pause with ${JSON.stringify(outcome)}`);
  return outcome.paused;
}

export async function resumeFleet(client: Client, taskQueue: string, scope: PauseScope, by: string): Promise<PauseRecord[]> {
  const outcome = await askGovernor(client, taskQueue, resumeSignal, { ...scope, by }, { policy: loadFleetPolicy() });
  if (!('resumed' in outcome)) throw new Error(`the fleet governor answered a resume with ${JSON.stringify(outcome)}`);
  return outcome.resumed;
}

export async function fleetGuards(client: Client, taskQueue: string): Promise<GuardsView> {
  await ensureGovernor(client, taskQueue, loadFleetPolicy());
  return client.workflow.getHandle(governorId(taskQueue)).query(guardsQuery);
}

export function describeScope(s: PauseScope): string {
  if (s.runbook !== undefined && s.key !== undefined) return `runbook ${s.runbook}, key ${s.key}`;
  if (s.runbook !== undefined) return `runbook ${s.runbook}`;
  if (s.key !== undefined) return `key ${s.key}`;
  return 'every write step of the fleet';
}

export function formatGuards(view: GuardsView): string[] {
  const lines: string[] = [];
  lines.push(view.pauses.length ? 'Pauses:' : 'Pauses: none');
  for (const p of view.pauses) lines.push(`  ${describeScope(p)}: by ${p.by} at ${p.at}: ${p.reason}`);
  lines.push(view.keys.length ? 'Keys:' : 'Keys: none in use');
  for (const k of view.keys) {
    const holders = k.holders.map((h) => `${h.run} (${h.step}, since ${h.since})`).join(', ') || 'no holder';
    lines.push(`  ${k.key}: ${holders}; ${k.waiting} waiting${k.grantsInWindow !== undefined ? `; ${k.grantsInWindow} granted in its rate window` : ''}`);
  }
  if (view.waiting.length) {
    lines.push('Waiting:');
    for (const w of view.waiting) lines.push(`  ${w.run} ${w.runbook}/${w.step} ${w.state} since ${w.since}: ${w.reason}`);
  }
  lines.push(view.budgets.length ? 'Budgets:' : 'Budgets: none (RUNBOOK_FLEET_POLICY)');
  for (const b of view.budgets) lines.push(`  ${b.name}: ${b.limit - b.used} of ${b.limit} left per ${formatDuration(b.perMs)}`);
  for (const b of view.breakers) lines.push(`Breaker ${b.scope}: ${b.failures} recent failure(s)`);
  return lines;
}
