// `runbook replay`: replays histories against the current workflow code and reports, per run,
// OK or the non-determinism found. Gate a deploy on it: exit 1 when any run fails.
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../temporal/bundle';
import type { NamedHistory } from './histories';

export interface ReplayOutcome {
  workflowId: string;
  ok: boolean;
  error?: string;
}

/** The workflow code to check: the built interpreter, unless a test passes another bundle. */
export function currentWorkflowBundle(): Promise<{ code: string }> {
  return bundleWorkflows(path.join(__dirname, '..', 'workflows'));
}

export async function replayHistories(
  histories: Iterable<NamedHistory> | AsyncIterable<NamedHistory>,
  bundle: { code: string } | { codePath: string },
  converter?: DataConverter,
): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  const results = Worker.runReplayHistories(
    { workflowBundle: bundle, replayName: 'runbook-replay', ...(converter && { dataConverter: converter }) },
    histories,
  );
  for await (const r of results) {
    outcomes.push({ workflowId: r.workflowId, ok: !r.error, ...(r.error && { error: explain(r.error) }) });
  }
  return outcomes;
}

function explain(error: Error): string {
  const text = error.message.replace(
    /^Replay failed with a nondeterminism error\. This means that the workflow code as written is not compatible with the history that was fed in\. Details: /,
    '',
  );
  const detail = /Nondeterminism error: ([^"]*)/.exec(text)?.[1] ?? text;
  return error.name === 'DeterminismViolationError' ? `non-deterministic: ${detail}` : `${error.name}: ${detail}`;
}

export function formatReplay(outcomes: ReplayOutcome[]): string[] {
  const lines = outcomes.map((o) => (o.ok ? `OK    ${o.workflowId}` : `FAIL  ${o.workflowId}: ${o.error}`));
  const failed = outcomes.filter((o) => !o.ok).length;
  lines.push(outcomes.length === 0 ? 'no histories to replay' : `${outcomes.length} replayed, ${failed} failed`);
  return lines;
}
