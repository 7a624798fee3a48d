// The governor's activities: starting the governor of this worker's task queue when a run finds
// none, and telling the governor which of its holders no longer run.
import { Context } from '@temporalio/activity';
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { GovernorActivities } from '../../contract/activities';
import { GOVERNOR_WORKFLOW_TYPE, governorId, type FleetPolicy } from '../../contract/guards';

/** How a governor is started, by whoever first needs it. */
export const governorStart = {
  type: GOVERNOR_WORKFLOW_TYPE,
  options: (taskQueue: string, fleet: string, policy: FleetPolicy) => ({
    taskQueue,
    workflowId: governorId(fleet),
    args: [{ policy }] as [GovernorStartInput],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `Fleet governor of ${fleet === taskQueue ? `task queue ${taskQueue}` : `fleet ${fleet}`}: guards, budgets, pauses, breakers`,
  }),
};

type GovernorStartInput = { policy: FleetPolicy };

/** Starts the governor of a fleet (on `taskQueue`) if none runs. */
export async function ensureGovernor(client: Client, taskQueue: string, policy: FleetPolicy, fleet = taskQueue): Promise<void> {
  await client.workflow.start(governorStart.type, governorStart.options(taskQueue, fleet, policy));
}

const CHECKS_AT_ONCE = 16;

type Execution = { run: string; runId: string };

/** Which executions are not running any more (one that continued as new counts as running while its workflow runs). */
export async function closedRuns(client: Client, runs: readonly Execution[]): Promise<Execution[]> {
  const closed: Execution[] = [];
  const running = async (e: Execution, runId?: string): Promise<boolean> => {
    try {
      const { status } = await client.workflow.getHandle(e.run, runId).describe();
      if (status.name === 'RUNNING') return true;
      return status.name === 'CONTINUED_AS_NEW' && runId !== undefined && (await running(e));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  for (let i = 0; i < runs.length; i += CHECKS_AT_ONCE) {
    await Promise.all(
      runs.slice(i, i + CHECKS_AT_ONCE).map(async (e) => {
        if (!(await running(e, e.runId))) closed.push(e);
      }),
    );
  }
  return closed;
}

export function governorActivities(policy: FleetPolicy): GovernorActivities {
  return {
    async ensureGovernor(fleet) {
      const ctx = Context.current();
      await ensureGovernor(ctx.client, ctx.info.taskQueue, policy, fleet);
    },
    async closedRuns(runs) {
      return closedRuns(Context.current().client, runs);
    },
  };
}
