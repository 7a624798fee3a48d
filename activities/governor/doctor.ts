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

const { WorkflowTaskFailedCause, PendingWorkflowTaskState } = temporal.api.enums.v1;

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
  const pending = description?.raw.pendingWorkflowTask;
  // The first failure is written to history; the retries that follow are not, and count attempts.
  if (
    description?.status.name !== 'RUNNING' ||
    !pending ||
    (pending.attempt ?? 0) < 2 ||
    pending.state === PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
  )
    return undefined;
  const events = (await handle.fetchHistory()).events ?? [];
  const failed = [...events].reverse().find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
  if (failed?.cause !== WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR) return undefined;
  const first = events.find((e) => e.workflowTaskCompletedEventAttributes);
  if (!first?.eventId) return undefined;
  const failure = failed.failure?.message ?? 'non-determinism';
  const { runId } = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: handle.workflowId, runId: description.runId },
    workflowTaskFinishEventId: first.eventId,
    requestId: randomUUID(),
    reason: `runbook worker: the governor's history does not replay (${failure.slice(0, 200)}); started over from its first task, every signal since applied again`,
  });
  return { runId: runId ?? '', failure };
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
