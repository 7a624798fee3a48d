// What to send to answer a waiting request: the signal (or update) name and its JSON with the
// step and plan hash already filled in, only the operator's name (and signature, on a signed
// step) left to add. The run's Web UI pane and `runbook pending` print the same thing.
import type { Pending } from './run';

export interface AnswerTemplate {
  /** The signal (Web UI) or update (API) that answers it. */
  name: 'approve' | 'decide';
  payload: Record<string, unknown>;
}

export const YOUR_NAME = '<your name>';

export function answerTemplate(p: Pending): AnswerTemplate {
  if (p.kind === 'approval') return { name: 'approve', payload: { step: p.step, planHash: p.planHash, by: YOUR_NAME, comment: '<why>' } };
  const answer = p.decision === 'decide' ? { choice: p.choices?.[0]?.name ?? '<choice>' } : { values: {} };
  return { name: 'decide', payload: { step: p.step, by: YOUR_NAME, ...answer, comment: '<why>' } };
}

/** The CLI commands that answer it (`<run>` is the workflow id). */
export function answerCommands(workflowId: string, p: Pending): string[] {
  const sign = p.signed ? ' --sign' : '';
  if (p.kind === 'approval')
    return [`runbook approve ${workflowId} --step ${p.step} --comment '<why>'${sign}`, `runbook reject ${workflowId} --step ${p.step} --reason '<why>'${sign}`];
  const answer = p.decision === 'decide' ? `--choice ${p.choices?.[0]?.name ?? '<choice>'}` : `--values '{...}'`;
  return [`runbook decide ${workflowId} --step ${p.step} ${answer}${sign}`];
}
