// The scripted approver: a person on call, through the API. Every second it looks for soak runs
// waiting on a person and answers as the plan says for that alert (approve, reject, or leave it
// to time out), after a delay drawn from the seed; a decision the model could not take it
// answers with `fix`, a fill with a count of 2; a runbook the circuit breaker paused it resumes
// after 5 to 20 s. Answers that fail (Temporal is down) are tried again at the next look.
import type { Client } from '@temporalio/client';
import { fleetGuards, resumeFleet } from '../cli/guards';
import { answerRun } from '../cli/humans';
import type { Occurrence } from './plan';
import { Random } from './random';

export interface Answered {
  workflowId: string;
  action: 'approve' | 'reject' | 'decide';
  at: number;
}

export function startApprover(
  client: () => Client,
  taskQueue: string,
  byWorkflowId: Map<string, Occurrence>,
  seed: number,
  log: (line: string) => void,
): { answered: Answered[]; resumed: number; stop(): void } {
  const answered: Answered[] = [];
  const state = { resumed: 0 };
  const due = new Map<string, number>();
  const random = new Random(seed ^ 0xa99);
  let stopped = false;
  // The circuit breaker pauses a runbook's writes after repeated failures (config/fleet.yaml);
  // the person on call looks, then resumes it.
  const resumeBreakers = async () => {
    for (const pause of (await fleetGuards(client(), taskQueue)).pauses.filter((p) => p.source === 'circuit-breaker')) {
      const key = `breaker:${pause.runbook ?? ''}:${pause.key ?? ''}:${pause.at}`;
      if (!due.has(key)) due.set(key, Date.now() + random.int(5_000, 20_000));
      if (Date.now() < due.get(key)!) continue;
      await resumeFleet(client(), taskQueue, { ...(pause.runbook && { runbook: pause.runbook }), ...(pause.key && { key: pause.key }) }, 'alice');
      due.set(key, Number.POSITIVE_INFINITY);
      state.resumed++;
      log(`on-call: resumed ${pause.runbook ?? pause.key ?? 'the fleet'} after the circuit breaker paused it (${pause.reason})`);
    }
  };
  const look = async () => {
    // A governor that does not answer must not keep the approvals waiting.
    await resumeBreakers().catch((err: unknown) => log(`on-call: cannot read the fleet guards now: ${(err as Error).message.split('\n')[0]}`));
    for (const [runbook, status, step] of [
      ['soak-remediate', 'awaiting-approval', 'gate'],
      ['soak-remediate', 'awaiting-decision', 'diagnose'],
      ['soak-page', 'awaiting-decision', 'size'],
    ] as const) {
      const waiting = client().workflow.list({ query: `RunbookName = "${runbook}" AND RemediationStatus = "${status}" AND ExecutionStatus = "Running"` });
      for await (const run of waiting) {
        const occurrence = byWorkflowId.get(run.workflowId);
        if (!occurrence || (status === 'awaiting-approval' && occurrence.approval === 'timeout')) continue;
        const key = `${run.workflowId}:${step}`;
        if (!due.has(key)) due.set(key, Date.now() + random.int(200, 8_000));
        if (Date.now() < due.get(key)!) continue;
        const action = status === 'awaiting-decision' ? 'decide' : occurrence.approval === 'reject' ? 'reject' : 'approve';
        const answer =
          action === 'decide'
            ? step === 'size'
              ? ({ action, step, as: 'alice', values: { count: 2 } } as const)
              : ({ action, step, as: 'alice', choice: 'fix' } as const)
            : action === 'reject'
              ? ({ action, step, as: 'alice', reason: 'the soak says no' } as const)
              : ({ action, step, as: 'alice' } as const);
        try {
          await answerRun(client(), run.workflowId, answer);
          answered.push({ workflowId: run.workflowId, action, at: Date.now() });
          due.set(key, Number.POSITIVE_INFINITY);
        } catch (err) {
          log(`approver: ${action} ${run.workflowId} failed, will retry: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    }
  };
  void (async () => {
    while (!stopped) {
      await look().catch((err: unknown) => log(`approver: cannot list runs now: ${(err as Error).message.split('\n')[0]}`));
      await new Promise((r) => setTimeout(r, 1_000));
    }
  })();
  return {
    answered,
    get resumed() {
      return state.resumed;
    },
    stop: () => void (stopped = true),
  };
}
