// `runbook`: another runbook as a child workflow, with its compiled definition embedded in the
// parent's, so the child runs exactly what was validated with the parent.
import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { ChildStep } from '../../dsl/kinds/child';
import { renderValue } from '../../dsl/expressions';
import { pushCompensation } from './undo';
import { ok, type StepHandler } from '../outcome';
import { childWorkflowId } from '../../contract/labels';
import { remediationAttributes } from '../../contract/search-attributes';
import type { RunInput, RunResult } from '../../contract/run';

export const runChild: StepHandler<ChildStep> = async (step, { frame }) => {
  const run = frame.run;
  const runbook = run.runbook.children[step.runbook]!;
  const inputs = renderValue(step.with, frame.scope()) as Record<string, unknown>;
  // One child per step visit; foreach iterations and loops get distinct ids.
  const ordinal = run.nextChildOrdinal(step.id);
  const input: RunInput = {
    runbook,
    inputs,
    ...(run.input.alert && { alert: run.input.alert }),
    startedBy: run.input.startedBy,
    ...(run.input.options && { options: run.input.options }),
  };
  // A child runs the interpreter version its parent runs.
  const result = await executeChild<(i: RunInput) => Promise<RunResult>>(workflowInfo().workflowType, {
    workflowId: childWorkflowId(workflowInfo().workflowId, step.id, ordinal),
    args: [input],
    staticSummary: `${runbook.name} (child of ${run.runbook.name}, step ${step.id})`,
    ...(step.timeoutMs !== undefined && { workflowExecutionTimeout: step.timeoutMs }),
    typedSearchAttributes: remediationAttributes(runbook, inputs, run.input.alert),
  });
  if (step.compensate) pushCompensation(frame, step.id, step.compensate, { outputs: result.outputs });
  return ok(result.outputs);
};
