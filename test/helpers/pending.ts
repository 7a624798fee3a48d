// Waiting on a run's `status` query: for a state, or for an approval or a decision to be pending.
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../../contract/messages';
import type { Pending, PendingApproval, PendingDecision, StatusView } from '../../contract/run';
import { eventually } from './eventually';

export function statusWhen(handle: WorkflowHandle, check: (s: StatusView) => boolean, what: string): Promise<StatusView> {
  return eventually(async () => {
    const status = await handle.query(statusQuery);
    return check(status) && status;
  }, what);
}

export function pendingApproval(handle: WorkflowHandle, step?: string): Promise<PendingApproval> {
  return pendingOf(handle, 'approval', step);
}

export function pendingDecision(handle: WorkflowHandle, step?: string): Promise<PendingDecision> {
  return pendingOf(handle, 'decision', step);
}

function pendingOf<K extends Pending['kind']>(handle: WorkflowHandle, kind: K, step: string | undefined): Promise<Extract<Pending, { kind: K }>> {
  return eventually(
    async () =>
      (await handle.query(statusQuery)).pending.find((p): p is Extract<Pending, { kind: K }> => p.kind === kind && (step === undefined || p.step === step)),
    `${kind === 'approval' ? 'an approval' : 'a decision'}${step ? ` of step ${step}` : ''} to be pending`,
  );
}
