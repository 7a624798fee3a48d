// Prints a run's steps as they complete, by polling its `status` query, until it ends; and, the
// moment the run waits for a person or a fleet guard, what it waits for and how to answer.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../contract/messages';
import type { Pending, StatusView, StepRecord } from '../contract/run';
import { answerCommands } from '../contract/answer-template';
import type { runbookV4 } from '../workflows';
import { failureReason } from '../temporal/run-failure';

export interface FollowResult {
  ok: boolean;
  reason?: string;
  /** The failure's type, e.g. `NotAdmitted` or `RunbookFailed`. */
  type?: string;
  outputs?: Record<string, unknown>;
}

const POLL_MS = 400;

export async function followRun(handle: WorkflowHandle<typeof runbookV4>, print: (line: string) => void, link?: string): Promise<FollowResult> {
  const printed = new Set<string>();
  const waits = new Set<string>();
  const showWaits = (status: StatusView) => {
    for (const p of status.pending) {
      const key = `${p.step}@${p.requestedAt}`;
      if (waits.has(key)) continue;
      waits.add(key);
      for (const line of waitingLines(handle.workflowId, p, link)) print(line);
    }
    const g = status.guard;
    if (g && !waits.has(`${g.step}@${g.state}@${g.since}`)) {
      waits.add(`${g.step}@${g.state}@${g.since}`);
      print(`  ⏸ ${g.step} ${g.state}: ${g.reason}`);
    }
  };
  const show = (records: Record<string, Omit<StepRecord, 'outputs'>>) => {
    const ended = Object.values(records)
      .filter((r) => r.status !== 'running' && r.endedAt)
      .sort((a, b) => a.endedAt!.localeCompare(b.endedAt!));
    for (const r of ended) {
      const key = `${r.id}@${r.startedAt}`;
      if (printed.has(key)) continue;
      printed.add(key);
      print(stepLine(r));
    }
  };
  const result = handle.result();
  let done = false;
  result.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    try {
      const status = await handle.query(statusQuery);
      show(status.steps);
      showWaits(status);
    } catch {
      // Not answerable yet (no worker picked it up); keep waiting for the result.
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, POLL_MS))]);
  }
  try {
    const final = await result;
    show(final.steps);
    return { ok: true, outputs: final.outputs };
  } catch (err) {
    try {
      show((await handle.query(statusQuery)).steps);
    } catch {
      // The final status is best effort; the reason below is what matters.
    }
    return { ok: false, reason: failureReason(err), ...(failureType(err) && { type: failureType(err) }) };
  }
}

/** A waiting request in words: the step, what it waits for, who may answer, until when, and the commands. */
function waitingLines(workflowId: string, p: Pending, link: string | undefined): string[] {
  const who = p.eligible.length ? p.eligible.join(', ') : 'anyone';
  const what =
    p.kind === 'approval'
      ? `waits for ${p.minApprovals > 1 ? `${p.minApprovals} approvals` : 'approval'} of ${p.guards}`
      : `waits for a person to ${p.decision === 'decide' ? 'decide' : 'fill values'} (${p.why})`;
  return [
    `  ⏸ ${p.step} ${what}; who may answer: ${who}${p.signed ? ' (signed answers only)' : ''}; until ${p.deadline}${p.onTimeout ? `, then ${p.onTimeout}` : ''}`,
    ...answerCommands(workflowId, p).map((c) => `      ${c}`),
    ...(link ? [`      or in the Web UI: ${link}`] : []),
  ];
}

export function stepLine(r: Omit<StepRecord, 'outputs'>): string {
  const ms = r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : 0;
  const took = `${(ms / 1000).toFixed(1)}s`;
  switch (r.status) {
    case 'succeeded':
      return `  ✓ ${r.id} (${took})`;
    case 'skipped':
      return `  - ${r.id} skipped`;
    case 'cancelled':
      return `  ⊘ ${r.id} cancelled`;
    default:
      return `  ✗ ${r.id} failed (${took}): ${r.error ?? ''}`;
  }
}

function failureType(err: unknown): string | undefined {
  return err instanceof WorkflowFailedError ? ((err.cause as { type?: string } | undefined)?.type ?? undefined) : undefined;
}
