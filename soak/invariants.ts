// The engine's promises, checked after the stream stopped and the runs drained. Each check is
// one row of the table the soak prints; any broken row makes it exit non-zero.
import type { Client } from '@temporalio/client';
import { GOVERNOR_WORKFLOW_TYPE } from '../contract/guards';
import { fetchHistory, historyJson } from '../cli/histories';
import { readHistory } from '../report/read-history';
import type { Sample } from './memory';
import type { Occurrence } from './plan';
import type { Attempt, SentDelivery } from './sender';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** When something was down, from the fault's start until it was back (`until`). */
export interface Window {
  kind: string;
  at: number;
  until: number;
}

export interface Evidence {
  client: Client;
  sent: SentDelivery[];
  attempts: Attempt[];
  windows: Window[];
  /** Worker processes SIGKILLed, with when. */
  kills: Array<{ pid: number; at: number }>;
  actionLog: string[];
  byWorkflowId: Map<string, Occurrence>;
  secret: string;
  memory: Sample[];
  /** End of the warm-up, in ms since the soak started. */
  warmUpEndMs: number;
  /** RSS after the drain may exceed the warm-up level by this factor at most. */
  memoryFactor: number;
}

interface LogLine {
  what: 'start' | 'end';
  run: string;
  step: string;
  at: number;
  pid: number;
}

const GRACE_MS = 10_000;
const within = (at: number, windows: Window[], kinds: string[]) => windows.some((w) => kinds.includes(w.kind) && at >= w.at && at <= w.until + GRACE_MS);

