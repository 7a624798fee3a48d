// Long runs (polling for hours) continue as new before history nears Temporal's limits,
// carrying their state, so a run's history never grows without bound.
import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { Run } from './run';
import type { ResumeState, RunInput } from '../contract/run';

export async function continueAsNewIfDue(run: Run, at: string, poll?: ResumeState['poll']): Promise<void> {
  const info = workflowInfo();
  const limit = run.input.options?.continueAsNewAfterEvents;
  const due = limit !== undefined ? info.historyLength >= limit : info.continueAsNewSuggested;
  if (!due) return;
  // Signals and updates in flight must finish first, or their work would be lost.
  await condition(allHandlersFinished);
  await continueAsNew<(input: RunInput) => Promise<unknown>>(run.continuation(at, poll));
}
