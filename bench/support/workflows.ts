// Workflows the benchmarks run: the real interpreter, and a hand-written workflow that calls
// the same activities with the same options, as a team would write it without the engine.
import { ActivityCancellationType, scheduleActivity } from '@temporalio/workflow';
import type { ActionRequest } from '../../contract/activities';

export { runbookV4, runbookV3, runbookV2, runbookWorkflow, fleetGovernor } from '../../workflows';

export async function handWrittenTenSteps(runbook: string): Promise<void> {
  for (let i = 1; i <= 10; i++) {
    const request: ActionRequest = { runbook, stepId: `step_${i}`, with: { n: i }, secrets: {} };
    await scheduleActivity('bench.noop', [request], {
      startToCloseTimeout: 300_000,
      heartbeatTimeout: 30_000,
      retry: { maximumAttempts: 3, initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 30_000, nonRetryableErrorTypes: [] },
      summary: `step_${i}: no-op ${i}`,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
  }
}
