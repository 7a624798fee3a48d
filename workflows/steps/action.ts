// `uses`: one action as one activity, or a bounded poll (`until`/`every`) of it.
import { ActivityCancellationType, ContinueAsNew, isCancellation, scheduleActivity, sleep, workflowInfo } from '@temporalio/workflow';
import type { ActionStep } from '../../dsl/kinds/action';
import type { CompiledRunbook } from '../../dsl/compiled';
import { formatDuration } from '../../dsl/durations';
import { evaluateCondition, hasExpression } from '../../dsl/expressions';
import { renderParameters, type RenderedParameters } from '../../dsl/secrets';
import type { ActionRequest } from '../../contract/activities';
import { labelText } from '../../contract/labels';
import { stepActivityOptions } from '../activity-options';
import { reasonOf } from '../failures';
import { failed, ok, type StepHandler } from '../outcome';
import { continueAsNewIfDue } from '../continue-as-new';
import { pushCompensation } from './undo';
import type { Frame } from '../run';

export const runAction: StepHandler<ActionStep> = async (step, { frame }) => {
  const request = actionRequest(frame.run.runbook, step.id, renderStepParameters(step.with, frame), step.secrets);
  const call = () =>
    callAction(step.uses, request, {
      timeoutMs: step.timeoutMs,
      retry: step.retry,
      summary: labelText({ kind: 'action', step: step.id, what: step.description ?? step.uses }),
    });
  let outputs: unknown;
  try {
    if (!step.poll) {
      outputs = await call();
    } else {
      const polled = await poll(step, frame, call);
      if (!polled.ok) {
        oweUndoOfFailedAttempt(step, frame, polled.error);
        return polled;
      }
      outputs = polled.outputs;
    }
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    oweUndoOfFailedAttempt(step, frame, reasonOf(err));
    throw err;
  }
  if (step.compensate) pushCompensation(frame, step.id, step.compensate, { outputs });
  return ok(outputs);
};

/** `compensate.when: attempted`: a failed or cancelled attempt may have changed something, so its undo is owed too. */
function oweUndoOfFailedAttempt(step: ActionStep, frame: Frame, error: string): void {
  if (!step.compensate?.afterFailure) return;
  try {
    pushCompensation(frame, step.id, step.compensate, { error });
  } catch (err) {
    throw new Error(`${error}; and its undo could not be prepared: ${reasonOf(err)}`, { cause: err });
  }
}

async function poll(step: ActionStep, frame: Frame, call: () => Promise<unknown>) {
  const spec = step.poll!;
  const resumed = frame.isTop ? frame.run.takeResumedPoll(step.id) : undefined;
  let polls = resumed?.polls ?? 0;
  const startedAt = resumed?.startedAt ?? Date.now();
  for (;;) {
    const outputs = await call();
    polls++;
    if (evaluateCondition(spec.until, frame.scope({ result: outputs }))) return ok(outputs);
    if (spec.maxPolls !== undefined && polls >= spec.maxPolls) return failed(`condition \`${spec.until}\` still false after ${polls} polls`);
    if (spec.withinMs !== undefined && Date.now() - startedAt + spec.everyMs > spec.withinMs) {
      return failed(`condition \`${spec.until}\` still false after ${formatDuration(spec.withinMs)} (${polls} polls)`);
    }
    if (frame.run.stopRequested) return ok(outputs);
    await sleep(spec.everyMs, { summary: labelText({ kind: 'poll', step: step.id, everyMs: spec.everyMs }) });
    if (frame.isTop) await continueAsNewIfDue(frame.run, step.id, { polls, startedAt });
  }
}

/** A step's `with` rendered now, secret references kept as sites. */
export function renderStepParameters(template: Record<string, unknown>, frame: Frame): RenderedParameters {
  // Building the scope walks every step record; skip it for literal parameters.
  return hasExpression(template) ? renderParameters(template, frame.scope()) : { value: template, sites: [] };
}

/**
 * The activity's input. The secrets it may resolve are those the compiled step names (decided
 * at compile time), never anything read from the rendered text.
 */
export function actionRequest(runbook: CompiledRunbook, stepId: string, rendered: RenderedParameters, secretNames: readonly string[] = []): ActionRequest {
  const secrets = Object.fromEntries(secretNames.filter((n) => Object.hasOwn(runbook.secrets, n)).map((n) => [n, runbook.secrets[n]!]));
  return { runbook: runbook.name, stepId, with: rendered.value, secrets, ...(rendered.sites.length > 0 && { secretSites: rendered.sites }) };
}

export async function callAction(
  uses: string,
  request: ActionRequest,
  options: { timeoutMs: number; retry: ActionStep['retry']; summary: string },
): Promise<unknown> {
  try {
    return await scheduleActivity(uses, [request], {
      ...stepActivityOptions(options.timeoutMs, options.retry, options.summary),
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      taskQueue: workflowInfo().taskQueue,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    throw new ActionError(`${uses} failed: ${reasonOf(err)}`, err);
  }
}

/** An action that failed after its retries; the interpreter turns it into a failed step. */
export class ActionError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}
