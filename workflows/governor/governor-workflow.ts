// The fleet governor: one long-lived workflow per task queue that decides, for every write step
// of every run, whether it may start now. Its state is durable (it is a workflow), it continues as
// new before its history grows large, and it frees the slots of runs that ended without saying so
// (terminated, reset, timed out) by checking its holders every `watchEveryMs`.
import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { GovernorActivities } from '../../contract/activities';
import {
  acquireSignal,
  DEFAULT_FLEET_POLICY,
  guardsQuery,
  pauseUpdate,
  policyUpdate,
  releaseSignal,
  resumeUpdate,
  runEndedSignal,
  verdictSignal,
  waitNoticeSignal,
  type FleetPolicy,
} from '../../contract/guards';
import { emptyState, Governor, type GovernorState, type Outbound } from './state';
import { validPause, validPolicy, validRelease, validRequest, validResume, validRunEnded } from './validate';

const { closedRuns } = proxyActivities<GovernorActivities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });

/** Continue as new well before Temporal's limits: the state is small, history is not. */
const MAX_HISTORY_EVENTS = 5_000;

export interface GovernorInput {
  policy?: FleetPolicy;
  /** Carried by continue-as-new. */
  state?: GovernorState;
}

export async function fleetGovernor(input: GovernorInput = {}): Promise<void> {
  const governor = new Governor(input.state ?? emptyState(input.policy ?? DEFAULT_FLEET_POLICY));
  let dirty = true;
  const changed = () => {
    dirty = true;
  };
  const outbox: Outbound[] = [];

  // Anyone who can reach Temporal can send these: malformed messages are dropped, updates refused.
  setHandler(acquireSignal, (req) => {
    if (validRequest(req)) outbox.push(...governor.submit(req, Date.now()));
    changed();
  });
  setHandler(releaseSignal, (r) => {
    if (validRelease(r)) governor.release(r);
    changed();
  });
  setHandler(runEndedSignal, (n) => {
    if (validRunEnded(n)) governor.runEnded(n, Date.now());
    changed();
  });
  setHandler(
    pauseUpdate,
    (p) => {
      const record = governor.pause(p, Date.now());
      changed();
      return record;
    },
    { validator: validPause, description: 'Pause write steps: {"by", "reason"} for all, plus "runbook" and/or "key" to narrow it.' },
  );
  setHandler(
    resumeUpdate,
    (r) => {
      const lifted = governor.resume(r);
      changed();
      return lifted;
    },
    { validator: validResume, description: 'Lift the pauses of exactly this scope: {"by"} for the fleet-wide one, plus "runbook" and/or "key".' },
  );
  setHandler(
    policyUpdate,
    (policy) => {
      governor.setPolicy(policy);
      changed();
    },
    { validator: validPolicy, description: 'Internal: the worker installs its fleet policy (budgets, default breaker).' },
  );
  setHandler(guardsQuery, () => governor.view(Date.now()), { description: 'Keys with holders and waiters, budgets left, pauses, breakers.' });

  let nextWatch = Date.now() + governor.state.policy.watchEveryMs;
  for (;;) {
    dirty = false;
    const { out, wakeAt } = governor.process(Date.now());
    outbox.push(...out);
    await deliver(outbox.splice(0), governor);
    if (governor.busy && Date.now() >= nextWatch) {
      try {
        governor.dropExecutions(await closedRuns(governor.watchedRuns()));
      } catch (err) {
        // The governor must outlive a failing check (Temporal unreachable for a while): try again next time.
        log.warn('fleet governor: checking holders failed', { error: String(err) });
      }
      nextWatch = Date.now() + governor.state.policy.watchEveryMs;
      continue;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS) {
      await condition(allHandlersFinished);
      if (outbox.length === 0) await continueAsNew<typeof fleetGovernor>({ state: governor.state });
      continue;
    }
    const wake = [wakeAt, governor.busy ? nextWatch : undefined].filter((t): t is number => t !== undefined);
    const timeout = wake.length ? Math.max(1, Math.min(...wake) - Date.now()) : undefined;
    if (timeout === undefined) await condition(() => dirty);
    else await condition(() => dirty, timeout);
  }
}

/** Answers go out together; a run that no longer exists frees what it held. */
async function deliver(messages: Outbound[], governor: Governor): Promise<void> {
  const gone: string[] = [];
  await Promise.all(
    messages.map(async (m) => {
      const handle = getExternalWorkflowHandle(m.run);
      try {
        if ('verdict' in m) await handle.signal(verdictSignal, m.verdict);
        else await handle.signal(waitNoticeSignal, m.notice);
      } catch {
        gone.push(m.run);
      }
    }),
  );
  if (gone.length) governor.dropRuns(gone);
}
