// `approve`: renders the plan of the step it guards, asks the eligible people, and waits for
// enough distinct approvals, a rejection, or the timeout (which never approves).
import type { ApproveOutputs, ApproveStep } from '../../dsl/kinds/approve';
import { FAIL } from '../../dsl/compiled-base';
import { ROUTE } from '../../dsl/route-labels';
import { formatDuration } from '../../dsl/durations';
import { failed, ok, type StepHandler } from '../outcome';
import { eligiblePeople, timeoutText } from '../people';
import type { Waiting } from '../humans';
import { planHash, renderPlan } from '../plan';
import type { PendingApproval } from '../../contract/run';

export const runApprove: StepHandler<ApproveStep> = async (step, { frame }) => {
  const run = frame.run;
  const guarded = run.runbook.steps[step.guards]!;
  const plan = renderPlan(guarded, frame);
  const hash = planHash(plan);
  const who = await eligiblePeople(step.id, step.approvers, 'approve', run.runbook.name);
  if (who.eligible.length === 0) {
    return failed(`no one may approve: ${who.unknownGroups.length ? `${who.unknownGroups.join(', ')} not defined in the groups file` : 'no approvers'}`);
  }
  const request: Omit<Waiting<PendingApproval>, 'approvals'> = {
    kind: 'approval',
    step: step.id,
    guards: guarded.id,
    plan,
    planHash: hash,
    approvers: step.approvers,
    eligible: who.eligible,
    minApprovals: step.minApprovals,
    allowRequester: step.allowRequester,
    ...((step.signed || who.signaturesRequired) && { signed: true }),
    onTimeout: timeoutText(step.onTimeout),
  };
  const { outcome, approvedBy } = await run.humans.waitForApproval(request, step.timeoutMs, who.notify && { ...who.notify, ...step.reminders });
  // The alert resolved while we waited: nothing risky runs; the interpreter stops before the next step.
  if (!outcome && run.stopRequested) return ok<ApproveOutputs>({ outcome: 'stopped', approvedBy, planHash: hash, reason: 'the alert resolved' }, null);
  if (!outcome) {
    const reason = `approval timed out after ${formatDuration(step.timeoutMs)} with ${approvedBy.length} of ${step.minApprovals} approvals`;
    return step.onTimeout === FAIL
      ? failed(reason)
      : ok<ApproveOutputs>({ outcome: 'timed-out', approvedBy, planHash: hash, reason }, step.onTimeout, ROUTE.onTimeout);
  }
  if (outcome.kind === 'rejected') {
    const reason = `rejected by ${outcome.by}: ${outcome.reason}`;
    return step.onReject === FAIL
      ? failed(reason)
      : ok<ApproveOutputs>({ outcome: 'rejected', approvedBy, planHash: hash, rejectedBy: outcome.by, reason: outcome.reason }, step.onReject, ROUTE.onReject);
  }
  run.planApproved(guarded.id, hash);
  return ok<ApproveOutputs>({ outcome: 'approved', approvedBy, planHash: hash });
};
