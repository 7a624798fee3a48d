// Who may approve or decide, resolved by an activity when the request is made, so the
// membership that applied is in the run's history.
import { proxyActivities } from '@temporalio/workflow';
import type { People, PeopleActivities } from '../contract/activities';
import { labelText } from '../contract/labels';
import { FAIL, SUCCEED, type Route } from '../dsl/compiled-base';

/** What a person's wait does when its time runs out, in words for the people asked. */
export function timeoutText(route: Route): string {
  return route === FAIL ? 'the step fails' : route === SUCCEED ? 'the run ends successfully' : `the run goes to \`${route}\``;
}

/** Decide steps with no deciders named ask who may decide too, for the worker's signature policy, from this patch on. */
export const SIGNED_ANSWERS_PATCH = 'signed-answers';

export function eligiblePeople(stepId: string, names: string[], purpose: 'approve' | 'decide', runbook?: string): Promise<People> {
  const { resolvePeople } = proxyActivities<PeopleActivities>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 5 },
    summary: labelText({ kind: 'who-may', step: stepId, purpose }),
  });
  // The runbook's name picks its notification channels; older runs never passed it (an activity's arguments are not replayed).
  return runbook === undefined ? resolvePeople(names, stepId) : resolvePeople(names, stepId, runbook);
}