export async function checkInvariants(e: Evidence): Promise<{ checks: Check[]; runs: number; repeats: { killed: number; restarted: number } }> {
  const checks: Check[] = [];
  const { client } = e;

  // 1. Every distinct alert occurrence that fired has exactly one run, and nothing else ran.
  const expected = new Set(e.sent.filter((s) => s.delivery.kind !== 'resolved').map((s) => s.expectedWorkflowId));
  const seen = new Map<string, number>();
  for await (const run of client.workflow.list({ query: 'RunbookName = "soak-remediate" OR RunbookName = "soak-page"' }))
    seen.set(run.workflowId, (seen.get(run.workflowId) ?? 0) + 1);
  const missing = [...expected].filter((id) => !seen.has(id));
  const extra = [...seen.keys()].filter((id) => !expected.has(id));
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const misnamed = e.sent.flatMap((s) => s.answered.filter((a) => a.workflowId && a.workflowId !== s.expectedWorkflowId).map((a) => a.workflowId!));
  checks.push({
    name: 'one run per alert occurrence',
    ok: missing.length + extra.length + twice.length + misnamed.length === 0,
    detail: `${expected.size} occurrences, ${seen.size} runs; missing ${missing.length}, unexpected ${extra.length}, more than one ${twice.length}, answers naming another run ${misnamed.length}${[
      ...missing,
      ...extra,
      ...twice,
    ]
      .slice(0, 3)
      .map((id) => ` ${id}`)
      .join('')}`,
  });

  // 2. Every run is closed, or waits for a person legitimately.
  const open: string[] = [];
  for await (const run of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    const status = run.searchAttributes?.RemediationStatus?.[0];
    if (run.type === GOVERNOR_WORKFLOW_TYPE || status === 'awaiting-approval' || status === 'awaiting-decision') continue;
    open.push(`${run.workflowId} (${String(status)})`);
  }
  checks.push({
    name: 'every run closed or waiting for a person',
    ok: open.length === 0,
    detail: open.length ? `open: ${open.slice(0, 5).join(', ')}` : 'all closed',
  });

  // 3-5 read the action log and the histories.
  const lines = e.actionLog.filter(Boolean).map((l): LogLine => {
    const [what, run, step, at, pid] = l.split(' ');
    return { what: what as LogLine['what'], run: run!, step: step!, at: Number(at), pid: Number(pid) };
  });
  const acted = new Set(lines.filter((l) => l.step === 'act' && l.what === 'start').map((l) => l.run));
  const unapproved: string[] = [];
  const leaked: string[] = [];
  let histories = 0;
  const ids = [...seen.keys()];
  for (let i = 0; i < ids.length; i += 8)
    await Promise.all(
      ids.slice(i, i + 8).map(async (id) => {
        const { history } = await fetchHistory(client, id);
        histories++;
        if (containsSecret(historyJson(history), e.secret)) leaked.push(id);
        if (acted.has(id)) {
          const report = await readHistory(history, id);
          if (!report.humans.some((h) => h.step === 'gate' && h.action === 'approve' && h.outcome === 'accepted')) unapproved.push(id);
        }
        // Children carry what their parent passed them.
        for await (const child of client.workflow.list({ query: `WorkflowId = "${id}/child"` })) {
          const { history: childHistory } = await fetchHistory(client, child.workflowId);
          histories++;
          if (containsSecret(historyJson(childHistory), e.secret)) leaked.push(child.workflowId);
        }
      }),
    );
  checks.push({
    name: 'no guarded step without its approval',
    ok: unapproved.length === 0,
    detail: `${acted.size} runs ran the guarded write; ${unapproved.length} without an accepted approval${unapproved
      .slice(0, 3)
      .map((id) => ` ${id}`)
      .join('')}`,
  });

  // 4. A step's command (or HTTP call) runs once, unless its attempt was in flight when the
  // worker was killed or Temporal restarted (docs/operations.md, Failure behaviour), or the step
  // itself failed and retried.
  const starts = new Map<string, LogLine[]>();
  for (const l of lines.filter((line) => line.what === 'start')) starts.set(`${l.run} ${l.step}`, [...(starts.get(`${l.run} ${l.step}`) ?? []), l]);
  let killed = 0;
  let restarted = 0;
  const unexplained: string[] = [];
  for (const [key, unsorted] of starts) {
    const attempts = [...unsorted].sort((a, b) => a.at - b.at);
    const [run, step] = key.split(' ') as [string, string];
    const expectedRuns = step === 'item' ? 3 : 1;
    if (attempts.length <= expectedRuns) continue;
    const occurrence = e.byWorkflowId.get(run);
    if (step === 'evidence' && occurrence?.evidenceFails) continue;
    // A repeat is explained when its worker was killed, or Temporal restarted, after the
    // previous attempt started and before this one did: that attempt was in flight.
    for (let i = expectedRuns; i < attempts.length; i++) {
      const [before, now] = [attempts[i - expectedRuns]!.at, attempts[i]!.at];
      if (e.kills.some((k) => k.at >= before - 1_000 && k.at <= now)) killed++;
      else if (e.windows.some((w) => w.kind === 'restart-temporal' && w.at <= now && w.until + GRACE_MS >= before)) restarted++;
      else unexplained.push(key);
    }
  }
  checks.push({
    name: 'no step ran twice without a crash in flight',
    ok: unexplained.length === 0,
    detail: `${lines.filter((l) => l.what === 'start').length} commands; repeats: ${killed} in flight at a worker kill, ${restarted} at a Temporal restart, ${unexplained.length} unexplained${unexplained
      .slice(0, 3)
      .map((k) => ` (${k})`)
      .join('')}`,
  });
  checks.push({
    name: 'no secret in any history',
    ok: leaked.length === 0,
    detail: `${histories} histories exported and searched${leaked
      .slice(0, 3)
      .map((id) => ` ${id}`)
      .join('')}`,
  });

  // 6. The receiver answered 5xx only while Temporal was down, then 503 with Retry-After, and every delivery got through.
  const errors = e.attempts.filter((a) => (a.status ?? 0) >= 500);
  const badErrors = errors.filter((a) => a.status !== 503 || !a.retryAfter || !within(a.at, e.windows, ['restart-temporal']));
  const refused = e.attempts.filter((a) => a.error);
  const badRefusals = refused.filter((a) => !within(a.at, e.windows, ['restart-receiver']));
  const undelivered = e.sent.filter((s) => s.finalStatus !== 202);
  checks.push({
    name: '5xx only while Temporal was down, each a 503 with Retry-After',
    ok: badErrors.length === 0,
    detail: `${e.attempts.length} attempts, ${errors.length} answered 5xx (${badErrors.length} outside a Temporal restart or without Retry-After)`,
  });
  checks.push({
    name: 'every delivery got through (retries included)',
    ok: undelivered.length === 0 && badRefusals.length === 0,
    detail: `${e.sent.length} deliveries; ${refused.length} connections refused (${badRefusals.length} outside a receiver restart); ${undelivered.length} never accepted${undelivered
      .slice(0, 3)
      .map((s) => ` ${s.expectedWorkflowId}:${s.finalStatus ?? 'none'}`)
      .join('')}`,
  });

  // 7. No leak: the longest-lived process of each kind (restarts start new ones) ends within a
  // factor of its level once warmed up (30 s after it started, or after the soak's warm-up).
  for (const name of ['worker', 'receiver']) {
    const byPid = new Map<number, Sample[]>();
    for (const s of e.memory.filter((m) => m.name === name)) byPid.set(s.pid, [...(byPid.get(s.pid) ?? []), s]);
    const [pid, own] = [...byPid].sort(([, a], [, b]) => b.at(-1)!.t - b[0]!.t - (a.at(-1)!.t - a[0]!.t))[0] ?? [0, []];
    const warmAt = Math.max(own[0]?.t ?? 0, e.warmUpEndMs) + 30_000;
    const level = own.find((s) => s.t >= warmAt)?.rssMb ?? Number.NaN;
    const after = own.at(-1)?.rssMb ?? Number.NaN;
    const lived = own.length ? (own.at(-1)!.t - own[0]!.t) / 60_000 : 0;
    checks.push({
      name: `${name} memory ≤ ${e.memoryFactor}× its warmed-up level`,
      ok: after <= level * e.memoryFactor,
      detail: `process ${pid} (lived ${lived.toFixed(1)} min of ${byPid.size} ${name} processes): ${level.toFixed(0)} MiB warmed up, ${after.toFixed(0)} MiB at the end`,
    });
  }
  return { checks, runs: seen.size, repeats: { killed, restarted } };
}

/** The secret in the history's text, or base64-encoded inside a payload. */
function containsSecret(json: string, secret: string): boolean {
  if (json.includes(secret)) return true;
  for (const m of json.matchAll(/"([A-Za-z0-9+/]{16,}={0,2})"/g)) if (Buffer.from(m[1]!, 'base64').toString('utf8').includes(secret)) return true;
  return false;
}
