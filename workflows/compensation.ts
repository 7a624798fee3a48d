// Compensation: a completed step that declares `compensate` leaves an undo on a stack; when the
// run fails or is cancelled, the undos run in reverse order, each attempted even if one fails.
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { reasonOf } from './failures';
import type { Run } from './run';
import { labelText } from '../contract/labels';
import { actionRequest, callAction } from './steps/action';

/** Runs every pending undo, newest first. Never cancelled: a cancelled run must still clean up. */
export async function compensate(run: Run): Promise<void> {
  if (!run.hasCompensations) return;
  run.setStatus('compensating');
  await CancellationScope.nonCancellable(async () => {
    for (let next = run.nextCompensation(); next; next = run.nextCompensation()) {
      const { compensation: c, logged } = next;
      try {
        await callAction(c.uses, actionRequest(run.runbook, `${c.stepId}.compensate`, { value: c.with, sites: c.secretSites ?? [] }, c.secrets), {
          timeoutMs: c.timeoutMs,
          retry: c.retry,
          summary: labelText({ kind: 'undo', step: c.stepId, what: c.description ?? c.uses }),
        });
        run.compensationEnded(logged, 'succeeded');
      } catch (err) {
        if (isCancellation(err)) throw err;
        run.compensationEnded(logged, 'failed', reasonOf(err));
      }
    }
  });
}
