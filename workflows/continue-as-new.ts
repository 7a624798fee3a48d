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
  const resume: ResumeState = {
    at,
    steps: Object.fromEntries(run.top.records),
    // A poll resumes inside its step: that visit is already counted and must not count twice.
    visits: poll ? { ...run.visits, [at]: (run.visits[at] ?? 1) - 1 } : run.visits,
    executed: run.executed,
    compensations: run.compensations,
    ...(poll && { poll }),
    ...(run.alertStatus && { alertStatus: run.alertStatus }),
    tokensUsed: run.tokensUsed,
    continuedRuns: run.continuedRuns + 1,
    decisions: run.decisions,
    audit: run.audit,
    ...(run.auditDropped > 0 && { auditDropped: run.auditDropped }),
  };
  const next: RunInput = { ...run.input, resume };
  await continueAsNew<(input: RunInput) => Promise<unknown>>(next);
}
