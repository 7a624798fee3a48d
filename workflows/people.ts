// Who may approve or decide, resolved by an activity when the request is made, so the
// membership that applied is in the run's history.
import { proxyActivities } from '@temporalio/workflow';
import type { People, PeopleActivities } from '../contract/activities';
import { labelText } from '../contract/labels';

/** Decide steps with no deciders named ask who may decide too, for the worker's signature policy, from this patch on. */
export const SIGNED_ANSWERS_PATCH = 'signed-answers';

export function eligiblePeople(stepId: string, names: string[], purpose: 'approve' | 'decide'): Promise<People> {
  const { resolvePeople } = proxyActivities<PeopleActivities>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 5 },
    summary: labelText({ kind: 'who-may', step: stepId, purpose }),
  });
  return resolvePeople(names, stepId);
}
