// Waiting on a run's `status` query: for a state, or for an approval or a decision to be pending.
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../../workflows/messages';
import type { PendingApproval, PendingDecision, StatusView } from '../../workflows/types';
import { eventually } from './eventually';

export function statusWhen(handle: WorkflowHandle, check: (s: StatusView) => boolean, what: string): Promise<StatusView> {
  return eventually(async () => {
    const status = await handle.query(statusQuery);
    return check(status) && status;
  }, what);
}

export function pendingApproval(handle: WorkflowHandle, step?: string): Promise<PendingApproval> {
  return eventually(
    async () => (await handle.query(statusQuery)).pending.find((p): p is PendingApproval => p.kind === 'approval' && (step === undefined || p.step === step)),
    `an approval${step ? ` of step ${step}` : ''} to be pending`,
  );
}

export function pendingDecision(handle: WorkflowHandle, step?: string): Promise<PendingDecision> {
  return eventually(
    async () => (await handle.query(statusQuery)).pending.find((p): p is PendingDecision => p.kind === 'decision' && (step === undefined || p.step === step)),
    `a decision${step ? ` of step ${step}` : ''} to be pending`,
  );
}
