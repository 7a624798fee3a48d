// Exactly one remediation per alert occurrence: the workflow id comes from the runbook and the
// alert (PagerDuty: its incident; others: fingerprint and start time, so a fresh occurrence of
// the same alert gets a fresh remediation). Repeats find that id taken and start nothing.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import { startRun } from '../temporal/start-run';
import { alertResolvedSignal } from '../contract/messages';
import { safeFingerprint } from '../contract/search-attributes';

/**
 * An alert without a start time (a webhook that sends none) has no occurrence to name: its id
 * stands for "the open remediation of this alert", so repeats find the running one, and once it
 * has closed a new delivery starts a new one.
 */
const OPEN = 'open';

export function remediationId(runbook: CompiledRunbook, alert: Alert): string {
  const fingerprint = safeFingerprint(alert.fingerprint);
  const occurrence = alert.source === 'pagerduty' ? fingerprint : `${fingerprint}@${alert.startsAt ? Date.parse(alert.startsAt) / 1000 : OPEN}`;
  return `${runbook.name}/${alert.source}/${occurrence}`;
}

export type StartOutcome = 'started' | 'duplicate';

/**
 * Starts the remediation unless its id is taken. Temporal's USE_EXISTING policy would also keep
 * the running one, but the SDK does not say whether it started anything; FAIL does the same and
 * tells. REJECT_DUPLICATE keeps a finished remediation of this occurrence from running again.
 */
export async function startRemediation(
  client: Client,
  taskQueue: string,
  runbook: CompiledRunbook,
  alert: Alert,
  inputs: Record<string, unknown>,
): Promise<{ outcome: StartOutcome; workflowId: string }> {
  const workflowId = remediationId(runbook, alert);
  try {
    const reusePolicy = workflowId.endsWith(`@${OPEN}`) ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.REJECT_DUPLICATE;
    await startRun(client, taskQueue, { runbook, inputs, alert, startedBy: alert.source, workflowId, ifRunning: 'fail', reusePolicy });
    return { outcome: 'started', workflowId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { outcome: 'duplicate', workflowId };
    throw err;
  }
}

/** Tells a running remediation that its alert resolved; nothing to do when none is running. */
export async function signalResolved(
  client: Client,
  runbook: CompiledRunbook,
  alert: Alert,
): Promise<{ outcome: 'resolved-signalled' | 'no-run'; workflowId: string }> {
  const workflowId = remediationId(runbook, alert);
  try {
    await client.workflow.getHandle(workflowId).signal(alertResolvedSignal, { ...(alert.endsAt && { at: alert.endsAt }) });
    return { outcome: 'resolved-signalled', workflowId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { outcome: 'no-run', workflowId };
    throw err;
  }
}
