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
  pauseSignal,
  pauseUpdate,
  policySignal,
  policyUpdate,
  releaseSignal,
  requestQuery,
  resumeSignal,
  resumeUpdate,
  runEndedSignal,
  verdictSignal,
  waitNoticeSignal,
  type FleetPolicy,
  type RequestOutcome,
  type Sent,
} from '../../contract/guards';
import { emptyState, Governor, type GovernorState, type Outbound } from './state';
import { requestName, validPause, validPolicyMessage, validRelease, validRequest, validResume, validRunEnded } from './validate';

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
  // People's and workers' requests. A malformed one is refused, with the reason, to its sender.
  const take = <T extends object>(msg: Sent<T>, check: (v: unknown) => asserts v is T, apply: (v: T) => RequestOutcome) => {
    const request = requestName(msg);
    if (request === undefined) return;
    const { request: _, ...body } = msg;
    governor.take(request, Date.now(), () => {
      try {
        check(body);
        return apply(body);
      } catch (err) {
        return { refused: err instanceof Error ? err.message : String(err) };
      }
    });
    changed();
  };
  setHandler(pauseSignal, (p) => take(p, validPause, (v) => ({ paused: governor.pause(v, Date.now()) })));
  setHandler(resumeSignal, (r) => take(r, validResume, (v) => ({ resumed: governor.resume(v) })));
  setHandler(policySignal, (p) =>
    take(p, validPolicyMessage, (v) => {
      governor.setPolicy(v.policy);
      return { policy: 'installed' };
    }),
  );
  setHandler(requestQuery, (request) => governor.settledOf(request) ?? null, { description: 'What became of a pause, resume or policy request, by its name.' });
  // Refused since requests became signals (contract/guards.ts). Validators do not run on replay, so
  // the histories that accepted these still replay through their handlers.
  const refusedUpdate = (signal: string) => (_: unknown) => {
    throw new Error(`no longer taken as an update: send the ${signal} signal (runbook pause and runbook resume do)`);
  };
  setHandler(pauseUpdate, (p) => governor.pause(p, Date.now()), { validator: refusedUpdate(pauseSignal.name), description: 'Refused: see guardPause.' });
  setHandler(resumeUpdate, (r) => governor.resume(r), { validator: refusedUpdate(resumeSignal.name), description: 'Refused: see guardResume.' });
  setHandler(policyUpdate, (policy) => governor.setPolicy(policy), { validator: refusedUpdate(policySignal.name), description: 'Refused: see guardPolicy.' });
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
