// `wait`: a durable timer; it survives worker restarts and shows in the UI with its step id.
import { sleep } from '@temporalio/workflow';
import type { WaitStep } from '../../dsl/kinds/wait';
import { formatDuration } from '../../dsl/durations';
import { labelText } from '../../contract/labels';
import { ok, type StepHandler } from '../outcome';

export const runWait: StepHandler<WaitStep> = async (step) => {
  await sleep(step.durationMs, { summary: labelText({ kind: 'wait', step: step.id, what: step.description ?? `wait ${formatDuration(step.durationMs)}` }) });
  return ok({});
};
