// `runbook test` only: a workflow interceptor that test workers bundle (production workers never
// do) so that a scenario can script how a child runbook ends without running it. The parent runs
// exactly the production code; the child asks the runner (a local activity, so its answer is in
// the child's history) and either runs the interpreter as usual or ends as scripted.
import { ApplicationFailure, proxyLocalActivities, workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import type { ScriptedChildActivities } from '../contract/activities';
import type { RunInput, RunResult } from '../contract/run';

const { scriptedChild } = proxyLocalActivities<ScriptedChildActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } });

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        if (!workflowInfo().parent) return next(input);
        const outcome = await scriptedChild({ workflowId: workflowInfo().workflowId });
        if (outcome.kind === 'run') return next(input);
        if (outcome.kind === 'failed') throw ApplicationFailure.nonRetryable(outcome.error, 'ScriptedChildFailure');
        const { runbook } = input.args[0] as RunInput;
        const result: RunResult = { status: 'succeeded', runbook: runbook.name, hash: runbook.hash, outputs: outcome.outputs, steps: {} };
        return result;
      },
    },
  ],
});
