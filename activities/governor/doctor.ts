// Bringing a wedged fleet governor back. The governor's code is deterministic, yet the chaos soak
// twice found its history not replaying after worker restarts: the SDK (1.24) grouped the signals
// of one workflow task differently live than on replay (soak/findings/). A governor that cannot
// replay answers nothing, and every write of the fleet waits on it. Its only side effects are
// signals to runs and a read-only check, so it is safe to start it over: a reset to its first
// workflow task, with every signal since (requests, releases, ends, pauses, policies) applied
// again in order. Runs ignore answers to requests they no longer wait on.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { governorId } from '../../contract/guards';

const { WorkflowTaskFailedCause } = temporal.api.enums.v1;

export interface Healed {
  runId: string;
  /** The failure that wedged the governor, as the worker reported it. */
  failure: string;
}

/**
 * Resets the governor of `fleet` when its workflow task keeps failing on non-determinism; does
 * nothing otherwise (a healthy governor, one that fails for another reason, none at all).
 */
export async function healGovernor(client: Client, fleet: string): Promise<Healed | undefined> {
  const handle = client.workflow.getHandle(governorId(fleet));
  const description = await handle.describe().catch(() => undefined);
  if (description?.status.name !== 'RUNNING' || !description.raw.pendingWorkflowTask) return undefined;
  const execution = { workflowId: handle.workflowId, runId: description.runId };
  // Failed retries of one task are not written to history; its attempt counts them.
  const retries = Math.max(0, (description.raw.pendingWorkflowTask.attempt ?? 1) - 1);
  const failure = await wedgedBy(client, execution, retries);
  if (failure === undefined) return undefined;
  const first = await firstCompletedTask(client, execution);
  if (first === undefined) return undefined;
  const { runId } = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: execution,
    workflowTaskFinishEventId: first,
    requestId: randomUUID(),
    reason: `runbook worker: the governor's history does not replay (${failure.slice(0, 200)}); started over from its first task, every signal since applied again`,
  });
  return { runId: runId ?? '', failure };
}

/**
 * The earliest point a history can be started over from: its first completed workflow task. A
 * governor reset before starts with the signals applied again, so that task may come late.
 */
async function firstCompletedTask(client: Client, execution: { workflowId: string; runId: string }): Promise<Long | undefined> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution,
      maximumPageSize: 1000,
      nextPageToken,
    });
    const first = page.history?.events?.find((e) => e.workflowTaskCompletedEventAttributes);
    if (first?.eventId) return first.eventId;
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return undefined;
}

/** Newest events read to tell a wedged governor: its failures since the last completed task. */
const RECENT_EVENTS = 200;

/**
 * Why the governor is wedged: since its last completed workflow task, at least two attempts failed
 * (written to history, or retries of the pending task), all on non-determinism; one alone may be a
 * worker with other code during a rolling deploy.
 */
async function wedgedBy(client: Client, execution: { workflowId: string; runId: string }, retries: number): Promise<string | undefined> {
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution,
    maximumPageSize: RECENT_EVENTS,
  });
  const failures: string[] = [];
  for (const event of history?.events ?? []) {
    if (event.workflowTaskCompletedEventAttributes) break;
    const failed = event.workflowTaskFailedEventAttributes;
    if (!failed) continue;
    if (failed.cause !== WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR) return undefined;
    failures.push(failed.failure?.message ?? 'non-determinism');
  }
  return failures.length > 0 && failures.length + retries >= 2 ? failures[0] : undefined;
}

/**
 * Checks the governor every `everyMs` and heals it when wedged; returns a function that stops.
 * Every worker of the fleet does: a reset by one makes the others' checks find a healthy governor.
 */
export function watchGovernor(client: Client, fleet: string, say: (line: string) => void, everyMs = 30_000): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    healGovernor(client, fleet)
      .then((healed) => healed && say(governorHealedLine(fleet, healed)))
      .catch((err: unknown) => say(`fleet governor of ${fleet}: checking it failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export function governorHealedLine(fleet: string, healed: Healed): string {
  return `fleet governor of ${fleet} could not replay its history (${healed.failure.slice(0, 160)}); reset to its first task as run ${healed.runId}, every signal since applied again`;
}
