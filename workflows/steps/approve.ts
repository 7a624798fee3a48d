// `approve`: renders the plan of the step it guards, asks the eligible people, and waits for
// enough distinct approvals, a rejection, or the timeout (which never approves).
import { condition, proxyActivities } from '@temporalio/workflow';
import type { ApproveStep } from '../../dsl/compiled';
import { FAIL } from '../../dsl/compiled';
import { formatDuration } from '../../dsl/durations';
import type { PeopleActivities } from '../../activities/humans/types';
import { failed, ok, type StepHandler } from '../outcome';
import { planHash, renderPlan } from '../plan';
import type { PendingApproval } from '../types';

const people = (step: ApproveStep) =>
  proxyActivities<PeopleActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 }, summary: `${step.id}: who may approve` }).resolvePeople(step.approvers);

export const runApprove: StepHandler<ApproveStep> = async (step, { frame }) => {
  const run = frame.run;
  const guarded = run.runbook.steps[step.guards]!;
  const plan = renderPlan(guarded, frame);
  const hash = planHash(plan);
  const who = await people(step);
  if (who.eligible.length === 0) {
    return failed(`no one may approve: ${who.unknownGroups.length ? `${who.unknownGroups.join(', ')} not defined in the groups file` : 'no approvers'}`);
  }
  const now = Date.now();
  const pending: PendingApproval = {
    kind: 'approval',
    step: step.id,
    guards: guarded.id,
    plan,
    planHash: hash,
    approvers: step.approvers,
    eligible: who.eligible,
    minApprovals: step.minApprovals,
    allowRequester: step.allowRequester,
    approvals: [],
    requestedAt: new Date(now).toISOString(),
    deadline: new Date(now + step.timeoutMs).toISOString(),
  };
  run.humans.open(pending);
  run.setStatus('awaiting-approval');
  const answered = await condition(() => run.humans.outcome(step.id) !== undefined || run.stopRequested, step.timeoutMs, {
    summary: `${step.id}: wait for approval (${formatDuration(step.timeoutMs)})`,
  });
  run.humans.close(step.id);
  run.setStatus('running');
  const outcome = run.humans.takeOutcome(step.id);
  const approvedBy = pending.approvals.map((a) => a.by);
  // The alert resolved while we waited: nothing risky runs; the interpreter stops before the next step.
  if (!outcome && run.stopRequested) return ok({ outcome: 'stopped', approvedBy, planHash: hash, reason: 'the alert resolved' }, null);
  if (!answered || !outcome) {
    const reason = `approval timed out after ${formatDuration(step.timeoutMs)} with ${approvedBy.length} of ${step.minApprovals} approvals`;
    return step.onTimeout === FAIL ? failed(reason) : ok({ outcome: 'timed-out', approvedBy, planHash: hash, reason }, step.onTimeout);
  }
  if (outcome.kind === 'rejected') {
    const reason = `rejected by ${outcome.by}: ${outcome.reason}`;
    return step.onReject === FAIL ? failed(reason) : ok({ outcome: 'rejected', approvedBy, planHash: hash, rejectedBy: outcome.by, reason: outcome.reason }, step.onReject);
  }
  run.approvedPlans.set(guarded.id, hash);
  return ok({ outcome: 'approved', approvedBy, planHash: hash });
};
